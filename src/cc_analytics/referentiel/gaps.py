"""What the source referentiel does not describe, what rests on it, and how a school fills it.

A referentiel records the gaps of its source (``gaps``: code, what, note). Some only cut a text
(a modality, a criterion, the scale's labels); the **structural** ones leave an item out: a
block or activity without its title, a missing activity or competency, missing pages. A block
with a structural gap is validated on the competencies the referentiel knows, and the title on
such blocks: those figures carry a caveat (:func:`completeness`, :func:`caveat`).

A school holding the full official referentiel fills the gaps (:func:`complete`, :func:`resolve`:
``cc-analytics referentiel complete``); each filled gap moves to ``filled`` with what was
added, so the completed file says what it adds to its source.

>>> kind_of("B2A2C1"), kind_of("B2A1"), kind_of("B2"), kind_of("BC01.C03")
('competency', 'activity', 'block', None)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..core.errors import Problem, ReferentielError
from .codes import CANONICAL, canonical_code, sort_key, split_code
from .model import Referentiel, _none, from_dict, to_dict

#: Gap kinds that leave an item of the referentiel out (the others only cut a text).
MISSING_ITEM = {"compétence": "competency", "activité": "activity"}
MISSING_LABEL = {"intitulé du bloc": "block", "intitulé de l'activité": "activity"}
#: Missing pages: whatever they held, the title is not fully described.
PAGES = "pages"
#: An activity added without its competencies (by ``complete``): its block is not described yet.
EMPTY_ACTIVITY = "compétences de l'activité"
STRUCTURAL = {*MISSING_ITEM, *MISSING_LABEL, PAGES, EMPTY_ACTIVITY}

#: How ``complete`` names what it adds, by kind of code.
ADDED = {"competency": "compétence", "activity": "activité", "block": "bloc"}
COMMAND = "cc-analytics referentiel complete"


def kind_of(code: str) -> str | None:
    """``competency``, ``activity`` or ``block`` for a canonical code (``B2A2C1``…), else None."""
    canonical = canonical_code(code) if code else None
    if canonical is None or not CANONICAL.match(canonical):
        return None
    _, activity, competency = split_code(canonical)
    return "competency" if competency else "activity" if activity else "block"


def structural_gaps(r: Referentiel) -> pd.DataFrame:
    """The gaps that leave an item or a title out, in the referentiel's order."""
    return r.gaps[r.gaps["what"].isin(STRUCTURAL)].reset_index(drop=True)


def block_of(r: Referentiel, code: object) -> str | None:
    """The block a (possibly missing) item belongs to, or None (a gap of the whole source)."""
    code = _none(code)
    if code is None:
        return None
    code = str(code)
    for table in (r.activities, r.competencies):
        found = table.loc[table["code"] == code, "block"]
        if len(found):
            return str(found.iloc[0])
    if code in set(r.blocks["code"]):
        return code
    if kind_of(code) is not None:
        block = split_code(canonical_code(code) or code)[0]
        return block if block in set(r.blocks["code"]) else None
    return None


def incomplete_blocks(r: Referentiel) -> list[str]:
    """Blocks with a structural gap, in the referentiel's order."""
    touched = {block_of(r, code) for code in structural_gaps(r)["code"]}
    return [code for code in r.blocks["code"] if code in touched]


def title_complete(r: Referentiel) -> bool:
    """Whether the title rests only on items the referentiel fully describes."""
    return structural_gaps(r).empty


def completeness(r: Referentiel, table: pd.DataFrame) -> pd.Series:
    """``referentiel_complete`` of each row of an aggregate table (``level``, ``code``): False
    for a block with a structural gap and for the title when any is recorded; a competency's
    own rate rests on nothing missing (True)."""
    incomplete = set(incomplete_blocks(r))
    whole = title_complete(r)
    level, code = table["level"].astype(str), table["code"].astype(str)
    values = [whole if lv == "title" else c not in incomplete if lv == "block" else True
              for lv, c in zip(level, code, strict=True)]  # fmt: skip
    return pd.Series(values, index=table.index, dtype=bool)


def _gap_words(gap: Any) -> str:
    """« compétence B2A2C1 absente », « intitulé du bloc B2 absent », « pages manquantes »."""
    code = _none(gap.code)
    if gap.what == PAGES:
        return "des pages manquent dans la source"
    if gap.what in MISSING_ITEM:  # « compétence », « activité »: feminine
        return f"{gap.what} {code} absente"
    if gap.what == EMPTY_ACTIVITY:
        return f"activité {code} ajoutée sans ses compétences"
    return f"{gap.what} {code} absent" if code else f"{gap.what} absent"


def caveat(r: Referentiel, tables: bool = True) -> str:
    """The French note every output resting on an incompletely described block or title
    carries; empty when the referentiel records no structural gap. ``tables``: name the
    column that flags the rows (a table's note), else not (a report's)."""
    gaps = structural_gaps(r)
    if gaps.empty:
        return ""
    parts = []
    for block in incomplete_blocks(r):
        known = int((r.competencies["block"] == block).sum())
        words = [_gap_words(g) for g in gaps.itertuples(index=False)
                 if block_of(r, g.code) == block]  # fmt: skip
        parts.append(f"le bloc {block} ({', '.join(words)}) est validé sur ses {known} "
                     "compétences connues")  # fmt: skip
    whole = [_gap_words(g) for g in gaps.itertuples(index=False) if block_of(r, g.code) is None]
    text = "Référentiel incomplet : " + " ; ".join(parts + whole)
    rests = ("Le titre repose sur ces blocs : les taux du titre et de ces blocs" if parts
             else "Les taux du titre")  # fmt: skip
    column = " (colonne referentiel_complete des tables)" if tables else ""
    return (f"{text}. {rests} ne portent que sur ce que le référentiel décrit{column}. Pour "
            f"lever cette réserve, complétez le référentiel avec « {COMMAND} ».")  # fmt: skip


def known_gap(r: Referentiel, code: str) -> Any | None:
    """The recorded gap that explains why ``code`` is absent: the competency itself, or its
    activity recorded as missing; None for a code the referentiel does not expect."""
    canonical = canonical_code(code) or str(code).strip()
    missing = r.gaps[r.gaps["what"].isin(MISSING_ITEM)]
    for gap in missing.itertuples(index=False):
        gap_code = _none(gap.code)
        if gap_code is None:
            continue
        if gap_code == canonical:
            return gap
        if (
            gap.what == "activité"
            and kind_of(canonical) == "competency"
            and (split_code(canonical)[1] == gap_code)
        ):
            return gap
    return None


def gap_message(r: Referentiel, code: str, dataset: str = "DONNÉES") -> tuple[str, str] | None:
    """What the gate says of a score for a competency the referentiel records as a gap of its
    source: (what is wrong, what to do), in French; None when ``code`` is no known gap.

    >>> from cc_analytics.referentiel import load
    >>> what, hint = gap_message(load(), "B2A2C1", "demo")
    >>> what
    'B2A2C1 est absente du référentiel fourni (lacune de la source)'
    """
    gap = known_gap(r, code)
    if gap is None:
        return None
    canonical = canonical_code(code) or str(code).strip()
    if gap.code == canonical:
        what = f"{canonical} est absente du référentiel fourni (lacune de la source)"
    else:
        what = (f"{canonical} relève de l'activité {gap.code}, absente du référentiel fourni "
                "(lacune de la source)")  # fmt: skip
    activity = split_code(canonical)[1] if kind_of(canonical) == "competency" else None
    hint = (
        f"Ajoutez-la au référentiel du dossier avec « {COMMAND} {dataset} --add "
        f'{canonical} --label "…" » (son intitulé est dans le référentiel officiel complet)'
    )
    if gap.code != canonical and activity:
        hint = (f"Ajoutez d'abord l'activité avec « {COMMAND} {dataset} --add {activity} "
                f"--label \"…\" », puis " + hint[0].lower() + hint[1:])  # fmt: skip
    return what, hint + ", puis relancez avec le référentiel écrit (option --referentiel)"


# ---------------------------------------------------------------------------------------
# Filling the gaps
# ---------------------------------------------------------------------------------------
def complete(r: Referentiel, code: str, label: str, block: str | None = None,
             activity: str | None = None, on: date | None = None) -> Referentiel:  # fmt: skip
    """``r`` with ``code`` added (a competency or an activity) or its missing title given (a
    block, an activity), the gaps it fills moved to ``filled``. Refused (ReferentielError, in
    French) when the item is already fully described or cannot be placed."""
    label = " ".join(str(label).split())
    code = canonical_code(code) or str(code).strip()
    if not label:
        raise ReferentielError(Problem("intitulé vide", value=code,
                                       hint="Donnez l'intitulé officiel avec --label \"…\""))  # fmt: skip
    data = to_dict(r)
    blocks = {b["code"]: b for b in data["blocks"]}
    activities = {a["code"]: (b, a) for b in data["blocks"] for a in b.get("activities") or []}
    competencies = set(r.competencies["code"])
    kind = (_wanted_kind(code, block, activity) if code not in blocks and code not in activities
            and code not in competencies else None)  # fmt: skip
    if code in competencies:
        raise _refused(code, f"la compétence {code} figure déjà au référentiel")
    if code in blocks or code in activities:
        item = blocks[code] if code in blocks else activities[code][1]
        if _none(item.get("label")):
            raise _refused(code, f"{code} a déjà un intitulé : « {item['label']} »")
        item["label"] = label
        what = "intitulé du bloc" if code in blocks else "intitulé de l'activité"
    elif kind == "activity":
        owner = block or split_code(code)[0]
        if owner not in blocks:
            raise _refused(code, f"le bloc {owner} n'existe pas au référentiel",
                           "Indiquez le bloc de l'activité avec --block")  # fmt: skip
        listed = blocks[owner].setdefault("activities", [])
        listed.append({"code": code, "label": label, "competencies": []})
        listed.sort(key=lambda a: sort_key(a["code"]))
        what = "activité"
        data["gaps"].append({"code": code, "what": EMPTY_ACTIVITY,
                             "note": "activité ajoutée sans ses compétences : ajoutez-les avec "
                                     f"« {COMMAND} … --add {code}C1 --label \"…\" »"})  # fmt: skip
    elif kind == "competency":
        parent = activity or (split_code(code)[1] if kind_of(code) else None)
        if parent not in activities:
            raise _refused(code, f"l'activité {parent} n'existe pas au référentiel",
                           f"Ajoutez-la d'abord (« --add {parent} --label \"…\" »), ou indiquez "
                           "l'activité de la compétence avec --activity")  # fmt: skip
        owner, item = activities[parent]
        if block and block != owner["code"]:
            raise _refused(code, f"l'activité {parent} appartient au bloc {owner['code']}, "
                           f"pas au bloc {block}", "Corrigez --block ou --activity")  # fmt: skip
        item.setdefault("competencies", []).append({"code": code, "label": label})
        item["competencies"].sort(key=lambda c: sort_key(c["code"]))
        what = "compétence"
        # the activity now has a competency: the reminder ``complete`` left is lifted
        data["gaps"] = [g for g in data["gaps"]
                        if not (g.get("what") == EMPTY_ACTIVITY and g.get("code") == parent)]  # fmt: skip
    else:
        raise _refused(code, "code de bloc, d'activité ou de compétence non reconnu",
                       "Écrivez un code comme B2A2C1 (compétence) ou B2A1 (activité), ou "
                       "indiquez --block et --activity pour un code d'une autre forme")  # fmt: skip
    return _with_filled(data, r, code, what, label, on)


def resolve(r: Referentiel, what: str, note: str, on: date | None = None) -> Referentiel:
    """``r`` with the source-wide gap ``what`` (such as ``pages``) marked filled, ``note``
    saying why (the pages were checked against the official document…)."""
    data = to_dict(r)
    if not ((r.gaps["what"] == what) & r.gaps["code"].isna()).any():
        listed = sorted(set(r.gaps.loc[r.gaps["code"].isna(), "what"]))
        raise ReferentielError(Problem(
            f"aucune lacune « {what} » de toute la source dans ce référentiel", value=what,
            hint="Lacunes sans code : " + (", ".join(listed) or "aucune")))  # fmt: skip
    return _with_filled(data, r, None, what, " ".join(str(note).split()), on)


def _wanted_kind(code: str, block: str | None, activity: str | None) -> str | None:
    if activity:
        return "competency"
    if block:
        return "activity"
    return {"competency": "competency", "activity": "activity"}.get(kind_of(code) or "")


def _with_filled(data: dict[str, Any], r: Referentiel, code: str | None, what: str,
                 label: str, on: date | None) -> Referentiel:  # fmt: skip
    day = (on or date.today()).isoformat()
    matches = [g for g in data["gaps"] if g.get("code") == code and g.get("what") == what]
    data["gaps"] = [g for g in data["gaps"] if g not in matches]
    note = (f"comblée le {day} avec « {COMMAND} » (lacune de la source : "
            f"{matches[0]['note']})" if matches
            else f"ajoutée le {day} avec « {COMMAND} » (aucune lacune enregistrée pour ce code)")  # fmt: skip
    data["filled"] = [*data.get("filled", []),
                      {"code": code, "what": what, "label": label, "note": note}]  # fmt: skip
    return from_dict(data, name=r.source or r.title)


def _refused(code: str, what: str, hint: str | None = None) -> ReferentielError:
    return ReferentielError(Problem(what, value=code, hint=hint))


def remaining(r: Referentiel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(structural gaps still open, other gaps: texts cut, scale…) of ``r``."""
    structural = r.gaps["what"].isin(STRUCTURAL)
    return (r.gaps[structural].reset_index(drop=True),
            r.gaps[~structural].reset_index(drop=True))  # fmt: skip

"""The referentiel: blocks > activities > competencies, with criteria, modalities and scale.

A :class:`Referentiel` holds tidy pandas tables (one row per item, canonical codes, the original
French labels) plus metadata. It is read from and written to a human-editable YAML file; the
Chargé.e de clientèle referentiel ships with the package and is the default everywhere.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..core.cache import per_file_version
from ..core.errors import Problem, ReferentielError
from ..core.text import fold
from .codes import CANONICAL, RNCP_BLOCK, RNCP_FICHE, sort_key
from .limits import MAX_TEXT_BYTES, read_limited
from .scale import DEFAULT_ACQUISITION_THRESHOLD
from .shape import Flaw, flaws
from .yamlfile import lines_of, parse

FORMAT = "cc-analytics.referentiel/1"
#: Marks text the source cuts off (French editorial convention for an elision).
CUT = "[…]"

TABLE_COLUMNS: dict[str, list[str]] = {
    "blocks": ["code", "label", "source_code", "rncp_code"],
    "activities": ["code", "block", "label"],
    "competencies": ["code", "block", "activity", "label", "source_code"],
    "criteria": ["block", "activity", "text"],
    "modalities": ["block", "text", "level"],
    "knowledge": ["block", "text"],
    "scale": ["value", "label", "from_source", "acquired"],
    "gaps": ["code", "what", "note"],
    # gaps of the source filled by the school (``referentiel complete``): what was added
    "filled": ["code", "what", "label", "note"],
}


@dataclass(frozen=True)
class Referentiel:
    """A certification's referentiel as tidy tables (see ``TABLE_COLUMNS``) and metadata.

    ``criteria`` has one row per (activity, criterion): a criterion written in a grid row
    that covers several activities is listed under each of them. ``modalities.level`` is 0
    for a modality and 1 for a detail of the modality above it.
    """

    title: str
    blocks: pd.DataFrame
    activities: pd.DataFrame
    competencies: pd.DataFrame
    criteria: pd.DataFrame
    modalities: pd.DataFrame
    knowledge: pd.DataFrame
    scale: pd.DataFrame
    gaps: pd.DataFrame
    threshold: int = DEFAULT_ACQUISITION_THRESHOLD
    rncp: str | None = None
    version: str | None = None
    date: str | None = None
    source: str | None = None
    scale_source: str | None = None
    statistics: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the fiche's ROME and NSF codes and its level (``NIV5``), to find similar certifications
    rome: tuple[str, ...] = ()
    nsf: tuple[str, ...] = ()
    level: str | None = None
    filled: pd.DataFrame = field(default_factory=lambda: _table("filled", []))

    # -- identity -----------------------------------------------------------------------
    @property
    def slug(self) -> str:
        return slugify(self.title)

    @functools.cached_property
    def content_hash(self) -> str:
        """A short hash of everything that defines the referentiel (not of its YAML layout).

        Computed once: a referentiel is immutable, its tables are never modified.
        """
        payload = json.dumps(to_dict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def id(self) -> str:
        """Stable identifier printed in every output: ``slug@version#hash``."""
        return f"{self.slug}@{slugify(self.version or 'sans-version')}#{self.content_hash}"

    # -- convenience ----------------------------------------------------------------------
    def competency_codes(self, block: str | None = None) -> list[str]:
        table = self.competencies
        if block is not None:
            table = table[table["block"] == block]
        return table["code"].tolist()

    def labels(self) -> dict[str, str]:
        """Label of every block, activity and competency code (empty when unknown)."""
        out: dict[str, str] = {}
        for name in ("blocks", "activities", "competencies"):
            table = getattr(self, name)
            out.update(zip(table["code"], table["label"].fillna(""), strict=True))
        return out

    def scale_labels(self) -> dict[int, str]:
        """French label of each score value: ``{0: "non acquis", …, 4: "expert"}``."""
        return {int(v): str(label) for v, label in zip(self.scale["value"], self.scale["label"],
                                                        strict=True)}  # fmt: skip

    def check(self) -> list[Problem]:
        """Integrity problems (empty when the referentiel is consistent)."""
        return check(self)


# ---------------------------------------------------------------------------------------
# YAML <-> model
# ---------------------------------------------------------------------------------------
def default_path() -> Path:
    """The Chargé.e de clientèle referentiel shipped with the package."""
    return Path(__file__).resolve().parent / "data" / "chargee_de_clientele.yaml"


def load(path: str | Path | None = None) -> Referentiel:
    """Read a referentiel YAML file (default: the shipped one) and check its integrity.

    A file read again unchanged (same size and modification time) gives the same object: its
    tables are shared, and never modified by cc-analytics.
    """
    return _read(Path(path) if path is not None else default_path())


@per_file_version
def _read(path: Path) -> Referentiel:
    name = str(path)
    raw = read_limited(path, MAX_TEXT_BYTES, ReferentielError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReferentielError(
            Problem(
                "fichier illisible : ce n'est pas du texte UTF-8",
                file=name,
                row=str(line),
                hint="Enregistrez le référentiel en YAML, encodage UTF-8",
            )
        ) from None
    data = parse(text, name)
    if not isinstance(data, dict) or "blocks" not in data:
        raise ReferentielError(
            Problem(
                "ce fichier n'est pas un référentiel cc-analytics (clé « blocks » absente)",
                file=name,
                hint="Produisez-le avec « cc-analytics referentiel import »",
            )
        )
    referentiel, problems = _from_dict(data, name, text)
    problems += [_located(p, name, text) for p in check(referentiel)]
    if problems:
        raise ReferentielError(problems)
    return referentiel


def from_dict(data: dict[str, Any], name: str = "<référentiel>") -> Referentiel:
    """Build a referentiel from its YAML structure; raise on structural or integrity problems."""
    referentiel, problems = _from_dict(data, name)
    problems += [p if p.file else _replace(p, file=name) for p in check(referentiel)]
    if problems:
        raise ReferentielError(problems)
    return referentiel


def _replace(problem: Problem, **changes: Any) -> Problem:
    from dataclasses import replace

    return replace(problem, **changes)


def _located(problem: Problem, name: str, text: str) -> Problem:
    """Attach the YAML line of the first ``code: X`` the problem is about."""
    line = None
    if problem.value:
        pattern = re.compile(
            rf"^\s*-?\s*\{{?\s*(code|activity):\s*['\"]?{re.escape(problem.value)}\b", re.MULTILINE
        )
        matches = list(pattern.finditer(text))
        if matches:
            line = str(text.count("\n", 0, matches[-1].start()) + 1)
    return _replace(problem, file=name, row=line or problem.row)


def _from_dict(
    data: dict[str, Any], name: str, text: str | None = None
) -> tuple[Referentiel, list[Problem]]:
    """The referentiel of a YAML structure and its problems; raise when the structure is not
    of the declared shape (see :mod:`.shape`): past that check every value has its kind."""
    found = flaws(data)
    if found:
        raise ReferentielError(_shape_problems(found, name, text))
    problems: list[Problem] = []
    blocks, activities, competencies, criteria, modalities, knowledge = ([] for _ in range(6))
    for b in data.get("blocks") or []:
        bcode = str(b["code"])
        blocks.append({"code": bcode, "label": b.get("label"), "source_code": b.get("source_code"),
                       "rncp_code": b.get("rncp_code")})  # fmt: skip
        for a in b.get("activities") or []:
            acode = str(a.get("code"))
            activities.append({"code": acode, "block": bcode, "label": a.get("label")})
            for c in a.get("competencies") or []:
                competencies.append(_competency(c, bcode, acode))
        for c in b.get("competencies") or []:
            competencies.append(_competency(c, bcode, c.get("activity")))
        for item in b.get("criteria") or []:
            scope = item.get("activities") or [None]
            for acode in scope:
                criteria.append({"block": bcode, "activity": acode, "text": item["text"]})
        for item in b.get("modalities") or []:
            text, details = (
                (item, []) if isinstance(item, str) else (item["text"], item.get("items") or [])
            )
            modalities.append({"block": bcode, "text": text, "level": 0})
            modalities += [{"block": bcode, "text": d, "level": 1} for d in details]
        knowledge += [{"block": bcode, "text": k} for k in b.get("knowledge") or []]

    threshold = data.get("threshold", DEFAULT_ACQUISITION_THRESHOLD)
    scale_rows = data.get("scale") or []
    scale = _table(
        "scale",
        [
            {
                "value": s.get("value"),
                "label": s.get("label"),
                "from_source": bool(s.get("from_source", False)),
                "acquired": None,
            }
            for s in scale_rows
        ],
    )
    if isinstance(threshold, int) and not scale.empty:
        scale["acquired"] = pd.to_numeric(scale["value"], errors="coerce") >= threshold
    referentiel = Referentiel(
        title=str(data.get("title") or ""),
        blocks=_table("blocks", blocks),
        activities=_table("activities", activities),
        competencies=_table("competencies", competencies),
        criteria=_table("criteria", criteria),
        modalities=_table("modalities", modalities),
        knowledge=_table("knowledge", knowledge),
        scale=scale,
        gaps=_table("gaps", data.get("gaps") or []),
        threshold=threshold,
        rncp=None if data.get("rncp") is None else str(data["rncp"]),
        version=None if data.get("version") is None else str(data["version"]),
        date=None if data.get("date") is None else str(data["date"]),
        source=data.get("source"),
        scale_source=data.get("scale_source"),
        statistics=pd.DataFrame(data.get("statistics") or []),
        rome=tuple(str(c) for c in data.get("rome") or []),
        nsf=tuple(str(c) for c in data.get("nsf") or []),
        level=None if data.get("level") is None else str(data["level"]),
        filled=_table("filled", data.get("filled") or []),
    )
    return referentiel, problems


#: Shape problems listed before the rest is summarised: a file of the wrong kind has thousands.
MAX_LISTED_FLAWS = 40


def _shape_problems(found: list[Flaw], name: str, text: str | None) -> list[Problem]:
    """Shape problems as messages, each at its YAML line when the file's text is known."""
    shown = found[:MAX_LISTED_FLAWS]
    lines = lines_of(text, [f.path for f in shown]) if text is not None else [None] * len(shown)
    problems = [
        Problem(f.message, file=name, row=None if line is None else str(line), hint=f.hint)
        for f, line in zip(shown, lines, strict=True)
    ]
    if len(found) > len(shown):
        problems.append(
            Problem(
                f"… et {len(found) - len(shown)} autres valeurs de la mauvaise forme",
                file=name,
                hint="Corrigez d'abord celles-ci, puis vérifiez à nouveau le fichier",
            )
        )
    return problems


def _competency(c: dict[str, Any], block: str, activity: str | None) -> dict[str, Any]:
    return {
        "code": str(c.get("code")),
        "block": block,
        "activity": activity,
        "label": c.get("label"),
        "source_code": c.get("source_code") or str(c.get("code")),
    }


def _table(name: str, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    columns = TABLE_COLUMNS[name]
    if name == "scale":
        return pd.DataFrame(list(rows), columns=columns)
    # Unknown labels are None (not NaN): text that the source does not give. Built as objects
    # from the start: converting afterwards cost ~6 ms a table, on every command.
    values = [[row.get(column) for column in columns] for row in rows]
    table = pd.DataFrame(values, columns=columns, dtype=object)
    if "level" in columns and len(table):
        table["level"] = table["level"].astype("int64")
    return table


def to_dict(referentiel: Referentiel) -> dict[str, Any]:
    """The YAML structure of a referentiel (inverse of :func:`from_dict`)."""
    r = referentiel
    blocks = []
    for block in r.blocks.itertuples(index=False):
        b: dict[str, Any] = {"code": block.code, "label": _none(block.label)}
        if _none(block.source_code):
            b["source_code"] = block.source_code
        if _none(block.rncp_code):
            b["rncp_code"] = block.rncp_code
        acts = r.activities[r.activities["block"] == block.code]
        comps = r.competencies[r.competencies["block"] == block.code]
        if not acts.empty:
            b["activities"] = [
                {
                    "code": a.code,
                    "label": _none(a.label),
                    "competencies": _competency_items(comps[comps["activity"] == a.code]),
                }
                for a in acts.itertuples(index=False)
            ]
        loose = comps[comps["activity"].isna()]
        if not loose.empty:
            b["competencies"] = _competency_items(loose)
        b["criteria"] = _criteria_items(r.criteria[r.criteria["block"] == block.code])
        b["modalities"] = _modality_items(r.modalities[r.modalities["block"] == block.code])
        b["knowledge"] = r.knowledge.loc[r.knowledge["block"] == block.code, "text"].tolist()
        blocks.append(b)
    out: dict[str, Any] = {
        "format": FORMAT,
        "title": r.title,
        "rncp": r.rncp,
        "version": r.version,
        "date": r.date,
        "source": r.source,
        "threshold": int(r.threshold),
        "scale_source": r.scale_source,
        "scale": [
            FlowDict(value=int(s.value), label=s.label, from_source=bool(s.from_source))
            for s in r.scale.itertuples(index=False)
        ],
        "blocks": blocks,
        "gaps": [{k: _none(v) for k, v in g.items()} for g in r.gaps.to_dict("records")],
    }
    # written only when known, so that a referentiel without them keeps its id
    if r.rome:
        out["rome"] = FlowList(r.rome)
    if r.nsf:
        out["nsf"] = FlowList(r.nsf)
    if r.level:
        out["level"] = r.level
    if not r.filled.empty:
        out["filled"] = [{k: _none(v) for k, v in g.items()} for g in r.filled.to_dict("records")]
    if not r.statistics.empty:
        out["statistics"] = [
            {k: _none(v) for k, v in row.items()} for row in r.statistics.to_dict("records")
        ]
    return out


def _none(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def _competency_items(table: pd.DataFrame) -> list[dict[str, Any]]:
    items = []
    for c in table.itertuples(index=False):
        item = {"code": c.code, "label": _none(c.label)}
        if _none(c.source_code) and c.source_code != c.code:
            item["source_code"] = c.source_code
        items.append(item)
    return items


def _criteria_items(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Group the per-activity rows back into one item per criterion text."""
    items: dict[str, list[Any]] = {}
    for row in table.itertuples(index=False):
        items.setdefault(row.text, [])
        if _none(row.activity) is not None:
            items[row.text].append(row.activity)
    return [{"text": t, "activities": FlowList(a)} if a else {"text": t} for t, a in items.items()]


def _modality_items(table: pd.DataFrame) -> list[Any]:
    items: list[Any] = []
    for row in table.itertuples(index=False):
        if row.level == 0 or not items:
            items.append(row.text)
        else:
            last = items[-1]
            if isinstance(last, str):
                items[-1] = last = {"text": last, "items": []}
            last["items"].append(row.text)
    return items


def dump(referentiel: Referentiel, path: str | Path, header: str | None = None) -> None:
    """Write a referentiel as YAML, atomically."""
    from ..core.atomic import write_text

    write_text(path, to_yaml(referentiel, header))


def to_yaml(referentiel: Referentiel, header: str | None = None) -> str:
    body = yaml.dump(
        to_dict(referentiel), allow_unicode=True, sort_keys=False, width=100, Dumper=_Dumper
    )
    prefix = "".join(f"# {line}\n".replace("# \n", "#\n") for line in (header or "").splitlines())
    return prefix + body


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


class FlowList(list):
    """A short list written on one line in YAML (``activities: [B2A2, B2A3]``)."""


class FlowDict(dict):
    """A small mapping written on one line in YAML (``{value: 0, label: non acquis}``)."""


_Dumper.add_representer(
    FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)


# ---------------------------------------------------------------------------------------
# Integrity
# ---------------------------------------------------------------------------------------
def check(r: Referentiel) -> list[Problem]:
    """Every integrity problem of a referentiel, in French."""
    problems: list[Problem] = []
    for name, table in (
        ("de bloc", r.blocks),
        ("d'activité", r.activities),
        ("de compétence", r.competencies),
    ):
        dup = table.loc[table["code"].duplicated(), "code"].unique()
        problems += [
            Problem(
                f"code {name} en double",
                value=str(code),
                hint="Chaque code doit être unique : renommez ou supprimez le doublon",
            )
            for code in dup
        ]
    levels = pd.concat(
        [
            t[["code"]].drop_duplicates().assign(level=n)
            for n, t in (("b", r.blocks), ("a", r.activities), ("c", r.competencies))
        ]
    )
    problems += [
        Problem(
            "code utilisé à deux niveaux (bloc, activité, compétence)",
            value=str(code),
            hint="Donnez-lui un code distinct",
        )
        for code in levels.loc[levels["code"].duplicated(), "code"].unique()
    ]
    blocks = set(r.blocks["code"])
    activity_block = dict(zip(r.activities["code"], r.activities["block"], strict=True))
    for c in r.competencies.itertuples(index=False):
        if c.block not in blocks:
            problems.append(
                Problem(
                    f"la compétence {c.code} renvoie au bloc inexistant {c.block}",
                    value=str(c.code),
                    hint="Ajoutez le bloc ou corrigez le code",
                )
            )
        if _none(c.activity) is not None:
            if c.activity not in activity_block:
                problems.append(
                    Problem(
                        f"la compétence {c.code} renvoie à l'activité inexistante {c.activity}",
                        value=str(c.code),
                        hint="Ajoutez l'activité ou corrigez le code",
                    )
                )
            elif _prefix_mismatch(c.code, c.activity):
                problems.append(Problem(
                    f"la compétence {c.code} est rangée sous l'activité {c.activity} : son code "
                    "dit une autre activité", value=str(c.code),
                    hint="Rangez-la sous l'activité que dit son code, ou corrigez le code"))  # fmt: skip
            elif activity_block[c.activity] != c.block:
                problems.append(
                    Problem(
                        f"la compétence {c.code} est rangée dans le bloc {c.block} mais son "
                        f"activité {c.activity} appartient au bloc {activity_block[c.activity]}",
                        value=str(c.code),
                        hint="Rangez-la sous le bon bloc",
                    )
                )
        if not _none(c.label):
            problems.append(
                Problem(
                    f"la compétence {c.code} n'a pas d'intitulé",
                    value=str(c.code),
                    hint="Ajoutez « label: … »",
                )
            )
    scoped = r.criteria["activity"].dropna()
    for activity, count in (
        scoped[~scoped.isin(list(activity_block))].value_counts(sort=False).items()
    ):
        problems.append(Problem(
            f"{count} critère(s) renvoient à l'activité inexistante {activity}",
            value=str(activity), hint="Corrigez la liste « activities » de ces critères"))  # fmt: skip
    if r.competencies.empty:
        problems.append(
            Problem(
                "le référentiel ne contient aucune compétence",
                hint="Ajoutez au moins un bloc avec ses compétences",
            )
        )
    problems += _check_scale(r)
    problems += _check_official_codes(r)
    return problems


def _check_official_codes(r: Referentiel) -> list[Problem]:
    """Block codes of the wrong shape, or of another fiche than ``rncp`` (a fiche number of
    another shape, ``36612``, is left as written: files written so far keep loading)."""
    problems = []
    for block in r.blocks.itertuples(index=False):
        code = _none(getattr(block, "rncp_code", None))
        if code is None:
            continue
        if not RNCP_BLOCK.match(str(code)):
            problems.append(Problem(
                f"le code RNCP du bloc {block.code} est mal écrit", value=str(code),
                hint="Écrivez-le comme sur la fiche : « rncp_code: RNCP36612BC01 »"))  # fmt: skip
        elif r.rncp and RNCP_FICHE.match(r.rncp) and not str(code).startswith(r.rncp + "BC"):
            problems.append(Problem(
                f"le code RNCP du bloc {block.code} n'est pas de la fiche {r.rncp}",
                value=str(code),
                hint=f"Un bloc de cette fiche s'écrit « {r.rncp}BC01 », « {r.rncp}BC02 »… : "
                "corrigez le code du bloc ou le numéro de fiche (« rncp: »)"))  # fmt: skip
    return problems


def _prefix_mismatch(competency: str, activity: str) -> bool:
    """B3A3C1 filed under B3A9: both canonical codes, and the first does not extend the other.
    Codes of other shapes (a fiche's own, ``BC01.C03``) are not compared."""
    return bool(CANONICAL.match(competency) and CANONICAL.match(activity)) and not (
        competency.startswith(activity + "C")
    )


def _check_scale(r: Referentiel) -> list[Problem]:
    values = pd.to_numeric(r.scale["value"], errors="coerce")
    problems = []
    if values.isna().any() or sorted(values.astype(int).tolist()) != list(range(5)):
        problems.append(
            Problem(
                "l'échelle doit couvrir exactement les valeurs entières 0 à 4",
                value=", ".join(str(v) for v in r.scale["value"]),
                hint="Déclarez une ligne « scale » par valeur de 0 (non acquis) à 4 (expert)",
            )
        )
    if r.scale["label"].isna().any() or (r.scale["label"].astype(str).str.strip() == "").any():
        problems.append(Problem("chaque niveau de l'échelle doit avoir un libellé"))
    if (
        not isinstance(r.threshold, int)
        or isinstance(r.threshold, bool)
        or not (0 <= r.threshold <= 4)
    ):
        problems.append(
            Problem(
                "le seuil d'acquisition doit être un entier de l'échelle (0 à 4)",
                value=str(r.threshold),
                hint="Par exemple « threshold: 2 »",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------
def slugify(text: str) -> str:
    """ASCII, lowercase, dash-separated: safe in file names and ids."""
    return fold(text, "-") or "referentiel"


def ordered(codes: Iterable[str]) -> list[str]:
    return sorted(codes, key=sort_key)

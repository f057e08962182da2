"""Importer for referentiel grids in the format of the official "Référentiel activités,
compétences et évaluations" table (our seed): a text extraction with tab-separated columns

    activité | compétences | modalités d'évaluation | critères d'évaluation

and the usual scars of a PDF/HTML extraction: leftover HTML tags, page headers repeated on
every page, rows cut across pages, code spellings that vary (``B1.A1.C1 –``, ``B2A2C2 -``,
``B2A3C1-``, ``B2A3C3 Préconiser``).

What the document does not say is recorded as a gap, never invented: a block without a title,
an activity whose title row is missing, a numbering hole (``B2A2C1`` when ``B2A2C2`` exists), a
text cut by a page break (marked with ``[…]`` at the cut).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InputFileError, Problem, ReferentielError
from ..core.text import decode
from . import model as ref
from .codes import CODE_PATTERN, canonical_code, sort_key, split_code
from .limits import MAX_TEXT_BYTES, read_limited
from .scale import DEFAULT_ACQUISITION_THRESHOLD, DEFAULT_SCALE_LABELS

CUT = ref.CUT

_PAGE_HEADER = re.compile(r"^\s*REFERENTIEL\s+ACTIVIT\w*,?\s+COMP\w*\s+ET\s+[EÉ]VALUATIONS", re.I)
_TITLE = re.compile(r"TITRE\s*«\s*([^»]+?)\s*»", re.I)
_TABLE_HEADER = re.compile(r"REFERENTIEL\s+D.ACTIVIT|MODALIT[EÉ]S\s+D.[EÉ]VALUATION", re.I)
_SEPARATOR = re.compile(r"^[\s\-—|]+$")
_BLOCK = re.compile(r"^\s*Bloc\s+(\d+)\s*(?:[-–—:]\s*(.*))?$", re.I)
_ACTIVITY = re.compile(
    rf"^\s*(?P<code>{CODE_PATTERN.pattern})\s*[-–—:.]?\s*(?P<label>.*)$", re.I | re.S
)
_KNOWLEDGE = re.compile(r"Connaissances\s+associ[ée]es\s*:?", re.I)
_SCALE = re.compile(
    r"(?:Comp[ée]tences\s+)?(?:[ée]valu[ée]es\s+sur\s+grille\s+et\s+)?"
    r"cod[ée]es?\s+de\s+(\d)\s*\(([^)]+)\)\s*[àa]\s*(\d)\s*\(([^)]+)\)",
    re.I,
)
_BLOCK_TAGS = re.compile(r"</?(?:p|ul|ol|li|br|div|tr|td)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_ITEM_SEPARATOR = re.compile(r"^\s*[-–—:.]\s*")


def looks_like_grid(text: str) -> bool:
    """Content sniffing for format detection: competency codes inside a tabular grid."""
    has_codes = sum(1 for m in CODE_PATTERN.finditer(text) if m["c"]) >= 1
    return has_codes and ("\t" in text or bool(_BLOCK.search(text)))


@dataclass
class _Block:
    code: str
    label: str | None = None
    modalities: list[Any] = field(default_factory=list)
    knowledge_text: str = ""
    criteria: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _State:
    blocks: dict[str, _Block] = field(default_factory=dict)
    activity_labels: dict[str, str | None] = field(default_factory=dict)
    competencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    scale: dict[int, str] = field(default_factory=dict)
    scale_source: str | None = None
    title: str | None = None
    current_block: str | None = None
    last_scope: list[str] = field(default_factory=list)
    last_item: tuple[str, str] | None = None  # ("competency", code) or ("knowledge", block)
    cuts: list[tuple[str, str, str]] = field(default_factory=list)

    def block(self, code: str) -> _Block:
        return self.blocks.setdefault(code, _Block(code))


def read_grid(path: str | Path) -> ref.Referentiel:
    """Import a referentiel grid document (see module docstring)."""
    path = Path(path)
    raw = _read_bytes(path)
    data = parse_grid(decode(raw), source_name=path.name, digest=hashlib.sha256(raw).hexdigest())
    return ref.from_dict(data, name=str(path))


def _read_bytes(path: Path) -> bytes:
    return read_limited(path, MAX_TEXT_BYTES, InputFileError, "du tableau référentiel")


def parse_grid(text: str, source_name: str = "<texte>", digest: str | None = None) -> dict:
    """The YAML structure of the referentiel held by a grid document."""
    state = _State()
    for line in text.splitlines():
        _parse_line(state, line)
    if not state.competencies:
        raise ReferentielError(
            Problem(
                "aucune compétence trouvée (codes du type B1A1C1 attendus dans la 2e colonne)",
                file=source_name,
                hint="Vérifiez qu'il s'agit bien d'un tableau référentiel activités/compétences/"
                "évaluations, colonnes séparées par des tabulations",
            )
        )
    return _to_dict(state, source_name, digest)


def _parse_line(state: _State, line: str) -> None:
    if not line.strip() or _SEPARATOR.match(line):
        return
    if _PAGE_HEADER.match(line):
        title = _TITLE.search(line)
        if title and state.title is None:
            state.title = title.group(1)
        return
    cells = [_clean(c) for c in line.split("\t")]
    if _TABLE_HEADER.search(line) and len(cells) > 1:
        return
    block = _BLOCK.match(_TAGS.sub("", cells[0]))
    if block and not any(c.strip() for c in cells[1:]):
        code = f"B{int(block[1])}"
        state.block(code).label = _text(block[2] or "") or None
        state.current_block = code
        return
    if len(cells) < 2:
        return  # prose outside the table (preamble, legal text)
    _parse_row(state, [*cells, "", "", ""][:4])


def _parse_row(state: _State, cells: list[str]) -> None:
    activity_cell, competency_cell, modality_cell, criteria_cell = cells
    scope: list[str] = []
    activity_match = _ACTIVITY.match(_text(activity_cell))
    if activity_match and (code := canonical_code(activity_match["code"])):
        _, activity, competency = split_code(code)
        if activity and not competency:
            label = _text(activity_match["label"]) or None
            if label or activity not in state.activity_labels:
                state.activity_labels[activity] = label
            scope.append(activity)
            state.current_block = split_code(activity)[0]
    scope += _parse_competencies(state, competency_cell, is_new_row=bool(scope))
    scope = sorted(set(scope), key=sort_key)
    if scope:
        state.last_scope = scope
    else:
        scope = state.last_scope
    block_code = split_code(scope[0])[0] if scope else state.current_block
    if block_code is None:
        return
    block = state.block(block_code)
    block.modalities += _parse_modalities(state, modality_cell, block_code)
    for text in _paragraphs(criteria_cell):
        block.criteria.append(
            {"text": _mark_cut(state, text, block_code, "critère"), "activities": list(scope)}
        )


def _parse_competencies(state: _State, cell: str, is_new_row: bool) -> list[str]:
    text = _text(_BLOCK_TAGS.sub(" ", cell))
    knowledge = _KNOWLEDGE.search(text)
    body, knowledge_text = (
        (text[: knowledge.start()], text[knowledge.end() :]) if knowledge else (text, None)
    )
    matches = [m for m in CODE_PATTERN.finditer(body) if m["c"]]
    leading = _text(body[: matches[0].start()] if matches else body)
    if leading:
        _continue_previous(state, leading, is_new_row)
    activities = []
    for i, match in enumerate(matches):
        code = canonical_code(match.group(0))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        label = _text(_ITEM_SEPARATOR.sub("", body[match.end() : end], count=1))
        block, activity, _ = split_code(code)
        state.competencies[code] = {
            "code": code,
            "label": label,
            "source_code": _text(match.group(0)),
        }
        state.activity_labels.setdefault(activity, None)
        state.block(block)
        state.last_item = ("competency", code)
        activities.append(activity)
    if knowledge_text is not None:
        block = split_code(activities[-1])[0] if activities else state.current_block
        if block:
            state.block(block).knowledge_text += " " + knowledge_text
            state.last_item = ("knowledge", block)
    return activities


def _continue_previous(state: _State, text: str, is_new_row: bool) -> None:
    """Text before any code: the end of the item a page break cut, or an orphan fragment."""
    if not is_new_row and state.last_item is not None:
        kind, key = state.last_item
        if kind == "knowledge":
            state.blocks[key].knowledge_text += " " + text
        else:
            state.competencies[key]["label"] += " " + text
        return
    state.cuts.append((state.current_block or "", "compétences", text))


def _parse_modalities(state: _State, cell: str, block: str) -> list[Any]:
    items: list[Any] = []
    for level, text in _bullets(cell):
        scale = _SCALE.search(text)
        if scale:
            state.scale[int(scale[1])] = _text(scale[2])
            state.scale[int(scale[3])] = _text(scale[4])
            state.scale_source = state.scale_source or _text(scale.group(0))
            text = _text(text[: scale.start()] + " " + text[scale.end() :]).strip(" .")
            if not text:
                continue
        text = _mark_cut(state, text, block, "modalité")
        if level == 1 and items:
            last = items[-1]
            if isinstance(last, str):
                items[-1] = last = {"text": last, "items": []}
            last["items"].append(text)
        elif level == 1:
            items.append({"text": CUT, "items": [text]})
        else:
            items.append(text)
    return items


def _bullets(cell: str) -> list[tuple[int, str]]:
    """(level, text) items of a modalities cell: ``•`` opens a modality, ``✓`` a detail."""
    text = _BLOCK_TAGS.sub("\n", cell)
    text = _TAGS.sub("", text)
    out: list[tuple[int, str]] = []
    level, buffer = 0, ""
    for token in re.split(r"([•✓]|\n)", text):
        if token in ("•", "✓", "\n"):
            if _text(buffer):
                out.append((level, _text(buffer)))
            buffer = ""
            level = {"•": 0, "✓": 1}.get(token, 0)
        else:
            buffer += token
    if _text(buffer):
        out.append((level, _text(buffer)))
    return out


def _paragraphs(cell: str) -> list[str]:
    parts = _BLOCK_TAGS.sub("\n", cell).split("\n")
    return [t for t in (_text(_TAGS.sub("", p)) for p in parts) if t]


def _mark_cut(state: _State, text: str, block: str, what: str) -> str:
    """Mark a text that a page break cut, and remember it as a gap."""
    opened, closed = text.count("("), text.count(")")
    cut_start = (
        closed > opened or text[:1].islower() or bool(re.match(r"^\([^)]*\)\s+[a-zà-ÿ]", text))
    )
    cut_end = opened > closed
    if not (cut_start or cut_end):
        return text
    marked = f"{CUT} {text}" if cut_start else text
    marked = f"{marked} {CUT}" if cut_end else marked
    state.cuts.append((block, what, marked))
    return marked


def _clean(cell: str) -> str:
    return html.unescape(cell)


def _text(text: str) -> str:
    """Tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", _TAGS.sub(" ", text)).strip()


def _knowledge_items(text: str) -> list[str]:
    items = [_text(t).rstrip(".").strip() for t in text.split("/")]
    return [t for t in items if t]


def _to_dict(state: _State, source_name: str, digest: str | None) -> dict[str, Any]:
    gaps: list[dict[str, Any]] = []
    blocks_out = []
    activities = sorted(state.activity_labels, key=sort_key)
    competencies = sorted(state.competencies, key=sort_key)
    for code in sorted(state.blocks, key=sort_key):
        block = state.blocks[code]
        if not block.label:
            gaps.append({"code": code, "what": "intitulé du bloc", "note": "absent de la source"})
        block_activities = [a for a in activities if split_code(a)[0] == code]
        gaps += _numbering_gaps(block_activities, "activité")
        acts = []
        for activity in block_activities:
            label = state.activity_labels[activity]
            if not label:
                gaps.append(
                    {
                        "code": activity,
                        "what": "intitulé de l'activité",
                        "note": "absent de la source",
                    }
                )
            comps = [c for c in competencies if split_code(c)[1] == activity]
            gaps += _numbering_gaps(comps, "compétence")
            acts.append(
                {
                    "code": activity,
                    "label": label,
                    "competencies": [state.competencies[c] for c in comps],
                }
            )
        blocks_out.append(
            {
                "code": code,
                "label": block.label,
                "activities": acts,
                "criteria": block.criteria,
                "modalities": block.modalities,
                "knowledge": _knowledge_items(block.knowledge_text),
            }
        )
    gaps += [
        {
            "code": block or None,
            "what": what,
            "note": f"texte coupé par un saut de page : « {text} »",
        }
        for block, what, text in state.cuts
    ]
    scale = [
        {
            "value": v,
            "label": state.scale.get(v, DEFAULT_SCALE_LABELS[v]),
            "from_source": v in state.scale,
        }
        for v in range(5)
    ]
    missing_labels = [v for v in range(5) if v not in state.scale]
    if missing_labels:
        gaps.append(
            {
                "code": None,
                "what": "échelle",
                "note": "libellés des niveaux "
                + ", ".join(map(str, missing_labels))
                + " absents de la source : libellés usuels par défaut",
            }
        )
    return {
        "title": state.title or Path(source_name).stem,
        "rncp": None,
        "version": f"src-{digest[:8]}" if digest else None,
        "date": None,
        "source": f"Référentiel activités, compétences et évaluations (texte : {source_name}"
        + (f", sha256 {digest[:16]}" if digest else "")
        + ")",
        "threshold": DEFAULT_ACQUISITION_THRESHOLD,
        "scale_source": state.scale_source,
        "scale": scale,
        "blocks": blocks_out,
        "gaps": gaps,
    }


def _numbering_gaps(codes: list[str], what: str) -> list[dict[str, Any]]:
    """Codes missing below the highest number present (B2A2C1 when B2A2C2 exists)."""
    if not codes:
        return []
    numbers = sorted(sort_key(c)[-1] for c in codes)
    prefix = codes[0][: codes[0].rfind("A" if what == "activité" else "C") + 1]
    gaps = []
    for n in range(1, numbers[-1]):
        if n not in numbers:
            resumes = f"{prefix}{min(m for m in numbers if m > n)}"
            gaps.append(
                {
                    "code": f"{prefix}{n}",
                    "what": what,
                    "note": f"absente de la source (la numérotation reprend à {resumes})",
                }
            )
    return gaps

"""A dataset folder as schools keep it, read into canonical text-level tables.

Convention (see the README): a folder holding

- ``candidates.csv|xlsx`` (or ``candidats``) — one row per candidate;
- the scores, either long — ``scores.csv|xlsx`` (or ``notes``), one row per candidate,
  competency, evaluator and session — or wide grids — ``jury.csv|xlsx`` and
  ``entreprise.csv|xlsx``, or one workbook ``scores.xlsx`` with sheets ``jury`` and
  ``entreprise`` — one row per candidate and session, one column per competency code;
- optionally ``insertion.csv|xlsx`` (follow-up survey) and ``referentiel.yaml``.

The tables built here are still text: values are normalised where they are recognised
(``apprentissage`` -> ``CA``, ``B1.A1.C1`` -> ``B1A1C1``, ``3,0`` -> ``3``) and left as typed
where they are not, so the validation gate can quote them back. Provenance columns ``_file``,
``_row`` and ``_column`` say where each value came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import referentiel as ref
from .codes import canonical_code
from .errors import DataValidationError, InputFileError, Problem
from .schemas import (
    ACCESS_ROUTE_ALIASES,
    BOOLEAN_ALIASES,
    CANDIDATES,
    EVALUATOR_ALIASES,
    INSERTION,
    INSERTION_STATUSES,
    PERSONAL_COLUMNS,
    SCORES,
    WIDE_STEMS,
    TableSchema,
    normalise_token,
)
from .tabular import FILE, ROW, TABULAR_SUFFIXES, Sheet, read_sheets

COLUMN = "_column"
PROVENANCE = (FILE, ROW, COLUMN)
#: Columns a school may keep beside the data; read and ignored.
IGNORED_COLUMNS = frozenset({"commentaire", "commentaires", "observations", "observation",
                             "remarque", "remarques", "notes_libres"})  # fmt: skip


@dataclass(frozen=True)
class DatasetFiles:
    """The files of a dataset folder, by role."""

    folder: Path
    candidates: Path
    scores: tuple[Path, ...]
    insertion: Path | None
    referentiel: Path | None

    @property
    def name(self) -> str:
        return self.folder.resolve().name

    @property
    def all(self) -> list[Path]:
        paths = [self.candidates, *self.scores, self.insertion, self.referentiel]
        return [p for p in paths if p is not None]

    def hashes(self) -> dict[str, str]:
        """sha256 of every input file, by file name."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.all}


@dataclass(frozen=True)
class RawDataset:
    """Canonical text-level tables with provenance, before the gate."""

    files: DatasetFiles
    referentiel: ref.Referentiel
    candidates: pd.DataFrame
    scores: pd.DataFrame
    insertion: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)  # found while reading


def locate(folder: str | Path) -> DatasetFiles:
    """Find the files of a dataset folder; a clear message when something is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(
            Problem(
                "dossier de données introuvable"
                if not folder.exists()
                else "ce n'est pas un dossier",
                file=str(folder),
                hint="Donnez le dossier qui contient candidates.csv et les notes",
            )
        )
    candidates = _one(folder, CANDIDATES.file_stems, "candidats", required=True)
    long = _one(folder, SCORES.file_stems, "notes", required=False)
    wide = [p for stems in WIDE_STEMS.values() if (p := _one(folder, stems, "notes", False))]
    if long and wide:
        raise InputFileError(
            Problem(
                f"notes en double : {long.name} et {', '.join(p.name for p in wide)}",
                file=str(folder),
                hint="Gardez soit un fichier de notes long, soit les grilles "
                "jury/entreprise, pas les deux",
            )
        )
    scores = (long,) if long else tuple(wide)
    if not scores:
        raise InputFileError(
            Problem(
                "aucun fichier de notes",
                file=str(folder),
                hint="Ajoutez scores.csv (une ligne par note) ou les grilles jury.csv et "
                "entreprise.csv (une colonne par compétence)",
            )
        )
    referentiel = folder / "referentiel.yaml"
    return DatasetFiles(
        folder=folder, candidates=candidates, scores=scores,
        insertion=_one(folder, INSERTION.file_stems, "enquête", required=False),
        referentiel=referentiel if referentiel.exists() else None,
    )  # fmt: skip


def _one(folder: Path, stems: tuple[str, ...], what: str, required: bool) -> Path | None:
    found = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in TABULAR_SUFFIXES and normalise_token(p.stem) in stems
                   and not p.name.startswith((".", "~$")))  # fmt: skip
    if len(found) > 1:
        raise InputFileError(
            Problem(
                f"plusieurs fichiers de {what} : {', '.join(p.name for p in found)}",
                file=str(folder),
                hint="Gardez-en un seul (CSV ou XLSX)",
            )
        )
    if not found and required:
        raise InputFileError(
            Problem(
                f"fichier de {what} absent ({stems[0]}.csv ou {stems[0]}.xlsx attendu)",
                file=str(folder),
                hint="Voir la convention de dossier dans le README",
            )
        )
    return found[0] if found else None


def read_dataset(folder: str | Path, referentiel: ref.Referentiel | None = None) -> RawDataset:
    """Locate and read every file of a dataset folder into canonical text-level tables."""
    files = locate(folder)
    if referentiel is None:
        referentiel = ref.load(files.referentiel)  # None -> the shipped default
    problems: list[Problem] = []
    candidates = _read_table(files.candidates, CANDIDATES, problems)
    score_parts = [_read_scores(p, referentiel, problems) for p in files.scores]
    scores = pd.concat(score_parts, ignore_index=True) if score_parts else _empty(SCORES)
    insertion = (_read_table(files.insertion, INSERTION, problems)
                 if files.insertion else _empty(INSERTION))  # fmt: skip
    return RawDataset(
        files=files, referentiel=referentiel,
        candidates=_normalise_candidates(candidates),
        scores=_normalise_scores(scores, referentiel),
        insertion=_normalise_insertion(insertion), problems=problems,
    )  # fmt: skip


# -- reading --------------------------------------------------------------------------------
def _read_table(path: Path, schema: TableSchema, problems: list[Problem]) -> pd.DataFrame:
    parts = [_rename(sheet, schema, problems) for sheet in read_sheets(path)]
    return pd.concat(parts, ignore_index=True) if parts else _empty(schema)


def _rename(sheet: Sheet, schema: TableSchema, problems: list[Problem]) -> pd.DataFrame:
    """Headers -> canonical names; a missing column or an empty sheet is a problem."""
    mapping = schema.header_map()
    renamed: dict[str, str] = {}
    for header in sheet.headers:
        token = normalise_token(header)
        if token in mapping and mapping[token] not in renamed.values():
            renamed[header] = mapping[token]
        elif token in PERSONAL_COLUMNS or token in IGNORED_COLUMNS:
            continue  # names are never kept (RGPD); comments are not data
        else:
            problems.append(
                Problem(
                    "colonne inconnue",
                    file=sheet.name,
                    row="1",
                    column=header,
                    hint=f"Colonnes attendues : {', '.join(schema.names)} ; renommez-la ou "
                    "supprimez-la",
                )
            )
    missing = [c for c in schema.required if c not in renamed.values()]
    for column in missing:
        problems.append(
            Problem(
                f"colonne obligatoire absente : {column} ({schema.column(column).label_fr})",
                file=sheet.name,
                row="1",
                hint=f"Ajoutez une colonne « {column} » dans la ligne d'en-tête",
            )
        )
    if sheet.frame.empty:
        problems.append(
            Problem(
                "aucune ligne de données sous l'en-tête",
                file=sheet.name,
                hint="Le fichier ne contient que la ligne d'en-tête : exportez "
                "de nouveau le tableau complet",
            )
        )
    frame = sheet.frame.rename(columns=renamed)
    frame[COLUMN] = ""
    for column in schema.names:
        if column not in frame:
            frame[column] = pd.NA
    return frame[[*schema.names, *PROVENANCE]]


def _read_scores(path: Path, referentiel: ref.Referentiel,
                 problems: list[Problem]) -> pd.DataFrame:  # fmt: skip
    parts = []
    for sheet in read_sheets(path):
        tokens = {normalise_token(h) for h in sheet.headers}
        mapping = SCORES.header_map()
        is_long = {"competency", "score"} <= {mapping.get(t) for t in tokens}
        if is_long:
            part = _rename(sheet, SCORES, problems)
            part[COLUMN] = _original_header(sheet, "score")
            parts.append(part)
        else:
            parts.append(_melt_wide(sheet, _wide_evaluator(path, sheet), referentiel, problems))
    return pd.concat(parts, ignore_index=True) if parts else _empty(SCORES)


def _original_header(sheet: Sheet, column: str) -> str:
    mapping = SCORES.header_map()
    return next((h for h in sheet.headers if mapping.get(normalise_token(h)) == column), column)


def _wide_evaluator(path: Path, sheet: Sheet) -> str | None:
    """``jury`` or ``entreprise`` from the file name, or the sheet name of a workbook."""
    candidates = [normalise_token(path.stem)]
    if "[" in sheet.name:
        candidates.insert(0, normalise_token(sheet.name.rsplit("[", 1)[1].rstrip("]")))
    for token in candidates:
        for evaluator, stems in WIDE_STEMS.items():
            if token in stems or token == evaluator:
                return evaluator
    return None


def _melt_wide(sheet: Sheet, evaluator: str | None, referentiel: ref.Referentiel,
               problems: list[Problem]) -> pd.DataFrame:  # fmt: skip
    """One row per non-empty score cell of a wide grid."""
    mapping = SCORES.header_map()
    if evaluator is None:
        problems.append(
            Problem(
                "grille de notes sans évaluateur connu",
                file=sheet.name,
                hint="Nommez la feuille ou le fichier « jury » ou « entreprise »",
            )
        )
        evaluator = ""
    id_header = session_header = None
    score_headers = []
    known = _code_lookup(referentiel)
    for header in sheet.headers:
        token = normalise_token(header)
        role = mapping.get(token)
        if role == "candidate_id" and id_header is None:
            id_header = header
        elif role == "session_date" and session_header is None:
            session_header = header
        elif token in PERSONAL_COLUMNS or token in IGNORED_COLUMNS:
            continue
        elif canonical_code(header) or _lookup_code(header, known) or _looks_like_code(header):
            score_headers.append(header)
        else:
            problems.append(
                Problem(
                    "colonne inconnue : ni un code de compétence, ni une colonne attendue",
                    file=sheet.name,
                    row="1",
                    column=header,
                    hint="Les colonnes d'une grille sont candidate_id, session_date (facultative) "
                    "puis un code de compétence par colonne (B1A1C1…)",
                )
            )
    if id_header is None:
        problems.append(
            Problem(
                "colonne obligatoire absente : candidate_id",
                file=sheet.name,
                row="1",
                hint="Ajoutez la colonne de l'identifiant du candidat",
            )
        )
        return _empty(SCORES)
    if sheet.frame.empty:
        problems.append(
            Problem(
                "aucune ligne de données sous l'en-tête",
                file=sheet.name,
                hint="Exportez de nouveau la grille complète",
            )
        )
    frame = sheet.frame
    long = frame.melt(
        id_vars=[id_header, *([session_header] if session_header else []), ROW, FILE],
        value_vars=score_headers,
        var_name=COLUMN,
        value_name="score",
    )
    long = long[long["score"].fillna("") != ""]
    long = long.rename(columns={id_header: "candidate_id", session_header or "": "session_date"})
    long["competency"] = long[COLUMN]
    long["evaluator"] = evaluator
    if "session_date" not in long:
        long["session_date"] = pd.NA
    return long[[*SCORES.names, *PROVENANCE]]


def _looks_like_code(header: str) -> bool:
    return bool(re.fullmatch(r"\s*[A-Za-z]{1,3}\s*[\d.]+.*", header)) and " " not in header.strip()


def _empty(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in (*schema.names, *PROVENANCE)})


# -- normalising values -------------------------------------------------------------------
def _code_lookup(referentiel: ref.Referentiel) -> dict[str, str]:
    codes = referentiel.competencies["code"]
    return {re.sub(r"[\s.\-_]", "", c).upper(): c for c in codes}


def _lookup_code(text: str, known: dict[str, str]) -> str | None:
    return known.get(re.sub(r"[\s.\-_]", "", str(text)).upper())


def _translate(values: pd.Series, translate: Callable[[str], str | None]) -> pd.Series:
    """Apply ``translate`` once per distinct value (not per row); unknown values kept as typed,
    empty cells missing."""
    text = values.astype("string").str.strip()
    lookup = {v: translate(v) or v for v in text.dropna().unique()}
    return text.map(lookup).astype(str).where(text.fillna("") != "", None)


def _map_values(values: pd.Series, aliases: dict[str, str]) -> pd.Series:
    return _translate(values, lambda v: aliases.get(normalise_token(v)))


def _normalise_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("cohort", "candidate_id", "site"):
        out[column] = _blank_to_none(out[column])
    out["access_route"] = _map_values(out["access_route"], ACCESS_ROUTE_ALIASES)
    out["immersion"] = _map_values(out["immersion"], BOOLEAN_ALIASES)
    return out


def _normalise_scores(frame: pd.DataFrame, referentiel: ref.Referentiel) -> pd.DataFrame:
    out = frame.copy()
    out["candidate_id"] = _blank_to_none(out["candidate_id"])
    known = _code_lookup(referentiel)
    out["competency"] = _translate(out["competency"], lambda v: _lookup_code(v, known))
    out["evaluator"] = _map_values(out["evaluator"], EVALUATOR_ALIASES)
    score = out["score"].astype("string").str.strip()
    whole = score.str.fullmatch(r"[+-]?\d+(?:[.,]0*)?").fillna(False)
    as_int = score.where(~whole).fillna(
        score.str.replace(r"[.,]0*$", "", regex=True).str.lstrip("+").str.lstrip("0")
        .replace("", "0"))  # fmt: skip
    out["score"] = _blank_to_none(as_int.where(whole, score))
    out["session_date"] = _dates(out["session_date"])
    return out


def _normalise_insertion(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["candidate_id"] = _blank_to_none(out["candidate_id"])
    horizon = out["horizon_months"].astype("string").str.strip()
    number = horizon.str.extract(r"^(\d+)\s*(?:mois|m|months)?$", expand=False)
    out["horizon_months"] = _blank_to_none(number.fillna(horizon))
    statuses = {normalise_token(k): k for k in INSERTION_STATUSES} | {
        normalise_token(v): k for k, v in INSERTION_STATUSES.items()}  # fmt: skip
    out["status"] = _map_values(out["status"], statuses)
    return out


def _blank_to_none(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.astype(str).where(text.fillna("") != "", None)


def _dates(values: pd.Series) -> pd.Series:
    """ISO text for recognised dates (``2024-06-14``, ``14/06/2024``), the raw text otherwise."""
    text = values.astype("string").str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    french = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    parsed = iso.fillna(french)
    out = parsed.dt.strftime("%Y-%m-%d").astype("string").fillna(text)
    return _blank_to_none(out)


def check_raw(raw: RawDataset) -> None:
    """Raise when reading already found problems (missing columns, unknown layout)."""
    if raw.problems:
        raise DataValidationError(raw.problems)

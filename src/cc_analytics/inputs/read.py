"""A dataset folder read into canonical text-level tables, with every problem found on the way.

The tables built here are still text: values are normalised where they are recognised (see
:mod:`cc_analytics.inputs.values`) and left as typed where they are not, so the validation gate
can quote them back. Provenance columns ``_file``, ``_row`` and ``_column`` say where each value
came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import referentiel as ref
from ..contract import CANDIDATES, INSERTION, SCORES, WIDE_STEMS, TableSchema
from ..contract.vocabulary import IGNORED_COLUMNS, PERSONAL_COLUMNS
from ..core.errors import InputFileError, Problem
from ..core.text import fold
from ..referentiel.codes import canonical_code
from .folder import DatasetFiles, locate
from .messages import quoted, rows_text, values_text
from .sheets import FILE, ROW, Sheet, column_letter, column_number, read_sheets
from .values import (
    code_lookup,
    lookup_code,
    normalise_candidates,
    normalise_insertion,
    normalise_scores,
)
from .workbook import BOOLEAN, DATE, ERROR, FORMULA, MERGED, OddCell

COLUMN = "_column"
PROVENANCE = (FILE, ROW, COLUMN)


@dataclass(frozen=True)
class SheetLayout:
    """How one file (or workbook sheet) was laid out, to point back at it in messages."""

    header_row: int  # the spreadsheet row of the headers
    columns: dict[str, str]  # canonical column -> header as the user typed it
    wide: bool = False  # a grid: one column per competency, holding the scores


@dataclass(frozen=True)
class RawDataset:
    """Canonical text-level tables with provenance, before the gate.

    ``problems`` were found while reading (unreadable file, missing or unknown column …); rows
    of a file or sheet that lacks a required column are left out, and a table listed in
    ``unusable`` could not be read in full, so its values and the checks that rely on it
    (the candidates are the reference for scores and survey answers) cannot be trusted.
    """

    files: DatasetFiles
    referentiel: ref.Referentiel
    candidates: pd.DataFrame
    scores: pd.DataFrame
    insertion: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)  # found while reading
    layouts: dict[str, SheetLayout] = field(default_factory=dict)  # by file (and sheet) name
    unusable: frozenset[str] = frozenset()  # tables that could not be read in full


def read_dataset(folder: str | Path, referentiel: ref.Referentiel | None = None) -> RawDataset:
    """Locate and read every file of a dataset folder into canonical text-level tables.

    Problems in the files (unreadable, missing column …) are collected in
    :attr:`RawDataset.problems`, never raised, so that every one is reported at once.
    """
    files = locate(folder)
    if referentiel is None:
        referentiel = ref.load(files.referentiel)  # None -> the shipped default
    found = _Found()
    candidates = _read_table(files.candidates, CANDIDATES, found)
    score_parts = [_read_scores(p, referentiel, found) for p in files.scores]
    scores = pd.concat(score_parts, ignore_index=True) if score_parts else _empty(SCORES)
    insertion = (_read_table(files.insertion, INSERTION, found)
                 if files.insertion else _empty(INSERTION))  # fmt: skip
    return RawDataset(
        files=files, referentiel=referentiel,
        candidates=normalise_candidates(candidates),
        scores=normalise_scores(scores, referentiel),
        insertion=normalise_insertion(insertion), problems=found.problems,
        layouts=found.layouts, unusable=frozenset(found.unusable),
    )  # fmt: skip


@dataclass
class _Found:
    """What reading found besides the tables."""

    problems: list[Problem] = field(default_factory=list)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    unusable: set[str] = field(default_factory=set)


# -- reading --------------------------------------------------------------------------------
def _sheets(path: Path, table: str, found: _Found) -> list[Sheet]:
    """The sheets of a file; an unreadable file is a problem, and its table is incomplete."""
    try:
        return read_sheets(path)
    except InputFileError as exc:
        found.problems += exc.problems
        found.unusable.add(table)
        return []


def _read_table(path: Path, schema: TableSchema, found: _Found) -> pd.DataFrame:
    parts = []
    for sheet in _sheets(path, schema.name, found):
        part = _rename(sheet, schema, found)
        if part is None or part.empty:
            found.unusable.add(schema.name)
        if part is not None:
            parts.append(part)
    if not parts:
        found.unusable.add(schema.name)
    return pd.concat(parts, ignore_index=True) if parts else _empty(schema)


def _rename(sheet: Sheet, schema: TableSchema, found: _Found) -> pd.DataFrame | None:
    """Headers -> canonical names; ``None`` (no rows kept) when a required column is missing.

    A missing, unknown, untitled or repeated column is a problem; an empty sheet too.
    """
    mapping = schema.header_map()
    renamed: dict[str, str] = {}  # frame label -> canonical name
    columns: dict[str, str] = {}  # canonical name -> header as typed
    letters: dict[str, str] = {}
    _untitled(sheet, found)
    for header, label, letter in sheet.columns:
        token = fold(header)
        canonical = mapping.get(token)
        if not header:
            continue
        elif canonical in columns:
            found.problems.append(_repeated(sheet, header, columns[canonical], canonical,
                                            (letters[canonical], letter), schema))  # fmt: skip
        elif canonical:
            renamed[label], columns[canonical], letters[canonical] = canonical, header, letter
        elif token not in PERSONAL_COLUMNS and token not in IGNORED_COLUMNS:
            # names are never kept (RGPD); comments are not data: both are left out silently
            found.problems.append(
                Problem(
                    "colonne inconnue",
                    file=sheet.name,
                    row=str(sheet.header_row),
                    column=quoted(header),
                    hint=f"Colonnes attendues : {', '.join(schema.names)} ; renommez-la ou "
                    "supprimez-la",
                )
            )
    found.layouts[sheet.name] = SheetLayout(sheet.header_row, columns)
    missing = [c for c in schema.required if c not in columns]
    for column in missing:
        found.problems.append(
            Problem(
                f"colonne obligatoire absente : {column} ({schema.column(column).label_fr})",
                file=sheet.name,
                row=str(sheet.header_row),
                hint=f"Ajoutez une colonne « {column} » dans la ligne d'en-tête",
            )
        )
    if sheet.frame.empty:
        found.problems.append(_no_rows(sheet))
    titles = {label: columns[canonical] for label, canonical in renamed.items()}
    sheet = _odd_cells(sheet, titles, {k for k, v in renamed.items() if v == "score"}, found)
    if missing:
        return None
    frame = sheet.frame.rename(columns=renamed)
    frame[COLUMN] = ""
    for column in schema.names:
        if column not in frame:
            frame[column] = pd.NA
    return frame[[*schema.names, *PROVENANCE]]


def _no_rows(sheet: Sheet) -> Problem:
    return Problem(
        "aucune ligne de données sous l'en-tête",
        file=sheet.name,
        row=str(sheet.header_row),
        hint="Le fichier ne contient que la ligne d'en-tête : exportez de nouveau le tableau "
        "complet",
    )


def _untitled(sheet: Sheet, found: _Found) -> None:
    """Values in columns without a title (often a separator inside a value of a CSV)."""
    untitled = [(label, letter) for header, label, letter in sheet.columns if not header]
    if not untitled:
        return
    cells = sheet.frame[[label for label, _ in untitled]]
    filled = cells != ""
    # the values are not quoted: an untitled column may hold anything, names included
    found.problems.append(
        Problem(
            "des valeurs se trouvent dans une colonne sans titre",
            file=sheet.name,
            row=rows_text(list(sheet.frame.loc[filled.any(axis=1), ROW])),
            column=", ".join(letter for _, letter in untitled),
            hint="Si une valeur contient le séparateur de colonnes (point-virgule ou virgule), "
            "entourez-la de guillemets ; sinon donnez un titre à la colonne "
            f"(ligne {sheet.header_row}) ou supprimez-la",
        )
    )


def _repeated(sheet: Sheet, header: str, first: str, canonical: str, letters: tuple[str, str],
              schema: TableSchema) -> Problem:  # fmt: skip
    label = schema.column(canonical).label_fr if canonical in schema.names else canonical
    return Problem(
        f"colonne en double : « {quoted(first)} » (colonne {letters[0]}) et « {quoted(header)} » "
        f"(colonne {letters[1]}) désignent toutes deux : {label}",
        file=sheet.name,
        row=str(sheet.header_row),
        column=quoted(header),
        hint="Gardez une seule de ces colonnes",
    )


def _read_scores(path: Path, referentiel: ref.Referentiel, found: _Found) -> pd.DataFrame:
    parts = []
    mapping = SCORES.header_map()
    for sheet in _sheets(path, SCORES.name, found):
        tokens = {fold(h) for h in sheet.headers}
        is_long = {"competency", "score"} <= {mapping.get(t) for t in tokens}
        if is_long:
            part = _rename(sheet, SCORES, found)
            if part is not None:
                part[COLUMN] = found.layouts[sheet.name].columns["score"]
                parts.append(part)
        else:
            parts.append(_melt_wide(sheet, _wide_evaluator(path, sheet), referentiel, found))
    return pd.concat(parts, ignore_index=True) if parts else _empty(SCORES)


def _wide_evaluator(path: Path, sheet: Sheet) -> str | None:
    """``jury`` or ``entreprise`` from the file name, or the sheet name of a workbook."""
    candidates = [fold(path.stem)]
    if "[" in sheet.name:
        candidates.insert(0, fold(sheet.name.rsplit("[", 1)[1].rstrip("]")))
    for token in candidates:
        for evaluator, stems in WIDE_STEMS.items():
            if token in stems or token == evaluator:
                return evaluator
    return None


def _melt_wide(sheet: Sheet, evaluator: str | None, referentiel: ref.Referentiel,
               found: _Found) -> pd.DataFrame:  # fmt: skip
    """One row per non-empty score cell of a wide grid; no row when the grid cannot be read."""
    mapping = SCORES.header_map()
    row = str(sheet.header_row)
    if evaluator is None:
        found.problems.append(
            Problem(
                "grille de notes sans évaluateur connu",
                file=sheet.name,
                hint="Nommez la feuille ou le fichier « jury » ou « entreprise »",
            )
        )
    id_label = session_label = None
    columns: dict[str, str] = {}
    score_labels: dict[str, str] = {}  # frame label -> header as typed
    competencies: dict[str, str] = {}  # competency -> header as typed
    known = code_lookup(referentiel)
    _untitled(sheet, found)
    for header, label, letter in sheet.columns:
        token = fold(header)
        role = mapping.get(token)
        code = lookup_code(header, known) or canonical_code(header)
        if not header:
            continue
        elif role in ("candidate_id", "session_date") and role in columns:
            found.problems.append(_repeated(sheet, header, columns[role], role,
                                            (_letter_of(sheet, columns[role]), letter),
                                            SCORES))  # fmt: skip
        elif role == "candidate_id":
            id_label, columns[role] = label, header
        elif role == "session_date":
            session_label, columns[role] = label, header
        elif token in PERSONAL_COLUMNS or token in IGNORED_COLUMNS:
            continue
        elif code in competencies:
            found.problems.append(
                Problem(
                    f"deux colonnes pour la même compétence {code} : "
                    f"« {quoted(competencies[code])} » et « {quoted(header)} »",
                    file=sheet.name,
                    row=row,
                    column=quoted(header),
                    hint="Gardez une seule colonne par compétence ; un rattrapage se saisit sur "
                    "une autre ligne, avec sa date de session",
                )
            )
        elif code or _looks_like_code(header):
            score_labels[label] = header
            if code:
                competencies[code] = header
        else:
            found.problems.append(
                Problem(
                    "colonne inconnue : ni un code de compétence, ni une colonne attendue",
                    file=sheet.name,
                    row=row,
                    column=quoted(header),
                    hint="Les colonnes d'une grille sont candidate_id, session_date (facultative) "
                    "puis un code de compétence par colonne (B1A1C1…)",
                )
            )
    found.layouts[sheet.name] = SheetLayout(sheet.header_row, columns, wide=True)
    if id_label is None:
        found.problems.append(
            Problem(
                "colonne obligatoire absente : candidate_id (identifiant du candidat)",
                file=sheet.name,
                row=row,
                hint="Ajoutez la colonne de l'identifiant du candidat",
            )
        )
    if sheet.frame.empty:
        found.problems.append(_no_rows(sheet))
    titles = {label: header for header, label, _ in sheet.columns
              if label in (id_label, session_label) or label in score_labels}  # fmt: skip
    sheet = _odd_cells(sheet, titles, set(score_labels), found)
    if id_label is None or evaluator is None:
        return _empty(SCORES)
    long = sheet.frame.melt(
        id_vars=[id_label, *([session_label] if session_label else []), ROW, FILE],
        value_vars=list(score_labels),
        var_name=COLUMN,
        value_name="score",
    )
    long = long[long["score"].fillna("") != ""]
    long[COLUMN] = long[COLUMN].map(score_labels)
    long = long.rename(columns={id_label: "candidate_id", session_label or "": "session_date"})
    long["competency"] = long[COLUMN]
    long["evaluator"] = evaluator
    if "session_date" not in long:
        long["session_date"] = pd.NA
    return long[[*SCORES.names, *PROVENANCE]]


# -- workbook cells whose text is not what they hold ----------------------------------------
_RESAVE = (
    "Ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le : le résultat des formules "
    "est alors enregistré avec elles ; ou remplacez les formules par leurs valeurs (Copier, "
    "puis Collage spécial → Valeurs)"
)
_SCORE_ENTRY = (
    "Saisissez la note, un entier de 0 (non acquis) à 4 (expert), dans une cellule au format "
    "« Standard », ou laissez la case vide si la compétence n'a pas été évaluée"
)


def _odd_cells(sheet: Sheet, titles: dict[str, str], scores: set[str], found: _Found) -> Sheet:
    """Problems for the cells of the columns read (frame label -> title as typed) whose text
    is not what the workbook holds: a formula saved without its result, an error value, a
    merged range, and in score columns (``scores``) a date or TRUE/FALSE. Each is reported with
    its cells (``C7``), never read as « not evaluated »; the score cells among them are emptied
    so that the gate does not report them a second time as invalid scores."""
    if not sheet.odd_cells:
        return sheet
    by_number = {column_number(letter): label for _, label, letter in sheet.columns
                 if label in titles}  # fmt: skip
    groups: dict[tuple[str, str], list[OddCell]] = {}
    merged: list[OddCell] = []
    for cell in sheet.odd_cells:
        if cell.kind == MERGED:
            if any(cell.column <= n <= cell.last_column for n in by_number):
                merged.append(cell)
            continue
        label = by_number.get(cell.column)
        if label is None or (cell.kind in (DATE, BOOLEAN) and label not in scores):
            continue  # a date in a date column, TRUE in the immersion column: as typed
        groups.setdefault((cell.kind, label), []).append(cell)
    emptied: dict[str, list[str]] = {}
    for (kind, label), cells in groups.items():
        found.problems.append(_odd_problem(sheet, kind, titles[label], cells, label in scores))
        if label in scores:
            emptied.setdefault(label, []).extend(str(c.row) for c in cells)
    if merged:
        found.problems.append(_merged_problem(sheet, merged, by_number, titles))
    if not emptied:
        return sheet
    frame = sheet.frame.copy()
    for label, rows in emptied.items():
        frame.loc[frame[ROW].isin(rows), label] = ""
    return replace(sheet, frame=frame)


def _cells_text(cells: list[OddCell], limit: int = 8) -> str:
    """``cellule C7`` or ``cellules C2, C3 … et 151 autres``."""
    names = [f"{column_letter(c.column)}{c.row}" for c in cells]
    shown = ", ".join(names[:limit]) + (f" … et {len(names) - limit} autres"
                                        if len(names) > limit else "")  # fmt: skip
    return f"cellule{'s' if len(names) > 1 else ''} {shown}"


def _odd_problem(sheet: Sheet, kind: str, title: str, cells: list[OddCell],
                 score: bool) -> Problem:  # fmt: skip
    where = _cells_text(cells)
    what = "la note" if score else "la valeur"
    messages = {
        FORMULA: (f"formule enregistrée sans son résultat ({where}) : {what} se lirait comme "
                  "une case vide", _RESAVE),
        ERROR: (f"valeur d'erreur d'Excel au lieu de {what} ({where})",
                "Corrigez la formule de la cellule, ou saisissez la valeur elle-même"
                + (" : un entier de 0 (non acquis) à 4 (expert)" if score else "")),
        DATE: (f"date dans une case de note ({where})",
               f"Excel a pu transformer la saisie en date. {_SCORE_ENTRY}"),
        BOOLEAN: (f"VRAI ou FAUX dans une case de note ({where})", _SCORE_ENTRY),
    }  # fmt: skip
    message, hint = messages[kind]
    return Problem(
        message,
        file=sheet.name,
        row=rows_text([str(c.row) for c in cells]),
        column=quoted(title),
        value=values_text([c.text for c in cells]) if kind != FORMULA else None,
        hint=hint,
    )


def _merged_problem(sheet: Sheet, cells: list[OddCell], by_number: dict[int, str],
                    titles: dict[str, str]) -> Problem:  # fmt: skip
    ranges = [c.text for c in cells]
    shown = ", ".join(ranges[:8]) + (f" … et {len(ranges) - 8} autres" if len(ranges) > 8 else "")
    columns = [quoted(titles[label]) for number, label in sorted(by_number.items())
               if any(c.column <= number <= c.last_column for c in cells)]  # fmt: skip
    rows = [str(max(c.row, sheet.header_row + 1)) for c in cells]
    return Problem(
        f"cellules fusionnées ({shown}) : seule la première case d'une plage porte la valeur, "
        "les autres se liraient vides",
        file=sheet.name,
        row=rows_text(rows),
        column=", ".join(columns),
        hint="Défusionnez ces cellules (Accueil → Fusionner et centrer) et saisissez la valeur "
        "dans chaque case",
    )


def _letter_of(sheet: Sheet, header: str) -> str:
    return next(letter for h, _, letter in sheet.columns if h == header)


def _looks_like_code(header: str) -> bool:
    return bool(re.fullmatch(r"\s*[A-Za-z]{1,3}\s*[\d.]+.*", header)) and " " not in header.strip()


def _empty(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in (*schema.names, *PROVENANCE)})

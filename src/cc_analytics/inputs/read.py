"""A dataset folder read into canonical text-level tables, with every problem found on the way.

The tables built here are still text: values are normalised where they are recognised (see
:mod:`cc_analytics.inputs.values`) and left as typed where they are not, so the validation gate
can quote them back. Provenance columns ``_file``, ``_row`` and ``_column`` say where each value
came from.

Every file is read once. A CSV file of more than :data:`FAST_CSV_BYTES` is first read by
Arrow's CSV parser (:func:`fast_csv_sheet`, every column dictionary-encoded): one pass in C over
the bytes, each distinct text held once and one integer code per cell. It takes only the
plain files that parser reads exactly as the tolerant reader of
:mod:`cc_analytics.inputs.sheets` would (UTF-8, headers on the first line, every line as wide as
the headers or blank); any other file, and every small one, is read by the tolerant
reader, which tells what is wrong in French. Either way the tables come out the same: text
columns as categoricals, ``_row`` the spreadsheet row number (integers), so that nothing
downstream turns millions of cells into Python objects.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from .. import referentiel as ref
from ..contract import CANDIDATES, INSERTION, SCORES, WIDE_STEMS, TableSchema
from ..contract.vocabulary import IGNORED_COLUMNS, PERSONAL_COLUMNS
from ..core.errors import InputFileError, Problem
from ..core.terminal import Progress
from ..core.text import fold, visible
from ..referentiel.codes import canonical_code
from .folder import DatasetFiles, file_problem, locate
from .messages import quoted, rows_text, values_text
from .sheets import (
    FILE,
    ROW,
    SAMPLE_LINES,
    Sheet,
    column_letter,
    column_number,
    detect_separator,
    read_sheets,
)
from .values import (
    categorical,
    code_lookup,
    lookup_code,
    normalise_candidates,
    normalise_insertion,
    normalise_scores,
    recode,
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
    #: canonical columns whose header is in at least one file (or sheet) of each table: an
    #: optional column (``decision_date``, ``survey_date``) is added empty where it is absent,
    #: and only this tells « no such column » from « a column left blank »
    headers: dict[str, frozenset[str]] = field(default_factory=dict)

    def has_column(self, table: str, column: str) -> bool:
        """Whether some file of ``table`` has a header for ``column``."""
        return column in self.headers.get(table, frozenset())

    def without_rows(self) -> RawDataset:
        """The same, its tables emptied (their columns kept): what the gate saw of the files
        once their rows are no longer needed (the typed tables are made), without holding
        millions of rows in memory."""
        return replace(self, candidates=_empty(CANDIDATES), scores=_empty(SCORES),
                       insertion=_empty(INSERTION))  # fmt: skip


def read_dataset(folder: str | Path, referentiel: ref.Referentiel | None = None,
                 progress: Progress | None = None) -> RawDataset:  # fmt: skip
    """Locate and read every file of a dataset folder into canonical text-level tables.

    Problems in the files (unreadable, missing column …) are collected in
    :attr:`RawDataset.problems`, never raised, so that every one is reported at once.
    ``progress`` shows the reading of each file (a long one at least) as it goes.
    """
    files = locate(folder)
    if referentiel is None:
        referentiel = ref.load(files.referentiel)  # None -> the shipped default
    found = _Found(progress=progress or Progress(enabled=False))
    candidates = _read_table(files.candidates, CANDIDATES, found)
    score_parts = [_read_scores(p, referentiel, found) for p in files.scores]
    scores = _concat(score_parts, SCORES) if score_parts else _empty(SCORES)
    insertion = (_read_table(files.insertion, INSERTION, found)
                 if files.insertion else _empty(INSERTION))  # fmt: skip
    return RawDataset(
        files=files, referentiel=referentiel,
        candidates=normalise_candidates(candidates),
        scores=normalise_scores(scores, referentiel),
        insertion=normalise_insertion(insertion), problems=found.problems,
        layouts=found.layouts, unusable=frozenset(found.unusable),
        headers={table: frozenset(columns) for table, columns in found.headers.items()},
    )  # fmt: skip


@dataclass
class _Found:
    """What reading found besides the tables."""

    problems: list[Problem] = field(default_factory=list)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    unusable: set[str] = field(default_factory=set)
    headers: dict[str, set[str]] = field(default_factory=dict)  # table -> columns with a header
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))


# -- reading --------------------------------------------------------------------------------
#: CSV files larger than this are first offered to Arrow's parser; smaller ones are read at
#: once by the tolerant reader, whose speed does not matter there.
FAST_CSV_BYTES = 2**20


def _sheets(path: Path, table: str, found: _Found) -> list[Sheet]:
    """The sheets of a file; an unreadable file is a problem, and its table is incomplete."""
    with found.progress.step(f"Lecture de {path.name}", _size(path)):
        try:
            fast = fast_csv_sheet(path) if _size(path) > FAST_CSV_BYTES else None
            return [fast] if fast is not None else [_coded(s) for s in read_sheets(path)]
        except InputFileError as exc:
            found.problems += exc.problems
            found.unusable.add(table)
            return []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _coded(sheet: Sheet) -> Sheet:
    """A sheet of the tolerant reader as the fast one gives it: text columns as categoricals,
    ``_row`` as integers."""
    frame = sheet.frame
    columns = {c: categorical(frame[c]) for c in frame.columns if c != ROW}
    columns[ROW] = frame[ROW].astype(np.int32)
    return replace(sheet, frame=pd.DataFrame(columns, index=frame.index)[list(frame.columns)])


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
    return _concat(parts, schema) if parts else _empty(schema)


def _concat(parts: list[pd.DataFrame], schema: TableSchema) -> pd.DataFrame:
    """Tables of several files or sheets as one; categoricals stay categoricals (their
    categories united), never text cell by cell."""
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    columns: dict[str, object] = {}
    for column in (*schema.names, *PROVENANCE):
        values = [part[column] for part in parts]
        if column == ROW:
            columns[column] = np.concatenate([v.to_numpy(dtype=np.int32) for v in values])
        else:
            columns[column] = union_categoricals([categorical(v).array for v in values])
    return pd.DataFrame(columns)


# -- the fast path: Arrow's CSV parser --------------------------------------------------------
#: Bytes of a file's start looked at before handing it to Arrow's parser.
_HEAD_BYTES = 65_536
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")


def fast_csv_sheet(path: Path) -> Sheet | None:
    """The sheet of a plain CSV file, read by Arrow's multi-threaded parser with every column
    dictionary-encoded; ``None`` when the file is not one the parser reads exactly as the
    tolerant reader (:func:`cc_analytics.inputs.sheets.read_sheets`) would, or cannot be read
    by it: that reader then reads it, and says what is wrong in French.

    Taken: UTF-8 (with or without BOM), the headers on the first line (two titles at least,
    none quoted), every line as wide as the headers (or blank). Cells are stripped of
    surrounding spaces, blank lines and lines whose cells are all empty are left out (their
    numbers are kept: Arrow's parser gives them as rows), untitled columns without any value
    are dropped, as the tolerant reader does.
    """
    if file_problem(path) is not None:
        return None  # the tolerant reader refuses it, in French
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_BYTES)
    header = _plain_header(head)
    if header is None:
        return None
    separator, titles = header
    table = _arrow_table(path, separator, len(titles))
    if table is None:
        return None
    columns = []
    while table.num_columns:  # each column's Arrow buffers let go once it is converted
        columns.append(_stripped_codes(table.column(0)))
        table = table.remove_column(0)
        _release_arrow_memory()
    del table
    rows = np.arange(2, len(columns[0]) + 2, dtype=np.int32)  # the headers are row 1
    blank = np.ones(len(rows), dtype=bool)
    for column in columns:
        blank &= _is_empty(column)
    if blank.any():  # lines of separators only are not data
        keep = ~blank
        columns = [column[keep] for column in columns]
        rows = rows[keep]
    return _fast_sheet(path.name, titles, columns, rows)


def _plain_header(head: bytes) -> tuple[str, list[str]] | None:
    """The separator and the titles of a file whose start is plain UTF-8 text with the
    headers on its first line; ``None`` otherwise."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return None  # UTF-16, or binary: the tolerant reader
    cut = head.rfind(b"\n") + 1 if len(head) == _HEAD_BYTES else len(head)
    try:
        text = head[:cut].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # cp1252, or lines of both: decoded line by line by the tolerant reader
    if _CONTROL.search(text) or not text.strip():
        return None
    lines = [line for line in io.StringIO(text, newline=None)][: SAMPLE_LINES + 1]
    if not lines or not lines[0].strip(" ;,\t\r\n"):
        return None  # a blank line above the headers
    separator = detect_separator([line.rstrip("\r\n") for line in lines if line.strip()])
    try:
        titles = next(csv.reader([lines[0].rstrip("\r\n")], delimiter=separator))
    except (csv.Error, StopIteration):
        return None
    titles = [title.strip() for title in titles]
    if sum(1 for title in titles if title) < 2 or '"' in lines[0]:
        return None  # one column (the tolerant reader says why), or quoted titles
    return separator, titles


def _arrow_table(path: Path, separator: str, width: int):  # type: ignore[no-untyped-def]
    """Every line but the headers' as dictionary-encoded text; ``None`` when Arrow's parser
    stops (a line wider or narrower than the headers, a blank line, an unclosed quote, bytes
    that are not UTF-8 …)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    text = pa.dictionary(pa.int32(), pa.string())
    try:
        return pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1,
                                            block_size=16 * 2**20),
            parse_options=pa_csv.ParseOptions(delimiter=separator, quote_char='"',
                                              double_quote=True, escape_char=False,
                                              newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, text),
                                                  strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False),
        )  # fmt: skip
    except (pa.ArrowException, OSError, ValueError):
        return None


def _release_arrow_memory() -> None:
    """Hand the parser's buffers back to the system now: Arrow's allocator keeps freed memory
    for reuse, which would add the whole file's size to the peak of the steps that follow."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _stripped_codes(column) -> pd.Categorical:  # type: ignore[no-untyped-def]
    """A dictionary-encoded Arrow column as a categorical of stripped texts, an empty cell
    missing (chunks' dictionaries united once, never a text per row)."""
    column = column.unify_dictionaries() if column.num_chunks > 1 else column
    chunks = column.chunks
    if chunks:
        dictionary = chunks[0].dictionary
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
    else:
        import pyarrow as pa

        dictionary, codes = pa.array([], pa.string()), np.zeros(0, dtype=np.int32)
    texts = pd.Series(dictionary.to_pandas(), dtype="str")
    raw = pd.Series(pd.Categorical.from_codes(codes.astype(np.int32, copy=False),
                                              categories=texts))  # fmt: skip
    return recode(raw, lambda t: t.str.strip()).array


def _is_empty(values: pd.Categorical) -> np.ndarray:
    """Whether each cell is empty (or missing), from the categories: one gather."""
    empty = np.append(np.asarray(values.categories == ""), True)
    return empty[values.codes]


def _fast_sheet(name: str, titles: list[str], columns: list[pd.Categorical],
                rows: np.ndarray) -> Sheet:  # fmt: skip
    """The sheet, labelled as :func:`cc_analytics.inputs.sheets._sheet` labels it: untitled
    columns without any value dropped, a repeated or missing title labelled with its column
    letter; cells empty (not missing) where nothing was typed."""
    keep = [i for i, title in enumerate(titles) if title or not _is_empty(columns[i]).all()]
    typed = [visible(titles[i]) for i in keep]
    seen: dict[str, int] = {}
    for title in typed:
        seen[title] = seen.get(title, 0) + 1
    letters = tuple(column_letter(i + 1) for i in keep)
    labels = [title if title and seen[title] == 1 else f"{title} (colonne {letter})".strip()
              for title, letter in zip(typed, letters, strict=True)]  # fmt: skip
    frame = pd.DataFrame({label: columns[i] for label, i in zip(labels, keep, strict=True)})
    frame[ROW] = rows
    frame[FILE] = pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=[name])
    return Sheet(name, frame, tuple(typed), 1, letters)


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
    found.headers.setdefault(schema.name, set()).update(columns)
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
    frame[COLUMN] = _constant("", len(frame))
    for column in schema.names:
        if column not in frame:
            frame[column] = _constant(None, len(frame))
    return frame[[*schema.names, *PROVENANCE]]


def _constant(value: str | None, rows: int) -> pd.Categorical:
    """A categorical column holding ``value`` (``None``: no value) on every row."""
    codes = np.full(rows, 0 if value is not None else -1, dtype=np.int8)
    return pd.Categorical.from_codes(codes, categories=pd.Index([] if value is None else [value],
                                                                dtype="str"))  # fmt: skip


def rows_of(rows: pd.Series | np.ndarray) -> str:
    """:func:`~cc_analytics.inputs.messages.rows_text` of integer row numbers, however many:
    sorted and made unique by numpy, only the first ones turned into text.

    >>> rows_of(np.array([9, 2, 5, 2]))
    '2, 5, 9'
    """
    unique = np.unique(np.asarray(rows, dtype=np.int64))
    shown = rows_text([str(r) for r in unique[:_ROWS_SHOWN]], limit=_ROWS_SHOWN)
    more = len(unique) - _ROWS_SHOWN
    return f"{shown} … et {more} autres" if more > 0 else shown


_ROWS_SHOWN = 15  # as rows_text shows them


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
            row=rows_of(sheet.frame.loc[filled.any(axis=1).to_numpy(), ROW]),
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
                part[COLUMN] = _constant(found.layouts[sheet.name].columns["score"], len(part))
                parts.append(part)
        else:
            parts.append(_melt_wide(sheet, _wide_evaluator(path, sheet), referentiel, found))
    return _concat(parts, SCORES) if parts else _empty(SCORES)


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
    id_label = session_label = decision_label = None
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
        elif role in _GRID_ROLES and role in columns:
            found.problems.append(_repeated(sheet, header, columns[role], role,
                                            (_letter_of(sheet, columns[role]), letter),
                                            SCORES))  # fmt: skip
        elif role == "candidate_id":
            id_label, columns[role] = label, header
        elif role == "session_date":
            session_label, columns[role] = label, header
        elif role == "decision_date":
            decision_label, columns[role] = label, header
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
                    hint="Les colonnes d'une grille sont candidate_id, session_date (facultative), "
                    "decision_date (facultative) puis un code de compétence par colonne "
                    "(B1A1C1…)",
                )
            )
    found.layouts[sheet.name] = SheetLayout(sheet.header_row, columns, wide=True)
    found.headers.setdefault(SCORES.name, set()).update(columns)
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
              if label in (id_label, session_label, decision_label)
              or label in score_labels}  # fmt: skip
    sheet = _odd_cells(sheet, titles, set(score_labels), found)
    if id_label is None or evaluator is None:
        return _empty(SCORES)
    return _melt(sheet.frame, id_label, {"session_date": session_label,
                                         "decision_date": decision_label},
                 score_labels, evaluator)  # fmt: skip


#: The columns of a grid that are not competencies: one each at most.
_GRID_ROLES = ("candidate_id", "session_date", "decision_date")


def _melt(frame: pd.DataFrame, id_label: str, dates: dict[str, str | None],
          score_labels: dict[str, str], evaluator: str) -> pd.DataFrame:  # fmt: skip
    """One row per non-empty score cell of a grid, column after column (as ``DataFrame.melt``
    orders them), on the categoricals' codes; ``dates``: the grid's label of each date column
    (``session_date``, ``decision_date``), ``None`` when it has none: each score row carries
    its grid row's dates."""
    parts = []
    for label, title in score_labels.items():
        filled = ~_is_empty(frame[label].array)
        n = int(filled.sum())
        carried = {column: frame[source].array[filled] if source else _constant(None, n)
                   for column, source in dates.items()}  # fmt: skip
        parts.append(pd.DataFrame({
            "candidate_id": frame[id_label].array[filled], "competency": _constant(title, n),
            "evaluator": _constant(evaluator, n), "score": frame[label].array[filled],
            **carried, ROW: frame[ROW].to_numpy()[filled],
            FILE: frame[FILE].array[filled], COLUMN: _constant(title, n),
        }))  # fmt: skip
    return _concat(parts, SCORES) if parts else _empty(SCORES)


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
    emptied: dict[str, list[int]] = {}
    for (kind, label), cells in groups.items():
        found.problems.append(_odd_problem(sheet, kind, titles[label], cells, label in scores))
        if label in scores:
            emptied.setdefault(label, []).extend(c.row for c in cells)
    if merged:
        found.problems.append(_merged_problem(sheet, merged, by_number, titles))
    if not emptied:
        return sheet
    frame = sheet.frame.copy()
    for label, rows in emptied.items():
        column = frame[label]
        if "" not in column.cat.categories:
            column = column.cat.add_categories("")
        frame[label] = column.mask(frame[ROW].isin(rows).to_numpy(), "")
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
    columns: dict[str, object] = {c: _constant(None, 0) for c in (*schema.names, FILE, COLUMN)}
    columns[ROW] = np.zeros(0, dtype=np.int32)
    return pd.DataFrame(columns)[[*schema.names, *PROVENANCE]]

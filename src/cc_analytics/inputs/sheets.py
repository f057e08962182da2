"""Reading the spreadsheets schools keep: CSV (comma, semicolon or tab; UTF-8 with or without
BOM, or cp1252 as French Excel writes it) and XLSX.

Everything is read as text so that nothing is lost or guessed: the validation gate decides what
a cell means and can quote it back exactly as the user typed it. Each table carries the row
number the user sees in their spreadsheet (header = row 1) in ``_row``, and the file (and
sheet) in ``_file``. Cells beyond the last titled column are kept, in columns labelled with
their spreadsheet letter, so that the caller can report them; untitled columns left empty
(a trailing separator, formatting) are dropped.

What cannot be read as a table is refused in French, naming the file and the line: binary
content or NUL bytes, a quote never closed, a workbook beyond the bounds of
:mod:`cc_analytics.inputs.workbook`. Workbook cells whose text would not tell what they hold
(a formula saved without its result, ``#N/A``…) travel with the sheet as
:attr:`Sheet.odd_cells`, for the caller to report where they matter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..core.errors import InputFileError, Problem
from ..core.text import decode, visible
from .folder import read_input
from .messages import quoted
from .workbook import OddCell, read_workbook

ROW, FILE = "_row", "_file"
SEPARATORS = (";", ",", "\t")
#: Lines looked at to tell the separator (a title, a short header, blank lines: all allowed).
SAMPLE_LINES = 200
_FOREIGN_SEPARATORS = ("|", ":", "/")
#: Characters quoted of a lone first line that is not a header with a foreign separator: it
#: may be anything (a key, a password file), only its start helps find the file.
_UNKNOWN_LINE_QUOTE = 16
#: Characters of a file's start looked at to tell binary content, and the control characters
#: (but tab and line breaks) that, over 1 % of them and at least eight, mean it.
_BINARY_SAMPLE = 65_536
_BINARY_LEAST = 8
_BINARY = re.compile("[\x00-\x08\x0e-\x1f]")
_RESAVE_HINT = (
    "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format « CSV (séparateur : "
    "point-virgule) »"
)


@dataclass(frozen=True)
class Sheet:
    """One table of text cells read from a file (or a workbook sheet).

    ``headers`` are the titles as typed, one per column of ``frame`` (same order); the frame's
    own column labels are unique: a title typed twice, or a missing title, is labelled with
    its spreadsheet column letter (``site (colonne F)``, ``colonne F``).
    """

    name: str  # "candidates.csv" or "notes.xlsx [jury]" — as the user knows it
    frame: pd.DataFrame  # text cells, plus ``_row`` and ``_file``
    headers: tuple[str, ...]  # as typed in the file
    header_row: int = 1  # the spreadsheet row of the headers
    letters: tuple[str, ...] = ()  # the spreadsheet column letter of each header
    odd_cells: tuple[OddCell, ...] = ()  # workbook cells whose text is not what they hold

    @property
    def columns(self) -> list[tuple[str, str, str]]:
        """``(title as typed, frame label, spreadsheet letter)`` for every column."""
        labels = [c for c in self.frame.columns if c not in (ROW, FILE)]
        letters = self.letters or tuple(column_letter(i + 1) for i in range(len(labels)))
        return list(zip(self.headers, labels, letters, strict=True))


def read_sheets(path: str | Path) -> list[Sheet]:
    """Every table in a CSV or XLSX file (one per non-empty worksheet)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    return [_read_csv(path)]


def _read_csv(path: Path) -> Sheet:
    name = path.name
    text = decode(read_input(path))
    _refuse_binary(text, name)
    if not text.strip():
        raise InputFileError(
            Problem(
                "fichier vide",
                file=name,
                hint="Exportez de nouveau le tableau, avec sa ligne d'en-tête",
            )
        )
    lines = list(_sample_lines(text))
    if not lines:
        raise InputFileError(
            Problem(
                "fichier vide : aucune cellule remplie",
                file=name,
                hint="Exportez de nouveau le tableau, avec sa ligne d'en-tête",
            )
        )
    separator = detect_separator(lines)
    table = _parse_csv(text, separator, name)
    table = table.apply(lambda column: column.str.strip()).fillna("")
    header_index = _header_index((table != "").sum(axis=1).tolist())
    headers = table.iloc[header_index].tolist()
    titled = [h for h in headers if h]
    if len(titled) == 1:
        foreign = [s for s in _FOREIGN_SEPARATORS if s in titled[0]]
        raise InputFileError(
            Problem(
                "une seule colonne lue : le séparateur de colonnes n'est ni le point-virgule, "
                "ni la virgule, ni la tabulation"
                + (f" (« {foreign[0]} » trouvé)" if foreign else ""),
                file=name,
                row=str(header_index + 1),
                # a header with a foreign separator is worth quoting; any other line may be
                # anything (a file read by mistake): only its start
                value=quoted(titled[0], 60 if foreign else _UNKNOWN_LINE_QUOTE),
                hint="Dans Excel, « Enregistrer sous » → « CSV (séparateur : point-virgule) »",
            )
        )
    body = table.iloc[header_index + 1 :]
    body = body[(body != "").any(axis=1)]  # blank lines are not data
    return _sheet(name, body, headers, header_index + 1)


def _refuse_binary(text: str, name: str) -> None:
    """A file whose start is full of control characters (an image, a PDF, a workbook renamed
    ``.csv``) is not a table: refused, naming the first such line, never quoting it. A few
    invisible characters in cells of a text file are left to the gate, which names each
    cell."""
    sample = text[:_BINARY_SAMPLE]
    found = _BINARY.findall(sample)
    if len(found) < _BINARY_LEAST or len(found) * 100 < len(sample):
        return
    first = _BINARY.search(sample)
    line = sample.count("\n", 0, first.start() if first else 0) + 1
    workbook = text.startswith("PK\x03\x04")
    raise InputFileError(
        Problem(
            "contenu binaire : ce fichier n'est pas un tableau CSV"
            + (" mais sans doute un classeur Excel renommé" if workbook else ""),
            file=name,
            row=str(line),
            hint="Renommez-le en .xlsx" if workbook else _RESAVE_HINT,
        )
    )


def _sample_lines(text: str) -> Iterator[str]:
    """The first ``SAMPLE_LINES`` non-blank lines, without splitting the whole text."""
    found = 0
    for line in io.StringIO(text, newline=None):
        if line.strip(" ;,\t\r\n"):
            yield line.rstrip("\r\n")
            found += 1
            if found == SAMPLE_LINES:
                return


def _parse_csv(text: str, separator: str, name: str) -> pd.DataFrame:
    """Every line as text cells; a line longer than the first one is read in full (its extra
    cells land in untitled columns, which the caller reports with their rows)."""
    options = dict(sep=separator, dtype=str, header=None, keep_default_na=False,
                   skip_blank_lines=False, engine="c")  # fmt: skip
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError as exc:
        error = str(exc)
    if "EOF inside string" not in error:
        # a longer line: the widest one, by a parser that honours quotes, gives the width
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        try:
            width = max(len(row) for row in reader)
        except csv.Error:  # a cell longer than any spreadsheet's (131 072 characters)
            raise InputFileError(
                Problem("ligne illisible comme une ligne de tableau", file=name,
                        row=str(reader.line_num), hint=_RESAVE_HINT)
            ) from None  # fmt: skip
        try:
            return pd.read_csv(io.StringIO(text), names=range(width), **options)
        except pd.errors.ParserError as exc:
            error = str(exc)
    unclosed = re.search(r"EOF inside string starting at row (\d+)", error)
    if unclosed:
        raise InputFileError(
            Problem(
                "guillemet ouvert et jamais refermé : la suite du fichier se lirait comme une "
                "seule case",
                file=name,
                row=str(int(unclosed[1]) + 1),
                hint="Refermez le guillemet de cette ligne ; un guillemet à l'intérieur d'une "
                'valeur s\'écrit doublé ("")',
            )
        )
    line = re.search(r"line (\d+)", error)
    raise InputFileError(
        Problem("fichier illisible comme un tableau CSV", file=name,
                row=line[1] if line else None, hint=_RESAVE_HINT)
    )  # fmt: skip


def detect_separator(lines: list[str]) -> str:
    """The column separator (``;``, ``,`` or tab) of CSV ``lines`` (non-blank ones).

    :class:`csv.Sniffer` proposes one, restricted to those three; every candidate is then
    checked by reading up to ``SAMPLE_LINES`` lines with the csv parser, which honours quotes:
    the separator that splits most lines into the same number of cells, and into the most
    cells, wins (Sniffer's choice on a tie). So a comment ``"a, b, c"`` quoted in a ``;`` file,
    or a decimal comma in every row, does not turn the file into a comma-separated one.

    >>> detect_separator(['id;note;commentaire', 'C1;3;"bien, très bien, parfait"'])
    ';'
    >>> detect_separator(['id,note', 'C1,3', 'C2,4'])
    ','
    """
    sample = lines[:SAMPLE_LINES]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(sample), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        sniffed = None

    def fit(separator: str) -> tuple[bool, float, int, bool]:
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=separator)]
        except csv.Error:  # a huge cell: the table reader says where
            return False, 0.0, 0, False
        modal = max(set(widths), key=widths.count)
        return modal > 1, widths.count(modal) / len(widths), modal, separator == sniffed

    return max(SEPARATORS, key=fit)


def _read_xlsx(path: Path) -> list[Sheet]:
    sheets = []
    for cells in read_workbook(path):
        name = f"{path.name} [{cells.title}]"
        numbered = cells.rows
        if not numbered:
            continue
        first = _header_index([sum(1 for c in r if c) for _, r in numbered])
        numbered = numbered[first:]  # a title above the headers is not data
        header_row, headers = numbered[0]
        width = max(max(i for i, c in enumerate(r) if c) + 1 for _, r in numbered)
        headers = [*headers[:width], *[""] * (width - len(headers))]
        body = pd.DataFrame(
            [r[:width] + [""] * (width - len(r)) for _, r in numbered[1:]],
            index=[n - 1 for n, _ in numbered[1:]],
            columns=range(width),
            dtype=str,
        )
        # the title above the headers, and the headers, may be merged or computed: not data
        odd = tuple(c for c in cells.odd if max(c.row, c.last_row) > header_row)
        sheets.append(replace(_sheet(name, body, headers, header_row), odd_cells=odd))
    if not sheets:
        raise InputFileError(
            Problem(
                "classeur vide", file=path.name, hint="Ajoutez la ligne d'en-tête et les données"
            )
        )
    return sheets


def _header_index(filled: list[int]) -> int:
    """The headers are on the first row of two cells or more: a title above them (one cell)
    is skipped. Without such a row, the first non-empty one (a single column is an error)."""
    return next((i for i, n in enumerate(filled) if n >= 2),
                next(i for i, n in enumerate(filled) if n))  # fmt: skip


def _sheet(name: str, body: pd.DataFrame, headers: list[str], header_row: int) -> Sheet:
    """Text cells labelled uniquely, with the spreadsheet row number and the file name.

    ``body`` is indexed by 0-based line position, so the user's row number is index + 1.
    Untitled columns without any value are dropped.
    """
    keep = [i for i, h in enumerate(headers) if h or (body[body.columns[i]] != "").any()]
    frame = body.iloc[:, keep].copy()
    # a control character in a title is shown, never obeyed, wherever the title is quoted
    typed = [visible(headers[i].strip()) for i in keep]
    seen: dict[str, int] = {}
    for h in typed:
        seen[h] = seen.get(h, 0) + 1
    letters = tuple(column_letter(i + 1) for i in keep)
    frame.columns = [
        h if h and seen[h] == 1 else f"{h} (colonne {letter})".strip()
        for h, letter in zip(typed, letters, strict=True)
    ]
    frame[ROW] = (frame.index + 1).astype(str)
    frame[FILE] = name
    return Sheet(name, frame.reset_index(drop=True), tuple(typed), header_row, letters)


def column_letter(number: int) -> str:
    """The spreadsheet letter of a 1-based column number: 1 -> "A", 28 -> "AB"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letter: str) -> int:
    """The 1-based column number of a spreadsheet letter: "A" -> 1, "AB" -> 28."""
    number = 0
    for char in letter:
        number = number * 26 + ord(char) - ord("A") + 1
    return number

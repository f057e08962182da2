"""Reading the spreadsheets schools keep: CSV (comma, semicolon or tab; UTF-8 with or without
BOM, or cp1252 as French Excel writes it) and XLSX.

Everything is read as text so that nothing is lost or guessed: the validation gate decides what
a cell means and can quote it back exactly as the user typed it. Each table carries the row
number the user sees in their spreadsheet (header = row 1) in ``_row``, and the file (and
sheet) in ``_file``. Cells beyond the last titled column are kept, in columns labelled with
their spreadsheet letter, so that the caller can report them; untitled columns left empty
(a trailing separator, formatting) are dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import InputFileError, Problem
from ..core.text import decode

ROW, FILE = "_row", "_file"
SEPARATORS = (";", ",", "\t")
#: Lines looked at to tell the separator (a title, a short header, blank lines: all allowed).
SAMPLE_LINES = 200
_FOREIGN_SEPARATORS = ("|", ":", "/")


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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(Problem(f"fichier illisible ({exc.strerror})", file=name)) from None
    text = decode(data)
    if not text.strip():
        raise InputFileError(
            Problem(
                "fichier vide",
                file=name,
                hint="Exportez de nouveau le tableau, avec sa ligne d'en-tête",
            )
        )
    lines = [line for line in text.splitlines() if line.strip(" ;,\t")]
    if not lines:
        raise InputFileError(
            Problem(
                "fichier vide : aucune cellule remplie",
                file=name,
                hint="Exportez de nouveau le tableau, avec sa ligne d'en-tête",
            )
        )
    separator = detect_separator(lines)
    options = dict(sep=separator, dtype=str, header=None, keep_default_na=False,
                   skip_blank_lines=False, engine="c")  # fmt: skip
    try:
        table = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        # A line longer than the first one: read every cell; the extra cells land in untitled
        # columns, which the caller reports with their rows.
        width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=separator))
        table = pd.read_csv(io.StringIO(text), names=range(width), **options)
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
                value=titled[0][:60],
                hint="Dans Excel, « Enregistrer sous » → « CSV (séparateur : point-virgule) »",
            )
        )
    body = table.iloc[header_index + 1 :]
    body = body[(body != "").any(axis=1)]  # blank lines are not data
    return _sheet(name, body, headers, header_index + 1)


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
        widths = [len(row) for row in csv.reader(sample, delimiter=separator)]
        modal = max(set(widths), key=widths.count)
        return modal > 1, widths.count(modal) / len(widths), modal, separator == sniffed

    return max(SEPARATORS, key=fit)


def _read_xlsx(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputFileError(
            Problem(
                f"classeur Excel illisible ({exc.__class__.__name__})",
                file=path.name,
                hint="Ouvrez-le dans Excel et enregistrez-le de nouveau au format .xlsx",
            )
        ) from None
    sheets = []
    for ws in workbook.worksheets:
        name = f"{path.name} [{ws.title}]"
        ws.reset_dimensions()  # a wrong <dimension> in the file would silently cut rows off
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c for c in r)]
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
        sheets.append(_sheet(name, body, headers, header_row))
    workbook.close()
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


def _cell_text(value: object) -> str:
    """A cell as the user sees it: 3.0 -> "3", 3.5 -> "3,5", dates -> ISO, empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, float):  # as French Excel shows it: 3 and 3,5
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 else text
    return str(value).strip()


def _sheet(name: str, body: pd.DataFrame, headers: list[str], header_row: int) -> Sheet:
    """Text cells labelled uniquely, with the spreadsheet row number and the file name.

    ``body`` is indexed by 0-based line position, so the user's row number is index + 1.
    Untitled columns without any value are dropped.
    """
    keep = [i for i, h in enumerate(headers) if h or (body[body.columns[i]] != "").any()]
    frame = body.iloc[:, keep].copy()
    typed = [headers[i].strip() for i in keep]
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

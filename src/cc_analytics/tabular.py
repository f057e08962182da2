"""Reading the spreadsheets schools keep: CSV (comma, semicolon or tab; UTF-8 with or without
BOM, or cp1252 as French Excel writes it) and XLSX.

Everything is read as text so that nothing is lost or guessed: the validation gate decides what
a cell means and can quote it back exactly as the user typed it. Each table carries the row
number the user sees in their spreadsheet (header = row 1) in ``_row``, and the file (and
sheet) in ``_file``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputFileError, Problem

ROW, FILE = "_row", "_file"
TABULAR_SUFFIXES = (".csv", ".xlsx")
_SEPARATORS = (";", ",", "\t")
_FOREIGN_SEPARATORS = ("|", ":", "/")


@dataclass(frozen=True)
class Sheet:
    """One table of text cells read from a file (or a workbook sheet)."""

    name: str  # "candidates.csv" or "notes.xlsx [jury]" — as the user knows it
    frame: pd.DataFrame  # text cells, plus ``_row`` and ``_file``
    headers: tuple[str, ...]  # as typed in the file


def read_sheets(path: str | Path) -> list[Sheet]:
    """Every table in a CSV or XLSX file (one per non-empty worksheet)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    return [_read_csv(path)]


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else cp1252 (French Excel's "CSV (séparateur : point-virgule)")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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
    lines = text.splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.strip())
    separator = max(_SEPARATORS, key=lines[header_index].count)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            header=None,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputFileError(
            Problem(
                "une ligne a plus de cellules que l'en-tête n'a de colonnes",
                file=name,
                row=line.group(1) if line else None,
                hint="Une valeur contient peut-être le séparateur : entourez-la de guillemets",
            )
        ) from None
    headers = [str(h).strip() for h in table.iloc[header_index]]
    if len(headers) == 1:
        foreign = [s for s in _FOREIGN_SEPARATORS if s in headers[0]]
        raise InputFileError(
            Problem(
                "une seule colonne lue : le séparateur de colonnes n'est ni le point-virgule, "
                "ni la virgule, ni la tabulation"
                + (f" (« {foreign[0]} » trouvé)" if foreign else ""),
                file=name,
                row=str(header_index + 1),
                value=headers[0][:60],
                hint="Dans Excel, « Enregistrer sous » → « CSV (séparateur : point-virgule) »",
            )
        )
    body = table.iloc[header_index + 1 :].apply(lambda column: column.str.strip())
    body = body[(body != "").any(axis=1)]  # blank lines are not data
    return Sheet(name, _frame(body, headers, name), tuple(headers))


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
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c for c in r)]
        if not numbered:
            continue
        headers = numbered[0][1]
        width = max(i for i, h in enumerate(headers) if h) + 1
        headers = [h.strip() for h in headers[:width]]
        body = pd.DataFrame(
            [r[:width] + [""] * (width - len(r)) for _, r in numbered[1:]],
            index=[n - 1 for n, _ in numbered[1:]],
            columns=range(width),
            dtype=str,
        )
        sheets.append(Sheet(name, _frame(body, headers, name), tuple(headers)))
    workbook.close()
    if not sheets:
        raise InputFileError(
            Problem(
                "classeur vide", file=path.name, hint="Ajoutez la ligne d'en-tête et les données"
            )
        )
    return sheets


def _cell_text(value: object) -> str:
    """A cell as the user sees it: 3.0 -> "3", dates -> ISO, empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 else text
    return str(value).strip()


def _frame(body: pd.DataFrame, headers: list[str], name: str) -> pd.DataFrame:
    """Text cells with the headers as typed, the spreadsheet row number and the file name.

    ``body`` is indexed by 0-based line position, so the user's row number is index + 1.
    """
    frame = body.copy()
    frame.columns = [h if h else f"(colonne {i + 1} sans titre)" for i, h in enumerate(headers)]
    frame[ROW] = (frame.index + 1).astype(str)
    frame[FILE] = name
    return frame.reset_index(drop=True)

"""Excel workbooks read within bounds, with the cells whose text would not tell what they hold.

An XLSX file is a zip of XML parts: 93 kB of it can declare ten million rows and unzip to
gigabytes. Its size once unzipped (from the zip's directory), then each sheet's declared size
(its ``<dimension>``) are checked before a cell is read, and the reading itself stops past the
same limits (a sheet may declare a false size, or none); empty rows are never materialised.

Each cell is read as the spreadsheet shows it, and the cells whose text would silently say
something else are listed as :class:`OddCell` for the caller to report where it matters: a
formula saved without its result (scripts and some tools save them so: the cell reads empty),
an error value (``#N/A``), a date or TRUE/FALSE (meaningless as a score), a merged range (only
its first cell holds the value).
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InputFileError, Problem
from .folder import file_problem

#: Excel's own limits: a sheet beyond them was not made by a spreadsheet.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: Cells of one workbook, declared or read: some three hundred times the demo's score grids
#: (153 candidates, 20 competencies, jury and employer: about 6 700 cells), and already about
#: a minute of reading on a busy 2-core machine.
MAX_CELLS = 2_000_000
#: Text of one workbook once unzipped (the same bound as a CSV file).
MAX_UNZIPPED_BYTES = 200 * 2**20
#: Real sheets compress 5 to 20 times; far more, on a large part, is a zip bomb.
MAX_COMPRESSION_RATIO = 100
_RATIO_FROM_BYTES = 10 * 2**20

FORMULA, ERROR, DATE, BOOLEAN, MERGED = "formula", "error", "date", "boolean", "merged"


@dataclass(frozen=True, slots=True)
class OddCell:
    """A cell whose text does not tell what the spreadsheet holds (see the module's text)."""

    row: int  # spreadsheet row, 1-based
    column: int  # spreadsheet column, 1-based (the first one of a merged range)
    kind: str  # FORMULA, ERROR, DATE, BOOLEAN or MERGED
    text: str  # as Excel shows it: "#N/A", "14/06/2024", "VRAI"; a merged range: "B7:D7"
    last_row: int = 0  # a merged range: its last row and column
    last_column: int = 0


@dataclass(frozen=True)
class SheetCells:
    """The non-empty rows of one worksheet, as text, and its odd cells."""

    title: str
    rows: list[tuple[int, list[str]]]  # (spreadsheet row, cell texts from column A)
    odd: list[OddCell]


def read_workbook(path: Path) -> list[SheetCells]:
    """Every worksheet of an XLSX file, within the limits above (else a French refusal)."""
    problem = file_problem(path)
    if problem is not None:
        raise InputFileError(problem)
    _check_zip(path)
    # openpyxl warns on stderr about what it does not support (extensions, default style)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = _open(path)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise _unreadable(path, exc) from None
        try:
            _check_declared_size(path, workbook)
            sheets, cells = [], 0
            for title, part in workbook.sheets:
                sheet, cells = _read_sheet(path, workbook, title, part, cells)
                sheets.append(sheet)
            return sheets
        except InputFileError:
            raise
        except Exception as exc:  # a part that breaks while it is read
            raise _unreadable(path, exc) from None
        finally:
            workbook.archive.close()


@dataclass(frozen=True)
class _Workbook:
    """What reading a sheet's cells needs from its workbook."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]  # (title, zip part) of each worksheet, in order
    shared_strings: list[str]
    epoch: Any
    date_formats: set[int]
    timedelta_formats: set[int]


def _open(path: Path) -> _Workbook:
    """The workbook's parts but its sheets, read by openpyxl's own reader, in the order
    ``load_workbook`` reads them. Not ``load_workbook(read_only=True)`` itself: for a sheet
    without a declared size it parses the whole sheet before anything can be checked."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(path, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]  # fmt: skip
    except BaseException:
        reader.archive.close()
        raise
    wb = reader.wb
    return _Workbook(reader.archive, sheets, reader.shared_strings, wb.epoch,
                     wb._date_formats, wb._timedelta_formats)  # fmt: skip


def _unreadable(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(
        Problem(
            f"classeur Excel illisible ({exc.__class__.__name__})",
            file=path.name,
            hint="Ouvrez-le dans Excel et enregistrez-le de nouveau au format .xlsx",
        )
    )


def _too_large(path: Path, what: str) -> InputFileError:
    return InputFileError(
        Problem(
            f"classeur refusé : {what}",
            file=path.name,
            hint="Copiez les seules cellules remplies dans un nouveau classeur (ou enregistrez "
            "chaque feuille en CSV) ; si les données sont vraiment si nombreuses, répartissez-les "
            "entre plusieurs dossiers de données, par exemple une année par dossier",
        )
    )


def _check_zip(path: Path) -> None:
    """Sizes from the zip's directory, before anything is unzipped. Python's zip reader never
    unzips a part beyond the size the directory gives it, so these are the true bounds."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    total = sum(part.file_size for part in parts)
    if total > MAX_UNZIPPED_BYTES:
        raise _too_large(path, f"{total / 2**20:.0f} Mo une fois décompressé, au-delà de la "
                               f"limite de {MAX_UNZIPPED_BYTES // 2**20} Mo")  # fmt: skip
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise _too_large(path, f"contenu compressé {ratio:.0f} fois (au plus "
                                   f"{MAX_COMPRESSION_RATIO}) : ce n'est pas un classeur "
                                   "ordinaire")  # fmt: skip


def _check_declared_size(path: Path, workbook: _Workbook) -> None:
    """The ``<dimension>`` each sheet declares, then, as a sheet may declare a false size or
    none, its row and cell elements counted in its XML (far faster than parsing it)."""
    declared = counted = 0
    for title, part in workbook.sheets:
        with workbook.archive.open(part) as source:
            rows, columns = _dimension(source)
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            raise _too_large(path, f"la feuille « {title} » déclare {_count(rows)} lignes et "
                                   f"{_count(columns)} colonnes, au-delà des limites d'Excel "
                                   f"({_count(MAX_ROWS)} lignes, {_count(MAX_COLUMNS)} "
                                   "colonnes)")  # fmt: skip
        declared += rows * columns
        if declared > MAX_CELLS:
            raise _too_large(path, f"{_count(declared)} cellules déclarées ou plus, au-delà de "
                                   f"la limite de {_count(MAX_CELLS)}")  # fmt: skip
    for title, part in workbook.sheets:
        with workbook.archive.open(part) as source:
            rows, cells = _elements(source)
        counted += cells
        if rows > MAX_ROWS or counted > MAX_CELLS:
            raise _too_large(path, f"la feuille « {title} » contient plus de "
                                   f"{_count(MAX_ROWS)} lignes ou, avec les précédentes, de "
                                   f"{_count(MAX_CELLS)} cellules")  # fmt: skip


def _dimension(source: Any) -> tuple[int, int]:
    """Rows and columns a sheet declares (its ``<dimension ref="A1:F120">``), read up to the
    start of its cells; (0, 0) when it declares none."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet import _reader as sheet_xml
    from openpyxl.xml.functions import iterparse

    for _, element in iterparse(source, events=("start",)):
        if element.tag == sheet_xml.DIMENSION_TAG:
            _, _, last_column, last_row = range_boundaries(element.get("ref") or "A1")
            return last_row or 0, last_column or 0
        if element.tag == sheet_xml.DATA_TAG:
            break
    return 0, 0


_CHUNK = 2**20


def _elements(source: Any) -> tuple[int, int]:
    """Row and cell elements of a sheet's XML, counted in its text (``<row``, ``<c `` …)."""
    counts = [0, 0]
    carry = b""
    while chunk := source.read(_CHUNK):
        text = carry + chunk
        # a tag cut by the chunk's end starts at its last "<": it is counted with the next
        last = text.rfind(b"<")
        cut = last if last >= 0 and len(text) - last < 4 else len(text)
        _count_tags(text[:cut], counts)
        carry = text[cut:]
    _count_tags(carry, counts)
    return counts[0], counts[1]


def _count_tags(text: bytes, counts: list[int]) -> None:
    counts[0] += text.count(b"<row")
    counts[1] += text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/>")


def _count(number: int) -> str:
    """A count as French writes it: 2 000 000."""
    return f"{number:,}".replace(",", "\u202f")


def _read_sheet(path: Path, workbook: _Workbook, title: str, part: str,
                cells: int) -> tuple[SheetCells, int]:  # fmt: skip
    """The cells of one sheet, from its XML part: each cell is decoded by openpyxl's own sheet
    parser (what its read-only sheets use: shared strings, dates, booleans, errors) as soon as
    it is read, then dropped, so that a row of millions of cells is refused, not held.

    ``cells`` were read in the sheets before; the count after this one is returned with it."""
    from openpyxl.worksheet import _reader as sheet_xml
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed

    parser = sheet_xml.WorkSheetParser(
        None, workbook.shared_strings, data_only=True, epoch=workbook.epoch,
        date_formats=workbook.date_formats, timedelta_formats=workbook.timedelta_formats,
    )  # fmt: skip
    cell_tag, row_tag = sheet_xml.CELL_TAG, sheet_xml.ROW_TAG
    formula_tag, value_tag = sheet_xml.FORMULA_TAG, sheet_xml.VALUE_TAG
    merge_tag = f"{{{sheet_xml.SHEET_MAIN_NS}}}mergeCell"
    rows: list[tuple[int, list[str]]] = []
    odd: list[OddCell] = []
    row_cells: list[dict] = []
    number = seen = 0
    with workbook.archive.open(part) as source:
        for _, element in iterparse(source):
            tag = element.tag
            if tag == cell_tag:
                cell = parser.parse_cell(element)
                # a formula whose result is an empty text is saved as t="str" with an empty <v>
                cell["formula_without_value"] = (
                    element.find(formula_tag) is not None
                    and not element.findtext(value_tag)
                    and element.get("t") != "str"
                )
                element.clear()
                row_cells.append(cell)
                cells += 1
                if cells > MAX_CELLS:
                    raise _too_large(path, f"plus de {_count(MAX_CELLS)} cellules (feuille "
                                           f"« {title} »)")  # fmt: skip
            elif tag == row_tag:
                number, seen = int(float(element.get("r") or number + 1)), seen + 1
                if number > MAX_ROWS or seen > MAX_ROWS:
                    raise _too_large(path, f"la feuille « {title} » a des lignes au-delà "
                                           f"de la ligne {_count(MAX_ROWS)}, la dernière "
                                           "d'Excel")  # fmt: skip
                if row_cells:
                    texts = _row_texts(path, title, number, row_cells, odd)
                    if any(texts):
                        rows.append((number, texts))
                    row_cells, parser.col_counter = [], 0
                element.clear()
            elif tag == merge_tag:
                odd.append(_merged(element.get("ref") or ""))
    return SheetCells(title, rows, odd), cells


def _row_texts(path: Path, title: str, number: int, row: list[dict],
               odd: list[OddCell]) -> list[str]:  # fmt: skip
    texts: list[str] = []
    for cell in row:
        column = cell["column"]
        if column > MAX_COLUMNS:
            raise _too_large(path, f"la feuille « {title} » a des cellules au-delà de la "
                                   f"colonne {_count(MAX_COLUMNS)}, la dernière d'Excel")  # fmt: skip
        if column > len(texts):
            texts += [""] * (column - len(texts))
        value, kind = cell["value"], _KINDS.get(cell["data_type"])
        texts[column - 1] = cell_text(value)
        # a cell written without its own row number belongs to the row that holds it
        if cell["formula_without_value"]:
            odd.append(OddCell(number, column, FORMULA, ""))
        elif kind is not None and value is not None:
            odd.append(OddCell(number, column, kind, _shown(value)))
    return texts


_KINDS = {"e": ERROR, "d": DATE, "b": BOOLEAN}


def _merged(ref: str) -> OddCell:
    from openpyxl.utils.cell import range_boundaries

    first_column, first_row, last_column, last_row = range_boundaries(ref)
    return OddCell(first_row or 1, first_column or 1, MERGED, ref,
                   last_row or MAX_ROWS, last_column or MAX_COLUMNS)  # fmt: skip


def cell_text(value: object) -> str:
    """A cell as the user sees it: 3.0 -> "3", 3.5 -> "3,5", dates -> ISO, empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, float):  # as French Excel shows it: 3 and 3,5
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 else text
    return str(value).strip()


def _shown(value: object) -> str:
    """An odd cell's value as French Excel shows it: 14/06/2024, VRAI, #N/A."""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if hasattr(value, "strftime") and hasattr(value, "day"):
        return value.strftime("%d/%m/%Y")
    return str(value)

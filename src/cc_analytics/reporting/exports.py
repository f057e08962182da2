"""Tables written for people and scripts: CSV (plain decimals) and XLSX (French formats).

CSV: rates as plain decimals rounded to 10 places (``0.8571428571``, never ``1e-05``), an empty
cell where a value is undefined (n = 0), UTF-8. Text that a spreadsheet could run as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return first) is neutralised in both: quoted in CSV,
a text cell with Excel's quote prefix in XLSX (:mod:`cc_analytics.core.cells`). XLSX: rates shown as French percentages (Excel
displays ``0.0%`` as ``85,7 %`` in a French locale), plus a sheet « informations » stating the
rules, the referentiel and the inputs. Both are written atomically.

XLSX is for people: French headers and words for codes (« Compétence », « CA — contrat
d'apprentissage », « oui »), a bold frozen header row. ``excel_fr`` writes a CSV for a French
Excel the same way: ``;`` separated, UTF-8 with BOM (so accents survive), decimal comma.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.atomic import atomic_path
from ..core.cells import is_formula_like, neutralised_frame, xml_safe
from ..core.errors import CcAnalyticsError, Problem
from ..core.labels import (
    ACCESS_ROUTES,
    COMBINE_MODES,
    EXPORT_HEADERS,
    EXPORT_VALUES,
    FOLLOWUP_STATUSES,
    LEVELS,
    NAME_ABSENT,
    YES,
)

PERCENT_COLUMNS = ("rate", "ci_low", "ci_high", "exact_agreement", "rate_previous", "difference",
                   "diff_ci_low", "diff_ci_high")  # fmt: skip
#: p-values to four decimals (0,0440), never rounded to 0,04
P_VALUE_COLUMNS = ("p_value", "p_adjusted")
DECIMALS = 10


def write_table(table: pd.DataFrame, path: str | Path, info: Mapping[str, object],
                sheet: str = "résultats", excel_fr: bool = False) -> Path:  # fmt: skip
    """Write ``table`` as CSV or XLSX according to the suffix of ``path``."""
    return write_workbook({sheet: table}, path, info, excel_fr=excel_fr)


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path,
                   info: Mapping[str, object], excel_fr: bool = False) -> Path:  # fmt: skip
    """XLSX: every table of ``sheets`` on its own sheet, in French (bold frozen header,
    filters, French percentages), then « informations ». CSV: the first table only (the one
    scripts read), or with ``excel_fr`` that table in French for a French Excel."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CcAnalyticsError(
            Problem(
                "format de sortie inconnu",
                file=str(path),
                hint="Donnez un fichier .csv (pour les scripts) ou .xlsx (pour Excel)",
            )
        )
    with atomic_path(path) as tmp:
        if suffix == ".csv" and excel_fr:
            first = next(iter(sheets.values()))
            _excel_csv(first).to_csv(tmp, index=False, sep=";", encoding="utf-8-sig",
                                     lineterminator="\r\n")  # fmt: skip
        elif suffix == ".csv":
            first = next(iter(sheets.values()))
            # CRLF (RFC 4180): a text holding a line break is then quoted, never splits a row
            _csv(neutralised_frame(first)).to_csv(tmp, index=False, encoding="utf-8",
                                                  lineterminator="\r\n")  # fmt: skip
        else:
            _xlsx(sheets, tmp, info)
    return path


def sheet_names(names: Iterable[str]) -> list[str]:
    """Names Excel accepts: none of ``[]:*?/\\``, at most 31 characters, unique (case aside)
    and never « informations », which the workbook keeps for itself.

    >>> sheet_names(["bloc B1", "a/b", "Informations", "x" * 40])
    ['bloc B1', 'a-b', 'Informations (2)', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    used = {"informations"}
    out = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip("'") or "feuille"
        candidate, n = base[:31], 1
        while candidate.lower() in used:
            n += 1
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)] + suffix
        used.add(candidate.lower())
        out.append(candidate)
    return out


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a person reads it: French headers (:data:`EXPORT_HEADERS`), words for the
    codes (levels, the title's code, access routes, rules, tests), « oui » or an empty cell for
    booleans, the words for a title missing from the source referentiel. Numbers untouched.

    >>> for_people(pd.DataFrame({"level": ["title"], "code": ["TITLE"], "small_group": [True]}))
      Niveau   Code Petit effectif
    0  Titre  Titre            oui
    """
    from ..engine.aggregates import TITLE

    out = table.copy()
    words = {"level": LEVELS, "access_route": {c: f"{c} — {lb}" for c, lb in ACCESS_ROUTES.items()},
             "combine": COMBINE_MODES, "status": FOLLOWUP_STATUSES, **EXPORT_VALUES}  # fmt: skip
    for column, vocabulary in words.items():
        if column in out:
            out[column] = out[column].map(
                lambda v, d=vocabulary: d.get(v, v) if isinstance(v, str) else v
            )
    if "code" in out:
        out["code"] = out["code"].where(table["code"] != TITLE, LEVELS["title"])
    if "label" in out and "level" in table:
        missing = out["label"].isna() | (out["label"].astype(str).str.strip() == "")
        out["label"] = out["label"].where(~missing | (table["level"] == "title"), NAME_ABSENT)
    for column in out.columns:
        values = out[column]
        if values.dtype == bool or (values.dtype == object and len(values.dropna())
                                    and values.dropna().map(type).eq(bool).all()):  # fmt: skip
            out[column] = values.map(lambda v: YES if v is True or v is np.True_ else "")
    return out.rename(columns=EXPORT_HEADERS)


def _excel_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The ``--excel-fr`` CSV's table: in French, decimals with a comma (« 0,8571428571 »),
    which a French Excel reads as numbers; text that could run as a formula neutralised."""
    out = neutralised_frame(for_people(table))
    for column in out.select_dtypes("float").columns:
        out[column] = plain_decimals(out[column]).str.replace(".", ",", regex=False)
    return out


def _csv(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in out.select_dtypes("float").columns:
        out[column] = plain_decimals(out[column])
    return out


def plain_decimals(values: pd.Series) -> pd.Series:
    """Floats as text a script parses: ``0.8571428571``, never ``1e-05``; empty where NaN.

    pandas writes floats with ``repr``, which switches to scientific notation below 1e-4 (a
    Wilson lower bound of a large group, say) and prints ``-0.0`` for a rounded tiny negative.

    >>> plain_decimals(pd.Series([6 / 7, 1.0, 1e-05, -1e-12, None])).tolist()
    ['0.8571428571', '1.0', '0.00001', '0.0', '']
    """
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    rounded = np.round(numbers, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = pd.Series(np.char.mod(f"%.{DECIMALS}f", rounded), index=values.index, dtype=object)
    text = text.str.rstrip("0").str.replace(r"\.$", ".0", regex=True)
    return text.where(~np.isnan(numbers), "")


def _cell(value: object) -> str:
    if isinstance(value, Mapping):
        return " ; ".join(f"{k} : {v}" for k, v in value.items())
    return str(value)


def _as_text_not_formulas(ws: object) -> None:
    """Text from data that a spreadsheet could run (``=…``, ``-1+cmd|…``) stays text: a
    string cell with the quote prefix, shown as written and never evaluated, even on edit."""
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            if cell.data_type in ("s", "f") and is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _bold_header(ws: object) -> None:
    from openpyxl.styles import Font

    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True)


def _xml_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers an XLSX can hold (control characters escaped, never a crash)."""
    out = table.rename(columns=xml_safe)
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(xml_safe, na_action="ignore")
    return out


def _xlsx(sheets: Mapping[str, pd.DataFrame], path: Path, info: Mapping[str, object]) -> None:
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, table in zip(sheet_names(sheets), sheets.values(), strict=True):
            # formats follow the contract's column names; people read the French version
            shown = _xml_safe(for_people(table))
            shown.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            _bold_header(ws)
            _as_text_not_formulas(ws)
            for position, column in enumerate(table.columns, start=1):
                letter = get_column_letter(position)
                kind = table[column].dtype.kind
                # a kappa's interval is on the kappa's scale (−1 to 1), not a percentage
                percent = column in PERCENT_COLUMNS and not (
                    "kappa" in table.columns and column in ("ci_low", "ci_high"))  # fmt: skip
                fmt = "0.0%" if percent else "0.0000" if column in P_VALUE_COLUMNS else (
                    "0.00" if kind == "f" else "DD/MM/YYYY" if kind == "M" else None)  # fmt: skip
                if fmt:
                    for (cell,) in ws.iter_rows(min_row=2, min_col=position, max_col=position):
                        cell.number_format = fmt
                header = shown.columns[position - 1]
                width = max([len(str(header)), *shown[header].astype(str).str.len().head(200)])
                ws.column_dimensions[letter].width = min(60, max(8, int(np.ceil(width * 1.1))))
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
        pd.DataFrame({"information": [xml_safe(k) for k in info], "valeur": [xml_safe(_cell(v)) for v in info.values()]}
                     ).to_excel(writer, sheet_name="informations", index=False)  # fmt: skip
        _as_text_not_formulas(writer.sheets["informations"])
        _bold_header(writer.sheets["informations"])
        writer.sheets["informations"].freeze_panes = "A2"
        writer.sheets["informations"].column_dimensions["A"].width = 28
        writer.sheets["informations"].column_dimensions["B"].width = 110

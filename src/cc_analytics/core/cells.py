"""Text cells that a spreadsheet must never run: the OWASP rule against CSV injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be
read by Excel or LibreOffice as a formula (``-1+cmd|calc!A0``, ``=HYPERLINK(…)``). Every text
cell cc-analytics writes to a CSV or an XLSX goes through here; numbers are never touched, so a
negative rate stays a number.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Prefixed to a CSV cell's text: spreadsheets then read the whole cell as text.
QUOTE = "'"


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet could read ``value`` as a formula.

    >>> is_formula_like("-1+cmd|calc!A0"), is_formula_like("2024-LYON"), is_formula_like(-0.5)
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralised(value: object) -> object:
    """``value`` as a CSV cell can hold it safely: formula-like text quoted, the rest as is.

    >>> neutralised("=HYPERLINK(\\"http://x\\",1)"), neutralised("Lyon"), neutralised(-3)
    ('\\'=HYPERLINK("http://x",1)', 'Lyon', -3)
    """
    return QUOTE + value if is_formula_like(value) else value  # type: ignore[operator]


#: Characters an XLSX cannot hold (XML 1.0 forbids them): shown as escapes instead.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: object) -> object:
    """Text an XLSX cell can hold: control characters as visible escapes (``\\x1b``).

    >>> xml_safe("a\x1b[31m"), xml_safe(3)
    ('a\\\\x1b[31m', 3)
    """
    if not isinstance(value, str):
        return value
    return _NOT_IN_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def neutralised_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and headers are neutralised; numbers untouched."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            out[column] = values.map(neutralised, na_action="ignore")
    return out.rename(columns=neutralised)

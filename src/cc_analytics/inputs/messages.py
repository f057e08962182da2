"""Row numbers and values as messages quote them: sorted, each once, long lists cut short,
long values too, control characters made visible."""

from __future__ import annotations

from ..core.text import visible

#: Characters of one value or title quoted back: enough to find it in the file, never a whole
#: file read by mistake (a key, a password file).
QUOTE_LIMIT = 60


def rows_text(rows: list[str], limit: int = 15) -> str:
    """Spreadsheet row numbers for a message, sorted, each once.

    >>> rows_text(["9", "2", "5", "2"])
    '2, 5, 9'
    >>> rows_text([str(n) for n in range(2, 20)], limit=3)
    '2, 3, 4 … et 15 autres'
    """
    rows = sorted(dict.fromkeys(rows), key=int)
    shown = ", ".join(rows[:limit])
    more = len(rows) - limit
    return f"{shown} … et {more} autres" if more > 0 else shown


def values_text(values: list[str], limit: int = 8) -> str:
    """Offending values for :attr:`Problem.value` (which the message puts between « »), each
    once, in order, each cut to :data:`QUOTE_LIMIT` characters with its control characters
    made visible.

    >>> values_text(["A", "5", "A"])
    'A », « 5'
    >>> values_text(["x" * 70])
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
    """
    values = list(dict.fromkeys(quoted(v) for v in dict.fromkeys(values)))
    shown = " », « ".join(values[:limit])
    more = len(values) - limit
    return f"{shown} », « … et {more} autres" if more > 0 else shown


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A value or title as a message quotes it: control characters shown as code points, cut
    after ``limit`` characters with « … ».

    >>> quoted("2024\\x1bLYON")
    '2024[U+001B]LYON'
    >>> quoted("0123456789abcdef", limit=10)
    '0123456789…'
    """
    text = visible(str(text))
    return text if len(text) <= limit else text[:limit] + "…"

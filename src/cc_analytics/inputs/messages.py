"""Row numbers and values as messages quote them: sorted, each once, long lists cut short."""

from __future__ import annotations


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
    once, in order.

    >>> values_text(["A", "5", "A"])
    'A », « 5'
    """
    values = list(dict.fromkeys(values))
    shown = " », « ".join(values[:limit])
    more = len(values) - limit
    return f"{shown} », « … et {more} autres" if more > 0 else shown

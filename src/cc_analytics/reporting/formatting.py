"""French number formatting for everything a user reads: ``85,3 %``, ``1 234``, ``−0,09``.

As French typography wants: a no-break space between a number and its unit (``%``, ``pt``), a
narrow no-break space (U+202F) between groups of thousands, a decimal comma and the minus sign
(U+2212, never the hyphen ``-``), so a figure never wraps across lines and reads as a number.

>>> percent(0.853)
'85,3\\xa0%'
>>> percent(None)
'—'
>>> number(1234567)
'1\\u202f234\\u202f567'
>>> decimal(-0.0912)
'−0,09'
>>> shorten("Assurer le suivi de la relation client", 24)
'Assurer le suivi de la…'
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
#: Between groups of thousands (« 5 508 »): narrow, and never a line break.
THIN_NBSP = "\u202f"
MINUS = "\u2212"
MISSING = "—"
ELLIPSIS = "…"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _french(text: str) -> str:
    """``-1,234.5`` as Python writes it → ``−1 234,5``; a negative zero (``-0,0``) loses its
    sign, as a rounded tiny negative means nothing."""
    text = text.replace(",", THIN_NBSP).replace(".", ",")
    if text.startswith("-"):
        text = text[1:] if not text.strip("-0,\u202f") else MINUS + text[1:]
    return text


def percent(rate: object, digits: int = 1) -> str:
    """A rate in [0, 1] as a French percentage."""
    if _missing(rate):
        return MISSING
    return _french(f"{float(rate) * 100:,.{digits}f}") + f"{NBSP}%"  # type: ignore[arg-type]


def number(value: object) -> str:
    """An integer with French thousands separators (``5 508``, ``−3``)."""
    if _missing(value):
        return MISSING
    return _french(f"{round(float(value)):,}")  # type: ignore[arg-type]


def decimal(value: object, digits: int = 2) -> str:
    """A decimal number in French: ``2,43``, ``−0,09``, ``1 234,50``."""
    if _missing(value):
        return MISSING
    return _french(f"{float(value):,.{digits}f}")  # type: ignore[arg-type]


def shorten(text: object, width: int) -> str:
    """``text`` cut on a word boundary to at most ``width`` characters, ending with « … »
    when cut (a word longer than ``width`` is cut inside); the full text belongs in the hover
    and the data table."""
    text = " ".join(str(text or "").split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    if text[width - 1] != " " and " " in head:
        head = head[: head.rfind(" ")]
    return head.rstrip(" ,;:.–—-") + ELLIPSIS


def interval(low: object, high: object, digits: int = 1) -> str:
    """A confidence interval: ``[72,4 % ; 91,0 %]``."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"[{percent(low, digits)} ; {percent(high, digits)}]"


def signed_points(change: object, digits: int = 1) -> str:
    """A change of rate in percentage points: ``+4,2 pts``."""
    if _missing(change):
        return MISSING
    value = round(float(change) * 100, digits)  # type: ignore[arg-type]
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{abs(value):.{digits}f}".replace(".", ",") + f"{NBSP}pt"

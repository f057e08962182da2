"""French number formatting for everything a user reads: ``85,3 %``, ``1 234``, ``2,43``.

A no-break space separates the number from ``%`` and groups thousands, as French typography
wants, so a figure never wraps across lines.

>>> percent(0.853)
'85,3\\xa0%'
>>> percent(None)
'—'
>>> number(1234567)
'1\\xa0234\\xa0567'
>>> decimal(2.4324)
'2,43'
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
MISSING = "—"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def percent(rate: object, digits: int = 1) -> str:
    """A rate in [0, 1] as a French percentage."""
    if _missing(rate):
        return MISSING
    return f"{float(rate) * 100:.{digits}f}".replace(".", ",") + f"{NBSP}%"  # type: ignore[arg-type]


def number(value: object) -> str:
    """An integer with French thousands separators."""
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,}".replace(",", NBSP)  # type: ignore[arg-type]


def decimal(value: object, digits: int = 2) -> str:
    if _missing(value):
        return MISSING
    return f"{float(value):,.{digits}f}".replace(",", NBSP).replace(".", ",")  # type: ignore[arg-type]


def interval(low: object, high: object, digits: int = 1) -> str:
    """A confidence interval: ``[72,4 % ; 91,0 %]``."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"[{percent(low, digits)} ; {percent(high, digits)}]"


def signed_points(change: object, digits: int = 1) -> str:
    """A change of rate in percentage points: ``+4,2 pts``."""
    if _missing(change):
        return MISSING
    value = float(change) * 100  # type: ignore[arg-type]
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):.{digits}f}".replace(".", ",") + f"{NBSP}pt"

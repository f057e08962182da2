"""Canonical referentiel codes.

The source documents spell the same code several ways (``B1.A1.C1 –``, ``B2A2C2 -``,
``B2A3C1-``, ``b3 a3 c4``). Everything inside cc-analytics uses the canonical form: ``B1``,
``B1A1``, ``B1A1C1``.

>>> canonical_code("B1.A1.C1")
'B1A1C1'
>>> canonical_code(" b2a3 ")
'B2A3'
>>> split_code("B3A2C4")
('B3', 'B3A2', 'B3A2C4')
"""

from __future__ import annotations

import re

#: A block, activity or competency code in any spelling seen in the sources.
CODE_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])B\s*\.?\s*(?P<b>\d+)"
    r"(?:\s*\.?\s*A\s*\.?\s*(?P<a>\d+)"
    r"(?:\s*\.?\s*C\s*\.?\s*(?P<c>\d+))?)?(?![0-9])",
    re.IGNORECASE,
)
_FULL = re.compile(rf"^\s*{CODE_PATTERN.pattern}\s*$", re.IGNORECASE)
CANONICAL = re.compile(r"^B\d+(A\d+(C\d+)?)?$")
TITLE_CODE = "TITLE"
#: An official RNCP block code: the fiche number, then ``BC`` and the block's number.
RNCP_BLOCK = re.compile(r"^RNCP\d+BC\d+$")
#: An RNCP fiche number.
RNCP_FICHE = re.compile(r"^RNCP\d+$")


def canonical_code(text: str) -> str | None:
    """The canonical code for ``text``, or ``None`` when it is not a referentiel code."""
    match = _FULL.match(str(text))
    if not match:
        return None
    return _format(match)


def _format(match: re.Match[str]) -> str:
    code = f"B{int(match['b'])}"
    if match["a"]:
        code += f"A{int(match['a'])}"
        if match["c"]:
            code += f"C{int(match['c'])}"
    return code


def split_code(code: str) -> tuple[str, str | None, str | None]:
    """(block, activity, competency) prefixes of a canonical code."""
    match = _FULL.match(code)
    if not match:
        raise ValueError(f"not a referentiel code: {code!r}")
    block = f"B{int(match['b'])}"
    activity = f"{block}A{int(match['a'])}" if match["a"] else None
    competency = f"{activity}C{int(match['c'])}" if match["c"] else None
    return block, activity, competency


def code_level(code: str) -> str:
    """``block``, ``activity`` or ``competency`` for a canonical code."""
    _, activity, competency = split_code(code)
    if competency:
        return "competency"
    return "activity" if activity else "block"


def sort_key(code: str) -> tuple[int, ...]:
    """Natural order: B2 < B10, B1A2C3 < B1A10C1; non-referentiel codes sort by their digits."""
    return tuple(int(n) for n in re.findall(r"\d+", code))

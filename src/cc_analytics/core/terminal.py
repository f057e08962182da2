"""Text for a terminal or a log file, where data must never act.

Names from data (cohorts, sites, dataset folders) reach build logs and error messages. An ANSI
escape could recolour or erase a line, a line feed could forge a « Terminé » line, a bidi mark
could reverse what an operator reads; each is shown as its escape code instead.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, zero-width and bidi formatting characters, the BOM.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_INVISIBLE_BUT_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def printable(text: object, keep_lines: bool = False) -> str:
    """``text`` with every control or invisible formatting character as a visible escape;
    line feeds kept with ``keep_lines`` (a message of several lines).

    >>> printable("2025-LYON\\x1b[2J\\nTerminé")
    '2025-LYON\\\\x1b[2J\\\\x0aTerminé'
    >>> printable("abc\\u202edef")
    'abc\\\\u202edef'
    """
    pattern = _INVISIBLE_BUT_LINES if keep_lines else _INVISIBLE
    return pattern.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

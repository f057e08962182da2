"""Text as schools' files give it: one decoder for bytes, one folding of names.

Every reader (score sheets, referentiel grids, RNCP exports) decodes with :func:`decode`, and
every comparison of a name typed by a person (a column title, an access route, a status, a
file stem) goes through :func:`fold`, so « Voie d'accès », ``voie_d_acces`` and ``VOIE D ACCES``
are the same word everywhere.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Sequence

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Bytes looked at to recognise UTF-16 written without its byte-order mark.
_UTF16_SAMPLE = 4096
#: Characters nobody types in a cell: C0 and C1 controls but tab and line breaks (ANSI escape
#: sequences start with one), and the bidirectional embeddings, overrides and isolates that
#: make a text display in another order than it is stored.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, as Excel's « Texte Unicode » writes
    it, or without), else cp1252 (French Excel's « CSV (séparateur : point-virgule) »); never
    fails.

    A file that is UTF-8 but for some lines (a line added by an editor saving in cp1252) is
    decoded line by line: each line in UTF-8 when it is valid UTF-8, else in cp1252. UTF-8 is
    self-checking (a cp1252 line with an accent is almost never valid UTF-8), so each line gets
    its own encoding back instead of the whole file being read as cp1252 (« ChÃ¢teau »).

    >>> decode("Étienne".encode("cp1252"))
    'Étienne'
    >>> decode("\\ufeffcohorte".encode("utf-8"))
    'cohorte'
    >>> decode("site\\nNantes-Château\\n".encode() + "Évry\\n".encode("cp1252"))
    'site\\nNantes-Château\\nÉvry\\n'
    >>> decode("cohorte;site".encode("utf-16-le"))
    'cohorte;site'
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the NUL bytes are reported by the reader
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _decode_lines(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when a NUL byte sits in every other position (the high
    byte of Latin characters), and almost never in the other ones (as in binary files)."""
    sample = data[: _UTF16_SAMPLE - _UTF16_SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0) / pairs, sample[1::2].count(0) / pairs
    if odd >= 0.5 and even <= 0.05:
        return "utf-16-le"
    if even >= 0.5 and odd <= 0.05:
        return "utf-16-be"
    return None


def _decode_lines(data: bytes) -> str:
    """Bytes that are not UTF-8 as a whole: cp1252, line by line when some lines are UTF-8."""
    utf8 = data.startswith(codecs.BOM_UTF8)
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    texts = []
    for line in lines:
        if line.isascii():
            texts.append(line.decode("ascii"))
            continue
        try:
            texts.append(line.decode("utf-8"))
            utf8 = True
        except UnicodeDecodeError:
            texts.append(line.decode("cp1252", errors="replace"))
    return "\n".join(texts) if utf8 else data.decode("cp1252", errors="replace")


def visible(text: str) -> str:
    """``text`` with every control or bidirectional character written as its code point, so
    that quoting it back (in a terminal, a log, a page) shows it instead of obeying it.

    >>> visible("2024\\x1b[31mLYON")
    '2024[U+001B][31mLYON'
    """
    return CONTROL_CHARACTERS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def ascii_fold(text: object) -> str:
    """``text`` without accents or any other non-ASCII character.

    >>> ascii_fold("Saint-Étienne — Évry")
    'Saint-Etienne  Evry'
    """
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()


def fold(text: object, separator: str = "_") -> str:
    """Lowercase ASCII words joined by ``separator``: how names typed by people are compared.

    >>> fold("Voie d'accès")
    'voie_d_acces'
    >>> fold("  Chargé.e de clientèle ", "-")
    'charge-e-de-clientele'
    """
    return re.sub(r"[^a-z0-9]+", separator, ascii_fold(text).lower()).strip(separator)


def safe_name(text: object) -> str:
    """A file-system-safe name: ASCII letters, digits, ``-`` and ``_`` only, never empty.

    Names from data (cohorts, dataset folders) become file names only through here.

    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    >>> safe_name("Cohorte 2024 — Lyon")
    'Cohorte-2024-Lyon'
    """
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_fold(text)).strip("-_.")
    return cleaned[:80] or "sans-nom"


UNIQUE_NAME_LENGTH = 60


def unique_name(text: str) -> str:
    """A name from data (cohort, site, dataset folder) as a file or folder name: readable, and
    never the same for two different names.

    A name that is already file-safe stays as it is; any other is shortened, made safe and
    followed by a short hash of the name itself.

    >>> unique_name("2024-LYON")
    '2024-LYON'
    >>> unique_name("2025 LYON"), unique_name("2025/LYON")
    ('2025-LYON-ed10055f54', '2025-LYON-596172a94d')
    """
    slug = safe_name(text)
    if slug == text and len(text) <= UNIQUE_NAME_LENGTH:
        return slug
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug[:UNIQUE_NAME_LENGTH]}-{digest}"


def french_list(values: Sequence[object], last: str = "ou") -> str:
    """Values as a French sentence lists them.

    >>> french_list(["FI", "CA", "VAE"])
    'FI, CA ou VAE'
    >>> french_list([6, 24], "et")
    '6 et 24'
    """
    texts = [str(v) for v in values]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} {last} {texts[-1]}"

"""Text as schools' files give it: one decoder for bytes, one folding of names.

Every reader (score sheets, referentiel grids, RNCP exports) decodes with :func:`decode`, and
every comparison of a name typed by a person (a column title, an access route, a status, a
file stem) goes through :func:`fold`, so « Voie d'accès », ``voie_d_acces`` and ``VOIE D ACCES``
are the same word everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's « Texte Unicode »), else cp1252
    (French Excel's « CSV (séparateur : point-virgule) »); never fails.

    >>> decode("Étienne".encode("cp1252"))
    'Étienne'
    >>> decode("\\ufeffcohorte".encode("utf-8"))
    'cohorte'
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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


def french_list(values: Sequence[object], last: str = "ou") -> str:
    """Values as a French sentence lists them.

    >>> french_list(["FI", "CA", "VAE"])
    'FI, CA ou VAE'
    >>> french_list([6, 24], "et")
    '6 et 24'
    """
    texts = [str(v) for v in values]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} {last} {texts[-1]}"

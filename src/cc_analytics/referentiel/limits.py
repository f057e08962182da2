"""How much a referentiel source may hold, and reading a file within that bound.

A referentiel is a few dozen kilobytes (the shipped one is 12 KB, ~500 YAML nodes, 7 levels
deep), an RNCP fiche a few dozen as well. The limits below are far above any real document and
far below what would let a hostile file exhaust memory or time: a file beyond them is refused
with a French message before it is parsed, nothing else happens.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem

#: Largest referentiel YAML file or grid text (bytes).
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: Deepest nesting of YAML lists and mappings (a referentiel needs 7).
MAX_YAML_DEPTH = 20
#: Most YAML values once aliases (``*name``) are expanded (the shipped referentiel has ~500).
MAX_YAML_NODES = 50_000
#: Largest RNCP export: the national export of every fiche is over a gigabyte (~40 KB a fiche).
MAX_XML_BYTES = 4 * 1024**3
#: Largest single element under the export's root: one fiche is kept whole while it is read.
MAX_XML_ELEMENT_BYTES = 4 * 1024 * 1024
#: Deepest XML nesting (an RNCP export needs 6).
MAX_XML_DEPTH = 32


def size_text(size: int) -> str:
    """A byte size as a French reader writes it.

    >>> size_text(2 * 1024 * 1024), size_text(4 * 1024**3)
    ('2 Mo', '4 Go')
    """
    if size >= 1024**3:
        return f"{size // 1024**3} Go"
    return f"{size // (1024 * 1024)} Mo"


def check_regular_file(path: Path, error: type[CcAnalyticsError], what: str) -> None:
    """Refuse a path that is missing, a folder, or not a regular file (a FIFO would block the
    reader forever, a device never ends)."""
    name = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise error(
            Problem("fichier introuvable", file=name, hint=f"Vérifiez le chemin {what}")
        ) from None
    except OSError as exc:
        raise error(
            Problem(
                f"fichier illisible ({exc.strerror or exc.__class__.__name__})",
                file=name,
                hint=f"Vérifiez le chemin et les droits de lecture {what}",
            )
        ) from None
    if stat.S_ISDIR(mode):
        raise error(
            Problem(
                "fichier illisible (c'est un dossier)",
                file=name,
                hint=f"Donnez le chemin du fichier {what}, pas celui d'un dossier",
            )
        )
    if not stat.S_ISREG(mode):
        raise error(
            Problem(
                "ce n'est pas un fichier ordinaire (tube, périphérique ou fichier spécial)",
                file=name,
                hint=f"Donnez le chemin {what} : un fichier ordinaire, ni tube ni périphérique",
            )
        )


def read_limited(
    path: Path, limit: int, error: type[CcAnalyticsError], what: str = "du référentiel"
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; a French refusal otherwise.

    At most ``limit + 1`` bytes are read, whatever the file claims to hold.
    """
    check_regular_file(path, error, what)
    name = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(
            Problem(
                f"fichier illisible ({exc.strerror or exc.__class__.__name__})",
                file=name,
                hint=f"Vérifiez les droits de lecture {what}",
            )
        ) from None
    if len(data) > limit:
        raise error(too_large(name, limit, what))
    return data


def too_large(name: str, limit: int, what: str = "du référentiel") -> Problem:
    return Problem(
        f"fichier trop volumineux pour être celui {what} (plus de {size_text(limit)})",
        file=name,
        hint="Vérifiez qu'il s'agit du bon fichier : un référentiel fait quelques dizaines de Ko",
    )

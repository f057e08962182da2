"""Read a referentiel from any source document, the format detected from the content.

Known formats: the cc-analytics YAML file, France Compétences' RNCP export (XML), and
referentiel grids in the official table's text format (see :mod:`.grid`).
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputFileError, Problem
from ..core.text import decode
from . import model as ref
from .limits import check_regular_file

YAML, RNCP, GRID = "yaml", "rncp", "grid"


def detect_format(path: str | Path) -> str:
    """``yaml``, ``rncp`` or ``grid``; a clear error for anything else."""
    path = Path(path)
    head = _head(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        from .rncp import looks_like_rncp_export

        if looks_like_rncp_export(head):
            return RNCP
        raise InputFileError(
            Problem(
                "ce fichier XML n'est pas un export RNCP de France Compétences "
                "(élément racine <FICHES> ou <FICHE> attendu)",
                file=str(path),
                hint="Téléchargez l'export « flux XML » du RNCP sur le site de France Compétences",
            )
        )
    text = _decode(head)
    if text is not None:
        if "format: cc-analytics.referentiel" in text or (
            "\nblocks:" in text or text.startswith("blocks:")
        ):
            return YAML
        from .grid import looks_like_grid

        if looks_like_grid(text):
            return GRID
    raise InputFileError(
        Problem(
            "format de référentiel inconnu",
            file=str(path),
            hint="Formats acceptés : export XML du RNCP, tableau référentiel au format texte "
            "(colonnes séparées par des tabulations), fichier YAML cc-analytics",
        )
    )


def read_source(path: str | Path, fiche: str | None = None) -> ref.Referentiel:
    """Import a referentiel from ``path`` whatever its format."""
    fmt = detect_format(path)
    if fiche is not None and fmt != RNCP:
        raise InputFileError(
            Problem(
                "l'option --fiche ne s'applique qu'à un export RNCP",
                file=str(path),
                hint="Retirez --fiche, ou donnez un export XML du RNCP",
            )
        )
    if fmt == RNCP:
        from .rncp import read_fiche

        return read_fiche(path, fiche)
    if fmt == GRID:
        from .grid import read_grid

        return read_grid(path)
    return ref.load(path)


def _head(path: Path, size: int = 1 << 16) -> bytes:
    check_regular_file(path, InputFileError, "du référentiel")
    try:
        with path.open("rb") as handle:
            head = handle.read(size)
    except PermissionError:
        raise InputFileError(
            Problem(
                "fichier illisible (droits d'accès insuffisants)",
                file=str(path),
                hint="Vérifiez les droits du fichier",
            )
        ) from None
    except OSError as exc:
        raise InputFileError(
            Problem(f"fichier illisible ({exc.strerror})", file=str(path))
        ) from None
    if not head.strip():
        raise InputFileError(
            Problem(
                "fichier vide", file=str(path), hint="Vérifiez que le bon fichier a été exporté"
            )
        )
    return head


def _decode(head: bytes) -> str | None:
    """The text of a file's head; ``None`` for binary content (NUL bytes, but for UTF-16
    text, which starts with its byte-order mark)."""
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return decode(head)

"""Atomic writes: an output is either the previous good version or the complete new one.

Everything cc-analytics writes (processed tables, reports, exports) goes through here, so a
run that fails half-way leaves the last good output intact.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import CcAnalyticsError, Problem

#: Kernel file systems: files there are not files (and writing may do things).
VIRTUAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))


def unwritable(path: str | Path, directory: bool = False, outside_raw: bool = False) -> str | None:
    """Why ``path`` cannot receive an output file (or folder, with ``directory``), in French;
    ``None`` when it can. Checked before any work, so a wrong ``--out`` costs nothing.

    >>> unwritable("/proc/x.csv")
    "/proc/x.csv est dans /proc, un dossier système où l'on n'écrit pas de fichiers"
    """
    target = Path(os.path.abspath(path))
    real = target.resolve()
    for root in VIRTUAL_ROOTS:
        if real == root or root in real.parents:
            return f"{target} est dans {root}, un dossier système où l'on n'écrit pas de fichiers"
    raw = next((a for a in (target, *target.parents)
                if a.name == "raw" and a.parent.name == "data"), None)  # fmt: skip
    if outside_raw and raw is not None:  # a command's output (init writes the demo there)
        return (f"{target} est dans {raw} : les données d'origine ne sont jamais modifiées ; "
                "écrivez ailleurs (par exemple dans reports/)")  # fmt: skip
    if target.exists():
        if not directory and target.is_file() and not os.access(target, os.W_OK):
            return f"{target} est protégé en écriture : il n'est pas remplacé"
        if directory and not target.is_dir():
            return f"{target} existe et n'est pas un dossier"
        if not directory and target.is_dir():
            return f"{target} est un dossier : donnez un nom de fichier dans ce dossier"
        if not directory and not target.is_file():
            return f"{target} n'est pas un fichier ordinaire"
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} n'est pas un dossier : {target} ne peut pas y être créé"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"pas le droit d'écrire dans {ancestor}"
    return None


def _cannot_write(path: Path, exc: OSError) -> CcAnalyticsError:
    return CcAnalyticsError(Problem(
        "écriture impossible", file=str(path), value=exc.strerror or type(exc).__name__,
        hint="Vérifiez le chemin de sortie, les droits sur le dossier et la place disque ; "
             "la sortie précédente, s'il y en avait une, est intacte",
    ))  # fmt: skip


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    A path that cannot be written is a French error (:class:`CcAnalyticsError`), before the
    block runs when that can be known."""
    path = Path(path)
    if (reason := unwritable(path)) is not None:
        raise CcAnalyticsError(Problem("écriture impossible", value=reason))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``path`` as a whole."""
    path = Path(path)
    if (reason := unwritable(path, directory=True)) is not None:
        raise CcAnalyticsError(Problem("écriture impossible", value=reason))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old.{os.getpid()}")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

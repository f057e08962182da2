"""One writer at a time per output folder: a lock file, taken at once or awaited.

``cc-analytics build`` holds it for its whole run, and so does ``cc-analytics report`` (on the
folder the workspace's build writes to): a report written during a build could land on a page
the build is writing, or gate the processed tables the build is reading.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem

LOCK_FILE = ".cc-analytics-build.lock"


@contextlib.contextmanager
def build_lock(output: Path, wait: float = 0, *, command: str = "build") -> Iterator[None]:
    """Hold the lock of ``output`` for the block; wait at most ``wait`` seconds for it.

    ``command`` (``build`` or ``report``) words the refusal for whoever is refused.
    """
    from filelock import FileLock, Timeout

    output.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(output / LOCK_FILE))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if wait <= 0:
                raise
            print(f"Une autre construction est en cours sur {output} : attente "
                  f"(au plus {wait:g} s)…", file=sys.stderr, flush=True)  # fmt: skip
            lock.acquire(timeout=wait)
    except Timeout:
        raise CcAnalyticsError(_refusal(output, command)) from None
    try:
        yield
    finally:
        lock.release()


def _refusal(output: Path, command: str) -> Problem:
    if command == "report":
        return Problem(
            "rapport non produit : une construction (cc-analytics build) ou un autre rapport "
            "est en train d'écrire dans ce dossier", file=str(output),
            hint="Rien n'a été écrit ; relancez cette commande quand la construction sera "
                 "terminée (quelques minutes en général)",
        )  # fmt: skip
    return Problem(f"une autre construction est en cours sur {output} (verrou {LOCK_FILE}) ; "
                   "réessayez plus tard ou ajoutez --wait 600")  # fmt: skip

"""One main job at a time per output folder: a lock file, taken at once or awaited."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import CcAnalyticsError

LOCK_FILE = ".cc-analytics-build.lock"


@contextlib.contextmanager
def build_lock(output: Path, wait: float = 0) -> Iterator[None]:
    """Hold the lock of ``output`` for the block; wait at most ``wait`` seconds for it."""
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
        raise CcAnalyticsError(
            f"une autre construction est en cours sur {output} (verrou {LOCK_FILE}) ; "
            "réessayez plus tard ou ajoutez --wait 600"
        ) from None
    try:
        yield
    finally:
        lock.release()

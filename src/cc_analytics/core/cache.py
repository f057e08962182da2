"""Files read once per version: a reader's result kept while the file does not change."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def per_file_version(read: Callable[[Path], T], maxsize: int = 32) -> Callable[[Path], T]:
    """``read`` remembered per file and version (size and modification time): a file read
    again unchanged gives the same object, an edited one is read anew. What ``read`` returns
    must not be modified by its callers. A failure is never remembered.
    """

    @functools.lru_cache(maxsize=maxsize)
    def cached(name: str, version: tuple[int, int] | None) -> T:
        return read(Path(name))

    @functools.wraps(read)
    def reader(path: Path) -> T:
        try:
            stat = path.stat()
            version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            version = None  # the reader says, in its words, what is wrong with the path
        return cached(str(path), version)

    return reader

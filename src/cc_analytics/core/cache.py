"""Files read once per version, and the reset that gives a warm report kernel the package's
state as it was before any report ran.

A report kernel is kept running between reports (see ``reporting.render``). Before each
report it forgets everything the previous one left: IPython's namespace, and here every
module of the package as it was once imported (names rebound or added since, module-level
dicts, lists and sets changed in place, modules imported since, every ``functools`` cache and
every :func:`per_file_version` reader emptied), the environment and the working folder.
"""

from __future__ import annotations

import copy
import functools
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")
PACKAGE = __name__.split(".")[0]
#: Module-level values whose content is put back in place (the same object stays bound).
_CONTAINERS = (dict, list, set)


def per_file_version(read: Callable[[Path], T], maxsize: int = 32) -> Callable[[Path], T]:
    """``read`` remembered per file and version (size and modification time): a file read
    again unchanged gives the same object, an edited one is read anew. What ``read`` returns
    must not be modified by its callers. A failure is never remembered. ``cache_clear()``
    forgets every file (as :func:`clear_caches` does).
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

    reader.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    reader.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return reader


def our_modules() -> dict[str, ModuleType]:
    """The package's modules imported in this process."""
    return {name: module for name, module in list(sys.modules.items())
            if module is not None and (name == PACKAGE or name.startswith(PACKAGE + "."))}  # fmt: skip


def clear_caches() -> int:
    """Empty every cache of the package's functions, methods and readers; how many."""
    cleared = 0
    for module in our_modules().values():
        for value in list(vars(module).values()):
            holders = [value]
            if isinstance(value, type) and value.__module__ == module.__name__:
                holders += list(vars(value).values())  # cached methods of our classes
            for holder in holders:
                target = getattr(holder, "__func__", holder)  # classmethod, staticmethod
                clear = getattr(target, "cache_clear", None)
                if callable(clear) and not isinstance(target, type):
                    clear()
                    cleared += 1
    return cleared


class ModuleState:
    """The package's modules as imported, to be put back between two reports."""

    def __init__(self) -> None:
        self.modules: dict[str, tuple[ModuleType, dict[str, Any], dict[str, Any]]] = {}
        self.environ: dict[str, str] = {}
        self.cwd = ""

    def remember(self) -> None:
        """Take the state to come back to: call once every module a report uses is imported."""
        self.modules = {}
        for name, module in our_modules().items():
            names = {k: v for k, v in vars(module).items() if not k.startswith("__")}
            contents = {k: copy.copy(v) for k, v in names.items() if type(v) in _CONTAINERS}
            self.modules[name] = (module, names, contents)
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()

    def restore(self) -> None:
        """Back to the remembered state; every cache empty."""
        for name in set(our_modules()) - set(self.modules):
            del sys.modules[name]  # imported since: imported afresh when next needed
        for name, (module, names, contents) in self.modules.items():
            sys.modules[name] = module
            current = vars(module)
            for key in [k for k in current if not k.startswith("__") and k not in names]:
                del current[key]
            current.update(names)
            for key, saved in contents.items():
                _refill(names[key], saved)
        clear_caches()
        os.environ.clear()
        os.environ.update(self.environ)
        os.chdir(self.cwd)
        gc.collect()


def _refill(container: Any, saved: Any) -> None:
    """Put ``saved``'s content back into ``container`` (the same object, so that every
    reference to it sees the content as remembered)."""
    if isinstance(container, dict):
        container.clear()
        container.update(saved)
    elif isinstance(container, list):
        container[:] = saved
    else:
        container.clear()
        container |= saved


#: The state a warm report kernel comes back to (taken in the kernel, once warm).
MODULE_STATE = ModuleState()

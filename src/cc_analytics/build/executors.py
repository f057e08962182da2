"""Where reports run: worker processes on this machine, or a Dask cluster.

One small interface, a ``concurrent.futures.Executor`` used as a context manager, whatever
runs behind it: ``local`` (one process per core by default) or ``dask:ADDRESS``.

Local workers die with the build that started them: a build killed with ``kill -9`` releases
its lock at once, and a worker left running would go on writing reports beside the next build
(then idle for minutes, a few hundred MB each). On Linux the kernel kills each worker when its
parent dies (``PR_SET_PDEATHSIG``); everywhere, a watchdog thread in the worker exits as soon as
its parent changes. The notebooks' kernels, started by the workers, stop on their own when
their worker is gone (ipykernel's parent poller, within a second).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

from ..core.errors import CcAnalyticsError

#: How often a worker's watchdog looks at its parent (seconds).
WATCH_INTERVAL = 0.2
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def local_executor(jobs: int = 0) -> ProcessPoolExecutor:
    """Worker processes on this machine, tied to this process; ``jobs`` 0: one per core."""
    # fork on Linux (the default there until Python 3.14): each worker is this process's own
    # child, which the parent-death signal and the watchdog below rely on (a forkserver would
    # be the workers' parent instead)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    return ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, mp_context=context,
                               initializer=bind_to_parent, initargs=(os.getpid(),))  # fmt: skip


def bind_to_parent(parent: int) -> None:
    """Run first in every worker: the worker dies when process ``parent`` (the build) does."""
    _parent_death_signal()
    if os.getppid() != parent:  # the build died before the signal was set: nobody to serve
        os._exit(1)
    watchdog = threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                                name="cc-analytics-parent-watchdog")  # fmt: skip
    watchdog.start()


def parent_alive(parent: int) -> bool:
    """Whether the process that started this worker is still its parent (an orphan is
    adopted by another process at once)."""
    return os.getppid() == parent


def _parent_death_signal() -> None:
    """Ask Linux to SIGKILL this process when its parent dies; nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # no libc: the watchdog still runs
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(parent: int) -> None:
    """Exit at once, whatever the worker is doing, when the build is gone (any system)."""
    while parent_alive(parent):
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def make_executor(
    spec: str = "local", jobs: int = 0
) -> contextlib.AbstractContextManager[Executor]:
    """The executor ``spec`` names (``local`` or ``dask:tcp://host:8786``)."""
    if spec == "local":
        return local_executor(jobs)
    if spec.startswith("dask:"):
        return _dask_executor(spec.removeprefix("dask:"))
    raise CcAnalyticsError(f"--executor : « {spec} » inconnu ; local ou dask:ADRESSE")


def _dask_executor(address: str) -> contextlib.AbstractContextManager[Executor]:
    try:
        from distributed import Client
    except ImportError:
        raise CcAnalyticsError(
            "--executor dask demande l'extra « dask » : pip install 'cc-analytics[dask]'"
        ) from None
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise CcAnalyticsError(
            f"--executor : cluster Dask injoignable à « {address} » ({exc}) ; vérifiez "
            "l'adresse du scheduler (ex. dask:tcp://hôte:8786) et qu'il tourne"
        ) from None

    @contextlib.contextmanager
    def executor() -> Iterator[Executor]:
        try:
            yield client.get_executor()
        finally:
            client.close()

    return executor()

"""Where reports run: worker processes on this machine, or a Dask cluster.

One small interface, a ``concurrent.futures.Executor`` used as a context manager, whatever
runs behind it: ``local`` (one process per core by default) or ``dask:ADDRESS``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

from ..core.errors import CcAnalyticsError


def local_executor(jobs: int = 0) -> ProcessPoolExecutor:
    """Worker processes on this machine; ``jobs`` 0: one per core."""
    return ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1)


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

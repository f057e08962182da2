"""Benchmark: the memory of ``ingest`` step by step, on a workspace ``bench_pipeline.py`` wrote.

Runs ``ingest_dataset`` on ``large-SIZE`` of the workspace (written by ``bench_pipeline.py
--data DIR``) in this process, as the command line does (``rfc3987-syntax`` skipped), while a
thread samples the resident size every 50 ms; each progress line the ingest shows (reading
each file, the checks, the typed tables, the writing) marks a step. Prints, per step, the most
resident memory above the size once the library is imported (MB = 2**20 bytes), and when Great
Expectations' import (in a thread of its own) ran::

    .venv/bin/python bench/bench_pipeline.py --sizes 1000000 --data /tmp/cc-bench --runs duckdb
    .venv/bin/python bench/bench_memory.py --size 1000000 --data /tmp/cc-bench

Linux only (``/proc/self/statm``). Not a unit test: run it by hand.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cc_analytics.core.startup import skip_unused_imports

MB = 2**20
PAGE = 4096


def resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="candidates of large-SIZE")
    parser.add_argument("--data", type=Path, required=True, help="bench_pipeline's workspace")
    args = parser.parse_args(argv)
    skip_unused_imports()

    from cc_analytics.core import terminal
    from cc_analytics.gate import validation
    from cc_analytics.gate.pipeline import ingest_dataset
    from cc_analytics.workspace.catalog import Workspace

    catalog = Workspace.at(str(args.data)).dataset(f"large-{args.size}")
    if not catalog.raw.is_dir():
        parser.error(f"{catalog.raw} missing: write it with bench_pipeline.py --data")
    shutil.rmtree(catalog.processed, ignore_errors=True)

    start, base = time.perf_counter(), resident_mb()
    marks: list[tuple[float, str]] = []
    samples: list[tuple[float, float]] = []

    def sample() -> None:
        while True:
            samples.append((time.perf_counter() - start, resident_mb() - base))
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    step = terminal.Progress.step

    @contextmanager
    def marked(self, label: str, *rest, **options) -> Iterator[None]:  # type: ignore[no-untyped-def]
        marks.append((time.perf_counter() - start, label))
        with step(self, label, *rest, **options):
            yield

    terminal.Progress.step = marked  # type: ignore[method-assign]
    warm = validation._warm_gx

    def timed_warm() -> None:
        began = time.perf_counter() - start
        warm()
        marks.append(
            (began, f"(Great Expectations imported until {time.perf_counter() - start:.1f} s)")
        )

    validation._warm_gx = timed_warm
    ingest_dataset(catalog)
    end = time.perf_counter() - start
    time.sleep(0.1)

    steps = sorted(m for m in marks if not m[1].startswith("("))
    print(f"ingest of large-{args.size}: {end:.1f} s, resident {base:.0f} MB after imports")
    print(f"{'from s':>7}  {'step':<58} {'most MB':>8}")
    for (began, label), (until, _) in zip(steps, [*steps[1:], (end, "")], strict=True):
        inside = [mb for at, mb in samples if began <= at <= until]
        print(f"{began:7.1f}  {label:<58} {max(inside, default=0.0):8.0f}")
    print(*(label for _, label in marks if label.startswith("(")), sep="\n")
    print(f"most above the imports: {max(mb for _, mb in samples):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the whole path a user waits for, from a school's CSV files to every metric,
cc-analytics against DuckDB loading the same CSV files.

For each size, ``cc_analytics.demo.generate_large(size, seed)`` is written as a school keeps
it (``write_dataset(layout="long")``: ``candidates.csv``, a long ``scores.csv``,
``insertion.csv``; semicolons, BOM, CRLF) into a workspace, once (``--data`` keeps it for
later runs). Each measurement then runs in its own freshly spawned process:

- ``cc-analytics``: import the library; ``ingest_dataset`` (read every file, the validation
  gate — Great Expectations imported there, as on the command line, while the files are read
  — the typed tables written as Parquet); the processed tables read
  back (``read_tables`` after ``current_inputs``, the raw files checked unchanged, as every
  command does: hashed again only when their size or modification time moved); every
  per-cohort competency, block and title metric (``compute_results`` then ``aggregate(by=
  ["cohort"])``);
- ``validate``: ``gate_dataset`` alone (what ``cc-analytics validate`` does), in a process of
  its own, Great Expectations imported first (its ~300 MB are then left out of the peak);
- ``duckdb``: import DuckDB, load ``candidates.csv`` and ``scores.csv`` into tables
  (``read_csv``, types detected), run ``bench_metrics.SQL``.

Both outputs must give identical numbers (``bench_metrics.compare``). Peak memory is
``ru_maxrss`` above the resident size once the imports are done (high-water mark reset there,
Linux ``/proc/self/clear_refs``), against the data's in-memory size as ``bench_metrics`` counts
it (``memory_usage(deep=True)`` of the generated candidates + scores).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_pipeline.py --sizes 100000            # about 2 minutes
    .venv/bin/python bench/bench_pipeline.py --sizes 100000,1000000

Prints a side-by-side table and writes ``bench/results/pipeline.json`` (MB = 2**20 bytes).
Goals: the whole path at most 3× DuckDB's, at 100,000 and 1,000,000 candidates; peak memory
under 3× the data's in-memory size. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from cc_analytics.core.startup import skip_unused_imports

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import (
    MB,
    SQL,
    _normalise,
    _peak,
    _referentiel_table,
    _reset_peak,
    _resident,
    _versions,
    compare,
)

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"
RUNS = ("cc-analytics", "validate", "duckdb")


# -- the data, written once per size ----------------------------------------------------------
def write_data(size: int, seed: int, workspace: str) -> dict:
    """A workspace with the dataset ``large-SIZE`` as CSV files; its sizes."""
    from cc_analytics.demo import generate_large, write_dataset
    from cc_analytics.referentiel import load

    referentiel = load()
    data = generate_large(size, seed=seed, referentiel=referentiel)
    folder = Path(workspace) / "data" / "raw" / f"large-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_dataset(data, folder, layout="long", referentiel=referentiel)
    return {
        "candidates": size,
        "score_rows": len(data.scores),
        "data_mb": (data.candidates.memory_usage(deep=True).sum()
                    + data.scores.memory_usage(deep=True).sum()) / MB,
        "csv_mb": sum(p.stat().st_size for p in paths) / MB,
    }  # fmt: skip


def _dataset_ready(workspace: Path, size: int) -> bool:
    folder = workspace / "data" / "raw" / f"large-{size}"
    return all((folder / f).is_file() for f in ("candidates.csv", "scores.csv", "insertion.csv"))


# -- the measurements, each in a fresh process ------------------------------------------------
class _Clock:
    """Phase timings and the memory high-water mark above the resident size after imports."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.start = self.last = time.perf_counter()
        self.baseline = 0

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        self.last = now

    def imported(self) -> None:
        self.lap("import")
        self.baseline = _resident() if _reset_peak() else _peak()

    def result(self, **extra) -> dict:
        return {"phases_s": self.phases, "time_s": time.perf_counter() - self.start,
                "peak_mb": (_peak() - self.baseline) / MB, **extra}  # fmt: skip


def _allow_big_files(workspace: str, size: int) -> float | None:
    """Raise the package's CSV bound (``MAX_CSV_BYTES``, 2 GiB) in this process when one of
    the dataset's files exceeds its bound (none does up to 1,000,000 candidates: 1.4 GB). The
    new bound (MB) is recorded with the row; ``None`` when the bound was not touched."""
    from cc_analytics.inputs import folder

    files = list((Path(workspace) / "data" / "raw" / f"large-{size}").iterdir())
    if all(p.stat().st_size <= folder.max_bytes(p) for p in files):
        return None
    folder.MAX_CSV_BYTES = max(p.stat().st_size for p in files)
    return folder.MAX_CSV_BYTES / MB


def run_cc_analytics(workspace: str, size: int, out: str) -> dict:
    clock = _Clock()
    skip_unused_imports()  # as the command line does first
    from cc_analytics.engine.aggregates import aggregate
    from cc_analytics.engine.results import compute_results
    from cc_analytics.engine.rules import Rules
    from cc_analytics.gate.pipeline import ingest_dataset
    from cc_analytics.inputs.folder import locate
    from cc_analytics.workspace.catalog import Workspace
    from cc_analytics.workspace.processed import current_inputs, read_tables

    catalog = Workspace.at(workspace).dataset(f"large-{size}")
    raised = _allow_big_files(workspace, size)
    clock.imported()
    gated, _ = ingest_dataset(catalog)
    referentiel = gated.tables.referentiel
    del gated
    clock.lap("validate + ingest")
    files = locate(catalog.raw)
    tables, _ = read_tables(catalog, current_inputs(catalog, files), referentiel)
    clock.lap("read processed")
    results = compute_results(tables.candidates, tables.scores, referentiel, Rules())
    table = aggregate(results, referentiel, by=["cohort"])
    clock.lap("metrics")
    _normalise(table).to_parquet(out)
    return clock.result(metric_rows=len(table), file_limit_raised_mb=raised)


def run_validate(workspace: str, size: int, out: str) -> dict:
    clock = _Clock()
    skip_unused_imports()  # as the command line does first
    from cc_analytics.gate.gx import _import_gx
    from cc_analytics.gate.pipeline import gate_dataset
    from cc_analytics.workspace.catalog import Workspace

    _import_gx()  # here before the baseline: the peak is the gate's, not the import's (~300 MB)
    catalog = Workspace.at(workspace).dataset(f"large-{size}")
    raised = _allow_big_files(workspace, size)
    clock.imported()
    gate_dataset(catalog)
    clock.lap("validate")
    return clock.result(file_limit_raised_mb=raised)


def run_duckdb(workspace: str, size: int, out: str) -> dict:
    clock = _Clock()
    import duckdb

    from cc_analytics.engine.rules import Rules
    from cc_analytics.referentiel import load

    referentiel = _referentiel_table(load())
    folder = Path(workspace) / "data" / "raw" / f"large-{size}"
    clock.imported()
    con = duckdb.connect()
    for name in ("candidates", "scores"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?)",
                    [str(folder / f"{name}.csv")])  # fmt: skip
    con.register("referentiel", referentiel)
    clock.lap("load CSV")
    table = con.sql(SQL.format(threshold=int(Rules().threshold))).df()
    clock.lap("metrics")
    _normalise(table).to_parquet(out)
    return clock.result(metric_rows=len(table))


MEASURES = {"cc-analytics": run_cc_analytics, "validate": run_validate, "duckdb": run_duckdb}


# -- the run ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="numbers of candidates")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", default=",".join(RUNS), help="what to measure")
    parser.add_argument("--data", type=Path, default=None,
                        help="workspace kept for later runs (default: a temporary one)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = args.runs.split(",")

    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workspace = args.data or Path(tmp) / "workspace"
        for size in sizes:
            data = _data(workspace, size, args.seed)
            tables = {}
            for run in runs:
                out = str(Path(tmp) / f"{run}-{size}.parquet")
                _fresh_processed(workspace, size)
                # a fresh process per measurement: its imports and peak are its own
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    row = pool.submit(MEASURES[run], str(workspace), size, out).result()
                row.update(run=run, **data)
                rows.append(row)
                if Path(out).exists():
                    tables[run] = pd.read_parquet(out)
                phases = ", ".join(f"{k} {v:.2f} s" for k, v in row["phases_s"].items())
                print(f"  {run} {size:,}: {row['time_s']:.2f} s ({phases})", flush=True)
                if row.get("file_limit_raised_mb"):
                    print(f"    (per-file bound raised to {row['file_limit_raised_mb']:.0f} MB in "
                          "this measurement: the package refuses CSV files over 2 GiB)")  # fmt: skip
            _compare(rows, tables, size)
    print(_table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "CSV files to every per-cohort metric: validate + ingest + metrics",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "versions": _versions(("numpy", "pandas", "pyarrow", "great_expectations", "duckdb")),
        "rows": rows,
    }  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")
    return 0 if all(row.get("identical", True) for row in rows) else 1


def _data(workspace: Path, size: int, seed: int) -> dict:
    """The dataset's sizes, written first unless a kept workspace already has it."""
    info = workspace / f"large-{size}.json"
    if _dataset_ready(workspace, size) and info.is_file():
        data = json.loads(info.read_text())
        if data.get("seed") == seed:
            return data["sizes"]
    start = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        sizes = pool.submit(write_data, size, seed, str(workspace)).result()
    info.write_text(json.dumps({"seed": seed, "sizes": sizes}) + "\n")
    print(f"  data {size:,}: {sizes['score_rows']:,} score rows, {sizes['csv_mb']:.0f} MB of CSV "
          f"written in {time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    return sizes


def _fresh_processed(workspace: Path, size: int) -> None:
    """No processed tables nor validation report left by an earlier run."""
    for folder in ("data/processed", "reports"):
        shutil.rmtree(workspace / folder, ignore_errors=True)


def _compare(rows: list[dict], tables: dict[str, pd.DataFrame], size: int) -> None:
    """Identical numbers, and each run's time against DuckDB's whole path."""
    duckdb = next((r for r in rows if r["run"] == "duckdb" and r["candidates"] == size), None)
    for row in (r for r in rows if r["candidates"] == size):
        if row["run"] in tables and "duckdb" in tables and row["run"] != "duckdb":
            difference = compare(tables["duckdb"], tables[row["run"]])
            row["identical"], row["difference"] = not difference, difference
        if duckdb is not None:
            row["time_vs_duckdb"] = row["time_s"] / duckdb["time_s"]
        row["peak_over_data"] = row["peak_mb"] / row["data_mb"]


def _table(rows: list[dict]) -> str:
    phases = list(dict.fromkeys(p for r in rows for p in r["phases_s"]))
    header = (f"{'run':<14}{'candidates':>11}{'score rows':>12}"
              + "".join(f"{p:>19}" for p in phases)
              + f"{'total s':>9}{'×duckdb':>9}{'peak MB':>9}{'data MB':>9}{'peak/data':>10}"
              f"{'identical':>10}")  # fmt: skip
    lines = [header, "-" * len(header)]
    for r in rows:
        cells = "".join(f"{r['phases_s'][p]:>19.2f}" if p in r["phases_s"] else f"{'-':>19}"
                        for p in phases)  # fmt: skip
        ratio = f"{r['time_vs_duckdb']:.2f}" if "time_vs_duckdb" in r else "-"
        same = {True: "yes", False: "no"}.get(r.get("identical"), "-")
        lines.append(f"{r['run']:<14}{r['candidates']:>11,}{r['score_rows']:>12,}{cells}"
                     f"{r['time_s']:>9.2f}{ratio:>9}{r['peak_mb']:>9.0f}{r['data_mb']:>9.0f}"
                     f"{r['peak_over_data']:>10.2f}{same:>10}")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

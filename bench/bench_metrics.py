"""Benchmark: every per-cohort metric, cc-analytics (pandas/numpy) against DuckDB SQL.

For each size, the data come from ``cc_analytics.demo.generate_large(size, seed)`` (20
competencies, jury and employer scores: about 40 score rows per candidate). Each engine runs in
its own freshly spawned process, which generates the same data (same seed), then computes, best
of ``--repeat`` runs:

- ``pandas``: ``compute_results(candidates, scores, referentiel, Rules())`` followed by
  ``aggregate(results, referentiel, by=["cohort"])``;
- ``duckdb``: :data:`SQL`, the same rules written as SQL over the same pandas DataFrames,
  registered in an in-memory DuckDB connection.

Peak memory is ``ru_maxrss`` above the process's resident size once the data are loaded; the
high-water mark is reset at that point (Linux ``/proc/self/clear_refs``) so that the data
generation's own peak does not hide the computation's. Both engines must give identical
numbers: n and k exactly, for every cohort × competency, block and title, the distribution of
final jury scores exactly, the mean jury score within 1e-9.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_metrics.py --sizes 100000,1000000 --repeat 3

Prints a table and writes it to ``bench/results/metrics.json`` (MB = 2**20 bytes). DuckDB is
needed only here. Goals: the pandas engine no slower than DuckDB, and its peak under 3× the
input's in-memory size (``memory_usage(deep=True)`` of candidates + scores). See README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

ENGINES = ("pandas", "duckdb")
RESULTS = Path(__file__).resolve().parent / "results" / "metrics.json"
MB = 1024 * 1024
MEAN_TOLERANCE = 1e-9
KEYS = ["cohort", "level", "code"]
COUNTS = ["n", "k", *(f"score_{s}" for s in range(5))]

#: The rules of ``cc_analytics.engine.results`` and ``cc_analytics.engine.aggregates`` (co-validation),
#: in SQL. ``{threshold}`` is the acquisition threshold. Tables: ``scores`` and
#: ``candidates`` (the canonical tables), ``referentiel`` (competency, block).
SQL = """
WITH final AS MATERIALIZED (
    -- final score per candidate × competency × evaluator: the latest session with a score;
    -- a row without a date counts as the earliest session
    SELECT candidate_id, competency,
        arg_max(score, day) FILTER (WHERE evaluator IS DISTINCT FROM 'entreprise') AS jury,
        arg_max(score, day) FILTER (WHERE evaluator = 'entreprise') AS employer
    FROM (
        SELECT candidate_id, competency, evaluator, score,
            coalesce(session_date::DATE, DATE '-infinity') AS day
        FROM scores
        WHERE score IS NOT NULL
    )
    GROUP BY candidate_id, competency
),
evaluated AS (
    -- evaluated = has a jury score; acquired = jury ≥ t and, if the employer scored, employer ≥ t
    SELECT f.candidate_id, f.competency::VARCHAR AS competency, r.block, f.jury,
        f.jury >= {threshold} AND (f.employer IS NULL OR f.employer >= {threshold}) AS acquired
    FROM final AS f
    JOIN referentiel AS r ON r.competency = f.competency::VARCHAR
    WHERE f.jury IS NOT NULL
),
block_size AS (
    SELECT block, count(*) AS size FROM referentiel GROUP BY block
),
presented_block AS (
    -- presented = at least one jury score in the block; validated = every competency acquired
    SELECT e.candidate_id, e.block, count_if(e.acquired) = any_value(b.size) AS validated
    FROM evaluated AS e
    JOIN block_size AS b USING (block)
    GROUP BY e.candidate_id, e.block
),
presented_title AS (
    SELECT candidate_id,
        count_if(validated) = (SELECT count(*) FROM block_size) AS obtained
    FROM presented_block
    GROUP BY candidate_id
),
cohorts AS (
    SELECT DISTINCT cohort::VARCHAR AS cohort FROM candidates
),
competency_counts AS (
    SELECT c.cohort::VARCHAR AS cohort, e.competency AS code,
        count(*) AS n, count_if(e.acquired) AS k, avg(e.jury) AS mean_score,
        count_if(e.jury = 0) AS score_0, count_if(e.jury = 1) AS score_1,
        count_if(e.jury = 2) AS score_2, count_if(e.jury = 3) AS score_3,
        count_if(e.jury = 4) AS score_4
    FROM evaluated AS e
    JOIN candidates AS c USING (candidate_id)
    GROUP BY ALL
),
block_counts AS (
    SELECT c.cohort::VARCHAR AS cohort, b.block AS code,
        count(*) AS n, count_if(b.validated) AS k
    FROM presented_block AS b
    JOIN candidates AS c USING (candidate_id)
    GROUP BY ALL
),
title_counts AS (
    SELECT c.cohort::VARCHAR AS cohort, 'TITLE' AS code,
        count(*) AS n, count_if(t.obtained) AS k
    FROM presented_title AS t
    JOIN candidates AS c USING (candidate_id)
    GROUP BY ALL
),
items AS (
    SELECT 'competency' AS level, competency AS code FROM referentiel
    UNION ALL SELECT 'block', block FROM block_size
    UNION ALL SELECT 'title', 'TITLE'
),
counts AS (
    SELECT 'competency' AS level, * FROM competency_counts
    UNION ALL BY NAME SELECT 'block' AS level, * FROM block_counts
    UNION ALL BY NAME SELECT 'title' AS level, * FROM title_counts
)
-- every cohort × item, zero where nobody was evaluated (as ``aggregate`` gives them)
SELECT g.cohort, i.level, i.code,
    coalesce(x.n, 0) AS n, coalesce(x.k, 0) AS k, x.mean_score,
    x.score_0, x.score_1, x.score_2, x.score_3, x.score_4
FROM cohorts AS g
CROSS JOIN items AS i
LEFT JOIN counts AS x
    ON x.cohort IS NOT DISTINCT FROM g.cohort AND x.level = i.level AND x.code = i.code
"""


# -- the two engines ----------------------------------------------------------------------------
def pandas_engine(data, referentiel, rules):
    """Set up nothing: the timed call is the library's own."""
    from cc_analytics.engine.aggregates import aggregate
    from cc_analytics.engine.results import compute_results

    def run() -> pd.DataFrame:
        results = compute_results(data.candidates, data.scores, referentiel, rules)
        return aggregate(results, referentiel, by=["cohort"])

    return run


def duckdb_engine(data, referentiel, rules):
    """Register the pandas tables in an in-memory DuckDB (not timed); the timed call is SQL."""
    import duckdb

    con = duckdb.connect()
    con.register("scores", data.scores)
    con.register("candidates", data.candidates)
    con.register("referentiel", _referentiel_table(referentiel))
    query = SQL.format(threshold=int(rules.threshold))

    def run() -> pd.DataFrame:
        return con.sql(query).df()

    return run


def _referentiel_table(referentiel) -> pd.DataFrame:
    table = referentiel.competencies[["code", "block"]].rename(columns={"code": "competency"})
    return table.astype(object)  # plain VARCHAR columns in DuckDB


# -- one measurement, in a child process ----------------------------------------------------------
def measure(engine: str, size: int, seed: int, repeat: int, out: str) -> dict:
    """Generate the data, time ``repeat`` runs of ``engine``, save its metrics to ``out``."""
    from cc_analytics.demo import generate_large
    from cc_analytics.engine.rules import Rules
    from cc_analytics.referentiel import load

    referentiel = load()
    data = generate_large(size, seed=seed, referentiel=referentiel)
    input_bytes = int(
        data.candidates.memory_usage(deep=True).sum() + data.scores.memory_usage(deep=True).sum()
    )
    run = {"pandas": pandas_engine, "duckdb": duckdb_engine}[engine](data, referentiel, Rules())
    gc.collect()
    peak_reset = _reset_peak()
    baseline = _resident() if peak_reset else _peak()
    times, table = [], None
    for _ in range(repeat):
        table = None  # the previous run's output is not part of this run's peak
        start = time.perf_counter()
        table = run()
        times.append(time.perf_counter() - start)
    peak = _peak() - baseline
    _normalise(table).to_parquet(out)
    return {
        "engine": engine,
        "candidates": size,
        "score_rows": len(data.scores),
        "metric_rows": len(table),
        "time_s": min(times),
        "times_s": times,
        "peak_mb": peak / MB,
        "input_mb": input_bytes / MB,
        "peak_over_input": peak / input_bytes,
        "peak_reset": peak_reset,
    }


def _resident() -> int:
    """Current resident set size, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak() -> int:
    """Peak resident set size so far, in bytes (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> bool:
    """Reset ``ru_maxrss`` to the current resident size; False where Linux does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _normalise(table: pd.DataFrame) -> pd.DataFrame:
    """The compared columns, with plain types, one row per cohort × level × code, sorted."""
    out = table[[*KEYS, *COUNTS, "mean_score"]].copy()
    out["cohort"] = out["cohort"].astype(str)
    out[COUNTS] = out[COUNTS].fillna(0).astype(np.int64)  # no distribution on blocks, title
    out["mean_score"] = out["mean_score"].astype(np.float64)
    return out.sort_values(KEYS).reset_index(drop=True)


def compare(a: pd.DataFrame, b: pd.DataFrame) -> str:
    """Empty when identical, else what differs."""
    if len(a) != len(b) or not a[KEYS].equals(b[KEYS]):
        return f"different rows ({len(a)} against {len(b)})"
    problems = [f"{column} differs" for column in COUNTS if not a[column].equals(b[column])]
    x, y = a["mean_score"].to_numpy(), b["mean_score"].to_numpy()
    same_mean = (np.isnan(x) == np.isnan(y)).all() and np.nanmax(
        np.abs(x - y), initial=0.0
    ) <= MEAN_TOLERANCE
    if not same_mean:
        problems.append("mean_score differs")
    return "; ".join(problems)


# -- the run ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="numbers of candidates")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine (best is kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    engines = args.engines.split(",")

    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            tables = {}
            for engine in engines:
                out = str(Path(tmp) / f"{engine}-{size}.parquet")
                # a fresh process per measurement: its peak is this engine's alone
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    row = pool.submit(measure, engine, size, args.seed, args.repeat, out).result()
                rows.append(row)
                tables[engine] = pd.read_parquet(out)
                print(f"  {engine} {size:,}: {row['time_s']:.2f} s", flush=True)
            reference = tables[engines[0]]
            for row in rows[-len(engines) :]:
                difference = compare(reference, tables[row["engine"]])
                row["identical"] = not difference
                row["difference"] = difference
                if "duckdb" in tables:
                    row["time_vs_duckdb"] = row["time_s"] / _time(rows, "duckdb", size)

    print(_table(rows, args.repeat))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "per-cohort competency, block and title metrics",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "seed": args.seed,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # other work on the machine slows both engines: check before trusting a ratio
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "versions": _versions(),
        "rows": rows,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")
    return 0 if all(row["identical"] for row in rows) else 1


def _time(rows: list[dict], engine: str, size: int) -> float:
    return next(r["time_s"] for r in rows if r["engine"] == engine and r["candidates"] == size)


def _table(rows: list[dict], repeat: int) -> str:
    header = (
        f"{'engine':<8}{'candidates':>12}{'score rows':>12}{f'time s (best of {repeat})':>22}"
        f"{'peak MB':>10}{'input MB':>10}{'peak/input':>12}{'time/duckdb':>13}{'identical':>11}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        ratio = f"{r['time_vs_duckdb']:.2f}" if "time_vs_duckdb" in r else "-"
        lines.append(
            f"{r['engine']:<8}{r['candidates']:>12,}{r['score_rows']:>12,}{r['time_s']:>22.2f}"
            f"{r['peak_mb']:>10.0f}{r['input_mb']:>10.0f}{r['peak_over_input']:>12.2f}"
            f"{ratio:>13}{'yes' if r['identical'] else 'no':>11}"
        )
    return "\n".join(lines)


def _versions(packages: tuple[str, ...] = ("numpy", "pandas", "duckdb")) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in packages:
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the disclosure audit of external tables, warm-started HiGHS against one SciPy
``linprog`` call per program (how the audit solved its programs before).

For each grouping (``--by``, several allowed), ``metrics_table(ctx, by, external=True)`` runs
on the bundled demo dataset (gated and ingested once, in a temporary workspace): the audit
attacks the table with every coarser table and hides cells until no hidden count can be
worked out (``cc_analytics.engine.disclosure``). Each solver runs in its own freshly spawned
process (best of ``--repeat``); ``scipy`` replaces the audit's solver by the former one-call
``linprog(method="highs")``, as it was. Both must hide exactly the same cells and pass.

    .venv/bin/python bench/bench_disclosure.py --by cohort,access_route --by site,cohort

Prints a table and writes it to ``bench/results/disclosure.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import numpy as np

SOLVERS = ("highs", "scipy")
RESULTS = Path(__file__).resolve().parent / "results" / "disclosure.json"


def scipy_solve(system, objective: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """The audit's former solver: one ``linprog`` per program, built from scratch."""
    from scipy.optimize import linprog

    cols = np.flatnonzero(keep)
    x = system.x.copy()
    if not len(cols):
        return x
    a_eq, a_ub = system.a_eq[:, cols].tocsr(), system.a_ub[:, cols].tocsr()
    eq_rows = np.flatnonzero(np.diff(a_eq.indptr))
    ub_rows = np.flatnonzero(np.diff(a_ub.indptr))
    result = linprog(
        objective[cols],
        A_ub=a_ub[ub_rows] if len(ub_rows) else None,
        b_ub=system.b_ub[ub_rows] if len(ub_rows) else None,
        A_eq=a_eq[eq_rows] if len(eq_rows) else None,
        b_eq=system.b_eq[eq_rows] if len(eq_rows) else None,
        bounds=system.bounds[cols], method="highs",
    )  # fmt: skip
    if result.status == 3:
        return None
    if result.status != 0:
        raise RuntimeError(result.message)
    x[cols] = result.x
    return x


def run(solver: str, workspace: str, by: list[str], repeat: int) -> dict:
    """In a fresh process: the audit of one grouping, best of ``repeat``."""
    os.chdir(workspace)
    from cc_analytics.engine import disclosure
    from cc_analytics.reporting.context import load_context
    from cc_analytics.reporting.tables import metrics_table

    programs = [0]
    solve = scipy_solve if solver == "scipy" else disclosure._solve

    def counted(*args):
        programs[0] += 1
        return solve(*args)

    disclosure._solve = counted
    best, table, ctx = float("inf"), None, None
    for _ in range(repeat):
        ctx = load_context("demo", external=True)
        programs[0] = 0
        start = time.perf_counter()
        table = metrics_table(ctx, by, external=True)
        best = min(best, time.perf_counter() - start)
    (_, result), = ctx.disclosure  # fmt: skip
    return {
        "solver": solver, "by": ",".join(by), "rows": len(table), "seconds": round(best, 2),
        "programs": programs[0], "small": result.small, "secondary": result.secondary,
        "passed": result.passed,
        "hidden": table.index[table["suppressed"].astype(bool)].tolist(),
    }  # fmt: skip


def prepare(folder: Path) -> str:
    """A workspace with the demo dataset gated and ingested."""
    import shutil

    from cc_analytics.demo import DEMO_DATASET
    from cc_analytics.gate.pipeline import prepare as gate_and_ingest
    from cc_analytics.workspace import Workspace

    raw = folder / "data" / "raw" / "demo"
    shutil.copytree(DEMO_DATASET, raw)
    gate_and_ingest(Workspace.find(raw).dataset(raw))
    return str(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--by", action="append", help="grouping, e.g. cohort,access_route")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    groupings = [b.split(",") for b in (args.by or ["cohort,access_route", "site,cohort"])]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workspace = prepare(Path(tmp))
        for by in groupings:
            for solver in SOLVERS:
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    rows.append(pool.submit(run, solver, workspace, by, args.repeat).result())
    same = all(a["hidden"] == b["hidden"] for a, b in zip(rows[::2], rows[1::2], strict=True))
    print(f"{'by':<22} {'solver':<6} {'rows':>5} {'time s':>7} {'programs':>8} {'small':>6} "
          f"{'secondary':>9} passed")  # fmt: skip
    for r in rows:
        print(f"{r['by']:<22} {r['solver']:<6} {r['rows']:>5} {r['seconds']:>7.2f} "
              f"{r['programs']:>8} {r['small']:>6} {r['secondary']:>9} {r['passed']}")  # fmt: skip
    print(f"same cells hidden by both solvers: {'yes' if same else 'NO'}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "python": platform.python_version(), "same_hidden": same,
        "runs": [{k: v for k, v in r.items() if k != "hidden"} for r in rows],
    }, indent=2))  # fmt: skip
    return 0 if same and all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

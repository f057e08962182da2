"""Benchmark of the main job: 24 cohort reports, ``cc-analytics build`` against one by one.

Not a unit test: run it by hand on the machine to measure (about seven minutes on 2 cores)::

    .venv/bin/python bench/bench_build.py

In one run, on one dataset of 24 cohorts (``cc_analytics.demo.generate_large``, 25
candidates each, written as a school's CSV files in the workspace ``<tmp>/proj``, as
``data/raw/bench24``):

1. ``cc-analytics build --config build.toml --force --jobs N`` (``reports = ["cohort"]``),
   the whole command: gate, ingest, tables and the 24 reports in N worker processes;
2. **baseline**: for each cohort, one after another, ``papermill`` then ``jupyter nbconvert
   --to html --no-input`` on the cohort report notebook (the venv's executables), as a
   person would script it. The processed tables are written once before (not timed), so the
   kernels never run the gate;
3. step 1 again: the two builds bracket the baseline, so that a change of the machine's load
   (other jobs) during the run shows, and their mean is compared with the baseline;
4. ``cc-analytics build --config build.toml`` again with nothing changed (whole command,
   Python start included), three times.

Goals: the build at least 2× faster than the baseline on 2 cores; (4) under 2 s. Prints a table and writes
``bench/results/build.json``.

The package (with its notebooks, expectation suites and templates) is copied into the
temporary folder first and put first on ``PYTHONPATH`` (``--live`` to run the working tree
instead): a file edited in the working tree during the run would otherwise (rightly) make
step 3 rebuild everything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "build.json"


def run(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> float:
    """Wall seconds of ``command``; its output goes to ``log``; a failure stops the bench."""
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)} — see {log}")
    return seconds


def make_dataset(folder: Path, cohorts: int, per_cohort: int) -> list[str]:
    from cc_analytics.demo import generate_large, write_dataset

    data = generate_large(cohorts * per_cohort, seed=24, n_cohorts=cohorts)
    write_dataset(data, folder)
    return sorted(data.candidates["cohort"].astype(str).unique())


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cohorts", type=int, default=24)
    parser.add_argument("--per-cohort", type=int, default=25)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the build")
    parser.add_argument("--live", action="store_true", help="run the working tree, no copy")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cc-bench-build-"))
    project = tmp / "proj"
    dataset = project / "data" / "raw" / "bench24"
    home = tmp / "home"  # kernels and Jupyter write under $HOME
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONUNBUFFERED": "1"}
    code_root = ROOT
    if not args.live:
        code_root = tmp / "code"
        # links to notebooks/, expectations/ and data/raw/demo are followed: real copies
        shutil.copytree(ROOT / "src", code_root / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_root / "src"),
                                                          env.get("PYTHONPATH")]))  # fmt: skip
    notebook = (
        code_root / "src" / "cc_analytics" / "reporting" / "notebooks" / "cohort_report.ipynb"
    )
    log = tmp / "bench.log"
    cli = str(VENV_BIN / "cc-analytics")

    cohorts = make_dataset(dataset, args.cohorts, args.per_cohort)
    config = project / "build.toml"
    config.write_text('[build]\noutput = "reports"\n\n[[datasets]]\npath = "data/raw/bench24"\n'
                      'reports = ["cohort"]\n', encoding="utf-8")  # fmt: skip
    print(f"{len(cohorts)} cohorts in {dataset}; log: {log}", flush=True)
    run([cli, "ingest", str(dataset)], env, project, log)  # the baseline's kernels need it

    build = [cli, "build", "--config", str(config)]
    force = [*build, "--force", "--jobs", str(args.jobs)]

    def last_summary() -> str:
        lines = log.read_text(encoding="utf-8").splitlines()
        return next(line for line in reversed(lines) if line.startswith("Terminé"))

    def forced_build() -> float:
        seconds = run(force, env, project, log)
        pages = sorted((project / "reports" / "bench24").glob("cohort-*.html"))
        assert len(pages) == len(cohorts), pages
        # the summary counts reports (the gate and the tables are not)
        assert f"{len(cohorts)} rapport(s) produit(s), 0 à jour, 0 échec" in last_summary()
        print(f"  build --force: {seconds:.1f} s", flush=True)
        return seconds

    # 1. the main job, everything rebuilt
    load_before = load_average()
    forced = [forced_build()]

    # 2. baseline: papermill then nbconvert, report after report
    load_baseline = load_average()
    baseline_dir = project / "baseline"
    baseline_dir.mkdir()
    report_env = {**env, "CC_ANALYTICS_REPORT": "1"}  # as render sets it for the kernel
    per_report = []
    for cohort in cohorts:
        executed = baseline_dir / f"cohort-{cohort}.ipynb"
        seconds = run([str(VENV_BIN / "papermill"), str(notebook), str(executed),
                       "-p", "dataset", str(dataset), "-p", "workspace", str(project),
                       "-p", "cohort", cohort,
                       "-k", "python3", "--no-progress-bar", "--cwd", str(baseline_dir)],
                      report_env, baseline_dir, log)  # fmt: skip
        seconds += run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(executed)], report_env, baseline_dir, log)  # fmt: skip
        per_report.append(seconds)
        print(f"  baseline {cohort}: {seconds:.1f} s", flush=True)
    baseline = sum(per_report)
    assert len(list(baseline_dir.glob("*.html"))) == len(cohorts)

    # 3. the main job again
    load_between = load_average()
    forced.append(forced_build())
    build_seconds = statistics.mean(forced)

    # 4. nothing changed
    unchanged = [run(build, env, project, log) for _ in range(3)]
    assert f"0 rapport(s) produit(s), {len(cohorts)} à jour" in last_summary(), last_summary()
    load_after = load_average()

    ratio = baseline / build_seconds
    result = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1_5_15": {
                "before": load_before,
                "baseline": load_baseline,
                "between": load_between,
                "after": load_after,
            },
        },
        "code": "working tree" if args.live else "copy of the package",
        "dataset": {"cohorts": len(cohorts), "candidates_per_cohort": args.per_cohort},
        "baseline": {
            "command": "for each cohort: papermill cohort_report.ipynb OUT.ipynb "
            "-p dataset DATASET -p workspace WS -p cohort COHORT -k python3 --no-progress-bar; "
            "jupyter nbconvert --to html --no-input OUT.ipynb",
            "seconds": round(baseline, 2),
            "per_report_seconds": {
                "mean": round(statistics.mean(per_report), 2),
                "min": round(min(per_report), 2),
                "max": round(max(per_report), 2),
            },
        },
        "build_force": {
            "command": f"cc-analytics build --config build.toml --force --jobs {args.jobs}",
            "seconds": [round(x, 2) for x in forced],
            "mean_seconds": round(build_seconds, 2),
            "includes": "gate, ingest, metrics tables and the reports; run before and after "
            "the baseline",
        },
        "speedup": round(ratio, 2),
        "rebuild_unchanged": {
            "command": "cc-analytics build --config build.toml",
            "seconds": [round(s, 3) for s in unchanged],
            "median_seconds": round(statistics.median(unchanged), 3),
        },
        "goals": {
            "speedup_at_least_2": ratio >= 2,
            "unchanged_under_2_s": statistics.median(unchanged) < 2,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    rows = [
        ("baseline: papermill + nbconvert, one by one", f"{baseline:.1f} s"),
        (f"cc-analytics build --force ({args.jobs} workers), before / after",
         f"{forced[0]:.1f} s / {forced[1]:.1f} s"),
        ("speed-up", f"{ratio:.2f}×  (goal ≥ 2×)"),
        ("cc-analytics build, nothing changed (median of 3)",
         f"{statistics.median(unchanged):.2f} s  (goal < 2 s)"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\n{len(cohorts)} cohort reports, {os.cpu_count()} CPUs, load {load_before} → "
          f"{load_after}")  # fmt: skip
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"written: {args.out}")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

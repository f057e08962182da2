"""Benchmark of the main job: cohort reports, ``cc-analytics build`` against one by one.

Not a unit test: run it by hand on the machine to measure::

    .venv/bin/python bench/bench_build.py --before HEAD             # 24 cohorts, ~8 min
    .venv/bin/python bench/bench_build.py --cohorts 300 --no-baseline

In one run, on one dataset of ``--cohorts`` cohorts (``cc_analytics.demo.generate_large``,
25 candidates each, written as a school's CSV files in the workspace ``<tmp>/proj``, as
``data/raw/benchN``):

1. ``cc-analytics build --config build.toml --force --jobs N`` (``reports = ["cohort"]``),
   the whole command: gate, ingest, tables and the reports in N worker processes;
   with ``--before REF``, the same command run by the package as committed at ``REF``
   (``git archive``) right after it, for the before/after comparison in one run;
2. **baseline** (unless ``--no-baseline``): for each cohort, one after another,
   ``papermill`` then ``jupyter nbconvert --to html --no-input`` on the cohort report
   notebook (the venv's executables), as a person would script it. The processed tables are
   written once before (not timed), so the kernels never run the gate;
3. step 1 again: the builds bracket the baseline, so that a change of the machine's load
   (other jobs) during the run shows, and their mean is compared with the baseline;
4. ``cc-analytics build --config build.toml`` again with nothing changed (whole command,
   Python start included), three times.

Every command is also measured in **core-seconds** (user + system CPU time of the command
and of every process it started and waited for: workers, kernels, nbconvert), divided by the
number of reports for a per-report cost.

Goals: the build at least 8× faster than the baseline on 2 cores; 300 cohorts in under
3 minutes; (4) under 2 s. Prints a table and writes ``bench/results/build-N.json``.

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
import resource
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
RESULTS = ROOT / "bench" / "results"
#: Every CPU second of the descendants this process waited for (the command's whole tree,
#: as long as each process reaps its own children, which workers and kernel managers do).
_CORE_SECONDS: list[float] = []


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> float:
    """Wall seconds of ``command`` (its core-seconds appended to ``_CORE_SECONDS``); its
    output goes to ``log``; a failure stops the bench."""
    started, cpu = time.perf_counter(), children_cpu()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    _CORE_SECONDS.append(children_cpu() - cpu)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)} — see {log}")
    return seconds


def last_core_seconds() -> float:
    return _CORE_SECONDS[-1]


def copy_package(root: Path, into: Path) -> Path:
    """``root``'s ``src`` (links to notebooks, suites and the demo followed) copied into
    ``into``; the folder to put on ``PYTHONPATH``."""
    shutil.copytree(root / "src", into / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
    return into / "src"


def committed_package(ref: str, into: Path) -> Path:
    """The package as committed at ``ref`` (``git archive``), ready for ``PYTHONPATH``."""
    tree = into / "tree"
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src", "notebooks",
                              "expectations", "data/raw/demo"], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return copy_package(tree, into / "copy")


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
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also build with the package as committed at REF (before/after)",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip papermill + nbconvert one by one (long at 300 cohorts)",
    )
    parser.add_argument("--live", action="store_true", help="run the working tree, no copy")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, help="default: bench/results/build-N.json")
    args = parser.parse_args()
    out_file = args.out or RESULTS / f"build-{args.cohorts}.json"

    tmp = Path(tempfile.mkdtemp(prefix="cc-bench-build-"))
    project = tmp / "proj"
    name = f"bench{args.cohorts}"
    dataset = project / "data" / "raw" / name
    home = tmp / "home"  # kernels and Jupyter write under $HOME
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONUNBUFFERED": "1"}
    code = ROOT / "src" if args.live else copy_package(ROOT, tmp / "code")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    before_env = None
    if args.before:
        before_code = committed_package(args.before, tmp / "before")
        before_env = {**env, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(before_code), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    notebook = code / "cc_analytics" / "reporting" / "notebooks" / "cohort_report.ipynb"
    log = tmp / "bench.log"
    cli = str(VENV_BIN / "cc-analytics")

    cohorts = make_dataset(dataset, args.cohorts, args.per_cohort)
    n = len(cohorts)
    config = project / "build.toml"
    config.write_text(f'[build]\noutput = "reports"\n\n[[datasets]]\npath = "data/raw/{name}"\n'
                      'reports = ["cohort"]\n', encoding="utf-8")  # fmt: skip
    print(f"{n} cohorts in {dataset}; log: {log}", flush=True)
    run([cli, "ingest", str(dataset)], env, project, log)  # the baseline's kernels need it

    build = [cli, "build", "--config", config.name]
    force = [*build, "--force", "--jobs", str(args.jobs)]

    def last_summary() -> str:
        lines = log.read_text(encoding="utf-8").splitlines()
        return next(line for line in reversed(lines) if line.startswith("Terminé"))

    def forced_build(which: str, with_env: dict[str, str]) -> tuple[float, float]:
        seconds = run(force, with_env, project, log)
        pages = sorted((project / "reports" / name).glob("cohort-*.html"))
        assert len(pages) == n, pages
        # the summary counts reports (the gate and the tables are not)
        assert f"{n} rapport(s) produit(s), 0 à jour, 0 échec" in last_summary()
        print(f"  build --force ({which}): {seconds:.1f} s, "
              f"{last_core_seconds():.1f} core-s", flush=True)  # fmt: skip
        return seconds, last_core_seconds()

    forced: list[tuple[float, float]] = []
    before: list[tuple[float, float]] = []

    def builds() -> None:
        forced.append(forced_build("this code", env))
        if before_env is not None:
            before.append(forced_build(f"at {args.before}", before_env))

    # 1. the main job, everything rebuilt (and the same at REF)
    load_before = load_average()
    builds()

    # 2. baseline: papermill then nbconvert, report after report
    load_baseline = load_average()
    per_report: list[float] = []
    per_report_cpu: list[float] = []
    if not args.no_baseline:
        baseline_dir = project / "baseline"
        baseline_dir.mkdir()
        report_env = {**env, "CC_ANALYTICS_REPORT": "1"}  # as render sets it for the kernel
        for cohort in cohorts:
            executed = baseline_dir / f"cohort-{cohort}.ipynb"
            seconds = run([str(VENV_BIN / "papermill"), str(notebook), str(executed),
                           "-p", "dataset", str(dataset), "-p", "workspace", str(project),
                           "-p", "cohort", cohort,
                           "-k", "python3", "--no-progress-bar", "--cwd", str(baseline_dir)],
                          report_env, baseline_dir, log)  # fmt: skip
            cpu = last_core_seconds()
            seconds += run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html",
                            "--no-input", str(executed)], report_env, baseline_dir, log)  # fmt: skip
            per_report.append(seconds)
            per_report_cpu.append(cpu + last_core_seconds())
            print(f"  baseline {cohort}: {seconds:.1f} s", flush=True)
        assert len(list(baseline_dir.glob("*.html"))) == n

    # 3. the main job again
    load_between = load_average()
    if not args.no_baseline:
        builds()

    # 4. nothing changed
    unchanged = [run(build, env, project, log) for _ in range(3)]
    assert f"0 rapport(s) produit(s), {n} à jour" in last_summary(), last_summary()
    load_after = load_average()

    def summary(runs: list[tuple[float, float]], command: str) -> dict:
        return {
            "command": command,
            "seconds": [round(s, 2) for s, _ in runs],
            "mean_seconds": round(statistics.mean(s for s, _ in runs), 2),
            "core_seconds": [round(c, 2) for _, c in runs],
            "core_seconds_per_report": round(statistics.mean(c for _, c in runs) / n, 3),
        }

    build_seconds = statistics.mean(s for s, _ in forced)
    baseline = sum(per_report)
    ratio = baseline / build_seconds if per_report else None
    result: dict = {
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
        "dataset": {"cohorts": n, "candidates_per_cohort": args.per_cohort},
        "build_force": {
            **summary(forced, " ".join(["cc-analytics", *force[1:]])),
            "includes": "gate, ingest, metrics tables and the reports; run before and after "
            "the baseline",
        },
    }
    if before:
        result["build_force_before"] = {**summary(before, "the same"), "ref": args.before}
    if per_report:
        result["baseline"] = {
            "command": "for each cohort: papermill cohort_report.ipynb OUT.ipynb "
            "-p dataset DATASET -p workspace WS -p cohort COHORT -k python3 --no-progress-bar; "
            "jupyter nbconvert --to html --no-input OUT.ipynb",
            "seconds": round(baseline, 2),
            "per_report_seconds": {
                "mean": round(statistics.mean(per_report), 2),
                "min": round(min(per_report), 2),
                "max": round(max(per_report), 2),
            },
            "core_seconds_per_report": round(statistics.mean(per_report_cpu), 3),
        }
        result["speedup"] = round(ratio, 2)
        if before:
            result["speedup_before"] = round(baseline / statistics.mean(s for s, _ in before), 2)
    result["rebuild_unchanged"] = {
        "command": "cc-analytics build --config build.toml",
        "seconds": [round(s, 3) for s in unchanged],
        "median_seconds": round(statistics.median(unchanged), 3),
    }
    result["goals"] = {"unchanged_under_2_s": statistics.median(unchanged) < 2}
    if ratio is not None:
        result["goals"]["speedup_at_least_8"] = ratio >= 8
    if n >= 300:
        result["goals"]["under_3_minutes"] = build_seconds < 180
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def cell(runs: list[tuple[float, float]]) -> str:
        walls = " / ".join(f"{s:.1f} s" for s, _ in runs)
        cores = statistics.mean(c for _, c in runs) / n
        return f"{walls}  ({cores:.2f} core-s per report)"

    rows = [(f"cc-analytics build --force ({args.jobs} workers)", cell(forced))]
    if before:
        rows.append((f"the same at {args.before}", cell(before)))
    if per_report:
        rows.append(("baseline: papermill + nbconvert, one by one",
                     f"{baseline:.1f} s  ({statistics.mean(per_report_cpu):.2f} core-s "
                     "per report)"))  # fmt: skip
        rows.append(("speed-up", f"{ratio:.2f}×  (goal ≥ 8×)"))
        if before:
            rows.append((f"speed-up at {args.before}", f"{result['speedup_before']:.2f}×"))
    if n >= 300:
        rows.append(("goal", f"under 3 minutes: {'yes' if build_seconds < 180 else 'no'}"))
    rows.append(("cc-analytics build, nothing changed (median of 3)",
                 f"{statistics.median(unchanged):.2f} s  (goal < 2 s)"))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\n{n} cohort reports, {os.cpu_count()} CPUs, load {load_before} → {load_after}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"written: {out_file}")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

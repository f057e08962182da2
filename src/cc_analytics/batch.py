"""The main job: validate → ingest → metrics tables → every report → ``index.html``.

- **Parallel**: reports run in worker processes (any ``concurrent.futures.Executor``; one
  process per core by default, or a Dask cluster); one failing report does not stop the
  others, and its previous good HTML is kept.
- **Incremental**: each output has a content key (input hashes, notebook, template, rules,
  parameters, package version) stored in ``build-manifest.json``; an output whose key did not
  change is not rebuilt. ``force`` rebuilds everything.
- **Safe**: a lock file stops two overlapping runs; every write is atomic.
- **Quiet about people**: log lines name datasets, report kinds and cohorts, never candidates.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from . import __version__
from .atomic import write_text
from .build_config import BuildConfig, DatasetConfig
from .dataset import locate
from .errors import CcAnalyticsError
from .ingest import read_manifest
from .paths import NOTEBOOKS_DIR, PACKAGE_DIR, processed_dir, safe_name
from .reports import ReportRequest

log = logging.getLogger("cc_analytics.build")
BUILD_MANIFEST = "build-manifest.json"
LOCK_FILE = ".cc-analytics-build.lock"


@dataclass(frozen=True)
class Job:
    """One report to build."""

    dataset: str
    label: str  # what a person reads in the log and the index: "cohorte 2024-LYON"
    request: ReportRequest
    key: str


@dataclass(frozen=True)
class Outcome:
    dataset: str
    label: str
    kind: str
    output: str
    status: str  # "built", "up to date", "failed", "skipped"
    seconds: float = 0.0
    message: str = ""


@dataclass
class BuildSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset -> file hashes
    index: Path | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "invalid data")]


# -- content keys -----------------------------------------------------------------------------
def _digest(*parts: object) -> str:
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _files_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def code_digest() -> str:
    """Everything of ours a report depends on besides data: notebooks, template, package."""
    sources = [*NOTEBOOKS_DIR.glob("*.ipynb"), *PACKAGE_DIR.rglob("*.py"),
               *(PACKAGE_DIR / "templates").rglob("*.*")]  # fmt: skip
    return _files_digest(p for p in sources if p.is_file())


# -- the build --------------------------------------------------------------------------------
def build(config: BuildConfig, *, force: bool = False, executor: Executor | None = None,
          progress: Callable[[int, int, Outcome], None] | None = None,
          rules_file: Path | None = None) -> BuildSummary:  # fmt: skip
    """Run the main job for every dataset of ``config``; see the module docstring."""
    summary = BuildSummary()
    code = code_digest()
    jobs: list[Job] = []
    for dataset in config.datasets:
        jobs += _prepare_dataset(dataset, config, code, force, summary, rules_file)
    own_executor = executor is None and any(_needs_build(j, force) for j in jobs)
    if own_executor:
        executor = ProcessPoolExecutor(max_workers=config.jobs or os.cpu_count() or 1)
    try:
        _run_jobs(jobs, executor, force, summary, progress)
    finally:
        if own_executor and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    summary.index = write_index(summary, config.output)
    return summary


def _dataset_output(dataset: DatasetConfig, config: BuildConfig) -> Path:
    return config.output / safe_name(dataset.path.name)


def _prepare_dataset(dataset: DatasetConfig, config: BuildConfig, code: str, force: bool,
                     summary: BuildSummary, rules_file: Path | None) -> list[Job]:  # fmt: skip
    """Gate and ingest (only when inputs changed), write metrics tables, list report jobs."""
    name = dataset.path.name
    out = _dataset_output(dataset, config)
    started = time.perf_counter()
    try:
        inputs, checked = _ensure_processed(dataset, out, force, summary)
    except CcAnalyticsError as exc:
        log.error("%s : données invalides, rapports non reconstruits (%d problème(s))", name,
                  len(exc.problems))  # fmt: skip
        summary.outcomes.append(Outcome(name, "contrôle des données", "validation",
                                        str(out / "validation.html"), "invalid data",
                                        time.perf_counter() - started, str(exc)))  # fmt: skip
        return []
    summary.outcomes.append(Outcome(name, "contrôle des données", "validation",
                                    str(out / "validation.html"),
                                    "built" if checked else "up to date",
                                    time.perf_counter() - started))  # fmt: skip
    rules = {"rules_file": str(rules_file) if rules_file else None}
    base = ReportRequest(kind="cohort", dataset=dataset.path, referentiel=dataset.referentiel,
                         rules=rules_file, shared_plotly=config.shared_plotly)  # fmt: skip
    summary.outcomes.append(_metrics_tables(dataset, out, inputs, rules_file, force))
    jobs = []
    if "cohort" in dataset.reports:
        for cohort in _cohorts(dataset):
            request = replace(base, kind="cohort", cohort=cohort)
            jobs.append(_job(name, f"cohorte {cohort}", request, out, inputs, code, rules))
    if "review" in dataset.reports:
        request = replace(base, kind="review", years=dataset.review_years)
        jobs.append(_job(name, "revue qualité", request, out, inputs, code, rules))
    if "renewal" in dataset.reports:
        request = replace(base, kind="renewal", years=dataset.renewal_years,
                          rncp_export=dataset.rncp_export, fiche=dataset.fiche)  # fmt: skip
        jobs.append(_job(name, "renouvellement RNCP", request, out, inputs, code, rules))
    return jobs


def _job(dataset: str, label: str, request: ReportRequest, out: Path, inputs: dict, code: str,
         rules: dict) -> Job:  # fmt: skip
    request = replace(request, out=out / request.default_name())
    extra = _files_digest([p for p in (request.rncp_export, request.rules) if p])
    key = _digest(inputs, code, rules, request.parameters(), request.shared_plotly, __version__,
                  extra)  # fmt: skip
    return Job(dataset, label, request, key)


def _ensure_processed(dataset: DatasetConfig, out: Path, force: bool,
                      summary: BuildSummary) -> tuple[dict, bool]:  # fmt: skip
    """Input hashes of the dataset, and whether the gate ran: gate + ingest only when the
    inputs changed (or ``force``)."""
    files = locate(dataset.path)
    hashes = files.hashes()
    summary.inputs[dataset.path.name] = hashes
    manifest = read_manifest(processed_dir(dataset.path))
    validation = out / "validation.html"
    fresh = (manifest is not None and manifest.get("inputs") == hashes
             and manifest.get("package_version") == __version__ and validation.exists())  # fmt: skip
    if force or not fresh:
        from .ingest import write_processed
        from .pipeline import gate_dataset

        log.info("%s : contrôle et normalisation des données", dataset.path.name)
        gated = gate_dataset(dataset.path, dataset.referentiel, report_dir=out)
        write_processed(gated.tables, gated.gate.raw, processed_dir(dataset.path))
    return hashes, force or not fresh


def _cohorts(dataset: DatasetConfig) -> list[str]:
    import pyarrow.parquet as pq

    table = pq.read_table(processed_dir(dataset.path) / "candidates.parquet", columns=["cohort"])
    return sorted(set(table.column("cohort").to_pylist()))


def _metrics_tables(dataset: DatasetConfig, out: Path, inputs: dict, rules_file: Path | None,
                    force: bool) -> Outcome:  # fmt: skip
    """metrics.csv/.xlsx, agreement.csv, promotions.csv for the dataset (internal tables)."""
    name = dataset.path.name
    key = _digest(inputs, code_digest_tables(), str(rules_file), __version__)
    state = _load_state(out)
    targets = [out / "tables" / f for f in ("metrics.csv", "metrics.xlsx", "agreement.csv",
                                            "promotions.csv")]  # fmt: skip
    if not force and state.get("tables") == key and all(t.exists() for t in targets):
        return Outcome(name, "tableaux de résultats", "tables", str(out / "tables"), "up to date")
    started = time.perf_counter()
    from .aggregates import aggregate
    from .agreement import agreement
    from .context import load_context
    from .exports import write_table
    from .privacy import flag_small_groups
    from .promotions import promotion_statistics

    ctx = load_context(dataset.path, referentiel=dataset.referentiel, rules=rules_file)
    info = ctx.provenance()
    stamp = {"threshold": ctx.rules.threshold, "combine": ctx.rules.combine,
             "referentiel": ctx.referentiel.id}  # fmt: skip
    metrics = flag_small_groups(aggregate(ctx.results, ctx.referentiel, ["cohort"]),
                                ctx.rules.small_group).assign(**stamp)  # fmt: skip
    write_table(metrics, targets[0], info, "métriques")
    write_table(metrics, targets[1], info, "métriques")
    write_table(agreement(ctx.results, ctx.referentiel, ["cohort"]).assign(**stamp), targets[2],
                info)  # fmt: skip
    write_table(promotion_statistics(ctx.results, ctx.tables.insertion).assign(**stamp),
                targets[3], info)  # fmt: skip
    _save_state(out, {**state, "tables": key})
    return Outcome(name, "tableaux de résultats", "tables", str(out / "tables"), "built",
                   time.perf_counter() - started)  # fmt: skip


def code_digest_tables() -> str:
    return _files_digest(p for p in PACKAGE_DIR.glob("*.py"))


def _load_state(out: Path) -> dict:
    path = out / BUILD_MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_state(out: Path, state: dict) -> None:
    write_text(out / BUILD_MANIFEST, json.dumps(state, indent=2, sort_keys=True) + "\n")


def _needs_build(job: Job, force: bool) -> bool:
    if force or not job.request.out or not job.request.out.exists():
        return True
    state = _load_state(job.request.out.parent)
    return state.get("reports", {}).get(job.request.out.name, {}).get("key") != job.key


def _run_jobs(jobs: list[Job], executor: Executor | None, force: bool, summary: BuildSummary,
              progress: Callable[[int, int, Outcome], None] | None) -> None:  # fmt: skip
    pending: dict[Future, Job] = {}
    done = 0
    for job in jobs:
        if not _needs_build(job, force):
            outcome = Outcome(job.dataset, job.label, job.request.kind, str(job.request.out),
                              "up to date")  # fmt: skip
            summary.outcomes.append(outcome)
            done += 1
            if progress:
                progress(done, len(jobs), outcome)
            continue
        assert executor is not None
        pending[executor.submit(run_job, job)] = job
    for future in as_completed(pending):
        job = pending[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a worker that died: report it, keep going
            outcome = Outcome(job.dataset, job.label, job.request.kind, str(job.request.out),
                              "failed", 0.0, f"{type(exc).__name__} : {exc}")  # fmt: skip
        if outcome.status == "built":
            out = Path(outcome.output).parent
            state = _load_state(out)
            state.setdefault("reports", {})[Path(outcome.output).name] = {
                "key": job.key,
                "label": job.label,
                "seconds": round(outcome.seconds, 2),
            }
            _save_state(out, state)
        summary.outcomes.append(outcome)
        done += 1
        if progress:
            progress(done, len(jobs), outcome)


def run_job(job: Job) -> Outcome:
    """Build one report (in a worker process); never raises for a report's own failure."""
    from .reports import build_report

    started = time.perf_counter()
    try:
        build_report(job.request, checked=True)
    except CcAnalyticsError as exc:
        return Outcome(job.dataset, job.label, job.request.kind, str(job.request.out), "failed",
                       time.perf_counter() - started, str(exc))  # fmt: skip
    return Outcome(job.dataset, job.label, job.request.kind, str(job.request.out), "built",
                   time.perf_counter() - started)  # fmt: skip


# -- index ------------------------------------------------------------------------------------
STATUS_FR = {"built": "produit", "up to date": "à jour (inchangé)", "failed": "échec",
             "invalid data": "données invalides", "skipped": "non produit"}  # fmt: skip


def write_index(summary: BuildSummary, output: Path) -> Path:
    """``index.html``: every report with its status, duration and inputs; offline, escaped."""
    from html import escape

    rows = []
    for o in sorted(summary.outcomes, key=lambda o: (o.dataset, o.kind != "validation", o.label)):
        target = Path(o.output)
        link = os.path.relpath(target, output) if target.suffix == ".html" else (
            os.path.relpath(target, output) + "/")  # fmt: skip
        exists = target.exists()
        name = f"<a href='{escape(link)}'>{escape(o.label)}</a>" if exists else escape(o.label)
        status_class = "ko" if o.status in ("failed", "invalid data") else "ok"
        message = f"<div class='msg'>{escape(o.message)}</div>" if o.message else ""
        rows.append(
            f"<tr><td>{escape(o.dataset)}</td><td>{name}{message}</td>"
            f"<td class='{status_class}'>{escape(STATUS_FR.get(o.status, o.status))}</td>"
            f"<td class='num'>{o.seconds:.1f}\u00a0s</td></tr>".replace(".", ",")
        )
    datasets = sorted({o.dataset for o in summary.outcomes})
    inputs = "".join(_inputs_html(name, summary) for name in datasets)
    generated = datetime.now().astimezone().strftime("%d/%m/%Y à %H:%M")
    html = INDEX_TEMPLATE.format(rows="".join(rows), inputs=inputs,
                                 generated=escape(generated), version=escape(__version__))  # fmt: skip
    path = output / "index.html"
    write_text(path, html)
    return path


def _inputs_html(dataset: str, summary: BuildSummary) -> str:
    """The input files (with their SHA-256) a dataset's reports were built from."""
    from html import escape

    files = "".join(
        f"<li><code>{escape(name)}</code> — SHA-256 <code>{escape(digest)}</code></li>"
        for name, digest in summary.inputs.get(dataset, {}).items()
    )
    return f"<h3>{escape(dataset)}</h3><ul>{files or '<li>(données non lues)</li>'}</ul>"


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Rapports cc-analytics</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;color:#1d2433;max-width:64rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #d5d9e0;padding:.35rem .6rem;text-align:left}}
th{{background:#f2f4f7}}.ok{{color:#17663a}}.ko{{color:#a4161a;font-weight:600}}.num{{text-align:right}}
.msg{{color:#a4161a;font-size:.85rem;white-space:pre-wrap}}a{{color:#1f4e79}}</style></head>
<body><h1>Rapports cc-analytics</h1>
<p>Générés le {generated} par cc-analytics {version}.</p>
<table><thead><tr><th>Jeu de données</th><th>Rapport</th><th>Statut</th><th>Durée</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Données d'entrée</h2>{inputs}
</body></html>
"""


def outcome_line(outcome: Outcome) -> str:
    """A log line: no personal data, only dataset, report and status."""
    return (f"{outcome.dataset} — {outcome.label} : {STATUS_FR.get(outcome.status, outcome.status)}"
            f" ({outcome.seconds:.1f} s)").replace(".", ",")  # fmt: skip


def summary_dict(summary: BuildSummary) -> list[dict]:
    return [asdict(o) for o in summary.outcomes]


def stream_is_terminal() -> bool:
    return sys.stderr.isatty()

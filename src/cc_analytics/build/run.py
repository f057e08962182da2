"""The main job: validate → ingest → result tables → every report → ``index.html``.

- **Parallel**: reports run in worker processes (any ``concurrent.futures.Executor``: one
  process per core by default, or a Dask cluster, see :mod:`.executors`); one failing report
  does not stop the others, and its previous good HTML is kept. Each worker keeps one warm
  kernel for all its reports (``reporting.render.warm_kernels``), started while this process
  still checks the data.
- **Incremental**: each output has a content key (:mod:`.keys`) stored in
  ``build-manifest.json`` (:mod:`.state`) with the audience and the hash of the file as
  written; an output whose key did not change and whose file is still the one written is not
  rebuilt (one deleted, edited or written over by another command is, and the log says so),
  ``force`` rebuilds everything. A dataset whose files, code and settings are all as at its
  last complete build is answered from the manifest alone, without importing pandas or
  reading any table, so a run with nothing to do takes well under a second.
- **Safe**: the command line holds a lock (:mod:`.lock`) for the run; every write is atomic.
- **Quiet about people**: see :mod:`.outcomes`.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import CcAnalyticsError
from ..core.version import __version__
from ..inputs.folder import file_stat, is_survey_file, locate
from ..reporting.kinds import KINDS
from ..workspace.catalog import DatasetCatalog
from . import keys
from .config import BuildConfig, DatasetConfig
from .executors import local_executor
from .index import index_link, write_index
from .outcomes import BuildSummary, Job, Outcome, safe_message, scrub
from .state import (
    audience_name,
    drift,
    files_drift,
    last_seconds,
    load_state,
    save_state,
)

if TYPE_CHECKING:  # requests imports pandas: only needed when something is rebuilt
    from ..reporting.context import ReportContext
    from ..reporting.requests import ReportRequest

log = logging.getLogger("cc_analytics.build")
TABLE_FILES = ("metrics.csv", "metrics.xlsx", "agreement.csv", "promotions.csv")
TABLES_LABEL = "tableaux de résultats (usage interne)"
GATE_LABEL = "contrôle des données"


def prepared_folder(catalog: DatasetCatalog) -> Path:
    """Where the build writes the tables a dataset's reports read (``reporting.prepared``):
    beside its processed tables, with the same candidate data, never among the reports
    (a build killed before removing it leaves nothing in a folder that gets sent around)."""
    return catalog.processed.with_name(f".{catalog.processed.name}.rapports")


@dataclass(frozen=True)
class Target:
    """A dataset of the configuration and where its outputs go."""

    config: DatasetConfig
    catalog: DatasetCatalog

    @property
    def name(self) -> str:
        return self.catalog.name

    @property
    def out(self) -> Path:
        return self.catalog.reports


def build(config: BuildConfig, *, force: bool = False, executor: Executor | None = None,
          progress: Callable[[int, int, Outcome], None] | None = None) -> BuildSummary:  # fmt: skip
    """Run the main job for every dataset of ``config``; see the module docstring."""
    if config.pdf:
        from ..reporting.render import chromium_path

        chromium_path()  # no Chromium: said at once, before anything is written
    summary = BuildSummary()
    rules = _rules_values(config.rules_file)
    plan: list[Job | Outcome] = []
    rebuilt: list[tuple[Target, str]] = []
    checked: list[tuple[Target, str, list[Outcome] | None]] = []
    meanwhile: list[Callable[[], None]] = []  # done here while the workers make the reports
    for dataset in config.datasets:
        catalog = config.workspace.dataset(dataset.path)
        target = Target(dataset, catalog.with_reports(config.output / catalog.key))
        fingerprint = _fingerprint(target, config, rules)
        fresh = None if force else _fresh_outcomes(target, fingerprint, summary)
        checked.append((target, fingerprint, fresh))
    if any(fresh is None for *_, fresh in checked) and isinstance(executor, ProcessPoolExecutor):
        _warm_workers(executor)
    for target, fingerprint, fresh in checked:
        if fresh is not None:
            plan += fresh
            continue
        _forget_fresh(target.out)
        rebuilt.append((target, fingerprint))
        plan += _prepare_dataset(target, config, force, summary, rules, meanwhile)
    own_executor = executor is None and any(
        isinstance(item, Job) and _rebuild_reason(item, force) is not None for item in plan
    )
    if own_executor:
        executor = local_executor(config.jobs)
    try:
        _run_jobs(plan, executor, force, summary, progress, meanwhile)
    finally:
        if own_executor and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        for target, _ in rebuilt:
            shutil.rmtree(prepared_folder(target.catalog), ignore_errors=True)
    for target, fingerprint in rebuilt:
        _remember_fresh(target, fingerprint, summary, config.pdf)
    summary.index = write_index(summary, config.output)
    return summary


def _warm_workers(executor: ProcessPoolExecutor) -> None:
    """Start the workers and their warm kernels now, while this process checks the data (on
    one core): the reports then start on kernels already warm. Failures are left to the
    reports, which say them in their words."""
    from ..reporting.render import preload, warm_up

    preload()  # before the workers are forked: they inherit it
    for _ in range(getattr(executor, "_max_workers", 1)):
        executor.submit(warm_up)


# -- the no-change path -----------------------------------------------------------------------
def _rules_values(rules_file: Path | None) -> dict | None:
    """The rules a file sets (not its other settings): a key changes when the rules do."""
    if rules_file is None:
        return None
    from ..engine.rules import read_rules_file

    return read_rules_file(rules_file)


def _fingerprint(target: Target, config: BuildConfig, rules: dict | None) -> str:
    """Everything a dataset's outputs depend on, computable without reading its tables
    (taken before the build: a file changed during the build is seen by the next run)."""
    dataset = target.config
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(dataset).items()}
    return keys.digest(
        __version__, keys.folder_hashes(dataset.path), settings, rules, config.shared_plotly,
        config.pdf, str(target.out), [keys.code_digest(kind) for kind in dataset.reports],
        keys.gate_digest(), keys.optional_file_digest(dataset.referentiel),
        keys.optional_file_digest(dataset.rncp_export),
    )  # fmt: skip


def _with_processed(fingerprint: str, target: Target) -> str:
    """The fingerprint and the processed tables' manifest as they are now: processed data
    rewritten by another command (``cc-analytics ingest --referentiel …``) is gated again."""
    return keys.digest(fingerprint, keys.optional_file_digest(target.catalog.manifest))


def _fresh_outcomes(target: Target, fingerprint: str,
                    summary: BuildSummary) -> list[Outcome] | None:  # fmt: skip
    """Every output of the dataset as "up to date" when nothing changed since its last
    complete build (and every output is still there, as written); ``None`` otherwise."""
    state = load_state(target.out)
    fresh = state.get("fresh")
    if not fresh or fresh.get("fingerprint") != _with_processed(fingerprint, target):
        return None
    outcomes = [Outcome(target.name, o["label"], o["kind"], str(target.out / o["output"]),
                        "up to date", last_seconds(target.out / o["output"], state))
                for o in fresh["outputs"]]  # fmt: skip
    if not all(Path(o.output).exists() for o in outcomes):
        return None
    if any(_pdf_missing(Path(o.output), fresh) for o in outcomes if o.is_report):
        return None  # a PDF deleted since: the full path prints it again
    if any(_written_over(target.out, state, o) for o in outcomes):
        return None  # the full path finds which and rebuilds it
    summary.inputs[target.name] = fresh["inputs"]
    return outcomes


def _pdf_missing(page: Path, fresh: dict) -> bool:
    return bool(fresh.get("pdf")) and not page.with_suffix(".pdf").exists()


def _written_over(out: Path, state: dict, outcome: Outcome) -> bool:
    """Whether a report or table of the last complete build is no longer the file it wrote."""
    if outcome.kind == "tables":
        written = _written_tables(state)
        return written is None or files_drift(Path(outcome.output), written) is not None
    page = Path(outcome.output)
    if outcome.kind == "validation":
        return drift(page, (state.get("data") or {}).get("validation")) is not None
    if not outcome.is_report:
        return False
    entry = state.get("reports", {}).get(page.name, {})
    return (not entry.get("sha256") or drift(page, entry["sha256"], entry.get("stat")) is not None
            or drift(page.with_suffix(".ipynb"), entry.get("notebook_sha256"),
                     entry.get("notebook_stat")) is not None)  # fmt: skip


def _forget_fresh(out: Path) -> None:
    state = load_state(out)
    if "fresh" in state:
        del state["fresh"]
        save_state(out, state)


def _remember_fresh(target: Target, fingerprint: str, summary: BuildSummary,
                    pdf: bool) -> None:  # fmt: skip
    """After a complete build of a dataset (no failure), its outputs for the fast path."""
    outcomes = [o for o in summary.outcomes if o.dataset == target.name]
    if not outcomes or any(o.status not in ("built", "up to date") for o in outcomes):
        return
    outputs = [{"label": o.label, "kind": o.kind,
                "output": os.path.relpath(o.output, target.out)} for o in outcomes]  # fmt: skip
    state = load_state(target.out)
    state["fresh"] = {"fingerprint": _with_processed(fingerprint, target), "pdf": pdf,
                      "inputs": summary.inputs.get(target.name, {}), "outputs": outputs}  # fmt: skip
    save_state(target.out, state)


# -- one dataset: gate, tables, report jobs ---------------------------------------------------
def _prepare_dataset(target: Target, config: BuildConfig, force: bool, summary: BuildSummary,
                     rules: dict | None,
                     meanwhile: list[Callable[[], None]]) -> list[Job | Outcome]:  # fmt: skip
    """Gate and ingest (only when inputs changed), list report jobs; the result tables are
    added to ``meanwhile``, written while the reports are made."""
    from ..reporting.requests import ReportRequest

    name, out = target.name, target.out
    started = time.perf_counter()
    validation = str(target.catalog.validation_report)
    try:
        inputs, checked = _ensure_processed(target, force, summary)
    except CcAnalyticsError as exc:
        summary.outcomes.append(Outcome(name, GATE_LABEL, "validation", validation,
                                        "invalid data", time.perf_counter() - started,
                                        safe_message(exc)))  # fmt: skip
        log.error("%s : données invalides, rapports non reconstruits (%d problème(s))", name,
                  len(exc.problems))  # fmt: skip
        return _kept_outputs(name, out)
    except Exception as exc:  # a bug or a broken file system: the other datasets go on
        message = scrub(f"{type(exc).__name__} : {exc}", target.catalog.processed)
        summary.outcomes.append(Outcome(name, GATE_LABEL, "validation", validation, "failed",
                                        time.perf_counter() - started, message))  # fmt: skip
        log.error("%s : contrôle des données impossible (%s)", name, type(exc).__name__)
        return _kept_outputs(name, out)
    summary.outcomes.append(Outcome(name, GATE_LABEL, "validation", validation,
                                    "built" if checked else "up to date",
                                    time.perf_counter() - started))  # fmt: skip
    dataset = target.config
    base = ReportRequest(kind="cohort", dataset=target.catalog, referentiel=dataset.referentiel,
                         rules=config.rules_file, shared_plotly=config.shared_plotly,
                         pdf=config.pdf, index_link=index_link(out, config.output))  # fmt: skip
    context = _Context(target, config.rules_file)
    meanwhile.append(lambda: summary.outcomes.append(
        _result_tables(target, inputs, context, rules, force)))  # fmt: skip
    common = (inputs, rules, keys.optional_file_digest(dataset.referentiel))
    # a cohort report does not read the insertion survey: a survey edit leaves it as it is
    scores_only = ({k: v for k, v in inputs.items() if not is_survey_file(k)}, *common[1:])
    jobs: list[Job | Outcome] = []
    if "cohort" in dataset.reports:
        for cohort in _cohorts(target):
            request = replace(base, kind="cohort", cohort=cohort)
            jobs.append(_job(target, f"{KINDS['cohort'].short_label} {cohort}", request,
                             scores_only))  # fmt: skip
    if "review" in dataset.reports:
        request = replace(base, kind="review", years=dataset.review_years)
        jobs.append(_job(target, KINDS["review"].short_label, request, common))
    if "renewal" in dataset.reports:
        request = replace(base, kind="renewal", years=dataset.renewal_years,
                          rncp_export=dataset.rncp_export, fiche=dataset.fiche)  # fmt: skip
        jobs.append(_job(target, KINDS["renewal"].short_label, request, common))
    state = load_state(out)
    if any(_rebuild_reason(job, force, state) is not None for job in jobs):
        jobs = _with_prepared(jobs, context)
    return jobs


class _Context:
    """A dataset's report context (tables and results under the build's rules), computed at
    the first need, once: for the result tables and for the reports' prepared folder."""

    def __init__(self, target: Target, rules_file: Path | None) -> None:
        self.target, self.rules_file = target, rules_file
        self._context: ReportContext | None = None

    def get(self) -> ReportContext:
        if self._context is None:
            from ..reporting.context import load_context

            self._context = load_context(self.target.catalog, rules=self.rules_file,
                                         referentiel=self.target.config.referentiel)  # fmt: skip
        return self._context


def _with_prepared(jobs: list[Job | Outcome], context: _Context) -> list[Job | Outcome]:
    """The jobs with the folder where the dataset's tables and results are written once for
    all its reports (``reporting.prepared``; removed at the end of the build). Without it
    (it could not be written) each report computes them."""
    from ..reporting.prepared import write_prepared

    folder = prepared_folder(context.target.catalog)
    try:
        ctx = context.get()
        write_prepared(ctx.tables, ctx.results, ctx.manifest, ctx.pseudonym_shown, folder)
    except Exception as exc:  # each report then says, in its words, what it cannot read
        log.warning("%s : tables communes aux rapports non écrites (%s) ; chaque rapport "
                    "les calcule", context.target.name, type(exc).__name__)  # fmt: skip
        return jobs
    return [replace(job, request=replace(job.request, prepared=folder))
            if isinstance(job, Job) else job for job in jobs]  # fmt: skip


def _ensure_processed(target: Target, force: bool,
                      summary: BuildSummary) -> tuple[dict, bool]:  # fmt: skip
    """Input hashes of the dataset, and whether the gate ran: gate + ingest only when the
    inputs, the referentiel or the gate itself changed (or ``force``)."""
    dataset, catalog, out = target.config, target.catalog, target.out
    hashes = locate(dataset.path).hashes()
    summary.inputs[target.name] = hashes
    gate_key = keys.digest(hashes, keys.optional_file_digest(dataset.referentiel),
                           keys.gate_digest(), __version__)  # fmt: skip
    state = load_state(out)
    current = {"key": gate_key, "manifest": keys.optional_file_digest(catalog.manifest)}
    stored = state.get("data") or {}
    # validation.html is the gate's page: a copy changed or deleted since is written again
    fresh = ({k: stored.get(k) for k in current} == current
             and catalog.validation_report.exists()
             and drift(catalog.validation_report, stored.get("validation")) is None)  # fmt: skip
    if not force and fresh and catalog.pseudonym_key.exists():
        return hashes, False
    from ..gate.pipeline import ingest_dataset

    log.info("%s : contrôle et normalisation des données", target.name)
    state.pop("data", None)  # validation.html is about to change: never "fresh" if the gate fails
    save_state(out, state)
    ingest_dataset(catalog, dataset.referentiel)
    state = load_state(out)
    state["data"] = {"key": gate_key, "manifest": keys.optional_file_digest(catalog.manifest),
                     "validation": keys.file_sha256(catalog.validation_report)}  # fmt: skip
    save_state(out, state)
    return hashes, True


def _kept_outputs(name: str, out: Path) -> list[Job | Outcome]:
    """The previous reports of a dataset whose data is now invalid: kept, listed, not rebuilt."""
    kept: list[Job | Outcome] = []
    for file, entry in sorted(load_state(out).get("reports", {}).items()):
        if (out / file).exists():
            kept.append(Outcome(name, entry.get("label", file), entry.get("kind", ""),
                                str(out / file), "skipped", 0.0,
                                "données invalides : version précédente conservée"))  # fmt: skip
    return kept


def _job(target: Target, label: str, request: ReportRequest, common: tuple) -> Job:
    # a page for outside readers travels alone: it always carries its own plotly.js
    shared = request.shared_plotly and not request.audience_external
    request = replace(request, out=target.out / request.default_name(), shared_plotly=shared)
    key = keys.digest(common, keys.code_digest(request.kind), request.parameters(),
                      request.shared_plotly, request.pdf, __version__, _audience(request),
                      keys.optional_file_digest(request.rncp_export))  # fmt: skip
    return Job(target.name, label, request, key)


def _cohorts(target: Target) -> list[str]:
    import pyarrow.parquet as pq

    path = target.catalog.processed / "candidates.parquet"
    table = pq.read_table(path, columns=["cohort"])
    return sorted(set(table.column("cohort").to_pylist()))


def _result_tables(target: Target, inputs: dict, context: _Context, rules: dict | None,
                   force: bool) -> Outcome:  # fmt: skip
    """metrics.csv/.xlsx, agreement.csv, promotions.csv for the dataset (internal tables)."""
    name, out = target.name, target.out
    key = keys.digest(inputs, keys.code_digest_tables(), rules,
                      keys.optional_file_digest(target.config.referentiel), __version__)  # fmt: skip
    targets = [out / "tables" / f for f in TABLE_FILES]
    folder = str(out / "tables")
    written = _written_tables(load_state(out), key)
    reason = None if force or written is None else files_drift(out / "tables", written)
    if not force and written is not None and reason is None:
        return Outcome(name, TABLES_LABEL, "tables", folder, "up to date")
    started = time.perf_counter()
    log.info("%s : %s", name, TABLES_LABEL)  # seconds on a large dataset: said when it starts
    try:
        _write_tables(context.get(), targets)
    except Exception as exc:  # a failure here must not stop the reports
        processed = target.catalog.processed
        message = (safe_message(exc, processed) if isinstance(exc, CcAnalyticsError)
                   else scrub(f"{type(exc).__name__} : {exc}", processed))  # fmt: skip
        return Outcome(name, TABLES_LABEL, "tables", folder, "failed",
                       time.perf_counter() - started, message)  # fmt: skip
    state = load_state(out)
    state["tables"] = {"key": key, "files": {t.name: keys.file_sha256(t) for t in targets}}
    save_state(out, state)
    if reason:
        log.warning("%s — %s : %s", name, TABLES_LABEL, reason)
    return Outcome(name, TABLES_LABEL, "tables", folder, "built", time.perf_counter() - started,
                   reason or "")  # fmt: skip


def _written_tables(state: dict, key: str | None = None) -> dict[str, str] | None:
    """The hash of each table file as the build wrote it, when the state records every one
    (for ``key`` when given); ``None`` when they must be written anyway."""
    recorded = state.get("tables")
    if not isinstance(recorded, dict) or (key is not None and recorded.get("key") != key):
        return None  # never built, built for other inputs, or by a build that kept no hashes
    files = recorded.get("files", {})
    return files if set(files) == set(TABLE_FILES) else None


def _write_tables(ctx: ReportContext, paths: list[Path]) -> None:
    from ..reporting.exports import write_table
    from ..reporting.tables import agreement_table, metrics_table, promotions_table

    info = ctx.provenance()
    metrics = metrics_table(ctx, ["cohort"])
    write_table(metrics, paths[0], info, "métriques")
    write_table(metrics, paths[1], info, "métriques")
    write_table(agreement_table(ctx, ["cohort"]), paths[2], info)
    write_table(promotions_table(ctx), paths[3], info)


# -- running the reports ----------------------------------------------------------------------
def _audience(request: ReportRequest) -> str:
    return audience_name(request.audience_external)


def _rebuild_reason(job: Job, force: bool, state: dict | None = None) -> str | None:
    """``None`` when the report is up to date: same key, same audience, and its file is still
    the one the build wrote. Otherwise why it is rebuilt: ``""`` for the usual reasons (new,
    inputs or code changed, ``force``), a French message when the file was deleted or changed
    since (e.g. ``report --out`` wrote over it, or a hand edit)."""
    out = job.request.out
    if force or out is None:
        return ""
    state = load_state(out.parent) if state is None else state  # the page's folder's
    entry = state.get("reports", {}).get(out.name, {})
    if entry.get("key") != job.key or entry.get("audience") != _audience(job.request):
        return ""
    if not entry.get("sha256"):
        return ""  # built before the build kept hashes: cannot tell, rebuild once
    if job.request.pdf and not out.with_suffix(".pdf").exists():
        return "PDF supprimé depuis la dernière construction : reproduit"
    # the executed notebook beside the page is the audit copy: kept as written too
    return drift(out, entry["sha256"], entry.get("stat")) or drift(
        out.with_suffix(".ipynb"), entry.get("notebook_sha256"), entry.get("notebook_stat"))  # fmt: skip


def _run_jobs(plan: list[Job | Outcome], executor: Executor | None, force: bool,
              summary: BuildSummary, progress: Callable[[int, int, Outcome], None] | None,
              meanwhile: list[Callable[[], None]]) -> None:  # fmt: skip
    """Submit the reports to rebuild, do ``meanwhile``'s work here while the workers make them
    (on the core they leave between two reports), then collect them as they end."""
    _submit_and_collect(plan, executor, force, summary, progress, meanwhile)
    while meanwhile:  # nothing was submitted: done now
        meanwhile.pop(0)()


def _submit_and_collect(plan: list[Job | Outcome], executor: Executor | None, force: bool,
                        summary: BuildSummary,
                        progress: Callable[[int, int, Outcome], None] | None,
                        meanwhile: list[Callable[[], None]]) -> None:  # fmt: skip
    pending: dict[Future, tuple[Job, str]] = {}
    done = 0
    total = sum(item.is_report for item in plan if isinstance(item, Outcome)) + sum(
        isinstance(item, Job) for item in plan)  # fmt: skip

    def finish(outcome: Outcome) -> None:
        nonlocal done
        summary.outcomes.append(outcome)
        if not outcome.is_report:
            return  # not counted by the progress bar
        done += 1
        if progress:
            progress(done, total, outcome)

    to_run: list[tuple[Job, str]] = []
    states: dict[Path, dict] = {}  # each output folder's manifest, read once here

    def state_of(job: Job) -> dict:
        folder = Path(job.request.out or "").parent
        if folder not in states:
            states[folder] = load_state(folder)
        return states[folder]

    for item in plan:
        if isinstance(item, Outcome):
            finish(item)
        elif (reason := _rebuild_reason(item, force, state_of(item))) is None:
            finish(Outcome(item.dataset, item.label, item.request.kind, str(item.request.out),
                           "up to date", last_seconds(item.request.out, state_of(item))))  # fmt: skip
        else:
            to_run.append((item, reason))
    if not to_run:
        return
    assert executor is not None
    workers = getattr(executor, "_max_workers", None)  # a Dask cluster does not say
    # said at once: the first report of each worker also waits for its kernel to start
    log.info("%d rapport(s) à produire%s ; le premier de chaque processus prend quelques "
             "secondes de plus (démarrage)", len(to_run),
             f" sur {workers} processus" if workers else "")  # fmt: skip
    if isinstance(executor, ProcessPoolExecutor):
        from ..reporting.render import preload

        preload()  # before the first job forks the workers (when not done yet), which inherit it
    for job, reason in to_run:
        pending[executor.submit(run_job, job)] = (job, reason)
    while meanwhile:
        meanwhile.pop(0)()
    for future in as_completed(pending):
        job, reason = pending[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a worker that died: report it, keep going
            outcome = Outcome(job.dataset, job.label, job.request.kind, str(job.request.out),
                              "failed", 0.0, f"{type(exc).__name__} : {exc}")  # fmt: skip
        if outcome.status == "built":
            out = Path(outcome.output).parent
            state = load_state(out)
            state.setdefault("reports", {})[Path(outcome.output).name] = {
                "key": job.key,
                "audience": _audience(job.request),
                "label": job.label,
                "kind": job.request.kind,
                "seconds": round(outcome.seconds, 2),
                # the page as written, hashed while the lock still keeps every other writer out
                "sha256": keys.file_sha256(Path(outcome.output)),
                "notebook_sha256": keys.file_sha256(Path(outcome.output).with_suffix(".ipynb")),
                "stat": file_stat(Path(outcome.output)),
                "notebook_stat": file_stat(Path(outcome.output).with_suffix(".ipynb")),
            }
            save_state(out, state)
            outcome = replace(outcome, message=reason)
        elif outcome.message:
            outcome = replace(outcome, message=scrub(outcome.message,
                                                     job.request.dataset.processed))  # fmt: skip
        finish(outcome)


def run_job(job: Job) -> Outcome:
    """Build one report (in a worker process) on the worker's warm kernel; never raises for
    a report's own failure."""
    from ..reporting.render import warm_kernels
    from ..reporting.requests import build_report

    started = time.perf_counter()
    try:
        with warm_kernels():
            build_report(job.request, checked=True)
    except CcAnalyticsError as exc:
        return Outcome(job.dataset, job.label, job.request.kind, str(job.request.out), "failed",
                       time.perf_counter() - started, str(exc))  # fmt: skip
    return Outcome(job.dataset, job.label, job.request.kind, str(job.request.out), "built",
                   time.perf_counter() - started)  # fmt: skip

"""The main job: validate → ingest → metrics tables → every report → ``index.html``.

- **Parallel**: reports run in worker processes (any ``concurrent.futures.Executor``; one
  process per core by default, or a Dask cluster); one failing report does not stop the
  others, and its previous good HTML is kept.
- **Incremental**: each output has a content key (input hashes, notebook, template, rules,
  parameters, package version) stored in ``build-manifest.json``; an output whose key did not
  change is not rebuilt. ``force`` rebuilds everything. A dataset whose files, code and
  settings are all as at its last complete build is answered from the manifest alone, without
  importing pandas or reading any table, so a run with nothing to do takes well under a second.
- **Safe**: a lock file stops two overlapping runs (taken by the command line); every write
  is atomic.
- **Quiet about people**: log lines and the index name datasets, report kinds and cohorts,
  never candidates: problem values are left out and failure messages are scrubbed of the
  dataset's candidate ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .atomic import write_text
from .build_config import BuildConfig, DatasetConfig
from .errors import CcAnalyticsError, DataValidationError
from .paths import EXPECTATIONS_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, processed_dir, safe_name
from .render import KINDS

if TYPE_CHECKING:  # reports imports pandas: only needed when something is rebuilt
    from .reports import ReportRequest

log = logging.getLogger("cc_analytics.build")
BUILD_MANIFEST = "build-manifest.json"
LOCK_FILE = ".cc-analytics-build.lock"
#: ``ingest.MANIFEST``, named here so the no-change path does not import pandas.
PROCESSED_MANIFEST = "manifest.json"
TABLE_FILES = ("metrics.csv", "metrics.xlsx", "agreement.csv", "promotions.csv")
HIDDEN_ID = "[identifiant masqué]"


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
    status: str  # "built", "up to date", "failed", "invalid data", "skipped"
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


def _optional_file_digest(path: Path | None) -> str | None:
    return _files_digest([path]) if path is not None and path.is_file() else None


def code_digest_tables() -> str:
    """The package's code and shipped data (the default referentiel): what tables depend on."""
    return _files_digest([*PACKAGE_DIR.glob("*.py"), *(PACKAGE_DIR / "data").glob("*.*")])


def code_digest(kind: str) -> str:
    """Everything of ours a ``kind`` report depends on besides data: its notebook, the
    template, the package. Another kind's notebook is left out: editing the quality review
    does not rebuild every cohort report."""
    sources = [NOTEBOOKS_DIR / KINDS[kind][0], *(PACKAGE_DIR / "templates").rglob("*.*")]
    return _digest(code_digest_tables(), _files_digest(p for p in sources if p.is_file()))


def _gate_digest() -> str:
    return _digest(code_digest_tables(), _files_digest(EXPECTATIONS_DIR.glob("*.json")))


def _rules_values(rules_file: Path | None) -> dict | None:
    """The rules a file sets (not its other settings): a key changes when the rules do."""
    if rules_file is None:
        return None
    from .rules import read_rules_file

    return read_rules_file(rules_file)


def _folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file of a dataset folder: a superset of the inputs, without pandas."""
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}  # fmt: skip


def _fingerprint(dataset: DatasetConfig, config: BuildConfig, rules: dict | None) -> str:
    """Everything a dataset's outputs depend on, computable without reading its tables
    (taken before the build: a file changed during the build is seen by the next run)."""
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(dataset).items()}
    return _digest(
        __version__, _folder_hashes(dataset.path), settings, rules, config.shared_plotly,
        str(config.output), [code_digest(kind) for kind in dataset.reports], _gate_digest(),
        _optional_file_digest(dataset.referentiel), _optional_file_digest(dataset.rncp_export),
    )  # fmt: skip


def _with_processed(fingerprint: str, dataset: DatasetConfig) -> str:
    """The fingerprint and the processed tables' manifest as they are now: processed data
    rewritten by another command (``cc-analytics ingest --referentiel …``) is gated again."""
    manifest = processed_dir(dataset.path) / PROCESSED_MANIFEST
    return _digest(fingerprint, _optional_file_digest(manifest))


# -- the build --------------------------------------------------------------------------------
def build(config: BuildConfig, *, force: bool = False, executor: Executor | None = None,
          progress: Callable[[int, int, Outcome], None] | None = None,
          rules_file: Path | None = None) -> BuildSummary:  # fmt: skip
    """Run the main job for every dataset of ``config``; see the module docstring."""
    summary = BuildSummary()
    rules = _rules_values(rules_file)
    plan: list[Job | Outcome] = []
    rebuilt: list[tuple[DatasetConfig, Path, str]] = []
    for dataset in config.datasets:
        out = _dataset_output(dataset, config)
        fingerprint = _fingerprint(dataset, config, rules)
        fresh = None if force else _fresh_outcomes(dataset, out, fingerprint, summary)
        if fresh is not None:
            plan += fresh
            continue
        _forget_fresh(out)
        rebuilt.append((dataset, out, fingerprint))
        plan += _prepare_dataset(dataset, config, out, force, summary, rules_file, rules)
    own_executor = executor is None and any(
        isinstance(item, Job) and _needs_build(item, force) for item in plan
    )
    if own_executor:
        executor = ProcessPoolExecutor(max_workers=config.jobs or os.cpu_count() or 1)
    try:
        _run_jobs(plan, executor, force, summary, progress)
    finally:
        if own_executor and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    for dataset, out, fingerprint in rebuilt:
        _remember_fresh(dataset, out, fingerprint, summary)
    summary.index = write_index(summary, config.output)
    return summary


def _dataset_output(dataset: DatasetConfig, config: BuildConfig) -> Path:
    return config.output / safe_name(dataset.path.name)


def _fresh_outcomes(dataset: DatasetConfig, out: Path, fingerprint: str,
                    summary: BuildSummary) -> list[Outcome] | None:  # fmt: skip
    """Every output of the dataset as "up to date" when nothing changed since its last
    complete build (and every output is still there); ``None`` otherwise."""
    fresh = _load_state(out).get("fresh")
    if not fresh or fresh.get("fingerprint") != _with_processed(fingerprint, dataset):
        return None
    outcomes = [Outcome(dataset.path.name, o["label"], o["kind"], str(out / o["output"]),
                        "up to date", _last_seconds(out / o["output"]))
                for o in fresh["outputs"]]  # fmt: skip
    if not all(Path(o.output).exists() for o in outcomes):
        return None
    summary.inputs[dataset.path.name] = fresh["inputs"]
    return outcomes


def _forget_fresh(out: Path) -> None:
    state = _load_state(out)
    if "fresh" in state:
        del state["fresh"]
        _save_state(out, state)


def _remember_fresh(dataset: DatasetConfig, out: Path, fingerprint: str,
                    summary: BuildSummary) -> None:  # fmt: skip
    """After a complete build of a dataset (no failure), its outputs for the fast path."""
    name = dataset.path.name
    outcomes = [o for o in summary.outcomes if o.dataset == name]
    if not outcomes or any(o.status not in ("built", "up to date") for o in outcomes):
        return
    outputs = [{"label": o.label, "kind": o.kind,
                "output": os.path.relpath(o.output, out)} for o in outcomes]  # fmt: skip
    state = _load_state(out)
    state["fresh"] = {"fingerprint": _with_processed(fingerprint, dataset), "inputs": summary.inputs.get(name, {}),
                      "outputs": outputs}  # fmt: skip
    _save_state(out, state)


def _prepare_dataset(dataset: DatasetConfig, config: BuildConfig, out: Path, force: bool,
                     summary: BuildSummary, rules_file: Path | None,
                     rules: dict | None) -> list[Job | Outcome]:  # fmt: skip
    """Gate and ingest (only when inputs changed), write metrics tables, list report jobs."""
    from .reports import ReportRequest

    name = dataset.path.name
    started = time.perf_counter()
    try:
        inputs, checked = _ensure_processed(dataset, out, force, summary)
    except CcAnalyticsError as exc:
        summary.outcomes.append(Outcome(name, "contrôle des données", "validation",
                                        str(out / "validation.html"), "invalid data",
                                        time.perf_counter() - started, _safe_message(exc)))  # fmt: skip
        log.error("%s : données invalides, rapports non reconstruits (%d problème(s))", name,
                  len(exc.problems))  # fmt: skip
        return _kept_outputs(name, out)
    except Exception as exc:  # a bug or a broken file system: the other datasets go on
        message = _scrub(f"{type(exc).__name__} : {exc}", dataset.path)
        summary.outcomes.append(Outcome(name, "contrôle des données", "validation",
                                        str(out / "validation.html"), "failed",
                                        time.perf_counter() - started, message))  # fmt: skip
        log.error("%s : contrôle des données impossible (%s)", name, type(exc).__name__)
        return _kept_outputs(name, out)
    summary.outcomes.append(Outcome(name, "contrôle des données", "validation",
                                    str(out / "validation.html"),
                                    "built" if checked else "up to date",
                                    time.perf_counter() - started))  # fmt: skip
    base = ReportRequest(kind="cohort", dataset=dataset.path, referentiel=dataset.referentiel,
                         rules=rules_file, shared_plotly=config.shared_plotly)  # fmt: skip
    summary.outcomes.append(_metrics_tables(dataset, out, inputs, rules_file, rules, force))
    common = (inputs, rules, _optional_file_digest(dataset.referentiel))
    # a cohort report does not read the insertion survey: a survey edit leaves it as it is
    scores_only = ({k: v for k, v in inputs.items() if not _is_survey(k)}, *common[1:])
    jobs: list[Job | Outcome] = []
    if "cohort" in dataset.reports:
        for cohort in _cohorts(dataset):
            request = replace(base, kind="cohort", cohort=cohort)
            jobs.append(_job(name, f"cohorte {cohort}", request, out, scores_only))
    if "review" in dataset.reports:
        request = replace(base, kind="review", years=dataset.review_years)
        jobs.append(_job(name, "revue qualité", request, out, common))
    if "renewal" in dataset.reports:
        request = replace(base, kind="renewal", years=dataset.renewal_years,
                          rncp_export=dataset.rncp_export, fiche=dataset.fiche)  # fmt: skip
        jobs.append(_job(name, "renouvellement RNCP", request, out, common))
    return jobs


def _is_survey(file_name: str) -> bool:
    from .schemas import INSERTION, normalise_token

    return normalise_token(Path(file_name).stem) in INSERTION.file_stems


def _last_seconds(output: str | Path) -> float:
    """How long an up-to-date output took when it was last built (for the index)."""
    output = Path(output)
    entry = _load_state(output.parent).get("reports", {}).get(output.name, {})
    return float(entry.get("seconds", 0.0))


def _kept_outputs(name: str, out: Path) -> list[Job | Outcome]:
    """The previous reports of a dataset whose data is now invalid: kept, listed, not rebuilt."""
    kept: list[Job | Outcome] = []
    for file, entry in sorted(_load_state(out).get("reports", {}).items()):
        if (out / file).exists():
            kept.append(Outcome(name, entry.get("label", file), entry.get("kind", ""),
                                str(out / file), "skipped", 0.0,
                                "données invalides : version précédente conservée"))  # fmt: skip
    return kept


def _job(dataset: str, label: str, request: ReportRequest, out: Path, common: tuple) -> Job:
    request = replace(request, out=out / request.default_name())
    key = _digest(common, code_digest(request.kind), request.parameters(),
                  request.shared_plotly, __version__,
                  _optional_file_digest(request.rncp_export))  # fmt: skip
    return Job(dataset, label, request, key)


def _ensure_processed(dataset: DatasetConfig, out: Path, force: bool,
                      summary: BuildSummary) -> tuple[dict, bool]:  # fmt: skip
    """Input hashes of the dataset, and whether the gate ran: gate + ingest only when the
    inputs, the referentiel or the gate itself changed (or ``force``)."""
    from .dataset import locate

    files = locate(dataset.path)
    hashes = files.hashes()
    summary.inputs[dataset.path.name] = hashes
    target = processed_dir(dataset.path)
    manifest = target / PROCESSED_MANIFEST
    gate_key = _digest(hashes, _optional_file_digest(dataset.referentiel), _gate_digest(),
                       __version__)  # fmt: skip
    state = _load_state(out)
    fresh = (state.get("data") == {"key": gate_key, "manifest": _optional_file_digest(manifest)}
             and (out / "validation.html").exists())  # fmt: skip
    if not force and fresh:
        return hashes, False
    from .pipeline import ingest_dataset

    log.info("%s : contrôle et normalisation des données", dataset.path.name)
    state.pop("data", None)  # validation.html is about to change: never "fresh" if the gate fails
    _save_state(out, state)
    ingest_dataset(dataset.path, dataset.referentiel, target, report_dir=out)
    state = _load_state(out)
    state["data"] = {"key": gate_key, "manifest": _optional_file_digest(manifest)}
    _save_state(out, state)
    return hashes, True


def _cohorts(dataset: DatasetConfig) -> list[str]:
    import pyarrow.parquet as pq

    table = pq.read_table(processed_dir(dataset.path) / "candidates.parquet", columns=["cohort"])
    return sorted(set(table.column("cohort").to_pylist()))


def _metrics_tables(dataset: DatasetConfig, out: Path, inputs: dict, rules_file: Path | None,
                    rules: dict | None, force: bool) -> Outcome:  # fmt: skip
    """metrics.csv/.xlsx, agreement.csv, promotions.csv for the dataset (internal tables)."""
    name = dataset.path.name
    key = _digest(inputs, code_digest_tables(), rules,
                  _optional_file_digest(dataset.referentiel), __version__)  # fmt: skip
    targets = [out / "tables" / f for f in TABLE_FILES]
    if not force and _load_state(out).get("tables") == key and all(t.exists() for t in targets):
        return Outcome(
            name,
            "tableaux de résultats (usage interne)",
            "tables",
            str(out / "tables"),
            "up to date",
        )
    started = time.perf_counter()
    try:
        _write_tables(dataset, targets, rules_file)
    except Exception as exc:  # a failure here must not stop the reports
        message = (_safe_message(exc, dataset.path) if isinstance(exc, CcAnalyticsError)
                   else _scrub(f"{type(exc).__name__} : {exc}", dataset.path))  # fmt: skip
        return Outcome(name, "tableaux de résultats (usage interne)", "tables", str(out / "tables"), "failed",
                       time.perf_counter() - started, message)  # fmt: skip
    state = _load_state(out)
    state["tables"] = key
    _save_state(out, state)
    return Outcome(name, "tableaux de résultats (usage interne)", "tables", str(out / "tables"), "built",
                   time.perf_counter() - started)  # fmt: skip


def _write_tables(dataset: DatasetConfig, targets: list[Path], rules_file: Path | None) -> None:
    from .aggregates import aggregate
    from .agreement import agreement
    from .context import load_context
    from .exports import write_table
    from .privacy import flag_small_groups
    from .promotions import promotion_statistics

    ctx = load_context(dataset.path, referentiel=dataset.referentiel, rules=rules_file)
    info = ctx.provenance()
    metrics = ctx.stamp(flag_small_groups(aggregate(ctx.results, ctx.referentiel, ["cohort"]),
                                          ctx.rules.small_group))  # fmt: skip
    write_table(metrics, targets[0], info, "métriques")
    write_table(metrics, targets[1], info, "métriques")
    write_table(ctx.stamp(agreement(ctx.results, ctx.referentiel, ["cohort"])), targets[2], info)
    write_table(ctx.stamp(promotion_statistics(ctx.results, ctx.tables.insertion)), targets[3],
                info)  # fmt: skip


def _load_state(out: Path) -> dict:
    path = out / BUILD_MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}  # no manifest, or a damaged one: everything is rebuilt


def _save_state(out: Path, state: dict) -> None:
    write_text(out / BUILD_MANIFEST, json.dumps(state, indent=2, sort_keys=True) + "\n")


def _needs_build(job: Job, force: bool) -> bool:
    if force or not job.request.out or not job.request.out.exists():
        return True
    state = _load_state(job.request.out.parent)
    return state.get("reports", {}).get(job.request.out.name, {}).get("key") != job.key


def _run_jobs(plan: list[Job | Outcome], executor: Executor | None, force: bool,
              summary: BuildSummary,
              progress: Callable[[int, int, Outcome], None] | None) -> None:  # fmt: skip
    pending: dict[Future, Job] = {}
    done = 0

    def finish(outcome: Outcome) -> None:
        nonlocal done
        summary.outcomes.append(outcome)
        if outcome.kind in ("validation", "tables"):
            return  # not a report: not counted by the progress bar
        done += 1
        if progress:
            progress(done, total, outcome)

    total = sum(item.kind not in ("validation", "tables") for item in plan
                if isinstance(item, Outcome)) + sum(isinstance(item, Job) for item in plan)  # fmt: skip
    for item in plan:
        if isinstance(item, Outcome):
            finish(item)
        elif not _needs_build(item, force):
            finish(Outcome(item.dataset, item.label, item.request.kind, str(item.request.out),
                           "up to date", _last_seconds(item.request.out)))  # fmt: skip
        else:
            assert executor is not None
            pending[executor.submit(run_job, item)] = item
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
                "kind": job.request.kind,
                "seconds": round(outcome.seconds, 2),
            }
            _save_state(out, state)
        elif outcome.message:
            outcome = replace(outcome, message=_scrub(outcome.message, job.request.dataset))
        finish(outcome)


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


# -- no personal data in messages -------------------------------------------------------------
def _safe_message(exc: CcAnalyticsError, dataset: Path | None = None) -> str:
    """A message for logs and the index: what and where, never the values (which may be
    candidate ids); the validation report has the full detail."""
    if isinstance(exc, DataValidationError):
        return (f"{len(exc.problems)} problème(s) dans les données : le détail est dans le "
                "rapport de validation (validation.html)")  # fmt: skip
    text = "\n".join(replace(p, value=None).render() for p in exc.problems)
    return _scrub(text, dataset) if dataset is not None else text


def _scrub(message: str, dataset: Path) -> str:
    """``message`` with every candidate id of ``dataset`` replaced (ids from processed data)."""
    ids = _candidate_ids(dataset)
    if not ids:
        return message
    pattern = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])(?:{pattern})(?![\w-])", HIDDEN_ID, message)


def _candidate_ids(dataset: Path) -> set[str]:
    path = processed_dir(dataset) / "candidates.parquet"
    if not path.exists():
        return set()
    import pyarrow.parquet as pq

    column = pq.read_table(path, columns=["candidate_id"]).column("candidate_id")
    return {str(i) for i in column.to_pylist() if i}


# -- index ------------------------------------------------------------------------------------
STATUS_FR = {"built": "produit", "up to date": "à jour (inchangé)", "failed": "échec",
             "invalid data": "données invalides", "skipped": "non reconstruit"}  # fmt: skip


def _seconds_fr(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + "\u00a0s"


def write_index(summary: BuildSummary, output: Path) -> Path:
    """``index.html``: every report with its status, duration and inputs; offline, escaped."""
    from html import escape

    rows = []
    for o in sorted(summary.outcomes, key=_index_order):
        target = Path(o.output)
        link = os.path.relpath(target, output) + ("" if target.suffix else "/")
        name = (f"<a href='{escape(link)}'>{escape(o.label)}</a>" if target.exists()
                else escape(o.label))  # fmt: skip
        status_class = "ko" if o.status in ("failed", "invalid data") else "ok"
        message = f"<div class='msg'>{escape(o.message)}</div>" if o.message else ""
        rows.append(
            f"<tr><td>{escape(o.dataset)}</td><td>{name}{message}</td>"
            f"<td class='{status_class}'>{escape(STATUS_FR.get(o.status, o.status))}</td>"
            f"<td class='num'>{_seconds_fr(o.seconds)}</td></tr>"
        )
    datasets = sorted({o.dataset for o in summary.outcomes})
    inputs = "".join(_inputs_html(name, summary) for name in datasets)
    generated = datetime.now().astimezone().strftime("%d/%m/%Y à %H:%M")
    html = INDEX_TEMPLATE.format(rows="".join(rows), inputs=inputs,
                                 generated=escape(generated), version=escape(__version__))  # fmt: skip
    path = output / "index.html"
    write_text(path, html)
    return path


def _index_order(o: Outcome) -> tuple[Any, ...]:
    return (o.dataset, {"validation": 0, "tables": 1}.get(o.kind, 2), o.label)


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
    status = STATUS_FR.get(outcome.status, outcome.status)
    return f"{outcome.dataset} — {outcome.label} : {status} ({_seconds_fr(outcome.seconds)})"

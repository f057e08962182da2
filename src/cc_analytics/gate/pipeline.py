"""The steps every writing command shares: gate a dataset, write its processed tables.

The validation report is written on every run, passed or not, in the dataset's reports folder;
processed tables are only written after the gate passed, atomically, with the pseudonym key
created beside them if there is none yet. :func:`prepare` does both only when the processed
tables no longer stand for the raw files.

On big inputs (:data:`~cc_analytics.core.terminal.PROGRESS_BYTES` and more) each step — reading
each file, the checks, the typed tables, writing them — is shown on standard error as it goes
(:class:`~cc_analytics.core.terminal.Progress`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import referentiel as ref
from ..core.errors import CcAnalyticsError, DataValidationError
from ..core.terminal import Progress
from ..inputs.folder import locate
from ..inputs.read import RawDataset
from ..workspace.catalog import DatasetCatalog, dataset_catalog
from ..workspace.processed import (
    Tables,
    current_inputs,
    ensure_pseudonym_key,
    staleness,
    write_processed,
)
from .ingest import typed_tables
from .report import write_report, write_unread_report
from .validation import GateResult, run_gate


@dataclass(frozen=True)
class Gated:
    """The gate's result (its text tables emptied: see ``RawDataset.without_rows``), the
    typed tables, and the validation report written."""

    gate: GateResult
    tables: Tables
    report: Path


def gate_dataset(dataset: str | Path | DatasetCatalog, referentiel_path: str | Path | None = None,
                 progress: Progress | None = None) -> Gated:  # fmt: skip
    """Validate a dataset (a catalog, or a folder or name of the current workspace); write
    its validation report; raise on any problem.

    The report is written even when the folder cannot be read at all (no candidates file,
    broken referentiel …), so that it never shows the result of an earlier run.
    """
    dataset = dataset_catalog(dataset)
    report_path = dataset.validation_report
    progress = progress or progress_for(dataset.raw)

    def prepare(raw: RawDataset) -> Tables:
        with progress.step("Préparation des tables typées"):
            return typed_tables(raw)

    try:
        referentiel = ref.load(referentiel_path) if referentiel_path else None
        gate = run_gate(str(dataset.raw), referentiel, progress, prepare=prepare)
    except CcAnalyticsError as exc:
        if dataset.raw.is_dir():
            write_unread_report(dataset.name, exc.problems, report_path)
            exc.report = report_path
        raise
    report = write_report(gate, report_path)
    if not gate.passed:
        error = DataValidationError(gate.problems)
        error.report = report
        raise error
    tables = gate.prepared
    if not isinstance(tables, Tables):  # not prepared while Great Expectations loaded: now
        tables = prepare(gate.raw)
    # the text tables' rows are let go: the typed tables hold the data from here on
    return Gated(replace(gate, raw=gate.raw.without_rows(), prepared=None), tables, report)


def progress_for(folder: Path) -> Progress:
    """Progress lines for a dataset folder whose files are big, none for the others."""
    try:
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    except OSError:
        size = 0
    return Progress.for_size(size)


def ingest_dataset(dataset: str | Path | DatasetCatalog,
                   referentiel_path: str | Path | None = None,
                   out_dir: str | Path | None = None) -> tuple[Gated, Path]:  # fmt: skip
    """Gate, then write the typed tables as Parquet with a manifest (atomically)."""
    dataset = dataset_catalog(dataset)
    progress = progress_for(dataset.raw)
    gated = gate_dataset(dataset, referentiel_path, progress)
    target = Path(out_dir) if out_dir is not None else dataset.processed
    files = gated.gate.raw.files
    with progress.step("Écriture des tables traitées"):
        stats = files.stats()  # before hashing: a file changed meanwhile is hashed next time
        write_processed(gated.tables, files.name, files.hashes(), target, stats)
    ensure_pseudonym_key(dataset)
    return gated, target


def prepare(dataset: str | Path | DatasetCatalog,
            referentiel_path: str | Path | None = None) -> bool:  # fmt: skip
    """Gate and ingest the dataset unless its processed tables are up to date; whether it did."""
    dataset = dataset_catalog(dataset)
    files = locate(dataset.raw)
    referentiel = ref.load(referentiel_path or files.referentiel)
    if (staleness(dataset, current_inputs(dataset, files), referentiel) is None
            and dataset.pseudonym_key.exists()):  # fmt: skip
        return False
    ingest_dataset(dataset, referentiel_path)
    return True

"""The steps every command shares: gate a dataset folder, then give typed tables.

The validation report is written on every run, passed or not, beside the reports; processed
data is only written after the gate passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import referentiel as ref
from .errors import CcAnalyticsError, DataValidationError
from .ingest import Tables, typed_tables, write_processed
from .paths import processed_dir, reports_dir
from .validation import GateResult, run_gate
from .validation_report import write_report, write_unread_report


@dataclass(frozen=True)
class Gated:
    gate: GateResult
    tables: Tables
    report: Path


def gate_dataset(dataset_dir: str | Path, referentiel_path: str | Path | None = None,
                 report_dir: str | Path | None = None) -> Gated:  # fmt: skip
    """Validate a dataset folder; write its validation report; raise on any problem.

    The report is written even when the folder cannot be read at all (no candidates file,
    broken referentiel …), so that it never shows the result of an earlier run.
    """
    report_path = Path(report_dir or reports_dir(dataset_dir)) / "validation.html"
    try:
        referentiel = ref.load(referentiel_path) if referentiel_path else None
        gate = run_gate(str(dataset_dir), referentiel)
    except CcAnalyticsError as exc:
        if Path(dataset_dir).is_dir():
            write_unread_report(Path(dataset_dir).resolve().name, exc.problems, report_path)
            exc.report = report_path
        raise
    report = write_report(gate, report_path)
    if not gate.passed:
        error = DataValidationError(gate.problems)
        error.report = report
        raise error
    return Gated(gate, typed_tables(gate.raw), report)


def ingest_dataset(dataset_dir: str | Path, referentiel_path: str | Path | None = None,
                   out_dir: str | Path | None = None,
                   report_dir: str | Path | None = None) -> tuple[Gated, Path]:  # fmt: skip
    """Gate, then write the typed tables as Parquet with a manifest (atomically)."""
    gated = gate_dataset(dataset_dir, referentiel_path, report_dir)
    target = Path(out_dir or processed_dir(dataset_dir))
    write_processed(gated.tables, gated.gate.raw, target)
    return gated, target

"""The steps every command shares: gate a dataset folder, then give typed tables.

The validation report is written on every run, passed or not, beside the reports; processed
data is only written after the gate passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import referentiel as ref
from .errors import DataValidationError
from .ingest import Tables, typed_tables, write_processed
from .paths import processed_dir, reports_dir
from .validation import GateResult, run_gate
from .validation_report import write_report


@dataclass(frozen=True)
class Gated:
    gate: GateResult
    tables: Tables
    report: Path


def gate_dataset(dataset_dir: str | Path, referentiel_path: str | Path | None = None,
                 report_dir: str | Path | None = None) -> Gated:  # fmt: skip
    """Validate a dataset folder; write its validation report; raise on any problem."""
    referentiel = ref.load(referentiel_path) if referentiel_path else None
    gate = run_gate(str(dataset_dir), referentiel)
    report = write_report(gate, Path(report_dir or reports_dir(dataset_dir)) / "validation.html")
    if not gate.passed:
        raise DataValidationError(gate.problems)
    return Gated(gate, typed_tables(gate.raw), report)


def ingest_dataset(dataset_dir: str | Path, referentiel_path: str | Path | None = None,
                   out_dir: str | Path | None = None) -> tuple[Gated, Path]:  # fmt: skip
    """Gate, then write the typed tables as Parquet with a manifest (atomically)."""
    gated = gate_dataset(dataset_dir, referentiel_path)
    target = Path(out_dir or processed_dir(dataset_dir))
    write_processed(gated.tables, gated.gate.raw, target)
    return gated, target

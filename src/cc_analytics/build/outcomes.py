"""What the main job did, output by output, said without personal data.

Log lines and the index name datasets, report kinds and cohorts, never candidates: problem
values are left out and failure messages are scrubbed of the dataset's candidate ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import CcAnalyticsError, DataValidationError
from ..core.labels import BUILD_STATUSES
from ..core.terminal import printable

if TYPE_CHECKING:  # requests imports pandas: only needed when something is rebuilt
    from ..reporting.requests import ReportRequest

HIDDEN_ID = "[identifiant masqué]"
#: Outputs that are not reports (not counted by the progress bar).
NOT_REPORTS = ("validation", "tables")


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
    status: str  # a key of BUILD_STATUSES
    seconds: float = 0.0
    message: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind not in NOT_REPORTS


@dataclass
class BuildSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset -> file hashes
    index: Path | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "invalid data")]


def seconds_fr(seconds: float) -> str:
    """``2,4 s``."""
    return f"{seconds:.1f}".replace(".", ",") + "\u00a0s"


def outcome_line(outcome: Outcome) -> str:
    """A log line: no personal data, only dataset, report and status, and why when a report
    was rebuilt or kept for a reason of its own (a failure's message is printed apart)."""
    status = BUILD_STATUSES.get(outcome.status, outcome.status)
    line = f"{outcome.dataset} — {outcome.label} : {status} ({seconds_fr(outcome.seconds)})"
    if outcome.message and outcome.status in ("built", "skipped"):
        line += f" — {outcome.message}"
    return printable(line)  # names from data never act on the terminal


def safe_message(exc: CcAnalyticsError, processed: Path | None = None) -> str:
    """A message for logs and the index: what and where, never the values (which may be
    candidate ids); the validation report has the full detail."""
    if isinstance(exc, DataValidationError):
        return (f"{len(exc.problems)} problème(s) dans les données : le détail est dans le "
                "rapport de validation (validation.html)")  # fmt: skip
    text = "\n".join(replace(p, value=None).render() for p in exc.problems)
    return scrub(text, processed) if processed is not None else text


def scrub(message: str, processed: Path) -> str:
    """``message`` with every candidate id of the processed tables in ``processed`` hidden."""
    ids = _candidate_ids(processed)
    if not ids:
        return message
    pattern = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])(?:{pattern})(?![\w-])", HIDDEN_ID, message)


def _candidate_ids(processed: Path) -> set[str]:
    path = processed / "candidates.parquet"
    if not path.exists():
        return set()
    import pyarrow.parquet as pq

    column = pq.read_table(path, columns=["candidate_id"]).column("candidate_id")
    return {str(i) for i in column.to_pylist() if i}

"""The report kinds, declared once: the notebook each runs and its default audience.

Their French titles come from :mod:`cc_analytics.core.labels`. The notebooks are the
repository's ``notebooks/`` folder, shipped inside the package as ``cc_analytics/reporting/
notebooks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.labels import REPORT_SHORT_LABELS, REPORT_TITLES

NOTEBOOKS_DIR = Path(__file__).resolve().parent / "notebooks"
EXPLORATION_NOTEBOOK = "exploration.ipynb"
#: Set to "1" in a report kernel: charts are emitted as HTML for the exported page.
REPORT_ENV = "CC_ANALYTICS_REPORT"


@dataclass(frozen=True)
class ReportKind:
    name: str
    notebook: str  # file name in NOTEBOOKS_DIR
    external: bool  # meant for readers outside the training body unless told otherwise

    @property
    def title(self) -> str:
        return REPORT_TITLES[self.name]

    @property
    def short_label(self) -> str:
        """How the index and the logs name a report of this kind (« revue qualité »)."""
        return REPORT_SHORT_LABELS[self.name]

    @property
    def path(self) -> Path:
        return NOTEBOOKS_DIR / self.notebook


KINDS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind("cohort", "cohort_report.ipynb", external=False),
        ReportKind("review", "quality_review.ipynb", external=True),
        ReportKind("renewal", "renewal_evidence.ipynb", external=True),
    )
}

"""Report requests: what the command line and the main job ask for, checked before any notebook
runs.

The caller brings the processed tables up to date first (``gate.pipeline.prepare``); then an
invalid cohort, site or RNCP export gives a clear message at once and no notebook, no HTML is
produced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem
from ..core.text import safe_name
from ..workspace.catalog import DatasetCatalog
from .context import load_context, require_cohort
from .kinds import KINDS
from .render import Rendered, check_output, render_report
from .views.followup import external_followup_problem

NAME_PART_LENGTH = 60


def name_part(text: str) -> str:
    """A cohort's or a site's part of a report's file name: readable, and never the same for
    two different names.

    A name that is already file-safe stays as it is; any other is shortened, made safe and
    followed by a short hash of the name itself.

    >>> name_part("2024-LYON")
    '2024-LYON'
    >>> name_part("2025 LYON"), name_part("2025/LYON")
    ('2025-LYON-ed10055f54', '2025-LYON-596172a94d')
    """
    slug = safe_name(text)
    if slug == text and len(text) <= NAME_PART_LENGTH:
        return slug
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug[:NAME_PART_LENGTH]}-{digest}"


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    dataset: DatasetCatalog
    cohort: str | None = None
    years: tuple[int, int] | None = None
    site: str | None = None
    referentiel: Path | None = None
    rules: Path | None = None
    threshold: int | None = None
    combine: str | None = None
    external: bool | None = None
    followup: bool | None = None
    rncp_export: Path | None = None
    fiche: str | None = None
    shared_plotly: bool = False
    out: Path | None = None

    @property
    def audience_external(self) -> bool:
        return KINDS[self.kind].external if self.external is None else self.external

    def default_name(self) -> str:
        parts = [self.kind]
        if self.cohort:
            parts.append(name_part(self.cohort))
        if self.site:
            parts.append(name_part(self.site))
        if self.years:
            parts.append(f"{self.years[0]}-{self.years[1]}")
        if self.audience_external != KINDS[self.kind].external:  # never over the usual one
            parts.append("externe" if self.audience_external else "interne")
        return "-".join(parts) + ".html"

    def output(self) -> Path:
        return self.out or self.dataset.reports / self.default_name()

    def parameters(self) -> dict[str, object]:
        """Notebook parameters: plain values only (papermill writes them as literals)."""
        params: dict[str, object] = {
            "dataset": str(self.dataset.raw),
            "workspace": str(self.dataset.workspace),
            "referentiel": str(self.referentiel.resolve()) if self.referentiel else None,
            "rules": str(self.rules.resolve()) if self.rules else None,
            "threshold": self.threshold,
            "combine": self.combine,
            "external": self.audience_external,
        }
        if self.kind == "cohort":
            params["cohort"] = self.cohort
            params["followup"] = self.followup
        else:
            params["years"] = list(self.years) if self.years else None
        if self.kind == "review":
            params["site"] = self.site
        if self.kind == "renewal":
            params["rncp_export"] = str(self.rncp_export.resolve()) if self.rncp_export else None
            params["fiche"] = self.fiche
        return params


def check_request(request: ReportRequest) -> ReportRequest:
    """Check the cohort, site and export exist in up-to-date data; a French message if not."""
    if request.kind == "cohort" and not request.cohort:
        raise CcAnalyticsError(Problem("le rapport de cohorte demande --cohort",
                                       hint="Exemple : --cohort 2024-LYON"))  # fmt: skip
    if request.followup and request.kind != "cohort":
        raise CcAnalyticsError(Problem("--followup ne vaut que pour le rapport de cohorte",
                                       hint="Exemple : report cohort --cohort 2024-LYON"))  # fmt: skip
    if request.followup and request.audience_external:
        raise CcAnalyticsError(external_followup_problem())
    check_output(request.output())
    ctx = load_context(request.dataset, referentiel=request.referentiel, rules=request.rules,
                       threshold=request.threshold, combine=request.combine)  # fmt: skip
    if request.cohort:
        require_cohort(ctx, request.cohort)
    if request.site:
        sites = sorted(ctx.tables.candidates["site"].dropna().unique())
        if request.site not in sites:
            raise CcAnalyticsError(Problem("site inconnu", value=request.site,
                                           hint="Sites : " + ", ".join(sites)))  # fmt: skip
    if request.rncp_export is not None:
        from ..referentiel.rncp import read_statistics

        read_statistics(request.rncp_export, request.fiche)
    return request


def build_report(request: ReportRequest, checked: bool = False) -> Rendered:
    if not checked:
        check_request(request)
    subject = request.cohort or (request.site or "tous sites")
    if request.years:
        subject += f", {request.years[0]}–{request.years[1]}"
    audience = "document externe (petits effectifs masqués)" if request.audience_external else (
        "usage interne")  # fmt: skip
    return render_report(
        request.kind, request.parameters(), request.output(), title=subject,
        subtitle=f"Jeu de données « {request.dataset.name} » · {audience}",
        shared_plotly=request.shared_plotly,
    )  # fmt: skip

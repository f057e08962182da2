"""Report requests: what the command line and the main job ask for, checked before any notebook
runs.

The caller brings the processed tables up to date first (``gate.pipeline.prepare``); then an
invalid cohort, site or RNCP export gives a clear message at once and no notebook, no HTML is
produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem
from ..core.text import unique_name
from ..workspace.catalog import DatasetCatalog
from .context import load_context, require_cohort
from .kinds import KINDS
from .render import PDF_SUFFIX, Rendered, check_output, chromium_path, render_report
from .views.followup import external_followup_problem


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
    pdf: bool = False  # also print the page to PDF beside it (always when ``out`` is a .pdf)

    @property
    def audience_external(self) -> bool:
        return KINDS[self.kind].external if self.external is None else self.external

    def default_name(self) -> str:
        parts = [self.kind]
        if self.cohort:
            parts.append(unique_name(self.cohort))
        if self.site:
            parts.append(unique_name(self.site))
        if self.years:
            parts.append(f"{self.years[0]}-{self.years[1]}")
        if self.audience_external != KINDS[self.kind].external:  # never over the usual one
            parts.append("externe" if self.audience_external else "interne")
        return "-".join(parts) + ".html"

    def output(self) -> Path:
        """The HTML page: ``out``, or beside it when ``out`` names the PDF."""
        if self.out is not None and self.out.suffix.lower() == PDF_SUFFIX:
            return self.out.with_suffix(".html")
        return self.out or self.dataset.reports / self.default_name()

    @property
    def wants_pdf(self) -> bool:
        return self.pdf or (self.out is not None and self.out.suffix.lower() == PDF_SUFFIX)

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


def check_options(request: ReportRequest) -> ReportRequest:
    """What can be refused before any data is read or written: the options that go together,
    the output's name, and Chromium when a PDF is asked for."""
    if request.kind == "cohort" and not request.cohort:
        raise CcAnalyticsError(Problem("le rapport de cohorte demande --cohort",
                                       hint="Exemple : --cohort 2024-LYON"))  # fmt: skip
    if request.followup and request.kind != "cohort":
        raise CcAnalyticsError(Problem("--followup ne vaut que pour le rapport de cohorte",
                                       hint="Exemple : report cohort --cohort 2024-LYON"))  # fmt: skip
    if request.followup and request.audience_external:
        raise CcAnalyticsError(external_followup_problem())
    if request.shared_plotly and request.audience_external:
        raise CcAnalyticsError(shared_plotly_problem())
    if request.out is not None:
        check_output(request.out)
    check_output(request.output())
    if request.wants_pdf:
        chromium_path()
    return request


def check_request(request: ReportRequest) -> ReportRequest:
    """Check the options, then that the cohort, site and export exist in up-to-date data; a
    French message if not."""
    check_options(request)
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


def shared_plotly_problem() -> Problem:
    """A page for outside readers travels alone: it must carry its own plotly.js."""
    return Problem(
        "--shared-plotly ne vaut que pour un rapport interne : un rapport externe est envoyé "
        "seul, sans le fichier plotly.min.js, et ses graphiques resteraient vides",
        hint="Retirez --shared-plotly (la page contient alors tout ce qu'il lui faut), ou "
             "ajoutez --internal pour un rapport à usage interne",
    )  # fmt: skip


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
        shared_plotly=request.shared_plotly, pdf=request.wants_pdf,
    )  # fmt: skip

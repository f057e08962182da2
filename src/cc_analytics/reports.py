"""Report requests: what the CLI and the batch ask for, checked before any notebook runs.

Data is gated (and ingested) in the calling process first, so invalid data or an unknown
cohort gives a clear message at once and no notebook, no HTML is produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .context import load_context, require_cohort
from .errors import CcAnalyticsError, Problem
from .paths import reports_dir, safe_name
from .render import Rendered, check_output, render_report

#: Reports meant for external readers hide small groups unless told otherwise.
EXTERNAL_BY_DEFAULT = {"cohort": False, "review": True, "renewal": True}


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    dataset: Path
    cohort: str | None = None
    years: tuple[int, int] | None = None
    site: str | None = None
    referentiel: Path | None = None
    rules: Path | None = None
    threshold: int | None = None
    combine: str | None = None
    external: bool | None = None
    rncp_export: Path | None = None
    fiche: str | None = None
    shared_plotly: bool = False
    out: Path | None = None

    @property
    def audience_external(self) -> bool:
        return EXTERNAL_BY_DEFAULT[self.kind] if self.external is None else self.external

    def default_name(self) -> str:
        parts = [self.kind]
        if self.cohort:
            parts.append(self.cohort)
        if self.site:
            parts.append(self.site)
        if self.years:
            parts.append(f"{self.years[0]}-{self.years[1]}")
        return safe_name("-".join(parts)) + ".html"

    def output(self) -> Path:
        return self.out or reports_dir(self.dataset) / self.default_name()

    def parameters(self) -> dict[str, object]:
        """Notebook parameters: plain values only (papermill writes them as literals)."""
        params: dict[str, object] = {
            "dataset": str(Path(self.dataset).resolve()),
            "referentiel": str(self.referentiel.resolve()) if self.referentiel else None,
            "rules": str(self.rules.resolve()) if self.rules else None,
            "threshold": self.threshold,
            "combine": self.combine,
            "external": self.audience_external,
        }
        if self.kind == "cohort":
            params["cohort"] = self.cohort
        else:
            params["years"] = list(self.years) if self.years else None
        if self.kind == "review":
            params["site"] = self.site
        if self.kind == "renewal":
            params["rncp_export"] = str(self.rncp_export.resolve()) if self.rncp_export else None
            params["fiche"] = self.fiche
        return params


def check_request(request: ReportRequest) -> ReportRequest:
    """Gate the data and check the cohort/site/export exist; raise a French message if not."""
    if request.kind == "cohort" and not request.cohort:
        raise CcAnalyticsError(Problem("le rapport de cohorte demande --cohort",
                                       hint="Exemple : --cohort 2024-LYON"))  # fmt: skip
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
        from .rncp_import import read_statistics

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
        subtitle=f"Jeu de données « {Path(request.dataset).resolve().name} » · {audience}",
        shared_plotly=request.shared_plotly,
    )  # fmt: skip

"""Report requests: what the command line and the main job ask for, checked before any notebook
runs.

The caller brings the processed tables up to date first (``gate.pipeline.prepare``); then an
invalid cohort, site or RNCP export gives a clear message at once and no notebook, no HTML is
produced. Names typed by people (a cohort, a site) are matched regardless of case, and an
unknown one is answered with the nearest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem
from ..core.text import french_list, unique_name
from ..workspace.catalog import DatasetCatalog
from .context import ReportContext, load_context
from .kinds import KIND_OPTIONS, KINDS, option_problems
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
    #: The build's index seen from the page (``../index.html``), for the page's link back to
    #: it: only the main job sets it (a report made alone has no index).
    index_link: str | None = None
    #: Where the main job wrote the tables and results every report of the dataset reads
    #: (``reporting.prepared``): handed to the notebook, not a setting of the page (the
    #: page is the same without it, and the build's keys leave it out)
    prepared: Path | None = None

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
        for option in KINDS[self.kind].options:  # each kind's notebook reads only its own
            params[option] = _literal(getattr(self, option))
        return params

    def kind_options(self) -> dict[str, object]:
        """The kind-specific options of this request, by field (``None``: not given)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in KIND_OPTIONS}


def _literal(value: object) -> object:
    """A request's value as a notebook parameter: a path absolute, a period as a list."""
    if isinstance(value, Path):
        return str(value.resolve())
    return list(value) if isinstance(value, tuple) else value


def check_options(request: ReportRequest) -> ReportRequest:
    """What can be refused before any data is read or written: the options that go together,
    the output's name, and Chromium when a PDF is asked for."""
    if request.kind == "cohort" and not request.cohort:
        raise CcAnalyticsError(Problem("le rapport de cohorte demande --cohort",
                                       hint="Exemple : --cohort 2024-LYON"))  # fmt: skip
    # an option the kind's notebook would ignore is refused, never silently dropped
    if problems := option_problems(request.kind, request.kind_options()):
        raise CcAnalyticsError(problems)
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
    French message if not. The request returned names the cohort and the site as the data
    spell them (``2024-lyon`` asks for ``2024-LYON``)."""
    check_options(request)
    ctx = load_context(request.dataset, referentiel=request.referentiel, rules=request.rules,
                       threshold=request.threshold, combine=request.combine)  # fmt: skip
    if request.cohort:
        request = replace(request, cohort=resolve_cohort(ctx, request.cohort))
    if request.site:
        request = replace(request, site=resolve_site(ctx, request.site))
    if request.rncp_export is not None:
        from ..referentiel.rncp import read_statistics

        read_statistics(request.rncp_export, request.fiche)
    return request


def resolve_cohort(ctx: ReportContext, cohort: str) -> str:
    """The dataset's cohort that ``cohort``, as typed on the command line, names."""
    return known_name(cohort, ctx.tables.candidates["cohort"].dropna().unique(), COHORTS)


def resolve_site(ctx: ReportContext, site: str) -> str:
    """The dataset's site that ``site``, as typed on the command line, names."""
    return known_name(site, ctx.tables.candidates["site"].dropna().unique(), SITES)


#: difflib's own cutoff for a close match; and how much less near a second name may be.
NEAR, CLOSE = 0.6, 0.1


def nearest_names(typed: str, names: list[str], most: int = 3) -> list[str]:
    """The ``names`` nearest to ``typed`` (difflib's similarity, at least 0.6): the best and
    those almost as near, so that « 2024-LYN » suggests 2024-LYON, not every 2024 cohort.

    >>> nearest_names("2024-lyn", ["2024-lyon", "2025-lyon", "2024-nantes"])
    ['2024-lyon']
    >>> nearest_names("lyon", ["2024-lyon", "2025-lyon", "2024-nantes"])
    ['2024-lyon', '2025-lyon']
    """
    scored = sorted((-difflib.SequenceMatcher(None, typed, name).ratio(), name) for name in names)
    if not scored or -scored[0][0] < NEAR:
        return []
    return [name for score, name in scored[:most] if -score >= max(NEAR, -scored[0][0] - CLOSE)]


@dataclass(frozen=True)
class NameWords:
    """How messages speak of one kind of name (French agrees in gender)."""

    unknown: str  # « cohorte inconnue »
    ambiguous: str  # « cohorte ambiguë »
    listing: str  # « Cohortes du jeu de données »
    plural: str  # « cohortes »


COHORTS = NameWords("cohorte inconnue", "cohorte ambiguë", "Cohortes du jeu de données",
                    "cohortes")  # fmt: skip
SITES = NameWords("site inconnu", "site ambigu", "Sites du jeu de données", "sites")
#: Up to this many names, an unknown one is answered with the whole list.
LISTED_NAMES = 12


def known_name(given: str, known: Iterable[object], words: NameWords) -> str:
    """``given`` as spelt in ``known``: itself, or the only name equal to it when case is
    ignored; otherwise a French error with the nearest names (case ignored), and every name
    when there are few.

    >>> known_name("2024-lyon", ["2024-LYON", "2024-NANTES"], COHORTS)
    '2024-LYON'
    >>> known_name("2024-LYN", ["2024-LYON", "2025-LYON"], COHORTS)
    Traceback (most recent call last):
    cc_analytics.core.errors.CcAnalyticsError: cohorte inconnue (valeur : « 2024-LYN »). \
Vouliez-vous dire « 2024-LYON » ? Cohortes du jeu de données : 2024-LYON, 2025-LYON
    """
    names = sorted({str(name) for name in known})
    if given in names:
        return given
    by_case: dict[str, list[str]] = {}
    for name in names:
        by_case.setdefault(name.casefold(), []).append(name)
    typed = given.strip().casefold()
    same = by_case.get(typed, [])
    if len(same) == 1:
        return same[0]
    if same:  # names that differ by case only: which one is meant cannot be guessed
        raise CcAnalyticsError(Problem(
            f"{words.ambiguous} : plusieurs noms ne diffèrent que par les majuscules",
            value=given, hint="Écrivez exactement l'un d'eux : " + ", ".join(same)))  # fmt: skip
    hints = []
    if nearest := nearest_names(typed, list(by_case)):
        guesses = [f"« {name} »" for folded in nearest for name in by_case[folded]]
        hints.append(f"Vouliez-vous dire {french_list(guesses)} ?")
    if len(names) <= LISTED_NAMES:
        hints.append(f"{words.listing} : " + ", ".join(names))
    else:
        hints.append(f"Le jeu de données compte {len(names)} {words.plural}, de « {names[0]} » "
                     f"à « {names[-1]} »")  # fmt: skip
    raise CcAnalyticsError(Problem(words.unknown, value=given, hint=" ".join(hints)))


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
        request = check_request(request)
    subject = request.cohort or (request.site or "tous sites")
    if request.years:
        subject += f", {request.years[0]}–{request.years[1]}"
    audience = "document externe (petits effectifs masqués)" if request.audience_external else (
        "usage interne")  # fmt: skip
    parameters = request.parameters()
    if request.prepared is not None:
        parameters["prepared"] = str(request.prepared)
    return render_report(
        request.kind, parameters, request.output(), title=subject,
        subtitle=f"Jeu de données « {request.dataset.name} » · {audience}",
        shared_plotly=request.shared_plotly, pdf=request.wants_pdf,
        index_link=request.index_link,
    )  # fmt: skip

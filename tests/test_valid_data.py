"""Valid data never crashes a report (issue 15, item 6).

Hypothesis draws many small valid datasets — empty sites beside named ones, one-candidate
cohorts, cohorts without any employer score, a year with one candidate, routes missing from a
year, candidates never presented — and every report kind's views are computed from them, for
both audiences, with the exploration figures. The named cases of the issue are pinned as
examples, so they run every time.
"""

from __future__ import annotations

from dataclasses import replace

import nbformat
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.core.labels import ACCESS_ROUTES, INSERTION_STATUSES, SURVEY_HORIZONS
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.reporting import explore, views
from cc_analytics.reporting.context import ReportContext
from cc_analytics.workspace.processed import Tables
from tests.fixtures import tiny_referentiel

REF = tiny_referentiel()
COMPETENCIES = REF.competencies["code"].tolist()
ROUTES = list(ACCESS_ROUTES)
SITES = ["Lyon", "Nantes", None]  # None: no site (a valid empty cell)
DATES = ["2023-06-15", "2024-06-15", "2024-12-10", "2025-06-15"]

candidate = st.fixed_dictionaries({
    "cohort": st.sampled_from(["K", "L", "M"]),
    "access_route": st.sampled_from(ROUTES),
    "immersion": st.booleans(),
    "site": st.sampled_from(SITES),
    # per competency: no score, or a jury score (maybe retaken), maybe an employer score
    "scores": st.lists(st.tuples(st.sampled_from([None, 0, 1, 2, 3, 4]),
                                 st.sampled_from([None, 0, 1, 2, 3, 4]),
                                 st.sampled_from(DATES), st.booleans()),
                       min_size=len(COMPETENCIES), max_size=len(COMPETENCIES)),
    "survey": st.lists(st.tuples(st.sampled_from(list(SURVEY_HORIZONS)),
                                 st.sampled_from(list(INSERTION_STATUSES))),
                       max_size=2, unique_by=lambda s: s[0]),
})  # fmt: skip


def tables(people: list[dict]) -> Tables:
    """Canonical tables as ``gate.ingest.typed_tables`` types them."""
    rows, answers = [], []
    for i, person in enumerate(people):
        cid = f"C{i:03d}"
        for code, (jury, employer, date, retake) in zip(COMPETENCIES, person["scores"],
                                                       strict=True):  # fmt: skip
            if jury is not None:
                rows.append((cid, code, "jury", jury, date))
                if retake:
                    rows.append((cid, code, "jury", min(jury + 2, 4), "2025-09-15"))
            if employer is not None and person["immersion"] and person["access_route"] != "VAE":
                rows.append((cid, code, "entreprise", employer, date))
        answers += [(cid, horizon, status) for horizon, status in person["survey"]]
    candidates = pd.DataFrame({
        "cohort": [p["cohort"] for p in people],
        "candidate_id": [f"C{i:03d}" for i in range(len(people))],
        "access_route": [p["access_route"] for p in people],
        "immersion": [p["immersion"] and p["access_route"] != "VAE" for p in people],
        "site": pd.Series([p["site"] for p in people], dtype=object),
    }).sort_values(["cohort", "candidate_id"], ignore_index=True)  # fmt: skip
    scores = pd.DataFrame(rows, columns=["candidate_id", "competency", "evaluator", "score",
                                         "session_date"])  # fmt: skip
    scores = scores.astype({"score": "Int8", "candidate_id": str, "competency": str,
                            "evaluator": str})  # fmt: skip
    scores["session_date"] = pd.to_datetime(scores["session_date"], format="%Y-%m-%d")
    insertion = pd.DataFrame(answers, columns=["candidate_id", "horizon_months", "status"])
    insertion = insertion.astype({"candidate_id": str, "horizon_months": "int64", "status": str})
    return Tables(candidates, scores, insertion, REF)


def every_view(ctx: ReportContext, figures: bool = True) -> None:
    """What the cohort, review and renewal notebooks compute and, with ``figures``, the
    exploration notebook's figures."""
    cohorts = ctx.tables.candidates["cohort"].unique().tolist()
    for cohort in cohorts:
        views.cohort_view(ctx, cohort)
        if not ctx.external:
            views.followup_view(ctx, cohort)
    views.review_view(ctx)
    for site in ctx.tables.candidates["site"].dropna().unique():
        views.review_view(ctx, site=site)
    views.renewal_view(ctx)
    for years in ((2024, 2025), (2025, 2025)):  # a period may hold nobody: a French refusal
        for view in (views.review_view, views.renewal_view):
            try:
                view(ctx, years=years)
            except CcAnalyticsError as error:
                assert "aucun candidat présenté dans la période demandée" in str(error)
    if figures and not ctx.external:
        data = explore.prepare(ctx)
        for figure in ("competency_rates", "score_distribution", "route_rates",
                       "cohort_trends", "agreement_chart", "followup_tables"):  # fmt: skip
            getattr(explore, figure)(data)


def person(cohort="K", site="Lyon", route="CA", immersion=True, score=2, employer=None,
           date="2024-06-15", survey=()) -> dict:  # fmt: skip
    return {"cohort": cohort, "access_route": route, "immersion": immersion, "site": site,
            "scores": [(score, employer, date, False)] * len(COMPETENCIES),
            "survey": list(survey)}  # fmt: skip


#: The issue's cases, by name.
NAMED = {
    "an empty site among named sites of the same cohort": [
        person(site="Lyon"), person(site=None), person(site="Lyon", score=1)],
    "a one-candidate cohort": [person(cohort="K"), person(cohort="L", score=3)],
    "a cohort with no employer score at all": [person(employer=None), person(score=3)],
    "a year with one candidate": [
        person(date="2023-06-15"), *[person(date="2024-06-15", score=s) for s in (1, 2, 3)]],
    "a route absent from a year": [
        person(route="CA", date="2023-06-15"), person(route="FI", date="2024-06-15"),
        person(route="VAE", immersion=False, date="2024-06-15", survey=[(6, "emploi_autre")])],
    "nobody presented": [person(score=None), person(cohort="L", score=None)],
}  # fmt: skip


@pytest.mark.parametrize("people", NAMED.values(), ids=NAMED.keys())
@pytest.mark.parametrize("external", [False, True], ids=["interne", "externe"])
def test_the_issue_cases_render_every_view(people, external):
    every_view(context(people, external))


def context(people: list[dict], external: bool) -> ReportContext:
    data = tables(people)
    results = compute_results(data.candidates, data.scores, REF, Rules())
    ctx = ReportContext("essai", data, results, Rules(), {"inputs": {}})
    return replace(ctx, external=external)


def run_notebook_inline(name: str, ctx: ReportContext, monkeypatch, **parameters) -> None:
    """Run the code cells of a report notebook in this process, as the report would (report
    mode: every chart drawn to HTML), with ``ctx`` as what its ``load_context`` returns."""
    import cc_analytics
    from cc_analytics.reporting.kinds import NOTEBOOKS_DIR, REPORT_ENV

    monkeypatch.setattr(cc_analytics, "load_context", lambda *args, **kwargs: ctx)
    monkeypatch.setenv(REPORT_ENV, "1")
    cells = [c for c in nbformat.read(NOTEBOOKS_DIR / name, as_version=4).cells
             if c.cell_type == "code"]  # fmt: skip
    namespace: dict[str, object] = {}
    exec(cells[0].source, namespace)  # the parameters cell, then what papermill would inject
    namespace.update(parameters, external=ctx.external)
    for cell in cells[1:]:
        exec(cell.source, namespace)


@pytest.mark.slow
@pytest.mark.parametrize("people", NAMED.values(), ids=NAMED.keys())
def test_the_issue_cases_run_every_report_notebook(people, monkeypatch, capsys):
    """The notebooks' own code (tables, charts, notes) on the issue's cases, both audiences."""
    for external in (False, True):
        ctx = context(people, external)
        for cohort in ctx.tables.candidates["cohort"].unique():
            run_notebook_inline("cohort_report.ipynb", ctx, monkeypatch, cohort=cohort)
        run_notebook_inline("quality_review.ipynb", ctx, monkeypatch)
        run_notebook_inline("renewal_evidence.ipynb", ctx, monkeypatch)
    assert "Traceback" not in capsys.readouterr().out


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(candidate, min_size=1, max_size=9), external=st.booleans())
@example(people=NAMED["an empty site among named sites of the same cohort"], external=True)
def test_any_small_valid_dataset_renders_every_view(people, external):
    """The figures are drawn from these same views (the named cases above draw them)."""
    every_view(context(people, external), figures=False)

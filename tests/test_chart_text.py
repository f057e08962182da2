"""Text from data in charts is drawn as written, never as plotly's HTML subset (issue 15,
item 10): a cohort called ``<a href=…>`` is not a link, ``<b>`` is not bold."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.reporting import charts, explore, views
from cc_analytics.reporting.context import ReportContext
from cc_analytics.workspace.processed import Tables
from tests.browser import browser_session
from tests.fixtures import tiny_candidates, tiny_referentiel, tiny_scores

LINK = '<a href="http://evil.example/">X</a>'
BOLD = "<b>Lyon</b> & co"


@pytest.fixture(scope="module")
def ctx() -> ReportContext:
    candidates = tiny_candidates()
    candidates["cohort"] = candidates["cohort"].replace({"X": LINK})
    candidates["site"] = candidates["site"].replace({"Lyon": BOLD})
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, tiny_scores(), insertion, tiny_referentiel())
    results = compute_results(candidates, tables.scores, tables.referentiel, Rules())
    return ReportContext("tiny", tables, results, Rules(), {"inputs": {}})


def figures(ctx: ReportContext) -> dict[str, object]:
    data = explore.prepare(ctx)
    review = views.review_view(ctx)
    out = {name: getattr(explore, name)(data) for name in
           ("competency_rates", "score_distribution", "route_rates", "cohort_trends",
            "agreement_chart", "followup_tables")}  # fmt: skip
    title = review.cohorts[review.cohorts["level"] == "title"]
    out["rate_columns"] = charts.rate_columns(title, "cohort", "site", "Titre")
    out["trend_lines"] = charts.trend_lines(title, "cohort", "site", "Titre")
    out["rate_heatmap"] = charts.rate_heatmap(review.competencies, "cohort", "code", "Carte")
    return out


def strings(value: object) -> list[str]:
    """Every string plotly may draw (``legendgroup`` is an identifier, never drawn)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "legendgroup" for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def test_no_figure_carries_a_tag_from_data(ctx):
    for name, fig in figures(ctx).items():
        texts = strings(json.loads(fig.to_json()))
        assert not [t for t in texts if "<a " in t or "<b>Lyon" in t], name
    trends = figures(ctx)["cohort_trends"]
    assert '&lt;a href="http://evil.example/"&gt;X&lt;/a&gt;' in trends.data[0].x
    assert (
        trends.layout.xaxis.categoryarray[0] == '&lt;a href="http://evil.example/"&gt;X&lt;/a&gt;'
    )


@pytest.mark.slow
def test_a_cohort_named_as_a_link_is_drawn_as_text_in_a_browser(ctx, tmp_path):
    fig = figures(ctx)["cohort_trends"]
    page = tmp_path / "trends.html"
    fig.write_html(page, include_plotlyjs=True)
    with browser_session(tmp_path / "home") as browser:
        visit = browser.visit(page)
        ticks = visit.evaluate("() => [...document.querySelectorAll('.xtick text')]"
                               ".map(t => t.textContent)")  # fmt: skip
        assert LINK in ticks  # shown as the data spell it …
        assert (
            visit.evaluate("() => document.querySelectorAll('.js-plotly-plot .main-svg a').length")
            == 0
        )
        legend = visit.evaluate("() => [...document.querySelectorAll('.legendtext')]"
                                ".map(t => t.textContent)")  # fmt: skip
        assert BOLD in legend  # … and never as a link or bold
        assert visit.evaluate("() => document.querySelectorAll('.legendtext b, .xtick b')"
                              ".length") == 0  # fmt: skip
        assert not visit.console_errors()

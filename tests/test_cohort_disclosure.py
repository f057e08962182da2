"""The external cohort report's own tables (blocks, competencies, score distributions) go
through the disclosure audit like its route table (issue 11, item 4).

Tiny referentiel (two blocks of two competencies). Cohort X has 3 candidates (A, B, C of
tests/fixtures.py): under the small-group size (5), so nothing of it is published. Cohort W
has 8 candidates, W1–W5 by apprenticeship (CA), W6–W8 by VAE, every jury score 3 (acquired)
but W6's 1 on B1A1C1. By hand:

- cohort W: B1A1C1 7/8, the other competencies 8/8; block B1 7/8, B2 8/8; title 7/8;
- by route: CA 5/5 everywhere; VAE 2/3 on B1 and the title, 3/3 on B2;
- VAE (3 candidates) is hidden. On B1 and the title, CA visible at 5 would give VAE's count
  away (7 − 5 = 2), so CA is hidden too; then CA is 4 or 5 and VAE 2 or 3 — as much room as
  the published cohort total (7 of 8) leaves. On B2 the total is 8/8 (100 %): every VAE
  candidate validated it whatever is hidden, so hiding CA would protect nothing: CA stays
  shown and the page says the total gives the group's result away.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.reporting import charts
from cc_analytics.reporting.context import ReportContext
from cc_analytics.reporting.views import cohort_view
from cc_analytics.workspace.processed import Tables
from tests.fixtures import scores_frame, tiny_candidates, tiny_referentiel, tiny_scores

REF = tiny_referentiel()
COMPETENCIES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
W = [f"W{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def ctx() -> ReportContext:
    candidates = pd.concat([tiny_candidates(), pd.DataFrame({
        "cohort": "W", "candidate_id": W, "access_route": ["CA"] * 5 + ["VAE"] * 3,
        "immersion": False, "site": "Lyon"})], ignore_index=True)  # fmt: skip
    rows = [(c, comp, "jury", 1 if (c, comp) == ("W6", "B1A1C1") else 3, "2024-06-01")
            for c in W for comp in COMPETENCIES]  # fmt: skip
    scores = pd.concat([tiny_scores(), scores_frame(rows)], ignore_index=True)
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, scores, insertion, REF)
    results = compute_results(candidates, scores, REF, Rules())
    return ReportContext("essai", tables, results, Rules(), {"inputs": {}})


def external(ctx: ReportContext) -> ReportContext:
    return replace(ctx, external=True, disclosure=[])


def test_a_small_cohort_publishes_no_rate_score_count_or_mean(ctx):
    view = cohort_view(external(ctx), "X")
    for table in (view.blocks, view.competencies, view.distribution):
        assert table["suppressed"].all()
        hidden = ["k", "rate", "ci_low", "ci_high", "mean_score",
                  *(f"score_{s}" for s in range(5))]  # fmt: skip
        assert table[hidden].isna().all().all()
        assert (table["privacy"] == "masqué : petit effectif").all()
    assert view.competencies["n"].tolist() == [3, 3, 3, 1]  # who was evaluated is not hidden
    assert not view.competencies["weak"].any()  # nothing ranked on hidden rates
    assert view.routes["suppressed"].all()


def test_the_same_cohort_is_all_shown_internally(ctx):
    view = cohort_view(ctx, "X")
    assert not view.blocks["suppressed"].any()
    # B1: A validates it (B1A1C1 3, B1A1C2 retake 2 under co-validation: the employer's 1 on
    # B1A1C1 refuses it) — no; B (retake 1) no; C (employer 0 on B1A1C2) no: 0 of 3
    assert view.blocks.set_index("code").loc["B1", ["n", "k"]].tolist() == [3, 0]


def test_a_cohort_of_eight_is_shown_and_its_routes_hide_what_the_total_gives_away(ctx):
    shown = external(ctx)
    view = cohort_view(shown, "W")
    blocks = view.blocks.set_index("code")
    assert not blocks["suppressed"].any()
    assert blocks[["n", "k"]].astype(int).values.tolist() == [[8, 7], [8, 8]]
    comps = view.competencies.set_index("code")
    assert comps.loc[COMPETENCIES, "k"].astype(int).tolist() == [7, 8, 8, 8]
    assert comps.loc["B1A1C1", ["score_1", "score_3"]].astype(int).tolist() == [1, 7]

    routes = view.routes.set_index(["access_route", "code"])
    hidden = routes.index[routes["suppressed"]].tolist()
    assert sorted(hidden) == [("CA", "B1"), ("CA", "TITLE"),
                              ("VAE", "B1"), ("VAE", "B2"), ("VAE", "TITLE")]  # fmt: skip
    assert routes.loc[("CA", "B2"), ["n", "k"]].astype(int).tolist() == [5, 5]
    assert routes.loc[("CA", "B1"), "privacy"] == "masqué : protège un petit effectif voisin"
    assert "tous les candidats" in routes.loc[("VAE", "B2"), "privacy"]
    # both tables were audited, and the page's provenance says so
    names = [name for name, _ in shown.disclosure]
    assert names == ["ensemble", "par voie d'accès"]
    assert all(result.passed for _, result in shown.disclosure)


def test_a_hidden_rate_is_written_masque_in_the_charts(ctx):
    view = cohort_view(external(ctx), "X")
    bars = charts.rate_bars(view.blocks, "code", "Blocs", hover="item")
    assert list(bars.data[0].text) == ["masqué", "masqué"]
    assert all("masqué (petit effectif)" in h for h in bars.data[0].hovertext)
    spread = charts.score_distribution(view.distribution, {s: str(s) for s in range(5)}, "x")
    (note,) = [t for t in spread.data if t.type == "scatter"]
    assert list(note.y) == COMPETENCIES
    assert set(note.text) == {"masqué (petit effectif)"}


def test_the_solver_prints_nothing(capfd):
    """HiGHS 1.16 prints a banner from C++ when a model is created; the audit's solver is made
    with standard output closed at the file level, so no command or build output shows it."""
    import os

    import highspy

    from cc_analytics.engine.disclosure import _silent

    _silent(lambda: os.write(1, b"banner\n"))
    highs = _silent(highspy.Highs)
    highs.setOptionValue("output_flag", False)
    print("after")
    assert capfd.readouterr().out == "after\n"

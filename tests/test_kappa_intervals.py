"""Kappa with its 95 % interval (issue 11, item 3): the seeded BCa bootstrap over candidates,
the « imprécis » reading, the overall row's definition, the agreement CSV and the reports.

Bounds are reasoned by hand on tables so small that every bootstrap resample can be listed.
Tiny fixture, cohort X, competency B1A1C1: pairs (jury, employer) A (3, 1) and C (2, 2), kappa
-1/3 (test_agreement.py). Resampling the two candidates gives:

- A twice: one level per rater, different levels: kappa 1 - 2·(2·4)/(2·2·4) = 0 (1 time in 4);
- C twice: both raters on level 2 only: no kappa, left out (1 time in 4);
- A and C: the sample itself, -1/3 (1 time in 2).

So the kept replicates are -1/3 (two thirds) and 0 (one third). BCa: bias correction
z0 = Φ⁻¹(share below -1/3 + half the ties) = Φ⁻¹(1/3) = -0.431; acceleration 0 (leaving A out
leaves no kappa, so a single jackknife value); the quantile levels are Φ(2·z0 ∓ 1.96) = 0.002
and 0.864: the first falls among the -1/3 (first two thirds), the second among the 0. The
interval is exactly [-1/3, 0].
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.engine.agreement import OVERALL, OVERALL_LABEL, agreement
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.engine.stats import (
    IMPRECISE_READING,
    kappa_by_group,
    kappa_interval_by_group,
    landis_koch,
    landis_koch_array,
)
from cc_analytics.reporting import charts, explore
from cc_analytics.reporting.context import ReportContext
from cc_analytics.reporting.views import cohort_view, review_view
from cc_analytics.workspace.processed import Tables
from tests.fixtures import scores_frame, tiny_candidates, tiny_referentiel, tiny_scores
from tests.test_cli_metrics import read_csv, write_dataset

REF = tiny_referentiel()


def pairs_frame(pairs: list[tuple[int, int]], group: str = "g") -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["jury", "employer"]).assign(group=group)


def interval(df: pd.DataFrame, **options) -> tuple[float, float]:
    (row,) = kappa_interval_by_group(df, "group", "jury", "employer", **options).itertuples()
    return row.ci_low, row.ci_high


# -- the bootstrap interval ------------------------------------------------------------------
def test_perfect_agreement_gives_one_to_one():
    # every resample of perfectly agreeing pairs agrees perfectly (or, all on one level, has no
    # kappa and is left out)
    assert interval(pairs_frame([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (2, 2)])) == (1.0, 1.0)


def test_two_pairs_bounds_worked_by_hand():
    low, high = interval(pairs_frame([(3, 1), (2, 2)]))  # see the module docstring
    assert (low, high) == (pytest.approx(-1 / 3, abs=1e-12), 0.0)


def test_jury_on_one_level_gives_zero_to_zero():
    # one rater on a single level: every resample has kappa 1 - n·o/e with e = n·o, i.e. 0
    assert interval(pairs_frame([(2, 0), (2, 3), (2, 4), (2, 2)])) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("pairs", "why"),
    [
        ([], "no pair"),
        ([(2, 2), (2, 2), (2, 2)], "both raters on one level: no kappa"),
        ([(4, 2)], "one candidate: nothing to resample"),
    ],
)
def test_no_interval(pairs, why):
    df = pairs_frame(pairs) if pairs else pairs_frame([(None, 1)])
    low, high = interval(df)
    assert math.isnan(low) and math.isnan(high), why


ELEVEN = [(0, 1), (1, 1), (2, 3), (2, 2), (3, 1), (3, 3), (4, 4), (1, 2), (2, 4), (3, 3), (4, 2)]


def test_seeded_and_reproducible():
    df = pairs_frame(ELEVEN)
    first, again = interval(df), interval(df)
    assert first == again
    assert interval(df, seed=1) != interval(df, seed=2)  # the seed does drive the draws
    low, high = first
    kappa = kappa_by_group(df, "group", "jury", "employer")["kappa"].item()
    assert -1 <= low < kappa < high <= 1


def test_same_pairs_same_interval_in_any_table():
    """A cohort's kappa gets the same interval in the cohort report (alone) and in a table of
    every cohort, whatever the order of its rows."""
    alone = interval(pairs_frame(ELEVEN))
    shuffled = pairs_frame(ELEVEN).sample(frac=1, random_state=3)
    both = pd.concat([pairs_frame([(0, 0), (4, 3), (2, 1)], "a"), shuffled])
    table = kappa_interval_by_group(both, "group", "jury", "employer").set_index("group")
    assert tuple(table.loc["g", ["ci_low", "ci_high"]]) == alone


# -- « imprécis » ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kappa", "low", "high", "reading"),
    [
        (0.41, -0.22, 0.77, "imprécis"),  # the B1A1C2: five bands
        (0.41, 0.30, 0.55, "modéré"),  # passable and modéré: two bands
        (0.50, 0.45, 0.58, "modéré"),  # one band
        (0.30, 0.15, 0.45, "imprécis"),  # faible, passable, modéré
        (0.10, -0.10, 0.15, "faible"),  # désaccord and faible: two bands
        (0.40, 0.20, 0.60, "imprécis"),  # 0.20 is faible, 0.60 modéré (bands closed right)
        (0.50, 0.21, 0.60, "modéré"),  # passable and modéré
        (0.90, 0.75, 1.00, "presque parfait"),  # substantiel and presque parfait
        (1.00, 1.00, 1.00, "presque parfait"),
        (0.00, math.nan, math.nan, "imprécis"),  # a kappa without interval
        (math.nan, math.nan, math.nan, "non calculable"),
    ],
)
def test_imprecise_reading(kappa, low, high, reading):
    assert landis_koch(kappa, low, high) == reading
    assert landis_koch_array([kappa], [low], [high]).tolist() == [reading]


def test_reading_without_interval_is_unchanged():
    assert landis_koch(0.41) == "modéré"


# -- the overall row -------------------------------------------------------------------------
def same_three_candidates() -> tuple[pd.DataFrame, pd.DataFrame]:
    """P, Q and R each scored (jury, employer): B1A1C1 (0, 0), B1A1C2 (2, 3), B2A1C1 (4, 4)."""
    candidates = pd.DataFrame({"cohort": "K", "candidate_id": ["P", "Q", "R"],
                               "access_route": "CA", "immersion": True, "site": "Lyon"})  # fmt: skip
    rows = [(c, code, evaluator, score, "2024-06-01") for c in "PQR"
            for code, jury, employer in (("B1A1C1", 0, 0), ("B1A1C2", 2, 3), ("B2A1C1", 4, 4))
            for evaluator, score in (("jury", jury), ("entreprise", employer))]  # fmt: skip
    return candidates, scores_frame(rows)


def test_overall_row_pools_every_pair_and_resamples_candidates():
    """Pooled 9 pairs: 3 × (0,0), 3 × (2,3), 3 × (4,4). Observed Σw = 3·1 = 3. Margins: jury
    {0, 2, 4} and employer {0, 3, 4}, 3 each: expected Σ r_i c_j (i-j)² = 9 · (0+9+16 + 4+1+4
    + 16+1+0) = 459. Kappa = 1 - 9·3/459 = 16/17. The mean of the competencies' kappas would be
    0 (B1A1C2: 0; the two others have no kappa). Every candidate brings the same three pairs,
    so every resample of candidates gives the same pooled table: the interval is [16/17,
    16/17]; resampling pairs instead would wrongly vary."""
    candidates, scores = same_three_candidates()
    results = compute_results(candidates, scores, REF)
    table = agreement(results, REF).set_index("code")
    overall = table.loc[OVERALL]
    assert overall["pairs"] == 9
    assert overall["label"] == OVERALL_LABEL
    assert OVERALL_LABEL == "toutes compétences, toutes paires de notes confondues"
    assert overall["kappa"] == pytest.approx(16 / 17, abs=1e-12)
    assert (overall["ci_low"], overall["ci_high"]) == (pytest.approx(16 / 17, abs=1e-12),) * 2
    assert overall["reading"] == "presque parfait"
    assert table.loc["B1A1C2", "kappa"] == 0.0
    assert np.isnan(table.loc[["B1A1C1", "B2A1C1"], "kappa"]).all()

    pooled = pairs_frame(list(zip(scores.loc[scores["evaluator"] == "jury", "score"],
                                  scores.loc[scores["evaluator"] == "entreprise", "score"],
                                  strict=True)))  # fmt: skip
    low, _ = interval(pooled)  # each pair its own unit
    assert low < 16 / 17 - 0.01


def test_agreement_intervals_on_the_tiny_fixture():
    results = compute_results(tiny_candidates(), tiny_scores(), REF)
    table = agreement(results, REF).set_index("code")
    b1a1c1 = table.loc["B1A1C1"]
    assert (b1a1c1["ci_low"], b1a1c1["ci_high"]) == (pytest.approx(-1 / 3, abs=1e-12), 0.0)
    assert b1a1c1["reading"] == "désaccord"  # désaccord and faible: two bands, word kept
    one_pair = table.loc["B2A1C2"]  # A alone: no interval, so no word
    assert math.isnan(one_pair["ci_low"]) and one_pair["reading"] == IMPRECISE_READING


# -- the agreement CSV -----------------------------------------------------------------------
def test_agreement_csv_has_the_interval(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    dataset = write_dataset(tmp_path / "data" / "raw" / "tiny")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "accord.csv"
    assert main(["agreement", str(dataset), "--out", str(out)]) == 0
    header, rows = read_csv(out)
    assert header[:9] == ["code", "label", "pairs", "kappa", "exact_agreement",
                          "mean_difference", "reading", "ci_low", "ci_high"]  # fmt: skip
    by = {r["code"]: r for r in rows}
    assert (by["B1A1C1"]["ci_low"], by["B1A1C1"]["ci_high"]) == ("-0.3333333333", "0.0")
    assert (by["B2A1C1"]["ci_low"], by["B2A1C1"]["ci_high"]) == ("", "")  # no pair
    assert (by["B2A1C2"]["ci_low"], by["B2A1C2"]["reading"]) == ("", "imprécis")  # one pair
    overall = by["ENSEMBLE"]
    assert overall["label"] == "toutes compétences, toutes paires de notes confondues"
    # candidates A (3 pairs, kappa -2/7 alone) and C (2 pairs, kappa 0 alone) resampled: the
    # replicates are -2/7, 0 and 2/67 (both); the upper BCa level (0.9995) falls on 2/67
    assert overall["ci_high"] == "0.0298507463"
    assert overall["ci_low"] in {"-0.2857142857", "0.0"}


# -- reports and exploration -----------------------------------------------------------------
@pytest.fixture(scope="module")
def ctx() -> ReportContext:
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(tiny_candidates(), tiny_scores(), insertion, REF)
    results = compute_results(tables.candidates, tables.scores, REF, Rules())
    return ReportContext("tiny", tables, results, Rules(), {"inputs": {}})


def test_cohort_report_table_shows_the_interval(ctx):
    agree = cohort_view(ctx, "X").agreement
    shown = charts.french_table(agree, {
        "name": ("Compétence", None), "kappa": ("Kappa pondéré", charts.fr.decimal),
        charts.KAPPA_INTERVAL: ("Intervalle de confiance à 95 %", None),
        "reading": ("Lecture", None)})  # fmt: skip
    assert list(shown.columns) == ["Compétence", "Kappa pondéré",
                                   "Intervalle de confiance à 95 %", "Lecture"]  # fmt: skip
    assert shown.iloc[0].tolist() == ["B1A1C1", "−0,33", "[−0,33 ; 0,00]", "désaccord"]
    assert shown.iloc[-1, 0] == "Ensemble (toutes compétences, toutes paires de notes confondues)"


def test_external_cohort_report_hides_the_interval_and_the_reading(ctx):
    from dataclasses import replace

    agree = cohort_view(replace(ctx, external=True), "X").agreement.set_index("code")
    hidden = agree.loc["B1A1C1"]  # 2 candidates: a small group
    assert hidden[["kappa", "ci_low", "ci_high"]].isna().all()
    assert hidden["reading"] == "masqué"


def test_review_shows_the_interval(ctx):
    agree = review_view(ctx).agreement
    x = agree.set_index("cohort").loc["X"]
    assert x["ci_high"] == pytest.approx(2 / 67)
    fig = charts.value_lines(agree, "year", "kappa", "site", "Kappa", "kappa", (0, 1),
                             interval=("ci_low", "ci_high"))  # fmt: skip
    (lyon,) = [t for t in fig.data if t.name == "Lyon"]
    assert lyon.error_y.array[0] == pytest.approx(0.0)  # kappa 2/67 is the upper bound
    assert "intervalle à 95\u00a0% : [" in lyon.text[0]
    assert fig.layout.yaxis.range[0] <= min(0.0, x["ci_low"])


def test_exploration_hover_and_error_bars(ctx):
    fig = explore.agreement_chart(explore.prepare(ctx))
    (cohort_x,) = [t for t in fig.data if t.name == "X"]
    assert cohort_x.error_x.arrayminus[0] == pytest.approx(0.0)  # B1A1C1: -1/3 to 0
    assert cohort_x.error_x.array[0] == pytest.approx(1 / 3)
    assert "intervalle de confiance à 95 % : [−0,33 ; 0,00]" in cohort_x.hovertext[0]
    assert "imprécis : l'intervalle couvre plus de 2 niveaux" in cohort_x.hovertext[3]
    assert "toutes paires de notes confondues" in cohort_x.hovertext[-1].replace("<br>", " ")

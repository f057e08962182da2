"""Candidate-level results and aggregates on the tiny fixture, expectations worked by hand.

Fixture (tests/fixtures.py), threshold 2. Final jury scores after retakes:

    cand  B1A1C1  B1A1C2       B2A1C1  B2A1C2   employer
    A     3       2 (1→2)      2       4        C1=1, C2=3, B2C2=2
    B     4       1 (3→1)      3       —        (VAE)
    C     2       2            3       — (absent)  C1=2, C2=0, B2C2=4
    D     2       2            2       2        (cohort Y)
    E     —       —            —       —        (cohort Z)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cc_analytics.engine.aggregates import aggregate
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from tests.fixtures import tiny_candidates, tiny_referentiel, tiny_scores

REF = tiny_referentiel()


def results(combine="co_validation", threshold=2):
    return compute_results(tiny_candidates(), tiny_scores(), REF, Rules(threshold, combine))


def acquired(res) -> dict[str, list[bool]]:
    ids = res.candidates["candidate_id"]
    return {cid: res.acquired[i].tolist() for i, cid in enumerate(ids)}


def test_final_scores_take_the_latest_session():
    res = results()
    assert res.jury.tolist() == [
        [3, 2, 2, 4],
        [4, 1, 3, -1],
        [2, 2, 3, -1],
        [2, 2, 2, 2],
        [-1, -1, -1, -1],
    ]
    assert res.employer.tolist()[0] == [1, 3, -1, 2]
    assert res.employer.tolist()[2] == [2, 0, -1, 4]


def test_evaluated_needs_a_jury_score():
    res = results()
    # C has an employer score on B2A1C2 but no jury score: not evaluated
    assert res.evaluated[2].tolist() == [True, True, True, False]
    assert res.evaluated[4].tolist() == [False] * 4


@pytest.mark.parametrize(
    ("combine", "expected"),
    [
        # A: employer 1 blocks B1A1C1; C: employer 0 blocks B1A1C2
        ("co_validation", {"A": [False, True, True, True], "B": [True, False, True, False],
                           "C": [True, False, True, False], "D": [True] * 4}),
        ("jury", {"A": [True] * 4, "B": [True, False, True, False],
                  "C": [True, True, True, False], "D": [True] * 4}),
        # mean: A C1 (3+1)/2 = 2 ok, C C2 (2+0)/2 = 1 not ok
        ("mean", {"A": [True] * 4, "B": [True, False, True, False],
                  "C": [True, False, True, False], "D": [True] * 4}),
    ],
)  # fmt: skip
def test_acquired_per_combine_mode(combine, expected):
    got = acquired(results(combine))
    assert {k: got[k] for k in expected} == expected
    assert got["E"] == [False] * 4


@pytest.mark.parametrize(
    ("combine", "validated", "obtained"),
    [
        ("co_validation", [[False, True], [False, False], [False, False], [True, True],
                           [False, False]], [False, False, False, True, False]),
        ("jury", [[True, True], [False, False], [True, False], [True, True], [False, False]],
         [True, False, False, True, False]),
        ("mean", [[True, True], [False, False], [False, False], [True, True], [False, False]],
         [True, False, False, True, False]),
    ],
)  # fmt: skip
def test_blocks_and_title(combine, validated, obtained):
    res = results(combine)
    assert res.block_validated.tolist() == validated
    assert res.title_obtained.tolist() == obtained
    # presented: B presented to B2 through B2A1C1 although B2A1C2 was never scored
    assert res.block_presented.tolist() == [[True, True]] * 4 + [[False, False]]
    assert res.title_presented.tolist() == [True, True, True, True, False]


def test_threshold_is_configurable():
    res = results("jury", threshold=3)
    # jury finals >= 3: A [3,2,2,4], B [4,1,3,-], C [2,2,3,-], D [2,2,2,2]
    assert acquired(res)["A"] == [True, False, False, True]
    assert acquired(res)["D"] == [False] * 4


def test_year_is_the_latest_jury_session():
    years = results().candidates["year"].tolist()
    assert years[:4] == [2024, 2024, 2024, 2025]
    assert pd.isna(years[4])


def test_tidy_views():
    res = results()
    comp = res.competency_table()
    assert len(comp) == 5 * 4
    row = comp[(comp["candidate_id"] == "A") & (comp["competency"] == "B1A1C1")].iloc[0]
    assert (row["evaluated"], row["acquired"], row["jury_score"], row["employer_score"]) == (
        True, False, 3, 1)  # fmt: skip
    assert comp["jury_score"].isna().sum() == 4 + 2  # E has none, B and C miss B2A1C2
    title = res.title_table()
    assert title["blocks_validated"].tolist() == [1, 0, 0, 2, 0]


def test_inputs_are_not_modified():
    cands, scores = tiny_candidates(), tiny_scores()
    before_c, before_s = cands.copy(), scores.copy()
    compute_results(cands, scores, REF)
    pd.testing.assert_frame_equal(cands, before_c)
    pd.testing.assert_frame_equal(scores, before_s)


def row(table, cohort, code):
    match = table[(table["cohort"] == cohort) & (table["code"] == code)]
    assert len(match) == 1
    return match.iloc[0]


def test_aggregate_by_cohort_co_validation():
    table = aggregate(results(), REF, by=["cohort"])
    assert list(table.columns[:11]) == ["cohort", "level", "code", "label", "n", "k", "rate",
                                        "ci_low", "ci_high", "mean_score", "score_0"]  # fmt: skip
    r = row(table, "X", "B1A1C1")  # evaluated A,B,C; acquired B,C; scores 3,4,2
    assert (r["n"], r["k"], r["label"]) == (3, 2, "Un un")
    assert r["rate"] == pytest.approx(2 / 3)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.2077, 0.9385), abs=5e-5)
    assert r["mean_score"] == pytest.approx(3.0)
    assert [r[f"score_{s}"] for s in range(5)] == [0, 0, 1, 1, 1]
    r = row(table, "X", "B1A1C2")  # finals 2,1,2; acquired A only (C blocked by employer 0)
    assert (r["n"], r["k"]) == (3, 1)
    assert r["mean_score"] == pytest.approx(5 / 3)
    assert [r[f"score_{s}"] for s in range(5)] == [0, 1, 2, 0, 0]
    r = row(table, "X", "B2A1C2")  # only A evaluated (4, employer 2)
    assert (r["n"], r["k"], r["mean_score"]) == (1, 1, 4.0)
    r = row(table, "X", "B1")
    assert (r["level"], r["n"], r["k"], r["rate"]) == ("block", 3, 0, 0.0)
    assert pd.isna(r["mean_score"])
    r = row(table, "X", "B2")
    assert (r["n"], r["k"]) == (3, 1)
    r = row(table, "X", "TITLE")
    assert (r["level"], r["label"], r["n"], r["k"], r["rate"]) == ("title", "Titre essai", 3, 0, 0)


def test_one_candidate_group_and_empty_group():
    table = aggregate(results(), REF, by=["cohort"])
    r = row(table, "Y", "TITLE")
    assert (r["n"], r["k"], r["rate"]) == (1, 1, 1.0)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.2065, 1.0), abs=5e-5)
    empty = table[table["cohort"] == "Z"]
    assert len(empty) == 4 + 2 + 1  # every item still listed
    assert (empty["n"] == 0).all() and (empty["k"] == 0).all()
    assert empty[["rate", "ci_low", "ci_high", "mean_score"]].isna().all().all()


@pytest.mark.parametrize(
    ("combine", "b1", "b2", "title"),
    [("co_validation", 0, 1, 0), ("jury", 2, 1, 1), ("mean", 1, 1, 1)],
)
def test_cohort_x_counts_per_mode(combine, b1, b2, title):
    table = aggregate(results(combine), REF, by=["cohort"])
    assert row(table, "X", "B1")["k"] == b1
    assert row(table, "X", "B2")["k"] == b2
    assert row(table, "X", "TITLE")["k"] == title


def test_aggregate_by_two_columns_and_no_grouping():
    table = aggregate(results("jury"), REF, by=["site", "access_route"])
    lyon_ca = table[(table["site"] == "Lyon") & (table["access_route"] == "CA")
                    & (table["code"] == "TITLE")].iloc[0]  # fmt: skip
    assert (lyon_ca["n"], lyon_ca["k"]) == (1, 1)
    overall = aggregate(results("jury"), REF, by=[])
    r = overall[overall["code"] == "TITLE"].iloc[0]
    assert (r["n"], r["k"]) == (4, 2)  # A and D obtain; E not presented
    assert np.isclose(r["rate"], 0.5)

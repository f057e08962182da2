"""Tests for cc_analytics.engine.stats.

Every expected number is computed by hand in a comment or taken from a published table;
none is copied from the functions' output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cc_analytics.engine.stats import (
    kappa_by_group,
    landis_koch,
    landis_koch_array,
    quadratic_weighted_kappa,
    wilson_interval,
)

# --- wilson_interval -------------------------------------------------------------------------
# z = 1.959963984540054, z² = 3.841459, z²/2 = 1.920729, z²/4 = 0.960365
# centre = (k + z²/2) / (n + z²), half = z / (n + z²) * sqrt(k (n - k) / n + z²/4)
#
# 0/10:  n + z² = 13.841459; centre = 1.920729 / 13.841459 = 0.138766
#        half = 1.959964 / 13.841459 * sqrt(0 + 0.960365) = 0.141601 * 0.979982 = 0.138766
#        -> (0, 0.277533) -> (0, 0.2775)
# 5/10:  centre = 6.920729 / 13.841459 = 0.5
#        half = 0.141601 * sqrt(2.5 + 0.960365) = 0.141601 * 1.860206 = 0.263407
#        -> (0.236593, 0.763407) -> (0.2366, 0.7634)
# 10/10: mirror of 0/10 -> (1 - 0.277533, 1) = (0.7225, 1)
# 1/1:   n + z² = 4.841459; centre = 2.920729 / 4.841459 = 0.603275
#        half = 1.959964 / 4.841459 * sqrt(0 + 0.960365) = 0.404829 * 0.979982 = 0.396725
#        -> (0.206549, 1) -> (0.2065, 1)
# The four rows below them are Newcombe (1998), Stat Med 17:857, Table I, method 3.
WILSON_95 = [
    (0, 10, 0.0, 0.2775),
    (5, 10, 0.2366, 0.7634),
    (10, 10, 0.7225, 1.0),
    (1, 1, 0.2065, 1.0),
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), WILSON_95)
def test_wilson_95_matches_hand_and_published_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert float(got_low) == pytest.approx(low, abs=5e-5)
    assert float(got_high) == pytest.approx(high, abs=5e-5)


def test_wilson_is_exact_at_the_edges():
    # k == 0 -> lower bound exactly 0 (formula gives 0 up to rounding, maybe -1e-17);
    # k == n -> upper bound exactly 1.
    low, high = wilson_interval([0, 3, 7], [7, 7, 7])
    assert low[0] == 0.0
    assert high[2] == 1.0
    assert np.all((low >= 0) & (high <= 1))


def test_wilson_zero_trials_gives_nan():
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_wilson_vectorised_shape_and_nan_only_where_n_is_zero():
    k = np.array([0, 5, 0, 10])
    n = np.array([10, 10, 0, 10])
    low, high = wilson_interval(k, n)
    assert low.shape == high.shape == (4,)
    np.testing.assert_allclose(low, [0.0, 0.2366, np.nan, 0.7225], atol=5e-5)
    np.testing.assert_allclose(high, [0.2775, 0.7634, np.nan, 1.0], atol=5e-5)


def test_wilson_accepts_series_and_broadcasts_scalar_n():
    low, high = wilson_interval(pd.Series([0, 5, 10]), 10)
    np.testing.assert_allclose(low, [0.0, 0.2366, 0.7225], atol=5e-5)
    np.testing.assert_allclose(high, [0.2775, 0.7634, 1.0], atol=5e-5)


def test_wilson_other_confidence_level():
    # 90 %: z = 1.644854, z² = 2.705543; 5/10: n + z² = 12.705543, centre = 0.5
    # half = 1.644854 / 12.705543 * sqrt(2.5 + 0.676386) = 0.129459 * 1.782242 = 0.230728
    # -> (0.269272, 0.730728)
    low, high = wilson_interval(5, 10, confidence=0.90)
    assert float(low) == pytest.approx(0.2693, abs=5e-5)
    assert float(high) == pytest.approx(0.7307, abs=5e-5)


def test_wilson_does_not_mutate_inputs():
    k = np.array([1, 2, 3])
    n = np.array([4, 4, 4])
    wilson_interval(k, n)
    np.testing.assert_array_equal(k, [1, 2, 3])
    np.testing.assert_array_equal(n, [4, 4, 4])


@pytest.mark.parametrize(
    ("k", "n", "confidence"),
    [(5, 4, 0.95), (-1, 4, 0.95), (1, -4, 0.95), (1, 4, 1.0), (1, 4, 0.0)],
)
def test_wilson_rejects_impossible_input(k, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(k, n, confidence)


# --- quadratic_weighted_kappa ----------------------------------------------------------------
# kappa = 1 - N * sum_ij w_ij O_ij / sum_ij w_ij r_i c_j, w_ij = (i - j)² (the usual /16 on
# the 0..4 scale cancels), O = confusion counts, r / c = row (a) / column (b) marginal counts.


def test_kappa_hand_computed_four_pairs():
    # pairs (a, b): (0,0) (1,2) (2,2) (4,3); N = 4
    # confusion O (rows a 0..4, columns b 0..4):
    #   a=0: [1 0 0 0 0]
    #   a=1: [0 0 1 0 0]
    #   a=2: [0 0 1 0 0]
    #   a=3: [0 0 0 0 0]
    #   a=4: [0 0 0 1 0]
    # observed:  sum w O = 0 + 1 + 0 + 1 = 2          (weighted disagreement 2/(4*16) = 1/32)
    # r = [1 1 1 0 1], c = [1 0 2 1 0]
    # expected:  a=0: 1*0 + 2*4 + 1*9  = 17
    #            a=1: 1*1 + 2*1 + 1*4  =  7
    #            a=2: 1*4 + 2*0 + 1*1  =  5
    #            a=4: 1*16 + 2*4 + 1*1 = 25      total 54   (54/(16*16) = 0.2109)
    # kappa = 1 - 4 * 2 / 54 = 1 - 4/27 = 23/27 = 0.851852
    got = quadratic_weighted_kappa([0, 1, 2, 4], [0, 2, 2, 3])
    assert got == pytest.approx(23 / 27, abs=1e-12)


def test_kappa_perfect_agreement_is_one():
    assert quadratic_weighted_kappa([0, 1, 2, 3, 4, 2], [0, 1, 2, 3, 4, 2]) == pytest.approx(1.0)


def test_kappa_perfect_disagreement_is_negative():
    # (0,4) (4,0): observed 16 + 16 = 32; r = c = [1 0 0 0 1]
    # expected: (0,0) 0 + (0,4) 16 + (4,0) 16 + (4,4) 0 = 32; kappa = 1 - 2 * 32 / 32 = -1
    assert quadratic_weighted_kappa([0, 4], [4, 0]) == pytest.approx(-1.0)


def test_kappa_missing_label_in_the_middle_changes_the_result():
    # pairs (0,0) (1,3) (4,4); N = 3; level 2 unused by both raters.
    # Full scale 0..4: observed = 0 + (1-3)² + 0 = 4
    #   r: {0,1,4}, c: {0,3,4} (one each)
    #   expected: a=0: 0 + 9 + 16 = 25; a=1: 1 + 4 + 9 = 14; a=4: 16 + 1 + 0 = 17 -> 56
    #   kappa = 1 - 3 * 4 / 56 = 1 - 3/14 = 11/14 = 0.785714
    # Only present labels [0, 1, 3, 4] -> positions 0, 1, 2, 3 (1-vs-3 is now one step):
    #   observed = 0 + (1-2)² + 0 = 1
    #   expected: a=0: 0 + 4 + 9 = 13; a=1: 1 + 1 + 4 = 6; a=3: 9 + 1 + 0 = 10 -> 29
    #   kappa = 1 - 3 * 1 / 29 = 26/29 = 0.896552
    a, b = [0, 1, 4], [0, 3, 4]
    assert quadratic_weighted_kappa(a, b) == pytest.approx(11 / 14, abs=1e-12)
    assert quadratic_weighted_kappa(a, b, labels=range(5)) == pytest.approx(11 / 14, abs=1e-12)
    assert quadratic_weighted_kappa(a, b, labels=[0, 1, 3, 4]) == pytest.approx(26 / 29, abs=1e-12)


def test_kappa_ignores_incomplete_pairs():
    # same three complete pairs as above plus one pair missing each side -> 11/14
    a = pd.Series([0, 1, 4, 2, None], dtype="Int64")
    b = pd.Series([0, 3, 4, None, 1], dtype="Int64")
    assert quadratic_weighted_kappa(a, b) == pytest.approx(11 / 14, abs=1e-12)


def test_kappa_pairs_by_position_not_by_index():
    a = pd.Series([0, 1, 4], index=[10, 11, 12])
    b = pd.Series([0, 3, 4], index=[0, 1, 2])
    assert quadratic_weighted_kappa(a, b) == pytest.approx(11 / 14, abs=1e-12)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([], []),  # no pair
        ([2, 2, 2], [2, 2, 2]),  # one single level on both sides: expected disagreement 0
        ([1, None], [None, 3]),  # no complete pair
    ],
)
def test_kappa_undefined_cases_are_nan(a, b):
    assert math.isnan(quadratic_weighted_kappa(a, b))


def test_kappa_rejects_values_outside_the_scale_and_unequal_lengths():
    with pytest.raises(ValueError, match="outside labels"):
        quadratic_weighted_kappa([0, 5], [0, 4])
    with pytest.raises(ValueError, match="same length"):
        quadratic_weighted_kappa([0, 1], [0])


def test_kappa_does_not_mutate_inputs():
    a = np.array([0.0, 1.0, np.nan])
    b = np.array([0.0, 2.0, 3.0])
    quadratic_weighted_kappa(a, b)
    np.testing.assert_array_equal(a, [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(b, [0.0, 2.0, 3.0])


# --- kappa_by_group --------------------------------------------------------------------------


@pytest.fixture
def jury_company() -> pd.DataFrame:
    # rows of the four routes interleaved on purpose
    rows = [
        ("FI", 0, 0),
        ("CA", 0, 0),
        ("VAE", 2, 2),
        ("FI", 1, 2),
        ("CL", None, 3),
        ("CA", 1, 3),
        ("FI", 2, 2),
        ("VAE", 2, None),
        ("CA", 4, 4),
        ("FI", 4, 3),
    ]
    return pd.DataFrame(rows, columns=["route", "jury", "company"])


def test_kappa_by_group_hand_computed(jury_company):
    # CA: (0,0) (1,3) (4,4) -> 3 pairs, kappa 11/14 (see the missing-label test),
    #     exact 2/3, mean(b - a) = (0 + 2 + 0) / 3 = 2/3
    # CL: no complete pair -> 0 pairs, everything NaN
    # FI: (0,0) (1,2) (2,2) (4,3) -> 4 pairs, kappa 23/27 (see the four-pair test),
    #     exact 2/4 = 0.5, mean(b - a) = (0 + 1 + 0 - 1) / 4 = 0
    # VAE: (2,2) only -> 1 pair, kappa NaN (expected disagreement 0), exact 1, mean 0
    got = kappa_by_group(jury_company, "route", "jury", "company")
    expected = pd.DataFrame(
        {
            "route": ["CA", "CL", "FI", "VAE"],
            "pairs": [3, 0, 4, 1],
            "kappa": [11 / 14, np.nan, 23 / 27, np.nan],
            "exact_agreement": [2 / 3, np.nan, 0.5, 1.0],
            "mean_difference": [2 / 3, np.nan, 0.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-12)
    assert got["pairs"].dtype.kind == "i"


def test_kappa_by_group_two_group_columns():
    # B1/CA: (1,2) (2,1): observed 1 + 1 = 2; r = c = {1, 2}
    #        expected (1,1) 0 + (1,2) 1 + (2,1) 1 + (2,2) 0 = 2 -> kappa = 1 - 2*2/2 = -1
    #        exact 0, mean(b - a) = (1 - 1) / 2 = 0
    # B1/FI: (0,0) (4,4): observed 0; r = c = {0, 4}; expected 16 + 16 = 32 -> kappa 1
    #        exact 1, mean 0
    # B2/FI: (3,4) (1,2): observed 1 + 1 = 2; r = {3, 1}, c = {4, 2}
    #        expected (3,4) 1 + (3,2) 1 + (1,4) 9 + (1,2) 1 = 12 -> kappa = 1 - 2*2/12 = 2/3
    #        exact 0, mean(b - a) = (1 + 1) / 2 = 1
    df = pd.DataFrame(
        {
            "block": ["B2", "B1", "B1", "B2", "B1", "B1"],
            "route": ["FI", "CA", "FI", "FI", "CA", "FI"],
            "jury": [3, 1, 0, 1, 2, 4],
            "company": [4, 2, 0, 2, 1, 4],
        }
    )
    got = kappa_by_group(df, ["block", "route"], "jury", "company")
    expected = pd.DataFrame(
        {
            "block": ["B1", "B1", "B2"],
            "route": ["CA", "FI", "FI"],
            "pairs": [2, 2, 2],
            "kappa": [-1.0, 1.0, 2 / 3],
            "exact_agreement": [0.0, 1.0, 0.0],
            "mean_difference": [0.0, 0.0, 1.0],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-12)


def test_kappa_by_group_agrees_with_single_kappa(jury_company):
    got = kappa_by_group(jury_company, ["route"], "jury", "company").set_index("route")
    for route, group in jury_company.groupby("route"):
        single = quadratic_weighted_kappa(group["jury"], group["company"])
        assert got.loc[route, "kappa"] == pytest.approx(single, nan_ok=True)


def test_kappa_by_group_uses_the_full_scale(jury_company):
    # CA never uses level 2: 11/14 on the full scale, 26/29 with labels [0, 1, 3, 4]
    # (see the missing-label test)
    ca = jury_company[jury_company["route"] == "CA"]
    full = kappa_by_group(ca, "route", "jury", "company")
    present = kappa_by_group(ca, "route", "jury", "company", labels=[0, 1, 3, 4])
    assert full["kappa"].item() == pytest.approx(11 / 14, abs=1e-12)
    assert present["kappa"].item() == pytest.approx(26 / 29, abs=1e-12)


def test_kappa_by_group_does_not_mutate_input(jury_company):
    before = jury_company.copy()
    kappa_by_group(jury_company, "route", "jury", "company")
    pd.testing.assert_frame_equal(jury_company, before)


def test_kappa_by_group_empty_frame():
    df = pd.DataFrame({"route": [], "jury": [], "company": []})
    got = kappa_by_group(df, "route", "jury", "company")
    assert got.empty
    assert list(got.columns) == ["route", "pairs", "kappa", "exact_agreement", "mean_difference"]


def test_kappa_by_group_reports_bad_input(jury_company):
    with pytest.raises(KeyError, match="employer"):
        kappa_by_group(jury_company, "route", "jury", "employer")
    bad = jury_company.assign(company=jury_company["company"].replace(3, 7))
    with pytest.raises(ValueError, match="outside labels"):
        kappa_by_group(bad, "route", "jury", "company")


# --- landis_koch -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kappa", "reading"),
    [
        (-1.0, "désaccord"),
        (-0.01, "désaccord"),
        (0.0, "faible"),
        (0.10, "faible"),
        (0.20, "faible"),
        (0.21, "passable"),
        (0.40, "passable"),
        (0.41, "modéré"),
        (0.60, "modéré"),
        (0.61, "substantiel"),
        (0.80, "substantiel"),
        (0.81, "presque parfait"),
        (1.0, "presque parfait"),
        (float("nan"), "non calculable"),
    ],
)
def test_landis_koch_table(kappa, reading):
    assert landis_koch(kappa) == reading


def test_landis_koch_array_is_vectorised():
    got = landis_koch_array(np.array([-0.2, 0.15, 0.3, 0.5, 0.7, 0.95, np.nan]))
    assert got.tolist() == [
        "désaccord",
        "faible",
        "passable",
        "modéré",
        "substantiel",
        "presque parfait",
        "non calculable",
    ]

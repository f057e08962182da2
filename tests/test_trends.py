"""Trends between cohorts of the same site, on a hand-made metrics table.

Two sites, three cohorts each (same years, so a cohort of the other site always sits between
two cohorts of one site in time). Title rows, and for Lyon a block row with its own history:

    site    cohort  order  TITLE k/n      B1 k/n
    Lyon    L22     2022   20/50 (0.4)    45/50
    Lyon    L23     2023   30/50 (0.6)    45/50
    Lyon    L24     2024    0/4  (0.0)    —
    Nantes  N22     2022   40/50 (0.8)    —
    Nantes  N23     2023   10/50 (0.2)    —
    Nantes  N24     2024    0/0  (—)      —

Pooled two-proportion z-test, two-sided, worked by hand:

- L23 vs L22: pooled 50/100 = 0.5, se = sqrt(0.5·0.5·(1/50 + 1/50)) = sqrt(0.01) = 0.1,
  z = (0.6 − 0.4)/0.1 = 2, p = 2·(1 − Φ(2)) = 2·0.02275 = 0.0455.
- L24 vs L23: pooled 30/54 = 0.5556, se = sqrt(0.5556·0.4444·(1/4 + 1/50))
  = sqrt(0.2469·0.27) = 0.2582, z = (0 − 0.6)/0.2582 = −2.324, p = 2·0.01007 = 0.02014
  (below 0.05, but n = 4: not significant with min_n = 5).
- N23 vs N22: pooled 0.5, se = 0.1, z = (0.2 − 0.8)/0.1 = −6, p = erfc(6/√2) = 1.97e-9.
- N24 vs N23: N24 has n = 0, the test is undefined (NaN), never significant.
- B1 L23 vs L22: same rate, z = 0, p = 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cc_analytics.engine.aggregates import trends

ORDER = pd.Series({"L22": 2022, "L23": 2023, "L24": 2024, "N22": 2022, "N23": 2023, "N24": 2024})
# (site, cohort, level, code, n, k); rows deliberately out of time order and sites interleaved
ROWS = [
    ("Nantes", "N23", "title", "TITLE", 50, 10),
    ("Lyon", "L24", "title", "TITLE", 4, 0),
    ("Lyon", "L22", "block", "B1", 50, 45),
    ("Nantes", "N22", "title", "TITLE", 50, 40),
    ("Lyon", "L23", "title", "TITLE", 50, 30),
    ("Nantes", "N24", "title", "TITLE", 0, 0),
    ("Lyon", "L23", "block", "B1", 50, 45),
    ("Lyon", "L22", "title", "TITLE", 50, 20),
]


def metrics() -> pd.DataFrame:
    table = pd.DataFrame(ROWS, columns=["site", "cohort", "level", "code", "n", "k"])
    rate = table["k"] / table["n"].where(table["n"] > 0)
    return table.assign(rate=rate)


def at(table: pd.DataFrame, cohort: str, code: str = "TITLE") -> pd.Series:
    match = table[(table["cohort"] == cohort) & (table["code"] == code)]
    assert len(match) == 1
    return match.iloc[0]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return trends(metrics(), ORDER, site="site", min_n=5)


@pytest.mark.parametrize(
    ("cohort", "code", "previous", "previous_rate", "change"),
    [
        ("L23", "TITLE", "L22", 0.4, 0.2),
        ("L24", "TITLE", "L23", 0.6, -0.6),
        ("N23", "TITLE", "N22", 0.8, -0.6),
        ("L23", "B1", "L22", 0.9, 0.0),
    ],
)
def test_previous_cohort_is_the_previous_of_the_same_site(
    table, cohort, code, previous, previous_rate, change
):
    r = at(table, cohort, code)
    assert r["previous_cohort"] == previous
    assert r["previous_rate"] == pytest.approx(previous_rate)
    assert r["change"] == pytest.approx(change)


@pytest.mark.parametrize(("cohort", "code"), [("L22", "TITLE"), ("N22", "TITLE"), ("L22", "B1")])
def test_first_cohort_of_each_site_has_no_previous(table, cohort, code):
    r = at(table, cohort, code)
    assert pd.isna(r["previous_cohort"])
    assert pd.isna(r["previous_rate"]) and pd.isna(r["change"]) and pd.isna(r["p_value"])
    assert not r["significant"]


@pytest.mark.parametrize(
    ("cohort", "code", "p_value", "significant"),
    [
        ("L23", "TITLE", 0.0455, True),
        ("L24", "TITLE", 0.02014, False),  # p < 0.05 but n = 4 < min_n
        ("N23", "TITLE", 1.973e-9, True),
        ("L23", "B1", 1.0, False),
    ],
)
def test_p_value_and_significance(table, cohort, code, p_value, significant):
    r = at(table, cohort, code)
    assert r["p_value"] == pytest.approx(p_value, rel=1e-3)
    assert bool(r["significant"]) is significant


def test_empty_cohort_compares_to_nothing(table):
    r = at(table, "N24")
    assert r["previous_cohort"] == "N23"
    assert r["previous_rate"] == pytest.approx(0.2)
    assert pd.isna(r["change"]) and pd.isna(r["p_value"])
    assert not r["significant"]


def test_min_n_only_gates_significance():
    loose = trends(metrics(), ORDER, site="site", min_n=1)
    r = at(loose, "L24")
    assert r["p_value"] == pytest.approx(0.02014, rel=1e-3)
    assert r["significant"]


def test_without_site_the_previous_cohort_is_global():
    # one site only: the table grouped by cohort alone
    lyon = metrics().query("site == 'Lyon'").drop(columns="site").reset_index(drop=True)
    table = trends(lyon, ORDER, site=None)
    assert at(table, "L23")["previous_cohort"] == "L22"
    assert at(table, "L24")["previous_cohort"] == "L23"
    assert pd.isna(at(table, "L22")["previous_cohort"])


def test_rows_keep_their_order_and_the_input_is_untouched():
    source = metrics()
    before = source.copy()
    table = trends(source, ORDER, site="site")
    pd.testing.assert_frame_equal(source, before)
    assert table[["site", "cohort", "code"]].values.tolist() == [
        [site, cohort, code] for site, cohort, _, code, *_ in ROWS
    ]
    assert list(table.columns[-5:]) == [
        "previous_cohort",
        "previous_rate",
        "change",
        "p_value",
        "significant",
    ]
    assert table["significant"].dtype == np.bool_


def test_a_cohort_without_order_is_refused():
    from cc_analytics.core.errors import CcAnalyticsError

    with pytest.raises(CcAnalyticsError, match="cohortes sans ordre chronologique : L22"):
        trends(metrics(), ORDER.drop("L22"))


def test_row_order_is_kept_whatever_the_index():
    data = metrics()
    data.index = data.index[::-1] * 10  # a filtered or concatenated table's index
    out = trends(data, ORDER)
    assert out.index.tolist() == data.index.tolist()
    assert out["cohort"].tolist() == data["cohort"].tolist()

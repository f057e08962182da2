"""Jury–employer agreement, computed by hand on the tiny fixture.

Pairs (jury, employer) of final scores where both exist:
A: B1A1C1 (3,1), B1A1C2 (2,3), B2A1C2 (4,2); C: B1A1C1 (2,2), B1A1C2 (2,0).
(C's B2A1C2 has an employer score but no jury score: not a pair.)
"""

from __future__ import annotations

import pytest

from cc_analytics.engine.agreement import OVERALL, agreement
from cc_analytics.engine.results import compute_results
from tests.fixtures import tiny_candidates, tiny_referentiel, tiny_scores

REF = tiny_referentiel()


@pytest.fixture(scope="module")
def table():
    res = compute_results(tiny_candidates(), tiny_scores(), REF)
    return agreement(res, REF).set_index("code")


def test_overall(table):
    r = table.loc[OVERALL]
    assert r["pairs"] == 5
    # exact agreement: only (2,2) -> 1/5
    assert r["exact_agreement"] == pytest.approx(0.2)
    # employer - jury: -2, +1, -2, 0, -2 -> mean -1
    assert r["mean_difference"] == pytest.approx(-1.0)
    # quadratic weights (i-j)^2. Observed: (4+1+4+0+4)/5 = 2.6.
    # Expected from marginals jury {2:.6, 3:.2, 4:.2}, employer {0:.2, 1:.2, 2:.4, 3:.2}:
    # jury 2: .6*(4*.2+1*.2+0*.4+1*.2)=.72; jury 3: .2*(9*.2+4*.2+1*.4+0)=.6;
    # jury 4: .2*(16*.2+9*.2+4*.4+1*.2)=1.36; total 2.68. kappa = 1 - 2.6/2.68 = 2/67.
    assert r["kappa"] == pytest.approx(2 / 67)
    assert r["reading"] == "faible"


def test_per_competency(table):
    r = table.loc["B1A1C1"]  # pairs (3,1), (2,2)
    assert (r["pairs"], r["exact_agreement"], r["mean_difference"]) == (2, 0.5, -1.0)
    # observed (4+0)/2 = 2; expected: jury {3:.5, 2:.5} x employer {1:.5, 2:.5}
    # -> (4+1+1+0)/4 = 1.5; kappa = 1 - 2/1.5 = -1/3
    assert r["kappa"] == pytest.approx(-1 / 3)
    assert r["reading"] == "désaccord"
    r = table.loc["B2A1C1"]  # nobody scored by both
    assert r["pairs"] == 0
    assert r["reading"] == "non calculable"
    assert table.loc["B2A1C2", "pairs"] == 1
    assert list(table.index) == ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2", OVERALL]


def test_by_group_lists_each_group():
    res = compute_results(tiny_candidates(), tiny_scores(), REF)
    table = agreement(res, REF, by=["cohort"])
    assert set(table["cohort"]) == {"X"}  # only cohort X has pairs
    assert table.loc[table["code"] == OVERALL, "pairs"].item() == 5

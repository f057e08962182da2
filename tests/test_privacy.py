from __future__ import annotations

import pandas as pd

from cc_analytics.engine.privacy import flag_small_groups, protect


def table():
    # one cohort broken down by access route; the cohort total is published elsewhere
    return pd.DataFrame({
        "cohort": ["X"] * 4 + ["Y"] * 2,
        "access_route": ["CA", "FI", "VAE", "CL", "CA", "FI"],
        "code": "TITLE",
        "n": [12, 6, 3, 0, 8, 9],
        "k": [9, 4, 2, 0, 6, 7],
        "rate": [0.75, 4 / 6, 2 / 3, None, 0.75, 7 / 9],
    })  # fmt: skip


def test_flag_only():
    flagged = flag_small_groups(table(), small_group=5)
    assert flagged["small_group"].tolist() == [False, False, True, False, False, False]
    assert flagged["k"].tolist() == [9, 4, 2, 0, 6, 7]  # nothing hidden


def test_complementary_suppression():
    out = protect(table(), small_group=5, siblings=["cohort", "code"])
    # VAE (n=3) hidden; X's total 15 would reveal it from CA and FI -> FI (n=6, the
    # smallest visible non-empty sibling) hidden too; cohort Y untouched
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert out["k"].isna().tolist() == [False, True, True, False, False, False]
    assert out["rate"].isna().tolist() == [False, True, True, True, False, False]
    assert out["n"].tolist() == [12, 6, 3, 0, 8, 9]


def test_without_siblings_only_small_groups_hidden():
    out = protect(table(), small_group=5)
    assert out["suppressed"].tolist() == [False, False, True, False, False, False]


def test_two_small_cells_need_no_extra():
    data = table()
    data.loc[1, "n"] = 4
    out = protect(data, small_group=5, siblings=["cohort", "code"])
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]


def test_published_counts_need_two_private_hidden_cells():
    # the same page publishes the VAE count: hiding VAE alone leaves FI recomputable as
    # total − CA − CL − VAE, so two non-VAE cells must be hidden, and n too
    data = pd.DataFrame({
        "year": 2024,
        "access_route": ["FI", "CA", "CL", "VAE"],
        "code": "TITLE",
        "n": [9, 12, 7, 3],
        "k": [6, 9, 5, 2],
        "rate": [6 / 9, 0.75, 5 / 7, 2 / 3],
    })  # fmt: skip
    out = protect(data, small_group=5, siblings=["year", "code"],
                  public=data["access_route"] == "VAE", hide_counts=True)  # fmt: skip
    # VAE (n=3) small; then the smallest others: CL (7) for the lone hidden cell, FI (9)
    # because CL would be the only hidden cell whose k is not published
    assert out["suppressed"].tolist() == [True, False, True, True]
    assert out["n"].isna().tolist() == [True, False, True, True]
    assert out["k"].isna().tolist() == [True, False, True, True]

"""Small-group protection for every output read outside the training body.

Groups of fewer than ``small_group`` candidates (the rules' setting) are flagged; in external outputs their results
are hidden. Hiding one cell is not enough when a total is published beside it: the hidden
value could be recomputed as total − visible siblings. So when a set of sibling cells (same
item, same other groups, different value of the breakdown column) has exactly one hidden cell,
the smallest visible sibling is hidden too (complementary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .rules import SMALL_GROUP

#: Result columns hidden in a protected row (counts of candidates presented stay visible).
HIDDEN_COLUMNS = ("k", "rate", "ci_low", "ci_high", "mean_score", "score_0", "score_1",
                  "score_2", "score_3", "score_4", "kappa", "exact_agreement",
                  "mean_difference")  # fmt: skip


def flag_small_groups(table: pd.DataFrame, small_group: int = SMALL_GROUP,
                      n_column: str = "n") -> pd.DataFrame:  # fmt: skip
    """Add a ``small_group`` column: 0 < n < ``small_group`` (an empty group hides nothing)."""
    n = table[n_column]
    return table.assign(small_group=(n > 0) & (n < small_group))


def protect(table: pd.DataFrame, small_group: int = SMALL_GROUP,
            siblings: Sequence[str] = (), n_column: str = "n", public: object = None,
            hide_counts: bool = False) -> pd.DataFrame:  # fmt: skip
    """Hide the results of small groups, with complementary suppression.

    ``siblings`` are the columns that identify a set of cells adding up to a published
    total (e.g. ``["cohort", "level", "code"]`` when the table breaks a cohort down by access
    route). ``public`` marks cells whose ``k`` is published elsewhere (the certified through
    VAE of a fiche, say): hiding them protects nothing against a subtraction, so a set then
    needs two hidden cells besides them. ``hide_counts`` hides ``n`` too (use it when a
    hidden cell's ``k`` is public, or its rate would follow from ``k`` and ``n``).
    Adds ``small_group`` and ``suppressed``; blanks ``HIDDEN_COLUMNS`` where suppressed.
    """
    out = flag_small_groups(table, small_group, n_column)
    suppressed = out["small_group"].to_numpy().copy()
    if siblings and len(out):
        keys = out.groupby(list(siblings), sort=False, dropna=False).ngroup().to_numpy()
        n = out[n_column].to_numpy()
        known = np.zeros(len(out), bool) if public is None else np.asarray(public, bool)
        # a lone hidden cell is recomputable from the total; so is a lone hidden private
        # cell when the public ones are subtracted too
        for eligible in (np.ones(len(out), bool), ~known):
            hidden = np.bincount(keys, weights=suppressed & eligible, minlength=keys.max() + 1)
            candidates = (hidden[keys] == 1) & ~suppressed & eligible & (n > 0)
            if candidates.any():
                pick = out.loc[candidates, [n_column]].assign(_key=keys[candidates])
                smallest = pick.sort_values([n_column], kind="stable").groupby("_key").head(1)
                suppressed[out.index.get_indexer(smallest.index)] = True
    out["suppressed"] = suppressed
    hidden_columns = (*HIDDEN_COLUMNS, n_column) if hide_counts else HIDDEN_COLUMNS
    for column in (c for c in hidden_columns if c in out):
        # counts stay integers (nullable), so a hidden cell does not turn k = 2 into "2.0"
        kind = out[column].dtype.kind
        values = out[column].astype("Int64" if kind in "iub" else "float64")
        out[column] = values.mask(out["suppressed"])
    return out

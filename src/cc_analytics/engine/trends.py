"""Changes between consecutive cohorts that hold at small sizes: exact tests, a corrected family,
and the difference of rates with its interval.

The rules, stated in every output (:func:`rules_fr`):

- **test**: Fisher's exact test, two-sided, on the 2×2 table (acquired / not, this cohort /
  the previous one), always. Cohorts split by competency have 10–30 candidates and rates near
  100 %, so the expected counts of most tables are under 5, where the two-proportion z-test's
  normal approximation does not hold; the exact test holds at every size, so no switching
  rule is needed. (Fisher's test is conditional and conservative: it errs on the side of
  flagging less.)
- **family**: the tests of one comparison — one group (site), one cohort against the previous
  cohort of that group, every item (competencies, blocks, title) that has candidates on both
  sides. Its p-values are adjusted together by Benjamini–Hochberg (false discovery rate
  :data:`ALPHA`). A comparison whose results are not published (a small group hidden in an
  external document) is left out of the family, so a published adjusted p-value never depends
  on a hidden count.
- **flag**: ``flagged`` exactly when the adjusted p-value is below :data:`ALPHA`. A raw
  p-value below :data:`ALPHA` that does not survive the correction is only « à surveiller ».
- **effect**: ``difference`` = this cohort's rate − the previous cohort's, with its Newcombe
  hybrid score interval (Newcombe 1998, method 10, built on the two Wilson intervals).

Every function is pure and vectorised over a table of pairs; SciPy's exact test is computed
once per distinct table (k, n, k_previous, n_previous), not once per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact

from ..core.errors import CcAnalyticsError, Problem
from .stats import wilson_interval

__all__ = [
    "ALPHA",
    "CONFIRMED",
    "CORRECTION",
    "TEST",
    "TREND_COLUMNS",
    "WATCH",
    "adjust_within_families",
    "fisher_exact_p",
    "newcombe_interval",
    "rules_fr",
    "trends",
]

#: False discovery rate of a family; a flag needs an adjusted p-value below it.
ALPHA = 0.05
TEST = "fisher_exact_two_sided"
CORRECTION = "benjamini_hochberg"
#: What a row says, in French: never that a change « is not due to chance ».
CONFIRMED = "écart confirmé après correction"
WATCH = "à surveiller"

#: Columns of a trends table after the grouping columns, in this order.
TREND_COLUMNS = [
    "cohort", "previous_cohort", "level", "code", "label",
    "n", "k", "rate", "n_previous", "k_previous", "rate_previous",
    "difference", "diff_ci_low", "diff_ci_high", "test", "p_value", "p_adjusted", "flagged",
    "reading", "family", "family_size", "correction", "alpha",
]  # fmt: skip
_COMPARISON = ["difference", "diff_ci_low", "diff_ci_high", "p_value", "p_adjusted"]


def rules_fr(by: Sequence[str] = ("site",)) -> str:
    """The rules of a trends table, in French, for its « informations » and the report.

    >>> "contre la précédente du même site)" in rules_fr(["site"])
    True
    """
    by = list(by)
    same = (" du même site" if by == ["site"] else
            f" du même groupe ({', '.join(by)})" if by else "")  # fmt: skip
    return (
        "test exact de Fisher bilatéral pour chaque élément (titre, bloc, compétence), quelle "
        "que soit la taille des groupes ; famille corrigée : tous les tests d'une même "
        f"comparaison (une cohorte contre la précédente{same}), ajustés ensemble par "
        "Benjamini–Hochberg (taux de fausses découvertes de 5\u00a0%) ; « écart confirmé après "
        "correction » quand la valeur p ajustée est inférieure à 0,05 ; « à surveiller » quand "
        "seule la valeur p brute l'est ; écart de taux avec son intervalle de confiance à "
        "95\u00a0% de Newcombe (score hybride de Wilson)"
    )


def newcombe_interval(k: npt.ArrayLike, n: npt.ArrayLike, k_previous: npt.ArrayLike,
                      n_previous: npt.ArrayLike, confidence: float = 0.95
                      ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Newcombe's hybrid score interval for ``k/n − k_previous/n_previous`` (method 10).

    With (l1, u1) and (l2, u2) the Wilson intervals of the two rates p1 and p2 and d = p1 − p2:
    ``low = d − sqrt((p1 − l1)² + (u2 − p2)²)``, ``high = d + sqrt((u1 − p1)² + (p2 − l2)²)``.
    NaN where either side has n = 0.

    >>> low, high = newcombe_interval(56, 70, 48, 80)  # Newcombe (1998), example (a)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0524, 0.3339)
    """
    k1, n1 = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    k2, n2 = np.asarray(k_previous, dtype=float), np.asarray(n_previous, dtype=float)
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    empty = (n1 == 0) | (n2 == 0)
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def fisher_exact_p(k: npt.ArrayLike, n: npt.ArrayLike, k_previous: npt.ArrayLike,
                   n_previous: npt.ArrayLike) -> np.ndarray:  # fmt: skip
    """Two-sided p-value of Fisher's exact test of ``k/n`` against ``k_previous/n_previous``.

    SciPy's test takes one table at a time: it runs once per distinct (k, n, k_previous,
    n_previous), which a table of pairs repeats a lot (same sizes, rates near 100 %). NaN
    where either side has n = 0 (nothing to compare). Counts must be whole and 0 ≤ k ≤ n.

    >>> fisher_exact_p([3, 22], [4, 24], [1, 10], [4, 15]).round(4).tolist()
    [0.4857, 0.0846]
    """
    counts = np.stack(np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in
                                            (k, n, k_previous, n_previous))), axis=-1)  # fmt: skip
    flat = counts.reshape(-1, 4)
    if (flat < 0).any() or (flat[:, [0, 2]] > flat[:, [1, 3]]).any():
        raise ValueError("counts must satisfy 0 <= k <= n on both sides")
    tables, inverse = np.unique(flat, axis=0, return_inverse=True)
    p = np.full(len(tables), np.nan)
    for i, (k1, n1, k2, n2) in enumerate(tables):
        if n1 > 0 and n2 > 0:
            p[i] = fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
    return p[inverse.ravel()].reshape(counts.shape[:-1])


def adjust_within_families(p_values: npt.ArrayLike, families: npt.ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values, each family of tests adjusted on its own.

    NaN p-values (no test) stay NaN and do not count in their family's size.

    >>> p = [0.01, 0.02, 0.03, 0.5, 0.01]
    >>> adjust_within_families(p, ["a", "a", "a", "a", "b"]).round(10).tolist()
    [0.04, 0.04, 0.04, 0.5, 0.01]
    """
    p = pd.Series(np.asarray(p_values, dtype=float))
    tested = p.notna().to_numpy()
    adjusted = np.full(len(p), np.nan)
    if tested.any():
        keys = pd.Series(np.asarray(families, dtype=object))[tested].to_numpy()
        adjusted[tested] = p[tested].groupby(keys, sort=False).transform(
            lambda family: false_discovery_control(family.to_numpy(), method="bh")
        ).to_numpy()  # fmt: skip
    return adjusted


def _pairs(metrics: pd.DataFrame, cohort_order: pd.Series, by: list[str]) -> pd.DataFrame:
    """Each row of ``metrics`` beside the same item of the previous cohort of its group; rows
    of a group's first cohort are left out (nothing to compare)."""
    unordered = sorted(set(metrics["cohort"]) - set(cohort_order.index), key=str)
    if unordered:
        raise CcAnalyticsError(Problem(
            f"cohortes sans ordre chronologique : {', '.join(map(str, unordered))}",
            hint="Donnez un ordre (date de première session) pour chaque cohorte"))  # fmt: skip
    keys = [*by, "level", "code"]
    table = metrics.assign(_order=metrics["cohort"].map(cohort_order).to_numpy(),
                           _position=np.arange(len(metrics)))  # fmt: skip
    table = table.sort_values([*keys, "_order"], kind="stable")
    previous = table.groupby(keys, sort=False, dropna=False)[
        ["cohort", "n", "k", "rate", "suppressed"]].shift(1)  # fmt: skip
    table = table.assign(previous_cohort=previous["cohort"], n_previous=previous["n"],
                         k_previous=previous["k"], rate_previous=previous["rate"],
                         _previous_suppressed=previous["suppressed"])  # fmt: skip
    table = table[table["previous_cohort"].notna()]
    # the cohorts' time order, then the metrics table's own order of items within a pair
    table = table.assign(_previous_order=table["previous_cohort"].map(cohort_order))
    order = [*by, "_order", "_previous_order", "_position"]
    return table.sort_values(order, kind="stable").reset_index(drop=True)


def _family_names(pairs: pd.DataFrame, by: list[str]) -> pd.Series:
    """``Lyon : 2025-LYON contre 2024-LYON``: the comparison a test belongs to, in French."""
    comparison = pairs["cohort"].astype(str) + " contre " + pairs["previous_cohort"].astype(str)
    if by:
        group = pairs[by[0]].astype(str)
        for column in by[1:]:
            group = group + ", " + pairs[column].astype(str)
        comparison = group + " : " + comparison
    return comparison.astype(object).reset_index(drop=True)


def trends(metrics: pd.DataFrame, cohort_order: pd.Series, by: Sequence[str] = ("site",),
           alpha: float = ALPHA) -> pd.DataFrame:  # fmt: skip
    """One row per item and pair of consecutive cohorts of a group, tested and corrected.

    ``metrics`` is an aggregate table grouped by ``[*by, "cohort"]`` (``level``, ``code``,
    ``label``, ``n``, ``k``, ``rate``), with raw counts. An optional boolean ``suppressed``
    column marks rows whose results are not published (a small group hidden in an external
    document): a pair touching one shows neither the hidden side's ``k`` and rate nor any
    comparison (they could be read back from the difference, its interval or the p-value),
    and is left out of its family. ``cohort_order`` maps cohort -> a sortable value.

    Columns: ``by``, then :data:`TREND_COLUMNS` (see the module docstring for the rules),
    then ``suppressed``. ``metrics`` is not modified.
    """
    by = [c for c in by if c in metrics]
    data = metrics if "suppressed" in metrics else metrics.assign(suppressed=False)
    data = data.assign(suppressed=data["suppressed"].fillna(False).astype(bool))
    pairs = _pairs(data, cohort_order, by)
    n, k = pairs["n"].to_numpy(np.int64), pairs["k"].to_numpy(np.int64)
    n_prev = pairs["n_previous"].to_numpy(np.int64)
    k_prev = pairs["k_previous"].to_numpy(np.int64)
    low, high = newcombe_interval(k, n, k_prev, n_prev)
    p = fisher_exact_p(k, n, k_prev, n_prev)

    this_hidden = pairs["suppressed"].to_numpy(bool)
    previous_hidden = pairs["_previous_suppressed"].fillna(False).to_numpy(bool)
    hidden = this_hidden | previous_hidden
    p = np.where(hidden, np.nan, p)
    family = _family_names(pairs, by)
    tested = ~np.isnan(p)
    adjusted = adjust_within_families(p, family)
    flagged = np.nan_to_num(adjusted, nan=1.0) < alpha
    family_size = pd.Series(tested).groupby(family.to_numpy(), sort=False).transform("sum")

    out = pairs[[*by, "cohort", "previous_cohort", "level", "code", "label"]].assign(
        n=n, k=k, rate=pairs["rate"].to_numpy(float), n_previous=n_prev, k_previous=k_prev,
        rate_previous=pairs["rate_previous"].to_numpy(float),
        difference=pairs["rate"].to_numpy(float) - pairs["rate_previous"].to_numpy(float),
        diff_ci_low=low, diff_ci_high=high,
        test=np.where(tested, TEST, ""), p_value=p, p_adjusted=adjusted,
        flagged=flagged, reading=np.select([flagged, np.nan_to_num(p, nan=1.0) < alpha],
                                           [CONFIRMED, WATCH], default=""),
        family=family.to_numpy(), family_size=family_size.to_numpy(np.int64),
        correction=CORRECTION, alpha=alpha, suppressed=hidden,
    )  # fmt: skip
    out[_COMPARISON] = out[_COMPARISON].mask(pd.Series(hidden, index=out.index), axis=0)
    # counts stay whole numbers (nullable) where a side is hidden, never "2.0"
    out["k"] = out["k"].astype("Int64").mask(this_hidden)
    out["k_previous"] = out["k_previous"].astype("Int64").mask(previous_hidden)
    out["rate"] = out["rate"].mask(this_hidden)
    out["rate_previous"] = out["rate_previous"].mask(previous_hidden)
    return out

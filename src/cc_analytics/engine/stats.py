"""Statistics for small groups: proportions, their comparison, and rater agreement.

Cohorts split by block, competency and access route are small (often fewer than 20
candidates), so the primitives here are the ones that behave at small n:

- :func:`wilson_interval` — confidence interval of a success rate (the normal "Wald"
  interval misbehaves for small n and rates near 0 or 1);
- :func:`two_proportion_test` — is a rate different between two groups or promotions;
- :func:`quadratic_weighted_kappa` / :func:`kappa_by_group` — agreement between two raters
  (jury vs employer) on the ordinal 0–4 scale;
- :func:`landis_koch` / :func:`landis_koch_array` — French reading of a kappa value.

Every function is pure and vectorised over numpy arrays / pandas Series. No scipy: the normal
quantile comes from :class:`statistics.NormalDist` and the tail probability from
:func:`math.erfc`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DEFAULT_LABELS",
    "kappa_by_group",
    "landis_koch",
    "landis_koch_array",
    "quadratic_weighted_kappa",
    "two_proportion_test",
    "wilson_interval",
]

#: The 0 (non acquis) .. 4 (expert) competency scale.
DEFAULT_LABELS: tuple[int, ...] = (0, 1, 2, 3, 4)

#: Two-sided 95 % normal quantile, z such that P(|Z| <= z) = 0.95.
Z_95 = 1.959963984540054

# math.erfc applied element-wise. numpy has no erfc; np.frompyfunc calls the C-accurate
# math.erfc once per element (full double precision, NaN propagates). The arrays it sees hold
# one value per group or competency, so the per-element call costs nothing noticeable.
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _z_for(confidence: float) -> float:
    """Two-sided normal quantile for ``confidence`` (0.95 -> 1.959963984540054)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    if confidence == 0.95:
        return Z_95
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _counts(
    k: npt.ArrayLike, n: npt.ArrayLike, k_name: str, n_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` and ``n`` as broadcast float arrays, checked 0 <= k <= n (NaN passes through)."""
    k_arr, n_arr = np.broadcast_arrays(
        np.asarray(k, dtype=float),
        np.asarray(n, dtype=float),
    )
    if np.any(k_arr < 0) or np.any(n_arr < 0):
        raise ValueError(f"counts must be non-negative ({k_name}, {n_name})")
    if np.any(k_arr > n_arr):
        raise ValueError(f"successes cannot exceed trials ({k_name} > {n_name})")
    return k_arr, n_arr


def wilson_interval(
    k: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n`` trials.

    With z the two-sided normal quantile::

        centre = (k + z²/2) / (n + z²)
        half   = z / (n + z²) * sqrt(k (n - k) / n + z²/4)

    ``k`` and ``n`` broadcast against each other (scalars give 0-d arrays). Where ``n == 0``
    both bounds are NaN (no information). Bounds are clipped to [0, 1]; the lower bound is
    exactly 0 where ``k == 0`` and the upper bound exactly 1 where ``k == n``.

    >>> low, high = wilson_interval([0, 5], [10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.2366], [0.2775, 0.7634])
    """
    z = _z_for(confidence)
    k_arr, n_arr = _counts(k, n, "k", "n")
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = n_arr + z2
        centre = (k_arr + z2 / 2.0) / denominator
        half = z / denominator * np.sqrt(k_arr * (n_arr - k_arr) / n_arr + z2 / 4.0)
    empty = n_arr == 0
    low = np.where(empty, np.nan, np.where(k_arr == 0, 0.0, np.clip(centre - half, 0.0, 1.0)))
    high = np.where(empty, np.nan, np.where(k_arr == n_arr, 1.0, np.clip(centre + half, 0.0, 1.0)))
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def two_proportion_test(
    k1: npt.ArrayLike, n1: npt.ArrayLike, k2: npt.ArrayLike, n2: npt.ArrayLike
) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion z-test (H0: same success rate).

    ``p = (k1 + k2) / (n1 + n2)``, ``se = sqrt(p (1 - p) (1/n1 + 1/n2))``,
    ``z = (k1/n1 - k2/n2) / se`` and the p-value is ``erfc(|z| / sqrt(2))``, computed with
    :func:`math.erfc` element-wise (exact to double precision).

    The result is NaN where ``n1 == 0`` or ``n2 == 0`` (a side has no data) or where the pooled
    rate is 0 or 1 (everyone failed, or everyone succeeded, on both sides: the test is
    undefined and the data show no evidence of change). Callers treat NaN as "not significant".

    Arguments broadcast against each other; scalars give a 0-d array. The normal approximation
    is rough when expected counts are below about 5: read small-group p-values with care.

    >>> round(float(two_proportion_test(30, 50, 20, 50)), 4)
    0.0455
    """
    k1_arr, n1_arr = _counts(k1, n1, "k1", "n1")
    k2_arr, n2_arr = _counts(k2, n2, "k2", "n2")
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (k1_arr + k2_arr) / (n1_arr + n2_arr)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1_arr + 1.0 / n2_arr))
        z = (k1_arr / n1_arr - k2_arr / n2_arr) / se
    undefined = (n1_arr == 0) | (n2_arr == 0) | (pooled <= 0.0) | (pooled >= 1.0)
    z = np.where(undefined, np.nan, z)
    # frompyfunc returns a Python float (not an array) for 0-d input
    return np.asarray(_erfc(np.abs(z) / math.sqrt(2.0)), dtype=float)


# --- rater agreement -------------------------------------------------------------------------


def _label_index(labels: Iterable[Any]) -> pd.Index:
    index = pd.Index(list(labels))
    if len(index) < 2:
        raise ValueError("labels must list at least two scale levels")
    if not index.is_unique:
        raise ValueError(f"labels must be unique, got {list(index)}")
    return index


def _positions(values: pd.Series, label_index: pd.Index, name: str) -> np.ndarray:
    """Position of each value in ``label_index``; raise on values outside the scale."""
    positions = label_index.get_indexer(values)
    unknown = positions < 0
    if unknown.any():
        bad = pd.unique(values[unknown])[:5].tolist()
        raise ValueError(f"{name} holds values outside labels {list(label_index)}: {bad}")
    return positions


def _count_cube(
    group_codes: np.ndarray,
    a_pos: np.ndarray,
    b_pos: np.ndarray,
    n_groups: int,
    n_labels: int,
) -> np.ndarray:
    """(group, a, b) contingency counts from one bincount over a combined index."""
    flat = (group_codes * n_labels + a_pos) * n_labels + b_pos
    counts = np.bincount(flat, minlength=n_groups * n_labels * n_labels)
    return counts.reshape(n_groups, n_labels, n_labels).astype(float)


def _kappa_from_cube(cube: np.ndarray) -> np.ndarray:
    """Quadratic weighted kappa of each (a, b) table in a (group, K, K) cube.

    kappa = 1 - observed / expected weighted disagreement, with weights (i - j)² on label
    positions. The usual 1/(K-1)² normalisation of the weights cancels in the ratio. NaN where
    a group has no pair or the expected disagreement is 0.
    """
    n_labels = cube.shape[-1]
    positions = np.arange(n_labels)
    weights = (positions[:, None] - positions[None, :]) ** 2.0
    pairs = cube.sum(axis=(1, 2))
    rows = cube.sum(axis=2)  # marginal counts of rater a
    cols = cube.sum(axis=1)  # marginal counts of rater b
    observed = (cube * weights).sum(axis=(1, 2))  # sum over pairs of w
    expected = np.einsum("gi,ij,gj->g", rows, weights, cols)  # = pairs² x E[w] under chance
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = 1.0 - pairs * observed / expected
    return np.where((pairs > 0) & (expected > 0), kappa, np.nan)


def quadratic_weighted_kappa(
    a: npt.ArrayLike, b: npt.ArrayLike, labels: Iterable[Any] = DEFAULT_LABELS
) -> float:
    """Cohen's kappa with quadratic weights between two raters' paired scores.

    ``labels`` is the full ordered scale (default 0..4). Weights use positions in that list,
    so a level nobody used still counts: on the 0..4 scale a 1-vs-3 disagreement weighs 4,
    whereas with ``labels=[0, 1, 3, 4]`` it would weigh 1. Pass the full scale explicitly.

    Pairs with a missing score on either side are ignored (a candidate without company
    immersion has no employer score). Returns NaN when there is no complete pair, or when the
    expected disagreement is 0 — both raters gave every pair the same single level, so
    agreement beyond chance is undefined. Values outside ``labels`` raise ``ValueError``.

    >>> quadratic_weighted_kappa([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])
    1.0
    >>> round(quadratic_weighted_kappa([0, 1, 4], [0, 3, 4]), 4)  # 1 - 3*4/56 = 11/14
    0.7857
    """
    a_series = pd.Series(a, copy=False)
    b_series = pd.Series(b, copy=False)
    if len(a_series) != len(b_series):
        raise ValueError(f"a and b must have the same length ({len(a_series)} != {len(b_series)})")
    label_index = _label_index(labels)
    # positional, not index-aligned: a and b are paired by position
    complete = a_series.notna().to_numpy() & b_series.notna().to_numpy()
    a_pos = _positions(a_series[complete], label_index, "a")
    b_pos = _positions(b_series[complete], label_index, "b")
    group_codes = np.zeros(len(a_pos), dtype=np.int64)
    cube = _count_cube(group_codes, a_pos, b_pos, 1, len(label_index))
    return float(_kappa_from_cube(cube)[0])


def kappa_by_group(
    df: pd.DataFrame,
    group_cols: str | Sequence[str],
    a_col: str,
    b_col: str,
    labels: Iterable[Any] = DEFAULT_LABELS,
) -> pd.DataFrame:
    """Agreement between two score columns, per group.

    One row per group (sorted by the group columns, missing keys kept as their own group) with:

    - ``pairs``: number of rows where both scores are present;
    - ``kappa``: quadratic weighted kappa on the full ``labels`` scale
      (see :func:`quadratic_weighted_kappa`; NaN for 0 pairs or 0 expected disagreement);
    - ``exact_agreement``: share of pairs with ``a == b``;
    - ``mean_difference``: mean of ``b - a`` over pairs (positive: rater b scores higher).

    Labels must be numeric for ``mean_difference``. All groups are computed at once from a
    (group, a, b) count cube. ``df`` is not modified.

    >>> scores = pd.DataFrame({"route": ["FI", "FI", "FI"], "jury": [0, 1, 4],
    ...                        "company": [0, 3, 4]})
    >>> agreement = kappa_by_group(scores, "route", "jury", "company")
    >>> agreement[["route", "pairs", "kappa", "exact_agreement"]].round(4)
      route  pairs   kappa  exact_agreement
    0    FI      3  0.7857           0.6667
    """
    group_list = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    if not group_list:
        raise ValueError("group_cols must name at least one column")
    missing = [c for c in [*group_list, a_col, b_col] if c not in df.columns]
    if missing:
        raise KeyError(f"columns not found: {missing}")
    label_index = _label_index(labels)
    try:
        label_values = np.asarray(label_index, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"labels must be numeric, got {list(label_index)}") from exc
    n_labels = len(label_index)

    grouped = df.groupby(group_list, sort=True, dropna=False, observed=True)
    keys = grouped.size().index.to_frame(index=False)
    codes = grouped.ngroup().to_numpy()
    complete = (df[a_col].notna() & df[b_col].notna()).to_numpy()
    a_pos = _positions(df[a_col][complete], label_index, a_col)
    b_pos = _positions(df[b_col][complete], label_index, b_col)
    cube = _count_cube(codes[complete].astype(np.int64), a_pos, b_pos, len(keys), n_labels)

    pairs = cube.sum(axis=(1, 2))
    difference = label_values[None, :] - label_values[:, None]  # [i, j] = b_j - a_i
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.einsum("gii->g", cube) / pairs
        mean_difference = (cube * difference).sum(axis=(1, 2)) / pairs
    result = keys.assign(
        pairs=pairs.astype(np.int64),
        kappa=_kappa_from_cube(cube),
        exact_agreement=np.where(pairs > 0, exact, np.nan),
        mean_difference=np.where(pairs > 0, mean_difference, np.nan),
    )
    return result


# --- reading kappa ---------------------------------------------------------------------------

#: Landis & Koch (1977) reading in French: (inclusive upper bound, reading), checked in order
#: after the negative case. Right-closed bins agree with the published table (0.21–0.40,
#: 0.41–0.60, …) on every value given to two decimals.
LANDIS_KOCH_READINGS: tuple[tuple[float, str], ...] = (
    (0.20, "faible"),
    (0.40, "passable"),
    (0.60, "modéré"),
    (0.80, "substantiel"),
    (math.inf, "presque parfait"),
)
NEGATIVE_READING = "désaccord"
UNDEFINED_READING = "non calculable"


def landis_koch_array(kappa: npt.ArrayLike) -> np.ndarray:
    """French Landis & Koch reading of each kappa value (object array of str).

    ``< 0`` "désaccord", ``0–0.20`` "faible", ``0.21–0.40`` "passable", ``0.41–0.60``
    "modéré", ``0.61–0.80`` "substantiel", ``> 0.80`` "presque parfait"; NaN gives
    "non calculable".

    >>> landis_koch_array([-0.1, 0.35, 0.9]).tolist()
    ['désaccord', 'passable', 'presque parfait']
    """
    values = np.asarray(kappa, dtype=float)
    conditions = [np.isnan(values), values < 0]
    choices = [UNDEFINED_READING, NEGATIVE_READING]
    for upper, reading in LANDIS_KOCH_READINGS:
        conditions.append(values <= upper)
        choices.append(reading)
    return np.select(conditions, choices, default=UNDEFINED_READING).astype(object)


def landis_koch(kappa: float) -> str:
    """French Landis & Koch reading of one kappa value (see :func:`landis_koch_array`).

    >>> landis_koch(0.55)
    'modéré'
    """
    return str(landis_koch_array(kappa).item())

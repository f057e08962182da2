"""Aggregates of candidate results by any grouping of candidate attributes, and trends.

One row per group and item (competency, block, title): ``n`` candidates evaluated (or
presented), ``k`` acquired (validated, obtained), ``rate = k / n``, its Wilson 95 % interval,
and for competencies the mean final jury score and the distribution of final jury scores 0–4.
Counting uses ``np.bincount`` over the result matrices: no loop over candidates or scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .referentiel import Referentiel
from .results import Results
from .stats import two_proportion_test, wilson_interval

TITLE = "TITLE"
LEVELS = ("competency", "block", "title")
METRIC_COLUMNS = ["level", "code", "label", "n", "k", "rate", "ci_low", "ci_high", "mean_score"]
SCORE_COLUMNS = [f"score_{s}" for s in range(5)]
SIGNIFICANCE = 0.05


def groups(candidates: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group position of every candidate, and the table of group keys (sorted).

    A missing attribute (no site, say) is a group of its own, never dropped.
    """
    if not by:
        return np.zeros(len(candidates), dtype=np.int64), pd.DataFrame(index=[0])
    grouped = candidates.groupby(list(by), dropna=False, sort=True, observed=True)
    keys = grouped.size().reset_index()[list(by)]
    return grouped.ngroup().to_numpy(), keys


def aggregate(results: Results, referentiel: Referentiel, by: Sequence[str] = ("cohort",),
              title_label: str | None = None) -> pd.DataFrame:  # fmt: skip
    """Competency, block and title metrics per group (see module docstring)."""
    by = list(by)
    g, keys = groups(results.candidates, by)
    n_groups = len(keys)
    labels = referentiel.labels()
    c = len(results.competencies)

    cell = (g[:, None] * c + np.arange(c)).ravel()
    evaluated = results.evaluated.ravel()
    n_comp = np.bincount(cell, weights=evaluated, minlength=n_groups * c)
    k_comp = np.bincount(cell, weights=results.acquired.ravel(), minlength=n_groups * c)
    jury = results.jury.ravel()
    dist = np.bincount(cell[evaluated] * 5 + jury[evaluated], minlength=n_groups * c * 5)
    dist = dist.reshape(n_groups * c, 5)
    total = dist @ np.arange(5)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_comp > 0, total / n_comp, np.nan)
    competency = _frame(keys, by, "competency", results.competencies, labels, n_comp, k_comp)
    competency["mean_score"] = mean
    competency[SCORE_COLUMNS] = dist.astype(np.int64)

    b = len(results.blocks)
    bcell = (g[:, None] * b + np.arange(b)).ravel()
    n_block = np.bincount(bcell, weights=results.block_presented.ravel(),
                          minlength=n_groups * b)  # fmt: skip
    k_block = np.bincount(bcell, weights=results.block_validated.ravel(),
                          minlength=n_groups * b)  # fmt: skip
    block = _frame(keys, by, "block", results.blocks, labels, n_block, k_block)

    n_title = np.bincount(g, weights=results.title_presented, minlength=n_groups)
    k_title = np.bincount(g, weights=results.title_obtained, minlength=n_groups)
    title_labels = {TITLE: title_label or referentiel.title}
    title = _frame(keys, by, "title", pd.Index([TITLE]), title_labels, n_title, k_title)

    out = pd.concat([competency, block, title], ignore_index=True)
    order = pd.Categorical(out["level"], categories=LEVELS, ordered=True)
    out = out.assign(_order=order).sort_values([*by, "_order"], kind="stable")
    out = out.drop(columns="_order").reset_index(drop=True)
    out[SCORE_COLUMNS] = out[SCORE_COLUMNS].astype("Int64")  # empty on block and title rows
    return out[[*by, *METRIC_COLUMNS, *SCORE_COLUMNS]]


def _frame(keys: pd.DataFrame, by: list[str], level: str, codes: pd.Index,
           labels: dict[str, str], n: np.ndarray, k: np.ndarray) -> pd.DataFrame:  # fmt: skip
    """Rows group-major, item-minor, with rate and Wilson interval."""
    items = len(codes)
    out = keys.loc[keys.index.repeat(items), by].reset_index(drop=True) if by else (
        pd.DataFrame(index=range(items)))  # fmt: skip
    n = n.astype(np.int64)
    k = k.astype(np.int64)
    low, high = wilson_interval(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    code_values = np.tile(codes.to_numpy(), len(keys))
    return out.assign(
        level=level, code=code_values,
        label=pd.Series(code_values).map(labels).fillna("").to_numpy(),
        n=n, k=k, rate=rate, ci_low=low, ci_high=high, mean_score=np.nan,
    )  # fmt: skip


def trends(metrics: pd.DataFrame, cohort_order: pd.Series, site: str | None = "site",
           min_n: int = 1) -> pd.DataFrame:  # fmt: skip
    """Change of each rate against the previous cohort of the same site.

    ``metrics`` is an :func:`aggregate` table grouped by (site, cohort) or (cohort,);
    ``cohort_order`` maps cohort -> a sortable value (e.g. the cohort's first session date).
    Adds ``previous_cohort``, ``previous_rate``, ``change`` and ``p_value`` (pooled
    two-proportion z-test, two-sided) and ``significant``: p < 0.05 with both n ≥ ``min_n``.
    We use a test rather than interval overlap: two 95 % intervals may overlap while the
    difference is significant, so overlap under-reports real changes. It is one test per
    item and cohort pair, without correction for multiple comparisons: a flag says "look
    here", not "proven".
    """
    keys = [site] if site and site in metrics else []
    table = metrics.assign(_order=metrics["cohort"].map(cohort_order))
    table = table.sort_values([*keys, "level", "code", "_order"], kind="stable")
    grouped = table.groupby([*keys, "level", "code"], sort=False, dropna=False)
    previous = grouped[["cohort", "rate", "n", "k"]].shift(1)
    table["previous_cohort"] = previous["cohort"]
    table["previous_rate"] = previous["rate"]
    table["change"] = table["rate"] - table["previous_rate"]
    prev_n = previous["n"].fillna(0).to_numpy(dtype=np.int64)
    prev_k = previous["k"].fillna(0).to_numpy(dtype=np.int64)
    p_value = two_proportion_test(table["k"].to_numpy(), table["n"].to_numpy(), prev_k, prev_n)
    table["p_value"] = p_value
    enough = (table["n"].to_numpy() >= min_n) & (prev_n >= min_n)
    table["significant"] = enough & (np.nan_to_num(p_value, nan=1.0) < SIGNIFICANCE)
    return table.drop(columns="_order").sort_index()

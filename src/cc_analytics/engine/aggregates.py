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

from ..referentiel import Referentiel
from .results import NO_SCORE, Results
from .stats import wilson_interval

TITLE = "TITLE"
LEVELS = ("competency", "block", "title")
METRIC_COLUMNS = ["level", "code", "label", "n", "k", "rate", "ci_low", "ci_high", "mean_score"]
SCORE_COLUMNS = [f"score_{s}" for s in range(5)]
_SCORE_SLOTS = 6  # final jury score in counting: none, 0, 1, 2, 3, 4


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
    """Competency, block and title metrics per group (see module docstring).

    Rows come group by group (groups sorted), then competencies, blocks and the title, each
    in referentiel order.
    """
    by = list(by)
    g, keys = groups(results.candidates, by)
    n_groups = len(keys)
    c, b = len(results.competencies), len(results.blocks)

    # one bincount over candidates × competencies, keyed by group, competency, final jury score
    # (slot 0: none, 1–5: scores 0–4) and acquired (0, 1): n, k and the distribution all come
    # out of it. Built in place: 8 bytes per candidate × competency.
    state = g[:, None] * c + np.arange(c)
    state *= _SCORE_SLOTS
    state += results.jury - NO_SCORE
    state *= 2
    state += results.acquired
    counts = np.bincount(state.ravel(), minlength=n_groups * c * _SCORE_SLOTS * 2)
    counts = counts.reshape(n_groups, c, _SCORE_SLOTS, 2)
    dist = counts[:, :, 1:, :].sum(axis=3)  # [group, competency, score 0–4] of the evaluated
    n_comp = dist.sum(axis=2)
    k_comp = counts[:, :, 1:, 1].sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_comp > 0, (dist @ np.arange(5)) / n_comp, np.nan)

    n_block, k_block = (_per_group(g, flags, n_groups)
                        for flags in (results.block_presented, results.block_validated))  # fmt: skip
    n_title, k_title = (_per_group(g, flags[:, None], n_groups)
                        for flags in (results.title_presented, results.title_obtained))  # fmt: skip

    # every group lists every item: competencies, blocks, title, in this order
    labels = {**referentiel.labels(), TITLE: title_label or referentiel.title}
    codes = pd.Series([*results.competencies, *results.blocks, TITLE])
    items = pd.DataFrame(
        {
            "level": np.repeat(LEVELS, [c, b, 1]),
            "code": codes,
            "label": codes.map(labels).fillna(""),
        },
        dtype="str",
    )
    rows = items.take(np.tile(np.arange(len(items)), n_groups)).reset_index(drop=True)

    n = np.hstack([n_comp, n_block, n_title]).ravel()
    k = np.hstack([k_comp, k_block, k_title]).ravel()
    low, high = wilson_interval(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    not_competency = np.full((n_groups, b + 1), np.nan)
    out = keys.loc[keys.index.repeat(len(items)), by].reset_index(drop=True)
    out = out.assign(
        level=rows["level"], code=rows["code"], label=rows["label"],
        n=n, k=k, rate=rate, ci_low=low, ci_high=high,
        mean_score=np.hstack([mean, not_competency]).ravel(),
    )  # fmt: skip
    # the distribution, empty (<NA>) on block and title rows
    scores = np.hstack([dist, np.zeros((n_groups, b + 1, 5), dtype=np.int64)]).reshape(-1, 5)
    missing = np.tile(np.repeat([False, True], [c, b + 1]), n_groups)
    for s, column in enumerate(SCORE_COLUMNS):
        out[column] = pd.arrays.IntegerArray(scores[:, s].copy(), missing)
    return out


def _per_group(g: np.ndarray, flags: np.ndarray, n_groups: int) -> np.ndarray:
    """Count of True per group and column of a boolean [candidates, items] matrix."""
    items = flags.shape[1]
    cell = (g[:, None] * items + np.arange(items)).ravel()
    counts = np.bincount(cell, weights=flags.ravel(), minlength=n_groups * items)
    return counts.astype(np.int64).reshape(n_groups, items)

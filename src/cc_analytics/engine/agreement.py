"""Jury–employer agreement on final scores, per competency and overall.

Quadratic-weighted Cohen's kappa on the full label list 0..4, share of exact agreement, mean
difference (employer − jury) and number of pairs (candidates scored by both).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..referentiel import Referentiel
from .results import NO_SCORE, Results
from .stats import kappa_by_group, landis_koch_array

OVERALL = "ENSEMBLE"
AGREEMENT_COLUMNS = ["code", "label", "pairs", "kappa", "exact_agreement", "mean_difference",
                     "reading"]  # fmt: skip


def score_pairs(results: Results, by: Sequence[str] = ()) -> pd.DataFrame:
    """One row per candidate and competency scored by both jury and employer."""
    both = (results.jury != NO_SCORE) & (results.employer != NO_SCORE)
    rows, cols = np.nonzero(both)
    out = results.candidates.iloc[rows][list(by)].reset_index(drop=True)
    out["competency"] = results.competencies.to_numpy()[cols]
    out["jury"] = results.jury[rows, cols].astype(np.int64)
    out["employer"] = results.employer[rows, cols].astype(np.int64)
    return out


def agreement(results: Results, referentiel: Referentiel,
              by: Sequence[str] = ()) -> pd.DataFrame:  # fmt: skip
    """Agreement per competency (referentiel order) then overall, for each group of ``by``."""
    by = list(by)
    pairs = score_pairs(results, by)
    per_competency = kappa_by_group(pairs, [*by, "competency"], "jury", "employer")
    per_competency = per_competency.rename(columns={"competency": "code"})
    overall = kappa_by_group(pairs.assign(code=OVERALL), [*by, "code"], "jury", "employer")
    # every competency is listed, with 0 pairs where nobody was scored by both
    keys = (pairs[by].drop_duplicates() if by else pd.DataFrame(index=[0])).reset_index(drop=True)
    grid = keys.merge(pd.DataFrame({"code": [*results.competencies, OVERALL]}), how="cross")
    out = grid.merge(pd.concat([per_competency, overall]), on=[*by, "code"], how="left")
    out["pairs"] = out["pairs"].fillna(0).astype(np.int64)
    labels = referentiel.labels() | {OVERALL: "toutes compétences"}
    out["label"] = out["code"].map(labels)
    out["reading"] = landis_koch_array(out["kappa"].to_numpy())
    return out[[*by, *AGREEMENT_COLUMNS]]

"""Jury–employer agreement on final scores, per competency and overall.

Quadratic-weighted Cohen's kappa on the full label list 0..4 with its 95 % interval, share of
exact agreement, mean difference (employer − jury) and number of pairs (candidates scored by
both).

**Interval.** A seeded BCa bootstrap over candidates
(:func:`~cc_analytics.engine.stats.kappa_interval_by_group`, 2000 resamples, seed
:data:`~cc_analytics.engine.stats.BOOTSTRAP_SEED`), not the analytic large-sample standard
error of Fleiss, Cohen & Everitt (1969), which statsmodels' ``cohens_kappa`` also uses for
weighted kappa: with 11 to 30 pairs per competency, kappa's sampling distribution is skewed
and capped at 1, and the symmetric normal interval is too short (on the demo's tables, 87 %
coverage for a nominal 95 % with 12 pairs, against 93 % for the BCa bootstrap). A kappa whose
interval spans more than two Landis–Koch bands reads « imprécis » instead of a Landis–Koch
word (the demo's 2024-LYON, B1A1C2, 11 pairs: κ = 0.41, interval −0.15 to 0.82).

**Overall row** (``code`` = ``ENSEMBLE``): one kappa on all pairs of all competencies pooled,
« toutes compétences, toutes paires de notes confondues » — not the mean of the competencies'
kappas. A candidate brings one pair per competency scored by both, so its interval resamples
candidates with all their pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..referentiel import Referentiel
from .results import NO_SCORE, Results
from .stats import kappa_by_group, kappa_interval_by_group, landis_koch_array

OVERALL = "ENSEMBLE"
#: How the overall row is labelled wherever it is shown: its kappa pools every pair.
OVERALL_LABEL = "toutes compétences, toutes paires de notes confondues"
# ci_low, ci_high come after the columns scripts read by position since before the interval
AGREEMENT_COLUMNS = ["code", "label", "pairs", "kappa", "exact_agreement", "mean_difference",
                     "reading", "ci_low", "ci_high"]  # fmt: skip


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
    # the candidate is the bootstrap's unit (a copy: ``by`` may name candidate_id itself)
    pairs = score_pairs(results, list(dict.fromkeys([*by, "candidate_id"])))
    pairs["_unit"] = pairs["candidate_id"]
    pooled = pairs.assign(code=OVERALL)
    per_competency = _with_interval(pairs.rename(columns={"competency": "code"}), by)
    overall = _with_interval(pooled, by)
    # every competency is listed, with 0 pairs where nobody was scored by both
    keys = (pairs[by].drop_duplicates() if by else pd.DataFrame(index=[0])).reset_index(drop=True)
    grid = keys.merge(pd.DataFrame({"code": [*results.competencies, OVERALL]}), how="cross")
    out = grid.merge(pd.concat([per_competency, overall]), on=[*by, "code"], how="left")
    out["pairs"] = out["pairs"].fillna(0).astype(np.int64)
    labels = referentiel.labels() | {OVERALL: OVERALL_LABEL}
    out["label"] = out["code"].map(labels)
    out["reading"] = landis_koch_array(out["kappa"].to_numpy(), out["ci_low"].to_numpy(),
                                       out["ci_high"].to_numpy())  # fmt: skip
    return out[[*by, *AGREEMENT_COLUMNS]]


def _with_interval(pairs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Kappa and its bootstrap interval (candidates resampled) per group of ``by`` and code."""
    groups = [*by, "code"]
    kappa = kappa_by_group(pairs, groups, "jury", "employer")
    interval = kappa_interval_by_group(pairs, groups, "jury", "employer", unit_col="_unit")
    return kappa.merge(interval, on=groups, how="left")

"""Candidate-level results: candidate × competency, candidate × block, candidate × title.

Everything is computed on dense numpy matrices (candidates × competencies × evaluators), so no
Python loop ever runs over score rows: the cost is a few passes over the score arrays, whatever
the number of candidates. The tidy DataFrames users see are views built from those matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CcAnalyticsError, Problem
from .referentiel import Referentiel
from .rules import Rules

NO_SCORE = -1
JURY, EMPLOYER = 0, 1
_NO_DATE = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Results:
    """Results of every candidate under one set of rules.

    ``jury`` and ``employer`` hold the final score (after retakes) per candidate and competency,
    ``NO_SCORE`` where there is none. Rows follow ``candidates``; columns follow
    ``competencies`` (referentiel order); block columns follow ``blocks``.
    """

    candidates: pd.DataFrame  # the candidates table, plus ``year`` (latest jury session)
    competencies: pd.Index
    blocks: pd.Index
    block_of: np.ndarray  # block position of each competency
    jury: np.ndarray  # int8 [candidates, competencies]
    employer: np.ndarray  # int8 [candidates, competencies]
    evaluated: np.ndarray  # bool [candidates, competencies]
    acquired: np.ndarray  # bool [candidates, competencies]
    block_presented: np.ndarray  # bool [candidates, blocks]
    block_validated: np.ndarray  # bool [candidates, blocks]
    title_presented: np.ndarray  # bool [candidates]
    title_obtained: np.ndarray  # bool [candidates]
    rules: Rules

    # -- tidy views ---------------------------------------------------------------------
    def competency_table(self) -> pd.DataFrame:
        """One row per candidate and competency: evaluated, acquired, final scores."""
        n, c = self.jury.shape
        ids = self.candidates["candidate_id"].to_numpy()
        return pd.DataFrame({
            "candidate_id": np.repeat(ids, c),
            "competency": np.tile(self.competencies.to_numpy(), n),
            "evaluated": self.evaluated.ravel(),
            "acquired": self.acquired.ravel(),
            "jury_score": _nullable(self.jury.ravel()),
            "employer_score": _nullable(self.employer.ravel()),
        })  # fmt: skip

    def block_table(self) -> pd.DataFrame:
        """One row per candidate and block: presented, validated."""
        n, b = self.block_presented.shape
        return pd.DataFrame({
            "candidate_id": np.repeat(self.candidates["candidate_id"].to_numpy(), b),
            "block": np.tile(self.blocks.to_numpy(), n),
            "presented": self.block_presented.ravel(),
            "validated": self.block_validated.ravel(),
        })  # fmt: skip

    def title_table(self) -> pd.DataFrame:
        """One row per candidate: attributes, presented, obtained, blocks validated."""
        out = self.candidates.copy()
        out["presented"] = self.title_presented
        out["obtained"] = self.title_obtained
        out["blocks_validated"] = self.block_validated.sum(axis=1)
        return out


def _nullable(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="Int8").mask(values == NO_SCORE)


def compute_results(candidates: pd.DataFrame, scores: pd.DataFrame, referentiel: Referentiel,
                    rules: Rules | None = None) -> Results:  # fmt: skip
    """Apply the rules to validated canonical tables (see :mod:`cc_analytics.schemas`).

    ``scores.score`` may be missing (not evaluated); ``session_date`` may be missing (then the
    row counts as the earliest session). Inputs are not modified.
    """
    rules = rules or Rules()
    competencies = pd.Index(referentiel.competencies["code"])
    blocks = pd.Index(referentiel.blocks["code"])
    block_of = blocks.get_indexer(referentiel.competencies["block"])
    n, c = len(candidates), len(competencies)

    cand = _positions(scores["candidate_id"], pd.Index(candidates["candidate_id"]))
    comp = _positions(scores["competency"], competencies)
    evaluator = np.asarray(scores["evaluator"] == "entreprise", dtype=np.int64)
    unknown = (cand < 0) | (comp < 0)
    if unknown.any():
        raise CcAnalyticsError(
            Problem(
                f"{int(unknown.sum())} notes renvoient à un candidat ou une compétence inconnus",
                hint="Passez les données par « cc-analytics validate » avant le calcul",
            )
        )
    score = scores["score"].to_numpy(dtype="float64", na_value=np.nan)
    dates = _days(scores["session_date"]) if "session_date" in scores else np.full(
        len(scores), _NO_DATE)  # fmt: skip
    final, latest = _latest_scores(cand, comp, evaluator, score, dates, n, c)
    jury, employer = final[:, :, JURY], final[:, :, EMPLOYER]

    evaluated = jury != NO_SCORE
    acquired = evaluated & _acquired(jury, employer, rules)
    membership = np.zeros((c, len(blocks)), dtype=np.int32)
    membership[np.arange(c), block_of] = 1
    per_block = np.bincount(block_of, minlength=len(blocks))
    block_presented = (evaluated.astype(np.int32) @ membership) > 0
    block_validated = (acquired.astype(np.int32) @ membership) == per_block
    title_presented = evaluated.any(axis=1)
    title_obtained = block_validated.all(axis=1) & title_presented

    jury_latest = latest[:, :, JURY].max(axis=1)
    year = pd.Series(jury_latest, index=candidates.index).where(jury_latest != _NO_DATE)
    year = pd.to_datetime(year.astype("float64"), unit="D").dt.year.astype("Int64")
    return Results(
        candidates=candidates.assign(year=year),
        competencies=competencies, blocks=blocks, block_of=block_of,
        jury=jury, employer=employer, evaluated=evaluated, acquired=acquired,
        block_presented=block_presented, block_validated=block_validated,
        title_presented=title_presented, title_obtained=title_obtained, rules=rules,
    )  # fmt: skip


def _acquired(jury: np.ndarray, employer: np.ndarray, rules: Rules) -> np.ndarray:
    t = rules.threshold
    has_employer = employer != NO_SCORE
    if rules.combine == "jury":
        return jury >= t
    if rules.combine == "co_validation":
        return (jury >= t) & (~has_employer | (employer >= t))
    # mean of jury and employer >= t  <=>  jury + employer >= 2t (exact, no rounding)
    both = jury.astype(np.int16) + employer.astype(np.int16)
    return np.where(has_employer, both >= 2 * t, jury >= t)


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent); categoricals coded once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, lookup[codes], -1)
    return index.get_indexer(values)


def _days(dates: pd.Series) -> np.ndarray:
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]").astype(np.int64)
    days[pd.isna(dates).to_numpy()] = _NO_DATE
    return days


def _latest_scores(cand: np.ndarray, comp: np.ndarray, evaluator: np.ndarray,
                   score: np.ndarray, dates: np.ndarray, n: int, c: int,
                   ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Final score (latest session with a score) per candidate × competency × evaluator."""
    cells = n * c * 2
    has_score = ~np.isnan(score)
    key = (cand * c + comp) * 2 + evaluator
    key, dates, score = key[has_score], dates[has_score], score[has_score].astype(np.int8)
    latest = np.full(cells, _NO_DATE, dtype=np.int64)
    counts = np.bincount(key, minlength=cells)
    repeated = counts[key] > 1  # retakes: only these rows need the max-date reduction
    single = ~repeated
    latest[key[single]] = dates[single]
    np.maximum.at(latest, key[repeated], dates[repeated])
    winner = single | (dates == latest[key])
    final = np.full(cells, NO_SCORE, dtype=np.int8)
    final[key[winner]] = score[winner]
    return final.reshape(n, c, 2), latest.reshape(n, c, 2)

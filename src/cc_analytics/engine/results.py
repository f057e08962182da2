"""Candidate-level results: candidate × competency, candidate × block, candidate × title.

Everything is computed on dense numpy matrices (evaluators × candidates × competencies), so no
Python loop ever runs over score rows: the cost is a few passes over the score arrays, whatever
the number of candidates. Per score row the work arrays take about 10 bytes (int32 cell and day,
int8 score), so the peak stays under the size of the input tables. The tidy DataFrames users see are views built from those matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import CcAnalyticsError, Problem
from ..referentiel import Referentiel
from .rules import Rules

NO_SCORE = -1
JURY, EMPLOYER = 0, 1
_NO_DATE = np.iinfo(np.int32).min  # days since 1970: missing date, the earliest


@dataclass(frozen=True)
class Results:
    """Results of every candidate under one set of rules.

    ``jury`` and ``employer`` hold the final score (after retakes) per candidate and competency,
    ``NO_SCORE`` where there is none. Rows follow ``candidates``; columns follow
    ``competencies`` (referentiel order); block columns follow ``blocks``.
    """

    candidates: pd.DataFrame  # the candidates table, plus ``year`` (of ``promotion_date``)
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
    #: bool [candidates, competencies]: an employer score a later jury retake set aside
    #: (``rules.retake_clears_employer``); all false when the option is off
    employer_set_aside: np.ndarray
    #: the date each candidate's promotion year is taken from: the jury's decision
    #: (``decision_date``) of their latest jury session, else that session's date; ``NaT``
    #: when none; index like ``candidates``. Survey dates are checked against it.
    promotion_date: pd.Series
    #: bool, index like ``candidates``: ``promotion_date`` is a decision date (false: the
    #: session date, for want of one, or no date at all)
    promotion_decided: pd.Series

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
    """Apply the rules to validated canonical tables (see :mod:`cc_analytics.contract`).

    ``scores.score`` may be missing (not evaluated); ``session_date`` may be missing (then the
    row counts as the earliest session). The optional ``decision_date`` (the jury's
    deliberation) dates the promotion: see :func:`_promotion_days`. Inputs are not modified. With
    ``rules.retake_clears_employer``, an employer score a later jury retake set aside does not
    count (:func:`_retake_after_employer`); ``employer`` still holds it.
    """
    rules = rules or Rules()
    competencies = pd.Index(referentiel.competencies["code"])
    blocks = pd.Index(referentiel.blocks["code"])
    block_of = blocks.get_indexer(referentiel.competencies["block"])
    n, c = len(candidates), len(competencies)

    cand = _positions(scores["candidate_id"], _plain_index(candidates["candidate_id"]))
    comp = _positions(scores["competency"], competencies)
    unknown = (cand < 0) | (comp < 0)
    if unknown.any():
        raise CcAnalyticsError(
            Problem(
                f"{int(unknown.sum())} notes renvoient à un candidat ou une compétence inconnus",
                hint="Passez les données par « cc-analytics validate » avant le calcul",
            )
        )
    by_employer = scores["evaluator"].eq("entreprise").to_numpy(dtype=bool)
    cells = 2 * n * c  # jury, then employer: candidates × competencies each
    cell = _cells(by_employer, cand, comp, n, c)
    del comp  # 4 bytes per score row: free it early
    unscored = scores["score"].isna().to_numpy()
    cell[unscored] = cells  # an extra cell, dropped: rows without score
    score = scores["score"].to_numpy(dtype=np.int8, na_value=NO_SCORE)
    dates = _days(scores["session_date"]) if "session_date" in scores else np.full(
        len(scores), _NO_DATE, dtype=np.int32)  # fmt: skip
    final, latest = _latest_scores(cell, score, dates, cells + 1)
    jury, employer = final[:cells].reshape(2, n, c)
    latest_of = latest[:cells].reshape(2, n, c)
    jury_latest = latest_of[JURY].max(axis=1, initial=_NO_DATE)
    decided = np.full(n, _NO_DATE, dtype=np.int32)
    if "decision_date" in scores:
        decided = _promotion_days(cand, ~by_employer & ~unscored, dates,
                                  _days(scores["decision_date"]), jury_latest)  # fmt: skip
    del cand, by_employer, unscored
    promotion = np.where(decided != _NO_DATE, decided, jury_latest)
    set_aside = np.zeros((n, c), dtype=bool)
    if rules.retake_clears_employer and rules.combine != "jury":
        first_jury = _earliest_dates(cell, dates, cells + 1)[: n * c].reshape(n, c)
        set_aside = _retake_after_employer(employer, latest_of[JURY], first_jury,
                                           latest_of[EMPLOYER])  # fmt: skip
    del latest, latest_of

    evaluated = jury != NO_SCORE
    # the employer score a retake set aside no longer counts (``employer`` keeps it for display)
    counted_employer = (
        np.where(set_aside, np.int8(NO_SCORE), employer) if set_aside.any() else employer
    )
    acquired = evaluated & _acquired(jury, counted_employer, rules)
    membership = np.zeros((c, len(blocks)), dtype=np.float32)
    membership[np.arange(c), block_of] = 1
    per_block = np.bincount(block_of, minlength=len(blocks))
    # float32 so that the product runs in BLAS; counts up to 2**24 are exact
    block_presented = (evaluated.astype(np.float32) @ membership) > 0
    block_validated = (acquired.astype(np.float32) @ membership) == per_block
    title_presented = evaluated.any(axis=1)
    title_obtained = block_validated.all(axis=1) & title_presented

    return Results(
        candidates=candidates.assign(year=_years(promotion, candidates.index)),
        competencies=competencies, blocks=blocks, block_of=block_of,
        jury=jury, employer=employer, evaluated=evaluated, acquired=acquired,
        block_presented=block_presented, block_validated=block_validated,
        title_presented=title_presented, title_obtained=title_obtained, rules=rules,
        employer_set_aside=set_aside, promotion_date=_dates(promotion, candidates.index),
        promotion_decided=pd.Series(decided != _NO_DATE, index=candidates.index),
    )  # fmt: skip


def _promotion_days(cand: np.ndarray, jury: np.ndarray, sessions: np.ndarray,
                    decisions: np.ndarray, jury_latest: np.ndarray) -> np.ndarray:  # fmt: skip
    """Per candidate, the decision date (days) of their latest jury session, ``_NO_DATE``
    where none of that session's scored jury rows carries one.

    The certificate is obtained on the day the jury deliberates, which may fall in the next
    year (scored in December, decided in January): that day is the promotion's. The gate
    allows one decision date per candidate and session, blanks aside; the latest is taken.
    """
    decided = np.full(len(jury_latest), _NO_DATE, dtype=np.int32)
    rows = jury & (decisions != _NO_DATE)
    rows[rows] = sessions[rows] == jury_latest[cand[rows]]
    np.maximum.at(decided, cand[rows], decisions[rows])
    return decided


def _retake_after_employer(employer: np.ndarray, jury_last: np.ndarray, jury_first: np.ndarray,
                           employer_last: np.ndarray) -> np.ndarray:  # fmt: skip
    """Where a jury retake decides alone: an employer score, a jury score from a later session
    than the cell's first jury score (a retake), and that retake later than the employer's
    latest score. A first jury session never sets the employer aside: employers usually score
    before the jury sits, and co-validation would otherwise mean nothing."""
    retake = jury_last > jury_first
    return (employer != NO_SCORE) & retake & (jury_last > employer_last)


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


def _plain_index(column: pd.Series) -> pd.Index:
    """``column`` as an index to look values up in; a categorical one as its plain values.

    ``get_indexer`` on a ``CategoricalIndex`` of a million ids is ten times slower.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(column.cat.categories.dtype)
    return pd.Index(column)


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent), int32; categoricals coded once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # one look-up per category, then a gather; code -1 (missing) reads the final -1
        lookup = np.append(index.get_indexer(values.cat.categories), -1).astype(np.int32)
        return lookup[values.cat.codes.to_numpy()]
    return index.get_indexer(values).astype(np.int32)


def _cells(by_employer: np.ndarray, cand: np.ndarray, comp: np.ndarray, n: int, c: int,
           ) -> np.ndarray:  # fmt: skip
    """Flat cell of each score row in an (evaluator, candidate, competency) array.

    Evaluator first, so that the jury and employer matrices are contiguous halves. int32 up
    to 2**31 cells (a million candidates is 40 M), computed in place: a score row costs 4 bytes.
    """
    dtype = np.int32 if 2 * n * c + 1 <= np.iinfo(np.int32).max else np.int64
    cell = by_employer.astype(dtype)
    cell *= n
    cell += cand
    cell *= c
    cell += comp
    return cell


def _days(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970 as int32, ``_NO_DATE`` when missing."""
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    days = values.view(np.int64).astype(np.int32)
    days[np.isnat(values)] = _NO_DATE
    return days


def _latest_scores(cell: np.ndarray, score: np.ndarray, dates: np.ndarray, cells: int,
                   ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Final score (latest session) and the date of that session, per cell.

    ``np.maximum.at`` takes the latest date of each cell in one unbuffered pass; a row whose
    date is its cell's latest then writes its score. Equal dates in one cell: one of them wins.
    """
    latest = np.full(cells, _NO_DATE, dtype=np.int32)
    np.maximum.at(latest, cell, dates)
    winner = dates == latest[cell]
    final = np.full(cells, NO_SCORE, dtype=np.int8)
    final[cell[winner]] = score[winner]
    return final, latest


def _earliest_dates(cell: np.ndarray, dates: np.ndarray, cells: int) -> np.ndarray:
    """Date of the earliest scored session of each cell (int32 max where none): with the
    latest, it tells a retake. Unscored rows sit in the extra last cell, as for the latest."""
    earliest = np.full(cells, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(earliest, cell, dates)
    return earliest


def _dates(days: np.ndarray, index: pd.Index) -> pd.Series:
    """Each day as a date (``NaT`` for ``_NO_DATE``), as a ``datetime64[s]`` series."""
    values = days.astype("datetime64[D]").astype("datetime64[s]")
    values[days == _NO_DATE] = np.datetime64("NaT")
    return pd.Series(values, index=index)


def _years(days: np.ndarray, index: pd.Index) -> pd.Series:
    """Calendar year of each day (``<NA>`` for ``_NO_DATE``), as an ``Int64`` series."""
    missing = days == _NO_DATE
    years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return pd.Series(pd.arrays.IntegerArray(years, missing), index=index)

"""Who needs what before the next jury: the candidates without the title, what stands in their
way, what they must retake, and what the jury will sign.

Pure functions over :class:`~cc_analytics.engine.results.Results` (the same results as the
metrics: every candidate listed here is one the metrics count as presented without the title).
A competency stands in the way when its block is not validated and it is not acquired:

- ``non_evalue``: no jury score (absent, never assessed);
- ``non_acquis``: the jury score (or, under the ``mean`` rule, the mean of both) is below the
  threshold;
- ``refus_entreprise``: under co-validation, the jury acquired it but the employer did not.

``one_point_away`` marks a blocking competency that one more point on one score would acquire
(the jury's; the employer's under a refusal; either under ``mean``, whose mean is then half a
point short). A jury at 1 and an employer at 0 under co-validation is two points away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..referentiel import Referentiel
from .results import NO_SCORE, Results

NOT_EVALUATED, NOT_ACQUIRED, EMPLOYER_REFUSAL = "non_evalue", "non_acquis", "refus_entreprise"
#: The follow-up table's columns, in order (the first ones are the working list's).
FOLLOWUP_COLUMNS = [
    "candidate_id", "cohort", "block", "competency", "label", "jury_score", "employer_score",
    "status", "last_session_date", "one_point_away", "blocks_validated", "blocks_missing",
    "competencies_missing", "one_competency_from_title",
]  # fmt: skip
#: A block in the jury's sheet.
VALIDATED, NOT_VALIDATED, NOT_PRESENTED = "validé", "non validé", "non présenté"


def followup(results: Results, scores: pd.DataFrame, referentiel: Referentiel,
             cohort: str) -> pd.DataFrame:  # fmt: skip
    """One row per candidate of ``cohort`` presented without the title and per competency that
    stands between them and a block they did not validate (see the module docstring)."""
    rows = _cohort_rows(results, cohort)
    missing_title = results.title_presented[rows] & ~results.title_obtained[rows]
    rows = rows[missing_title]
    in_way = ~results.block_validated[rows][:, results.block_of] & ~results.acquired[rows]
    people, comps = np.nonzero(in_way)
    cand = rows[people]
    jury = results.jury[cand, comps]
    employer = results.employer[cand, comps]
    t = results.rules.threshold
    # an employer score a later jury retake sets aside (``retake_clears_employer``) decides
    # nothing: shown, but neither a refusal nor the score to raise
    deciding = np.where(results.employer_set_aside[cand, comps], NO_SCORE, employer)
    status, near = _status(jury, deciding, results.rules.combine, t)
    ids = results.candidates["candidate_id"].to_numpy()[cand]
    codes = results.competencies.to_numpy()[comps]
    blocks = results.blocks.to_numpy()[results.block_of[comps]]
    out = pd.DataFrame({
        "candidate_id": ids,
        "cohort": results.candidates["cohort"].to_numpy()[cand],
        "block": blocks,
        "competency": codes,
        "label": pd.Series(codes).map(referentiel.labels()).fillna("").to_numpy(),
        "jury_score": pd.array(np.where(jury == NO_SCORE, 0, jury), dtype="Int8"),
        "employer_score": pd.array(np.where(employer == NO_SCORE, 0, employer), dtype="Int8"),
        "status": status,
        "last_session_date": _last_jury_dates(scores, ids, codes),
        "one_point_away": near,
    })  # fmt: skip
    out["jury_score"] = out["jury_score"].mask(jury == NO_SCORE)
    out["employer_score"] = out["employer_score"].mask(employer == NO_SCORE)
    per_candidate = candidate_summary(results, rows)
    out = out.merge(per_candidate, on="candidate_id", how="left")
    return out[FOLLOWUP_COLUMNS].reset_index(drop=True)


def candidate_summary(results: Results, rows: np.ndarray) -> pd.DataFrame:
    """Per candidate (``rows`` of the results): blocks validated and missing (codes), the
    number of competencies missing, and whether one competency is all that is missing."""
    blocks = results.blocks.to_numpy()
    validated = results.block_validated[rows]
    missing = (~results.block_validated[rows][:, results.block_of] & ~results.acquired[rows]).sum(1)
    return pd.DataFrame({
        "candidate_id": results.candidates["candidate_id"].to_numpy()[rows],
        "blocks_validated": [", ".join(blocks[v]) for v in validated],
        "blocks_missing": [", ".join(blocks[~v]) for v in validated],
        "competencies_missing": missing.astype(np.int64),
        "one_competency_from_title": missing == 1,
    })  # fmt: skip


def retake_plan(table: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Per block and competency of a :func:`followup` table, in the referentiel's ``order`` of
    competencies: how many candidates must retake it, and who — one retake session per
    competency can be planned from it. Employer refusals are counted apart: a jury session
    does not lift them (unless the rules let a later jury retake decide alone,
    ``retake_clears_employer``)."""
    grouped = table.groupby(["block", "competency", "label"], sort=False)
    out = grouped.agg(candidates=("candidate_id", "nunique"),
                      one_point_away=("one_point_away", "sum"),
                      not_evaluated=("status", lambda s: int((s == NOT_EVALUATED).sum())),
                      employer_refusals=("status", lambda s: int((s == EMPLOYER_REFUSAL).sum())),
                      candidate_ids=("candidate_id", lambda s: ", ".join(sorted(set(s)))))  # fmt: skip
    out["one_point_away"] = out["one_point_away"].astype(np.int64)
    out = out.reset_index()
    position = {code: i for i, code in enumerate(order)}
    return out.sort_values("competency", key=lambda c: c.map(position), kind="stable",
                           ignore_index=True)  # fmt: skip


def jury_sheet(results: Results, cohort: str) -> pd.DataFrame:
    """Per candidate of ``cohort``, per block: validated, not validated or not presented; the
    title; and whether a certificate of the validated blocks (attestation de blocs) can be
    given though the title is not obtained."""
    rows = _cohort_rows(results, cohort)
    state = np.where(results.block_validated[rows], VALIDATED,
                     np.where(results.block_presented[rows], NOT_VALIDATED, NOT_PRESENTED))  # fmt: skip
    out = pd.DataFrame(state, columns=list(results.blocks))
    out.insert(0, "candidate_id", results.candidates["candidate_id"].to_numpy()[rows])
    obtained, presented = results.title_obtained[rows], results.title_presented[rows]
    out["title"] = np.where(obtained, "obtenu", np.where(presented, "non obtenu", NOT_PRESENTED))
    out["attestation_de_blocs"] = ~obtained & results.block_validated[rows].any(axis=1)
    return out.sort_values("candidate_id", kind="stable").reset_index(drop=True)


def _cohort_rows(results: Results, cohort: str) -> np.ndarray:
    """Positions of the cohort's candidates in the results, in candidate id order."""
    candidates = results.candidates
    mask = (candidates["cohort"] == cohort).to_numpy(dtype=bool)
    rows = np.flatnonzero(mask)
    order = np.argsort(candidates["candidate_id"].to_numpy()[rows].astype(str), kind="stable")
    return rows[order]


def _status(jury: np.ndarray, employer: np.ndarray, combine: str,
            t: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The status of each blocking competency, and whether one more point on one score (the
    jury's or the employer's) would acquire it."""
    evaluated = jury != NO_SCORE
    has_employer = employer != NO_SCORE
    refused = evaluated & (jury >= t) & has_employer & (employer < t) & (combine == "co_validation")
    status = np.where(~evaluated, NOT_EVALUATED, np.where(refused, EMPLOYER_REFUSAL, NOT_ACQUIRED))
    if combine == "mean":
        both = jury.astype(np.int16) + employer.astype(np.int16)
        near = evaluated & np.where(has_employer, both == 2 * t - 1, jury == t - 1)
    elif combine == "co_validation":  # both must reach the threshold: one of them is missing it
        employer_ok = ~has_employer | (employer >= t)
        near = np.where(refused, employer == t - 1, evaluated & (jury == t - 1) & employer_ok)
    else:
        near = evaluated & (jury == t - 1)
    return status, near.astype(bool)


def _last_jury_dates(scores: pd.DataFrame, ids: np.ndarray, codes: np.ndarray) -> pd.Series:
    """The latest jury session date of each (candidate, competency) pair, ``NaT`` when none."""
    wanted = pd.DataFrame({"candidate_id": ids, "competency": codes})
    jury = scores.loc[scores["evaluator"] == "jury", ["candidate_id", "competency",
                                                      "session_date"]]  # fmt: skip
    jury = jury[jury["candidate_id"].isin(set(ids))]
    latest = jury.groupby(["candidate_id", "competency"], observed=True)["session_date"].max()
    dates = wanted.merge(latest.rename("last").reset_index(), how="left",
                         on=["candidate_id", "competency"])["last"]  # fmt: skip
    return pd.to_datetime(dates).reset_index(drop=True)

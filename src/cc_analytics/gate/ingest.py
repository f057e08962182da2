"""From validated text tables to typed canonical tables (then written by the pipeline)."""

from __future__ import annotations

import pandas as pd

from ..contract import SCHEMAS
from ..core.labels import YES
from ..inputs.read import RawDataset
from ..workspace.processed import Tables


def typed_tables(raw: RawDataset) -> Tables:
    """Typed, sorted tables from text tables that passed the gate."""
    c = raw.candidates[SCHEMAS["candidates"].names]
    candidates = pd.DataFrame({
        "cohort": c["cohort"].astype(str),
        "candidate_id": c["candidate_id"].astype(str),
        "access_route": c["access_route"].astype(str),
        "immersion": (c["immersion"] == YES).to_numpy(),
        "site": c["site"].astype("string").astype(object).where(c["site"].notna(), None),
    }).sort_values(["cohort", "candidate_id"], ignore_index=True)  # fmt: skip
    s = raw.scores
    scores = pd.DataFrame({
        "candidate_id": s["candidate_id"].astype(str),
        "competency": s["competency"].astype(str),
        "evaluator": s["evaluator"].astype(str),
        "score": pd.to_numeric(s["score"]).astype("Int8"),
        "session_date": pd.to_datetime(s["session_date"], format="%Y-%m-%d"),
    }).sort_values(["candidate_id", "competency", "evaluator", "session_date"],
                   ignore_index=True, na_position="first")  # fmt: skip
    i = raw.insertion
    insertion = pd.DataFrame({
        "candidate_id": i["candidate_id"].astype(str),
        "horizon_months": pd.to_numeric(i["horizon_months"]).astype("int64"),
        "status": i["status"].astype(str),
    }).sort_values(["candidate_id", "horizon_months"], ignore_index=True)  # fmt: skip
    return Tables(candidates, scores, insertion, raw.referentiel)

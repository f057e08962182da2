"""From validated text tables to typed canonical tables (then written by the pipeline).

The score table may hold tens of millions of rows: its text columns stay categoricals (each
distinct text once, an integer code per row), their categories put in sorted order so that
sorting the rows is sorting integers, and scores and dates are converted once per distinct
text, then gathered by the codes. The optional date columns (``decision_date`` of the scores,
``survey_date`` of the survey) are kept only when some file has their header.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import SCHEMAS
from ..core.labels import YES
from ..inputs.read import RawDataset
from ..inputs.values import categorical
from ..workspace.processed import Tables


def typed_tables(raw: RawDataset) -> Tables:
    """Typed, sorted tables from text tables that passed the gate."""
    c = raw.candidates[SCHEMAS["candidates"].names]
    candidates = pd.DataFrame({
        "cohort": c["cohort"].astype(str),
        "candidate_id": c["candidate_id"].astype(str),
        "access_route": c["access_route"].astype(str),
        "immersion": (c["immersion"] == YES).to_numpy(),
        "site": c["site"].astype("str"),  # missing: no site
    }).sort_values(["cohort", "candidate_id"], ignore_index=True)  # fmt: skip
    s = raw.scores
    scores = pd.DataFrame({
        "candidate_id": _sorted_categories(s["candidate_id"]),
        "competency": _sorted_categories(s["competency"]),
        "evaluator": _sorted_categories(s["evaluator"]),
        "score": _converted(s["score"], _scores),
        "session_date": _converted(s["session_date"], _dates),
    })  # fmt: skip
    if raw.has_column("scores", "decision_date"):  # optional: absent, no column (no NaT per row)
        scores["decision_date"] = _converted(s["decision_date"], _dates)
    scores = _sorted_rows(scores, ["candidate_id", "competency", "evaluator", "session_date"])
    i = raw.insertion
    insertion = pd.DataFrame({
        "candidate_id": i["candidate_id"].astype(str),
        "horizon_months": pd.to_numeric(i["horizon_months"]).astype("int64"),
        "status": i["status"].astype(str),
        # optional: without the column, the engine checks no survey date (a blank one it does)
        **({"survey_date": _converted(i["survey_date"], _dates)}
           if raw.has_column("insertion", "survey_date") else {}),
    }).sort_values(["candidate_id", "horizon_months"], ignore_index=True)  # fmt: skip
    return Tables(candidates, scores, insertion, raw.referentiel)


def _sorted_categories(values: pd.Series) -> pd.Series:
    """A categorical whose categories are the texts in use, in sorted order (so are its
    codes): the categories sorted, the codes re-pointed with one gather."""
    values = categorical(values)
    codes = values.cat.codes.to_numpy()
    categories = values.cat.categories
    in_use = np.flatnonzero(np.bincount(codes.astype(np.int64) + 1,
                                        minlength=len(categories) + 1)[1:])  # fmt: skip
    order = categories[in_use].argsort()
    lookup = np.full(len(categories) + 1, -1, dtype=np.int32)  # code -1 reads the last: -1
    lookup[in_use[order]] = np.arange(len(order), dtype=np.int32)
    return pd.Series(pd.Categorical.from_codes(lookup[codes], categories=categories[in_use][order]),
                     index=values.index)  # fmt: skip


def _converted(values: pd.Series, convert) -> pd.Series:  # type: ignore[no-untyped-def]
    """``convert`` (text to typed values) applied to each distinct text once, then gathered by
    the rows' codes; code -1 (missing) reads the missing value appended."""
    values = categorical(values)
    typed = convert(pd.Series(values.cat.categories, dtype="str"))
    missing = pd.Series([None], dtype=typed.dtype)
    lookup = pd.concat([typed, missing], ignore_index=True)
    return pd.Series(lookup.array.take(values.cat.codes.to_numpy().astype(np.intp)),
                     index=values.index)  # fmt: skip


def _scores(texts: pd.Series) -> pd.Series:
    return pd.to_numeric(texts).astype("Int8")


def _dates(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts, format="%Y-%m-%d")


def _sorted_rows(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``frame`` sorted by ``by`` (missing values first), as ``sort_values`` would, on one
    integer per row: the columns' ranks combined (mixed radix), then one stable argsort."""
    number = np.zeros(len(frame), dtype=np.int64)
    room = 1.0
    for column in by:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            rank, size = values.cat.codes.to_numpy().astype(np.int64) + 1, len(
                values.cat.categories) + 1  # fmt: skip
        else:
            codes, uniques = pd.factorize(values, sort=True)
            rank, size = codes.astype(np.int64) + 1, len(uniques) + 1  # missing: 0, first
        room *= size
        if room >= 2.0**62:
            return frame.sort_values(by, ignore_index=True, na_position="first")
        number = number * size + rank
    if (number[1:] >= number[:-1]).all():  # already in order, as files often are
        return frame.reset_index(drop=True)
    order = np.argsort(number)  # keys are unique once the gate passed: no tie to keep stable
    return frame.take(order).reset_index(drop=True)

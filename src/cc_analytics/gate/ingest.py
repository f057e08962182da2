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
from ..inputs.values import categorical, code_dtype
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
    # the key, categoricals in sorted order (a date is ISO text here: in order as text too);
    # every column is put in order as codes, before its values are typed (8 bytes a date)
    key = [_sorted_categories(s[name])
           for name in ("candidate_id", "competency", "evaluator", "session_date")]  # fmt: skip
    order = _order(key)
    candidate_id, competency, evaluator, session_date = (_taken(k, order) for k in key)
    del key
    columns = {
        "candidate_id": candidate_id,
        "competency": competency,
        "evaluator": evaluator,
        "score": _converted(_taken(categorical(s["score"]), order), _scores),
        "session_date": _converted(session_date, _dates),
    }  # fmt: skip
    if raw.has_column("scores", "decision_date"):  # optional: absent, no column (no NaT per row)
        columns["decision_date"] = _converted(_taken(categorical(s["decision_date"]), order),
                                              _dates)  # fmt: skip
    scores = pd.DataFrame(columns, copy=False)
    del columns, candidate_id, competency, evaluator, session_date
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
    used = np.zeros(len(categories) + 1, dtype=bool)  # code -1 marks the last: no category
    for start in range(0, len(codes), _CHUNK):  # numpy indexes with 8-byte integers: by parts
        used[codes[start : start + _CHUNK]] = True
    in_use = np.flatnonzero(used[:-1])
    order = categories[in_use].argsort()
    lookup = np.full(len(categories) + 1, -1, dtype=code_dtype(len(order)))  # -1 reads -1
    lookup[in_use[order]] = np.arange(len(order))
    return pd.Series(pd.Categorical.from_codes(_gathered(lookup, codes),
                                               categories=categories[in_use][order]),
                     index=values.index)  # fmt: skip


#: Rows looked at at once where a whole column would make a temporary of hundreds of MB.
_CHUNK = 2**22


def _gathered(lookup: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``lookup[codes]`` (code -1: the last value) by parts: numpy turns the codes into
    8-byte positions first, 300 MB for 38 M rows, where here 32 MB at most."""
    out = np.empty(len(codes), dtype=lookup.dtype)
    for start in range(0, len(codes), _CHUNK):
        out[start : start + _CHUNK] = lookup[codes[start : start + _CHUNK]]
    return out


def _converted(values: pd.Series, convert) -> pd.Series:  # type: ignore[no-untyped-def]
    """``convert`` (text to typed values) applied to each distinct text once, then gathered by
    the rows' codes; code -1 (missing) reads the missing value appended."""
    values = categorical(values)
    typed = convert(pd.Series(values.cat.categories, dtype="str"))
    missing = pd.Series([None], dtype=typed.dtype)
    lookup = pd.concat([typed, missing], ignore_index=True)
    codes = values.cat.codes.to_numpy()
    if isinstance(lookup.dtype, pd.Int8Dtype):  # values and missing marks, each gathered
        array = pd.arrays.IntegerArray(_gathered(lookup.to_numpy("int8", na_value=0), codes),
                                       _gathered(lookup.isna().to_numpy(), codes))  # fmt: skip
    else:
        array = _gathered(lookup.to_numpy(), codes)
    return pd.Series(array, index=values.index, dtype=lookup.dtype)


def _scores(texts: pd.Series) -> pd.Series:
    return pd.to_numeric(texts).astype("Int8")


def _dates(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts, format="%Y-%m-%d")


def _order(key: list[pd.Series]) -> np.ndarray | None:
    """The positions of the rows in the order of ``key`` (categoricals whose categories are
    in order; missing first), as ``sort_values`` would; ``None`` when they already are.

    The codes are combined into one integer per row (mixed radix) for one argsort; ``lexsort``
    when there are too many combinations for one integer."""
    number = np.zeros(len(key[0]), dtype=np.int64)
    room = 1.0
    for values in key:
        size = len(values.cat.categories) + 1
        room *= size
        if room >= 2.0**62:
            return np.lexsort([values.cat.codes.to_numpy() for values in reversed(key)])
        number *= size  # in place: 300 MB a copy at 38 M rows
        number += values.cat.codes.to_numpy()
        number += 1  # missing (-1): 0, first
    if (number[1:] >= number[:-1]).all():  # already in order, as files often are
        return None
    return np.argsort(number)  # keys are unique once the gate passed: no tie to keep stable


def _taken(values: pd.Series, order: np.ndarray | None) -> pd.Series:
    """A categorical with its rows at ``order`` (its codes taken), a new index 0…n-1."""
    codes = values.cat.codes.to_numpy()
    codes = codes if order is None else codes.take(order)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=values.dtype))

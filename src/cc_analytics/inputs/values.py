"""Values as schools type them, normalised where they are recognised.

``apprentissage`` -> ``CA``, ``B1.A1.C1`` -> ``B1A1C1``, ``3,0`` -> ``3``, ``14/06/2024`` ->
``2024-06-14`` (session, decision and survey dates alike). A value that is not recognised is kept as typed, so the validation gate can
quote it back; an empty cell becomes missing.

Each distinct value is translated once, never row by row: a column is handled as a categorical
(its distinct texts and one integer code per row), the texts are translated, and the codes are
re-pointed with one gather. A score table of millions of rows thus costs a few passes over
integer arrays, whatever its size. The scores come out as categoricals (the gate and the ingest
work on their codes); candidates and survey answers, one row per person, as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..contract.vocabulary import (
    ACCESS_ROUTE_ALIASES,
    BOOLEAN_ALIASES,
    EVALUATOR_ALIASES,
    STATUS_ALIASES,
)
from ..core.text import CONTROL_CHARACTERS, fold
from ..referentiel import Referentiel

#: What a translation of distinct texts returns: the new text of each (missing: no value).
Translation = Callable[[pd.Series], pd.Series]


def code_lookup(referentiel: Referentiel) -> dict[str, str]:
    codes = referentiel.competencies["code"]
    return {re.sub(r"[\s.\-_]", "", c).upper(): c for c in codes}


def lookup_code(text: str, known: dict[str, str]) -> str | None:
    return known.get(re.sub(r"[\s.\-_]", "", str(text)).upper())


def categorical(values: pd.Series) -> pd.Series:
    """``values`` as a categorical of text (a categorical is returned as it is).

    >>> categorical(pd.Series(["b", None, "b"])).cat.codes.tolist()
    [0, -1, 0]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes, uniques = pd.factorize(values.astype("str"))
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniques.astype("str")),
                     index=values.index, name=values.name)  # fmt: skip


def recode(values: pd.Series, translate: Translation) -> pd.Series:
    """A categorical whose every row holds ``translate`` of its text; ``translate`` sees each
    distinct text once (a Series of text) and returns the new texts, missing for no value.

    >>> recode(pd.Series([" 3", "3", None]), lambda t: t.str.strip()).tolist()
    ['3', '3', nan]
    """
    values = categorical(values)
    texts = values.cat.categories
    new = translate(pd.Series(texts.astype("str"), dtype="str"))
    codes, uniques = pd.factorize(pd.Series(new, dtype="str").to_numpy())
    # one gather over the rows; code -1 (no value) reads the appended -1
    lookup = np.append(codes, -1).astype(code_dtype(len(uniques)))
    return pd.Series(
        pd.Categorical.from_codes(lookup[values.cat.codes.to_numpy()],
                                  categories=pd.Index(uniques, dtype="str")),
        index=values.index, name=values.name,
    )  # fmt: skip


def as_text(values: pd.Series) -> pd.Series:
    """A categorical back to a text column (missing: no value), without a Python object per
    row."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values
    text = values.cat.categories.array.take(values.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(text, index=values.index, name=values.name, dtype="str")


def code_dtype(n: int) -> type[np.signedinteger]:
    """The smallest integer type for the codes of ``n`` categories (-1: no value)."""
    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32


def _stripped(texts: pd.Series) -> pd.Series:
    """Texts without surrounding spaces; an empty one is no value."""
    text = texts.str.strip()
    return text.where(text != "")


def _translate(values: pd.Series, translate: Callable[[str], str | None]) -> pd.Series:
    """Apply ``translate`` once per distinct value (not per row); unknown values kept as typed,
    empty cells missing."""

    def each(texts: pd.Series) -> pd.Series:
        text = _stripped(texts)
        # folding would wash a control character out (« emploi\x00_autre »): kept as typed, the
        # gate reports it
        return pd.Series([v if not isinstance(v, str) or CONTROL_CHARACTERS.search(v)
                          else translate(v) or v for v in text], dtype="str")  # fmt: skip

    return recode(values, each)


def _map_values(values: pd.Series, aliases: dict[str, str]) -> pd.Series:
    return _translate(values, lambda v: aliases.get(fold(v)))


def normalise_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("cohort", "candidate_id", "site"):
        out[column] = as_text(_blank_to_none(out[column]))
    out["access_route"] = as_text(_map_values(out["access_route"], ACCESS_ROUTE_ALIASES))
    out["immersion"] = as_text(_map_values(out["immersion"], BOOLEAN_ALIASES))
    return out


def normalise_scores(frame: pd.DataFrame, referentiel: Referentiel) -> pd.DataFrame:
    """The score table with categorical columns (one row per score: millions of them); the
    columns replaced are new, ``frame`` is left as it is (pandas' copy-on-write), the others
    shared rather than copied."""
    out = frame.copy(deep=False)
    out["candidate_id"] = _blank_to_none(out["candidate_id"])
    known = code_lookup(referentiel)
    out["competency"] = _translate(out["competency"], lambda v: lookup_code(v, known))
    out["evaluator"] = _map_values(out["evaluator"], EVALUATOR_ALIASES)
    out["score"] = recode(out["score"], _score)
    out["session_date"] = recode(out["session_date"], _dates)
    out["decision_date"] = recode(out["decision_date"], _dates)
    return out


def _score(texts: pd.Series) -> pd.Series:
    """3, 3,0, 3.00, 03, +3 -> "3"; anything else is kept as typed, to be quoted back."""
    score = texts.str.strip()
    valid = score.str.fullmatch(r"\+?0*[0-4](?:[.,]0*)?").fillna(False).astype(bool)
    digit = score.str.extract(r"([0-4])(?:[.,]0*)?$", expand=False)
    return _stripped(digit.where(valid, score))


def normalise_insertion(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["candidate_id"] = as_text(_blank_to_none(out["candidate_id"]))
    out["horizon_months"] = as_text(recode(out["horizon_months"], _horizon))
    out["status"] = as_text(_map_values(out["status"], STATUS_ALIASES))
    out["survey_date"] = as_text(recode(out["survey_date"], _dates))
    return out


def _horizon(texts: pd.Series) -> pd.Series:
    horizon = texts.str.strip()
    number = horizon.str.extract(r"^(\d+)\s*(?:mois|m|months)?$", expand=False)
    return _stripped(number.fillna(horizon))


def _blank_to_none(values: pd.Series) -> pd.Series:
    return recode(values, _stripped)


def _dates(texts: pd.Series) -> pd.Series:
    """ISO text for recognised dates (``2024-06-14``, ``14/06/2024``), the raw text otherwise."""
    text = texts.str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    french = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    parsed = iso.fillna(french)
    out = parsed.dt.strftime("%Y-%m-%d").astype("str").fillna(text)
    return _stripped(out)

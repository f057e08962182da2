"""Values as schools type them, normalised where they are recognised.

``apprentissage`` -> ``CA``, ``B1.A1.C1`` -> ``B1A1C1``, ``3,0`` -> ``3``, ``14/06/2024`` ->
``2024-06-14``. A value that is not recognised is kept as typed, so the validation gate can
quote it back; an empty cell becomes missing. Each distinct value is translated once, never
row by row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from ..contract.vocabulary import (
    ACCESS_ROUTE_ALIASES,
    BOOLEAN_ALIASES,
    EVALUATOR_ALIASES,
    STATUS_ALIASES,
)
from ..core.text import CONTROL_CHARACTERS, fold
from ..referentiel import Referentiel


def code_lookup(referentiel: Referentiel) -> dict[str, str]:
    codes = referentiel.competencies["code"]
    return {re.sub(r"[\s.\-_]", "", c).upper(): c for c in codes}


def lookup_code(text: str, known: dict[str, str]) -> str | None:
    return known.get(re.sub(r"[\s.\-_]", "", str(text)).upper())


def _translate(values: pd.Series, translate: Callable[[str], str | None]) -> pd.Series:
    """Apply ``translate`` once per distinct value (not per row); unknown values kept as typed,
    empty cells missing."""
    text = values.astype("string").str.strip()
    # folding would wash a control character out (« emploi\x00_autre »): kept as typed, the
    # gate reports it
    lookup = {v: (None if CONTROL_CHARACTERS.search(v) else translate(v)) or v
              for v in text.dropna().unique()}  # fmt: skip
    return text.map(lookup).astype(str).where(text.fillna("") != "", None)


def _map_values(values: pd.Series, aliases: dict[str, str]) -> pd.Series:
    return _translate(values, lambda v: aliases.get(fold(v)))


def normalise_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("cohort", "candidate_id", "site"):
        out[column] = _blank_to_none(out[column])
    out["access_route"] = _map_values(out["access_route"], ACCESS_ROUTE_ALIASES)
    out["immersion"] = _map_values(out["immersion"], BOOLEAN_ALIASES)
    return out


def normalise_scores(frame: pd.DataFrame, referentiel: Referentiel) -> pd.DataFrame:
    out = frame.copy()
    out["candidate_id"] = _blank_to_none(out["candidate_id"])
    known = code_lookup(referentiel)
    out["competency"] = _translate(out["competency"], lambda v: lookup_code(v, known))
    out["evaluator"] = _map_values(out["evaluator"], EVALUATOR_ALIASES)
    # 3, 3,0, 3.00, 03, +3 -> "3"; anything else is kept as typed, to be quoted back
    score = out["score"].astype("string").str.strip()
    valid = score.str.fullmatch(r"\+?0*[0-4](?:[.,]0*)?").fillna(False).astype(bool)
    digit = score.str.extract(r"([0-4])(?:[.,]0*)?$", expand=False)
    out["score"] = _blank_to_none(digit.where(valid, score))
    out["session_date"] = _dates(out["session_date"])
    return out


def normalise_insertion(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["candidate_id"] = _blank_to_none(out["candidate_id"])
    horizon = out["horizon_months"].astype("string").str.strip()
    number = horizon.str.extract(r"^(\d+)\s*(?:mois|m|months)?$", expand=False)
    out["horizon_months"] = _blank_to_none(number.fillna(horizon))
    out["status"] = _map_values(out["status"], STATUS_ALIASES)
    return out


def _blank_to_none(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.astype(str).where(text.fillna("") != "", None)


def _dates(values: pd.Series) -> pd.Series:
    """ISO text for recognised dates (``2024-06-14``, ``14/06/2024``), the raw text otherwise."""
    text = values.astype("string").str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    french = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    parsed = iso.fillna(french)
    out = parsed.dt.strftime("%Y-%m-%d").astype("string").fillna(text)
    return _blank_to_none(out)

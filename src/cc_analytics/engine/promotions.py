"""RNCP promotion statistics per year, under France Compétences' field names.

A candidate's year is the year of their latest jury session. For each year: the candidates
certified (title obtained), those certified through VAE, and the insertion rates of the
certified at 6 months and 2 years, as France Compétences defines them:

- respondents = surveyed certified candidates whose status is not ``non_repondant``;
- neutralised = respondents continuing studies, in a work-study contract, unable to work, or
  working outside the French labour market: removed from numerator and denominator;
- TAUX_INSERTION_GLOBAL = respondents in employment / (respondents − neutralised);
- TAUX_INSERTION_METIER = respondents in the targeted job / (respondents − neutralised).

Rates are integer percents (as the fiche publishes them, rounded half up); the counts behind
each rate are published beside it. Survey rows of candidates who are not certified are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract.vocabulary import (
    EMPLOYED_STATUSES,
    NEUTRALISED_STATUSES,
    NON_RESPONDENT,
    TARGET_JOB_STATUS,
)
from ..core.errors import CcAnalyticsError, Problem
from ..core.labels import SURVEY_HORIZONS
from .results import Results


def fiche_suffix(months: int) -> str:
    """How France Compétences' field names spell a survey horizon.

    >>> fiche_suffix(6), fiche_suffix(24)
    ('6MOIS', '2ANS')
    """
    return f"{months // 12}ANS" if months % 12 == 0 else f"{months}MOIS"


#: Survey horizon (months) -> suffix of the fiche's fields (``TAUX_INSERTION_GLOBAL_6MOIS``).
HORIZONS = {months: fiche_suffix(months) for months in SURVEY_HORIZONS}
FICHE_COLUMNS = [
    "ANNEE", "NOMBRE_CERTIFIES", "NOMBRE_CERTIFIES_VAE",
    "TAUX_INSERTION_GLOBAL_6MOIS", "TAUX_INSERTION_METIER_6MOIS",
    "TAUX_INSERTION_GLOBAL_2ANS", "TAUX_INSERTION_METIER_2ANS",
]  # fmt: skip


def promotion_statistics(results: Results, insertion: pd.DataFrame) -> pd.DataFrame:
    """One row per year: the fiche's columns first, then the counts behind them."""
    title = results.title_table()
    undated = int((title["presented"] & title["year"].isna()).sum())
    if undated:
        raise CcAnalyticsError(Problem(
            f"{undated} candidat(s) présenté(s) sans date de session jury : leur année de "
            "promotion est inconnue, les statistiques par promotion ne peuvent pas être "
            "calculées", hint="Renseignez la colonne session_date des notes du jury"))  # fmt: skip
    title = title[title["presented"]]
    title = title.assign(
        certified=title["obtained"],
        vae=title["obtained"] & (title["access_route"] == "VAE"),
        blocks_only=~title["obtained"] & (title["blocks_validated"] > 0),
    )
    years = title.groupby("year", sort=True)
    out = pd.DataFrame({
        "ANNEE": years.size().index.astype(int),
        "NOMBRE_PRESENTES": years.size().to_numpy(),
        "NOMBRE_CERTIFIES": years["certified"].sum().to_numpy(),
        "NOMBRE_CERTIFIES_VAE": years["vae"].sum().to_numpy(),
        "NOMBRE_BLOCS_SANS_TITRE": years["blocks_only"].sum().to_numpy(),
    })  # fmt: skip
    certified = title.loc[title["certified"], ["candidate_id", "year"]]
    for horizon, suffix in HORIZONS.items():
        counts = _survey_counts(certified, insertion, horizon)
        out = out.merge(counts.add_suffix(f"_{suffix}"), left_on="ANNEE", right_index=True,
                        how="left")  # fmt: skip
        for name in counts.columns:
            out[f"{name}_{suffix}"] = out[f"{name}_{suffix}"].fillna(0).astype(np.int64)
        base = out[f"REPONDANTS_{suffix}"] - out[f"NEUTRALISES_{suffix}"]
        out[f"TAUX_INSERTION_GLOBAL_{suffix}"] = _percent(out[f"EN_EMPLOI_{suffix}"], base)
        out[f"TAUX_INSERTION_METIER_{suffix}"] = _percent(out[f"EMPLOI_METIER_{suffix}"], base)
    extra = [c for c in out.columns if c not in FICHE_COLUMNS]
    return out[[*FICHE_COLUMNS, *extra]]


def _survey_counts(certified: pd.DataFrame, insertion: pd.DataFrame,
                   horizon: int) -> pd.DataFrame:  # fmt: skip
    survey = insertion.loc[insertion["horizon_months"] == horizon, ["candidate_id", "status"]]
    rows = certified.merge(survey, on="candidate_id", how="inner")
    status = rows["status"]
    respondent = status != NON_RESPONDENT
    flags = pd.DataFrame({
        "year": rows["year"],
        "ENQUETES": 1,
        "REPONDANTS": respondent,
        "NEUTRALISES": respondent & status.isin(NEUTRALISED_STATUSES),
        "EN_EMPLOI": status.isin(EMPLOYED_STATUSES),
        "EMPLOI_METIER": status == TARGET_JOB_STATUS,
    })  # fmt: skip
    return flags.groupby("year").sum().astype(np.int64)


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Integer percent, rounded half up; missing when nobody counts in the denominator."""
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.floor(100 * numerator / denominator.where(denominator > 0) + 0.5)
    return value.astype("Int64")

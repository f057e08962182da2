"""RNCP promotion statistics per year, under France Compétences' field names.

A candidate's year is the year the certification was obtained: the jury's decision date
(``decision_date`` of the scores) of their latest jury session, or, for want of one, that
session's date (:attr:`Results.promotion_date`; :func:`promotion_date_note` says which was used,
with the count of each). For each year: the candidates
certified (title obtained), those certified through VAE, and the insertion rates of the
certified at 6 months and 2 years, as France Compétences defines them:

- surveyed = certified candidates with a row in the insertion survey for that horizon; a
  certified candidate without one was never asked (« non interrogé », ``NON_INTERROGES``),
  which is not a non-respondent;
- respondents = surveyed certified candidates whose status is not ``non_repondant``;
- response rate = respondents / surveyed (``TAUX_REPONSE``);
- neutralised = respondents continuing studies, in a work-study contract, unable to work, or
  working outside the French labour market (this last one only under the rule
  ``neutralise_abroad``, on by default; off, they count as employed outside the targeted job):
  removed from numerator and denominator;
- base = respondents − neutralised (``BASE``);
- TAUX_INSERTION_GLOBAL = respondents in employment / base;
- TAUX_INSERTION_METIER = respondents in the targeted job / base.

Rates are integer percents (as the fiche publishes them, rounded half up); the counts behind
each rate are published beside it. Survey rows of candidates who are not certified are ignored.

:func:`coverage_warnings` says, in French, where a horizon's response rate is below the
rules' ``min_response_rate`` and where survey dates (the insertion table's optional
``survey_date``) fall outside :data:`SURVEY_DATE_TOLERANCE` around the horizon after the
promotion date (:attr:`Results.promotion_date`).
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

#: Working outside the French labour market: neutralised unless the rules say otherwise.
ABROAD_STATUS = "etranger"
#: How far (in months, either way) a survey date may fall from its horizon after the promotion
#: date before it is flagged: 6 months ± 2 (4 to 8 months), 2 years ± 3 (21 to 27 months).
#: Surveys are sent in waves, so a few weeks off is normal; beyond these, the horizon the
#: answer describes is no longer the one the fiche publishes.
SURVEY_DATE_TOLERANCE: dict[int, int] = {6: 2, 24: 3}
#: A coverage warning before it is sorted: year, horizon (months), French text.
Warning = tuple[int, int, str]


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
    neutralised, employed = survey_vocabulary(results.rules.neutralise_abroad)
    coverage = []
    for horizon, suffix in HORIZONS.items():
        counts = _survey_counts(certified, insertion, horizon, neutralised, employed)
        out = out.merge(counts.add_suffix(f"_{suffix}"), left_on="ANNEE", right_index=True,
                        how="left")  # fmt: skip
        for name in counts.columns:
            out[f"{name}_{suffix}"] = out[f"{name}_{suffix}"].fillna(0).astype(np.int64)
        base = out[f"REPONDANTS_{suffix}"] - out[f"NEUTRALISES_{suffix}"]
        out[f"TAUX_INSERTION_GLOBAL_{suffix}"] = _percent(out[f"EN_EMPLOI_{suffix}"], base)
        out[f"TAUX_INSERTION_METIER_{suffix}"] = _percent(out[f"EMPLOI_METIER_{suffix}"], base)
        # appended after every column of before, so that readers of those keep working
        coverage.append(pd.DataFrame({
            f"NON_INTERROGES_{suffix}": out["NOMBRE_CERTIFIES"] - out[f"ENQUETES_{suffix}"],
            f"TAUX_REPONSE_{suffix}": _percent(out[f"REPONDANTS_{suffix}"],
                                               out[f"ENQUETES_{suffix}"]),
            f"BASE_{suffix}": base.astype(np.int64),
        }))  # fmt: skip
    extra = [c for c in out.columns if c not in FICHE_COLUMNS]
    return pd.concat([out[[*FICHE_COLUMNS, *extra]], *coverage], axis=1)


def promotion_date_note(results: Results) -> str:
    """Which date the certified candidates' promotion year was taken from, with the count of
    each, in French (empty when nobody is certified): « Année de promotion : date de
    délibération pour 140 certifiés, date de session à défaut pour 13. »
    """
    obtained = np.asarray(results.title_obtained, dtype=bool)
    certified = int(obtained.sum())
    if not certified:
        return ""
    decided = int(results.promotion_decided.to_numpy(dtype=bool)[obtained].sum())
    fallback = certified - decided
    if not decided:
        return (f"Année de promotion : date de session pour {_all(certified)} (aucune date de "
                "délibération dans les notes du jury : colonne decision_date).")  # fmt: skip
    if not fallback:
        return f"Année de promotion : date de délibération pour {_all(certified)}."
    return (f"Année de promotion : date de délibération pour {decided} certifié{_s(decided)}, "
            f"date de session à défaut pour {fallback}.")  # fmt: skip


def _all(count: int) -> str:
    """« le certifié », « les 12 certifiés »."""
    return "le certifié" if count == 1 else f"les {count} certifiés"


def survey_vocabulary(neutralise_abroad: bool) -> tuple[frozenset[str], frozenset[str]]:
    """The statuses neutralised and the statuses in employment, under the abroad rule.

    >>> neutralised, employed = survey_vocabulary(False)
    >>> "etranger" in neutralised, "etranger" in employed
    (False, True)
    """
    if neutralise_abroad:
        return NEUTRALISED_STATUSES, EMPLOYED_STATUSES
    return NEUTRALISED_STATUSES - {ABROAD_STATUS}, EMPLOYED_STATUSES | {ABROAD_STATUS}


def _survey_counts(certified: pd.DataFrame, insertion: pd.DataFrame, horizon: int,
                   neutralised: frozenset[str], employed: frozenset[str]) -> pd.DataFrame:  # fmt: skip
    survey = insertion.loc[insertion["horizon_months"] == horizon, ["candidate_id", "status"]]
    rows = certified.merge(survey, on="candidate_id", how="inner")
    status = rows["status"]
    respondent = status != NON_RESPONDENT
    flags = pd.DataFrame({
        "year": rows["year"],
        "ENQUETES": 1,
        "REPONDANTS": respondent,
        "NEUTRALISES": respondent & status.isin(neutralised),
        "EN_EMPLOI": status.isin(employed),
        "EMPLOI_METIER": status == TARGET_JOB_STATUS,
    })  # fmt: skip
    return flags.groupby("year").sum().astype(np.int64)


def coverage_warnings(results: Results, insertion: pd.DataFrame,
                      statistics: pd.DataFrame | None = None) -> list[str]:  # fmt: skip
    """What a renewal file must say of its survey coverage, in French, per promotion and
    horizon (year, then 6 months before 2 years): a response rate below the rules'
    ``min_response_rate``; survey dates outside :data:`SURVEY_DATE_TOLERANCE` around the
    horizon after the promotion date (too early, too late), and surveyed certified candidates
    without a date when the insertion table has a ``survey_date`` column. Counts only, never a
    candidate's id: the renewal report may leave the school.

    ``statistics``: :func:`promotion_statistics` of the same results and insertion, when the
    caller has it already.
    """
    stats = promotion_statistics(results, insertion) if statistics is None else statistics
    warnings = _response_warnings(stats, results.rules.min_response_rate)
    dates = _survey_date_checks(results, insertion)
    if dates is not None:
        warnings += _date_warnings(dates)
    # per promotion, then horizon; within one, the response rate before the dates
    return [text for _, _, text in sorted(warnings, key=lambda w: (w[0], w[1]))]


def _response_warnings(stats: pd.DataFrame, minimum: int) -> list[Warning]:
    """A warning per promotion and horizon answered by fewer than ``minimum`` % of the
    surveyed (compared exactly: 49.6 % is below 50 %)."""
    warnings = []
    for horizon, suffix in HORIZONS.items():
        surveyed, respondents = stats[f"ENQUETES_{suffix}"], stats[f"REPONDANTS_{suffix}"]
        low = (surveyed > 0) & (100 * respondents < minimum * surveyed)
        for year, n, k in zip(stats["ANNEE"][low], surveyed[low], respondents[low], strict=True):
            shown = 100 * int(k) // int(n)  # floored, so that 49.6 % never reads « 50 % »
            warnings.append((int(year), horizon, (
                f"Promotion {year}, enquête à {SURVEY_HORIZONS[horizon]} : taux de réponse "
                f"inférieur à {minimum} % ({shown} % : {k} répondant{_s(k)} sur {n} "
                f"certifié{_s(n)} interrogé{_s(n)}). Les taux d'insertion risquent de ne pas "
                "représenter la promotion : relancez les non-répondants, ou signalez-le dans "
                "le dossier de renouvellement.")))  # fmt: skip
    return warnings


def _date_warnings(dates: pd.DataFrame) -> list[Warning]:
    """A warning per promotion and horizon with survey dates outside the tolerance, and one
    with survey rows without a date."""
    warnings = []
    counts = dates.groupby(["year", "horizon_months"])[["early", "late", "undated"]].sum()
    for (year, horizon), (early, late, undated) in counts.iterrows():
        tolerance = SURVEY_DATE_TOLERANCE[horizon]
        where = f"Promotion {year}, enquête à {SURVEY_HORIZONS[horizon]}"
        window = f"de {horizon - tolerance} à {horizon + tolerance} mois après la certification"
        if early or late:
            parts = [f"{n} trop {when}" for n, when in ((early, "tôt"), (late, "tard")) if n]
            warnings.append((int(year), int(horizon), (
                f"{where} : {early + late} date{_s(early + late)} d'enquête hors de la fenêtre "
                f"attendue ({window}) : {' et '.join(parts)}. Vérifiez la colonne "
                "« survey_date » du fichier d'enquête d'insertion ; si ces dates sont justes, "
                f"ces réponses ne décrivent pas la situation à {SURVEY_HORIZONS[horizon]} que "
                "publie la fiche.")))  # fmt: skip
        if undated:
            warnings.append((int(year), int(horizon), (
                f"{where} : {undated} réponse{_s(undated)} sans date d'enquête : le délai "
                f"({window}) ne peut pas être vérifié. Renseignez la colonne « survey_date » "
                "du fichier d'enquête d'insertion.")))  # fmt: skip
    return warnings


def _survey_date_checks(results: Results, insertion: pd.DataFrame) -> pd.DataFrame | None:
    """Per survey row of a certified candidate: year, horizon, and whether its date is too
    early, too late or missing; ``None`` when the insertion table has no ``survey_date``."""
    if "survey_date" not in insertion:
        return None
    obtained = results.title_obtained
    certified = results.candidates.loc[obtained, ["candidate_id", "year"]].assign(
        promotion_date=results.promotion_date[obtained])  # fmt: skip
    rows = certified.merge(insertion[["candidate_id", "horizon_months", "survey_date"]],
                           on="candidate_id", how="inner")  # fmt: skip
    survey = pd.to_datetime(rows["survey_date"])
    start = pd.to_datetime(rows["promotion_date"])
    early = pd.Series(False, index=rows.index)
    late = pd.Series(False, index=rows.index)
    for horizon, tolerance in SURVEY_DATE_TOLERANCE.items():
        # calendar months (a DateOffset per horizon, applied to the whole column at once)
        of = rows["horizon_months"] == horizon
        early |= of & (survey < start + pd.DateOffset(months=horizon - tolerance))
        late |= of & (survey > start + pd.DateOffset(months=horizon + tolerance))
    return pd.DataFrame({"year": rows["year"], "horizon_months": rows["horizon_months"],
                         "early": early, "late": late, "undated": survey.isna()})  # fmt: skip


def _s(count: object) -> str:
    """The plural mark of a French noun counted ``count`` times."""
    return "s" if int(count) > 1 else ""  # type: ignore[call-overload]


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Integer percent, rounded half up; missing when nobody counts in the denominator."""
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.floor(100 * numerator / denominator.where(denominator > 0) + 0.5)
    return value.astype("Int64")

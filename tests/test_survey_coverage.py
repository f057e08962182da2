"""Survey coverage (issue 13, point 2, engine part): « non interrogé » apart from
``non_repondant``, response rates, bases, and the French coverage warnings.

Referentiel: tests/fixtures.py's tiny one; every candidate is scored by the jury only, in one
session: 2024-06-01 (promotion 2024) or 2025-06-01 (promotion 2025).

    candidate  promotion  certified  6 months (survey date)            2 years (survey date)
    P0         2024       yes        emploi_metier_vise (2024-12-01)    emploi_autre (2026-06-01)
    P1         2024       yes        non_repondant (2024-09-15) early   recherche_emploi (2026-10-01) late
    P2         2024       yes        — not surveyed                     poursuite_etudes (2026-09-01) edge
    P3         2024       yes        — not surveyed                     — not surveyed
    Q0         2024       no (B2)    emploi_autre (2020-01-01)          —   (not certified: ignored)
    R0         2025       yes        non_repondant (2026-03-01) late    —
    R1         2025       yes        non_repondant (no date)            —

Windows (promotion date + horizon ± tolerance, calendar months): 6 months ± 2 -> 2024:
2024-10-01 … 2025-02-01, 2025: 2025-10-01 … 2026-02-01; 2 years ± 3 -> 2024: 2026-03-01 …
2026-09-01 (2026-09-01 itself is inside).

By hand:
- 2024, 6 months: certified 4, surveyed 2, not surveyed 2, respondents 1 (P1 did not answer),
  response rate 1/2 = 50 %, neutralised 0, base 1, employed 1, targeted job 1 -> 100 %, 100 %.
- 2024, 2 years: surveyed 3, not surveyed 1 (P3), respondents 3, rate 100 %, neutralised 1
  (P2, studies), base 2, employed 1 (P0) -> 50 %, targeted job 0 -> 0 %.
- 2025, 6 months: certified 2, surveyed 2, respondents 0 -> rate 0 %, base 0, no insertion rate.
- 2025, 2 years: surveyed 0, not surveyed 2, no response rate.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cc_analytics.engine.promotions import (
    FICHE_COLUMNS,
    SURVEY_DATE_TOLERANCE,
    coverage_warnings,
    promotion_statistics,
)
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from tests.fixtures import scores_frame, tiny_referentiel

REF = tiny_referentiel()
CODES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
#: Today's columns, in today's order: they must not move.
TODAYS_COLUMNS = [
    *FICHE_COLUMNS, "NOMBRE_PRESENTES", "NOMBRE_BLOCS_SANS_TITRE",
    "ENQUETES_6MOIS", "REPONDANTS_6MOIS", "NEUTRALISES_6MOIS", "EN_EMPLOI_6MOIS",
    "EMPLOI_METIER_6MOIS",
    "ENQUETES_2ANS", "REPONDANTS_2ANS", "NEUTRALISES_2ANS", "EN_EMPLOI_2ANS",
    "EMPLOI_METIER_2ANS",
]  # fmt: skip
NEW_COLUMNS = ["NON_INTERROGES_6MOIS", "TAUX_REPONSE_6MOIS", "BASE_6MOIS",
               "NON_INTERROGES_2ANS", "TAUX_REPONSE_2ANS", "BASE_2ANS"]  # fmt: skip

CHECK_DATES = (
    "Vérifiez la colonne « survey_date » du fichier d'enquête d'insertion ; si ces dates sont "
    "justes, ces réponses ne décrivent pas la situation à {horizon} que publie la fiche."
)
LOW_RATE_ADVICE = (
    "Les taux d'insertion risquent de ne pas représenter la promotion : relancez les "
    "non-répondants, ou signalez-le dans le dossier de renouvellement."
)


IDS = ["P0", "P1", "P2", "P3", "Q0", "R0", "R1"]


def scores() -> pd.DataFrame:
    rows = []
    for cid in IDS:
        date = "2025-06-01" if cid.startswith("R") else "2024-06-01"
        for code in CODES:
            score = 1 if cid == "Q0" and code.startswith("B2") else 3
            rows.append((cid, code, "jury", score, date))
    return scores_frame(rows)


def results(**rules):
    candidates = pd.DataFrame({"cohort": "X", "candidate_id": IDS, "access_route": "CA",
                               "immersion": False, "site": "Lyon"})  # fmt: skip
    return compute_results(candidates, scores(), REF, Rules(**rules))


def insertion(with_dates: bool = True) -> pd.DataFrame:
    rows = [
        ("P0", 6, "emploi_metier_vise", "2024-12-01"),
        ("P1", 6, "non_repondant", "2024-09-15"),
        ("Q0", 6, "emploi_autre", "2020-01-01"),
        ("R0", 6, "non_repondant", "2026-03-01"),
        ("R1", 6, "non_repondant", None),
        ("P0", 24, "emploi_autre", "2026-06-01"),
        ("P1", 24, "recherche_emploi", "2026-10-01"),
        ("P2", 24, "poursuite_etudes", "2026-09-01"),
    ]
    table = pd.DataFrame(rows, columns=["candidate_id", "horizon_months", "status",
                                        "survey_date"])  # fmt: skip
    table["survey_date"] = pd.to_datetime(table["survey_date"])
    return table if with_dates else table.drop(columns="survey_date")


@pytest.fixture(scope="module")
def stats():
    return promotion_statistics(results(), insertion()).set_index("ANNEE")


def test_todays_columns_keep_their_place_and_coverage_comes_after(stats):
    assert list(stats.reset_index().columns) == [*TODAYS_COLUMNS, *NEW_COLUMNS]


def test_a_survey_date_column_changes_no_count():
    with_dates = promotion_statistics(results(), insertion())
    without = promotion_statistics(results(), insertion(with_dates=False))
    pd.testing.assert_frame_equal(with_dates, without)


def test_not_surveyed_is_not_a_non_respondent(stats):
    """2024, 6 months: 4 certified; P0 answered, P1 did not (non-respondent), P2 and P3 were
    never asked (not surveyed); Q0, not certified, counts nowhere."""
    r = stats.loc[2024]
    assert r["NOMBRE_CERTIFIES"] == 4
    assert (r["ENQUETES_6MOIS"], r["REPONDANTS_6MOIS"], r["NON_INTERROGES_6MOIS"]) == (2, 1, 2)
    assert (r["TAUX_REPONSE_6MOIS"], r["NEUTRALISES_6MOIS"], r["BASE_6MOIS"]) == (50, 0, 1)
    assert (r["TAUX_INSERTION_GLOBAL_6MOIS"], r["TAUX_INSERTION_METIER_6MOIS"]) == (100, 100)


def test_coverage_at_two_years(stats):
    """2024, 2 years: 3 surveyed, 3 respondents, P3 not surveyed; P2 neutralised -> base 2."""
    r = stats.loc[2024]
    assert (r["ENQUETES_2ANS"], r["REPONDANTS_2ANS"], r["NON_INTERROGES_2ANS"]) == (3, 3, 1)
    assert (r["TAUX_REPONSE_2ANS"], r["NEUTRALISES_2ANS"], r["BASE_2ANS"]) == (100, 1, 2)
    assert (r["TAUX_INSERTION_GLOBAL_2ANS"], r["TAUX_INSERTION_METIER_2ANS"]) == (50, 0)


def test_nobody_answered_and_nobody_surveyed(stats):
    """2025: 6 months, 2 surveyed, 0 respondents -> 0 %, base 0, no insertion rate; 2 years,
    nobody surveyed -> 2 not surveyed, no response rate."""
    r = stats.loc[2025]
    assert (r["ENQUETES_6MOIS"], r["REPONDANTS_6MOIS"], r["TAUX_REPONSE_6MOIS"]) == (2, 0, 0)
    assert r["BASE_6MOIS"] == 0 and pd.isna(r["TAUX_INSERTION_GLOBAL_6MOIS"])
    assert (r["ENQUETES_2ANS"], r["NON_INTERROGES_2ANS"]) == (0, 2)
    assert pd.isna(r["TAUX_REPONSE_2ANS"])


def test_tolerances_are_the_documented_ones():
    assert SURVEY_DATE_TOLERANCE == {6: 2, 24: 3}


def test_coverage_warnings():
    """Default threshold 50 %: 2024 at 6 months answers 50 % exactly (no warning). Dates: P1
    early (6 months, 2024-09-15 < 2024-10-01), P1 late (2 years, 2026-10-01 > 2026-09-01), P2
    on the edge (no warning), R0 late, R1 undated; Q0 (not certified) ignored. 2025 at 6
    months: 0 of 2 answered."""
    assert coverage_warnings(results(), insertion()) == [
        "Promotion 2024, enquête à 6 mois : 1 date d'enquête hors de la fenêtre attendue (de "
        "4 à 8 mois après la certification) : 1 trop tôt. " + CHECK_DATES.format(horizon="6 mois"),
        "Promotion 2024, enquête à 2 ans : 1 date d'enquête hors de la fenêtre attendue (de "
        "21 à 27 mois après la certification) : 1 trop tard. "
        + CHECK_DATES.format(horizon="2 ans"),
        "Promotion 2025, enquête à 6 mois : taux de réponse inférieur à 50 % (0 % : 0 "
        "répondant sur 2 certifiés interrogés). " + LOW_RATE_ADVICE,
        "Promotion 2025, enquête à 6 mois : 1 date d'enquête hors de la fenêtre attendue (de "
        "4 à 8 mois après la certification) : 1 trop tard. " + CHECK_DATES.format(horizon="6 mois"),
        "Promotion 2025, enquête à 6 mois : 1 réponse sans date d'enquête : le délai (de 4 à 8 "
        "mois après la certification) ne peut pas être vérifié. Renseignez la colonne "
        "« survey_date » du fichier d'enquête d'insertion.",
    ]


def test_low_response_rate_threshold_is_a_rule():
    """min_response_rate 60: 2024 at 6 months (1 of 2 = 50 %) is now below it too; without
    survey dates only the response rates are warned about."""
    warnings = coverage_warnings(results(min_response_rate=60), insertion(with_dates=False))
    assert warnings == [
        "Promotion 2024, enquête à 6 mois : taux de réponse inférieur à 60 % (50 % : 1 "
        "répondant sur 2 certifiés interrogés). " + LOW_RATE_ADVICE,
        "Promotion 2025, enquête à 6 mois : taux de réponse inférieur à 60 % (0 % : 0 "
        "répondant sur 2 certifiés interrogés). " + LOW_RATE_ADVICE,
    ]


def test_precomputed_statistics_give_the_same_warnings():
    res, table = results(), insertion()
    statistics = promotion_statistics(res, table)
    assert coverage_warnings(res, table, statistics) == coverage_warnings(res, table)


def test_dates_inside_the_windows_raise_no_warning():
    """Every certified surveyed exactly 6 months / 2 years after 2024-06-01, all answering."""
    table = pd.DataFrame({
        "candidate_id": ["P0", "P1", "P2", "P3", "P0"], "horizon_months": [6, 6, 6, 6, 24],
        "status": "emploi_metier_vise",
        "survey_date": pd.to_datetime(["2024-12-01"] * 4 + ["2026-06-01"]),
    })  # fmt: skip
    assert coverage_warnings(results(), table) == []


def test_the_renewal_view_shows_coverage_and_its_warnings():
    """The renewal report's insertion table carries the coverage columns worked out above and
    the view carries the warnings, 2025's response rate (0 of 2) among them."""
    from cc_analytics.reporting.context import ReportContext
    from cc_analytics.reporting.views import renewal_view
    from cc_analytics.workspace.processed import Tables

    res = results()
    tables = Tables(res.candidates, scores(), insertion(), REF)
    ctx = ReportContext("essai", tables, res, Rules(), {"inputs": {}})
    view = renewal_view(ctx)
    table = view.insertion.set_index(["ANNEE", "horizon"])
    assert table.loc[(2024, "6 mois"), ["certified", "not_surveyed", "surveyed", "respondents",
                                        "response_rate", "base"]].tolist() == [4, 2, 2, 1, 50, 1]  # fmt: skip
    assert table.loc[(2025, "6 mois"), ["surveyed", "respondents", "response_rate"]].tolist() == [
        2, 0, 0]  # fmt: skip
    assert view.coverage == coverage_warnings(res, insertion())
    assert any(w.startswith("Promotion 2025, enquête à 6 mois : taux de réponse inférieur à 50 %")
               for w in view.coverage)  # fmt: skip

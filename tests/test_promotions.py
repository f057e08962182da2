"""RNCP promotion statistics, with every survey status, computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from cc_analytics.engine.promotions import FICHE_COLUMNS, promotion_statistics
from cc_analytics.engine.results import compute_results
from tests.fixtures import tiny_referentiel

REF = tiny_referentiel()
CODES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]


def data():
    # 2024: ten certified (P0..P9, P9 through VAE), two with B1 only (Q0, Q1);
    # 2025: one certified (R0); a candidate never presented (S0).
    ids = [f"P{i}" for i in range(10)] + ["Q0", "Q1", "R0", "S0"]
    routes = ["CA"] * 9 + ["VAE"] + ["FI", "FI", "FC", "CL"]
    candidates = pd.DataFrame({"cohort": "X", "candidate_id": ids, "access_route": routes,
                               "immersion": False, "site": "Lyon"})  # fmt: skip
    rows = []
    for cid in ids[:10]:
        rows += [(cid, c, "jury", 3, "2024-06-01") for c in CODES]
    for cid in ("Q0", "Q1"):
        rows += [(cid, c, "jury", 3 if c.startswith("B1") else 1, "2024-06-01") for c in CODES]
    rows += [("R0", c, "jury", 2, "2025-06-01") for c in CODES]
    scores = pd.DataFrame(rows, columns=["candidate_id", "competency", "evaluator", "score",
                                         "session_date"])  # fmt: skip
    scores["score"] = scores["score"].astype("Int8")
    scores["session_date"] = pd.to_datetime(scores["session_date"])
    six = (
        ["emploi_metier_vise"] * 3
        + ["emploi_autre"] * 2
        + ["recherche_emploi", "poursuite_etudes", "alternance", "etranger", "non_repondant"]
    )
    two_years = ["emploi_metier_vise", "emploi_metier_vise", "impossibilite", "recherche_emploi"]
    insertion = pd.DataFrame(
        [(f"P{i}", 6, s) for i, s in enumerate(six)]
        + [(f"P{i}", 24, s) for i, s in enumerate(two_years)]
        + [("Q0", 6, "emploi_metier_vise")],  # not certified: ignored
        columns=["candidate_id", "horizon_months", "status"],
    )
    return candidates, scores, insertion


@pytest.fixture(scope="module")
def stats():
    candidates, scores, insertion = data()
    res = compute_results(candidates, scores, REF)
    return promotion_statistics(res, insertion).set_index("ANNEE")


def test_fiche_columns_first(stats):
    assert list(stats.reset_index().columns[: len(FICHE_COLUMNS)]) == FICHE_COLUMNS


def test_certified_counts(stats):
    assert stats.loc[2024, "NOMBRE_PRESENTES"] == 12
    assert stats.loc[2024, "NOMBRE_CERTIFIES"] == 10
    assert stats.loc[2024, "NOMBRE_CERTIFIES_VAE"] == 1
    assert stats.loc[2024, "NOMBRE_BLOCS_SANS_TITRE"] == 2
    assert stats.loc[2025, "NOMBRE_CERTIFIES"] == 1
    assert list(stats.index) == [2024, 2025]  # S0 never presented: no year


def test_insertion_at_six_months(stats):
    r = stats.loc[2024]
    # 10 surveyed; 9 respondents; neutralised: poursuite_etudes, alternance, etranger = 3
    assert (r["ENQUETES_6MOIS"], r["REPONDANTS_6MOIS"], r["NEUTRALISES_6MOIS"]) == (10, 9, 3)
    # employed 3 + 2 = 5 of 9 - 3 = 6 -> 83.3 % -> 83 ; targeted job 3 / 6 -> 50
    assert (r["EN_EMPLOI_6MOIS"], r["EMPLOI_METIER_6MOIS"]) == (5, 3)
    assert (r["TAUX_INSERTION_GLOBAL_6MOIS"], r["TAUX_INSERTION_METIER_6MOIS"]) == (83, 50)


def test_insertion_at_two_years(stats):
    r = stats.loc[2024]
    # 4 respondents, impossibilite neutralised -> base 3; employed 2 -> 66.7 % -> 67
    assert (r["REPONDANTS_2ANS"], r["NEUTRALISES_2ANS"]) == (4, 1)
    assert (r["TAUX_INSERTION_GLOBAL_2ANS"], r["TAUX_INSERTION_METIER_2ANS"]) == (67, 67)


def test_year_without_survey_has_no_rate(stats):
    r = stats.loc[2025]
    assert r["REPONDANTS_6MOIS"] == 0
    assert pd.isna(r["TAUX_INSERTION_GLOBAL_6MOIS"])


def test_undated_jury_scores_are_refused_not_dropped():
    from cc_analytics.core.errors import CcAnalyticsError

    candidates, scores, insertion = data()
    scores["session_date"] = pd.NaT
    res = compute_results(candidates, scores, REF)
    with pytest.raises(CcAnalyticsError, match=r"13 candidat.* sans date de session jury"):
        promotion_statistics(res, insertion)

"""The two rule options of issue 13: ``retake_clears_employer`` and ``neutralise_abroad``.

Referentiel: tests/fixtures.py's tiny one (B1 = B1A1C1, B1A1C2; B2 = B2A1C1, B2A1C2),
threshold 2, co-validation. Scores (employer in May, jury in June, jury retake in September):

    cand  competency  employer (May)  jury (June)  retake (Sept)  employer later
    R     B1A1C2      1               1            3              —
    F     B1A1C2      1               3            —              —
    L     B1A1C2      1               1            3              1 (October)
    every other cell of R, F, L: employer 3 (May) and jury 3 (June)

- R: option off, B1A1C2 has jury 3 but employer 1 -> « non acquis », B1 not validated, no
  title. Option on: the September retake is later than the May employer score -> it decides
  alone: 3 ≥ 2 -> acquired, B1 validated (both competencies), title obtained.
- F: no retake (one jury session, after the employer): the employer still counts with the
  option on -> not acquired either way.
- L: the employer scored again in October, after the retake -> still not acquired.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.engine.promotions import promotion_statistics
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules, load_rules, read_rules_file
from tests.fixtures import scores_frame, tiny_referentiel

REF = tiny_referentiel()
CODES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
MAY, JUNE, SEPT, OCT = "2024-05-15", "2024-06-15", "2024-09-15", "2024-10-15"


def candidates(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"cohort": "X", "candidate_id": ids, "access_route": "CA",
                         "immersion": True, "site": "Lyon"})  # fmt: skip


def retake_scores() -> pd.DataFrame:
    rows = []
    for cid in ("R", "F", "L"):
        for code in CODES:
            if code != "B1A1C2":
                rows += [(cid, code, "entreprise", 3, MAY), (cid, code, "jury", 3, JUNE)]
    rows += [
        ("R", "B1A1C2", "entreprise", 1, MAY), ("R", "B1A1C2", "jury", 1, JUNE),
        ("R", "B1A1C2", "jury", 3, SEPT),
        ("F", "B1A1C2", "entreprise", 1, MAY), ("F", "B1A1C2", "jury", 3, JUNE),
        ("L", "B1A1C2", "entreprise", 1, MAY), ("L", "B1A1C2", "jury", 1, JUNE),
        ("L", "B1A1C2", "jury", 3, SEPT), ("L", "B1A1C2", "entreprise", 1, OCT),
    ]  # fmt: skip
    return scores_frame(rows)


def results(**rules):
    return compute_results(candidates(["R", "F", "L"]), retake_scores(), REF, Rules(**rules))


# -- retake_clears_employer -------------------------------------------------------------------
def test_option_off_keeps_todays_rule():
    """Off (default): R's B1A1C2 stays « non acquis » (jury 3, employer 1): B1 not validated,
    B2 validated, no title; F and L the same."""
    res = results()
    assert res.acquired[:, 1].tolist() == [False, False, False]
    assert res.acquired[:, [0, 2, 3]].all()
    assert res.block_validated.tolist() == [[False, True]] * 3
    assert res.title_obtained.tolist() == [False, False, False]
    assert not res.employer_set_aside.any()


def test_option_on_lets_a_later_retake_decide_alone():
    """On: R's September retake (3) is later than the May employer score (1): acquired, so B1
    (B1A1C1 and B1A1C2 acquired) and the title are obtained. F (no retake) and L (employer
    scored again in October) are unchanged."""
    res = results(retake_clears_employer=True)
    assert res.acquired[:, 1].tolist() == [True, False, False]
    assert res.block_validated.tolist() == [[True, True], [False, True], [False, True]]
    assert res.title_obtained.tolist() == [True, False, False]
    # only R's B1A1C2 employer score is set aside; the score itself is kept for display
    assert res.employer_set_aside.tolist() == [
        [False, True, False, False], [False] * 4, [False] * 4]  # fmt: skip
    assert res.employer[0, 1] == 1


def test_the_option_changes_promotion_counts():
    """2024 (latest jury session of all three is 2024): 3 presented; certified 0 off, 1 on."""
    insertion = pd.DataFrame(columns=["candidate_id", "horizon_months", "status"])
    off = promotion_statistics(results(), insertion).set_index("ANNEE")
    on = promotion_statistics(results(retake_clears_employer=True), insertion).set_index("ANNEE")
    assert (off.loc[2024, "NOMBRE_PRESENTES"], off.loc[2024, "NOMBRE_CERTIFIES"]) == (3, 0)
    assert (on.loc[2024, "NOMBRE_PRESENTES"], on.loc[2024, "NOMBRE_CERTIFIES"]) == (3, 1)


def test_under_mean_a_later_retake_decides_alone_too():
    """Mean rule, R's retake at 2 with the employer at 1: (2 + 1) / 2 = 1.5 < 2 off; on, the
    retake decides alone: 2 ≥ 2, acquired."""
    scores = retake_scores()
    scores.loc[(scores["candidate_id"] == "R") & (scores["session_date"] == SEPT), "score"] = 2
    cands = candidates(["R", "F", "L"])
    off = compute_results(cands, scores, REF, Rules(combine="mean"))
    on = compute_results(cands, scores, REF, Rules(combine="mean", retake_clears_employer=True))
    assert (bool(off.acquired[0, 1]), bool(on.acquired[0, 1])) == (False, True)


def test_under_jury_alone_the_option_changes_nothing():
    """Jury alone: every jury score is 3 in the end, the employer never counts: all acquired."""
    off, on = results(combine="jury"), results(combine="jury", retake_clears_employer=True)
    assert off.acquired.all() and on.acquired.all()
    assert not on.employer_set_aside.any()


# -- neutralise_abroad ------------------------------------------------------------------------
def abroad_statistics(**rules) -> pd.Series:
    """Four certified in 2024 (every jury score 3, June), surveyed at 6 months: targeted job,
    other job, looking for a job, working abroad."""
    ids = ["A0", "A1", "A2", "A3"]
    scores = scores_frame([(cid, code, "jury", 3, JUNE) for cid in ids for code in CODES])
    res = compute_results(candidates(ids), scores, REF, Rules(**rules))
    insertion = pd.DataFrame({
        "candidate_id": ids, "horizon_months": 6,
        "status": ["emploi_metier_vise", "emploi_autre", "recherche_emploi", "etranger"],
    })  # fmt: skip
    return promotion_statistics(res, insertion).set_index("ANNEE").loc[2024]


def test_abroad_is_neutralised_by_default():
    """4 respondents, abroad neutralised -> base 3; employed 2/3 = 66.7 -> 67 %; targeted job
    1/3 = 33.3 -> 33 %."""
    r = abroad_statistics()
    assert (r["REPONDANTS_6MOIS"], r["NEUTRALISES_6MOIS"], r["BASE_6MOIS"]) == (4, 1, 3)
    assert (r["EN_EMPLOI_6MOIS"], r["EMPLOI_METIER_6MOIS"]) == (2, 1)
    assert (r["TAUX_INSERTION_GLOBAL_6MOIS"], r["TAUX_INSERTION_METIER_6MOIS"]) == (67, 33)


def test_abroad_counts_as_employment_when_the_jobs_are_international():
    """Off: nobody neutralised -> base 4; employed 3/4 = 75 % (abroad is a job); targeted job
    1/4 = 25 % (the status does not say the job abroad is the targeted one)."""
    r = abroad_statistics(neutralise_abroad=False)
    assert (r["REPONDANTS_6MOIS"], r["NEUTRALISES_6MOIS"], r["BASE_6MOIS"]) == (4, 0, 4)
    assert (r["EN_EMPLOI_6MOIS"], r["EMPLOI_METIER_6MOIS"]) == (3, 1)
    assert (r["TAUX_INSERTION_GLOBAL_6MOIS"], r["TAUX_INSERTION_METIER_6MOIS"]) == (75, 25)


# -- the options as data: validation, rules files, the sentence every output prints -----------
def test_defaults_are_todays_rules():
    rules = Rules()
    assert (rules.retake_clears_employer, rules.neutralise_abroad) == (False, True)
    assert rules.min_response_rate == 50


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"retake_clears_employer": 1},
         "l'option retake_clears_employer (rattrapage du jury après la note de l'entreprise) "
         "doit valoir true ou false (valeur : « 1 »)"),
        ({"neutralise_abroad": "non"},
         "l'option neutralise_abroad (emploi à l'étranger) doit valoir true ou false "
         "(valeur : « non »)"),
        ({"min_response_rate": 120},
         "le taux de réponse minimal doit être un entier de 0 à 100 (en %, 50 par défaut) "
         "(valeur : « 120 »)"),
        ({"min_response_rate": True},
         "le taux de réponse minimal doit être un entier de 0 à 100 (en %, 50 par défaut) "
         "(valeur : « True »)"),
    ],
)  # fmt: skip
def test_invalid_options_are_refused_in_french(values, message):
    with pytest.raises(CcAnalyticsError) as caught:
        Rules(**values)
    assert str(caught.value).startswith(message)


def test_options_from_a_rules_file(tmp_path):
    path = tmp_path / "regles.toml"
    path.write_text("[rules]\nretake_clears_employer = true\nneutralise_abroad = false\n",
                    encoding="utf-8")  # fmt: skip
    assert read_rules_file(path) == {"retake_clears_employer": True, "neutralise_abroad": False}
    assert load_rules(path) == Rules(retake_clears_employer=True, neutralise_abroad=False)


def test_a_rules_file_with_a_wrong_option_names_the_file(tmp_path):
    path = tmp_path / "regles.toml"
    path.write_text('retake_clears_employer = "oui"\n', encoding="utf-8")
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(
        f"{path} : l'option retake_clears_employer (rattrapage du jury après la note de "
        "l'entreprise) doit valoir true ou false (valeur : « oui »)"
    )


@pytest.mark.parametrize(
    ("rules", "part"),
    [
        (Rules(), "; rattrapage du jury après la note de l'entreprise : la note de "
                  "l'entreprise reste prise en compte ;"),
        (Rules(retake_clears_employer=True),
         "; rattrapage du jury après la dernière note de l'entreprise : le jury décide seul ;"),
        (Rules(combine="jury", retake_clears_employer=True),
         "; rattrapage du jury après la note de l'entreprise : sans objet ;"),
        (Rules(), "; insertion : emploi à l'étranger neutralisé, taux de réponse < 50 % "
                  "signalé ;"),
        (Rules(neutralise_abroad=False, min_response_rate=60),
         "; insertion : emploi à l'étranger compté dans l'emploi, hors métier visé (métiers "
         "internationaux), taux de réponse < 60 % signalé ;"),
    ],
)  # fmt: skip
def test_every_output_states_the_options(rules, part):
    assert part in rules.describe_fr()


def test_followup_lists_what_the_option_leaves_to_retake():
    """Follow-up of cohort X. Off: R, F and L are all listed on B1A1C2 as an employer refusal
    (jury 3, employer 1). On: R has the title and leaves the list; F and L stay, refused."""
    from cc_analytics.engine.followup import EMPLOYER_REFUSAL, followup

    for rules, listed in ((Rules(), ["F", "L", "R"]),
                          (Rules(retake_clears_employer=True), ["F", "L"])):  # fmt: skip
        res = compute_results(candidates(["R", "F", "L"]), retake_scores(), REF, rules)
        table = followup(res, retake_scores(), REF, "X")
        assert sorted(table["candidate_id"]) == listed
        assert set(table["competency"]) == {"B1A1C2"}
        assert set(table["status"]) == {EMPLOYER_REFUSAL}


def test_a_set_aside_employer_score_is_not_the_one_to_raise():
    """S: B1A1C2 employer 1 (May), jury 0 (June), jury retake 1 (September); every other cell
    3. Off: one more jury point (2) would still meet the employer's refusal: not one point
    away. On: the retake is later than the employer's score, which is set aside: jury 1 is one
    point from the threshold (2). Non acquis either way (the jury is under the threshold)."""
    from cc_analytics.engine.followup import NOT_ACQUIRED, followup

    rows = [r for code in CODES if code != "B1A1C2"
            for r in (("S", code, "entreprise", 3, MAY), ("S", code, "jury", 3, JUNE))]  # fmt: skip
    rows += [("S", "B1A1C2", "entreprise", 1, MAY), ("S", "B1A1C2", "jury", 0, JUNE),
             ("S", "B1A1C2", "jury", 1, SEPT)]  # fmt: skip
    scores = scores_frame(rows)
    for rules, near in ((Rules(), False), (Rules(retake_clears_employer=True), True)):
        res = compute_results(candidates(["S"]), scores, REF, rules)
        (row,) = followup(res, scores, REF, "X").itertuples()
        assert (row.competency, row.status, row.employer_score) == ("B1A1C2", NOT_ACQUIRED, 1)
        assert row.one_point_away is near

"""The follow-up of candidates without the title, on a hand-made cohort (threshold 2,
co-validation); every expected row is written out by hand below.

    referentiel: B1 = B1A1C1, B1A1C2 ; B2 = B2A1C1, B2A1C2

    cand  B1A1C1          B1A1C2   B2A1C1   B2A1C2   what stands in the way
    P1    3               1        2        3        B1A1C2 (jury 1: one point away)
    P2    2               3        0        0        the whole of B2 (jury 0, 0)
    P3    3 (employer 1)  2        2        2        B1A1C1: the employer refused (1: one point)
    P4    2               2        3        —        B2A1C2 never evaluated
    P5    1 → 3 (retake)  2        0        2        B2A1C1 only: the retake cleared B1A1C1
    P6    2               2        2        2        nothing: title obtained, not listed
    P7    —               —        —        —        never presented: not listed, « non présenté »
    Q1    0               0        0        0        another cohort: not listed
"""

from __future__ import annotations

import csv
import io
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc_analytics.cli import main
from cc_analytics.engine.followup import followup, jury_sheet, retake_plan
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.referentiel import dump
from tests.fixtures import processed_dataset, scores_frame, tiny_referentiel

REF = tiny_referentiel()
JUNE, SEPT = "2024-06-01", "2024-09-01"
CODES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]  # the referentiel's order


def cohort():
    candidates = pd.DataFrame({
        "cohort": ["K"] * 7 + ["L"],
        "candidate_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "Q1"],
        "access_route": ["CA"] * 8,
        "immersion": [True] * 8,
        "site": ["Lyon"] * 8,
    })  # fmt: skip
    j, e = "jury", "entreprise"
    rows = [
        ("P1", "B1A1C1", j, 3, JUNE), ("P1", "B1A1C2", j, 1, JUNE), ("P1", "B2A1C1", j, 2, JUNE),
        ("P1", "B2A1C2", j, 3, JUNE),
        ("P2", "B1A1C1", j, 2, JUNE), ("P2", "B1A1C2", j, 3, JUNE), ("P2", "B2A1C1", j, 0, JUNE),
        ("P2", "B2A1C2", j, 0, JUNE),
        ("P3", "B1A1C1", j, 3, JUNE), ("P3", "B1A1C1", e, 1, JUNE), ("P3", "B1A1C2", j, 2, JUNE),
        ("P3", "B2A1C1", j, 2, JUNE), ("P3", "B2A1C2", j, 2, JUNE),
        ("P4", "B1A1C1", j, 2, JUNE), ("P4", "B1A1C2", j, 2, JUNE), ("P4", "B2A1C1", j, 3, JUNE),
        ("P5", "B1A1C1", j, 1, JUNE), ("P5", "B1A1C1", j, 3, SEPT), ("P5", "B1A1C2", j, 2, JUNE),
        ("P5", "B2A1C1", j, 0, JUNE), ("P5", "B2A1C2", j, 2, JUNE),
        ("P6", "B1A1C1", j, 2, JUNE), ("P6", "B1A1C2", j, 2, JUNE), ("P6", "B2A1C1", j, 2, JUNE),
        ("P6", "B2A1C2", j, 2, JUNE),
        ("Q1", "B1A1C1", j, 0, JUNE), ("Q1", "B1A1C2", j, 0, JUNE), ("Q1", "B2A1C1", j, 0, JUNE),
        ("Q1", "B2A1C2", j, 0, JUNE),
    ]  # fmt: skip
    scores = scores_frame(rows)
    return candidates, scores


def table():
    candidates, scores = cohort()
    results = compute_results(candidates, scores, REF, Rules(threshold=2))
    return followup(results, scores, REF, "K"), results


def test_each_row_is_what_stands_between_a_candidate_and_a_block():
    out, _ = table()
    got = [(r.candidate_id, r.block, r.competency, r.status, r.one_point_away,
            None if pd.isna(r.jury_score) else int(r.jury_score),
            None if pd.isna(r.employer_score) else int(r.employer_score))
           for r in out.itertuples()]  # fmt: skip
    assert got == [
        ("P1", "B1", "B1A1C2", "non_acquis", True, 1, None),
        ("P2", "B2", "B2A1C1", "non_acquis", False, 0, None),
        ("P2", "B2", "B2A1C2", "non_acquis", False, 0, None),
        ("P3", "B1", "B1A1C1", "refus_entreprise", True, 3, 1),
        ("P4", "B2", "B2A1C2", "non_evalue", False, None, None),
        ("P5", "B2", "B2A1C1", "non_acquis", False, 0, None),
    ]


def test_per_candidate_columns():
    out, _ = table()
    first = out.drop_duplicates("candidate_id").set_index("candidate_id")
    assert first["blocks_validated"].to_dict() == {"P1": "B2", "P2": "B1", "P3": "B2", "P4": "B1",
                                                   "P5": "B1"}  # fmt: skip
    assert first["blocks_missing"].to_dict() == {"P1": "B1", "P2": "B2", "P3": "B1", "P4": "B2",
                                                 "P5": "B2"}  # fmt: skip
    assert first["competencies_missing"].to_dict() == {"P1": 1, "P2": 2, "P3": 1, "P4": 1,
                                                       "P5": 1}  # fmt: skip
    assert first["one_competency_from_title"].to_dict() == {"P1": True, "P2": False, "P3": True,
                                                            "P4": True, "P5": True}  # fmt: skip
    assert out.columns[:9].tolist() == ["candidate_id", "cohort", "block", "competency", "label",
                                        "jury_score", "employer_score", "status",
                                        "last_session_date"]  # fmt: skip
    assert set(out["cohort"]) == {"K"}
    assert out.loc[out["candidate_id"] == "P1", "label"].item() == "Un deux"
    # the date of the latest jury session of that competency (none for P4's B2A1C2)
    dates = dict(zip(out["candidate_id"] + " " + out["competency"], out["last_session_date"],
                     strict=True))  # fmt: skip
    assert dates["P1 B1A1C2"] == pd.Timestamp(JUNE) and pd.isna(dates["P4 B2A1C2"])


def test_the_table_agrees_with_the_metrics():
    out, results = table()
    title = results.title_table()
    missing = title[(title["cohort"] == "K") & title["presented"] & ~title["obtained"]]
    assert sorted(set(out["candidate_id"])) == sorted(missing["candidate_id"]) == [
        "P1", "P2", "P3", "P4", "P5"]  # fmt: skip


def test_retake_plan_counts_candidates_per_competency_in_referentiel_order():
    out, _ = table()
    plan = retake_plan(out, CODES)
    assert plan["competency"].tolist() == CODES  # ready to schedule, block by block
    plan = plan.set_index("competency")
    assert plan["candidates"].to_dict() == {"B1A1C1": 1, "B1A1C2": 1, "B2A1C1": 2, "B2A1C2": 2}
    assert plan.loc["B2A1C1", "candidate_ids"] == "P2, P5"
    assert plan["not_evaluated"].to_dict() == {"B1A1C1": 0, "B1A1C2": 0, "B2A1C1": 0,
                                               "B2A1C2": 1}  # P4  # fmt: skip
    # P3's B1A1C1 is the employer's refusal: a jury retake would not lift it
    assert plan["employer_refusals"].to_dict() == {"B1A1C1": 1, "B1A1C2": 0, "B2A1C1": 0,
                                                   "B2A1C2": 0}  # fmt: skip
    assert plan["one_point_away"].to_dict() == {"B1A1C1": 1, "B1A1C2": 1, "B2A1C1": 0,
                                                "B2A1C2": 0}  # fmt: skip


def test_dates_are_the_jurys_and_a_partly_presented_candidate_gets_the_attestation():
    """S: B1 acquired (jury 3 in June; the employer scored later, in September), B2 never
    scored: B1 validated, B2 not presented, attestation of B1. T: B1A1C1 jury 1 in June and
    employer 3 in September: the row's date is the jury's, June."""
    candidates = pd.DataFrame({"cohort": ["K", "K"], "candidate_id": ["S", "T"],
                               "access_route": "CA", "immersion": True, "site": "Lyon"})  # fmt: skip
    scores = scores_frame([
        ("S", "B1A1C1", "jury", 3, JUNE), ("S", "B1A1C2", "jury", 3, JUNE),
        ("S", "B1A1C1", "entreprise", 3, SEPT),
        ("T", "B1A1C1", "jury", 1, JUNE), ("T", "B1A1C1", "entreprise", 3, SEPT),
        ("T", "B1A1C2", "jury", 2, JUNE), ("T", "B2A1C1", "jury", 2, JUNE),
        ("T", "B2A1C2", "jury", 2, JUNE),
    ])  # fmt: skip
    results = compute_results(candidates, scores, REF, Rules(threshold=2))
    out = followup(results, scores, REF, "K")
    got = [(r.candidate_id, r.competency, r.status, r.last_session_date) for r in out.itertuples()]
    assert got[:2] == [("S", "B2A1C1", "non_evalue", pd.NaT), ("S", "B2A1C2", "non_evalue", pd.NaT)]
    assert got[2] == ("T", "B1A1C1", "non_acquis", pd.Timestamp(JUNE))
    sheet = jury_sheet(results, "K").set_index("candidate_id")
    assert sheet.loc["S"].tolist() == ["validé", "non présenté", "non obtenu", True]
    assert sheet.loc["T"].tolist() == ["non validé", "validé", "non obtenu", True]


def test_jury_sheet_lists_every_candidate_with_blocks_and_attestation():
    _, results = table()
    sheet = jury_sheet(results, "K").set_index("candidate_id")
    assert sheet.loc["P2", ["B1", "B2", "title"]].tolist() == ["validé", "non validé", "non obtenu"]
    assert sheet.loc["P4", ["B1", "B2"]].tolist() == ["validé", "non validé"]
    assert sheet.loc["P6", ["B1", "B2", "title"]].tolist() == ["validé", "validé", "obtenu"]
    assert sheet.loc["P7", ["B1", "B2", "title"]].tolist() == ["non présenté"] * 3
    assert sheet["attestation_de_blocs"].to_dict() == {"P1": True, "P2": True, "P3": True,
                                                       "P4": True, "P5": True, "P6": False,
                                                       "P7": False}  # fmt: skip


# -- one point away: one more point on one score would acquire it ---------------------------
@pytest.mark.parametrize(
    ("combine", "jury", "employer", "near"),
    [
        ("co_validation", 1, None, True),   # jury 1 -> 2
        ("co_validation", 1, 2, True),      # jury 1 -> 2, the employer already agrees
        ("co_validation", 1, 0, False),     # jury 1 -> 2 and employer 0 -> 2: two points
        ("co_validation", 3, 1, True),      # refusal: employer 1 -> 2
        ("co_validation", 0, None, False),
        ("jury", 1, 0, True),               # the employer's score does not count
        ("mean", 1, 2, True),               # mean 1.5: either score + 1 gives 2
        ("mean", 0, 2, False),              # mean 1: two points short
        ("mean", 1, None, True),            # no employer score: the jury's alone
    ],
)  # fmt: skip
def test_one_point_away(combine, jury, employer, near):
    """B1A1C1 is the only competency missing (everything else at 3), threshold 2."""
    rows = [("N", code, "jury", 3, JUNE) for code in ("B1A1C2", "B2A1C1", "B2A1C2")]
    rows += [("N", "B1A1C1", "jury", jury, JUNE)]
    rows += [("N", "B1A1C1", "entreprise", employer, JUNE)] if employer is not None else []
    candidates = pd.DataFrame({"cohort": ["K"], "candidate_id": ["N"], "access_route": ["CA"],
                               "immersion": [True], "site": ["Lyon"]})  # fmt: skip
    scores = scores_frame(rows)
    results = compute_results(candidates, scores, REF, Rules(threshold=2, combine=combine))
    out = followup(results, scores, REF, "K")
    assert out[["competency", "one_point_away"]].values.tolist() == [["B1A1C1", near]]


# -- the same rows whatever the scores: the table agrees with the title ----------------------
SCORE = st.sampled_from([None, 0, 1, 2, 3, 4])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(SCORE, min_size=8, max_size=8), min_size=1, max_size=6),
       st.sampled_from(["co_validation", "jury", "mean"]), st.integers(1, 4))  # fmt: skip
def test_every_candidate_without_the_title_and_only_them(sheets, combine, threshold):
    """Random score sheets (four jury scores, then four employer scores, any of them missing):
    a candidate is listed exactly when presented without the title; each row is a competency
    they did not acquire in a block they did not validate, « non évaluée » exactly when the
    jury never scored it, « one point away » exactly when raising one of its two scores by one
    point would acquire it; every block they miss has a row saying why."""
    codes = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
    ids = [f"R{i}" for i in range(len(sheets))]
    candidates = pd.DataFrame({"cohort": "K", "candidate_id": ids, "access_route": "CA",
                               "immersion": True, "site": "Lyon"})  # fmt: skip
    rules = Rules(threshold=threshold, combine=combine)

    def scores_of(sheets):
        return scores_frame([(cid, code, who, score, JUNE)
                             for cid, sheet in zip(ids, sheets, strict=True)
                             for who, part in (("jury", sheet[:4]), ("entreprise", sheet[4:]))
                             for code, score in zip(codes, part, strict=True)
                             if score is not None])  # fmt: skip

    def acquired_if_raised(candidate, position):
        """Whether the competency is acquired once the score at ``position`` gains a point."""
        raised = [list(sheet) for sheet in sheets]
        raised[candidate][position] += 1
        again = compute_results(candidates, scores_of(raised), REF, rules)
        return bool(again.acquired[candidate, position % 4])

    scores = scores_of(sheets)
    results = compute_results(candidates, scores, REF, rules)
    out = followup(results, scores, REF, "K")

    title = results.title_table()
    listed = set(out["candidate_id"])
    assert listed == set(title.loc[title["presented"] & ~title["obtained"], "candidate_id"])
    blocks = results.block_table().set_index(["candidate_id", "block"])["validated"]
    acquired = results.competency_table().set_index(["candidate_id", "competency"])["acquired"]
    jury = {(cid, code): sheet[i] for cid, sheet in zip(ids, sheets, strict=True)
            for i, code in enumerate(codes)}  # fmt: skip
    for row in out.itertuples():
        assert not blocks[(row.candidate_id, row.block)]
        assert not acquired[(row.candidate_id, row.competency)]
        never_scored = jury[(row.candidate_id, row.competency)] is None
        assert (row.status == "non_evalue") == never_scored
        who, i = ids.index(row.candidate_id), codes.index(row.competency)
        sheet = sheets[who]
        refused = (combine == "co_validation" and not never_scored and sheet[i] >= threshold
                   and sheet[i + 4] is not None and sheet[i + 4] < threshold)  # fmt: skip
        assert (row.status == "refus_entreprise") == refused, (row, sheet)
        one_point = [acquired_if_raised(who, p) for p in (i, i + 4)
                     if sheet[p] is not None and sheet[p] < 4]  # fmt: skip
        assert row.one_point_away == any(one_point), (row, sheet)
    missed = [key for key, validated in blocks.items() if key[0] in listed and not validated]
    assert set(missed) == set(zip(out["candidate_id"], out["block"], strict=True))


# -- the command: CSV for scripts, a workbook for the lead -----------------------------------
@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """The hand-made cohort as a school keeps it, in a workspace of its own."""
    folder = tmp_path_factory.mktemp("project") / "data" / "raw" / "suivi"
    folder.mkdir(parents=True)
    candidates, scores = cohort()
    candidates["immersion"] = "oui"
    candidates.to_csv(folder / "candidates.csv", sep=";", index=False)
    scores["session_date"] = scores["session_date"].dt.strftime("%Y-%m-%d")
    scores.to_csv(folder / "scores.csv", sep=";", index=False)
    dump(REF, folder / "referentiel.yaml")
    return folder


def run(dataset: Path, *argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["followup", str(dataset), "--workspace", str(dataset.parents[2]),
                     "--threshold", "2", *map(str, argv)])  # fmt: skip
    return code, out.getvalue(), err.getvalue()


def test_command_writes_the_csv_scripts_read(dataset, tmp_path):
    out = tmp_path / "suivi.csv"
    code, stdout, err = run(dataset, "--cohort", "K", "--out", out)
    assert (code, err) == (0, "")
    assert "6 ligne(s)" in stdout and "données personnelles" in stdout
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["candidate_id"], r["competency"], r["status"], r["jury_score"],
             r["employer_score"], r["one_point_away"], r["last_session_date"]) for r in rows] == [
        ("P1", "B1A1C2", "non_acquis", "1", "", "True", "2024-06-01"),
        ("P2", "B2A1C1", "non_acquis", "0", "", "False", "2024-06-01"),
        ("P2", "B2A1C2", "non_acquis", "0", "", "False", "2024-06-01"),
        ("P3", "B1A1C1", "refus_entreprise", "3", "1", "True", "2024-06-01"),
        ("P4", "B2A1C2", "non_evalue", "", "", "False", ""),
        ("P5", "B2A1C1", "non_acquis", "0", "", "False", "2024-06-01"),
    ]  # fmt: skip


def test_command_writes_the_workbook_a_lead_works_from(dataset, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "suivi.xlsx"
    assert run(dataset, "--cohort", "K", "--out", out)[0] == 0
    book = load_workbook(out)
    assert book.sheetnames == ["suivi", "bloc B1", "bloc B2", "plan de rattrapage", "jury",
                               "informations"]  # fmt: skip
    follow = book["suivi"]
    assert follow.freeze_panes == "A2"
    header = [c.value for c in follow[1]]
    assert header[:9] == ["Identifiant", "Cohorte", "Bloc", "Compétence", "Intitulé",
                          "Note du jury", "Note de l'entreprise", "Situation",
                          "Dernière session du jury"]  # fmt: skip
    p3 = [c.value for c in follow[5]]
    assert p3[:10] == [
        "P3",
        "K",
        "B1",
        "B1A1C1",
        "Un un",
        3,
        1,
        "acquise par le jury, refusée par l'entreprise",
        datetime(2024, 6, 1),
        "oui",
    ]
    assert follow["I5"].number_format == "DD/MM/YYYY"  # a real date, shown the French way
    assert [r[0] for r in book["bloc B1"].iter_rows(min_row=2, values_only=True)] == ["P1", "P3"]
    jury = {r[0]: r[1:] for r in book["jury"].iter_rows(min_row=2, values_only=True)}
    assert jury["P6"][:4] == ("validé", "validé", "obtenu", None)
    assert jury["P2"][:4] == ("validé", "non validé", "non obtenu", "oui")
    # the pseudonym the cohort report prints, last, so a lead finds the candidate from it
    assert header[-1] == "Pseudonyme (rapports)"
    pseudonyms = {r[0]: r[-1] for r in follow.iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["jury"][1]][-1] == "Pseudonyme (rapports)"
    assert jury["P3"][-1] == pseudonyms["P3"] != jury["P2"][-1] == pseudonyms["P2"]
    assert all(re.fullmatch(r"C-[0-9a-f]{6}", p) for p in pseudonyms.values())
    info = dict(book["informations"].iter_rows(min_row=2, values_only=True))
    assert "données personnelles" in info["Données personnelles"]
    assert "cohorte K" in info["Document"]


def test_unknown_cohort_is_named_with_the_known_ones(dataset, tmp_path):
    code, _, err = run(dataset, "--cohort", "Z9", "--out", tmp_path / "x.csv")
    assert code != 0 and "cohorte inconnue" in err and "K, L" in err
    assert "Traceback" not in err and not (tmp_path / "x.csv").exists()


def test_the_command_agrees_with_metrics_on_the_demo(tmp_path):
    """Every candidate listed is counted without the title by ``metrics`` for that cohort,
    and every candidate counted so is listed: per cohort, n - k of the title row."""
    catalog = processed_dataset(tmp_path / "data" / "raw" / "demo")
    from cc_analytics.reporting.context import load_context
    from cc_analytics.reporting.tables import followup_table, metrics_table

    ctx = load_context(catalog)
    title = metrics_table(ctx).query("level == 'title'").set_index("cohort")
    for cohort, row in title.iterrows():
        listed = followup_table(ctx, cohort)["candidate_id"].nunique()
        assert listed == row["n"] - row["k"], cohort

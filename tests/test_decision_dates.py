"""Decision dates (issue 13, point 1), the survey date column, and known gaps at the gate.

Referentiel: tests/fixtures.py's tiny one (B1A1C1, B1A1C2, B2A1C1, B2A1C2; threshold 2),
except for the gap test (the shipped one, which lacks B2A2C1). Scores, by hand:

    candidate  session(s) (jury)                       decision of the latest   promotion
    C1         2024-12-10, all 3                       15/01/2025               2025 (decision)
    C2         2024-12-10, all 3                       —                        2024 (session)
    C3         2024-06-01 (B1A1C2 at 1), decided       2025-01-20               2025 (decision,
               2024-06-20; retake 2024-12-10 at 3                                not 2024-06-20)
    C4         2024-12-10, B2A1C2 at 1 (not certified) 2025-01-15               2025 (presented)

Certified: C1, C2, C3 -> 2025: C1, C3; 2024: C2. Decision date used for 2, session date for 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cc_analytics.engine.promotions import promotion_date_note, promotion_statistics
from cc_analytics.engine.results import compute_results
from cc_analytics.gate.ingest import typed_tables
from cc_analytics.gate.validation import run_gate
from cc_analytics.workspace.processed import Tables
from tests.fixtures import tiny_referentiel

REF = tiny_referentiel()
CANDIDATES = (
    "cohort;candidate_id;access_route;immersion\nX;C1;FI;non\nX;C2;FI;non\nX;C3;VAE;\nX;C4;FI;non\n"
)
WIDE_JURY = (
    "candidate_id;session_date;decision_date;B1A1C1;B1A1C2;B2A1C1;B2A1C2\n"  # 1
    "C1;2024-12-10;15/01/2025;3;3;3;3\n"  # 2
    "C2;10/12/2024;;3;3;3;3\n"  # 3
    "C3;2024-06-01;2024-06-20;3;1;3;3\n"  # 4
    "C3;2024-12-10;2025-01-20;;3;;\n"  # 5: the retake, decided in January
    "C4;2024-12-10;2025-01-15;3;3;3;1\n"  # 6
)
LONG_HEADER = "candidate_id;competency;evaluator;score;session_date;Date de délibération\n"
CODES = ("B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2")


def long_scores() -> str:
    """The scores of WIDE_JURY, one row each (the decision date repeated on each row, except
    C3's first session, decided on one row only: a blank beside it is no conflict)."""
    rows = []
    for cid, session, decision, scores in (
        ("C1", "2024-12-10", "15/01/2025", (3, 3, 3, 3)),
        ("C2", "10/12/2024", "", (3, 3, 3, 3)),
        ("C3", "2024-06-01", "2024-06-20", (3, 1, 3, 3)),
        ("C3", "2024-12-10", "2025-01-20", (None, 3, None, None)),
        ("C4", "2024-12-10", "2025-01-15", (3, 3, 3, 1)),
    ):
        for i, (code, score) in enumerate(zip(CODES, scores, strict=True)):
            if score is None:
                continue
            said = "" if cid == "C3" and session == "2024-06-01" and i else decision
            rows.append(f"{cid};{code};jury;{score};{session};{said}\n")
    return LONG_HEADER + "".join(rows)


def dataset(folder: Path, files: dict[str, str]) -> str:
    folder.mkdir(parents=True)
    (folder / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return str(folder)


def gated_tables(folder: str, referentiel=REF) -> Tables:
    gate = run_gate(folder, referentiel)
    assert gate.problems == []
    return typed_tables(gate.raw)


def by_candidate(tables: Tables):
    results = compute_results(tables.candidates, tables.scores, REF)
    frame = results.candidates.assign(date=results.promotion_date,
                                      decided=results.promotion_decided,
                                      obtained=results.title_obtained)  # fmt: skip
    return results, frame.set_index("candidate_id")


LAYOUTS = {
    "wide": {"jury.csv": WIDE_JURY},
    "long": {"scores.csv": long_scores()},
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_december_session_decided_in_january_counts_in_the_next_year(tmp_path, layout):
    tables = gated_tables(dataset(tmp_path / "d", LAYOUTS[layout]))
    assert pd.api.types.is_datetime64_any_dtype(tables.scores["decision_date"])
    results, c = by_candidate(tables)
    assert c.loc["C1", "date"] == pd.Timestamp("2025-01-15")  # scored 2024-12-10
    assert c.loc["C1", "year"] == 2025 and c.loc["C1", "decided"]
    # the latest session's decision, not the first session's (2024-06-20)
    assert c.loc["C3", "date"] == pd.Timestamp("2025-01-20") and c.loc["C3", "year"] == 2025
    assert c.loc["C4", "year"] == 2025 and not c.loc["C4", "obtained"]
    stats = promotion_statistics(results, tables.insertion).set_index("ANNEE")
    assert stats["NOMBRE_CERTIFIES"].to_dict() == {2024: 1, 2025: 2}
    assert stats["NOMBRE_PRESENTES"].to_dict() == {2024: 1, 2025: 3}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_without_a_decision_date_the_session_date_is_the_promotion_date(tmp_path, layout):
    tables = gated_tables(dataset(tmp_path / "d", LAYOUTS[layout]))
    _, c = by_candidate(tables)
    assert c.loc["C2", "date"] == pd.Timestamp("2024-12-10")
    assert c.loc["C2", "year"] == 2024 and not c.loc["C2", "decided"]


def test_scores_without_the_column_keep_todays_years(tmp_path):
    jury = "\n".join(",".join(line.split(";")[:2] + line.split(";")[3:])
                     for line in WIDE_JURY.splitlines()) + "\n"  # fmt: skip
    tables = gated_tables(dataset(tmp_path / "d", {"jury.csv": jury}))
    assert "decision_date" not in tables.scores  # no column: no date per score row
    results, c = by_candidate(tables)
    assert c["year"].to_dict() == {"C1": 2024, "C2": 2024, "C3": 2024, "C4": 2024}
    assert not c["decided"].any()
    assert promotion_date_note(results) == (
        "Année de promotion : date de session pour les 3 certifiés (aucune date de "
        "délibération dans les notes du jury : colonne decision_date)."
    )


def test_the_note_counts_decision_and_session_dates(tmp_path):
    results, _ = by_candidate(gated_tables(dataset(tmp_path / "d", LAYOUTS["wide"])))
    # certified: C1 and C3 by their decision, C2 by its session; C4 (not certified) not counted
    assert promotion_date_note(results) == (
        "Année de promotion : date de délibération pour 2 certifiés, date de session à défaut "
        "pour 1."
    )


def test_differing_decision_dates_in_one_session_are_refused_naming_the_rows(tmp_path):
    wide = (
        "candidate_id;session_date;date_deliberation;B1A1C1;B1A1C2;B2A1C1;B2A1C2\n"  # 1
        "C1;2024-12-10;2025-01-15;3;3;;\n"  # 2
        "C1;2024-12-10;2025-01-22;;;3;3\n"  # 3: same session, another decision
        "C2;2024-12-10;2025-01-15;3;3;;\n"  # 4
        "C2;2024-12-10;;;;3;3\n"  # 5: blank beside a date: no conflict
        "C3;2024-12-10;32/01/2025;3;3;3;3\n"  # 6: not a date
        "C4;2024-12-10;2025-02-30;3;3;3;3\n"  # 7: not in the calendar
    )
    long = LONG_HEADER + (
        "C1;B1A1C1;jury;3;2024-06-01;2024-06-20\n"  # 2
        "C1;B1A1C2;jury;3;2024-06-01;21/06/2024\n"  # 3
        "C1;B2A1C1;jury;3;2024-06-01;2024-06-20\n"  # 4
    )
    problems = [
        *run_gate(dataset(tmp_path / "wide", {"jury.csv": wide}), REF).problems,
        *run_gate(dataset(tmp_path / "long", {"scores.csv": long}), REF).problems,
    ]
    assert {(p.file, p.row, p.column, p.value, p.message) for p in problems} == {
        ("jury.csv", "2, 3", "date_deliberation", "2025-01-15 », « 2025-01-22",
         "dates de délibération différentes pour le candidat C1 (session du 2024-12-10) : "
         "2025-01-15 et 2025-01-22"),
        ("scores.csv", "2, 3, 4", "Date de délibération", "2024-06-20 », « 2024-06-21",
         "dates de délibération différentes pour le candidat C1 (session du 2024-06-01) : "
         "2024-06-20 et 2024-06-21"),
        ("jury.csv", "6", "date_deliberation", "32/01/2025", "date de délibération non reconnue"),
        ("jury.csv", "7", "date_deliberation", "2025-02-30", "date inexistante"),
    }  # fmt: skip
    assert len(problems) == 4
    conflict = next(p for p in problems if p.message.startswith("dates de délibération"))
    assert conflict.hint.startswith("Un jury délibère une fois par session")


def test_the_survey_date_column_reaches_the_typed_insertion_table(tmp_path):
    survey = (
        "candidate_id;horizon_months;status;date_enquete\n"
        "C1;6;emploi_metier_vise;15/07/2025\n"
        "C2;6;non_repondant;\n"
    )
    with_dates = gated_tables(dataset(tmp_path / "a", {**LAYOUTS["wide"],
                                                       "insertion.csv": survey}))  # fmt: skip
    dates = with_dates.insertion.set_index("candidate_id")["survey_date"]
    assert pd.api.types.is_datetime64_any_dtype(dates)
    assert dates["C1"] == pd.Timestamp("2025-07-15") and pd.isna(dates["C2"])
    plain = "\n".join(line.rsplit(";", 1)[0] for line in survey.splitlines()) + "\n"
    without = gated_tables(dataset(tmp_path / "b", {**LAYOUTS["wide"], "insertion.csv": plain}))
    assert "survey_date" not in without.insertion  # no column: no survey date check


def test_a_wrong_survey_date_is_refused(tmp_path):
    survey = "candidate_id;horizon_months;status;date_enquete\nC1;6;emploi_autre;juillet 2025\n"
    folder = dataset(tmp_path / "d", {**LAYOUTS["wide"], "insertion.csv": survey})
    assert [(p.file, p.row, p.column, p.value, p.message) for p in run_gate(folder, REF).problems
            ] == [("insertion.csv", "2", "date_enquete", "juillet 2025",
                   "date d'enquête non reconnue")]  # fmt: skip


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_a_known_gap_of_the_referentiel_is_not_called_unknown(tmp_path, layout):
    if layout == "wide":
        files = {"jury.csv": "candidate_id;session_date;B1A1C1;B2A2C1\nC1;2024-06-01;3;3\n"}
        row, column = "1", "B2A2C1"  # a grid's code is its column title: the header row
    else:
        files = {
            "scores.csv": "candidate_id;competency;evaluator;score;session_date\n"
            "C1;B1A1C1;jury;3;2024-06-01\nC1;B2A2C1;jury;3;2024-06-01\n"
        }
        row, column = "3", "competency"
    problems = run_gate(dataset(tmp_path / "d", files)).problems  # the shipped referentiel
    assert [(p.file, p.row, p.column, p.value, p.message) for p in problems] == [
        (
            next(iter(files)),
            row,
            column,
            "B2A2C1",
            "B2A2C1 est absente du référentiel fourni (lacune de la source)",
        )
    ]
    assert "--add B2A2C1" in problems[0].hint and "inconnu" not in problems[0].message


def test_an_unknown_code_is_still_called_unknown(tmp_path):
    files = {"jury.csv": "candidate_id;session_date;B1A1C1;B9A9C9\nC1;2024-06-01;3;3\n"}
    problems = run_gate(dataset(tmp_path / "d", files)).problems
    assert [p.message for p in problems] == ["code de compétence inconnu du référentiel"]


def test_the_renewal_report_says_which_date_dated_the_promotions(tmp_path, monkeypatch):
    """Through ingest and a report context, with the shipped referentiel (every competency at
    3): C1 decided in January, C2 without a decision; a survey file with its dates."""
    from cc_analytics import load_context
    from cc_analytics.referentiel import load
    from cc_analytics.reporting.views import renewal_view
    from tests.fixtures import in_workspace, processed_dataset

    in_workspace(tmp_path, monkeypatch)
    codes = load().competencies["code"].tolist()
    threes = ";".join("3" for _ in codes)
    folder = Path(dataset(tmp_path / "data" / "raw" / "dd", {
        "jury.csv": f"candidate_id;session_date;decision_date;{';'.join(codes)}\n"
                    f"C1;2024-12-10;2025-01-15;{threes}\nC2;2024-12-10;;{threes}\n",
        "insertion.csv": "candidate_id;horizon_months;status;date_enquete\n"
                         "C1;6;emploi_metier_vise;2025-07-15\n",
    }))  # fmt: skip
    processed_dataset(folder)
    ctx = load_context("dd")
    assert ctx.tables.insertion["survey_date"].tolist() == [pd.Timestamp("2025-07-15")]
    view = renewal_view(ctx)
    assert view.date_note == (
        "Année de promotion : date de délibération pour 1 certifié, date de session à défaut "
        "pour 1."
    )
    assert view.promotions["ANNEE"].tolist() == [2024, 2025]

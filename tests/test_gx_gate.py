"""The GX gate on tiny hand-written tables: every wrong cell is placed by hand, and each
expectation must report exactly those rows. Great Expectations is slow to start, so each table is
validated once per module and the tests read the shared results."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.gate.gx import SUITES_DIR, load_suite, validate_table

IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND = "expect_compound_columns_to_be_unique"
REGEX = "expect_column_values_to_match_regex"
EXISTS = "expect_column_to_exist"

CANDIDATE_IDS = ["c1", "c2", "c3"]
COMPETENCY_CODES = ["B1A1C1", "B1A1C2"]
SCORE_PARAMETERS = {"candidate_ids": CANDIDATE_IDS, "competency_codes": COMPETENCY_CODES}


def text_table(columns: dict[str, list], index=None) -> pd.DataFrame:
    """A canonical text-level table: every column of pandas' ``str`` dtype."""
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()}).set_axis(
        index if index is not None else range(len(next(iter(columns.values())))), axis=0
    )


BAD_CANDIDATES = text_table(
    {
        "cohort": ["2024", "2024", None, "2024", "2024", "2025"],
        "candidate_id": ["c1", "c2", "c3", "c3", None, "c5"],
        "access_route": ["FI", "VAE", "CA", "apprentissage", "FC", None],
        "immersion": ["oui", None, "non", "oui", "peut-être", "non"],
        "site": ["Lyon", None, None, None, None, None],
    }
)
# (expectation, column) -> (positions, values), read off the table above.
CANDIDATE_FAILURES = {
    (NOT_NULL, "cohort"): ((2,), (None,)),
    (NOT_NULL, "candidate_id"): ((4,), (None,)),
    (NOT_NULL, "access_route"): ((5,), (None,)),
    (UNIQUE, "candidate_id"): ((2, 3), ("c3", "c3")),
    (IN_SET, "access_route"): ((3,), ("apprentissage",)),
    (IN_SET, "immersion"): ((4,), ("peut-être",)),
}

BAD_SCORES = text_table(
    {
        "candidate_id": ["c1", "c1", "c1", "c9", "c2", "c2", "c3", "c3", "c3"],
        "competency": [
            "B1A1C1",
            "B1A1C1",
            "B1A1C1",
            "B1A1C1",
            "B9A9C9",
            "B1A1C2",
            "B1A1C1",
            "B1A1C2",
            None,
        ],
        "evaluator": [
            "jury",
            "entreprise",
            "entreprise",
            "jury",
            "jury",
            "prof",
            "jury",
            "jury",
            "jury",
        ],
        # row 1: not evaluated (allowed); rows 4-7: not a score
        "score": ["3", None, "2", "4", "A", "5", "-1", "3,5", "1"],
        # rows 1-2: no date (allowed), and the same key twice: a duplicate
        "session_date": [
            "2024-06-01",
            None,
            None,
            "2024-06-01",
            "2024-06-01",
            "2024-06-01",
            "12/06/2024",
            "2024-06-01",
            "2024-06-01",
        ],
    }
)
SCORE_FAILURES = {
    (NOT_NULL, "competency"): ((8,), (None,)),
    (IN_SET, "candidate_id"): ((3,), ("c9",)),
    (IN_SET, "competency"): ((4,), ("B9A9C9",)),
    (IN_SET, "evaluator"): ((5,), ("prof",)),
    (IN_SET, "score"): ((4, 5, 6, 7), ("A", "5", "-1", "3,5")),
    (REGEX, "session_date"): ((6,), ("12/06/2024",)),
    (COMPOUND, "candidate_id, competency, evaluator, session_date"): (
        (1, 2),
        (("c1", "B1A1C1", "entreprise", None), ("c1", "B1A1C1", "entreprise", None)),
    ),
}

# A non-default index: failures still come back as row positions.
BAD_INSERTION = text_table(
    {
        "candidate_id": ["c1", "c1", "c2", "c2", "c3", "c7"],
        "horizon_months": ["6", "24", "6", "6", "12", "24"],
        "status": [
            "emploi_metier_vise",
            "emploi_autre",
            "non_repondant",
            "alternance",
            "CDI",
            None,
        ],
    },
    index=list("uvwxyz"),
)
INSERTION_FAILURES = {
    (NOT_NULL, "status"): ((5,), (None,)),
    (IN_SET, "candidate_id"): ((5,), ("c7",)),
    (IN_SET, "horizon_months"): ((4,), ("12",)),
    (IN_SET, "status"): ((4,), ("CDI",)),
    (COMPOUND, "candidate_id, horizon_months"): ((2, 3), (("c2", "6"), ("c2", "6"))),
}


@pytest.fixture(scope="module")
def results():
    scores_before = BAD_SCORES.copy()
    found = {
        "candidates": validate_table("candidates", BAD_CANDIDATES),
        "scores": validate_table("scores", BAD_SCORES, SCORE_PARAMETERS),
        "insertion": validate_table("insertion", BAD_INSERTION, {"candidate_ids": CANDIDATE_IDS}),
    }
    pd.testing.assert_frame_equal(BAD_SCORES, scores_before)  # the input is never modified
    return found


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("candidates", CANDIDATE_FAILURES),
        ("scores", SCORE_FAILURES),
        ("insertion", INSERTION_FAILURES),
    ],
)
def test_each_expectation_reports_exactly_the_wrong_rows(results, table, expected):
    failures = results[table]
    got = {(f.expectation, f.column): (f.positions, f.values) for f in failures}
    assert got == expected
    assert all(f.table == table and f.description_fr and f.error is None for f in failures)


def test_failures_carry_the_suite_kwargs_with_parameters_unresolved(results):
    by_column = {f.column: f for f in results["scores"] if f.expectation == IN_SET}
    assert by_column["candidate_id"].kwargs == {
        "column": "candidate_id",
        "value_set": {"parameter": "candidate_ids"},
    }
    assert by_column["score"].kwargs["value_set"] == ["0", "1", "2", "3", "4"]
    assert by_column["score"].description_fr.startswith("La note doit être")


CLEAN = {
    "candidates": text_table(
        {
            "cohort": ["2024", "2024"],
            "candidate_id": ["c1", "c2"],
            "access_route": ["VAE", "CQ"],
            "immersion": [None, "oui"],
        }  # no "site": an optional column
    ),
    "scores": text_table(
        {
            "candidate_id": ["c1", "c1", "c2"],
            "competency": ["B1A1C1", "B1A1C1", "B1A1C2"],
            "evaluator": ["jury", "entreprise", "jury"],
            "score": ["0", "4", None],
            "session_date": ["2024-06-01", "2024-06-01", None],
        }
    ),
    "insertion": text_table(
        {"candidate_id": ["c1", "c1"], "horizon_months": ["6", "24"], "status": ["etranger"] * 2}
    ),
}


@pytest.mark.parametrize("table", sorted(CLEAN))
def test_clean_table_gives_no_failure(table):
    assert validate_table(table, CLEAN[table], SCORE_PARAMETERS) == []


def test_a_missing_column_fails_every_check_on_it_never_passes():
    """The readers always give every column; a table handed in directly without one gets an
    error on each check of that column, and the other checks still run."""
    table = BAD_INSERTION.drop(columns="horizon_months")
    failures = validate_table("insertion", table, {"candidate_ids": CANDIDATE_IDS})
    got = {(f.expectation, f.column): f.positions for f in failures}
    assert got == {
        (NOT_NULL, "horizon_months"): (),
        (IN_SET, "horizon_months"): (),
        (COMPOUND, "candidate_id, horizon_months"): (),
        (NOT_NULL, "status"): (5,),
        (IN_SET, "candidate_id"): (5,),
        (IN_SET, "status"): (4,),
    }
    errors = [f for f in failures if "horizon_months" in (f.column or "")]
    assert all(f.error == "colonne absente : « horizon_months »" for f in errors)


def test_missing_parameter_is_an_error():
    with pytest.raises(CcAnalyticsError, match="competency_codes"):
        validate_table("scores", CLEAN["scores"], {"candidate_ids": CANDIDATE_IDS})


@pytest.mark.parametrize(("table", "count"), [("candidates", 6), ("scores", 10), ("insertion", 8)])
def test_committed_suites_load_whole_and_describe_every_check(table, count):
    """One contract expectation per table, holding every check (each counted)."""
    written = json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))
    suite, checks = load_suite(table)
    assert len(written["expectations"]) == len(suite.expectations) == 1
    (contract,) = suite.expectations
    assert contract.expectation_type == "expect_table_to_follow_cc_analytics_contract"
    assert checks == len(contract.rules) == count
    assert all(rule["meta"]["description_fr"] for rule in contract.rules)


def test_an_unknown_contract_rule_is_refused_not_skipped(tmp_path):
    rule = {"type": "expect_column_values_to_be_in_sett", "kwargs": {"column": "score"}}
    write_suite(tmp_path, "odd", [{"type": "expect_table_to_follow_cc_analytics_contract",
                                   "kwargs": {"rules": [rule]}}])  # fmt: skip
    with pytest.raises(CcAnalyticsError, match="règle de contrat inconnue"):
        load_suite("odd", suites_dir=tmp_path)


def write_suite(folder, name, expectations, text=None):
    path = folder / f"{name}.json"
    suite = {"name": name, "expectations": expectations, "meta": {}}
    path.write_text(text if text is not None else json.dumps(suite), encoding="utf-8")
    return path


def test_misspelled_expectation_type_is_not_dropped_silently(tmp_path):
    exists = {"type": EXISTS, "kwargs": {"column": "score"}}
    typo = {"type": "expect_column_values_to_be_in_sett", "kwargs": {"column": "score"}}
    path = write_suite(tmp_path, "typo", [exists, typo])
    with pytest.raises(CcAnalyticsError) as caught:
        load_suite("typo", suites_dir=tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert "expect_column_values_to_be_in_sett" in message
    assert "1 attentes chargées sur 2" in message


@pytest.mark.parametrize(
    ("text", "expectations", "words"),
    [
        ("{not json", None, "JSON invalide"),
        (None, [{"type": IN_SET, "kwargs": {"colum": "score", "value_set": ["1"]}}], "invalide"),
        ('{"name": "bad"}', None, "« expectations »"),
    ],
)
def test_invalid_suite_file_names_the_file(tmp_path, text, expectations, words):
    path = write_suite(tmp_path, "bad", expectations or [], text)
    with pytest.raises(CcAnalyticsError, match=words) as caught:
        load_suite("bad", suites_dir=tmp_path)
    assert str(path) in str(caught.value)


def test_an_expectation_that_cannot_run_is_a_failure_never_a_pass(tmp_path):
    write_suite(
        tmp_path,
        "odd",
        [
            {"type": EXISTS, "kwargs": {"column": "score"}},
            # comparing text with numbers raises inside GX
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "score", "min_value": 0, "max_value": 4},
            },
            # no expect_column_to_exist reports "grade": the skipped check must say so
            {"type": IN_SET, "kwargs": {"column": "grade", "value_set": ["1"]}},
        ],
    )
    failures = validate_table("odd", text_table({"score": ["1", "2"]}), suites_dir=tmp_path)
    got = {(f.expectation, f.column, f.positions) for f in failures}
    assert got == {
        ("expect_column_values_to_be_between", "score", ()),
        (IN_SET, "grade", ()),
    }
    assert all(f.error for f in failures)
    assert "« grade »" in failures[-1].error


def test_importing_the_gate_does_not_import_great_expectations():
    code = "import sys, cc_analytics.gate.gx; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_contract_rule_that_cannot_run_is_a_failure_never_a_pass(tmp_path):
    broken = {"type": REGEX, "kwargs": {"column": "score", "regex": "["},  # not a pattern
              "meta": {"description_fr": "motif"}}  # fmt: skip
    write_suite(tmp_path, "odd", [{"type": "expect_table_to_follow_cc_analytics_contract",
                                   "kwargs": {"rules": [broken]}}])  # fmt: skip
    failures = validate_table("odd", text_table({"score": ["1", "2"]}), suites_dir=tmp_path)
    assert [(f.expectation, bool(f.error)) for f in failures] == [
        ("expect_table_to_follow_cc_analytics_contract", True)]  # fmt: skip
    assert "n'a pas pu s'exécuter" in failures[0].error

"""Issue 14, items 1, 2 and 5: a gate that scales, processed tables that read back fast,
progress on long steps.

The fast reader (Arrow's CSV parser) only takes files over ``FAST_CSV_BYTES``: here that bound
is lowered so that the tiny files of the bad-input corpus go through it, and each folder must
give the very problems the tolerant reader gives (the messages of tests/test_validation.py).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc_analytics.core.errors import CcAnalyticsError, DataValidationError
from cc_analytics.core.terminal import Progress
from cc_analytics.gate import pipeline
from cc_analytics.gate.contract_check import _repeated, rule_failures
from cc_analytics.gate.ingest import typed_tables
from cc_analytics.gate.validation import run_gate
from cc_analytics.inputs import read as read_module
from cc_analytics.inputs.read import fast_csv_sheet, read_dataset, rows_of
from cc_analytics.workspace.processed import read_table, write_table
from tests.fixtures import in_workspace
from tests.test_validation import BAD, ONE_PROBLEM, located

CANDIDATES = "cohort;candidate_id;access_route;immersion;site\r\n" + "".join(
    f"2024-LYON;C{n};CA;oui;Lyon\r\n" for n in range(1, 4))  # fmt: skip
SCORES_HEADER = "candidate_id;competency;evaluator;score;session_date\r\n"


@pytest.fixture
def fast(monkeypatch):
    """Every CSV file offered to Arrow's parser first, however small."""
    monkeypatch.setattr(read_module, "FAST_CSV_BYTES", -1)


def rendered(problems) -> list[str]:
    return [p.render() for p in problems]


def write_folder(folder: Path, scores: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "candidates.csv").write_text("\ufeff" + CANDIDATES, encoding="utf-8")
    (folder / "scores.csv").write_text("\ufeff" + scores, encoding="utf-8")
    return folder


# -- item 1: the same problems, message for message, through Arrow's parser --------------------
def gate_problems(folder: Path) -> list:
    """Every problem of a folder, whether the gate reports it or refuses the folder unread."""
    try:
        return run_gate(str(folder)).problems
    except CcAnalyticsError as exc:
        return exc.problems


@pytest.mark.parametrize("case", sorted(p.name for p in BAD.iterdir() if p.is_dir()))
def test_bad_corpus_gives_the_same_problems_through_the_fast_reader(case, monkeypatch):
    tolerant = rendered(gate_problems(BAD / case))
    monkeypatch.setattr(read_module, "FAST_CSV_BYTES", -1)
    through_arrow = gate_problems(BAD / case)
    assert rendered(through_arrow) == tolerant
    if case in ONE_PROBLEM:  # the location test_validation.py expects, read off the files
        expected = ONE_PROBLEM[case]
        assert [located(p) for p in through_arrow] == [
            (expected.file, expected.row, expected.column, expected.value)]  # fmt: skip


# Which files Arrow's parser takes (the others need the tolerant reader, which tells why).
TAKEN = {
    "score_letter/scores.csv": True, "utf8_bom/scores.csv": True,
    "duplicate_header/scores.csv": True, "trailing_separator/scores.csv": True,
    "blank_lines/scores.csv": True,  # blank lines come as rows: numbering kept
    "ragged_row/candidates.csv": False,  # a line wider than the headers
    "cp1252_accents/candidates.csv": False,  # not UTF-8
    "separator_pipe/candidates.csv": False,  # one column
    "empty_file/scores.csv": False,
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_the_fast_reader_takes_plain_files_only(name):
    assert (fast_csv_sheet(BAD / name) is not None) == TAKEN[name]


def test_the_fast_reader_reads_cells_as_the_tolerant_one(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text('candidate_id;competency;evaluator;score;session_date;commentaire\r\n'
                    ' C1 ;B1.A1.C1;Jury;3,0;14/06/2024;"a; b"\r\n'
                    ';;;;;\r\n'
                    'C2;B1A1C2;jury;;2024-06-14;\r\n', encoding="utf-8")  # fmt: skip
    sheet = fast_csv_sheet(path)
    assert sheet is not None
    assert sheet.headers == ("candidate_id", "competency", "evaluator", "score",
                             "session_date", "commentaire")  # fmt: skip
    frame = sheet.frame
    assert frame["candidate_id"].tolist() == ["C1", "C2"]  # stripped
    assert frame["score"].tolist() == ["3,0", ""]
    assert frame["commentaire"].tolist() == ["a; b", ""]
    assert frame["_row"].tolist() == [2, 4]  # the line of separators is not data: row 3 skipped


def test_errors_on_a_big_file_name_the_first_rows_and_count_the_others(tmp_path, fast):
    # rows 2..41 hold the score 9, row 42 a candidate nobody declared
    lines = [f"C{1 + n % 3};B1A1C1;jury;9;2024-06-{1 + n:02d}\r\n" for n in range(28)]
    lines += [f"C{1 + n % 3};B1A1C2;jury;9;2024-06-{1 + n:02d}\r\n" for n in range(12)]
    lines.append("C77;B1A1C1;jury;2;2024-06-14\r\n")
    folder = write_folder(tmp_path / "ecole", SCORES_HEADER + "".join(lines))
    problems = run_gate(str(folder)).problems
    assert [(p.file, p.row, p.column, p.value, p.message) for p in problems] == [
        ("scores.csv", "42", "candidate_id", "C77", "candidat absent du fichier des candidats"),
        ("scores.csv", "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 … et 25 autres",
         "score", "9", "note invalide"),
    ]  # fmt: skip


def test_a_duplicated_key_is_found_on_codes(tmp_path, monkeypatch, fast):
    in_workspace(tmp_path, monkeypatch)
    scores = SCORES_HEADER + ("C1;B1A1C1;jury;3;\r\nC1;B1A1C1;jury;2;\r\n"  # rows 2, 3: no date
                              "C1;B1A1C1;jury;2;2024-06-14\r\n")  # fmt: skip
    folder = write_folder(tmp_path / "ecole", scores)
    with pytest.raises(DataValidationError) as caught:
        pipeline.gate_dataset(folder)
    assert [(p.row, p.value) for p in caught.value.problems] == [
        ("2, 3", "C1 · B1A1C1 · jury · sans date")]  # fmt: skip


def test_a_key_repeated_far_apart_is_found_and_three_times_too(tmp_path, monkeypatch, fast):
    # row 2 and row 5 share a key, rows 3, 6 and 7 another; row 4 is alone
    scores = SCORES_HEADER + (
        "C1;B1A1C1;jury;3;2024-06-14\r\nC2;B1A1C1;jury;3;2024-06-14\r\n"
        "C1;B1A1C2;jury;3;2024-06-14\r\nC1;B1A1C1;jury;2;2024-06-14\r\n"
        "C2;B1A1C1;jury;1;2024-06-14\r\nC2;B1A1C1;jury;4;2024-06-14\r\n"
    )
    folder = write_folder(tmp_path / "ecole", scores)
    assert [(p.row, p.value) for p in run_gate(str(folder)).problems] == [
        ("2, 5", "C1 · B1A1C1 · jury · 2024-06-14"),
        ("3, 6, 7", "C2 · B1A1C1 · jury · 2024-06-14")]  # fmt: skip


@given(st.lists(st.integers(-3, 6), max_size=40))
def test_repeated_numbers_are_those_pandas_calls_duplicated(numbers):
    values = np.array(numbers, dtype=np.int64)
    expected = pd.Series(values).duplicated(keep=False).to_numpy()
    assert _repeated(values.copy).tolist() == expected.tolist()


# -- the typed tables, prepared while Great Expectations loads ----------------------------------
def test_tables_prepared_during_the_gate_are_handed_over_only_when_it_passes(tmp_path, fast):
    good = write_folder(tmp_path / "good", SCORES_HEADER + "C1;B1A1C1;jury;3;2024-06-14\r\n")
    passed = run_gate(str(good), prepare=typed_tables)
    assert passed.passed and passed.prepared is not None
    assert passed.prepared.scores["score"].tolist() == [3]
    # a score of 9 is only seen by Great Expectations: the typed tables were made, then dropped
    bad = write_folder(tmp_path / "bad", SCORES_HEADER + "C1;B1A1C1;jury;9;2024-06-14\r\n")
    made = []
    refused = run_gate(str(bad), prepare=lambda raw: made.append(typed_tables(raw)) or made[-1])
    assert made and refused.prepared is None
    assert [p.message for p in refused.problems] == ["note invalide"]


def test_a_preparation_that_fails_leaves_the_gate_to_say_why(tmp_path, fast):
    bad = write_folder(tmp_path / "bad", SCORES_HEADER + "C1;B1A1C1;jury;trois;2024-06-14\r\n")

    def breaks(raw):
        raise ValueError("not a number")

    refused = run_gate(str(bad), prepare=breaks)
    assert refused.prepared is None
    assert [(p.row, p.value, p.message) for p in refused.problems] == [
        ("2", "trois", "note invalide")]  # fmt: skip


def test_nothing_is_prepared_when_reading_or_cross_checks_found_problems(tmp_path, fast):
    # an employer score for a candidate without immersion: a cross-table problem
    folder = write_folder(tmp_path / "ecole",
                          SCORES_HEADER + "C1;B1A1C1;jury;3;2024-06-14\r\n")  # fmt: skip
    (folder / "candidates.csv").write_text(
        "\ufeff" + CANDIDATES.replace("C1;CA;oui", "C1;CA;non"), encoding="utf-8"
    )
    (folder / "scores.csv").write_text("\ufeff" + SCORES_HEADER
                                       + "C1;B1A1C1;entreprise;3;2024-06-14\r\n",
                                       encoding="utf-8")  # fmt: skip
    made = []
    refused = run_gate(str(folder), prepare=made.append)
    assert not made and refused.prepared is None and refused.problems


CATEGORICAL_RULES = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "v"}},
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "v"}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "v", "value_set": ["a"]}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "v", "regex": "^a$"}},
]


@pytest.mark.parametrize("rule", CATEGORICAL_RULES, ids=lambda r: r["type"])
def test_rules_on_categoricals_flag_the_rows_they_flag_on_text(rule):
    text = pd.DataFrame({"v": pd.Series(["a", None, "b", "a", "c"], dtype="str")})
    coded = text.astype("category")
    expected = {  # read off the five values a, missing, b, a, c
        "expect_column_values_to_not_be_null": [False, True, False, False, False],
        "expect_column_values_to_be_unique": [True, False, False, True, False],
        "expect_column_values_to_be_in_set": [False, False, True, False, True],
        "expect_column_values_to_match_regex": [False, False, True, False, True],
    }[rule["type"]]
    assert rule_failures(text, rule).tolist() == expected
    assert rule_failures(coded, rule).tolist() == expected


def test_rows_of_many_rows_shows_the_first_fifteen_and_counts_the_rest():
    assert rows_of(np.arange(100, 1, -1)) == (
        "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 … et 84 autres"
    )


# -- item 2: typed tables and their Parquet files ----------------------------------------------
def test_typed_scores_are_sorted_categoricals_with_typed_scores_and_dates(tmp_path, fast):
    scores = SCORES_HEADER + ("C2;B1A1C2;jury;4;2024-06-14\r\n"
                              "C1;B1A1C1;jury;3,0;14/06/2024\r\n"
                              "C1;B1A1C1;entreprise;2;2024-06-01\r\n"
                              "C1;B1A1C1;jury;1;\r\n")  # fmt: skip
    raw = read_dataset(write_folder(tmp_path / "ecole", scores))
    typed = typed_tables(raw).scores
    assert typed[["candidate_id", "competency", "evaluator", "score"]].values.tolist() == [
        ["C1", "B1A1C1", "entreprise", 2], ["C1", "B1A1C1", "jury", 1],  # no date: first
        ["C1", "B1A1C1", "jury", 3], ["C2", "B1A1C2", "jury", 4]]  # fmt: skip
    assert typed["session_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "2024-06-01", "", "2024-06-14", "2024-06-14"]  # fmt: skip
    assert str(typed["score"].dtype) == "Int8"
    assert typed["candidate_id"].cat.categories.tolist() == ["C1", "C2"]


def test_processed_tables_round_trip_to_the_same_categoricals(tmp_path):
    ids = [f"C{n:07d}" for n in range(5000)]
    frame = pd.DataFrame({
        "candidate_id": pd.Categorical.from_codes(np.repeat(np.arange(5000), 40), ids),
        "competency": pd.Categorical.from_codes(np.tile(np.arange(20), 10000),
                                                [f"B1A1C{n}" for n in range(20)]),
        "score": pd.array(np.tile([0, 1, 2, 3, None], 40000), dtype="Int8"),
    })  # fmt: skip
    path = tmp_path / "scores.parquet"
    write_table(frame, path)
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups == 1
    back = read_table(path)
    pd.testing.assert_frame_equal(back, frame)
    assert back["candidate_id"].cat.categories.tolist() == ids
    only = read_table(path, ["score", "competency"])
    assert only.columns.tolist() == ["score", "competency"]
    assert isinstance(only["competency"].dtype, pd.CategoricalDtype)


# -- item 5: progress --------------------------------------------------------------------------
def test_raw_files_as_ingested_are_not_hashed_again_and_a_same_size_edit_is(tmp_path,
                                                                            monkeypatch, fast):  # fmt: skip
    from cc_analytics.inputs import folder as folder_module
    from cc_analytics.inputs.folder import locate
    from cc_analytics.referentiel import load
    from cc_analytics.workspace.catalog import dataset_catalog
    from cc_analytics.workspace.processed import current_inputs, read_manifest, staleness

    in_workspace(tmp_path, monkeypatch)
    dataset = write_folder(tmp_path / "data" / "raw" / "ecole",
                           SCORES_HEADER + "C1;B1A1C1;jury;3;2024-06-14\r\n")  # fmt: skip
    pipeline.ingest_dataset(dataset)
    catalog = dataset_catalog(dataset)
    manifest = read_manifest(catalog.processed)
    assert set(manifest["input_stats"]) == {"candidates.csv", "scores.csv"}
    hashed: list[str] = []
    real = folder_module._sha256
    monkeypatch.setattr(
        folder_module, "_sha256", lambda path: hashed.append(path.name) or real(path)
    )
    files = locate(dataset)
    assert current_inputs(catalog, files) == manifest["inputs"] and hashed == []

    scores = dataset / "scores.csv"
    scores.write_bytes(scores.read_bytes().replace(b";3;", b";4;"))  # same size
    later = scores.stat().st_mtime_ns + 10**9
    os.utime(scores, ns=(later, later))
    now = current_inputs(catalog, files)
    assert hashed == ["scores.csv"] and now["scores.csv"] != manifest["inputs"]["scores.csv"]
    assert staleness(catalog, now, load()) is not None


def test_progress_is_plain_lines_off_a_terminal():
    out = io.StringIO()
    progress = Progress(out, tty=False)
    with progress.step("Lecture de scores.csv", 150 * 2**20):
        pass
    lines = out.getvalue().splitlines()
    assert lines[0] == "Lecture de scores.csv (150 Mo)…"
    assert lines[1].startswith("Lecture de scores.csv (150 Mo) : fait en ")
    assert lines[1].endswith(" s")


def test_progress_rewrites_one_line_on_a_terminal():
    out = io.StringIO()
    with Progress(out, tty=True).step("Contrôle des données"):
        pass
    text = out.getvalue()
    assert text.startswith("\rContrôle des données… 0 s")
    assert text.endswith(" s\n") and text.count("\n") == 1
    assert "\rContrôle des données : fait en " in text


def test_small_inputs_have_no_progress_and_big_ones_show_each_step(tmp_path, monkeypatch,
                                                                   capsys, fast):  # fmt: skip
    in_workspace(tmp_path, monkeypatch)
    folder = write_folder(tmp_path / "data" / "raw" / "ecole",
                          SCORES_HEADER + "C1;B1A1C1;jury;3;2024-06-14\r\n")  # fmt: skip
    pipeline.ingest_dataset(folder)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr("cc_analytics.core.terminal.PROGRESS_BYTES", 1)
    pipeline.ingest_dataset(folder)
    started = [line for line in capsys.readouterr().err.splitlines() if line.endswith("…")]
    assert started == [
        "Lecture de candidates.csv…", "Lecture de scores.csv…", "Contrôles croisés…",
        "Préparation des tables typées…", "Contrôle des données (Great Expectations)…",
        "Écriture des tables traitées…",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [b"C9;B1A1C1;jury;2;2024-06-14;de trop\r\n",  # wider than the headers
     "C9;B1A1C1;jury;2;Évry\r\n".encode("cp1252")],  # not UTF-8
    ids=["ragged", "cp1252"],
)  # fmt: skip
def test_a_file_plain_at_its_start_but_not_further_goes_to_the_tolerant_reader(tmp_path, line):
    path = tmp_path / "scores.csv"
    body = "".join(f"C{n};B1A1C1;jury;2;2024-06-14\r\n" for n in range(5000))  # beyond 64 kB
    path.write_bytes((SCORES_HEADER + body).encode() + line + b"C1;B1A1C2;jury;2;\r\n")
    assert fast_csv_sheet(path) is None


def test_blank_lines_far_in_a_file_keep_the_numbers_of_the_rows_after_them(tmp_path):
    path = tmp_path / "scores.csv"
    body = "".join(f"C{n};B1A1C1;jury;2;2024-06-14\r\n" for n in range(5000))  # rows 2-5001
    path.write_text(SCORES_HEADER + body + "\r\n;;;;\r\nC1;B1A1C2;jury;2;\r\n", encoding="utf-8")
    sheet = fast_csv_sheet(path)
    assert sheet is not None
    assert sheet.frame["_row"].tolist()[-2:] == [5001, 5004]  # 5002 blank, 5003 separators

"""Ingest: the demo dataset passes the gate and becomes typed Parquet tables with a manifest;
same inputs give the same bytes; a failed run leaves the previous output intact; raw inputs are
never touched.

The demo is gated twice for the whole module (Great Expectations is slow to start); expected
counts are computed from the CSV files with the standard library, not by cc-analytics."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cc_analytics import __version__
from cc_analytics import referentiel as ref
from cc_analytics.cli import main
from cc_analytics.core.errors import DataValidationError
from cc_analytics.demo import DEMO_DATASET
from cc_analytics.gate.pipeline import ingest_dataset
from cc_analytics.gate.suites import SUITES_DIR as EXPECTATIONS_DIR
from cc_analytics.workspace.processed import read_manifest
from tests.fixtures import in_workspace

BAD = Path(__file__).resolve().parent / "data" / "bad"
GOOD_TINY = BAD / "score_decimal_zero"  # the tiny good dataset, with a 3,0 that reads as 3
OUTPUTS = {"candidates.parquet", "scores.parquet", "insertion.parquet", "manifest.json"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """Ingest the shipped demo twice into two folders; raw hashes before and after."""
    tmp = tmp_path_factory.mktemp("demo")
    raw_before = {p.name: sha256(p) for p in sorted(DEMO_DATASET.iterdir())}
    stat_before = {p.name: p.stat().st_mtime_ns for p in DEMO_DATASET.iterdir()}
    with pytest.MonkeyPatch.context() as mp:
        # a workspace of its own: the validation report and the key stay out of the repository
        in_workspace(tmp, mp)
        first, out_a = ingest_dataset(DEMO_DATASET, out_dir=tmp / "a")
        _, out_b = ingest_dataset(DEMO_DATASET, out_dir=tmp / "b")
    raw_after = {p.name: sha256(p) for p in sorted(DEMO_DATASET.iterdir())}
    stat_after = {p.name: p.stat().st_mtime_ns for p in DEMO_DATASET.iterdir()}
    return {
        "gated": first, "a": out_a, "b": out_b, "report": tmp / "reports" / "demo" / "validation.html",
        "raw": (raw_before, raw_after), "mtimes": (stat_before, stat_after),
    }  # fmt: skip


def test_demo_passes_the_gate_cleanly(demo_runs):
    gate = demo_runs["gated"].gate
    assert gate.problems == []
    scored_cells = sum(
        1
        for name in ("jury.csv", "entreprise.csv")
        for row in csv_rows(DEMO_DATASET / name)[1:]
        for cell in row[2:]  # candidate_id;session_date;B1A1C1;…
        if cell.strip()
    )
    assert gate.rows == {
        "candidates": len(csv_rows(DEMO_DATASET / "candidates.csv")) - 1,
        "scores": scored_cells,
        "insertion": len(csv_rows(DEMO_DATASET / "insertion.csv")) - 1,
    }
    assert gate.rows == {"candidates": 153, "scores": 5508, "insertion": 134}
    suites = {n: json.loads((EXPECTATIONS_DIR / f"{n}.json").read_text()) for n in gate.rows}
    # every check of each suite ran: the rules of its contract expectation
    assert gate.expectations_run == {
        n: len(s["expectations"][0]["kwargs"]["rules"]) for n, s in suites.items()}  # fmt: skip
    assert "Données valides" in demo_runs["report"].read_text(encoding="utf-8")


def test_ingest_writes_the_three_tables_and_a_manifest(demo_runs):
    out = demo_runs["a"]
    assert {p.name for p in out.iterdir()} == OUTPUTS
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == read_manifest(out)
    assert manifest == {
        "dataset": "demo",
        "inputs": {p.name: sha256(p) for p in DEMO_DATASET.iterdir()},
        "rows": {"candidates": 153, "scores": 5508, "insertion": 134},
        "referentiel": ref.load(None).id,
        "package_version": __version__,
        # each raw file's size and modification time, so that a reader tells it unchanged
        # without hashing it again (workspace.processed.current_inputs)
        "input_stats": {p.name: [p.stat().st_size, p.stat().st_mtime_ns]
                        for p in DEMO_DATASET.iterdir()},
    }  # fmt: skip
    assert set(manifest["inputs"]) == {"candidates.csv", "jury.csv", "entreprise.csv",
                                       "insertion.csv"}  # fmt: skip


def test_processed_tables_are_typed_and_hold_the_raw_values(demo_runs):
    out = demo_runs["a"]
    candidates = pd.read_parquet(out / "candidates.parquet")
    scores = pd.read_parquet(out / "scores.parquet")
    insertion = pd.read_parquet(out / "insertion.parquet")
    assert list(candidates.columns) == ["cohort", "candidate_id", "access_route", "immersion",
                                        "site"]  # fmt: skip
    assert candidates["immersion"].dtype == bool
    assert str(scores["score"].dtype) == "Int8"
    assert str(scores["session_date"].dtype).startswith("datetime64")
    assert insertion["horizon_months"].dtype == "int64"
    # candidates.csv row 2: 2023-LYON;C23L001;CA;oui;Lyon
    first = candidates.set_index("candidate_id").loc["C23L001"]
    assert (first["cohort"], first["access_route"], first["immersion"], first["site"]) == (
        "2023-LYON", "CA", True, "Lyon")  # fmt: skip
    # jury.csv row 2: C23L001;2023-06-15;1;… (B1A1C1 = 1); entreprise.csv row 2: … B1A1C1 = 2
    c1 = scores[(scores["candidate_id"] == "C23L001") & (scores["competency"] == "B1A1C1")]
    assert c1[["evaluator", "score"]].values.tolist() == [["entreprise", 2], ["jury", 1]]
    assert c1["session_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-05-23", "2023-06-15"]
    # insertion.csv row 2: C23L002;6;emploi_autre
    assert insertion[insertion["candidate_id"] == "C23L002"].values.tolist()[0] == [
        "C23L002", 6, "emploi_autre"]  # fmt: skip


def test_two_runs_give_byte_identical_outputs(demo_runs):
    a, b = tree_bytes(demo_runs["a"]), tree_bytes(demo_runs["b"])
    assert set(a) == OUTPUTS
    assert a == b


def test_raw_inputs_are_never_modified(demo_runs):
    before, after = demo_runs["raw"]
    assert before == after and len(before) == 4
    assert demo_runs["mtimes"][0] == demo_runs["mtimes"][1]


def test_tiny_dataset_tables_hold_hand_counted_values(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    _, out = ingest_dataset(GOOD_TINY, out_dir=tmp_path / "out")
    scores = pd.read_parquet(out / "scores.parquet")
    # sorted by candidate, competency, evaluator, date; C1 B1A1C1 jury was typed "3,0"
    assert scores[["candidate_id", "competency", "evaluator", "score"]].values.tolist() == [
        ["C1", "B1A1C1", "entreprise", 2],
        ["C1", "B1A1C1", "jury", 3],
        ["C1", "B1A1C2", "jury", 2],
        ["C2", "B1A1C1", "jury", 1],
        ["C2", "B1A1C2", "jury", 4],
        ["C3", "B1A1C1", "jury", 2],
    ]
    candidates = pd.read_parquet(out / "candidates.parquet")
    assert candidates["immersion"].tolist() == [True, False, False]  # C3 (VAE): empty -> False
    assert read_manifest(out)["rows"] == {"candidates": 3, "scores": 6, "insertion": 2}


@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> Path:
    """The tiny good dataset, ingested once for the module."""
    tmp = tmp_path_factory.mktemp("good")
    with pytest.MonkeyPatch.context() as mp:
        in_workspace(tmp, mp)
        _, out = ingest_dataset(GOOD_TINY, out_dir=tmp / "processed")
    return out


@pytest.mark.parametrize("bad", ["several_problems", "empty_file", "separator_pipe"])
def test_a_failed_run_leaves_the_previous_output_intact(tmp_path, monkeypatch, bad, good_output):
    in_workspace(tmp_path, monkeypatch)
    out = tmp_path / "processed" / "promo"
    shutil.copytree(good_output, out)
    before = tree_bytes(out)
    assert set(before) == OUTPUTS

    with pytest.raises(DataValidationError):
        ingest_dataset(BAD / bad, out_dir=out)

    assert tree_bytes(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["promo"]  # no temporary folder left


def test_cli_ingest_writes_to_out_dir_and_a_failed_run_changes_nothing(
    tmp_path, monkeypatch, capsys
):
    in_workspace(tmp_path, monkeypatch)
    out = tmp_path / "sortie"
    assert main(["ingest", str(GOOD_TINY), "--out-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    report = tmp_path / "reports" / "score_decimal_zero" / "validation.html"
    assert printed == f"Tables écrites dans {out} (rapport de validation : {report}).\n"
    before = tree_bytes(out)

    assert main(["ingest", str(BAD / "score_letter"), "--out-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : scores.csv — ligne 3 — colonne « score » : note invalide")
    assert tree_bytes(out) == before

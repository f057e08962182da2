"""One declared table contract: the Great Expectations suites are generated from it, and every
code it allows has its French label in the registry."""

from __future__ import annotations

import json

import pytest

from cc_analytics.contract import SCHEMAS
from cc_analytics.contract.tables import Parameter
from cc_analytics.contract.vocabulary import (
    ACCESS_ROUTE_ALIASES,
    EMPLOYED_STATUSES,
    NEUTRALISED_STATUSES,
    NON_RESPONDENT,
    STATUS_ALIASES,
)
from cc_analytics.core import labels
from cc_analytics.gate.suites import SUITES_DIR, generate, suite_text


def rules_of(suite: dict) -> list[dict]:
    """The checks of a generated suite: the rules of its contract expectation."""
    (contract,) = suite["expectations"]
    assert contract["type"] == "expect_table_to_follow_cc_analytics_contract"
    return contract["kwargs"]["rules"]


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_committed_suites_are_what_the_contract_generates(table):
    """Edit the contract, then ``python -m cc_analytics.gate.suites expectations/``."""
    committed = (SUITES_DIR / f"{table}.json").read_text(encoding="utf-8")
    assert committed == suite_text(SCHEMAS[table])


def test_the_suites_check_what_the_contract_says():
    scores = {(e["type"], e["kwargs"].get("column")): e["kwargs"] for e in
              rules_of(generate(SCHEMAS["scores"]))}  # fmt: skip
    assert scores["expect_column_values_to_be_in_set", "score"]["value_set"] == [
        "0", "1", "2", "3", "4"]  # fmt: skip
    assert scores["expect_column_values_to_be_in_set", "candidate_id"]["value_set"] == {
        "parameter": "candidate_ids"}  # fmt: skip
    insertion = {(e["type"], e["kwargs"].get("column")): e for e in
                 rules_of(generate(SCHEMAS["insertion"]))}  # fmt: skip
    horizons = insertion["expect_column_values_to_be_in_set", "horizon_months"]
    assert horizons["kwargs"]["value_set"] == ["6", "24"]
    assert horizons["meta"]["description_fr"] == "Le délai de l'enquête doit valoir 6 ou 24 (mois)."
    assert all(e["meta"]["description_fr"] for e in rules_of(generate(SCHEMAS["candidates"])))


def test_every_allowed_code_has_its_french_label():
    value_sets = {c.name: c.values for s in SCHEMAS.values() for c in s.columns
                  if c.values is not None and not isinstance(c.values, Parameter)}  # fmt: skip
    assert value_sets["access_route"] == tuple(labels.ACCESS_ROUTES)
    assert value_sets["status"] == tuple(labels.INSERTION_STATUSES)
    assert value_sets["evaluator"] == tuple(labels.EVALUATORS)
    assert value_sets["horizon_months"] == tuple(str(m) for m in labels.SURVEY_HORIZONS)
    assert set(ACCESS_ROUTE_ALIASES.values()) == set(labels.ACCESS_ROUTES)
    assert set(STATUS_ALIASES.values()) == set(labels.INSERTION_STATUSES)
    grouped = EMPLOYED_STATUSES | NEUTRALISED_STATUSES | {NON_RESPONDENT}
    assert grouped <= set(labels.INSERTION_STATUSES)


@pytest.mark.parametrize(
    ("typed", "column"),
    [("Voie d'accès", "access_route"), ("COHORTE", "cohort"), ("Identifiant", "candidate_id"),
     (" Immersion en entreprise ", "immersion"), ("centre", "site")],
)  # fmt: skip
def test_headers_are_compared_without_case_accents_or_punctuation(typed, column):
    from cc_analytics.core.text import fold

    assert SCHEMAS["candidates"].header_map()[fold(typed)] == column


def test_suites_are_plain_great_expectations_files():
    for table in SCHEMAS:
        data = json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))
        assert data["name"] == table and data["expectations"]
        assert all(e["type"].startswith("expect_") for e in data["expectations"])
        assert all(rule["type"].startswith("expect_") for rule in rules_of(data))


def test_no_other_suite_ships():
    assert sorted(p.stem for p in SUITES_DIR.glob("*.json")) == sorted(SCHEMAS)


def test_processed_tables_have_the_types_the_contract_declares(tmp_path, monkeypatch):
    """The typed tables written by ingest follow ``Column.dtype``, column by column."""
    import shutil
    from pathlib import Path

    import pandas as pd

    from cc_analytics.gate.pipeline import gate_dataset
    from tests.fixtures import in_workspace

    in_workspace(tmp_path, monkeypatch)
    bad = Path(__file__).resolve().parent / "data" / "bad"
    shutil.copytree(bad / "score_decimal_zero", tmp_path / "data" / "raw" / "tiny")
    tables = gate_dataset("tiny").tables
    kinds = {"str": pd.api.types.is_string_dtype, "int": pd.api.types.is_integer_dtype,
             "bool": pd.api.types.is_bool_dtype, "date": pd.api.types.is_datetime64_any_dtype}  # fmt: skip
    # the optional date columns no file of this dataset has are left out (test_decision_dates
    # checks them when present)
    headerless = {"decision_date", "survey_date"}
    for name, schema in SCHEMAS.items():
        frame = getattr(tables, name)
        assert list(frame.columns) == [c for c in schema.names if c not in headerless]
        for column in schema.columns:
            if column.name not in headerless:
                assert kinds[column.dtype](frame[column.name]), (name, column.name, frame.dtypes)


def test_report_kinds_and_their_words_go_together():
    from cc_analytics.reporting.kinds import KINDS

    assert set(KINDS) == set(labels.REPORT_TITLES) == set(labels.REPORT_SHORT_LABELS)

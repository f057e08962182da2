"""Exports that cannot become formulas (issue 15, item 4): the OWASP rule on every text cell
of CSV and XLSX, headers and « informations » included; numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.reporting.exports import write_table
from tests.test_cli_metrics import write_dataset

#: Text a spreadsheet would run, one per trigger (OWASP: = + - @ tab carriage return).
HOSTILE = ["=1+1", "+1+1", "-1+cmd|calc!A0", "@SUM(A1)", "\t=1", "\r=1"]
SAFE = ["Lyon", "2024-LYON", "a=b", " -1"]


def table() -> pd.DataFrame:
    n = len(HOSTILE) + len(SAFE)
    return pd.DataFrame({
        "cohort": HOSTILE + SAFE,
        "site": pd.Categorical(["-x"] * n),
        "rate": [-0.09] + [0.5] * (n - 1),
        "n": [-3] + [1] * (n - 1),
    })  # fmt: skip


def test_csv_quotes_formula_text_and_leaves_numbers(tmp_path):
    path = tmp_path / "t.csv"
    write_table(table(), path, {})
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["cohort"] for r in rows] == ["'" + h for h in HOSTILE] + SAFE
    assert {r["site"] for r in rows} == {"'-x"}
    assert (rows[0]["rate"], rows[0]["n"]) == ("-0.09", "-3")  # numbers are not text


def test_xlsx_keeps_formula_text_as_quoted_text_and_numbers_as_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    info = {"Jeu de données": '=HYPERLINK("http://example.invalid",1)', "Règle": "-2"}
    write_table(table(), path, info)
    book = openpyxl.load_workbook(path)
    sheet = book["résultats"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE) + len(SAFE))]
    # shown as written (XML reads a carriage return back as a line feed) …
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in HOSTILE + SAFE]
    assert all(c.data_type == "s" for c in cells)  # … as text, never a formula
    assert [c.quotePrefix for c in cells] == [True] * len(HOSTILE) + [False] * len(SAFE)
    rate, n = sheet["C2"], sheet["D2"]
    assert (rate.value, rate.data_type, n.value, n.data_type) == (-0.09, "n", -3, "n")
    about = {r[0].value: r[1] for r in book["informations"].iter_rows(min_row=2)}
    assert about["Jeu de données"].data_type == "s" and about["Jeu de données"].quotePrefix
    assert about["Règle"].quotePrefix and about["Règle"].value == "-2"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_hostile_cohort_and_folder_never_reach_an_export_as_formulas(tmp_path, suffix):
    """The issue's case: cohort ``-1+cmd|calc!A0`` and a dataset folder named as a formula."""
    project = tmp_path / "project"
    folder = write_dataset(project / "data" / "raw" / '=HYPERLINK("evil.example",1)')
    candidates = (folder / "candidates.csv").read_text(encoding="utf-8")
    (folder / "candidates.csv").write_text(candidates.replace("\nX;", "\n-1+cmd|calc!A0;"),
                                           encoding="utf-8")  # fmt: skip
    out = tmp_path / f"m{suffix}"
    assert main(["metrics", str(folder), "--out", str(out), "--workspace", str(project)]) == 0
    agreement = tmp_path / f"a{suffix}"
    assert main(["agreement", str(folder), "--out", str(agreement),
                 "--workspace", str(project)]) == 0  # fmt: skip
    for path in (out, agreement):
        for text in _texts(path):
            assert not text.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, text)
    assert _texts(out).count("'-1+cmd|calc!A0") == 7  # 4 competencies, 2 blocks, the title
    if suffix == ".xlsx":  # the folder's name, in « informations »
        assert '\'=HYPERLINK("evil.example",1)' in _texts(out)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _texts(path: Path) -> list[str]:
    """Every text cell as a spreadsheet would first read it (the quote prefix included)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [cell for row in csv.reader(handle) for cell in row if not _number(cell)]
    texts = []
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            texts += [("'" if c.quotePrefix else "") + c.value for c in row
                      if isinstance(c.value, str)]  # fmt: skip
    return texts


def test_the_referentiel_as_csv_quotes_formula_labels():
    from cc_analytics.referentiel import from_dict
    from cc_analytics.referentiel.display import competencies_csv
    from tests.fixtures import SCALE

    referentiel = from_dict({"title": "T", "scale": SCALE, "blocks": [{
        "code": "B1", "label": "Bloc", "activities": [{"code": "B1A1", "label": "A", "competencies": [
            {"code": "B1A1C1", "label": "=HYPERLINK(\"http://x\",1)"},
            {"code": "B1A1C2", "label": "Accueillir"}]}]}]})  # fmt: skip
    rows = list(csv.reader(competencies_csv(referentiel).splitlines()))
    assert [r[3] for r in rows[1:]] == ['\'=HYPERLINK("http://x",1)', "Accueillir"]

"""French everywhere a person reads (issue 10, point 5): typography, labels instead of codes,
exports for people (XLSX, ``--excel-fr`` CSV), and the rendered pages read in a real browser."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from cc_analytics import cli
from cc_analytics.cli.common import EXIT_USAGE
from cc_analytics.core.labels import ACCESS_ROUTES
from cc_analytics.gate.report import _counts
from cc_analytics.reporting import charts
from cc_analytics.reporting import formatting as fr
from cc_analytics.reporting.exports import for_people, write_table
from cc_analytics.reporting.views.cohort import item_names, route_names

MINUS, THIN, NBSP = "\u2212", "\u202f", "\u00a0"


# -- typography --------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (-0.0912, f"{MINUS}0,09"),
    (2.4324, "2,43"),
    (-1234.5, f"{MINUS}1{THIN}234,50"),
    (-0.001, "0,00"),  # rounded to nothing: no sign
    (None, "—"),
])  # fmt: skip
def test_decimal(value, expected):
    assert fr.decimal(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (5508, f"5{THIN}508"), (1234567, f"1{THIN}234{THIN}567"), (-3, f"{MINUS}3"), (0, "0"),
])  # fmt: skip
def test_number(value, expected):
    assert fr.number(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.853, f"85,3{NBSP}%"), (-0.05, f"{MINUS}5,0{NBSP}%"), (12.5, f"1{THIN}250,0{NBSP}%"),
])  # fmt: skip
def test_percent(value, expected):
    assert fr.percent(value) == expected


def test_signed_points_and_intervals_use_the_minus_sign_and_a_semicolon():
    assert fr.signed_points(-0.042) == f"{MINUS}4,2{NBSP}pt"
    assert fr.signed_points(-0.0004) == f"0,0{NBSP}pt"
    assert charts.kappa_interval(-0.15, 0.82) == f"[{MINUS}0,15 ; 0,82]"
    assert charts.difference_interval(-0.036, 0.59) == f"[{MINUS}3,6{NBSP}pt ; +59,0{NBSP}pt]"
    assert fr.interval(0.724, 0.91) == f"[72,4{NBSP}% ; 91,0{NBSP}%]"


def test_a_long_title_is_cut_on_a_word_with_an_ellipsis():
    title = "Assurer le conseil, la promotion et la vente de produits et services"
    assert fr.shorten(title, 40) == "Assurer le conseil, la promotion et la…"
    assert fr.shorten("Court", 40) == "Court"
    assert charts.item_label("B3", title, 30) == "B3 — Assurer le conseil, la…"
    assert charts.item_label("B3", title, None) == f"B3 — {title}"


def test_a_title_missing_from_the_source_is_said_so():
    assert charts.item_label("B2", np.nan) == "B2 — intitulé absent de la source"
    assert charts.item_label("B2", " ") == "B2 — intitulé absent de la source"


def test_the_validation_page_groups_thousands():
    assert _counts({"scores": 5508, "candidats": 153}) == {"scores": f"5{THIN}508",
                                                            "candidats": "153"}  # fmt: skip


def test_routes_and_items_of_the_cohort_route_table_are_named():
    codes = pd.Series(["CA", "VAE", "XX"])
    assert route_names(codes).tolist() == ["CA — contrat d'apprentissage",
                                           "VAE — validation des acquis de l'expérience",
                                           "XX — voie inconnue"]  # fmt: skip
    rows = pd.DataFrame({"level": ["title", "block", "block"], "code": ["TITLE", "B1", "B2"],
                         "label": ["Chargé.e de clientèle", "Collecter", np.nan]})  # fmt: skip
    assert item_names(rows).tolist() == ["Titre", "Bloc B1 — Collecter",
                                         "Bloc B2 — intitulé absent de la source"]  # fmt: skip


# -- exports -----------------------------------------------------------------------------------
TABLE = pd.DataFrame({
    "cohort": ["2024-LYON", "2024-LYON"], "access_route": ["CA", "FC"],
    "level": ["title", "block"], "code": ["TITLE", "B2"], "label": ["Chargé.e", None],
    "n": [10, 4], "rate": [0.85, -0.25], "small_group": [False, True], "combine": ["jury"] * 2,
})  # fmt: skip
FRENCH_HEADERS = ["Cohorte", "Voie d'accès", "Niveau", "Code", "Intitulé", "Effectif", "Taux",
                  "Petit effectif", "Combinaison jury–entreprise"]  # fmt: skip


def test_tables_for_people_have_french_headers_and_words():
    shown = for_people(TABLE)
    assert list(shown.columns) == FRENCH_HEADERS
    assert shown.iloc[0].tolist()[:5] == ["2024-LYON", "CA — contrat d'apprentissage", "Titre",
                                          "Titre", "Chargé.e"]  # fmt: skip
    assert shown.iloc[1].tolist()[2:5] == ["Bloc", "B2", "intitulé absent de la source"]
    assert shown["Petit effectif"].tolist() == ["", "oui"]
    assert shown["Combinaison jury–entreprise"].tolist() == ["jury seul"] * 2
    assert TABLE["level"].tolist() == ["title", "block"]  # the input is left as it was


def test_xlsx_has_french_headers_in_a_bold_frozen_row(tmp_path):
    path = write_table(TABLE, tmp_path / "m.xlsx", {"Règles": "acquis si note ≥ 2"})
    sheet = load_workbook(path)["résultats"]
    assert [c.value for c in sheet[1]] == FRENCH_HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["G2"].number_format == "0.0%" and sheet["G2"].value == 0.85
    assert sheet["H2"].value is None and sheet["H3"].value == "oui"


def test_excel_fr_csv_has_a_bom_semicolons_and_decimal_commas(tmp_path):
    path = write_table(TABLE, tmp_path / "m.csv", {}, excel_fr=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == FRENCH_HEADERS
    assert rows[1] == ["2024-LYON", "CA — contrat d'apprentissage", "Titre", "Titre", "Chargé.e",
                       "10", "0,85", "", "jury seul"]  # fmt: skip
    assert rows[2][6] == "-0,25"  # Excel reads the hyphen-minus as a negative number


def test_the_plain_csv_contract_is_unchanged(tmp_path):
    raw = write_table(TABLE, tmp_path / "m.csv", {}).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == list(TABLE.columns)
    assert rows[1] == ["2024-LYON", "CA", "title", "TITLE", "Chargé.e", "10", "0.85", "False",
                       "jury"]  # fmt: skip


@pytest.mark.parametrize("command", ["metrics", "agreement", "promotions", "trends"])
def test_excel_fr_with_an_xlsx_is_a_usage_error_and_writes_nothing(tmp_path, capsys, command):
    out = tmp_path / "t.xlsx"
    assert cli.main([command, "demo", "--excel-fr", "--out", str(out)]) == EXIT_USAGE
    assert "--excel-fr ne s'applique qu'à un fichier .csv" in capsys.readouterr().err
    assert not out.exists()


# -- the rendered pages, read in a browser -------------------------------------------------------
ENGLISH = re.compile(r"\b(TITLE|competency|block|title|True|False|NaN|None)\b")
HYPHEN_NEGATIVE = re.compile(r"(?<![\w\-])-\s?\d")
OPEN_AND_READ = """() => {
    document.querySelectorAll('details').forEach(d => d.open = true);
    return {text: document.body.innerText,
            svg: [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent),
            cells: [...document.querySelectorAll('td, .js-plotly-plot .ytick text, '
                                                  + '.js-plotly-plot .xtick text')]
                   .map(t => t.textContent.trim())};
}"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from cc_analytics.reporting.requests import ReportRequest, build_report

    from .browser import browser_session
    from .fixtures import processed_dataset
    from .test_reports import COHORT, copy_demo

    demo = processed_dataset(copy_demo(tmp_path_factory.mktemp("project")))
    pages = {}
    with browser_session(tmp_path_factory.mktemp("chromium-home")) as browser:
        for kind in ("cohort", "review", "renewal"):
            request = ReportRequest(kind, demo, cohort=COHORT if kind == "cohort" else None)
            visit = browser.visit(build_report(request).html)
            pages[kind] = visit.evaluate(OPEN_AND_READ)
    return pages


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cohort", "review", "renewal"])
def test_no_english_word_on_a_page(rendered, kind):
    page = rendered[kind]
    words = "\n".join([page["text"], *page["svg"]])
    assert sorted(set(ENGLISH.findall(words))) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cohort", "review", "renewal"])
def test_negative_numbers_carry_the_minus_sign(rendered, kind):
    page = rendered[kind]
    found = [m.group(0) for text in [page["text"], *page["svg"]]
             for m in HYPHEN_NEGATIVE.finditer(text)]  # fmt: skip
    assert found == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cohort", "review", "renewal"])
def test_every_route_is_shown_with_its_label(rendered, kind):
    cells = rendered[kind]["cells"]
    assert [c for c in cells if c in ACCESS_ROUTES] == []  # never a bare code
    shown = {c.split(" — ")[0] for c in cells if c.split(" — ")[0] in ACCESS_ROUTES}
    assert shown, "no route on the page"
    for code in shown:
        assert f"{code} — {ACCESS_ROUTES[code]}" in cells

"""``cc-analytics metrics | agreement | promotions`` end to end on dataset folders built from the
tiny fixture, whose results were worked out by hand (see test_results.py, test_agreement.py).

The CSV contract batch jobs rely on: group columns, then level, code, label, n, k, rate,
ci_low, ci_high, mean_score; rates as plain decimals; empty cells where n = 0. The CSVs are
read back as text so that the formatting itself is checked, not what pandas parses.

Cohort X = A, B, C; cohort Y = D alone; cohort Z = E, never scored. Under the default rules
(threshold 2, co-validation), cohort X:

    code     n  k  rate     mean jury score
    B1A1C1   3  2  2/3      (3+4+2)/3 = 3      A blocked by employer 1
    B1A1C2   3  1  1/3      (2+1+2)/3 = 5/3    B's retake 1; C blocked by employer 0
    B2A1C1   3  3  1        (2+3+3)/3 = 8/3
    B2A1C2   1  1  1        4                  only A has a jury score
    B1       3  0  0                           nobody acquired both B1 competencies
    B2       3  1  1/3                         A only (B and C lack B2A1C2)
    TITLE    3  0  0
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.core.labels import EXPORT_HEADERS
from cc_analytics.engine.rules import Rules
from cc_analytics.referentiel import dump
from cc_analytics.reporting.exports import write_table
from tests.fixtures import tiny_candidates, tiny_referentiel, tiny_scores

REF = tiny_referentiel()
CONTRACT = ["level", "code", "label", "n", "k", "rate", "ci_low", "ci_high", "mean_score"]
EMPTY_RESULT = {"rate": "", "ci_low": "", "ci_high": "", "mean_score": ""}
# follow-up survey: D (certified in 2025) works in the targeted job at 6 months and studies at
# 2 years; A (not certified under co-validation) is looking for a job at 6 months
INSERTION = "candidate_id;horizon_months;status\nD;6;emploi_metier_vise\nD;24;poursuite_etudes\n"
INSERTION += "A;6;recherche_emploi\n"


def write_dataset(folder: Path, referentiel=REF, scores=None) -> Path:
    """A dataset folder as a school keeps it: candidates, long scores, survey, referentiel."""
    folder.mkdir(parents=True)
    candidates = tiny_candidates()
    candidates["immersion"] = candidates["immersion"].map({True: "oui", False: "non"})
    candidates.to_csv(folder / "candidates.csv", sep=";", index=False)
    scores = tiny_scores() if scores is None else scores
    scores = scores.assign(session_date=scores["session_date"].dt.strftime("%Y-%m-%d"))
    scores.to_csv(folder / "scores.csv", sep=";", index=False)  # None -> empty cell
    (folder / "insertion.csv").write_text(INSERTION, encoding="utf-8")
    dump(referentiel, folder / "referentiel.yaml")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A workspace shared by the module: its datasets are gated and ingested once, by the first
    command that reads them, and reused while their files do not change."""
    project = tmp_path_factory.mktemp("project")
    (project / "data" / "raw").mkdir(parents=True)
    return project


@pytest.fixture(scope="module")
def tiny(project) -> Path:
    return write_dataset(project / "data" / "raw" / "tiny")


@pytest.fixture
def cli(capsys, monkeypatch, project):
    """Run ``cc-analytics`` in-process in the module's workspace; give (exit code, stdout,
    stderr)."""
    monkeypatch.chdir(project)

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def index(rows: list[dict[str, str]], *keys: str) -> dict[tuple[str, ...], dict[str, str]]:
    out = {tuple(r[k] for k in keys): r for r in rows}
    assert len(out) == len(rows), "one row per group and item"
    return out


def metrics(cli, dataset: Path, out: Path, *options) -> tuple[list[str], list[dict[str, str]]]:
    code, stdout, err = cli("metrics", dataset, "--out", out, *options)
    assert (code, err) == (0, "")
    assert f"lignes écrites dans {out}" in stdout
    return read_csv(out)


@pytest.fixture(scope="module")
def default_csv(tiny, tmp_path_factory) -> tuple[list[str], list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("out") / "metrics.csv"
    assert main(["metrics", str(tiny), "--out", str(out), "--workspace", str(tiny.parents[2])]) == 0
    return read_csv(out)


# -- the CSV contract ------------------------------------------------------------------------
def test_leading_columns(default_csv):
    header, rows = default_csv
    assert header[:10] == ["cohort", *CONTRACT]
    assert len(rows) == 3 * (4 + 2 + 1)  # every cohort lists every item, Z included
    assert [r["cohort"] for r in rows[::7]] == ["X", "Y", "Z"]
    assert [r["level"] for r in rows[:7]] == ["competency"] * 4 + ["block"] * 2 + ["title"]


@pytest.mark.parametrize(
    ("code", "level", "label", "n", "k", "rate", "mean_score"),
    [
        ("B1A1C1", "competency", "Un un", "3", "2", "0.6666666667", "3.0"),
        ("B1A1C2", "competency", "Un deux", "3", "1", "0.3333333333", "1.6666666667"),
        ("B2A1C1", "competency", "Deux un", "3", "3", "1.0", "2.6666666667"),
        ("B2A1C2", "competency", "Deux deux", "1", "1", "1.0", "4.0"),
        ("B1", "block", "Bloc un", "3", "0", "0.0", ""),
        ("B2", "block", "Bloc deux", "3", "1", "0.3333333333", ""),
        ("TITLE", "title", "Titre essai", "3", "0", "0.0", ""),
    ],
)  # fmt: skip
def test_cohort_x_as_computed_by_hand(default_csv, code, level, label, n, k, rate, mean_score):
    r = index(default_csv[1], "cohort", "code")["X", code]
    assert (r["level"], r["label"], r["n"], r["k"]) == (level, label, n, k)
    assert (r["rate"], r["mean_score"]) == (rate, mean_score)


def test_wilson_interval_as_plain_decimals(default_csv):
    r = index(default_csv[1], "cohort", "code")["X", "B1A1C1"]
    # k = 2, n = 3, z = 1.96: centre (2/3 + z²/6)/(1 + z²/3) = 0.5731,
    # half-width z·sqrt(2/27 + z²/36)/(1 + z²/3) = 0.3654 -> [0.2077 ; 0.9385]
    assert float(r["ci_low"]) == pytest.approx(0.2077, abs=5e-5)
    assert float(r["ci_high"]) == pytest.approx(0.9385, abs=5e-5)
    for column in ("ci_low", "ci_high"):
        assert len(r[column]) == len("0.") + 10  # ten decimals, no exponent


def test_one_candidate_cohort(default_csv):
    r = index(default_csv[1], "cohort", "code")["Y", "TITLE"]
    assert (r["n"], r["k"], r["rate"], r["ci_high"]) == ("1", "1", "1.0", "1.0")


def test_empty_cohort_has_empty_results(default_csv):
    empty = [r for r in default_csv[1] if r["cohort"] == "Z"]
    assert len(empty) == 7
    for r in empty:
        assert (r["n"], r["k"]) == ("0", "0")
        assert {c: r[c] for c in EMPTY_RESULT} == EMPTY_RESULT


def test_mean_score_only_on_competency_rows(default_csv):
    rows = [r for r in default_csv[1] if r["cohort"] != "Z"]
    assert all(r["mean_score"] != "" for r in rows if r["level"] == "competency")
    assert all(r["mean_score"] == "" for r in rows if r["level"] != "competency")


def test_rules_are_stamped_on_every_row(default_csv):
    header, rows = default_csv
    rules = ["threshold", "combine", "retake_clears_employer", "neutralise_abroad", "referentiel"]
    assert set(rules) <= set(header)
    assert {tuple(r[c] for c in rules) for r in rows} == {
        ("2", "co_validation", "False", "True", REF.id)
    }


# -- rules from the command line -------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "expected", "y_title"),
    [
        # D (cohort Y) has 2 everywhere and no employer: title obtained at threshold 2 only
        # jury alone: A [1,1,1,1], B [1,0,1,-], C [1,1,1,-] acquired
        (["--combine", "jury"],
         {"B1A1C1": ("3", "1.0"), "B1A1C2": ("2", "0.6666666667"), "B2A1C2": ("1", "1.0"),
          "B1": ("2", "0.6666666667"), "B2": ("1", "0.3333333333"),
          "TITLE": ("1", "0.3333333333")}, "1.0"),
        # mean: A's B1A1C1 (3+1)/2 = 2 acquired, C's B1A1C2 (2+0)/2 = 1 not
        (["--combine", "mean"],
         {"B1A1C1": ("3", "1.0"), "B1A1C2": ("1", "0.3333333333"), "B1": ("1", "0.3333333333"),
          "B2": ("1", "0.3333333333"), "TITLE": ("1", "0.3333333333")}, "1.0"),
        # threshold 3, co-validation: A's employer (1, 3, -, 2) blocks C1 and B2A1C2; only
        # B's 4 on B1A1C1 and B's and C's 3 on B2A1C1 reach 3
        (["--threshold", "3"],
         {"B1A1C1": ("1", "0.3333333333"), "B1A1C2": ("0", "0.0"),
          "B2A1C1": ("2", "0.6666666667"), "B2A1C2": ("0", "0.0"), "B1": ("0", "0.0"),
          "B2": ("0", "0.0"), "TITLE": ("0", "0.0")}, "0.0"),
        # both: jury alone at 3 -> A [1,0,0,1], B [1,0,1,-], C [0,0,1,-]
        (["--combine", "jury", "--threshold", "3"],
         {"B1A1C1": ("2", "0.6666666667"), "B1A1C2": ("0", "0.0"),
          "B2A1C1": ("2", "0.6666666667"), "B2A1C2": ("1", "1.0"), "B1": ("0", "0.0"),
          "B2": ("0", "0.0"), "TITLE": ("0", "0.0")}, "0.0"),
    ],
    ids=["jury", "mean", "threshold-3", "jury-threshold-3"],
)  # fmt: skip
def test_threshold_and_combine_change_the_numbers(cli, tiny, tmp_path, options, expected,
                                                  y_title):  # fmt: skip
    _, rows = metrics(cli, tiny, tmp_path / "m.csv", *options)
    by_code = index(rows, "cohort", "code")
    assert {code: (by_code["X", code]["k"], by_code["X", code]["rate"]) for code in expected} == (
        expected
    )
    assert by_code["X", "B1A1C1"]["n"] == "3"
    assert (by_code["Y", "TITLE"]["n"], by_code["Y", "TITLE"]["rate"]) == ("1", y_title)
    assert by_code["X", "B1A1C1"]["mean_score"] == "3.0"  # jury scores do not depend on rules
    chosen = dict(zip(options[::2], options[1::2], strict=True))
    stamp = (chosen.get("--threshold", "2"), chosen.get("--combine", "co_validation"))
    assert {(r["threshold"], r["combine"]) for r in rows} == {stamp}


# -- groupings --------------------------------------------------------------------------------
def test_by_cohort_and_access_route(cli, tiny, tmp_path):
    header, rows = metrics(cli, tiny, tmp_path / "m.csv", "--by", "cohort,access_route")
    assert header[:11] == ["cohort", "access_route", *CONTRACT]
    groups = list(dict.fromkeys((r["cohort"], r["access_route"]) for r in rows))
    assert groups == [("X", "CA"), ("X", "FI"), ("X", "VAE"), ("Y", "FC"), ("Z", "CL")]
    by = index(rows, "cohort", "access_route", "code")
    # A (CA): B1A1C1 blocked by employer; B1 not validated, B2 validated
    assert (by["X", "CA", "B1A1C1"]["k"], by["X", "CA", "B2"]["rate"]) == ("0", "1.0")
    assert (by["X", "CA", "TITLE"]["n"], by["X", "CA", "TITLE"]["k"]) == ("1", "0")
    # C (FI): B1A1C1 acquired (2, employer 2)
    assert (by["X", "FI", "B1A1C1"]["k"], by["X", "FI", "B1A1C1"]["rate"]) == ("1", "1.0")
    # B (VAE): retake 3 -> 1 on B1A1C2
    r = by["X", "VAE", "B1A1C2"]
    assert (r["n"], r["k"], r["rate"], r["mean_score"]) == ("1", "0", "0.0", "1.0")
    assert {c: by["Z", "CL", "TITLE"][c] for c in EMPTY_RESULT} == EMPTY_RESULT


def test_by_site(cli, tiny, tmp_path, default_csv):
    header, rows = metrics(cli, tiny, tmp_path / "m.csv", "--by", "site")
    assert header[:10] == ["site", *CONTRACT]
    assert len(rows) == 2 * 7
    by = index(rows, "site", "code")
    cohort_x = index(default_csv[1], "cohort", "code")
    for code in ("B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2", "B1", "B2", "TITLE"):
        lyon, x = by["Lyon", code], cohort_x["X", code]  # Lyon is exactly cohort X
        assert [lyon[c] for c in CONTRACT] == [x[c] for c in CONTRACT]
    # Nantes: D (all 2, acquired) and E (never scored: not counted)
    assert (by["Nantes", "TITLE"]["n"], by["Nantes", "TITLE"]["k"]) == ("1", "1")
    assert (by["Nantes", "B1A1C1"]["rate"], by["Nantes", "B1A1C1"]["mean_score"]) == (
        "1.0",
        "2.0",
    )


def test_unknown_group_column(cli, tiny, tmp_path):
    out = tmp_path / "m.csv"
    code, stdout, err = cli("metrics", tiny, "--by", "cohort,campus", "--out", out)
    assert code == 1
    assert err.startswith("Erreur : --by : colonne inconnue : campus. Colonnes possibles : ")
    assert "access_route" in err and "site" in err
    assert stdout == ""
    assert not out.exists()


# -- XLSX -------------------------------------------------------------------------------------
def test_xlsx_percent_formats_and_information_sheet(cli, tiny, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "metrics.xlsx"
    code, _, err = cli("metrics", tiny, "--out", out)
    assert (code, err) == (0, "")
    book = load_workbook(out)
    assert book.sheetnames == ["métriques", "informations"]
    sheet = book["métriques"]
    shown = [c.value for c in sheet[1]]  # French headers in the XLSX, for people
    assert shown[:10] == [EXPORT_HEADERS[c] for c in ["cohort", *CONTRACT]]
    header = [{v: k for k, v in EXPORT_HEADERS.items()}.get(h, h) for h in shown]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 21
    for name in ("rate", "ci_low", "ci_high"):
        cells = [row[header.index(name)] for row in rows]
        assert {c.number_format for c in cells} == {"0.0%"}
    first = {name: cell for name, cell in zip(header, rows[0], strict=True)}
    assert (first["cohort"].value, first["code"].value) == ("X", "B1A1C1")
    assert first["rate"].value == pytest.approx(2 / 3)  # a number Excel shows as 66,7 %
    assert (first["n"].value, first["k"].value) == (3, 2)
    empty = {name: cell.value for name, cell in zip(header, rows[14], strict=True)}
    assert (empty["cohort"], empty["n"]) == ("Z", 0)
    assert [empty[c] for c in EMPTY_RESULT] == [None] * 4

    info = {r[0].value: r[1].value for r in book["informations"].iter_rows(min_row=2)}
    assert info["Référentiel"] == REF.id
    assert info["Règles"] == Rules().describe_fr()
    assert info["Jeu de données"] == "tiny"
    assert "scores.csv : " in info["Fichiers d'entrée (SHA-256)"]


# -- invalid data: the gate speaks, nothing is written ----------------------------------------
@pytest.fixture(scope="module")
def invalid(project) -> Path:
    scores = tiny_scores()
    scores.loc[0, "score"] = 7  # A, B1A1C1, jury: line 2 of scores.csv
    return write_dataset(project / "data" / "raw" / "invalid", scores=scores)


@pytest.mark.parametrize("name", ["metrics.csv", "metrics.xlsx"])
def test_invalid_data_writes_nothing(cli, invalid, tmp_path, name):
    out = tmp_path / name
    code, stdout, err = cli("metrics", invalid, "--out", out)
    assert code == 1
    assert stdout == ""
    assert err.startswith("Erreur : ")
    assert "scores.csv — ligne 2 — colonne « score » : note invalide (valeur : « 7 »)" in err
    assert not out.exists()
    assert list(tmp_path.glob(f".{name}*")) == []  # no temporary file left either


@pytest.mark.parametrize("command", ["agreement", "promotions"])
def test_invalid_data_other_commands(cli, invalid, tmp_path, command):
    out = tmp_path / "out.csv"
    code, _, err = cli(command, invalid, "--out", out)
    assert code == 1
    assert "note invalide (valeur : « 7 »)" in err
    assert not out.exists()


def test_unknown_output_format(tmp_path):
    import pandas as pd

    out = tmp_path / "metrics.ods"
    with pytest.raises(CcAnalyticsError, match="format de sortie inconnu"):
        write_table(pd.DataFrame({"n": [1]}), out, {})
    assert list(tmp_path.iterdir()) == []


# -- external documents hide small groups -----------------------------------------------------
def test_external_hides_small_groups(cli, tiny, tmp_path):
    header, rows = metrics(cli, tiny, tmp_path / "m.csv", "--external")
    assert header[:10] == ["cohort", *CONTRACT]
    by = index(rows, "cohort", "code")
    # X (3 candidates) and Y (1) are below 5: results hidden, head counts kept
    for cohort in ("X", "Y"):
        for code in ("B1A1C1", "B1", "TITLE"):
            r = by[cohort, code]
            assert r["suppressed"] == "True"
            assert r["n"] != ""
            assert (r["k"], r["rate"], r["ci_low"], r["ci_high"], r["mean_score"]) == ("",) * 5
    assert by["X", "TITLE"]["n"] == "3"
    # Z is empty: nothing to hide, and its counts stay integers
    assert (by["Z", "TITLE"]["suppressed"], by["Z", "TITLE"]["k"]) == ("False", "0")
    assert by["Z", "B1A1C1"]["score_0"] == "0"


def test_external_with_a_smaller_threshold_from_a_rules_file(cli, tiny, tmp_path):
    rules = tmp_path / "regles.toml"
    rules.write_text("[rules]\nsmall_group = 2\n", encoding="utf-8")
    _, rows = metrics(cli, tiny, tmp_path / "m.csv", "--by", "site,cohort", "--external",
                      "--rules", rules)  # fmt: skip
    by = index(rows, "site", "cohort", "code")
    # X has 3 candidates (>= 2), but the overall total that the same command publishes (4:
    # A, B, C, D) minus X would give D's result: X is hidden to protect its small neighbour
    guard = by["Lyon", "X", "B1A1C1"]
    assert (guard["suppressed"], guard["n"], guard["k"]) == ("True", "3", "")
    assert guard["privacy"] == "masqué : protège un petit effectif voisin"
    hidden = by["Nantes", "Y", "B1A1C1"]  # D alone
    assert (hidden["suppressed"], hidden["n"], hidden["k"], hidden["rate"]) == (
        "True",
        "1",
        "",
        "",
    )
    # Nantes' other cell (Z) is empty: there is nothing from which to recompute D's result
    assert by["Nantes", "Z", "B1A1C1"]["suppressed"] == "False"


# -- the referentiel's threshold and a rules file ---------------------------------------------
@pytest.fixture(scope="module")
def strict(project) -> Path:
    """The tiny dataset with a referentiel whose acquisition threshold is 3."""
    return write_dataset(project / "data" / "raw" / "strict",
                         referentiel=dataclasses.replace(REF, threshold=3))  # fmt: skip


def test_the_referentiel_threshold_is_the_default(cli, strict, tmp_path):
    _, rows = metrics(cli, strict, tmp_path / "m.csv")
    by = index(rows, "cohort", "code")
    assert by["X", "B1A1C1"]["threshold"] == "3"
    assert (by["X", "B1A1C1"]["k"], by["X", "B2A1C1"]["k"], by["Y", "TITLE"]["k"]) == (
        "1",
        "2",
        "0",
    )


def test_a_rules_file_keeps_the_referentiel_threshold(cli, strict, tmp_path):
    rules = tmp_path / "regles.toml"
    rules.write_text('combine = "jury"\n', encoding="utf-8")
    _, rows = metrics(cli, strict, tmp_path / "m.csv", "--rules", rules)
    assert {(r["threshold"], r["combine"]) for r in rows} == {("3", "jury")}


# -- agreement and promotions -----------------------------------------------------------------
def test_agreement_cli(cli, tiny, tmp_path):
    out = tmp_path / "accord.csv"
    code, stdout, err = cli("agreement", tiny, "--out", out)
    assert (code, err) == (0, "")
    assert f"5 lignes écrites dans {out}" in stdout
    header, rows = read_csv(out)
    assert header[:7] == ["code", "label", "pairs", "kappa", "exact_agreement",
                          "mean_difference", "reading"]  # fmt: skip
    by = index(rows, "code")
    assert list(by) == [("B1A1C1",), ("B1A1C2",), ("B2A1C1",), ("B2A1C2",), ("ENSEMBLE",)]
    overall = by["ENSEMBLE",]
    # 5 pairs; kappa 1 - 2.6/2.68 = 2/67 (worked in test_agreement.py); 1 identical pair of 5;
    # employer - jury: -2, +1, -2, 0, -2 -> -1
    assert overall["pairs"] == "5"
    assert overall["kappa"] == "0.0298507463"  # 2/67 = 0.029850746268...
    assert (overall["exact_agreement"], overall["mean_difference"]) == ("0.2", "-1.0")
    assert overall["reading"] == "faible"
    nobody = by["B2A1C1",]
    assert (nobody["pairs"], nobody["kappa"], nobody["reading"]) == ("0", "", "non calculable")


def test_agreement_by_cohort(cli, tiny, tmp_path):
    out = tmp_path / "accord.csv"
    assert cli("agreement", tiny, "--by", "cohort", "--out", out)[0] == 0
    header, rows = read_csv(out)
    assert header[:2] == ["cohort", "code"]
    assert {r["cohort"] for r in rows} == {"X"}  # only cohort X has jury-employer pairs
    assert index(rows, "cohort", "code")["X", "ENSEMBLE"]["pairs"] == "5"


FICHE = ["ANNEE", "NOMBRE_CERTIFIES", "NOMBRE_CERTIFIES_VAE", "TAUX_INSERTION_GLOBAL_6MOIS",
         "TAUX_INSERTION_METIER_6MOIS", "TAUX_INSERTION_GLOBAL_2ANS", "TAUX_INSERTION_METIER_2ANS"]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "year_2024"),
    [
        # co-validation: nobody certified in 2024; A has one block (B2) without the title
        ([], {"NOMBRE_PRESENTES": "3", "NOMBRE_CERTIFIES": "0", "NOMBRE_BLOCS_SANS_TITRE": "1",
              "TAUX_INSERTION_GLOBAL_6MOIS": ""}),
        # jury alone: A certified; surveyed at 6 months, looking for a job -> 0 % in employment
        (["--combine", "jury"],
         {"NOMBRE_PRESENTES": "3", "NOMBRE_CERTIFIES": "1", "NOMBRE_BLOCS_SANS_TITRE": "1",
          "TAUX_INSERTION_GLOBAL_6MOIS": "0", "REPONDANTS_6MOIS": "1"}),
    ],
    ids=["co_validation", "jury"],
)  # fmt: skip
def test_promotions_cli(cli, tiny, tmp_path, options, year_2024):
    out = tmp_path / "promotions.csv"
    code, stdout, err = cli("promotions", tiny, "--out", out, *options)
    assert (code, err) == (0, "")
    assert f"2 années écrites dans {out}" in stdout
    header, rows = read_csv(out)
    assert header[:7] == FICHE
    by = index(rows, "ANNEE")
    assert list(by) == [("2024",), ("2025",)]  # the year of each candidate's last jury session
    assert {k: by["2024",][k] for k in year_2024} == year_2024
    # 2025: D certified (not VAE); at 6 months in the targeted job -> 100 %; at 2 years in
    # studies -> neutralised, nobody left in the denominator -> empty
    d = by["2025",]
    assert (d["NOMBRE_CERTIFIES"], d["NOMBRE_CERTIFIES_VAE"]) == ("1", "0")
    assert (d["TAUX_INSERTION_GLOBAL_6MOIS"], d["TAUX_INSERTION_METIER_6MOIS"]) == ("100", "100")
    assert (d["NEUTRALISES_2ANS"], d["TAUX_INSERTION_GLOBAL_2ANS"]) == ("1", "")


# -- the CSV writer itself --------------------------------------------------------------------
def test_csv_decimals_are_never_scientific(tmp_path):
    import pandas as pd

    table = pd.DataFrame({
        "code": ["a", "b", "c", "d", "e"],
        "n": [7, 100000, 3, 0, 1],
        "rate": [6 / 7, 1 / 100000, 1.0, None, 0.0],
        "ci_low": [0.4869, 1.7654e-06, 0.4385, None, 0.0],
        "mean_difference": [-1e-12, -0.5, 2.0, None, -1.0],
        "score_0": pd.array([1, 2, None, 0, 3], dtype="Int64"),
    })  # fmt: skip
    out = write_table(table, tmp_path / "t.csv", {})
    assert out.read_text(encoding="utf-8").splitlines() == [
        "code,n,rate,ci_low,mean_difference,score_0",
        "a,7,0.8571428571,0.4869,0.0,1",
        "b,100000,0.00001,0.0000017654,-0.5,2",
        "c,3,1.0,0.4385,2.0,",
        "d,0,,,,0",
        "e,1,0.0,0.0,-1.0,3",
    ]
    assert list(table["rate"].iloc[:1]) == [6 / 7]  # the caller's table is untouched


def test_dataset_without_a_referentiel_file_needs_the_option(cli, tiny, tmp_path):
    """The folder's referentiel.yaml is what makes the tiny codes known."""
    folder = shutil.copytree(tiny, tmp_path / "copy")
    (folder / "referentiel.yaml").rename(tmp_path / "tiny.yaml")
    out = tmp_path / "m.csv"
    code, _, err = cli("metrics", folder, "--out", out)
    assert code == 1  # the shipped Chargé.e de clientèle referentiel has no B2A1C1
    assert not out.exists()
    code, _, err = cli("metrics", folder, "--referentiel", tmp_path / "tiny.yaml", "--out", out)
    assert (code, err) == (0, "")
    assert index(read_csv(out)[1], "cohort", "code")["X", "B1A1C1"]["rate"] == "0.6666666667"


def test_xlsx_never_turns_data_into_formulas(tmp_path):
    import openpyxl

    path = tmp_path / "t.xlsx"
    write_table(pd.DataFrame({"cohort": ['=HYPERLINK("http://x")'], "rate": [0.5]}), path, {})
    cell = openpyxl.load_workbook(path)["résultats"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")

"""The validation gate on real files: one folder per problem under ``tests/data/bad`` (see its
README), each expected message read off the file by hand (header = row 1), plus XLSX workbooks
written here, the command line and the validation report.

Great Expectations is slow to start (once per process), then each folder costs well under a
second; folders are tiny on purpose."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cc_analytics.cli import main
from cc_analytics.core.errors import DataValidationError, InputFileError, Problem
from cc_analytics.core.text import unique_name
from cc_analytics.demo import DEMO_DATASET
from cc_analytics.gate.pipeline import gate_dataset, ingest_dataset
from cc_analytics.gate.validation import run_gate
from cc_analytics.inputs.read import read_dataset
from tests.fixtures import in_workspace

BAD = Path(__file__).resolve().parent / "data" / "bad"
SCORE_HINT = "Saisissez un entier de 0 (non acquis) à 4 (expert)"


@dataclass(frozen=True)
class Expected:
    """One problem as the user must read it."""

    file: str | None
    row: str | None
    column: str | None
    value: str | None
    message: str  # the start of the French message
    hint: str = ""  # words the hint must contain


def located(problem: Problem) -> tuple:
    return (problem.file, problem.row, problem.column, problem.value)


def folder_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- one problem per folder -------------------------------------------------------------------
ONE_PROBLEM = {
    "separator_pipe": Expected(
        "candidates.csv", "1", None, "cohort|candidate_id|access_route|immersion|site",
        "une seule colonne lue : le séparateur de colonnes n'est ni le point-virgule, ni la "
        "virgule, ni la tabulation (« | » trouvé)", "CSV (séparateur : point-virgule)"),
    "score_letter": Expected("scores.csv", "3", "score", "A", "note invalide", SCORE_HINT),
    "score_too_high": Expected("scores.csv", "5", "score", "5", "note invalide", SCORE_HINT),
    "score_negative": Expected("scores.csv", "6", "score", "-1", "note invalide", SCORE_HINT),
    "score_decimal": Expected("scores.csv", "7", "score", "3,5", "note invalide", SCORE_HINT),
    # rows 4 and 5 are blank: still counted, as in the spreadsheet
    "blank_lines": Expected("scores.csv", "8", "score", "7", "note invalide", SCORE_HINT),
    "unknown_competency": Expected(
        "scores.csv", "6", "competency", "B4A1C1", "code de compétence inconnu du référentiel",
        "cc-analytics referentiel show"),
    "unknown_candidate": Expected(
        "scores.csv", "7", "candidate_id", "C9", "candidat absent du fichier des candidats",
        "Ajoutez ce candidat au fichier des candidats"),
    "duplicate_evaluation": Expected(
        "scores.csv", "2, 4", None, "C1 · B1A1C1 · jury · 2024-06-14",
        "note en double : même candidat, même compétence, même évaluateur et même date de "
        "session", "rattrapage"),
    "impossible_date": Expected(
        "scores.csv", "4", "session_date", "2024-02-30", "date inexistante", "JJ/MM/AAAA"),
    "duplicate_header": Expected(
        "scores.csv", "1", "note", None,
        "colonne en double : « score » (colonne D) et « note » (colonne E)",
        "Gardez une seule de ces colonnes"),
    "missing_column": Expected(
        "candidates.csv", "1", None, None,
        "colonne obligatoire absente : access_route (voie d'accès)",
        "Ajoutez une colonne « access_route »"),
    "empty_file": Expected("scores.csv", None, None, None, "fichier vide", "Exportez de nouveau"),
    "header_only": Expected(
        "candidates.csv", "1", None, None, "aucune ligne de données sous l'en-tête",
        "exportez de nouveau"),
    "ragged_row": Expected(
        "candidates.csv", "3", "F", None,  # never quoted: could be a name
        "des valeurs se trouvent dans une colonne sans titre", "entourez-la de guillemets"),
    "unknown_access_route": Expected(
        "candidates.csv", "3", "access_route", "stage", "voie d'accès inconnue",
        "CA = contrat d'apprentissage"),
    "wide_score_letter": Expected("jury.csv", "3", "B1A1C2", "A", "note invalide", SCORE_HINT),
    # one problem for the row, not one per competency column of the grid
    "wide_unknown_candidate": Expected(
        "jury.csv", "4", "candidate_id", "C9", "candidat absent du fichier des candidats"),
    # the wrong code is the column title: row 1
    "wide_unknown_code": Expected(
        "jury.csv", "1", "B4A1C1", "B4A1C1", "code de compétence inconnu du référentiel"),
    "wide_employer_without_immersion": Expected(
        "entreprise.csv", "3", "candidate_id", "C2",
        "note de l'entreprise pour un candidat sans immersion en entreprise",
        "corrigez l'immersion du candidat"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ONE_PROBLEM))
def test_each_bad_folder_gives_its_one_french_problem_and_writes_nothing(
    case, tmp_path, monkeypatch
):
    expected = ONE_PROBLEM[case]
    folder = BAD / case
    before = folder_hashes(folder)
    in_workspace(tmp_path, monkeypatch)  # the validation report goes to ./reports/<case>/
    out = tmp_path / "processed" / case

    with pytest.raises(DataValidationError) as caught:
        ingest_dataset(folder, out_dir=out)

    problems = caught.value.problems
    assert [located(p) for p in problems] == [
        (expected.file, expected.row, expected.column, expected.value)
    ]
    (problem,) = problems
    assert problem.message.startswith(expected.message)
    assert problem.hint and expected.hint in problem.hint
    text = str(caught.value)
    where = " — ".join(
        [expected.file or ""]
        + (
            [f"{'lignes' if ',' in expected.row else 'ligne'} {expected.row}"]
            if expected.row
            else []
        )
        + ([f"colonne « {expected.column} »"] if expected.column else [])
    )
    assert text.startswith(f"{where} : {expected.message}")
    if expected.value is not None:
        assert f"(valeur : « {expected.value} »)" in text
    assert not out.exists() and not (tmp_path / "processed").exists()
    report = tmp_path / "reports" / case / "validation.html"
    assert expected.message in html.unescape(report.read_text(encoding="utf-8"))
    assert folder_hashes(folder) == before  # inputs are never modified


def test_a_folder_without_candidates_file_is_refused_in_french(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    with pytest.raises(InputFileError) as caught:
        gate_dataset(BAD / "no_candidates_file")
    (problem,) = caught.value.problems
    assert (
        problem.message == "fichier de candidats absent (candidates.csv ou candidates.xlsx attendu)"
    )
    assert problem.file == str(BAD / "no_candidates_file")
    # the report says so too: it never shows an earlier run's result
    report = tmp_path / "reports" / "no_candidates_file" / "validation.html"
    page = html.unescape(report.read_text(encoding="utf-8"))
    assert "fichier de candidats absent" in page and "n'ont pas pu être lues" in page


SEVERAL = [
    Expected("insertion.csv", "1", "remarque_jury", None, "colonne inconnue"),
    Expected("candidates.csv", "3", "access_route", "stage", "voie d'accès inconnue"),
    Expected("scores.csv", "5", "candidate_id", "C9", "candidat absent du fichier des candidats"),
    Expected("scores.csv", "6", "competency", "B4A1C1", "code de compétence inconnu"),
    Expected("scores.csv", "2, 9", "score", "A », « 5", "note invalide"),
    Expected("scores.csv", "7, 8", None, "C3 · B1A1C1 · jury · 2024-06-15", "note en double"),
    Expected("insertion.csv", "3", "horizon_months", "12", "délai d'enquête inconnu"),
]


def test_several_problems_are_all_reported_at_once(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    with pytest.raises(DataValidationError) as caught:
        ingest_dataset(BAD / "several_problems", out_dir=tmp_path / "out")
    problems = caught.value.problems
    assert sorted(located(p) for p in problems) == sorted(
        (e.file, e.row, e.column, e.value) for e in SEVERAL
    )
    by_place = {located(p): p for p in problems}
    for e in SEVERAL:
        problem = by_place[(e.file, e.row, e.column, e.value)]
        assert problem.message.startswith(e.message) and problem.hint
    text = str(caught.value)
    assert text.startswith("7 problèmes :\n")
    assert (
        "  - scores.csv — lignes 2, 9 — colonne « score » : note invalide (valeur : « A », « 5 »)"
        in text
    )
    assert not (tmp_path / "out").exists()


def test_messages_name_the_columns_as_the_file_titles_them(tmp_path):
    folder = tmp_path / "titres"
    folder.mkdir()
    (folder / "candidates.csv").write_text(
        "Cohorte;ID;Voie;immersion;site\n"  # 1
        "2024-LYON;C1;CA;oui;Lyon\n"  # 2
        ";C2;FC;non;Lyon\n"  # 3: no cohort
        "2024-LYON;C3;VAE;;Villeurbanne\n"  # 4
        "2024-LYON;C3;FC;peut-être;Lyon\n",  # 5: C3 again; immersion not oui/non
        encoding="utf-8",
    )
    (folder / "scores.csv").write_text(
        "candidat;code;évaluateur;note;date\n"  # 1
        "C1;B1A1C1;jury;3;14/06/2024\n"  # 2: a French date is fine
        "C1;;jury;2;2024-06-14\n"  # 3: no competency
        "C1;B1A1C1;prof;2;2024-06-01\n"  # 4: unknown evaluator
        "C2;B1A1C1;jury;1;13/14/2024\n"  # 5: month 14
        ";B1A1C2;jury;4;2024-06-14\n"  # 6: no candidate
        "C3;B1.A1.C1;Entreprise;2;\n",  # 7: employer score, C3 has no immersion « oui »
        encoding="utf-8",
    )
    (folder / "insertion.csv").write_text(
        "candidate_id;horizon_months;status\n"  # 1
        "C1;6 mois;emploi_metier_vise\n"  # 2
        "C1;6;CDI\n",  # 3: same horizon again; unknown status
        encoding="utf-8",
    )
    problems = run_gate(str(folder)).problems
    assert {(p.file, p.row, p.column, p.value, p.message) for p in problems} == {
        ("candidates.csv", "3", "Cohorte", None, "valeur manquante"),
        ("candidates.csv", "4, 5", "ID", "C3", "identifiant de candidat en double"),
        ("candidates.csv", "5", "immersion", "peut-être", "immersion : valeur non reconnue"),
        ("scores.csv", "3", "code", None, "valeur manquante"),
        ("scores.csv", "4", "évaluateur", "prof", "évaluateur inconnu"),
        ("scores.csv", "5", "date", "13/14/2024", "date non reconnue"),
        ("scores.csv", "6", "candidat", None, "valeur manquante"),
        ("scores.csv", "7", "candidat", "C3",
         "note de l'entreprise pour un candidat sans immersion en entreprise (ou en VAE)"),
        ("insertion.csv", "3", "status", "CDI", "situation d'enquête inconnue"),
        ("insertion.csv", "2, 3", None, "C1 · 6",
         "réponse en double : même candidat et même délai d'enquête"),
    }  # fmt: skip
    assert len(problems) == 10
    assert all(p.hint for p in problems)
    status = next(p for p in problems if p.column == "status")
    assert "emploi_metier_vise = en emploi dans le métier visé" in status.hint


# -- files that look wrong but must be read right --------------------------------------------
def test_cp1252_file_from_french_excel_is_read_with_its_accents(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    data = (BAD / "cp1252_accents" / "candidates.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the corpus file really is cp1252
    assert "Évry".encode("cp1252") in data

    gated = gate_dataset(BAD / "cp1252_accents")
    candidates = gated.tables.candidates.set_index("candidate_id")
    assert candidates.loc["C1", "access_route"] == "CA"  # "apprentissage"
    assert candidates.loc["C1", "site"] == "Saint-Étienne"
    assert candidates.loc["C2", "access_route"] == "FC"  # "formation continue"
    assert candidates.loc["C2", "site"] == "Lyon"
    assert candidates.loc["C3", "site"] == "Évry-Courcouronnes"
    assert not candidates.loc["C1":"C3", "site"].str.contains("\ufffd").any()


def test_utf8_bom_does_not_hide_the_first_column(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    assert (BAD / "utf8_bom" / "candidates.csv").read_bytes().startswith(b"\xef\xbb\xbfcohort;")
    gated = gate_dataset(BAD / "utf8_bom")
    assert gated.tables.candidates["cohort"].tolist() == ["2024-LYON"] * 3
    assert gated.gate.rows == {"candidates": 3, "scores": 6, "insertion": 2}


def test_score_written_3_comma_0_is_read_as_3(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    assert "C1;B1A1C1;jury;3,0;" in (BAD / "score_decimal_zero" / "scores.csv").read_text()
    scores = gate_dataset(BAD / "score_decimal_zero").tables.scores
    row = scores[(scores["candidate_id"] == "C1") & (scores["competency"] == "B1A1C1")
                 & (scores["evaluator"] == "jury")]  # fmt: skip
    assert row["score"].tolist() == [3]


def test_trailing_separators_are_not_a_column(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    gated = gate_dataset(BAD / "trailing_separator")
    assert gated.gate.passed
    assert gated.tables.candidates["site"].tolist() == ["Lyon", "Lyon", "Villeurbanne"]


# -- reading, without the Great Expectations run ---------------------------------------------
def copy_case(case: str, to: Path) -> Path:
    shutil.copytree(BAD / case, to)
    return to


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path):
    folder = copy_case("score_decimal_zero", tmp_path / "utf16")
    text = (folder / "candidates.csv").read_text(encoding="utf-8").replace(";", "\t")
    text = text.replace("Villeurbanne", "Sainte-Foy-lès-Lyon")
    (folder / "candidates.csv").write_bytes(text.encode("utf-16"))  # with its BOM
    raw = read_dataset(folder)
    assert raw.problems == []
    assert raw.candidates["site"].tolist() == ["Lyon", "Lyon", "Sainte-Foy-lès-Lyon"]


def test_reading_problems_of_several_files_are_all_kept(tmp_path):
    """An unreadable file does not stop the reading of the others."""
    folder = copy_case("score_decimal_zero", tmp_path / "two")
    (folder / "scores.csv").write_bytes(b"")
    (folder / "insertion.csv").write_text("candidate_id|horizon_months|status\nC1|6|etranger\n")
    raw = read_dataset(folder)
    assert [(p.file, p.row, p.message.split(" :")[0]) for p in raw.problems] == [
        ("scores.csv", None, "fichier vide"),
        ("insertion.csv", "1", "une seule colonne lue"),
    ]
    assert len(raw.candidates) == 3


def test_score_outside_the_scale_is_quoted_as_typed(tmp_path):
    folder = copy_case("score_decimal_zero", tmp_path / "typed")
    scores = folder / "scores.csv"
    scores.write_text(scores.read_text().replace(";3,0;", ";05;").replace(";4;", ";+4;"))
    raw = read_dataset(folder)
    assert raw.scores["score"].tolist() == ["05", "2", "2", "1", "4", "2"]


# -- XLSX workbooks -------------------------------------------------------------------------
def write_workbook(path: Path, sheets: dict[str, list[list]],
                   merged: tuple[str, ...] = ()) -> Path:  # fmt: skip
    """A workbook of ``sheets`` (rows as lists), with ``merged`` ranges on every sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in merged:
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_workbook_with_jury_and_entreprise_sheets_is_read(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    from datetime import datetime

    folder = tmp_path / "classeur"
    folder.mkdir()
    write_workbook(folder / "candidats.xlsx", {"Feuil1": [
        ["Cohorte", "Identifiant", "Voie d'accès", "Immersion", "Site"],
        ["2024-LYON", 1001, "apprentissage", "oui", "Lyon"],
        ["2024-LYON", 1002, "VAE", None, "Lyon"],
    ]})  # fmt: skip
    june = datetime(2024, 6, 14)
    write_workbook(folder / "scores.xlsx", {
        "jury": [["candidate_id", "session_date", "B1A1C1", "B1.A1.C2"],
                 [1001, june, 3, 2.0],
                 [1002, june, 4, None]],
        "entreprise": [["candidate_id", "session_date", "B1A1C1", "B1.A1.C2"],
                       [1001, datetime(2024, 6, 1), 2, 3]],
    })  # fmt: skip
    gated = gate_dataset(folder)
    scores = gated.tables.scores
    # 1001: 2 jury + 2 entreprise; 1002: 1 jury (an empty cell is "not evaluated")
    assert len(scores) == 5
    assert scores.groupby("evaluator").size().to_dict() == {"entreprise": 2, "jury": 3}
    first = scores.iloc[0]  # sorted: 1001, B1A1C1, entreprise
    assert (first["candidate_id"], first["competency"], first["evaluator"], first["score"]) == (
        "1001", "B1A1C1", "entreprise", 2)  # fmt: skip
    assert str(first["session_date"].date()) == "2024-06-01"
    assert set(scores["competency"]) == {"B1A1C1", "B1A1C2"}
    assert gated.tables.candidates["access_route"].tolist() == ["CA", "VAE"]


def test_xlsx_problems_give_the_spreadsheet_rows_and_sheet(tmp_path):
    folder = copy_case("score_decimal_zero", tmp_path / "xlsx")
    (folder / "scores.csv").unlink()
    write_workbook(folder / "scores.xlsx", {
        "jury": [["candidate_id", "session_date", "B1A1C1", "B1A1C2"],  # row 1
                 ["C1", "2024-06-14", 3, 2],                            # row 2
                 [],                                                    # row 3: blank
                 ["C2", "2024-06-14", 1, 3.5]],                         # row 4
        "entreprise": [[], ["Notes entreprise"], [],                   # rows 1-3: a title
                       ["candidate_id", "session_date", "B1A1C1", "B9A9C9"],  # row 4
                       ["C1", "2024-06-01", 2, 3],                            # row 5
                       ["C9", "2024-06-01", 2, None]],                        # row 6
    })  # fmt: skip
    problems = run_gate(str(folder)).problems
    found = {(p.file, p.row, p.column, p.value, p.message) for p in problems}
    assert found == {
        ("scores.xlsx [jury]", "4", "B1A1C2", "3,5", "note invalide"),
        ("scores.xlsx [entreprise]", "6", "candidate_id", "C9",
         "candidat absent du fichier des candidats"),
        # the unknown code is a column title: the header row, under the title row
        ("scores.xlsx [entreprise]", "4", "B9A9C9", "B9A9C9",
         "code de compétence inconnu du référentiel"),
    }  # fmt: skip
    assert len(problems) == 3


def test_xlsx_with_a_wrong_size_declared_is_read_in_full(tmp_path):
    """Some tools write ``<dimension ref="A1"/>``: rows beyond it must not be lost."""
    import zipfile

    folder = copy_case("score_decimal_zero", tmp_path / "dimension")
    (folder / "scores.csv").unlink()
    source = write_workbook(tmp_path / "source.xlsx", {"jury": [
        ["candidate_id", "session_date", "B1A1C1"], ["C1", "2024-06-14", 3],
        ["C2", "2024-06-14", 2], ["C3", "2024-06-14", "A"]]})  # fmt: skip
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(folder / "scores.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert n == 1
            dst.writestr(item, data)
    problems = run_gate(str(folder)).problems
    assert [located(p) for p in problems] == [("scores.xlsx [jury]", "4", "B1A1C1", "A")]


# -- the command line ---------------------------------------------------------------------
def test_cli_validate_bad_folder_exits_1_with_every_problem(tmp_path, monkeypatch, capsys):
    in_workspace(tmp_path, monkeypatch)
    assert main(["validate", str(BAD / "several_problems")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Erreur : 7 problèmes :")
    for line in (
        "candidates.csv — ligne 3 — colonne « access_route » : voie d'accès inconnue "
        "(valeur : « stage »)",
        "scores.csv — ligne 5 — colonne « candidate_id » : candidat absent du fichier des "
        "candidats (valeur : « C9 »)",
        "scores.csv — ligne 6 — colonne « competency » : code de compétence inconnu du "
        "référentiel (valeur : « B4A1C1 »)",
        "insertion.csv — ligne 3 — colonne « horizon_months » : délai d'enquête inconnu "
        "(valeur : « 12 »)",
        "insertion.csv — ligne 1 — colonne « remarque_jury » : colonne inconnue",
    ):
        assert f"  - {line}" in err
    report = tmp_path / "reports" / "several_problems" / "validation.html"
    assert f"Rapport de validation : {report}" in err
    assert report.exists()
    assert "Traceback" not in err


def test_cli_validate_demo_exits_0(tmp_path, monkeypatch, capsys):
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_DATASET, demo)
    in_workspace(tmp_path, monkeypatch)
    assert main(["validate", str(demo)]) == 0
    out, err = capsys.readouterr()
    report = tmp_path / "reports" / "demo" / "validation.html"
    assert out == (
        "Données valides : 153 candidats, 5508 notes, 134 réponses d'enquête.\n"
        f"Rapport de validation : {report}\n"
    )
    assert err == ""
    page = report.read_text(encoding="utf-8")
    assert "Données valides" in page
    assert hashlib.sha256((demo / "jury.csv").read_bytes()).hexdigest() in page


def test_cli_ingest_bad_folder_exits_1_and_writes_nothing(tmp_path, monkeypatch, capsys):
    in_workspace(tmp_path, monkeypatch)
    out_dir = tmp_path / "processed"
    assert main(["ingest", str(BAD / "score_letter"), "--out-dir", str(out_dir)]) == 1
    _, err = capsys.readouterr()
    assert err == (
        "Erreur : scores.csv — ligne 3 — colonne « score » : note invalide (valeur : « A »). "
        "Saisissez un entier de 0 (non acquis) à 4 (expert), sans décimale, ou laissez la case "
        "vide si la compétence n'a pas été évaluée\n"
        f"Rapport de validation : {tmp_path / 'reports' / 'score_letter' / 'validation.html'}\n"
    )
    assert not out_dir.exists()


def test_cli_folder_that_cannot_be_read_exits_1_without_traceback(tmp_path, monkeypatch, capsys):
    in_workspace(tmp_path, monkeypatch)
    assert main(["validate", str(BAD / "no_candidates_file")]) == 1
    _, err = capsys.readouterr()
    assert "Erreur : " in err and "fichier de candidats absent" in err
    assert "Traceback" not in err
    assert (tmp_path / "reports" / "no_candidates_file" / "validation.html").exists()


# -- the validation report ------------------------------------------------------------------
def test_report_escapes_data_and_loads_nothing(tmp_path, monkeypatch):
    folder = copy_case("score_decimal_zero", tmp_path / "promo <script>")
    (folder / "candidates.csv").write_text(
        "cohort;candidate_id;access_route;immersion;site;<img src=x onerror=alert(1)>\n"
        "<script>alert('cohorte')</script>;C1;<script>alert(1)</script>;oui;Lyon;\n"
        "2024-LYON;C2;FC;non;Lyon;\n"
        "2024-LYON;C3;VAE;;Villeurbanne;\n",
        encoding="utf-8",
    )
    in_workspace(tmp_path, monkeypatch)
    with pytest.raises(DataValidationError) as caught:
        gate_dataset(folder)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        ("1", "<img src=x onerror=alert(1)>"),
        ("2", "access_route"),
    }
    key = unique_name("promo <script>")  # « promo-script-… »: a name from data, made unique
    assert key.startswith("promo-script-")
    page = (tmp_path / "reports" / key / "validation.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the access route, quoted
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the column title
    assert "Rapport de validation — promo &lt;script&gt;" in page  # the folder name
    assert "//" not in page  # no address of any kind: nothing to load
    assert "default-src 'none'" in page  # and the browser is told to load nothing
    assert "2 anomalie(s)" in page and "voie d'accès inconnue" in html.unescape(page)


def test_report_of_a_valid_dataset_lists_the_files_and_their_hashes(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    gated = gate_dataset(BAD / "utf8_bom")
    page = gated.report.read_text(encoding="utf-8")
    assert gated.report == tmp_path / "reports" / "utf8_bom" / "validation.html"
    assert "Données valides</strong> : aucune anomalie." in page and "anomalie(s)" not in page
    for name, digest in folder_hashes(BAD / "utf8_bom").items():
        assert f"<td>{name}</td><td><code>{digest}</code></td>" in page
    assert "<script" not in page.lower() and "//" not in page

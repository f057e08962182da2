"""Hostile and careless input files (issue 15, items 2, 5, 7, 9, 10): every one is either read
right or refused with a French message naming the file, the line or cell and what to do —
never a score silently lost, a traceback, a hang, or a file's content quoted back.

Each dataset is the tiny good one of ``tests/data/bad/score_decimal_zero`` (3 candidates, long
scores, 2 survey answers) with one thing changed; workbooks are written here with openpyxl, and
patched in their XML where openpyxl cannot write what other tools do."""

from __future__ import annotations

import csv
import os
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from cc_analytics.cli import main
from cc_analytics.core.errors import DataValidationError, InputFileError
from cc_analytics.core.text import decode
from cc_analytics.demo import DEMO_DATASET
from cc_analytics.gate.pipeline import ingest_dataset
from cc_analytics.gate.validation import run_gate
from cc_analytics.inputs import folder as folder_module
from cc_analytics.inputs import workbook as workbook_module
from cc_analytics.inputs.folder import locate
from cc_analytics.inputs.read import read_dataset
from cc_analytics.inputs.sheets import read_sheets
from tests.fixtures import in_workspace
from tests.test_validation import write_workbook

GOOD = Path(__file__).resolve().parent / "data" / "bad" / "score_decimal_zero"
RESAVE = (
    "Ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le : le résultat des formules "
    "est alors enregistré avec elles ; ou remplacez les formules par leurs valeurs (Copier, "
    "puis Collage spécial → Valeurs)"
)
SCORE_ENTRY = (
    "Saisissez la note, un entier de 0 (non acquis) à 4 (expert), dans une cellule au format "
    "« Standard », ou laissez la case vide si la compétence n'a pas été évaluée"
)
TOO_LARGE_HINT = (
    "Copiez les seules cellules remplies dans un nouveau classeur (ou enregistrez chaque feuille "
    "en CSV) ; si les données sont vraiment si nombreuses, répartissez-les entre plusieurs "
    "dossiers de données, par exemple une année par dossier"
)
COPY_HINT = "Mettez à sa place le fichier lui-même (une copie, pas un lien ni un raccourci)"
INVISIBLE_HINT = (
    "Retapez la valeur à la main dans le tableur : ce caractère, qui ne se voit pas, vient d'un "
    "copier-coller depuis un autre logiciel et casserait les exports et les rapports"
)
N = "\u202f"  # French thousands separator: 1 048 576


def dataset(tmp_path: Path, name: str = "ecole", scores: bool = True) -> Path:
    """The tiny good dataset, copied; without its long scores when ``scores`` is False."""
    folder = shutil.copytree(GOOD, tmp_path / name)
    if not scores:
        (folder / "scores.csv").unlink()
    return folder


def patch_sheet(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite the first worksheet's XML of a workbook, as other tools write it."""
    target = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                changed = change(data)
                assert changed != data  # the test changes what it means to
                data = changed
            dst.writestr(item.filename, data)
    target.replace(path)
    return path


def jury_grid(rows: list[list], merged: tuple[str, ...] = ()) -> Callable[[Path], Path]:
    """A jury grid (B1A1C1 in column C, B1A1C2 in D) for C1, C2, C3, in ``jury.xlsx``."""

    def write(folder: Path) -> Path:
        return write_workbook(folder / "jury.xlsx", {"jury": [
            ["candidate_id", "session_date", "B1A1C1", "B1A1C2"], *rows]}, merged)  # fmt: skip

    return write


def rendered(problems) -> list[str]:
    return [p.render() for p in problems]


def read_scores(raw) -> list[tuple[str, str, str]]:
    return sorted(zip(raw.scores["candidate_id"], raw.scores["competency"], raw.scores["score"],
                      strict=True))  # fmt: skip


# -- item 2: no score silently lost ----------------------------------------------------------
def test_formulas_saved_without_their_result_name_each_cell_and_lose_no_score(tmp_path):
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", "2024-06-14", "=3+0", 2],      # row 2
               ["C2", "2024-06-14", "=1+0", "=4+0"],  # row 3
               ["C3", "2024-06-15", 2, None]])(folder)  # row 4  # fmt: skip
    raw = read_dataset(folder)
    assert rendered(raw.problems) == [
        "jury.xlsx [jury] — lignes 2, 3 — colonne « B1A1C1 » : formule enregistrée sans son "
        f"résultat (cellules C2, C3) : la note se lirait comme une case vide. {RESAVE}",
        "jury.xlsx [jury] — ligne 3 — colonne « B1A1C2 » : formule enregistrée sans son "
        f"résultat (cellule D3) : la note se lirait comme une case vide. {RESAVE}",
    ]
    assert read_scores(raw) == [("C1", "B1A1C2", "2"), ("C3", "B1A1C1", "2")]


def test_formulas_saved_with_their_result_are_read_as_that_result(tmp_path):
    """As Excel saves them: the result in <v>; an empty text result is an empty cell."""
    folder = dataset(tmp_path, scores=False)
    path = jury_grid([["C1", "2024-06-14", "=3+0", '=IF(1,"",2)']])(folder)
    patch_sheet(path, lambda xml: xml.replace(b"<f>3+0</f><v />", b"<f>3+0</f><v>3</v>")
                .replace(b'<c r="D2"><f>', b'<c r="D2" t="str"><f>'))  # fmt: skip
    raw = read_dataset(folder)
    assert raw.problems == []
    assert read_scores(raw) == [("C1", "B1A1C1", "3")]


def test_excel_error_values_name_each_cell_and_are_not_read_as_scores(tmp_path):
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", "2024-06-14", "#N/A", 2],
               ["C2", "2024-06-14", "#DIV/0!", 3],
               ["#N/A", "2024-06-15", 2, None]])(folder)  # fmt: skip
    raw = read_dataset(folder)
    assert rendered(raw.problems) == [
        "jury.xlsx [jury] — lignes 2, 3 — colonne « B1A1C1 » : valeur d'erreur d'Excel au lieu "
        "de la note (cellules C2, C3) (valeur : « #N/A », « #DIV/0! »). Corrigez la formule de "
        "la cellule, ou saisissez la valeur elle-même : un entier de 0 (non acquis) à 4 (expert)",
        "jury.xlsx [jury] — ligne 4 — colonne « candidate_id » : valeur d'erreur d'Excel au lieu "
        "de la valeur (cellule A4) (valeur : « #N/A »). Corrigez la formule de la cellule, ou "
        "saisissez la valeur elle-même",
    ]
    # the error scores are not quoted a second time as invalid scores
    assert ("C1", "B1A1C1", "#N/A") not in read_scores(raw)


def test_dates_in_score_cells_name_each_cell(tmp_path):
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", datetime(2024, 6, 14), datetime(1900, 1, 3), 2],
               ["C2", datetime(2024, 6, 14), 1, 4]])(folder)  # fmt: skip
    raw = read_dataset(folder)
    assert rendered(raw.problems) == [
        "jury.xlsx [jury] — ligne 2 — colonne « B1A1C1 » : date dans une case de note (cellule "
        f"C2) (valeur : « 03/01/1900 »). Excel a pu transformer la saisie en date. {SCORE_ENTRY}",
    ]  # a date in the session column is a date: no problem
    assert read_scores(raw) == [("C1", "B1A1C2", "2"), ("C2", "B1A1C1", "1"),
                                ("C2", "B1A1C2", "4")]  # fmt: skip


def test_true_or_false_in_score_cells_name_each_cell(tmp_path):
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", "2024-06-14", True, 2], ["C2", "2024-06-14", 1, False]])(folder)
    raw = read_dataset(folder)
    assert rendered(raw.problems) == [
        "jury.xlsx [jury] — ligne 2 — colonne « B1A1C1 » : VRAI ou FAUX dans une case de note "
        f"(cellule C2) (valeur : « VRAI »). {SCORE_ENTRY}",
        "jury.xlsx [jury] — ligne 3 — colonne « B1A1C2 » : VRAI ou FAUX dans une case de note "
        f"(cellule D3) (valeur : « FAUX »). {SCORE_ENTRY}",
    ]


def test_true_and_dates_where_they_belong_are_read(tmp_path):
    """TRUE in the immersion column, dates in the session column: values, not problems."""
    folder = dataset(tmp_path, scores=False)
    (folder / "candidates.csv").unlink()
    write_workbook(folder / "candidates.xlsx", {"Feuil1": [
        ["cohort", "candidate_id", "access_route", "immersion", "site"],
        ["2024-LYON", "C1", "CA", True, "Lyon"], ["2024-LYON", "C2", "FC", False, "Lyon"],
        ["2024-LYON", "C3", "VAE", None, "Lyon"]]})  # fmt: skip
    jury_grid([["C1", datetime(2024, 6, 14), 3, 2]])(folder)
    raw = read_dataset(folder)
    assert raw.problems == []
    assert raw.candidates["immersion"].fillna("").tolist() == ["oui", "non", ""]
    assert raw.scores["session_date"].tolist() == ["2024-06-14", "2024-06-14"]


def test_merged_cells_over_scores_are_a_problem(tmp_path):
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", "2024-06-14", 3, None],     # C2:D2 merged: D2 would read empty
               ["C2", "2024-06-14", 1, 4]],
              merged=("C2:D2",))(folder)  # fmt: skip
    raw = read_dataset(folder)
    assert rendered(raw.problems) == [
        "jury.xlsx [jury] — ligne 2 — colonne « B1A1C1, B1A1C2 » : cellules fusionnées (C2:D2) : "
        "seule la première case d'une plage porte la valeur, les autres se liraient vides. "
        "Défusionnez ces cellules (Accueil → Fusionner et centrer) et saisissez la valeur dans "
        "chaque case",
    ]


def test_a_merged_title_above_the_headers_is_no_problem(tmp_path):
    folder = dataset(tmp_path, scores=False)
    write_workbook(folder / "jury.xlsx", {"jury": [
        ["Notes du jury 2024"], ["candidate_id", "session_date", "B1A1C1", "B1A1C2"],
        ["C1", "2024-06-14", 3, 2]]}, merged=("A1:D1",))  # fmt: skip
    assert read_dataset(folder).problems == []


def test_every_odd_cell_is_reported_at_once_and_the_commands_refuse_in_french(
    tmp_path, monkeypatch, capsys
):
    in_workspace(tmp_path, monkeypatch)
    folder = dataset(tmp_path, scores=False)
    jury_grid([["C1", "2024-06-14", "=3+0", "#N/A"],
               ["C2", "2024-06-14", datetime(1900, 1, 3), True],
               ["C3", "2024-06-15", 2, 3]], merged=("C4:D4",))(folder)  # fmt: skip
    raw = read_dataset(folder)
    assert [(p.row, p.column, p.message.split(" (")[0]) for p in raw.problems] == [
        ("2", "B1A1C1", "formule enregistrée sans son résultat"),
        ("2", "B1A1C2", "valeur d'erreur d'Excel au lieu de la note"),
        ("3", "B1A1C1", "date dans une case de note"),
        ("3", "B1A1C2", "VRAI ou FAUX dans une case de note"),
        ("4", "B1A1C1, B1A1C2", "cellules fusionnées"),
    ]

    assert main(["validate", str(folder)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("Erreur : 5 problèmes :\n")
    assert ("  - jury.xlsx [jury] — ligne 2 — colonne « B1A1C1 » : formule enregistrée sans "
            "son résultat (cellule C2)") in err  # fmt: skip
    assert "Traceback" not in err

    out = tmp_path / "metrics.csv"
    assert main(["metrics", str(folder), "--out", str(out)]) == 1
    _, err = capsys.readouterr()
    assert "Erreur : 5 problèmes :" in err and not out.exists()
    assert not (tmp_path / "data" / "processed" / "ecole").exists()


def test_issue_jury_workbook_with_formulas_in_one_column_makes_metrics_fail(
    tmp_path, monkeypatch, capsys
):
    """The issue's case: the demo's jury grid as a workbook whose B1A1C1 column holds
    formulas saved without their result — 154 jury scores, which metrics used to lose."""
    in_workspace(tmp_path, monkeypatch)
    folder = shutil.copytree(DEMO_DATASET, tmp_path / "demo")
    with open(folder / "jury.csv", encoding="utf-8-sig", newline="") as grid:
        rows = list(csv.reader(grid, delimiter=";"))
    (folder / "jury.csv").unlink()
    column = rows[0].index("B1A1C1")
    formulas = [[f"={v}+0" if i == column and v else v for i, v in enumerate(row)]
                for row in rows[1:]]  # fmt: skip
    assert sum(1 for row in formulas if row[column]) == 154
    write_workbook(folder / "jury.xlsx", {"jury": [rows[0], *formulas]})
    out = tmp_path / "metrics.csv"

    assert main(["metrics", str(folder), "--out", str(out)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("Erreur : jury.xlsx [jury] — lignes 2, ")
    assert "colonne « B1A1C1 » : formule enregistrée sans son résultat (cellules C2, " in err
    assert "… et 146 autres) : la note se lirait comme une case vide" in err  # 8 shown + 146
    assert not out.exists()


# -- item 5: bounded resources ---------------------------------------------------------------
def survey_workbook(folder: Path) -> Path:
    (folder / "insertion.csv").unlink()
    return write_workbook(folder / "insertion.xlsx", {"Sheet": [
        ["candidate_id", "horizon_months", "status"], ["C1", 6, "emploi_metier_vise"]]})  # fmt: skip


def declare(ref: str) -> Callable[[bytes], bytes]:
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml)


def refused_quickly(path: Path) -> str:
    started = time.monotonic()
    with pytest.raises(InputFileError) as caught:
        read_sheets(path)
    assert time.monotonic() - started < 5  # the issue's file took 41 s and 1.8 GB
    (problem,) = caught.value.problems
    assert problem.file == path.name and problem.hint == TOO_LARGE_HINT
    return problem.message


def test_a_workbook_declaring_ten_million_rows_is_refused_before_reading(tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    folder = dataset(tmp_path)
    path = patch_sheet(survey_workbook(folder), declare("A1:C10000000"))
    assert refused_quickly(path) == (
        f"classeur refusé : la feuille « Sheet » déclare 10{N}000{N}000 lignes et 3 colonnes, "
        f"au-delà des limites d'Excel (1{N}048{N}576 lignes, 16{N}384 colonnes)")  # fmt: skip
    # the gate names it with every other problem, and nothing is written
    with pytest.raises(DataValidationError) as caught:
        ingest_dataset(folder, out_dir=tmp_path / "out")
    assert [p.file for p in caught.value.problems] == ["insertion.xlsx"]
    assert not (tmp_path / "out").exists()


def test_a_workbook_declaring_more_cells_than_the_limit_is_refused(tmp_path):
    path = patch_sheet(survey_workbook(dataset(tmp_path)), declare("A1:Z100000"))
    assert refused_quickly(path) == (
        f"classeur refusé : 2{N}600{N}000 cellules déclarées ou plus, au-delà de la limite de "
        f"2{N}000{N}000")  # fmt: skip


def test_a_cell_beyond_excels_last_row_is_refused_whatever_the_declared_size(tmp_path):
    far = b'<row r="10000000"><c r="A10000000"><v>1</v></c></row></sheetData>'
    path = patch_sheet(survey_workbook(dataset(tmp_path)),
                       lambda xml: declare("A1")(xml).replace(b"</sheetData>", far))  # fmt: skip
    assert refused_quickly(path) == (
        f"classeur refusé : la feuille « Sheet » a des lignes au-delà de la ligne 1{N}048{N}576, "
        "la dernière d'Excel")  # fmt: skip


def test_cells_are_counted_in_the_sheet_whatever_it_declares(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_CELLS", 5)
    path = patch_sheet(survey_workbook(dataset(tmp_path)), declare("A1"))  # 6 cells
    assert refused_quickly(path) == (
        f"classeur refusé : la feuille « Sheet » contient plus de 1{N}048{N}576 lignes ou, avec "
        "les précédentes, de 5 cellules")  # fmt: skip


def test_a_workbook_too_large_once_unzipped_is_refused_from_the_zip_directory(tmp_path,
                                                                              monkeypatch):  # fmt: skip
    monkeypatch.setattr(workbook_module, "MAX_UNZIPPED_BYTES", 2**20)
    path = survey_workbook(dataset(tmp_path))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/padding.bin", os.urandom(3 * 2**20))
    assert refused_quickly(path) == (
        "classeur refusé : 3 Mo une fois décompressé, au-delà de la limite de 1 Mo"
    )


def test_a_zip_bomb_is_refused_from_its_compression_ratio(tmp_path):
    path = survey_workbook(dataset(tmp_path))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bomb.bin", bytes(12 * 2**20))  # compresses ~1 000 times
    message = refused_quickly(path)
    assert re.fullmatch(r"classeur refusé : contenu compressé \d+ fois \(au plus 100\) : ce "
                        r"n'est pas un classeur ordinaire", message)  # fmt: skip


def test_rows_declared_but_empty_are_never_walked_through(tmp_path):
    """600 000 rows declared (1.8 M cells, under the limit), two filled: read at once."""
    path = patch_sheet(survey_workbook(dataset(tmp_path)), declare("A1:C600000"))
    started = time.monotonic()
    (sheet,) = read_sheets(path)
    assert time.monotonic() - started < 5
    assert sheet.frame["_row"].tolist() == ["2"]


def test_a_csv_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(folder_module, "MAX_CSV_BYTES", 2**20)
    folder = dataset(tmp_path)
    with open(folder / "insertion.csv", "a", encoding="utf-8") as survey:
        survey.write("C3;6;etranger\n" * 250_000)  # 3.3 MB
    with pytest.raises(InputFileError) as caught:
        locate(folder)
    assert rendered(caught.value.problems) == [
        "insertion.csv : fichier trop volumineux : 3 Mo, au-delà de la limite de 1 Mo. "
        "Vérifiez qu'il s'agit du bon fichier (les résultats d'une école en font bien moins) ; "
        "sinon répartissez les données entre plusieurs dossiers de données, par exemple une "
        "année par dossier"
    ]


def test_csv_and_xlsx_have_their_own_size_limits():
    from pathlib import Path

    assert folder_module.max_bytes(Path("scores.CSV")) == 2 * 2**30  # a national network's
    assert folder_module.max_bytes(Path("scores.xlsx")) == 200 * 2**20  # unzipped in memory


# -- item 7: French messages for binary content and control characters ----------------------
def test_binary_content_in_a_csv_is_a_french_problem_naming_the_line(tmp_path, monkeypatch,
                                                                     capsys):  # fmt: skip
    in_workspace(tmp_path, monkeypatch)
    folder = dataset(tmp_path)
    (folder / "insertion.csv").write_bytes(b"candidate_id;status\n" + bytes(range(256)) * 20)
    assert rendered(read_dataset(folder).problems) == [
        "insertion.csv — ligne 2 : contenu binaire : ce fichier n'est pas un tableau CSV. Ouvrez-"
        "le dans Excel ou LibreOffice et enregistrez-le au format « CSV (séparateur : "
        "point-virgule) »"
    ]
    assert main(["validate", str(folder)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("Erreur : insertion.csv — ligne 2 : contenu binaire")
    assert "Traceback" not in err and (tmp_path / "reports" / "ecole" / "validation.html").exists()


def test_a_workbook_renamed_csv_is_told_so(tmp_path):
    folder = dataset(tmp_path)
    survey_workbook(folder).rename(folder / "insertion.csv")
    (problem,) = read_dataset(folder).problems
    assert problem.message == (
        "contenu binaire : ce fichier n'est pas un tableau CSV mais sans doute un classeur "
        "Excel renommé"
    )
    assert problem.hint == "Renommez-le en .xlsx"


def test_nul_and_control_characters_in_values_are_gate_problems(tmp_path):
    folder = dataset(tmp_path)
    (folder / "candidates.csv").write_bytes(
        b"cohort;candidate_id;access_route;immersion;site\n"
        b"2024-\x1b[31mLYON;C1;CA;oui;Lyon\n"                   # 2: ANSI escape
        b"2024-LYON;C\x002;FC;non;Lyon\n"                        # 3: NUL
        + "2024-LYON;C3;VAE;;Lyon\u202enoyL\n".encode()          # 4: right-to-left override
    )  # fmt: skip
    (folder / "insertion.csv").write_bytes(
        b"candidate_id;horizon_months;status\nC1;6;emploi\x07_metier_vise\n"
    )
    problems = [p for p in run_gate(str(folder)).problems if "invisible" in p.message]
    assert rendered(problems) == [
        "candidates.csv — ligne 2 — colonne « cohort » : caractère invisible dans la valeur : "
        "échappement (codes de couleur d'un terminal) (valeur : « 2024-[U+001B][31mLYON »). "
        + INVISIBLE_HINT,
        "candidates.csv — ligne 3 — colonne « candidate_id » : caractère invisible dans la "
        f"valeur : caractère nul (valeur : « C[U+0000]2 »). {INVISIBLE_HINT}",
        "candidates.csv — ligne 4 — colonne « site » : caractère invisible dans la valeur : "
        "marque de sens d'écriture (texte affiché à l'envers) (valeur : « Lyon[U+202E]noyL »). "
        + INVISIBLE_HINT,
        # a code is not recognised through a control character, and the character is named
        "insertion.csv — ligne 2 — colonne « status » : caractère invisible dans la valeur : "
        f"caractère de contrôle (valeur : « emploi[U+0007]_metier_vise »). {INVISIBLE_HINT}",
    ]


def test_a_cohort_with_an_ansi_escape_no_longer_crashes_the_xlsx_export(tmp_path, monkeypatch,
                                                                        capsys):  # fmt: skip
    in_workspace(tmp_path, monkeypatch)
    folder = dataset(tmp_path)
    candidates = folder / "candidates.csv"
    candidates.write_bytes(candidates.read_bytes().replace(b"2024-LYON;C1", b"2024\x1bLYON;C1"))
    out = tmp_path / "x.xlsx"
    assert main(["metrics", str(folder), "--out", str(out)]) == 1
    _, err = capsys.readouterr()
    assert "caractère invisible dans la valeur" in err and "2024[U+001B]LYON" in err
    assert "\x1b" not in err and "Traceback" not in err and not out.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'candidate_id;horizon_months;status\nC1;6;"emploi\nC2;6;etranger\n',
         "insertion.csv — ligne 2 : guillemet ouvert et jamais refermé : la suite du fichier se "
         "lirait comme une seule case. Refermez le guillemet de cette ligne ; un guillemet à "
         "l'intérieur d'une valeur s'écrit doublé (\"\")"),
        (b"candidate_id;horizon_months;status\nC1;6;etranger;x\n" + b"y" * 200_000 + b";6;x\n",
         "insertion.csv — ligne 3 : ligne illisible comme une ligne de tableau. Ouvrez-le dans "
         "Excel ou LibreOffice et enregistrez-le au format « CSV (séparateur : point-virgule) »"),
    ],
)  # fmt: skip
def test_csv_that_cannot_be_cut_into_cells_is_a_french_problem(tmp_path, content, expected):
    folder = dataset(tmp_path)
    (folder / "insertion.csv").write_bytes(content)
    assert rendered(read_dataset(folder).problems) == [expected]


def test_old_mac_line_ends_with_a_longer_line_are_read(tmp_path):
    path = tmp_path / "insertion.csv"
    path.write_bytes(b"candidate_id;horizon_months;status\rC1;6;etranger\rC2;6;etranger;x\r")
    (sheet,) = read_sheets(path)
    assert sheet.frame["candidate_id"].tolist() == ["C1", "C2"]
    assert sheet.frame["(colonne D)"].tolist() == ["", "x"]


# -- item 9: files are files -----------------------------------------------------------------
KEY = "0123456789abcdef" * 4  # stands for data/processed/NAME.pseudonym-key


def test_a_link_to_a_file_outside_the_dataset_is_refused_unread(tmp_path, monkeypatch, capsys):
    in_workspace(tmp_path, monkeypatch)
    folder = dataset(tmp_path)
    secret = tmp_path / "demo.pseudonym-key"
    secret.write_text(KEY + "\n")
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "candidates.csv").unlink()
    (folder / "candidates.csv").symlink_to(secret)
    (folder / "scores.csv").unlink()
    (folder / "scores.csv").symlink_to(passwd)
    with pytest.raises(InputFileError) as caught:
        locate(folder)
    assert rendered(caught.value.problems) == [
        "candidates.csv : lien vers un fichier situé hors du dossier de données : il n'est pas "
        f"lu. {COPY_HINT}",
        "scores.csv : lien vers un fichier situé hors du dossier de données : il n'est pas lu. "
        + COPY_HINT,
    ]
    assert main(["validate", str(folder)]) == 1
    _, err = capsys.readouterr()
    page = (tmp_path / "reports" / "ecole" / "validation.html").read_text(encoding="utf-8")
    for shown in (err, page):
        assert "0123456789" not in shown and "root:" not in shown


def test_a_link_inside_the_dataset_folder_is_followed(tmp_path):
    folder = dataset(tmp_path)
    (folder / "exports").mkdir()
    (folder / "insertion.csv").rename(folder / "exports" / "enquete-2024.csv")
    (folder / "insertion.csv").symlink_to(Path("exports") / "enquete-2024.csv")
    raw = read_dataset(folder)
    assert raw.problems == [] and raw.insertion["candidate_id"].tolist() == ["C1", "C2"]


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    folder = dataset(tmp_path)
    (folder / "insertion.csv").unlink()
    pipe = folder / "insertion.csv"
    os.mkfifo(pipe)
    done = threading.Event()

    def unblock() -> None:  # should the reader open the pipe, a writer lets it go (and fail)
        if not done.wait(10):
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)

    threading.Thread(target=unblock, daemon=True).start()
    with pytest.raises(InputFileError) as caught:
        read_dataset(folder)
    done.set()
    assert rendered(caught.value.problems) == [
        "insertion.csv : ce n'est pas un fichier ordinaire (tube nommé, périphérique ou "
        f"dossier) : il n'est pas lu. {COPY_HINT}"
    ]


def test_a_folder_named_like_an_input_is_refused(tmp_path):
    folder = dataset(tmp_path)
    (folder / "insertion.csv").unlink()
    (folder / "insertion.csv").mkdir()
    with pytest.raises(InputFileError) as caught:
        locate(folder)
    assert [p.message for p in caught.value.problems] == [
        "ce n'est pas un fichier ordinaire (tube nommé, périphérique ou dossier) : il n'est pas lu"
    ]


def test_a_file_that_is_no_table_is_quoted_by_a_short_prefix_only(tmp_path):
    """A key copied in by mistake: its start helps find it, the rest is not shown."""
    folder = dataset(tmp_path)
    (folder / "candidates.csv").write_text(KEY + "\n")
    (problem,) = [p for p in read_dataset(folder).problems if p.file == "candidates.csv"]
    assert problem.value == "0123456789abcdef…"


# -- item 10: encodings ------------------------------------------------------------------------
def test_a_utf8_file_with_one_cp1252_line_is_decoded_line_by_line(tmp_path):
    folder = dataset(tmp_path)
    (folder / "candidates.csv").write_bytes(
        "cohort;candidate_id;access_route;immersion;site\n"
        "2024-NANTES;C1;CA;oui;Nantes-Château\n".encode()
        + "2024-NANTES;C2;FC;non;Saint-Étienne\n".encode("cp1252")
        + "2024-NANTES;C3;VAE;;Évry-Courcouronnes\n".encode()
    )
    raw = read_dataset(folder)
    assert raw.problems == []
    assert raw.candidates["site"].tolist() == [
        "Nantes-Château", "Saint-Étienne", "Évry-Courcouronnes"]  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(tmp_path, encoding):
    folder = dataset(tmp_path)
    text = (folder / "candidates.csv").read_text(encoding="utf-8").replace("Villeurbanne",
                                                                           "Sainte-Foy-lès-Lyon")  # fmt: skip
    (folder / "candidates.csv").write_bytes(text.replace(";", "\t").encode(encoding))
    raw = read_dataset(folder)
    assert raw.problems == []
    assert raw.candidates["site"].tolist() == ["Lyon", "Lyon", "Sainte-Foy-lès-Lyon"]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Étienne".encode("cp1252"), "Étienne"),  # cp1252 only: as before
        ("\ufeffÉvry\n".encode() + "Château\n".encode("cp1252"), "Évry\nChâteau\n"),  # BOM
        ("a;b\r\n".encode("utf-16-le"), "a;b\r\n"),
        (b"\x00\x01\x02\x03binary\x00\x00", "\x00\x01\x02\x03binary\x00\x00"),  # not UTF-16
    ],
)
def test_decode(data, text):
    assert decode(data) == text


def test_a_hard_link_is_refused_unread(tmp_path):
    """Another name for a file elsewhere (the pseudonym key, say): never read, never quoted."""
    import os

    from cc_analytics.inputs.folder import file_problem

    secret = tmp_path / "cle"
    secret.write_text("7d049a7954092e15" * 4)
    folder = tmp_path / "jeu"
    folder.mkdir()
    os.link(secret, folder / "candidates.csv")
    problem = file_problem(folder / "candidates.csv", folder)
    assert problem is not None and "liens multiples" in problem.render()
    assert "7d049a" not in problem.render()

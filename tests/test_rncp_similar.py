"""Similar certifications in an RNCP export (issue 13, point 6), on a hand-written export of
seven fiches whose expected matches and ranks were worked out by hand:

=========  =====  ============  ======  =======  ==========  =====================
fiche      level  ROME          NSF     active   statistics  vs ours (D1402, D1406; 312t; NIV5)
=========  =====  ============  ======  =======  ==========  =====================
RNCP10001  NIV5   D1402, D1406  312t    yes      2023        ours
RNCP20002  NIV5   D1402, D1406  312t    yes      2022, 2023  2 ROME, 1 NSF -> 1st
RNCP30003  NIV5   D1402         312p    **no**   2021        1 ROME, 0 NSF, inactive -> 4th
RNCP40004  NIV5   M1203         312t    yes      **none**    0 ROME, 1 NSF -> 5th
RNCP50005  NIV6   D1402         312t    yes      2023        other level: left out
RNCP60006  NIV5   D1402, M1203  312t    yes      2023        1 ROME, 1 NSF -> 2nd
RNCP70007  NIV5   D1406         310m    yes      2023        1 ROME, 0 NSF, active -> 3rd
=========  =====  ============  ======  =======  ==========  =====================
"""

from __future__ import annotations

import csv
import types

import pandas as pd
import pytest
from openpyxl import load_workbook

from cc_analytics.cli import main
from cc_analytics.core.errors import InputFileError
from cc_analytics.referentiel.similar import Codes, UnknownCodes, find_similar
from cc_analytics.reporting import charts
from cc_analytics.reporting.views.renewal import similar_view

from .fixtures import tiny_referentiel


def _fiche(numero, title, level, rome, nsf, active="Oui", stats=()):
    romes = "".join(f"<ROME><CODE>{c}</CODE><LIBELLE>x</LIBELLE></ROME>" for c in rome)
    nsfs = "".join(f"<NSF><CODE>{c}</CODE><LIBELLE>x</LIBELLE></NSF>" for c in nsf)
    rows = "".join(
        f"<STATISTIQUES_PROMOTION><ANNEE>{y}</ANNEE><NOMBRE_CERTIFIES>{n}</NOMBRE_CERTIFIES>"
        f"<TAUX_INSERTION_GLOBAL_6MOIS>{g}</TAUX_INSERTION_GLOBAL_6MOIS>"
        f"<TAUX_INSERTION_METIER_2ANS>{m}</TAUX_INSERTION_METIER_2ANS></STATISTIQUES_PROMOTION>"
        for y, n, g, m in stats
    )
    # a jury's ACTIF (SI_JURY_FI) comes before the fiche's own: only the latter counts
    return (
        f"<FICHE><NUMERO_FICHE>{numero}</NUMERO_FICHE><INTITULE>{title}</INTITULE>"
        f"<ETAT_FICHE>Publiée</ETAT_FICHE><NOMENCLATURE_EUROPE><NIVEAU>{level}</NIVEAU>"
        f"</NOMENCLATURE_EUROPE><CODES_NSF>{nsfs}</CODES_NSF><CERTIFICATEURS><CERTIFICATEUR>"
        f"<NOM_CERTIFICATEUR>ECOLE {numero[-1]}</NOM_CERTIFICATEUR></CERTIFICATEUR>"
        f"</CERTIFICATEURS><CODES_ROME>{romes}</CODES_ROME>"
        "<SI_JURY_FI><ACTIF>Oui</ACTIF></SI_JURY_FI>"
        + (f"<STATISTIQUES_PROMOTIONS>{rows}</STATISTIQUES_PROMOTIONS>" if rows else "")
        + f"<ACTIF>{active}</ACTIF></FICHE>"
    )


EXPORT = (
    '<?xml version="1.0" encoding="UTF-8"?><FICHES><VERSION_FLUX>4.1</VERSION_FLUX>'
    + _fiche("RNCP20002", "Conseiller commercial", "NIV5", ["D1402", "D1406"], ["312t"],
             stats=[(2023, 40, 85, 70), (2022, 35, 80, 65)])
    + _fiche("RNCP30003", "Négociateur", "NIV5", ["D1402"], ["312p"], active="Non",
             stats=[(2021, 12, 75, 60)])
    + _fiche("RNCP10001", "Chargé.e de clientèle", "NIV5", ["D1402", "D1406"], ["312t"],
             stats=[(2023, 30, 88, 81)])
    + _fiche("RNCP40004", "Gestionnaire", "NIV5", ["M1203"], ["312t"])
    + _fiche("RNCP50005", "Manager commercial", "NIV6", ["D1402"], ["312t"],
             stats=[(2023, 50, 90, 85)])
    + _fiche("RNCP60006", "Vendeur conseil", "NIV5", ["D1402", "M1203"], ["312t"],
             stats=[(2023, 20, 70, 55)])
    + _fiche("RNCP70007", "Attaché commercial", "NIV5", ["D1406"], ["310m"],
             stats=[(2023, 15, 78, 66)])
    + "</FICHES>"
)  # fmt: skip
RANKED = ["RNCP20002", "RNCP60006", "RNCP70007", "RNCP30003", "RNCP40004"]


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_similar_fiches_ranked_by_shared_rome_then_nsf_then_active(export):
    found = find_similar(export, "rncp 10001")
    assert found.codes == Codes(("D1402", "D1406"), ("312t",), "NIV5")  # from our fiche
    fiches = found.fiches
    assert fiches["numero"].tolist() == RANKED
    assert fiches["rank"].tolist() == [1, 2, 3, 4, 5]
    assert fiches["shared_rome"].tolist() == ["D1402, D1406", "D1402", "D1406", "D1402", ""]
    assert fiches["shared_nsf"].tolist() == ["312t", "312t", "", "", "312t"]
    assert fiches["active"].tolist() == [True, True, True, False, True]  # 30003 inactive
    assert fiches["certifiers"].tolist() == ["ECOLE 2", "ECOLE 6", "ECOLE 7", "ECOLE 3",
                                             "ECOLE 4"]  # fmt: skip
    assert "au même niveau (NIV5)" in found.rule


def test_published_statistics_per_year_and_a_fiche_without_any(export):
    table = find_similar(export, "RNCP10001").table
    ours = table[table["ours"]]
    assert ours[["rank", "numero", "ANNEE", "NOMBRE_CERTIFIES"]].values.tolist() == [
        [0, "RNCP10001", 2023, 30]]  # fmt: skip
    first = table[table["numero"] == "RNCP20002"]
    assert first[["ANNEE", "NOMBRE_CERTIFIES", "TAUX_INSERTION_GLOBAL_6MOIS",
                  "TAUX_INSERTION_METIER_2ANS"]].values.tolist() == [
        [2022, 35, 80, 65], [2023, 40, 85, 70]]  # fmt: skip
    bare = table[table["numero"] == "RNCP40004"]
    assert len(bare) == 1 and not bare["has_statistics"].iloc[0]
    assert bare["ANNEE"].isna().all()


def test_another_level_or_every_level(export):
    assert find_similar(export, "RNCP10001", level="6").fiches["numero"].tolist() == ["RNCP50005"]
    every = find_similar(export, "RNCP10001", all_levels=True)
    # 50005 ties with 60006 (1 ROME, 1 NSF, both active): the fiche number decides
    assert every.fiches["numero"].tolist() == ["RNCP20002", "RNCP50005", "RNCP60006",
                                               "RNCP70007", "RNCP30003", "RNCP40004"]  # fmt: skip
    assert "tous niveaux" in every.rule


def test_codes_given_win_over_our_fiche(export):
    found = find_similar(export, "RNCP10001", Codes(("M1203",), ("999z",), "NIV5"))
    assert found.fiches["numero"].tolist() == ["RNCP40004", "RNCP60006"]


def test_our_codes_unknown_is_said_in_french(export):
    with pytest.raises(UnknownCodes) as caught:
        find_similar(export, "RNCP99999")
    problem = caught.value.problems[0]
    assert problem.message == (
        "codes ROME et NSF de notre titre inconnus : la fiche RNCP99999 n'est pas dans "
        "l'export et aucun code n'a été donné"
    )
    assert "--rome" in problem.hint


def test_the_safe_reader_refuses_entities(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE FICHES [<!ENTITY a "b">]><FICHES>&a;</FICHES>')
    with pytest.raises(InputFileError):
        find_similar(path, "RNCP10001", Codes(("D1402",)))


def test_cli_similar_csv_and_xlsx(export, tmp_path, capsys):
    out = tmp_path / "similaires.csv"
    assert main(["rncp", "similar", str(export), "--fiche", "RNCP10001", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Règle : fiches similaires : au moins un code ROME" in printed
    assert "4. RNCP30003 — Négociateur (NIV5, inactive)" in printed
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["numero"] for r in rows] == ["RNCP10001", "RNCP20002", "RNCP20002", "RNCP60006",
                                           "RNCP70007", "RNCP30003", "RNCP40004"]  # fmt: skip
    xlsx = tmp_path / "similaires.xlsx"
    assert main(["rncp", "similar", str(export), "--fiche", "RNCP10001", "--nsf", "310m",
                 "--rome", "X0000", "--out", str(xlsx)]) == 0  # fmt: skip
    sheet = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Rang", "Notre titre", "Fiche", "Intitulé"]
    assert [sheet.cell(row, 3).value for row in range(2, sheet.max_row + 1)] == [
        "RNCP10001", "RNCP70007"]  # fmt: skip


def test_cli_similar_usage(export, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["rncp", "similar", str(export), "--fiche", "RNCP10001", "--out", str(out),
                 "--excel-fr"]) == 2  # fmt: skip
    assert main(["rncp", "similar", str(export), "--fiche", "RNCP10001", "--level", "bac",
                 "--out", str(out)]) == 2  # fmt: skip
    assert not out.exists()


# -- the renewal report's section --------------------------------------------------------------
def test_renewal_section_places_our_latest_rates_among_the_similar(export):
    ctx = types.SimpleNamespace(referentiel=tiny_referentiel())  # no codes: from our fiche
    promotions = pd.DataFrame({
        "ANNEE": [2023, 2024], "TAUX_INSERTION_GLOBAL_6MOIS": [88, 91],
        "TAUX_INSERTION_METIER_6MOIS": [None, None], "TAUX_INSERTION_GLOBAL_2ANS": [None, None],
        "TAUX_INSERTION_METIER_2ANS": [81, None]})  # fmt: skip
    view = similar_view(ctx, promotions, str(export), "RNCP10001")
    rates = view.rates
    global6 = rates[rates["indicator"] == "Insertion globale dans l'emploi à 6 mois"]
    # ours first (2024, our latest), then each fiche's latest published rate, highest first
    assert global6[["numero", "ours", "ANNEE", "rate"]].values.tolist() == [
        ["RNCP10001", True, 2024, 91.0], ["RNCP20002", False, 2023, 85.0],
        ["RNCP70007", False, 2023, 78.0], ["RNCP30003", False, 2021, 75.0],
        ["RNCP60006", False, 2023, 70.0]]  # fmt: skip
    assert "Sans statistiques publiées : RNCP40004." in view.note
    assert view.fiches["state"].tolist() == ["active", "active", "active", "inactive", "active"]


def test_renewal_section_without_our_codes_says_why(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?><FICHES>' + _fiche("RNCP2", "Autre", "NIV5", ["A1"],
                                                              ["1"]) + "</FICHES>")  # fmt: skip
    ctx = types.SimpleNamespace(referentiel=tiny_referentiel())
    view = similar_view(ctx, pd.DataFrame(), str(path), "RNCP10001")
    assert view.rates.empty and view.note.startswith(
        "Comparaison avec les certifications similaires impossible : codes ROME et NSF"
    )


def test_dot_plot_sets_our_title_apart_by_shape_and_colour():
    table = pd.DataFrame({"fiche": ["A", "Nous"], "indicator": ["x", "x"], "rate": [70.0, 90.0],
                          "ours": [False, True]})  # fmt: skip
    fig = charts.rate_dots(table, "rate", "indicator", "fiche", "ours", "titre")
    others, ours = fig.data
    assert (others.marker.symbol, ours.marker.symbol) == ("circle", "diamond")
    assert others.marker.color != ours.marker.color
    assert list(ours.x) == [90.0] and ours.name == "Notre titre (nos taux)"

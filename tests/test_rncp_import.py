"""Importer for France Compétences' RNCP export (flux XML v4.1).

Expected values about the sample were read by hand in ``shared/data/rncp/RNCP36612.xml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cc_analytics.core.errors import InputFileError, ReferentielError
from cc_analytics.referentiel import dump, load
from cc_analytics.referentiel.rncp import (
    STATISTICS_COLUMNS,
    list_fiches,
    looks_like_rncp_export,
    read_fiche,
    read_statistics,
)


# ---------------------------------------------------------------------------------------
# Tiny synthetic exports
# ---------------------------------------------------------------------------------------
def _block(code: str, competencies: str, modalities: str = "Oral", label: str = "Bloc") -> str:
    return (
        f"<BLOC_COMPETENCES><CODE>{code}</CODE><LIBELLE>{label}</LIBELLE>"
        f"<LISTE_COMPETENCES>{competencies}</LISTE_COMPETENCES>"
        f"<MODALITES_EVALUATION>{modalities}</MODALITES_EVALUATION></BLOC_COMPETENCES>"
    )


def _fiche(
    numero: str = "RNCP1",
    blocks: list[str] | None = None,
    title: str = "Titre un",
    extra: str = "",
) -> str:
    if blocks is None:
        blocks = [_block(f"{numero}BC01", "Foo  Bar")]
    block_xml = f"<BLOCS_COMPETENCES>{''.join(blocks)}</BLOCS_COMPETENCES>" if blocks else ""
    return (
        f"<FICHE><NUMERO_FICHE>{numero}</NUMERO_FICHE><INTITULE>{title}</INTITULE>"
        f"<ETAT_FICHE>Publiée</ETAT_FICHE>{extra}{block_xml}</FICHE>"
    )


def _export(*fiches: str, version: str = "4.1") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<FICHES><VERSION_FLUX>{version}</VERSION_FLUX>{''.join(fiches)}</FICHES>\n"
    )


def _write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_block(tmp_path: Path, competencies: str, modalities: str = "Oral") -> Path:
    return _write(tmp_path, _export(_fiche(blocks=[_block("RNCP1BC01", competencies, modalities)])))


# ---------------------------------------------------------------------------------------
# The sample fiche RNCP36612
# ---------------------------------------------------------------------------------------
def test_sample_is_listed(rncp_path: Path) -> None:
    fiches = list_fiches(rncp_path)
    assert fiches.to_dict("records") == [
        {
            "numero": "RNCP36612",
            "intitule": "Assistant en ressources humaines",
            "etat": "Publiée",
            "blocks": 4,
        }
    ]


def test_sample_metadata(rncp_path: Path) -> None:
    r = read_fiche(rncp_path)
    assert r.title == "Assistant en ressources humaines"
    assert r.rncp == "RNCP36612"
    assert r.version == "flux 4.1"
    assert r.date == "2022-07-01"  # <DATE_DECISION>01/07/2022</DATE_DECISION>
    assert r.source == (
        "France Compétences, export RNCP (flux XML 4.1), fiche RNCP36612 : RNCP36612.xml"
    )
    assert r.activities.empty
    assert r.competencies["activity"].isna().all()


def test_sample_blocks(rncp_path: Path) -> None:
    blocks = read_fiche(rncp_path).blocks
    assert blocks["code"].tolist() == ["BC01", "BC02", "BC03", "BC04"]
    assert blocks["source_code"].tolist() == [f"RNCP36612BC0{i}" for i in range(1, 5)]
    assert blocks["label"].tolist() == [
        "Gestion des opérations d’administration et de suivi des conditions de travail du "
        "personnel",
        "Etablissement de la paie et des déclarations sociales associées",
        "Contribution au recrutement et à l’intégration des collaborateurs",
        "Participation au développement des compétences des collaborateurs",
    ]


@pytest.mark.parametrize(
    ("block", "competencies", "modalities"),
    [("BC01", 9, 9), ("BC02", 9, 7), ("BC03", 8, 8), ("BC04", 7, 8)],
)
def test_sample_counts_per_block(
    rncp_path: Path, block: str, competencies: int, modalities: int
) -> None:
    r = read_fiche(rncp_path)
    assert r.competency_codes(block) == [f"{block}.C{i:02d}" for i in range(1, competencies + 1)]
    assert (r.modalities["block"] == block).sum() == modalities


@pytest.mark.parametrize(
    ("code", "starts", "ends"),
    [
        ("BC01.C01", "Réaliser une veille règlementaire régulière", "des contrats de travail."),
        # after a run of 5 spaces (the others are 4)
        ("BC01.C05", "Réaliser les attestations et déclarations légales", "en vigueur."),
        # the only item without a final full stop
        ("BC02.C02", "Collecter les informations relatives", "sociales et fiscales"),
        # an en dash between single spaces stays inside the item
        ("BC03.C08", "Mettre en œuvre les procédures d’accueil", "environnement de travail."),
        ("BC04.C07", "Participer à la mise en œuvre de méthodes", "qualité des prestataires."),
    ],
)
def test_sample_competency_labels(rncp_path: Path, code: str, starts: str, ends: str) -> None:
    label = read_fiche(rncp_path).labels()[code]
    assert label.startswith(starts)
    assert label.endswith(ends)
    assert "  " not in label


def test_sample_modalities(rncp_path: Path) -> None:
    modalities = read_fiche(rncp_path).modalities
    bc02 = modalities.loc[modalities["block"] == "BC02", "text"].tolist()
    assert bc02[1:5] == [
        "Etablissement d’une déclaration sociale obligatoire",
        "Etudes de cas d’entreprises",
        "Travaux individuel",
        "Productions écrites",
    ]
    assert (modalities["level"] == 0).all()


def test_sample_statistics(rncp_path: Path) -> None:
    expected = pd.DataFrame(
        {
            "ANNEE": [2018, 2019],
            "NOMBRE_CERTIFIES": [93, 106],
            "NOMBRE_CERTIFIES_VAE": [0, 3],
            "TAUX_INSERTION_GLOBAL_6MOIS": [89, 81],
            "TAUX_INSERTION_METIER_6MOIS": [None, None],
            "TAUX_INSERTION_GLOBAL_2ANS": [None, None],
            "TAUX_INSERTION_METIER_2ANS": [75, 68],
        }
    ).astype("Int64")
    pd.testing.assert_frame_equal(read_statistics(rncp_path), expected)
    stats = read_fiche(rncp_path).statistics
    assert stats.columns.tolist() == STATISTICS_COLUMNS
    assert stats["ANNEE"].tolist() == [2018, 2019]  # the file lists 2019 first
    assert stats["NOMBRE_CERTIFIES"].tolist() == [93, 106]


def test_sample_scale_and_gaps(rncp_path: Path) -> None:
    r = read_fiche(rncp_path)
    assert r.scale["value"].tolist() == [0, 1, 2, 3, 4]
    assert r.scale["label"].tolist() == [
        "non acquis",
        "en cours d'acquisition",
        "acquis",
        "maîtrisé",
        "expert",
    ]
    assert not r.scale["from_source"].any()
    assert r.threshold == 2
    assert r.scale["acquired"].tolist() == [False, False, True, True, True]
    assert r.gaps.to_dict("records") == [
        {
            "code": None,
            "what": "échelle",
            "note": "L'export RNCP ne décrit pas l'échelle de notation : échelle 0–4 par défaut.",
        }
    ]


@pytest.mark.parametrize("number", ["RNCP36612", "rncp36612", "36612", " 36612 ", "RNCP 36612"])
def test_fiche_number_spellings(rncp_path: Path, number: str) -> None:
    assert read_fiche(rncp_path, number).rncp == "RNCP36612"


def test_sample_survives_a_yaml_round_trip(rncp_path: Path, tmp_path: Path) -> None:
    r = read_fiche(rncp_path)
    dump(r, tmp_path / "ref.yaml")
    again = load(tmp_path / "ref.yaml")
    assert again.competency_codes() == r.competency_codes()
    assert again.labels() == r.labels()
    assert again.content_hash == r.content_hash


# ---------------------------------------------------------------------------------------
# Content sniffing
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n  <VERSION', True),
        (b"<FICHE><NUMERO_FICHE>RNCP1", True),
        (b"\xef\xbb\xbf<?xml version='1.0'?><FICHES>", True),
        (b"<?xml version='1.0'?>\n<!-- export -->\n<FICHES>", True),
        ("<FICHES>".encode("utf-16"), True),
        (b"<FICHES", True),  # cut right after the name
        (b"<html/>", False),
        (b"<?xml version='1.0'?><FICHESX>", False),
        (b"<fiches>", False),
        (b"format: cc-analytics.referentiel/1\nblocks:", False),
        (b"", False),
    ],
)
def test_looks_like_rncp_export(head: bytes, expected: bool) -> None:
    assert looks_like_rncp_export(head) is expected


def test_sniffs_the_sample(rncp_path: Path) -> None:
    assert looks_like_rncp_export(rncp_path.read_bytes()[:512])


# ---------------------------------------------------------------------------------------
# Several fiches
# ---------------------------------------------------------------------------------------
@pytest.fixture
def two_fiches(tmp_path: Path) -> Path:
    second = _fiche(
        "RNCP2",
        title="Titre deux",
        blocks=[_block("RNCP2BC01", "Alpha  Beta"), _block("RNCP2BC02", "Gamma")],
    )
    return _write(tmp_path, _export(_fiche("RNCP1"), second), name="deux.xml")


def test_list_two_fiches(two_fiches: Path) -> None:
    fiches = list_fiches(two_fiches)
    assert fiches["numero"].tolist() == ["RNCP1", "RNCP2"]
    assert fiches["intitule"].tolist() == ["Titre un", "Titre deux"]
    assert fiches["blocks"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("number", "title", "codes"),
    [
        ("RNCP1", "Titre un", ["BC01.C01", "BC01.C02"]),
        ("2", "Titre deux", ["BC01.C01", "BC01.C02", "BC02.C01"]),
    ],
)
def test_select_a_fiche(two_fiches: Path, number: str, title: str, codes: list[str]) -> None:
    r = read_fiche(two_fiches, number)
    assert r.title == title
    assert r.competency_codes() == codes


def test_unknown_fiche_lists_the_available_ones(two_fiches: Path) -> None:
    with pytest.raises(InputFileError) as err:
        read_fiche(two_fiches, "RNCP999")
    message = str(err.value)
    assert "deux.xml" in message
    assert "la fiche RNCP999 n'est pas dans cet export" in message
    assert "Fiches disponibles : RNCP1, RNCP2" in message


def test_several_fiches_need_a_number(two_fiches: Path) -> None:
    with pytest.raises(InputFileError) as err:
        read_fiche(two_fiches)
    message = str(err.value)
    assert "deux.xml" in message
    assert "l'export contient 2 fiches : précisez laquelle importer" in message
    assert "--fiche" in message
    assert "RNCP1, RNCP2" in message
    with pytest.raises(InputFileError, match="2 fiches"):
        read_statistics(two_fiches)


def test_long_lists_of_fiches_are_summarised(tmp_path: Path) -> None:
    path = _write(tmp_path, _export(*(_fiche(f"RNCP{i}") for i in range(1, 23))))
    with pytest.raises(InputFileError) as err:
        read_fiche(path, "RNCP999")
    assert "RNCP1, RNCP2" in str(err.value)
    assert "RNCP21" not in str(err.value)
    assert "et 2 autres" in str(err.value)


def test_invalid_fiche_number(two_fiches: Path) -> None:
    with pytest.raises(InputFileError, match=r"numéro de fiche invalide.*RNCP-1"):
        read_fiche(two_fiches, "RNCP-1")


def test_a_lone_fiche_element_is_an_export(tmp_path: Path) -> None:
    path = _write(tmp_path, _fiche("RNCP7"), name="seule.xml")
    r = read_fiche(path, "RNCP7")
    assert r.version is None
    assert r.source == (
        "France Compétences, export RNCP (flux XML version non précisée), fiche RNCP7 : seule.xml"
    )


def test_export_without_fiche(tmp_path: Path) -> None:
    path = _write(tmp_path, _export(), name="vide.xml")
    assert list_fiches(path).empty
    with pytest.raises(InputFileError, match=r"vide\.xml : l'export ne contient aucune fiche"):
        read_fiche(path)


# ---------------------------------------------------------------------------------------
# Splitting LISTE_COMPETENCES
# ---------------------------------------------------------------------------------------
G1, G2, G3 = "BC01.C01", "BC01.C02", "BC01.C03"


@pytest.mark.parametrize(
    ("text", "codes", "labels"),
    [
        # the fiche's own codes are kept and taken out of the label
        ("A1C1. Foo  A1C2. Bar", ["A1C1", "A1C2"], ["Foo", "Bar"]),
        ("C.1. Foo  C.2. Bar", ["C.1", "C.2"], ["Foo", "Bar"]),
        ("1.1.1 Foo  1.1.2 Bar", ["1.1.1", "1.1.2"], ["Foo", "Bar"]),
        ("1.1.1 - Foo    1.1.2 - Bar", ["1.1.1", "1.1.2"], ["Foo", "Bar"]),
        ("C1 - Foo  C2 - Bar", ["C1", "C2"], ["Foo", "Bar"]),
        ("B1.A1.C1 – Foo  B2A3C1-Bar", ["B1.A1.C1", "B2A3C1"], ["Foo", "Bar"]),
        ("1. Foo  2) Bar", ["1", "2"], ["Foo", "Bar"]),
        ("- C1. Foo  - C2. Bar", ["C1", "C2"], ["Foo", "Bar"]),
        # a code alone on its line goes with the next item
        ("C1.\nFoo\nC2.\nBar", ["C1", "C2"], ["Foo", "Bar"]),
        # bullets are removed, codes generated by position
        ("- Foo  - Bar", [G1, G2], ["Foo", "Bar"]),
        ("* Foo\n* Bar", [G1, G2], ["Foo", "Bar"]),
        ("• Foo\r\n• Bar\n\n• Baz", [G1, G2, G3], ["Foo", "Bar", "Baz"]),
        ("Foo\nBar", [G1, G2], ["Foo", "Bar"]),
        ("  Foo bar.   ", [G1], ["Foo bar."]),
        # a bullet between single spaces is text, not a separator
        ("- Foo - Bar", [G1], ["Foo - Bar"]),
        ("Foo – notamment Bar  Baz", [G1, G2], ["Foo – notamment Bar", "Baz"]),
        # a bare number without punctuation is prose
        ("3 entretiens menés  Bar", [G1, G2], ["3 entretiens menés", "Bar"]),
        # an acronym is not a code
        ("CSE et RGPD  SIRH", [G1, G2], ["CSE et RGPD", "SIRH"]),
        # some items coded, some not: positions count every item
        ("Foo  A1C2. Bar  Baz", [G1, "A1C2", G3], ["Foo", "Bar", "Baz"]),
    ],
)
def test_competency_splitting(
    tmp_path: Path, text: str, codes: list[str], labels: list[str]
) -> None:
    competencies = read_fiche(_one_block(tmp_path, text)).competencies
    assert competencies["code"].tolist() == codes
    assert competencies["label"].tolist() == labels
    own = [code for code in codes if not code.startswith("BC01.")]
    assert [c for c in competencies["source_code"] if c in own] == own


def test_own_codes_reused_across_blocks_get_the_block_prefix(tmp_path: Path) -> None:
    blocks = [
        _block("RNCP1BC01", "C1. Foo  C2. Bar"),
        _block("RNCP1BC02", "C1. Baz"),
        _block("RNCP1BC03", "Qux"),
    ]
    r = read_fiche(_write(tmp_path, _export(_fiche(blocks=blocks))))
    assert r.competencies["code"].tolist() == ["BC01.C1", "BC01.C2", "BC02.C1", "BC03.C01"]
    assert r.competencies["source_code"].tolist()[:3] == ["C1", "C2", "C1"]
    assert r.competencies["label"].tolist() == ["Foo", "Bar", "Baz", "Qux"]


def test_own_codes_unique_across_blocks_are_kept(tmp_path: Path) -> None:
    blocks = [_block("RNCP1BC01", "A1C1. Foo"), _block("RNCP1BC02", "A2C1. Bar")]
    r = read_fiche(_write(tmp_path, _export(_fiche(blocks=blocks))))
    assert r.competencies["code"].tolist() == ["A1C1", "A2C1"]


def test_duplicate_own_codes_in_a_block_fall_back_to_positions(tmp_path: Path) -> None:
    r = read_fiche(_one_block(tmp_path, "C1. Foo  C1. Bar"))
    assert r.competencies["code"].tolist() == [G1, G2]
    assert r.competencies["source_code"].tolist() == ["C1", "C1"]
    assert r.gaps[["code", "what"]].values.tolist()[1] == ["BC01", "codes"]


def test_block_code_without_bc_suffix_uses_position(tmp_path: Path) -> None:
    blocks = [_block("", "Foo"), _block("XYZ", "Bar")]
    r = read_fiche(_write(tmp_path, _export(_fiche(blocks=blocks))))
    assert r.blocks["code"].tolist() == ["BC01", "BC02"]
    assert r.competency_codes() == ["BC01.C01", "BC02.C01"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oral  Écrit", ["Oral", "Écrit"]),
        ("- Oral\n- Écrit", ["Oral", "Écrit"]),
        ("Oral - écrit", ["Oral - écrit"]),
        ("E1. Étude de cas  E2. Jury", ["E1. Étude de cas", "E2. Jury"]),  # text as written
    ],
)
def test_modality_splitting(tmp_path: Path, text: str, expected: list[str]) -> None:
    r = read_fiche(_one_block(tmp_path, "Foo", text))
    assert r.modalities["text"].tolist() == expected


def test_block_without_modalities_is_a_gap(tmp_path: Path) -> None:
    r = read_fiche(_one_block(tmp_path, "Foo", ""))
    assert r.modalities.empty
    gap = r.gaps.to_dict("records")[1]
    assert (gap["code"], gap["what"]) == ("BC01", "modalités")
    assert "RNCP1BC01" in gap["note"]


# ---------------------------------------------------------------------------------------
# Dates and statistics of synthetic fiches
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "date", "gaps"),
    [
        ("<DATE_DECISION>05/03/2021</DATE_DECISION>", "2021-03-05", ["échelle"]),
        ("", None, ["échelle"]),
        ("<DATE_DECISION>2021-03-05</DATE_DECISION>", None, ["échelle", "date"]),
    ],
)
def test_decision_date(tmp_path: Path, extra: str, date: str | None, gaps: list[str]) -> None:
    r = read_fiche(_write(tmp_path, _export(_fiche(extra=extra))))
    assert r.date == date
    assert r.gaps["what"].tolist() == gaps


def test_statistics_missing_and_non_numeric(tmp_path: Path) -> None:
    stats = (
        "<STATISTIQUES_PROMOTIONS><STATISTIQUES_PROMOTION><ANNEE>2021</ANNEE>"
        "<NOMBRE_CERTIFIES>12</NOMBRE_CERTIFIES><TAUX_INSERTION_METIER_6MOIS>NC"
        "</TAUX_INSERTION_METIER_6MOIS><TAUX_INSERTION_GLOBAL_2ANS>90 %"
        "</TAUX_INSERTION_GLOBAL_2ANS></STATISTIQUES_PROMOTION></STATISTIQUES_PROMOTIONS>"
    )
    path = _write(tmp_path, _export(_fiche("RNCP1", extra=stats), _fiche("RNCP2")))
    table = read_statistics(path, "RNCP1")
    assert table.columns.tolist() == STATISTICS_COLUMNS
    row = table.iloc[0]
    assert (row["ANNEE"], row["NOMBRE_CERTIFIES"], row["TAUX_INSERTION_GLOBAL_2ANS"]) == (
        2021,
        12,
        90,
    )
    assert pd.isna(row["TAUX_INSERTION_METIER_6MOIS"])
    assert pd.isna(row["NOMBRE_CERTIFIES_VAE"])
    empty = read_statistics(path, "RNCP2")
    assert empty.empty
    assert empty.columns.tolist() == STATISTICS_COLUMNS
    assert read_fiche(path, "RNCP2").statistics.empty


# ---------------------------------------------------------------------------------------
# Errors: French, naming the file and the place
# ---------------------------------------------------------------------------------------
def test_fiche_without_blocks(tmp_path: Path) -> None:
    path = _write(tmp_path, _export(_fiche("RNCP5", blocks=[])), name="sans-blocs.xml")
    assert list_fiches(path)["blocks"].tolist() == [0]
    with pytest.raises(ReferentielError) as err:
        read_fiche(path)
    message = str(err.value)
    assert message.startswith("sans-blocs.xml") or "sans-blocs.xml" in message
    assert "la fiche RNCP5 ne décrit aucun bloc de compétences" in message
    assert "BLOCS_COMPETENCES" in message
    assert "écrivez le référentiel YAML à la main" in message
    # its statistics can still be read
    assert read_statistics(path).empty


def test_empty_competency_lists_are_all_reported(tmp_path: Path) -> None:
    blocks = [
        _block("RNCP1BC01", ""),
        _block("RNCP1BC02", "Foo"),
        _block("RNCP1BC03", "-   *"),  # nothing but bullets
    ]
    path = _write(tmp_path, _export(_fiche(blocks=blocks)), name="liste-vide.xml")
    with pytest.raises(ReferentielError) as err:
        read_fiche(path)
    problems = err.value.problems
    assert len(problems) == 2
    assert all(p.file and p.file.endswith("liste-vide.xml") for p in problems)
    message = str(err.value)
    assert "fiche RNCP1, bloc RNCP1BC01 (1er bloc)" in message
    assert "fiche RNCP1, bloc RNCP1BC03 (3e bloc)" in message
    assert "la liste des compétences (LISTE_COMPETENCES) est vide" in message


def test_not_an_rncp_export(tmp_path: Path) -> None:
    path = _write(tmp_path, "<html/>", name="page.xml")
    with pytest.raises(InputFileError) as err:
        list_fiches(path)
    message = str(err.value)
    assert message.startswith(f"{path} — ligne 1 : ")
    assert "n'est pas un export RNCP de France Compétences" in message
    assert "<html>" in message


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (
            "<FICHES>\n  <FICHE>\n    <NUMERO_FICHE>RNCP1</NUMERO_FICHE>\n  </FICHES>\n",
            "4",
            "la balise fermante ne correspond pas à la balise ouverte",
        ),
        ("<FICHES>\n  <FICHE>\n", "3", "document vide ou tronqué"),
        ("", "1", "document vide ou tronqué"),
        ("<FICHES>\n<INTITULE>AT&T</INTITULE></FICHES>", "2", "caractère ou balise invalide"),
        ("<FICHES></FICHES>\n<FICHES/>", "2", "contenu après la fin de l'élément racine"),
    ],
)
def test_malformed_xml(tmp_path: Path, text: str, line: str, what: str) -> None:
    path = _write(tmp_path, text, name="casse.xml")
    with pytest.raises(InputFileError) as err:
        read_fiche(path)
    message = str(err.value)
    assert message.startswith(f"{path} — ligne {line} : XML mal formé")
    assert what in message
    assert "téléchargez à nouveau l'export" in message


def test_entities_are_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE FICHES [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;">]>\n<FICHES><FICHE><INTITULE>&b;</INTITULE></FICHE></FICHES>'
    )
    path = _write(tmp_path, text, name="entites.xml")
    with pytest.raises(InputFileError, match=r"entites\.xml : .*refusées par sécurité"):
        read_fiche(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.xml"
    with pytest.raises(InputFileError) as err:
        read_fiche(path)
    assert str(err.value).startswith(f"{path} : fichier introuvable")
    with pytest.raises(InputFileError, match=r"absent\.xml : fichier introuvable"):
        list_fiches(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"fichier illisible \(c'est un dossier\)"):
        read_fiche(tmp_path)

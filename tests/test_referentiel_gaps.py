"""An honest incomplete referentiel (issue 13, point 4) and the official RNCP block codes
(point 5): what the source lacks, the gate's message for a known gap, the completed
referentiel and ``check``, block codes from an imported fiche or configured, and the metrics
columns that carry both. Expected values written by hand from the shipped YAML's ``gaps``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cc_analytics import referentiel as ref
from cc_analytics.cli import main
from cc_analytics.core.errors import ReferentielError
from cc_analytics.engine.aggregates import aggregate
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.referentiel import gaps
from cc_analytics.referentiel.official import block_codes, block_names, configure, rncp_codes
from cc_analytics.referentiel.rncp import read_fiche
from cc_analytics.reporting.tables import with_referentiel_columns

from .fixtures import SCALE, in_workspace, tiny_candidates, tiny_scores

DAY = date(2026, 1, 15)


# -- the gate's message for a known gap ----------------------------------------------------
def test_gap_message_names_the_gap_and_the_command():
    what, hint = gaps.gap_message(ref.load(), "B2A2C1", "demo")
    assert what == "B2A2C1 est absente du référentiel fourni (lacune de la source)"
    assert hint == (
        "Ajoutez-la au référentiel du dossier avec « cc-analytics referentiel complete demo "
        '--add B2A2C1 --label "…" » (son intitulé est dans le référentiel officiel complet), '
        "puis relancez avec le référentiel écrit (option --referentiel)"
    )


def test_gap_message_for_a_competency_of_a_missing_activity_any_spelling():
    what, hint = gaps.gap_message(ref.load(), "B2.A1.C3", "ecole")
    assert what == (
        "B2A1C3 relève de l'activité B2A1, absente du référentiel fourni (lacune de la source)"
    )
    assert hint.startswith(
        "Ajoutez d'abord l'activité avec « cc-analytics referentiel complete ecole --add B2A1 "
    )


@pytest.mark.parametrize("code", ["B9A9C9", "B1A1C1", "B2A2C5", "n'importe quoi"])
def test_no_gap_message_for_a_code_the_referentiel_does_not_expect(code):
    assert gaps.gap_message(ref.load(), code) is None


# -- what rests on the gaps ----------------------------------------------------------------
def test_the_shipped_referentiel_says_block_2_and_the_title_are_incomplete():
    r = ref.load()
    assert gaps.incomplete_blocks(r) == ["B2"]
    assert not gaps.title_complete(r)
    text = gaps.caveat(r)
    assert text.startswith(
        "Référentiel incomplet : le bloc B2 (intitulé du bloc B2 absent, activité B2A1 absente, "
        "intitulé de l'activité B2A2 absent, compétence B2A2C1 absente) est validé sur ses 6 "
        "compétences connues ; des pages manquent dans la source."
    )
    assert "colonne referentiel_complete" in text
    assert "colonne" not in gaps.caveat(r, tables=False)


def test_a_referentiel_without_structural_gap_has_no_caveat():
    r = _tiny()
    assert gaps.caveat(r) == "" and gaps.title_complete(r) and gaps.incomplete_blocks(r) == []


# -- completing ------------------------------------------------------------------------------
def test_complete_adds_the_competency_and_records_the_filled_gap(tmp_path):
    r = gaps.complete(ref.load(), "b2a2c1", "Définir les actions commerciales", on=DAY)
    comps = r.competencies.set_index("code")
    assert comps.loc["B2A2C1", ["block", "activity", "label"]].tolist() == [
        "B2", "B2A2", "Définir les actions commerciales"]  # fmt: skip
    # in the referentiel's order: B2A2C1 before B2A2C2
    assert r.competency_codes("B2")[:2] == ["B2A2C1", "B2A2C2"]
    assert "B2A2C1" not in r.gaps["code"].tolist()
    assert r.filled.to_dict("records") == [{
        "code": "B2A2C1", "what": "compétence", "label": "Définir les actions commerciales",
        "note": "comblée le 2026-01-15 avec « cc-analytics referentiel complete » (lacune de la "
                "source : absente de la source (la numérotation reprend à B2A2C2))"}]  # fmt: skip
    # the file says what it adds, and reads back the same
    path = tmp_path / "complet.yaml"
    ref.dump(r, path)
    again = ref.load(path)
    assert again.id == r.id and again.filled.equals(r.filled)
    # still incomplete: the other gaps of block 2 and the pages remain
    left, _ = gaps.remaining(again)
    assert [(g.code, g.what) for g in left.itertuples()] == [
        (None, "pages"), ("B2", "intitulé du bloc"), ("B2A1", "activité"),
        ("B2A2", "intitulé de l'activité")]  # fmt: skip


def test_filling_every_gap_makes_block_2_and_the_title_complete():
    r = ref.load()
    for code, label in [("B2", "Développer"), ("B2A1", "Activité un"), ("B2A2", "Activité deux"),
                        ("B2A2C1", "Compétence"), ("B2A1C1", "Autre compétence")]:  # fmt: skip
        r = gaps.complete(r, code, label, on=DAY)
    # block 2 is described; the missing pages still leave the title not fully described
    assert gaps.incomplete_blocks(r) == [] and not gaps.title_complete(r)
    r = gaps.resolve(r, "pages", "pages vérifiées sur le référentiel officiel", on=DAY)
    assert gaps.incomplete_blocks(r) == [] and gaps.title_complete(r)
    assert len(r.competencies) == 22 and r.blocks.set_index("code").loc["B2", "label"] == (
        "Développer")  # fmt: skip


def test_an_activity_added_alone_leaves_its_block_incomplete():
    r = gaps.complete(ref.load(), "B2A1", "Activité un", on=DAY)
    assert ("B2A1", gaps.EMPTY_ACTIVITY) in set(zip(r.gaps["code"], r.gaps["what"], strict=True))
    r = gaps.complete(r, "B2A1C1", "Première compétence", on=DAY)
    assert gaps.EMPTY_ACTIVITY not in r.gaps["what"].tolist()


@pytest.mark.parametrize(("code", "expected"), [
    ("B1A1C1", "la compétence B1A1C1 figure déjà au référentiel"),
    ("B1", "B1 a déjà un intitulé : « Collecter et traiter l'information commerciale »"),
    ("B2A9C1", "l'activité B2A9 n'existe pas au référentiel"),
    ("XYZ", "code de bloc, d'activité ou de compétence non reconnu"),
])  # fmt: skip
def test_complete_refuses_what_it_cannot_place(code, expected):
    with pytest.raises(ReferentielError) as caught:
        gaps.complete(ref.load(), code, "Intitulé")
    assert caught.value.problems[0].message == expected


def _raw_dataset(tmp_path, monkeypatch):
    workspace = in_workspace(tmp_path, monkeypatch)
    (workspace.raw / "ecole").mkdir()
    (workspace.raw / "ecole" / "candidates.csv").write_text("cohort,candidate_id\n")
    return workspace


def test_cli_complete_writes_outside_raw_and_check_lists_what_remains(tmp_path, monkeypatch,
                                                                      capsys):  # fmt: skip
    workspace = _raw_dataset(tmp_path, monkeypatch)
    before = sorted(p.name for p in (workspace.raw / "ecole").iterdir())
    code = main(["referentiel", "complete", "ecole", "--add", "B2A2C1", "--label",
                 "Définir les actions commerciales"])  # fmt: skip
    assert code == 0
    written = tmp_path / "referentiels" / "ecole.yaml"
    assert ref.load(written).filled["code"].tolist() == ["B2A2C1"]
    assert sorted(p.name for p in (workspace.raw / "ecole").iterdir()) == before
    # a second run continues from the file written
    assert main(["referentiel", "complete", "ecole", "--add", "B2", "--label", "Développer"]) == 0
    assert ref.load(written).filled["code"].tolist() == ["B2A2C1", "B2"]
    capsys.readouterr()
    assert main(["referentiel", "check", str(written)]) == 0
    out = capsys.readouterr().out
    assert "Lacunes qui pèsent sur les chiffres (3)" in out
    assert (
        "  - toute la source — pages\n  - B2A1 — activité\n  - B2A2 — intitulé de l'activité" in out
    )
    assert (
        "Lacunes comblées (2) :\n  - B2A2C1 — compétence : « Définir les actions commerciales »"
        in out
    )


def test_cli_complete_refusals_write_nothing(tmp_path, monkeypatch, capsys):
    _raw_dataset(tmp_path, monkeypatch)
    assert main(["referentiel", "complete", "ecole"]) == 2  # nothing asked
    assert main(["referentiel", "complete", "ecole", "--add", "B2A2C1"]) == 2  # no label
    assert main(["referentiel", "complete", "ecole", "--add", "B1A1C1", "--label", "x"]) == 1
    err = capsys.readouterr().err
    assert "rien à compléter" in err and "--label est obligatoire avec --add" in err
    assert "la compétence B1A1C1 figure déjà au référentiel" in err
    assert not (tmp_path / "referentiels").exists()


# -- official block codes ---------------------------------------------------------------------
def test_block_codes_from_an_imported_fiche(rncp_path):
    r = read_fiche(rncp_path)
    assert block_codes(r) == {f"BC0{i}": f"RNCP36612BC0{i}" for i in range(1, 5)}
    assert block_names(r)["BC02"] == "BC02 (RNCP36612BC02)"
    assert (r.rome, r.nsf, r.level) == (("M1604", "M1501", "M1203"), ("315t",), "NIV5")


def test_block_codes_configured_and_checked():
    r = configure(_tiny(), fiche="RNCP10001", blocks={"B1": "RNCP10001BC01"})
    assert block_codes(r) == {"B1": "RNCP10001BC01", "B2": None}  # B2: nothing guessed
    with pytest.raises(ReferentielError) as caught:
        configure(_tiny(), fiche="RNCP10001", blocks={"B1": "RNCP99999BC01"})
    assert caught.value.problems[0].message == (
        "le code RNCP du bloc B1 n'est pas de la fiche RNCP10001"
    )
    with pytest.raises(ReferentielError):
        configure(_tiny(), blocks={"B7": "RNCP10001BC07"})


# -- the metrics columns ------------------------------------------------------------------------
def test_metrics_columns_on_a_tiny_fixture():
    r = configure(_tiny(gap=True), fiche="RNCP10001", blocks={"B1": "RNCP10001BC01"})
    results = compute_results(tiny_candidates(), tiny_scores(), r, Rules())
    table = aggregate(results, r, ["cohort"])
    out = with_referentiel_columns(table, r)
    assert list(out.columns) == [*table.columns, "referentiel_complete", "rncp_code"]
    pd.testing.assert_frame_equal(out[table.columns], table)  # existing columns unchanged
    x = out[out["cohort"] == "X"].set_index("code")
    assert x["referentiel_complete"].to_dict() == {
        "B1A1C1": True, "B1A1C2": True, "B2A1C1": True, "B2A1C2": True,
        "B1": True, "B2": False, "TITLE": False}  # fmt: skip
    assert x["rncp_code"].fillna("").to_dict() == {  # empty where no official code is known
        "B1A1C1": "RNCP10001BC01", "B1A1C2": "RNCP10001BC01", "B2A1C1": "", "B2A1C2": "",
        "B1": "RNCP10001BC01", "B2": "", "TITLE": "RNCP10001"}  # fmt: skip
    assert rncp_codes(r, table).index.equals(table.index)


def _tiny(gap: bool = False):
    """Two blocks of two competencies; ``gap``: B2A1C3 recorded as missing from the source."""
    return ref.from_dict({
        "title": "Titre essai", "scale": SCALE,
        "blocks": [
            {"code": "B1", "label": "Bloc un", "activities": [{"code": "B1A1", "label": "A", "competencies": [
                {"code": "B1A1C1", "label": "Un un"}, {"code": "B1A1C2", "label": "Un deux"}]}]},
            {"code": "B2", "label": "Bloc deux", "activities": [{"code": "B2A1", "label": "B", "competencies": [
                {"code": "B2A1C1", "label": "Deux un"}, {"code": "B2A1C2", "label": "Deux deux"}]}]},
        ],
        "gaps": [{"code": "B2A1C3", "what": "compétence", "note": "absente de la source"}] if gap else [],
    })  # fmt: skip

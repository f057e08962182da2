"""The referentiel model, its YAML format, its integrity checks, and the shipped referentiel."""

from __future__ import annotations

import pandas as pd
import pytest

from cc_analytics import referentiel as ref
from cc_analytics.core.errors import ReferentielError
from cc_analytics.referentiel.grid import read_grid

MINI = """\
title: Mini
threshold: 2
scale:
  - {value: 0, label: non acquis}
  - {value: 1, label: en cours}
  - {value: 2, label: acquis}
  - {value: 3, label: maîtrisé}
  - {value: 4, label: expert}
blocks:
  - code: B1
    label: Bloc un
    activities:
      - code: B1A1
        label: Activité
        competencies:
          - {code: B1A1C1, label: Compétence un}
          - {code: B1A1C2, label: Compétence deux}
"""


def write(tmp_path, text, name="ref.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_referentiel_holds_the_seed_twenty_competencies():
    r = ref.load()
    assert r.title == "Chargé.e de clientèle"
    assert r.competencies["code"].tolist() == [
        "B1A1C1", "B1A1C2", "B1A1C3",
        "B2A2C2", "B2A2C3", "B2A2C4", "B2A3C1", "B2A3C2", "B2A3C3",
        "B3A1C1", "B3A1C2", "B3A1C3", "B3A2C1", "B3A2C2", "B3A2C3", "B3A2C4",
        "B3A3C1", "B3A3C2", "B3A3C3", "B3A3C4",
    ]  # fmt: skip
    assert r.blocks["code"].tolist() == ["B1", "B2", "B3"]
    assert r.threshold == 2
    assert r.check() == []


def test_shipped_referentiel_is_exactly_what_the_seed_holds(seed_path):
    """Reviewed by hand, but no content added or lost against the importer's reading."""
    shipped, imported = ref.load(), read_grid(seed_path)
    for name in (
        "blocks",
        "activities",
        "competencies",
        "criteria",
        "modalities",
        "knowledge",
        "scale",
    ):
        pd.testing.assert_frame_equal(getattr(shipped, name), getattr(imported, name))
    # the review only adds gaps, it never removes one
    imported_gaps = set(map(tuple, imported.gaps.fillna("").values.tolist()))
    shipped_gaps = set(map(tuple, shipped.gaps.fillna("").values.tolist()))
    assert imported_gaps <= shipped_gaps


def test_yaml_round_trip_keeps_everything(tmp_path):
    r = ref.load()
    path = tmp_path / "copie.yaml"
    ref.dump(r, path)
    again = ref.load(path)
    assert again.id == r.id
    for name in ref.TABLE_COLUMNS:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(r, name))


def test_id_changes_with_content_not_layout(tmp_path):
    a = ref.load(write(tmp_path, MINI, "a.yaml"))
    b = ref.load(write(tmp_path, "# un commentaire\n" + MINI, "b.yaml"))
    c = ref.load(write(tmp_path, MINI.replace("Compétence un", "Compétence 1"), "c.yaml"))
    assert a.id == b.id
    assert a.id != c.id


def test_labels_and_codes_helpers(tmp_path):
    r = ref.load(write(tmp_path, MINI))
    assert r.competency_codes("B1") == ["B1A1C1", "B1A1C2"]
    assert r.labels()["B1A1"] == "Activité"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("- {code: B1A1C2, label: Compétence deux}", "- {code: B1A1C1, label: Bis}"),
            r"ligne 17 : code de compétence en double.*B1A1C1",
        ),
        (
            ("    activities:\n", "    activities:\n      - {code: B1A1, label: Bis}\n"),
            r"code d'activité en double.*B1A1",
        ),
        (("  - {value: 4, label: expert}\n", ""), r"échelle doit couvrir.*0 à 4"),
        (("threshold: 2", "threshold: 7"), r"seuil d'acquisition.*« 7 »"),
        (
            ("label: Bloc un", "label: Bloc un\n    label: Bloc deux"),
            r"ligne 12.*clé « label » en double",
        ),
        (
            ("{code: B1A1C2, label: Compétence deux}", "{code: B1A1C2}"),
            r"B1A1C2 n'a pas d'intitulé",
        ),
    ],
)
def test_integrity_errors_name_file_and_place(tmp_path, change, expected):
    path = write(tmp_path, MINI.replace(*change))
    with pytest.raises(ReferentielError, match=expected) as info:
        ref.load(path)
    assert str(path) in str(info.value)


def test_competency_pointing_to_missing_activity(tmp_path):
    text = MINI + "    competencies:\n      - {code: B1A9C1, label: Orpheline, activity: B1A9}\n"
    with pytest.raises(ReferentielError, match=r"B1A9C1 renvoie à l'activité inexistante B1A9"):
        ref.load(write(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path):
    text = MINI.replace("threshold: 2", "threshold: 9").replace(
        "{code: B1A1C2, label: Compétence deux}", "{code: B1A1C1, label: Bis}"
    )
    with pytest.raises(ReferentielError) as info:
        ref.load(write(tmp_path, text))
    assert len(info.value.problems) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blocks: [\n", r"YAML invalide"),
        ("- a\n- b\n", r"pas un référentiel cc-analytics"),
    ],
)
def test_unreadable_yaml(tmp_path, text, expected):
    with pytest.raises(ReferentielError, match=expected):
        ref.load(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ReferentielError, match=r"absent\.yaml : fichier introuvable"):
        ref.load(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Chargé.e de clientèle", "charge-e-de-clientele"), ("../../etc", "etc"), ("", "referentiel")],
)
def test_slugify_is_path_safe(text, slug):
    assert ref.slugify(text) == slug


def test_competency_filed_under_another_activity(tmp_path):
    text = MINI.replace("      - code: B1A1\n        label: Activité\n",
                        "      - code: B1A2\n        label: Activité\n")  # fmt: skip
    with pytest.raises(ReferentielError) as info:
        ref.load(write(tmp_path, text))
    assert "la compétence B1A1C1 est rangée sous l'activité B1A2" in str(info.value)


def test_criteria_pointing_to_a_missing_activity_are_reported_once(tmp_path):
    text = (
        MINI
        + "    criteria:\n"
        + "".join(f"      - {{text: critère {i}, activities: [B1A9]}}\n" for i in range(3))
    )
    with pytest.raises(ReferentielError) as info:
        ref.load(write(tmp_path, text))
    assert str(info.value).count("B1A9") == 2  # message and value, once
    assert "3 critère(s) renvoient à l'activité inexistante B1A9" in str(info.value)

"""The seed importer, checked against the seed document read by a person."""

from __future__ import annotations

import pytest

from cc_analytics.referentiel import from_dict
from cc_analytics.referentiel.grid import parse_grid, read_grid

# (competency, block, activity): read off the seed, page by page.
SEED_COMPETENCIES = [
    ("B1A1C1", "B1", "B1A1"),
    ("B1A1C2", "B1", "B1A1"),
    ("B1A1C3", "B1", "B1A1"),
    ("B2A2C2", "B2", "B2A2"),
    ("B2A2C3", "B2", "B2A2"),
    ("B2A2C4", "B2", "B2A2"),
    ("B2A3C1", "B2", "B2A3"),
    ("B2A3C2", "B2", "B2A3"),
    ("B2A3C3", "B2", "B2A3"),
    ("B3A1C1", "B3", "B3A1"),
    ("B3A1C2", "B3", "B3A1"),
    ("B3A1C3", "B3", "B3A1"),
    ("B3A2C1", "B3", "B3A2"),
    ("B3A2C2", "B3", "B3A2"),
    ("B3A2C3", "B3", "B3A2"),
    ("B3A2C4", "B3", "B3A2"),  # printed at the top of page 4, in the B3A3 row
    ("B3A3C1", "B3", "B3A3"),
    ("B3A3C2", "B3", "B3A3"),
    ("B3A3C3", "B3", "B3A3"),
    ("B3A3C4", "B3", "B3A3"),
]


@pytest.fixture(scope="module")
def seed(seed_path):
    return read_grid(seed_path)


def test_seed_competencies_with_block_and_activity(seed):
    got = list(seed.competencies[["code", "block", "activity"]].itertuples(index=False, name=None))
    assert got == SEED_COMPETENCIES


def test_seed_labels_and_original_spellings(seed):
    comps = seed.competencies.set_index("code")
    assert comps.loc["B1A1C1", "source_code"] == "B1.A1.C1"
    assert comps.loc["B1A1C3", "label"] == (
        "Diffuser l'information pour les équipes afin d'optimiser l'efficacité commerciale"
    )
    assert comps.loc["B2A3C1", "source_code"] == "B2A3C1"
    assert comps.loc["B2A3C1", "label"].startswith("Suivre et analyser les résultats")
    # "B2A3C3 Préconiser…" has no separator at all after the code
    assert comps.loc["B2A3C3", "label"].startswith("Préconiser des améliorations")
    assert comps.loc["B3A2C4", "label"] == (
        "Finaliser les éléments contractuels de la vente pour atteindre les objectifs de "
        "l'entreprise."
    )
    assert not comps["label"].str.contains("<|>|Connaissances", regex=True).any()


def test_seed_blocks_and_activities(seed):
    blocks = dict(zip(seed.blocks["code"], seed.blocks["label"], strict=True))
    assert blocks["B1"] == "Collecter et traiter l'information commerciale"
    assert blocks["B2"] is None  # the seed never prints Bloc 2's title
    assert blocks["B3"].startswith("Assurer le conseil, la promotion et la vente")
    acts = dict(zip(seed.activities["code"], seed.activities["label"], strict=True))
    assert acts == {
        "B1A1": "Veille sur produits concurrents et marchés et l'environnement législatif",
        "B2A2": None,
        "B2A3": "Analyse de l'activité commerciale et mise en œuvre d'actions correctives",
        "B3A1": "Prospection et gestion des fichiers",
        "B3A2": "Négociation Vente",
        "B3A3": "Suivi et fidélisation",
    }


def test_seed_gaps_are_recorded_not_invented(seed):
    gaps = set(zip(seed.gaps["code"], seed.gaps["what"], strict=True))
    assert ("B2", "intitulé du bloc") in gaps
    assert ("B2A1", "activité") in gaps
    assert ("B2A2", "intitulé de l'activité") in gaps
    assert ("B2A2C1", "compétence") in gaps
    assert "B2A1" not in set(seed.activities["code"])
    assert "B2A2C1" not in set(seed.competencies["code"])


@pytest.mark.parametrize(
    ("activity", "count", "first"),
    [
        (
            "B1A1",
            4,
            "Les sources et informations recueillies sont fiables, actualisées, complètes.",
        ),
        ("B2A2", 4, "[…] (Prix, produit...) sont cohérentes entre elles."),
        ("B2A3", 4, "[…] (Prix, produit...) sont cohérentes entre elles."),
        ("B3A1", 4, "La méthode de prospection est adaptée au contexte."),
        # the B3A2 row (3 criteria) and the B3A3 row that carries B3A2C4 (7 criteria)
        ("B3A2", 10, "La solvabilité du client est vérifiée."),
        ("B3A3", 7, "Les outils digitaux adaptés à la vente sont connus et maîtrisés."),
    ],
)
def test_seed_criteria_per_activity(seed, activity, count, first):
    texts = seed.criteria.loc[seed.criteria["activity"] == activity, "text"].tolist()
    assert len(texts) == count
    assert texts[0] == first


@pytest.mark.parametrize(
    ("block", "modalities", "details"),
    [
        (
            "B1",
            [
                "Etudes de cas (groupes et/ou individuelles)",
                "Dossier normé (Plan imposé)",
                "Co validation par l'entreprise en fonction des missions réalisées en entreprise "
                "(sauf pour les candidats qui n'ont pas accès à une situation […]",
            ],
            ["Ecrit", "Individuel", "Soutenance orale devant un jury"],
        ),
        (
            "B2",
            [
                "[…] ressources, plan d'action, bilan, préconisations...)",
                "Co évaluation par l'entreprise en fonction des missions réalisées en entreprise "
                "(sauf pour les candidats qui n'ont pas accès à une situation d'immersion en "
                "entreprise)",
                "Grille d'évaluation critériée",
            ],
            ["Ecrit", "Individuel", "Soutenance orale devant un jury"],
        ),
        (
            "B3",
            [
                "Etudes de cas (individuelle et/ou en groupe)",
                "Jeu de rôle",
                "Mise en situation individuelle face à un jury professionnel :",
                "Co validation par l’entreprise en fonction des missions réalisées en entreprise "
                "(sauf pour les candidats qui n’ont pas accès à une situation d’immersion en "
                "entreprise)",
                "Grille d’évaluation critériée",
            ],
            [
                "Situation tirée au sort avec consigne de reporting",
                "Temps de préparation",
                "Temps de jeu imposé",
                "Autoévaluation de la prestation",
                "Echange avec le jury",
            ],
        ),
    ],
)
def test_seed_modalities_per_block(seed, block, modalities, details):
    table = seed.modalities[seed.modalities["block"] == block]
    assert table.loc[table["level"] == 0, "text"].tolist() == modalities
    assert table.loc[table["level"] == 1, "text"].tolist() == details


def test_seed_knowledge(seed):
    knowledge = seed.knowledge.groupby("block")["text"].apply(list).to_dict()
    assert "B1" not in knowledge
    # B2's list is cut by a page break after "Gestion commerciale/" and continues on page 3
    assert knowledge["B2"] == [
        "Cycle de vie produits services",
        "Cycle de vie client",
        "Marketing opérationnel",
        "Gestion commerciale",
        "Communication",
        "Conduite et gestion de projets",
        "Cadre juridique « Loi Pacte »",
        "RSE",
    ]
    assert len(knowledge["B3"]) == 10
    assert knowledge["B3"][-1] == "Anglais de la négociation"


def test_seed_scale_is_read(seed):
    scale = seed.scale.set_index("value")
    assert scale.loc[0, "label"] == "non acquis"
    assert scale.loc[4, "label"] == "expert"
    assert scale["from_source"].tolist() == [True, False, False, False, True]
    assert scale["acquired"].tolist() == [False, False, True, True, True]
    assert seed.scale_source == (
        "Compétences évaluées sur grille et codées de 0 (non acquis) à 4 (expert)"
    )


SYNTHETIC = (
    "TITRE « ESSAI »\n"
    "REFERENTIEL ACTIVITES, COMPETENCES ET EVALUATIONS – TITRE « ESSAI »\r\n"
    "Bloc 1 - Premier bloc\t\t\t\r\n"
    "<p>B1.A1 – Activité une</p>\t<p>B1.A1.C1 – Faire&nbsp;une chose</p>"
    " <p>B1A1C2 - Faire une autre chose qui continue</p>\t"
    "<ul><li>• Oral</li></ul> <p>Compétences évaluées sur grille et codées de 0 (rien) à "
    "4 (tout)</p>\t<p>Critère A.</p>\r\n"
    "---\t---\t---\t---\r\n"
    "REFERENTIEL ACTIVITES, COMPENTECES ET EVALUATIONS – TITRE « ESSAI »\r\n"
    "\tsur la page suivante.\t\t<p>Critère B.</p>\r\n"
    "B1A2 - Activité deux\tB1A2C1- Dernière &amp; unique\t• Écrit ✓ Individuel\t\r\n"
)


def test_tolerates_spellings_tags_headers_and_cut_rows():
    data = parse_grid(SYNTHETIC)
    r = from_dict(data)
    comps = r.competencies.set_index("code")
    assert list(comps.index) == ["B1A1C1", "B1A1C2", "B1A2C1"]
    assert comps.loc["B1A1C1", "label"] == "Faire une chose"
    assert comps.loc["B1A1C2", "label"] == (
        "Faire une autre chose qui continue sur la page suivante."
    )
    assert comps.loc["B1A2C1", "label"] == "Dernière & unique"
    assert r.title == "ESSAI"
    # the continuation row's criterion belongs to the row it continues
    assert r.criteria[["activity", "text"]].values.tolist() == [
        ["B1A1", "Critère A."],
        ["B1A1", "Critère B."],
    ]
    assert r.scale.set_index("value").loc[4, "label"] == "tout"
    assert r.modalities["text"].tolist() == ["Oral", "Écrit", "Individuel"]
    assert r.modalities["level"].tolist() == [0, 0, 1]


def test_document_without_competencies_is_refused(tmp_path):
    from cc_analytics.core.errors import ReferentielError

    path = tmp_path / "vide.txt"
    path.write_text("Bloc 1 - Rien\t\t\t\nligne\tsans\tcode\n", encoding="utf-8")
    with pytest.raises(ReferentielError, match=r"vide\.txt.*aucune compétence"):
        read_grid(path)

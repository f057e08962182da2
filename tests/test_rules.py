"""The rules as data: validation with French messages, the sentence every output prints, and
rules files in TOML."""

from __future__ import annotations

import pytest

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.engine.rules import Rules, load_rules, read_rules_file

DEFAULT_SENTENCE = (
    "acquis si note ≥ 2 ; rattrapage : dernière session ; combinaison : co-validation : "
    "jury acquis et, s'il a noté, employeur acquis ; rattrapage du jury après la note de "
    "l'entreprise : la note de l'entreprise reste prise en compte ; bloc validé si toutes ses "
    "compétences sont évaluées et acquises ; titre obtenu si tous les blocs sont validés ; "
    "insertion : emploi à l'étranger neutralisé, taux de réponse < 50 % signalé ; "
    "effectifs < 5 masqués dans les documents externes"
)


def test_defaults():
    rules = Rules()
    assert (rules.threshold, rules.combine, rules.small_group) == (2, "co_validation", 5)
    assert rules.to_dict() == {"threshold": 2, "combine": "co_validation", "small_group": 5,
                               "protection_width": 3, "retake_clears_employer": False,
                               "neutralise_abroad": True, "min_response_rate": 50}  # fmt: skip


@pytest.mark.parametrize("threshold", [0, 1, 2, 3, 4])
def test_every_score_of_the_scale_is_a_valid_threshold(threshold):
    assert Rules(threshold=threshold).threshold == threshold


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"threshold": 5}, "le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « 5 »)"),
        ({"threshold": -1}, "le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « -1 »)"),
        ({"threshold": 2.5}, "le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « 2.5 »)"),
        ({"threshold": "2"}, "le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « 2 »)"),
        # TOML ``threshold = true`` must not slip through as 1
        ({"threshold": True}, "le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « True »)"),
        ({"combine": "moyenne"},
         "mode de combinaison inconnu (valeur : « moyenne »). Modes : co_validation, jury, mean"),
        ({"combine": ["jury"]}, "mode de combinaison inconnu (valeur : « ['jury'] »)"),
        ({"small_group": 0}, "le seuil des petits effectifs doit être un entier ≥ 1 (valeur : « 0 »)"),
    ],
)  # fmt: skip
def test_invalid_rules_are_refused_in_french(values, message):
    with pytest.raises(CcAnalyticsError) as caught:
        Rules(**values)
    assert str(caught.value).startswith(message)


def test_every_problem_is_reported_at_once():
    with pytest.raises(CcAnalyticsError) as caught:
        Rules(threshold=9, combine="moyenne", small_group=0)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problèmes :\n  - le seuil d'acquisition")


def test_describe_fr_default_sentence():
    assert Rules().describe_fr() == DEFAULT_SENTENCE


@pytest.mark.parametrize(
    ("rules", "parts"),
    [
        (Rules(threshold=3), ["acquis si note ≥ 3 ;"]),
        (Rules(combine="jury"), ["combinaison : jury seul ;"]),
        (Rules(combine="mean"),
         ["combinaison : moyenne jury–employeur (jury seul sans note employeur) ;"]),
        (Rules(small_group=10), ["effectifs < 10 masqués"]),
    ],
)  # fmt: skip
def test_describe_fr_states_the_chosen_rules(rules, parts):
    sentence = rules.describe_fr()
    for part in parts:
        assert part in sentence


def test_with_overrides_ignores_none():
    base = Rules(threshold=3, combine="jury", small_group=7)
    assert base.with_overrides(threshold=None, combine=None) == base
    assert base.with_overrides() == base
    assert base.with_overrides(threshold=1, combine=None) == Rules(1, "jury", 7)
    assert base.with_overrides(combine="mean", small_group=None) == Rules(3, "mean", 7)
    assert base == Rules(3, "jury", 7)  # a copy: the original is unchanged


def test_with_overrides_validates():
    with pytest.raises(CcAnalyticsError, match="seuil d'acquisition"):
        Rules().with_overrides(threshold=7)


# -- rules files ------------------------------------------------------------------------------
def write(tmp_path, text: str):
    path = tmp_path / "regles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults():
    assert load_rules(None) == Rules()


@pytest.mark.parametrize(
    "text",
    [
        'threshold = 3\ncombine = "jury"\n',
        '# règles du jury 2025\n[rules]\nthreshold = 3\ncombine = "jury"\n',
    ],
    ids=["top-level", "rules-table"],
)
def test_load_rules_with_and_without_a_rules_table(tmp_path, text):
    path = write(tmp_path, text)
    assert load_rules(path) == Rules(threshold=3, combine="jury", small_group=5)
    assert load_rules(str(path)) == Rules(threshold=3, combine="jury")
    # only what the file sets, so that it can be layered over the referentiel's threshold
    assert read_rules_file(path) == {"threshold": 3, "combine": "jury"}


def test_a_file_setting_one_rule_keeps_the_others_of_the_base(tmp_path):
    path = write(tmp_path, 'combine = "mean"\n')
    base = Rules(threshold=3, small_group=8)
    assert base.with_overrides(**read_rules_file(path)) == Rules(3, "mean", 8)


def test_empty_file_sets_nothing(tmp_path):
    path = write(tmp_path, "# rien\n")
    assert read_rules_file(path) == {}
    assert load_rules(path) == Rules()


def test_unknown_key_is_named_with_the_file(tmp_path):
    path = write(tmp_path, "[rules]\nseuil = 3\nthreshold = 3\n")
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path} : règle inconnue : seuil. Règles possibles : combine, min_response_rate, "
        "neutralise_abroad, protection_width, retake_clears_employer, small_group, threshold"
    )


def test_keys_outside_the_rules_table_are_refused(tmp_path):
    # TOML puts top-level keys before any table: this ``threshold`` would be silently lost
    path = write(tmp_path, 'threshold = 3\n[rules]\ncombine = "jury"\n')
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : « rules » doit être une section [rules]")
    assert "(valeur : « threshold »)" in message


def test_invalid_value_names_the_file(tmp_path):
    path = write(tmp_path, "[rules]\nthreshold = 6\n")
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path} : le seuil d'acquisition doit être un entier de 0 à 4 (valeur : « 6 »)"
    )


def test_missing_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    assert str(caught.value) == f"{path} : fichier de règles introuvable"


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "threshold = = 3\n")
    with pytest.raises(CcAnalyticsError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(f"{path} : TOML invalide : ")


def test_a_folder_is_not_a_rules_file(tmp_path):
    with pytest.raises(CcAnalyticsError, match="fichier de règles illisible"):
        load_rules(tmp_path)

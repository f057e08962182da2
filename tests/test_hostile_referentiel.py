"""Hostile and careless referentiel files: bounded resources, French messages, never a crash.

Issue 15: item 5 (YAML alias bombs, deep nesting, size; RNCP XML size and depth), item 7 (every
wrongly shaped ``referentiel.yaml``, generated from the schema, gives a French message naming
the file and the place), item 10 (a DOCTYPE in an RNCP export is refused as such).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from cc_analytics.cli import main
from cc_analytics.core.errors import CcAnalyticsError, InputFileError, ReferentielError
from cc_analytics.referentiel import from_dict, load, rncp, shape
from cc_analytics.referentiel.limits import MAX_TEXT_BYTES
from cc_analytics.referentiel.sources import read_source

from .fixtures import in_workspace

SCALE = [{"value": value, "label": label, "from_source": value in (0, 4)}
         for value, label in enumerate(["non acquis", "en cours", "acquis", "maîtrisé", "expert"])]  # fmt: skip
#: A valid referentiel using every field the schema declares (see test_base_uses_every_field).
FULL = {
    "format": "cc-analytics.referentiel/1", "title": "Titre essai", "rncp": "RNCP1",
    "version": "1", "date": "2024-06-14", "source": "essai", "threshold": 2,
    "scale_source": "grille", "scale": SCALE,
    "blocks": [
        {"code": "B1", "label": "Bloc un", "source_code": "RNCP1BC01", "rncp_code": "RNCP1BC01",
         "activities": [{"code": "B1A1", "label": "A", "competencies": [
             {"code": "B1A1C1", "label": "Un un", "source_code": "B1.A1.C1"},
             {"code": "B1A1C2", "label": "Un deux"}]}],
         "criteria": [{"text": "Fiable.", "activities": ["B1A1"]}, {"text": "Complet."}],
         "modalities": ["Oral", {"text": "Dossier", "items": ["Écrit", "Individuel"]}],
         "knowledge": ["Droit"]},
        {"code": "B2", "label": "Bloc deux",
         "competencies": [{"code": "B2C1", "label": "Deux un", "activity": None,
                           "source_code": "C1"}]},
    ],
    "gaps": [{"code": "B2", "what": "intitulé", "note": "absent"}],
    "statistics": [{"ANNEE": 2023, "NOMBRE_CERTIFIES": 12}],
    "filled": [{"code": "B2C0", "what": "compétence", "label": "Deux zéro", "note": "ajoutée"}],
    "rome": ["D1402"], "nsf": ["312t"], "level": "NIV5",
}  # fmt: skip

REMOVED = object()
#: What every field becomes: removed, or set to a value of each other kind.
FIELD_VALUES = {"removed": REMOVED, "none": None, "int": 7, "list": ["texte"],
                "dict": {"code": "X"}, "str": "texte"}  # fmt: skip
#: What every list entry becomes.
ENTRY_VALUES = {"7": 7, "none": None, "str": "texte"}


def _variants(node, path=()):
    """(path, kind, replacement) for every field and every list entry of ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            for kind, replacement in FIELD_VALUES.items():
                yield (*path, key), kind, replacement
            yield from _variants(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            for kind, replacement in ENTRY_VALUES.items():
                yield (*path, index), kind, replacement
            yield from _variants(item, (*path, index))


def _apply(path, replacement):
    data = copy.deepcopy(FULL)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if replacement is REMOVED:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(replacement)
    return data


VARIANTS = [
    pytest.param(path, replacement, id=f"{shape.path_text(path)}={kind}")
    for path, kind, replacement in _variants(FULL)
]


def assert_french_refusal(message: str, file: str | Path | None = None) -> None:
    """A message a pedagogical lead can read: French, no Python exception, the file named."""
    assert "Traceback" not in message
    assert not re.search(r"\w+(Error|Exception)\b|NoneType|object has no attribute", message)
    assert re.search(r"[àâçéèêîôûù«»]|\b(le|la|les|des|du|une?|est|pas)\b", message), message
    if file is not None:
        assert str(file) in message


def write(folder: Path, text: str, name: str = "referentiel.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# Item 7: every wrong shape, generated from the schema
# ---------------------------------------------------------------------------------------
def _declared(spec, prefix=""):
    """Field paths the schema declares (``blocks[].activities[].code``)."""
    if isinstance(spec, shape.Record):
        for key, kind in spec.fields.items():
            name = f"{prefix}.{key}" if prefix else key
            yield name
            yield from _declared(kind, name)
    elif isinstance(spec, shape.ListOf):
        yield from _declared(spec.item, f"{prefix}[]")
    elif isinstance(spec, shape.TextOrRecord):
        yield from _declared(spec.record, prefix)


def _present(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            yield name
            yield from _present(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _present(item, f"{prefix}[]")


def test_base_uses_every_field_of_the_schema():
    """The variants cover the whole schema: a field added to it must be added to FULL."""
    assert set(_declared(shape.REFERENTIEL)) <= set(_present(FULL))
    from_dict(copy.deepcopy(FULL))  # and the base itself is valid


@pytest.mark.parametrize(("path", "replacement"), VARIANTS)
def test_every_shape_is_loaded_or_refused_in_french(tmp_path, path, replacement):
    """As a structure (``from_dict``, what importers call) and as a YAML file (``load``)."""
    data = _apply(path, replacement)
    try:
        from_dict(copy.deepcopy(data), name="essai.yaml")
    except CcAnalyticsError as exc:
        assert_french_refusal(str(exc), "essai.yaml")
    file = write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    try:
        load(file)
    except CcAnalyticsError as exc:
        assert_french_refusal(str(exc), file)
        if "blocks" in data and shape.flaws(data):  # each wrong value at its line
            assert all(p.row for p in exc.problems)


MINI = """\
title: Mini
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
          - {code: B1A1C1, label: Un un}
  - code: B2
    label: Bloc deux
    activities:
      - code: B2A1
        label: Activité
        competencies:
          - {code: B2A1C1, label: Deux un}
          - {code: B2A1C2, label: Deux deux}
          - {code: B2A1C3, label: Deux trois}
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("- {code: B2A1C3, label: Deux trois}", "- 7"),
            "ligne 24 : blocks[1].activities[0].competencies[2] : une compétence doit être une "
            "fiche avec un code et un intitulé, trouvé 7",
        ),
        (
            (
                MINI[MINI.index("      - code: B1A1") : MINI.index("  - code: B2")],
                "      - [B1A1, A]\n",
            ),
            "ligne 12 : blocks[0].activities[0] : une activité doit être une fiche avec un code, "
            "un intitulé et ses compétences, trouvé une liste",
        ),
        (
            ("{code: B2A1C2, label: Deux deux}", "{label: Deux deux}"),
            "ligne 23 : blocks[1].activities[0].competencies[1] : le code de la compétence "
            "manque. Ajoutez « code: B1A1C1 »",
        ),
        (
            ("label: Deux deux", "label: 2024"),
            "ligne 23 : blocks[1].activities[0].competencies[1].label : l'intitulé de la "
            "compétence doit être un texte, trouvé 2024. Écrivez-le entre guillemets",
        ),
        (
            ("label: Deux deux", "label: [Deux, deux]"),
            "competencies[1].label : l'intitulé de la compétence doit être un texte, trouvé une "
            "liste. Écrivez un seul texte",
        ),
        (("blocks:\n", "blocks:\nrien:\n"), "ligne 8 : blocks : la liste de blocs est vide"),
        (
            (
                MINI[MINI.index("      - code: B1A1") : MINI.index("  - code: B2")],
                "      code: B1A1\n",
            ),
            "ligne 12 : blocks[0].activities : doit être une liste d'activités (une ligne « - … » "
            "par élément), trouvé une fiche (code)",
        ),
        (
            ("code: B1\n", "code: 1\n"),
            "blocks[0].code : le code du bloc doit être un texte, trouvé 1",
        ),
        (
            ("{value: 2, label: acquis}", "{value: deux, label: acquis}"),
            "ligne 5 : scale[2].value : la valeur du niveau doit être un nombre entier, trouvé le "
            "texte « deux »",
        ),
    ],
)
def test_shape_messages_name_the_file_the_line_and_the_path(tmp_path, change, expected):
    file = write(tmp_path, MINI.replace(*change))
    with pytest.raises(ReferentielError) as info:
        load(file)
    assert str(info.value).startswith(f"{file} — ")
    assert expected in str(info.value)


def test_every_shape_problem_is_reported_at_once(tmp_path):
    text = (
        MINI.replace("- {code: B2A1C3, label: Deux trois}", "- 7")
        .replace("label: Deux deux", "label: [a]")
        .replace("      - code: B1A1\n        label: Activité\n", "      - label: Activité\n")
    )
    with pytest.raises(ReferentielError) as info:
        load(write(tmp_path, text))
    assert [p.row for p in info.value.problems] == ["12", "22", "23"]  # one line less above


def test_a_file_of_the_wrong_kind_is_summarised(tmp_path):
    text = "blocks:\n" + "".join(f"  - {n}\n" for n in range(100))
    with pytest.raises(ReferentielError) as info:
        load(write(tmp_path, text))
    assert len(info.value.problems) == 41
    assert info.value.problems[-1].message == "… et 60 autres valeurs de la mauvaise forme"


# A sample of the generated files through the commands a user types
CLI_SAMPLE = [
    pytest.param(("blocks", 0, "activities", 0, "competencies", 1), 7, id="competency=7"),
    pytest.param(("blocks",), None, id="blocks=none"),
    pytest.param(("blocks", 1, "code"), REMOVED, id="code=removed"),
    pytest.param(("blocks", 0, "label"), ["texte"], id="label=list"),
    pytest.param(("scale",), {"code": "X"}, id="scale=dict"),
    pytest.param(("blocks", 0, "modalities", 1, "items"), 7, id="items=7"),
]


@pytest.mark.parametrize(("path", "replacement"), CLI_SAMPLE)
def test_referentiel_check_refuses_a_bad_shape_in_french(tmp_path, capsys, path, replacement):
    file = write(tmp_path, yaml.safe_dump(_apply(path, replacement), allow_unicode=True))
    assert main(["referentiel", "check", str(file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ")
    assert_french_refusal(err, file)
    assert shape.path_text(path[:-1] if replacement is REMOVED else path) in err


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    """A dataset of the demo's files in a workspace; its referentiel written by each test."""
    from cc_analytics.demo import DEMO_DATASET

    in_workspace(tmp_path, monkeypatch)
    folder = tmp_path / "data" / "raw" / "essai"
    shutil.copytree(DEMO_DATASET, folder)
    return folder


@pytest.mark.parametrize(("path", "replacement"), CLI_SAMPLE[:3])
def test_validate_refuses_a_dataset_with_a_bad_referentiel(dataset, capsys, path, replacement):
    file = write(dataset, yaml.safe_dump(_apply(path, replacement), allow_unicode=True))
    assert main(["validate", "essai"]) == 1
    err = capsys.readouterr().err
    assert_french_refusal(err, file)
    assert shape.path_text(path[:-1] if replacement is REMOVED else path) in err
    assert not (dataset.parents[1] / "processed").exists()


# ---------------------------------------------------------------------------------------
# Item 5: YAML resources bounded
# ---------------------------------------------------------------------------------------
def _alias_bomb() -> str:
    """A 300-byte « billion laughs »: nine levels of nine aliases, 9**9 values once expanded."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\nblocks: *i\n"


def test_alias_bomb_is_refused_at_once(tmp_path):
    file = write(tmp_path, _alias_bomb())
    assert file.stat().st_size < 1024
    started = time.monotonic()
    with pytest.raises(ReferentielError) as info:
        load(file)
    assert time.monotonic() - started < 5  # was 29 s and 8.5 GB
    assert str(info.value).startswith(
        f"{file} — ligne 5 : trop de valeurs une fois les alias (*nom) développés (plus de 50 000)"
    )


def test_aliases_within_the_budget_are_accepted(tmp_path):
    text = MINI.replace(
        "    label: Bloc un\n", "    label: Bloc un\n    modalities: &oral [Oral]\n"
    )
    text = text.replace("    label: Bloc deux\n", "    label: Bloc deux\n    modalities: *oral\n")
    referentiel = load(write(tmp_path, text))
    assert referentiel.modalities["text"].tolist() == ["Oral", "Oral"]


def test_an_alias_inside_itself_is_refused(tmp_path):
    with pytest.raises(ReferentielError) as info:
        load(write(tmp_path, "title: x\nblocks: &b\n  - *b\n"))
    assert "ligne 3 : l'alias *b renvoie à la liste ou à la fiche qui le contient" in str(
        info.value
    )


@pytest.mark.parametrize(
    "text",
    [
        "blocks: " + "[" * 100_000 + "]" * 100_000 + "\n",  # flow lists
        "blocks:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 200)) + "  " * 200 + "v\n",
        "blocks:\n" + "".join("  " * n + "-\n" for n in range(1, 200)) + "  " * 200 + "- v\n",
        "blocks: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
    ],
    ids=["flow-lists", "mappings", "block-lists", "flow-mappings"],
)
def test_deep_nesting_is_refused_without_recursion_error(tmp_path, text):
    with pytest.raises(ReferentielError, match=r"imbrication trop profonde \(plus de 20 niveaux"):
        load(write(tmp_path, text))


def test_depth_of_a_real_referentiel_is_accepted(tmp_path):
    load(write(tmp_path, MINI))  # 7 levels: file > blocks > block > activities > … > competency


def test_too_many_values_are_refused(tmp_path):
    text = "blocks: [" + ", ".join(["x"] * 60_000) + "]\n"
    with pytest.raises(ReferentielError, match=r"trop de valeurs pour un référentiel"):
        load(write(tmp_path, text))


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    file = write(tmp_path, "blocks: []\n# " + "x" * MAX_TEXT_BYTES + "\n")
    with pytest.raises(ReferentielError) as info:
        load(file)
    assert str(info.value) == (
        f"{file} : fichier trop volumineux pour être celui du référentiel (plus de 2 Mo). "
        "Vérifiez qu'il s'agit du bon fichier : un référentiel fait quelques dizaines de Ko"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "referentiel.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ReferentielError, match=r"ce n'est pas un fichier ordinaire"):
        load(fifo)
    with pytest.raises(InputFileError, match=r"ce n'est pas un fichier ordinaire"):
        rncp.read_fiche(fifo)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"blocks: [\x00]\n", r"ligne 1 : caractère interdit dans un fichier YAML"),
        (b"title: ok\nblocks: [\x1b[31m]\n", r"ligne 2 : caractère interdit .* 0x1B"),
        ("title: é\nblocks: [é]\n".encode("cp1252"), r"ligne 1 : .*ce n'est pas du texte UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"ce n'est pas du texte UTF-8|caractère interdit"),
    ],
    ids=["nul", "ansi", "cp1252", "binary"],
)
def test_binary_and_control_characters(tmp_path, content, expected):
    file = tmp_path / "referentiel.yaml"
    file.write_bytes(content)
    with pytest.raises(ReferentielError, match=expected) as info:
        load(file)
    assert_french_refusal(str(info.value), file)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blocks:\n\t- code: B1\n", "ligne 2 : YAML invalide : caractère inattendu"),
        ("blocks: [B1\n", "YAML invalide : crochet « [ » non fermé ou virgule manquante"),
        ("title: a: b\nblocks: []\n", "ligne 1 : YAML invalide : deux-points inattendu"),
        ("blocks: !!python/object:os.system x\n", "ligne 1 : YAML invalide : étiquette YAML"),
        ("blocks: *nulle\n", "ligne 1 : YAML invalide : alias (*nom) sans ancre"),
        ("blocks: []\n---\nblocks: []\n", "ligne 2 : YAML invalide : le fichier contient "
         "plusieurs documents"),
        ("? [a]\n: b\nblocks: []\n", "ligne 1 : YAML invalide : clé invalide"),
        ("blocks: []\nblocks: []\n", "ligne 2 : YAML invalide : clé « blocks » en double. Gardez "
         "cette clé une seule fois"),
    ],
)  # fmt: skip
def test_yaml_syntax_errors_are_told_in_french(tmp_path, text, expected):
    file = write(tmp_path, text)
    with pytest.raises(ReferentielError) as info:
        load(file)
    assert expected in str(info.value)
    assert "détail technique" not in str(info.value)


def test_referentiel_check_refuses_the_bomb_in_french(tmp_path, capsys):
    file = write(tmp_path, _alias_bomb())
    assert main(["referentiel", "check", str(file)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_french_refusal(captured.err, file)
    assert list(tmp_path.iterdir()) == [file]


def test_validate_refuses_a_dataset_whose_referentiel_is_a_bomb(dataset, capsys):
    file = write(dataset, _alias_bomb())
    started = time.monotonic()
    assert main(["validate", "essai"]) == 1
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert_french_refusal(err, file)
    assert "alias" in err
    assert not (dataset.parents[1] / "processed").exists()


@pytest.mark.slow
def test_console_script_never_shows_a_traceback(tmp_path):
    """The real command, in its own process: exit 1, French on stderr, no Python traceback."""
    exe = shutil.which("cc-analytics") or str(Path(sys.executable).with_name("cc-analytics"))
    files = [
        write(tmp_path, _alias_bomb(), "bombe.yaml"),
        write(tmp_path, "blocks: " + "[" * 50_000 + "\n", "profond.yaml"),
        write(tmp_path, MINI.replace("- {code: B2A1C3, label: Deux trois}", "- 7"), "forme.yaml"),
    ]
    for file in files:
        done = subprocess.run([exe, "referentiel", "check", str(file)], capture_output=True,
                              text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        assert_french_refusal(done.stderr, file)


# ---------------------------------------------------------------------------------------
# Item 5: RNCP XML size and depth bounded; item 10: a DOCTYPE refused as such
# ---------------------------------------------------------------------------------------
def _export(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>{body}</FICHES>\n'  # fmt: skip


def test_rncp_deep_nesting_is_refused(tmp_path):
    file = write(tmp_path, _export("<FICHE>" + "<X>" * 100_000 + "</X>" * 100_000 + "</FICHE>"),
                 "profond.xml")  # fmt: skip
    with pytest.raises(InputFileError) as info:
        rncp.read_fiche(file)
    assert str(info.value).startswith(
        f"{file} : imbrication trop profonde (plus de 32 éléments les uns dans les autres"
    )


def test_rncp_giant_fiche_is_refused(tmp_path):
    text = "<FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE><INTITULE>" + "x" * (5 * 1024 * 1024)
    file = write(tmp_path, _export(text + "</INTITULE></FICHE>"), "geante.xml")
    started = time.monotonic()
    with pytest.raises(InputFileError, match=r"une fiche .* dépasse 4 Mo"):
        rncp.list_fiches(file)
    assert time.monotonic() - started < 5


def test_rncp_many_small_fiches_are_streamed_within_the_bounds(tmp_path, monkeypatch):
    """The per-element bound is per fiche: an export larger than it, fiche by fiche, is read."""
    monkeypatch.setattr(rncp, "MAX_XML_ELEMENT_BYTES", 64 * 1024)
    fiches = "".join(f"<FICHE><NUMERO_FICHE>RNCP{n}</NUMERO_FICHE><INTITULE>{'x' * 1000}"
                     "</INTITULE></FICHE>" for n in range(300))  # fmt: skip
    file = write(tmp_path, _export(fiches), "export.xml")
    assert file.stat().st_size > 4 * 64 * 1024
    assert len(rncp.list_fiches(file)) == 300


def test_rncp_export_beyond_the_total_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(rncp, "MAX_XML_BYTES", 100_000)
    fiches = "".join(f"<FICHE><NUMERO_FICHE>RNCP{n}</NUMERO_FICHE></FICHE>" for n in range(5000))
    file = write(tmp_path, _export(fiches), "export.xml")
    with pytest.raises(InputFileError, match=r"fichier trop volumineux pour un export RNCP"):
        rncp.list_fiches(file)


DOCTYPES = {
    "entities": '<!DOCTYPE FICHES [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    "external-entity": '<!DOCTYPE FICHES [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "external-dtd": '<!DOCTYPE FICHES SYSTEM "http://example.invalid/fiches.dtd">',
    "plain": "<!DOCTYPE FICHES>",
}


@pytest.mark.parametrize("doctype", DOCTYPES.values(), ids=DOCTYPES.keys())
def test_rncp_doctype_is_refused_as_such(tmp_path, capsys, doctype):
    text = (
        f'<?xml version="1.0"?>\n{doctype}\n<FICHES><FICHE><INTITULE>x</INTITULE></FICHE></FICHES>'
    )
    file = write(tmp_path, text, "export.xml")
    out = tmp_path / "ref.yaml"
    with pytest.raises(InputFileError) as info:
        read_source(file)
    assert str(info.value).startswith(
        f"{file} : le fichier déclare une DTD (<!DOCTYPE FICHES …>) : DTD et entités XML sont "
        "refusées par sécurité"
    )
    assert main(["referentiel", "import", str(file), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "DTD" in err
    assert "pas un export RNCP" not in err
    assert not out.exists()


def test_a_doctype_of_another_document_is_still_not_an_export(tmp_path):
    file = write(tmp_path, "<!DOCTYPE html>\n<html><body/></html>", "page.xml")
    with pytest.raises(InputFileError, match=r"n'est pas un export RNCP"):
        read_source(file)

"""Workspaces: ``cc-analytics init``, finding the workspace, the dataset catalog, and reading
that never writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cc_analytics.build.config import workspace_config
from cc_analytics.cli import main
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.demo import DEMO_DATASET
from cc_analytics.gate.pipeline import prepare
from cc_analytics.reporting.context import load_context
from cc_analytics.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
GOOD_TINY = BAD / "score_decimal_zero"  # the tiny good dataset of the validation corpus


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def tiny_workspace(root: Path, *names: str) -> Workspace:
    """A workspace with the tiny good dataset under each of ``names`` (default ``tiny``)."""
    for name in names or ("tiny",):
        shutil.copytree(GOOD_TINY, root / "data" / "raw" / name)
    return Workspace(root)


# -- init -------------------------------------------------------------------------------------
def test_init_lays_out_a_workspace_with_the_demo_and_a_notebook(tmp_path, capsys):
    assert main(["init", str(tmp_path / "ws")]) == 0
    ws = tmp_path / "ws"
    for folder in ("data/raw", "data/processed", "reports", "notebooks"):
        assert (ws / folder).is_dir()
    assert tree(ws / "data" / "raw" / "demo") == tree(DEMO_DATASET)
    assert (ws / "notebooks" / "exploration.ipynb").is_file()
    readme = " ".join((ws / "README.md").read_text(encoding="utf-8").split())
    assert "data/raw/NOM/" in readme and "cc-analytics build" in readme
    assert "données personnelles" in readme  # says what must not be shared
    config = (ws / "cc-analytics.toml").read_text(encoding="utf-8")
    assert all(line.startswith("#") or not line.strip() for line in config.splitlines())
    out = capsys.readouterr().out
    assert out.startswith(f"Espace de travail créé : {ws}") and "cc-analytics build" in out


def test_init_empty_without_notebook(tmp_path):
    assert main(["init", str(tmp_path / "ws"), "--empty", "--no-notebook"]) == 0
    assert list((tmp_path / "ws" / "data" / "raw").iterdir()) == []
    assert list((tmp_path / "ws" / "notebooks").iterdir()) == []


def test_init_refuses_an_existing_workspace_and_keeps_it(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["init", str(ws)]) == 0
    (ws / "README.md").write_text("mes notes", encoding="utf-8")
    before = tree(ws)
    capsys.readouterr()
    assert main(["init", str(ws)]) == 1
    assert "déjà un espace de travail" in capsys.readouterr().err
    assert tree(ws) == before


def test_init_in_a_folder_with_files_keeps_them(tmp_path):
    folder = tmp_path / "projet"
    folder.mkdir()
    (folder / "README.md").write_text("le mien", encoding="utf-8")
    assert main(["init", str(folder), "--empty"]) == 0
    assert (folder / "README.md").read_text(encoding="utf-8") == "le mien"  # never overwritten
    assert (folder / "data" / "raw").is_dir()


# -- finding the workspace --------------------------------------------------------------------
def test_a_command_outside_any_workspace_says_so_in_french_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    elsewhere = tmp_path / "ailleurs"
    shutil.copytree(GOOD_TINY, elsewhere / "tiny")
    monkeypatch.chdir(elsewhere)
    before = tree(elsewhere)
    assert main(["validate", "tiny"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Erreur : {elsewhere} : aucun espace de travail cc-analytics ici")
    assert "cc-analytics init" in err and "--workspace" in err and "Traceback" not in err
    assert tree(elsewhere) == before
    assert main(["build"]) == 1
    assert "aucun espace de travail" in capsys.readouterr().err


def test_the_workspace_is_found_from_a_subfolder(tmp_path, monkeypatch, capsys):
    ws = tiny_workspace(tmp_path)
    monkeypatch.chdir(ws.raw / "tiny")
    assert main(["validate", "tiny"]) == 0  # a dataset named as in data/raw
    assert (ws.reports / "tiny" / "validation.html").is_file()
    assert f"Rapport de validation : {ws.reports / 'tiny' / 'validation.html'}" in (
        capsys.readouterr().out)  # fmt: skip


def test_workspace_option_from_anywhere(tmp_path, capsys):
    ws = tiny_workspace(tmp_path / "ws")
    assert main(["ingest", "tiny", "--workspace", str(ws.root)]) == 0
    assert (ws.processed / "tiny" / "manifest.json").is_file()
    assert (ws.processed / "tiny.pseudonym-key").is_file()
    assert main(["validate", "tiny", "--workspace", str(tmp_path / "nope")]) == 1
    assert "n'est pas un espace de travail" in capsys.readouterr().err


def test_the_repository_checkout_is_a_workspace():
    assert Workspace.find(ROOT / "tests" / "data").root == ROOT
    assert ROOT / "data" / "raw" / "demo" in Workspace(ROOT).dataset_folders()


# -- reading never writes -----------------------------------------------------------------------
def test_loading_a_context_of_unprocessed_data_writes_nothing_and_names_the_command(tmp_path):
    ws = tiny_workspace(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(CcAnalyticsError) as caught:
        load_context("tiny", workspace=ws.root)
    message = str(caught.value)
    assert "pas encore été contrôlées" in message and "cc-analytics ingest" in message
    assert tree(tmp_path) == before  # no gate, no ingest, no key, no report


def test_stale_processed_tables_are_refused_until_ingested_again(tmp_path):
    ws = tiny_workspace(tmp_path)
    assert prepare(ws.dataset("tiny")) is True
    assert prepare(ws.dataset("tiny")) is False  # up to date: nothing done
    ctx = load_context("tiny", workspace=ws.root)
    assert len(ctx.tables.candidates) == 3
    key = (ws.processed / "tiny.pseudonym-key").read_bytes()

    survey = ws.raw / "tiny" / "insertion.csv"
    survey.write_text(survey.read_text(encoding="utf-8") + "C3;6;recherche_emploi\n",
                      encoding="utf-8")  # fmt: skip
    before = tree(tmp_path)
    with pytest.raises(CcAnalyticsError, match="des fichiers du dossier ont changé"):
        load_context("tiny", workspace=ws.root)
    assert tree(tmp_path) == before
    assert prepare(ws.dataset("tiny")) is True
    assert len(load_context("tiny", workspace=ws.root).tables.insertion) == 3
    assert (ws.processed / "tiny.pseudonym-key").read_bytes() == key  # the key is kept


# -- what build builds ----------------------------------------------------------------------------
def test_build_takes_every_dataset_of_the_workspace_unless_configured(tmp_path):
    ws = tiny_workspace(tmp_path, "ecole-a", "ecole-b")
    config = workspace_config(ws)
    assert [d.path.name for d in config.datasets] == ["ecole-a", "ecole-b"]
    assert config.output == ws.reports

    ws.config.write_text('[build]\noutput = "sorties"\n', encoding="utf-8")
    config = workspace_config(ws)  # no [[datasets]]: still every folder, to another output
    assert len(config.datasets) == 2 and config.output == tmp_path / "sorties"

    ws.config.write_text('[[datasets]]\npath = "data/raw/ecole-b"\nreports = "review"\n',
                         encoding="utf-8")  # fmt: skip
    config = workspace_config(ws)
    assert [(d.path.name, d.reports) for d in config.datasets] == [("ecole-b", ("review",))]
    # one dataset asked for: with its settings from the file when it lists it
    only = workspace_config(ws, "ecole-b").datasets
    assert [(d.path.name, d.reports) for d in only] == [("ecole-b", ("review",))]
    assert [d.path.name for d in workspace_config(ws, "ecole-a").datasets] == ["ecole-a"]

    ws.config.write_text('[rules]\ncombine = "jury"\n', encoding="utf-8")
    config = workspace_config(ws, "data/raw/ecole-a")  # the file's rules apply to it too
    assert [d.path.name for d in config.datasets] == ["ecole-a"]
    assert config.rules_file == ws.config


def test_build_in_an_empty_workspace_says_what_to_do(tmp_path, monkeypatch, capsys):
    assert main(["init", str(tmp_path / "ws"), "--empty"]) == 0
    monkeypatch.chdir(tmp_path / "ws")
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "aucun jeu de données à construire" in err and "data/raw" in err

"""``cc-analytics lab``: JupyterLab in French without the news pop-up, the exploration notebook
opening unmodified, the report notebooks read-only (issue 10, point 8)."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest
from tornado import web

from cc_analytics.cli import lab as lab_cli
from cc_analytics.cli import main
from cc_analytics.reporting.kinds import EXPLORATION_NOTEBOOK, NOTEBOOKS_DIR
from cc_analytics.workspace.lab import LAB_SETTINGS, as_lab_saves
from cc_analytics.workspace.lab_contents import ReadOnlyReports
from tests.browser import CHROMIUM, LAUNCH_ARGS, require_browser

REPOSITORY = Path(__file__).resolve().parents[1]
EXPLORATION = NOTEBOOKS_DIR / EXPLORATION_NOTEBOOK
REPORT_NOTEBOOKS = ["cohort_report.ipynb", "quality_review.ipynb", "renewal_evidence.ipynb"]
#: What ipykernel says of its language, this Python's version aside.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
READ_ONLY_MESSAGE = (
    "« {} » est un carnet de rapport, ouvert en lecture seule : il ne peut pas "
    "être {} depuis JupyterLab. Les rapports se produisent avec « cc-analytics report » ou "
    "« cc-analytics build » ; pour explorer les données, utilisez le carnet exploration.ipynb."
)


# -- settings: French, no news ----------------------------------------------------------------
def test_lab_settings_are_french_without_news():
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(str(LAB_SETTINGS))
    assert error == ""
    assert overrides == {
        "@jupyterlab/translation-extension:plugin": {"locale": "fr_FR"},
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                        "checkForUpdates": False},
    }  # fmt: skip


def test_the_french_language_pack_is_installed_for_lab():
    from jupyterlab_server.translation_utils import get_language_packs

    packs, _ = get_language_packs()
    assert "fr_FR" in packs


def test_lab_command_line():
    folder = Path("/ecole/notebooks")
    command = lab_cli.lab_command(folder, folder / "exploration.ipynb",
                                  [Path("/paquet/cohort_report.ipynb")], port=8899,
                                  browser=False)  # fmt: skip
    root = ["--allow-root"] if os.geteuid() == 0 else []
    assert command == [
        sys.executable, "-m", "jupyter", "lab", "--notebook-dir=/ecole/notebooks",
        "--port=8899", f"--LabApp.app_settings_dir={LAB_SETTINGS}",
        "--ServerApp.contents_manager_class=cc_analytics.workspace.lab_contents.ReadOnlyReports",
        "--ReadOnlyReports.read_only=/paquet/cohort_report.ipynb",
        "/ecole/notebooks/exploration.ipynb", "--no-browser", *root,
    ]  # fmt: skip


class _Server:
    """Stands for the Jupyter server: records its command line, exits at once."""

    commands: ClassVar[list[list[str]]] = []

    def __init__(self, command: list[str]) -> None:
        self.commands.append(command)

    def wait(self) -> int:
        return 0

    def terminate(self) -> None:
        pass


@pytest.fixture
def started(monkeypatch) -> list[list[str]]:
    monkeypatch.setattr(lab_cli.subprocess, "Popen", _Server)
    _Server.commands = []
    return _Server.commands


def test_lab_in_a_workspace_copies_the_exploration_notebook_only(tmp_path, started, capsys):
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace), "--empty", "--no-notebook"]) == 0
    capsys.readouterr()
    assert main(["lab", "--workspace", str(workspace), "--no-browser", "--port", "8899"]) == 0
    out = capsys.readouterr().out
    notebooks = workspace / "notebooks"
    assert sorted(p.name for p in notebooks.iterdir()) == ["exploration.ipynb"]
    assert "Les carnets des rapports ne sont pas copiés dans l'espace de travail" in out
    assert "JupyterLab, en français, sur" in out
    (command,) = started
    assert f"--notebook-dir={notebooks}" in command
    assert f"--LabApp.app_settings_dir={LAB_SETTINGS}" in command
    read_only = [a.split("=", 1)[1] for a in command if a.startswith("--ReadOnlyReports.")]
    assert read_only == [str((NOTEBOOKS_DIR / name).resolve()) for name in REPORT_NOTEBOOKS]


def test_lab_in_the_repository_says_report_notebooks_are_read_only(started, capsys):
    before = {p.name: p.read_bytes() for p in (REPOSITORY / "notebooks").iterdir()}
    assert main(["lab", "--workspace", str(REPOSITORY), "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert ("Les carnets des rapports (cohort_report.ipynb, quality_review.ipynb, "
            "renewal_evidence.ipynb) s'ouvrent en lecture seule") in out  # fmt: skip
    (command,) = started
    assert str(REPOSITORY / "notebooks" / EXPLORATION_NOTEBOOK) in command
    assert {p.name: p.read_bytes() for p in (REPOSITORY / "notebooks").iterdir()} == before


# -- the exploration notebook opens unmodified ------------------------------------------------
def test_exploration_notebook_is_committed_as_lab_saves_it():
    text = EXPLORATION.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)
    ids = [cell.get("id") for cell in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids)
    assert nb["metadata"]["kernelspec"] == KERNELSPEC
    language = dict(nb["metadata"]["language_info"])
    assert language.pop("version").startswith("3.")
    assert language == LANGUAGE_INFO
    # Lab's own layout: one-space indent, keys sorted, text kept (not \u-escaped), final newline
    assert json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n" == text
    assert nbformat.writes(nbformat.reads(text, as_version=4)) + "\n" == text


def test_a_workspace_copy_names_this_python(tmp_path):
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace), "--empty"]) == 0
    copy = (workspace / "notebooks" / EXPLORATION_NOTEBOOK).read_text(encoding="utf-8")
    language = json.loads(copy)["metadata"]["language_info"]
    assert language == {**LANGUAGE_INFO, "version": platform.python_version()}
    assert as_lab_saves(copy) == copy
    # the cells are the package's, unchanged
    cells = [(c.cell_type, c.source) for c in nbformat.reads(copy, as_version=4).cells]
    assert cells == [
        (c.cell_type, c.source) for c in nbformat.read(EXPLORATION, as_version=4).cells
    ]


def test_an_existing_copy_is_kept(tmp_path, started):
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace), "--empty", "--no-notebook"]) == 0
    mine = workspace / "notebooks" / EXPLORATION_NOTEBOOK
    mine.write_text("mon carnet", encoding="utf-8")
    assert main(["lab", "--workspace", str(workspace), "--no-browser"]) == 0
    assert mine.read_text(encoding="utf-8") == "mon carnet"


# -- report notebooks read-only ---------------------------------------------------------------
@pytest.fixture
def served(tmp_path) -> tuple[ReadOnlyReports, Path]:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("cohort_report.ipynb", EXPLORATION_NOTEBOOK):
        shutil.copyfile(NOTEBOOKS_DIR / name, folder / name)
    os.symlink(folder / "cohort_report.ipynb", folder / "lien.ipynb")
    return ReadOnlyReports(
        root_dir=str(folder), read_only=[str(folder / "cohort_report.ipynb")]
    ), folder


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_report_notebook_is_served_locked(served):
    manager, _ = served
    model = run(manager.get("cohort_report.ipynb"))
    assert model["writable"] is False
    cells = model["content"].cells
    assert all(c.metadata["editable"] is False and c.metadata["deletable"] is False for c in cells)
    assert model["content"].metadata["kernelspec"] == KERNELSPEC  # opens unmodified
    # through a link too, and in the folder listing
    assert run(manager.get("lien.ipynb"))["writable"] is False
    listing = {m["name"]: m["writable"] for m in run(manager.get(""))["content"]}
    assert listing == {"cohort_report.ipynb": False, "exploration.ipynb": True, "lien.ipynb": False}


def test_the_exploration_notebook_stays_editable(served):
    manager, _ = served
    model = run(manager.get(EXPLORATION_NOTEBOOK))
    assert model["writable"] is True
    assert not any("editable" in c.metadata for c in model["content"].cells)


@pytest.mark.parametrize(
    ("change", "name", "done"),
    [
        (lambda m, model: m.save(model, "cohort_report.ipynb"), "cohort_report.ipynb", "enregistré"),
        (lambda m, model: m.save(model, "lien.ipynb"), "lien.ipynb", "enregistré"),
        (lambda m, model: m.rename_file("cohort_report.ipynb", "autre.ipynb"), "cohort_report.ipynb", "renommé"),
        (lambda m, model: m.delete_file("cohort_report.ipynb"), "cohort_report.ipynb", "supprimé"),
        (lambda m, model: m.restore_checkpoint("x", "cohort_report.ipynb"), "cohort_report.ipynb", "restauré"),
    ],
)  # fmt: skip
def test_a_report_notebook_is_never_written(served, change, name, done):
    manager, folder = served
    before = (folder / "cohort_report.ipynb").read_bytes()
    model = run(manager.get("cohort_report.ipynb"))
    model["content"].cells[0].source = "changé"
    with pytest.raises(web.HTTPError) as refused:
        run(change(manager, {"type": "notebook", "format": "json", "content": model["content"]}))
    assert refused.value.status_code == 403
    assert refused.value.log_message == READ_ONLY_MESSAGE.format(name, done)
    assert (folder / "cohort_report.ipynb").read_bytes() == before


def test_the_exploration_notebook_cannot_be_renamed_over_a_report(served):
    manager, folder = served
    with pytest.raises(web.HTTPError) as refused:
        run(manager.rename_file(EXPLORATION_NOTEBOOK, "cohort_report.ipynb"))
    assert "ne peut pas être remplacé" in refused.value.log_message
    assert (folder / EXPLORATION_NOTEBOOK).exists()


def test_a_copy_saved_under_another_name_is_unlocked(served):
    manager, folder = served
    model = run(manager.get("cohort_report.ipynb"))
    run(manager.save({"type": "notebook", "format": "json", "content": model["content"]},
                     "ma_copie.ipynb"))  # fmt: skip
    copy = json.loads((folder / "ma_copie.ipynb").read_text(encoding="utf-8"))
    assert "cc_analytics_read_only" not in copy["metadata"]
    assert not any("editable" in c["metadata"] or "deletable" in c["metadata"]
                   for c in copy["cells"])  # fmt: skip
    assert run(manager.get("ma_copie.ipynb"))["writable"] is True


# -- in JupyterLab, in a browser ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_lab(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not start:\n{log.read_text()}")


DIRTY = ".lm-TabBar-tab.jp-mod-dirty"


def _tab(page, name: str):
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name)


@pytest.mark.slow
def test_lab_in_a_browser(tmp_path):
    """JupyterLab as ``cc-analytics lab`` starts it, on a copy of the package's notebooks: French
    menus, no news, the exploration notebook unmodified once its kernel is up (a control copy
    with another Python version in its metadata is marked modified, so the check can fail),
    and the report notebook's cells locked and never written."""
    require_browser()
    from playwright.sync_api import sync_playwright

    home, folder = tmp_path / "home", tmp_path / "notebooks"
    home.mkdir()
    folder.mkdir()
    for name in (EXPLORATION_NOTEBOOK, "cohort_report.ipynb"):
        shutil.copyfile(NOTEBOOKS_DIR / name, folder / name)
    control = json.loads(EXPLORATION.read_text(encoding="utf-8"))
    control["metadata"]["language_info"]["version"] = "0.0.1"
    (folder / "temoin.ipynb").write_text(json.dumps(control, indent=1, ensure_ascii=False)
                                         + "\n", encoding="utf-8")  # fmt: skip
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    port = _free_port()
    command = lab_cli.lab_command(folder, folder / EXPLORATION_NOTEBOOK,
                                  [folder / "absent.ipynb", folder / "cohort_report.ipynb"],
                                  port=port, browser=False)  # fmt: skip
    env = {**os.environ, "HOME": str(home), "JUPYTER_TOKEN": "jeton"}
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(variable, None)
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_lab(f"{base}/lab?token=jeton", server, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS,
                                                 env=env)  # fmt: skip
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/lab/tree/{EXPLORATION_NOTEBOOK}?token=jeton")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            # the kernel is up (« Inactif »: Lab is French) before the metadata are compared
            page.wait_for_function("() => document.querySelector('.jp-StatusBar-Widget')"
                                   " && document.body.innerText.includes('Inactif')",
                                   timeout=60_000)  # fmt: skip
            menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            assert menus[:4] == ["Fichier", "Édition", "Affichage", "Exécution"]

            # the control copy is marked modified once its kernel answers...
            page.locator(".jp-DirListing-item", has_text="temoin.ipynb").dblclick()
            page.wait_for_selector(f"{DIRTY}:has-text('temoin.ipynb')", timeout=60_000)
            # ...while the package's notebook is not
            assert _tab(page, EXPLORATION_NOTEBOOK).count() == 1
            assert "jp-mod-dirty" not in _tab(page, EXPLORATION_NOTEBOOK).get_attribute("class")

            # no news pop-up, no update notice: no notification at all
            assert page.locator(".Toastify__toast").count() == 0

            # the report notebook: unmodified at opening, its cells cannot be edited or saved
            page.locator(".jp-DirListing-item", has_text="cohort_report.ipynb").dblclick()
            report = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)", has_text="papermill")
            first = report.locator(".jp-CodeCell .cm-content").first
            first.wait_for(timeout=60_000)
            first.click()
            # text typed as input events, not keys: no command-mode shortcut can fire
            page.keyboard.insert_text("ÉCRIT_DANS_LE_RAPPORT")
            page.keyboard.press("Control+s")
            # its kernel up too before the tab is checked
            page.wait_for_function(
                "() => ['cohort_report.ipynb', 'Inactif'].every(t =>"
                " document.querySelector('#jp-main-statusbar').innerText.includes(t))",
                timeout=60_000,
            )
            page.screenshot(path=str(tmp_path / "lab.png"))
            assert "ÉCRIT_DANS_LE_RAPPORT" not in first.inner_text()
            assert "jp-mod-dirty" not in _tab(page, "cohort_report.ipynb").get_attribute("class")
            browser.close()
        assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
        assert not (home / ".jupyter" / "lab" / "user-settings").exists()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

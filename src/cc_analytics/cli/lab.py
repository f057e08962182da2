"""``cc-analytics lab``: JupyterLab in French on the workspace's notebooks, opening the
exploration one.

A workspace without its own copy of the exploration notebook gets one first: an installed
package's copy is never opened, it is not the user's to edit. The report notebooks are never
copied into a workspace (reports are made from the package's own, by ``report`` and
``build``); wherever Lab can see them — in the cc-analytics repository, whose ``notebooks/``
folder is both a workspace's and the package's — it shows them read-only
(:mod:`cc_analytics.workspace.lab_contents`). Lab's settings come with the package
(:data:`cc_analytics.workspace.lab.LAB_SETTINGS`: French, no news pop-up), nothing is written
in the user's ``~/.jupyter``. The server keeps Jupyter's token (never disabled here; set
``JUPYTER_TOKEN`` to choose it); kernels run on this interpreter, so they import this
installation.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import CcAnalyticsError
from .common import workspace_of

CONTENTS_MANAGER = "cc_analytics.workspace.lab_contents.ReadOnlyReports"


def lab(args: argparse.Namespace) -> int:
    from ..reporting.kinds import EXPLORATION_NOTEBOOK, KINDS, NOTEBOOKS_DIR
    from ..workspace.init import copy_notebook

    workspace = workspace_of(args)
    if importlib.util.find_spec("jupyterlab") is None:
        raise CcAnalyticsError(
            "JupyterLab n'est pas installé pour cet interpréteur Python "
            f"({sys.executable}) ; installez cc-analytics avec ses dépendances"
        )
    exploration = workspace.notebooks / EXPLORATION_NOTEBOOK
    reports = [kind.path for kind in KINDS.values()]
    repository = workspace.notebooks.resolve() == NOTEBOOKS_DIR.resolve()
    if repository:
        print(repository_note([p.name for p in reports]))
    elif not exploration.exists():
        copy_notebook(workspace, NOTEBOOKS_DIR / EXPLORATION_NOTEBOOK)
        print(f"Carnet d'exploration copié dans {exploration} (votre copie, à modifier à loisir).")
    command = lab_command(workspace.notebooks, exploration, reports, port=args.port,
                          browser=not args.no_browser)  # fmt: skip
    if not repository:
        print("Les carnets des rapports ne sont pas copiés dans l'espace de travail : les "
              "rapports officiels se produisent toujours avec les carnets du paquet, par "
              "« cc-analytics report » ou « cc-analytics build ».")  # fmt: skip
    print(
        f"JupyterLab, en français, sur {workspace.notebooks} (carnet {EXPLORATION_NOTEBOOK}) ; "
        "l'adresse à ouvrir, avec son jeton, s'affiche ci-dessous. Ctrl+C pour arrêter.",
        flush=True,
    )  # fmt: skip
    server = subprocess.Popen(command)
    # stopping this command stops the server too, instead of leaving it running alone
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        while True:
            try:
                return server.wait()
            except KeyboardInterrupt:
                # Jupyter handles Ctrl+C itself (confirmation, then kernels shut down);
                # subprocess.call would kill it here and leave its kernels running
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def lab_command(folder: Path, notebook: Path, read_only: Sequence[Path], *, port: int,
                browser: bool = True) -> list[str]:  # fmt: skip
    """The ``jupyter lab`` command line: on ``folder``, opening ``notebook``, with the
    package's settings (French, no news) and the ``read_only`` files served read-only."""
    from ..workspace.lab import LAB_SETTINGS

    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}",
               f"--port={port}", f"--LabApp.app_settings_dir={LAB_SETTINGS}",
               f"--ServerApp.contents_manager_class={CONTENTS_MANAGER}",
               *(f"--ReadOnlyReports.read_only={path.resolve()}" for path in read_only),
               str(notebook)]  # fmt: skip
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def repository_note(reports: Sequence[str]) -> str:
    """What lab says in the cc-analytics repository, whose notebooks are the package's."""
    return (
        "Dépôt de cc-analytics : JupyterLab montre les carnets du paquet lui-même. Les carnets "
        f"des rapports ({', '.join(reports)}) s'ouvrent en lecture seule, car ils produisent "
        "les rapports officiels : modifiez-les dans un éditeur de code. Le carnet "
        "d'exploration s'enregistre sans sorties (Édition › Effacer les sorties de toutes les "
        "cellules)."
    )

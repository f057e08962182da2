"""``cc-analytics lab``: JupyterLab on the workspace's notebooks, opening the exploration one.

A workspace without its own copy of the exploration notebook gets one first: an installed
package's copy is never opened, it is not the user's to edit. The one exception is the
cc-analytics repository itself, whose ``notebooks/`` folder is both a workspace's and the
source of the package's notebooks: there lab says so, for developers, who commit notebooks
without outputs. The server keeps Jupyter's token (never disabled here; set ``JUPYTER_TOKEN``
to choose it); kernels run on this interpreter, so they import this installation.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys

from ..core.errors import CcAnalyticsError
from .common import workspace_of


def lab(args: argparse.Namespace) -> int:
    from ..reporting.kinds import EXPLORATION_NOTEBOOK, NOTEBOOKS_DIR
    from ..workspace.init import copy_notebook

    workspace = workspace_of(args)
    if importlib.util.find_spec("jupyterlab") is None:
        raise CcAnalyticsError(
            "JupyterLab n'est pas installé pour cet interpréteur Python "
            f"({sys.executable}) ; installez cc-analytics avec ses dépendances"
        )
    exploration = workspace.notebooks / EXPLORATION_NOTEBOOK
    if workspace.notebooks.resolve() == NOTEBOOKS_DIR.resolve():
        print("Dépôt de cc-analytics : les carnets ouverts sont ceux du paquet lui-même ; "
              "enregistrez-les sans sorties (Édition › Effacer toutes les sorties).")  # fmt: skip
    elif not exploration.exists():
        copy_notebook(workspace, NOTEBOOKS_DIR / EXPLORATION_NOTEBOOK)
        print(f"Carnet d'exploration copié dans {exploration} (votre copie, à modifier à loisir).")
    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={workspace.notebooks}",
               f"--port={args.port}", str(exploration)]  # fmt: skip
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    print(
        f"JupyterLab sur {workspace.notebooks} (carnet {EXPLORATION_NOTEBOOK}) ; l'adresse à "
        "ouvrir, avec son jeton, s'affiche ci-dessous. Ctrl+C pour arrêter.", flush=True,
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

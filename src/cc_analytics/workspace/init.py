"""``cc-analytics init``: a new workspace, ready for a first ``build``.

Creates ``data/raw/``, ``data/processed/``, ``reports/`` and ``notebooks/``, a short README in
French telling what goes where, a commented ``cc-analytics.toml``, and — unless asked not to —
the demo dataset in ``data/raw/demo`` and a copy of the exploration notebook. Nothing that
already exists is overwritten.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import write_text
from ..core.errors import CcAnalyticsError, Problem
from .catalog import Workspace, is_workspace
from .lab import as_lab_saves

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEMO_NAME = "demo"


@dataclass
class Created:
    workspace: Workspace
    written: list[Path] = field(default_factory=list)


def init_workspace(folder: str | Path, *, demo: Path | None = None,
                   notebook: Path | None = None) -> Created:  # fmt: skip
    """Create the workspace ``folder`` (which may exist, but not be a workspace already).

    ``demo`` is a dataset folder copied into ``data/raw/demo``, ``notebook`` a notebook copied
    into ``notebooks/`` (the caller knows where the package keeps them).
    """
    root = Path(os.path.abspath(folder))
    if root.exists() and not root.is_dir():
        raise CcAnalyticsError(Problem("ce n'est pas un dossier", file=str(root),
                                       hint="Choisissez un nouveau dossier"))  # fmt: skip
    if is_workspace(root):
        raise CcAnalyticsError(Problem(
            "ce dossier est déjà un espace de travail cc-analytics", file=str(root),
            hint="Utilisez-le tel quel (cc-analytics build), ou choisissez un autre dossier",
        ))  # fmt: skip
    workspace = Workspace(root)
    created = Created(workspace)
    for path in (workspace.raw, workspace.processed, workspace.reports, workspace.notebooks):
        path.mkdir(parents=True, exist_ok=True)
    _copy(TEMPLATES / "README.md", root / "README.md", created)
    _copy(TEMPLATES / "cc-analytics.toml", workspace.config, created)
    if demo is not None:
        for source in sorted(p for p in demo.iterdir() if p.is_file()):
            _copy(source, workspace.raw / DEMO_NAME / source.name, created)
    if notebook is not None:
        copy_notebook(workspace, notebook, created)
    return created


def copy_notebook(workspace: Workspace, source: Path, created: Created | None = None) -> Path:
    """The user's own copy of a notebook in ``notebooks/`` (an existing copy is kept), written
    as JupyterLab saves it on this Python, so that Lab opens it unmodified."""
    target = workspace.notebooks / source.name
    if not target.exists():
        write_text(target, as_lab_saves(source.read_text(encoding="utf-8")))
        if created is not None:
            created.written.append(target)
    return target


def _copy(source: Path, target: Path, created: Created | None) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o644)  # files of an installed package may be read-only
    if created is not None:
        created.written.append(target)

"""A workspace and the catalog of its datasets: every path resolved once, in one place.

A **workspace** is a folder holding::

    cc-analytics.toml     optional: the build configuration (datasets, reports, rules)
    data/raw/NAME/        the files a school keeps for dataset NAME (never written)
    data/processed/NAME/  its validated tables (Parquet) and manifest, rebuilt at will
    data/processed/NAME.pseudonym-key   the secret behind its pseudonymous ids
    reports/NAME/         its validation report, tables and reports
    reports/index.html    the main job's index
    notebooks/            optional: the user's own copies of notebooks

Commands find the workspace from the current folder upwards (or take ``--workspace``); a
repository checkout is itself a workspace. A dataset is named by its raw folder; names from
data become file names only through :func:`~cc_analytics.core.text.unique_name`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.errors import CcAnalyticsError, Problem
from ..core.text import unique_name

WORKSPACE_CONFIG = "cc-analytics.toml"
MANIFEST = "manifest.json"
VALIDATION_REPORT = "validation.html"


def _absolute(path: str | Path) -> Path:
    """An absolute path that keeps symbolic links as they are written (no ``resolve``)."""
    return Path(os.path.abspath(path))


@dataclass(frozen=True)
class DatasetCatalog:
    """Every place one dataset of a workspace lives, resolved once and passed along."""

    name: str  # the raw folder's name, as people know it
    raw: Path
    processed: Path
    reports: Path
    workspace: Path  # the root of the workspace it belongs to

    @property
    def key(self) -> str:
        """The dataset's name as a folder name (two folders never share one)."""
        return unique_name(self.name)

    @property
    def manifest(self) -> Path:
        return self.processed / MANIFEST

    @property
    def pseudonym_key(self) -> Path:
        """Beside the processed folder, not in it: replacing the tables keeps the key."""
        return self.processed.with_name(self.processed.name + ".pseudonym-key")

    @property
    def validation_report(self) -> Path:
        return self.reports / VALIDATION_REPORT

    def with_reports(self, folder: str | Path) -> DatasetCatalog:
        """The same dataset, its reports written to ``folder`` (a build's own output)."""
        return replace(self, reports=_absolute(folder))


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def config(self) -> Path:
        return self.root / WORKSPACE_CONFIG

    @classmethod
    def find(cls, start: str | Path | None = None) -> Workspace:
        """The workspace holding ``start`` (default: the current folder), looking upwards."""
        here = _absolute(start if start is not None else Path.cwd())
        for folder in (here, *here.parents):
            if is_workspace(folder):
                return cls(folder)
        raise CcAnalyticsError(Problem(
            "aucun espace de travail cc-analytics ici", file=str(here),
            hint="Placez-vous dans un espace de travail (un dossier qui contient data/raw/ ou "
                 "cc-analytics.toml), créez-en un avec « cc-analytics init DOSSIER », ou "
                 "indiquez-le avec --workspace DOSSIER",
        ))  # fmt: skip

    @classmethod
    def at(cls, folder: str | Path) -> Workspace:
        """The workspace ``folder`` itself (``--workspace``), checked to be one."""
        root = _absolute(folder)
        if not is_workspace(root):
            raise CcAnalyticsError(Problem(
                "ce dossier n'est pas un espace de travail cc-analytics", file=str(root),
                hint="Un espace de travail contient data/raw/ (et, s'il y a lieu, "
                     "cc-analytics.toml) ; créez-en un avec « cc-analytics init DOSSIER »",
            ))  # fmt: skip
        return cls(root)

    @classmethod
    def resolve(cls, folder: str | Path | None = None) -> Workspace:
        """``--workspace`` when given, else the workspace around the current folder."""
        return cls.at(folder) if folder is not None else cls.find()

    def existing_dataset(self, where: str | Path) -> DatasetCatalog:
        """:meth:`dataset`, refused in French when there is no such folder."""
        catalog = self.dataset(where)
        if not catalog.raw.is_dir():
            names = ", ".join(p.name for p in self.dataset_folders()) or "aucun"
            raise CcAnalyticsError(Problem(
                "jeu de données introuvable", value=str(where),
                hint=f"Jeux de données de l'espace de travail {self.root} (dans data/raw/) : "
                     f"{names} ; ou donnez le chemin de son dossier",
            ))  # fmt: skip
        return catalog

    def dataset_folders(self) -> list[Path]:
        """Every dataset folder of ``data/raw``, by name."""
        if not self.raw.is_dir():
            return []
        return sorted(p for p in self.raw.iterdir() if p.is_dir() and not p.name.startswith("."))

    def dataset(self, where: str | Path) -> DatasetCatalog:
        """The catalog of a dataset given by its folder or its name in ``data/raw``.

        A relative folder is taken from the current folder, else from the workspace's root
        (``data/raw/ecole`` works from anywhere inside the workspace or with ``--workspace``),
        else from ``data/raw`` (``ecole``).
        """
        path = Path(where)
        if not path.is_absolute() and not path.is_dir():
            path = next((base / path for base in (self.root, self.raw) if (base / path).is_dir()),
                        path)  # fmt: skip
        raw = _absolute(path)
        key = unique_name(raw.name)
        return DatasetCatalog(raw.name, raw, self.processed / key, self.reports / key, self.root)


def is_workspace(folder: Path) -> bool:
    return (folder / WORKSPACE_CONFIG).is_file() or (folder / "data" / "raw").is_dir()


def dataset_catalog(dataset: str | Path | DatasetCatalog,
                    workspace: str | Path | None = None) -> DatasetCatalog:  # fmt: skip
    """The catalog entry of ``dataset`` (a catalog, a folder, or a name in ``data/raw``), in
    ``workspace`` or the workspace around the current folder."""
    if isinstance(dataset, DatasetCatalog):
        return dataset
    return Workspace.resolve(workspace).dataset(dataset)

"""A dataset folder as schools keep it: which file plays which role.

Convention (see the README): a folder holding

- ``candidates.csv|xlsx`` (or ``candidats``) — one row per candidate;
- the scores, either long — ``scores.csv|xlsx`` (or ``notes``), one row per candidate,
  competency, evaluator and session — or wide grids — ``jury.csv|xlsx`` and
  ``entreprise.csv|xlsx``, or one workbook ``scores.xlsx`` with sheets ``jury`` and
  ``entreprise`` — one row per candidate and session, one column per competency code;
- optionally ``insertion.csv|xlsx`` (follow-up survey) and ``referentiel.yaml``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..contract import CANDIDATES, INSERTION, SCORES, WIDE_STEMS
from ..core.errors import InputFileError, Problem
from ..core.text import fold

REFERENTIEL_FILE = "referentiel.yaml"
#: The spreadsheets a dataset folder may hold.
TABULAR_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class DatasetFiles:
    """The files of a dataset folder, by role."""

    folder: Path
    candidates: Path
    scores: tuple[Path, ...]
    insertion: Path | None
    referentiel: Path | None

    @property
    def name(self) -> str:
        """The folder's name as the user wrote it (a linked folder keeps its own name)."""
        return Path(os.path.abspath(self.folder)).name

    @property
    def all(self) -> list[Path]:
        paths = [self.candidates, *self.scores, self.insertion, self.referentiel]
        return [p for p in paths if p is not None]

    def hashes(self) -> dict[str, str]:
        """sha256 of every input file, by file name."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.all}


def locate(folder: str | Path) -> DatasetFiles:
    """Find the files of a dataset folder; a clear message when something is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(
            Problem(
                "dossier de données introuvable"
                if not folder.exists()
                else "ce n'est pas un dossier",
                file=str(folder),
                hint="Donnez le dossier qui contient candidates.csv et les notes",
            )
        )
    candidates = _one(folder, CANDIDATES.file_stems, "candidats", required=True)
    long = _one(folder, SCORES.file_stems, "notes", required=False)
    wide = [p for stems in WIDE_STEMS.values() if (p := _one(folder, stems, "notes", False))]
    if long and wide:
        raise InputFileError(
            Problem(
                f"notes en double : {long.name} et {', '.join(p.name for p in wide)}",
                file=str(folder),
                hint="Gardez soit un fichier de notes long, soit les grilles "
                "jury/entreprise, pas les deux",
            )
        )
    scores = (long,) if long else tuple(wide)
    if not scores:
        raise InputFileError(
            Problem(
                "aucun fichier de notes",
                file=str(folder),
                hint="Ajoutez scores.csv (une ligne par note) ou les grilles jury.csv et "
                "entreprise.csv (une colonne par compétence)",
            )
        )
    referentiel = folder / REFERENTIEL_FILE
    return DatasetFiles(
        folder=folder, candidates=candidates, scores=scores,
        insertion=_one(folder, INSERTION.file_stems, "enquête", required=False),
        referentiel=referentiel if referentiel.exists() else None,
    )  # fmt: skip


def _one(folder: Path, stems: tuple[str, ...], what: str, required: bool) -> Path | None:
    found = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in TABULAR_SUFFIXES and fold(p.stem) in stems
                   and not p.name.startswith((".", "~$")))  # fmt: skip
    if len(found) > 1:
        raise InputFileError(
            Problem(
                f"plusieurs fichiers de {what} : {', '.join(p.name for p in found)}",
                file=str(folder),
                hint="Gardez-en un seul (CSV ou XLSX)",
            )
        )
    if not found and required:
        raise InputFileError(
            Problem(
                f"fichier de {what} absent ({stems[0]}.csv ou {stems[0]}.xlsx attendu)",
                file=str(folder),
                hint="Voir la convention de dossier dans le README",
            )
        )
    return found[0] if found else None


def is_survey_file(path: str | Path) -> bool:
    """Whether a file of a dataset folder is the follow-up survey (by its name)."""
    return fold(Path(path).stem) in INSERTION.file_stems

"""A dataset folder as schools keep it: which file plays which role.

Convention (see the README): a folder holding

- ``candidates.csv|xlsx`` (or ``candidats``) — one row per candidate;
- the scores, either long — ``scores.csv|xlsx`` (or ``notes``), one row per candidate,
  competency, evaluator and session — or wide grids — ``jury.csv|xlsx`` and
  ``entreprise.csv|xlsx``, or one workbook ``scores.xlsx`` with sheets ``jury`` and
  ``entreprise`` — one row per candidate and session, one column per competency code;
- optionally ``insertion.csv|xlsx`` (follow-up survey) and ``referentiel.yaml``.

Files are files: a link leading out of the folder, a named pipe (which would block the
reader), a device or a file larger than its limit (:func:`max_bytes`) is refused before any byte of it
is read, so nothing of it can be quoted back.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..contract import CANDIDATES, INSERTION, SCORES, WIDE_STEMS
from ..core.errors import InputFileError, Problem
from ..core.text import fold

REFERENTIEL_FILE = "referentiel.yaml"
#: The spreadsheets a dataset folder may hold.
TABULAR_SUFFIXES = (".csv", ".xlsx")
#: Largest dataset file read: far beyond any school's results (the demo's 153 candidates take
#: 40 kB), and as much text as an XLSX may hold once unzipped.
MAX_FILE_BYTES = 200 * 2**20
#: Largest CSV file read: a national network's long score sheet (1,000,000 candidates, about
#: 38 million rows, 1.4 GB) fits; CSV is read in one pass by a streaming parser, never unzipped.
MAX_CSV_BYTES = 2 * 2**30
_COPY_HINT = "Mettez à sa place le fichier lui-même (une copie, pas un lien ni un raccourci)"


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

    def hashes(self, known: Mapping[str, str] | None = None,
               stats: Mapping[str, Sequence[int]] | None = None) -> dict[str, str]:  # fmt: skip
        """sha256 of every input file, by file name.

        ``known`` hashes, taken when the files had the sizes and modification times
        ``stats`` (:meth:`stats`, recorded before hashing): a file that still has both keeps
        its known hash without being read again, as ``make`` and ``rsync`` judge a file
        unchanged (a 1.4 GB score file takes seconds to hash); any other is hashed."""
        now = self.stats() if known and stats else {}
        return {p.name: known[p.name]
                if known and stats and p.name in known and list(stats.get(p.name, ())) == now[p.name]
                else _sha256(p) for p in self.all}  # fmt: skip

    def stats(self) -> dict[str, list[int] | None]:
        """Size and modification time (ns) of every input file, by file name."""
        return {p.name: file_stat(p) for p in self.all}


def file_stat(path: Path) -> list[int] | None:
    """Size and modification time (ns) of a file as it is now; ``None`` when it is not there.
    A file that still has both is taken as unchanged, as ``make`` and ``rsync`` judge it."""
    try:
        found = path.stat()
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns]


def _sha256(path: Path) -> str:
    """A file's sha256, read in chunks (a 1.4 GB score sheet never whole in memory)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def max_bytes(path: Path) -> int:
    """The size limit of a dataset file: :data:`MAX_CSV_BYTES` for CSV, else
    :data:`MAX_FILE_BYTES`."""
    return MAX_CSV_BYTES if path.suffix.lower() == ".csv" else MAX_FILE_BYTES


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
    problems: list[Problem] = []
    candidates = _one(folder, CANDIDATES.file_stems, "candidats", True, problems)
    before = len(problems)
    long = _one(folder, SCORES.file_stems, "notes", False, problems)
    wide = [p for stems in WIDE_STEMS.values()
            if (p := _one(folder, stems, "notes", False, problems))]  # fmt: skip
    if long and wide:
        problems.append(
            Problem(
                f"notes en double : {long.name} et {', '.join(p.name for p in wide)}",
                file=str(folder),
                hint="Gardez soit un fichier de notes long, soit les grilles "
                "jury/entreprise, pas les deux",
            )
        )
    scores = (long,) if long else tuple(wide)
    if not scores and len(problems) == before:  # not « several score files »
        problems.append(
            Problem(
                "aucun fichier de notes",
                file=str(folder),
                hint="Ajoutez scores.csv (une ligne par note) ou les grilles jury.csv et "
                "entreprise.csv (une colonne par compétence)",
            )
        )
    insertion = _one(folder, INSERTION.file_stems, "enquête", False, problems)
    referentiel = folder / REFERENTIEL_FILE
    referentiel = referentiel if os.path.lexists(referentiel) else None
    found = [p for p in (candidates, *scores, insertion, referentiel) if p is not None]
    problems += [p for path in found if (p := file_problem(path, folder))]
    if problems:
        raise InputFileError(problems)
    assert candidates is not None  # a missing candidates file is a problem above
    return DatasetFiles(folder=folder, candidates=candidates, scores=scores,
                        insertion=insertion, referentiel=referentiel)  # fmt: skip


def _one(folder: Path, stems: tuple[str, ...], what: str, required: bool,
         problems: list[Problem]) -> Path | None:  # fmt: skip
    found = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in TABULAR_SUFFIXES and fold(p.stem) in stems
                   and not p.name.startswith((".", "~$")))  # fmt: skip
    if len(found) > 1:
        problems.append(
            Problem(
                f"plusieurs fichiers de {what} : {', '.join(p.name for p in found)}",
                file=str(folder),
                hint="Gardez-en un seul (CSV ou XLSX)",
            )
        )
    if not found and required:
        problems.append(
            Problem(
                f"fichier de {what} absent ({stems[0]}.csv ou {stems[0]}.xlsx attendu)",
                file=str(folder),
                hint="Voir la convention de dossier dans le README",
            )
        )
    return found[0] if len(found) == 1 else None


def file_problem(path: Path, folder: Path | None = None) -> Problem | None:
    """Why a dataset file must not be read, found without reading it; ``None`` when it may.

    Refused: a link leading out of ``folder`` (it could reach any file of the machine, whose
    content messages would then quote), a link to nothing, anything but a regular file (a
    named pipe blocks whoever reads it, a device never ends), a hard link (the same file as
    one elsewhere, the pseudonym key say), a file over its limit (:func:`max_bytes`).
    """
    name = path.name
    if folder is not None and path.is_symlink():
        inside = Path(os.path.realpath(folder))
        if not Path(os.path.realpath(path)).is_relative_to(inside):
            return Problem("lien vers un fichier situé hors du dossier de données : il n'est "
                           "pas lu", file=name, hint=_COPY_HINT)  # fmt: skip
    try:
        status = os.stat(path)
    except OSError as exc:
        what = "lien vers un fichier introuvable" if path.is_symlink() else "fichier illisible"
        return Problem(f"{what} ({exc.strerror})", file=name, hint=_COPY_HINT)
    if not stat.S_ISREG(status.st_mode):
        return Problem("ce n'est pas un fichier ordinaire (tube nommé, périphérique ou "
                       "dossier) : il n'est pas lu", file=name, hint=_COPY_HINT)  # fmt: skip
    if status.st_nlink > 1 and not path.is_symlink():
        # a hard link is the same file under two names: it may be any file of the machine
        return Problem("fichier à liens multiples (le même fichier sous un autre nom ailleurs) "
                       ": il n'est pas lu", file=name, hint=_COPY_HINT)  # fmt: skip
    limit = max_bytes(path)
    if status.st_size > limit:
        return Problem(
            f"fichier trop volumineux : {status.st_size / 2**20:.0f} Mo, au-delà de la limite "
            f"de {limit // 2**20} Mo",
            file=name,
            hint="Vérifiez qu'il s'agit du bon fichier (les résultats d'une école en font bien "
            "moins) ; sinon répartissez les données entre plusieurs dossiers de données, par "
            "exemple une année par dossier",
        )
    return None


def read_input(path: Path) -> bytes:
    """The bytes of a dataset file, once :func:`file_problem` found nothing against it."""
    problem = file_problem(path)
    if problem is not None:
        raise InputFileError(problem)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            Problem(f"fichier illisible ({exc.strerror})", file=path.name)
        ) from None


def is_survey_file(path: str | Path) -> bool:
    """Whether a file of a dataset folder is the follow-up survey (by its name)."""
    return fold(Path(path).stem) in INSERTION.file_stems

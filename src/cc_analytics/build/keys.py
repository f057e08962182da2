"""Content keys: a digest of everything an output depends on, so that an output whose key did
not change is not rebuilt.

A report's key covers its inputs' hashes, its notebook, the report template, the package's
code and shipped data, the rules, its parameters and the package version; the gate's key
covers the inputs, the referentiel, the code and the expectation suites. Computing a key
imports nothing heavy and reads no table. Beside the key, the build state keeps each output's
own hash (:func:`file_sha256`): an output edited or replaced since it was written is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from ..gate.suites import SUITES_DIR
from ..reporting.kinds import KINDS

PACKAGE_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = PACKAGE_DIR / "reporting" / "templates"


def digest(*parts: object) -> str:
    """sha256 of JSON-able ``parts`` (paths and other objects as their text)."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def files_digest(paths: Iterable[Path], root: Path | None = None) -> str:
    """sha256 of files' names (relative to ``root`` when given) and contents, in path order."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(root) if root else path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def file_sha256(path: Path) -> str | None:
    """sha256 of one file as it is on disk now; ``None`` when it is not there (an output
    deleted or replaced by a folder behind the build's back)."""
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def optional_file_digest(path: Path | None) -> str | None:
    return files_digest([path]) if path is not None and path.is_file() else None


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file of a dataset folder: a superset of the inputs, without pandas."""
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}  # fmt: skip


@cache
def code_digest_tables() -> str:
    """The package's code and shipped referentiel: what every table depends on.

    Computed once per process: the installed code does not change under a running command.
    """
    code = [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    data = list((PACKAGE_DIR / "referentiel" / "data").glob("*.*"))
    return files_digest([*code, *data], PACKAGE_DIR)


def code_digest(kind: str) -> str:
    """Everything of ours a ``kind`` report depends on besides data: its notebook, the
    template, the package. Another kind's notebook is left out: editing the quality review
    does not rebuild every cohort report."""
    sources = [KINDS[kind].path, *TEMPLATES_DIR.rglob("*.*")]
    return digest(code_digest_tables(), files_digest(p for p in sources if p.is_file()))


def gate_digest() -> str:
    """The code and the expectation suites the gate runs."""
    return digest(code_digest_tables(), files_digest(SUITES_DIR.glob("*.json")))

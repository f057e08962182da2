"""``build-manifest.json``: what the main job remembers about each dataset's outputs.

Per dataset folder of the output: the gate's key, the tables' key and each table file's hash,
each report's key, audience, label, kind, last duration and the hash of the HTML as written,
and — after a complete build — the dataset's fingerprint and outputs, which let a run with
nothing to do answer without reading any table.

The hashes are what lets a build notice an output changed behind its back (an internal page
written over the external one, a hand edit, a file deleted): such an output is rebuilt even
though nothing it depends on changed, and the build says so.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.atomic import write_text
from ..inputs.folder import file_stat
from .keys import file_sha256

BUILD_MANIFEST = "build-manifest.json"
#: What the build says of an output it rebuilds because it is no longer the one it wrote.
CHANGED_SINCE = "modifié depuis la dernière construction : reproduit"
DELETED_SINCE = "supprimé depuis la dernière construction : reproduit"


def load_state(out: Path) -> dict:
    try:
        return json.loads((out / BUILD_MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return {}  # no manifest, or a damaged one: everything is rebuilt


def save_state(out: Path, state: dict) -> None:
    # one line: json's C encoder (an indented manifest goes through its Python encoder, which
    # took seconds of a 300-report build, the manifest being written after every report)
    write_text(out / BUILD_MANIFEST, json.dumps(state, sort_keys=True, ensure_ascii=False) + "\n")


def last_seconds(output: str | Path, state: dict | None = None) -> float:
    """How long an up-to-date output took when it was last built (for the index); ``state``:
    its folder's, when already loaded."""
    output = Path(output)
    state = load_state(output.parent) if state is None else state
    entry = state.get("reports", {}).get(output.name, {})
    return float(entry.get("seconds", 0.0))


def audience_name(external: bool) -> str:
    """The audience as the manifest records it."""
    return "externe" if external else "interne"


def drift(path: Path, written: str | None, stat: list[int] | None = None) -> str | None:
    """Why ``path``, written with hash ``written``, is no longer what the build wrote: a French
    message when it was deleted or changed since, ``None`` when it is as written (or when no
    hash was recorded, which the caller treats as « never built »).

    ``stat``: the file's size and modification time as written (:func:`file_stat`); a file
    that still has both is taken as unchanged without reading it (as ``make`` and ``rsync``
    do: a 300-report build with nothing to do read 3 GB of pages and notebooks to hash them);
    any other is hashed."""
    if written is None:
        return None
    if stat is not None and file_stat(path) == list(stat):
        return None
    now = file_sha256(path)
    if now is None:
        return DELETED_SINCE
    return CHANGED_SINCE if now != written else None


def files_drift(folder: Path, written: dict[str, str]) -> str | None:
    """:func:`drift` for every file of ``written`` (name -> hash) in ``folder``: the first
    problem found, deletions first."""
    found = {drift(folder / name, sha) for name, sha in written.items()} - {None}
    return DELETED_SINCE if DELETED_SINCE in found else next(iter(found), None)

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
    write_text(out / BUILD_MANIFEST, json.dumps(state, indent=2, sort_keys=True) + "\n")


def last_seconds(output: str | Path) -> float:
    """How long an up-to-date output took when it was last built (for the index)."""
    output = Path(output)
    entry = load_state(output.parent).get("reports", {}).get(output.name, {})
    return float(entry.get("seconds", 0.0))


def audience_name(external: bool) -> str:
    """The audience as the manifest records it."""
    return "externe" if external else "interne"


def drift(path: Path, written: str | None) -> str | None:
    """Why ``path``, written with hash ``written``, is no longer what the build wrote: a French
    message when it was deleted or changed since, ``None`` when it is as written (or when no
    hash was recorded, which the caller treats as « never built »)."""
    if written is None:
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

"""``build-manifest.json``: what the main job remembers about each dataset's outputs.

Per dataset folder of the output: the gate's key, the tables' key, each report's key, label,
kind and last duration, and — after a complete build — the dataset's fingerprint and outputs,
which let a run with nothing to do answer without reading any table.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.atomic import write_text

BUILD_MANIFEST = "build-manifest.json"


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

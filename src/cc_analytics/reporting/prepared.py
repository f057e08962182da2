"""The tables every report of a build reads, computed once by the build, read by each kernel.

Every report of a dataset starts from the same processed tables and the same results (every
candidate's final scores, blocks and title under the build's rules). The main job computes
them once, for its result tables, and writes them in a folder of its own
(:func:`write_prepared`); each report notebook gets the folder as its ``prepared`` parameter
and :func:`cc_analytics.load_context` reads them from there (:func:`read_prepared`) instead
of reading the processed tables, checking them against the raw files and computing the
results again, in every kernel.

The folder holds Arrow IPC files (the tables, the candidates' results) and one NumPy ``.npz``
(the result matrices), read without running any code from the files (no pickle), and
``prepared.json``, which says what they were computed from: the processed tables' manifest,
the rules and the referentiel. A folder that is missing, damaged, or made from other tables,
rules or referentiel is ignored: the context is then computed as without it (a report notebook
re-run later by hand, whose build has since removed the folder, still runs).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.atomic import atomic_directory
from ..engine.results import Results
from ..engine.rules import Rules
from ..referentiel import Referentiel
from ..workspace.processed import TABLES, Tables

FORMAT = 1
DESCRIPTION = "prepared.json"
#: The results' matrices and indexes, saved as arrays.
_ARRAYS = ("competencies", "blocks", "block_of", "jury", "employer", "evaluated", "acquired",
           "block_presented", "block_validated", "title_presented", "title_obtained",
           "employer_set_aside")  # fmt: skip
_PROMOTION = ("promotion_date", "promotion_decided")


def write_prepared(tables: Tables, results: Results, manifest: dict, pseudonym_length: int,
                   folder: Path) -> Path:  # fmt: skip
    """Write what :func:`read_prepared` reads into ``folder`` (replaced as a whole)."""
    import pyarrow.feather as feather

    frames = {name: getattr(tables, name) for name in TABLES}
    frames["results"] = results.candidates.assign(
        promotion_date=results.promotion_date, promotion_decided=results.promotion_decided)  # fmt: skip
    with atomic_directory(folder) as tmp:
        for name, frame in frames.items():
            feather.write_feather(frame, tmp / f"{name}.arrow", compression="uncompressed")
        arrays = {name: np.asarray(getattr(results, name)) for name in _ARRAYS}
        for name in ("competencies", "blocks"):  # fixed-width text: no pickle to read it
            arrays[name] = np.array(getattr(results, name).tolist(), dtype=str)
        np.savez(tmp / "results.npz", **arrays)
        description = {"format": FORMAT, "manifest": manifest,
                       "rules": dataclasses.asdict(results.rules),
                       "referentiel": tables.referentiel.id,
                       "pseudonym_length": pseudonym_length}  # fmt: skip
        (tmp / DESCRIPTION).write_text(json.dumps(description, ensure_ascii=False),
                                       encoding="utf-8")  # fmt: skip
    return folder


@dataclasses.dataclass(frozen=True)
class Prepared:
    tables: Tables
    results: Results
    manifest: dict
    pseudonym_length: int


def read_prepared(folder: str | Path | None, manifest: dict | None, rules: Rules,
                  referentiel: Referentiel) -> Prepared | None:  # fmt: skip
    """The tables and results in ``folder`` if they were computed from the processed tables
    of ``manifest`` with ``rules`` and ``referentiel``; ``None`` otherwise (or when the
    folder is missing or unreadable)."""
    if folder is None or manifest is None:
        return None
    folder = Path(folder)
    try:
        description = json.loads((folder / DESCRIPTION).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    wanted = {"format": FORMAT, "manifest": manifest, "rules": dataclasses.asdict(rules),
              "referentiel": referentiel.id}  # fmt: skip
    if not isinstance(description, dict) or any(description.get(k) != v
                                                for k, v in wanted.items()):  # fmt: skip
        return None
    try:
        return _read(folder, description, rules, referentiel)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read(folder: Path, description: dict[str, Any], rules: Rules,
          referentiel: Referentiel) -> Prepared:  # fmt: skip
    import pyarrow.feather as feather

    frames = {name: feather.read_feather(folder / f"{name}.arrow")
              for name in (*TABLES, "results")}  # fmt: skip
    with np.load(folder / "results.npz", allow_pickle=False) as stored:
        arrays: dict[str, Any] = {name: stored[name] for name in _ARRAYS}
    for name in ("competencies", "blocks"):  # the referentiel's, as compute_results takes them
        index = pd.Index(getattr(referentiel, name)["code"])
        if index.tolist() != arrays[name].tolist():
            raise ValueError(f"{name} of another referentiel")
        arrays[name] = index
    candidates = frames.pop("results")
    promotion = {name: candidates.pop(name).rename(None) for name in _PROMOTION}
    results = Results(candidates=candidates, rules=rules, **arrays, **promotion)
    tables = Tables(**frames, referentiel=referentiel)
    return Prepared(tables, results, description["manifest"],
                    int(description["pseudonym_length"]))  # fmt: skip

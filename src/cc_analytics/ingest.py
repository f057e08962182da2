"""From validated text tables to typed canonical tables, written as Parquet with a manifest.

Writes are atomic (the whole folder is replaced at once): a failed run leaves the previous
processed data intact. Same inputs give byte-identical tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from .atomic import atomic_directory
from .dataset import RawDataset
from .referentiel import Referentiel
from .schemas import SCHEMAS, YES

TABLES = ("candidates", "scores", "insertion")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Tables:
    """Typed canonical tables of one dataset, ready for the metrics engine."""

    candidates: pd.DataFrame
    scores: pd.DataFrame
    insertion: pd.DataFrame
    referentiel: Referentiel


def typed_tables(raw: RawDataset) -> Tables:
    """Typed, sorted tables from text tables that passed the gate."""
    c = raw.candidates[SCHEMAS["candidates"].names]
    candidates = pd.DataFrame({
        "cohort": c["cohort"].astype(str),
        "candidate_id": c["candidate_id"].astype(str),
        "access_route": c["access_route"].astype(str),
        "immersion": (c["immersion"] == YES).to_numpy(),
        "site": c["site"].astype("string").astype(object).where(c["site"].notna(), None),
    }).sort_values(["cohort", "candidate_id"], ignore_index=True)  # fmt: skip
    s = raw.scores
    scores = pd.DataFrame({
        "candidate_id": s["candidate_id"].astype(str),
        "competency": s["competency"].astype(str),
        "evaluator": s["evaluator"].astype(str),
        "score": pd.to_numeric(s["score"]).astype("Int8"),
        "session_date": pd.to_datetime(s["session_date"], format="%Y-%m-%d"),
    }).sort_values(["candidate_id", "competency", "evaluator", "session_date"],
                   ignore_index=True, na_position="first")  # fmt: skip
    i = raw.insertion
    insertion = pd.DataFrame({
        "candidate_id": i["candidate_id"].astype(str),
        "horizon_months": pd.to_numeric(i["horizon_months"]).astype("int64"),
        "status": i["status"].astype(str),
    }).sort_values(["candidate_id", "horizon_months"], ignore_index=True)  # fmt: skip
    return Tables(candidates, scores, insertion, raw.referentiel)


def write_processed(tables: Tables, raw: RawDataset, out_dir: str | Path) -> Path:
    """Write the tables and their manifest; replace ``out_dir`` as a whole, atomically."""
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        for name in TABLES:
            getattr(tables, name).to_parquet(tmp / f"{name}.parquet", index=False)
        manifest = {
            "dataset": raw.files.name,
            "inputs": raw.files.hashes(),
            "rows": {name: len(getattr(tables, name)) for name in TABLES},
            "referentiel": tables.referentiel.id,
            "package_version": __version__,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")  # fmt: skip
    return out_dir


def read_manifest(out_dir: str | Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

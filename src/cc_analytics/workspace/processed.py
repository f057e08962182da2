"""The processed tables of a dataset: typed Parquet files and the manifest that vouches for them.

Written only by the gate (:mod:`cc_analytics.gate.pipeline`), after the data passed; read by
everyone else, read-only. The manifest records the hash of every input file, the referentiel
and the package version the tables were made from, so a reader can tell stale tables from
fresh ones without rerunning anything: stale or missing tables are a French error that names
the command to run, never a silent re-ingest.

The tables read back at the speed of the disk: text columns held as categoricals (the
scores' candidate ids, competencies, evaluators) are written dictionary-encoded in one row
group, with the dictionary whole, and read back as categoricals straight from the file's codes
and dictionary, never rebuilt from text per row. ``columns`` reads only the columns asked for.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.atomic import atomic_directory, write_text
from ..core.errors import CcAnalyticsError, Problem
from ..core.version import __version__
from ..inputs.folder import DatasetFiles
from ..referentiel import Referentiel
from .catalog import MANIFEST, DatasetCatalog

TABLES = ("candidates", "scores", "insertion")


@dataclass(frozen=True)
class Tables:
    """Typed canonical tables of one dataset, ready for the metrics engine."""

    candidates: pd.DataFrame
    scores: pd.DataFrame
    insertion: pd.DataFrame
    referentiel: Referentiel


def write_processed(tables: Tables, dataset: str, inputs: dict[str, str],
                    out_dir: str | Path,
                    input_stats: dict[str, list[int]] | None = None) -> Path:  # fmt: skip
    """Write the tables and their manifest; replace ``out_dir`` as a whole, atomically.

    ``input_stats``: the raw files' sizes and modification times when ``inputs`` were
    hashed, so that a reader can tell them unchanged without hashing them again
    (:func:`current_inputs`). Same inputs give byte-identical tables.
    """
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        for name in TABLES:
            write_table(getattr(tables, name), tmp / f"{name}.parquet")
        manifest = {
            "dataset": dataset,
            "inputs": inputs,
            "rows": {name: len(getattr(tables, name)) for name in TABLES},
            "referentiel": tables.referentiel.id,
            "package_version": __version__,
            **({"input_stats": input_stats} if input_stats is not None else {}),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")  # fmt: skip
    return out_dir


def read_manifest(folder: str | Path) -> dict | None:
    """The manifest of a processed folder; ``None`` when there is none (or it is damaged)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def current_inputs(dataset: DatasetCatalog, files: DatasetFiles) -> dict[str, str]:
    """The raw files' hashes now, as :func:`read_tables` compares them with the manifest's:
    a file whose size and modification time are still those the manifest recorded keeps
    its hash without being read again."""
    manifest = read_manifest(dataset.processed) or {}
    return files.hashes(manifest.get("inputs"), manifest.get("input_stats"))


def staleness(dataset: DatasetCatalog, inputs: dict[str, str], referentiel: Referentiel,
              ) -> str | None:  # fmt: skip
    """Why the processed tables cannot stand for the raw files ``inputs`` (hashes by file
    name) under ``referentiel``, in French; ``None`` when they can."""
    manifest = read_manifest(dataset.processed)
    if manifest is None:
        return "les données n'ont pas encore été contrôlées ni traitées"
    if manifest.get("inputs") != inputs:
        return "des fichiers du dossier ont changé depuis le dernier traitement"
    if manifest.get("referentiel") != referentiel.id:
        return "les données ont été traitées avec un autre référentiel"
    if manifest.get("package_version") != __version__:
        return "les données ont été traitées par une autre version de cc-analytics"
    return None


def read_tables(dataset: DatasetCatalog, inputs: dict[str, str], referentiel: Referentiel,
                columns: Mapping[str, Sequence[str]] | None = None) -> tuple[Tables, dict]:  # fmt: skip
    """The processed tables and their manifest; a French error when they are stale or missing.

    ``columns`` (by table name) reads only those columns of a table (the others in full).
    """
    reason = staleness(dataset, inputs, referentiel)
    if reason is not None:
        raise _unusable(dataset, reason)
    columns = columns or {}
    try:
        frames = {name: read_table(dataset.processed / f"{name}.parquet", columns.get(name))
                  for name in TABLES}  # fmt: skip
    except (OSError, ValueError, KeyError) as exc:  # a table deleted or damaged behind its manifest
        raise _unusable(dataset, f"table illisible ({type(exc).__name__})") from None
    return Tables(**frames, referentiel=referentiel), read_manifest(dataset.processed) or {}


#: Rows of one row group: every table of a network in one, so that each dictionary-encoded
#: column has one dictionary (several would have to be united on reading, text by text).
_ROW_GROUP = 2**31 - 1


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """One table as Parquet: one row group, dictionaries whole (not cut at 1 MB, after which
    Parquet writes the text of every row instead)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, row_group_size=_ROW_GROUP, dictionary_pagesize_limit=2**31 - 1,
                   compression="snappy")  # fmt: skip


def read_table(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A table written by :func:`write_table` (or any Parquet file), only ``columns`` if
    given; dictionary-encoded columns come back as categoricals built from the file's codes
    and dictionary (which all chunks share, being of one row group)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=list(columns) if columns is not None else None)
    coded: dict[str, pd.Categorical] = {}
    for index, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            categorical = _categorical(table.column(index))
            if categorical is not None:
                coded[field.name] = categorical
    rest = table.drop_columns(list(coded)) if coded else table
    frame = rest.to_pandas()
    for name, values in coded.items():
        frame[name] = values
    return frame[table.column_names]


def _categorical(column) -> pd.Categorical | None:  # type: ignore[no-untyped-def]
    """A dictionary-encoded column as a categorical, from its codes and its one dictionary;
    ``None`` when its chunks do not share one (Arrow then unites them)."""
    chunks = column.chunks
    if not chunks:
        return None
    dictionary = chunks[0].dictionary
    if any(not c.dictionary.equals(dictionary) for c in chunks[1:]):
        return None
    codes = np.concatenate([c.indices.fill_null(-1).to_numpy() for c in chunks])
    categories = pd.Index(dictionary.to_pandas())
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def _unusable(dataset: DatasetCatalog, reason: str) -> CcAnalyticsError:
    return CcAnalyticsError(Problem(
        f"données traitées de « {dataset.name} » inutilisables : {reason}",
        file=str(dataset.processed),
        hint=f"Lancez « {_ingest_command(dataset)} » (ou « cc-analytics build »), puis "
             "recommencez",
    ))  # fmt: skip


def _ingest_command(dataset: DatasetCatalog) -> str:
    return f"cc-analytics ingest {dataset.raw} --workspace {dataset.workspace}"


def read_pseudonym_key(dataset: DatasetCatalog) -> bytes:
    """The dataset's secret pseudonym key; a French error when it was never created."""
    try:
        return bytes.fromhex(dataset.pseudonym_key.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        raise CcAnalyticsError(Problem(
            "clé des pseudonymes absente ou illisible", file=str(dataset.pseudonym_key),
            hint=f"Lancez « {_ingest_command(dataset)} » : il la crée",
        )) from None  # fmt: skip


def ensure_pseudonym_key(dataset: DatasetCatalog) -> Path:
    """Create the dataset's pseudonym key once (random, readable by its owner only).

    Pseudonyms are an HMAC of the candidate id under this key, kept beside the processed data
    and never in a report: holding reports only, nobody can link a pseudonym back to an id.
    """
    path = dataset.pseudonym_key
    if not path.exists():
        write_text(path, secrets.token_hex(32))
        path.chmod(0o600)
    return path

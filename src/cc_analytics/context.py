"""What a report or an exploration session starts from: validated tables, results, rules.

Processed tables are reused when their manifest matches the current inputs (file hashes,
referentiel, package version); otherwise the dataset goes through the gate and is ingested
first. So a report kernel never pays for Great Expectations when the batch already ran it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import __version__
from . import referentiel as ref
from .dataset import locate
from .errors import CcAnalyticsError, Problem
from .ingest import TABLES, Tables, read_manifest
from .paths import processed_dir
from .results import Results, compute_results
from .rules import Rules, read_rules_file


@dataclass(frozen=True)
class ReportContext:
    dataset: str
    tables: Tables
    results: Results
    rules: Rules
    manifest: dict
    external: bool = False
    pseudonym_key: bytes = field(default=b"", repr=False)
    generated_at: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def referentiel(self) -> ref.Referentiel:
        return self.tables.referentiel

    def pseudonym(self, candidate_ids: pd.Series) -> pd.Series:
        """Stable pseudonymous ids (``C-3f9a2b``): an HMAC of the id under a secret key.

        The key is random, kept beside the processed data (never in a report), so nobody
        holding only reports can link a pseudonym back to an id by trying ids.
        """
        unique = candidate_ids.astype(str).unique()
        lookup = {c: "C-" + hmac.new(self.pseudonym_key, c.encode(), "sha256").hexdigest()[:6]
                  for c in unique}  # fmt: skip
        return candidate_ids.astype(str).map(lookup)

    def stamp(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with the rules and referentiel it was computed with, as last columns."""
        return table.assign(threshold=self.rules.threshold, combine=self.rules.combine,
                            referentiel=self.referentiel.id)  # fmt: skip

    def provenance(self) -> dict[str, object]:
        return {
            "Jeu de données": self.dataset,
            "Fichiers d'entrée (SHA-256)": self.manifest["inputs"],
            "Règles": self.rules.describe_fr(),
            "Référentiel": self.referentiel.id,
            "cc-analytics": __version__,
            "Généré le": self.generated_at.strftime("%d/%m/%Y à %H:%M"),
        }


def pseudonym_key(dataset_dir: str | Path) -> bytes:
    """The dataset's secret pseudonym key (created once, readable by its owner only)."""
    path = processed_dir(dataset_dir).with_suffix(".pseudonym-key")
    if not path.exists():
        from .atomic import write_text

        write_text(path, secrets.token_hex(32))
        path.chmod(0o600)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def load_tables(dataset_dir: str | Path,
                referentiel_path: str | Path | None = None) -> tuple[Tables, dict]:  # fmt: skip
    """Typed tables of a dataset, from ``data/processed`` when up to date, else ingested now."""
    files = locate(dataset_dir)
    referentiel = ref.load(referentiel_path or files.referentiel)
    target = processed_dir(dataset_dir)
    manifest = read_manifest(target)
    fresh = manifest is not None and (
        manifest.get("inputs") == files.hashes()
        and manifest.get("referentiel") == referentiel.id
        and manifest.get("package_version") == __version__
    )
    if not fresh:
        from .pipeline import ingest_dataset

        ingest_dataset(dataset_dir, referentiel_path)
        manifest = read_manifest(target)
    frames = {name: pd.read_parquet(target / f"{name}.parquet") for name in TABLES}
    return Tables(**frames, referentiel=referentiel), manifest or {}


def load_context(dataset: str | Path, *, referentiel: str | Path | None = None,
                 rules: str | Path | None = None, threshold: int | None = None,
                 combine: str | None = None, external: bool = False) -> ReportContext:  # fmt: skip
    """Everything a report needs; rules from the referentiel, a rules file, then overrides."""
    tables, manifest = load_tables(dataset, referentiel)
    base = Rules(threshold=tables.referentiel.threshold)
    if rules:
        base = base.with_overrides(**read_rules_file(rules))
    chosen = base.with_overrides(threshold=threshold, combine=combine)
    results = compute_results(tables.candidates, tables.scores, tables.referentiel, chosen)
    return ReportContext(Path(dataset).resolve().name, tables, results, chosen, manifest,
                         external=external, pseudonym_key=pseudonym_key(dataset))  # fmt: skip


def require_cohort(ctx: ReportContext, cohort: str) -> None:
    cohorts = sorted(ctx.tables.candidates["cohort"].unique())
    if cohort not in cohorts:
        raise CcAnalyticsError(
            Problem(
                "cohorte inconnue",
                value=str(cohort),
                hint="Cohortes du jeu de données : " + ", ".join(cohorts),
            )
        )

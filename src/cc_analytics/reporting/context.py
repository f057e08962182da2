"""What a report or an exploration session starts from: processed tables, results, rules.

Reading is read-only: :func:`load_context` never runs the gate, never ingests and never
creates a key. Processed tables that are missing or no longer match the raw files are a French
error naming the command that brings them up to date (``cc-analytics ingest`` or ``build``);
the commands that write (``ingest``, ``report``, ``build``) do that before they read.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

import pandas as pd

from .. import referentiel as ref
from ..core.errors import CcAnalyticsError, Problem
from ..core.version import __version__
from ..engine.results import Results, compute_results
from ..engine.rules import Rules, read_rules_file
from ..inputs.folder import locate
from ..workspace.catalog import DatasetCatalog, dataset_catalog
from ..workspace.processed import (
    Tables,
    current_inputs,
    read_manifest,
    read_pseudonym_key,
    read_tables,
)

#: A pseudonym is 64 bits (16 hex characters) of an HMAC-SHA-256; at least 6 are shown.
PSEUDONYM_HEX = 16
PSEUDONYM_SHOWN = 6


def _digests(key: bytes, ids: Iterable[str]) -> dict[str, str]:
    return {c: hmac.new(key, c.encode(), "sha256").hexdigest()[:PSEUDONYM_HEX] for c in ids}


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
    #: The disclosure audits of the tables this context published (name, AuditResult), for
    #: the provenance: filled by the views and tables that hide small groups.
    disclosure: list = field(default_factory=list, repr=False, compare=False)
    #: Hex characters of a pseudonym shown, when known beforehand (see :mod:`.prepared`)
    pseudonym_length: int | None = field(default=None, repr=False, compare=False)

    @property
    def referentiel(self) -> ref.Referentiel:
        return self.tables.referentiel

    def pseudonym(self, candidate_ids: pd.Series) -> pd.Series:
        """Stable pseudonymous ids (``C-3f9a2b``): a 64-bit HMAC of the id under a secret key,
        shown by its first 6 hex characters, or more when two candidates of the dataset would
        share them (the shown length is the dataset's, the same in every report).

        The key is random, kept beside the processed data (never in a report), so nobody
        holding only reports can link a pseudonym back to an id by trying ids.
        """
        ids = candidate_ids.astype(str)
        digests = _digests(self.pseudonym_key, ids.unique())
        return ids.map({c: "C-" + d[: self.pseudonym_shown] for c, d in digests.items()})

    @cached_property
    def pseudonym_shown(self) -> int:
        """Hex characters shown: the fewest, from 6, that tell the dataset's candidates apart."""
        if self.pseudonym_length is not None:
            return self.pseudonym_length
        digests = set(_digests(self.pseudonym_key, self.tables.candidates["candidate_id"]
                               .astype(str).unique()).values())  # fmt: skip
        for length in range(PSEUDONYM_SHOWN, PSEUDONYM_HEX):
            if len({d[:length] for d in digests}) == len(digests):
                return length
        return PSEUDONYM_HEX

    def stamp(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with the rules and referentiel it was computed with, as last columns."""
        rules = self.rules
        return table.assign(threshold=rules.threshold, combine=rules.combine,
                            retake_clears_employer=rules.retake_clears_employer,
                            neutralise_abroad=rules.neutralise_abroad,
                            referentiel=self.referentiel.id)  # fmt: skip

    def provenance(self) -> dict[str, object]:
        info: dict[str, object] = {
            "Jeu de données": self.dataset,
            "Fichiers d'entrée (SHA-256)": self.manifest["inputs"],
            "Règles": self.rules.describe_fr(),
            "Référentiel": self.referentiel.id,
            "cc-analytics": __version__,
            "Généré le": self.generated_at.strftime("%d/%m/%Y à %H:%M"),
        }
        if self.disclosure:  # the audit line (build's index reads it back from the page)
            info[DISCLOSURE_KEY] = disclosure_line(self.disclosure, self.rules.protection_width)
        return info


#: The provenance entry that says what the disclosure audit hid and found.
DISCLOSURE_KEY = "Contrôle des petits effectifs"


def disclosure_line(audits: list, width: int) -> str:
    """« réussi : … » or « ÉCHEC : … », then each audited table's summary."""
    passed = all(result.passed for _, result in audits)
    verdict = "réussi" if passed else "ÉCHEC"
    parts = [f"{name} : {result.summary_fr()}" for name, result in audits]
    return (f"{verdict} (attaque de chaque tableau par les totaux publiables, largeur de "
            f"protection {width}) — " + " | ".join(parts))  # fmt: skip


def choose_rules(referentiel: ref.Referentiel, rules: str | Path | None = None,
                 threshold: int | None = None, combine: str | None = None) -> Rules:  # fmt: skip
    """Rules from the referentiel's threshold, then a rules file, then explicit overrides."""
    base = Rules(threshold=referentiel.threshold)
    if rules:
        base = base.with_overrides(**read_rules_file(rules))
    return base.with_overrides(threshold=threshold, combine=combine)


def load_context(dataset: str | Path | DatasetCatalog, *, workspace: str | Path | None = None,
                 referentiel: str | Path | None = None, rules: str | Path | None = None,
                 threshold: int | None = None, combine: str | None = None,
                 external: bool = False,
                 prepared: str | Path | None = None) -> ReportContext:  # fmt: skip
    """Everything a report needs, from a dataset's processed tables (read-only).

    ``dataset`` is a folder or a dataset name of the workspace (found from the current
    folder upwards unless ``workspace`` is given). The referentiel is the one given, else the
    dataset's ``referentiel.yaml``, else the shipped one; it must be the one the tables were
    processed with. ``prepared``: a folder where the main job wrote the tables and results
    once for all its reports (:mod:`.prepared`), used when it matches the processed tables,
    the rules and the referentiel, ignored otherwise.
    """
    catalog = dataset_catalog(dataset, workspace)
    files = locate(catalog.raw)
    chosen_referentiel = ref.load(referentiel or files.referentiel)
    chosen = choose_rules(chosen_referentiel, rules, threshold, combine)
    if prepared is not None:
        from .prepared import read_prepared

        found = read_prepared(prepared, read_manifest(catalog.processed), chosen,
                              chosen_referentiel)  # fmt: skip
        if found is not None:
            return ReportContext(catalog.name, found.tables, found.results, chosen,
                                 found.manifest, external=external,
                                 pseudonym_key=read_pseudonym_key(catalog),
                                 pseudonym_length=found.pseudonym_length)  # fmt: skip
    tables, manifest = read_tables(catalog, current_inputs(catalog, files), chosen_referentiel)
    results = compute_results(tables.candidates, tables.scores, tables.referentiel, chosen)
    return ReportContext(catalog.name, tables, results, chosen, manifest, external=external,
                         pseudonym_key=read_pseudonym_key(catalog))  # fmt: skip


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

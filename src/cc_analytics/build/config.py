"""The main job's configuration: which datasets, which reports, which rules, where.

A workspace's ``cc-analytics.toml`` (or a file given with ``--config``), every path relative
to the file itself; every section is optional::

    [build]
    output = "reports"          # folder of every report and of index.html
    pdf = true                  # an A4 PDF beside every report (needs Chromium)
    shared_plotly = false       # true: internal pages load one plotly.min.js from their folder
                                # (lighter, but a page copied alone shows no chart)
    jobs = 0                    # worker processes; 0 = one per core

    [rules]                     # optional: threshold, combine, small_group, protection_width,
                                # retake_clears_employer, neutralise_abroad, min_response_rate
    combine = "co_validation"

    [[datasets]]
    path = "data/raw/demo"
    reports = ["cohort", "review", "renewal"]
    review_years = [2023, 2025]         # optional
    rncp_export = "fiche.xml"           # optional, renewal report
    fiche = "RNCP36612"                 # optional

Without ``[[datasets]]``, every folder of the workspace's ``data/raw`` is a dataset with every
report; ``cc-analytics build DATASET_DIR`` builds one dataset.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.errors import CcAnalyticsError, Problem
from ..core.text import unique_name
from ..engine.rules import read_rules_file
from ..reporting.kinds import KINDS, parse_period
from ..workspace.catalog import Workspace

REPORT_KINDS = tuple(KINDS)


@dataclass(frozen=True)
class DatasetConfig:
    path: Path
    reports: tuple[str, ...] = REPORT_KINDS
    review_years: tuple[int, int] | None = None
    renewal_years: tuple[int, int] | None = None
    rncp_export: Path | None = None
    fiche: str | None = None
    referentiel: Path | None = None


@dataclass(frozen=True)
class BuildConfig:
    workspace: Workspace
    datasets: tuple[DatasetConfig, ...]
    output: Path
    rules_file: Path | None = None  # the file whose rules apply (a configuration's [rules])
    #: internal pages load one shared plotly.min.js; external pages always carry their own
    shared_plotly: bool = False
    pdf: bool = False  # an A4 PDF beside every report page
    jobs: int = 0


def workspace_config(workspace: Workspace, dataset: str | Path | None = None,
                     config: str | Path | None = None) -> BuildConfig:  # fmt: skip
    """What ``cc-analytics build`` builds, under the ``--config`` file or else the workspace's
    ``cc-analytics.toml`` when there is one: the datasets the file lists (every dataset of
    ``data/raw`` when it lists none), or only ``dataset`` when given — with the settings the
    file gives it (reports, years, export), its rules and its output."""
    file = Path(config) if config is not None else (
        workspace.config if workspace.config.is_file() else None)  # fmt: skip
    if dataset is None:
        if file is None:
            return BuildConfig(workspace, _every_dataset(workspace), workspace.reports)
        return load_config(file, workspace)
    path = workspace.dataset(dataset).raw
    alone = (DatasetConfig(path),)
    if file is None:
        return BuildConfig(workspace, alone, workspace.reports)
    whole = load_config(file, workspace, default=alone)
    listed = tuple(d for d in whole.datasets if d.path == path)
    return replace(whole, datasets=listed or alone)


def _every_dataset(workspace: Workspace) -> tuple[DatasetConfig, ...]:
    folders = workspace.dataset_folders()
    if not folders:
        raise CcAnalyticsError(Problem(
            "aucun jeu de données à construire", file=str(workspace.raw),
            hint="Copiez le dossier d'un jeu de données dans data/raw/ (ou créez celui de "
                 "démonstration : cc-analytics demo data/raw/demo), ou listez vos jeux de "
                 "données dans cc-analytics.toml ([[datasets]] avec path = …)",
        ))  # fmt: skip
    return tuple(DatasetConfig(folder) for folder in folders)


def load_config(path: str | Path, workspace: Workspace,
                default: tuple[DatasetConfig, ...] | None = None) -> BuildConfig:  # fmt: skip
    """A configuration file, checked in full (every problem at once). Without ``[[datasets]]``,
    the datasets are ``default``, or every folder of the workspace's ``data/raw``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CcAnalyticsError(
            Problem("fichier de configuration introuvable", file=str(path))
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise CcAnalyticsError(Problem(f"TOML invalide : {exc}", file=str(path),
                                       hint="Vérifiez guillemets et crochets")) from None  # fmt: skip
    base = Path(os.path.abspath(path)).parent
    problems: list[Problem] = _unknown_keys(data, path)
    build = data.get("build", {})
    datasets = []
    for i, entry in enumerate(data.get("datasets", []), start=1):
        if "path" not in entry:
            problems.append(Problem(f"jeu de données n° {i} sans « path »", file=str(path)))
            continue
        for key in ("review_years", "renewal_years"):
            try:
                parse_years(entry.get(key))
            except (TypeError, ValueError) as exc:
                why = str(exc) if isinstance(exc, ValueError) and str(exc) else ""
                problems.append(Problem(
                    f"« {key} » illisible" + (f" : {why}" if why else ""), file=str(path),
                    value=str(entry.get(key)),
                    hint='Écrivez [2023, 2025] ou "2023-2025"'))  # fmt: skip
                entry = {**entry, key: None}
        kinds = entry.get("reports", REPORT_KINDS)
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)  # reports = "cohort"
        problems += _keys_without_their_report(entry, kinds, path)
        unknown = [k for k in kinds if k not in REPORT_KINDS]
        if unknown:
            problems.append(
                Problem(
                    f"type de rapport inconnu : {', '.join(unknown)}",
                    file=str(path),
                    hint="Types : " + ", ".join(REPORT_KINDS),
                )
            )
        datasets.append(DatasetConfig(
            path=_within(base, entry["path"]), reports=kinds,
            review_years=parse_years(entry.get("review_years")),
            renewal_years=parse_years(entry.get("renewal_years")),
            rncp_export=_within(base, entry["rncp_export"]) if entry.get("rncp_export") else None,
            fiche=entry.get("fiche"),
            referentiel=_within(base, entry["referentiel"]) if entry.get("referentiel") else None,
        ))  # fmt: skip
    names: dict[str, Path] = {}
    for dataset in datasets:
        other = names.setdefault(unique_name(dataset.path.name), dataset.path)
        if other != dataset.path:  # both would write reports/NAME: one would erase the other
            problems.append(Problem(
                "deux jeux de données portent le même nom de dossier", file=str(path),
                value=f"{other} ; {dataset.path}",
                hint="Renommez l'un des dossiers (les rapports vont dans reports/NOM)",
            ))  # fmt: skip
    jobs = build.get("jobs", 0)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        problems.append(Problem("« jobs » doit être un entier ≥ 0 (0 : un processus par cœur)",
                                file=str(path), value=str(jobs)))  # fmt: skip
    for key in ("pdf", "shared_plotly"):
        if not isinstance(build.get(key, False), bool):
            problems.append(Problem(f"« {key} » vaut true ou false", file=str(path),
                                    value=str(build.get(key))))  # fmt: skip
    if "datasets" in data and not datasets and not problems:
        problems.append(Problem("« datasets » ne liste aucun jeu de données", file=str(path),
                                hint="Ajoutez [[datasets]] avec path = …, ou retirez la clé "
                                     "pour construire tous les dossiers de data/raw"))  # fmt: skip
    if problems:
        raise CcAnalyticsError(problems)
    # [rules] checked as a rules file is (unknown keys, values, rules outside the section)
    rules_set = bool(read_rules_file(path)) if "rules" in data else False
    return BuildConfig(
        workspace=workspace,
        datasets=tuple(datasets) if "datasets" in data else (default or _every_dataset(workspace)),
        output=_within(base, build.get("output", "reports")),
        rules_file=path if rules_set else None,
        shared_plotly=build.get("shared_plotly", False),
        pdf=build.get("pdf", False),
        jobs=jobs,
    )  # fmt: skip


SECTION_KEYS = {
    "build": {"output", "shared_plotly", "pdf", "jobs"},
    "datasets": {"path", "reports", "review_years", "renewal_years", "rncp_export", "fiche",
                 "referentiel"},
}  # fmt: skip
TOP_KEYS = {"build", "datasets", "rules"}


def _unknown_keys(data: dict[str, Any], path: Path) -> list[Problem]:
    """A misspelt key would be silently ignored: refuse it, saying which keys exist."""
    problems = [
        Problem(f"section inconnue : {key}", file=str(path),
                hint="Sections : [build], [rules], [[datasets]]")
        for key in sorted(set(data) - TOP_KEYS)
    ]  # fmt: skip
    entries = [("build", data.get("build", {}))] + [
        ("datasets", d) for d in data.get("datasets", [])
    ]
    for section, entry in entries:
        for key in sorted(set(entry) - SECTION_KEYS[section]):
            problems.append(Problem(
                f"clé inconnue dans [{section}] : {key}", file=str(path),
                hint="Clés possibles : " + ", ".join(sorted(SECTION_KEYS[section]))))  # fmt: skip
    return problems


def _within(base: Path, relative: str) -> Path:
    """A path of the file, absolute, relative ones taken from the file's folder."""
    return Path(os.path.normpath(base / relative))


#: Keys of a ``[[datasets]]`` entry that only one report reads.
KEYS_OF_REPORT = {"review_years": "review", "renewal_years": "renewal",
                  "rncp_export": "renewal", "fiche": "renewal"}  # fmt: skip


def _keys_without_their_report(entry: dict, kinds: tuple[str, ...], path: Path) -> list[Problem]:
    """A key for a report the entry does not build would be silently ignored: refused."""
    problems = [
        Problem(f"« {key} » ne sert qu'au rapport « {kind} », absent de « reports »",
                file=str(path), hint=f"Ajoutez « {kind} » à reports, ou retirez {key}")
        for key, kind in KEYS_OF_REPORT.items()
        if entry.get(key) not in (None, "", []) and kind not in kinds
    ]  # fmt: skip
    if entry.get("fiche") and not entry.get("rncp_export"):
        problems.append(Problem("« fiche » sans « rncp_export » : la fiche se lit dans l'export",
                                file=str(path), hint="Ajoutez rncp_export, ou retirez fiche"))  # fmt: skip
    return problems


def parse_years(value: Any) -> tuple[int, int] | None:
    """``[2023, 2025]``, ``"2023-2025"``, ``2024`` or ``"2024"`` -> (first, last); a
    ``ValueError`` saying in French what is wrong (as ``--years``: see ``parse_period``)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        raise ValueError("une année est un nombre, comme 2024")
    if isinstance(value, int | str):
        return parse_period(str(value))
    parts = [int(p) for p in value]
    if len(parts) == 2 and parts[0] > parts[1]:
        raise ValueError(f"L'intervalle {parts[0]}-{parts[1]} est à l'envers : écrivez "
                         f"[{parts[1]}, {parts[0]}].")  # fmt: skip
    if not 1 <= len(parts) <= 2:
        raise ValueError("une période a une ou deux années, comme [2023, 2025]")
    return parts[0], parts[-1]

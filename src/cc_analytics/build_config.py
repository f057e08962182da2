"""The batch configuration: which datasets, which reports, which rules, where.

A TOML file, every path relative to the file itself::

    [build]
    output = "reports"          # folder of every report and of index.html
    shared_plotly = true        # one plotly.min.js per dataset folder (smaller pages)
    jobs = 0                    # worker processes; 0 = one per core

    [rules]                     # optional: threshold, combine, small_group
    combine = "co_validation"

    [[datasets]]
    path = "data/raw/demo"
    reports = ["cohort", "review", "renewal"]
    review_years = [2023, 2025]         # optional
    rncp_export = "fiche.xml"           # optional, renewal report
    fiche = "RNCP36612"                 # optional

Without a file, ``cc-analytics build [DATASET_DIR]`` builds every report of one dataset
(default: the bundled demo) into the project's ``reports/`` folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CcAnalyticsError, Problem
from .paths import DEMO_DATASET, project_of, safe_name
from .rules import Rules, read_rules_file

REPORT_KINDS = ("cohort", "review", "renewal")


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
    datasets: tuple[DatasetConfig, ...]
    output: Path
    rules: Rules = field(default_factory=Rules)
    rules_overridden: bool = False
    shared_plotly: bool = True
    jobs: int = 0


def default_config(dataset: str | Path | None = None) -> BuildConfig:
    path = Path(dataset) if dataset else DEMO_DATASET
    return BuildConfig(datasets=(DatasetConfig(path.resolve()),),
                       output=project_of(path) / "reports")  # fmt: skip


def load_config(path: str | Path) -> BuildConfig:
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
    base = path.resolve().parent
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
            except (TypeError, ValueError):
                problems.append(Problem(
                    f"« {key} » illisible : écrivez [2023, 2025] ou \"2023-2025\"",
                    file=str(path), value=str(entry.get(key))))  # fmt: skip
                entry = {**entry, key: None}
        kinds = entry.get("reports", REPORT_KINDS)
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)  # reports = "cohort"
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
            path=(base / entry["path"]).resolve(), reports=kinds,
            review_years=parse_years(entry.get("review_years")),
            renewal_years=parse_years(entry.get("renewal_years")),
            rncp_export=(base / entry["rncp_export"]).resolve() if entry.get("rncp_export") else None,
            fiche=entry.get("fiche"),
            referentiel=(base / entry["referentiel"]).resolve() if entry.get("referentiel") else None,
        ))  # fmt: skip
    names: dict[str, Path] = {}
    for dataset in datasets:
        other = names.setdefault(safe_name(dataset.path.name), dataset.path)
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
    if not datasets and not problems:
        problems.append(
            Problem("aucun jeu de données ([[datasets]] avec path = …)", file=str(path))
        )
    if problems:
        raise CcAnalyticsError(problems)
    # [rules] checked as a rules file is (unknown keys, values, rules outside the section)
    rules_data: dict[str, Any] = read_rules_file(path) if "rules" in data else {}
    return BuildConfig(
        datasets=tuple(datasets),
        output=(base / build.get("output", "reports")).resolve(),
        rules=Rules(**rules_data), rules_overridden=bool(rules_data),
        shared_plotly=bool(build.get("shared_plotly", True)),
        jobs=jobs,
    )  # fmt: skip


SECTION_KEYS = {
    "build": {"output", "shared_plotly", "jobs"},
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


def parse_years(value: Any) -> tuple[int, int] | None:
    """``[2023, 2025]``, ``"2023-2025"``, ``2024`` or ``"2024"`` -> (first, last)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, int | str):
        parts = [int(p) for p in str(value).replace("–", "-").split("-")]
    else:
        parts = [int(p) for p in value]
    if not 1 <= len(parts) <= 2 or parts[0] > parts[-1]:
        raise ValueError(value)
    return parts[0], parts[-1]

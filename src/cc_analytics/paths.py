"""Where things live: one place for every default path (cookiecutter-data-science style).

A dataset folder ``<project>/data/raw/<name>`` has its processed tables in
``<project>/data/processed/<name>`` and its reports in ``<project>/reports/<name>``; a dataset
anywhere else uses ``data/processed/<name>`` and ``reports/<name>`` under the current folder.
Names from data become folder names only through :func:`safe_name`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout (editable install); the bundled demo data lives there.
PROJECT_ROOT = PACKAGE_DIR.parents[1]
DEMO_DATASET = PROJECT_ROOT / "data" / "raw" / "demo"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: Set to "1" in a report kernel: charts are emitted as HTML for the exported page.
REPORT_ENV = "CC_ANALYTICS_REPORT"


def safe_name(text: str) -> str:
    """A file-system-safe name: ASCII letters, digits, ``-`` and ``_`` only, never empty.

    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    >>> safe_name("Cohorte 2024 — Lyon")
    'Cohorte-2024-Lyon'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_.")
    return cleaned[:80] or "sans-nom"


def project_of(dataset_dir: str | Path) -> Path:
    """The project folder a dataset belongs to (see module docstring)."""
    folder = Path(dataset_dir).resolve()
    if folder.parent.name == "raw" and folder.parent.parent.name == "data":
        return folder.parent.parent.parent
    return Path.cwd()


def processed_dir(dataset_dir: str | Path) -> Path:
    return (
        project_of(dataset_dir) / "data" / "processed" / safe_name(Path(dataset_dir).resolve().name)
    )


def reports_dir(dataset_dir: str | Path) -> Path:
    return project_of(dataset_dir) / "reports" / safe_name(Path(dataset_dir).resolve().name)

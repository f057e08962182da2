"""The validation report: a self-contained HTML page for the quality file.

No script, no external resource: it displays the same offline, in any browser, and prints.
Rendered from ``templates/validation.html.j2`` with autoescaping: everything that comes from
data is escaped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.atomic import write_text
from ..core.errors import Problem
from ..core.html import render_page
from ..core.version import __version__
from .validation import GateResult

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(result: GateResult, generated: datetime | None = None) -> str:
    """The report of a dataset that was read (passed or not), as an HTML string."""
    raw = result.raw
    return _page(raw.files.name, result.problems, generated, referentiel=raw.referentiel.id,
                 hashes=raw.files.hashes(), rows=result.rows,
                 expectations_run=result.expectations_run)  # fmt: skip


def render_unread(dataset: str, problems: list[Problem], generated: datetime | None = None) -> str:
    """The report of a dataset that could not be read at all (no candidates file …)."""
    return _page(dataset, problems, generated)


def _page(dataset: str, problems: list[Problem], generated: datetime | None,
          referentiel: str | None = None, hashes: dict[str, str] | None = None,
          rows: dict[str, int] | None = None,
          expectations_run: dict[str, int] | None = None) -> str:  # fmt: skip
    generated = generated or datetime.now().astimezone()
    return render_page(
        TEMPLATES, "validation.html.j2", dataset=dataset, problems=problems,
        read=hashes is not None, referentiel=referentiel, hashes=hashes or {},
        rows=_counts(rows), expectations_run=_counts(expectations_run), version=__version__,
        generated=generated.strftime("%d/%m/%Y %H:%M"),
    )  # fmt: skip


def _counts(counts: dict[str, int] | None) -> dict[str, str]:
    """Counts as French readers write them: « 5 508 », a narrow no-break space (U+202F)
    between thousands."""
    return {name: f"{n:,}".replace(",", "\u202f") for name, n in (counts or {}).items()}


def write_report(result: GateResult, path: str | Path) -> Path:
    path = Path(path)
    write_text(path, render(result))
    return path


def write_unread_report(dataset: str, problems: list[Problem], path: str | Path) -> Path:
    path = Path(path)
    write_text(path, render_unread(dataset, problems))
    return path

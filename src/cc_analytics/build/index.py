"""``index.html``: every output of the main job with its status, duration and inputs.

Rendered from ``templates/index.html.j2`` with autoescaping; offline, no script.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.atomic import write_text
from ..core.html import render_page
from ..core.labels import BUILD_STATUSES
from ..core.version import __version__
from .outcomes import BuildSummary, Outcome, seconds_fr

TEMPLATES = Path(__file__).resolve().parent / "templates"
INDEX = "index.html"


def write_index(summary: BuildSummary, output: Path) -> Path:
    """Write ``output/index.html`` for ``summary``; returns its path."""
    rows = [_row(o, output) for o in sorted(summary.outcomes, key=_index_order)]
    datasets = sorted({o.dataset for o in summary.outcomes})
    html = render_page(
        TEMPLATES, "index.html.j2", rows=rows, version=__version__,
        inputs=[(name, summary.inputs.get(name, {})) for name in datasets],
        generated=datetime.now().astimezone().strftime("%d/%m/%Y à %H:%M"),
    )  # fmt: skip
    path = output / INDEX
    write_text(path, html)
    return path


def _row(outcome: Outcome, output: Path) -> dict[str, Any]:
    target = Path(outcome.output)
    link = os.path.relpath(target, output) + ("" if target.suffix else "/")
    return {
        "dataset": outcome.dataset,
        "label": outcome.label,
        "link": link if target.exists() else None,
        "message": outcome.message,
        "status": BUILD_STATUSES.get(outcome.status, outcome.status),
        "failed": outcome.status in ("failed", "invalid data"),
        "seconds": seconds_fr(outcome.seconds),
    }


def _index_order(o: Outcome) -> tuple[Any, ...]:
    return (o.dataset, {"validation": 0, "tables": 1}.get(o.kind, 2), o.label)

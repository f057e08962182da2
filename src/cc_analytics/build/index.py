"""``index.html``: every output of the main job with its status, duration and inputs.

Rendered from ``templates/index.html.j2`` with autoescaping; offline, no script.
"""

from __future__ import annotations

import html
import os
import re
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
        "pdf": _pdf_link(target, output) if outcome.is_report else None,
        "weight": weight_fr(target) if outcome.is_report else "",
        "disclosure": _disclosure(target) if outcome.is_report else "",
    }


#: The provenance entry of a page that says what its disclosure audit hid and found (the
#: key is :data:`cc_analytics.reporting.context.DISCLOSURE_KEY`; not imported: the index is
#: written without pandas).
_DISCLOSURE = re.compile(r"<dt>Contrôle des petits effectifs</dt><dd>(.*?)</dd>", re.S)


def _disclosure(page: Path) -> str:
    """The page's own account of its disclosure audit (external pages only), or ``""``."""
    try:
        text = page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = _DISCLOSURE.findall(text)
    return html.unescape(found[-1]) if found else ""


def _pdf_link(page: Path, output: Path) -> str | None:
    """The page's PDF (``build --pdf``) when there is one."""
    pdf = page.with_suffix(".pdf")
    return os.path.relpath(pdf, output) if pdf.is_file() else None


def weight_fr(page: Path) -> str:
    """What a page weighs, as a French reader writes it (the page is what gets e-mailed).

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.html").write_bytes(b"x" * 4_917_463); weight_fr(folder / "a.html")
    '4,9\xa0Mo'
    >>> _ = (folder / "b.html").write_bytes(b"x" * 340_000); weight_fr(folder / "b.html")
    '340\xa0ko'
    """
    try:
        size = page.stat().st_size
    except OSError:
        return ""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f}\u00a0Mo".replace(".", ",")
    return f"{max(1, round(size / 1000))}\u00a0ko"


def _index_order(o: Outcome) -> tuple[Any, ...]:
    return (o.dataset, {"validation": 0, "tables": 1}.get(o.kind, 2), o.label)

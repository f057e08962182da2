"""``index.html``: every output of the main job with its status, duration and inputs, for
whom each report is and what it answers, its PDF and what each weighs; and, in each tables
folder, a page that lists its files (never the browser's raw directory listing).

Rendered from ``templates/`` with autoescaping; offline, no script. Report pages link back
here (:func:`index_link`, passed to the renderer by the main job).
"""

from __future__ import annotations

import html
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..core.atomic import write_text
from ..core.html import render_page
from ..core.labels import BUILD_STATUSES
from ..core.version import __version__
from ..reporting.kinds import KINDS
from .outcomes import BuildSummary, Outcome, seconds_fr
from .state import audience_name, load_state

TEMPLATES = Path(__file__).resolve().parent / "templates"
INDEX = "index.html"
#: The page that lists a tables folder, inside that folder.
TABLES_PAGE = "index.html"

#: For whom each output is and what it answers, one line in the index: by kind, and for a
#: report by audience (``interne``/``externe``, as the build manifest records it).
PURPOSES: dict[tuple[str, str], str] = {
    ("validation", ""): "Pour qui prépare les données : chaque problème trouvé dans les "
                        "fichiers, à corriger avant toute publication",
    ("tables", ""): "Pour l'équipe qualité, usage interne : les taux et les accords de chaque "
                    "cohorte, petits groupes compris, à ouvrir dans un tableur",
    ("cohort", "interne"): "Pour l'équipe pédagogique : résultats de la cohorte, candidats à "
                           "accompagner",
    ("cohort", "externe"): "Pour un évaluateur externe : résultats de la cohorte, petits "
                           "groupes masqués",
    ("review", "externe"): "Pour un évaluateur externe (audit qualité, certificateur) : "
                           "évolution des résultats d'une cohorte à l'autre, petits groupes "
                           "masqués",
    ("review", "interne"): "Pour l'équipe qualité : évolution des résultats d'une cohorte à "
                           "l'autre, écarts à expliquer en revue qualité",
    ("renewal", "externe"): "Pour le dossier de renouvellement RNCP : certifiés et insertion "
                            "par promotion, au format de France Compétences, petits groupes "
                            "masqués",
    ("renewal", "interne"): "Pour préparer le dossier de renouvellement RNCP, usage interne : "
                            "certifiés et insertion par promotion, tous les effectifs",
}  # fmt: skip

#: What each file of a tables folder holds (``build`` writes them), one line each.
TABLE_DESCRIPTIONS: dict[str, str] = {
    "metrics.xlsx": "Taux par cohorte du titre, de chaque bloc et de chaque compétence : "
                    "effectif, réussites, taux, intervalle de confiance à 95 %, répartition "
                    "des notes (classeur Excel)",
    "metrics.csv": "Les mêmes taux en CSV (séparateur virgule, UTF-8), pour les scripts et "
                   "les outils d'analyse",
    "agreement.csv": "Accord entre la note du jury et celle de l'entreprise, par cohorte et "
                     "par compétence : kappa pondéré, son intervalle, notes identiques (CSV)",
    "promotions.csv": "Statistiques par promotion sous les noms des champs de la fiche RNCP : "
                      "certifiés, dont VAE, taux d'insertion et effectifs derrière chaque taux "
                      "(CSV)",
}  # fmt: skip
OTHER_FILE = "Autre fichier de ce dossier (non produit par cc-analytics)"


def write_index(summary: BuildSummary, output: Path) -> Path:
    """Write ``output/index.html`` for ``summary``; returns its path."""
    for outcome in summary.outcomes:
        if outcome.kind == "tables" and Path(outcome.output).is_dir():
            write_tables_page(Path(outcome.output), outcome.dataset, output)
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


def index_link(page_folder: Path, output: Path) -> str:
    """Where the index of a build writing to ``output`` is, seen from a page of
    ``page_folder`` (``../index.html``): what the main job passes to the renderer.

    >>> index_link(Path("/w/reports/demo"), Path("/w/reports"))
    '../index.html'
    """
    return Path(os.path.relpath(output / INDEX, page_folder)).as_posix()


def _row(outcome: Outcome, output: Path) -> dict[str, Any]:
    target = Path(outcome.output)
    page = target / TABLES_PAGE if outcome.kind == "tables" else target
    pdf = target.with_suffix(".pdf")
    has_pdf = outcome.is_report and pdf.is_file()
    return {
        "dataset": outcome.dataset,
        "label": outcome.label,
        "link": _href(page, output) if page.is_file() else None,
        "purpose": purpose(outcome),
        "message": outcome.message,
        "status": BUILD_STATUSES.get(outcome.status, outcome.status),
        "failed": outcome.status in ("failed", "invalid data"),
        "seconds": seconds_fr(outcome.seconds),
        "pdf": _href(pdf, output) if has_pdf else None,
        "pdf_weight": weight_fr(pdf) if has_pdf else "",
        "weight": weight_fr(target) if outcome.is_report else "",
        "disclosure": _disclosure(target) if outcome.is_report else "",
    }


def _href(target: Path, output: Path) -> str:
    """A link from the index to ``target``: relative, each part URL-encoded (a dataset folder
    named ``a#b`` or ``été 2024`` still opens)."""
    return quote(Path(os.path.relpath(target, output)).as_posix())


def purpose(outcome: Outcome) -> str:
    """For whom an output is and what it answers (:data:`PURPOSES`), in one French line.

    A report's audience is the one the build manifest recorded for its page, else its kind's
    default (a report that failed before its first page)."""
    if not outcome.is_report:
        return PURPOSES.get((outcome.kind, ""), "")
    if outcome.kind not in KINDS:
        return ""
    page = Path(outcome.output)
    entry = load_state(page.parent).get("reports", {}).get(page.name, {})
    audience = entry.get("audience") or audience_name(KINDS[outcome.kind].external)
    return PURPOSES.get((outcome.kind, audience), "")


def write_tables_page(folder: Path, dataset: str, output: Path) -> Path:
    """``folder/index.html``: each file of a tables folder with what it holds, its size and a
    link (names escaped, links encoded), written atomically; returns its path."""
    known = list(TABLE_DESCRIPTIONS)  # in the order they read best, then any other file
    files = sorted((f for f in folder.iterdir()
                    if f.is_file() and not f.name.startswith(".") and f.name != TABLES_PAGE),
                   key=lambda f: (known.index(f.name) if f.name in known else len(known), f.name))  # fmt: skip
    rows = [{"name": f.name, "link": quote(f.name), "size": weight_fr(f),
             "description": TABLE_DESCRIPTIONS.get(f.name, OTHER_FILE)} for f in files]  # fmt: skip
    page = render_page(TEMPLATES, "tables.html.j2", dataset=dataset, rows=rows,
                       index=index_link(folder, output), version=__version__)  # fmt: skip
    path = folder / TABLES_PAGE
    write_text(path, page)
    return path


#: The provenance entry of a page that says what its disclosure audit hid and found (the
#: key is :data:`cc_analytics.reporting.context.DISCLOSURE_KEY`; not imported: the index is
#: written without pandas).
_DISCLOSURE = re.compile(r"<dt>Contrôle des petits effectifs</dt><dd>(.*?)</dd>", re.S)


#: The provenance closes a page: its last bytes hold it, whatever plotly.js weighs before.
_TAIL_BYTES = 256 * 1024


def _disclosure(page: Path) -> str:
    """The page's own account of its disclosure audit (external pages only), or ``""``; read
    from the page's end (reading 300 pages of 5 MB whole took seconds of every build)."""
    try:
        with page.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - _TAIL_BYTES))
            text = file.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    found = _DISCLOSURE.findall(text)
    return html.unescape(found[-1]) if found else ""


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

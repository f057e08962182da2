"""Run a report notebook with papermill and export it to a self-contained HTML page.

The page is built from the project's nbconvert template (``templates/cc_report``): French,
no code cells, a table of contents, a print stylesheet, plotly.js once (inline, or one shared
file for a folder of reports), a short script of its own that sorts the tables marked
``sortable`` when a header is clicked, and a Content-Security-Policy that forbids any outside
request.
The HTML and the executed notebook (kept beside it for audit) are written atomically: a failed
run leaves no partial page and keeps the previous good one.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.atomic import write_bytes, write_text
from ..core.errors import CcAnalyticsError, Problem
from .kinds import KINDS, REPORT_ENV

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PLOTLY_FILE = "plotly.min.js"
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Rendered:
    html: Path
    notebook: Path


def render_report(kind: str, parameters: dict[str, Any], out_html: str | Path, *,
                  title: str, subtitle: str = "", shared_plotly: bool = False,
                  timeout: int = 600) -> Rendered:  # fmt: skip
    """Execute the ``kind`` notebook with ``parameters`` and write ``out_html`` (+ ``.ipynb``)."""
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if kind not in KINDS:
        raise CcAnalyticsError(Problem(f"type de rapport inconnu : {kind}",
                                       hint="Types : " + ", ".join(KINDS)))  # fmt: skip
    out_html = Path(out_html)
    check_output(out_html)
    notebook = KINDS[kind].path
    if not notebook.is_file():
        raise CcAnalyticsError(Problem(
            f"rapport « {kind} » non produit : carnet introuvable", file=str(notebook),
            hint="Le carnet manque dans l'installation de cc-analytics : réinstallez le paquet",
        ))  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cc-report-") as tmp:
        executed = Path(tmp) / notebook.name
        previous = os.environ.get(REPORT_ENV)
        os.environ[REPORT_ENV] = "1"
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=parameters, kernel_name="python3",
                progress_bar=False, log_output=False, execution_timeout=timeout, cwd=tmp,
                # the kernel's own log (start-up warning, shutdown interrupt) would clutter batch logs
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )  # fmt: skip
        except papermill.PapermillExecutionError as exc:
            raise CcAnalyticsError(_execution_problem(kind, exc)) from None
        except CellTimeoutError:
            raise CcAnalyticsError(Problem(
                f"rapport « {kind} » non produit : une cellule du carnet a dépassé {timeout} s",
                hint="Le jeu de données est peut-être très grand ; relancez le carnet dans "
                     "JupyterLab pour voir la cellule en cause",
            )) from None  # fmt: skip
        except DeadKernelError:
            raise CcAnalyticsError(Problem(
                f"rapport « {kind} » non produit : le noyau Python du carnet s'est arrêté "
                "en cours d'exécution",
                hint="Souvent un manque de mémoire ; fermez d'autres programmes ou lancez "
                     "moins de rapports en parallèle",
            )) from None  # fmt: skip
        finally:
            if previous is None:
                os.environ.pop(REPORT_ENV, None)
            else:
                os.environ[REPORT_ENV] = previous
        nb = nbformat.read(executed, as_version=4)
        html = export_html(nb, title=f"{KINDS[kind].title} — {title}", subtitle=subtitle,
                           shared_plotly=shared_plotly)  # fmt: skip
        if shared_plotly:
            ensure_shared_plotly(out_html.parent)
        notebook_out = out_html.with_suffix(".ipynb")
        write_bytes(notebook_out, executed.read_bytes())
        write_text(out_html, html)
    return Rendered(out_html, notebook_out)


def check_output(out_html: Path) -> None:
    """The page must be a ``.html`` file: the executed notebook is written beside it as
    ``.ipynb``, so any other name could make one overwrite the other."""
    if out_html.suffix.lower() not in (".html", ".htm"):
        raise CcAnalyticsError(Problem("le rapport s'écrit dans un fichier .html",
                                       value=str(out_html),
                                       hint="Exemple : --out rapports/cohorte.html"))  # fmt: skip


def _execution_problem(kind: str, exc: Exception) -> Problem:
    """The notebook's own French message when it raised one of ours, else the error."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = _TAGS.sub("", str(getattr(exc, "evalue", exc))).strip()
    ours = {cls.__name__ for cls in (CcAnalyticsError, *CcAnalyticsError.__subclasses__())}
    if ename in ours:
        return Problem(f"rapport « {kind} » non produit : {evalue}")
    return Problem(f"rapport « {kind} » non produit : erreur {ename} : {evalue}",
                   hint="Le carnet exécuté n'a pas été gardé ; relancez avec les mêmes "
                        "paramètres dans JupyterLab pour voir la cellule en cause")  # fmt: skip


def export_html(nb: Any, *, title: str, subtitle: str = "", shared_plotly: bool = False) -> str:
    """The report page for an executed notebook (inputs and prompts hidden)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="cc_report", extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )  # fmt: skip
    resources = {
        "cc_title": title,
        "cc_subtitle": subtitle,
        "cc_kicker": "cc-analytics · certification « Chargé.e de clientèle »",
        "cc_css": (TEMPLATES_DIR / "cc_report" / "report.css").read_text(encoding="utf-8"),
        "cc_sort_js": (TEMPLATES_DIR / "cc_report" / "sort.js").read_text(encoding="utf-8"),
        "cc_plotly_src": PLOTLY_FILE if shared_plotly else "",
        "cc_plotly_inline": "" if shared_plotly else _plotly_js(),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return add_toc(body)


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def ensure_shared_plotly(folder: Path) -> Path:
    """One plotly.js for every report of a folder (written once, atomically).

    Rewritten whenever its content differs, so a plotly upgrade never leaves pages drawn by
    a stale copy (a size check would miss a same-length release).
    """
    target = folder / PLOTLY_FILE
    js = _plotly_js()
    if not target.is_file() or target.read_bytes() != js.encode():
        write_text(target, js)
    return target


def add_toc(html: str) -> str:
    """Fill the ``<!-- cc-toc -->`` placeholder with links to every section (h2)."""
    items = []
    for anchor, inner in _H2.findall(html):
        label = _TAGS.sub("", inner).replace("¶", "").strip()
        items.append(f'<li><a href="#{anchor}">{label}</a></li>')
    toc = f"<p class='toc-title'>Sommaire</p><ol>{''.join(items)}</ol>" if items else ""
    return html.replace("<!-- cc-toc -->", toc, 1)

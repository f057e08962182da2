"""Run a report notebook with papermill and export it to a self-contained HTML page, and on
request to an A4 PDF.

The page is built from the project's nbconvert template (``templates/cc_report``): French,
no code cells, a table of contents, a print stylesheet, plotly.js once (inline by default, so
a page copied alone still draws its charts; or one shared file for a folder of internal
reports, which the page then says it needs), a link back to the build's index for a page
the main job makes (hidden on paper), a short script of its own that sorts the tables
marked ``sortable`` when a header is clicked and fits the charts to the paper before printing,
and a Content-Security-Policy that forbids any outside request.

The PDF is that page printed by Chromium (driven by Playwright, offline, bounded in time): A4,
the report's title, « page X / Y » and its provenance (dataset, date, version, referentiel) on
every page.

**Warm kernels** (:func:`warm_kernels`, what the main job's workers use): starting a kernel and
importing pandas, plotly and cc-analytics in it costs seconds, more than most reports take.
Within that block each thread keeps one kernel, warmed once, that papermill runs notebook
after notebook on (:class:`WarmKernel`). Before each report the kernel is put back as it was
once warm: IPython's namespace reset, and the package's modules, caches, environment and
working folder restored (:class:`cc_analytics.core.cache.ModuleState`), so a report never
sees what another left. A kernel that died, timed out or could not be reset is replaced.
The HTML, the executed notebook (kept beside it for audit) and the PDF are written atomically
and only once all of them are ready: a failed run leaves no partial page and keeps the
previous good ones.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..core.atomic import write_bytes, write_text
from ..core.errors import CcAnalyticsError, Problem
from .kinds import KINDS, REPORT_ENV

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PLOTLY_FILE = "plotly.min.js"
PAGE_SUFFIXES = (".html", ".htm")
PDF_SUFFIX = ".pdf"
_H2 = re.compile(r"""<h2 id=(["'])(.+?)\1[^>]*>(.*?)</h2>""", re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Rendered:
    html: Path
    notebook: Path
    pdf: Path | None = None


def render_report(kind: str, parameters: dict[str, Any], out_html: str | Path, *,
                  title: str, subtitle: str = "", shared_plotly: bool = False,
                  timeout: int = 600, pdf: bool = False,
                  index_link: str | None = None) -> Rendered:  # fmt: skip
    """Execute the ``kind`` notebook with ``parameters`` and write ``out_html`` (+ ``.ipynb``,
    and the page printed to ``.pdf`` when ``pdf``); ``index_link``: see :func:`export_html`."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if kind not in KINDS:
        raise CcAnalyticsError(Problem(f"type de rapport inconnu : {kind}",
                                       hint="Types : " + ", ".join(KINDS)))  # fmt: skip
    out_html = Path(out_html)
    check_output(out_html)
    if out_html.suffix.lower() == PDF_SUFFIX:
        raise CcAnalyticsError(Problem("la page du rapport s'écrit dans un fichier .html",
                                       value=str(out_html)))  # fmt: skip
    if pdf:
        chromium_path()  # a machine without Chromium is told so before the notebook runs
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
            nb = run_notebook(notebook, executed, parameters, timeout=timeout, cwd=tmp)
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
        html = export_html(nb, title=f"{KINDS[kind].title} — {title}", subtitle=subtitle,
                           shared_plotly=shared_plotly, index_link=index_link)  # fmt: skip
        printed = _print_in(Path(tmp), out_html.name, html, shared_plotly) if pdf else None
        if shared_plotly:
            ensure_shared_plotly(out_html.parent)
        notebook_out = out_html.with_suffix(".ipynb")
        write_bytes(notebook_out, executed.read_bytes())
        write_text(out_html, html)
        pdf_out = None
        if printed is not None:
            pdf_out = out_html.with_suffix(PDF_SUFFIX)
            write_bytes(pdf_out, printed)
    return Rendered(out_html, notebook_out, pdf_out)


def run_notebook(notebook: Path, executed: Path, parameters: dict[str, Any], *,
                 timeout: int = 600, cwd: str | None = None) -> Any:  # fmt: skip
    """``notebook`` run by papermill with ``parameters`` into ``executed``: on this thread's
    warm kernel inside :func:`warm_kernels`, else on a kernel of its own; the executed
    notebook. Written once, when done: papermill's default writes the whole notebook (and
    validates it) at the start and end of every cell, which cost more than the export."""
    import papermill

    if not getattr(_WARM, "enabled", False):
        return papermill.execute_notebook(
            str(notebook), str(executed), parameters=parameters, kernel_name="python3",
            progress_bar=False, log_output=False, execution_timeout=timeout, cwd=cwd,
            extra_arguments=KERNEL_ARGUMENTS, request_save_on_cell_execute=False,
        )  # fmt: skip
    kernel = _ready_kernel()
    try:
        return papermill.execute_notebook(
            str(notebook), str(executed), parameters=parameters, kernel_name="python3",
            progress_bar=False, log_output=False, execution_timeout=timeout,
            request_save_on_cell_execute=False, engine_name=_warm_engine(), kernel=kernel,
        )  # fmt: skip
    except papermill.PapermillExecutionError:
        raise  # the notebook's own error: the kernel is fine, reset before the next report
    except BaseException:
        _discard_kernel()  # timed out (still busy), dead or interrupted: never reused
        raise


def _print_in(folder: Path, name: str, html: str, shared_plotly: bool) -> bytes:
    """The page printed to PDF from a private copy (with its plotly.js when shared), so
    nothing is written beside the report before the PDF is ready."""
    page = folder / name
    page.write_text(html, encoding="utf-8")
    if shared_plotly:
        ensure_shared_plotly(folder)
    return print_pdf(page)


def check_output(out: Path) -> None:
    """The report must be a ``.html`` (or ``.pdf``) file: the executed notebook is written
    beside it as ``.ipynb`` (and the page as ``.html`` beside a PDF), so any other name could
    make one overwrite another."""
    if out.suffix.lower() not in (*PAGE_SUFFIXES, PDF_SUFFIX):
        raise CcAnalyticsError(Problem(
            "le rapport s'écrit dans un fichier .html (page web) ou .pdf (page web et PDF A4)",
            value=str(out), hint="Exemple : --out rapports/cohorte.html ou rapports/cohorte.pdf",
        ))  # fmt: skip


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


# -- warm kernels ---------------------------------------------------------------------------
#: The kernel's own log (start-up warning, shutdown interrupt) would clutter batch logs.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Run once in a new warm kernel: what every report imports, then the state to come back to.
#: What is alive then stays alive: it is frozen out of the garbage collector's reach, since
#: IPython's reset collects garbage (twice) before every report, and a full collection over
#: pandas, plotly and the package took a third of a second; a few milliseconds now.
WARM_UP = """
import pandas, plotly.graph_objects, plotly.io
import cc_analytics
from cc_analytics.core.cache import MODULE_STATE
from cc_analytics.reporting import charts, context, formatting, views
MODULE_STATE.remember()
import gc
gc.collect()
gc.freeze()
del gc
"""
#: Run in the kernel before each report: a new IPython session, the package as once warm.
RESET = """
get_ipython().reset(new_session=True)
from cc_analytics.core.cache import MODULE_STATE
MODULE_STATE.restore()
del MODULE_STATE
"""
_WARM = threading.local()
WARM_ENGINE = "cc_analytics_warm"


class WarmKernel:
    """A Python kernel started once, its imports done, on which papermill runs notebooks one
    after another, each on the namespace and package state the kernel had once warm."""

    def __init__(self, startup_timeout: float = 60) -> None:
        import nbformat
        from nbclient import NotebookClient

        self.folder = tempfile.mkdtemp(prefix="cc-kernel-")  # its working folder
        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3",
                                 startup_timeout=startup_timeout,
                                 extra_arguments=list(KERNEL_ARGUMENTS))  # fmt: skip
        starter.km = starter.create_kernel_manager()
        # REPORT_ENV from the start: the package reads it when charts are drawn
        starter.start_new_kernel(cwd=self.folder, env={**os.environ, REPORT_ENV: "1"})
        starter.start_new_kernel_client()
        self.km, self.kc = starter.km, starter.kc
        self.reports = 0
        self.closed = False
        try:
            self.run(WARM_UP, timeout=startup_timeout * 5)
        except BaseException:
            self.shutdown(now=True)
            raise

    def run(self, code: str, timeout: float = 60) -> None:
        """Execute ``code`` outside any notebook (no history, no output kept); a
        ``RuntimeError`` naming the kernel's error when it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(
            code, store_history=False, allow_stdin=False, timeout=timeout,
            output_hook=lambda message: None,
        )  # fmt: skip
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return not self.closed and bool(run_sync(self._alive)())

    async def _alive(self) -> bool:
        from jupyter_core.utils import ensure_async

        return bool(await ensure_async(self.km.is_alive()))

    def reset(self) -> None:
        """The kernel as it was once warm (see :data:`RESET`)."""
        self.run(RESET)

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel (and wait for its process); nothing when already stopped."""
        if self.closed:
            return
        self.closed = True
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):  # a kernel already gone has nothing to stop
            run_sync(self._shutdown)(now)
        shutil.rmtree(self.folder, ignore_errors=True)

    async def _shutdown(self, now: bool) -> None:
        from jupyter_core.utils import ensure_async

        try:
            self.kc.stop_channels()
            if await ensure_async(self.km.is_alive()):
                await ensure_async(self.km.shutdown_kernel(now=now))
        finally:
            await ensure_async(self.km.cleanup_resources())


@contextlib.contextmanager
def warm_kernels() -> Iterator[None]:
    """Reports rendered in this block run on this thread's warm kernel, started at the
    first one and kept for the next blocks; stopped when the process ends."""
    before = getattr(_WARM, "enabled", False)
    _WARM.enabled = True
    try:
        yield
    finally:
        _WARM.enabled = before


def preload() -> None:
    """Import and build, in this process, what rendering reports needs (papermill, nbclient,
    the exporter and its template, plotly.js): worker processes forked from it then start
    with them instead of each paying for them."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    _exporter()
    _plotly_js()
    _warm_engine()


def warm_up() -> None:
    """Start this thread's warm kernel now, if it has none (a worker does it while the build
    still checks the data, on the core the check leaves idle)."""
    if getattr(_WARM, "kernel", None) is None:
        _new_kernel()


def _new_kernel() -> WarmKernel:
    kernel = WarmKernel()
    _WARM.kernel = kernel
    _stop_at_exit(kernel)
    return kernel


def _ready_kernel() -> WarmKernel:
    """This thread's warm kernel, reset for a new report (a new one when it cannot be).
    The first report of a kernel needs no reset: nothing ran on it since it was warmed."""
    kernel: WarmKernel | None = getattr(_WARM, "kernel", None)
    if kernel is not None:
        try:
            if not kernel.alive():
                raise RuntimeError("kernel died")
            if kernel.reports:
                kernel.reset()
        except Exception:
            _discard_kernel()
            kernel = None
    if kernel is None:
        kernel = _new_kernel()
    kernel.reports += 1
    return kernel


def _discard_kernel() -> None:
    kernel = getattr(_WARM, "kernel", None)
    _WARM.kernel = None
    if kernel is not None:
        kernel.shutdown(now=True)


def _stop_at_exit(kernel: WarmKernel) -> None:
    """Stop ``kernel`` when this process ends: a worker process exits through
    multiprocessing's finalizers (not ``atexit``), any other process through ``atexit``."""
    from multiprocessing import util

    util.Finalize(kernel, kernel.shutdown, exitpriority=10)
    atexit.register(kernel.shutdown)


@functools.cache
def _warm_engine() -> str:
    """Register (once) the papermill engine that runs a notebook on a :class:`WarmKernel`."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None,
                                     start_timeout: int = 60, execution_timeout: int | None = None,
                                     kernel: WarmKernel | None = None, **kwargs: Any) -> Any:  # fmt: skip
            assert kernel is not None
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )  # fmt: skip
            client.kc = kernel.kc  # the warm client: nbclient then starts nothing
            return client.execute()

    papermill_engines.register(WARM_ENGINE, WarmEngine)
    return WARM_ENGINE


def export_html(nb: Any, *, title: str, subtitle: str = "", shared_plotly: bool = False,
                index_link: str | None = None) -> str:  # fmt: skip
    """The report page for an executed notebook (inputs and prompts hidden).

    ``index_link``: where the build's index is, relative to the page (``../index.html``); the
    page then opens with « ← Sommaire des rapports », shown on screen only. Only the main job
    passes it: a report made alone has no index to go back to.
    """
    resources = {
        "cc_title": title,
        "cc_subtitle": subtitle,
        "cc_kicker": "cc-analytics · certification « Chargé.e de clientèle »",
        "cc_css": (TEMPLATES_DIR / "cc_report" / "report.css").read_text(encoding="utf-8"),
        "cc_sort_js": (TEMPLATES_DIR / "cc_report" / "sort.js").read_text(encoding="utf-8"),
        "cc_print_js": (TEMPLATES_DIR / "cc_report" / "print.js").read_text(encoding="utf-8"),
        "cc_plotly_src": PLOTLY_FILE if shared_plotly else "",
        "cc_plotly_inline": "" if shared_plotly else _PLOTLY_MARK,
        "cc_index_link": quote(Path(index_link).as_posix()) if index_link else "",
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body = add_toc(_plain_headings(body))
    if shared_plotly:
        return body
    # plotly.js (4.6 MB) goes in once the page is made: nbconvert parses and writes back the
    # whole page with BeautifulSoup, which took longer than the rest of the export with it
    mark = f"<script>{_PLOTLY_MARK}</script>"
    if body.count(mark) != 1:
        raise RuntimeError("the report template lost its plotly.js <script> element")
    return body.replace(mark, f"<script>{_plotly_js()}</script>", 1)


#: Where plotly.js goes in the page (see :func:`export_html`).
_PLOTLY_MARK = "/* cc-analytics: plotly.js */"


@functools.cache
def _exporter() -> Any:
    """One exporter per process: building it and compiling the template costs more than
    exporting a report (nothing of a report stays in it: each call gets its resources)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without the pass it ends with: BeautifulSoup parses the
        whole page and writes it back to give ``<img>`` elements an ``alt`` text and the
        cells of a ``.jp-Notebook`` a ``tabindex``. A report page has neither (its template
        has no ``.jp-Notebook``; charts are drawn by plotly.js), and the pass took 90 % of
        the export."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7)
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))  # fmt: skip
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))  # fmt: skip
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(
        template_name="cc_report", extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )  # fmt: skip


@functools.cache
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


#: A heading of a markdown cell, as nbconvert writes it (with its anchor link).
_HEADING = re.compile(r"<(h[1-6]) id=\"[^\"]*\">.*?</\1>", re.S)
_NON_ASCII_REFERENCE = re.compile(r"&#(\d+);")


def _plain_headings(html: str) -> str:
    """Markdown headings with their letters as written: nbconvert gives their anchor with
    ElementTree, which writes every non-ASCII character as a reference (« Chiffres
    cl&#233;s »). A reference to a character beyond ASCII is never markup: put back as is."""

    def plain(heading: re.Match[str]) -> str:
        return _NON_ASCII_REFERENCE.sub(
            lambda ref: chr(int(ref[1])) if 160 <= int(ref[1]) <= 0x10FFFF else ref[0],
            heading[0])  # fmt: skip

    return _HEADING.sub(plain, html)


def add_toc(html: str) -> str:
    """Fill the ``<!-- cc-toc -->`` placeholder with links to every section (h2)."""
    items = []
    for _, anchor, inner in _H2.findall(html):
        label = _TAGS.sub("", inner).replace("¶", "").strip()
        items.append(f'<li><a href="#{anchor}">{label}</a></li>')
    toc = f"<p class='toc-title'>Sommaire</p><ol>{''.join(items)}</ol>" if items else ""
    return html.replace("<!-- cc-toc -->", toc, 1)


# -- PDF ------------------------------------------------------------------------------------
CHROMIUM_ENV = "CC_ANALYTICS_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: root needs --no-sandbox; /dev/shm is small in containers; there is no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
PDF_TIMEOUT = 120.0  # seconds for the whole print: start, load, charts, PDF
#: A4 less the margins of report.css's @page (2 cm × 1,5 cm): 180 mm of text, in CSS pixels.
A4_TEXT_PX = 680
PDF_MARGINS = {"top": "2cm", "bottom": "2cm", "left": "1.5cm", "right": "1.5cm"}
_BAND = ("font:7.5px system-ui,sans-serif;color:#5b6475;width:100%;margin:0 1.5cm;"
         "display:flex;justify-content:space-between;gap:1em")  # fmt: skip
_CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .every(d => d.classList.contains('js-plotly-plot') && d.querySelector('.main-svg'))"""
_CHARTS_WITHOUT_PLOTLY = """() => typeof window.Plotly === 'undefined'
    && document.querySelectorAll('.plotly-graph-div').length"""
_PROVENANCE = """() => Object.fromEntries([...document.querySelectorAll('.provenance dt')]
    .map(dt => [dt.textContent.trim(), (dt.nextElementSibling || {}).textContent || '']))"""


def chromium_path() -> Path:
    """The Chromium that prints PDFs: ``CC_ANALYTICS_CHROMIUM``, else the one on the PATH
    (Debian's ``chromium``); a French error saying how to install it when there is none."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if Path(configured).is_file():
            return Path(configured)
        raise CcAnalyticsError(Problem(
            f"PDF impossible : la variable {CHROMIUM_ENV} désigne un navigateur introuvable",
            value=configured,
            hint=f"Corrigez le chemin, ou retirez {CHROMIUM_ENV} et installez Chromium "
                 "(en administrateur) : apt-get install -y chromium",
        ))  # fmt: skip
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return Path(found)
    raise CcAnalyticsError(Problem(
        "PDF impossible : le navigateur Chromium, qui imprime les rapports en PDF, n'est pas "
        "installé sur cette machine",
        hint="Installez-le (en administrateur) : apt-get install -y chromium, puis relancez la "
             "commande ; ou demandez le rapport en HTML (--out rapport.html, build sans --pdf)",
    ))  # fmt: skip


def print_pdf(page: Path, *, timeout: float = PDF_TIMEOUT) -> bytes:
    """``page`` (a report's HTML file) printed by Chromium to A4 PDF bytes, offline: any
    request other than a local file is refused. Waits until every chart is drawn; past
    ``timeout`` seconds in all, a French error."""
    from concurrent.futures import ThreadPoolExecutor

    chromium = chromium_path()
    # Playwright's sync API refuses a thread that already runs an event loop (a notebook's
    # kernel, another Playwright session): the print gets a thread of its own
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cc-pdf") as pool:
        return pool.submit(_print_pdf, chromium, page, timeout).result()


def _print_pdf(chromium: Path, page: Path, timeout: float) -> bytes:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise CcAnalyticsError(Problem(
            "PDF impossible : le module playwright, qui pilote Chromium, manque à "
            "l'installation de cc-analytics",
            hint="Réinstallez cc-analytics (pip install -e . ou pip install cc-analytics)",
        )) from None  # fmt: skip
    deadline = time.monotonic() + timeout

    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    try:
        with tempfile.TemporaryDirectory(prefix="cc-pdf-") as home, sync_playwright() as pw:
            # Chromium writes caches under $HOME: a private one, never the user's
            browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS,
                                         env={**os.environ, "HOME": home},
                                         timeout=left_ms())  # fmt: skip
            try:
                context = browser.new_context(viewport={"width": A4_TEXT_PX, "height": 1000})
                context.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
                tab = context.new_page()
                tab.goto(page.resolve().as_uri(), wait_until="load", timeout=left_ms())
                if tab.evaluate(_CHARTS_WITHOUT_PLOTLY):
                    raise CcAnalyticsError(Problem(
                        f"PDF impossible : la page n'a pas trouvé {PLOTLY_FILE} à côté d'elle, "
                        "ses graphiques sont vides", file=str(page),
                        hint="Produisez le rapport sans --shared-plotly",
                    ))  # fmt: skip
                tab.wait_for_function(_CHARTS_DRAWN, timeout=left_ms())
                header, footer = _pdf_bands(tab.title(), tab.evaluate(_PROVENANCE))
                tab.set_default_timeout(left_ms())
                return tab.pdf(format="A4", print_background=True, display_header_footer=True,
                               header_template=header, footer_template=footer,
                               margin=PDF_MARGINS)  # fmt: skip
            finally:
                browser.close()
    except PlaywrightTimeout:
        raise CcAnalyticsError(Problem(
            f"PDF non produit : l'impression par Chromium a dépassé {timeout:g} s",
            file=str(page.name),
            hint="La machine est peut-être très chargée : relancez la commande ; la page HTML "
                 "du rapport s'imprime aussi depuis un navigateur (Imprimer, puis Enregistrer "
                 "au format PDF)",
        )) from None  # fmt: skip
    except PlaywrightError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CcAnalyticsError(Problem(
            f"PDF non produit : Chromium a échoué ({first_line})", file=str(page.name),
            hint="Vérifiez que Chromium démarre (chromium --version) ; réinstallez-le au "
                 "besoin : apt-get install -y chromium",
        )) from None  # fmt: skip


def _pdf_bands(title: str, provenance: dict[str, str]) -> tuple[str, str]:
    """Chromium's header and footer templates: the title and « page X / Y » above, the
    provenance below. Everything from the page is escaped (they are HTML)."""
    header = (f'<div style="{_BAND}"><span>{escape(title)}</span>'
              '<span style="white-space:nowrap">page <span class="pageNumber"></span> / '
              '<span class="totalPages"></span></span></div>')  # fmt: skip
    return header, f'<div style="{_BAND}"><span>{escape(provenance_line(provenance))}</span></div>'


def provenance_line(provenance: dict[str, str]) -> str:
    """The short provenance printed at the foot of every PDF page.

    >>> provenance_line({"Jeu de données": "demo", "Généré le": "30/11/2026 à 02:39",
    ...                  "cc-analytics": "0.1.0", "Référentiel": "cc@src-9252#6ebebac27906"})
    'Jeu de données « demo » · généré le 30/11/2026 à 02:39 · cc-analytics 0.1.0 · référentiel cc@src-9252#6ebebac27906'
    """
    values = {key: " ".join(str(value).split()) for key, value in provenance.items()}
    parts = []
    if values.get("Jeu de données"):
        parts.append(f"Jeu de données « {_clip(values['Jeu de données'], 40)} »")
    if values.get("Généré le"):
        parts.append(f"généré le {values['Généré le']}")
    parts.append(f"cc-analytics {values.get('cc-analytics') or ''}".strip())
    if values.get("Référentiel"):
        parts.append(f"référentiel {_clip(values['Référentiel'], 60)}")
    return " · ".join(parts)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

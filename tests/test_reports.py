"""End-to-end tests of the HTML reports: notebooks executed on the demo data, pages opened in
a real browser (see ``tests/browser.py``).

Executing a notebook costs seconds (those tests are marked ``slow``), so each report is
rendered once per session (the ``reports`` fixture caches them) and many checks read the same
page (``pages`` caches one browser visit per report). Every dataset lives in a temporary project
(``<tmp>/data/raw/<name>``), so processed tables and reports never land in the repository.
Headline figures are compared with what the library computes for the same inputs.
"""

from __future__ import annotations

import ast
import csv
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path

import nbformat
import pytest

from cc_analytics import cli
from cc_analytics.cli.common import EXIT_INPUT, EXIT_OK
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.reporting import formatting as fr
from cc_analytics.reporting import views
from cc_analytics.reporting.context import load_context
from cc_analytics.reporting.kinds import KINDS, NOTEBOOKS_DIR
from cc_analytics.reporting.render import PLOTLY_FILE, ensure_shared_plotly, render_report
from cc_analytics.reporting.requests import ReportRequest, build_report, check_request
from cc_analytics.reporting.tables import followup_table
from cc_analytics.workspace import DatasetCatalog, Workspace

from .browser import Browser, Visit, browser_session
from .fixtures import in_workspace, processed_dataset

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
COHORT = "2024-LYON"
XSS = "<script>alert(1)</script>"
EQUALS = "a = b"
PLOTLY_BANNER = "* plotly.js v"
EXPLORATION = NOTEBOOKS_DIR / "exploration.ipynb"


def injection(marker: Path) -> str:
    """A cohort name that would run ``touch marker`` if it were pasted into code unquoted."""
    return f'x" ; import os; os.system("touch {marker}") #'


def notebook_of(kind: str) -> Path:
    return KINDS[kind].path


# -- datasets -----------------------------------------------------------------------------------
def copy_demo(project: Path, name: str = "demo") -> Path:
    """The shipped demo as ``<project>/data/raw/<name>`` (its outputs then stay in ``project``)."""
    dataset = project / "data" / "raw" / name
    shutil.copytree(DEMO, dataset)
    return dataset


def rewrite_cells(path: Path, column: str, mapping: dict[str, str]) -> None:
    """Replace values of ``column`` in a ``;`` CSV file, quoting as a spreadsheet would."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    at = rows[0].index(column)
    for row in rows[1:]:
        if row and row[at] in mapping:
            row[at] = mapping[row[at]]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@dataclass(frozen=True)
class Hostile:
    """The demo with three cohorts renamed: markup, code, and an ``=`` sign."""

    dataset: DatasetCatalog
    marker: Path  # the file an injected ``touch`` would create

    @property
    def injection(self) -> str:
        return injection(self.marker)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> DatasetCatalog:
    return processed_dataset(copy_demo(tmp_path_factory.mktemp("project")))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Hostile:
    project = tmp_path_factory.mktemp("hostile")
    dataset = copy_demo(project, "hostile")
    marker = project / "PWNED"
    renamed = {"2023-LYON": XSS, "2023-NANTES": injection(marker), "2024-NANTES": EQUALS}
    rewrite_cells(dataset / "candidates.csv", "cohort", renamed)
    return Hostile(processed_dataset(dataset), marker)


def assert_not_pwned(*folders: Path) -> None:
    found = [p for folder in folders for p in folder.rglob("PWNED")]
    assert found == [], f"injected code ran: {found}"


# -- reports and pages, each made once per session ----------------------------------------------
@dataclass(frozen=True)
class Report:
    name: str
    request: ReportRequest
    html: Path
    notebook: Path

    @property
    def shared(self) -> bool:
        return self.request.shared_plotly


#: page name -> report kind. "hostile-shared" is the cohort named <script>…, rendered through
#: the CLI with one shared plotly.min.js; "cohort-external" the cohort report for outside
#: readers: every page check also runs on them.
PAGES = {"cohort": "cohort", "review": "review", "renewal": "renewal", "hostile-shared": "cohort",
         "cohort-external": "cohort"}  # fmt: skip
PAGE_PARAMS = list(PAGES)


@dataclass
class Reports:
    demo: DatasetCatalog
    hostile: Hostile
    made: dict[str, Report] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Report:
        # a report that failed once is not rendered again by every test that reads it
        if name in self.failed:
            pytest.fail(f"the {name} report could not be rendered: {self.failed[name]}")
        if name not in self.made:
            try:
                self.made[name] = self._render(name)
            except BaseException as exc:
                self.failed[name] = f"{type(exc).__name__}: {exc}"
                raise
        return self.made[name]

    def _render(self, name: str) -> Report:
        if name == "hostile-shared":
            request = ReportRequest("cohort", self.hostile.dataset, cohort=XSS, shared_plotly=True)
            dataset = self.hostile.dataset
            code = cli.main(["report", "cohort", str(dataset.raw), "--cohort", XSS,
                             "--shared-plotly", "--workspace", str(dataset.workspace)])  # fmt: skip
            assert code == EXIT_OK
            html = request.output()  # the default place: <project>/reports/<dataset>/
            return Report(name, request, html, html.with_suffix(".ipynb"))
        kind = PAGES[name]
        request = ReportRequest(kind, self.demo, cohort=COHORT if kind == "cohort" else None,
                                external=True if name == "cohort-external" else None)  # fmt: skip
        rendered = build_report(request)
        return Report(name, request, rendered.html, rendered.notebook)


@dataclass
class Pages:
    browser: Browser
    reports: Reports
    visits: dict[str, Visit] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Visit:
        if name not in self.visits:
            self.visits[name] = self.browser.visit(self.reports[name].html)
        return self.visits[name]


@pytest.fixture(scope="session")
def reports(demo, hostile) -> Reports:
    return Reports(demo, hostile)


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator[Browser]:
    with browser_session(tmp_path_factory.mktemp("chromium-home")) as session:
        yield session


@pytest.fixture(scope="session")
def pages(browser, reports) -> Pages:
    return Pages(browser, reports)


def kpis(page: Visit) -> dict[str, dict[str, str]]:
    """Key-figure cards by label: value text, ``data-rate``, detail text."""
    cards = page.evaluate(
        """() => [...document.querySelectorAll('.kpi')].map(k => ({
               label: k.querySelector('.kpi-label').innerText.trim(),
               value: k.querySelector('.kpi-value').innerText.trim(),
               rate: k.querySelector('.kpi-value').dataset.rate,
               detail: k.querySelector('.kpi-detail').innerText.trim()}))"""
    )
    return {card["label"]: card for card in cards}


# -- notebooks ----------------------------------------------------------------------------------
ALL_NOTEBOOKS = [notebook_of(kind) for kind in KINDS] + [EXPLORATION]


@pytest.mark.parametrize("notebook", [pytest.param(p, id=p.stem) for p in ALL_NOTEBOOKS])
def test_notebook_is_committed_without_outputs(notebook):
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source[:60] for c in code if c.outputs or c.execution_count] == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_report_notebook_has_a_parameters_cell(kind):
    nb = nbformat.read(notebook_of(kind), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {t.id for node in ast.parse(tagged[0].source).body for t in node.targets}
    assert set(ReportRequest(kind, Workspace(ROOT).dataset(DEMO)).parameters()) <= names


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_executed_notebook_is_written_beside_the_html(reports, name):
    report = reports[name]
    assert report.html.is_file()
    assert report.notebook == report.html.with_suffix(".ipynb")
    nb = nbformat.read(report.notebook, as_version=4)
    assert nb.metadata.papermill.parameters == report.request.parameters()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    assert [o for c in code for o in c.get("outputs", []) if o.output_type == "error"] == []


def injected_parameters(notebook: Path) -> dict[str, object]:
    """The cell papermill wrote, read without running it: only ``name = literal`` lines."""
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), f"not a plain assignment: {ast.unparse(node)}"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_injected_parameters_are_plain_literals(reports, name):
    """The parameters papermill wrote are ``name = literal`` lines and nothing else."""
    report = reports[name]
    assert injected_parameters(report.notebook) == report.request.parameters()


# -- what the browser shows ---------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_every_chart_is_drawn(pages, name):
    charts = pages[name].evaluate(
        """() => [...document.querySelectorAll('figure.chart')].map(f => ({
               caption: (f.querySelector('figcaption') || {}).textContent || '',
               drawn: !!f.querySelector('.js-plotly-plot .main-svg'),
               marks: f.querySelectorAll('.main-svg .trace .point path, '
                                         + '.main-svg .trace path.js-line, .main-svg .hm image')
                                         .length}))"""
    )
    assert charts, "no chart in the page"
    assert [c["caption"] for c in charts if not c["drawn"]] == []
    assert [c["caption"] for c in charts if c["marks"] == 0] == [], "a chart draws no data"


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_no_console_error(pages, name):
    page = pages[name]
    assert page.console_errors() == []
    assert page.dialogs == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_no_network_request(pages, reports, name):
    page, report = pages[name], reports[name]
    allowed = {page.url}
    if report.shared:
        allowed.add((report.html.parent / PLOTLY_FILE).as_uri())
    assert page.requests_besides(allowed) == []
    assert page.failed_requests == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_percentages_are_french(pages, name):
    page = pages[name]
    visible = page.visible_text()
    assert re.search(r"\d\u00a0%", visible), "no French percentage (85,3 %) in sight"
    assert re.findall(r"\d\.\d+\s*%", visible) == []
    # tables (also those folded in <details>) and chart texts
    texts = page.evaluate(
        "() => [...document.querySelectorAll('td, th, svg text')].map(e => e.textContent)"
    )
    assert any(re.search(r"\d+,\d\u00a0%", t) for t in texts), "no decimal percentage"
    assert [t for t in texts if re.search(r"\d\.\d+\s*%", t)] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_table_cells_hold_no_english_decimals(pages, name):
    texts = pages[name].evaluate(
        "() => [...document.querySelectorAll('td, svg text')].map(e => e.textContent)"
    )
    assert [t for t in texts if re.fullmatch(r"\s*[-−]?\d+\.\d+\s*", t)] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_table_of_contents_reaches_every_section(pages, name):
    page = pages[name]
    links = page.evaluate(
        """() => [...document.querySelectorAll('nav.toc a')].map(a => {
               a.click();
               const target = document.querySelector(':target');
               return [a.getAttribute('href'), target ? '#' + target.id : null];
           })"""
    )
    assert len(links) >= 3
    assert [href for href, target in links if href != target] == []
    assert len(links) == page.evaluate("() => document.querySelectorAll('main h2').length")


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_page_is_french_and_forbids_outside_requests(pages, name):
    page = pages[name]
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    policy = page.evaluate(
        """() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')
                 ?.getAttribute('content')"""
    )
    assert policy and "default-src 'none'" in policy
    assert not re.search(r"https?:", policy)


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_only_known_scripts_run(pages, name):
    """plotly.js once, the template's table sorter, then one plotting script per chart:
    nothing from the data."""
    page = pages[name]
    scripts = page.evaluate(
        """() => [...document.scripts].map(s => s.src ? 'src:' + s.getAttribute('src')
                 : s.textContent.includes('Plotly.newPlot') ? 'plot'
                 : s.textContent.includes('plotly.js v') ? 'plotly.js'
                 : s.textContent.startsWith('/* cc-analytics : tri des tableaux') ? 'sort'
                 : s.textContent)"""
    )
    charts = page.evaluate("() => document.querySelectorAll('figure.chart').length")
    plotly = f"src:{PLOTLY_FILE}" if name == "hostile-shared" else "plotly.js"
    assert scripts == [plotly, "sort"] + ["plot"] * charts


# -- the HTML file ------------------------------------------------------------------------------
_SCRIPT_OR_STYLE_BODY = re.compile(r"(<(script|style)\b[^>]*>)(.*?)(</\2\s*>)", re.S | re.I)
_URL_ATTRIBUTE = re.compile(
    r"""\b(?:src|href|xlink:href|action|formaction|poster|srcset|data|manifest)\s*=\s*
        ["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""",
    re.I | re.X,
)


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_no_outside_url_in_attributes(reports, pages, name):
    """plotly.js carries URLs in its strings: attributes and CSS are checked, not scripts."""
    html = reports[name].html.read_text(encoding="utf-8")
    markup = _SCRIPT_OR_STYLE_BODY.sub(r"\1\4", html)
    assert [m.group(0) for m in _URL_ATTRIBUTE.finditer(markup)] == []
    css = " ".join(m.group(3) for m in _SCRIPT_OR_STYLE_BODY.finditer(html)
                   if m.group(2).lower() == "style")  # fmt: skip
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", css, re.I)
    # and in the live page, once plotly has added its own elements
    outside = pages[name].evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])
                 .filter(a => /^(src|href|xlink:href|action|srcset|poster|data)$/i.test(a.name))
                 .map(a => a.value).filter(v => /^\\s*([a-z]+:)?\\/\\//i.test(v))
                 .filter(v => !v.startsWith('file:'))"""
    )
    assert outside == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_plotly_is_in_the_page_once_or_shared(reports, name):
    report = reports[name]
    html = report.html.read_text(encoding="utf-8")
    if report.shared:
        assert html.count(PLOTLY_BANNER) == 0
        assert html.count(f'<script src="{PLOTLY_FILE}"></script>') == 1
        assert report.html.stat().st_size < 1_000_000
    else:
        assert html.count(PLOTLY_BANNER) == 1
        assert "<script src=" not in html


@pytest.mark.slow
def test_shared_plotly_is_one_file_that_the_page_loads(reports, pages):
    from plotly.offline import get_plotlyjs

    report, page = reports["hostile-shared"], pages["hostile-shared"]
    folder = report.html.parent
    assert [p.name for p in folder.glob("*.js")] == [PLOTLY_FILE]
    assert (folder / PLOTLY_FILE).read_text(encoding="utf-8") == get_plotlyjs()
    assert (folder / PLOTLY_FILE).as_uri() in page.requests
    assert page.evaluate("() => typeof window.Plotly") == "object"


# -- headline figures equal the library's -------------------------------------------------------
def assert_cohort_kpi(page: Visit, dataset: Path, cohort: str) -> None:
    view = views.cohort_view(load_context(dataset), cohort)
    title = view.headline.set_index("indicator").loc["Titre obtenu"]
    card = kpis(page)["Titre obtenu"]
    assert card["value"] == fr.percent(title["k"] / title["n"])
    assert float(card["rate"]) == pytest.approx(title["k"] / title["n"], abs=1e-9)
    assert card["detail"].startswith(f"{fr.number(title['k'])} sur {fr.number(title['n'])}")


@pytest.mark.slow
def test_cohort_headline_equals_the_library(pages, demo):
    assert_cohort_kpi(pages["cohort"], demo, COHORT)


@pytest.mark.slow
def test_hostile_cohort_headline_equals_the_library(pages, hostile):
    assert_cohort_kpi(pages["hostile-shared"], hostile.dataset, XSS)


def table_rows(page: Visit, *headers: str) -> list[dict[str, str]]:
    """Rows (header -> cell text) of every table whose header row has all ``headers``."""
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => ({
               head: [...t.querySelectorAll('thead th')].map(h => h.textContent.trim()),
               rows: [...t.querySelectorAll('tbody tr')]
                     .map(r => [...r.cells].map(c => c.textContent.trim()))}))"""
    )
    return [dict(zip(t["head"], row, strict=False)) for t in tables
            if set(headers) <= set(t["head"]) for row in t["rows"]]  # fmt: skip


@pytest.mark.slow
def test_review_title_rates_equal_the_cohort_figures(pages, demo):
    """Each cohort's title rate in the review is the cohort report's « Titre obtenu »."""
    ctx = load_context(demo)
    rows = [r for r in table_rows(pages["review"], "Cohorte", "Élément", "Effectif", "Taux")
            if r["Élément"] == "Titre"]  # fmt: skip
    cohorts = sorted(ctx.tables.candidates["cohort"].unique())
    assert sorted({r["Cohorte"] for r in rows}) == cohorts
    for cohort in cohorts:
        title = views.cohort_view(ctx, cohort).headline.set_index("indicator").loc["Titre obtenu"]
        shown = {(r["Effectif"], r["Réussites"], r["Taux"]) for r in rows if r["Cohorte"] == cohort}
        expected = (fr.number(title["n"]), fr.number(title["k"]), fr.percent(title["rate"]))
        assert shown == {expected}, cohort


def field_by_year(page: Visit, field_name: str) -> dict[str, str]:
    """The cells of an RNCP field per year, from a table with years as rows or as columns."""
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t =>
               [...t.querySelectorAll('tr')].map(r => [...r.cells].map(c => c.textContent.trim())))"""
    )
    found: dict[str, str] = {}
    for head, *rows in (t for t in tables if t):
        if field_name in head:  # one row per year
            at, year = head.index(field_name), head.index("Année")
            found.update({row[year]: row[at] for row in rows})
        for row in rows:  # one column per year
            if field_name in row:
                found.update(
                    {h: c for h, c in zip(head, row, strict=False) if re.fullmatch(r"\d{4}", h)}
                )
    return found


@pytest.mark.slow
def test_renewal_certified_counts_equal_the_library(pages, demo):
    """NOMBRE_CERTIFIES per promotion, the figure the RNCP fiche publishes."""
    promotions = views.renewal_view(load_context(demo, external=True)).promotions
    expected = {str(year): fr.number(n) for year, n in
                zip(promotions["ANNEE"], promotions["NOMBRE_CERTIFIES"], strict=True)}  # fmt: skip
    assert len(expected) >= 2
    assert field_by_year(pages["renewal"], "NOMBRE_CERTIFIES") == expected


# -- candidates to follow up (internal cohort report only) ---------------------------------------
FOLLOWUP_HEADER = "Candidat (pseudonyme)"


@pytest.mark.slow
def test_followup_lists_every_candidate_without_the_title_by_pseudonym(pages, reports, demo):
    """The section shows the library's follow-up: one row per candidate presented without the
    title (n − k of « Titre obtenu »), under their pseudonym, never their id."""
    ctx = load_context(demo)
    table = followup_table(ctx, COHORT)
    rows = table_rows(pages["cohort"], FOLLOWUP_HEADER, "Compétences manquantes")
    shown = [r[FOLLOWUP_HEADER] for r in rows]
    assert sorted(shown) == sorted(set(ctx.pseudonym(table["candidate_id"])))
    title = views.cohort_view(ctx, COHORT).headline.set_index("indicator").loc["Titre obtenu"]
    assert len(shown) == title["n"] - title["k"] > 0
    missing = table.groupby(ctx.pseudonym(table["candidate_id"]))["competencies_missing"].first()
    assert {r[FOLLOWUP_HEADER]: r["Compétences manquantes"] for r in rows} == {
        p: fr.number(n) for p, n in missing.items()}  # fmt: skip
    html = reports["cohort"].html.read_text(encoding="utf-8")
    ids = ctx.tables.candidates["candidate_id"]
    assert [c for c in ids if re.search(rf"\b{re.escape(c)}\b", html)] == []


@pytest.mark.slow
def test_followup_tables_sort_when_a_header_is_clicked(pages):
    """On a column the page does not already sort (pseudonyms come after the counts), in the
    order a French reader expects: numbers inside a text by their value (« C-5… » before
    « C-49… »)."""
    page = pages["cohort"].page

    def natural(text: str) -> list[object]:
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]

    tables = page.locator("table.sortable").filter(has_text="Candidat (pseudonyme)")

    def column(table) -> list[str]:
        return table.locator("tbody tr td:nth-child(1)").all_inner_texts()

    table = next(t for t in tables.all() if column(t) != sorted(column(t), key=natural))
    header = table.locator("thead th").nth(0)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert column(table) == sorted(column(table), key=natural)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert column(table) == sorted(column(table), key=natural, reverse=True)


@pytest.mark.slow
def test_external_cohort_report_leaves_the_followup_out(pages, reports):
    assert "Candidats à accompagner" not in pages["cohort-external"].visible_text()
    html = reports["cohort-external"].html.read_text(encoding="utf-8")
    assert not re.search(r"\bC-[0-9a-f]{6}\b", html), "a pseudonym in an external report"


def test_a_report_for_the_other_audience_never_takes_the_usual_ones_place(demo):
    def name(kind, **options):
        return ReportRequest(kind, demo, **options).output().name

    assert name("cohort", cohort=COHORT) == "cohort-2024-LYON.html"
    assert name("cohort", cohort=COHORT, external=False) == "cohort-2024-LYON.html"
    assert name("cohort", cohort=COHORT, external=True) == "cohort-2024-LYON-externe.html"
    assert name("review", years=(2023, 2024)) == "review-2023-2024.html"
    assert name("review", years=(2023, 2024), external=False) == "review-2023-2024-interne.html"


def test_followup_asked_in_an_external_report_is_refused(demo, tmp_path, capsys):
    with pytest.raises(CcAnalyticsError, match="jamais publiée dans un rapport externe"):
        check_request(ReportRequest("cohort", demo, cohort=COHORT, external=True, followup=True))
    out = tmp_path / "cohort.html"
    code = cli.main(["report", "cohort", str(demo.raw), "--workspace", str(demo.workspace),
                     "--cohort", COHORT, "--external", "--followup", "--out", str(out)])  # fmt: skip
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Candidats à accompagner" in err and "--internal" in err and "Traceback" not in err
    assert not out.exists()


# -- hostile names ------------------------------------------------------------------------------
@pytest.mark.slow
def test_script_named_cohort_shows_as_text(pages, reports):
    page = pages["hostile-shared"]
    assert page.dialogs == []
    assert XSS in page.page.locator("h1").inner_text()
    assert page.page.get_by_text(XSS).first.is_visible()
    assert XSS in page.evaluate("() => document.title")
    html = reports["hostile-shared"].html.read_text(encoding="utf-8")
    assert escape(XSS) in html and XSS not in html


@pytest.mark.slow
@pytest.mark.parametrize("which", ["injection", "equals"])
def test_code_like_cohort_name_is_a_plain_string(hostile, which, tmp_path, monkeypatch):
    """A quote, ``;`` or ``=`` in a cohort name reaches the notebook as text, never as code."""
    in_workspace(tmp_path, monkeypatch)
    cohort = hostile.injection if which == "injection" else EQUALS
    rendered = build_report(ReportRequest("cohort", hostile.dataset, cohort=cohort,
                                          out=tmp_path / "report.html"))  # fmt: skip
    assert injected_parameters(rendered.notebook)["cohort"] == cohort
    title = re.search(r"<h1>(.*?)</h1>", rendered.html.read_text(encoding="utf-8"), re.S)
    assert title and unescape(title.group(1)) == f"{KINDS['cohort'].title} — {cohort}"
    assert_not_pwned(hostile.dataset.workspace, tmp_path)
    assert not hostile.marker.exists()


@pytest.mark.parametrize("which", ["injection", "equals"])
def test_unknown_code_like_cohort_is_refused_cleanly(demo, which, tmp_path, monkeypatch):
    in_workspace(tmp_path, monkeypatch)
    marker = tmp_path / "PWNED"
    cohort = injection(marker) if which == "injection" else EQUALS
    with pytest.raises(CcAnalyticsError, match="cohorte inconnue") as error:
        check_request(ReportRequest("cohort", demo, cohort=cohort))
    assert f"« {cohort} »" in str(error.value)
    assert_not_pwned(tmp_path, demo.workspace)


# -- failures: clear French message, exit 1, previous good HTML kept -----------------------------
def test_cli_unknown_cohort_fails_cleanly(demo, tmp_path, capsys):
    out = tmp_path / "out" / "cohort.html"
    code = cli.main(
        [
            "report",
            "cohort",
            str(demo.raw),
            "--workspace",
            str(demo.workspace),
            "--cohort",
            "NOPE",
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("Erreur : cohorte inconnue (valeur : « NOPE »)")
    assert COHORT in err  # the message lists the cohorts there are
    assert "Traceback" not in err
    assert not out.exists() and not out.with_suffix(".ipynb").exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_cli_report_without_cohort_says_so(demo, tmp_path, capsys):
    code = cli.main(
        [
            "report",
            "cohort",
            str(demo.raw),
            "--workspace",
            str(demo.workspace),
            "--out",
            str(tmp_path / "r.html"),
        ]
    )
    assert code == EXIT_INPUT
    assert "--cohort" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_failure_keeps_the_previous_report(demo, tmp_path, capsys):
    out = tmp_path / "cohort.html"
    out.write_text("<p>previous good report</p>", encoding="utf-8")
    out.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
    code = cli.main(
        [
            "report",
            "cohort",
            str(demo.raw),
            "--workspace",
            str(demo.workspace),
            "--cohort",
            "NOPE",
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_INPUT
    assert "cohorte inconnue" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "<p>previous good report</p>"
    assert out.with_suffix(".ipynb").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.html", "cohort.ipynb"]


@pytest.mark.slow
def test_failure_inside_the_notebook_keeps_the_previous_report(demo, tmp_path):
    """Past the checks (``checked=True``), the kernel's own French error comes back clean."""
    out = tmp_path / "cohort.html"
    out.write_text("<p>previous good report</p>", encoding="utf-8")
    request = ReportRequest("cohort", demo, cohort="NOPE", out=out)
    with pytest.raises(CcAnalyticsError) as error:
        build_report(request, checked=True)
    message = str(error.value)
    assert message.startswith("rapport « cohort » non produit : cohorte inconnue")
    assert "NOPE" in message and "Traceback" not in message and "\x1b[" not in message
    assert out.read_text(encoding="utf-8") == "<p>previous good report</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.html"]


def test_cli_invalid_data_fails_cleanly(tmp_path, capsys):
    dataset = copy_demo(tmp_path / "project", "broken")
    path = dataset / "candidates.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(";CA;", ";XX;")  # row 2: an access route that does not exist
    lines[2] = ";" + lines[2].split(";", 1)[1]  # row 3: no cohort
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "cohort.html"
    code = cli.main(["report", "cohort", str(dataset), "--cohort", COHORT, "--out", str(out),
                     "--workspace", str(tmp_path / "project")])  # fmt: skip
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("Erreur : 2 problèmes")
    assert "candidates.csv — ligne 2 — colonne « access_route »" in err
    assert "candidates.csv — ligne 3 — colonne « cohort »" in err
    assert not out.parent.exists()


def test_cli_output_must_be_an_html_file(demo, tmp_path, capsys):
    """An ``.ipynb`` output would be overwritten by the page (the notebook goes beside it)."""
    out = tmp_path / "cohort.ipynb"
    code = cli.main(
        [
            "report",
            "cohort",
            str(demo.raw),
            "--workspace",
            str(demo.workspace),
            "--cohort",
            COHORT,
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_INPUT
    assert "fichier .html" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_missing_notebook_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.setattr("cc_analytics.reporting.kinds.NOTEBOOKS_DIR", tmp_path)
    with pytest.raises(CcAnalyticsError, match="carnet introuvable"):
        render_report("review", {}, tmp_path / "review.html", title="essai")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", ["dead kernel", "timeout"])
def test_kernel_failure_is_a_clean_error_and_keeps_the_report(failure, tmp_path, monkeypatch):
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    def fail(*args, **kwargs):
        raise DeadKernelError("Kernel died") if failure == "dead kernel" else CellTimeoutError()

    monkeypatch.setattr(papermill, "execute_notebook", fail)
    out = tmp_path / "cohort.html"
    out.write_text("<p>previous good report</p>", encoding="utf-8")
    with pytest.raises(CcAnalyticsError, match="rapport « cohort » non produit"):
        render_report("cohort", {}, out, title="essai", timeout=5)
    assert out.read_text(encoding="utf-8") == "<p>previous good report</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.html"]


def test_shared_plotly_replaces_a_stale_copy_of_the_same_size(tmp_path):
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    stale = tmp_path / PLOTLY_FILE
    stale.write_text("x" * len(js.encode()), encoding="utf-8")
    assert ensure_shared_plotly(tmp_path) == stale
    assert stale.read_text(encoding="utf-8") == js

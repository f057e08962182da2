"""Reports that survive paper, PDF and e-mail (issue 10, points 1–3): print-safe pages at A4
width, pages that stand alone, and the A4 PDF printed by Chromium.

Each demo report is rendered once per module, with its PDF (``printed``); pages are opened in
the real browser of ``tests/browser.py``. A4 is 210 mm wide: 793 CSS pixels at 96 dpi, of which
180 mm (680 px) are text between the margins of ``report.css``'s ``@page``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cc_analytics import cli
from cc_analytics.build.config import load_config
from cc_analytics.cli.common import EXIT_INPUT, EXIT_OK
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.reporting.render import (
    A4_TEXT_PX,
    CHROMIUM_ENV,
    PLOTLY_FILE,
    Rendered,
    print_pdf,
)
from cc_analytics.reporting.requests import ReportRequest, build_report
from cc_analytics.workspace import DatasetCatalog, Workspace

from .browser import Browser, Visit, browser_session
from .fixtures import processed_dataset

A4_PX = 793  # 210 mm at 96 dpi
A4_POINTS = (595, 842)  # 210 × 297 mm in PDF points, rounded down
PHONE_PX = 360
MAX_PAGE_BYTES = 5_200_000
COHORT = "2024-LYON"
KINDS = ("cohort", "review", "renewal")
LAST_YEAR = "2025"  # the demo's last promotion


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DatasetCatalog:
    return processed_dataset(tmp_path_factory.mktemp("print") / "data" / "raw" / "demo")


@pytest.fixture(scope="module")
def printed(demo) -> dict[str, Rendered]:
    """Each kind of report of the demo, its page and its PDF, rendered once for the module."""
    made: dict[str, Rendered] = {}
    failed: dict[str, str] = {}

    class Lazy(dict):
        def __missing__(self, kind: str) -> Rendered:
            if kind in failed:
                pytest.fail(f"the {kind} report could not be rendered: {failed[kind]}")
            try:
                request = ReportRequest(kind, demo, cohort=COHORT if kind == "cohort" else None,
                                        pdf=True)  # fmt: skip
                made[kind] = build_report(request)
            except BaseException as exc:
                failed[kind] = f"{type(exc).__name__}: {exc}"
                raise
            return made[kind]

    return Lazy()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    with browser_session(tmp_path_factory.mktemp("chromium-home")) as session:
        yield session


@pytest.fixture(scope="module")
def pages(browser, printed) -> dict[str, Visit]:
    """One visit per report for the module (a 5 MB page takes seconds to open); each test
    sets the window's width and media it needs."""

    class Lazy(dict):
        def __missing__(self, kind: str) -> Visit:
            self[kind] = browser.visit(printed[kind].html)
            return self[kind]

    return Lazy()


# -- what the browser measures ------------------------------------------------------------------
#: a box, or on screen the box of the scrolling area that holds it (a wide table scrolls
#: sideways in a phone's window: reachable, not cut; on paper nothing scrolls)
_BOXES = """() => [...document.querySelectorAll(
        'figure.chart, .js-plotly-plot, .js-plotly-plot .main-svg, table')]
    .map(e => { let box = e;
                const paper = matchMedia('print').matches;
                for (let up = e.parentElement; up && !paper; up = up.parentElement) {
                    if (/auto|scroll/.test(getComputedStyle(up).overflowX)) { box = up; break; } }
                const r = box.getBoundingClientRect();
                return {what: e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || ''),
                        text: (e.closest('figure') || e).innerText.slice(0, 60),
                        left: r.left, right: r.right, width: r.width, height: r.height}; })"""
_SVG_FITS = """() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => {
        const svg = gd.querySelector('.main-svg');
        return svg && svg.getBoundingClientRect().width <= gd.getBoundingClientRect().width + 1; })"""
_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
        drawn: d.classList.contains('js-plotly-plot') && !!d.querySelector('.main-svg'),
        marks: d.querySelectorAll('.trace .point path, .trace path.js-line, .hm image').length}))"""


def overflowing(visit: Visit, width: float) -> list[dict]:
    """Every chart, chart drawing and table whose box leaves ``[0, width]``."""
    return [b for b in visit.evaluate(_BOXES) if b["left"] < -0.5 or b["right"] > width + 0.5]


def wide(visit: Visit) -> Visit:
    """The page in a wide window on screen, as a reader opens it before printing."""
    fitted_to(visit, 1200, "screen")
    visit.page.wait_for_function(
        f"""() => [...document.querySelectorAll('.js-plotly-plot .main-svg')]
                  .every(s => s.getBoundingClientRect().width > {A4_TEXT_PX})""",
        timeout=15_000,
    )
    return visit


def fitted_to(visit: Visit, width: int, media: str) -> Visit:
    """The page as laid out ``width`` pixels wide for ``media``, once every chart followed."""
    visit.page.emulate_media(media=media)
    visit.page.set_viewport_size({"width": width, "height": 1100})
    visit.page.wait_for_function(_SVG_FITS, timeout=15_000)
    return visit


# -- point 2: print-safe pages ------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_overflows_an_a4_page_in_print(pages, kind):
    """Drawn in a wide window, then printed at A4 width: every chart and table fits."""
    visit = fitted_to(wide(pages[kind]), A4_PX, "print")
    assert overflowing(visit, A4_PX) == []
    assert visit.evaluate("() => document.documentElement.scrollWidth") <= A4_PX


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_charts_are_redrawn_at_paper_width_before_printing(pages, kind):
    """What Chromium does on « Imprimer »: it lays the page out at 180 mm without redrawing
    charts. The page's own ``beforeprint`` listener redraws them at once (synchronously)."""
    visit = wide(pages[kind])
    widths = visit.evaluate(
        """() => { window.dispatchEvent(new Event('beforeprint'));
                   return [...document.querySelectorAll('.js-plotly-plot .main-svg')]
                          .map(s => s.getBoundingClientRect().width); }"""
    )
    assert widths
    assert [w for w in widths if w > A4_TEXT_PX + 1] == []
    # and back to the window's width once printing is over
    restored = visit.evaluate(
        """() => new Promise(done => { window.dispatchEvent(new Event('afterprint'));
                   setTimeout(() => done(Math.max(...[...document.querySelectorAll(
                       '.js-plotly-plot .main-svg')].map(s => s.getBoundingClientRect().width))),
                   300); })"""
    )
    assert restored > A4_TEXT_PX + 100


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_chart_data_tables_print_unfolded(pages, kind):
    visit = fitted_to(wide(pages[kind]), A4_PX, "print")
    tables = visit.evaluate(
        """() => [...document.querySelectorAll('figure.chart details.chart-data table')]
                 .map(t => t.getBoundingClientRect().height)"""
    )
    charts = visit.evaluate("() => document.querySelectorAll('figure.chart').length")
    assert len(tables) == charts > 0
    assert [h for h in tables if h <= 0] == []
    # on screen they stay folded
    visit.page.emulate_media(media="screen")
    assert visit.page.locator("details.chart-data table").first.is_visible() is False


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_overflows_a_phone_window(pages, kind):
    visit = fitted_to(wide(pages[kind]), PHONE_PX, "screen")
    assert overflowing(visit, PHONE_PX) == []


# -- point 3: pages that stand alone ------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_a_page_copied_alone_draws_every_chart(browser, printed, kind, tmp_path):
    alone = tmp_path / "envoi" / printed[kind].html.name
    alone.parent.mkdir()
    shutil.copy(printed[kind].html, alone)
    visit = browser.visit(alone)
    charts = visit.evaluate(_DRAWN)
    assert charts, "no chart in the page"
    assert [c for c in charts if not c["drawn"] or c["marks"] == 0] == []
    assert visit.console_errors() == []
    assert visit.requests_besides({visit.url}) == []
    assert "<script src=" not in alone.read_text(encoding="utf-8")
    assert alone.stat().st_size <= MAX_PAGE_BYTES


@pytest.mark.slow
def test_a_shared_plotly_page_says_it_needs_its_file(browser, demo, tmp_path):
    out = tmp_path / "interne" / "cohort.html"
    request = ReportRequest("cohort", demo, cohort=COHORT, shared_plotly=True, out=out)
    build_report(request)
    assert (out.parent / PLOTLY_FILE).is_file()
    visit = browser.visit(out)
    banner = visit.page.locator(".shared-asset")
    assert "a besoin du fichier plotly.min.js à côté d'elle" in banner.inner_text()
    assert visit.console_errors() == []
    # copied alone, the page says why its charts are empty
    alone = tmp_path / "seule" / out.name
    alone.parent.mkdir()
    shutil.copy(out, alone)
    visit = browser.visit(alone, wait_for_charts=False)
    assert "plotly.min.js est introuvable" in visit.page.locator(".shared-asset").inner_text()


def test_shared_plotly_is_refused_for_an_external_page(demo, tmp_path, capsys):
    out = tmp_path / "review.html"
    code = cli.main(["report", "review", str(demo.raw), "--workspace", str(demo.workspace),
                     "--shared-plotly", "--out", str(out)])  # fmt: skip
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "--shared-plotly ne vaut que pour un rapport interne" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_build_writes_standalone_pages_and_pdfs_listed_with_their_weight(tmp_path):
    """``pdf = true`` and ``shared_plotly = true`` under [build]: external pages still carry
    their plotly.js; every page gets its PDF; the index links the PDFs and states weights."""
    dataset = processed_dataset(tmp_path / "data" / "raw" / "demo")
    (tmp_path / "cc-analytics.toml").write_text(
        '[build]\npdf = true\nshared_plotly = true\n\n[[datasets]]\npath = "data/raw/demo"\n'
        'reports = ["review", "renewal"]\n',
        encoding="utf-8",
    )
    assert cli.main(["build", "--workspace", str(tmp_path)]) == EXIT_OK
    folder = tmp_path / "reports" / dataset.key
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    for name in ("review", "renewal"):
        page, pdf = folder / f"{name}.html", folder / f"{name}.pdf"
        assert "<script src=" not in page.read_text(encoding="utf-8")
        assert page.stat().st_size <= MAX_PAGE_BYTES
        assert pdf.stat().st_size > 10_000
        assert f'<a href="demo/{name}.pdf">PDF</a>' in index
    assert not (folder / PLOTLY_FILE).exists()
    weights = re.findall(r'<td class="num">(\d+,\d\u00a0Mo|\d+\u00a0ko)</td>', index)
    assert len(weights) >= 2
    # a deleted PDF is printed again by the next build, nothing else is redone
    (folder / "review.pdf").unlink()
    assert cli.main(["build", "--workspace", str(tmp_path)]) == EXIT_OK
    assert (folder / "review.pdf").is_file()


def test_configuration_pdf_and_shared_plotly_are_true_or_false(tmp_path):
    config = tmp_path / "cc-analytics.toml"
    config.write_text('[build]\npdf = "oui"\nshared_plotly = 1\n', encoding="utf-8")
    (tmp_path / "data" / "raw" / "x").mkdir(parents=True)
    with pytest.raises(CcAnalyticsError) as caught:
        load_config(config, Workspace(tmp_path))
    message = str(caught.value)
    assert "« pdf » vaut true ou false" in message
    assert "« shared_plotly » vaut true ou false" in message


def test_pages_are_self_contained_unless_asked(tmp_path):
    config = tmp_path / "cc-analytics.toml"
    config.write_text("[build]\n", encoding="utf-8")
    (tmp_path / "data" / "raw" / "x").mkdir(parents=True)
    loaded = load_config(config, Workspace(tmp_path))
    assert loaded.shared_plotly is False
    assert loaded.pdf is False


# -- point 1: PDF -------------------------------------------------------------------------------
def pdf_pages(path: Path) -> list:
    from pypdf import PdfReader

    return list(PdfReader(path).pages)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_a4_with_title_page_numbers_and_provenance_on_every_page(printed, kind):
    pages = pdf_pages(printed[kind].pdf)
    assert 3 <= len(pages) <= 60
    assert {tuple(int(v) for v in page.mediabox[2:]) for page in pages} == {A4_POINTS}
    texts = [" ".join(page.extract_text().split()) for page in pages]
    for number, text in enumerate(texts, start=1):
        assert f"page {number} / {len(pages)}" in text
        assert "Jeu de données « demo »" in text
        assert "cc-analytics" in text and "référentiel" in text
    title = {"cohort": "Rapport de cohorte", "review": "Revue qualité", "renewal": "renouvellement"}
    assert all(title[kind].lower() in t.lower() for t in texts)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["review", "renewal"])
def test_pdf_holds_the_last_year_of_the_data(printed, kind):
    text = " ".join(page.extract_text() for page in pdf_pages(printed[kind].pdf))
    assert LAST_YEAR in text
    # the charts themselves: their axis labels are printed as text too
    assert f"{LAST_YEAR}-LYON" in text or kind == "renewal"


@pytest.mark.slow
def test_report_out_pdf_writes_the_pdf_with_the_page_and_notebook_beside_it(demo, tmp_path,
                                                                            capsys):  # fmt: skip
    out = tmp_path / "cohorte.pdf"
    code = cli.main(["report", "cohort", str(demo.raw), "--workspace", str(demo.workspace),
                     "--cohort", COHORT, "--out", str(out)])  # fmt: skip
    assert code == EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cohorte.html", "cohorte.ipynb", "cohorte.pdf"]  # fmt: skip
    assert f"PDF (A4) : {out}" in capsys.readouterr().out
    text = " ".join(page.extract_text() for page in pdf_pages(out))
    assert COHORT in text


def test_pdf_without_chromium_is_a_french_error_and_writes_nothing(demo, tmp_path, capsys,
                                                                   monkeypatch):  # fmt: skip
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "out" / "cohorte.pdf"
    code = cli.main(["report", "cohort", str(demo.raw), "--workspace", str(demo.workspace),
                     "--cohort", COHORT, "--out", str(out)])  # fmt: skip
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Chromium" in err and "apt-get install -y chromium" in err
    assert not out.parent.exists()


def test_build_pdf_without_chromium_is_a_french_error_and_writes_nothing(tmp_path, capsys,
                                                                         monkeypatch):  # fmt: skip
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "nowhere" / "chromium"))
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "raw" / "demo",
                    tmp_path / "data" / "raw" / "demo")  # fmt: skip
    (tmp_path / "cc-analytics.toml").write_text("[build]\npdf = true\n", encoding="utf-8")
    assert cli.main(["build", "--workspace", str(tmp_path)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"la variable {CHROMIUM_ENV} désigne un navigateur introuvable" in err
    assert "apt-get install -y chromium" in err
    # only the build's lock file: no page, no table, no processed data
    assert [p.name for p in (tmp_path / "reports").rglob("*") if not p.name.endswith(".lock")] == []
    assert not (tmp_path / "data" / "processed").exists()


def test_build_accepts_pdf_on_the_command_line():
    args = cli.build_parser().parse_args(["build", "--pdf"])
    assert args.pdf is True


@pytest.mark.slow
def test_pdf_of_a_page_whose_charts_never_draw_stops_with_a_french_error(tmp_path):
    page = tmp_path / "stuck.html"
    page.write_text(
        "<!DOCTYPE html><html lang='fr'><head><title>t</title><script>window.Plotly = {};"
        "</script></head><body><div class='plotly-graph-div'></div></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(CcAnalyticsError, match=r"l'impression par Chromium a dépassé 3 s"):
        print_pdf(page, timeout=3)

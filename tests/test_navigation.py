"""Finding one's way between the pages of a build (issue 10, point 6): every report links back
to the index; the index says for whom each report is, links its PDF with its weight and a
generated page for the tables folder; review and renewal open with their key figures; the
external banner says what the tables really hide.

The index and the tables page are written from a hand-made output folder (no notebook runs);
the key figures are computed on the tiny fixture and on hand-made tables; the back-link is
checked in pages of a real build, in a report made alone, and in the browser's print media.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cc_analytics import cli
from cc_analytics.build.index import index_link, write_index, write_tables_page
from cc_analytics.build.outcomes import BuildSummary, Outcome
from cc_analytics.build.state import save_state
from cc_analytics.cli.common import EXIT_OK
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.engine.trends import CONFIRMED, WATCH
from cc_analytics.reporting import views
from cc_analytics.reporting.context import ReportContext
from cc_analytics.reporting.render import export_html
from cc_analytics.reporting.views.renewal import renewal_key_figures
from cc_analytics.reporting.views.review import review_key_figures
from cc_analytics.workspace.processed import Tables

from .browser import Browser, browser_session
from .fixtures import processed_dataset, tiny_candidates, tiny_referentiel, tiny_scores

BACK = "← Sommaire des rapports"
NBSP, THIN = "\u00a0", "\u202f"


# -- reading pages ------------------------------------------------------------------------------
class Links(HTMLParser):
    """Every ``<a>``: its href, its text, and the class of the element around it."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._open: list[str] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a":
            self._current = {"href": values.get("href", ""), "text": "",
                             "title": values.get("title", ""),
                             "around": self._open[-1] if self._open else ""}  # fmt: skip
        elif tag in ("nav", "p", "td", "div"):
            self._open.append(values.get("class", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            self.links.append(self._current)
            self._current = None
        elif tag in ("nav", "p", "td", "div") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current["text"] += data


def links_of(page: str) -> list[dict[str, str]]:
    parser = Links()
    parser.feed(page)
    return parser.links


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities read, spaces joined
    (no-break spaces kept: they are part of French figures)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def rows_of(page: str) -> list[str]:
    """The text of each body row of the page's tables."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", page, re.S))
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# -- the index and the tables page --------------------------------------------------------------
XSS_FILE = "<img src=x onerror=alert(1)>.csv"
XSS_DATASET = "<script>alert(1)</script>"
#: The tables folder as a build leaves it, file sizes chosen to read easily.
TABLE_SIZES = {"metrics.csv": 42_000, "metrics.xlsx": 1_500_000, "agreement.csv": 37_258,
               "promotions.csv": 740}  # fmt: skip


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, BuildSummary]:
    """A build's output folder with every kind of output, written by hand: the review is
    external with its PDF, the renewal made for internal use, the cohort report internal."""
    output = tmp_path / "reports"
    out = output / "demo"
    (out / "tables").mkdir(parents=True)
    for name, size in TABLE_SIZES.items():
        (out / "tables" / name).write_bytes(b"x" * size)
    (out / "tables" / XSS_FILE).write_bytes(b"x" * 2_000)
    (out / "tables" / ".metrics.csv.abc.tmp").write_bytes(b"half-written")
    pages = {"validation.html": 3_000, "cohort-2024-LYON.html": 340_000,
             "review.html": 4_917_463, "renewal.html": 5_100_000}  # fmt: skip
    for name, size in pages.items():
        (out / name).write_bytes(b"x" * size)
    (out / "review.pdf").write_bytes(b"x" * 12_000)
    save_state(out, {"reports": {"cohort-2024-LYON.html": {"audience": "interne"},
                                 "review.html": {"audience": "externe"},
                                 "renewal.html": {"audience": "interne"}}})  # fmt: skip
    outcomes = [
        Outcome("demo", "contrôle des données", "validation", str(out / "validation.html"), "built"),
        Outcome("demo", "tableaux de résultats (usage interne)", "tables", str(out / "tables"),
                "built"),
        Outcome("demo", "cohorte 2024-LYON", "cohort", str(out / "cohort-2024-LYON.html"), "built"),
        Outcome("demo", "revue qualité", "review", str(out / "review.html"), "built"),
        Outcome("demo", "renouvellement RNCP", "renewal", str(out / "renewal.html"), "built"),
    ]  # fmt: skip
    return output, BuildSummary(outcomes=outcomes, inputs={"demo": {}})


def test_index_links_the_tables_page_and_each_pdf_with_its_weight(built):
    output, summary = built
    index = write_index(summary, output).read_text(encoding="utf-8")

    links = {link["text"]: link["href"] for link in links_of(index)}
    assert links == {
        "contrôle des données": "demo/validation.html",
        "tableaux de résultats (usage interne)": "demo/tables/index.html",  # never the folder
        "cohorte 2024-LYON": "demo/cohort-2024-LYON.html",
        "revue qualité": "demo/review.html",
        "PDF": "demo/review.pdf",
        "renouvellement RNCP": "demo/renewal.html",
    }
    for href in links.values():
        assert (output / href).is_file(), href
    review = next(row for row in rows_of(index) if row.startswith("demo revue qualité"))
    assert f"PDF (12{NBSP}ko)" in review and review.endswith(f"4,9{NBSP}Mo")
    assert index.count(">PDF<") == 1  # the other reports have none


def test_index_says_for_whom_each_output_is_and_what_it_answers(built):
    output, summary = built
    index = write_index(summary, output).read_text(encoding="utf-8")
    lines = [text_of(line) for line in re.findall(r'<div class="for">(.*?)</div>', index)]
    assert lines == [
        "Pour qui prépare les données : chaque problème trouvé dans les fichiers, à corriger "
        "avant toute publication",
        "Pour l'équipe qualité, usage interne : les taux et les accords de chaque cohorte, "
        "petits groupes compris, à ouvrir dans un tableur",
        "Pour l'équipe pédagogique : résultats de la cohorte, candidats à accompagner",
        # the renewal page was made for internal use (the manifest says so): it says that
        "Pour préparer le dossier de renouvellement RNCP, usage interne : certifiés et "
        "insertion par promotion, tous les effectifs",
        "Pour un évaluateur externe (audit qualité, certificateur) : évolution des résultats "
        "d'une cohorte à l'autre, petits groupes masqués",
    ]


def test_a_report_that_never_wrote_a_page_is_described_by_its_kinds_audience(tmp_path):
    output = tmp_path / "reports"
    failed = Outcome("demo", "renouvellement RNCP", "renewal", str(output / "demo" / "renewal.html"),
                     "failed", 0.0, "le carnet a échoué")  # fmt: skip
    index = write_index(BuildSummary([failed], {"demo": {}}), output).read_text(encoding="utf-8")
    assert links_of(index) == []
    assert ("Pour le dossier de renouvellement RNCP : certifiés et insertion par promotion, au "
            "format de France Compétences, petits groupes masqués") in text_of(index)  # fmt: skip


def test_tables_page_lists_each_file_with_what_it_holds_its_size_and_a_link(built):
    output, summary = built
    write_index(summary, output)
    page = (output / "demo" / "tables" / "index.html").read_text(encoding="utf-8")

    assert rows_of(page) == [
        "metrics.xlsx Taux par cohorte du titre, de chaque bloc et de chaque compétence : "
        "effectif, réussites, taux, intervalle de confiance à 95 %, répartition des notes "
        f"(classeur Excel) 1,5{NBSP}Mo",
        "metrics.csv Les mêmes taux en CSV (séparateur virgule, UTF-8), pour les scripts et les "
        f"outils d'analyse 42{NBSP}ko",
        "agreement.csv Accord entre la note du jury et celle de l'entreprise, par cohorte et par "
        f"compétence : kappa pondéré, son intervalle, notes identiques (CSV) 37{NBSP}ko",
        "promotions.csv Statistiques par promotion sous les noms des champs de la fiche RNCP : "
        "certifiés, dont VAE, taux d'insertion et effectifs derrière chaque taux (CSV) "
        f"1{NBSP}ko",
        f"{XSS_FILE} Autre fichier de ce dossier (non produit par cc-analytics) 2{NBSP}ko",
    ]  # the half-written temporary file and the page itself are not listed
    links = [(link["href"], link["text"]) for link in links_of(page)]
    assert links == [
        ("../../index.html", BACK),
        ("metrics.xlsx", "metrics.xlsx"), ("metrics.csv", "metrics.csv"),
        ("agreement.csv", "agreement.csv"), ("promotions.csv", "promotions.csv"),
        ("%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.csv", XSS_FILE),
    ]  # fmt: skip
    assert (output / "demo" / "tables" / XSS_FILE).is_file()  # the encoded link opens it
    assert "<img" not in page and "Usage interne" in page
    assert "Index of" not in page and 'lang="fr"' in page


def test_tables_page_escapes_the_dataset_name_and_says_when_the_folder_is_empty(tmp_path):
    output = tmp_path / "reports"
    folder = output / "ecole" / "tables"
    folder.mkdir(parents=True)
    page = write_tables_page(folder, XSS_DATASET, output).read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "Tableaux de résultats — jeu de données « <script>alert(1)</script> »" in text_of(page)
    assert rows_of(page) == ["Aucun tableau dans ce dossier : le sommaire des rapports dit "
                             "pourquoi (statut des tableaux de résultats)."]  # fmt: skip
    assert list(folder.iterdir()) == [folder / "index.html"]  # nothing left half-written


def test_index_link_is_relative_to_the_page():
    assert index_link(Path("/w/reports/demo"), Path("/w/reports")) == "../index.html"
    assert index_link(Path("/w/out"), Path("/w/out")) == "index.html"


# -- the back-link in a page --------------------------------------------------------------------
def tiny_page(**options: object) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Première partie\n\nTexte.")]
    return export_html(nb, title="Essai", **options)  # type: ignore[arg-type]


def back_links(page: str) -> list[dict[str, str]]:
    return [link for link in links_of(page) if link["around"] == "back-link"]


def test_a_page_given_its_index_opens_with_a_link_back_to_it():
    page = tiny_page(index_link="../index.html")
    (link,) = back_links(page)
    assert (link["href"], link["text"]) == ("../index.html", BACK)
    # copied alone, the link leads nowhere: it says where the list lives, nothing breaks
    assert "copiée seule" in link["title"]
    assert page.index(BACK) < page.index("Première partie")  # at the top
    spaced = back_links(tiny_page(index_link="../école d'été/index.html"))
    assert spaced[0]["href"] == "../%C3%A9cole%20d%27%C3%A9t%C3%A9/index.html"


def test_a_page_made_alone_has_no_link_back():
    page = tiny_page()
    assert back_links(page) == [] and "Sommaire des rapports" not in page


def test_build_report_passes_the_index_to_the_renderer(monkeypatch, tmp_path):
    from cc_analytics.reporting import requests
    from cc_analytics.workspace import DatasetCatalog

    seen: list[object] = []
    monkeypatch.setattr(requests, "render_report",
                        lambda *args, **kwargs: seen.append(kwargs.get("index_link")))  # fmt: skip
    catalog = DatasetCatalog("demo", tmp_path / "raw", tmp_path / "processed",
                             tmp_path / "reports", tmp_path)  # fmt: skip
    requests.build_report(requests.ReportRequest("review", catalog, index_link="../index.html"),
                          checked=True)  # fmt: skip
    requests.build_report(requests.ReportRequest("review", catalog), checked=True)
    assert seen == ["../index.html", None]


# -- the external banner ------------------------------------------------------------------------
def test_external_banner_no_longer_says_every_count_stays_shown():
    note = views.privacy_note(tiny_context(external=True))
    assert "Les effectifs restent affichés" not in note
    assert ("Le nombre de candidats d'un groupe reste en général affiché ; il est masqué lui "
            f"aussi («{NBSP}—{NBSP}») là où il permettrait de retrouver un résultat masqué, par "
            "exemple par voie d'accès quand les certifiés par la VAE sont publiés.") in note  # fmt: skip


# -- headline figures ---------------------------------------------------------------------------
def tiny_context(external: bool) -> ReportContext:
    candidates = tiny_candidates()
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, tiny_scores(), insertion, tiny_referentiel())
    results = compute_results(candidates, tables.scores, tables.referentiel, Rules())
    return ReportContext("tiny", tables, results, Rules(), {"inputs": {}}, external=external)


def shown(figures: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(figures[["indicator", "value", "detail"]].itertuples(index=False, name=None))


def test_review_key_figures_on_the_tiny_fixture():
    """Co-validation: of the 4 candidates presented (A, B, C in X at Lyon, D in Y at Nantes;
    E in Z was never scored), only D obtains the title: 1 / 4. Wilson at 95 % (z² = 3,8415):
    centre (1 + 1,9207) / 7,8415 = 0,3725, half-width 0,2500 × √(0,75 + 0,9604) = 0,3269,
    so [4,6 % ; 69,9 %]. One cohort per site with candidates: nothing to test."""
    figures = views.review_view(tiny_context(external=False)).key_figures
    assert shown(figures) == [
        ("Cohortes de la période", "2", "sur 2 sites, avec des candidats présentés au titre"),
        ("Candidats présentés au titre", "4", "toutes les cohortes de la période"),
        ("Titre obtenu", f"25,0{NBSP}%", f"1 sur 4 · IC 95{NBSP}% [4,6{NBSP}% ; 69,9{NBSP}%]"),
        ("Écarts confirmés après correction", "—",
         "aucun test : pas deux cohortes successives d'un même site"),
    ]  # fmt: skip
    assert figures["number"].tolist()[:3] == [2.0, 4.0, 0.25]


def test_review_key_figures_hide_the_rate_of_a_small_period_in_an_external_page():
    figures = views.review_view(tiny_context(external=True)).key_figures
    assert shown(figures)[2] == ("Titre obtenu", "masqué",
                                 "petit effectif : moins de 5 candidats présentés")  # fmt: skip
    assert np.isnan(figures["number"].iloc[2])
    assert shown(figures)[1] == ("Candidats présentés au titre", "4",
                                 "toutes les cohortes de la période")  # fmt: skip


def test_review_key_figures_count_the_changes_confirmed_after_correction():
    title = pd.DataFrame({"site": ["Lyon", "Lyon", "Nantes"], "cohort": ["L1", "L2", "N1"],
                          "n": [600, 620, 1_234], "k": [420, 400, 864]})  # fmt: skip
    changes = pd.DataFrame({"test": ["Fisher", "Fisher", "Fisher", "", ""],
                            "flagged": [True, False, False, False, False],
                            "reading": [CONFIRMED, WATCH, "", "", ""]})  # fmt: skip
    figures = review_key_figures(title, changes, small_group=5, external=True)
    # 1 684 obtained of 2 454 presented: 68,6 %; the Wilson interval by hand (z = 1,96):
    # centre (1 684 + 1,92) / 2 457,84 = 0,6859, half-width 0,01835: [66,8 % ; 70,4 %]
    assert shown(figures) == [
        ("Cohortes de la période", "3", "sur 2 sites, avec des candidats présentés au titre"),
        ("Candidats présentés au titre", f"2{THIN}454", "toutes les cohortes de la période"),
        ("Titre obtenu", f"68,6{NBSP}%",
         f"1{THIN}684 sur 2{THIN}454 · IC 95{NBSP}% [66,8{NBSP}% ; 70,4{NBSP}%]"),
        ("Écarts confirmés après correction", "1",
         "sur 3 tests d'une cohorte à la précédente du même site ; 1 à surveiller"),
    ]  # fmt: skip


def test_renewal_key_figures_on_the_tiny_fixture():
    """A, B, C (2024) are presented and none is certified; D (2025) is; no survey yet."""
    figures = views.renewal_view(tiny_context(external=True)).key_figures
    assert shown(figures) == [
        ("Certifiés — promotion 2024", "0", "sur 3 présentés au titre, dont 0 par la VAE"),
        ("Certifiés — promotion 2025", "1", "sur 1 présenté au titre, dont 0 par la VAE"),
        ("Insertion à 6 mois", "—", "pas encore d'enquête, ou aucun répondant pris en compte"),
        ("Insertion à 2 ans", "—", "pas encore d'enquête, ou aucun répondant pris en compte"),
    ]  # fmt: skip


PROMOTIONS = pd.DataFrame({"ANNEE": [2021, 2022, 2023, 2024],
                           "NOMBRE_PRESENTES": [40, 45, 1_250, 30],
                           "NOMBRE_CERTIFIES": [30, 33, 1_000, 24],
                           "NOMBRE_CERTIFIES_VAE": [1, 2, 40, 5]})  # fmt: skip
#: 6 months: 2023 on 20 people, then 2024 on only 3; 2 years: 2022 on 25, 2023 not yet.
INSERTION = pd.DataFrame({
    "ANNEE": [2022, 2022, 2023, 2024], "horizon": ["6 mois", "2 ans", "6 mois", "6 mois"],
    "surveyed": [33, 33, 1_000, 24], "base": [28, 25, 20, 3],
    "rate_global": [80, 92, 85, 67], "rate_job": [70, 84, 70, 33],
})  # fmt: skip


def test_renewal_key_figures_give_the_last_promotions_and_latest_rates_with_their_base():
    figures = renewal_key_figures(PROMOTIONS, INSERTION, small_group=5, external=False)
    assert shown(figures) == [
        ("Certifiés — promotion 2022", "33", "sur 45 présentés au titre, dont 2 par la VAE"),
        ("Certifiés — promotion 2023", f"1{THIN}000",
         f"sur 1{THIN}250 présentés au titre, dont 40 par la VAE"),
        ("Certifiés — promotion 2024", "24", "sur 30 présentés au titre, dont 5 par la VAE"),
        ("Insertion à 6 mois — promotion 2024",
         f"67{NBSP}% dans l'emploi · 33{NBSP}% dans le métier visé",
         "base de calcul : 3 répondants pris en compte, sur 24 certifiés interrogés"),
        ("Insertion à 2 ans — promotion 2022",
         f"92{NBSP}% dans l'emploi · 84{NBSP}% dans le métier visé",
         "base de calcul : 25 répondants pris en compte, sur 33 certifiés interrogés"),
    ]  # fmt: skip
    assert figures["number"].tolist() == [33.0, 1000.0, 24.0, 0.67, 0.92]


def test_renewal_key_figures_never_show_an_exact_rate_on_a_small_base_outside():
    figures = renewal_key_figures(PROMOTIONS, INSERTION, small_group=5, external=True)
    assert shown(figures)[3] == (
        "Insertion à 6 mois — promotion 2024", "masqué",
        "moins de 5 personnes : base de calcul : 3 répondants pris en compte, sur 24 "
        "certifiés interrogés")  # fmt: skip
    assert np.isnan(figures["number"].iloc[3])
    assert shown(figures)[4][1] == f"92{NBSP}% dans l'emploi · 84{NBSP}% dans le métier visé"


# -- a real build (slow) ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_build(tmp_path_factory) -> Path:
    """``cc-analytics build`` of the review and the renewal of the demo: the output folder."""
    root = tmp_path_factory.mktemp("nav")
    processed_dataset(root / "data" / "raw" / "demo")
    (root / "cc-analytics.toml").write_text(
        '[[datasets]]\npath = "data/raw/demo"\nreports = ["review", "renewal"]\n',
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("HOME", str(root))  # kernels write under $HOME
        assert cli.main(["build", "--workspace", str(root)]) == EXIT_OK
    return root / "reports"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["review", "renewal"])
def test_build_pages_link_back_to_their_index_and_open_with_key_figures(real_build, name):
    page = (real_build / "demo" / f"{name}.html").read_text(encoding="utf-8")
    (link,) = back_links(page)
    assert (link["href"], link["text"]) == ("../index.html", BACK)
    assert (real_build / "demo" / link["href"]).resolve() == (real_build / "index.html")
    toc = re.search(r'<nav [^>]*class="toc".*?</nav>', page, re.S).group(0)  # type: ignore[union-attr]
    assert re.findall(r"<li><a [^>]*>(.*?)</a>", toc)[0] == "Chiffres clés"
    first = "Titre obtenu" if name == "review" else "Certifiés — promotion 2025"
    assert first in text_of(page)
    assert "Les effectifs restent affichés" not in page


@pytest.mark.slow
def test_a_report_made_alone_has_no_link_back(real_build, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    root, out = real_build.parent, tmp_path / "seul" / "revue.html"
    code = cli.main(["report", "review", "demo", "--workspace", str(root), "--out", str(out)])
    assert code == EXIT_OK
    page = out.read_text(encoding="utf-8")
    assert back_links(page) == [] and "Sommaire des rapports" not in page
    assert "Chiffres clés" in page  # the same report, only the link differs


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    with browser_session(tmp_path_factory.mktemp("chromium-home")) as session:
        yield session


_BACK_LINK_SHOWN = """() => { const nav = document.querySelector('nav.back-link');
    return getComputedStyle(nav).display !== 'none' && nav.getBoundingClientRect().height > 0; }"""


@pytest.mark.slow
def test_back_link_shows_on_screen_and_never_on_paper(real_build, browser, tmp_path):
    visit = browser.visit(real_build / "demo" / "review.html", wait_for_charts=False)
    assert visit.evaluate(_BACK_LINK_SHOWN) is True
    assert BACK in visit.visible_text()
    visit.page.emulate_media(media="print")
    assert visit.evaluate(_BACK_LINK_SHOWN) is False
    assert BACK not in visit.visible_text()
    # e-mailed alone: the link is still there, nothing on the page breaks
    alone = tmp_path / "courriel" / "review.html"
    alone.parent.mkdir()
    shutil.copy2(real_build / "demo" / "review.html", alone)
    copied = browser.visit(alone)
    assert copied.console_errors() == [] and copied.evaluate(_BACK_LINK_SHOWN) is True

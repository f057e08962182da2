"""Exploration figures, notebook and ``cc-analytics lab``.

Figures are checked on the tiny fixture (tests/fixtures.py, threshold 2, co-validation), with
numbers worked by hand in tests/test_results.py and tests/test_agreement.py:

    competency   cohort X (A, B, C)      every cohort (A–E)
    B1A1C1       2 of 3 (B, C)           3 of 4 (B, C, D)
    B1A1C2       1 of 3 (A)              2 of 4 (A, D)
    B2A1C1       3 of 3                  4 of 4
    B2A1C2       1 of 1 (A)              2 of 2 (A, D)

Block B2 in cohort X: validated by A (CA) only; B (VAE) and C (FI) miss B2A1C2. Title: no one
in X, D alone in Y (Nantes), nobody presented in Z (Nantes). Jury–employer pairs in X: two on
B1A1C1, two on B1A1C2, one on B2A1C2; overall kappa 2/67.
"""

from __future__ import annotations

import html.parser
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import numpy as np
import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.demo import DEMO_DATASET
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.gate.pipeline import prepare
from cc_analytics.referentiel import from_dict
from cc_analytics.reporting import explore
from cc_analytics.reporting.context import ReportContext
from cc_analytics.reporting.kinds import EXPLORATION_NOTEBOOK, NOTEBOOKS_DIR
from cc_analytics.workspace import Workspace
from cc_analytics.workspace.processed import Tables
from tests.browser import browser_session
from tests.fixtures import SCALE, tiny_candidates, tiny_referentiel, tiny_scores

NOTEBOOK = NOTEBOOKS_DIR / EXPLORATION_NOTEBOOK
PLOTLY_MIME = "application/vnd.plotly.v1+json"
COHORT_LABELS = ["Ensemble des cohortes", "Cohorte X", "Cohorte Y", "Cohorte Z"]
BLOCK_LABELS = ["Tous les blocs", "Bloc B1 — Bloc un", "Bloc B2 — Bloc deux"]
#: How the axes name the tiny referentiel's competencies: code, then title, as the reports do.
COMPETENCY_TICKS = ["B1A1C1 — Un un", "B1A1C2 — Un deux", "B2A1C1 — Deux un",
                    "B2A1C2 — Deux deux"]  # fmt: skip
NBSP_PERCENT = "\u00a0%"


@pytest.fixture(scope="module")
def data() -> explore.Exploration:
    return exploration(tiny_referentiel())


def exploration(referentiel) -> explore.Exploration:
    rules = Rules()
    candidates, scores = tiny_candidates(), tiny_scores()
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, scores, insertion, referentiel)
    results = compute_results(candidates, scores, referentiel, rules)
    ctx = ReportContext("tiny", tables, results, rules, {"inputs": {}})
    return explore.prepare(ctx)


def traces(fig, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def shown(fig, button: dict) -> list[str]:
    """Names of the traces a cohort or item button makes visible."""
    visible = button["args"][0]["visible"]
    return [t.name for t, v in zip(fig.data, visible, strict=True) if v]


def is_note(trace) -> bool:
    """An empty trace that only explains a colour in the legend."""
    return isinstance(trace.x, tuple) and trace.x == (None,)


def labels(menu) -> list[str]:
    return [b["label"] for b in menu["buttons"]]


def rounded(values) -> list:
    """Values to 4 decimals, None for a missing value (NaN never equals itself)."""
    return [None if v is None or math.isnan(v) else round(float(v), 4) for v in values]


def test_cohorts_in_time_order(data):
    # X: 2024 sessions, Y: 2025, Z: no session at all (last)
    assert data.cohorts == ["X", "Y", "Z"]


def test_overview_counts_candidates_and_titles(data):
    table = explore.overview(data).set_index("Cohorte")
    assert table.loc["X", ["Candidats", "Présentés au titre", "Titre obtenu"]].tolist() == [
        "3", "3", "0"]  # fmt: skip
    assert table.loc["Y", "Taux d'obtention"] == "100,0\u00a0%"
    # every cohort: 5 candidates, 4 presented (E has no score), D alone obtains the title
    total = table.loc["Ensemble des cohortes"]
    assert (total["Candidats"], total["Présentés au titre"], total["Titre obtenu"]) == (
        "5", "4", "1")  # fmt: skip
    assert total["Taux d'obtention"] == "25,0\u00a0%"


def test_competency_rates_per_cohort(data):
    fig = explore.competency_rates(data)
    (cohort_x,) = traces(fig, "X")
    assert list(cohort_x.y) == ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
    assert rounded(cohort_x.x) == rounded([200 / 3, 100 / 3, 100, 100])
    (overall,) = traces(fig, explore.ALL_COHORTS)
    assert rounded(overall.x) == rounded([75, 50, 100, 100])
    assert overall.visible is True and cohort_x.visible is False
    # 3 evaluated in X, below the small-group threshold of 5: every bar pale
    assert set(cohort_x.marker.opacity) == {explore.SMALL_OPACITY}


@pytest.mark.parametrize(
    ("figure", "per_cohort"),
    [("competency_rates", 1), ("score_distribution", 5), ("route_rates", 3),
     ("agreement_chart", 1)],
)  # fmt: skip
def test_cohort_menu_shows_one_cohort_at_a_time(data, figure, per_cohort):
    fig = getattr(explore, figure)(data)
    menu = fig.layout.updatemenus[0]
    assert labels(menu) == COHORT_LABELS
    notes = [t.name for t in fig.data if is_note(t)]  # legend notes: always shown
    for button, cohort in zip(menu["buttons"], [explore.ALL_COHORTS, "X", "Y", "Z"], strict=True):
        names = shown(fig, button)
        assert names[len(names) - len(notes) :] == notes
        assert len(names) - len(notes) == per_cohort
        if figure in ("competency_rates", "agreement_chart"):
            assert names[0] == cohort


def test_block_menu_puts_one_block_on_the_axis(data):
    fig = explore.competency_rates(data)
    menu = fig.layout.updatemenus[1]
    assert labels(menu) == BLOCK_LABELS
    assert [b["method"] for b in menu["buttons"]] == ["relayout"] * 3
    b2 = menu["buttons"][2]["args"][0]
    assert b2["yaxis.categoryarray"] == ["B2A1C1", "B2A1C2"]
    assert b2["yaxis.range"] == [1.5, -0.5]  # two rows, first at the top
    everything = menu["buttons"][0]["args"][0]
    assert everything["yaxis.categoryarray"] == ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
    assert list(fig.layout.yaxis.categoryarray) == everything["yaxis.categoryarray"]


@pytest.mark.parametrize("figure", ["competency_rates", "score_distribution"])
def test_competency_axes_name_each_competency(data, figure):
    fig = getattr(explore, figure)(data)
    axis = fig.layout.yaxis
    assert axis.tickmode == "array"
    # the categories stay codes (the block menu moves them); the reader sees code and title
    assert list(axis.tickvals) == ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
    assert list(axis.ticktext) == COMPETENCY_TICKS


LONG_TITLE = "Traiter, organiser et stocker l'information pour faciliter les prises de décision"


@pytest.fixture(scope="module")
def titled() -> explore.Exploration:
    """The tiny data over a referentiel with a long competency title and, as in the shipped
    one, a block whose title the source does not give."""
    return exploration(from_dict({
        "title": "Titre essai",
        "scale": SCALE,
        "blocks": [
            {"code": "B1", "label": "Bloc un", "activities": [{"code": "B1A1", "label": "A", "competencies": [
                {"code": "B1A1C1", "label": "Un un"}, {"code": "B1A1C2", "label": LONG_TITLE}]}]},
            {"code": "B2", "label": None, "activities": [{"code": "B2A1", "label": "B", "competencies": [
                {"code": "B2A1C1", "label": "Deux un"}, {"code": "B2A1C2", "label": "Deux deux"}]}]},
        ],
    }))  # fmt: skip


def test_long_titles_are_cut_on_a_word_and_given_whole_in_the_hover(titled):
    fig = explore.competency_rates(titled)
    # 48 characters at most for the title, cut after a whole word, with « … »
    assert list(fig.layout.yaxis.ticktext)[1] == (
        "B1A1C2 — Traiter, organiser et stocker l'information…"
    )
    (overall,) = traces(fig, explore.ALL_COHORTS)
    assert overall.hovertext[1].startswith(
        "<b>B1A1C2 — Traiter, organiser et stocker l&#x27;information pour<br>"
        "faciliter les prises de décision</b>")  # fmt: skip
    menu = explore.cohort_trends(titled).layout.updatemenus[0]
    assert labels(menu)[4] == "Compétence B1A1C2 — Traiter, organiser et stocker…"
    score_hover = explore.score_distribution(titled).data[0].hovertext[1]
    assert "l&#x27;information pour<br>faciliter les prises de décision" in score_hover
    kappa_hover = explore.agreement_chart(titled).data[0].hovertext[1]
    assert "l&#x27;information pour<br>faciliter les prises de décision" in kappa_hover


def test_a_block_without_a_title_says_so(titled):
    absent = "Bloc B2 — intitulé absent de la source"
    assert labels(explore.competency_rates(titled).layout.updatemenus[1])[2] == absent
    assert labels(explore.cohort_trends(titled).layout.updatemenus[0])[2] == absent
    assert [t.name for t in explore.route_rates(titled).data[:3]] == [
        "Titre", "Bloc B1 — Bloc un", absent]  # fmt: skip


def test_route_rates_of_a_cohort(data):
    fig = explore.route_rates(data)
    routes = ["FI — formation initiale (élève ou étudiant)", "CA — contrat d'apprentissage",
              "FC — formation continue", "CL — candidature individuelle",
              "VAE — validation des acquis de l'expérience"]  # fmt: skip
    assert list(fig.layout.yaxis.categoryarray) == routes
    cohort_x = traces(fig, "Bloc B2 — Bloc deux")[1]  # entries: every cohort, then X, Y, Z
    assert list(cohort_x.y) == routes
    # C (FI) 0 of 1, A (CA) 1 of 1, nobody on FC and CL in X, B (VAE) 0 of 1
    assert rounded(cohort_x.x) == rounded([0, 100, np.nan, np.nan, 0])
    title_y = traces(fig, "Titre")[2]
    assert rounded(title_y.x) == rounded([np.nan, np.nan, 100, np.nan, np.nan])  # D is FC


def test_trends_follow_each_site(data):
    fig = explore.cohort_trends(data)
    menu = fig.layout.updatemenus[0]
    assert labels(menu)[:3] == ["Titre « Titre essai »", "Bloc B1 — Bloc un", "Bloc B2 — Bloc deux"]
    assert labels(menu)[3] == "Compétence B1A1C1 — Un un"
    assert shown(fig, menu["buttons"][0]) == [
        "Lyon",
        "Nantes",
        "écart confirmé après correction (valeur p ajustée < 0,05)",
    ]
    lyon, nantes = fig.data[0], fig.data[1]
    assert (list(lyon.x), rounded(lyon.y)) == (["X"], [0])
    assert list(nantes.x) == ["Y", "Z"]
    assert rounded(nantes.y) == rounded([100, np.nan])  # nobody presented in Z
    assert list(fig.layout.xaxis.categoryarray) == ["X", "Y", "Z"]


def test_agreement_per_competency(data):
    fig = explore.agreement_chart(data)
    (cohort_x,) = traces(fig, "X")
    assert list(cohort_x.y) == ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2", "ENSEMBLE"]
    assert list(fig.layout.yaxis.ticktext) == [*COMPETENCY_TICKS, "Ensemble"]
    assert [int(p[0]) for p in cohort_x.customdata] == [2, 2, 0, 1, 5]
    assert cohort_x.x[-1] == pytest.approx(2 / 67)
    assert math.isnan(cohort_x.x[2])  # no pair: no kappa


@pytest.mark.parametrize(
    "figure",
    ["competency_rates", "score_distribution", "route_rates", "cohort_trends", "agreement_chart"],
)
def test_figures_read_in_french(data, figure):
    fig = getattr(explore, figure)(data)
    assert fig.layout.separators == ", "
    assert fig.layout.title.text and fig.layout.updatemenus
    percent_axis = fig.layout.yaxis if figure == "cohort_trends" else fig.layout.xaxis
    if figure != "agreement_chart":
        assert percent_axis.ticksuffix == NBSP_PERCENT
    hover = " ".join(str(h) for t in fig.data for h in (t.hovertext or ()))
    assert "sur" in hover or "paires" in hover or "note" in hover


def test_figures_do_not_change_the_tables(data):
    before = data.overall.copy(), data.by_cohort["X"].distribution.copy()
    for figure in ("competency_rates", "score_distribution", "route_rates", "agreement_chart"):
        getattr(explore, figure)(data)
    pd.testing.assert_frame_equal(data.overall, before[0])
    pd.testing.assert_frame_equal(data.by_cohort["X"].distribution, before[1])


def test_followup_tables_list_each_cohort_candidates_without_the_title(data):
    """Worked by hand (threshold 2, co-validation): in X, A misses B1 by the employer's 1 on
    B1A1C1 (one point away, and the only competency between A and the title); B's latest jury
    score on B1A1C2 is 1 (one point away) and B2A1C2 was never scored; C's employer gave 0 on
    B1A1C2 (two points away) and C's jury never scored B2A1C2. Y: D obtained the title. Z: E
    has no score at all (not presented)."""
    fig = explore.followup_tables(data)
    x, y, z = fig.data
    assert (x.name, x.visible, y.visible, z.visible) == ("X", True, False, False)
    a, b, c = data.ctx.pseudonym(pd.Series(["A", "B", "C"]))
    columns = [h.removeprefix("<b>").removesuffix("</b>") for h in x.header.values]
    assert columns == ["Blocs à valider", "Candidat (pseudonyme)", "Compétences manquantes",
                       "À un point du seuil", "À une compétence du titre",
                       "Compétences à reprendre (situation, notes)"]  # fmt: skip
    rows = list(zip(*x.cells.values, strict=True))
    refused = "refusée par l&#x27;entreprise"
    assert rows[0] == ("Bloc B1 à valider", a, "1", "1", "oui",
                       f"B1A1C1 {refused} (jury 3, entreprise 1) ◆")  # fmt: skip
    # B and C both miss two competencies over two blocks: in pseudonym order
    expected = {
        b: ("Blocs B1, B2 à valider", b, "2", "1", "",
            "B1A1C2 non acquise (jury 1) ◆<br>B2A1C2 non évaluée"),
        c: ("Blocs B1, B2 à valider", c, "2", "0", "",
            f"B1A1C2 {refused} (jury 2, entreprise 0)<br>B2A1C2 non évaluée"),
    }  # fmt: skip
    assert rows[1:] == [expected[p] for p in sorted((b, c))]
    assert list(y.cells.values[0]) == [
        "Tous les candidats présentés ont obtenu le titre : aucun candidat à accompagner."
    ]
    assert list(z.cells.values[0]) == [
        "Aucun candidat de cette cohorte ne s&#x27;est encore présenté au jury : personne à "
        "accompagner pour l&#x27;instant."]  # fmt: skip

    menu = fig.layout.updatemenus[0]
    assert labels(menu) == ["Cohorte X : 3 à accompagner", "Cohorte Y : 0 à accompagner",
                            "Cohorte Z : 0 à accompagner"]  # fmt: skip
    for i, button in enumerate(menu["buttons"]):
        assert button["args"][0]["visible"] == [j == i for j in range(3)]
    notes = [button["args"][1]["annotations"][0]["text"] for button in menu["buttons"]]
    assert all(n.startswith("◆ : à un point du seuil") for n in notes)
    assert all("refusée par l&#x27;entreprise" in n for n in notes)  # co-validation
    assert "non présentés" in notes[2] and "non présentés" not in notes[0] + notes[1]


def test_followup_is_never_drawn_for_an_external_context(data):
    from dataclasses import replace

    from cc_analytics.core.errors import CcAnalyticsError

    external = replace(data, ctx=replace(data.ctx, external=True))
    with pytest.raises(CcAnalyticsError, match="jamais publiée dans un rapport externe"):
        explore.followup_tables(external)


# -- the notebook -----------------------------------------------------------------------------
def test_notebook_is_committed_clean_with_parameters_first():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = nb.cells[0]
    assert first.metadata.get("tags") == ["parameters"]
    assert 'dataset = "demo"' in first.source and "workspace = None" in first.source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    # no logic in the notebook: figure cells are one call each
    figures = [c for c in nb.cells if "figure" in c.metadata.get("tags", [])]
    assert len(figures) == 6
    assert all(c.source.startswith("explore.") and "\n" not in c.source for c in figures)


def demo_counts() -> dict[str, int]:
    """Candidates per cohort, counted in the demo's candidates.csv itself."""
    lines = (DEMO_DATASET / "candidates.csv").read_text(encoding="utf-8-sig").splitlines()
    cohorts = [line.split(";")[0] for line in lines[1:] if line]
    return {c: cohorts.count(c) for c in sorted(set(cohorts))}


class _Tables(html.parser.HTMLParser):
    """The cells of every ``<table>`` of a page, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def shown_tables(cell) -> list[pd.DataFrame]:
    """The tables a notebook cell displays, header row first."""
    if cell.cell_type != "code":
        return []
    parser = _Tables()
    parser.feed("".join(o.data.get("text/html", "") for o in cell.outputs
                        if o.output_type in ("display_data", "execute_result")))  # fmt: skip
    return [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables if rows]


@pytest.mark.slow
def test_a_workspace_copy_of_the_notebook_runs_and_shows_the_demo(tmp_path, monkeypatch):
    """As a pedagogical lead gets it: ``init``, the data processed, then the notebook copy run
    from the workspace's notebooks/ folder with its default parameters."""
    import papermill

    monkeypatch.setenv("HOME", str(tmp_path))  # kernels write under $HOME
    monkeypatch.delenv("CC_ANALYTICS_REPORT", raising=False)
    assert main(["init", str(tmp_path / "ws")]) == 0
    workspace = Workspace(tmp_path / "ws")
    prepare(workspace.dataset("demo"))
    copy = workspace.notebooks / EXPLORATION_NOTEBOOK
    out = tmp_path / "exploration.ipynb"
    papermill.execute_notebook(str(copy), str(out), kernel_name="python3", progress_bar=False,
                               log_output=False, cwd=str(workspace.notebooks))  # fmt: skip
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert not errors

    # the overview: one row per cohort with its candidates as counted in the CSV, then the total
    (overview,) = next(t for t in map(shown_tables, nb.cells) if t)
    counts = demo_counts()
    cohorts = overview.iloc[:-1]
    assert sorted(cohorts["Cohorte"]) == sorted(counts)
    assert dict(zip(cohorts["Cohorte"], cohorts["Candidats"].astype(int), strict=True)) == counts
    total = overview.iloc[-1]
    assert total["Cohorte"] == "Ensemble des cohortes"
    assert int(total["Candidats"]) == sum(counts.values())
    assert int(total["Titre obtenu"]) == cohorts["Titre obtenu"].astype(int).sum()
    assert all(value.endswith("\u00a0%") for value in overview["Taux d'obtention"])

    # six interactive figures, with the demo's six cohorts and three blocks in their menus
    figures = [c for c in nb.cells if "figure" in c.metadata.get("tags", [])]
    menus = []
    for cell in figures:
        data = next(o.data for o in cell.outputs if o.output_type == "display_data")
        spec = data[PLOTLY_MIME]
        spec = json.loads(spec) if isinstance(spec, str) else spec
        menus.append([b["label"] for m in spec["layout"]["updatemenus"] for b in m["buttons"]])
    assert len(menus) == 6
    cohort_buttons = ["Ensemble des cohortes", *(f"Cohorte {c}" for c in counts)]
    for index in (0, 1, 2, 4):
        assert sorted(b for b in menus[index] if b.startswith(("Cohorte", "Ensemble"))) == sorted(
            cohort_buttons)  # fmt: skip
    for index in (0, 1):
        assert [b for b in menus[index] if b.startswith(("Bloc", "Tous"))] == [
            "Tous les blocs", *(b for b in menus[index] if b.startswith("Bloc"))]  # fmt: skip
        assert len([b for b in menus[index] if b.startswith("Bloc ")]) == 3
    assert menus[3][0] == "Titre « Chargé.e de clientèle »"
    # the follow-up: every cohort, with its candidates presented without the title (n − k)
    left = cohorts["Présentés au titre"].astype(int) - cohorts["Titre obtenu"].astype(int)
    assert sorted(menus[5]) == sorted(
        f"Cohorte {c} : {n} à accompagner" for c, n in zip(cohorts["Cohorte"], left, strict=True)
    )


# -- cc-analytics lab -------------------------------------------------------------------------
def test_lab_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--no-browser" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@pytest.mark.slow
def test_lab_serves_the_workspace_notebooks_with_a_token(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    workspace = tmp_path / "ws"
    assert main(["init", str(workspace), "--empty", "--no-notebook"]) == 0
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_TOKEN": "testtoken"}
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "cc_analytics", "lab", "--no-browser", "--port", str(port)],
        cwd=workspace / "data", env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        status, page = 0, ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, page = _get(f"{base}/lab?token=testtoken")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (tmp_path / "lab.log").read_text()
        assert "JupyterLab" in page
        # the token is kept: without it the API refuses
        assert _get(f"{base}/api/contents")[0] == 403
        status, listing = _get(f"{base}/api/contents?token=testtoken")
        # the workspace had no copy of the notebook: lab made the user's own copy
        assert "exploration.ipynb" in [c["name"] for c in json.loads(listing)["content"]]
        assert (workspace / "notebooks" / "exploration.ipynb").is_file()
        # Lab's settings come with the command: French, no news
        status, answer = _get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin"
                              "?token=testtoken")  # fmt: skip
        assert json.loads(answer)["schema"]["properties"]["locale"]["default"] == "fr_FR"
        # stopping the command stops the server it started
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        with pytest.raises(OSError):
            _get(f"{base}/lab?token=testtoken")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


# -- in a browser -----------------------------------------------------------------------------
_STATE = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const shown = gd._fullData.filter(t => t.visible === true && t.x.length > 1);
  return {names: shown.map(t => t.name),
          x: shown.map(t => Array.from(t.x, v => Math.round(v * 10) / 10)),
          ticks: Array.from(gd.querySelectorAll('.ytick text'), e => e.textContent).sort()};
}"""


@pytest.mark.slow
def test_menus_switch_the_data_in_a_browser(data, tmp_path):
    html = tmp_path / "competences.html"
    explore.competency_rates(data).write_html(html, include_plotlyjs=True)
    with browser_session(tmp_path / "home") as browser:
        visit = browser.visit(html)
        page = visit.page
        page.wait_for_selector(".updatemenu-container")
        before = visit.evaluate(_STATE)
        assert before["names"] == [explore.ALL_COHORTS]
        assert before["x"] == [[75, 50, 100, 100]]

        page.locator(".updatemenu-header-group").nth(0).click()
        page.locator(".updatemenu-dropdown-button", has_text="Cohorte X").click()
        page.wait_for_function("() => document.querySelector('.js-plotly-plot')"
                               "._fullData.some(t => t.name === 'X' && t.visible === true)")  # fmt: skip
        after = visit.evaluate(_STATE)
        assert after["names"] == ["X"]
        assert after["x"] == [[66.7, 33.3, 100, 100]]

        page.locator(".updatemenu-header-group").nth(1).click()
        page.locator(".updatemenu-dropdown-button", has_text="Bloc B2").click()
        page.wait_for_function("() => document.querySelectorAll("
                               "'.js-plotly-plot .ytick text').length === 2")  # fmt: skip
        block = visit.evaluate(_STATE)
        assert block["ticks"] == ["B2A1C1 — Deux un", "B2A1C2 — Deux deux"]
        assert block["names"] == ["X"]  # the cohort choice holds
        page.screenshot(path=str(tmp_path / "competences.png"))
        assert not visit.console_errors()
        assert not visit.requests_besides({visit.url})  # plotly.js is inlined

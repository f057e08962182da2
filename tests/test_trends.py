"""Trends between consecutive cohorts (issue 11, items 1, 2, 5 and their tests in item 6).

Expected values are worked out by hand or taken from published tables:

- Fisher's exact test is recomputed here as a sum of hypergeometric probabilities, in exact
  fractions (:func:`fisher_by_hand`). Fisher's tea-tasting table (3 of 4 cups right in each
  row): P(3 right) = C(4,3)·C(4,1)/C(8,4) = 16/70, P(4) = 1/70, so the one-sided p is 17/70
  ≈ 0.2429 and the two-sided p 34/70 ≈ 0.4857 (the tables 0 and 1 are as unlikely).
  The issue's Lyon 2025 vs 2024 cases: title 18/24 vs 6/15 p = 0.044, block B2 22/24 vs 10/15
  p = 0.085, block B3 19/24 vs 7/15 p = 0.079.
- Benjamini–Hochberg on p = 0.01, 0.02, 0.03, 0.5 (m = 4): m·p/rank = 0.04, 0.04, 0.04, 0.5,
  then the running minimum from the largest p down leaves 0.04, 0.04, 0.04, 0.5.
- Newcombe's hybrid score interval: Newcombe (1998), Statistics in Medicine 17, table II,
  method 10, six examples (56/70 − 48/80 = 0.2, 95 % CI 0.0524 to 0.3339, …).
- Power: two cohorts of 40, 8 (20 %) vs 36 (90 %) acquiring every item; null: identical
  cohorts.

The command line runs on a dataset made of whole cohorts where each candidate scores 4 on every
competency (acquires everything: every competency, block and the title) or 0 on every one:

    site    cohort  jury year  candidates  acquiring everything
    Lyon    P       2024       40           8   (20 %)
    Lyon    Q       2025       40          36   (90 %)
    Nantes  T       2023        3           1   (small group: fewer than 5)
    Nantes  R       2024       20          10
    Nantes  S       2025       22          11   (the same 50 %)

Each comparison has 7 tests (4 competencies, 2 blocks, the title), all with the same table.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cc_analytics.cli import main
from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.core.labels import EXPORT_HEADERS
from cc_analytics.engine.results import compute_results
from cc_analytics.engine.rules import Rules
from cc_analytics.engine.trends import (
    CONFIRMED,
    TREND_COLUMNS,
    WATCH,
    adjust_within_families,
    fisher_exact_p,
    newcombe_interval,
    trends,
)
from cc_analytics.referentiel import dump
from cc_analytics.reporting import explore, views
from cc_analytics.reporting.context import ReportContext
from cc_analytics.reporting.tables import trends_table
from cc_analytics.workspace.processed import Tables
from tests.fixtures import scores_frame, tiny_referentiel
from tests.test_cli_metrics import read_csv

REF = tiny_referentiel()
RULE_COLUMNS = ["threshold", "combine", "retake_clears_employer", "neutralise_abroad",
                "referentiel"]  # fmt: skip
COMPETENCIES = ["B1A1C1", "B1A1C2", "B2A1C1", "B2A1C2"]
CONTRACT = ["site", "cohort", "previous_cohort", "level", "code", "label", "n", "k", "rate",
            "n_previous", "k_previous", "rate_previous", "difference", "diff_ci_low",
            "diff_ci_high", "test", "p_value", "p_adjusted", "flagged"]  # fmt: skip


# -- Fisher's exact test by hand --------------------------------------------------------------
def hypergeometric(a: int, k: int, n: int, k_previous: int, n_previous: int) -> Fraction:
    """P(a successes among the first cohort's n | k + k_previous successes in all)."""
    successes, total = k + k_previous, n + n_previous
    return Fraction(math.comb(successes, a) * math.comb(total - successes, n - a),
                    math.comb(total, n))  # fmt: skip


def fisher_by_hand(k: int, n: int, k_previous: int, n_previous: int) -> Fraction:
    """Two-sided: the probability of every table no more likely than the one observed."""
    successes = k + k_previous
    observed = hypergeometric(k, k, n, k_previous, n_previous)
    support = range(max(0, successes - n_previous), min(n, successes) + 1)
    probabilities = (hypergeometric(a, k, n, k_previous, n_previous) for a in support)
    return sum((p for p in probabilities if p <= observed), Fraction(0))


def test_tea_tasting_by_hand():
    one_sided = sum(hypergeometric(a, 3, 4, 1, 4) for a in (3, 4))
    assert one_sided == Fraction(17, 70)
    assert fisher_by_hand(3, 4, 1, 4) == Fraction(34, 70)
    assert float(fisher_exact_p(3, 4, 1, 4)) == pytest.approx(34 / 70, rel=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "k_previous", "n_previous", "published"),
    [
        (18, 24, 6, 15, 0.044),  # Lyon title, 2025 vs 2024
        (22, 24, 10, 15, 0.085),  # block B2
        (19, 24, 7, 15, 0.079),  # block B3
        (3, 4, 1, 4, 0.486),  # tea tasting
        (10, 20, 10, 20, 1.0),  # the same rate
        (24, 24, 15, 15, 1.0),  # 100 % on both sides
    ],
)  # fmt: skip
def test_fisher_p_values_against_a_hypergeometric_sum(k, n, k_previous, n_previous, published):
    by_hand = float(fisher_by_hand(k, n, k_previous, n_previous))
    assert by_hand == pytest.approx(published, rel=0.06)  # the issue gives 2 digits
    assert float(fisher_exact_p(k, n, k_previous, n_previous)) == pytest.approx(by_hand, rel=1e-9)


def test_fisher_is_computed_for_every_pair_and_undefined_without_candidates():
    p = fisher_exact_p([18, 22, 18, 0, 5], [24, 24, 24, 0, 10], [6, 10, 6, 3, 0],
                       [15, 15, 15, 4, 0])  # fmt: skip
    assert p[:3] == pytest.approx([float(fisher_by_hand(18, 24, 6, 15)),
                                   float(fisher_by_hand(22, 24, 10, 15)),
                                   float(fisher_by_hand(18, 24, 6, 15))])  # fmt: skip
    assert np.isnan(p[3:]).all()
    with pytest.raises(ValueError):
        fisher_exact_p(5, 4, 1, 4)


# -- Benjamini–Hochberg -----------------------------------------------------------------------
def test_benjamini_hochberg_on_a_hand_made_family():
    adjusted = adjust_within_families([0.01, 0.02, 0.03, 0.5], ["a"] * 4)
    assert adjusted == pytest.approx([0.04, 0.04, 0.04, 0.5])


def test_each_family_is_adjusted_on_its_own_and_untested_rows_do_not_count():
    # family b: 0.01 and 0.04 (the NaN is no test): 2·0.01/1 = 0.02, 2·0.04/2 = 0.04
    p = [0.01, 0.02, 0.03, 0.5, 0.01, np.nan, 0.04]
    adjusted = adjust_within_families(p, ["a", "a", "a", "a", "b", "b", "b"])
    assert adjusted[:4] == pytest.approx([0.04, 0.04, 0.04, 0.5])
    assert adjusted[4] == pytest.approx(0.02) and adjusted[6] == pytest.approx(0.04)
    assert np.isnan(adjusted[5])


# -- Newcombe's interval ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("k", "n", "k_previous", "n_previous", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)  # fmt: skip
def test_newcombe_interval_against_the_published_table(k, n, k_previous, n_previous, low, high):
    got_low, got_high = newcombe_interval(k, n, k_previous, n_previous)
    assert (float(got_low), float(got_high)) == pytest.approx((low, high), abs=5e-5)


def test_newcombe_interval_is_undefined_without_candidates():
    low, high = newcombe_interval([0, 3], [0, 4], [2, 0], [5, 0])
    assert np.isnan(low).all() and np.isnan(high).all()


# -- the trends table from a metrics table ----------------------------------------------------
def metrics_table(rows: list[tuple]) -> pd.DataFrame:
    """(site, cohort, level, code, n, k) rows as an aggregate table."""
    table = pd.DataFrame(rows, columns=["site", "cohort", "level", "code", "n", "k"])
    return table.assign(label="", rate=table["k"] / table["n"].where(table["n"] > 0))


def family(site: str, items: int, now: tuple[int, int], before: tuple[int, int]) -> list[tuple]:
    """``items`` competencies of a site, the same (n, k) each: cohort B (now) and A (before)."""
    return [(site, cohort, "competency", f"C{i:02d}", n, k)
            for cohort, (n, k) in (("A", before), ("B", now)) for i in range(items)]  # fmt: skip


ORDER_AB = pd.Series({"A": 1, "B": 2})


def test_power_every_item_of_a_real_change_is_flagged():
    table = trends(metrics_table(family("Lyon", 24, (40, 36), (40, 8))), ORDER_AB)
    assert len(table) == 24
    assert table["flagged"].all()
    assert set(table["reading"]) == {CONFIRMED}
    # 24 equal p-values: BH leaves them as they are (24·p/24)
    assert table["p_adjusted"].tolist() == pytest.approx(table["p_value"].tolist())
    assert table["difference"].tolist() == pytest.approx([0.7] * 24)


def test_null_identical_cohorts_flag_nothing():
    rows = [("Lyon", c, "competency", f"C{i:02d}", 40, 8 + i) for c in "AB" for i in range(24)]
    table = trends(metrics_table(rows), ORDER_AB)
    assert not table["flagged"].any()
    assert set(table["reading"]) == {""}
    assert table["p_value"].tolist() == pytest.approx([1.0] * 24)
    assert table["difference"].tolist() == pytest.approx([0.0] * 24)


def lyon_2025() -> pd.DataFrame:
    """The issue's Lyon comparison: title, B2 and B3 change, 21 items stay at 100 %."""
    rows = [("Lyon", c, "title", "TITLE", n, k) for c, n, k in (("A", 15, 6), ("B", 24, 18))]
    rows += [("Lyon", c, "block", "B2", n, k) for c, n, k in (("A", 15, 10), ("B", 24, 22))]
    rows += [("Lyon", c, "block", "B3", n, k) for c, n, k in (("A", 15, 7), ("B", 24, 19))]
    rows += family("Lyon", 21, (24, 24), (15, 15))
    return metrics_table(rows)


def test_flags_only_on_adjusted_p_values():
    """Raw p 0.044 (title), 0.079 (B3), 0.085 (B2), 1 for the 21 others. BH, m = 24: the
    running minimum of 24·p/rank from the top gives 24·0.0846/3 = 0.677 to the three smallest
    (24·0.0786/2 = 0.943 and 24·0.0441/1 = 1.06 are larger). The former z-test flagged all
    three at p < 0.05 without correction; now the title is only « à surveiller »."""
    table = trends(lyon_2025(), ORDER_AB).set_index("code")
    p_b2 = float(fisher_by_hand(22, 24, 10, 15))
    for code in ("TITLE", "B2", "B3"):
        assert table.loc[code, "p_adjusted"] == pytest.approx(24 * p_b2 / 3)
    assert table.loc["TITLE", "p_value"] == pytest.approx(float(fisher_by_hand(18, 24, 6, 15)))
    assert not table["flagged"].any()
    assert table.loc["TITLE", "reading"] == WATCH
    assert table.loc["B2", "reading"] == "" and table.loc["B3", "reading"] == ""
    assert set(table["family"]) == {"Lyon : B contre A"}
    assert set(table["family_size"]) == {24}
    assert set(table["test"]) == {"fisher_exact_two_sided"}
    assert set(table["correction"]) == {"benjamini_hochberg"}


def test_difference_and_interval_beside_every_p_value():
    row = trends(lyon_2025(), ORDER_AB).set_index("code").loc["TITLE"]
    low, high = newcombe_interval(18, 24, 6, 15)
    assert row["difference"] == pytest.approx(0.75 - 0.4)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((float(low), float(high)))
    assert row["diff_ci_low"] < row["difference"] < row["diff_ci_high"]


# the pairing: two sites whose cohorts interleave in time, rows out of order
ORDER = pd.Series({"L22": 2022, "L23": 2023, "L24": 2024, "N22": 2022, "N23": 2023, "N24": 2024})
ROWS = [
    ("Nantes", "N23", "title", "TITLE", 50, 10),
    ("Lyon", "L24", "title", "TITLE", 4, 0),
    ("Lyon", "L22", "block", "B1", 50, 45),
    ("Nantes", "N22", "title", "TITLE", 50, 40),
    ("Lyon", "L23", "title", "TITLE", 50, 30),
    ("Nantes", "N24", "title", "TITLE", 0, 0),
    ("Lyon", "L23", "block", "B1", 50, 45),
    ("Lyon", "L22", "title", "TITLE", 50, 20),
]


def test_each_cohort_is_compared_with_the_previous_cohort_of_its_site():
    table = trends(metrics_table(ROWS), ORDER, by=["site"])
    pairs = table[["site", "cohort", "previous_cohort", "code"]].values.tolist()
    # site by site, in time order, items in the metrics table's order; the first cohort of a
    # site has nothing to compare with
    assert pairs == [["Lyon", "L23", "L22", "TITLE"], ["Lyon", "L23", "L22", "B1"],
                     ["Lyon", "L24", "L23", "TITLE"], ["Nantes", "N23", "N22", "TITLE"],
                     ["Nantes", "N24", "N23", "TITLE"]]  # fmt: skip
    assert table["family"].tolist() == ["Lyon : L23 contre L22"] * 2 + [
        "Lyon : L24 contre L23",
        "Nantes : N23 contre N22",
        "Nantes : N24 contre N23",
    ]
    assert table["family_size"].tolist() == [2, 2, 1, 1, 0]
    assert list(table.columns) == ["site", *TREND_COLUMNS, "suppressed"]


def test_an_empty_cohort_is_not_tested():
    row = trends(metrics_table(ROWS), ORDER).set_index("cohort").loc["N24"]
    assert (row["n"], row["n_previous"], row["k_previous"]) == (0, 50, 10)
    assert row["rate_previous"] == pytest.approx(0.2)
    assert pd.isna(row["difference"]) and pd.isna(row["p_value"]) and pd.isna(row["p_adjusted"])
    assert (row["test"], row["flagged"], row["reading"]) == ("", False, "")


def test_without_a_group_the_previous_cohort_is_the_previous_in_time():
    lyon = metrics_table([r for r in ROWS if r[0] == "Lyon"]).drop(columns="site")
    table = trends(lyon, ORDER, by=[])
    assert table[["cohort", "previous_cohort"]].drop_duplicates().values.tolist() == [
        ["L23", "L22"],
        ["L24", "L23"],
    ]
    assert table["family"].iloc[0] == "L23 contre L22"


def test_a_hidden_side_shows_no_comparison_and_leaves_the_family():
    """Three items of B against A; item C02 of cohort B is hidden. Its row keeps the counts
    of candidates (n) but neither its k, its rate nor any comparison; the family is the two
    others: C00 (36/40 vs 8/40, p₀) and C01 (10/20 vs 10/20, p = 1): adjusted 2·p₀ and 1."""
    rows = [("Lyon", "A", "competency", "C00", 40, 8), ("Lyon", "B", "competency", "C00", 40, 36),
            ("Lyon", "A", "competency", "C01", 20, 10), ("Lyon", "B", "competency", "C01", 20, 10),
            ("Lyon", "A", "competency", "C02", 20, 10), ("Lyon", "B", "competency", "C02", 4, 4)]  # fmt: skip
    source = metrics_table(rows)
    source["suppressed"] = [False, False, False, False, False, True]
    table = trends(source, ORDER_AB).set_index("code")
    hidden = table.loc["C02"]
    assert hidden["suppressed"] and hidden["n"] == 4 and hidden["n_previous"] == 20
    assert pd.isna(hidden["k"]) and pd.isna(hidden["rate"])
    assert (hidden["k_previous"], hidden["rate_previous"]) == (10, 0.5)  # published anyway
    for column in ("difference", "diff_ci_low", "diff_ci_high", "p_value", "p_adjusted"):
        assert pd.isna(hidden[column]), column
    assert (hidden["test"], hidden["flagged"]) == ("", False)
    assert set(table["family_size"]) == {2}
    p0 = float(fisher_by_hand(36, 40, 8, 40))
    assert table.loc["C00", "p_adjusted"] == pytest.approx(2 * p0)
    assert table.loc["C01", "p_adjusted"] == pytest.approx(1.0)


def test_a_cohort_without_order_is_refused_and_the_input_is_untouched():
    source = metrics_table(ROWS)
    before = source.copy()
    trends(source, ORDER)
    pd.testing.assert_frame_equal(source, before)
    with pytest.raises(CcAnalyticsError, match="cohortes sans ordre chronologique : L22"):
        trends(source, ORDER.drop("L22"))


# -- a dataset: the views and the command line ------------------------------------------------
COHORTS = [  # site, cohort, jury date, candidates, acquiring everything
    ("Lyon", "P", "2024-06-01", 40, 8), ("Lyon", "Q", "2025-06-01", 40, 36),
    ("Nantes", "T", "2023-06-01", 3, 1), ("Nantes", "R", "2024-06-02", 20, 10),
    ("Nantes", "S", "2025-06-02", 22, 11),
]  # fmt: skip


def candidates_and_scores() -> tuple[pd.DataFrame, pd.DataFrame]:
    people, rows = [], []
    for site, cohort, date, size, successes in COHORTS:
        for i in range(size):
            person = f"{cohort}{i:02d}"
            people.append((cohort, person, "FI", False, site))
            rows += [(person, c, "jury", 4 if i < successes else 0, date) for c in COMPETENCIES]
    candidates = pd.DataFrame(people, columns=["cohort", "candidate_id", "access_route",
                                               "immersion", "site"])  # fmt: skip
    return candidates, scores_frame(rows)


def context(external: bool = False) -> ReportContext:
    candidates, scores = candidates_and_scores()
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, scores, insertion, REF)
    results = compute_results(candidates, scores, REF, Rules())
    return ReportContext("essai", tables, results, Rules(), {"inputs": {}}, external=external)


@pytest.fixture(scope="module")
def internal() -> ReportContext:
    return context()


@pytest.fixture(scope="module")
def external() -> ReportContext:
    return context(external=True)


def test_trends_table_on_a_dataset(internal):
    table = trends_table(internal)
    assert list(table.columns[: len(CONTRACT)]) == CONTRACT
    assert list(table.columns[-5:]) == RULE_COLUMNS
    lyon = table[table["cohort"] == "Q"]
    assert len(lyon) == 7 and lyon["flagged"].all()
    assert (lyon["previous_cohort"] == "P").all()
    assert lyon["p_value"].tolist() == pytest.approx([float(fisher_by_hand(36, 40, 8, 40))] * 7)
    nantes = table[table["site"] == "Nantes"]
    assert not nantes["flagged"].any()
    assert nantes.loc[nantes["cohort"] == "S", "p_value"].tolist() == pytest.approx([1.0] * 7)
    small = nantes[nantes["cohort"] == "R"]
    assert small["small_group"].all()  # T has 3 candidates: flagged, shown (internal)
    assert small["p_value"].tolist() == pytest.approx([float(fisher_by_hand(10, 20, 1, 3))] * 7)


def test_an_external_trends_table_reveals_no_hidden_count(internal):
    """T (3 candidates) is hidden; R, the smallest other Nantes cohort, is hidden with it so
    that T cannot be read back from a site total (complementary suppression). Every Nantes
    comparison touches one of them: none is published, and only n is shown for them."""
    table = trends_table(internal, external=True)
    nantes = table[table["site"] == "Nantes"]
    assert nantes["suppressed"].all()
    assert nantes["k_previous"].isna().all()  # T, then R: both hidden
    assert nantes.loc[nantes["cohort"] == "R", "k"].isna().all()
    assert nantes.loc[nantes["cohort"] == "S", "k"].tolist() == [11] * 7  # S is shown
    for column in ("rate_previous", "difference", "diff_ci_low", "diff_ci_high", "p_value",
                   "p_adjusted"):  # fmt: skip
        assert nantes[column].isna().all(), column
    assert nantes["n_previous"].tolist() == [3] * 7 + [20] * 7
    assert not nantes["flagged"].any()
    lyon = table[table["site"] == "Lyon"]
    assert lyon["flagged"].all() and not lyon["suppressed"].any()


def test_the_review_shows_the_same_table(internal, external):
    for ctx in (internal, external):
        view = views.review_view(ctx)
        same = trends_table(ctx, external=ctx.external)
        pd.testing.assert_frame_equal(
            view.changes[CONTRACT].reset_index(drop=True), same[CONTRACT].reset_index(drop=True)
        )
    view = views.review_view(internal)
    q = view.competencies[view.competencies["cohort"] == "Q"]
    assert set(q["signal"]) == {f"▲ hausse : {CONFIRMED}"}
    assert len(view.to_examine) == 7 and view.to_examine["flagged"].all()
    assert "3 comparaison(s)" in view.trend_summary and "21 tests" in view.trend_summary
    assert "7 écart confirmé après correction" in view.trend_summary


def test_the_review_never_says_a_change_is_not_due_to_chance(internal):
    view = views.review_view(internal)
    texts = " ".join([view.trend_rules, view.trend_summary, *view.changes["reading"]])
    assert "hasard" not in view.trend_rules and "significati" not in texts
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "quality_review.ipynb"
    source = notebook.read_text(encoding="utf-8")
    for claim in ("dues au hasard", "évolution significative", "évolutions significatives"):
        assert claim not in source.lower(), claim
    assert CONFIRMED in view.trend_rules and WATCH in view.trend_rules


def test_the_exploration_star_marks_confirmed_changes_only(internal):
    fig = explore.cohort_trends(explore.prepare(internal))
    assert fig.data[-1].name == f"{CONFIRMED} (valeur p ajustée < 0,05)"
    lyon = next(t for t in fig.data if t.name == "Lyon" and t.visible)  # the title
    assert list(lyon.x) == ["P", "Q"] and list(lyon.marker.symbol) == ["circle", "star"]
    assert "p ajustée" in lyon.hovertext[1] and CONFIRMED in lyon.hovertext[1]
    assert "IC 95 %" in lyon.hovertext[1]


# -- item 5: no interval on a full count ------------------------------------------------------
def test_presented_is_a_full_count_without_interval(internal):
    headline = views.cohort_view(internal, "P").headline.set_index("indicator")
    presented = headline.loc["Candidats présentés au titre"]
    assert (presented["n"], presented["k"], presented["estimate"]) == (40, 40, False)
    assert pd.isna(presented["ci_low"]) and pd.isna(presented["ci_high"])
    # the title rate is read as an estimate: Wilson 8/40 by hand, centre (8 + 1.92)/43.84
    # = 0.2263, half-width 1.96/43.84·√(8·32/40 + 0.96) = 0.1213
    title = headline.loc["Titre obtenu"]
    assert title["estimate"]
    assert (title["ci_low"], title["ci_high"]) == pytest.approx((0.1050, 0.3476), abs=1e-3)


# -- the command line ------------------------------------------------------------------------
def write_dataset(folder: Path) -> Path:
    folder.mkdir(parents=True)
    candidates, scores = candidates_and_scores()
    candidates["immersion"] = "non"
    candidates.to_csv(folder / "candidates.csv", sep=";", index=False)
    scores = scores.assign(session_date=scores["session_date"].dt.strftime("%Y-%m-%d"))
    scores.to_csv(folder / "scores.csv", sep=";", index=False)
    dump(REF, folder / "referentiel.yaml")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("project")
    write_dataset(project / "data" / "raw" / "essai")
    return project


@pytest.fixture
def cli(capsys, monkeypatch, project):
    monkeypatch.chdir(project)

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_contract(cli, tmp_path):
    out = tmp_path / "t.csv"
    code, stdout, err = cli("trends", "essai", "--out", out)
    assert (code, err) == (0, "")
    assert f"21 lignes écrites dans {out} : 7 {CONFIRMED}, 0 {WATCH}" in stdout
    header, rows = read_csv(out)
    assert header[: len(CONTRACT)] == CONTRACT
    assert header[len(CONTRACT) :][:5] == [
        "reading",
        "family",
        "family_size",
        "correction",
        "alpha",
    ]
    assert header[-5:] == RULE_COLUMNS
    assert len(rows) == 21  # Q vs P, R vs T, S vs R: 7 items each
    for row in rows:  # flagged exactly when the adjusted p-value is below 0.05
        assert row["flagged"] == str(float(row["p_adjusted"]) < 0.05), row
    flagged = {(r["cohort"], r["code"]) for r in rows if r["flagged"] == "True"}
    assert flagged == {("Q", code) for code in [*COMPETENCIES, "B1", "B2", "TITLE"]}
    q = next(r for r in rows if (r["cohort"], r["code"]) == ("Q", "TITLE"))
    assert (q["n"], q["k"], q["rate"], q["n_previous"], q["k_previous"]) == (
        "40", "36", "0.9", "40", "8")  # fmt: skip
    assert (q["rate_previous"], q["difference"]) == ("0.2", "0.7")
    assert (q["family"], q["family_size"]) == ("Lyon : Q contre P", "7")


def test_cli_external_and_xlsx_information(cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    code, _, err = cli("trends", "essai", "--external", "--out", out)
    assert (code, err) == (0, "")
    book = load_workbook(out)
    assert book.sheetnames == ["tendances", "informations"]
    header = [
        {v: k for k, v in EXPORT_HEADERS.items()}.get(c.value, c.value)
        for c in book["tendances"][1]
    ]  # French headers back to the contract's names
    rows = [dict(zip(header, (c.value for c in r), strict=True))
            for r in book["tendances"].iter_rows(min_row=2)]  # fmt: skip
    nantes = [r for r in rows if r["site"] == "Nantes"]
    assert all(r["p_value"] is None and r["k_previous"] is None for r in nantes)
    info = {r[0].value: r[1].value for r in book["informations"].iter_rows(min_row=2)}
    assert "test exact de Fisher" in info["Tests"] and "Benjamini–Hochberg" in info["Tests"]
    assert info["Diffusion"].startswith("externe")


def test_cli_refuses_cohort_as_a_group(cli, tmp_path):
    out = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as refused:
        cli("trends", "essai", "--by", "site,cohort", "--out", out)
    assert refused.value.code == 2
    assert not out.exists()


@pytest.mark.slow
def test_demo_flags_nothing_that_does_not_survive_the_correction(tmp_path, monkeypatch):
    """Before: the z-test at p < 0.05 without correction flagged Lyon 2025's title, B2 and B3.
    After: 96 tests, none confirmed after correction; Lyon 2025's title (Fisher p = 0.044) is
    only « à surveiller »."""
    from tests.fixtures import processed_dataset

    processed_dataset(tmp_path / "data" / "raw" / "demo")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "t.csv"
    assert main(["trends", "data/raw/demo", "--out", str(out)]) == 0
    _, rows = read_csv(out)
    assert len(rows) == 96
    assert all(r["flagged"] == str(float(r["p_adjusted"]) < 0.05) for r in rows)
    assert [r for r in rows if r["flagged"] == "True"] == []
    watch = [(r["cohort"], r["code"]) for r in rows if r["reading"] == WATCH]
    assert watch == [("2025-LYON", "TITLE")]


def test_two_small_cohorts_pinned_by_a_year_total_get_a_third_cell_hidden():
    """Nantes 2023 gains U (2 candidates, both acquiring) and V (10, 5 acquiring) beside T (3,
    1 acquiring); candidates acquire all or nothing, so every item has these counts. T and U
    are small and hidden; the Nantes 2023 total (k 1 + 2 + 5 = 8) minus the visible V (5)
    leaves 3 for T + U: T is at least 1 (U has at most 2) and U is 0 to 2, so T is known
    within 1 to 3, narrower than the protection width (3) though T alone could be 0 to 3.
    One more hidden cell is needed (a rule hiding a complement only where a set has exactly
    one hidden cell hides none here): V, the only other cohort of Nantes 2023 (hiding R or S
    leaves T + U pinned by the year total). Then T can be 0 to 3 and U 0 to 2. Nothing of
    Lyon, R or S is hidden."""
    from cc_analytics.reporting.tables import metrics_table

    candidates, scores = candidates_and_scores()
    extra = [("U", f"U{i:02d}", 4, "2023-09-01") for i in range(2)] + [
        ("V", f"V{i:02d}", 4 if i < 5 else 0, "2023-11-01") for i in range(10)]  # fmt: skip
    candidates = pd.concat([candidates, pd.DataFrame(
        [(cohort, person, "FI", False, "Nantes") for cohort, person, _, _ in extra],
        columns=candidates.columns)], ignore_index=True)  # fmt: skip
    scores = pd.concat([scores, scores_frame(
        [(person, c, "jury", score, date) for _, person, score, date in extra for c in COMPETENCIES]
    )], ignore_index=True)  # fmt: skip
    insertion = pd.DataFrame({"candidate_id": pd.Series(dtype="str"),
                              "horizon_months": pd.Series(dtype="int64"),
                              "status": pd.Series(dtype="str")})  # fmt: skip
    tables = Tables(candidates, scores, insertion, REF)
    results = compute_results(candidates, scores, REF, Rules())
    ctx = ReportContext("essai", tables, results, Rules(), {"inputs": {}}, external=True)

    metrics = metrics_table(ctx, ["site", "cohort"], external=True)
    hidden = metrics[metrics["suppressed"].astype(bool)]
    # every item of the three (title, 2 blocks, 4 competencies), nothing else
    assert hidden.groupby("cohort").size().to_dict() == {"T": 7, "U": 7, "V": 7}
    ((name, result),) = ctx.disclosure
    assert name == "par site et cohorte"
    assert result.passed
    table = trends_table(ctx, ["site"], external=True)
    # T, first of Nantes, only appears as the cohort U is compared with
    assert set(table.loc[table["k"].isna(), "cohort"]) == {"U", "V"}
    assert set(table.loc[table["k_previous"].isna(), "previous_cohort"]) == {"T", "U", "V"}
    assert set(table.loc[table["k"].notna(), "cohort"]) == {"Q", "R", "S"}


def test_external_trends_hide_exactly_what_external_metrics_hide():
    """One audit for both: a count ``metrics --external --by site,cohort`` hides is never
    shown by ``trends --external``, and the other way round."""
    from cc_analytics.reporting.tables import metrics_table

    ctx = context()
    metrics = metrics_table(ctx, ["site", "cohort"], external=True)
    hidden = set(metrics.loc[metrics["suppressed"].astype(bool),
                             ["site", "cohort", "code"]].itertuples(index=False, name=None))  # fmt: skip
    table = trends_table(ctx, ["site"], external=True)
    shown = table[table["k"].notna()]
    assert not hidden & set(shown[["site", "cohort", "code"]].itertuples(index=False, name=None))
    blank = table[table["k"].isna() & (table["n"] > 0)]
    assert set(blank[["site", "cohort", "code"]].itertuples(index=False, name=None)) <= hidden

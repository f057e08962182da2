"""The disclosure audit (issue 11, item 4): hand-made tables whose recoverable cells a person
worked out, then the demo's external metrics attacked by an attack written here, from the
published numbers only.

Hand-made tables are one cohort broken down by access route (title only, unless said), the
cohort's total published beside them. A hidden count is protected when a reader cannot
narrow it to fewer than 3 values apart (the default ``protection_width``), or to less than
the published totals themselves allow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from cc_analytics.core.errors import CcAnalyticsError
from cc_analytics.engine.disclosure import AuditTable, audit, protect_family
from cc_analytics.engine.privacy import protect_published
from cc_analytics.engine.rules import Rules, load_rules


def routes(n: list[int], k: list[int], names: str = "ABCD") -> pd.DataFrame:
    return pd.DataFrame({"cohort": "X", "access_route": list(names[: len(n)]),
                         "level": "title", "code": "TITLE", "n": n, "k": k})  # fmt: skip


def total(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return table.groupby([*by, "level", "code"], as_index=False)[["n", "k"]].sum()


def attacked(table: pd.DataFrame, hidden: list[bool], *margins: tuple[list[str], pd.DataFrame]):
    """Audit of ``table`` (by cohort and route) with every margin fully visible."""
    tables = [AuditTable("fine", table, ("cohort", "access_route"), np.array(hidden))]
    tables += [AuditTable(f"by {by}", m, tuple(by), np.zeros(len(m), bool)) for by, m in margins]
    return audit(tables)


def interval(result, row: int, measure: str = "k") -> tuple[float, float]:
    q = result.quantities
    found = q[(q["table_index"] == 0) & (q["row"] == row) & (q["measure"] == measure)]
    assert len(found) == 1, found
    return float(found["low"].iloc[0]), float(found["high"].iloc[0])


def exact_interval(result, row: int, measure: str = "k") -> tuple[float, float]:
    q = result.quantities
    found = q[(q["table_index"] == 0) & (q["row"] == row) & (q["measure"] == measure)]
    assert bool(found["exact"].iloc[0]), "the attack had to compute this one exactly"
    return interval(result, row, measure)


# -- one, two, three hidden cells ---------------------------------------------------------------
def test_one_hidden_cell_is_the_total_minus_the_visible_ones():
    # A 12 (9 obtain the title), B 6 (4), C 3 (2) hidden, D empty; the cohort: 21 (15)
    table = routes([12, 6, 3, 0], [9, 4, 2, 0])
    result = attacked(table, [False, False, True, False], (["cohort"], total(table, ["cohort"])))
    assert interval(result, 2) == (2, 2)  # 15 − 9 − 4 − 0
    assert not result.passed and len(result.leaks()) == 1

    protected = protect_family(table, ["cohort", "access_route"], small_group=5)
    # B (6), the smallest visible group with people, is hidden too: B + C = 15 − 9 = 6 with
    # C ≤ 3 and B ≤ 6, so C is anywhere in 0–3 and B in 3–6
    assert protected.hidden.tolist() == [False, True, True, False]
    assert protected.reason.tolist() == ["", "secondary", "small", ""]
    assert interval(protected, 2) == (0, 3) and interval(protected, 1) == (3, 6)
    assert protected.passed


def test_two_hidden_cells_can_still_be_narrowed_down():
    # A 12 (9) visible; B 4 (4) and C 3 (2) hidden; the cohort: 19 (15). B + C = 6 with B ≤ 4
    # and C ≤ 3: B is 3 or 4, C is 2 or 3 — each known to within 1, not 3
    table = routes([12, 4, 3], [9, 4, 2])
    result = attacked(table, [False, True, True], (["cohort"], total(table, ["cohort"])))
    assert exact_interval(result, 1) == (3, 4)
    assert exact_interval(result, 2) == (2, 3)
    assert not result.passed

    protected = protect_family(table, ["cohort", "access_route"], small_group=5)
    # only A is left to hide: then B + C + A = 15 with A ≤ 12 tells nothing beyond 0–4, 0–3
    assert protected.hidden.tolist() == [True, True, True]
    assert interval(protected, 1) == (0, 4) and interval(protected, 2) == (0, 3)


def test_three_hidden_cells_protect_each_other_unless_all_succeeded():
    # D 10 (7) visible; A 2 (2), B 3 (0), C 4 (1) hidden; the cohort 19 (10): A + B + C = 3,
    # so A is in 0–2, B in 0–3, C in 0–3: as wide as each box (A) or as the width (B, C)
    table = routes([2, 3, 4, 10], [2, 0, 1, 7])
    result = attacked(table, [True, True, True, False], (["cohort"], total(table, ["cohort"])))
    assert [interval(result, row) for row in range(3)] == [(0, 2), (0, 3), (0, 3)]
    assert result.passed

    # everyone in A, B and C obtained the title: the cohort 19 (16), A + B + C = 9 = 2 + 3 + 4
    full = routes([2, 3, 4, 10], [2, 3, 4, 7])
    result = attacked(full, [True, True, True, False], (["cohort"], total(full, ["cohort"])))
    assert [interval(result, row) for row in range(3)] == [(2, 2), (3, 3), (4, 4)]
    protected = protect_family(full, ["cohort", "access_route"], small_group=5)
    # D hidden too: A + B + C + D = 16 with D ≤ 10: A in 0–2, B in 0–3, C in 1–4 (16 − 2 −
    # 3 − 10): a reader learns that at least one of C's four obtained it, no more
    assert protected.hidden.tolist() == [True, True, True, True]
    assert [interval(protected, row) for row in range(3)] == [(0, 2), (0, 3), (1, 4)]


# -- totals at 0 % or 100 % ----------------------------------------------------------------------
@pytest.mark.parametrize(("k", "outcome", "words"), [
    ([3, 2, 10], "all", "tous les candidats de ce groupe ont réussi"),
    ([0, 0, 0], "none", "aucun candidat de ce groupe n'a réussi"),
])  # fmt: skip
def test_a_total_at_0_or_100_percent_tells_every_member_and_the_table_says_so(k, outcome, words):
    # A 3 and B 2 hidden, C 10 visible: the cohort's 15 obtain it all (or none), so A and B's
    # results are known whatever is hidden; hiding C would change nothing
    table = routes([3, 2, 10], k)
    result = attacked(table, [True, True, False], (["cohort"], total(table, ["cohort"])))
    assert interval(result, 0) == (k[0], k[0]) and interval(result, 1) == (k[1], k[1])
    assert result.quantities["by_totals"].all() and result.passed  # stated, not a failure
    protected = protect_family(table, ["cohort", "access_route"], small_group=5)
    assert protected.hidden.tolist() == [True, True, False]
    assert protected.group_outcomes().tolist() == [outcome, outcome, ""]
    out, _ = protect_published(table, ["cohort", "access_route"], Rules())
    assert out["privacy"].tolist()[:2] == [f"masqué : petit effectif ; mais {words} (un total "
                                           f"publié est à {'100' if outcome == 'all' else '0'} %)"] * 2  # fmt: skip
    assert out["k"].isna().tolist() == [True, True, False]


# -- two tables sharing a margin ---------------------------------------------------------------
def test_two_tables_sharing_a_margin_recover_what_neither_gives_alone():
    # cohorts X, Y by routes A, B (n, k):  X: A 3 (1)  B 8 (6)  → X 11 (7)
    #                                      Y: A 9 (5)  B 7 (4)  → Y 16 (9)
    #                            routes:   A 12 (6)    B 15 (10)
    table = pd.DataFrame({"cohort": ["X", "X", "Y", "Y"], "access_route": ["A", "B", "A", "B"],
                          "level": "title", "code": "TITLE", "n": [3, 8, 9, 7],
                          "k": [1, 6, 5, 4]})  # fmt: skip
    hidden = [True, True, False, False]  # XA small, XB hidden beside it
    cohorts = (["cohort"], total(table, ["cohort"]))
    # with the cohort table alone: XA + XB = 7, XB ≤ 8: XA anywhere in 0–3
    assert interval(attacked(table, hidden, cohorts), 0) == (0, 3)
    # with the route table too: XB = 10 − YB = 6, so XA = 7 − 6 = 1
    both = attacked(table, hidden, cohorts, (["access_route"], total(table, ["access_route"])))
    assert exact_interval(both, 0) == (1, 1) and not both.passed

    protected = protect_family(table, ["cohort", "access_route"], small_group=5)
    # every cell of the 2 × 2 table must go: then XA = 7 − XB = 6 − YA, XB = 10 − YB: XA in 0–3
    assert protected.hidden.tolist() == [True] * 4
    assert interval(protected, 0) == (0, 3) and protected.passed
    assert set(protected.tables) == {"par cohorte et voie d'accès", "par cohorte",
                                     "par voie d'accès", "ensemble"}  # fmt: skip


# -- score distributions and means -------------------------------------------------------------
def test_a_lone_hidden_distribution_and_mean_are_the_total_minus_the_visible_ones():
    # one competency; A 2 candidates scored 2 and 3 (both acquired) hidden; B 8 scored
    # 0, 1, 2, 2, 3, 3, 4, 4 (6 acquired) visible; the cohort's distribution is published
    table = pd.DataFrame({"cohort": "X", "access_route": ["A", "B"], "level": "competency",
                          "code": "C1", "n": [2, 8], "k": [2, 6], "score_0": [0, 1],
                          "score_1": [0, 1], "score_2": [1, 2], "score_3": [1, 2],
                          "score_4": [0, 2]})  # fmt: skip
    sums = table.groupby(["cohort", "level", "code"], as_index=False)[
        ["n", "k", "score_0", "score_1", "score_2", "score_3", "score_4"]].sum()  # fmt: skip
    result = audit([AuditTable("fine", table, ("cohort", "access_route"), np.array([True, False])),
                    AuditTable("cohort", sums, ("cohort",), np.zeros(1, bool))])  # fmt: skip
    for measure, value in [("score_0", 0), ("score_1", 0), ("score_2", 1), ("score_3", 1),
                           ("score_4", 0), ("score_total", 5), ("k", 2)]:  # fmt: skip
        assert interval(result, 0, measure) == (value, value)  # mean 5 / 2 = 2.5, recovered


def test_secondary_cells_need_no_room_of_their_own():
    # B (6) is hidden only to protect C: its own count may stay narrow (3–6 above): only
    # small groups must be protected (τ-ARGUS's primary cells)
    table = routes([12, 6, 3, 0], [9, 4, 2, 0])
    protected = protect_family(table, ["cohort", "access_route"], small_group=5)
    q = protected.quantities
    assert q.loc[q["row"] == 1, "required"].eq(0).all() and q.loc[q["row"] == 2, "sensitive"].all()


# -- the rule --------------------------------------------------------------------------------------
def test_protection_width_is_a_rule_with_a_french_message(tmp_path):
    assert Rules().protection_width == 3
    with pytest.raises(CcAnalyticsError, match="la largeur de protection doit être un entier ≥ 1"):
        Rules(protection_width=0)
    path = tmp_path / "regles.toml"
    path.write_text("[rules]\nprotection_width = 1\n", encoding="utf-8")
    assert load_rules(path).protection_width == 1


def test_a_wider_protection_hides_more():
    # B 4 (4), C 3 (2) hidden beside A 12 (9): within 1 of each other (see above) — enough
    # for width 1 (not exact), not for width 3
    table = routes([12, 4, 3], [9, 4, 2])
    narrow = protect_family(table, ["cohort", "access_route"], small_group=5, width=1)
    assert narrow.hidden.tolist() == [False, True, True]
    wide = protect_family(table, ["cohort", "access_route"], small_group=5, width=3)
    assert wide.hidden.tolist() == [True, True, True]


# -- the renewal page: blocks by year beside the partial validations ----------------------------
def test_a_small_group_without_the_title_hides_its_blocks_where_they_give_it_away():
    from types import SimpleNamespace

    from cc_analytics.reporting.views.renewal import _block_links

    # 2023: 40 presented, 30 certified (10 without the title); 2024: 40 presented, 37 certified:
    # 3 without the title, a small group. Its partial validations are the block's k minus the
    # certified (every certified validated every block): B1 39 − 37 = 2, B2 38 − 37 = 1
    blocks = pd.DataFrame({"year": [2023] * 3 + [2024] * 3, "level": ["block", "block", "title"] * 2,
                           "code": ["B1", "B2", "TITLE"] * 2, "n": [40] * 6,
                           "k": [36, 33, 30, 39, 38, 37]})  # fmt: skip
    options = _block_links(blocks, SimpleNamespace(rules=Rules()))
    assert options["primary"].tolist() == [False, False, False, True, True, False]
    out, result = protect_published(blocks, ["year"], Rules(), **options)
    # the overall total (2023 + 2024) would give 2024's B1 and B2 back from 2023's: 2023's
    # blocks go too. Then B1(2023) + B1(2024) = 75 with B1(2024) between 37 and 40 (the
    # certified, and the certified + 3) and B1(2023) between 30 and 40: B1(2024) in 37–40
    assert out["suppressed"].tolist() == [True, True, False, True, True, False]
    assert interval(result, 3) == (37, 40) and interval(result, 4) == (37, 40)
    assert result.passed


# -- the index of the main job ---------------------------------------------------------------------
def test_the_index_repeats_what_each_page_says_of_its_audit(tmp_path):
    from cc_analytics.build.index import _disclosure

    page = tmp_path / "review.html"
    page.write_text("<footer class='provenance'><dl><dt>Règles</dt><dd>x</dd><dt>Contrôle des "
                    "petits effectifs</dt><dd>réussi (largeur 3) — 3 masquée(s) &amp; 6</dd>"
                    "</dl></footer>", encoding="utf-8")  # fmt: skip
    assert _disclosure(page) == "réussi (largeur 3) — 3 masquée(s) & 6"
    (tmp_path / "cohort.html").write_text("<dl><dt>Règles</dt><dd>x</dd></dl>", encoding="utf-8")
    assert _disclosure(tmp_path / "cohort.html") == ""
    assert _disclosure(tmp_path / "missing.html") == ""


# -- the demo: what a reader can do with every external metrics table ----------------------------
SCORES = ["score_0", "score_1", "score_2", "score_3", "score_4"]
GROUPINGS = [[], ["cohort"], ["access_route"], ["site"], ["year"], ["site", "access_route"],
             ["year", "access_route"]]  # fmt: skip


def reader_attack(fine: pd.DataFrame, by: list[str], margins: list[tuple[list[str], pd.DataFrame]],
                  hidden: np.ndarray, codes: list[str]) -> pd.DataFrame:  # fmt: skip
    """From published numbers only: for each hidden count of ``fine`` (k and, on competencies,
    the distribution), its smallest and largest value given every visible total of ``margins``
    (a reader's linear programs), 0 ≤ count ≤ n, the distribution adding up to n and, under
    co-validation, the acquired at most those scored ≥ 2."""
    rows = []
    for code in codes:
        part = fine[fine["code"] == code]
        measures = ["k", *SCORES] if part["level"].iloc[0] == "competency" else ["k"]
        index = [i for i, h in zip(part.index, hidden[part.index], strict=True) if h]
        unknown = {(i, m): j for j, (i, m) in enumerate((i, m) for i in index for m in measures)}
        equal, rhs, upper = [], [], []
        for columns, table in margins:
            for _, cell in table[(table["code"] == code) & ~table["suppressed"]].iterrows():
                members = part.index[(part[columns] == cell[columns]).all(axis=1)] if columns \
                    else part.index  # fmt: skip
                for m in measures:
                    row, value = np.zeros(len(unknown)), float(cell[m])
                    for i in members:
                        if (i, m) in unknown:
                            row[unknown[i, m]] = 1
                        else:
                            value -= float(part.loc[i, m])  # a visible cell
                    if row.any():
                        equal.append(row)
                        rhs.append(value)
        for i in index if len(measures) > 1 else []:
            row = np.zeros(len(unknown))
            row[[unknown[i, s] for s in SCORES]] = 1
            equal.append(row)
            rhs.append(float(part.loc[i, "n"]))
            row = np.zeros(len(unknown))
            row[unknown[i, "k"]] = 1
            row[[unknown[i, s] for s in SCORES[2:]]] = -1
            upper.append(row)
        bounds = [(0, float(part.loc[i, "n"])) for i, _ in unknown]
        system = {"A_eq": np.array(equal) if equal else None, "b_eq": rhs or None,
                  "A_ub": np.array(upper) if upper else None,
                  "b_ub": [0.0] * len(upper) or None, "bounds": bounds}  # fmt: skip
        for (i, m), j in unknown.items():
            c = np.zeros(len(unknown))
            c[j] = 1
            low = linprog(c, **system).fun
            high = -linprog(-c, **system).fun
            rows.append((code, i, m, np.ceil(low - 1e-6), np.floor(high + 1e-6)))
    return pd.DataFrame(rows, columns=["code", "row", "measure", "low", "high"])


@pytest.mark.slow
def test_no_hidden_count_of_the_demo_metrics_can_be_worked_out(tmp_path):
    from cc_analytics.reporting.context import DISCLOSURE_KEY, load_context
    from cc_analytics.reporting.tables import metrics_table
    from tests.fixtures import processed_dataset

    demo = processed_dataset(tmp_path / "proj" / "data" / "raw" / "demo")
    ctx = load_context(demo)
    by = ["cohort", "access_route"]
    fine = metrics_table(ctx, by, external=True)  # what is published: hidden cells are empty
    truth = metrics_table(ctx, by)  # the true values, to name what the reader works out
    margins = [(g, metrics_table(ctx, g, external=True)) for g in GROUPINGS]
    assert "réussi" in ctx.provenance()[DISCLOSURE_KEY]
    site_year = ctx.results.candidates.groupby(by)[["site", "year"]].first().reset_index()
    fine = fine.merge(site_year, on=by, how="left")
    hidden = fine["suppressed"].to_numpy(bool)
    assert hidden.sum() > (fine["small_group"]).sum()  # more than the small groups
    codes = ["TITLE", "B2", "B1A1C1", "B3A3C4"]  # the title, a block, two competencies
    published = fine.assign(**{c: truth[c] for c in ["k", *SCORES]})  # only visible ones used
    seen = reader_attack(published, by, margins, hidden, codes)
    # what the totals alone allow: the same attack with every cell of the table hidden
    alone = reader_attack(published, by, margins, np.ones(len(fine), bool), codes)
    seen = seen.merge(alone, on=["code", "row", "measure"], suffixes=("", "_totals"))
    small = fine["small_group"].to_numpy(bool)[seen["row"]]
    required = np.minimum(3, seen["high_totals"] - seen["low_totals"])
    narrow = seen[small & (seen["high"] - seen["low"] < required)]
    assert narrow.empty, narrow
    assert len(seen[small]) > 150  # the attack did look at the hidden counts of small groups

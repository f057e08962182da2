"""The quality review: trends across the cohorts of each site, with their tests."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...core.labels import (
    NO_SITE,
)
from ...engine.aggregates import aggregate
from ...engine.agreement import OVERALL, agreement, score_pairs
from ...engine.stats import wilson_interval
from ...engine.trends import CONFIRMED, WATCH, rules_fr
from .. import formatting as fr
from ..context import ReportContext
from ..tables import trends_table
from .common import (
    HIDDEN_FIGURE,
    ITEM_ORDER,
    block_names,
    cohort_order,
    describe_period,
    guarded,
    hidden_for_size,
    key_figures_frame,
    period_results,
    routes_by_year,
    with_items,
)


@dataclass(frozen=True)
class ReviewView:
    period: str  # what the report covers, in French
    sites: list[str]
    cohorts: pd.DataFrame  # per site and cohort: title and blocks, with trends
    competencies: pd.DataFrame  # per site and cohort: competencies, with trends and ``signal``
    routes: pd.DataFrame  # title by access route and year
    agreement: (
        pd.DataFrame
    )  # overall per site and cohort (``n``: candidates; ``year``: earliest promotion year)
    changes: pd.DataFrame  # the ``cc-analytics trends`` table: each item, cohort vs previous
    never_evaluated: pd.DataFrame  # competencies never evaluated in the period
    missing_from_referentiel: pd.DataFrame  # activities/competencies the source does not give
    key_figures: pd.DataFrame  # « Chiffres clés » at the top: see :func:`review_key_figures`

    @property
    def trend_note(self) -> str:
        """Which sites have a single cohort in the period (nothing to compare), or ``""``."""
        counts = self.cohorts.groupby("site")["cohort"].nunique()
        single = counts[counts < 2].index.tolist()
        if not single:
            return ""
        which = "le site " if len(single) == 1 else "les sites "
        return (f"Une seule cohorte dans la période pour {which}{', '.join(single)} : pas "
                "d'évolution à mesurer. Élargissez la période pour suivre une tendance ; la "
                "comparaison des cohortes ci-dessous reste lisible.")  # fmt: skip

    @property
    def to_examine(self) -> pd.DataFrame:
        """Changes confirmed after correction, then those « à surveiller » (raw p < 0.05 only),
        by site and cohort, title first."""
        # ``changes`` lists each site's cohorts in time order: keep that order
        in_time = {c: i for i, c in enumerate(dict.fromkeys(self.changes["cohort"]))}
        rows = self.changes[self.changes["reading"] != ""]
        rows = rows.assign(_confirmed=~rows["flagged"], _cohort=rows["cohort"].map(in_time),
                           _level=rows["level"].map(ITEM_ORDER))  # fmt: skip
        rows = rows.sort_values(["_confirmed", "site", "_cohort", "_level"], kind="stable")
        return rows.drop(columns=["_confirmed", "_cohort", "_level"]).reset_index(drop=True)

    @property
    def trend_rules(self) -> str:
        """How changes are tested, corrected and read, in French."""
        return rules_fr(["site"])

    @property
    def trend_summary(self) -> str:
        """How many comparisons and tests were made, and what came out, in French."""
        changes = self.changes
        comparisons, tests = changes["family"].nunique(), int((changes["test"] != "").sum())
        confirmed = int(changes["flagged"].sum())
        watch = int((changes["reading"] == WATCH).sum())
        if not tests:
            return "Aucun test d'évolution : pas deux cohortes successives d'un même site."
        return (f"{comparisons} comparaison(s) d'une cohorte à la précédente du même site, "
                f"{tests} tests : {confirmed} {CONFIRMED}, {watch} {WATCH} (valeur p brute "
                "inférieure à 0,05 mais non confirmée après correction). Même sans aucune "
                "évolution réelle, environ un test sur vingt passe sous 0,05 : c'est pourquoi "
                "seule la valeur p ajustée confirme un écart.")  # fmt: skip

    def cohorts_of(self, site: str) -> pd.DataFrame:
        """Title and block rows of one site, in cohort order (one line per item in a chart)."""
        return self.cohorts[self.cohorts["site"] == site].reset_index(drop=True)


#: Changes in tables and cells: ▲/▼ confirmed after correction, △/▽ only « à surveiller ».
SIGNALS = [f"▲ hausse : {CONFIRMED}", f"▼ baisse : {CONFIRMED}", f"△ hausse {WATCH}",
           f"▽ baisse {WATCH}"]  # fmt: skip
#: Trend columns the review's cohort and competency tables carry (``trends`` table names).
TREND_FIELDS = ["previous_cohort", "rate_previous", "difference", "diff_ci_low", "diff_ci_high",
                "test", "p_value", "p_adjusted", "flagged", "reading", "signal"]  # fmt: skip


def review_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                site: str | None = None) -> ReviewView:  # fmt: skip
    """Trends across cohorts, per site: title, blocks, competencies, routes, agreement."""
    results = period_results(ctx, years, site)
    results = replace(results, candidates=results.candidates.assign(
        site=results.candidates["site"].fillna(NO_SITE)))  # fmt: skip
    order = cohort_order(ctx)
    raw = aggregate(results, ctx.referentiel, by=["site", "cohort"])
    table = guarded(ctx, raw, siblings=["site", "level", "code"], population=results.candidates)
    # the ``trends`` command's table, withholding every comparison that touches a cell this
    # page hides (a hidden rate would follow from the difference, its interval or the p-value)
    changes = trends_table(ctx, ["site"], metrics=raw.assign(suppressed=table["suppressed"]))
    names = block_names(ctx)
    changes = with_items(changes.assign(signal=_signals(changes)), names)
    keys = ["site", "cohort", "level", "code"]
    table = table.merge(changes[[*keys, *TREND_FIELDS]], on=keys, how="left", validate="1:1")
    table = table.assign(flagged=table["flagged"].fillna(False).astype(bool),
                         reading=table["reading"].fillna(""), signal=table["signal"].fillna(""))  # fmt: skip
    table = with_items(table, names)
    table = table.assign(_cohort=table["cohort"].map(order),
                         _level=table["level"].map(ITEM_ORDER))  # fmt: skip
    table = table.sort_values(["site", "_cohort", "_level"], kind="stable")
    cohorts = table[table["level"] != "competency"].drop(columns=["_cohort", "_level"])
    competencies = table[table["level"] == "competency"].drop(columns=["_cohort", "_level"])

    agree = agreement(results, ctx.referentiel, by=["site", "cohort"])
    agree = agree[agree["code"] == OVERALL]
    people = score_pairs(results, ["site", "cohort", "candidate_id"]).groupby(
        ["site", "cohort"])["candidate_id"].nunique().rename("candidates")  # fmt: skip
    agree = agree.merge(people, left_on=["site", "cohort"], right_index=True, how="left")
    # small groups are about people: a cohort of 3 candidates gives dozens of score pairs
    first_year = ctx.results.candidates.groupby("cohort")["year"].min()
    agree = agree.assign(n=agree["candidates"].fillna(0).astype(np.int64),
                         year=agree["cohort"].map(first_year).astype("Int64"),
                         _order=agree["cohort"].map(order))  # fmt: skip
    agree = agree.sort_values(["site", "_order"]).drop(columns="_order").reset_index(drop=True)
    agree = guarded(ctx, agree, siblings=[])
    agree["reading"] = agree["reading"].where(~agree["suppressed"], "masqué")

    counts = results.evaluated.sum(axis=0)
    never = ctx.referentiel.competencies.loc[counts == 0, ["code", "block", "label"]]
    gaps = ctx.referentiel.gaps
    missing = gaps[gaps["what"].isin(["compétence", "activité"])][["code", "what", "note"]]
    return ReviewView(
        period=describe_period(years, site),
        sites=sorted(results.candidates["site"].unique().tolist()),
        cohorts=cohorts.reset_index(drop=True), competencies=competencies.reset_index(drop=True),
        # the renewal page publishes the same table: hide the same cells in both pages
        routes=routes_by_year(ctx, results, True), agreement=agree, changes=changes,
        never_evaluated=never.reset_index(drop=True),
        missing_from_referentiel=missing.reset_index(drop=True),
        key_figures=review_key_figures(raw[raw["level"] == "title"], changes,
                                       ctx.rules.small_group, ctx.external),
    )  # fmt: skip


def review_key_figures(title: pd.DataFrame, changes: pd.DataFrame, small_group: int,
                       external: bool) -> pd.DataFrame:  # fmt: skip
    """The review's « Chiffres clés »: cohorts with candidates presented, candidates
    presented to the title, the title obtained (with its interval), the changes confirmed
    after correction.

    ``title``: the title row of each site and cohort of the period, before any hiding (``n``
    presented, ``k`` obtained; the cohorts share no candidate, so they add up to the period);
    ``changes``: the page's trends table. In an external document the period's rate is hidden
    when fewer than ``small_group`` candidates were presented, as any small group's.
    """
    n, k = int(title["n"].sum()), int(title["k"].sum())
    presented = title[title["n"] > 0]  # a cohort with nobody presented has no rate to compare
    cohorts, sites = presented["cohort"].nunique(), presented["site"].nunique()
    rows = [("Cohortes de la période", fr.number(cohorts),
             f"sur {fr.number(sites)} site{'s' if sites > 1 else ''}, avec des candidats "
             "présentés au titre", float(cohorts)),
            ("Candidats présentés au titre", fr.number(n), "toutes les cohortes de la période",
             float(n))]  # fmt: skip
    if n == 0:
        rows.append(("Titre obtenu", fr.MISSING, "aucun candidat présenté au titre", np.nan))
    elif hidden_for_size(n, small_group, external):
        rows.append(("Titre obtenu", HIDDEN_FIGURE,
                     f"petit effectif : moins de {small_group} candidats présentés", np.nan))  # fmt: skip
    else:
        low, high = wilson_interval(k, n)
        rows.append(("Titre obtenu", fr.percent(k / n),
                     f"{fr.number(k)} sur {fr.number(n)} · IC 95\u00a0% "
                     f"{fr.interval(float(low), float(high))}", k / n))  # fmt: skip
    tests = int((changes["test"] != "").sum())
    confirmed = int(changes["flagged"].sum())
    watch = int((changes["reading"] == WATCH).sum())
    if tests:
        rows.append(("Écarts confirmés après correction", fr.number(confirmed),
                     f"sur {fr.number(tests)} tests d'une cohorte à la précédente du même site "
                     f"; {fr.number(watch)} {WATCH}", float(confirmed)))  # fmt: skip
    else:
        rows.append(("Écarts confirmés après correction", fr.MISSING,
                     "aucun test : pas deux cohortes successives d'un même site", np.nan))  # fmt: skip
    return key_figures_frame(rows)


def _signals(changes: pd.DataFrame) -> pd.Series:
    """▲/▼ where a change is confirmed after correction, △/▽ where it is « à surveiller »."""
    up, flagged = changes["difference"] > 0, changes["flagged"]
    watch = changes["reading"] == WATCH
    signals = np.select([flagged & up, flagged, watch & up, watch], SIGNALS, default="")
    return pd.Series(signals, index=changes.index, dtype=object)

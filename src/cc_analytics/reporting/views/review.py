"""The quality review: trends across the cohorts of each site, with their tests."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...core.labels import (
    NO_SITE,
)
from ...engine.aggregates import aggregate, trends
from ...engine.agreement import OVERALL, agreement, score_pairs
from ..context import ReportContext
from .common import (
    ITEM_ORDER,
    cohort_order,
    describe_period,
    guarded,
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
    significant: pd.DataFrame  # significant changes only
    never_evaluated: pd.DataFrame  # competencies never evaluated in the period
    missing_from_referentiel: pd.DataFrame  # activities/competencies the source does not give

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

    def cohorts_of(self, site: str) -> pd.DataFrame:
        """Title and block rows of one site, in cohort order (one line per item in a chart)."""
        return self.cohorts[self.cohorts["site"] == site].reset_index(drop=True)


SIGNALS = {1: "▲ hausse significative", -1: "▼ baisse significative", 0: ""}


def review_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                site: str | None = None) -> ReviewView:  # fmt: skip
    """Trends across cohorts, per site: title, blocks, competencies, routes, agreement."""
    results = period_results(ctx, years, site)
    results = replace(results, candidates=results.candidates.assign(
        site=results.candidates["site"].fillna(NO_SITE)))  # fmt: skip
    order = cohort_order(ctx)
    table = aggregate(results, ctx.referentiel, by=["site", "cohort"])
    table = trends(table, order, site="site", min_n=ctx.rules.small_group)
    table = guarded(ctx, table, siblings=["site", "level", "code"])
    table = _hide_recomputable_changes(table, order)
    table["signal"] = np.sign(table["change"].fillna(0)).where(table["significant"], 0).map(
        SIGNALS)  # fmt: skip
    table = with_items(table)
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

    significant = table[table["significant"]].sort_values(
        ["site", "_cohort", "_level", "code"], kind="stable")  # fmt: skip
    significant = significant.drop(columns=["_cohort", "_level"]).reset_index(drop=True)

    counts = results.evaluated.sum(axis=0)
    never = ctx.referentiel.competencies.loc[counts == 0, ["code", "block", "label"]]
    gaps = ctx.referentiel.gaps
    missing = gaps[gaps["what"].isin(["compétence", "activité"])][["code", "what", "note"]]
    return ReviewView(
        period=describe_period(years, site),
        sites=sorted(results.candidates["site"].unique().tolist()),
        cohorts=cohorts.reset_index(drop=True), competencies=competencies.reset_index(drop=True),
        # the renewal page publishes the same table: hide the same cells in both pages
        routes=routes_by_year(ctx, results, True), agreement=agree, significant=significant,
        never_evaluated=never.reset_index(drop=True),
        missing_from_referentiel=missing.reset_index(drop=True),
    )  # fmt: skip


def _hide_recomputable_changes(table: pd.DataFrame, order: pd.Series) -> pd.DataFrame:
    """Blank the change against the previous cohort when either side is suppressed.

    A hidden rate could otherwise be read back as previous rate + change (or rate − change).
    """
    keys = ["site", "level", "code"]
    ranked = table.assign(_order=table["cohort"].map(order))
    ranked = ranked.sort_values([*keys, "_order"], kind="stable")
    previous = ranked.groupby(keys, sort=False, dropna=False)["suppressed"].shift(1)
    hide = table["suppressed"] | previous.reindex(table.index).fillna(False).astype(bool)
    out = table.copy()
    out[["previous_rate", "change", "p_value"]] = out[["previous_rate", "change",
                                                       "p_value"]].mask(hide)  # fmt: skip
    out["significant"] = out["significant"] & ~hide
    return out

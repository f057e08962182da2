"""The tables each report shows, computed by the library so notebooks only display them.

Every function takes a :class:`~cc_analytics.context.ReportContext` and returns plain
DataFrames (one per chart or table). In external reports (``ctx.external``) candidate-level
views are pseudonymous and small groups are hidden (see :mod:`cc_analytics.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .aggregates import TITLE, aggregate, trends
from .agreement import OVERALL, agreement
from .context import ReportContext, require_cohort
from .privacy import flag_small_groups, protect
from .promotions import promotion_statistics
from .results import NO_SCORE, Results, compute_results
from .schemas import ACCESS_ROUTES

WEAKEST = 3  # competencies flagged in a cohort report


def _subset(ctx: ReportContext, mask: pd.Series) -> Results:
    candidates = ctx.tables.candidates[mask.to_numpy()]
    scores = ctx.tables.scores[ctx.tables.scores["candidate_id"].isin(candidates["candidate_id"])]
    return compute_results(candidates, scores, ctx.referentiel, ctx.rules)


def _protected(ctx: ReportContext, table: pd.DataFrame, siblings: list[str]) -> pd.DataFrame:
    if ctx.external:
        return protect(table, ctx.rules.small_group, siblings=siblings)
    return flag_small_groups(table, ctx.rules.small_group).assign(suppressed=False)


def criteria_of(ctx: ReportContext, competency: str) -> list[str]:
    """Evaluation criteria written for the competency's activity (grid row) in the referentiel."""
    comps = ctx.referentiel.competencies.set_index("code")
    activity = comps.loc[competency, "activity"]
    criteria = ctx.referentiel.criteria
    return criteria.loc[criteria["activity"] == activity, "text"].drop_duplicates().tolist()


# -- cohort report ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CohortView:
    cohort: str
    headline: pd.DataFrame  # indicator, n, k, rate, ci_low, ci_high
    blocks: pd.DataFrame
    competencies: pd.DataFrame  # ranked, with ``weak`` and ``criteria``
    distribution: pd.DataFrame  # competency rows with score_0..score_4
    heatmap: pd.DataFrame  # pseudonym x competency, final jury scores (NaN: none)
    agreement: pd.DataFrame
    routes: pd.DataFrame  # title and blocks by access route
    quality: pd.DataFrame  # indicator, value


def cohort_view(ctx: ReportContext, cohort: str) -> CohortView:
    require_cohort(ctx, cohort)
    mask = ctx.tables.candidates["cohort"] == cohort
    results = _subset(ctx, mask)
    table = aggregate(results, ctx.referentiel, by=[])
    title = table[table["level"] == "title"].iloc[0]
    blocks = table[table["level"] == "block"].reset_index(drop=True)
    competencies = table[table["level"] == "competency"].reset_index(drop=True)

    any_block = results.block_validated.any(axis=1)
    presented = int(title["n"])
    headline = pd.DataFrame([
        _indicator("Candidats présentés au titre", len(results.candidates), presented),
        _indicator("Titre obtenu", presented, int(title["k"])),
        _indicator("Au moins un bloc validé", presented, int(any_block.sum())),
        _indicator("Blocs validés sans le titre", presented,
                   int((any_block & ~results.title_obtained).sum())),
    ])  # fmt: skip

    ranked = competencies.sort_values(["rate", "code"], na_position="last", kind="stable")
    ranked = ranked.reset_index(drop=True)
    # the WEAKEST lowest rates, ties included: flagging one of two equal rates would be arbitrary
    cutoff = ranked["rate"].dropna().nsmallest(WEAKEST).max()
    weak = ranked["rate"].notna() & (ranked["rate"] <= cutoff)
    ranked = ranked.assign(
        rank=np.arange(1, len(ranked) + 1),
        weak=weak.to_numpy(),
        criteria=[criteria_of(ctx, c) if w else [] for c, w in zip(ranked["code"], weak, strict=True)],
    )  # fmt: skip

    heat = pd.DataFrame(np.where(results.jury == NO_SCORE, np.nan, results.jury),
                        columns=results.competencies)  # fmt: skip
    heat.index = pd.Index(ctx.pseudonym(results.candidates["candidate_id"]), name="candidat")
    heat = heat.sort_index()

    by_route = aggregate(results, ctx.referentiel, by=["access_route"])
    by_route = by_route[by_route["level"] != "competency"].reset_index(drop=True)
    by_route["route_label"] = by_route["access_route"].map(ACCESS_ROUTES)
    routes = _protected(ctx, by_route, siblings=["level", "code"])

    return CohortView(
        cohort=cohort, headline=headline, blocks=blocks, competencies=ranked,
        distribution=competencies, heatmap=heat,
        agreement=agreement(results, ctx.referentiel), routes=routes,
        quality=quality_summary(ctx, mask),
    )  # fmt: skip


def _indicator(name: str, n: int, k: int) -> dict[str, object]:
    from .stats import wilson_interval

    low, high = wilson_interval(k, n)
    return {"indicator": name, "n": n, "k": k, "rate": k / n if n else np.nan,
            "ci_low": float(low), "ci_high": float(high)}  # fmt: skip


def quality_summary(ctx: ReportContext, mask: pd.Series | None = None) -> pd.DataFrame:
    """What the gate and the data say about completeness, for the candidates in ``mask``."""
    candidates = ctx.tables.candidates if mask is None else ctx.tables.candidates[mask]
    scores = ctx.tables.scores[ctx.tables.scores["candidate_id"].isin(candidates["candidate_id"])]
    jury = scores[scores["evaluator"] == "jury"]
    cells = jury.dropna(subset=["score"]).groupby(["candidate_id", "competency"]).size()
    expected = len(candidates) * len(ctx.referentiel.competencies)
    immersion = candidates.loc[candidates["immersion"], "candidate_id"]
    with_employer = scores.loc[(scores["evaluator"] == "entreprise") & scores["score"].notna(),
                               "candidate_id"].unique()  # fmt: skip
    rows = [
        ("Contrôle des données (Great Expectations et contrôles croisés)", "réussi"),
        ("Candidats", len(candidates)),
        ("Notes lues (jury et entreprise)", len(scores)),
        ("Notes jury attendues (candidats × compétences)", expected),
        ("Compétences sans note jury (absences, non évaluées)", expected - len(cells)),
        ("Notes jury de rattrapage (sessions ultérieures)", int((cells > 1).sum())),
        ("Candidats en immersion sans aucune note entreprise",
         int((~immersion.isin(with_employer)).sum())),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["indicator", "value"])


# -- quality review across cohorts -------------------------------------------------------------
@dataclass(frozen=True)
class ReviewView:
    cohorts: pd.DataFrame  # per site and cohort: title and blocks, with trends
    competencies: pd.DataFrame  # per site and cohort: competencies, with trends
    routes: pd.DataFrame  # title by access route and year
    agreement: pd.DataFrame  # overall agreement per cohort
    significant: pd.DataFrame  # significant changes only
    never_evaluated: pd.DataFrame  # competencies never evaluated in the period


def _period_mask(ctx: ReportContext, years: tuple[int, int] | None, site: str | None) -> pd.Series:
    cands = ctx.results.candidates
    mask = pd.Series(True, index=cands.index)
    if years:
        mask &= cands["year"].between(*years)
    if site:
        mask &= cands["site"] == site
    return mask


def cohort_order(ctx: ReportContext) -> pd.Series:
    """Cohorts in time order: by their first jury session, then by name."""
    first = ctx.results.candidates.groupby("cohort")["year"].min()
    return pd.Series(range(len(first)), index=first.sort_values(kind="stable").index)


def review_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                site: str | None = None) -> ReviewView:  # fmt: skip
    mask = _period_mask(ctx, years, site)
    results = _subset(ctx, mask)
    order = cohort_order(ctx)
    table = aggregate(results, ctx.referentiel, by=["site", "cohort"])
    table = trends(table, order, site="site", min_n=ctx.rules.small_group)
    table = _protected(ctx, table, siblings=["site", "level", "code"])
    table["significant"] &= ~table["suppressed"]
    cohorts = table[table["level"] != "competency"].reset_index(drop=True)
    competencies = table[table["level"] == "competency"].reset_index(drop=True)

    routes = aggregate(results, ctx.referentiel, by=["year", "access_route"])
    routes = routes[routes["level"] == "title"].reset_index(drop=True)
    routes = _protected(ctx, routes, siblings=["year", "level", "code"])

    agree = agreement(results, ctx.referentiel, by=["cohort"])
    agree = agree[agree["code"] == OVERALL].assign(n=lambda t: t["pairs"])
    agree = _protected(ctx, agree.assign(_order=agree["cohort"].map(order)).sort_values("_order")
                       .drop(columns="_order").reset_index(drop=True), siblings=[])  # fmt: skip

    significant = table[table["significant"]].sort_values("p_value").reset_index(drop=True)
    counts = results.evaluated.sum(axis=0)
    never = ctx.referentiel.competencies.loc[counts == 0, ["code", "label"]].reset_index(drop=True)
    return ReviewView(cohorts, competencies, routes, agree, significant, never)


# -- RNCP renewal evidence --------------------------------------------------------------------
@dataclass(frozen=True)
class RenewalView:
    promotions: pd.DataFrame
    routes: pd.DataFrame  # title by year and access route
    blocks: pd.DataFrame  # blocks by year
    modalities: pd.DataFrame  # block, level, text
    criteria: pd.DataFrame  # block, activity, text
    published: pd.DataFrame | None  # the fiche's published statistics beside ours
    enough_promotions: bool


COMPARED = ("NOMBRE_CERTIFIES", "NOMBRE_CERTIFIES_VAE", "TAUX_INSERTION_GLOBAL_6MOIS",
            "TAUX_INSERTION_METIER_6MOIS", "TAUX_INSERTION_GLOBAL_2ANS",
            "TAUX_INSERTION_METIER_2ANS")  # fmt: skip


def renewal_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                 rncp_export: str | None = None, fiche: str | None = None) -> RenewalView:  # fmt: skip
    mask = _period_mask(ctx, years, None)
    results = _subset(ctx, mask)
    promotions = promotion_statistics(results, ctx.tables.insertion)
    if ctx.external:
        promotions = _protect_promotions(promotions, ctx.rules.small_group)
    routes = aggregate(results, ctx.referentiel, by=["year", "access_route"])
    routes = _protected(ctx, routes[routes["level"] == "title"].reset_index(drop=True),
                        siblings=["year", "level", "code"])  # fmt: skip
    blocks = aggregate(results, ctx.referentiel, by=["year"])
    blocks = _protected(ctx, blocks[blocks["level"] != "competency"].reset_index(drop=True),
                        siblings=["level", "code"])  # fmt: skip
    published = None
    if rncp_export:
        from .rncp_import import read_statistics

        published = compare_published(promotions, read_statistics(rncp_export, fiche))
    return RenewalView(
        promotions=promotions, routes=routes, blocks=blocks,
        modalities=ctx.referentiel.modalities, criteria=ctx.referentiel.criteria,
        published=published, enough_promotions=int((promotions["NOMBRE_CERTIFIES"] > 0).sum()) >= 2,
    )  # fmt: skip


def _protect_promotions(promotions: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide insertion rates computed on fewer than ``threshold`` people."""
    out = promotions.copy()
    for suffix in ("6MOIS", "2ANS"):
        base = out[f"REPONDANTS_{suffix}"] - out[f"NEUTRALISES_{suffix}"]
        small = (base > 0) & (base < threshold)
        for column in (f"TAUX_INSERTION_GLOBAL_{suffix}", f"TAUX_INSERTION_METIER_{suffix}"):
            out[column] = out[column].mask(small)
    return out


def compare_published(ours: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Long table: year, field, our value, published value, difference (ours − published)."""
    left = ours.melt(id_vars="ANNEE", value_vars=list(COMPARED), var_name="field",
                     value_name="ours")  # fmt: skip
    right = published.melt(id_vars="ANNEE", value_vars=list(COMPARED), var_name="field",
                           value_name="published")  # fmt: skip
    out = left.merge(right, on=["ANNEE", "field"], how="outer").sort_values(["ANNEE", "field"])
    out["ours"] = pd.to_numeric(out["ours"]).astype("Float64")
    out["published"] = pd.to_numeric(out["published"]).astype("Float64")
    out["difference"] = out["ours"] - out["published"]
    return out.reset_index(drop=True)


def title_code() -> str:
    return TITLE

"""The cohort report: headline, blocks, competencies ranked, scores, agreement, routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.labels import ACCESS_ROUTES, LEVELS, NAME_ABSENT, UNKNOWN_ROUTE
from ...engine.aggregates import aggregate
from ...engine.agreement import OVERALL, OVERALL_LABEL, agreement, score_pairs
from ...engine.results import NO_SCORE, Results
from ...engine.stats import wilson_interval
from ..context import ReportContext, require_cohort
from .common import block_names, protected, subset

WEAKEST = 3  # competencies flagged in a cohort report


def criteria_of(ctx: ReportContext, competency: str) -> list[str]:
    """Evaluation criteria written for the competency's activity (grid row) in the referentiel."""
    comps = ctx.referentiel.competencies.set_index("code")
    activity = comps.loc[competency, "activity"]
    criteria = ctx.referentiel.criteria
    return criteria.loc[criteria["activity"] == activity, "text"].drop_duplicates().tolist()


@dataclass(frozen=True)
class CohortView:
    cohort: str
    headline: pd.DataFrame  # indicator, n, k, rate, ci_low, ci_high (NaN unless ``estimate``)
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
    results = subset(ctx, mask)
    table = aggregate(results, ctx.referentiel, by=[])
    title = table[table["level"] == "title"].iloc[0]

    any_block = results.block_validated.any(axis=1)
    presented = int(title["n"])
    headline = pd.DataFrame([
        # every candidate of the cohort is counted: a census, not an estimate
        _indicator("Candidats présentés au titre", len(results.candidates), presented,
                   estimate=False),
        _indicator("Titre obtenu", presented, int(title["k"])),
        _indicator("Au moins un bloc validé", presented, int(any_block.sum())),
        _indicator("Blocs validés sans le titre", presented,
                   int((any_block & ~results.title_obtained).sum())),
    ])  # fmt: skip

    # the cohort's own rates, score counts and means go through the disclosure audit like
    # every external table: a cohort under the small-group size shows none of them (flagged
    # only in an internal report)
    table = protected(ctx, table, [], by=[], population=ctx.tables.candidates[mask])
    blocks = table[table["level"] == "block"].reset_index(drop=True)
    blocks = blocks.assign(item=item_names(blocks, block_names(ctx)))
    competencies = table[table["level"] == "competency"].reset_index(drop=True)

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
    if ctx.external:  # individual results never leave the training body
        heat = heat.iloc[:0]
        headline = protected(ctx, headline, siblings=[])

    routes = route_breakdown(ctx, results, population=ctx.tables.candidates[mask])

    return CohortView(
        cohort=cohort, headline=headline, blocks=blocks, competencies=ranked,
        distribution=competencies, heatmap=heat,
        agreement=_hide_reading(protected(ctx, _agreement_with_people(results, ctx), [])),
        routes=routes,
        quality=quality_summary(ctx, mask),
    )  # fmt: skip


def route_breakdown(ctx: ReportContext, results: Results,
                    population: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Title and blocks by access route, small groups flagged (hidden when external: attacked
    with the totals of ``population``, the candidates ``results`` counts)."""
    by_route = aggregate(results, ctx.referentiel, by=["access_route"])
    by_route = by_route[by_route["level"] != "competency"].reset_index(drop=True)
    by_route["route_label"] = by_route["access_route"].map(ACCESS_ROUTES)
    by_route["route"] = route_names(by_route["access_route"])
    by_route["item"] = item_names(by_route, block_names(ctx))
    return protected(ctx, by_route, siblings=["level", "code"], population=population)


def route_names(codes: pd.Series) -> pd.Series:
    """« CA — contrat d'apprentissage »: the code people know, then what it means."""
    labels = codes.map(ACCESS_ROUTES).fillna(UNKNOWN_ROUTE)
    return codes.astype("object").where(codes.notna(), "").astype(str) + " — " + labels


def item_names(table: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.Series:
    """« Titre » for the title row, « Bloc B1 — Collecter… » (whole title) for a block, and
    the words for a title the source referentiel does not give; with ``names``
    (:func:`~.common.block_names`), « Bloc B1 (RNCP36612BC01) — Collecter… »."""
    labels = table["label"].astype("object").where(table["label"].notna(), "")
    labels = labels.astype(str).str.strip().replace("", NAME_ABSENT)
    codes = table["code"].astype(str)
    codes = codes.map(dict(names)).fillna(codes) if names else codes
    named = LEVELS["block"] + " " + codes + " — " + labels
    return named.where(table["level"] != "title", LEVELS["title"])


def _agreement_with_people(results: Results, ctx: ReportContext) -> pd.DataFrame:
    """Agreement per competency, with ``n``: the candidates scored by both (one pair each per
    competency; for the overall row, the distinct candidates), and ``name``: the competency
    code, or what the overall row pools."""
    table = agreement(results, ctx.referentiel)
    people = score_pairs(results, ["candidate_id"])["candidate_id"].nunique()
    overall = table["code"] == OVERALL
    return table.assign(n=np.where(overall, people, table["pairs"]),
                        name=table["code"].where(~overall, f"Ensemble ({OVERALL_LABEL})"))  # fmt: skip


def _hide_reading(table: pd.DataFrame) -> pd.DataFrame:
    """A hidden kappa's reading goes too: « substantiel » would tell the kappa's band."""
    return table.assign(reading=table["reading"].where(~table["suppressed"], "masqué"))


def _indicator(name: str, n: int, k: int, estimate: bool = True) -> dict[str, object]:
    """One headline figure. Only a rate read as an estimate (of how the training succeeds)
    gets a Wilson interval; a full count of the cohort (``estimate=False``: who presented
    themselves) is exact, and an interval on it would suggest an uncertainty it does not have."""
    low, high = wilson_interval(k, n) if estimate else (np.nan, np.nan)
    return {"indicator": name, "n": n, "k": k, "rate": k / n if n else np.nan,
            "ci_low": float(low), "ci_high": float(high), "estimate": estimate}  # fmt: skip


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

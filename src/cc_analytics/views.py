"""The tables each report shows, computed by the library so notebooks only display them.

Every function takes a :class:`~cc_analytics.context.ReportContext` and returns plain
DataFrames (one per chart or table). In external reports (``ctx.external``) candidate-level
views are pseudonymous and small groups are hidden (see :mod:`cc_analytics.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .aggregates import aggregate, trends
from .agreement import OVERALL, agreement, score_pairs
from .context import ReportContext, require_cohort
from .errors import CcAnalyticsError, Problem
from .privacy import flag_small_groups, protect
from .promotions import promotion_statistics
from .results import NO_SCORE, Results, compute_results
from .schemas import ACCESS_ROUTES, normalise_token
from .stats import wilson_interval

WEAKEST = 3  # competencies flagged in a cohort report


def _subset(ctx: ReportContext, mask: pd.Series) -> Results:
    candidates = ctx.tables.candidates[mask.to_numpy()]
    scores = ctx.tables.scores[ctx.tables.scores["candidate_id"].isin(candidates["candidate_id"])]
    return compute_results(candidates, scores, ctx.referentiel, ctx.rules)


def _protected(ctx: ReportContext, table: pd.DataFrame, siblings: list[str],
               **options: object) -> pd.DataFrame:  # fmt: skip
    """Small groups flagged; in an external report hidden (``options``: see ``protect``)."""
    if ctx.external:
        return protect(table, ctx.rules.small_group, siblings=siblings, **options)
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
    if ctx.external:  # individual results never leave the training body
        heat = heat.iloc[:0]
        headline = _protected(ctx, headline, siblings=[])

    routes = route_breakdown(ctx, results)

    return CohortView(
        cohort=cohort, headline=headline, blocks=blocks, competencies=ranked,
        distribution=competencies, heatmap=heat,
        agreement=_protected(ctx, _agreement_with_people(results, ctx), siblings=[]),
        routes=routes,
        quality=quality_summary(ctx, mask),
    )  # fmt: skip


def route_breakdown(ctx: ReportContext, results: Results) -> pd.DataFrame:
    """Title and blocks by access route, small groups flagged (hidden when external)."""
    by_route = aggregate(results, ctx.referentiel, by=["access_route"])
    by_route = by_route[by_route["level"] != "competency"].reset_index(drop=True)
    by_route["route_label"] = by_route["access_route"].map(ACCESS_ROUTES)
    return _protected(ctx, by_route, siblings=["level", "code"])


def _agreement_with_people(results: Results, ctx: ReportContext) -> pd.DataFrame:
    """Agreement per competency, with ``n``: the candidates scored by both (one pair each per
    competency; for the overall row, the distinct candidates)."""
    table = agreement(results, ctx.referentiel)
    people = score_pairs(results, ["candidate_id"])["candidate_id"].nunique()
    return table.assign(n=np.where(table["code"] == OVERALL, people, table["pairs"]))


def _indicator(name: str, n: int, k: int) -> dict[str, object]:
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


# -- shared by the quality review and the renewal evidence -------------------------------------
NO_SITE = "site non renseigné"
NAME_ABSENT = "intitulé absent de la source"
ITEM_ORDER = {"title": 0, "block": 1, "competency": 2}


def _period_mask(ctx: ReportContext, years: tuple[int, int] | None, site: str | None) -> pd.Series:
    """Candidates whose latest jury session falls in ``years`` (bounds included), of ``site``.

    A candidate without any jury session has no year, so belongs to no period.
    """
    cands = ctx.results.candidates
    mask = pd.Series(True, index=cands.index)
    if years:
        first, last = sorted(int(y) for y in years)
        # ``year`` is nullable: NA would turn the mask into a three-valued one
        mask &= cands["year"].between(first, last).fillna(False).astype(bool)
    if site:
        mask &= (cands["site"] == site).fillna(False).astype(bool)
    return mask


def _period_results(ctx: ReportContext, years: tuple[int, int] | None,
                    site: str | None) -> Results:  # fmt: skip
    mask = _period_mask(ctx, years, site)
    if not mask.any():
        known = ctx.results.candidates["year"].dropna()
        span = f"{int(known.min())}–{int(known.max())}" if len(known) else "aucune"
        raise CcAnalyticsError(Problem(
            "aucun candidat présenté dans la période demandée",
            value=describe_period(years, site),
            hint=f"Années de jury présentes dans les données : {span}",
        ))  # fmt: skip
    return _subset(ctx, mask)


def describe_period(years: tuple[int, int] | None, site: str | None = None) -> str:
    """The period and site a report covers, in French (``2023–2025, site Lyon``)."""
    if years:
        first, last = sorted(int(y) for y in years)
        text = f"année {first}" if first == last else f"années {first} à {last}"
    else:
        text = "toutes les années"
    return text + (f", site {site}" if site else ", tous les sites")


def privacy_note(ctx: ReportContext) -> str:
    """What the reader must know about small groups in this report."""
    n = ctx.rules.small_group
    if ctx.external:
        return (
            f"Document externe : les résultats des groupes de moins de {n} candidats sont "
            "masqués («\u00a0—\u00a0»), ainsi que, lorsque c'est nécessaire, le plus petit groupe voisin, "
            "pour qu'un chiffre masqué ne puisse pas être retrouvé par différence. Les effectifs "
            "restent affichés."
        )
    return (
        f"Usage interne : tous les résultats sont affichés ; les groupes de moins de {n} "
        "candidats sont signalés «\u00a0petit effectif\u00a0» car leurs taux sont très imprécis. "
        "Ce document ne doit pas être diffusé hors de l'organisme."
    )


def _guarded(ctx: ReportContext, table: pd.DataFrame, siblings: list[str],
             **options: object) -> pd.DataFrame:  # fmt: skip
    """:func:`_protected`, plus ``privacy``: why a row is flagged or hidden, in French."""
    out = _protected(ctx, table, siblings, **options)
    small, hidden = out["small_group"].to_numpy(bool), out["suppressed"].to_numpy(bool)
    out["privacy"] = np.select(
        [small & hidden, hidden, small],
        ["masqué : petit effectif", "masqué : protège un petit effectif voisin",
         "petit effectif"],
        default="",
    )  # fmt: skip
    return out


def _items(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``item`` (« Titre », « Bloc B1 », « B1A1C1 ») for legends and tables."""
    item = np.where(table["level"] == "title", "Titre",
                    np.where(table["level"] == "block", "Bloc " + table["code"].astype(str),
                             table["code"].astype(str)))  # fmt: skip
    labels = table["label"].fillna("")
    return table.assign(item=item, label=labels.where(labels != "", NAME_ABSENT))


def _routes_by_year(ctx: ReportContext, results: Results, vae_published: bool = False
                    ) -> pd.DataFrame:  # fmt: skip
    """Title obtained by jury year and access route (routes in France Compétences' order).

    ``vae_published``: the same page publishes the certified through VAE per year (the
    fiche's NOMBRE_CERTIFIES_VAE), so VAE cells protect nothing by being hidden.
    """
    routes = aggregate(results, ctx.referentiel, by=["year", "access_route"])
    routes = routes[(routes["level"] == "title") & routes["year"].notna()].copy()
    routes["year"] = routes["year"].astype(int)
    rank = {code: i for i, code in enumerate(ACCESS_ROUTES)}
    routes = routes.assign(_rank=routes["access_route"].map(rank).fillna(len(rank)))
    routes = routes.sort_values(["year", "_rank"], kind="stable").drop(columns="_rank")
    routes["route_label"] = routes["access_route"].map(ACCESS_ROUTES)
    routes["route"] = routes["access_route"] + " — " + routes["route_label"].fillna("voie inconnue")
    routes = routes.reset_index(drop=True)
    options = {"public": routes["access_route"] == "VAE", "hide_counts": True} if (
        vae_published) else {}  # fmt: skip
    return _guarded(ctx, routes, siblings=["year", "level", "code"], **options)


# -- quality review across cohorts -------------------------------------------------------------
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


def cohort_order(ctx: ReportContext) -> pd.Series:
    """Cohorts in time order: by the earliest promotion year (latest jury session) of their
    candidates, then by name."""
    first = ctx.results.candidates.groupby("cohort")["year"].min()
    return pd.Series(range(len(first)), index=first.sort_values(kind="stable").index)


SIGNALS = {1: "▲ hausse significative", -1: "▼ baisse significative", 0: ""}


def review_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                site: str | None = None) -> ReviewView:  # fmt: skip
    """Trends across cohorts, per site: title, blocks, competencies, routes, agreement."""
    results = _period_results(ctx, years, site)
    results = replace(results, candidates=results.candidates.assign(
        site=results.candidates["site"].fillna(NO_SITE)))  # fmt: skip
    order = cohort_order(ctx)
    table = aggregate(results, ctx.referentiel, by=["site", "cohort"])
    table = trends(table, order, site="site", min_n=ctx.rules.small_group)
    table = _guarded(ctx, table, siblings=["site", "level", "code"])
    table = _hide_recomputable_changes(table, order)
    table["signal"] = np.sign(table["change"].fillna(0)).where(table["significant"], 0).map(
        SIGNALS)  # fmt: skip
    table = _items(table)
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
    agree = _guarded(ctx, agree, siblings=[])
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
        routes=_routes_by_year(ctx, results, True), agreement=agree, significant=significant,
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


# -- RNCP renewal evidence --------------------------------------------------------------------
@dataclass(frozen=True)
class RenewalView:
    promotions: pd.DataFrame  # one row per year: fiche columns, then the counts behind them
    counts: pd.DataFrame  # long: ANNEE, measure, value (for the promotions chart)
    fiche: pd.DataFrame  # long: field, label, kind, ANNEE, value — the fiche's fields per year
    insertion: pd.DataFrame  # per year and horizon surveyed: counts behind each rate, rates
    survey_note: str  # which promotions are not surveyed yet (empty when none)
    routes: pd.DataFrame  # title by year and access route
    blocks: pd.DataFrame  # blocks and title by year
    partial: pd.DataFrame  # per year and block: candidates without the title who validated it
    modalities: pd.DataFrame  # block, heading, level, text
    criteria: pd.DataFrame  # block, activity, heading, text
    published: pd.DataFrame | None  # the fiche's published statistics beside ours
    published_source: str | None  # « RNCP36612 — intitulé » of the fiche compared
    published_warning: str | None  # set when the fiche is not about this referentiel's title
    promotion_years: list[int]  # years with at least one certified candidate
    enough_promotions: bool
    period: str = ""

    @property
    def notice(self) -> tuple[str, str]:
        """The « at least two promotions » message and its kind (info, warning)."""
        years = ", ".join(str(y) for y in self.promotion_years) or "aucune"
        count = len(self.promotion_years)
        if self.enough_promotions:
            return (
                f"Ce document couvre {count} promotions avec des certifiés ({years}) : le "
                "critère d'au moins deux promotions du renouvellement est rempli.",
                "info",
            )
        counted = "qu'une seule promotion" if count == 1 else "aucune promotion"
        return (
            f"Attention : les données ne comptent {counted} avec des certifiés "
            f"(années : {years}). Le renouvellement de l'enregistrement au RNCP s'appuie sur "
            "au moins deux promotions : ce document ne suffit pas à lui seul. Élargissez la "
            "période demandée ou complétez les données avec la promotion suivante.",
            "warning",
        )


COMPARED = ("NOMBRE_CERTIFIES", "NOMBRE_CERTIFIES_VAE", "TAUX_INSERTION_GLOBAL_6MOIS",
            "TAUX_INSERTION_METIER_6MOIS", "TAUX_INSERTION_GLOBAL_2ANS",
            "TAUX_INSERTION_METIER_2ANS")  # fmt: skip
FIELD_LABELS = {
    "NOMBRE_CERTIFIES": "Nombre de certifiés",
    "NOMBRE_CERTIFIES_VAE": "dont certifiés par la VAE",
    "TAUX_INSERTION_GLOBAL_6MOIS": "Taux d'insertion global dans l'emploi à 6 mois",
    "TAUX_INSERTION_METIER_6MOIS": "Taux d'insertion dans le métier visé à 6 mois",
    "TAUX_INSERTION_GLOBAL_2ANS": "Taux d'insertion global dans l'emploi à 2 ans",
    "TAUX_INSERTION_METIER_2ANS": "Taux d'insertion dans le métier visé à 2 ans",
    "NOMBRE_BLOCS_SANS_TITRE": "Blocs validés sans le titre (complément, hors fiche)",
}
HORIZON_LABELS = {"6MOIS": "6 mois", "2ANS": "2 ans"}
PRESENCE = {"both": "les deux", "ours": "nos données seulement",
            "published": "fiche publiée seulement"}  # fmt: skip


def renewal_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                 rncp_export: str | None = None, fiche: str | None = None) -> RenewalView:  # fmt: skip
    """France Compétences statistics per promotion, evaluation set-up, published comparison."""
    results = _period_results(ctx, years, None)
    promotions = promotion_statistics(results, ctx.tables.insertion)
    if ctx.external:
        promotions = _protect_promotions(promotions, ctx.rules.small_group)
    blocks = aggregate(results, ctx.referentiel, by=["year"])
    blocks = blocks[(blocks["level"] != "competency") & blocks["year"].notna()]
    blocks = _items(blocks.assign(year=blocks["year"].astype(int)).reset_index(drop=True))
    blocks = _guarded(ctx, blocks, siblings=["level", "code"])
    published = source = warning = None
    if rncp_export:
        from .rncp_import import read_statistics

        published = compare_published(promotions, read_statistics(rncp_export, fiche))
        source, warning = _fiche_identity(ctx, rncp_export, fiche)
    insertion = _insertion(promotions, ctx)
    promotion_years = promotions.loc[promotions["NOMBRE_CERTIFIES"] > 0, "ANNEE"].tolist()
    return RenewalView(
        promotions=promotions, counts=_promotion_counts(promotions),
        fiche=_fiche_fields(promotions),
        insertion=insertion[insertion["surveyed"] > 0].reset_index(drop=True),
        survey_note=_survey_note(insertion), routes=_routes_by_year(ctx, results, True),
        blocks=blocks, partial=_partial(ctx, results),
        modalities=_modalities(ctx), criteria=_criteria(ctx),
        published=published, published_source=source, published_warning=warning,
        promotion_years=[int(y) for y in promotion_years],
        enough_promotions=len(promotion_years) >= 2, period=describe_period(years),
    )  # fmt: skip


def _protect_promotions(promotions: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide insertion rates computed on fewer than ``threshold`` people, and their numerators.

    The counts in employment would give the hidden rate back (numerator / base).
    """
    out = promotions.copy()
    for suffix in HORIZON_LABELS:
        base = out[f"REPONDANTS_{suffix}"] - out[f"NEUTRALISES_{suffix}"]
        small = (base > 0) & (base < threshold)
        for column in (f"TAUX_INSERTION_GLOBAL_{suffix}", f"TAUX_INSERTION_METIER_{suffix}",
                       f"EN_EMPLOI_{suffix}", f"EMPLOI_METIER_{suffix}"):  # fmt: skip
            out[column] = out[column].astype("Int64").mask(small)
    return out


def _promotion_counts(promotions: pd.DataFrame) -> pd.DataFrame:
    measures = {
        "NOMBRE_PRESENTES": "Présentés au titre",
        "NOMBRE_CERTIFIES": "Certifiés (titre obtenu)",
        "NOMBRE_CERTIFIES_VAE": "dont par la VAE",
        "NOMBRE_BLOCS_SANS_TITRE": "Blocs validés sans le titre",
    }
    long = promotions.melt(id_vars="ANNEE", value_vars=list(measures), var_name="field",
                           value_name="value")  # fmt: skip
    long["measure"] = pd.Categorical(long["field"].map(measures), categories=list(measures.values()),
                                     ordered=True)  # fmt: skip
    return long.sort_values(["measure", "ANNEE"]).reset_index(drop=True)


def _fiche_fields(promotions: pd.DataFrame) -> pd.DataFrame:
    """The fiche's statistics fields per year, plus block-only validations (not on the fiche)."""
    fields = [*COMPARED[:2], "NOMBRE_BLOCS_SANS_TITRE", *COMPARED[2:]]
    long = promotions.melt(id_vars="ANNEE", value_vars=fields, var_name="field",
                           value_name="value")  # fmt: skip
    long["label"] = long["field"].map(FIELD_LABELS)
    long["kind"] = np.where(long["field"].str.startswith("TAUX"), "rate", "count")
    long["_field"] = long["field"].map({f: i for i, f in enumerate(fields)})
    long = long.sort_values(["_field", "ANNEE"]).drop(columns="_field")
    return long[["field", "label", "kind", "ANNEE", "value"]].reset_index(drop=True)


def _insertion(promotions: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """One row per year and survey horizon: surveyed, respondents, neutralised, base, rates."""
    frames = []
    for suffix, label in HORIZON_LABELS.items():
        p = promotions
        base = p[f"REPONDANTS_{suffix}"] - p[f"NEUTRALISES_{suffix}"]
        frames.append(pd.DataFrame({
            "ANNEE": p["ANNEE"], "horizon": label, "certified": p["NOMBRE_CERTIFIES"],
            "surveyed": p[f"ENQUETES_{suffix}"], "respondents": p[f"REPONDANTS_{suffix}"],
            "non_respondents": p[f"ENQUETES_{suffix}"] - p[f"REPONDANTS_{suffix}"],
            "neutralised": p[f"NEUTRALISES_{suffix}"], "base": base,
            "employed": p[f"EN_EMPLOI_{suffix}"], "in_job": p[f"EMPLOI_METIER_{suffix}"],
            "rate_global": p[f"TAUX_INSERTION_GLOBAL_{suffix}"],
            "rate_job": p[f"TAUX_INSERTION_METIER_{suffix}"],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    hidden = ctx.external & (out["base"] > 0) & (out["base"] < ctx.rules.small_group)
    out["remark"] = np.select(
        [out["surveyed"] == 0, out["base"] == 0, hidden],
        ["pas encore d'enquête pour ces certifiés", "aucun répondant pris en compte",
         f"taux masqués (moins de {ctx.rules.small_group} personnes)"],
        default="",
    )  # fmt: skip
    return out.sort_values(["ANNEE", "horizon"], key=_horizon_key).reset_index(drop=True)


def _survey_note(insertion: pd.DataFrame) -> str:
    """Which promotions have no survey yet, at which horizon (empty when all were surveyed)."""
    pending = insertion[insertion["surveyed"] == 0]
    parts = [
        f"à {horizon} pour " + ("la promotion " if len(rows) == 1 else "les promotions ")
        + ", ".join(str(y) for y in rows["ANNEE"])
        for horizon, rows in pending.groupby("horizon", sort=False)
    ]  # fmt: skip
    if not parts:
        return ""
    return ("Pas encore d'enquête " + " ; ".join(parts) + " : leurs taux ne sont pas "
            "calculés (« — ») et ces lignes ne figurent pas dans le tableau.")  # fmt: skip


def _horizon_key(column: pd.Series) -> pd.Series:
    if column.name == "horizon":
        return column.map({label: i for i, label in enumerate(HORIZON_LABELS.values())})
    return column


def insertion_rates(view: RenewalView) -> pd.DataFrame:
    """Long table for the insertion chart: year, indicator, integer percent."""
    rates = view.insertion.melt(id_vars=["ANNEE", "horizon"], value_vars=["rate_global", "rate_job"],
                                var_name="kind", value_name="rate")  # fmt: skip
    names = {"rate_global": "globale dans l'emploi", "rate_job": "dans le métier visé"}
    rates["indicator"] = "Insertion " + rates["kind"].map(names) + " à " + rates["horizon"]
    return rates.sort_values(["ANNEE", "horizon", "kind"], key=_horizon_key).reset_index(drop=True)


def _partial(ctx: ReportContext, results: Results) -> pd.DataFrame:
    """Per year and block: of the candidates presented without the title, who validated it."""
    title = results.title_table()
    keep = (title["presented"] & ~title["obtained"] & title["year"].notna()).to_numpy()
    validated = pd.DataFrame(results.block_validated[keep], columns=list(results.blocks))
    validated["year"] = title.loc[keep, "year"].astype(int).to_numpy()
    grouped = validated.groupby("year")
    k = grouped.sum().reset_index().melt(id_vars="year", var_name="code", value_name="k")
    n = grouped.size().rename("n")
    out = k.merge(n, left_on="year", right_index=True)
    low, high = wilson_interval(out["k"].to_numpy(), out["n"].to_numpy())
    labels = ctx.referentiel.labels()
    out = out.assign(
        level="block", item="Bloc " + out["code"], label=out["code"].map(labels),
        rate=np.where(out["n"] > 0, out["k"] / out["n"].clip(lower=1), np.nan),
        ci_low=low, ci_high=high,
    )  # fmt: skip
    out = out.sort_values(["year", "code"]).reset_index(drop=True)
    return _guarded(ctx, out, siblings=["code"])


def _named(codes: pd.Series, labels: pd.Series) -> pd.Series:
    """``B1 — Collecter…``; ``B2 — intitulé absent de la source`` where the source has none."""
    return codes + " — " + labels.fillna(NAME_ABSENT).replace("", NAME_ABSENT)


def _modalities(ctx: ReportContext) -> pd.DataFrame:
    blocks = ctx.referentiel.blocks.set_index("code")["label"]
    out = ctx.referentiel.modalities.copy()
    out["heading"] = _named(out["block"], out["block"].map(blocks))
    return out[["block", "heading", "level", "text"]].reset_index(drop=True)


def _criteria(ctx: ReportContext) -> pd.DataFrame:
    activities = ctx.referentiel.activities.set_index("code")["label"]
    out = ctx.referentiel.criteria.copy()
    out["heading"] = _named(out["activity"], out["activity"].map(activities))
    out["level"] = 0
    rank = {code: i for i, code in enumerate(ctx.referentiel.activities["code"])}
    out = out.assign(_rank=out["activity"].map(rank)).sort_values("_rank", kind="stable")
    return out[["block", "activity", "heading", "level", "text"]].reset_index(drop=True)


def compare_published(ours: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Long table: year, field, our value, published value, difference (ours − published).

    ``presence`` says whether the year is in both, only in our data or only in the fiche;
    ``differs`` marks the values both sides give and that are not equal. A field neither side
    gives for a year is left out.
    """
    left = ours.melt(id_vars="ANNEE", value_vars=list(COMPARED), var_name="field",
                     value_name="ours")  # fmt: skip
    right = published.melt(id_vars="ANNEE", value_vars=list(COMPARED), var_name="field",
                           value_name="published")  # fmt: skip
    out = left.merge(right, on=["ANNEE", "field"], how="outer")
    out = out[out["ours"].notna() | out["published"].notna()]  # nothing on either side
    out["ANNEE"] = out["ANNEE"].astype("Int64")
    out["ours"] = pd.to_numeric(out["ours"]).astype("Float64")
    out["published"] = pd.to_numeric(out["published"]).astype("Float64")
    out["difference"] = out["ours"] - out["published"]
    in_ours = out["ANNEE"].isin(ours["ANNEE"]).to_numpy(dtype=bool)
    in_published = out["ANNEE"].isin(published["ANNEE"]).to_numpy(dtype=bool)
    out["presence"] = np.select([in_ours & in_published, in_ours], ["both", "ours"],
                                default="published")  # fmt: skip
    out["presence_label"] = out["presence"].map(PRESENCE)
    out["differs"] = (out["difference"].fillna(0) != 0).to_numpy(dtype=bool)
    out["kind"] = np.where(out["field"].str.startswith("TAUX"), "rate", "count")
    out["label"] = out["field"].map(FIELD_LABELS)
    out = out.assign(_field=out["field"].map({f: i for i, f in enumerate(COMPARED)}))
    out = out.sort_values(["ANNEE", "_field"]).drop(columns="_field")
    return out.reset_index(drop=True)


def _fiche_identity(ctx: ReportContext, path: str, fiche: str | None) -> tuple[str, str | None]:
    """« RNCP36612 — intitulé » of the fiche compared, and a warning if it is another title."""
    from .rncp_import import list_fiches

    fiches = list_fiches(path)
    if fiche:
        digits = "".join(ch for ch in str(fiche) if ch.isdigit())
        fiches = fiches[fiches["numero"].fillna("").str.replace(r"\D", "", regex=True) == digits]
    row = fiches.iloc[0]
    source = f"{row['numero'] or 'fiche sans numéro'} — {row['intitule'] or NAME_ABSENT}"
    ours = ctx.referentiel
    same_number = bool(ours.rncp) and ours.rncp == row["numero"]
    same_title = _plain(ours.title) == _plain(row["intitule"] or "")
    if same_number or same_title:
        return source, None
    return source, (
        f"La fiche comparée ({source}) ne porte pas sur le titre de ce référentiel "
        f"(«\u00a0{ours.title}\u00a0») : les écarts ci-dessous ne disent rien de nos chiffres. "
        "Vérifiez le fichier d'export et le numéro de fiche demandés."
    )


def _plain(text: str) -> str:
    return normalise_token(text)

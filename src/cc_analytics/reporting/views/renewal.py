"""The RNCP renewal evidence: France Compétences statistics per promotion, insertion, blocks
without the title, the evaluation set-up, and the comparison with the published fiche."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.labels import LEVELS, NAME_ABSENT, SURVEY_HORIZONS
from ...core.text import fold
from ...engine.aggregates import aggregate
from ...engine.privacy import HIDDEN_COLUMNS, PRIVACY_TEXTS, blank_suppressed
from ...engine.promotions import (
    HORIZONS,
    coverage_warnings,
    promotion_date_note,
    promotion_statistics,
)
from ...engine.results import Results
from ...engine.stats import wilson_interval
from .. import formatting as fr
from ..context import ReportContext
from .common import (
    HIDDEN_FIGURE,
    block_names,
    describe_period,
    guarded,
    hidden_for_size,
    key_figures_frame,
    period_results,
    routes_by_year,
    with_items,
)


@dataclass(frozen=True)
class RenewalView:
    promotions: pd.DataFrame  # one row per year: fiche columns, then the counts behind them
    counts: pd.DataFrame  # long: ANNEE, measure, value (for the promotions chart)
    fiche: pd.DataFrame  # long: field, label, kind, ANNEE, value — the fiche's fields per year
    insertion: pd.DataFrame  # per year and horizon surveyed: counts behind each rate, rates
    survey_note: str  # which promotions are not surveyed yet (empty when none)
    coverage: list[str]  # survey coverage warnings (low response rate, survey dates)
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
    key_figures: pd.DataFrame  # « Chiffres clés » at the top: see :func:`renewal_key_figures`
    period: str = ""
    similar: SimilarView | None = None  # our rates among similar fiches' (with an export)
    #: which date the promotion years rest on (decision or session), with the count of each
    date_note: str = ""

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


@dataclass(frozen=True)
class SimilarView:
    """Our insertion rates among those the similar fiches publish (``rncp similar``'s rule)."""

    rates: pd.DataFrame  # numero, fiche, ours, indicator, ANNEE, rate: one dot each
    fiches: pd.DataFrame  # the similar fiches: rank, numero, intitule, level, codes shared…
    rule: str  # the rule, in French ("" when no comparison could be made)
    note: str  # what the section rests on, or why it is empty


SIMILAR_RATES = {
    "TAUX_INSERTION_GLOBAL_6MOIS": "Insertion globale dans l'emploi à 6 mois",
    "TAUX_INSERTION_METIER_6MOIS": "Insertion dans le métier visé à 6 mois",
    "TAUX_INSERTION_GLOBAL_2ANS": "Insertion globale dans l'emploi à 2 ans",
    "TAUX_INSERTION_METIER_2ANS": "Insertion dans le métier visé à 2 ans",
}


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


HORIZON_LABELS = {HORIZONS[months]: label for months, label in SURVEY_HORIZONS.items()}


PRESENCE = {"both": "les deux", "ours": "nos données seulement",
            "published": "fiche publiée seulement"}  # fmt: skip


def renewal_view(ctx: ReportContext, years: tuple[int, int] | None = None,
                 rncp_export: str | None = None, fiche: str | None = None) -> RenewalView:  # fmt: skip
    """France Compétences statistics per promotion, evaluation set-up, published comparison."""
    results = period_results(ctx, years, None)
    promotions = promotion_statistics(results, ctx.tables.insertion)
    coverage = coverage_warnings(results, ctx.tables.insertion, promotions)
    if ctx.external:
        promotions = _protect_promotions(promotions, ctx.rules.small_group)
    blocks = aggregate(results, ctx.referentiel, by=["year"])
    blocks = blocks[(blocks["level"] != "competency") & blocks["year"].notna()]
    blocks = with_items(blocks.assign(year=blocks["year"].astype(int)).reset_index(drop=True),
                        block_names(ctx))  # fmt: skip
    blocks = guarded(ctx, blocks, siblings=["level", "code"], by=["year"],
                     population=results.candidates, **_block_links(blocks, ctx))  # fmt: skip
    published = source = warning = similar = None
    if rncp_export:
        from ...referentiel.rncp import read_statistics

        published = compare_published(promotions, read_statistics(rncp_export, fiche))
        source, warning = _fiche_identity(ctx, rncp_export, fiche)
        similar = similar_view(ctx, promotions, rncp_export, fiche)
    insertion = _insertion(promotions, ctx)
    surveyed = insertion[insertion["surveyed"] > 0].reset_index(drop=True)
    promotion_years = promotions.loc[promotions["NOMBRE_CERTIFIES"] > 0, "ANNEE"].tolist()
    return RenewalView(
        promotions=promotions, counts=_promotion_counts(promotions),
        fiche=_fiche_fields(promotions),
        insertion=surveyed,
        survey_note=_survey_note(insertion), coverage=coverage, routes=routes_by_year(ctx, results, True),
        blocks=blocks, partial=_partial(ctx, results, blocks),
        modalities=_modalities(ctx), criteria=_criteria(ctx),
        published=published, published_source=source, published_warning=warning,
        promotion_years=[int(y) for y in promotion_years],
        enough_promotions=len(promotion_years) >= 2,
        key_figures=renewal_key_figures(promotions, surveyed, ctx.rules.small_group,
                                        ctx.external),
        period=describe_period(years), similar=similar, date_note=promotion_date_note(results),
    )  # fmt: skip


def similar_view(ctx: ReportContext, promotions: pd.DataFrame, rncp_export: str,
                 fiche: str | None) -> SimilarView:  # fmt: skip
    """Our latest insertion rates beside the latest each similar fiche publishes, one dot per
    fiche and indicator; our codes from the referentiel, else our fiche in the export."""
    from ...referentiel.similar import Codes, UnknownCodes, find_similar

    number = fiche or ctx.referentiel.rncp
    empty = pd.DataFrame(columns=["numero", "fiche", "ours", "indicator", "ANNEE", "rate"])
    if not number:
        return SimilarView(empty, pd.DataFrame(), "", "Comparaison avec les certifications "
                           "similaires impossible : le numéro de notre fiche n'est pas connu "
                           "(option --fiche, ou « rncp: » dans le référentiel).")  # fmt: skip
    r = ctx.referentiel
    try:
        found = find_similar(rncp_export, number, Codes(r.rome, r.nsf, r.level))
    except UnknownCodes as exc:  # the section says why it is empty; the rest of the page stands
        problem = exc.problems[0]
        return SimilarView(empty, pd.DataFrame(), "", "Comparaison avec les certifications "
                           f"similaires impossible : {problem.message}. {problem.hint}.")  # fmt: skip
    fiches = found.fiches
    fiches = fiches.assign(state=fiches["active"].map({True: "active", False: "inactive"})
                           .fillna("non précisé"))  # fmt: skip
    others = found.table[~found.table["ours"]]
    rows = [_latest_rates(others, "published"),
            _latest_rates(promotions.assign(numero=number, intitule=r.title), "ours")]  # fmt: skip
    rates = pd.concat([x for x in rows if not x.empty] or [empty], ignore_index=True)
    order = {label: i for i, label in enumerate(SIMILAR_RATES.values())}
    rates = (
        rates.assign(_order=rates["indicator"].map(order))
        .sort_values(["_order", "ours", "rate"], ascending=[True, False, False], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )  # indicators in the fiche's order, ours first
    without = fiches.loc[~fiches["has_statistics"], "numero"].tolist()
    note = (f"{len(fiches)} fiche(s) similaire(s) dans l'export ; nos codes : ROME "
            f"{', '.join(found.codes.rome) or '—'}, NSF {', '.join(found.codes.nsf) or '—'}, "
            f"niveau {found.codes.level or 'inconnu'}. Chaque point est le dernier taux publié "
            "par une fiche (ou, pour notre titre, le dernier que nos données donnent).")  # fmt: skip
    if without:
        note += f" Sans statistiques publiées : {', '.join(without)}."
    return SimilarView(rates, fiches, found.rule, note)


def _latest_rates(table: pd.DataFrame, side: str) -> pd.DataFrame:
    """Per fiche and indicator, the latest year's rate (hidden or missing rates skipped)."""
    long = table.melt(id_vars=["numero", "intitule", "ANNEE"], value_vars=list(SIMILAR_RATES),
                      var_name="field", value_name="rate").dropna(subset=["rate", "ANNEE"])  # fmt: skip
    if long.empty:
        return pd.DataFrame()
    latest = long.sort_values("ANNEE").groupby(["numero", "field"], sort=False).tail(1)
    ours = side == "ours"
    fiche = latest["numero"] + " — " + latest["intitule"].fillna(NAME_ABSENT)
    return pd.DataFrame({
        "numero": latest["numero"].to_numpy(),
        "fiche": (fiche + (" (notre titre)" if ours else "")).to_numpy(),
        "ours": ours, "indicator": latest["field"].map(SIMILAR_RATES).to_numpy(),
        "ANNEE": latest["ANNEE"].astype(int).to_numpy(),
        "rate": latest["rate"].astype("float64").to_numpy(),
    })  # fmt: skip


#: How many of the last promotions the key figures give the certified of.
KEY_PROMOTIONS = 3


def renewal_key_figures(promotions: pd.DataFrame, insertion: pd.DataFrame, small_group: int,
                        external: bool, last: int = KEY_PROMOTIONS) -> pd.DataFrame:  # fmt: skip
    """The renewal's « Chiffres clés »: the certified of each of the ``last`` promotions, then
    for each survey horizon the latest promotion's insertion rates with the base they are
    computed on.

    ``promotions``: one row per year (``ANNEE``, ``NOMBRE_PRESENTES``, ``NOMBRE_CERTIFIES``,
    ``NOMBRE_CERTIFIES_VAE``); ``insertion``: one row per year and horizon surveyed
    (``horizon``, ``surveyed``, ``base``, ``rate_global``, ``rate_job`` in integer percents).
    In an external document rates computed on fewer than ``small_group`` people are hidden,
    as in the insertion table; the certified are the fiche's public figures.
    """
    rows: list[tuple[str, str, str, float]] = []
    recent = promotions.sort_values("ANNEE").tail(last)
    for p in recent.itertuples(index=False):
        rows.append((f"Certifiés — promotion {p.ANNEE}", fr.number(p.NOMBRE_CERTIFIES),
                     f"sur {_counted(p.NOMBRE_PRESENTES, 'présenté')} au titre, dont "
                     f"{fr.number(p.NOMBRE_CERTIFIES_VAE)} par la VAE",
                     float(p.NOMBRE_CERTIFIES)))  # fmt: skip
    if recent.empty:
        rows.append(("Certifiés", fr.MISSING, "aucune promotion dans la période", np.nan))
    for horizon in HORIZON_LABELS.values():
        counted = insertion[(insertion["horizon"] == horizon) & (insertion["base"] > 0)]
        if counted.empty:
            rows.append((f"Insertion à {horizon}", fr.MISSING,
                         "pas encore d'enquête, ou aucun répondant pris en compte", np.nan))  # fmt: skip
            continue
        latest = counted.sort_values("ANNEE").iloc[-1]
        base, surveyed = int(latest["base"]), int(latest["surveyed"])
        indicator = f"Insertion à {horizon} — promotion {int(latest['ANNEE'])}"
        on_base = (f"base de calcul : {_counted(base, 'répondant')} pris en compte, sur "
                   f"{_counted(surveyed, 'certifié')} interrogé{'s' if surveyed > 1 else ''}")  # fmt: skip
        if hidden_for_size(base, small_group, external):
            rows.append((indicator, HIDDEN_FIGURE,
                         f"moins de {small_group} personnes : {on_base}", np.nan))  # fmt: skip
            continue
        rows.append((indicator,
                     f"{_whole_percent(latest['rate_global'])} dans l'emploi · "
                     f"{_whole_percent(latest['rate_job'])} dans le métier visé",
                     on_base, float(latest["rate_global"]) / 100))  # fmt: skip
    return key_figures_frame(rows)


def _counted(count: object, noun: str) -> str:
    """``1 présenté``, ``46 présentés``: a count and its noun, agreed in number."""
    return f"{fr.number(count)} {noun}{'s' if float(count) > 1 else ''}"  # type: ignore[arg-type]


def _whole_percent(value: object) -> str:
    """An integer percent as the fiche gives it: ``85 %`` (``—`` when missing)."""
    text = fr.number(value)
    return text if text == fr.MISSING else f"{text}{fr.NBSP}%"


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
            "surveyed": p[f"ENQUETES_{suffix}"], "not_surveyed": p[f"NON_INTERROGES_{suffix}"],
            "respondents": p[f"REPONDANTS_{suffix}"],
            "response_rate": p[f"TAUX_REPONSE_{suffix}"],
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


def _block_links(blocks: pd.DataFrame, ctx: ReportContext) -> dict[str, object]:
    """What a reader of this page knows besides the blocks table (for its disclosure audit).

    The title row's k is NOMBRE_CERTIFIES, published in the same page (``public``). Every
    certified candidate validated every block, so a block's k is the certified plus those of
    the partial-validation table (presented without the title): between k_title and
    k_title + n_partial (``k_bounds``); and a small partial-validation group hides the year's
    block rows (``primary``), or its hidden k would be the block's k minus the certified.
    """
    title = blocks[blocks["level"] == "title"].set_index("year")
    certified = blocks["year"].map(title["k"]).fillna(0).to_numpy(float)
    partial = blocks["year"].map(title["n"] - title["k"]).fillna(0).to_numpy(float)
    block = (blocks["level"] == "block").to_numpy()
    small = (partial > 0) & (partial < ctx.rules.small_group)
    return {"public": ~block, "primary": block & small,
            "k_bounds": (np.where(block, certified, 0.0),
                         np.where(block, certified + partial, np.inf))}  # fmt: skip


def _partial(ctx: ReportContext, results: Results, blocks: pd.DataFrame) -> pd.DataFrame:
    """Per year and block: of the candidates presented without the title, who validated it.

    In an external page a row is hidden exactly where the blocks table hides the block that
    year: its k is that block's k minus the certified (see :func:`_block_links`)."""
    title = results.title_table()
    keep = (title["presented"] & ~title["obtained"] & title["year"].notna()).to_numpy()
    validated = pd.DataFrame(results.block_validated[keep], columns=list(results.blocks))
    validated["year"] = title.loc[keep, "year"].astype(int).to_numpy()
    grouped = validated.groupby("year")
    k = grouped.sum().reset_index().melt(id_vars="year", var_name="code", value_name="k")
    n = grouped.size().rename("n").reset_index()
    out = k.merge(n, on="year")
    low, high = wilson_interval(out["k"].to_numpy(), out["n"].to_numpy())
    labels = ctx.referentiel.labels()
    named = out["code"].map(block_names(ctx)).fillna(out["code"])
    out = out.assign(
        level="block", item=LEVELS["block"] + " " + named, label=out["code"].map(labels),
        rate=np.where(out["n"] > 0, out["k"] / out["n"].clip(lower=1), np.nan),
        ci_low=low, ci_high=high,
    )  # fmt: skip
    out = out.sort_values(["year", "code"]).reset_index(drop=True)
    if not ctx.external:
        return guarded(ctx, out, siblings=["code"])
    rows = blocks[blocks["level"] == "block"].set_index(["year", "code"])["suppressed"]
    keys = pd.MultiIndex.from_frame(out[["year", "code"]])
    out["small_group"] = (out["n"] > 0) & (out["n"] < ctx.rules.small_group)
    out["suppressed"] = rows.reindex(keys).fillna(False).astype(bool).to_numpy()
    out["privacy"] = np.select(
        [out["small_group"] & out["suppressed"], out["suppressed"], out["small_group"]],
        [PRIVACY_TEXTS["small"], "masqué : comme ce bloc cette année-là dans le tableau "
         "précédent", PRIVACY_TEXTS["flagged"]], default="")  # fmt: skip
    return blank_suppressed(out, HIDDEN_COLUMNS)


def _named(codes: pd.Series, labels: pd.Series) -> pd.Series:
    """``B1 — Collecter…``; ``B2 — intitulé absent de la source`` where the source has none."""
    return codes + " — " + labels.fillna(NAME_ABSENT).replace("", NAME_ABSENT)


def _modalities(ctx: ReportContext) -> pd.DataFrame:
    blocks = ctx.referentiel.blocks.set_index("code")["label"]
    out = ctx.referentiel.modalities.copy()
    named = out["block"].map(block_names(ctx)).fillna(out["block"])
    out["heading"] = _named(named, out["block"].map(blocks))
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
    from ...referentiel.rncp import list_fiches

    fiches = list_fiches(path)
    if fiche:
        digits = "".join(ch for ch in str(fiche) if ch.isdigit())
        fiches = fiches[fiches["numero"].fillna("").str.replace(r"\D", "", regex=True) == digits]
    row = fiches.iloc[0]
    source = f"{row['numero'] or 'fiche sans numéro'} — {row['intitule'] or NAME_ABSENT}"
    ours = ctx.referentiel
    same_number = bool(ours.rncp) and ours.rncp == row["numero"]
    same_title = fold(ours.title) == fold(row["intitule"] or "")
    if same_number or same_title:
        return source, None
    return source, (
        f"La fiche comparée ({source}) ne porte pas sur le titre de ce référentiel "
        f"(«\u00a0{ours.title}\u00a0») : les écarts ci-dessous ne disent rien de nos chiffres. "
        "Vérifiez le fichier d'export et le numéro de fiche demandés."
    )

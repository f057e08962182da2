"""What the reports share: subsets by period and site, small-group protection, item labels.

Every view takes a :class:`~cc_analytics.reporting.context.ReportContext` and returns plain
DataFrames (one per chart or table), so notebooks only display them. In external reports
(``ctx.external``) candidate-level views are left out and small groups are hidden (see
:mod:`cc_analytics.engine.privacy`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...core.errors import CcAnalyticsError, Problem
from ...core.labels import (
    ACCESS_ROUTES,
    LEVELS,
    NAME_ABSENT,
    UNKNOWN_ROUTE,
)
from ...engine.aggregates import aggregate
from ...engine.disclosure import grouping_name
from ...engine.privacy import PRIVACY_TEXTS, flag_small_groups, protect, protect_published
from ...engine.results import Results, compute_results
from ...referentiel.gaps import caveat
from ...referentiel.official import block_names as official_block_names
from ..context import ReportContext


def subset(ctx: ReportContext, mask: pd.Series) -> Results:
    candidates = ctx.tables.candidates[mask.to_numpy()]
    scores = ctx.tables.scores[ctx.tables.scores["candidate_id"].isin(candidates["candidate_id"])]
    return compute_results(candidates, scores, ctx.referentiel, ctx.rules)


#: Columns of an aggregate table (one row per group and item) that the disclosure audit reads.
AGGREGATE_COLUMNS = ("level", "code", "n", "k")


def protected(ctx: ReportContext, table: pd.DataFrame, siblings: list[str],
               by: list[str] | None = None, population: pd.DataFrame | None = None,
               **options: object) -> pd.DataFrame:  # fmt: skip
    """Small groups flagged; in an external report hidden.

    An aggregate table (one row per group and item, the group columns first: ``by`` defaults
    to the columns before ``level``) goes through the disclosure audit
    (:func:`~cc_analytics.engine.privacy.protect_published`), attacked with every coarser
    table of ``population``'s candidates, and its result is kept for the page's provenance;
    ``siblings`` then only serves other tables (:func:`~cc_analytics.engine.privacy.protect`).
    ``options``: ``public``, ``hide_counts``, ``primary``, ``k_bounds``.
    """
    if not ctx.external:
        return flag_small_groups(table, ctx.rules.small_group).assign(suppressed=False)
    if not all(c in table for c in AGGREGATE_COLUMNS):
        return protect(table, ctx.rules.small_group, siblings=siblings, **options)
    if by is None:
        by = list(table.columns[: table.columns.get_loc("level")])
    out, result = protect_published(table, by, ctx.rules, population=population, **options)
    ctx.disclosure.append((grouping_name(by), result))
    out.index = table.index
    return out


def guarded(ctx: ReportContext, table: pd.DataFrame, siblings: list[str],
             **options: object) -> pd.DataFrame:  # fmt: skip
    """:func:`protected`, plus ``privacy``: why a row is flagged or hidden, in French (and,
    where a published total at 0 % or 100 % gives a hidden group's result away, that too)."""
    out = protected(ctx, table, siblings, **options)
    if "privacy" in out:
        return out
    small, hidden = out["small_group"].to_numpy(bool), out["suppressed"].to_numpy(bool)
    out["privacy"] = np.select(
        [small & hidden, hidden, small],
        [PRIVACY_TEXTS["small"], PRIVACY_TEXTS["secondary"], PRIVACY_TEXTS["flagged"]],
        default="",
    )  # fmt: skip
    return out


ITEM_ORDER = {"title": 0, "block": 1, "competency": 2}

#: A « Chiffres clés » table: one row per figure, what it is, its value and how to read it (in
#: French, ready to show), and the figure itself: a count, or a rate in [0, 1] (NaN when hidden
#: or not defined).
KEY_FIGURE_COLUMNS = ["indicator", "value", "detail", "number"]
HIDDEN_FIGURE = "masqué"


def key_figures_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A key-figures table from ``(indicator, value, detail, number)`` rows."""
    frame = pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)
    return frame.astype({"number": "float64"})


def hidden_for_size(n: float, small_group: int, external: bool) -> bool:
    """Whether a figure computed on ``n`` people is hidden: a small group (0 < n < the rules'
    ``small_group``) in an external document, as :func:`~cc_analytics.engine.privacy.protect`
    hides it."""
    return external and 0 < n < small_group


def period_mask(ctx: ReportContext, years: tuple[int, int] | None, site: str | None) -> pd.Series:
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


def period_results(ctx: ReportContext, years: tuple[int, int] | None,
                    site: str | None) -> Results:  # fmt: skip
    mask = period_mask(ctx, years, site)
    if not mask.any():
        known = ctx.results.candidates["year"].dropna()
        span = f"{int(known.min())}–{int(known.max())}" if len(known) else "aucune"
        raise CcAnalyticsError(Problem(
            "aucun candidat présenté dans la période demandée",
            value=describe_period(years, site),
            hint=f"Années de jury présentes dans les données : {span}",
        ))  # fmt: skip
    return subset(ctx, mask)


def describe_period(years: tuple[int, int] | None, site: str | None = None) -> str:
    """The period and site a report covers, in French (``2023–2025, site Lyon``)."""
    if years:
        first, last = sorted(int(y) for y in years)
        text = f"année {first}" if first == last else f"années {first} à {last}"
    else:
        text = "toutes les années"
    return text + (f", site {site}" if site else ", tous les sites")


def referentiel_note(ctx: ReportContext) -> str:
    """The caveat of a report whose blocks or title rest on a referentiel its source does not
    fully describe (empty when it does): which block, what is missing, how to lift it."""
    return caveat(ctx.referentiel, tables=False)


def block_names(ctx: ReportContext) -> dict[str, str]:
    """Each block's local code with its official one: ``{"B1": "B1 (RNCP36612BC01)"}``
    (the local code alone where the referentiel gives none)."""
    return official_block_names(ctx.referentiel)


def privacy_note(ctx: ReportContext) -> str:
    """What the reader must know about small groups in this report."""
    n = ctx.rules.small_group
    if ctx.external:
        return (
            f"Document externe : les résultats des groupes de moins de {n} candidats sont "
            "masqués («\u00a0—\u00a0»). Avant publication, chaque tableau est attaqué comme le "
            "ferait un lecteur, avec tous les totaux publiables (par cohorte, voie d'accès, site, "
            "année, ensemble) : d'autres cases sont masquées («\u00a0protège un petit effectif "
            "voisin\u00a0») jusqu'à ce qu'aucun résultat masqué ne puisse être retrouvé à moins de "
            f"{ctx.rules.protection_width} près. Quand le total d'un groupe plus large est à "
            "0\u00a0% ou 100\u00a0%, il dit le résultat de tous ses membres, masqués ou non : le "
            "tableau le signale. Le nombre de candidats d'un groupe reste en général affiché ; "
            "il est masqué lui aussi («\u00a0—\u00a0») là où il permettrait de retrouver un "
            "résultat masqué, par exemple par voie d'accès quand les certifiés par la VAE sont "
            "publiés. Le détail du contrôle figure dans la provenance, en fin de document."
        )
    return (
        f"Usage interne : tous les résultats sont affichés ; les groupes de moins de {n} "
        "candidats sont signalés «\u00a0petit effectif\u00a0» car leurs taux sont très imprécis. "
        "Ce document ne doit pas être diffusé hors de l'organisme."
    )


def with_items(table: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Add ``item`` (« Titre », « Bloc B1 », « B1A1C1 ») for legends and tables; ``names``
    (:func:`block_names`) writes a block with its official code, « Bloc B1 (RNCP…BC01) »."""
    codes = table["code"].astype(str)
    blocks = codes.map(dict(names)).fillna(codes) if names else codes
    item = np.where(table["level"] == "title", LEVELS["title"],
                    np.where(table["level"] == "block", LEVELS["block"] + " " + blocks,
                             codes))  # fmt: skip
    labels = table["label"].fillna("")
    return table.assign(item=item, label=labels.where(labels != "", NAME_ABSENT))


def routes_by_year(ctx: ReportContext, results: Results, vae_published: bool = False
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
    routes["route"] = routes["access_route"] + " — " + routes["route_label"].fillna(UNKNOWN_ROUTE)
    routes = routes.reset_index(drop=True)
    options = {"public": routes["access_route"] == "VAE", "hide_counts": True} if (
        vae_published) else {}  # fmt: skip
    return guarded(ctx, routes, siblings=["year", "level", "code"], by=["year", "access_route"],
                   population=results.candidates, **options)  # fmt: skip


def cohort_order(ctx: ReportContext) -> pd.Series:
    """Cohorts in time order: by the earliest promotion year (latest jury session) of their
    candidates, then by name."""
    first = ctx.results.candidates.groupby("cohort")["year"].min()
    return pd.Series(range(len(first)), index=first.sort_values(kind="stable").index)

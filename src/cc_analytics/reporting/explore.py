"""Interactive figures for the exploration notebook, switched with plotly's own menus.

Each figure carries the data of every choice at once (every cohort, every block) and its
dropdown menus (``updatemenus``) only show or hide traces (cohort) or move the axis onto other
categories (block). So the figures stay interactive in JupyterLab, in an exported HTML page
and offline, without ipywidgets and without a running kernel. The numbers come from the same
library calls as the reports (:mod:`cc_analytics.reporting.views`); this module only draws
them. In a notebook of a workspace::

    data = prepare(load_context("demo"))
    competency_rates(data).show()
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..core.labels import ACCESS_ROUTES, LEVELS, NO_SITE
from ..engine.aggregates import TITLE, aggregate
from ..engine.agreement import OVERALL, OVERALL_LABEL, agreement
from ..engine.privacy import flag_small_groups
from ..engine.stats import IMPRECISE_READING, LANDIS_KOCH_READINGS, MAX_READING_BANDS
from ..engine.trends import CONFIRMED, WATCH
from . import formatting as fr
from .charts import (
    FOLLOWUP_COLUMNS,
    FONT,
    PALETTE,
    SCORE_COLORS,
    french_table,
    item_label,
    kappa_interval,
    p_value,
    plain_categories,
    wrapped,
)
from .context import ReportContext
from .views import (
    CohortView,
    FollowupView,
    ReviewView,
    cohort_order,
    cohort_view,
    followup_view,
    review_view,
    route_breakdown,
)
from .views.followup import group_title, legend, nobody_text

ALL_COHORTS = "Ensemble des cohortes"
ALL_BLOCKS = "Tous les blocs"
PERCENT = "\u00a0%"
WEAK_COLOR = PALETTE[1]  # orange beside the blue bars, in every colour vision
WEAK_PATTERN = "/"  # and hatched: the flag is never told by colour alone
SMALL_OPACITY = 0.35
SIGNIFICANT = "star"
ALWAYS = -1  # owner of the traces every menu entry shows (legend notes)
OVERALL_COLOR = "#5b6770"
OVERALL_NAME = "Ensemble"  # the pooled kappa's bar
MAX_TABLE_HEIGHT = 900  # beyond, the table scrolls inside the figure
MENU_WIDTH = 40  # characters of a title in a menu entry or a legend; the hover has it whole


@dataclass(frozen=True)
class Exploration:
    """The tables behind every exploration figure, computed once per notebook run."""

    ctx: ReportContext
    cohorts: list[str]  # in time order (first jury session)
    by_cohort: dict[str, CohortView]
    overall: pd.DataFrame  # aggregate over every candidate: competency, block and title rows
    overall_routes: pd.DataFrame  # title and blocks by access route, every candidate
    overall_agreement: pd.DataFrame
    review: ReviewView  # title, blocks and competencies per site and cohort, with trends

    def choices(self) -> list[tuple[str, str | None]]:
        """Cohort menu entries: (label, cohort), ``None`` meaning every cohort."""
        return [(ALL_COHORTS, None), *((f"Cohorte {c}", c) for c in self.cohorts)]

    def competencies(self, cohort: str | None) -> pd.DataFrame:
        """Competency rows in referentiel order, with ``weak`` (the cohort report's flag)."""
        if cohort is None:
            table = self.overall[self.overall["level"] == "competency"]
            return table.assign(weak=False).reset_index(drop=True)
        view = self.by_cohort[cohort]
        weak = view.competencies.set_index("code")["weak"]
        return view.distribution.assign(weak=view.distribution["code"].map(weak).fillna(False))

    def routes(self, cohort: str | None) -> pd.DataFrame:
        return self.overall_routes if cohort is None else self.by_cohort[cohort].routes

    def agreement(self, cohort: str | None) -> pd.DataFrame:
        return self.overall_agreement if cohort is None else self.by_cohort[cohort].agreement


def prepare(ctx: ReportContext) -> Exploration:
    """Cohort views (as in the cohort report) and the quality review's trends, once."""
    order = cohort_order(ctx)
    cohorts = [str(c) for c in order.index]
    overall = aggregate(ctx.results, ctx.referentiel, by=[])
    routes = route_breakdown(ctx, ctx.results)
    return Exploration(
        ctx=ctx, cohorts=cohorts, by_cohort={c: cohort_view(ctx, c) for c in cohorts},
        overall=overall, overall_routes=routes,
        overall_agreement=agreement(ctx.results, ctx.referentiel), review=review_view(ctx),
    )  # fmt: skip


def overview(data: Exploration) -> pd.DataFrame:
    """One row per cohort, then every cohort together: candidates and title obtained."""
    title = data.review.cohorts[data.review.cohorts["level"] == "title"]
    sizes = data.ctx.tables.candidates.groupby("cohort").size()
    rows = title.assign(candidates=title["cohort"].map(sizes))
    rows = rows.set_index("cohort").loc[data.cohorts].reset_index()
    total = data.overall[data.overall["level"] == "title"].assign(
        cohort=ALL_COHORTS, site="", candidates=len(data.ctx.tables.candidates)
    )
    table = pd.concat([rows, total], ignore_index=True)
    table["site"] = table["site"].fillna(NO_SITE)
    out = pd.DataFrame({
        "Cohorte": table["cohort"],
        "Site": table["site"],
        "Candidats": table["candidates"].map(fr.number),
        "Présentés au titre": table["n"].map(fr.number),
        "Titre obtenu": table["k"].map(fr.number),
        "Taux d'obtention": table["rate"].map(fr.percent),
        "IC 95 %": [fr.interval(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"],
                                                           strict=True)],
    })  # fmt: skip
    return out


# -- figures ------------------------------------------------------------------------------
def competency_rates(data: Exploration) -> go.Figure:
    """Acquisition rate of each competency, with a cohort menu and a block menu."""
    codes = data.ctx.referentiel.competencies["code"].tolist()
    titles = _titles(data)
    small = data.ctx.rules.small_group
    fig = go.Figure()
    owners = []
    for i, (_, cohort) in enumerate(data.choices()):
        table = flag_small_groups(data.competencies(cohort), small)
        rate = table["rate"] * 100
        colors = np.where(table["weak"], WEAK_COLOR, PALETTE[0])
        fig.add_bar(
            x=rate, y=table["code"], orientation="h", name=escape(cohort or ALL_COHORTS),
            visible=i == 0, showlegend=False, marker={"color": colors.tolist(),
                                                      "opacity": _opacity(table["small_group"]),
                                                      "pattern": {"shape": np.where(
                                                          table["weak"], WEAK_PATTERN, "").tolist()}},
            error_x=_error(rate, table), customdata=table[["n", "k"]].to_numpy(),
            hovertext=[_rate_hover(r, titles[r.code], small) for r in table.itertuples()],
            hovertemplate="%{hovertext}<extra></extra>",
        )  # fmt: skip
        owners.append(i)
    owners += _legend_notes(fig, [
        ("parmi les compétences les plus faibles de la cohorte", WEAK_COLOR, 1.0),
        (f"petit effectif (moins de {small} évalués)", PALETTE[0], SMALL_OPACITY),
    ])  # fmt: skip
    fig.update_xaxes(range=[0, 101], ticksuffix=PERCENT,
                     title="taux d'acquisition (intervalle de confiance à 95 %)")  # fmt: skip
    _category_axis(fig, codes, _tick_labels(data, codes))
    fig.update_layout(updatemenus=[
        _cohort_menu(data, owners),
        _block_menu(data, codes, _bar_height),
    ])  # fmt: skip
    return _layout(fig, "Taux d'acquisition par compétence", _bar_height(len(codes)))


def score_distribution(data: Exploration) -> go.Figure:
    """Shares of final jury scores 0–4 per competency, with a cohort menu and a block menu."""
    codes = data.ctx.referentiel.competencies["code"].tolist()
    titles = _titles(data)
    scale = dict(zip(data.ctx.referentiel.scale["value"], data.ctx.referentiel.scale["label"],
                     strict=True))  # fmt: skip
    fig = go.Figure()
    owners = []
    for i, (_, cohort) in enumerate(data.choices()):
        table = data.competencies(cohort)
        counts = table[[f"score_{s}" for s in range(5)]].astype("float64")
        shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0) * 100
        for s in range(5):
            label = f"{s} — {scale.get(s, s)}"
            hover = [
                f"<b>{wrapped(titles[code])}</b><br>note {escape(label)} : "
                f"{escape(fr.percent(share / 100))} des évalués ({fr.number(count)} sur "
                f"{fr.number(total)})"
                for code, share, count, total in zip(table["code"], shares[f"score_{s}"],
                                                     counts[f"score_{s}"], table["n"], strict=True)
            ]  # fmt: skip
            fig.add_bar(
                x=shares[f"score_{s}"], y=table["code"], orientation="h", name=escape(label),
                legendgroup=f"score_{s}", visible=i == 0, marker_color=SCORE_COLORS[s],
                hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            )  # fmt: skip
            owners.append(i)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 101], ticksuffix=PERCENT,
                     title="part des candidats évalués (note finale du jury)")  # fmt: skip
    _category_axis(fig, codes, _tick_labels(data, codes))
    fig.update_layout(updatemenus=[
        _cohort_menu(data, owners),
        _block_menu(data, codes, lambda n: _bar_height(n) + 40),
    ])  # fmt: skip
    return _layout(
        fig, "Répartition des notes du jury par compétence", _bar_height(len(codes)) + 40
    )


def route_rates(data: Exploration) -> go.Figure:
    """Title and block rates by access route, with a cohort menu."""
    present = data.overall_routes["access_route"].drop_duplicates().tolist()
    routes = [r for r in ACCESS_ROUTES if r in present] + sorted(set(present) - set(ACCESS_ROUTES))
    names = {r: f"{r} — {ACCESS_ROUTES.get(r, r)}" for r in routes}
    blocks = data.ctx.referentiel.blocks
    items = [(TITLE, LEVELS["title"]),
             *((b, _block_label(b, label)) for b, label in
               zip(blocks["code"], blocks["label"], strict=True))]  # fmt: skip
    # hover boxes name the title and each block in full
    titles = {TITLE: f"{LEVELS['title']} « {data.ctx.referentiel.title} »"} | {
        b: f"{LEVELS['block']} {title}" for b, title in _titles(data).items()}  # fmt: skip
    small = data.ctx.rules.small_group
    fig = go.Figure()
    owners = []
    for i, (_, cohort) in enumerate(data.choices()):
        table = data.routes(cohort)
        for j, (code, item) in enumerate(items):
            rows = table[table["code"] == code]
            rows = rows.set_index("access_route").reindex(routes).reset_index()
            rows["small_group"] = rows["small_group"].fillna(False).astype(bool)
            rate = rows["rate"] * 100
            fig.add_bar(
                x=rate, y=[names[r] for r in rows["access_route"]], orientation="h",
                name=escape(item), legendgroup=code, visible=i == 0,
                marker={"color": PALETTE[j % len(PALETTE)], "opacity": _opacity(rows["small_group"])},
                error_x=_error(rate, rows),
                hovertext=[_rate_hover(r, f"{titles[code]} — {names[r.access_route]}", small)
                           for r in rows.itertuples()],
                hovertemplate="%{hovertext}<extra></extra>",
            )  # fmt: skip
            owners.append(i)
    owners += _legend_notes(fig, [(f"barre pâle : petit effectif (moins de {small})",
                                   OVERALL_COLOR, SMALL_OPACITY)])  # fmt: skip
    labels = [names[r] for r in routes]
    fig.update_layout(barmode="group", updatemenus=[_cohort_menu(data, owners)])
    fig.update_xaxes(
        range=[0, 101],
        ticksuffix=PERCENT,
        title="taux d'obtention du titre ou de validation du bloc (IC 95 %)",
    )
    _category_axis(fig, labels)
    height = max(420, 140 + 22 * len(routes) * len(items))
    return _layout(fig, "Titre et blocs par voie d'accès", height)


def cohort_trends(data: Exploration) -> go.Figure:
    """Rate of the title, a block or a competency across cohorts, one line per site."""
    review = data.review
    table = pd.concat([review.cohorts, review.competencies], ignore_index=True)
    table["site"] = table["site"].astype("object").where(table["site"].notna(), NO_SITE)
    sites = sorted(table["site"].unique(), key=str)
    referentiel = data.ctx.referentiel
    items = [(TITLE, f"{LEVELS['title']} « {referentiel.title} »")]
    items += [(b, _block_label(b, label)) for b, label in
              zip(referentiel.blocks["code"], referentiel.blocks["label"], strict=True)]  # fmt: skip
    items += [(c, f"{LEVELS['competency']} {item_label(c, label, MENU_WIDTH)}") for c, label in
              zip(referentiel.competencies["code"], referentiel.competencies["label"],
                  strict=True)]  # fmt: skip
    small = data.ctx.rules.small_group
    fig = go.Figure()
    owners = []
    for i, (code, _) in enumerate(items):
        for j, site in enumerate(sites):
            rows = table[(table["code"] == code) & (table["site"] == site)]
            rows = rows.assign(_order=rows["cohort"].map(data.cohorts.index)).sort_values("_order")
            rate = rows["rate"] * 100
            # a star only where the change survives the correction over its comparison
            significant = rows["flagged"].to_numpy(dtype=bool)
            fig.add_scatter(
                x=rows["cohort"], y=rate, mode="lines+markers", name=escape(str(site)),
                legendgroup=str(site), visible=i == 0, line={"color": PALETTE[j % len(PALETTE)]},
                marker={"symbol": np.where(significant, SIGNIFICANT, "circle").tolist(),
                        "size": np.where(significant, 16, 8).tolist()},
                error_y={"type": "data", "symmetric": False, "array": rows["ci_high"] * 100 - rate,
                         "arrayminus": rate - rows["ci_low"] * 100, "thickness": 1},
                hovertext=[_trend_hover(r, small) for r in rows.itertuples()],
                hovertemplate="%{hovertext}<extra></extra>",
            )  # fmt: skip
            owners.append(i)
    # a legend entry explaining the star, shown whatever the menu says
    fig.add_scatter(x=[None], y=[None], mode="markers",
                    name=f"{CONFIRMED} (valeur p ajustée < 0,05)",
                    marker={"symbol": SIGNIFICANT, "size": 14, "color": "#555"})  # fmt: skip
    owners.append(ALWAYS)
    buttons = [
        (label, "restyle", [{"visible": [o in (i, ALWAYS) for o in owners]}])
        for i, (_, label) in enumerate(items)
    ]
    fig.update_layout(updatemenus=[_menu(buttons, x=0)])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=data.cohorts,
                     title="cohortes, de la plus ancienne à la plus récente")  # fmt: skip
    fig.update_yaxes(
        range=[0, 105], ticksuffix=PERCENT, title="taux (intervalle de confiance à 95 %)"
    )
    return _layout(fig, "Évolution d'une cohorte à l'autre", 460)


def agreement_chart(data: Exploration) -> go.Figure:
    """Weighted kappa between jury and employer per competency, with a cohort menu."""
    small = data.ctx.rules.small_group
    codes = [*data.ctx.referentiel.competencies["code"], OVERALL]
    titles = _titles(data)
    fig = go.Figure()
    owners = []
    lowest = -0.2
    for i, (_, cohort) in enumerate(data.choices()):
        table = data.agreement(cohort).set_index("code").reindex(codes).reset_index()
        table["pairs"] = table["pairs"].fillna(0).astype(int)
        shown = table[["kappa", "ci_low"]].to_numpy(dtype=float)  # interval ends stay in view
        if np.isfinite(shown).any():
            lowest = min(lowest, float(np.nanmin(shown)) - 0.05)
        fig.add_bar(
            x=table["kappa"], y=table["code"], orientation="h",
            name=escape(cohort or ALL_COHORTS), visible=i == 0, showlegend=False,
            marker={"color": [PALETTE[0] if c != OVERALL else OVERALL_COLOR for c in table["code"]],
                    "opacity": _opacity((table["pairs"] > 0) & (table["pairs"] < small))},
            error_x={"type": "data", "symmetric": False, "array": table["ci_high"] - table["kappa"],
                     "arrayminus": table["kappa"] - table["ci_low"], "color": "#555",
                     "thickness": 1},
            customdata=table[["pairs"]].to_numpy(), texttemplate="%{x:.2f}",
            textposition="outside", cliponaxis=False,
            hovertext=[_kappa_hover(r, titles.get(r.code, r.code), small)
                       for r in table.itertuples()],
            hovertemplate="%{hovertext}<extra></extra>",
        )  # fmt: skip
        owners.append(i)
    owners += _legend_notes(fig, [(f"barre pâle : moins de {small} paires de notes",
                                   PALETTE[0], SMALL_OPACITY)])  # fmt: skip
    _kappa_bands(fig, lowest)
    # two lines: beside the competencies' names the plot is too narrow for one
    fig.update_xaxes(range=[lowest, 1.08], title="kappa pondéré et son intervalle de confiance "
                     "à 95 %<br>(1 : accord parfait ; 0 : pas mieux que le hasard)",
                     zeroline=True)  # fmt: skip
    _category_axis(fig, codes, [*_tick_labels(data, codes[:-1]), OVERALL_NAME])
    fig.update_layout(updatemenus=[_cohort_menu(data, owners)])
    return _layout(fig, "Accord entre le jury et l'entreprise (kappa pondéré)",
                   _bar_height(len(codes)))  # fmt: skip


def followup_tables(data: Exploration) -> go.Figure:
    """« Candidats à accompagner », as in the internal cohort report, one cohort at a time
    chosen from a menu: pseudonyms, grouped by the blocks to validate, near marks."""
    views = [followup_view(data.ctx, cohort) for cohort in data.cohorts]
    columns = {"group": ("Blocs à valider", group_title), **FOLLOWUP_COLUMNS}
    fig = go.Figure()
    heights, notes = [], []
    for i, view in enumerate(views):
        table = french_table(view.candidates, columns)
        if table.empty:
            table = pd.DataFrame([[nobody_text(view), *[""] * (len(columns) - 1)]],
                                 columns=table.columns)  # fmt: skip
        cells = [[escape(v).replace(" · ", "<br>") for v in table[c]] for c in table.columns]
        lines = table[FOLLOWUP_COLUMNS["items"][0]].str.count(" · ") + 1
        heights.append(min(MAX_TABLE_HEIGHT, max(320, 210 + int((lines * 20 + 10).sum()))))
        notes.append(_followup_note(view))
        fig.add_table(
            header={"values": [f"<b>{escape(c)}</b>" for c in table.columns], "align": "left",
                    "fill_color": "#e8edf2", "line_color": "#c8d1da", "height": 30},
            cells={"values": cells, "align": "left", "height": 24, "line_color": "#d8dee4",
                   "fill_color": "white"},
            columnwidth=[1.1, 1.0, 0.9, 0.7, 0.8, 3.6], visible=i == 0,
            name=escape(view.cohort),
        )  # fmt: skip
    buttons = [
        (f"Cohorte {view.cohort} : {fr.number(len(view.candidates))} à accompagner", "update",
         [{"visible": [j == i for j in range(len(views))]},
          {"height": heights[i], "annotations": [notes[i]]}])
        for i, view in enumerate(views)
    ]  # fmt: skip
    fig.update_layout(updatemenus=[_menu(buttons, x=0)], annotations=notes[:1])
    return _layout(fig, "Candidats à accompagner", heights[0] if heights else 320)


def _followup_note(view: FollowupView) -> dict:
    """Under the table: the mark's meaning, and candidates left out as not presented."""
    lines = [f"{legend(view)}."]
    if view.not_presented:
        lines.append(f"{fr.number(view.not_presented)} candidat(s) de la cohorte sans aucune note "
                     "(non présentés) ne figurent pas dans ce tableau.")  # fmt: skip
    return {"text": "<br>".join(map(escape, lines)), "showarrow": False, "x": 0,
            "xref": "paper", "xanchor": "left", "y": 0, "yref": "paper", "yanchor": "top",
            "align": "left", "font": {"size": 12, "color": "#3d4852"}}  # fmt: skip


# -- menus ---------------------------------------------------------------------------------
Button = tuple[str, str, list]


def _menu(buttons: Sequence[Button], x: float, xanchor: str = "left") -> dict:
    """A dropdown above the plot, left or right; labels are text (escaped)."""
    return {
        "type": "dropdown", "direction": "down", "active": 0, "showactive": True,
        "x": x, "xanchor": xanchor, "y": 1, "yanchor": "bottom", "pad": {"b": 10},
        "bgcolor": "white", "bordercolor": "#9aa5b1", "font": {"size": 13},
        "buttons": [{"label": escape(label), "method": method, "args": args}
                    for label, method, args in buttons],
    }  # fmt: skip


def _cohort_menu(data: Exploration, owners: Sequence[int]) -> dict:
    """Show the traces of one cohort entry (``owners``: the entry each trace belongs to,
    ``ALWAYS`` for legend notes)."""
    return _menu([
        (label, "restyle", [{"visible": [o in (i, ALWAYS) for o in owners]}])
        for i, (label, _) in enumerate(data.choices())
    ], x=0)  # fmt: skip


def _block_menu(data: Exploration, codes: list[str], height: Callable[[int], int]) -> dict:
    """Put only one block's competencies on the (category) y axis, resizing the figure."""
    blocks = data.ctx.referentiel.blocks
    block_of = dict(zip(data.ctx.referentiel.competencies["code"],
                        data.ctx.referentiel.competencies["block"], strict=True))  # fmt: skip
    entries = [(ALL_BLOCKS, codes)]
    for code, label in zip(blocks["code"], blocks["label"], strict=True):
        entries.append((_block_label(code, label), [c for c in codes if block_of.get(c) == code]))
    return _menu([
        (label, "relayout", [{"yaxis.categoryarray": shown,
                              "yaxis.range": [len(shown) - 0.5, -0.5],
                              "height": height(len(shown))}])
        for label, shown in entries
    ], x=1, xanchor="right")  # fmt: skip


def _legend_notes(fig: go.Figure, notes: Sequence[tuple[str, str, float]]) -> list[int]:
    """Legend entries that explain a colour or a shade (empty bars, always shown)."""
    for name, color, opacity in notes:
        pattern = {"shape": WEAK_PATTERN} if color == WEAK_COLOR else None
        fig.add_bar(x=[None], y=[None], orientation="h", name=escape(name), hoverinfo="skip",
                    marker_color=color, marker_pattern=pattern, opacity=opacity)  # fmt: skip
    return [ALWAYS] * len(notes)


def _category_axis(fig: go.Figure, categories: list[str],
                   ticks: Sequence[str] | None = None) -> None:  # fmt: skip
    """Categories top to bottom in the given order; the block menu changes the list.

    ``ticks`` are the words shown for the categories (« B1A1C1 — Participer… » for a code):
    the axis keeps the codes, so the block menu moves the same categories whatever their names.
    """
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=categories,
                     range=[len(categories) - 0.5, -0.5], autorange=False)  # fmt: skip
    if ticks is not None:
        # tick values are matched against the categories, which plain_categories escapes
        fig.update_yaxes(tickmode="array", tickvals=[escape(c, quote=False) for c in categories],
                         ticktext=[escape(t, quote=False) for t in ticks])  # fmt: skip


# -- text ----------------------------------------------------------------------------------
def _rate_hover(row, title: str, small: int) -> str:
    head = "<br>".join(escape(line) for line in textwrap.wrap(str(title), 60))
    if getattr(row, "suppressed", False):
        return f"<b>{head}</b><br>résultat masqué (moins de {small} candidats)"
    if not row.n:
        return f"<b>{head}</b><br>aucun candidat évalué"
    text = (f"<b>{head}</b><br>taux : {escape(fr.percent(row.rate))} "
            f"({fr.number(row.k)} sur {fr.number(row.n)})<br>"
            f"intervalle de confiance à 95 % : {escape(fr.interval(row.ci_low, row.ci_high))}")  # fmt: skip
    if getattr(row, "weak", False):
        text += "<br>parmi les compétences les plus faibles de la cohorte"
    if getattr(row, "small_group", False):
        text += f"<br>petit effectif (moins de {small}) : à lire avec prudence"
    return text


def _trend_hover(row, small: int) -> str:
    text = _rate_hover(row, f"{row.cohort} ({row.site})", small)
    if isinstance(row.previous_cohort, str) and not pd.isna(row.difference):
        interval = (f"IC 95 % {fr.signed_points(row.diff_ci_low)} à "
                    f"{fr.signed_points(row.diff_ci_high)}")  # fmt: skip
        if pd.isna(row.p_value):  # nobody on one side: nothing to test
            test = "pas de test possible"
        else:
            reading = (CONFIRMED if row.flagged else f"{WATCH} (non confirmé après correction)"
                       if row.reading == WATCH else "pas d'écart établi")  # fmt: skip
            test = (f"test exact de Fisher : p brute {p_value(row.p_value)}, p ajustée "
                    f"{p_value(row.p_adjusted)} : {reading}")  # fmt: skip
        text += (f"<br>évolution depuis {escape(row.previous_cohort)} : "
                 f"{escape(fr.signed_points(row.difference))} ({escape(interval)})"
                 f"<br>{escape(test)}")  # fmt: skip
    return text


def _kappa_hover(row, title: str, small: int) -> str:
    name = f"{OVERALL_NAME} : {OVERALL_LABEL}" if row.code == OVERALL else title
    head = f"<b>{wrapped(name)}</b>"
    if not row.pairs:
        return f"{head}<br>aucun candidat noté à la fois par le jury et l'entreprise"
    reading = escape(str(row.reading))
    if row.reading == IMPRECISE_READING:  # say why no Landis–Koch word is given
        reading += f" : l'intervalle couvre plus de {MAX_READING_BANDS} niveaux de lecture"
    text = (f"{head}<br>kappa pondéré : {escape(fr.decimal(row.kappa))} ({reading})"
            f"<br>intervalle de confiance à 95 % : "
            f"{escape(kappa_interval(row.ci_low, row.ci_high))}"
            f"<br>{fr.number(row.pairs)} paires de notes · notes identiques : "
            f"{escape(fr.percent(row.exact_agreement))}<br>écart moyen (entreprise − jury) : "
            f"{escape(fr.decimal(row.mean_difference))}")  # fmt: skip
    if row.pairs < small:
        text += f"<br>petit effectif (moins de {small}) : à lire avec prudence"
    return text


def _block_label(code: object, label: object) -> str:
    """« Bloc B1 — Collecter et traiter… » for a menu or a legend, cut on a word; a title the
    source referentiel lacks is said to be absent."""
    return f"{LEVELS['block']} {item_label(code, label, MENU_WIDTH)}"


def _titles(data: Exploration) -> dict[str, str]:
    """« code — whole title » of every block, activity and competency, for hover boxes."""
    return {c: item_label(c, label, None) for c, label in data.ctx.referentiel.labels().items()}


def _tick_labels(data: Exploration, codes: Sequence[str]) -> list[str]:
    """Axis words for competency codes, as the reports' charts name them: « B1A1C1 —
    Participer à… », cut on a word (the hover gives the whole title)."""
    labels = data.ctx.referentiel.labels()
    return [item_label(c, labels.get(c)) for c in codes]


# -- layout --------------------------------------------------------------------------------
def _error(rate: pd.Series, table: pd.DataFrame) -> dict:
    return {"type": "data", "symmetric": False, "array": table["ci_high"] * 100 - rate,
            "arrayminus": rate - table["ci_low"] * 100, "color": "#555", "thickness": 1}  # fmt: skip


def _opacity(small: pd.Series) -> list[float]:
    return np.where(small.to_numpy(dtype=bool), SMALL_OPACITY, 1.0).tolist()


def _bar_height(rows: int) -> int:
    return max(320, 190 + 26 * rows)


def _kappa_bands(fig: go.Figure, lowest: float) -> None:
    """Landis & Koch readings as shaded bands behind the bars, named under the axis."""
    bounds = [lowest, 0.0, *(upper for upper, _ in LANDIS_KOCH_READINGS[:-1]), 1.0]
    names = ["désaccord", *(reading for _, reading in LANDIS_KOCH_READINGS)]
    for i, (x0, x1) in enumerate(pairwise(bounds)):
        fig.add_vrect(x0=x0, x1=x1, fillcolor="#eef2f6" if i % 2 else "#f8fafc",
                      line_width=0, layer="below")  # fmt: skip
        fig.add_annotation(x=(x0 + x1) / 2, y=0, yref="paper", yanchor="top", yshift=-2,
                           text=escape(names[i]), showarrow=False,
                           font={"size": 11, "color": "#5b6770"})  # fmt: skip


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    plain_categories(fig)
    fig.update_layout(
        title={"text": escape(title), "x": 0, "xanchor": "left", "y": 1, "yref": "container",
               "yanchor": "top", "pad": {"t": 12}, "font": {"size": 16}},
        template="plotly_white", separators=", ", font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 100, "b": 90}, height=height, bargap=0.3,
        legend={"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        hoverlabel={"align": "left"},
    )  # fmt: skip
    return fig

"""Charts and tables for reports: plotly figures in French, each with an accessible table.

In a rendered report (``CC_ANALYTICS_REPORT=1``, set by the renderer) a chart is emitted as an
HTML fragment — a ``<figure class="chart">`` holding the plotly div and, beside it, the data as
a real table — and plotly.js is put once in the page by the report template. In JupyterLab the
same calls show interactive figures. Everything that comes from data is escaped.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..core.labels import NAME_ABSENT, NO_SITE
from . import formatting as fr
from .kinds import REPORT_ENV

if TYPE_CHECKING:
    from .views.followup import FollowupView

# Colours stay apart under protanopia, deuteranopia and tritanopia (tests/test_palettes.py
# simulates them): series in Okabe–Ito's colour-blind-safe hues after the house dark blue.
PALETTE = ["#1f4e79", "#e69f00", "#56b4e9", "#d55e00", "#009e73", "#cc79a7"]
# Scores 0–4: orange for not acquired, blue for acquired, and a lightness that falls step by
# step (CIE L* 90, 74, 58, 44, 28), so 0 and 4 differ in every vision and in grayscale.
SCORE_COLORS = ["#ffdb9a", "#f7a356", "#8c8a99", "#4568a4", "#00428a"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def in_report() -> bool:
    return os.environ.get(REPORT_ENV) == "1"


#: The charts' plotly template.
TEMPLATE = "plotly_white"
if in_report():
    # a report kernel draws nothing but these charts: the template as plotly's default is
    # applied once per figure as it is built, where naming it on each figure made plotly copy
    # and validate it again (about 0.1 s a figure, a third of a report's charts' time)
    import plotly.io as pio

    pio.templates.default = TEMPLATE


def plain_categories(fig: go.Figure) -> go.Figure:
    """Category labels from data (cohorts, sites, labels) drawn as written.

    plotly draws a subset of HTML in tick labels and hover boxes (``<a href>`` becomes a link,
    ``<b>`` bold), so every text category is escaped — in the traces, in the axes' category
    order and in the menus that change it — and shows exactly as the data spell it.
    """
    for trace in fig.data:
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is not None and any(isinstance(v, str) for v in values):
                setattr(trace, axis, _escaped(values))
    for axis in ("xaxis", "yaxis"):
        order = fig.layout[axis].categoryarray
        if order is not None:
            fig.layout[axis].categoryarray = _escaped(order)
    for menu in fig.layout.updatemenus or ():
        for button in menu.buttons or ():
            for change in button.args or ():
                if isinstance(change, dict):
                    for key in [k for k in change if str(k).endswith("categoryarray")]:
                        change[key] = _escaped(change[key])
    return fig


def _escaped(values: object) -> list[object]:
    return [escape(v, quote=False) if isinstance(v, str) else v for v in values]  # type: ignore[attr-defined]


def _layout(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    plain_categories(fig)
    import plotly.io as pio

    template = {} if pio.templates.default == TEMPLATE else {"template": TEMPLATE}
    fig.update_layout(
        title={"text": escape(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=", ", font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 50, "b": 40}, height=height,
        legend={"orientation": "h", "y": -0.15}, **template,
    )  # fmt: skip
    return fig


def _short(text: object, width: int = 48) -> str:
    return fr.shorten(text, width)


def item_label(code: object, label: object, width: int | None = 48) -> str:
    """How a chart names a block or competency: « B3A2C4 — Finaliser les éléments… », cut on
    a word at ``width`` characters (``None``: whole); a missing title says so (the source
    referentiel lacks it) rather than showing a bare code."""
    text = "" if _absent(label) else " ".join(str(label).split())
    text = text or NAME_ABSENT
    return f"{code} — {text if width is None else fr.shorten(text, width)}"


def wrapped(text: object, width: int = 60) -> str:
    """Full text for a hover box, escaped, in lines of about ``width`` characters."""
    text = NAME_ABSENT if _absent(text) or not str(text).strip() else str(text)
    return "<br>".join(escape(line) for line in textwrap.wrap(text, width))


# -- figures ------------------------------------------------------------------------------
def rate_bars(
    table: pd.DataFrame, category: str, title: str, hover: str | None = None
) -> go.Figure:
    """Horizontal bars of ``rate`` (in %) with their Wilson interval, one per ``category``;
    a hidden result (``suppressed``) is written « masqué » where its bar would be."""
    rate = table["rate"].astype("float64") * 100
    hidden = table.get("suppressed", pd.Series(False, index=table.index)).astype(bool)
    names = table[hover].map(wrapped) if hover else pd.Series("", index=table.index)
    hovers = [
        f"{escape(str(c))} : "
        + ("masqué (petit effectif)" if h else f"{fr.percent(r / 100)}<br>{fr.number(k)} sur {fr.number(n)}")
        + (f"<br>{name}" if name else "")
        for c, h, r, k, n, name in zip(table[category], hidden, rate, table.get("k", rate),
                                       table.get("n", rate), names, strict=True)
    ]  # fmt: skip
    fig = go.Figure(go.Bar(
        x=rate.mask(hidden, 0), y=table[category].astype(str), orientation="h", marker_color=PALETTE[0],
        error_x={"type": "data", "symmetric": False,
                 "array": (table["ci_high"] * 100 - rate), "arrayminus": (rate - table["ci_low"] * 100),
                 "color": "#555"},
        text=["masqué" if h else "" for h in hidden], textposition="outside", cliponaxis=False,
        textfont={"size": 11, "color": "#5b6475"},
        hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
    ))  # fmt: skip
    fig.update_xaxes(
        range=[0, 100], ticksuffix="\u00a0%", title="taux (intervalle de confiance 95 %)"
    )
    fig.update_yaxes(autorange="reversed")
    if category == "code":  # blocks and competencies: « B1 — Collecter… », not a bare code
        _named_codes(fig, table)
    return _layout(fig, title, height=max(220, 40 + 28 * len(table)))


def score_distribution(table: pd.DataFrame, labels: Mapping[int, str], title: str) -> go.Figure:
    """Stacked shares of final jury scores 0–4 per competency."""
    counts = table[[f"score_{s}" for s in range(5)]].astype("float64")
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0) * 100
    fig = go.Figure()
    for s in range(5):
        # the score written in its segment: a segment is told by text, not by colour alone
        fig.add_bar(
            x=shares[f"score_{s}"], y=table["code"], orientation="h", name=escape(f"{s} — {labels.get(s, s)}"),
            marker_color=SCORE_COLORS[s], customdata=counts[f"score_{s}"],
            text=[str(s)] * len(table), textposition="inside", insidetextanchor="middle", textangle=0,
            hovertemplate="%{y} — note " + str(s) + " : %{x:.1f} % (%{customdata:.0f})<extra></extra>",
        )  # fmt: skip
    hidden = table.get("suppressed", pd.Series(False, index=table.index)).astype(bool)
    if hidden.any():  # an empty row would read as « nobody evaluated »
        fig.add_scatter(x=[1] * int(hidden.sum()), y=table.loc[hidden, "code"], mode="text",
                        text=["masqué (petit effectif)"] * int(hidden.sum()), textposition="middle right",
                        showlegend=False, hoverinfo="skip", textfont={"size": 11, "color": "#5b6475"})  # fmt: skip
    fig.update_layout(barmode="stack", uniformtext={"minsize": 9, "mode": "hide"})
    fig.update_xaxes(range=[0, 100], ticksuffix="\u00a0%")
    fig.update_yaxes(autorange="reversed")
    _named_codes(fig, table)
    return _layout(fig, title, height=max(260, 60 + 24 * len(table)))


def _named_codes(fig: go.Figure, table: pd.DataFrame, axis: str = "y") -> None:
    """Tick labels « code — title » for a category axis whose values are ``table``'s codes."""
    if "label" not in table:
        return
    codes = table["code"].astype(str).tolist()
    names = [escape(item_label(c, lb)) for c, lb in zip(codes, table["label"], strict=True)]
    getattr(fig, f"update_{axis}axes")(tickmode="array", tickvals=_escaped(codes), ticktext=names)


NOT_ACQUIRED_MARK = "✗"


def score_heatmap(matrix: pd.DataFrame, title: str, scale: Mapping[int, str] | None = None,
                  names: Mapping[str, object] | None = None,
                  threshold: int | None = None) -> go.Figure:  # fmt: skip
    """Candidates × competencies, final jury scores (blank: no score).

    Each cell shows its score, followed by ✗ when below ``threshold`` (not acquired), so no
    reader depends on colour; ``scale`` names the scores (« 0 — non acquis ») on the colour
    bar and in the hover, ``names`` gives each competency's title for the hover."""
    values = matrix.to_numpy(dtype="float64")
    # one discrete band per score: 2,4 is never drawn, a score is its colour, not a blend
    colorscale = [[edge, c] for i, c in enumerate(SCORE_COLORS)
                  for edge in (i / 5, (i + 1) / 5)]  # fmt: skip
    text = np.where(np.isnan(values), "", np.char.mod("%d", np.nan_to_num(values)))
    if threshold is not None:
        text = np.where(~np.isnan(values) & (values < threshold),
                        np.char.add(text, f"\u00a0{NOT_ACQUIRED_MARK}"), text)  # fmt: skip
    scale = scale or {}
    score_names = np.vectorize(lambda v: "" if np.isnan(v) else escape(
        f"{int(v)} — {scale.get(int(v), int(v))}"), otypes=[object])(values)  # fmt: skip
    names = {} if names is None else names
    titles = [wrapped(item_label(c, names.get(c), None)) for c in matrix.columns]
    fig = go.Figure(go.Heatmap(
        z=values, x=list(matrix.columns), y=list(matrix.index),
        zmin=-0.5, zmax=4.5, colorscale=colorscale, xgap=1, ygap=1, text=text,
        texttemplate="%{text}", textfont={"size": 11},
        customdata=np.dstack([score_names, np.tile(np.array(titles, dtype=object),
                                                   (len(matrix), 1))]),
        colorbar={"title": "note", "tickvals": [0, 1, 2, 3, 4],
                  "ticktext": [escape(f"{s} — {scale[s]}") if s in scale else str(s)
                               for s in range(5)]},
        hovertemplate="%{y} — %{customdata[1]}<br>note %{customdata[0]}<extra></extra>",
    ))  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(300, 80 + 16 * len(matrix)))


def trend_lines(table: pd.DataFrame, x: str, color: str, title: str) -> go.Figure:
    """Rates over ``x`` (cohorts or years), one line per ``color`` value, with intervals."""
    fig = go.Figure()
    for i, (name, group) in enumerate(table.groupby(color, sort=True, dropna=False)):
        rate = group["rate"] * 100
        fig.add_scatter(
            x=group[x].astype(str), y=rate, mode="lines+markers", name=escape(str(name)),
            line={"color": PALETTE[i % len(PALETTE)]},
            error_y={"type": "data", "symmetric": False, "array": group["ci_high"] * 100 - rate,
                     "arrayminus": rate - group["ci_low"] * 100},
            customdata=group[["n", "k"]].to_numpy(),
            hovertemplate="%{x} : %{y:.1f} % (%{customdata[1]} sur %{customdata[0]})<extra></extra>",
        )  # fmt: skip
    fig.update_yaxes(range=[0, 105], ticksuffix="\u00a0%")
    return _layout(fig, title, height=380)


# -- tables -------------------------------------------------------------------------------
Formatter = Callable[[object], str]
RATE_COLUMNS: dict[str, tuple[str, Formatter]] = {
    "n": ("Effectif", fr.number),
    "k": ("Réussites", fr.number),
    "rate": ("Taux", fr.percent),
}


def french_table(
    table: pd.DataFrame, columns: Mapping[str, tuple[str, Formatter | None]]
) -> pd.DataFrame:
    """The columns to show, renamed in French and formatted as text (``85,3 %``).

    Three keys show an interval from two columns: ``_interval`` (a rate's, ``ci_low`` and
    ``ci_high``), :data:`KAPPA_INTERVAL` (a kappa's, same columns, not percentages) and
    :data:`DIFFERENCE_INTERVAL` (a change's, ``diff_ci_low`` and ``diff_ci_high``).
    """
    intervals = {"_interval": ("ci_low", "ci_high", fr.interval),
                 KAPPA_INTERVAL: ("ci_low", "ci_high", kappa_interval),
                 DIFFERENCE_INTERVAL: ("diff_ci_low", "diff_ci_high", difference_interval)}  # fmt: skip
    out = {}
    for column, (header, formatter) in columns.items():
        if column in intervals:
            low, high, shown = intervals[column]
            out[header] = [shown(lo, hi) for lo, hi in zip(table[low], table[high], strict=True)]
        elif column in table:
            values = table[column]
            out[header] = values.map(formatter) if formatter else values.astype(str)
    return pd.DataFrame(out)


def score_matrix_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """A candidates × competencies score matrix as text: ``3``, or ``—`` where no score."""
    out = matrix.apply(lambda column: column.map(fr.number))
    return out.reset_index().rename(columns={matrix.index.name or "index": "Candidat"})


def html_table(table: pd.DataFrame, caption: str | None = None, css_class: str = "data",
               cell_classes: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """An escaped HTML table (headers and cells are text); ``cell_classes``: a CSS class for
    the cells of some columns."""
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in table.columns)
    classes = cell_classes or {}
    cells = [
        f"<td class='{escape(classes[c])}'>" if c in classes else "<td>" for c in table.columns
    ]
    rows = "".join(
        "<tr>"
        + "".join(f"{td}{escape(str(v))}</td>" for td, v in zip(cells, row, strict=True))
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table class='{css_class}'>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


# -- display ------------------------------------------------------------------------------
def _display_html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def show_chart(fig: go.Figure, data: pd.DataFrame, caption: str) -> None:
    """A chart with its data table beside it (the table is the accessible version)."""
    if not in_report():
        fig.show()
        from IPython.display import display

        display(data)
        return
    # no fixed width: the chart follows its column (window, phone, paper: see print.js)
    fig.update_layout(autosize=True, width=None)
    div = fig.to_html(full_html=False, include_plotlyjs=False, default_width="100%",
                      config={"displaylogo": False, "responsive": True, "locale": "fr"})  # fmt: skip
    _display_html(
        f"<figure class='chart'><div class='plot'>{div}</div>"
        f"<figcaption>{escape(caption)}</figcaption>"
        f"<details class='chart-data'><summary>Données du graphique (tableau)</summary>"
        f"{html_table(data)}</details></figure>"
    )


def show_table(data: pd.DataFrame, caption: str | None = None) -> None:
    if not in_report():
        from IPython.display import display

        display(data)
        return
    _display_html(html_table(data, caption))


def show_headline(headline: pd.DataFrame) -> None:
    """Key figures as cards: value, count, and the interval of rates read as estimates (a full
    count, such as the candidates presented, has none)."""
    cards = "".join(
        f"<div class='kpi'><div class='kpi-label'>{escape(str(r.indicator))}</div>"
        f"<div class='kpi-value' data-rate='{r.rate:.10f}'>{escape(fr.percent(r.rate))}</div>"
        f"<div class='kpi-detail'>{escape(fr.number(r.k))} sur {escape(fr.number(r.n))}"
        + (
            f" · IC 95 % {escape(fr.interval(r.ci_low, r.ci_high))}"
            if getattr(r, "estimate", True)
            else " · effectif complet, sans intervalle"
        )
        + "</div></div>"
        for r in headline.itertuples(index=False)
    )
    _display_html(f"<div class='kpis'>{cards}</div>") if in_report() else show_table(headline)


def show_note(text: str, kind: str = "info") -> None:
    """A short message (escaped); ``kind``: info, warning."""
    if not in_report():
        print(text)
        return
    _display_html(f"<p class='note note-{escape(kind)}'>{escape(text)}</p>")


def show_list(items: list[str], title: str | None = None) -> None:
    body = "".join(f"<li>{escape(i)}</li>" for i in items)
    head = f"<p><strong>{escape(title)}</strong></p>" if title else ""
    _display_html(f"{head}<ul>{body}</ul>") if in_report() else print("\n".join(items))


def show_provenance(provenance: Mapping[str, object]) -> None:
    """The provenance footer: inputs, rules, referentiel, version, time."""
    rows = []
    for key, value in provenance.items():
        if isinstance(value, Mapping):
            value = " ; ".join(f"{k} : {v}" for k, v in value.items())
        rows.append(f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>")
    html = f"<footer class='provenance'><h2 id='provenance'>Provenance</h2><dl>{''.join(rows)}</dl></footer>"
    _display_html(html) if in_report() else print(provenance)


def show_heading(text: str, anchor: str) -> None:
    """A section heading (h2) written by code: in the table of contents like the others."""
    if not in_report():
        print(text)
        return
    _display_html(f'<h2 id="{escape(anchor)}">{escape(text)}</h2>')


# -- candidates to follow up (internal reports) ----------------------------------------------
FOLLOWUP_COLUMNS = {
    "pseudonym": ("Candidat (pseudonyme)", None),
    "competencies_missing": ("Compétences manquantes", fr.number),
    "near": ("À un point du seuil", fr.number),
    "one_competency_from_title": ("À une compétence du titre", lambda v: "oui" if v else ""),
    "items": ("Compétences à reprendre (situation, notes)", None),
}


def show_followup(view: FollowupView) -> None:
    """« Candidats à accompagner »: a summary per group (what is missing), then a sortable
    table of candidates per group, near-threshold competencies marked in words and ◆."""
    from .views.followup import group_title, legend, nobody_text

    if not in_report():
        from IPython.display import display

        display(view.groups, view.candidates)
        return
    groups = french_table(view.groups.assign(title=view.groups["group"].map(group_title)), {
        "title": ("Ce qui manque", None),
        "candidates": ("Candidats", fr.number),
        "one_competency_from_title": ("dont à une seule compétence du titre", fr.number),
        "near": ("dont au moins une compétence à un point du seuil", fr.number),
    })  # fmt: skip
    if view.candidates.empty:
        parts = [f"<p class='note'>{escape(nobody_text(view))}</p>"]
    else:
        parts = [html_table(groups, "Candidats présentés sans le titre, selon les blocs à valider")]
        parts.append(f"<p class='note'>{escape(legend(view))}.<span class='screen-only'> Cliquez "
                     "sur l'en-tête d'une colonne pour trier un tableau.</span></p>")  # fmt: skip
    if view.not_presented:
        parts.append(f"<p class='note'>{fr.number(view.not_presented)} candidat(s) de la cohorte "
                     "sans aucune note (non présentés) : ils ne figurent pas ici ; voir la "
                     "feuille « jury » de « cc-analytics followup ».</p>")  # fmt: skip
    for group, people in view.candidates.groupby("group", sort=False):
        title = f"{group_title(str(group))} — {fr.number(len(people))} candidat(s)"
        one_per_line = people["items"].str.replace(" · ", "\n", regex=False)
        table = french_table(people.assign(items=one_per_line), FOLLOWUP_COLUMNS)
        parts.append(f"<h3>{escape(title)}</h3>")
        parts.append(html_table(table, css_class="data sortable followup",
                                cell_classes={FOLLOWUP_COLUMNS["items"][0]: "items"}))  # fmt: skip
    _display_html("".join(parts))


# -- quality review and renewal evidence -----------------------------------------------------
# (kept together: figures and tables of the review and renewal reports)
# cividis (made for colour-blind readers, lightness rising with the rate), with more colour
# steps where rates usually lie (60–100 %); plotly writes each cell's text in black or white,
# whichever its colour needs
HEAT_COLORS = [[0.0, "#00224e"], [0.5, "#3b496c"], [0.7, "#707173"], [0.85, "#a59c74"],
               [0.95, "#e1cc55"], [1.0, "#fee838"]]  # fmt: skip


def _absent(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def whole_percent(value: object) -> str:
    """An integer percent as France Compétences publishes it: ``85 %`` (``—`` when missing)."""
    if _absent(value):
        return fr.MISSING
    return f"{round(float(value))}{fr.NBSP}%"  # type: ignore[arg-type]


def signed_number(value: object, unit: str = "") -> str:
    """A difference: ``+3``, ``−2 pt``, ``0`` (``—`` when missing)."""
    if _absent(value):
        return fr.MISSING
    number = round(float(value))  # type: ignore[arg-type]
    sign = "+" if number > 0 else ("−" if number < 0 else "")
    return f"{sign}{abs(number)}" + (f"{fr.NBSP}{unit}" if unit and number else "")


def rate_columns(table: pd.DataFrame, x: str, color: str, title: str) -> go.Figure:
    """Vertical bars of ``rate`` (in %) grouped by ``x``, one colour per ``color`` value,
    with their Wilson interval. A hidden result (``suppressed``) is written « masqué » on an
    empty bar and a 0 % is written above its interval, so neither reads as a missing bar."""
    fig = go.Figure()
    for i, (name, group) in enumerate(table.groupby(color, sort=False, dropna=False)):
        rate = group["rate"].astype("float64") * 100
        high = group["ci_high"].astype("float64") * 100
        hidden = group.get("suppressed", pd.Series(False, index=group.index)).astype(bool)
        hover = [
            f"{escape(str(name))} — {escape(str(v))} : "
            + ("masqué (petit effectif)" if h else f"{fr.percent(r / 100)} ({fr.number(k)} sur "
               f"{fr.number(n)})")
            for v, h, r, k, n in zip(group[x], hidden, rate, group["k"], group["n"], strict=True)
        ]  # fmt: skip
        fig.add_bar(
            x=group[x].astype(str), y=rate.mask(hidden, 0), name=escape(str(name)),
            offsetgroup=str(i), marker_color=PALETTE[i % len(PALETTE)],
            text=["masqué" if h else "" for h in hidden], textposition="outside",
            textangle=-90, cliponaxis=False, textfont={"size": 11, "color": "#5b6475"},
            error_y={"type": "data", "symmetric": False, "color": "#555",
                     "array": high - rate, "arrayminus": rate - group["ci_low"] * 100},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        )  # fmt: skip
        zero = (rate == 0) & ~hidden
        if zero.any():
            fig.add_scatter(
                x=group.loc[zero, x].astype(str), y=high[zero] + 1, mode="text",
                text=["0\u00a0%"] * int(zero.sum()), textposition="top center",
                offsetgroup=str(i), showlegend=False, hoverinfo="skip", cliponaxis=False,
                textfont={"size": 11, "color": "#5b6475"},
            )  # fmt: skip
    fig.update_yaxes(range=[0, 105], ticksuffix="\u00a0%", title="taux (IC 95 %)")
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="group", scattermode="group")
    return _layout(fig, title, height=420)


def rate_heatmap(table: pd.DataFrame, x: str, y: str, title: str) -> go.Figure:
    """Rates as a grid (``y`` rows × ``x`` columns), the rate written in each cell.

    A cell carries the first character of ``signal``: ▲ or ▼ for a change against the previous
    cohort confirmed after correction, △ or ▽ for one only « à surveiller »; « masqué » when
    ``suppressed``; « non évaluée » when nobody was evaluated.
    """
    import numpy as np

    columns = table[x].astype(str)
    if "site" in table and table.duplicated([x, y]).any():  # a cohort on several sites
        columns = columns + " — " + table["site"].fillna(NO_SITE).astype(str)
    rows = list(dict.fromkeys(table[y].astype(str)))
    cols = list(dict.fromkeys(columns))
    grid = table.assign(_x=columns, _y=table[y].astype(str))
    rate = grid.pivot(index="_y", columns="_x", values="rate").reindex(index=rows, columns=cols)
    signal = grid["signal"].fillna("").str.slice(0, 1) if "signal" in grid else ""
    suppressed = grid.get("suppressed", False)
    text = np.where(suppressed, "masqué",
                    np.where(grid["n"] == 0, "non évaluée",
                             grid["rate"].map(lambda r: fr.percent(r, 0)) + " " + signal))  # fmt: skip
    text = grid.assign(_t=text).pivot(index="_y", columns="_x", values="_t")
    text = text.reindex(index=rows, columns=cols).fillna("")
    hover = grid.assign(_h=grid["label"].map(wrapped) + "<br>" + grid["k"].map(fr.number) + " sur "
                        + grid["n"].map(fr.number)).pivot(index="_y", columns="_x", values="_h")  # fmt: skip
    fig = go.Figure(go.Heatmap(
        z=rate.to_numpy(dtype="float64") * 100, x=cols, y=rows, zmin=0, zmax=100,
        colorscale=HEAT_COLORS, xgap=2, ygap=2, text=text.to_numpy(),
        texttemplate="%{text}", textfont={"size": 12},
        customdata=hover.reindex(index=rows, columns=cols).fillna("").to_numpy(),
        colorbar={"title": "taux", "ticksuffix": "\u00a0%"},
        hovertemplate="%{y} — %{x} : %{text}<br>%{customdata}<extra></extra>",
    ))  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    if y == "code" and "label" in table:  # competencies: « B1A1C1 — Participer… »
        _named_codes(fig, table.drop_duplicates("code"))
    fig = _layout(fig, title, height=max(320, 110 + 30 * len(rows)))
    fig.update_layout(margin={"t": 90})
    return fig


def value_lines(table: pd.DataFrame, x: str, y: str, color: str, title: str,
                axis_title: str, y_range: tuple[float, float] | None = None,
                interval: tuple[str, str] | None = None) -> go.Figure:  # fmt: skip
    """A value (kappa, say) over ``x``, one line per ``color`` value, decimals in French.

    ``interval`` names the columns of the value's lower and upper bounds (a kappa's
    ``ci_low``, ``ci_high``): drawn as error bars, written in the hover, and ``y_range`` is
    widened to hold them."""
    fig = go.Figure()
    for i, (name, group) in enumerate(table.groupby(color, sort=True, dropna=False)):
        values = group[y].astype("float64")
        text = group[y].map(fr.decimal)
        error = None
        if interval:
            low, high = (group[c].astype("float64") for c in interval)
            text = [f"{value} (intervalle à 95{fr.NBSP}% : {kappa_interval(lo, hi)})"
                    for value, lo, hi in zip(text, low, high, strict=True)]  # fmt: skip
            error = {"type": "data", "symmetric": False, "array": high - values,
                     "arrayminus": values - low, "thickness": 1}  # fmt: skip
        fig.add_scatter(
            x=group[x].astype(str), y=values, mode="lines+markers", error_y=error,
            name=escape(str(name)), line={"color": PALETTE[i % len(PALETTE)]}, text=text,
            hovertemplate=escape(str(name)) + " — %{x} : %{text}<extra></extra>",
        )  # fmt: skip
    bounds = table[list(interval or ())].to_numpy("float64")
    if y_range and np.isfinite(bounds).any():  # keep a negative bound on a (0, 1) axis
        low, high = float(np.nanmin(bounds)), float(np.nanmax(bounds))
        y_range = (min(y_range[0], low - 0.05), max(y_range[1], high + 0.05))
    fig.update_yaxes(title=axis_title, range=list(y_range) if y_range else None)
    fig.update_xaxes(type="category")
    return _layout(fig, title, height=380)


# -- kappa ------------------------------------------------------------------------------------
#: Key of :func:`french_table`'s column mapping that shows a kappa's interval.
KAPPA_INTERVAL = "_kappa_interval"


def kappa_interval(low: object, high: object) -> str:
    """A kappa's 95 % interval in French: ``[-0,15 ; 0,82]`` (``—`` when there is none)."""
    if _absent(low) or _absent(high):
        return fr.MISSING
    return f"[{fr.decimal(low)} ; {fr.decimal(high)}]"


def labelled_bars(table: pd.DataFrame, x: str, y: str, color: str, title: str,
                  formatter: Formatter = fr.number, percent: bool = False) -> go.Figure:  # fmt: skip
    """Grouped vertical bars with their value written on them (counts, or integer percents)."""
    fig = go.Figure()
    for i, (name, group) in enumerate(table.groupby(color, sort=False, dropna=False)):
        values = group[y].astype("float64")
        labels = group[y].map(formatter)
        fig.add_bar(
            x=group[x].astype(str), y=values, name=escape(str(name)),
            marker_color=PALETTE[i % len(PALETTE)], text=labels, textposition="outside",
            cliponaxis=False,
            hovertemplate=escape(str(name)) + " — %{x} : %{text}<extra></extra>",
        )  # fmt: skip
    if percent:
        fig.update_yaxes(range=[0, 110], ticksuffix="\u00a0%")
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="group", uniformtext={"minsize": 9, "mode": "show"})
    return _layout(fig, title, height=420)


def rate_dots(table: pd.DataFrame, x: str, y: str, name: str, highlight: str,
              title: str) -> go.Figure:  # fmt: skip
    """One dot per row at ``x`` (an integer percent) on the line of its ``y`` category; rows
    where ``highlight`` is true (our title) are drawn apart by shape **and** colour (a dark
    blue diamond among light orange circles), so they stand out in grayscale and in every
    colour vision. ``name`` labels each dot in its hover."""
    fig = go.Figure()
    marked = table[highlight].astype(bool)
    styles = ((False, "Fiches similaires (taux publiés)", "circle", PALETTE[1], 10),
              (True, "Notre titre (nos taux)", "diamond", PALETTE[0], 15))  # fmt: skip
    for ours, legend, symbol, colour, size in styles:
        group = table[marked == ours]
        if group.empty:
            continue
        hover = [f"{escape(str(n))} — {escape(str(c))} : {whole_percent(v)}"
                 for n, c, v in zip(group[name], group[y], group[x], strict=True)]  # fmt: skip
        fig.add_scatter(
            x=group[x].astype("float64"), y=group[y].astype(str), mode="markers",
            name=legend, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            marker={"symbol": symbol, "color": colour, "size": size, "opacity": 1 if ours else 0.8,
                    "line": {"width": 1.5, "color": "#ffffff" if ours else "#8a5a00"}},
        )  # fmt: skip
    fig.update_xaxes(range=[0, 105], ticksuffix="\u00a0%", title="taux d'insertion")
    fig.update_yaxes(type="category", autorange="reversed")
    rows = table[y].nunique()
    return _layout(fig, title, height=max(260, 120 + 60 * rows))


def show_outline(table: pd.DataFrame, section: str = "heading", text: str = "text",
                 level: str = "level") -> None:  # fmt: skip
    """Items grouped under their ``section`` heading; a ``level`` 1 row is a detail of the
    ``level`` 0 row above it (a modality and its parts, say)."""
    if not in_report():
        from IPython.display import display

        display(table)
        return
    parts = []
    for heading, group in table.groupby(section, sort=False):
        items: list[tuple[str, list[str]]] = []
        for depth, item in zip(group[level], group[text], strict=True):
            if depth and items:
                items[-1][1].append(str(item))
            else:
                items.append((str(item), []))
        body = "".join(
            f"<li>{escape(item)}"
            + (f"<ul>{''.join(f'<li>{escape(d)}</li>' for d in details)}</ul>" if details else "")
            + "</li>"
            for item, details in items
        )
        parts.append(
            f"<section class='outline'><h4>{escape(str(heading))}</h4><ul>{body}</ul></section>"
        )
    _display_html("".join(parts))


def _gap_text(difference: object, kind: str, differs: bool, presence: str,
              published: object) -> str:  # fmt: skip
    if presence == "both" and _absent(difference):
        return "non publié" if _absent(published) else "absent de nos données"
    return ("≠ " if differs else "") + signed_number(difference, "pt" if kind == "rate" else "")


_COMPARE_CSS = (
    "<style>table.compare tr.differs td{background:#fdf1ee}"
    "table.compare td.gap{font-weight:650;color:#a3311a}"
    "table.compare tr.one-side td{color:#5b6475;font-style:italic}"
    "p.compare-legend{font-size:.9rem;color:#5b6475}</style>"
)


def show_comparison(table: pd.DataFrame | None, caption: str | None = None) -> None:
    """Our figures beside the published ones (see ``views.compare_published``).

    Rows where both sides give a value and they differ carry the class ``differs`` and a
    « ≠ » marker before the difference; years present on one side only are said so.
    """
    if table is None:
        show_note("Aucun export RNCP n'a été fourni : la comparaison avec les chiffres publiés "
                  "n'est pas faite (relancer le rapport avec l'export France Compétences, "
                  "option --rncp-export).")  # fmt: skip
        return

    def value(v: object, kind: str) -> str:
        return whole_percent(v) if kind == "rate" else fr.number(v)

    shown = pd.DataFrame({
        "Année": table["ANNEE"].map(lambda y: fr.MISSING if _absent(y) else str(y)),
        "Indicateur": table["label"],
        "Nos chiffres": [value(v, k) for v, k in zip(table["ours"], table["kind"], strict=True)],
        "Chiffre publié": [value(v, k) for v, k in zip(table["published"], table["kind"],
                                                        strict=True)],
        "Écart (nous − publié)": [
            _gap_text(row.difference, row.kind, row.differs, row.presence, row.published)
            for row in table.itertuples(index=False)
        ],
        "Année présente dans": table["presence_label"],
    })  # fmt: skip
    if not in_report():
        from IPython.display import display

        display(shown)
        return
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in shown.columns)
    rows = []
    for values, differs, presence in zip(shown.itertuples(index=False), table["differs"],
                                         table["presence"], strict=True):  # fmt: skip
        css = "differs" if differs else ("one-side" if presence != "both" else "")
        cells = "".join(
            f"<td class='gap'>{escape(str(v))}</td>" if (j == 4 and differs)
            else f"<td>{escape(str(v))}</td>"
            for j, v in enumerate(values)
        )  # fmt: skip
        rows.append(f"<tr class='{css}'>{cells}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    legend = ("<p class='compare-legend'>« ≠ » et fond coloré : valeur différente de la valeur "
              "publiée. En italique : année présente d'un seul côté (rien à comparer).</p>")  # fmt: skip
    _display_html(f"{_COMPARE_CSS}<table class='data compare'>{cap}<thead><tr>{head}</tr></thead>"
                  f"<tbody>{''.join(rows)}</tbody></table>{legend}")  # fmt: skip


def text_or_dash(value: object) -> str:
    return fr.MISSING if _absent(value) or value == "" else str(value)


def p_value(value: object) -> str:
    """A p-value: ``0,029``, ``< 0,001`` (``—`` when not computed)."""
    if _absent(value):
        return fr.MISSING
    return f"<{fr.NBSP}0,001" if float(value) < 0.001 else fr.decimal(value, 3)  # type: ignore[arg-type]


#: Key of :func:`french_table`'s column mapping that shows the interval of a change.
DIFFERENCE_INTERVAL = "_difference_interval"


def difference_interval(low: object, high: object) -> str:
    """The 95 % interval of a change of rate: ``[−3,6 pt ; +59,0 pt]`` (``—`` when none)."""
    if _absent(low) or _absent(high):
        return fr.MISSING
    return f"[{fr.signed_points(low)} ; {fr.signed_points(high)}]"


def show_by_year(table: pd.DataFrame, caption: str | None = None) -> None:
    """A long ``field, label, kind, ANNEE, value`` table as one row per field and one column
    per year; ``kind`` « rate » values are integer percents (``85 %``), others counts."""
    if table.empty:
        show_note("Aucune année de promotion dans la période : aucun candidat n'a encore été "
                  "présenté au jury.")  # fmt: skip
        return
    years = list(dict.fromkeys(table["ANNEE"]))
    text = [whole_percent(v) if k == "rate" else fr.number(v)
            for v, k in zip(table["value"], table["kind"], strict=True)]  # fmt: skip
    wide = table.assign(_text=text).pivot(index=["field", "label"], columns="ANNEE",
                                          values="_text")  # fmt: skip
    order = list(dict.fromkeys(zip(table["field"], table["label"], strict=True)))
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(order), columns=years).fillna(fr.MISSING)
    shown = pd.DataFrame({"Champ": [f for f, _ in order], "Indicateur": [lb for _, lb in order]})
    for year in years:
        shown[str(year)] = wide[year].to_numpy()
    show_table(shown, caption)

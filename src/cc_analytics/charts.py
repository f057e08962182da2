"""Charts and tables for reports: plotly figures in French, each with an accessible table.

In a rendered report (``CC_ANALYTICS_REPORT=1``, set by the renderer) a chart is emitted as an
HTML fragment — a ``<figure class="chart">`` holding the plotly div and, beside it, the data as
a real table — and plotly.js is put once in the page by the report template. In JupyterLab the
same calls show interactive figures. Everything that comes from data is escaped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from html import escape

import pandas as pd
import plotly.graph_objects as go

from . import formatting as fr
from .paths import REPORT_ENV

PALETTE = ["#1f4e79", "#2e86ab", "#f18f01", "#c73e1d", "#3b8b5a", "#6c4f9c"]
SCORE_COLORS = ["#c73e1d", "#f0a35e", "#d9d9a3", "#7fbf7b", "#1b7837"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def in_report() -> bool:
    return os.environ.get(REPORT_ENV) == "1"


def _layout(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": escape(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white", separators=", ", font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 50, "b": 40}, height=height,
        legend={"orientation": "h", "y": -0.15},
    )  # fmt: skip
    return fig


def _short(text: object, width: int = 48) -> str:
    text = str(text or "")
    return text if len(text) <= width else text[: width - 1] + "…"


# -- figures ------------------------------------------------------------------------------
def rate_bars(
    table: pd.DataFrame, category: str, title: str, hover: str | None = None
) -> go.Figure:
    """Horizontal bars of ``rate`` (in %) with their Wilson interval, one per ``category``."""
    rate = table["rate"] * 100
    fig = go.Figure(go.Bar(
        x=rate, y=table[category].astype(str), orientation="h", marker_color=PALETTE[0],
        error_x={"type": "data", "symmetric": False,
                 "array": (table["ci_high"] * 100 - rate), "arrayminus": (rate - table["ci_low"] * 100),
                 "color": "#555"},
        customdata=table[[c for c in ("n", "k") if c in table]].to_numpy(),
        hovertext=table[hover].map(_short) if hover else None,
        hovertemplate="%{y} : %{x:.1f} %<br>%{customdata[1]} sur %{customdata[0]}"
                      + ("<br>%{hovertext}" if hover else "") + "<extra></extra>",
    ))  # fmt: skip
    fig.update_xaxes(
        range=[0, 100], ticksuffix="\u00a0%", title="taux (intervalle de confiance 95 %)"
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(220, 40 + 28 * len(table)))


def score_distribution(table: pd.DataFrame, labels: Mapping[int, str], title: str) -> go.Figure:
    """Stacked shares of final jury scores 0–4 per competency."""
    counts = table[[f"score_{s}" for s in range(5)]].astype("float64")
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0) * 100
    fig = go.Figure()
    for s in range(5):
        fig.add_bar(
            x=shares[f"score_{s}"], y=table["code"], orientation="h", name=f"{s} — {labels.get(s, s)}",
            marker_color=SCORE_COLORS[s], customdata=counts[f"score_{s}"],
            hovertemplate="%{y} — note " + str(s) + " : %{x:.1f} % (%{customdata:.0f})<extra></extra>",
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], ticksuffix="\u00a0%")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(260, 60 + 24 * len(table)))


def score_heatmap(matrix: pd.DataFrame, title: str) -> go.Figure:
    """Candidates × competencies, final jury scores (blank: no score)."""
    colorscale = [[i / 4, c] for i, c in enumerate(SCORE_COLORS)]
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype="float64"), x=list(matrix.columns), y=list(matrix.index),
        zmin=0, zmax=4, colorscale=colorscale, xgap=1, ygap=1,
        colorbar={"title": "note", "tickvals": [0, 1, 2, 3, 4]},
        hovertemplate="%{y} — %{x} : %{z}<extra></extra>",
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


def grouped_bars(table: pd.DataFrame, x: str, y: str, color: str, title: str,
                 percent: bool = False) -> go.Figure:  # fmt: skip
    fig = go.Figure()
    for i, (name, group) in enumerate(table.groupby(color, sort=True, dropna=False)):
        values = group[y] * (100 if percent else 1)
        fig.add_bar(x=group[x].astype(str), y=values, name=escape(str(name)),
                    marker_color=PALETTE[i % len(PALETTE)])  # fmt: skip
    if percent:
        fig.update_yaxes(range=[0, 100], ticksuffix="\u00a0%")
    fig.update_layout(barmode="group")
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
    """The columns to show, renamed in French and formatted as text (``85,3 %``)."""
    out = {}
    for column, (header, formatter) in columns.items():
        if column == "_interval":
            out[header] = [
                fr.interval(lo, hi)
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ]
        elif column in table:
            values = table[column]
            out[header] = values.map(formatter) if formatter else values.astype(str)
    return pd.DataFrame(out)


def html_table(table: pd.DataFrame, caption: str | None = None, css_class: str = "data") -> str:
    """An escaped HTML table (headers and cells are text)."""
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
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
    div = fig.to_html(full_html=False, include_plotlyjs=False,
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
    """Key figures as cards: value, count, interval."""
    cards = "".join(
        f"<div class='kpi'><div class='kpi-label'>{escape(str(r.indicator))}</div>"
        f"<div class='kpi-value' data-rate='{r.rate:.10f}'>{escape(fr.percent(r.rate))}</div>"
        f"<div class='kpi-detail'>{escape(fr.number(r.k))} sur {escape(fr.number(r.n))} · "
        f"IC 95 % {escape(fr.interval(r.ci_low, r.ci_high))}</div></div>"
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

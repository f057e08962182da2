"""Report colours stay readable for colour-blind readers and in grayscale (issue 10, point 4).

Each palette colour is seen as a protanope, a deuteranope and a tritanope would see it (the
Machado, Oliveira & Fernandes 2009 matrices at severity 1.0, applied to linear RGB) and as a
grayscale print shows it (CIE L* alone); colours are compared by their CIE76 ΔE in CIELAB.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from cc_analytics.reporting import charts

MACHADO = {
    "protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deutéranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip
VISIONS = ["normale", *MACHADO, "niveaux de gris"]
RED_TO_GREEN = ["#c73e1d", "#f0a35e", "#d9d9a3", "#7fbf7b", "#1b7837"]  # the palette before


def linear_rgb(color: str) -> np.ndarray:
    srgb = np.array([int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear RGB colour."""
    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])  # fmt: skip
    xyz = to_xyz @ np.clip(rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(color: str, vision: str) -> np.ndarray:
    rgb = linear_rgb(color)
    if vision in MACHADO:
        return lab(np.array(MACHADO[vision]) @ rgb)
    colour = lab(rgb)
    return colour * np.array([1, 0, 0]) if vision == "niveaux de gris" else colour


def delta_e(a: str, b: str, vision: str) -> float:
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def test_the_simulation_matches_known_values():
    # white stays white for every deficiency; pure red and green collapse for a deuteranope
    assert seen("#ffffff", "deutéranopie") == pytest.approx([100, 0, 0], abs=0.5)
    assert delta_e("#ff0000", "#00ff00", "normale") > 150
    assert delta_e("#ff0000", "#00ff00", "niveaux de gris") == pytest.approx(34.5, abs=1)


@pytest.mark.parametrize("vision", VISIONS)
def test_scores_0_and_4_are_far_apart_in_every_vision(vision):
    assert delta_e(charts.SCORE_COLORS[0], charts.SCORE_COLORS[4], vision) >= 50


@pytest.mark.parametrize("vision", VISIONS)
def test_adjacent_scores_are_distinguishable_in_every_vision(vision):
    pairs = itertools.pairwise(charts.SCORE_COLORS)
    assert min(delta_e(a, b, vision) for a, b in pairs) >= 12


def test_the_check_catches_the_red_to_green_palette():
    # the old scale: 0 and 4 the same dark olive for a protanope, the same gray in print
    assert delta_e(RED_TO_GREEN[0], RED_TO_GREEN[4], "protanopie") < 12
    assert delta_e(RED_TO_GREEN[0], RED_TO_GREEN[4], "niveaux de gris") < 5


def test_score_lightness_falls_step_by_step():
    lightness = [seen(c, "normale")[0] for c in charts.SCORE_COLORS]
    assert all(b < a - 10 for a, b in itertools.pairwise(lightness)), lightness


@pytest.mark.parametrize("vision", VISIONS)
def test_the_rate_scale_runs_one_way_and_its_ends_differ(vision):
    stops = [color for _, color in sorted(charts.HEAT_COLORS)]
    lightness = [seen(c, vision)[0] for c in stops]
    assert all(b > a for a, b in itertools.pairwise(lightness)), lightness
    assert delta_e(stops[0], stops[-1], vision) >= 50


@pytest.mark.parametrize("vision", ["normale", *MACHADO])
def test_series_colours_differ_for_colour_blind_readers(vision):
    pairs = itertools.combinations(charts.PALETTE, 2)
    assert min(delta_e(a, b, vision) for a, b in pairs) >= 15


# -- values and marks in the cells, not colour alone ------------------------------------------
def test_the_score_heatmap_writes_each_score_and_marks_the_not_acquired():
    matrix = pd.DataFrame({"B1A1C1": [0.0, 3.0], "B2A1C1": [np.nan, 1.0]},
                          index=pd.Index(["C-aa", "C-bb"], name="candidat"))  # fmt: skip
    fig = charts.score_heatmap(matrix, "Notes", {0: "non acquis", 3: "maîtrisé"},
                               {"B1A1C1": "Accueillir"}, threshold=2)  # fmt: skip
    heat = fig.data[0]
    assert heat.text.tolist() == [["0\u00a0✗", ""], ["3", "1\u00a0✗"]]
    assert heat.texttemplate == "%{text}"
    assert list(heat.colorbar.ticktext) == ["0 — non acquis", "1", "2", "3 — maîtrisé", "4"]
    assert heat.customdata[1][0].tolist() == ["3 — maîtrisé", "B1A1C1 — Accueillir"]
    assert heat.customdata[0][1][1] == "B2A1C1 — intitulé absent de la source"


def test_the_score_distribution_writes_the_score_in_each_segment():
    table = pd.DataFrame({"code": ["B1A1C1"], "label": ["Accueillir le client"],
                          **{f"score_{s}": [s] for s in range(5)}})  # fmt: skip
    fig = charts.score_distribution(table, {}, "Notes")
    assert [list(bar.text) for bar in fig.data] == [["0"], ["1"], ["2"], ["3"], ["4"]]
    assert list(fig.layout.yaxis.ticktext) == ["B1A1C1 — Accueillir le client"]


def test_the_rate_heatmap_text_takes_a_readable_colour_on_every_cell():
    table = pd.DataFrame({"cohort": ["A", "B"], "code": ["B1A1C1"] * 2, "label": ["x"] * 2,
                          "n": [10, 10], "k": [2, 9], "rate": [0.2, 0.9]})  # fmt: skip
    heat = charts.rate_heatmap(table, "cohort", "code", "Carte").data[0]
    # no fixed colour: plotly writes white on dark cells and black on light ones
    assert heat.textfont.color is None
    assert heat.text.tolist() == [["20\u00a0% ", "90\u00a0% "]]

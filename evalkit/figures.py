"""Figures with the alt text and palette every report figure must carry.

Every plotting function in evalkit returns a :class:`FigureWithAlt`: the matplotlib figure plus
a sentence or two that says what the data shows (not "a chart"), written from the data itself.
Colours come from the Okabe-Ito palette, which stays distinct for the common colour-vision
deficiencies; meaning is never carried by colour alone (labels, hatching or ordering too).
"""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
# Diverging five-point scale for agreement (disagree -> agree), blue/orange so it reads in
# deuteranopia and protanopia; the neutral middle is grey.
LIKERT_COLOURS = ("#B35806", "#F1A340", "#D9D9D9", "#67A9CF", "#2166AC")
# Sequential, colour-blind-safe map for heatmaps.
SEQUENTIAL_CMAP = "cividis"


@dataclass(frozen=True)
class FigureWithAlt:
    """A matplotlib figure and the alt text that describes what it shows.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure; render with :func:`evalkit.report.display.show_figure`.
    alt : str
        Plain-language description of what the data shows, generated from the data.
    title : str
        Short title used as the figure caption.
    """

    figure: Figure
    alt: str
    title: str


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, "plt.Axes"]:
    """Return a figure and axes with evalkit's readable defaults (large text, no chart junk)."""
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


plt.rcParams.update({
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "svg.hashsalt": "evalkit",
    "svg.fonttype": "none",
    "path.simplify": True,
})

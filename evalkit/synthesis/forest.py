"""Forest plot of a meta-analysis, with alt text written from the numbers.

Each study is a square (area proportional to its weight in the pooled estimate) on a
horizontal confidence-interval line; the pooled estimate is a diamond spanning its confidence
interval; the prediction interval is a separate, labelled bar underneath. Estimates and
intervals are also printed as text beside every row, so nothing depends on colour.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from scipy import stats

from evalkit.figures import OKABE_ITO, FigureWithAlt, new_figure
from evalkit.errors import MetaAnalysisError
from evalkit.synthesis.inputs import validate_inputs
from evalkit.synthesis.result import MetaResult

__all__ = ["forest_plot", "forest_alt_text", "plain_forest_plot"]

_STUDY_COLOUR = OKABE_ITO[4]     # blue
_SUMMARY_COLOUR = OKABE_ITO[5]   # vermillion
_PI_COLOUR = OKABE_ITO[7]        # black
_NULL_COLOUR = "#595959"


def _fmt(x: float, decimals: int) -> str:
    """Format a number, printing negative zero as zero."""
    text = f"{x:.{decimals}f}"
    return "0." + "0" * decimals if text in ("-0", "-0." + "0" * decimals) else text


def forest_alt_text(result: MetaResult, yi, labels: Sequence[str], *, null_value: float = 0.0,
                    higher_is_better: bool | None = True, decimals: int = 2,
                    unit: str = "projects") -> str:
    """Describe a forest plot in plain language from its data.

    Parameters
    ----------
    result : MetaResult
        The pooled result shown in the plot.
    yi : array-like
        Study effect sizes, in plot order.
    labels : sequence of str
        Study names.
    null_value : float, default 0.0
        Effect meaning "no difference".
    higher_is_better : bool or None, default True
        Direction of benefit; None when there is no natural direction.
    decimals : int, default 2
        Decimal places of numbers in the text.
    unit : str, default "projects"
        Word used for the studies.

    Returns
    -------
    str
        Two to four sentences: range of effects, pooled estimate with CI, prediction interval
        and what it means for a new study, and heterogeneity.
    """
    y = np.asarray(yi, dtype=float)
    f = lambda x: _fmt(x, decimals)  # noqa: E731
    lo, hi = int(np.argmin(y)), int(np.argmax(y))
    pct = f"{result.level * 100:g}%"
    parts = [f"Forest plot of {len(y)} {unit}.",
             f"Effects range from {f(y[lo])} ({labels[lo]}) to {f(y[hi])} ({labels[hi]})."]
    combined = (f"Combined estimate {f(result.estimate)} ({pct} CI {f(result.ci_low)} to "
                f"{f(result.ci_high)})")
    if result.method == "FE":
        parts.append(combined + "; fixed-effect model, so no prediction interval for new "
                     f"{unit} beyond the confidence interval.")
    else:
        parts.append(f"{combined}; prediction interval {f(result.pi_low)} to {f(result.pi_high)}, "
                     f"{_new_study_phrase(result, null_value, higher_is_better, unit)}.")
    parts.append(f"Between-{unit[:-1] if unit.endswith('s') else unit} variation: I² = "
                 f"{result.i2:.0f}% (tau² = {f(result.tau2)}).")
    return " ".join(parts)


def _new_study_phrase(result: MetaResult, null_value: float, higher_is_better: bool | None,
                      unit: str) -> str:
    """What the prediction interval implies for one new study."""
    one = unit[:-1] if unit.endswith("s") else unit
    above, below = result.pi_low > null_value, result.pi_high < null_value
    if higher_is_better is None:
        if above or below:
            side = "above" if above else "below"
            return f"so a new {one} would be expected to see an effect {side} {_fmt(null_value, 2)}"
        return f"so a new {one} could plausibly see no effect, or an effect in either direction"
    benefit = above if higher_is_better else below
    harm = below if higher_is_better else above
    if benefit:
        return f"so a similar new {one} would be expected to see a benefit"
    if harm:
        return f"so a similar new {one} would be expected to see worse outcomes"
    return f"so a new {one} could plausibly see no benefit"


def forest_plot(result: MetaResult, yi, vi, labels: Sequence[str], *,
                effect_label: str = "Effect size", null_value: float = 0.0,
                higher_is_better: bool | None = True, title: str | None = None,
                decimals: int = 2, sort: bool = False, unit: str = "projects",
                width: float = 9.0, plain: bool = False) -> FigureWithAlt:
    """Draw a forest plot of study effects, the pooled estimate and the prediction interval.

    Parameters
    ----------
    result : MetaResult
        Output of :func:`evalkit.synthesis.random_effects` for the same ``yi``/``vi``.
    yi, vi : array-like
        Study effect sizes and sampling variances.
    labels : sequence of str
        Study names (one per study).
    effect_label : str, default "Effect size"
        x-axis label, e.g. "Standardised mean change (wellbeing)".
    null_value : float, default 0.0
        Position of the "no difference" reference line.
    higher_is_better : bool or None, default True
        Direction of benefit, used for the axis note and the alt text.
    title : str, optional
        Figure title; default names the model and number of studies.
    decimals : int, default 2
        Decimal places of the printed estimates.
    sort : bool, default False
        Order studies by effect size instead of input order.
    unit : str, default "projects"
        Word for the studies in the alt text.
    width : float, default 9.0
        Figure width in inches.
    plain : bool, default False
        Draw :func:`plain_forest_plot` instead: for readers, narrow enough for a phone, in
        plain words, without the table of numbers beside the rows.

    Returns
    -------
    evalkit.figures.FigureWithAlt
        The figure with data-driven alt text and a short title.

    Notes
    -----
    Study intervals are ``yi +/- z sqrt(vi)`` (normal quantile), as in metafor's ``forest()``;
    the pooled interval and the prediction interval are those of ``result``.

    Raises
    ------
    MetaAnalysisError
        Inputs do not match ``result`` (different number of studies or labels).
    """
    if plain:
        return plain_forest_plot(result, yi, vi, labels, effect_label=effect_label, null_value=null_value,
                                 title=title, unit=unit)
    y, v, _ = validate_inputs(yi, vi, result.method, result.level)
    labels = [str(x) for x in labels]
    if len(labels) != len(y) or len(y) != result.k:
        raise MetaAnalysisError(
            f"forest_plot got {len(y)} effects, {len(labels)} labels and a result for {result.k} "
            "studies; pass the same yi, vi and labels used for random_effects.")
    order = np.argsort(y, kind="stable") if sort else np.arange(len(y))
    y, v, labels = y[order], v[order], [labels[i] for i in order]
    weights = 100.0 * (1 / (v + result.tau2)) / np.sum(1 / (v + result.tau2))
    z = stats.norm.ppf(0.5 + result.level / 2)
    ci_lo, ci_hi = y - z * np.sqrt(v), y + z * np.sqrt(v)

    k = len(y)
    show_pi = result.method != "FE"
    n_rows = k + 1 + (1 if show_pi else 0)
    model = "Fixed effect" if result.method == "FE" else f"Random effects ({result.method})"
    pct = f"{result.level * 100:g}%"
    one = unit[:-1] if unit.endswith("s") else unit
    row_labels = labels + [f"{model}: combined"] + ([f"{pct} prediction interval"] if show_pi else [])
    height = 0.42 * (n_rows + 1) + 2.4
    fig, ax = new_figure(width, height)
    label_width = 0.3 + 0.105 * max(len(t) for t in row_labels)
    fig.subplots_adjust(left=min(0.45, label_width / width), right=0.62,
                        top=1 - 0.55 / height, bottom=2.0 / height)

    rows = np.arange(k, 0, -1, dtype=float) + (2 if show_pi else 1)
    summary_row = 2.0 if show_pi else 1.0
    pi_row = 1.0
    ax.axvline(null_value, color=_NULL_COLOUR, linestyle=(0, (4, 3)), linewidth=1, zorder=0)
    ax.hlines(rows, ci_lo, ci_hi, color="black", linewidth=1.3, zorder=2)
    sizes = 30 + 270 * weights / weights.max()
    ax.scatter(y, rows, s=sizes, marker="s", color=_STUDY_COLOUR, edgecolor="black",
               linewidth=0.8, zorder=3)
    ax.add_patch(Polygon([(result.ci_low, summary_row), (result.estimate, summary_row + 0.3),
                          (result.ci_high, summary_row), (result.estimate, summary_row - 0.3)],
                         closed=True, facecolor=_SUMMARY_COLOUR, edgecolor="black", linewidth=1,
                         zorder=3))
    if show_pi:
        ax.errorbar([result.estimate], [pi_row],
                    xerr=[[result.estimate - result.pi_low], [result.pi_high - result.estimate]],
                    fmt="none", ecolor=_PI_COLOUR, elinewidth=3, capsize=6, capthick=2, zorder=3)
    all_rows = list(rows) + [summary_row] + ([pi_row] if show_pi else [])
    ax.set_yticks(all_rows, row_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)

    w = decimals + 4
    f = lambda x: f"{_fmt(x, decimals):>{w}}"  # noqa: E731
    g = lambda x: f"{_fmt(x, decimals):>{w - 1}}"  # noqa: E731
    texts = [f"{f(a)} [{g(b)}, {g(c)}] {p:5.1f}%" for a, b, c, p in zip(y, ci_lo, ci_hi, weights)]
    texts.append(f"{f(result.estimate)} [{g(result.ci_low)}, {g(result.ci_high)}] 100.0%")
    if show_pi:
        texts.append(f"{'':>{w}} [{g(result.pi_low)}, {g(result.pi_high)}]")
    trans = ax.get_yaxis_transform()
    for row, text in zip(all_rows, texts):
        ax.text(1.03, row, text, transform=trans, va="center", ha="left", fontsize=10,
                family="monospace")
    ax.text(1.03, rows[0] + 1, f"{'Est.':>{w}} {pct + ' CI':^{2 * w + 1}} Weight", transform=trans,
            va="center", ha="left", fontsize=10, family="monospace", fontweight="bold")

    lo = min(np.min(ci_lo), result.pi_low if show_pi else result.ci_low, null_value)
    hi = max(np.max(ci_hi), result.pi_high if show_pi else result.ci_high, null_value)
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(0.4, rows[0] + 1.5)
    if higher_is_better is None:
        note = "dashed line = no difference"
    else:
        note = f"higher = {'better' if higher_is_better else 'worse'}; dashed line = no difference"
    ax.set_xlabel(f"{effect_label}\n({note})")
    kh = " with Knapp-Hartung adjustment" if result.knapp_hartung else ""
    title = title or f"{model} meta-analysis of {k} {unit}{kh}"
    fig.suptitle(title, x=0.02, ha="left", fontsize=13)
    handles = [
        Line2D([], [], marker="s", linestyle="-", color="black", markerfacecolor=_STUDY_COLOUR,
               markersize=8, label=f"{one.capitalize()} estimate and {pct} CI (square size = weight)"),
        Line2D([], [], marker="D", linestyle="none", markerfacecolor=_SUMMARY_COLOUR,
               markeredgecolor="black", markersize=8, label=f"Combined estimate and {pct} CI"),
    ]
    if show_pi:
        handles.append(Line2D([], [], color=_PI_COLOUR, linewidth=3,
                              label=f"Prediction interval for a new {one}"))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.01), frameon=False,
               fontsize=10)
    alt = forest_alt_text(result, y, labels, null_value=null_value,
                          higher_is_better=higher_is_better, decimals=decimals, unit=unit)
    return FigureWithAlt(figure=fig, alt=alt, title=title)


def plain_forest_plot(result: MetaResult, yi, vi, labels: Sequence[str], *,
                      effect_label: str = "Size of the change", null_value: float = 0.0,
                      title: str | None = None, unit: str = "projects") -> FigureWithAlt:
    """A forest plot for readers: each project's change and likely range, the combined change, in large type.

    Names sit above their rows so the figure is narrow enough for a phone; the x axis has
    three or four ticks; the line at ``null_value`` is labelled "no change". The numbers go in
    the table beside the figure, not on it.

    Parameters
    ----------
    result : MetaResult
        Output of :func:`evalkit.synthesis.random_effects` for the same ``yi``/``vi``.
    yi, vi : array-like
        Each project's change and its sampling variance.
    labels : sequence of str
        Project names.
    effect_label : str
        The x-axis label.
    null_value : float
        The value meaning "no change".
    title : str, optional
        Caption (state the message).
    unit : str
        Word for the studies in the alt text.

    Returns
    -------
    FigureWithAlt
    """
    import textwrap

    y, v, _ = validate_inputs(yi, vi, result.method, result.level)
    labels = [str(x) for x in labels]
    if len(labels) != len(y) or len(y) != result.k:
        raise MetaAnalysisError(
            f"plain_forest_plot got {len(y)} effects, {len(labels)} labels and a result for {result.k} "
            "studies; pass the same yi, vi and labels used for random_effects.")
    z = stats.norm.ppf(0.5 + result.level / 2)
    lo, hi = y - z * np.sqrt(v), y + z * np.sqrt(v)
    show_pi = result.method != "FE"
    rows = [(lab, yy, a, b, "project") for lab, yy, a, b in zip(labels, y, lo, hi)]
    rows.append(("All projects combined", result.estimate, result.ci_low, result.ci_high, "combined"))
    if show_pi:
        rows.append(("Range for a new project", result.estimate, result.pi_low, result.pi_high, "new"))
    line, gap = 0.27, 0.62
    blocks = [textwrap.wrap(r[0], 40) for r in rows]
    body = sum(line * len(b) + gap for b in blocks)
    fig_h = body + 1.0
    fig, ax = new_figure(6.2, fig_h)
    xmin = min(min(lo), result.pi_low if show_pi else result.ci_low, null_value)
    xmax = max(max(hi), result.pi_high if show_pi else result.ci_high, null_value)
    pad = 0.06 * (xmax - xmin if xmax > xmin else 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ypos = 0.0
    for (name, est, a, b, kind), text in zip(rows, blocks):
        ax.text(xmin - pad, ypos, "\n".join(text), ha="left", va="top", fontsize=14,
                fontweight="bold" if kind != "project" else "normal", linespacing=1.1)
        yy = ypos + line * len(text) + 0.22
        if kind == "project":
            ax.hlines(yy, a, b, color="black", linewidth=2)
            ax.plot([est], [yy], marker="s", markersize=11, color=_STUDY_COLOUR, markeredgecolor="black")
        elif kind == "combined":
            ax.add_patch(Polygon([(a, yy), (est, yy - 0.16), (b, yy), (est, yy + 0.16)], closed=True,
                                 facecolor=_SUMMARY_COLOUR, edgecolor="black"))
        else:
            ax.hlines(yy, a, b, color=_PI_COLOUR, linewidth=4)
        ypos = yy + gap - 0.22
    ax.axvline(null_value, color=_NULL_COLOUR, linestyle=(0, (4, 3)), linewidth=1.2, zorder=0)
    ax.set_ylim(body, -0.15)
    ax.text(null_value, -0.12, " no change", ha="left", va="bottom", fontsize=12, color=_NULL_COLOUR)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(__import__("matplotlib.ticker", fromlist=["MaxNLocator"]).MaxNLocator(4))
    ax.tick_params(axis="x", labelsize=13)
    ax.set_xlabel(effect_label, fontsize=13)
    fig.subplots_adjust(left=0.03, right=0.97, top=1 - 0.3 / fig_h, bottom=0.75 / fig_h)
    k = len(y)
    f = lambda x: _fmt(x, 1)  # noqa: E731
    low, high = int(np.argmin(y)), int(np.argmax(y))
    alt = (f"Chart of the change in each of {k} {unit}: from {f(y[low])} ({labels[low]}) to {f(y[high])} "
           f"({labels[high]}). All {unit} combined: {f(result.estimate)}, likely range {f(result.ci_low)} to "
           f"{f(result.ci_high)}. The figures are in the table with the chart.")
    return FigureWithAlt(figure=fig, alt=alt, title=title or f"Change in each of the {k} {unit}, and combined")

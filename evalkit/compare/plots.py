"""Diverging stacked bar charts of Likert answers, with alt text written from the data.

Disagreement extends left of zero, agreement right, the neutral answer straddles zero
(Robbins & Heiberger 2011, "Plotting Likert and other rating scales"). Bars are drawn from
the *rounded* counts of the suppression policy; answers whose counts are hidden are pooled
into one hatched grey "not shown" segment at the right end, so no hidden count can be read
off the chart. Every segment of 9% or more carries its percentage, so colour is not the
only cue; narrower segments are named in the legend, the alt text and the table that
should sit beside every chart (:func:`evalkit.compare.profiles.likert_distribution`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evalkit.compare.profiles import likert_counts
from evalkit.errors import ParameterError
from evalkit.figures import LIKERT_COLOURS, FigureWithAlt, new_figure
from evalkit.privacy.suppression import SuppressionPolicy, policy_or_default

_DARK = {LIKERT_COLOURS[0], LIKERT_COLOURS[-1]}
_HIDDEN_COLOUR = "#F7F7F7"
# Narrowest segment (in percentage points of the 200-point axis) whose label fits inside it.
_LABEL_MIN = 9


def likert_shares(survey: pd.DataFrame, items: Sequence[str], *,
                  levels: Sequence[int] = (1, 2, 3, 4, 5),
                  policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Publishable percentage of answers at each level per item, from rounded counts.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    items : sequence of str
        Likert columns.
    levels : sequence of int
        Scale values, disagreeing first.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy.

    Returns
    -------
    pandas.DataFrame
        Index item; one column per level (NaN when that count is hidden), ``hidden`` (the
        pooled share of hidden answers), ``n`` (rounded; NaN when the item is hidden
        altogether) and ``n_exact_hidden`` (True when n itself is suppressed).
    """
    policy = policy_or_default(policy)
    raw = likert_counts(survey, items, levels=levels).set_index("item")
    rows = {}
    for item, counts in raw.iterrows():
        n = policy.rounded(counts["n"])
        row = {lv: np.nan for lv in levels}
        hidden_any = False
        if n:
            shown = {lv: policy.rounded(counts[lv]) for lv in levels}
            candidates = [(counts[lv], i) for i, lv in enumerate(levels)
                          if shown[lv] is not None and counts[lv] > 0]
            if sum(v is None for v in shown.values()) == 1 and candidates:
                shown[levels[min(candidates)[1]]] = None
            for lv, v in shown.items():
                row[lv] = np.nan if v is None else 100.0 * v / n
                hidden_any |= v is None
            total = np.nansum([row[lv] for lv in levels])
            row["hidden"] = max(100.0 - total, 0.0) if hidden_any else 0.0
        else:
            row["hidden"] = np.nan
        row["n"] = np.nan if n is None else n
        row["n_exact_hidden"] = n is None
        rows[item] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def likert_diverging_chart(survey: pd.DataFrame, items: Sequence[str], *,
                           labels: Mapping[str, str] | None = None,
                           levels: Sequence[int] = (1, 2, 3, 4, 5),
                           level_labels: Mapping[int, str] | None = None,
                           title: str = "How respondents rated each principle",
                           policy: SuppressionPolicy | Mapping | None = None,
                           scale=None) -> FigureWithAlt:
    """Diverging stacked bar chart of Likert answers per item, with data-driven alt text.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response: filter to one project for a project chart, or pass the whole
        programme.
    items : sequence of str
        Likert columns, drawn top to bottom.
    labels : mapping, optional
        Item -> the statement as respondents read it (used on the axis and in the alt text).
    levels : sequence of int
        Scale values, most negative first (five or fewer, matching ``LIKERT_COLOURS``).
    level_labels : mapping, optional
        Value -> label for the legend (defaults to the agreement scale).
    title : str
        Figure title.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy for the counts behind the bars.
    scale : evalkit.programme.ScaleSpec, optional
        The items' scale: its kind decides the words of the axis and the alt text ("agreed"
        only for agreement scales).

    Returns
    -------
    FigureWithAlt
    """
    policy = policy_or_default(policy)
    levels = list(levels)
    if len(levels) > len(LIKERT_COLOURS):
        raise ParameterError(f"likert_diverging_chart draws at most {len(LIKERT_COLOURS)} levels.")
    colours = _colours(len(levels))
    labels = {item: (labels or {}).get(item, item.replace("_", " ")) for item in items}
    level_labels = dict(level_labels or _default_level_labels(levels))
    shares = likert_shares(survey, items, levels=levels, policy=policy)
    mid = len(levels) // 2
    neutral = levels[mid] if len(levels) % 2 else None
    negatives = levels[:mid]
    longest = max((len(labels[i]) for i in items), default=10)
    fig, ax = new_figure(6.0 + 0.09 * longest, 0.7 * len(items) + 2.2)
    fig.set_layout_engine("constrained")
    ypos = np.arange(len(items))[::-1]
    for y, item in zip(ypos, items):
        row = shares.loc[item]
        if np.isnan(row["n"]) or row["n"] == 0:
            ax.text(0, y, f"Fewer than {policy.min_count} answers: not shown", ha="center",
                    va="center")
            continue
        values = {lv: (0.0 if np.isnan(row[lv]) else row[lv]) for lv in levels}
        left = -sum(values[lv] for lv in negatives) - (values[neutral] / 2 if neutral else 0)
        for lv, colour in zip(levels, colours):
            _segment(ax, y, left, values[lv], colour, level_labels[lv])
            left += values[lv]
        if row["hidden"] > 0:
            ax.barh(y, row["hidden"], left=left, color=_HIDDEN_COLOUR, edgecolor="#555555",
                    hatch="///", height=0.6, label="Not shown (small numbers)")
            ax.text(left + row["hidden"] / 2, y, "*", ha="center", va="center")
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(ypos, [f"{labels[i]} (n={_n_text(shares.loc[i])})" for i in items])
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    low_words, high_words = _side_words(scale, levels, level_labels)
    if scale is None or scale.kind == "agreement":
        ax.set_xlabel("Share of respondents (disagree to the left, agree to the right)")
    else:
        ax.set_xlabel(f"Share of respondents ({level_labels[levels[0]]} to the left, "
                      f"{level_labels[levels[-1]]} to the right)")
    fig.suptitle(title)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    fig.legend(unique.values(), unique.keys(), loc="outside lower center", ncol=3,
               frameon=False, fontsize=10)
    return FigureWithAlt(fig, likert_alt_text(shares, labels, levels, policy, words=(low_words, high_words)), title)


def _side_words(scale, levels: Sequence[int], level_labels: Mapping[int, str]) -> tuple[str, str]:
    """The verbs for the two sides of the chart: agreement words, or the scale's own labels."""
    if scale is None or scale.kind == "agreement":
        return "disagreed or strongly disagreed", "agreed or strongly agreed"
    mid = len(levels) // 2
    low = " or ".join(f'"{level_labels[v]}"' for v in levels[:mid])
    high = " or ".join(f'"{level_labels[v]}"' for v in levels[len(levels) - mid:][::-1])
    return f"answered {low}", f"answered {high}"


def likert_alt_text(shares: pd.DataFrame, labels: Mapping[str, str], levels: Sequence[int],
                    policy: SuppressionPolicy, words: tuple[str, str] | None = None) -> str:
    """Alt text naming, per item, n and the shares agreeing and disagreeing (from rounded counts).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`likert_shares`.
    labels : mapping
        Item -> statement.
    levels : sequence of int
        Scale values, most negative first.
    policy : SuppressionPolicy
        For the wording of hidden answers.
    words : (str, str), optional
        Verbs for the negative and positive sides (default: disagreed / agreed).

    Returns
    -------
    str
    """
    mid = len(levels) // 2
    negatives, positives = levels[:mid], levels[len(levels) - mid:]
    parts = []
    for item, row in shares.iterrows():
        label = labels.get(item, item)
        if np.isnan(row["n"]) or row["n"] == 0:
            parts.append(f"For '{label}', fewer than {policy.min_count} people answered, so "
                         "the answers are not shown")
            continue
        low_words, high_words = words or ("disagreed or strongly disagreed", "agreed or strongly agreed")
        agree = _side(row, positives, high_words)
        disagree = _side(row, negatives, low_words)
        parts.append(f"For '{label}', of {int(row['n'])} respondents {agree} and {disagree}")
    return "; ".join(parts) + "."


def _side(row: pd.Series, levels: Sequence[int], verb: str) -> str:
    """Describe one side of the scale, honest about hidden answers."""
    shown = float(np.nansum([row[lv] for lv in levels]))
    hidden = any(np.isnan(row[lv]) for lv in levels)
    if not hidden:
        return f"{shown:.0f}% {verb}"
    if shown > 0:
        return f"at least {shown:.0f}% {verb}"
    return f"the number who {verb} is not shown (small numbers)"


def _segment(ax, y, left, width, colour, label) -> None:
    """Draw one bar segment and print its percentage when there is room."""
    ax.barh(y, width, left=left, color=colour, height=0.6, label=label, edgecolor="white")
    if width >= _LABEL_MIN:
        ax.text(left + width / 2, y, f"{width:.0f}%", ha="center", va="center", fontsize=9,
                color="white" if colour in _DARK else "black")


def _colours(k: int) -> list[str]:
    """Pick k diverging colours from LIKERT_COLOURS, keeping the ends and the neutral grey."""
    index = {5: [0, 1, 2, 3, 4], 4: [0, 1, 3, 4], 3: [0, 2, 4], 2: [0, 4], 1: [2]}[k]
    return [LIKERT_COLOURS[i] for i in index]


def _default_level_labels(levels: Sequence[int]) -> dict[int, str]:
    """Agreement labels for a five-point scale, else the values."""
    names = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree")
    if len(levels) == 5:
        return dict(zip(levels, names))
    return {lv: str(lv) for lv in levels}


def _n_text(row: pd.Series) -> str:
    """Return the item's n as the report may show it."""
    return "*" if np.isnan(row["n"]) else str(int(row["n"]))

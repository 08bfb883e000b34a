"""Figures of the report pages (each a :class:`~evalkit.figures.FigureWithAlt` with alt text), drawn from the facts."""
from __future__ import annotations

import pandas as pd

from evalkit.compare.programme import PROJECT
from evalkit.figures import FigureWithAlt
from evalkit.report.facts import (doubted_themes, project_names, projects_with_rows, theme_counts_all, theme_facts,
                                  theme_names)


def theme_heatmap(report) -> FigureWithAlt:
    """Heatmap of the published theme shares (themes by projects), colour scale fitted to the data."""
    from evalkit.compare.plots import theme_heatmap as draw

    facts = theme_facts(report)
    names = project_names(report)
    order = list(theme_counts_all(report, None).index)
    projects = [p for p in projects_with_rows(report) if p in set(facts[PROJECT])]
    labels = dict(zip(facts["theme_id"], facts["label"]))
    grid = facts.pivot(index="theme_id", columns=PROJECT, values="pct").reindex(index=order, columns=projects)
    doubted = doubted_themes(report)
    row_labels = [labels[t] + (" (doubted)" if t in doubted else "") for t in order]
    top = order[0] if order else None
    title = "Which themes people wrote about, project by project"
    if top is not None:
        title = f"{labels[top]} was the theme people wrote about most across the projects"
    return draw(grid, row_labels, [names.get(p, p) for p in projects], title=title, policy=report.policy)


def reliability_figure(table: pd.DataFrame, report) -> FigureWithAlt:
    """Dot plot of Krippendorff's alpha per theme with 95% CIs, and the 0.667 / 0.8 guide lines."""
    from evalkit.figures import OKABE_ITO, new_figure

    names = theme_names(report)
    rows = table[table["theme_id"] != "(all themes)"].sort_values("alpha", kind="stable")
    overall = table[table["theme_id"] == "(all themes)"]
    labels = [names.get(t, t) for t in rows["theme_id"]]
    fig, ax = new_figure(6.4, 0.5 * len(rows) + 2.0)
    y = range(len(rows))
    ax.errorbar(rows["alpha"], list(y), xerr=[rows["alpha"] - rows["alpha_low"], rows["alpha_high"] - rows["alpha"]],
                fmt="o", color=OKABE_ITO[4], ecolor=OKABE_ITO[4], capsize=3, label="alpha with 95% CI")
    for x, style, text in ((0.667, ":", "0.667: tentative"), (0.8, "--", "0.8: reliable")):
        ax.axvline(x, color="#444444", linestyle=style, linewidth=1)
        ax.text(x, len(rows) - 0.4, text, rotation=90, va="top", ha="right", fontsize=12)
    ax.set_yticks(list(y), labels, fontsize=13)
    ax.set_xlim(min(0.0, float(rows["alpha_low"].min()) - 0.05), 1.0)
    ax.set_xticks([0, 0.5, 1.0], ["0", "0.5", "1"], fontsize=13)
    ax.set_xlabel("Krippendorff's alpha\n(1 = full agreement, 0 = chance)", fontsize=13)
    ax.legend(loc="lower right", frameon=False, fontsize=12)
    fig.tight_layout()
    low = rows.iloc[0]
    high = rows.iloc[-1]
    reliable = int((rows["alpha"] >= 0.8).sum())
    overall_text = ""
    if not overall.empty:
        o = overall.iloc[0]
        overall_text = f" Across all themes alpha is {o['alpha']:.2f} (95% CI {o['alpha_low']:.2f} to {o['alpha_high']:.2f})."
    alt = (f"Dot plot of agreement between coders for {len(rows)} themes. Alpha ranges from {low['alpha']:.2f} "
           f"({names.get(low['theme_id'], low['theme_id'])}) to {high['alpha']:.2f} ({names.get(high['theme_id'], high['theme_id'])}); "
           f"{reliable} of {len(rows)} themes reach 0.8, the usual mark of reliable coding.{overall_text}")
    title = f"{reliable} of {len(rows)} themes were coded reliably (Krippendorff's alpha 0.8 or more)"
    return FigureWithAlt(fig, alt, title)

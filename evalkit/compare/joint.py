"""Mixed-methods joint display for one project: ratings beside themes beside quotes.

A joint display puts the quantitative and qualitative strands side by side so readers can see
where they agree or diverge (Guetterman, Fetters & Creswell 2015, Ann Fam Med 13:554-561).
Each row is a principle's rating (median with CI, share agreeing, n) next to one theme
under that principle, its prevalence and a representative quote.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from evalkit.compare.framework import framework_matrix
from evalkit.compare.profiles import bootstrap_median, likert_counts, require_columns
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SuppressionPolicy, policy_or_default


def joint_display(survey: pd.DataFrame, coded: pd.DataFrame, project: str, *,
                  items: Sequence[str], texts: pd.DataFrame | None = None,
                  item_labels: Mapping[str, str] | None = None,
                  item_principles: Mapping[str, str] | None = None,
                  theme_parents: Mapping[str, str] | None = None,
                  theme_labels: Mapping[str, str] | None = None,
                  redact: Callable[[str], str] | None = None,
                  levels: Sequence[int] = (1, 2, 3, 4, 5), seed: int = 0,
                  project_column: str = "project_id", response_column: str = "response_id",
                  theme_column: str = "theme_id",
                  policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Build the joint display of one project as a DataFrame ready to render.

    Parameters
    ----------
    survey : pandas.DataFrame
        All responses (every project: theme percentages use the project's responses).
    coded : pandas.DataFrame
        Long coded table (response id, theme id).
    project : str
        Project id to display.
    items : sequence of str
        Likert columns, one per principle, in display order.
    texts : pandas.DataFrame, optional
        Answers to quote (see :func:`evalkit.compare.framework.long_texts`).
    item_labels : mapping, optional
        Item -> statement text.
    item_principles : mapping, optional
        Item -> principle id (``principle:`` in the config); defaults to the item name.
    theme_parents : mapping, optional
        Theme id -> principle id it sits under; themes with no mapping go under "Other".
    theme_labels : mapping, optional
        Theme id -> readable label.
    redact : callable, optional
        Applied to quotes (default :func:`evalkit.privacy.redact.redact`).
    levels : sequence of int
        Scale values, most negative first; the top half count as agreeing.
    seed : int
        Seed of the bootstrap CI of each median.
    project_column, response_column, theme_column : str
        Column names.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy for every number and for quotes of small cells.

    Returns
    -------
    pandas.DataFrame
        Columns ``principle, statement, n, median (95% CI), agreed, theme, raised by, quote``,
        all text.
    """
    policy = policy_or_default(policy)
    require_columns(survey, [project_column, response_column, *items], "joint_display")
    mine = survey[survey[project_column].astype(str) == str(project)]
    if mine.empty:
        present = sorted(survey[project_column].astype(str).unique())
        raise ConfigError(f"joint_display: project {project!r} has no responses in the survey; "
                          f"projects present are {present}.")
    principle_of = {i: (item_principles or {}).get(i, i) for i in items}
    cells = framework_matrix(coded, survey[[response_column, project_column]], texts,
                             theme_labels=theme_labels, redact=redact,
                             project_column=project_column, response_column=response_column,
                             theme_column=theme_column, policy=policy).cells
    cells = cells[cells[project_column].astype(str) == str(project)]
    counts = likert_counts(mine, items, levels=levels).set_index("item")
    upper = list(levels)[len(levels) - len(levels) // 2:]
    rows = []
    themes_by_principle: dict[str, list] = {}
    for cell in cells.to_dict("records"):
        parent = (theme_parents or {}).get(cell["theme"], "Other")
        themes_by_principle.setdefault(parent, []).append(cell)
    for item in items:
        principle = principle_of[item]
        m = bootstrap_median(mine[item], seed=seed)
        numbers = {
            "principle": principle.replace("_", " "),
            "statement": (item_labels or {}).get(item, item.replace("_", " ")),
            "n": policy.format_count(m.n),
            "median (95% CI)": policy.format_summary(
                f"{m.median:g} ({m.low:g} to {m.high:g})" if m.n else "", m.n),
            "agreed": policy.format_percentage(int(counts.loc[item, upper].sum()),
                                               int(counts.loc[item, "n"])),
        }
        themed = [c for c in themes_by_principle.pop(principle, []) if c["n"] != "0"]
        for cell in themed or [None]:
            rows.append({**numbers, **_theme_part(cell)})
    for principle, themed in themes_by_principle.items():
        for cell in (c for c in themed if c["n"] != "0"):
            rows.append({"principle": principle.replace("_", " "), "statement": "", "n": "",
                         "median (95% CI)": "", "agreed": "", **_theme_part(cell)})
    out = pd.DataFrame(rows)
    out.attrs["suppression_statement"] = policy.statement()
    return out


def _theme_part(cell: Mapping | None) -> dict:
    """Return the qualitative columns of a joint-display row."""
    if cell is None:
        return {"theme": "(no theme coded)", "raised by": "", "quote": ""}
    return {"theme": cell["label"], "raised by": f"{cell['n %']} (n={cell['n']})",
            "quote": cell["quote"]}

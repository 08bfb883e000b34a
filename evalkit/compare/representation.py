"""Who answered, per project, against the programme as a whole ("beyond familiar voices").

Roles and demographics per project are counted, suppressed with secondary suppression
(categories split each project's respondents, and projects split the programme's), and
compared with the programme's mix in a short plain-language note.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from evalkit.compare.profiles import require_columns
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import (SUPPRESSED, SuppressionPolicy, policy_or_default,
                                         suppress_table)

PROGRAMME = "Programme"
NOT_GIVEN = "Not given"


def representation_counts(survey: pd.DataFrame, columns: Sequence[str], *,
                          project_column: str = "project_id",
                          choices: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Exact respondents per characteristic, category and project: a raw working table.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    columns : sequence of str
        Role and demographic columns; blanks count as "Not given".
    project_column : str
        Project column.
    choices : mapping, optional
        Column -> categories in display order (so unchosen categories show as 0).

    Returns
    -------
    pandas.DataFrame
        ``characteristic, category``, one count column per project and ``Programme``.
    """
    require_columns(survey, [project_column, *columns], "representation_counts")
    projects = sorted(survey[project_column].astype(str).unique())
    blocks = []
    for column in columns:
        values = survey[column].astype("string").fillna(NOT_GIVEN).str.strip()
        values = values.mask(values == "", NOT_GIVEN)
        table = pd.crosstab(values, survey[project_column].astype(str))
        declared = (choices or {}).get(column)
        if declared is None and isinstance(survey[column].dtype, pd.CategoricalDtype):
            declared = [str(c) for c in survey[column].cat.categories]
        order = list(declared or [])
        order += sorted(c for c in table.index if c not in order and c != NOT_GIVEN)
        order += [NOT_GIVEN] if NOT_GIVEN in table.index else []
        table = table.reindex(index=order, columns=projects, fill_value=0)
        table[PROGRAMME] = table.sum(axis=1)
        table.insert(0, "category", table.index)
        table.insert(0, "characteristic", column)
        blocks.append(table.reset_index(drop=True))
    out = pd.concat(blocks, ignore_index=True)
    out.columns.name = None
    return out


def representation_table(survey: pd.DataFrame, columns: Sequence[str], *,
                         project_column: str = "project_id",
                         choices: Mapping[str, Sequence[str]] | None = None,
                         policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Respondents by role and demographics per project and for the programme, suppressed.

    Parameters
    ----------
    survey, columns, project_column, choices
        As for :func:`representation_counts`.
    policy : SuppressionPolicy or mapping, optional
        Counts are suppressed and rounded, with secondary suppression within each
        characteristic; percentages (of the project's respondents) come from rounded counts.

    Returns
    -------
    pandas.DataFrame
        ``characteristic, category`` then, per project and for the programme, the count and
        ``"<project> %"``. ``attrs`` carry the suppressed cells and the policy statement.
    """
    policy = policy_or_default(policy)
    raw = representation_counts(survey, columns, project_column=project_column, choices=choices)
    groups = [c for c in raw.columns if c not in ("characteristic", "category")]
    totals = survey[project_column].astype(str).value_counts().reindex(groups[:-1], fill_value=0)
    totals[PROGRAMME] = len(survey)
    parts, cells = [], []
    for _, block in raw.groupby("characteristic", sort=False):
        shown = suppress_table(block, groups, additive_columns=groups[:-1], policy=policy)
        cells += shown.attrs["suppressed_cells"]
        for g in groups:
            shown.insert(shown.columns.get_loc(g) + 1, f"{g} %",
                         [SUPPRESSED if text == SUPPRESSED else
                          policy.format_percentage(count, totals[g])
                          for text, count in zip(shown[g], block[g])])
        parts.append(shown)
    out = pd.concat(parts).reset_index(drop=True)
    out.attrs["suppressed_cells"] = cells
    out.attrs["suppression_statement"] = policy.statement()
    return out


def representation_note(table: pd.DataFrame, project: str, *, threshold: float = 15.0,
                        labels: Mapping[str, str] | None = None, max_points: int = 4,
                        exact: pd.DataFrame | None = None) -> str:
    """A short plain-language note comparing one project's respondents with the programme's.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`representation_table` (already suppressed, so the note can only
        repeat numbers the table shows).
    project : str
        Project id (a column of ``table``).
    threshold : float
        Percentage-point gap worth mentioning.
    labels : mapping, optional
        Characteristic -> readable name (default: the column name, "_" as spaces).
    max_points : int
        Most differences to name (largest gaps first); the rest are counted.
    exact : pandas.DataFrame, optional
        The same table without suppression. Its percentages (from exact counts) are quoted
        where ``table`` shows the cell, so a count rounded to 10 of 10 never reads as 100%.

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        When ``project`` is not a project column of ``table``.
    """
    if f"{project} %" not in table.columns or project == PROGRAMME:
        projects = [c[:-2] for c in table.columns if c.endswith(" %") and c != f"{PROGRAMME} %"]
        raise ConfigError(f"representation_note: {project!r} is not a project in the table; "
                          f"the projects are {projects}.")
    labels = dict(labels or {})
    points = []
    exact_rows = None if exact is None else exact.to_dict("records")
    for order, row in enumerate(table.to_dict("records")):
        name = labels.get(row["characteristic"], row["characteristic"].replace("_", " "))
        here, there = row[f"{project} %"], row[f"{PROGRAMME} %"]
        if SUPPRESSED in (here, there) or row["category"] == NOT_GIVEN:
            continue
        if exact_rows is not None:
            here, there = exact_rows[order][f"{project} %"], exact_rows[order][f"{PROGRAMME} %"]
        gap = float(here.rstrip("%")) - float(there.rstrip("%"))
        if row[project] == "0" and row[PROGRAMME] != "0":
            text = (f"no respondents gave {name} '{row['category']}' ({there} did across the "
                    "programme)")
        elif abs(gap) >= threshold:
            text = (f"{here} gave {name} '{row['category']}' compared with {there} across the "
                    "programme")
        else:
            continue
        points.append((-abs(gap), order, text))
    if not points:
        return (f"In {project}, the mix of respondents looks broadly like the programme as a "
                f"whole (no group differs by {threshold:.0f} percentage points or more).")
    points.sort()
    named = [text for _, _, text in points[:max_points]]
    more = len(points) - len(named)
    tail = f"; and {more} smaller difference{'s' if more > 1 else ''}" if more else ""
    return (f"In {project}, " + "; ".join(named) + tail + ". Think about whose voices are "
            "missing and how to reach them.")

"""Per-project profiles: who answered, how many, how they rated each principle, what they said.

Every function takes plain DataFrames so a researcher can call it on their own data, and
returns a *display* table already passed through
:func:`evalkit.privacy.suppression.suppress_table` (pass
``policy=SuppressionPolicy(enabled=False)`` for exact working numbers).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SuppressionPolicy, suppress_table

# VADER's conventional cut-offs for a compound score (Hutto & Gilbert 2014, ICWSM; the
# vaderSentiment README): >= 0.05 positive, <= -0.05 negative, otherwise neutral.
POSITIVE_CUTOFF = 0.05
NEGATIVE_CUTOFF = -0.05


def require_columns(df: pd.DataFrame, columns, what: str) -> None:
    """Raise ConfigError naming the columns ``what`` needs but ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(f"{what}: column(s) {missing} are missing; the table has "
                          f"{list(df.columns)}. Pass the right column names as arguments.")


def respondents_by_role(survey: pd.DataFrame, *, project_column: str = "project_id",
                        role_column: str = "role", roles: Sequence[str] | None = None,
                        policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Count respondents per project and role, with a total, suppressed for display.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    project_column, role_column : str
        Columns holding the project id and the respondent's role.
    roles : sequence of str, optional
        Roles in display order (default: sorted roles found); blanks count as "Not given".
    policy : SuppressionPolicy or mapping, optional
        Suppression policy (NHS Digital default). Roles split the total, so secondary
        suppression applies across rows and down columns.

    Returns
    -------
    pandas.DataFrame
        Index project id plus a final "Programme" row; one text column per role and "Total".
    """
    require_columns(survey, [project_column, role_column], "respondents_by_role")
    column = survey[role_column]
    if roles is None and isinstance(column.dtype, pd.CategoricalDtype):
        roles = [str(c) for c in column.cat.categories]
    role = column.astype("string").fillna("Not given")
    table = pd.crosstab(survey[project_column].astype(str), role)
    order = list(roles) if roles is not None else sorted(table.columns)
    order += [r for r in sorted(table.columns) if r not in order]
    table = table.reindex(columns=order, fill_value=0)
    table.columns = [str(c) for c in table.columns]
    table["Total"] = table.sum(axis=1)
    table.loc["Programme"] = table.sum(axis=0)
    table.index.name = project_column
    role_cols = [c for c in table.columns if c != "Total"]
    return suppress_table(table, list(table.columns), additive_columns=role_cols,
                          total_row="Programme", policy=policy)


def response_rates(survey: pd.DataFrame, facts: pd.DataFrame, *,
                   project_column: str = "project_id",
                   invited_column: str = "participants_invited",
                   policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Respondents, people invited and the response rate per project.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    facts : pandas.DataFrame
        One row per project with the number of people invited (the programme's facts source).
    project_column, invited_column : str
        Column names.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy; the rate is worked out from the rounded counts.

    Returns
    -------
    pandas.DataFrame
        Columns project, ``respondents``, ``respondents %`` (response rate), ``invited``.

    Raises
    ------
    ConfigError
        When a project has more respondents than people invited (a data error to fix in
        the project facts).
    """
    require_columns(survey, [project_column], "response_rates (survey)")
    require_columns(facts, [project_column, invited_column], "response_rates (project facts)")
    counts = survey.groupby(project_column).size().rename("respondents")
    table = facts[[project_column, invited_column]].rename(columns={invited_column: "invited"})
    table = table.merge(counts, left_on=project_column, right_index=True, how="outer")
    table = table.fillna({"respondents": 0}).sort_values(project_column).reset_index(drop=True)
    if table["invited"].isna().any():
        project = table.loc[table["invited"].isna(), project_column].iloc[0]
        raise ConfigError(f"response_rates: project {project!r} has responses but no "
                          f"{invited_column!r} in project facts; add a row for it.")
    over = table[table["respondents"] > table["invited"]]
    if len(over):
        row = over.iloc[0]
        raise ConfigError(f"response_rates: project {row[project_column]!r} has "
                          f"{int(row['respondents'])} respondents but only {int(row['invited'])} "
                          f"invited; correct {invited_column!r} in project facts.")
    table = table[[project_column, "respondents", "invited"]]
    table[["respondents", "invited"]] = table[["respondents", "invited"]].astype("int64")
    out = suppress_table(table, ["respondents", "invited"], percent_of={"respondents": "invited"},
                         policy=policy)
    out.attrs["suppressed_cells"] = [(r, "response rate" if c == "respondents %" else c, why)
                                     for r, c, why in out.attrs["suppressed_cells"]]
    return out.rename(columns={"respondents %": "response rate"})


def likert_counts(survey: pd.DataFrame, items: Sequence[str], *,
                  levels: Sequence[int] = (1, 2, 3, 4, 5),
                  group_column: str | None = None) -> pd.DataFrame:
    """Exact counts of each answer per item (and group): a raw working table, not for reports.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response; Likert items hold integers (blank = not answered).
    items : sequence of str
        Likert columns.
    levels : sequence of int
        The scale's values in order.
    group_column : str, optional
        Column to split by (e.g. project id).

    Returns
    -------
    pandas.DataFrame
        Columns ``[group,] item``, one per level, and ``n``. Pass through
        :func:`likert_distribution` before showing anyone.
    """
    require_columns(survey, list(items) + ([group_column] if group_column else []),
                    "likert_counts")
    groups = [(None, survey)] if group_column is None else \
        list(survey.groupby(group_column, sort=True))
    rows = []
    for key, part in groups:
        for item in items:
            values = pd.to_numeric(part[item], errors="coerce").dropna()
            unknown = sorted(set(values) - set(levels))
            if unknown:
                raise ConfigError(f"likert_counts: column {item!r} holds {unknown}, outside the "
                                  f"scale {list(levels)}; fix the data or pass levels=.")
            row = {"item": item, **{lv: int((values == lv).sum()) for lv in levels},
                   "n": int(len(values))}
            if group_column is not None:
                row = {group_column: key, **row}
            rows.append(row)
    return pd.DataFrame(rows)


def likert_distribution(survey: pd.DataFrame, items: Sequence[str], *,
                        levels: Sequence[int] = (1, 2, 3, 4, 5),
                        level_labels: Mapping[int, str] | None = None,
                        group_column: str | None = None,
                        policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Distribution of answers per item (and project): counts and percentages, suppressed.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    items : sequence of str
        Likert columns (one per principle).
    levels : sequence of int
        Scale values in order.
    level_labels : mapping, optional
        Value -> label, e.g. ``{1: "Strongly disagree", ...}``; defaults to the values.
    group_column : str, optional
        Column to split by (e.g. ``"project_id"``); None gives the whole programme.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy. Levels split the item's n, so secondary suppression applies.

    Returns
    -------
    pandas.DataFrame
        ``[group,] item``, then for every level its count and ``"<label> %"`` (from
        rounded counts), then ``n``.
    """
    raw = likert_counts(survey, items, levels=levels, group_column=group_column)
    labels = {lv: str((level_labels or {}).get(lv, lv)) for lv in levels}
    raw = raw.rename(columns=labels)
    names = [labels[lv] for lv in levels]
    return suppress_table(raw, names + ["n"], percent_of={name: "n" for name in names},
                          additive_columns=names, policy=policy)


@dataclass(frozen=True)
class MedianCI:
    """A median with its percentile-bootstrap confidence interval.

    Attributes
    ----------
    median, low, high : float
        Sample median and CI bounds (NaN when there are no values).
    n : int
        Number of values.
    """

    median: float
    low: float
    high: float
    n: int


def bootstrap_median(values, *, confidence: float = 0.95, n_resamples: int = 2000,
                     seed: int = 0) -> MedianCI:
    """Median and percentile-bootstrap CI, computed with :func:`scipy.stats.bootstrap`.

    Parameters
    ----------
    values : array-like
        Numeric values (NaN dropped).
    confidence : float
        Confidence level, e.g. 0.95.
    n_resamples : int
        Bootstrap resamples.
    seed : int
        Seed for :class:`numpy.random.Generator`; the same seed gives the same interval.

    Returns
    -------
    MedianCI
        With fewer than two distinct values the interval is the median itself.

    Notes
    -----
    The percentile method is used because BCa is unstable for the heavily tied values of a
    five-point scale (Efron & Tibshirani 1993, ch. 13-14).
    """
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return MedianCI(np.nan, np.nan, np.nan, 0)
    med = float(np.median(x))
    if len(np.unique(x)) < 2:
        return MedianCI(med, med, med, len(x))
    res = stats.bootstrap((x,), np.median, confidence_level=confidence, n_resamples=n_resamples,
                          method="percentile", vectorized=True, rng=np.random.default_rng(seed))
    return MedianCI(med, float(res.confidence_interval.low), float(res.confidence_interval.high),
                    len(x))


def likert_medians(survey: pd.DataFrame, items: Sequence[str], *, group_column: str | None = None,
                   confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
                   policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Median answer per item (and project) with a seeded bootstrap CI, n beside it.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    items : sequence of str
        Likert columns.
    group_column : str, optional
        Column to split by.
    confidence, n_resamples, seed
        Passed to :func:`bootstrap_median`; each cell uses ``seed`` so results do not depend
        on the order of items or projects.
    policy : SuppressionPolicy or mapping, optional
        Medians of fewer than ``min_summary_n`` answers are withheld; n is rounded.

    Returns
    -------
    pandas.DataFrame
        ``[group,] item, n, median, ci_low, ci_high`` as display text.
    """
    require_columns(survey, list(items) + ([group_column] if group_column else []),
                    "likert_medians")
    groups = [(None, survey)] if group_column is None else \
        list(survey.groupby(group_column, sort=True))
    rows = []
    for key, part in groups:
        for item in items:
            m = bootstrap_median(part[item], confidence=confidence, n_resamples=n_resamples,
                                 seed=seed)
            row = {"item": item, "n": m.n, "median": m.median, "ci_low": m.low, "ci_high": m.high}
            rows.append(row if group_column is None else {group_column: key, **row})
    raw = pd.DataFrame(rows)
    return suppress_table(raw, ["n"], summary_columns={c: "n" for c in ("median", "ci_low",
                                                                         "ci_high")},
                          policy=policy)


def sentiment_summary(scores: pd.DataFrame, *, score_column: str = "compound",
                      group_column: str | None = "project_id",
                      policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Summarise VADER compound scores per project: n, mean, median and share by tone.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per answer with a compound score in [-1, 1] (from
        ``evalkit.coding`` sentiment or any VADER run).
    score_column : str
        Column with the compound score.
    group_column : str or None
        Column to split by; None for one programme row.
    policy : SuppressionPolicy or mapping, optional
        Counts suppressed/rounded; mean and median withheld under ``min_summary_n``.

    Returns
    -------
    pandas.DataFrame
        ``[group,] n, positive, positive %, neutral, neutral %, negative, negative %,
        mean, median`` as display text (cut-offs +/-0.05, Hutto & Gilbert 2014).
    """
    require_columns(scores, [score_column] + ([group_column] if group_column else []),
                    "sentiment_summary")
    s = pd.to_numeric(scores[score_column], errors="coerce")
    outside = s[(s < -1) | (s > 1)]
    if len(outside):
        raise ConfigError(f"sentiment_summary: column {score_column!r}, row {outside.index[0]!r} "
                          f"holds {outside.iloc[0]}; compound scores lie between -1 and 1.")
    frame = pd.DataFrame({"score": s, "g": scores[group_column] if group_column else "all"})
    frame = frame.dropna(subset=["score"])
    rows = []
    for key, part in frame.groupby("g", sort=True):
        x = part["score"]
        row = {"n": len(x), "positive": int((x >= POSITIVE_CUTOFF).sum()),
               "neutral": int(((x > NEGATIVE_CUTOFF) & (x < POSITIVE_CUTOFF)).sum()),
               "negative": int((x <= NEGATIVE_CUTOFF).sum()),
               "mean": float(x.mean()), "median": float(x.median())}
        rows.append(row if group_column is None else {group_column: key, **row})
    raw = pd.DataFrame(rows, columns=([group_column] if group_column else [])
                       + ["n", "positive", "neutral", "negative", "mean", "median"])
    tones = ["positive", "neutral", "negative"]
    return suppress_table(raw, tones + ["n"], percent_of={t: "n" for t in tones},
                          summary_columns={"mean": "n", "median": "n"}, additive_columns=tones,
                          summary_decimals=2, policy=policy)


def theme_counts(coded: pd.DataFrame, responses: pd.DataFrame, *,
                 project_column: str = "project_id", response_column: str = "response_id",
                 theme_column: str = "theme_id") -> pd.DataFrame:
    """Exact number of responses per project mentioning each theme: a raw working table.

    Parameters
    ----------
    coded : pandas.DataFrame
        Long coded table, one row per (response, theme) (repeats count once).
    responses : pandas.DataFrame
        One row per response with its project: the denominator.
    project_column, response_column, theme_column : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``project, theme, n, responses`` for every project x theme pair (zeros included).

    Raises
    ------
    ConfigError
        When a coded response id is not among ``responses``.
    """
    require_columns(coded, [response_column, theme_column], "theme_counts (coded)")
    require_columns(responses, [response_column, project_column], "theme_counts (responses)")
    lookup = responses.drop_duplicates(response_column).set_index(response_column)[project_column]
    unknown = coded.loc[~coded[response_column].isin(lookup.index), response_column]
    if len(unknown):
        raise ConfigError(f"theme_counts: coded row {unknown.index[0]!r} refers to "
                          f"{response_column} {unknown.iloc[0]!r}, which is not in the responses "
                          "table; code only responses you pass in.")
    pairs = coded[[response_column, theme_column]].drop_duplicates()
    pairs = pairs.assign(**{project_column: pairs[response_column].map(lookup)})
    n = pairs.groupby([project_column, theme_column]).size()
    projects = sorted(lookup.unique())
    themes = sorted(pairs[theme_column].unique())
    full = pd.MultiIndex.from_product([projects, themes], names=[project_column, theme_column])
    out = n.reindex(full, fill_value=0).rename("n").reset_index()
    denominators = responses.drop_duplicates(response_column).groupby(project_column).size()
    out["responses"] = out[project_column].map(denominators).astype("int64")
    return out


def theme_prevalence(coded: pd.DataFrame, responses: pd.DataFrame, *,
                     project_column: str = "project_id", response_column: str = "response_id",
                     theme_column: str = "theme_id",
                     policy: SuppressionPolicy | Mapping | None = None) -> pd.DataFrame:
    """Share of each project's responses that mention each theme, suppressed for display.

    Parameters
    ----------
    coded, responses, project_column, response_column, theme_column
        As for :func:`theme_counts`.
    policy : SuppressionPolicy or mapping, optional
        Suppression policy; percentages come from rounded counts. A response can carry
        several themes, so counts are not additive and no secondary suppression is needed.

    Returns
    -------
    pandas.DataFrame
        ``project, theme, n, n %, responses``.
    """
    raw = theme_counts(coded, responses, project_column=project_column,
                       response_column=response_column, theme_column=theme_column)
    return suppress_table(raw, ["n", "responses"], percent_of={"n": "responses"}, policy=policy)

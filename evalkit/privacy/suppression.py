"""Small-number suppression: the one place evalkit decides which numbers a report may show.

The default policy is NHS Digital's disclosure control method for Hospital Episode Statistics
(NHS Digital, "Disclosure control methodology for Hospital Episode Statistics (HES) and
Emergency Care Data Set (ECDS)", applied from September 2018,
https://digital.nhs.uk/data-and-information/data-tools-and-services/data-services/hospital-episode-statistics/change-to-disclosure-control-methodology-for-hes-and-ecds-from-september-2018):

* counts of people from 1 to 7 are replaced by ``*``;
* every other count is rounded to the nearest 5 (8 -> 10, 12 -> 10, 13 -> 15);
* zero is shown as 0: a zero reveals nobody, and NHS Digital shows zeros unchanged;
* percentages are calculated from the *rounded* numerator and denominator;
* a mean, median or other summary of 1 to 7 values is not calculated; ``*`` is shown.

NHS Digital introduced rounding so that secondary suppression would no longer be needed in
national tables. Evaluation tables in co-production are much smaller (one project may have
20 respondents), so :func:`suppress_table` also applies *secondary* (complementary)
suppression to tables whose counts split a whole (``additive_columns``): in any row or
column that holds exactly one suppressed cell, another count is suppressed too, repeated until
no line holds a lone ``*``. The complement is chosen greedily: first a cell whose crossing
line already holds a ``*`` (so no new lone ``*`` appears), then the smallest non-zero count.
This is the usual hypercube-style heuristic, not an optimal (linear programming) solution, so
it can hide more cells than strictly necessary in very small tables. A reader
who knows a row or column total (for example the number of respondents in a project) then
cannot subtract the shown cells to recover the hidden one.

Zeros are never hidden as complements: a zero reveals nobody and the statement promises
zero shows as 0. One-column distributions (how many people gave each rating) go through
:func:`suppress_distribution`, which applies the same secondary suppression and shows the
rounded total, so percentages reveal nothing the table does not already show.

A programme sets its policy in ``report.suppression`` of ``programme.yml``; ``enabled:
false`` switches it off (for internal working tables only).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.errors import ConfigError

SUPPRESSED = "*"
_POLICY_KEYS = ("enabled", "min_count", "round_to", "min_summary_n", "secondary")


@dataclass(frozen=True)
class SuppressionPolicy:
    """How small numbers are hidden before a table reaches a report.

    Parameters
    ----------
    enabled : bool
        False shows every number exactly (working tables only; the statement says so).
    min_count : int
        Counts from 1 to ``min_count - 1`` are replaced by ``*`` (NHS Digital: 8).
    round_to : int
        Other counts are rounded to the nearest multiple of this (NHS Digital: 5); 1 means
        no rounding. Halves round up.
    min_summary_n : int
        Summaries (means, medians, effect sizes) of fewer than this many values are withheld.
    secondary : bool
        Apply secondary suppression in :func:`suppress_table` (see the module docstring).
    """

    enabled: bool = True
    min_count: int = 8
    round_to: int = 5
    min_summary_n: int = 8
    secondary: bool = True

    def __post_init__(self):
        """Reject settings that cannot work."""
        for name in ("min_count", "round_to", "min_summary_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(
                    f"report.suppression.{name} must be a whole number of at least 1, got "
                    f"{value!r}; the NHS Digital default is "
                    f"{getattr(SuppressionPolicy, name)}.")

    @classmethod
    def from_config(cls, config: Mapping | None) -> "SuppressionPolicy":
        """Build the policy from a programme's ``report.suppression`` mapping.

        Parameters
        ----------
        config : mapping or None
            Keys among ``enabled``, ``min_count``, ``round_to``, ``min_summary_n``,
            ``secondary``; missing keys take the NHS Digital defaults; None gives the default.

        Returns
        -------
        SuppressionPolicy

        Raises
        ------
        ConfigError
            For an unknown key or an unusable value.
        """
        if config is None:
            return cls()
        if not isinstance(config, Mapping):
            raise ConfigError("report.suppression in programme.yml must be a mapping such as "
                              "{enabled: true, min_count: 8, round_to: 5}.")
        unknown = sorted(set(config) - set(_POLICY_KEYS))
        if unknown:
            raise ConfigError(f"report.suppression in programme.yml has unknown key(s) {unknown}; "
                              f"allowed keys are {list(_POLICY_KEYS)}.")
        for key in ("enabled", "secondary"):
            if key in config and not isinstance(config[key], bool):
                raise ConfigError(f"report.suppression.{key} in programme.yml must be true or "
                                  f"false, got {config[key]!r}.")
        return cls(**dict(config))

    def is_suppressed(self, count) -> bool:
        """Return True when this count must be shown as ``*`` (1 to min_count - 1)."""
        return self.enabled and 0 < _as_count(count) < self.min_count

    def rounded(self, count) -> int | None:
        """Return the count as it may be published, or None when it must be suppressed.

        Parameters
        ----------
        count : int
            A non-negative count of people.

        Returns
        -------
        int or None
            0 for 0, None for 1 to ``min_count - 1``, otherwise the count rounded half up to
            the nearest ``round_to``. Unchanged when the policy is disabled.
        """
        n = _as_count(count)
        if not self.enabled:
            return n
        if self.is_suppressed(n):
            return None
        return int(math.floor(n / self.round_to + 0.5) * self.round_to)

    def format_count(self, count) -> str:
        """Return the count as display text: ``*`` or the rounded count."""
        value = self.rounded(count)
        return SUPPRESSED if value is None else str(value)

    def percentage(self, count, total) -> float | None:
        """Return 100 * count / total from the rounded counts, or None when not publishable.

        None when either count is suppressed or the rounded total is zero.
        """
        num, den = self.rounded(count), self.rounded(total)
        if num is None or den is None or den == 0:
            return None
        return 100.0 * num / den

    def format_percentage(self, count, total, decimals: int = 0) -> str:
        """Return the percentage from rounded counts as text such as ``"40%"``, or ``*``."""
        pct = self.percentage(count, total)
        return SUPPRESSED if pct is None else f"{pct:.{decimals}f}%"

    def summary_allowed(self, n) -> bool:
        """Return True when a summary of ``n`` values may be shown."""
        return (not self.enabled) or _as_count(n) >= self.min_summary_n

    def format_summary(self, value, n, decimals: int = 1) -> str:
        """Return a summary statistic as text, or ``*`` when it rests on too few values.

        Parameters
        ----------
        value : float or str
            The statistic; floats are shown with ``decimals`` places, text unchanged;
            missing values as an empty string.
        n : int
            How many values the statistic summarises.
        decimals : int
            Decimal places for floats.
        """
        if not self.summary_allowed(n):
            return SUPPRESSED
        return _format_value(value, decimals)

    def statement(self) -> str:
        """Return one plain-language sentence for reports saying how small numbers were handled."""
        if not self.enabled:
            return ("Small-number suppression was switched off for this table, so every count "
                    "is exact; do not share it outside the evaluation team.")
        rounding = ("" if self.round_to == 1 else
                    f" Other counts are rounded to the nearest {self.round_to}, and percentages "
                    "are worked out from the rounded counts, so they may not add up to 100%.")
        secondary = (" Where one hidden number could be worked out from a total, another number "
                     "is hidden too." if self.secondary else "")
        return (f"To protect people's privacy, counts from 1 to {self.min_count - 1} are shown "
                f"as \"{SUPPRESSED}\" and averages of fewer than {self.min_summary_n} answers are "
                f"not shown.{rounding}{secondary} Zero is shown as 0. This follows NHS Digital's "
                "rules for publishing small numbers.")


def policy_or_default(policy: SuppressionPolicy | Mapping | None) -> SuppressionPolicy:
    """Return ``policy`` as a SuppressionPolicy (None gives the NHS Digital default).

    Parameters
    ----------
    policy : SuppressionPolicy, mapping or None
        A policy, a ``report.suppression`` mapping, or None.

    Returns
    -------
    SuppressionPolicy
    """
    if isinstance(policy, SuppressionPolicy):
        return policy
    return SuppressionPolicy.from_config(policy)


def suppress_table(df: pd.DataFrame, count_columns: Iterable[Hashable] = (), *,
                   percent_of: Mapping[Hashable, Hashable] | None = None,
                   summary_columns: Mapping[Hashable, Hashable] | None = None,
                   policy: SuppressionPolicy | Mapping | None = None,
                   additive_columns: Iterable[Hashable] | None = None,
                   total_row: Hashable | None = None,
                   percent_decimals: int = 0, summary_decimals: int = 1,
                   percent_suffix: str = " %") -> pd.DataFrame:
    """Return a display copy of ``df`` with small numbers suppressed under ``policy``.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw table; count columns hold non-negative whole numbers of people.
    count_columns : iterable of column labels
        Columns of counts: shown as ``*`` (1 to min_count - 1) or rounded.
    percent_of : mapping, optional
        ``{count_column: denominator_column}``; adds a column ``f"{count_column}{percent_suffix}"``
        right after the count column holding the percentage from the *rounded* counts
        (``*`` when either is suppressed). The denominator column must be a count column too.
    summary_columns : mapping, optional
        ``{summary_column: n_column}``: the summary is withheld (``*``) in rows where the
        ``n_column`` value is below ``min_summary_n``.
    policy : SuppressionPolicy or mapping, optional
        Defaults to the NHS Digital policy.
    additive_columns : iterable of column labels, optional
        Count columns that split one whole into parts (for example respondents by role), so a
        row or column total could give a hidden part away. Secondary suppression works on
        these cells only: across each row and down each column. None (default) means no
        secondary suppression (counts and their denominators are not additive).
    total_row : label, optional
        Index label of a row of column totals: rounded like any count, but left out of the
        lines secondary suppression checks and never picked as a complement.
    percent_decimals, summary_decimals : int
        Decimal places for percentages and float summaries.
    percent_suffix : str
        Suffix of the added percentage columns.

    Returns
    -------
    pandas.DataFrame
        Same index (a repeated index is handled by position; ``total_row`` then needs a
        unique index), every handled column as text. ``attrs["suppressed_cells"]`` lists
        ``(row_label, column, reason)`` with reason ``"small count"``, ``"secondary"``,
        ``"percentage"`` or ``"small summary"``; ``attrs["suppression_statement"]`` holds
        :meth:`SuppressionPolicy.statement`; ``attrs["suppression_policy"]`` the policy as a dict.

    Raises
    ------
    ConfigError
        When a named column is missing or a count column holds negative or fractional values.

    Examples
    --------
    >>> t = pd.DataFrame({"project": ["P01", "P02"], "agreed": [3, 13], "n": [20, 41]})
    >>> suppress_table(t, ["agreed", "n"], percent_of={"agreed": "n"}).to_dict("list")
    {'project': ['P01', 'P02'], 'agreed': ['*', '15'], 'agreed %': ['*', '38%'], 'n': ['20', '40']}
    """
    policy = policy_or_default(policy)
    if not df.index.is_unique:
        out = suppress_table(df.reset_index(drop=True), count_columns, percent_of=percent_of,
                             summary_columns=summary_columns, policy=policy,
                             additive_columns=additive_columns, total_row=None,
                             percent_decimals=percent_decimals, summary_decimals=summary_decimals,
                             percent_suffix=percent_suffix)
        out.index = df.index
        out.attrs["suppressed_cells"] = [(df.index[r], c, why)
                                         for r, c, why in out.attrs["suppressed_cells"]]
        return out
    count_columns = list(dict.fromkeys(count_columns))
    percent_of = dict(percent_of or {})
    summary_columns = dict(summary_columns or {})
    additive = list(dict.fromkeys(additive_columns or ()))
    _check_columns(df, count_columns, percent_of, summary_columns, additive)

    counts = pd.DataFrame({c: _count_series(df, c) for c in count_columns}, index=df.index)
    hidden = counts.apply(lambda col: col.map(policy.is_suppressed)).astype(bool) \
        if count_columns else pd.DataFrame(index=df.index)
    cells: list[tuple] = [(r, c, "small count") for c in count_columns
                          for r in df.index[hidden[c].to_numpy()]]
    if policy.enabled and policy.secondary and additive:
        cells += _secondary(counts, hidden, additive, total_row)

    out = df.copy()
    for c in count_columns:
        out[c] = [SUPPRESSED if hidden.at[r, c] else policy.format_count(v)
                  for r, v in counts[c].items()]
    for c, den in percent_of.items():
        values = []
        for r in df.index:
            if hidden.at[r, c] or hidden.at[r, den]:
                values.append(SUPPRESSED)
                continue
            values.append(policy.format_percentage(counts.at[r, c], counts.at[r, den],
                                                   percent_decimals))
        name = f"{c}{percent_suffix}"
        out.insert(out.columns.get_loc(c) + 1, name, values)
        cells += [(r, name, "percentage") for r, v in zip(df.index, values)
                  if v == SUPPRESSED and policy.enabled]
    for c, n_col in summary_columns.items():
        ns = _count_series(df, n_col)
        out[c] = [policy.format_summary(v, n, summary_decimals) for v, n in zip(df[c], ns)]
        cells += [(r, c, "small summary") for r, n in ns.items()
                  if not policy.summary_allowed(n)]

    out.attrs["suppressed_cells"] = cells
    out.attrs["suppression_statement"] = policy.statement()
    out.attrs["suppression_policy"] = {k: getattr(policy, k) for k in _POLICY_KEYS}
    return out


def suppress_distribution(counts, labels: Iterable[Hashable] | None = None, *,
                          policy: SuppressionPolicy | Mapping | None = None,
                          label_name: Hashable = "category", count_name: Hashable = "people",
                          total_label: Hashable = "Total", percent_decimals: int = 0,
                          percent_suffix: str = " %") -> pd.DataFrame:
    """Return a one-column distribution of counts and its total, suppressed for display.

    For tables such as "how many people gave each rating": the categories split one total,
    so a reader who knows the total (shown here, or worked out from the percentages) could
    subtract the shown counts to recover a lone hidden one. This applies the same rules as
    every other table (:func:`suppress_table` with the categories as ``additive_columns``):
    counts from 1 to ``min_count - 1`` become ``*``, a lone ``*`` gets a second, non-zero,
    count hidden beside it, zeros show as 0, and percentages come from the rounded count
    over the rounded total. The rounded total is shown as the last row, so the percentages
    reveal nothing the table does not already show.

    Parameters
    ----------
    counts : mapping or sequence of int
        Count of people in each category (a mapping or Series gives the labels too).
    labels : iterable, optional
        Category labels in display order, when ``counts`` is a plain sequence.
    policy : SuppressionPolicy or mapping, optional
        Defaults to the NHS Digital policy.
    label_name, count_name : label
        Names of the category and count columns (e.g. ``"Rating"``, ``"People"``).
    total_label : label
        Category label of the last row, which holds the total.
    percent_decimals : int
        Decimal places of the percentages.
    percent_suffix : str
        The percentage column is named ``f"{count_name}{percent_suffix}"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``label_name``, ``count_name`` and the percentage column as text, one row per
        category then the total row. ``attrs`` as :func:`suppress_table` (cells are
        ``(category, count_name or percentage column, reason)``).

    Raises
    ------
    ConfigError
        When a count is negative, fractional or not a number, or labels do not match counts.

    Examples
    --------
    >>> t = suppress_distribution({"1 Poor": 8, "2 OK": 8, "3 Good": 1}, label_name="Rating",
    ...                           count_name="People")
    >>> t.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'Rating': ['1 Poor', '2 OK', '3 Good', 'Total'], 'People': ['*', '10', '*', '15'],
     'People %': ['*', '67%', '*', '100%']}
    """
    policy = policy_or_default(policy)
    if isinstance(counts, (Mapping, pd.Series)):
        if labels is not None:
            raise ConfigError("suppress_distribution: give labels either as the keys of counts "
                              "or as labels=, not both.")
        labels, values = list(counts.keys()), list(counts.values())
    else:
        values = list(counts)
        labels = list(range(1, len(values) + 1)) if labels is None else list(labels)
    if len(labels) != len(values):
        raise ConfigError(f"suppress_distribution: {len(labels)} labels for {len(values)} "
                          "counts; give one label per count.")
    if len(set(labels)) != len(labels) or total_label in labels:
        raise ConfigError(f"suppress_distribution: labels must be distinct and differ from the "
                          f"total's label {total_label!r}; got {labels!r}.")
    numbers = [_as_count(v) for v in values]
    keys = [f"c{i}" for i in range(len(numbers))]
    wide = pd.DataFrame([numbers + [sum(numbers)]], columns=keys + ["total"])
    shown = suppress_table(wide, keys + ["total"], percent_of={k: "total" for k in keys},
                           additive_columns=keys, policy=policy,
                           percent_decimals=percent_decimals, percent_suffix=" %")
    pct_name = f"{count_name}{percent_suffix}"
    if sum(numbers) == 0:  # nobody answered: a share of nobody is not a number to hide
        percentages = [""] * (len(keys) + 1)
    else:
        percentages = [shown.at[0, f"{k} %"] for k in keys] + [
            policy.format_percentage(sum(numbers), sum(numbers), percent_decimals)]
    out = pd.DataFrame({
        label_name: labels + [total_label],
        count_name: [shown.at[0, k] for k in keys] + [shown.at[0, "total"]],
        pct_name: percentages,
    })
    names = dict(zip(keys, labels), total=total_label)
    cells = []
    for _, column, reason in shown.attrs["suppressed_cells"]:
        if reason == "percentage" and sum(numbers) == 0:
            continue
        base = column[:-2] if column.endswith(" %") else column
        cells.append((names[base], pct_name if column.endswith(" %") else count_name, reason))
    out.attrs.update(shown.attrs)
    out.attrs["suppressed_cells"] = cells
    return out


def _secondary(counts: pd.DataFrame, hidden: pd.DataFrame, inner_cols, total_row) -> list:
    """Hide complementary cells in place until no row or column holds a lone hidden cell.

    A line whose other cells are all zero keeps its lone ``*``: its total then equals the
    hidden count, which is small, so the total is hidden too. Each pass hides at least one
    more cell or stops, so the loop ends within one pass per cell.
    """
    inner_rows = [r for r in counts.index if r != total_row]
    rows = {r: [(r, c) for c in inner_cols] for r in inner_rows}
    cols = {c: [(r, c) for r in inner_rows] for c in inner_cols}
    added = []
    changed = True
    for _ in range(len(inner_rows) * len(inner_cols) + 1):
        if not changed:
            break
        changed = False
        lines = [(line, "row") for line in rows.values()]
        lines += [(line, "col") for line in cols.values()]
        for line, kind in lines:
            if len(line) < 2 or sum(bool(hidden.at[cell]) for cell in line) != 1:
                continue
            pick = _complement(line, cols if kind == "row" else rows, kind, counts, hidden)
            if pick is not None:
                hidden.at[pick] = True
                added.append((*pick, "secondary"))
                changed = True
    return added


def _complement(line, crossings, kind, counts, hidden):
    """Return the shown cell to hide beside a lone hidden one, or None.

    Zeros are never hidden (the statement promises zero shows as 0, and a zero reveals
    nobody). Preference order among non-zero cells: one whose crossing line already has a
    hidden cell (so hiding it creates no new lone ``*``), then the smallest count, then the
    first.
    """
    best = None
    for i, cell in enumerate(line):
        value = int(counts.at[cell])
        if hidden.at[cell] or value == 0:
            continue
        crossing = crossings[cell[1]] if kind == "row" else crossings[cell[0]]
        others = sum(bool(hidden.at[c]) for c in crossing if c != cell)
        key = (others == 0 and len(crossing) > 1, value, i)
        if best is None or key < best[0]:
            best = (key, cell)
    return None if best is None else best[1]


def _check_columns(df, count_columns, percent_of, summary_columns, additive) -> None:
    """Raise ConfigError naming any column the call refers to that the table lacks."""
    wanted = list(count_columns) + list(percent_of) + list(percent_of.values()) \
        + list(summary_columns) + list(summary_columns.values())
    missing = [c for c in dict.fromkeys(wanted) if c not in df.columns]
    if missing:
        raise ConfigError(f"suppress_table: column(s) {missing} are not in the table; it has "
                          f"{list(df.columns)}.")
    for c, den in percent_of.items():
        if c not in count_columns or den not in count_columns:
            raise ConfigError(f"suppress_table: percent_of {{{c!r}: {den!r}}} needs both columns "
                              "listed in count_columns so they are suppressed first.")
    stray = [c for c in additive if c not in count_columns]
    if stray:
        raise ConfigError(f"suppress_table: additive_columns {stray} must also be listed in "
                          "count_columns.")


def _count_series(df: pd.DataFrame, column) -> pd.Series:
    """Return a count column as Python ints, raising ConfigError on bad values."""
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        row = df.index[bad.to_numpy()][0]
        raise ConfigError(f"suppress_table: column {column!r}, row {row!r} holds "
                          f"{df.at[row, column]!r}; counts must be whole numbers of 0 or more.")
    return values.astype("int64")


def _as_count(count) -> int:
    """Return ``count`` as an int, refusing negatives, fractions, text and missing values.

    Any float type (numpy's float32 too) is checked for a fractional part before conversion,
    so 7.5 is refused rather than truncated to 7.
    """
    problem = ConfigError(f"A count must be a whole number of 0 or more, got {count!r}; "
                          "check that the column holds counts of people, not averages or text.")
    if count is None or isinstance(count, (bool, np.bool_, str, bytes)):
        raise problem
    if isinstance(count, (int, np.integer)):
        n = int(count)
    else:
        try:
            value = float(count)
        except (TypeError, ValueError):
            raise problem from None
        if not value.is_integer():
            raise problem
        n = int(value)
    if n < 0:
        raise problem
    return n


def _format_value(value, decimals: int) -> str:
    """Return a summary value as display text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{decimals}f}"
    return str(value)

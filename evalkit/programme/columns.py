"""Typing one column of text cells by its declared type, vectorised.

Each ``type_*`` function takes the stripped text cells of a column ("" = blank) and returns
the typed column plus a message for every cell that cannot be typed (NA where the cell is
fine or blank). Whether a blank is allowed is decided by the caller.
"""
from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from evalkit.programme.spec import ColumnSpec


def shown(values: pd.Series, width: int = 40) -> pd.Series:
    """Return cell values quoted for a message, long ones shortened with an ellipsis.

    Parameters
    ----------
    values : pandas.Series
        Cell values.
    width : int, default 40
        Longest text shown before shortening.

    Returns
    -------
    pandas.Series
        ``'value'`` strings, same index.
    """
    text = values.astype(str)
    long = text.str.len() > width
    text = text.where(~long, text.str.slice(0, width - 1) + "…")
    return "'" + text + "'"


def _messages(index: pd.Index) -> pd.Series:
    """Return an all-NA message column for ``index``."""
    return pd.Series(pd.NA, index=index, dtype=object)


def _numbers(cells: pd.Series) -> pd.Series:
    """Return cells parsed as floats (NaN where blank or not a number)."""
    number = pd.to_numeric(cells.where(cells != ""), errors="coerce").astype(float)
    return number.where(np.isfinite(number))


def _fmt(value: float) -> str:
    """Format a bound without a trailing .0."""
    return f"{value:g}"


def type_likert(cells: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Type a Likert column as pandas ``Int64`` on its scale.

    Numbers such as ``4`` or ``4.0`` and the scale's labels (any case, e.g. ``agree``) are
    accepted. Non-numbers, fractions and values off the scale get a message.

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    spec : ColumnSpec
        The column's declaration (``scale_labels`` used).

    Returns
    -------
    (typed, messages) : tuple of pandas.Series
    """
    values = sorted(spec.scale_labels)
    missing = dict(spec.scale_spec.missing) if spec.scale_spec is not None else {}
    low, high = values[0], values[-1]
    guide = (f"enter a whole number from {low} to {high} "
             f"({low} = {spec.scale_labels[low]}, {high} = {spec.scale_labels[high]})")
    by_label = {label.casefold(): value for value, label in {**spec.scale_labels, **missing}.items()}
    number = _numbers(cells)
    number = number.fillna(cells.str.casefold().map(by_label).astype(float))
    no_rating = number.isin(list(missing))
    number = number.where(~no_rating)
    cells = cells.where(~no_rating, "")
    blank = cells == ""
    messages = _messages(cells.index)
    not_number = ~blank & number.isna()
    fraction = number.notna() & (number % 1 != 0)
    off_scale = number.notna() & ~fraction & ~number.isin(values)
    messages[not_number] = shown(cells[not_number]) + f" is not a rating on the {spec.scale} scale; {guide}"
    messages[fraction] = shown(cells[fraction]) + f" is not a whole number; {guide}"
    messages[off_scale] = (shown(cells[off_scale]) + f" is outside the {spec.scale} scale ({low}-{high}); "
                           f"check the answer and {guide}")
    bad = not_number | fraction | off_scale
    typed = number.where(~bad).astype("Int64")
    return typed, messages


def type_number(cells: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Type a number column as ``Int64`` (``integer: true``) or ``Float64``, within min/max.

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    spec : ColumnSpec
        The column's declaration (``min``, ``max``, ``integer`` used).

    Returns
    -------
    (typed, messages) : tuple of pandas.Series
    """
    number = _numbers(cells)
    blank = cells == ""
    messages = _messages(cells.index)
    kind = "a whole number" if spec.integer else "a number"
    not_number = ~blank & number.isna()
    messages[not_number] = shown(cells[not_number]) + f" is not a number; enter {kind} using digits only, e.g. 12"
    bad = not_number.copy()
    if spec.integer:
        fraction = number.notna() & (number % 1 != 0)
        messages[fraction] = shown(cells[fraction]) + f" is not a whole number; {spec.name} takes whole numbers only"
        bad |= fraction
    if spec.min is not None:
        below = ~bad & (number < spec.min)
        messages[below] = (shown(cells[below]) + f" is below the minimum {_fmt(spec.min)} for {spec.name}; "
                           "check the value (the allowed range is set by min: in the config)")
        bad |= below
    if spec.max is not None:
        above = ~bad & (number > spec.max)
        messages[above] = (shown(cells[above]) + f" is above the maximum {_fmt(spec.max)} for {spec.name}; "
                           "check the value (the allowed range is set by max: in the config)")
        bad |= above
    typed = number.where(~bad).astype("Int64" if spec.integer else "Float64")
    return typed, messages


def _fold(cells: pd.Series) -> pd.Series:
    """Return cells case-folded with runs of whitespace made single spaces."""
    return cells.str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)


def type_single_choice(cells: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Type a single-choice column as a Categorical with the declared choices in order.

    Matching ignores case and extra spaces, so ``" Co-Producer "`` becomes ``co-producer``.

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    spec : ColumnSpec
        The column's declaration (``choices`` used).

    Returns
    -------
    (typed, messages) : tuple of pandas.Series
    """
    lookup = {" ".join(c.split()).casefold(): c for c in spec.choices}
    matched = _fold(cells).map(lookup)
    blank = cells == ""
    unknown = ~blank & matched.isna()
    messages = _messages(cells.index)
    if unknown.any():
        options = ", ".join(spec.choices)
        hints = {}
        for value in cells[unknown].unique():
            close = difflib.get_close_matches(value.casefold(), list(lookup), n=1, cutoff=0.6)
            hints[value] = f" (closest: '{lookup[close[0]]}')" if close else ""
        messages[unknown] = (shown(cells[unknown]) + f" is not one of the choices for {spec.name}"
                             + cells[unknown].map(hints) + f"; use one of: {options}")
    typed = pd.Series(pd.Categorical(matched.where(~unknown), categories=list(spec.choices)), index=cells.index)
    return typed, messages


def type_free_text(cells: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Type a free-text column as pandas ``string`` with blanks as NA.

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    spec : ColumnSpec
        The column's declaration (unused; kept for a uniform signature).

    Returns
    -------
    (typed, messages) : tuple of pandas.Series
    """
    return text_column(cells), _messages(cells.index)


def text_column(cells: pd.Series) -> pd.Series:
    """Return text cells as pandas ``string`` dtype with "" as NA.

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.

    Returns
    -------
    pandas.Series
    """
    return cells.where(cells != "").astype("string")


def _date_guide(spec: ColumnSpec) -> str:
    """How to write a date for this column."""
    if spec.format:
        example = pd.Timestamp(2024, 1, 29).strftime(spec.format)
        return f"write dates as {example} (format {spec.format} in the config)"
    return "write dates as day/month/year, e.g. 29/01/2024, or 2024-01-29"


def type_date(cells: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """Type a date column as ``datetime64`` (day first unless ``format`` is given).

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    spec : ColumnSpec
        The column's declaration (``format`` used).

    Returns
    -------
    (typed, messages) : tuple of pandas.Series
    """
    text = cells.where(cells != "")
    if spec.format:
        typed = pd.to_datetime(text, format=spec.format, errors="coerce")
    else:
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        typed = iso.fillna(pd.to_datetime(text, dayfirst=True, format="mixed", errors="coerce"))
    messages = _messages(cells.index)
    bad = (cells != "") & typed.isna()
    messages[bad] = shown(cells[bad]) + f" is not a date; {_date_guide(spec)}"
    return typed, messages


TYPERS = {
    "likert": type_likert,
    "number": type_number,
    "single_choice": type_single_choice,
    "free_text": type_free_text,
    "date": type_date,
}

"""Checking and normalising what users pass to ``ThemeClassifier`` (texts and labels)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.errors import ClassifierInputError, Problem


_MAX_LISTED = 5


def input_problem(source: str, message: str, column: str | None = None) -> Problem:
    """A fatal problem about an in-memory argument (``texts`` or ``y``) rather than a file."""
    return Problem(file=source, row=None, column=column, message=message, fatal=True)


def _is_blank(value) -> bool:
    """True for None and float/pandas missing values, which stand for an unanswered question."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def check_texts(texts) -> tuple[list[str], pd.Index | None]:
    """Return ``texts`` as a list of str (blanks become ``""``) and its pandas index, if any.

    Parameters
    ----------
    texts : sequence of str, numpy.ndarray or pandas.Series
        One free-text answer per item; ``None``/``NaN`` count as an empty answer.

    Returns
    -------
    list of str, pandas.Index or None
        The texts, and the Series' index so predictions can keep it.

    Raises
    ------
    ClassifierInputError
        If ``texts`` is a single string, is two-dimensional, or holds non-text values.
    """
    if isinstance(texts, (str, bytes)):
        raise ClassifierInputError([input_problem(
            "texts", "got a single string; pass a list of answers, e.g. [text] or df['answer']")])
    index = texts.index if isinstance(texts, pd.Series) else None
    if isinstance(texts, pd.DataFrame):
        raise ClassifierInputError([input_problem(
            "texts", f"got a DataFrame with {texts.shape[1]} columns; pass the one text column, "
            "e.g. df['answer']")])
    if not isinstance(texts, (Sequence, np.ndarray, pd.Series, pd.Index)):
        raise ClassifierInputError([input_problem(
            "texts", f"got {type(texts).__name__}; pass a list, numpy array or pandas Series of "
            "answers")])
    array = np.asarray(texts, dtype=object)
    if array.ndim != 1:
        raise ClassifierInputError([input_problem(
            "texts", f"must be one-dimensional (one answer per item) but has shape {array.shape}; "
            "pass a single column such as df['answer']")])
    out: list[str] = []
    problems: list[Problem] = []
    for position, value in enumerate(array):
        if _is_blank(value):
            out.append("")
        elif isinstance(value, str):
            out.append(value)
        else:
            problems.append(input_problem(
                "texts", f"item at position {position} is {type(value).__name__} {value!r}, not "
                "text; convert the column with .astype(str) or fill blanks with ''"))
    if problems:
        raise ClassifierInputError(problems[:_MAX_LISTED])
    if not out:
        raise ClassifierInputError([input_problem("texts", "is empty; pass at least one answer")])
    return out, index


def check_labels(y, n_texts: int) -> tuple[np.ndarray, bool, np.ndarray | None, bool]:
    """Decide single- or multi-label from ``y`` and check it matches ``n_texts``.

    Parameters
    ----------
    y : array-like
        1-D labels (single-label) or a 2-D 0/1 array or DataFrame, one column per theme.
    n_texts : int
        Number of texts the labels must line up with.

    Returns
    -------
    labels : numpy.ndarray
        The 1-D labels, or the 2-D indicator matrix as ``int8``.
    multilabel : bool
        True when ``y`` is two-dimensional.
    theme_ids : numpy.ndarray or None
        Column names (DataFrame) or ``0..n_themes-1`` (array) for multi-label ``y``.
    is_frame : bool
        True when ``y`` was a DataFrame, so outputs come back as DataFrames.

    Raises
    ------
    ClassifierInputError
        If the lengths differ, ``y`` has the wrong shape, has missing labels, or a multi-label
        ``y`` holds values other than 0 and 1.
    """
    is_frame = isinstance(y, pd.DataFrame)
    if is_frame:
        theme_ids = np.asarray(y.columns, dtype=object)
        if y.columns.has_duplicates:
            dup = sorted({str(c) for c in y.columns[y.columns.duplicated()]})
            raise ClassifierInputError([input_problem(
                "y", f"theme columns are repeated: {', '.join(dup)}; give each theme one column")])
        values = y.to_numpy()
    else:
        if isinstance(y, (str, bytes)) or y is None:
            raise ClassifierInputError([input_problem(
                "y", "must be a list of labels (one per text) or a 0/1 table with one column per "
                "theme")])
        values = np.asarray(y, dtype=object if not isinstance(y, np.ndarray) else None)
        theme_ids = None
    if values.ndim not in (1, 2):
        raise ClassifierInputError([input_problem(
            "y", f"has {values.ndim} dimensions (shape {values.shape}); pass a 1-D list of labels "
            "or a 2-D 0/1 table with one row per text and one column per theme")])
    if values.shape[0] != n_texts:
        raise ClassifierInputError([input_problem(
            "y", f"has {values.shape[0]} rows but there are {n_texts} texts; give exactly one "
            "label (or one row of 0/1 theme flags) per text, in the same order")])
    if values.ndim == 1:
        missing = [i for i, v in enumerate(values) if _is_blank(v)]
        if missing:
            shown = ", ".join(str(i) for i in missing[:_MAX_LISTED])
            raise ClassifierInputError([input_problem(
                "y", f"{len(missing)} label(s) are missing (positions {shown}); drop those texts "
                "or give them a label")])
        return values, False, None, False
    if theme_ids is None:
        theme_ids = np.arange(values.shape[1])
    if values.shape[1] == 0:
        raise ClassifierInputError([input_problem("y", "has no theme columns; give at least one")])
    indicator = _indicator(values, theme_ids)
    return indicator, True, theme_ids, is_frame


def _indicator(values: np.ndarray, theme_ids: np.ndarray) -> np.ndarray:
    """Convert a 2-D label table to int8 0/1, naming the first column holding anything else."""
    problems = []
    out = np.zeros(values.shape, dtype=np.int8)
    for j, theme in enumerate(theme_ids):
        column = pd.to_numeric(pd.Series(values[:, j]), errors="coerce")
        bad = ~column.isin([0, 1])
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            problems.append(input_problem(
                "y", f"theme column {theme!r} holds {values[first, j]!r} at position {first}; "
                "multi-label y must hold only 0 and 1 (fill blanks with 0)", column=str(theme)))
        else:
            out[:, j] = column.to_numpy(dtype=np.int8)
    if problems:
        raise ClassifierInputError(problems[:_MAX_LISTED])
    return out

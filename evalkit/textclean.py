"""Text that every file format can hold: control characters out, line ends as ``\\n``.

Text pasted from Word often carries a vertical tab (Word's manual line break) or a form feed
(its page break); other control characters come from old databases and copy-paste. XML 1.0
forbids them, openpyxl refuses them (``IllegalCharacterError``) and CSV readers show them as
boxes. The programme's data door removes them on reading; writers call :func:`clean_text`
as well so that text arriving by any other road (a codebook, a DataFrame built in a notebook)
can never make an export crash.
"""
from __future__ import annotations

import re

DEFAULT_MISSING_VALUES = ("Did not answer", "Not answered", "No answer", "No response", "N/A", "NA", "-", "--")
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value):
    """Return ``value`` with control characters removed and every line break as ``\\n``.

    Parameters
    ----------
    value : object
        Text, or anything else (returned unchanged).

    Returns
    -------
    object
        For text: Windows (``\\r\\n``), old Mac (``\\r``), Word's vertical tab and form feed,
        NEL and the Unicode line/paragraph separators become ``\\n``; tab stays; every other
        C0/C1 control character, DEL, lone surrogate and the non-characters U+FFFE/U+FFFF are
        dropped. The result is valid in XML 1.0, XLSX cells and CSV.

    Examples
    --------
    >>> clean_text("café\\x0bsecond line\\x07")
    'café\\nsecond line'
    """
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _BREAKS.sub("\n", value))


def clean_series(cells):
    """Return a pandas Series of text with :func:`clean_text` applied, vectorised.

    Parameters
    ----------
    cells : pandas.Series
        Text cells (object or string dtype).

    Returns
    -------
    pandas.Series
    """
    return cells.str.replace(_BREAKS, "\n", regex=True).str.replace(_CONTROL, "", regex=True)


def placeholder_key(text: str) -> str:
    """Return a cell folded for matching "no answer" placeholders (case, spaces, a trailing full stop)."""
    return " ".join(str(text).split()).rstrip(".").strip().casefold()


def blank_placeholders(cells: pd.Series, placeholders: frozenset[str], keep=()) -> pd.Series:
    """Return cells with "no answer" placeholders made blank ("").

    Parameters
    ----------
    cells : pandas.Series
        Stripped text cells.
    placeholders : frozenset of str
        Placeholders folded with :func:`placeholder_key`.
    keep : iterable of str
        Answers that are real choices for this column and stay as they are.

    Returns
    -------
    pandas.Series
    """
    active = placeholders - {placeholder_key(k) for k in keep}
    if not active or cells.empty:
        return cells
    folded = cells.map(placeholder_key)
    return cells.where(~folded.isin(active), "")

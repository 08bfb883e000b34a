"""Build the coding panel's answers table from a loaded programme.

Which answers are coded follows the programme config, never fixed names:

- no ``source``: every source that holds people's answers, i.e. every source whose id column
  is not its project column. A source with one row per project (its id column *is* the project
  column) holds facts about projects, not answers; name it to code it anyway.
- no ``column``: every ``free_text`` column of those sources, in config order.
- a ``column`` without a ``source``: that column in every source that declares it as free text
  (say, the same export from several services).

Each answer's ``question`` is its column's label (the column name when there is no label). The
panel keys codes by ``(response_id, question)``, so a label used by two free-text columns of the
programme is made unique by adding the source (and the column, if one source uses it twice),
e.g. ``"Comments (site_b)"``. The rule looks at the whole config, not at what is chosen, so an
answer keeps the same key however the panel is opened.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from evalkit.errors import ConfigError

ANSWER_COLUMNS = ["response_id", "question", "project", "text"]


def answers_from_programme(programme, source: str | None = None,
                           column: str | list[str] | None = None) -> pd.DataFrame:
    """Return a programme's free-text answers in the shape the coding panel takes.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        From :func:`evalkit.programme.load_programme`.
    source : str or None
        Source name as in the config's ``sources:``; None or ``""`` takes every source of
        answers (see the module notes).
    column : str, list of str or None
        Free-text column(s) to code; None or ``""`` takes every ``free_text`` column.

    Returns
    -------
    pandas.DataFrame
        ``response_id``, ``question`` (the label), ``project`` and ``text``, one row per answer
        with text, by source, then column, then file order. Blank answers (empty in the file,
        or made blank when the programme was loaded) are left out: there is nothing to code.
        No respondent identity.

    Raises
    ------
    ConfigError
        If the source is unknown, a column is not a free-text column of it, or nothing is left
        to choose from; the message lists what there is.
    """
    chosen = _chosen_columns(programme, source or None, column or None)
    questions = question_labels(programme)
    frames = []
    for name, columns in chosen:
        spec, table = programme.sources[name], programme.table(name)
        for col in columns:
            text = table[col].astype("string").str.strip()
            keep = text.notna() & (text != "")
            frames.append(pd.DataFrame({
                "response_id": table.loc[keep, spec.id_column].astype(object),
                "question": questions[(name, col)],
                "project": table.loc[keep, spec.project_column].astype(object),
                "text": text[keep].astype(object),
            }))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def question_labels(programme) -> dict[tuple[str, str], str]:
    """Return the question text the panel uses for every free-text column of the programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme

    Returns
    -------
    dict
        ``(source, column)`` to the column's label (or name), made unique across the programme:
        a label shared by several columns gets `` (source)`` added, or `` (source: column)``
        when one source uses it twice.
    """
    plain = {
        (name, col): programme.sources[name].columns[col].label or col
        for name in programme.sources
        for col in programme.columns_of_type(name, "free_text")
    }
    shared = Counter(plain.values())
    out = {}
    for (name, col), label in plain.items():
        if shared[label] == 1:
            out[(name, col)] = label
        elif sum(1 for (n, _), other in plain.items() if n == name and other == label) == 1:
            out[(name, col)] = f"{label} ({name})"
        else:
            out[(name, col)] = f"{label} ({name}: {col})"
    return out


def answer_sources(programme) -> list[str]:
    """Return the sources of people's answers that have free text, in config order.

    A source whose id column is its project column has one row per project (facts about
    projects, not answers) and is left out.
    """
    return [
        name for name, spec in programme.sources.items()
        if spec.id_column != spec.project_column and programme.columns_of_type(name, "free_text")
    ]


def _chosen_columns(programme, source, column) -> list[tuple[str, list[str]]]:
    """The (source, free-text columns) pairs to code, checked against the config."""
    where = programme.config_path.name
    wanted = None if column is None else [column] if isinstance(column, str) else list(column)
    if source is not None:
        free_text = programme.columns_of_type(source, "free_text")  # ConfigError if unknown
        if not free_text:
            raise ConfigError(f"{where}: source '{source}' has no free-text columns to code; "
                              f"{_listing(programme)}")
        for name in wanted or []:
            if name not in free_text:
                raise ConfigError(f"{where}: source '{source}' has no free-text column '{name}'; "
                                  f"its free-text columns are: {', '.join(free_text)}")
        return [(source, wanted or free_text)]
    sources = answer_sources(programme) if wanted is None else [
        name for name in programme.sources if programme.columns_of_type(name, "free_text")]
    if not sources:
        raise ConfigError(f"{where}: no source has a free-text column (type: free_text) to code; "
                          "declare the open questions' columns as free_text in the config")
    if wanted is None:
        return [(name, programme.columns_of_type(name, "free_text")) for name in sources]
    chosen = []
    for name in sources:
        found = [c for c in wanted if c in programme.columns_of_type(name, "free_text")]
        if found:
            chosen.append((name, found))
    missing = [c for c in wanted if not any(c in cols for _, cols in chosen)]
    if missing:
        raise ConfigError(f"{where}: no source has a free-text column "
                          f"{', '.join(repr(c) for c in missing)}; {_listing(programme)}")
    return chosen


def _listing(programme) -> str:
    """A sentence listing every source's free-text columns."""
    parts = [f"{name}: {', '.join(repr(c) for c in programme.columns_of_type(name, 'free_text'))}"
             for name in programme.sources if programme.columns_of_type(name, "free_text")]
    return "the free-text columns are " + ("; ".join(parts) if parts else "none")

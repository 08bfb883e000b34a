"""Build the coding panel's answers table from a loaded programme."""
from __future__ import annotations

import pandas as pd

from evalkit.errors import ConfigError


def answers_from_programme(programme, source: str, column: str | list[str] | None = None) -> pd.DataFrame:
    """Return a source's free-text answers in the shape the coding panel takes.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        From :func:`evalkit.programme.load_programme`.
    source : str
        Source name, e.g. ``"feedback_survey"``.
    column : str, list of str or None
        Free-text column(s) to code; None takes every ``free_text`` column of the source.

    Returns
    -------
    pandas.DataFrame
        ``response_id``, ``question`` (the column's label), ``project`` and ``text``, one row
        per non-blank answer, in file order and then column order. No respondent identity.

    Raises
    ------
    ConfigError
        If the source is unknown or a column is not one of its free-text columns.
    """
    free_text = programme.columns_of_type(source, "free_text")
    wanted = free_text if column is None else [column] if isinstance(column, str) else list(column)
    for name in wanted:
        if name not in free_text:
            raise ConfigError(
                f"{programme.config_path.name}: source '{source}' has no free-text column "
                f"'{name}'; its free-text columns are: {', '.join(free_text) or 'none'}"
            )
    spec = programme.sources[source]
    table = programme.table(source)
    frames = []
    for name in wanted:
        label = spec.columns[name].label or name
        frame = pd.DataFrame(
            {
                "response_id": table[spec.id_column].astype(object),
                "question": label,
                "project": table[spec.project_column].astype(object),
                "text": table[name].astype(object),
            }
        )
        frames.append(frame[frame["text"].notna() & (frame["text"].astype(str).str.strip() != "")])
    if not frames:
        return pd.DataFrame(columns=["response_id", "question", "project", "text"])
    return pd.concat(frames, ignore_index=True)

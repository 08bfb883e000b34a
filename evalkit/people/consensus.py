"""Record the one agreed coding set that comes out of a consensus meeting.

After double coding, coders meet, talk through each disagreement (see
:func:`evalkit.reliability.disagreements`) and agree a code. :func:`record_consensus` combines
the themes every coder gave with the meeting's decisions into one long table that says, for
every agreed code, how it was reached, who agreed it and when. Who and when are parameters, never
the clock, so the same inputs always give the same file.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from evalkit.csvio import read_csv, write_csv
from evalkit.errors import ConsensusError, DataValidationError, Problem
from evalkit.reliability.themes import clean_codes, indicator_matrices, unit_keys
from evalkit.textclean import clean_text

UNANIMOUS = "all coders"
MEETING = "consensus meeting"
NO_THEME = "no theme"
COLUMNS = ("theme_id", "basis", "agreed_by", "agreed_on")
_INCLUDE = {"include", "yes", "y", "true", "1", "keep", "present"}
_EXCLUDE = {"exclude", "no", "n", "false", "0", "drop", "absent"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _describe(key: tuple) -> str:
    """Answer key as readable text, e.g. 'survey / R001 / comment'."""
    return " / ".join(str(k) for k in key)


def _decision_value(value, where: str) -> bool:
    """Read one decision as include (True) or exclude (False)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in _INCLUDE:
        return True
    if text in _EXCLUDE:
        return False
    raise ConsensusError(
        f"{where}: decision {value!r} is not understood; write 'include' or 'exclude'."
    )


def _check_agreement(agreed_by: Sequence[str], agreed_on) -> tuple[str, str]:
    """Validate who agreed and when; return them as text for the table."""
    if isinstance(agreed_by, str):
        agreed_by = [agreed_by]
    names = [str(n).strip() for n in agreed_by if str(n).strip()]
    if not names:
        raise ConsensusError("agreed_by must name at least one person who agreed the codes.")
    if any(";" in n for n in names):
        raise ConsensusError(f"Names in agreed_by cannot contain ';' (it separates names): {names}.")
    if isinstance(agreed_on, dt.datetime):
        agreed_on = agreed_on.date()
    if isinstance(agreed_on, dt.date):
        return "; ".join(names), agreed_on.isoformat()
    try:
        return "; ".join(names), dt.date.fromisoformat(str(agreed_on).strip()).isoformat()
    except ValueError:
        raise ConsensusError(
            f"agreed_on must be the meeting date as YYYY-MM-DD (e.g. '2024-03-14'); got {agreed_on!r}."
        ) from None


def _decision_table(decisions: pd.DataFrame | None, keys: list[str]) -> dict[tuple, bool]:
    """Decisions as {(answer key..., theme_id): include?}, rejecting contradictions."""
    if decisions is None or len(decisions) == 0:
        return {}
    needed = keys + ["theme_id", "decision"]
    missing = [c for c in needed if c not in decisions.columns]
    if missing:
        raise ConsensusError(
            f"decisions is missing column(s) {missing}; it needs {needed}, one row per answer and theme discussed."
        )
    out: dict[tuple, bool] = {}
    for i, row in enumerate(decisions[needed].itertuples(index=False), start=2):
        key = tuple(str(v).strip() for v in row[:-1])
        value = _decision_value(row[-1], f"decisions row {i}")
        if key in out and out[key] != value:
            raise ConsensusError(
                f"decisions row {i}: answer {_describe(key[:-1])} theme {key[-1]!r} is both included and "
                "excluded; keep the one the meeting agreed."
            )
        out[key] = value
    return out


def record_consensus(codes: pd.DataFrame, decisions: pd.DataFrame | None, agreed_by: Sequence[str],
                     agreed_on, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Combine unanimous codes and meeting decisions into one agreed coding set.

    Parameters
    ----------
    codes : DataFrame
        The double coding: ``response_id`` (plus ``source``/``column``), ``coder``,
        ``theme_id``.
    decisions : DataFrame or None
        What the meeting decided: key columns, ``theme_id`` and ``decision`` ("include" or
        "exclude"; yes/no and True/False also work). Every theme some but not all coders gave
        needs a decision; a decision may also add a theme no coder gave. See
        :func:`decisions_from_sheet` to read the filled-in disagreements file.
    agreed_by : sequence of str
        Who agreed the codes (names or roles, as the group wishes to be recorded).
    agreed_on : str or datetime.date
        Date of the meeting, ``YYYY-MM-DD``.
    units : DataFrame, optional
        Key columns of every double-coded answer (needed if some got no theme from anyone).

    Returns
    -------
    DataFrame
        Long table sorted by answer and theme: key columns, ``theme_id``, ``basis`` ("all
        coders", "consensus meeting", or "no theme" on a row with blank theme_id for an answer
        with no agreed theme), ``agreed_by`` (names joined by "; "), ``agreed_on``.

    Raises
    ------
    ConsensusError
        If a disagreement has no decision, decisions contradict each other, or decisions name
        answers that were not double-coded.
    """
    who, when = _check_agreement(agreed_by, agreed_on)
    clean = clean_codes(codes)
    keys = unit_keys(clean)
    decided = _decision_table(decisions, keys)
    extra_themes = sorted({k[-1] for k in decided} - set(clean["theme_id"].dropna()))
    themes = sorted(set(clean["theme_id"].dropna())) + extra_themes
    matrices, _, answers = indicator_matrices(clean, themes, units)
    answer_set = set(answers)
    strangers = sorted({k[:-1] for k in decided} - answer_set)
    if strangers:
        raise ConsensusError(
            f"decisions name {len(strangers)} answer(s) that were not double-coded, e.g. "
            f"{_describe(strangers[0])}; check the answer ids."
        )
    rows, undecided = [], []
    for j, answer in enumerate(answers):
        answer = answer if isinstance(answer, tuple) else (answer,)
        agreed_here = []
        for theme in themes:
            column = matrices[theme][:, j]
            decision = decided.get(answer + (theme,))
            if decision is not None:
                if decision:
                    agreed_here.append((theme, UNANIMOUS if column.min() == 1 else MEETING))
            elif column.min() == 1:
                agreed_here.append((theme, UNANIMOUS))
            elif column.max() == 1:
                undecided.append(answer + (theme,))
        for theme, basis in agreed_here or [(pd.NA, NO_THEME)]:
            rows.append(answer + (theme, basis, who, when))
    if undecided:
        shown = "; ".join(f"answer {_describe(k[:-1])} theme {k[-1]!r}" for k in undecided[:10])
        more = f" and {len(undecided) - 10} more" if len(undecided) > 10 else ""
        raise ConsensusError(
            f"{len(undecided)} disagreement(s) have no decision: {shown}{more}. Add an "
            "include/exclude decision for each (or fill agreed_themes in the disagreements file)."
        )
    frame = pd.DataFrame(rows, columns=keys + list(COLUMNS)).astype("string")
    return frame.sort_values(keys + ["theme_id"], na_position="first").reset_index(drop=True)


def save_consensus(consensus: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write an agreed coding set to CSV (UTF-8 with BOM, sorted, ``\\n`` line ends: same data, same bytes).

    Parameters
    ----------
    consensus : DataFrame
        From :func:`record_consensus`.
    path : path-like
        The CSV file to write.

    Returns
    -------
    pathlib.Path
    """
    keys = unit_keys(consensus)
    missing = [c for c in COLUMNS if c not in consensus.columns]
    if missing:
        raise ConsensusError(f"Not a consensus table: missing column(s) {missing}. Make it with record_consensus.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = consensus[keys + list(COLUMNS)].sort_values(keys + ["theme_id"], na_position="first")
    return write_csv(frame.map(clean_text), path)


def load_consensus(path: str | os.PathLike) -> pd.DataFrame:
    """Read an agreed coding set written by :func:`save_consensus`, checking every row.

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    DataFrame
        As returned by :func:`record_consensus`.

    Raises
    ------
    DataValidationError
        Listing each problem as ``file:row:column: message``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataValidationError([Problem(str(path), None, None, "File not found; check the path.", True)])
    frame = read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    needed = ["response_id", *COLUMNS]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataValidationError([Problem(str(path), 1, c, "Column missing; this is not a consensus file "
                                           "written by save_consensus.", True) for c in missing])
    problems = []
    bases = {UNANIMOUS, MEETING, NO_THEME}
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        basis = getattr(row, "basis")
        if basis not in bases:
            problems.append(Problem(str(path), i, "basis", f"{basis!r} is not one of {sorted(bases)}.", True))
        elif (basis == NO_THEME) != pd.isna(getattr(row, "theme_id")):
            problems.append(Problem(str(path), i, "theme_id",
                                    "theme_id must be blank exactly when basis is 'no theme'.", True))
        for col in ("response_id", "agreed_by", "agreed_on"):
            if pd.isna(getattr(row, col)):
                problems.append(Problem(str(path), i, col, "Blank; every row needs a value.", True))
    if problems:
        raise DataValidationError(problems)
    return frame


def _plain(value) -> str:
    """Cell text with the apostrophe added against formula injection taken off again."""
    text = "" if pd.isna(value) else str(value).strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _split_themes(text: str) -> list[str]:
    """Theme ids from a ';' or ','-separated cell."""
    return [t.strip() for t in text.replace(",", ";").split(";") if t.strip()]


def decisions_from_sheet(path: str | os.PathLike, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Read the disagreements file after the meeting has filled in ``agreed_themes``.

    For each row, every theme listed in ``agreed_themes`` is included and every other theme in
    ``in_dispute`` is excluded. Write ``none`` when the meeting agreed no theme; a blank cell
    means "not decided yet" and leaves that answer out (record_consensus then lists it).

    Parameters
    ----------
    path : path-like
        The ``.csv`` or ``.xlsx`` written by :func:`evalkit.reliability.export_disagreements`.
    themes : sequence of str, optional
        Allowed theme ids; others are reported with their row so typos are caught.

    Returns
    -------
    DataFrame
        Decisions: key columns, ``theme_id``, ``decision`` for :func:`record_consensus`.

    Raises
    ------
    DataValidationError
        For a missing file or columns, or unknown theme ids (``file:row:column: message``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataValidationError([Problem(str(path), None, None, "File not found; check the path.", True)])
    if path.suffix.lower() == ".xlsx":
        frame = pd.read_excel(path, dtype=object)
    elif path.suffix.lower() == ".csv":
        frame = read_csv(path, dtype=object, keep_default_na=False)
    else:
        raise DataValidationError([Problem(str(path), None, None, "Use the .csv or .xlsx disagreements file.", True)])
    frame.columns = [str(c).strip() for c in frame.columns]
    keys = [c for c in ("source", "response_id", "column") if c in frame.columns]
    needed = ["response_id", "in_dispute", "agreed_themes"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataValidationError([Problem(str(path), 1, c, "Column missing; use the file written by "
                                           "export_disagreements and keep its header row.", True) for c in missing])
    allowed = None if themes is None else set(themes)
    rows, problems = [], []
    for i, record in enumerate(frame.to_dict("records"), start=2):
        agreed_text = _plain(record["agreed_themes"])
        if not agreed_text:
            continue
        agreed = [] if agreed_text.lower() == "none" else _split_themes(agreed_text)
        if allowed is not None:
            for theme in agreed:
                if theme not in allowed:
                    problems.append(Problem(str(path), i, "agreed_themes",
                                            f"Unknown theme id {theme!r}; use ids from the codebook.", True))
        key = tuple(_plain(record[k]) for k in keys)
        for theme in sorted(set(agreed) | set(_split_themes(_plain(record["in_dispute"])))):
            rows.append(key + (theme, "include" if theme in agreed else "exclude"))
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(rows, columns=keys + ["theme_id", "decision"])

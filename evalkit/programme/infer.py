"""Guessing what each column of an exported file holds, from its text cells alone.

``infer_table`` takes the whitespace-stripped text cells that
:func:`evalkit.programme.reading.read_table` returns and guesses, one decision per function,
which column is the row id, the respondent, the question (long format), and the type of every
other column (:mod:`evalkit.programme.infer_types`): likert (integer codes on a short range,
or a known set of labels), number, date, single_choice or free_text; columns with nothing to
report (always blank, or one value only such as a 0/1 theme flag) are left undeclared. Every
guess carries plain "check ..." reasons for the person who reviews the config. Cells that mean
"no answer" (``Did not answer``, ``N/A``...) are treated as blank first so they never drive a
guess. Nothing here reads or writes files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from evalkit.programme.infer_types import (FIT, ROLES, ColumnGuess, ScaleGuess, count_of, examples, fold,
                                           guess_column, match_known_scale, non_blank, numbers, positions)
from evalkit.programme.spec import DEFAULT_MISSING_VALUES
from evalkit.textclean import placeholder_key

__all__ = ["DEFAULT_MISSING_VALUES", "EXTRA_PLACEHOLDERS", "ROLES", "ColumnGuess", "ScaleGuess", "TableGuess",
           "blank_placeholders", "guess_column", "guess_id_column", "guess_question_column",
           "guess_respondent_column", "header_words", "infer_table"]

EXTRA_PLACEHOLDERS = ("Not applicable", "#N/A", "Not stated", "No comment")
MAX_QUESTIONS = 50
ID_LENGTH = 40             # longest value that still looks like an id or code


@dataclass(frozen=True)
class TableGuess:
    """Every guess for one file.

    Attributes
    ----------
    rows : int
        Data rows read.
    columns : tuple of ColumnGuess
        One per header, in file order (keys included with their roles).
    id_column, project_column, respondent_column, question_column : str or None
        The key columns; ``id_column`` is None when no column can serve (the caller says so).
    placeholders : dict of str to int
        "No answer" placeholders seen (as first spelled) and how many cells held each.
    projects : tuple of str
        Distinct project values, in order of first appearance (with a project column).
    """

    rows: int
    columns: tuple[ColumnGuess, ...]
    id_column: str | None = None
    project_column: str | None = None
    respondent_column: str | None = None
    question_column: str | None = None
    placeholders: dict[str, int] = field(default_factory=dict)
    projects: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnGuess:
        """Return the guess for one header."""
        return next(c for c in self.columns if c.name == name)

    def of_role(self, role: str) -> list[ColumnGuess]:
        """Return the columns guessed as ``role``, in file order."""
        return [c for c in self.columns if c.role == role]

    @property
    def quarantined_rows(self) -> int:
        """How many rows some guess does not fit (they will be quarantined, and counted)."""
        return len(set().union(*(c.misfit_rows for c in self.columns)))


def header_words(header: str) -> list[str]:
    """Return a header's lower-case words, splitting camelCase (``ResponseID`` -> response, id)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header)
    return re.findall(r"[a-z0-9]+", spaced.casefold())


# ---------------------------------------------------------------- placeholders

def blank_placeholders(frame: pd.DataFrame, placeholders=DEFAULT_MISSING_VALUES + EXTRA_PLACEHOLDERS,
                       ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the cells with "no answer" placeholders made blank, and the placeholders seen.

    Parameters
    ----------
    frame : pandas.DataFrame
        Stripped text cells ("" = blank).
    placeholders : sequence of str
        Texts meaning "no answer"; compared as the loader does
        (:func:`evalkit.programme.validate.placeholder_key`: case, spacing, final full stops).

    Returns
    -------
    (frame, seen) : tuple
        ``seen`` maps each placeholder found, as first spelled in the list, to its cell count.
    """
    wanted = {placeholder_key(p): p for p in placeholders}
    longest = max(len(p) for p in placeholders) + 5
    out, seen = frame.copy(), {}
    for name in frame.columns:
        cells = frame[name]
        short = cells[(cells != "") & (cells.str.len() <= longest)]
        if short.empty:
            continue
        folded = short.map(placeholder_key)
        hit = folded.isin(list(wanted))
        if hit.any():
            out.loc[hit[hit].index, name] = ""
            for key, n in folded[hit].value_counts(sort=False).items():
                seen[wanted[key]] = seen.get(wanted[key], 0) + int(n)
    ordered = {p: seen[p] for p in placeholders if p in seen}
    return out, ordered


# ---------------------------------------------------------------- keys

def _looks_like_codes(cells: pd.Series) -> bool:
    """Whether non-blank cells are short enough to be ids or codes."""
    filled = non_blank(cells)
    return not filled.empty and int(filled.str.len().max()) <= ID_LENGTH


def _is_respondent_header(header: str) -> bool:
    """Whether a header names a person: respondent, participant, person id..."""
    words = header_words(header)
    if any(w in words for w in ("respondent", "respondents", "participant")):
        return True
    return "person" in words and any(w in words for w in ("id", "ref", "reference", "number", "no", "code"))


def guess_id_column(frame: pd.DataFrame, given: str | None = None, exclude=()) -> ColumnGuess | None:
    """Guess the column holding a unique id per row.

    A column qualifies when every row has a different non-blank value. Headers with the word
    "id" come first (a respondent's id last, as people may answer twice), then headers such as
    "index", "ref" or "number", then short values, leftmost first. A header with "id" that is
    unique in at least 95% of rows also qualifies: its repeated or blank rows are quarantined.

    Parameters
    ----------
    frame : pandas.DataFrame
        Text cells with placeholders already blank.
    given : str, optional
        The column the user named (``--id-column``); used as it is.
    exclude : collection of str
        Columns that cannot be the id (the project column).

    Returns
    -------
    ColumnGuess or None
        None when no column can serve.
    """
    def guess(name: str, why: str) -> ColumnGuess:
        cells = frame[name]
        bad = (cells == "") | cells.duplicated(keep="first") & (cells != "")
        distinct = non_blank(cells).nunique()
        reasons = [f"check: {name} is the row id ({why}; {distinct:,} different values in "
                   f"{len(cells):,} rows)"]
        if bad.any():
            reasons.append(f"check the {count_of(int(bad.sum()), 'row')} whose id is blank or repeated: "
                           "they will be quarantined")
        return ColumnGuess(name, "id", tuple(reasons), misfit_rows=positions(bad))

    if given is not None:
        return guess(given, "you named it")
    n = len(frame)
    ranked = []
    for pos, name in enumerate(frame.columns):
        if name in exclude:
            continue
        cells = frame[name]
        filled = non_blank(cells)
        if filled.empty:
            continue
        words = header_words(name)
        id_word = "id" in words or name.casefold().endswith("id") and len(words) == 1
        unique_share = filled.nunique() / n
        if unique_share < 1 and not (id_word and unique_share >= FIT):
            continue
        if not id_word and not _looks_like_codes(cells):
            continue
        rank = (0 if id_word and not _is_respondent_header(name) else 1 if id_word else
                2 if set(words) & {"index", "ref", "reference", "number", "no", "key", "code"} else 3)
        ranked.append((rank, unique_share < 1, pos, name))
    if not ranked:
        return None
    rank, _, _, name = min(ranked)
    why = {0: "its header says id", 1: "its header says id", 2: "its header looks like a row number or reference",
           3: "the first column with a different value in every row"}[rank]
    return guess(name, why)


def guess_respondent_column(frame: pd.DataFrame, given: str | None = None, exclude=()) -> ColumnGuess | None:
    """Guess the column identifying a person (respondent, participant, person id).

    Parameters
    ----------
    frame : pandas.DataFrame
        Text cells with placeholders already blank.
    given : str, optional
        The column the user named (``--respondent-column``).
    exclude : collection of str
        Columns already taken (the project column).

    Returns
    -------
    ColumnGuess or None
    """
    candidates = [given] if given is not None else [
        name for name in frame.columns
        if name not in exclude and _is_respondent_header(name) and _looks_like_codes(frame[name])]
    if not candidates:
        return None
    name = candidates[0]
    filled = non_blank(frame[name])
    people, rows = filled.nunique(), len(filled)
    why = "you named it" if given is not None else "its header names a person"
    count = (f"{people:,} people gave {rows:,} rows" if people < rows else
             "each value appears once in this file")
    reasons = [f"check: {name} identifies people ({why}; {count}): people are counted by it, and it links "
               "a person's rows across files"]
    blank = len(frame) - rows
    return ColumnGuess(name, "respondent", tuple(reasons), required=blank == 0)


def guess_question_column(frame: pd.DataFrame, exclude=()) -> ColumnGuess | None:
    """Guess the column saying which question each row answers (long format).

    A short header with the word "question" whose cells are few different texts, each
    repeated, and not ratings.

    Parameters
    ----------
    frame : pandas.DataFrame
        Text cells with placeholders already blank.
    exclude : collection of str
        Columns already taken.

    Returns
    -------
    ColumnGuess or None
    """
    for name in frame.columns:
        words = header_words(name)
        if name in exclude or not any(w in ("question", "questions") for w in words) or len(words) > 5:
            continue
        filled = non_blank(frame[name])
        distinct = filled.map(fold).nunique()
        if filled.empty or distinct > MAX_QUESTIONS or len(filled) < 2 * distinct:
            continue
        if numbers(filled).notna().mean() >= FIT or match_known_scale(filled) is not None:
            continue
        return ColumnGuess(name, "question", (
            f"check: {name} says which question each row's free text answers (long format; {distinct} different "
            f"questions, e.g. {examples(filled)})",),
            required=len(filled) == len(frame))
    return None


# ---------------------------------------------------------------- a whole table

def infer_table(frame: pd.DataFrame, *, id_column: str | None = None, project_column: str | None = None,
                respondent_column: str | None = None) -> TableGuess:
    """Guess the role and type of every column of one file.

    Parameters
    ----------
    frame : pandas.DataFrame
        Stripped text cells as ``read_table`` returns them ("" = blank).
    id_column, project_column, respondent_column : str, optional
        Columns the user named; they must be headers of ``frame`` (the caller checks).

    Returns
    -------
    TableGuess
        ``id_column`` is None when no column has a different value in every row.
    """
    cells, placeholders = blank_placeholders(frame)
    taken = {project_column} - {None}
    id_guess = guess_id_column(frame, id_column, exclude=taken)   # the loader never blanks ids
    one_per_project = (project_column is not None and non_blank(cells[project_column]).size == len(cells)
                       and cells[project_column].is_unique)
    if one_per_project and id_column is None and (id_guess is None or "id" not in header_words(id_guess.name)):
        id_guess = ColumnGuess(project_column, "id", ("one row per project: the project column is the row id; "
                                                      "check this file holds facts about each project",))
    respondent = guess_respondent_column(cells, respondent_column, exclude=taken)
    if (respondent_column is None and respondent is not None and id_guess is not None
            and respondent.name == id_guess.name):
        respondent = None          # the only id is a person's: one row per person, nothing to link
    keys = taken | {g.name for g in (id_guess, respondent) if g is not None}
    question = guess_question_column(cells, exclude=keys)
    if question is not None:
        keys.add(question.name)
    guesses: dict[str, ColumnGuess] = {}
    projects: tuple[str, ...] = ()
    if project_column is not None:
        project_cells = cells[project_column]
        projects = tuple(dict.fromkeys(non_blank(project_cells)))
        blank = project_cells == ""
        reasons = [f"check: {count_of(len(projects), 'project')} in the project column you named, e.g. "
                   f"{examples(projects)}"]
        if blank.any():
            reasons.append(f"check the {count_of(int(blank.sum()), 'row')} with no project: "
                           "they will be quarantined")
        guesses[project_column] = ColumnGuess(project_column, "project", tuple(reasons),
                                              required=not blank.any(), misfit_rows=positions(blank))
    for guess in (id_guess, respondent, question):
        if guess is not None:
            guesses.setdefault(guess.name, guess)
    for name in cells.columns:
        if name not in guesses:
            guesses[name] = guess_column(name, cells[name])
    return TableGuess(
        rows=len(frame), columns=tuple(guesses[name] for name in cells.columns),
        id_column=id_guess.name if id_guess else None, project_column=project_column,
        respondent_column=respondent.name if respondent else None,
        question_column=question.name if question else None, placeholders=placeholders, projects=projects)

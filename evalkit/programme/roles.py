"""Which source feeds which part of a report, from the config's ``report:`` block or the column types.

A report needs to know its main survey (who answered, ratings, themes), the role column (if
any), the one-row-per-project facts, the before/after outcome measures and which other
sources carry ratings or written answers. The ``report:`` block can name each; where it is
silent the column types decide. Nothing here knows any programme's source or column names.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evalkit.programme.spec import SourceSpec


@dataclass(frozen=True)
class OutcomePair:
    """A before/after outcome measure: its source, its name and the two columns that hold it."""

    source: str
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class ReportRoles:
    """The parts each report section draws on.

    Attributes
    ----------
    survey : str or None
        The main source: who answered, ratings, themes, quotes.
    role_column : str or None
        Single-choice column of the survey giving each person's role.
    facts : str or None
        One row per project (evaluation methods, people invited...).
    outcomes : tuple of OutcomePair
        Before/after measures.
    others : tuple of str
        Other sources with ratings or written answers, each given a section of its own.
    codes : str
        ``rules`` (the codebook's keyword coder) or ``agreed`` (the ground-truth file).
    """

    survey: str | None
    role_column: str | None
    facts: str | None
    outcomes: tuple[OutcomePair, ...]
    others: tuple[str, ...]
    codes: str = "rules"


def _has(spec: SourceSpec, kind: str) -> bool:
    return any(c.type == kind for c in spec.columns.values())


def _default_survey(sources: dict[str, SourceSpec]) -> str | None:
    """The first per-person source with ratings, else the first with written answers."""
    people = [s for s in sources.values() if not s.one_row_per_project]
    for kind in ("likert", "free_text"):
        for spec in people:
            if _has(spec, kind):
                return spec.name
    return None


def _auto_outcomes(sources: dict[str, SourceSpec]) -> list[OutcomePair]:
    """Number columns named ``<measure>_before`` and ``<measure>_after`` in one source."""
    pairs = []
    for name, spec in sources.items():
        numbers = {c for c, col in spec.columns.items() if col.type == "number"}
        for col in sorted(numbers):
            if col.endswith("_before") and col[: -len("_before")] + "_after" in numbers:
                stem = col[: -len("_before")]
                pairs.append(OutcomePair(name, stem.replace("_", " "), col, stem + "_after"))
    return pairs


def _declared_outcomes(raw: list, sources: dict[str, SourceSpec]) -> list[OutcomePair]:
    pairs = []
    for entry in raw:
        before, after = str(entry["before"]), str(entry["after"])
        name = entry.get("name") or before.removesuffix("_before").replace("_", " ")
        pairs.append(OutcomePair(str(entry["source"]), str(name), before, after))
    return pairs


def report_roles(programme) -> ReportRoles:
    """Return which sources and columns feed each part of the reports.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme (or the report's redacted view of one).

    Returns
    -------
    ReportRoles
    """
    sources: dict[str, SourceSpec] = programme.sources
    settings = programme.report_settings or {}
    survey = settings.get("survey") or _default_survey(sources)
    facts = settings.get("facts") or next((s.name for s in sources.values() if s.one_row_per_project), None)
    raw_outcomes = settings.get("outcomes")
    outcomes = _declared_outcomes(raw_outcomes, sources) if raw_outcomes else _auto_outcomes(sources)
    others = tuple(s.name for s in sources.values()
                   if s.name not in (survey, facts) and not s.one_row_per_project
                   and (_has(s, "likert") or _has(s, "free_text")))
    role = settings.get("role_column")
    return ReportRoles(survey=survey, role_column=str(role) if role else None, facts=facts,
                       outcomes=tuple(outcomes), others=others, codes=str(settings.get("codes", "rules")))


def people_frame(table: pd.DataFrame, spec: SourceSpec) -> pd.DataFrame:
    """Return one row per person and project: each column's first non-blank answer in file order.

    Long exports repeat a person's rating on every row they wrote (one row per question);
    counting rows would count people several times. Sources without a respondent column have
    one person per row and come back unchanged.

    Parameters
    ----------
    table : pandas.DataFrame
        A source's typed table.
    spec : SourceSpec
        Its declaration.

    Returns
    -------
    pandas.DataFrame
        Same columns, one row per (project, person), in order of each person's first row.
    """
    if not spec.respondent_column or spec.respondent_column not in table.columns:
        return table
    key = [spec.project_column, spec.respondent_column]
    known = table.dropna(subset=key)
    people = known.groupby(key, sort=False, observed=True).first()
    for column in table.columns:
        if isinstance(table[column].dtype, pd.CategoricalDtype) and column in people.columns:
            people[column] = pd.Categorical(people[column], categories=table[column].cat.categories)
    return people.reset_index()[list(table.columns)]


def count_people(table: pd.DataFrame, spec: SourceSpec) -> int:
    """Return how many people a source's rows come from (respondents, else rows).

    Parameters
    ----------
    table : pandas.DataFrame
        A source's typed table (or part of it).
    spec : SourceSpec
        Its declaration.

    Returns
    -------
    int
    """
    if spec.respondent_column and spec.respondent_column in table.columns:
        return int(table[spec.respondent_column].dropna().nunique())
    return len(table)

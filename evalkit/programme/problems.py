"""Printing problems for people: repeated problems grouped into one line with their rows."""
from __future__ import annotations

from collections import defaultdict

from evalkit.errors import Problem


def group_problems(problems: list[Problem], rows_shown: int = 5) -> list[str]:
    """Return one line per distinct problem, repeats grouped with the rows they are on.

    A problem met once prints as ``file:row:column: message``; one met on several rows prints
    as ``file::column: 440 rows: message (rows 14, 27, 31, ...)``. Order follows the first
    time each problem appears. Warnings start with ``warning:``.

    Parameters
    ----------
    problems : list of Problem
        From :func:`evalkit.programme.validate_programme`.
    rows_shown : int, default 5
        How many row numbers to list for a grouped problem.

    Returns
    -------
    list of str
    """
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[(problem.file, problem.column, problem.message, problem.fatal, problem.warning)].append(problem)
    lines = []
    for (file, column, message, _, warning), members in groups.items():
        prefix = "warning: " if warning else ""
        if len(members) == 1:
            lines.append(prefix + str(members[0]))
            continue
        rows = [str(p.row) for p in members if p.row is not None]
        listed = ", ".join(rows[:rows_shown]) + (", ..." if len(rows) > rows_shown else "")
        where = f" (rows {listed})" if rows else ""
        lines.append(f"{prefix}{file}::{column or ''}: {len(members)} rows: {message}{where}")
    return lines


def needs_fixing(problems: list[Problem]) -> list[Problem]:
    """Return the problems that are not warnings (fatal ones and rows that would be quarantined)."""
    return [p for p in problems if not p.warning]

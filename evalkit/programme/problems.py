"""Printing problems for people: repeated problems grouped into one line with their rows."""
from __future__ import annotations

import re
from collections import defaultdict

from evalkit.errors import Problem

_LEADING_VALUE = re.compile(r"^'[^']*'")


def group_problems(problems: list[Problem], rows_shown: int = 5) -> list[str]:
    """Return one line per distinct problem, repeats grouped with the rows they are on.

    A problem met once prints as ``file:row:column: message``; one met on several rows prints
    as ``file::column: 440 rows: message (rows 14, 27, 31, ...)``. Messages that differ only
    in the value they quote (``'9/21/2022' is not a date``) group together and say how many
    different values there were. Order follows the first time each problem appears.
    Warnings start with ``warning:``.

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
        template = _LEADING_VALUE.sub("'…'", problem.message, count=1)
        groups[(problem.file, problem.column, template, problem.fatal, problem.warning)].append(problem)
    lines = []
    for (file, column, _, _, warning), members in groups.items():
        prefix = "warning: " if warning else ""
        if len(members) == 1:
            lines.append(prefix + str(members[0]))
            continue
        rows = [str(p.row) for p in members if p.row is not None]
        listed = ", ".join(rows[:rows_shown]) + (", ..." if len(rows) > rows_shown else "")
        values = len({p.message for p in members})
        others = f"; {values - 1} other value{'s' if values > 2 else ''} like it" if values > 1 else ""
        where = f" (rows {listed}{others})" if rows else ""
        lines.append(f"{prefix}{file}::{column or ''}: {len(members)} rows: {members[0].message}{where}")
    return lines


def summarise(problems: list[Problem], strict: bool = False) -> tuple[int, str]:
    """Return (exit code, closing sentence) for ``evalkit validate``.

    Fatal problems stop ``report`` and give exit code 1. Rows that would be quarantined are
    counted and kept aside by ``report``, which still builds, so they give 0 unless ``strict``.

    Parameters
    ----------
    problems : list of Problem
        From :func:`evalkit.programme.validate_programme`.
    strict : bool, default False
        Treat rows that would be quarantined (and codes set aside) as failures too.

    Returns
    -------
    (int, str)
    """
    fatal = sum(p.fatal for p in problems)
    rows = sum(not p.fatal and not p.warning for p in problems)
    warnings = sum(p.warning for p in problems)
    if fatal:
        return 1, f"{fatal} problem(s) stop the reports; fix them and run validate again."
    parts = []
    if rows:
        parts.append(f"{rows} problem(s) in rows that report will set aside (quarantine, listed above)")
    if warnings:
        parts.append(f"{warnings} warning(s)")
    if not parts:
        return 0, "no problems found."
    code = 1 if strict and rows else 0
    verdict = "the reports will build" if code == 0 else "--strict: rows would be set aside"
    return code, f"{'; '.join(parts)}; {verdict}."

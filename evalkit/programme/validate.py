"""Checking one source's text cells against its declaration: typed table plus quarantine.

Header problems (a declared column missing) are fatal. Row problems (wrong type, off-scale
rating, unknown project, repeated id, blank required value, too many cells) move the row to
quarantine with every reason, and the rest of the file loads. Every row read ends up in
exactly one of the table and the quarantine.
"""
from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.errors import Problem
from evalkit.programme.columns import TYPERS, shown, text_column
from evalkit.programme.reading import RawTable
from evalkit.programme.spec import DEFAULT_MISSING_VALUES, SourceSpec
from evalkit.textclean import blank_placeholders, placeholder_key

QUARANTINE_COLUMNS = ["source", "file", "row", "column", "problem", "record"]


@dataclass
class SourceResult:
    """The outcome of checking one source: typed rows, quarantined rows and every Problem."""

    table: pd.DataFrame
    quarantine: pd.DataFrame
    problems: list[Problem]
    rows_read: int
    blank_rows: int
    encoding: str


def _squash(name: str) -> str:
    """Return a header reduced to lower-case letters and digits, for near-match hints."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def missing_column_problems(spec: SourceSpec, headers: list[str]) -> list[Problem]:
    """Return a fatal Problem for each header the source needs but the file lacks.

    Each message suggests the closest existing header (a likely renamed column), found by
    ignoring case and punctuation first and then by ``difflib`` similarity.

    Parameters
    ----------
    spec : SourceSpec
        The source declaration.
    headers : list of str
        The file's headers after stripping whitespace.

    Returns
    -------
    list of Problem
    """
    present = set(headers)
    missing = [h for h in spec.required_headers if h not in present]
    spare = [h for h in headers if h not in set(spec.required_headers)]
    problems = []
    for name in missing:
        squashed = {_squash(h): h for h in spare}
        close = [squashed[_squash(name)]] if _squash(name) in squashed else \
            difflib.get_close_matches(name, spare, n=1, cutoff=0.6)
        if close:
            advice = (f"the closest header is '{close[0]}'; if the column was renamed, rename it back to "
                      f"'{name}' (or change the config to match)")
        elif len(headers) == 1 and ";" in headers[0]:
            advice = "the file looks semicolon-separated; save it as comma-separated CSV"
        else:
            advice = (f"add a column headed '{name}' or correct the config; the file's headers are: "
                      f"{', '.join(headers)}")
        problems.append(Problem(spec.file, 1, name, f"column '{name}' is missing; {advice}", fatal=True))
    return problems


def _key_problems(spec: SourceSpec, cells: pd.DataFrame, rows: np.ndarray, project_ids: list[str]):
    """Yield (column, messages) for blank or repeated ids and blank or unknown project ids."""
    ids = cells[spec.id_column]
    messages = pd.Series(pd.NA, index=ids.index, dtype=object)
    blank = ids == ""
    messages[blank] = f"the id is blank; give every row a unique {spec.id_column}"
    repeated = ~blank & ids.duplicated(keep="first")
    if repeated.any():
        first_row = pd.Series(rows, index=ids.index)[~blank].groupby(ids[~blank]).first()
        messages[repeated] = (shown(ids[repeated]) + " is already used on row "
                              + ids[repeated].map(first_row).astype(str)
                              + "; give each response its own id, or delete the row if it is a repeat")
    yield spec.id_column, messages

    projects = cells[spec.project_column]
    messages = pd.Series(pd.NA, index=projects.index, dtype=object)
    known = ", ".join(project_ids[:12]) + (", ..." if len(project_ids) > 12 else "")
    blank = projects == ""
    messages[blank] = f"the project id is blank; enter one of the project ids ({known})"
    unknown = ~blank & ~projects.isin(project_ids)
    if unknown.any():
        hints = {}
        for value in projects[unknown].unique():
            close = difflib.get_close_matches(value, project_ids, n=1, cutoff=0.5)
            hints[value] = f" (closest: '{close[0]}')" if close else ""
        messages[unknown] = (shown(projects[unknown]) + " is not a project id in the config"
                             + projects[unknown].map(hints)
                             + f"; use one of {known}, or add the project under projects:")
    yield spec.project_column, messages


def _records(cells: pd.DataFrame) -> list[str]:
    """Return each row as a JSON object of its raw cells (file column order)."""
    columns = list(cells.columns)
    return [json.dumps(dict(zip(columns, values)), ensure_ascii=False) for values in cells.itertuples(index=False)]


def _cell_messages(spec: SourceSpec, raw: RawTable, project_ids: list[str], placeholders: frozenset[str]):
    """Return (typed declared columns, [(column, messages)] in reporting order) for every check."""
    cells = raw.frame
    if spec.project_implied:
        cells = cells.assign(**{spec.project_column: project_ids[0] if len(project_ids) == 1 else ""})
    found: list[tuple[str | None, pd.Series]] = []
    if raw.overflow.any():
        overflow = pd.Series(pd.NA, index=cells.index, dtype=object)
        overflow[raw.overflow] = (f"the row has more cells than the header's {cells.shape[1]} columns; "
                                  "check for an unquoted comma in a text answer or values past the last column")
        found.append((None, overflow))
    found.extend(_key_problems(spec, cells, raw.rows, project_ids))
    typed = {}
    for name, column in spec.columns.items():
        if name in (spec.id_column, spec.project_column):
            continue
        column_cells = blank_placeholders(cells[name], placeholders, keep=column.choices)
        values, messages = TYPERS[column.type](column_cells, column)
        if column.required:
            messages[column_cells == ""] = (f"a value is required here ({column.label}); fill it in, or set "
                                           f"required: false for {name} in the config if blanks are allowed")
        typed[name] = values
        found.append((name, messages))
    return typed, found, cells


def _long_problems(found) -> pd.DataFrame:
    """Return one line per bad cell (pos, column, problem), ordered by row then check order."""
    parts = []
    for rank, (column, messages) in enumerate(found):
        idx = np.flatnonzero(messages.notna().to_numpy())
        if len(idx):
            parts.append(pd.DataFrame({"pos": idx, "rank": rank, "column": column or "",
                                       "problem": messages.to_numpy()[idx]}))
    if not parts:
        return pd.DataFrame({"pos": pd.Series(dtype=np.int64), "rank": pd.Series(dtype=np.int64),
                             "column": pd.Series(dtype=object), "problem": pd.Series(dtype=object)})
    return pd.concat(parts, ignore_index=True).sort_values(["pos", "rank"], kind="stable", ignore_index=True)


def _quarantine(spec: SourceSpec, raw: RawTable, long: pd.DataFrame) -> pd.DataFrame:
    """Return one quarantine line per bad row, joining its columns and problems with '; '."""
    positions, joined_columns, joined_problems = [], [], []
    rows = zip(long["pos"].tolist(), long["column"].tolist(), long["problem"].tolist())
    for pos, group in itertools.groupby(rows, key=lambda item: item[0]):
        group = list(group)
        positions.append(pos)
        joined_columns.append("; ".join(c for _, c, _ in group if c))
        joined_problems.append("; ".join(m for _, _, m in group))
    positions = np.asarray(positions, dtype=np.int64)
    return pd.DataFrame({
        "source": pd.Series([spec.name] * len(positions), dtype=object),
        "file": pd.Series([spec.file] * len(positions), dtype=object),
        "row": raw.rows[positions].astype(np.int64),
        "column": pd.Series(joined_columns, dtype=object),
        "problem": pd.Series(joined_problems, dtype=object),
        "record": pd.Series(_records(raw.frame.iloc[positions]), dtype=object),
    }, columns=QUARANTINE_COLUMNS)


def check_source(spec: SourceSpec, raw: RawTable, project_ids: list[str],
                 missing_values=DEFAULT_MISSING_VALUES) -> SourceResult:
    """Type a source's cells, quarantining each row that has any problem.

    Parameters
    ----------
    spec : SourceSpec
        The source declaration.
    raw : RawTable
        The file's text cells (from :func:`evalkit.programme.reading.read_table`); every
        declared header must be present (see :func:`missing_column_problems`).
    project_ids : list of str
        The programme's project ids.
    missing_values : sequence of str
        Placeholders meaning "no answer" ("Did not answer", "N/A"...): blank in every declared
        column unless they are one of the column's choices.

    Returns
    -------
    SourceResult
        ``table`` holds typed good rows in file order (undeclared columns as text);
        ``quarantine`` one line per bad row; ``problems`` one Problem per bad cell.
    """
    placeholders = frozenset(placeholder_key(v) for v in missing_values)
    typed, found, cells = _cell_messages(spec, raw, project_ids, placeholders)
    long = _long_problems(found)
    problems = [Problem(spec.file, int(raw.rows[p]), c or None, m, fatal=False)
                for p, c, m in zip(long["pos"].tolist(), long["column"].tolist(), long["problem"].tolist())]
    quarantine = _quarantine(spec, raw, long)
    keep = np.ones(len(raw.frame), dtype=bool)
    keep[long["pos"].to_numpy(dtype=np.int64)] = False
    table = pd.DataFrame({name: typed[name] if name in typed else text_column(cells[name])
                          for name in cells.columns})
    table = table.loc[keep].reset_index(drop=True)
    return SourceResult(table=table, quarantine=quarantine, problems=problems,
                        rows_read=len(raw.frame) + raw.blank_rows, blank_rows=raw.blank_rows, encoding=raw.encoding)

"""Member checking: ask co-producers whether the themes ring true, and read their answers back.

:func:`export_member_check` writes one workbook per reviewer: a plain-language "Start here"
sheet and a "Themes" sheet listing each theme, what it means, a few example quotes with personal
details removed, a drop-down answer ("rings true", "not quite", "doesn't fit") and a comments
column. :func:`import_member_checks` reads the returned workbooks, matching rows by theme code
(so sorted or reordered rows are fine) and quarantining, never dropping, answers it cannot read.
:func:`summarise_member_checks` counts the answers per theme and gathers every comment.
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from evalkit.errors import DataValidationError, MemberCheckError, Problem
from evalkit.xlsx import cell_text, print_fit_to_width, save_workbook

ANSWERS = ("rings true", "not quite", "doesn't fit")
NO_ANSWER = "no answer"
UNCLEAR = "unclear (see problem)"
THEMES_SHEET = "Themes"
START_SHEET = "Start here"
HEADERS = {
    "theme": "Theme",
    "definition": "What we mean",
    "quotes": "What people said (names removed)",
    "answer": "Does this ring true?",
    "comment": "Your comments",
    "theme_id": "Theme code (please leave as it is)",
}
_WIDTHS = {"theme": 24, "definition": 45, "quotes": 60, "answer": 22, "comment": 45, "theme_id": 22}
_FONT_SIZE = 12
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ANSWER_ALIASES = {
    "rings true": "rings true", "ring true": "rings true", "rings true.": "rings true",
    "not quite": "not quite", "not quite.": "not quite",
    "doesn't fit": "doesn't fit", "doesnt fit": "doesn't fit", "does not fit": "doesn't fit",
    "doesn't fit.": "doesn't fit",
}


def _default_redact() -> Callable[[str], str]:
    """evalkit's redactor, imported only when needed."""
    try:
        from evalkit.privacy.redact import redact
    except ImportError as exc:
        raise MemberCheckError(
            f"evalkit.privacy.redact could not be imported ({exc}); quotes are never exported "
            "unredacted. Pass redact=... (a function taking text and returning it with "
            "personal details removed)."
        ) from None
    return redact


def _theme_table(themes) -> pd.DataFrame:
    """Themes as a DataFrame with theme_id, label, definition (in the order given)."""
    if isinstance(themes, Mapping):
        themes = [{"theme_id": k, **(v if isinstance(v, Mapping) else {"definition": v})}
                  for k, v in themes.items()]
    frame = pd.DataFrame(themes).copy() if not isinstance(themes, pd.DataFrame) else themes.copy()
    if "label" not in frame.columns and "name" in frame.columns:
        frame = frame.rename(columns={"name": "label"})
    missing = [c for c in ("theme_id", "definition") if c not in frame.columns]
    if missing:
        raise MemberCheckError(
            f"themes is missing {missing}; give theme_id, label and a plain-language definition "
            "for each theme."
        )
    if "label" not in frame.columns:
        frame["label"] = frame["theme_id"]
    frame = frame[["theme_id", "label", "definition"]].astype("string").fillna("")
    frame = frame.apply(lambda s: s.str.strip())
    if (frame["theme_id"] == "").any():
        raise MemberCheckError("themes has a row with a blank theme_id; every theme needs its id.")
    dup = frame["theme_id"][frame["theme_id"].duplicated()]
    if len(dup):
        raise MemberCheckError(f"themes lists theme {dup.iloc[0]!r} twice; list each theme once.")
    return frame.reset_index(drop=True)


def _quotes_by_theme(quotes, limit: int) -> dict[str, list[str]]:
    """Up to ``limit`` non-blank quotes per theme, in the order given."""
    if quotes is None:
        return {}
    if isinstance(quotes, Mapping):
        pairs = [(k, q) for k, qs in quotes.items() for q in ([qs] if isinstance(qs, str) else qs)]
    else:
        frame = pd.DataFrame(quotes)
        text_col = "text" if "text" in frame.columns else "quote"
        if "theme_id" not in frame.columns or text_col not in frame.columns:
            raise MemberCheckError("quotes needs columns theme_id and text (or a mapping theme_id -> list of quotes).")
        pairs = list(zip(frame["theme_id"], frame[text_col]))
    out: dict[str, list[str]] = {}
    for theme, quote in pairs:
        if pd.isna(quote) or not str(quote).strip():
            continue
        bucket = out.setdefault(str(theme).strip(), [])
        if len(bucket) < limit:
            bucket.append(str(quote).strip())
    return out


def _instructions(project: str | None, reviewer: str | None) -> list[tuple[str, str]]:
    """Label/value rows of the Start here sheet."""
    return [
        ("Project", project or ""),
        ("Your name", reviewer or ""),
        ("", ""),
        ("What this is", "We read what people told us and grouped it into themes. We want to "
                         "know if we got it right. Your view counts as much as ours."),
        ("What to do", "Open the 'Themes' sheet (tab at the bottom). Each row is one theme: what "
                       "we mean by it and a few things people said."),
        ("Your answer", "In the column 'Does this ring true?' pick one: rings true, not quite, "
                        "or doesn't fit."),
        ("Your comments", "Write anything in 'Your comments': better words, what we missed, "
                          "what feels wrong. Short notes are fine."),
        ("Skipping", "You can skip any theme. There are no wrong answers."),
        ("Privacy", "We took names and contact details out of the quotes. Please do not add "
                    "anyone's personal details."),
        ("Sending back", "Save the file and send it back to the person who sent it to you. "
                         "Please keep the theme codes in the last column as they are."),
        ("Other ways", "If you would rather talk it through, or need another format (large "
                       "print, easy read, audio), just tell us."),
    ]


def _row_height(values: Sequence[str], widths: Sequence[int]) -> float:
    """Row height (points) that shows all wrapped text, estimated from characters per line."""
    lines = 1
    for value, width in zip(values, widths):
        chars = max(1, int(width * 0.9))
        count = sum(max(1, math.ceil(len(part) / chars)) for part in str(value).split("\n"))
        lines = max(lines, count)
    return float(min(409, 6 + lines * (_FONT_SIZE + 4)))


def _start_sheet(ws, project: str | None, reviewer: str | None) -> None:
    """Fill the plain-language instructions sheet."""
    ws.title = START_SHEET
    ws["A1"] = "Do these themes ring true?"
    ws["A1"].font = Font(bold=True, size=16)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 80
    wrap = Alignment(wrap_text=True, vertical="top")
    for offset, (label, text) in enumerate(_instructions(project, reviewer), start=3):
        ws.cell(row=offset, column=1, value=cell_text(label)).font = Font(bold=True, size=_FONT_SIZE)
        cell = ws.cell(row=offset, column=2, value=cell_text(text))
        cell.font = Font(size=_FONT_SIZE)
        cell.alignment = wrap
        ws.row_dimensions[offset].height = _row_height([text], [80])
    print_fit_to_width(ws, title_rows=None, landscape=False)


def _themes_sheet(ws, table: pd.DataFrame, quotes: dict[str, list[str]], redact) -> None:
    """Fill the Themes sheet: one row per theme, drop-down answers, frozen header."""
    order = list(HEADERS)
    widths = [_WIDTHS[k] for k in order]
    ws.append([HEADERS[k] for k in order])
    header_font = Font(bold=True, size=_FONT_SIZE)
    fill = PatternFill("solid", fgColor="D9D9D9")
    edge = Border(bottom=Side(style="medium"))
    for cell in ws[1]:
        cell.font, cell.fill, cell.border = header_font, fill, edge
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = _row_height([HEADERS[k] for k in order], widths)
    body = Font(size=_FONT_SIZE)
    wrap = Alignment(wrap_text=True, vertical="top")
    for record in table.itertuples(index=False):
        cleaned = []
        for quote in quotes.get(record.theme_id, []):
            safe = redact(quote)
            if not isinstance(safe, str):
                raise MemberCheckError(f"redact returned {type(safe).__name__}, not text, for a quote of theme {record.theme_id!r}.")
            cleaned.append(f"\u201c{safe}\u201d")
        values = {"theme": record.label, "definition": record.definition,
                  "quotes": "\n\n".join(cleaned), "answer": None, "comment": None,
                  "theme_id": record.theme_id}
        values = {k: cell_text(v) for k, v in values.items()}
        ws.append([values[k] for k in order])
        row = ws.max_row
        for cell in ws[row]:
            cell.font, cell.alignment = body, wrap
        ws.row_dimensions[row].height = _row_height([values[k] or "" for k in order], widths)
    for i, key in enumerate(order, start=1):
        ws.column_dimensions[chr(64 + i)].width = _WIDTHS[key]
    answer_col = chr(64 + order.index("answer") + 1)
    choices = DataValidation(
        type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True, showDropDown=False,
        showInputMessage=True, promptTitle="Your answer",
        prompt="Pick: rings true, not quite, or doesn't fit. Put anything else in Your comments.",
        showErrorMessage=True, errorStyle="warning", errorTitle="Please pick from the list",
        error="Please pick one of the three answers and write other thoughts in Your comments.",
    )
    choices.add(f"{answer_col}2:{answer_col}{max(2, len(table) + 1)}")
    ws.add_data_validation(choices)
    ws.freeze_panes = "A2"
    print_fit_to_width(ws, title_rows="1:1", landscape=True)


def export_member_check(themes, quotes, path: str | os.PathLike, reviewer: str | None = None,
                        project: str | None = None, redact: Callable[[str], str] | None = None,
                        quotes_per_theme: int = 3) -> Path:
    """Write a member-check workbook for one reviewer.

    Parameters
    ----------
    themes : DataFrame, list of dict or mapping
        ``theme_id``, ``label`` (or ``name``) and a plain-language ``definition`` per theme, in
        the order to show them; a mapping ``theme_id -> {"label": ..., "definition": ...}`` works.
    quotes : DataFrame, mapping or None
        Example quotes: a DataFrame with ``theme_id`` and ``text``, or ``theme_id -> [quotes]``.
        The first ``quotes_per_theme`` per theme are used, in the order given.
    path : path-like
        The ``.xlsx`` file to write (byte-identical for the same inputs).
    reviewer : str, optional
        The reviewer's name, shown on the Start here sheet (left blank for them to fill in).
    project : str, optional
        Project or programme name shown on the Start here sheet.
    redact : callable, optional
        Removes personal details from each quote; default
        :func:`evalkit.privacy.redact.redact`. Quotes are never written unredacted.
    quotes_per_theme : int
        Maximum quotes per theme.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise MemberCheckError(f"Member-check files are Excel workbooks; name the file .xlsx, not {path.name!r}.")
    if int(quotes_per_theme) != quotes_per_theme or quotes_per_theme < 0:
        raise MemberCheckError(f"quotes_per_theme must be a whole number of 0 or more; got {quotes_per_theme!r}.")
    table = _theme_table(themes)
    picked = _quotes_by_theme(quotes, int(quotes_per_theme))
    unknown = sorted(set(picked) - set(table["theme_id"]))
    if unknown:
        raise MemberCheckError(f"quotes are given for themes not in themes: {unknown}; add the themes or drop the quotes.")
    redact = redact or _default_redact()
    wb = Workbook()
    _start_sheet(wb.active, project, reviewer)
    _themes_sheet(wb.create_sheet(THEMES_SHEET), table, picked, redact)
    return save_workbook(wb, path)


def _normalise(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _plain(value) -> str:
    """Cell as stripped text, without the apostrophe added against formula injection."""
    if value is None:
        return ""
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _header_map(header: Sequence) -> dict[str, int]:
    """Which column holds each known field, matched on normalised header text."""
    wanted = {_normalise(v): k for k, v in HEADERS.items()}
    wanted[_normalise("Theme code")] = "theme_id"
    found = {}
    for i, value in enumerate(header):
        key = wanted.get(_normalise(str(value))) if value is not None else None
        if key and key not in found:
            found[key] = i
    return found


def _reviewer_name(wb, path: Path) -> str:
    """Name from the Start here sheet's 'Your name' row, else the file name."""
    if START_SHEET in wb.sheetnames:
        for label, value, *_ in wb[START_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if label is not None and _normalise(str(label)) == "your name" and _plain(value):
                return _plain(value)
    return path.stem


def _values_or_formulas(wb, path: Path) -> list[tuple]:
    """Themes sheet cell values; a formula never calculated (no cached value) keeps its text."""
    values = [list(r) for r in wb[THEMES_SHEET].iter_rows(values_only=True)]
    formulas = load_workbook(path)[THEMES_SHEET].iter_rows(values_only=True)
    for row, raw in zip(values, formulas):
        for i, cell in enumerate(raw[:len(row)]):
            if row[i] is None and isinstance(cell, str) and cell.startswith("="):
                row[i] = cell
    return [tuple(r) for r in values]


def _read_one(path: Path, known: set[str] | None) -> list[dict]:
    """Rows of one returned workbook, each with its answer or the problem that quarantined it."""
    if not path.is_file():
        raise DataValidationError([Problem(str(path), None, None, "File not found; check the path.", True)])
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for unreadable files
        raise DataValidationError([Problem(str(path), None, None,
                                           f"Cannot open as an Excel workbook ({type(exc).__name__}); "
                                           "ask the reviewer to save it as .xlsx.", True)]) from None
    if THEMES_SHEET not in wb.sheetnames:
        raise DataValidationError([Problem(str(path), None, None,
                                           f"No sheet called {THEMES_SHEET!r} (found {wb.sheetnames}); "
                                           "the sheet may have been renamed: rename it back.", True)])
    rows = _values_or_formulas(wb, path)
    columns = _header_map(rows[0] if rows else ())
    missing = [HEADERS[k] for k in ("answer", "comment", "theme_id") if k not in columns]
    if missing:
        raise DataValidationError([Problem(str(path), 1, m, "Column heading missing or changed; put "
                                           "the heading back as it was sent.", True) for m in missing])
    reviewer = _reviewer_name(wb, path)
    seen: dict[str, int] = {}
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if all(v is None or not str(v).strip() for v in values):
            continue
        cell = lambda key: _plain(values[columns[key]]) if key in columns and columns[key] < len(values) else ""
        raw = cell("answer")
        record = {"file": str(path), "reviewer": reviewer, "row": number, "theme_id": cell("theme_id"),
                  "theme": cell("theme"), "answer": pd.NA, "comment": cell("comment"),
                  "raw_answer": raw, "problem": ""}
        theme_id = record["theme_id"]
        if not theme_id:
            record["problem"] = str(Problem(str(path), number, HEADERS["theme_id"],
                                            "Theme code is blank, so we cannot tell which theme this "
                                            "answer is about; copy the code back from the sent file."))
        elif known is not None and theme_id not in known:
            record["problem"] = str(Problem(str(path), number, HEADERS["theme_id"],
                                            f"Theme code {theme_id!r} is not one we sent; check it "
                                            "against the sent file."))
        elif theme_id in seen:
            record["problem"] = str(Problem(str(path), number, HEADERS["theme_id"],
                                            f"Theme {theme_id!r} appears again (first on row "
                                            f"{seen[theme_id]}); keep one row per theme."))
        elif raw:
            answer = _ANSWER_ALIASES.get(_normalise(raw))
            if answer is None:
                record["problem"] = str(Problem(str(path), number, HEADERS["answer"],
                                                f"{raw!r} is not one of {', '.join(ANSWERS)}; "
                                                "read it with the comments and ask the reviewer "
                                                "which answer they meant."))
            else:
                record["answer"] = answer
        if theme_id and theme_id not in seen:
            seen[theme_id] = number
        out.append(record)
    return out


def import_member_checks(paths: str | os.PathLike | Iterable[str | os.PathLike],
                         themes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read returned member-check workbooks from one or more reviewers.

    Rows are matched by theme code, so sorted, filtered or reordered rows are fine. Case,
    stray spaces and curly apostrophes in answers are ignored. A blank answer is kept as
    "no answer". An answer in the reviewer's own words, a blank or unknown theme code, or a
    theme repeated in one file is quarantined: the row is kept with ``answer`` blank,
    ``raw_answer`` holding what they wrote and ``problem`` saying ``file:row:column: what to do``.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Returned ``.xlsx`` files.
    themes : iterable of str, optional
        Theme ids that were sent; codes outside it are quarantined.

    Returns
    -------
    DataFrame
        One row per theme per file: file, reviewer, row, theme_id, theme, answer (one of
        "rings true", "not quite", "doesn't fit", or blank), comment, raw_answer, problem.

    Raises
    ------
    DataValidationError
        When a file is missing, unreadable, or lacks the Themes sheet or its headings.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    known = None if themes is None else {str(t) for t in themes}
    records = [r for p in paths for r in _read_one(Path(p), known)]
    columns = ["file", "reviewer", "row", "theme_id", "theme", "answer", "comment", "raw_answer", "problem"]
    frame = pd.DataFrame(records, columns=columns)
    for col in columns:
        if col != "row":
            frame[col] = frame[col].astype("string")
    frame["row"] = frame["row"].astype("int64")
    return frame


def summarise_member_checks(df: pd.DataFrame) -> pd.DataFrame:
    """Per-theme counts of each answer and every comment, from :func:`import_member_checks`.

    Parameters
    ----------
    df : DataFrame
        As returned by :func:`import_member_checks`.

    Returns
    -------
    DataFrame
        One row per theme (in first-seen order): theme_id, theme, reviewers, one count column
        per answer ("rings true", "not quite", "doesn't fit"), "no answer", "unclear (see
        problem)" (quarantined rows) and comments (list of "reviewer: comment" strings).
    """
    needed = {"theme_id", "theme", "reviewer", "answer", "comment", "problem"}
    if not needed <= set(df.columns):
        raise MemberCheckError(f"Expected the table from import_member_checks; missing {sorted(needed - set(df.columns))}.")
    rows = []
    usable = df[df["theme_id"].fillna("") != ""]
    for theme_id, group in usable.groupby("theme_id", sort=False):
        quarantined = group["problem"].fillna("") != ""
        answers = group.loc[~quarantined, "answer"]
        row = {"theme_id": theme_id, "theme": next((t for t in group["theme"] if t), theme_id),
               "reviewers": int(group["reviewer"].nunique())}
        for answer in ANSWERS:
            row[answer] = int((answers == answer).sum())
        row[NO_ANSWER] = int(answers.isna().sum())
        row[UNCLEAR] = int(quarantined.sum())
        row["comments"] = [f"{r}: {c}" for r, c in zip(group["reviewer"], group["comment"]) if c]
        rows.append(row)
    columns = ["theme_id", "theme", "reviewers", *ANSWERS, NO_ANSWER, UNCLEAR, "comments"]
    return pd.DataFrame(rows, columns=columns)

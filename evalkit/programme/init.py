"""``evalkit init``: a first programme config guessed from exported CSV/XLSX files.

``init_programme`` reads each file exactly as exported, guesses its columns with
:mod:`evalkit.programme.infer`, and writes ``DIR/programme.yml`` (paths relative to it, a
``# check`` comment on every guess) plus a fresh random salt file. The config passes
``validate`` as written; rows a guess does not fit are quarantined and counted, never fatal.
"""
from __future__ import annotations

import difflib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import load_workbook

from evalkit.errors import ConfigError, DataValidationError, Problem
from evalkit.programme.infer import DEFAULT_MISSING_VALUES, TableGuess, infer_table
from evalkit.programme.init_yaml import SourceDraft, programme_yaml
from evalkit.errors import UnreadableFile
from evalkit.programme.reading import read_table

CONFIG_NAME = "programme.yml"
SALT_NAME = "pseudonym_salt.txt"
_TYPE_WORDS = (("likert", "likert"), ("number", "number"), ("date", "date"), ("single_choice", "single choice"),
               ("free_text", "free text"))


@dataclass(frozen=True)
class InitResult:
    """What ``init_programme`` wrote and guessed.

    Attributes
    ----------
    config_path : pathlib.Path
        The programme config written.
    salt_path : pathlib.Path
        The salt file (written, or kept when it already existed).
    salt_written : bool
        False when an existing salt file was kept.
    name : str
        The programme's name.
    projects : tuple of str
        Project ids.
    sources : tuple of SourceDraft
        One per file: source name, path in the config and the guesses.
    """

    config_path: Path
    salt_path: Path
    salt_written: bool
    name: str
    projects: tuple[str, ...]
    sources: tuple[SourceDraft, ...]

    def summary(self) -> str:
        """Return a short plain summary of the guesses, one block per file."""
        projects = ", ".join(self.projects[:6]) + (", ..." if len(self.projects) > 6 else "")
        lines = [f"Wrote {self.config_path} ({len(self.projects)} project{'s' * (len(self.projects) != 1)}: "
                 f"{projects})."]
        lines.append(f"{'Wrote a new' if self.salt_written else 'Kept the existing'} salt file {self.salt_path}.")
        for source in self.sources:
            guess = source.guess
            lines.append(f"{source.file} -> source {source.name} ({guess.rows:,} rows)")
            keys = [f"id: {guess.id_column}"]
            for label, column in (("project", guess.project_column), ("respondent", guess.respondent_column),
                                  ("question", guess.question_column)):
                if column:
                    keys.append(f"{label}: {column}")
            lines.append("  " + "; ".join(keys))
            for role, words in _TYPE_WORDS:
                columns = [c.label for c in guess.of_role(role)]
                if columns:
                    lines.append(f"  {words}: {_names(columns)}")
            undeclared = [c.label for c in guess.of_role("undeclared")]
            if undeclared:
                lines.append(f"  not declared (kept as text): {_names(undeclared)}")
            if source.quarantined_rows:
                n = source.quarantined_rows
                lines.append(f"  {n:,} row{'s' * (n != 1)} will be quarantined (see the # check comments)")
        lines.append(f"Check every '# check' comment in {self.config_path}, then run: "
                     f"evalkit validate --config {self.config_path}")
        return "\n".join(lines)


def _names(columns: list[str], limit: int = 6) -> str:
    """Return up to ``limit`` column names and how many more."""
    shown = [c if len(c) <= 40 else c[:37] + "..." for c in columns[:limit]]
    more = len(columns) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def slug(text: str, fallback: str = "programme") -> str:
    """Return a lower-case name of letters, digits and underscores (not starting with a digit)."""
    name = re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")
    if not name:
        return fallback
    return f"{fallback}_{name}" if name[0].isdigit() else name


def _relative(path: Path, out: Path) -> str:
    """Return path relative to the config's folder, with forward slashes (absolute across drives)."""
    try:
        return Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _first_sheet(path: Path) -> str | None:
    """Return a workbook's first sheet name (None if it cannot be opened; reading reports why)."""
    try:
        workbook = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - read_table reports the real problem with advice
        return None
    try:
        return workbook.sheetnames[0] if workbook.sheetnames else None
    finally:
        workbook.close()


def _missing_column(file: str, option: str, column: str, headers: list[str]) -> Problem:
    """Return a Problem for a column named on the command line that a file lacks."""
    close = difflib.get_close_matches(column, headers, n=1, cutoff=0.6)
    hint = f"the closest header is '{close[0]}'" if close else f"its headers are: {', '.join(headers)}"
    return Problem(file, 1, column, f"{option} names column '{column}', which this file does not have; {hint}. "
                   "Headers must match exactly (including spaces and capitals)", fatal=True)


def _check_options(tables: dict, project_column, id_column, respondent_column) -> list[Problem]:
    """Return problems with the columns named on the command line."""
    problems = []
    for file, (raw, _) in tables.items():
        headers = list(raw.frame.columns)
        if project_column is not None and project_column not in headers:
            problems.append(_missing_column(file, "--project-column", project_column, headers))
    for option, column in (("--id-column", id_column), ("--respondent-column", respondent_column)):
        if column is not None and not any(column in raw.frame.columns for raw, _ in tables.values()):
            for file, (raw, _) in tables.items():
                problems.append(_missing_column(file, option, column, list(raw.frame.columns)))
    return problems


def _no_id_problem(file: str) -> Problem:
    """Return the Problem for a file where no column can serve as the row id."""
    return Problem(file, None, None,
                   "no column has a different value in every row, so evalkit cannot tell the responses apart; "
                   "add a column numbering the rows (1, 2, 3, ...) to the export, or name the id column with "
                   "--id-column COL (rows whose id repeats are then quarantined)", fatal=True)


def _read_all(files, sheet: str | None) -> tuple[dict, list[Problem]]:
    """Read every file; return {file as written: (RawTable, sheet)} and fatal problems."""
    tables, problems = {}, []
    for item in files:
        path, file = Path(item), str(item)
        is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
        try:
            raw = read_table(path, file, sheet if is_xlsx else None)
        except UnreadableFile as err:
            problems.extend(err.problems)
            continue
        tables[file] = (raw, (sheet or _first_sheet(path)) if is_xlsx else None)
    return tables, problems


def _survey(drafts: list[SourceDraft]) -> str | None:
    """Return the source with the most likert and free-text columns (first on ties)."""
    def weight(draft: SourceDraft) -> int:
        return len(draft.guess.of_role("likert")) + len(draft.guess.of_role("free_text"))

    best = max(drafts, key=weight, default=None)
    return best.name if best is not None and weight(best) else None


def _write_salt(path: Path) -> bool:
    """Write a fresh salt unless a non-empty salt file exists; return whether one was written."""
    if path.is_file() and path.read_text(encoding="utf-8-sig").strip():
        return False
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    return True


def init_programme(files, out, *, project_column: str | None = None, id_column: str | None = None,
                   respondent_column: str | None = None, sheet: str | None = None,
                   force: bool = False) -> InitResult:
    """Guess a programme config from exported files and write it with a fresh salt.

    Parameters
    ----------
    files : sequence of path-like
        CSV (UTF-8, UTF-8 with BOM or Windows-1252) or XLSX files, exactly as exported.
    out : path-like
        Folder for ``programme.yml`` and ``pseudonym_salt.txt``; created if needed. Paths in
        the config are relative to it.
    project_column : str, optional
        Column naming each row's project; every file must have it, and each distinct value
        becomes a project. Without it the programme has one project, named after the file
        (one file) or the folder, and the sources have no project column.
    id_column : str, optional
        Row id column, used in every file that has it (the others are guessed).
    respondent_column : str, optional
        Column identifying people, used in every file that has it.
    sheet : str, optional
        Worksheet to read from XLSX files (the first sheet when omitted).
    force : bool, default False
        Overwrite an existing ``programme.yml``. An existing salt file is always kept, so
        pseudonyms stay the same.

    Returns
    -------
    InitResult
        Call ``summary()`` for a short account of the guesses.

    Raises
    ------
    ConfigError
        ``programme.yml`` exists and ``force`` is False, or ``out`` is a file.
    DataValidationError
        A file cannot be read, a named column is missing, or no column can serve as a row
        id; ``problems`` lists each as ``file:row:column: message``.

    Examples
    --------
    >>> result = init_programme(["exports/survey.csv"], "myprog")   # doctest: +SKIP
    >>> print(result.summary())                                      # doctest: +SKIP
    """
    out = Path(out)
    config_path, salt_path = out / CONFIG_NAME, out / SALT_NAME
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: is a file; give --out a folder for programme.yml and the salt file")
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path}: already exists; move it away, choose another --out folder, or add "
                          "--force to overwrite it (an existing salt file is kept)")
    tables, problems = _read_all(files, sheet)
    problems += _check_options(tables, project_column, id_column, respondent_column)
    if problems:
        raise DataValidationError(problems)
    guesses: dict[str, TableGuess] = {}
    for file, (raw, _) in tables.items():
        headers = raw.frame.columns
        guesses[file] = infer_table(
            raw.frame, project_column=project_column,
            id_column=id_column if id_column in headers else None,
            respondent_column=respondent_column if respondent_column in headers else None)
    problems = [_no_id_problem(file) for file, guess in guesses.items() if guess.id_column is None]
    if problems:
        raise DataValidationError(problems)

    files = list(tables)
    name = Path(files[0]).stem if len(files) == 1 else out.resolve().name
    drafts, used = [], set()
    for file, guess in guesses.items():
        source = slug(Path(file).stem, "source")
        base, n = source, 1
        while source in used:
            n += 1
            source = f"{base}_{n}"
        used.add(source)
        raw, sheet_name = tables[file]
        overflow = tuple(int(i) for i in np.flatnonzero(raw.overflow))
        drafts.append(SourceDraft(source, _relative(Path(file), out), file, guess, sheet_name, overflow))
    if project_column is None:
        projects = [(slug(name), name)]
        note = (f"check: one project, as no --project-column was given; it is named after "
                f"{'the file' if len(files) == 1 else 'the folder'}: give it its real name, a theme and a "
                "description (or re-run with --project-column COL)")
    else:
        values = dict.fromkeys(v for guess in guesses.values() for v in guess.projects)
        projects = [(v, v) for v in values]
        note = None
        if not projects:
            raise DataValidationError([Problem(file, None, project_column, f"the project column '{project_column}' "
                                               "is blank in every row; fill it in or leave out --project-column",
                                               fatal=True) for file in files])
    seen: dict[str, int] = {}
    for guess in guesses.values():
        for placeholder, n in guess.placeholders.items():
            seen[placeholder] = seen.get(placeholder, 0) + n
    missing_values = list(DEFAULT_MISSING_VALUES) + [p for p in seen if p not in DEFAULT_MISSING_VALUES]
    text = programme_yaml(name, projects, drafts, missing_values, seen, _survey(drafts), SALT_NAME, note)
    out.mkdir(parents=True, exist_ok=True)
    config_path.write_text(text, encoding="utf-8")
    salt_written = _write_salt(salt_path)
    return InitResult(config_path=config_path, salt_path=salt_path, salt_written=salt_written, name=name,
                      projects=tuple(p for p, _ in projects), sources=tuple(drafts))

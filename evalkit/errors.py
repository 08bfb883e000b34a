"""One root exception for evalkit and the specific failures it reports.

Every error a user can cause carries what went wrong as attributes, so the CLI can print a
clear ``file:row:column: message`` line instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Parameters
    ----------
    file : str
        Path of the file, as the user wrote it (relative to the config when it came from one).
    row : int or None
        1-based line number in the file as a spreadsheet shows it (header is row 1), or None.
    column : str or None
        Column name, or None when the problem concerns the whole file or row.
    message : str
        What is wrong and how to fix it, in plain words.
    fatal : bool
        True when the run cannot go on (missing file, missing column); False when only the
        row is quarantined.
    warning : bool
        True for something the reports will say but that needs no fix to build (a declared
        project with no rows); neither fatal nor a quarantined row.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fatal: bool = False
    warning: bool = False

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        column = "" if self.column is None else self.column
        return f"{self.file}:{row}:{column}: {self.message}"


class EvalkitError(Exception):
    """Root of every error evalkit raises on purpose."""


class ConfigError(EvalkitError):
    """A programme config, codebook or parameter is unusable; the message says how to fix it."""


class DataValidationError(EvalkitError):
    """Input data has fatal problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CodebookError(ConfigError):
    """A codebook is invalid (duplicate ids, cycles, unknown parents, bad patterns)."""


class ReportError(EvalkitError):
    """A report notebook failed; names the notebook, the cell and the error."""

    def __init__(self, notebook: str, cell_index: int | None, ename: str, evalue: str):
        self.notebook, self.cell_index, self.ename, self.evalue = notebook, cell_index, ename, evalue
        cell = "?" if cell_index is None else cell_index
        super().__init__(f"{notebook}: cell {cell} raised {ename}: {evalue}")

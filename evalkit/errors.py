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
    """Root of every error evalkit raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong and how to fix it, in plain words.
    file, row, column : optional, keyword only
        Where it went wrong, when the error concerns a place in an input file; kept as attributes
        and put before the message as ``file:row:column:`` (the way :class:`Problem` prints).

    Examples
    --------
    >>> err = EvalkitError("not a number; type digits only", file="survey.csv", row=4, column="Age")
    >>> str(err)
    'survey.csv:4:Age: not a number; type digits only'
    >>> err.row
    4
    """

    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __init__(self, *args, file: str | None = None, row: int | None = None, column: str | None = None):
        if file is not None or row is not None or column is not None:
            self.file, self.row, self.column = file, row, column
            if args:
                where = f"{'' if file is None else file}:{'' if row is None else row}:{'' if column is None else column}: "
                args = (where + str(args[0]), *args[1:])
        super().__init__(*args)


class ConfigError(EvalkitError):
    """A programme config, codebook or parameter is unusable; the message says how to fix it."""


class DataValidationError(EvalkitError):
    """Input data has fatal problems; ``problems`` lists every one of them (each with file, row and column)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0] if len(self.problems) == 1 else None
        if first is not None:
            self.file, self.row, self.column = first.file, first.row, first.column
        super().__init__("\n".join(str(p) for p in self.problems))


class CodebookError(ConfigError):
    """A codebook is invalid (duplicate ids, cycles, unknown parents, bad patterns)."""


class ReportError(EvalkitError):
    """A report notebook failed; names the notebook, the cell and the error."""

    def __init__(self, notebook: str, cell_index: int | None, ename: str, evalue: str):
        self.notebook, self.cell_index, self.ename, self.evalue = notebook, cell_index, ename, evalue
        cell = "?" if cell_index is None else cell_index
        super().__init__(f"{notebook}: cell {cell} raised {ename}: {evalue}")


class ProgrammeConfigError(ConfigError):
    """The programme config is unusable; ``problems`` lists every fault found in it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnreadableFile(DataValidationError):
    """A data file cannot be read at all (encoding, format, headers); carries the Problems."""


class ParameterError(ConfigError, ValueError):
    """A parameter value is outside what the function accepts; the message names the allowed values."""


class InputMismatchError(EvalkitError, ValueError):
    """Two inputs that must line up do not (e.g. as many response ids as texts)."""


class UnknownThemeError(EvalkitError, KeyError):
    """A theme id is not in the codebook (or panel theme list) it was looked up in."""

    def __str__(self) -> str:
        return KeyError.__str__(self)


class ClassifierInputError(DataValidationError, ValueError):
    """Texts or labels given to ``ThemeClassifier`` are unusable; each problem says how to fix it."""




class EmbeddingModelError(EvalkitError):
    """The bundled sentence-embedding model is missing, incomplete or not the published one."""


class NameModelError(EvalkitError):
    """The bundled English NER model is missing, incomplete or not the published one."""


class PseudonymError(ConfigError):
    """Pseudonyms cannot be made safely (empty salt, or two ids sharing a pseudonym)."""


class ReliabilityError(EvalkitError):
    """Reliability data cannot be used as given; the message says what to change."""


class ConsensusError(EvalkitError):
    """Consensus decisions are incomplete or contradictory; the message lists what to settle."""


class MemberCheckError(EvalkitError):
    """Member-check inputs cannot be used as given; the message says what to change."""


class StoreError(EvalkitError):
    """A coder's journal cannot be read or written; the message names the file and the fix."""


class EffectSizeError(EvalkitError, ValueError):
    """Inputs to an effect-size function cannot give an effect size; the message says why."""


class MetaAnalysisError(EvalkitError, ValueError):
    """Inputs cannot be meta-analysed as given; the message says what to change."""


def _classifier_parameter_error() -> type:
    """Make :class:`ClassifierParameterError`: also scikit-learn's ``InvalidParameterError``.

    scikit-learn's own checks (and callers) catch ``InvalidParameterError``; evalkit's CLI and
    notebooks catch :class:`EvalkitError`. The class is made on first use so that importing
    evalkit does not import scikit-learn.
    """
    from sklearn.utils._param_validation import InvalidParameterError

    class ClassifierParameterError(ConfigError, InvalidParameterError):
        """A ``ThemeClassifier`` parameter is out of range; the message names it and its allowed values.

        Also a scikit-learn ``InvalidParameterError`` (so a ``ValueError`` and ``TypeError``).
        """

    ClassifierParameterError.__module__ = __name__
    ClassifierParameterError.__qualname__ = "ClassifierParameterError"
    return ClassifierParameterError


def __getattr__(name: str):
    """Make the exceptions that need scikit-learn on first use (see :func:`_classifier_parameter_error`)."""
    if name == "ClassifierParameterError":
        cls = globals()[name] = _classifier_parameter_error()
        return cls
    raise AttributeError(f"module 'evalkit.errors' has no attribute {name!r}")


class OutputFolderError(EvalkitError):
    """The output folder cannot be created or written."""

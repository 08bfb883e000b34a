"""Typed descriptions of a programme's sources and their columns, as read from the config."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

COLUMN_TYPES = ("likert", "number", "single_choice", "free_text")


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column of a source.

    Parameters
    ----------
    name : str
        Header of the column in the data file.
    type : str
        One of ``likert``, ``number``, ``single_choice``, ``free_text``.
    label : str
        The question as respondents saw it (defaults to ``name``).
    scale : str or None
        Name of the Likert scale (``likert`` only).
    scale_labels : dict of int to str
        The scale's values and their labels, in order (``likert`` only).
    choices : tuple of str
        Allowed answers, in display order (``single_choice`` only).
    min, max : float or None
        Inclusive bounds (``number`` only).
    integer : bool
        Whole numbers only (``number`` only).
    demographic : bool
        Marks a demographic question; demographics default to optional.
    required : bool
        Whether a blank cell quarantines the row. Defaults to False for ``free_text`` and
        demographic columns and True otherwise.
    principle : str or None
        The co-production principle (parent theme id) the question measures.
    """

    name: str
    type: str
    label: str = ""
    scale: str | None = None
    scale_labels: dict[int, str] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    demographic: bool = False
    required: bool = True
    principle: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One data file of a programme and the columns it must have.

    Parameters
    ----------
    name : str
        Source name (its key under ``sources:``).
    path : pathlib.Path
        Absolute path of the data file.
    file : str
        The path as written in the config, used in messages.
    id_column : str
        Column holding a unique id per row.
    project_column : str
        Column holding a project id from ``projects:``.
    respondent_column : str or None
        Optional column linking a person's rows across sources.
    columns : dict of str to ColumnSpec
        Declared columns, in config order.
    sheet : str or None
        Worksheet name for ``.xlsx`` files (first sheet when None).
    """

    name: str
    path: Path
    file: str
    id_column: str
    project_column: str
    respondent_column: str | None = None
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    sheet: str | None = None

    @property
    def required_headers(self) -> list[str]:
        """Every header the file must have: id, project, respondent, then declared columns."""
        headers = [self.id_column, self.project_column]
        if self.respondent_column:
            headers.append(self.respondent_column)
        return headers + [name for name in self.columns if name not in headers]

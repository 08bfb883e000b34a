"""Typed descriptions of a programme's sources and their columns, as read from the config."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.textclean import DEFAULT_MISSING_VALUES  # noqa: F401  (re-exported: the config's default)

COLUMN_TYPES = ("likert", "number", "single_choice", "free_text", "date")
SCALE_KINDS = ("agreement", "rating", "frequency", "other")
IMPLIED_PROJECT_COLUMN = "(project)"


@dataclass(frozen=True)
class ScaleSpec:
    """A named answer scale: its values and labels, what it measures and its "no rating" codes.

    Parameters
    ----------
    name : str
        Scale name (its key under ``scales:``).
    labels : dict of int to str
        Each value and its label, in value order.
    kind : str
        ``agreement``, ``rating``, ``frequency`` or ``other``; decides the words pages use
        ("agreed" is said only of agreement scales).
    higher_is_better : bool
        False for scales such as the NHS Friends and Family Test, where 1 is "Very good".
    missing : dict of int to str
        Codes that mean "no rating" (e.g. ``{6: "Don't know"}``): typed as blank, never
        quarantined, never counted as a rating.
    """

    name: str
    labels: dict[int, str]
    kind: str = "agreement"
    higher_is_better: bool = True
    missing: dict[int, str] = field(default_factory=dict)

    @property
    def values(self) -> list[int]:
        """The rating values in value order (missing codes excluded)."""
        return sorted(self.labels)

    @property
    def best_first(self) -> list[int]:
        """The rating values from best to worst."""
        return sorted(self.labels, reverse=self.higher_is_better)

    @property
    def positive(self) -> tuple[int, ...]:
        """The two best values (one on a two-point scale): "agreed", "rated good or better"."""
        best = self.best_first
        return tuple(best[: 2 if len(best) > 3 else 1])


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column of a source.

    Parameters
    ----------
    name : str
        Header of the column in the data file.
    type : str
        One of ``likert``, ``number``, ``single_choice``, ``free_text``, ``date``.
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
    scale_spec : ScaleSpec or None
        The whole scale (kind, direction, missing codes) for ``likert`` columns.
    format : str or None
        ``strftime`` format of a ``date`` column (day-first dates are read when None).
    counts_people : bool
        A number that counts people (e.g. co-producers in a project's facts): shown through
        the suppression policy like any count of people.
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
    scale_spec: ScaleSpec | None = None
    format: str | None = None
    counts_people: bool = False


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
        Column holding a project id from ``projects:``. When the config leaves it out (allowed
        for a programme with one project) it is ``IMPLIED_PROJECT_COLUMN`` and the loader
        fills it with that project's id.
    respondent_column : str or None
        Optional column linking a person's rows across sources.
    columns : dict of str to ColumnSpec
        Declared columns, in config order.
    sheet : str or None
        Worksheet name for ``.xlsx`` files (first sheet when None).
    question_column : str or None
        Long format: the column saying which question each row's free text answers.
    label : str
        What pages call the source, e.g. "the feedback survey" ("" when the config gives none;
        :attr:`title` then falls back to the source's name).
    description : str
        One plain sentence shown under the source's heading.
    questions : dict of str to str
        Long format: the question each value of ``question_column`` stands for, when the
        export holds codes (``"Trust A - Q1": "What was good?"``).
    """

    name: str
    path: Path
    file: str
    id_column: str
    project_column: str
    respondent_column: str | None = None
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    sheet: str | None = None
    question_column: str | None = None
    label: str = ""
    description: str = ""
    questions: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The source's label, else its name with spaces."""
        return self.label or self.name.replace("_", " ")

    @property
    def project_implied(self) -> bool:
        """True when the file has no project column (a one-project programme)."""
        return self.project_column == IMPLIED_PROJECT_COLUMN

    @property
    def one_row_per_project(self) -> bool:
        """True for project-level facts (the id column is the project column)."""
        return self.id_column == self.project_column

    @property
    def person_column(self) -> str:
        """The column that identifies a person: the respondent column, else the row id."""
        return self.respondent_column or self.id_column

    @property
    def required_headers(self) -> list[str]:
        """Every header the file must have: id, project, respondent, question, then declared columns."""
        headers = [self.id_column]
        if not self.project_implied:
            headers.append(self.project_column)
        for extra in (self.respondent_column, self.question_column):
            if extra and extra not in headers:
                headers.append(extra)
        return headers + [name for name in self.columns if name not in headers]

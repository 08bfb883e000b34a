"""The loaded programme: config, typed tables, quarantine and settings in one object."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit.errors import ConfigError, Problem
from evalkit.programme.spec import COLUMN_TYPES, SourceSpec
from evalkit.csvio import write_csv


def redact_record(record: str, problem: str, redact) -> tuple[str, str]:
    """Redact one quarantined row's raw cells and its problem message, before any truncating or escaping.

    The record is JSON: read as JSON, its newlines and quotes would be ``\\n`` and ``\\"`` and
    hide a phone number split over two lines from the patterns. So each raw cell is redacted
    first and the JSON written again; each value the message quotes (cut at 40 characters, so
    ``07700 90…`` would slip through) is replaced by the same cut of its redacted cell, then the
    whole message is redacted.
    """
    import json

    from evalkit.programme.columns import shown

    try:
        cells = json.loads(record) if isinstance(record, str) else {}
    except ValueError:
        cells = {}
    if not isinstance(cells, dict):
        cells = {}
    text = problem if isinstance(problem, str) else ""
    clean = {}
    for key, value in cells.items():
        value = value if isinstance(value, str) else str(value)
        redacted = redact(value)
        clean[key] = redacted
        if redacted != value and value:
            quoted = shown(pd.Series([value])).iloc[0]
            text = text.replace(quoted, shown(pd.Series([redacted])).iloc[0])
            text = text.replace(value, redacted)
    out_record = json.dumps(clean, ensure_ascii=False) if cells else (redact(record) if isinstance(record, str) else record)
    return out_record, redact(text) if text else text


@dataclass(eq=False)
class Programme:
    """A programme's config and data, typed and checked; build it with ``load_programme``.

    Attributes
    ----------
    config_path : pathlib.Path
        The programme YAML file (absolute).
    root : pathlib.Path
        The config's folder; relative paths in the config start here.
    name, description : str
        From ``programme:``.
    synthetic : bool
        True for made-up data (the sample programme).
    projects : pandas.DataFrame
        Indexed by ``project_id``; columns ``name``, ``theme``, ``description``.
    sources : dict of str to SourceSpec
        Each source's declaration.
    tables : dict of str to pandas.DataFrame
        Each source's good rows, typed: Likert ``Int64``, numbers ``Int64``/``Float64``,
        single choices ``Categorical`` (declared order), text and ids ``string`` (blank = NA).
    quarantine : pandas.DataFrame
        One line per rejected row: ``source, file, row, column, problem, record`` (``record``
        is the raw row as JSON).
    problems : list of Problem
        Every row-level problem, one per bad cell, in file and row order.
    row_counts : pandas.DataFrame
        Per source: ``rows_read`` (data rows in the file), ``loaded``, ``quarantined``,
        ``blank`` (empty rows skipped) and ``encoding``; ``rows_read`` is the sum of the others.
    codebook_path : pathlib.Path
        The codebook file (``codebook: default`` gives ``evalkit.paths.DEFAULT_CODEBOOK``).
    ground_truth, double_coding : pandas.DataFrame or None
        Optional long tables of theme codes (text columns).
    member_check_files : list of pathlib.Path
        Returned member-check workbooks: every ``.xlsx`` file in the ``member_checks:`` folder,
        sorted by name (Excel's ``~$`` lock files and hidden files skipped); ``[]`` when the
        config has no ``member_checks`` key. Read them with
        :func:`evalkit.people.member_check.import_member_checks`.
    privacy : dict
        ``salt`` (str or None; env ``EVALKIT_PSEUDONYM_SALT`` overrides the salt file) and
        ``names`` (tuple of first names to redact).
    report_settings : dict
        The ``report:`` section as written.
    scales : dict of str to ScaleSpec
        Named answer scales.
    missing_values : tuple of str
        The placeholders that meant "no answer" and were read as blank.
    code_problems : list of Problem
        Rows of the ground-truth and double-coding files set aside (unknown source, column,
        answer or theme), one per row.
    warnings : list of Problem
        Things the reports say that need no fix to build (a declared project with no rows).
    """

    config_path: Path
    root: Path
    name: str
    synthetic: bool
    description: str
    projects: pd.DataFrame
    sources: dict[str, SourceSpec]
    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    problems: list[Problem]
    row_counts: pd.DataFrame
    codebook_path: Path
    ground_truth: pd.DataFrame | None = None
    double_coding: pd.DataFrame | None = None
    member_check_files: list[Path] = field(default_factory=list)
    privacy: dict = field(default_factory=dict)
    report_settings: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    files_read: dict[str, Path] = field(default_factory=dict)
    missing_values: tuple[str, ...] = ()
    code_problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def _source(self, source: str) -> SourceSpec:
        """Return a source's spec or raise ConfigError naming the known sources."""
        if source not in self.sources:
            raise ConfigError(f"{self.config_path.name}: no source named '{source}'; "
                              f"the sources are: {', '.join(self.sources)}")
        return self.sources[source]

    def table(self, name: str) -> pd.DataFrame:
        """Return the typed table of source ``name`` (good rows only).

        Parameters
        ----------
        name : str
            A key of ``sources:`` in the config.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ConfigError
            If there is no such source.
        """
        self._source(name)
        return self.tables[name]

    def columns_of_type(self, source: str, type: str) -> list[str]:
        """Return the declared columns of one type in a source, in config order.

        Parameters
        ----------
        source : str
            Source name.
        type : str
            One of ``likert``, ``number``, ``single_choice``, ``free_text``, ``date``.

        Returns
        -------
        list of str
        """
        spec = self._source(source)
        if type not in COLUMN_TYPES:
            raise ConfigError(f"unknown column type '{type}'; use one of {', '.join(COLUMN_TYPES)}")
        return [name for name, column in spec.columns.items() if column.type == type]

    def input_files(self) -> dict[str, Path]:
        """Return every file read (config first), keyed by a stable label, for hashing.

        Returns
        -------
        dict of str to pathlib.Path
            Labels are ``config``, ``source:<name>``, ``ground_truth``, ``double_coding``,
            ``member_check:<file name>`` (one per returned member-check workbook),
            ``salt_file`` and ``codebook`` (the last only when the file exists).
        """
        return dict(self.files_read)

    def write_quarantine(self, out_dir, redact=None) -> Path:
        """Write the quarantine to ``out_dir/quarantine.csv`` (UTF-8 with BOM for Excel, same bytes every run).

        Cells that a spreadsheet would run as formulas are neutralised (:func:`evalkit.csvio.write_csv`).

        Parameters
        ----------
        out_dir : path-like
            Folder to write into; created if needed.
        redact : callable, optional
            Applied to the ``problem`` and ``record`` text first; reports pass
            :func:`evalkit.privacy.redact.redact` so no personal detail leaves in a quarantined row.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "quarantine.csv"
        safe = self.quarantine.copy()
        if redact is not None:
            pairs = [redact_record(record, problem, redact)
                     for record, problem in zip(safe["record"].tolist(), safe["problem"].tolist())]
            safe["record"] = [r for r, _ in pairs]
            safe["problem"] = [p for _, p in pairs]
            safe["column"] = safe["column"].map(lambda v: redact(v) if isinstance(v, str) else v)
        return write_csv(safe, path)

    def summary(self) -> str:
        """Return a plain-text summary: name and rows loaded/quarantined per source."""
        lines = [f"{self.name}{' (synthetic data)' if self.synthetic else ''}: "
                 f"{len(self.projects)} projects, {len(self.sources)} sources"]
        for source, row in self.row_counts.iterrows():
            lines.append(f"  {source}: {row['loaded']} rows loaded, {row['quarantined']} quarantined "
                         f"({row['encoding']})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Programme {self.name!r}: {len(self.sources)} sources, {len(self.quarantine)} rows quarantined>"

    def _repr_html_(self) -> str:
        """Return an HTML summary for Jupyter."""
        title = html.escape(self.name) + (" <em>(synthetic data)</em>" if self.synthetic else "")
        table = self.row_counts.to_html()
        table = table.replace(">", "><caption>Rows per source</caption>", 1)
        return f"<p><strong>{title}</strong>: {len(self.projects)} projects</p>" + table

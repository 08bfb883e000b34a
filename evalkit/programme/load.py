"""``load_programme`` and ``validate_programme``: config plus every data file, checked."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd

from evalkit.errors import DataValidationError, Problem
from evalkit.paths import DEFAULT_CODEBOOK
from evalkit.programme.columns import text_column
from evalkit.errors import ProgrammeConfigError
from evalkit.programme.config import ProgrammeConfig, parse_config
from evalkit.programme.model import Programme
from evalkit.errors import UnreadableFile
from evalkit.programme.reading import read_table
from evalkit.programme.validate import QUARANTINE_COLUMNS, check_source, missing_column_problems

SALT_ENV = "EVALKIT_PSEUDONYM_SALT"
GROUND_TRUTH_COLUMNS = ("source", "response_id", "column", "theme_id")
DOUBLE_CODING_COLUMNS = ("source", "response_id", "column", "coder", "theme_id")


def _long_table(entry, columns, fatal: list[Problem]):
    """Read an optional long table of codes as text cells, recording fatal problems."""
    if entry is None:
        return None
    file, path = entry
    try:
        raw = read_table(path, file)
    except UnreadableFile as err:
        fatal.extend(err.problems)
        return None
    missing = [c for c in columns if c not in raw.frame.columns]
    for column in missing:
        fatal.append(Problem(file, 1, column, f"column '{column}' is missing; this file needs the columns "
                             f"{', '.join(columns)}", fatal=True))
    if missing:
        return None
    return raw


def _check_codes(raw, file: str, config: ProgrammeConfig, ids: dict[str, set], themes: set[str] | None,
                 problems: list[Problem], loaded: dict[str, set] | None = None) -> pd.DataFrame:
    """Return the code rows that point at a known answer and theme; record a problem for each other row.

    A code is kept when its source is a source of the config, its column one of that source's
    free-text columns and its response id a row of that source that loaded; a code of a
    quarantined row is set aside too (its answer reaches no report), and every row set aside
    is counted through ``problems``. A theme the codebook lacks (a coder's own, new theme) is
    kept, with one warning per theme.
    """
    frame = raw.frame
    bad = pd.Series("", index=frame.index, dtype=object)
    where = pd.Series("", index=frame.index, dtype=object)
    for source, part in frame.groupby("source", sort=False):
        spec = config.sources.get(source)
        if spec is None:
            bad[part.index] = (f"source {source!r} is not a source of the config "
                               f"({', '.join(config.sources)}); correct the name")
            where[part.index] = "source"
            continue
        texts = {n for n, c in spec.columns.items() if c.type == "free_text"}
        wrong_column = ~part["column"].isin(texts)
        bad[part.index[wrong_column]] = (f"column is not a free-text column of {source} "
                                         f"({', '.join(sorted(texts)) or 'none'}); correct the column name")
        where[part.index[wrong_column]] = "column"
        unknown = ~wrong_column & ~part["response_id"].isin(ids.get(source, set()))
        bad[part.index[unknown]] = (f"no row of {source} has this id (column {spec.id_column}); "
                                    "correct the id or delete the code")
        where[part.index[unknown]] = "response_id"
        if loaded is not None:
            held = ~wrong_column & ~unknown & ~part["response_id"].isin(loaded.get(source, set()))
            bad[part.index[held]] = (f"the answer this code is for was quarantined (row of {source} with a "
                                     "problem, listed above), so no report uses it; fix that row")
            where[part.index[held]] = "response_id"
    if themes is not None:
        unknown_theme = (bad == "") & (frame["theme_id"] != "") & ~frame["theme_id"].isin(themes)
        for theme, part in frame[unknown_theme].groupby("theme_id", sort=True):
            problems.append(Problem(file, int(raw.rows[part.index[0]]), "theme_id",
                                    f"theme {theme!r} ({len(part)} code{'s' if len(part) != 1 else ''}) is not in the "
                                    "codebook; reports show it by its id. Add it to the codebook to give it a name "
                                    "and definition, or correct the spelling", warning=True))
    blank = (bad == "") & (frame[["source", "response_id", "column"]] == "").any(axis=1)
    bad[blank] = "source, response_id and column must all be filled in"
    for pos in np.flatnonzero((bad != "").to_numpy()):
        problems.append(Problem(file, int(raw.rows[pos]), where.iloc[pos] or None,
                                f"{bad.iloc[pos]}; this code is set aside", fatal=False))
    keep = (bad == "").to_numpy()
    return pd.DataFrame({c: text_column(frame[c]) for c in frame.columns}).loc[keep].reset_index(drop=True)


def _theme_ids(config: ProgrammeConfig, fatal: list[Problem]) -> set[str] | None:
    """Return the codebook's theme ids, or None (with a fatal problem) when it cannot be loaded."""
    from evalkit.coding.codebook import load_codebook
    from evalkit.errors import EvalkitError

    if not config.codebook_path.is_file():
        return None
    try:
        return set(load_codebook(config.codebook_path).themes)
    except EvalkitError as err:
        fatal.append(Problem(str(config.config_path.name), None, "codebook", str(err), fatal=True))
        return None


def _member_check_problems(config: ProgrammeConfig, themes: set[str] | None, fatal: list[Problem]) -> None:
    """Open every returned member-check workbook the way the report will, recording what fails."""
    from evalkit.errors import EvalkitError
    from evalkit.people.member_check import import_member_checks

    for path in config.member_check_files:
        try:
            import_member_checks([path], themes=sorted(themes) if themes else None)
        except DataValidationError as err:
            fatal.extend(err.problems)
        except EvalkitError as err:
            fatal.append(Problem(str(path.name), None, None, str(err), fatal=True))


def _salt(config: ProgrammeConfig, fatal: list[Problem], required: bool = True) -> str | None:
    """Return the pseudonym salt: the environment variable, else the salt file, else None."""
    from_env = os.environ.get(SALT_ENV)
    if from_env:
        return from_env
    if config.salt_file is None:
        if not required:
            return None
        fatal.append(Problem(config.config_path.name, None, "privacy.salt_file",
                             "the programme has no pseudonym salt, so ids cannot be hidden in reports; add "
                             "privacy: {salt_file: pseudonym_salt.txt} and put one long random line in that file "
                             f"(evalkit init writes one), or set {SALT_ENV}", fatal=True))
        return None
    file, path = config.salt_file
    if not path.is_file():
        fatal.append(Problem(file, None, None, f"salt file not found; create it with one long random line "
                             f"(e.g. python -c \"import secrets; print(secrets.token_hex(32))\") or set {SALT_ENV}",
                             fatal=True))
        return None
    salt = path.read_text(encoding="utf-8-sig").strip()
    if not salt:
        fatal.append(Problem(file, None, None, f"salt file is empty; put one long random line in it or set {SALT_ENV}",
                             fatal=True))
        return None
    return salt


def _assemble(config_path, require_salt: bool = True) -> tuple[Programme | None, list[Problem], list[Problem]]:
    """Read and check everything; return (programme or None, fatal problems, row problems)."""
    config = parse_config(config_path)
    fatal: list[Problem] = []
    project_ids = [p["project_id"] for p in config.projects]
    tables, quarantines, row_problems, counts, warnings = {}, [], [], [], []
    ids: dict[str, set] = {}
    loaded_ids: dict[str, set] = {}
    files = {"config": config.config_path}
    for name, spec in config.sources.items():
        files[f"source:{name}"] = spec.path
        try:
            raw = read_table(spec.path, spec.file, spec.sheet)
        except UnreadableFile as err:
            fatal.extend(err.problems)
            continue
        missing = missing_column_problems(spec, list(raw.frame.columns))
        if missing:
            fatal.extend(missing)
            continue
        result = check_source(spec, raw, project_ids, config.missing_values)
        ids[name] = set(raw.frame[spec.id_column])
        loaded_ids[name] = set(result.table[spec.id_column].dropna().astype(str))
        tables[name] = result.table
        quarantines.append(result.quarantine)
        row_problems.extend(result.problems)
        counts.append({"source": name, "rows_read": result.rows_read, "loaded": len(result.table),
                       "quarantined": len(result.quarantine), "blank": result.blank_rows,
                       "encoding": result.encoding})
    themes = _theme_ids(config, fatal)
    code_problems: list[Problem] = []
    ground_truth = double_coding = None
    raw_truth = _long_table(config.ground_truth, GROUND_TRUTH_COLUMNS, fatal)
    if raw_truth is not None:
        ground_truth = _check_codes(raw_truth, config.ground_truth[0], config, ids, themes, code_problems, loaded_ids)
    raw_double = _long_table(config.double_coding, DOUBLE_CODING_COLUMNS, fatal)
    if raw_double is not None:
        double_coding = _check_codes(raw_double, config.double_coding[0], config, ids, themes, code_problems,
                                     loaded_ids)
    _member_check_problems(config, themes, fatal)
    for key, entry in (("ground_truth", config.ground_truth), ("double_coding", config.double_coding)):
        if entry is not None:
            files[key] = entry[1]
    for path in config.member_check_files:
        files[f"member_check:{path.name}"] = path
    salt = _salt(config, fatal, required=require_salt)
    if config.salt_file is not None:
        files["salt_file"] = config.salt_file[1]
    if config.codebook_path.is_file():
        files["codebook"] = config.codebook_path
    elif config.codebook_path != DEFAULT_CODEBOOK:
        fatal.append(Problem(str(config.config_path.name), None, "codebook",
                             f"codebook file {config.codebook_path} not found; fix codebook: in the config "
                             "(relative to the config's folder) or use codebook: default", fatal=True))
    if fatal:
        return None, fatal, row_problems + code_problems
    warnings.extend(_empty_projects(config, tables))
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in QUARANTINE_COLUMNS})
    quarantine["row"] = quarantine["row"].astype(np.int64)
    projects = pd.DataFrame(config.projects, columns=["project_id", "name", "theme", "description"])
    projects = projects.set_index("project_id")
    programme = Programme(
        config_path=config.config_path, root=config.root, name=config.name, synthetic=config.synthetic,
        description=config.description, projects=projects, sources=config.sources, tables=tables,
        quarantine=quarantine, problems=row_problems,
        row_counts=pd.DataFrame(counts, columns=["source", "rows_read", "loaded", "quarantined", "blank",
                                                 "encoding"]).set_index("source"),
        codebook_path=config.codebook_path, ground_truth=ground_truth, double_coding=double_coding,
        member_check_files=list(config.member_check_files),
        privacy={"salt": salt, "names": config.names}, report_settings=config.report_settings,
        scales=config.scales, files_read=files, missing_values=config.missing_values,
        code_problems=code_problems, warnings=warnings,
    )
    return programme, fatal, row_problems + code_problems + warnings


def _empty_projects(config: ProgrammeConfig, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Return a warning for each declared project that has no row in any source."""
    seen = set()
    for name, table in tables.items():
        seen.update(table[config.sources[name].project_column].dropna().astype(str))
    return [Problem(config.config_path.name, None, "projects",
                    f"project {p['project_id']!r} ({p['name']}) has no rows in any data file; its page will "
                    "say so. Check the project id in the data, or remove the project", warning=True)
            for p in config.projects if p["project_id"] not in seen]


def load_programme(config_path, *, require_salt: bool = False) -> Programme:
    """Load a programme: read its config and every data file, typed and checked.

    Rows with problems are quarantined (``Programme.quarantine``, reasons in
    ``Programme.problems``) and the rest load; problems that stop a whole file are raised.

    Parameters
    ----------
    config_path : path-like
        The programme YAML file, e.g. ``data/sample/programme.yml``.
    require_salt : bool, default False
        Fail when the config names no pseudonym salt (reports need one; coding does not).
        A salt file that is named but missing or empty always fails.

    Returns
    -------
    Programme

    Raises
    ------
    ConfigError
        The config is missing, not YAML, or has missing keys, unknown column types or scales
        (a ``ProgrammeConfigError`` whose ``problems`` lists each).
    DataValidationError
        A data file is missing, empty, undecodable, or has missing or repeated columns;
        ``problems`` lists every such problem across all files.

    Examples
    --------
    A programme of one survey with three answers:

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "survey.csv").write_text("ID,Rating\\nR1,Agree\\nR2,Disagree\\nR3,Agree\\n")
    >>> _ = (folder / "programme.yml").write_text('''
    ... programme: {name: Tiny, synthetic: true, description: Three answers.}
    ... scales: {agreement: {1: Disagree, 2: Agree}}
    ... projects: [{id: P1, name: Project one, theme: any, description: One project.}]
    ... sources:
    ...   survey: {path: survey.csv, id_column: ID, columns: {Rating: {type: likert, scale: agreement}}}
    ... ''')
    >>> programme = load_programme(folder / "programme.yml")
    >>> programme
    <Programme 'Tiny': 1 sources, 0 rows quarantined>
    >>> list(programme.sources)
    ['survey']
    """
    programme, fatal, _ = _assemble(config_path, require_salt=require_salt)
    if fatal:
        raise DataValidationError(fatal)
    return programme


def validate_programme(config_path) -> list[Problem]:
    """Check a programme's config and data; return every problem found.

    Parameters
    ----------
    config_path : path-like
        The programme YAML file.

    Returns
    -------
    list of Problem
        Fatal problems (config, missing files or columns) first, then row-level problems
        (rows that would be quarantined), each printing as ``file:row:column: message``.
        An empty list means the programme is clean.

    See Also
    --------
    load_programme : load it once it validates.

    Examples
    --------
    A programme of one survey with no pseudonym salt yet (reports need one, so it is fatal here;
    :func:`load_programme` needs it only with ``require_salt=True``):

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "survey.csv").write_text("ID,Rating\\nR1,Agree\\nR2,Disagree\\nR3,Agree\\n")
    >>> _ = (folder / "programme.yml").write_text('''
    ... programme: {name: Tiny, synthetic: true, description: Three answers.}
    ... scales: {agreement: {1: Disagree, 2: Agree}}
    ... projects: [{id: P1, name: Project one, theme: any, description: One project.}]
    ... sources:
    ...   survey: {path: survey.csv, id_column: ID, columns: {Rating: {type: likert, scale: agreement}}}
    ... ''')
    >>> for problem in validate_programme(folder / "programme.yml"):
    ...     print(problem.file, problem.column, problem.fatal)
    programme.yml privacy.salt_file True
    """
    try:
        _, fatal, row_problems = _assemble(config_path)
    except ProgrammeConfigError as err:
        return list(err.problems)
    return fatal + row_problems

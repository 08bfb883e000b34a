"""Convenience wrappers: the comparison functions applied to a loaded Programme.

Each wrapper reads the programme's survey source (``report.survey`` in the config, else the
first source with rating questions), its column declarations (Likert items, labels,
principles, demographics), its codebook and its ``report`` settings (suppression policy,
seed) and calls the plain-DataFrame functions of :mod:`evalkit.compare`. People are counted
once each: long exports with several rows per respondent are reduced to one row per person.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

import pandas as pd

from evalkit.compare.framework import (FrameworkMatrix, default_redact, framework_matrix,
                                       long_texts)
from evalkit.compare.joint import joint_display
from evalkit.compare.plots import likert_diverging_chart
from evalkit.compare.profiles import (likert_distribution, likert_medians, respondents_by_role,
                                      response_rates, sentiment_summary, theme_prevalence)
from evalkit.compare.representation import representation_note, representation_table
from evalkit.compare.tests_between import GroupComparison, compare_projects
from evalkit.errors import ConfigError
from evalkit.figures import FigureWithAlt
from evalkit.privacy.suppression import SuppressionPolicy
from evalkit.programme.roles import people_frame, report_roles


def programme_policy(programme) -> SuppressionPolicy:
    """Return the suppression policy from the programme's ``report.suppression`` settings.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme, or an object wrapping one that carries its own ``policy`` (such
        as the report pipeline's view of it), which is then used as is.

    Returns
    -------
    SuppressionPolicy
    """
    own = getattr(programme, "policy", None)
    if isinstance(own, SuppressionPolicy):
        return own
    return SuppressionPolicy.from_config((programme.report_settings or {}).get("suppression"))


def _seed(programme) -> int:
    """Return the report seed: the object's own ``seed``, else ``report.seed``, else 0."""
    own = getattr(programme, "seed", None)
    if isinstance(own, int) and not isinstance(own, bool):
        return own
    return int((programme.report_settings or {}).get("seed", 0))


@dataclass(frozen=True)
class SurveyLayout:
    """What the programme config says about a survey source's columns.

    Attributes
    ----------
    items : list of str
        Likert columns in config order.
    labels : dict
        Column -> question label.
    principles : dict
        Likert column -> principle id (the column name when not declared).
    levels : list of int
        Values of the first Likert item's scale.
    level_labels : dict
        Value -> label of that scale.
    demographics : list of str
        Demographic columns.
    choices : dict
        Single-choice column -> declared choices.
    text_columns : list of str
        Free-text columns.
    role_column : str or None
        The survey's role column (``report.role_column`` in the config).
    scale : ScaleSpec or None
        The first Likert item's scale (kind, direction, missing codes).
    """

    items: list
    labels: dict
    principles: dict
    levels: list
    level_labels: dict
    demographics: list
    choices: dict
    text_columns: list
    role_column: str | None
    scale: object = None


def survey_source(programme, source: str | None = None) -> str:
    """Return ``source``, or the programme's survey source when None.

    Raises
    ------
    ConfigError
        When the programme has no source with rating or free-text questions.
    """
    if source is not None:
        return source
    survey = report_roles(programme).survey
    if survey is None:
        raise ConfigError(f"{programme.config_path.name}: no source has rating or free-text questions; "
                          "declare likert or free_text columns, or name the survey under report: survey:")
    return survey


def survey_layout(programme, source: str | None = None) -> SurveyLayout:
    """Read a survey source's declared columns from the programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Source name (default: the programme's survey).

    Returns
    -------
    SurveyLayout
    """
    source = survey_source(programme, source)
    if source not in programme.sources:
        raise ConfigError(f"{programme.config_path.name}: no source named {source!r}; add it under "
                          f"sources: or pass source= one of {list(programme.sources)}.")
    columns = programme.sources[source].columns
    items = [n for n, c in columns.items() if c.type == "likert"]
    first = columns[items[0]] if items else None
    return SurveyLayout(
        items=items,
        labels={n: c.label or n for n, c in columns.items()},
        principles={n: columns[n].principle or n for n in items},
        levels=sorted(first.scale_labels) if first else [],
        level_labels=dict(first.scale_labels) if first else {},
        demographics=[n for n, c in columns.items() if c.demographic],
        choices={n: list(c.choices) for n, c in columns.items() if c.type == "single_choice"},
        text_columns=[n for n, c in columns.items() if c.type == "free_text"],
        role_column=_role_column(programme, source), scale=first.scale_spec if first else None)


def _role_column(programme, source: str) -> str | None:
    """The survey's role column when the config names one for this source."""
    roles = report_roles(programme)
    return roles.role_column if roles.survey == source else None


def _codebook_maps(programme) -> tuple[dict, dict]:
    """Return (theme -> top-level principle, theme -> name) from the programme's codebook."""
    from evalkit.coding.codebook import load_codebook

    cb = load_codebook(programme.codebook_path)
    parents = {t: (cb.ancestors(t)[-1] if cb.ancestors(t) else t) for t in cb.themes}
    return parents, {t: theme.name for t, theme in cb.themes.items()}


def _redactor(programme, redact):
    """Return ``redact``, or the default redactor primed with the programme's names."""
    if redact is not None:
        return redact
    names = tuple((programme.privacy or {}).get("names", ()))
    return partial(default_redact, names=names)


PROJECT, RESPONSE, PERSON = "project_id", "response_id", "person_id"


def canonical_table(programme, source: str, *, per_person: bool = False) -> pd.DataFrame:
    """Return a source's table with its keys under fixed names, for the comparison functions.

    ``project_id`` holds the project, ``response_id`` the row id and ``person_id`` the
    respondent (the row id when the source has no respondent column); declared columns keep
    their names. With ``per_person=True`` there is one row per person and project (each
    column's first non-blank answer), so long exports count people, never rows.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme, or the report's redacted view of one.
    source : str
        Source name.
    per_person : bool, default False
        One row per person instead of one per row.

    Returns
    -------
    pandas.DataFrame
    """
    spec = programme.sources[source]
    table = programme.tables[source]
    if per_person:
        table = people_frame(table, spec)
    keys = {PROJECT: table[spec.project_column], RESPONSE: table[spec.id_column],
            PERSON: table[spec.person_column]}
    frame = pd.DataFrame({k: v.astype("string").to_numpy() for k, v in keys.items()}, index=table.index)
    for name in spec.columns:
        if name in (spec.id_column, spec.project_column, spec.respondent_column):
            continue
        frame[name if name not in keys else f"{name} (answer)"] = table[name]
    return frame.reset_index(drop=True)


def _coded(programme, coded, source: str) -> pd.DataFrame:
    """Return the coded table (given, else the agreed codes) for answers that loaded.

    Codes of answers that are not in the loaded table (their row was quarantined) are set
    aside: those rows are already counted in the quarantine.
    """
    if coded is None:
        coded = programme.ground_truth
        if coded is None:
            raise ConfigError(f"{programme.config_path.name}: no coded themes; pass coded= (a "
                              "long table response_id, theme_id) or set ground_truth: in the "
                              "config.")
    if "source" in coded:
        coded = coded[coded["source"] == source]
    loaded = set(programme.tables[source][programme.sources[source].id_column].astype(str))
    return coded[coded[RESPONSE].astype(str).isin(loaded)]


def _by_person(programme, source: str, coded: pd.DataFrame, texts: pd.DataFrame | None = None):
    """Re-key codes (and texts) from answers to people.

    Each code's ``column`` becomes "row id + column", so a quote is still matched to the very
    answer its code was given on, while counts are of people.
    """
    rows = canonical_table(programme, source)
    person = dict(zip(rows[RESPONSE], rows[PERSON]))

    def rekey(frame):
        out = frame.copy()
        out["column"] = out[RESPONSE].astype(str) + "\x1f" + out["column"].astype(str)
        out[PERSON] = out[RESPONSE].astype(str).map(person)
        return out.drop(columns=[RESPONSE])

    return rekey(coded), (None if texts is None else rekey(texts))


@dataclass(frozen=True)
class ProgrammeProfile:
    """Per-project profile tables of a programme, all suppressed for display.

    Attributes
    ----------
    by_role, response_rates, likert, medians : pandas.DataFrame
        See the functions of the same names in :mod:`evalkit.compare.profiles`.
    sentiment, themes : pandas.DataFrame or None
        Present when scores / codes were available.
    statement : str
        The suppression policy's plain-language statement.
    """

    by_role: pd.DataFrame | None
    response_rates: pd.DataFrame | None
    likert: pd.DataFrame
    medians: pd.DataFrame
    sentiment: pd.DataFrame | None
    themes: pd.DataFrame | None
    statement: str

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the non-empty tables by name."""
        names = ("by_role", "response_rates", "likert", "medians", "sentiment", "themes")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def summary(self) -> str:
        """Text listing each table with its size, then the suppression statement."""
        lines = [f"{name}: {len(t)} rows" for name, t in self.tables().items()]
        return "\n".join(lines + [self.statement])

    def _repr_html_(self) -> str:
        """HTML for Jupyter: each table under a heading, then the statement."""
        parts = [f"<h4>{name.replace('_', ' ')}</h4>{t.to_html(index=False)}"
                 for name, t in self.tables().items()]
        return "".join(parts) + f"<p>{self.statement}</p>"


def profile_programme(programme, *, source: str | None = None, coded: pd.DataFrame | None = None,
                      sentiment: pd.DataFrame | None = None,
                      score_column: str = "compound") -> ProgrammeProfile:
    """Build every per-project profile table of a programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Survey source (default: the programme's survey).
    coded : pandas.DataFrame, optional
        Long coded table (``response_id``, ``column``, ``theme_id``); defaults to the agreed
        codes when the config has them.
    sentiment : pandas.DataFrame, optional
        Compound scores with a ``project_id`` column (e.g. from ``evalkit.coding`` sentiment).
    score_column : str
        Column of compound scores in ``sentiment``.

    Returns
    -------
    ProgrammeProfile
        Tables keyed by ``project_id``; every count is of people.
    """
    source = survey_source(programme, source)
    layout = survey_layout(programme, source)
    people = canonical_table(programme, source, per_person=True)
    policy = programme_policy(programme)
    by_role = None if layout.role_column is None else respondents_by_role(
        people, project_column=PROJECT, role_column=layout.role_column,
        roles=layout.choices.get(layout.role_column), policy=policy)
    rates = None
    roles = report_roles(programme)
    invited = (programme.report_settings or {}).get("invited_column")
    if roles.facts is not None and invited:
        facts = canonical_table(programme, roles.facts)
        rates = response_rates(people, facts, project_column=PROJECT, invited_column=invited, policy=policy)
    likert = medians = None
    if layout.items:
        likert = likert_distribution(people, layout.items, levels=layout.levels,
                                     level_labels=layout.level_labels, group_column=PROJECT, policy=policy)
        medians = likert_medians(people, layout.items, group_column=PROJECT, seed=_seed(programme),
                                 policy=policy)
    sent = None if sentiment is None else sentiment_summary(
        sentiment, score_column=score_column, group_column=PROJECT, policy=policy)
    themes = None
    if coded is not None or programme.ground_truth is not None:
        by_person, _ = _by_person(programme, source, _coded(programme, coded, source))
        themes = theme_prevalence(by_person, people[[PERSON, PROJECT]], project_column=PROJECT,
                                  response_column=PERSON, policy=policy)
    return ProgrammeProfile(by_role, rates, likert, medians, sent, themes, policy.statement())


def programme_likert_charts(programme, *, source: str | None = None) -> dict[str, FigureWithAlt]:
    """Diverging Likert charts for the whole programme and for each project.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Survey source (default: the programme's survey).

    Returns
    -------
    dict of str to FigureWithAlt
        ``"Programme"`` first, then one per project id.
    """
    layout = survey_layout(programme, source)
    survey = canonical_table(programme, survey_source(programme, source), per_person=True)
    policy = programme_policy(programme)
    kwargs = dict(labels=layout.labels, levels=layout.levels, level_labels=layout.level_labels, scale=layout.scale,
                  policy=policy)
    names = programme.projects["name"].to_dict()
    charts = {"Programme": likert_diverging_chart(
        survey, layout.items, title=f"{programme.name}: how people answered each question", **kwargs)}
    for pid, part in survey.groupby(PROJECT, sort=True):
        charts[str(pid)] = likert_diverging_chart(
            part, layout.items, title=f"{names.get(pid, pid)}: how people answered each question", **kwargs)
    return charts


def survey_texts(programme, source: str | None = None) -> pd.DataFrame:
    """Every written answer of a source, long: ``response_id, project_id, column, text``.

    In long exports (``question_column`` in the config) ``column`` is the question each row
    answers; otherwise it is the free-text column's name.
    """
    source = survey_source(programme, source)
    spec = programme.sources[source]
    rows = canonical_table(programme, source)
    text_columns = [n for n, c in spec.columns.items() if c.type == "free_text"]
    texts = long_texts(rows, text_columns, response_column=RESPONSE, project_column=PROJECT)
    return texts


def programme_framework(programme, *, source: str | None = None, coded: pd.DataFrame | None = None,
                        redact=None) -> FrameworkMatrix:
    """Framework matrix (projects x themes) of a programme's free-text answers.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Survey source (default: the programme's survey).
    coded : pandas.DataFrame, optional
        Long coded table; defaults to the agreed codes.
    redact : callable, optional
        Quote redaction; default :func:`evalkit.privacy.redact.redact` with the names listed
        under ``privacy.names`` in the config.

    Returns
    -------
    FrameworkMatrix
        Counts are of people; each quote is an answer that carries the cell's theme.
    """
    source = survey_source(programme, source)
    people = canonical_table(programme, source, per_person=True)
    _, names = _codebook_maps(programme)
    by_person, texts = _by_person(programme, source, _coded(programme, coded, source),
                                  survey_texts(programme, source))
    return framework_matrix(by_person, people[[PERSON, PROJECT]], texts,
                            theme_labels=names, redact=_redactor(programme, redact),
                            project_column=PROJECT, response_column=PERSON,
                            policy=programme_policy(programme))


def programme_comparisons(programme, *, source: str | None = None,
                          method: str = "mann-whitney") -> dict[str, GroupComparison]:
    """Between-project tests of every Likert item of a programme's survey, one value per person.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Survey source (default: the programme's survey).
    method : {"mann-whitney", "dunn"}
        Pairwise test.

    Returns
    -------
    dict of str to GroupComparison
    """
    layout = survey_layout(programme, source)
    people = canonical_table(programme, survey_source(programme, source), per_person=True)
    policy = programme_policy(programme)
    return compare_projects(people, comparable_items(people, layout.items, policy), group_column=PROJECT,
                            method=method, labels=layout.labels, policy=policy)


def comparable_items(people: pd.DataFrame, items, policy) -> list:
    """The items that at least two projects answered often enough to compare (``compare_groups``' floor).

    Parameters
    ----------
    people : pandas.DataFrame
        One row per person with a ``project_id`` column.
    items : sequence of str
        Rating columns.
    policy : SuppressionPolicy
        Projects with fewer than ``min_summary_n`` answers to an item are left out of its test.

    Returns
    -------
    list of str
    """
    floor = max(policy.min_summary_n if policy.enabled else 2, 2)
    answered = people.groupby(PROJECT)[list(items)].count() if len(items) else pd.DataFrame()
    return [item for item in items if int((answered[item] >= floor).sum()) >= 2]


def programme_representation(programme, *, source: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Representation table (role and demographics) and one note per project.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str, optional
        Survey source (default: the programme's survey).

    Returns
    -------
    (pandas.DataFrame, dict of str to str)
        The suppressed table and ``project -> note``.
    """
    layout = survey_layout(programme, source)
    columns = ([layout.role_column] if layout.role_column else []) + \
        [c for c in layout.demographics if c != layout.role_column]
    people = canonical_table(programme, survey_source(programme, source), per_person=True)
    table = representation_table(people, columns, project_column=PROJECT, choices=layout.choices,
                                 policy=programme_policy(programme))
    exact = representation_table(people, columns, project_column=PROJECT, choices=layout.choices,
                                 policy=SuppressionPolicy(enabled=False))
    notes = {str(p): representation_note(table, str(p), labels=layout.labels, exact=exact)
             for p in sorted(people[PROJECT].astype(str).unique())}
    return table, notes


def programme_joint_display(programme, project: str, *, source: str | None = None,
                            coded: pd.DataFrame | None = None, redact=None) -> pd.DataFrame:
    """Joint display (ratings, themes, quotes) of one project of a programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    project : str
        Project id.
    source : str, optional
        Survey source (default: the programme's survey).
    coded : pandas.DataFrame, optional
        Long coded table; defaults to the agreed codes.
    redact : callable, optional
        Quote redaction; default :func:`evalkit.privacy.redact.redact` with the names listed
        under ``privacy.names`` in the config.

    Returns
    -------
    pandas.DataFrame
    """
    source = survey_source(programme, source)
    layout = survey_layout(programme, source)
    people = canonical_table(programme, source, per_person=True)
    parents, names = _codebook_maps(programme)
    by_person, texts = _by_person(programme, source, _coded(programme, coded, source),
                                  survey_texts(programme, source))
    return joint_display(people, by_person, project, items=layout.items,
                         texts=texts, item_labels=layout.labels, item_principles=layout.principles,
                         theme_parents=parents, theme_labels=names,
                         redact=_redactor(programme, redact),
                         levels=layout.levels, seed=_seed(programme),
                         project_column=PROJECT, response_column=PERSON,
                         policy=programme_policy(programme))

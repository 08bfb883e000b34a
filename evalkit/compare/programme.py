"""Convenience wrappers: the comparison functions applied to a loaded Programme.

Each wrapper reads the programme's survey source, its column declarations (Likert items,
labels, principles, demographics), its codebook and its ``report`` settings (suppression
policy, seed) and calls the plain-DataFrame functions of :mod:`evalkit.compare`.
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

SURVEY = "feedback_survey"
FACTS = "project_facts"


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
        ``role`` when declared.
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


def survey_layout(programme, source: str = SURVEY) -> SurveyLayout:
    """Read a survey source's declared columns from the programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Source name.

    Returns
    -------
    SurveyLayout
    """
    if source not in programme.sources:
        raise ConfigError(f"{programme.config_path.name}: no source named {source!r}; add it under "
                          f"sources: or pass source= one of {list(programme.sources)}.")
    columns = programme.sources[source].columns
    items = [n for n, c in columns.items() if c.type == "likert"]
    if not items:
        raise ConfigError(f"{programme.config_path.name}: source {source!r} declares no likert "
                          "columns to compare.")
    first = columns[items[0]]
    return SurveyLayout(
        items=items,
        labels={n: c.label or n for n, c in columns.items()},
        principles={n: columns[n].principle or n for n in items},
        levels=sorted(first.scale_labels) or [1, 2, 3, 4, 5],
        level_labels=dict(first.scale_labels),
        demographics=[n for n, c in columns.items() if c.demographic],
        choices={n: list(c.choices) for n, c in columns.items() if c.type == "single_choice"},
        text_columns=[n for n, c in columns.items() if c.type == "free_text"],
        role_column="role" if "role" in columns else None)


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


def _coded(programme, coded, source: str) -> pd.DataFrame:
    """Return the coded table (given, else the ground truth) without quarantined responses.

    Codes of rows the loader quarantined are dropped because those responses are already
    counted in the quarantine report; any other unknown id still raises in ``theme_counts``.
    """
    if coded is None:
        coded = programme.ground_truth
        if coded is None:
            raise ConfigError(f"{programme.config_path.name}: no coded themes; pass coded= (a "
                              "long table response_id, theme_id) or set ground_truth: in the "
                              "config.")
        if "source" in coded:
            coded = coded[coded["source"] == source]
    id_column = programme.sources[source].id_column
    held = programme.quarantine
    if held is None or held.empty or id_column not in coded:
        return coded
    records = held.loc[held["source"] == source, "record"]
    ids = {str(json.loads(r).get(id_column)) for r in records.drop_duplicates()}
    return coded[~coded[id_column].astype(str).isin(ids)]


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


def profile_programme(programme, *, source: str = SURVEY, coded: pd.DataFrame | None = None,
                      sentiment: pd.DataFrame | None = None,
                      score_column: str = "compound") -> ProgrammeProfile:
    """Build every per-project profile table of a programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Survey source.
    coded : pandas.DataFrame, optional
        Long coded table; defaults to the ground truth when the config has one.
    sentiment : pandas.DataFrame, optional
        Compound scores with the project column (e.g. from ``evalkit.coding`` sentiment).
    score_column : str
        Column of compound scores in ``sentiment``.

    Returns
    -------
    ProgrammeProfile
    """
    layout = survey_layout(programme, source)
    survey = programme.tables[source]
    spec = programme.sources[source]
    project, policy = spec.project_column, programme_policy(programme)
    by_role = None if layout.role_column is None else respondents_by_role(
        survey, project_column=project, role_column=layout.role_column,
        roles=layout.choices.get(layout.role_column), policy=policy)
    rates = None
    if FACTS in programme.tables:
        rates = response_rates(survey, programme.tables[FACTS], project_column=project,
                               policy=policy)
    likert = likert_distribution(survey, layout.items, levels=layout.levels,
                                 level_labels=layout.level_labels, group_column=project,
                                 policy=policy)
    medians = likert_medians(survey, layout.items, group_column=project, seed=_seed(programme),
                             policy=policy)
    sent = None if sentiment is None else sentiment_summary(
        sentiment, score_column=score_column, group_column=project, policy=policy)
    themes = None
    if coded is not None or programme.ground_truth is not None:
        themes = theme_prevalence(_coded(programme, coded, source),
                                  survey[[spec.id_column, project]], project_column=project,
                                  response_column=spec.id_column, policy=policy)
    return ProgrammeProfile(by_role, rates, likert, medians, sent, themes, policy.statement())


def programme_likert_charts(programme, *, source: str = SURVEY) -> dict[str, FigureWithAlt]:
    """Diverging Likert charts for the whole programme and for each project.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Survey source.

    Returns
    -------
    dict of str to FigureWithAlt
        ``"Programme"`` first, then one per project id.
    """
    layout = survey_layout(programme, source)
    survey = programme.tables[source]
    project, policy = programme.sources[source].project_column, programme_policy(programme)
    kwargs = dict(labels=layout.labels, levels=layout.levels, level_labels=layout.level_labels,
                  policy=policy)
    charts = {"Programme": likert_diverging_chart(
        survey, layout.items, title=f"{programme.name}: how respondents rated each principle",
        **kwargs)}
    for pid, part in survey.groupby(project, sort=True):
        charts[str(pid)] = likert_diverging_chart(
            part, layout.items, title=f"{pid}: how respondents rated each principle", **kwargs)
    return charts


def programme_framework(programme, *, source: str = SURVEY, coded: pd.DataFrame | None = None,
                        redact=None) -> FrameworkMatrix:
    """Framework matrix (projects x themes) of a programme's free-text answers.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Survey source.
    coded : pandas.DataFrame, optional
        Long coded table; defaults to the ground truth.
    redact : callable, optional
        Quote redaction; default :func:`evalkit.privacy.redact.redact` with the names listed
        under ``privacy.names`` in the config.

    Returns
    -------
    FrameworkMatrix
    """
    layout = survey_layout(programme, source)
    spec = programme.sources[source]
    survey = programme.tables[source]
    _, names = _codebook_maps(programme)
    texts = long_texts(survey, layout.text_columns, response_column=spec.id_column,
                       project_column=spec.project_column)
    return framework_matrix(_coded(programme, coded, source),
                            survey[[spec.id_column, spec.project_column]], texts,
                            theme_labels=names, redact=_redactor(programme, redact),
                            project_column=spec.project_column, response_column=spec.id_column,
                            policy=programme_policy(programme))


def programme_comparisons(programme, *, source: str = SURVEY,
                          method: str = "mann-whitney") -> dict[str, GroupComparison]:
    """Between-project tests of every Likert item of a programme's survey.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Survey source.
    method : {"mann-whitney", "dunn"}
        Pairwise test.

    Returns
    -------
    dict of str to GroupComparison
    """
    layout = survey_layout(programme, source)
    return compare_projects(programme.tables[source], layout.items,
                            group_column=programme.sources[source].project_column, method=method,
                            labels=layout.labels, policy=programme_policy(programme))


def programme_representation(programme, *, source: str = SURVEY) -> tuple[pd.DataFrame, dict]:
    """Representation table (role and demographics) and one note per project.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    source : str
        Survey source.

    Returns
    -------
    (pandas.DataFrame, dict of str to str)
        The suppressed table and ``project -> note``.
    """
    layout = survey_layout(programme, source)
    columns = ([layout.role_column] if layout.role_column else []) + \
        [c for c in layout.demographics if c != layout.role_column]
    survey = programme.tables[source]
    project = programme.sources[source].project_column
    table = representation_table(survey, columns, project_column=project, choices=layout.choices,
                                 policy=programme_policy(programme))
    notes = {str(p): representation_note(table, str(p))
             for p in sorted(survey[project].astype(str).unique())}
    return table, notes


def programme_joint_display(programme, project: str, *, source: str = SURVEY,
                            coded: pd.DataFrame | None = None, redact=None) -> pd.DataFrame:
    """Joint display (ratings, themes, quotes) of one project of a programme.

    Parameters
    ----------
    programme : evalkit.programme.Programme
        A loaded programme.
    project : str
        Project id.
    source : str
        Survey source.
    coded : pandas.DataFrame, optional
        Long coded table; defaults to the ground truth.
    redact : callable, optional
        Quote redaction; default :func:`evalkit.privacy.redact.redact` with the names listed
        under ``privacy.names`` in the config.

    Returns
    -------
    pandas.DataFrame
    """
    layout = survey_layout(programme, source)
    spec = programme.sources[source]
    survey = programme.tables[source]
    parents, names = _codebook_maps(programme)
    texts = long_texts(survey, layout.text_columns, response_column=spec.id_column,
                       project_column=spec.project_column)
    return joint_display(survey, _coded(programme, coded, source), project, items=layout.items,
                         texts=texts, item_labels=layout.labels, item_principles=layout.principles,
                         theme_parents=parents, theme_labels=names,
                         redact=_redactor(programme, redact),
                         levels=layout.levels, seed=_seed(programme),
                         project_column=spec.project_column, response_column=spec.id_column,
                         policy=programme_policy(programme))

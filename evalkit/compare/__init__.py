"""Comparing a programme's projects fairly, with small numbers suppressed in one place.

Plain-DataFrame functions (call them on your own data) and ``programme_*`` wrappers that take
a loaded :class:`evalkit.programme.Programme`. Every table returned for display has passed
through :func:`evalkit.privacy.suppression.suppress_table`.

Modules: :mod:`~evalkit.compare.profiles` (per-project profiles),
:mod:`~evalkit.compare.plots` (diverging Likert charts), :mod:`~evalkit.compare.framework`
(Framework Method matrix), :mod:`~evalkit.compare.tests_between` (between-project tests),
:mod:`~evalkit.compare.joint` (mixed-methods joint display),
:mod:`~evalkit.compare.representation` (who answered), :mod:`~evalkit.compare.programme`
(wrappers).

Examples
--------
In a notebook, on a loaded programme::

    from evalkit.programme import load_programme
    from evalkit import compare

    programme = load_programme("data/sample/programme.yml")
    profile = compare.profile_programme(programme)          # tables, suppressed
    charts = compare.programme_likert_charts(programme)     # {"Programme": ..., "P01": ...}
    matrix = compare.programme_framework(programme)         # .matrix(), .heatmap(), .to_xlsx()
    omnibus, pairs = compare.comparison_tables(compare.programme_comparisons(programme))
    table, notes = compare.programme_representation(programme)
    joint = compare.programme_joint_display(programme, "P01")

or on your own DataFrames: ``compare.likert_distribution(df, ["q1", "q2"],
group_column="site")``, ``compare.compare_groups(df, "q1", group_column="site")``.
"""
from evalkit.compare.framework import FrameworkMatrix, framework_matrix, long_texts
from evalkit.compare.joint import joint_display
from evalkit.compare.plots import likert_diverging_chart, likert_shares
from evalkit.compare.profiles import (bootstrap_median, likert_counts, likert_distribution,
                                      likert_medians, respondents_by_role, response_rates,
                                      sentiment_summary, theme_counts, theme_prevalence)
from evalkit.compare.programme import (ProgrammeProfile, SurveyLayout, profile_programme,
                                       programme_comparisons, programme_framework,
                                       programme_joint_display, programme_likert_charts,
                                       programme_policy, programme_representation,
                                       survey_layout)
from evalkit.compare.representation import (representation_counts, representation_note,
                                            representation_table)
from evalkit.compare.tests_between import (CliffsDelta, GroupComparison, cliffs_delta,
                                           compare_groups, compare_projects, comparison_tables,
                                           describe_difference, dunn_pvalues)

__all__ = [
    "CliffsDelta", "FrameworkMatrix", "GroupComparison", "ProgrammeProfile", "bootstrap_median",
    "cliffs_delta", "compare_groups", "compare_projects", "comparison_tables",
    "describe_difference", "dunn_pvalues",
    "framework_matrix", "joint_display", "likert_counts", "likert_distribution",
    "likert_diverging_chart", "likert_medians", "likert_shares", "long_texts",
    "profile_programme", "programme_comparisons", "programme_framework",
    "programme_joint_display", "programme_likert_charts", "programme_policy",
    "programme_representation", "representation_counts", "representation_note",
    "representation_table", "respondents_by_role", "response_rates", "sentiment_summary",
    "SurveyLayout", "survey_layout", "theme_counts", "theme_prevalence",
]

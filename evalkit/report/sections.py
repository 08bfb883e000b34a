"""The content of each report section, computed from a :class:`~evalkit.report.data.ReportData`.

Every section builder returns a :class:`~evalkit.report.blocks.Section`, or None when the
programme has no data for it (no ratings, no written answers, no outcome measure...), so pages
show only what the programme has. Which source feeds which section comes from the config's
``report:`` block or the column types (:func:`evalkit.programme.roles.report_roles`); all
wording comes from the config and the data. Every count is of people and passes through the
programme's suppression policy.

**One figure per fact.** Each rating question's shares are worked out once, from the exact
counts, by :func:`rating_facts` (:func:`evalkit.compare.plots.rating_shares`); every chart,
table, alt text, headline and easy-read line takes its numbers from there. Theme figures come
from :func:`theme_facts` the same way. Project pages and the programme summary use plain words;
test statistics, meta-analysis tables and the like live on the technical page
(:mod:`evalkit.report.technical_sections`).

This module is the one name notebooks and tests call (``sections.project_sections(report, pid)``);
the work lives by job in :mod:`~evalkit.report.facts` (one figure per fact, counts, caching),
:mod:`~evalkit.report.sentences` (plain-language sentences and notes), :mod:`~evalkit.report.tables`
(DataFrames for reading), :mod:`~evalkit.report.charts` (figures), :mod:`~evalkit.report.pooled`
(meta-analysis of each outcome), :mod:`~evalkit.report.page_parts` (sections both pages share),
:mod:`~evalkit.report.project_page` and :mod:`~evalkit.report.programme_page`. Everything is
re-exported here, and :func:`prepare` does the shared work a bundle carries.
"""

from __future__ import annotations

from evalkit.compare.programme import PROJECT  # noqa: F401
from evalkit.report import narrative
from evalkit.report.blocks import (Bullets, Definitions, Figure, Links, Markdown, Paragraphs,  # noqa: F401
                                   Quotes, Section, Table)
from evalkit.report.facts import (_cached, _cap, CAUTION, characteristic_counts, characteristic_facts,  # noqa: F401
                                  _characteristics, comparisons, _distribution_shares, doubted_themes, EASY_READ_PAGE,
                                  for_project, framework_matrix, has_rows, _hidden_cells, _joint_hidden,
                                  member_check_export, member_check_summary, NOT_GIVEN, _noun, outcome_effects,
                                  _people, people_count, profile, PROGRAMME_PAGE, project_effect, project_names,
                                  project_pages, projects_with_rows, rating_facts, representation_reference,
                                  scale_groups, survey_coded, _survey_items, survey_name, _survey_texts,
                                  synthesis_projects, TECHNICAL_PAGE, theme_counts_all, theme_definitions,
                                  theme_facts, theme_names, tone_by_person)
from evalkit.report.charts import reliability_figure, theme_heatmap  # noqa: F401
from evalkit.report.pooled import Synthesis, synthesis  # noqa: F401
from evalkit.report.sentences import (answered, CHANGE_GUIDE, coding_method, COUNTS_NOTE, counts_note,  # noqa: F401
                                      difference_findings, _empty_survey_sentence, _ends, glossary_terms,
                                      _has_outcome_rows, lowest_projects, measure_sentence, missing_voices,
                                      narrative_values, other_rating_sentence, privacy_statement, programme_summary,
                                      project_summary, _projects_phrase, quarantine_sentence, _ratings_caption,
                                      _ratings_heading, ratings_headline, SHARES_NOTE, SIZE_NOTE, _themes_line)
from evalkit.report.tables import (by_project_table, characteristics_table, coding_quality, disagreement_table,  # noqa: F401
                                   effect_table, _fact_label, _fact_text, joint_display, projects_table,
                                   quotes_by_question, rating_table, reliability_table, response_rate, roles_table,
                                   sentiment_table, theme_definitions_table, theme_matrix_table, theme_table,
                                   _with_ci)
from evalkit.report.page_parts import (coding_quality_section, MACHINE_CODING, main_points, other_sources,  # noqa: F401
                                       _ratings_blocks)
from evalkit.report.project_page import (about_project, _more_links, numbers_beside_words, outcomes, project_sections,  # noqa: F401
                                         project_title, ratings, what_people_said, who_answered)
from evalkit.report.programme_page import (about_programme, differences, glossary, member_checking, outcome_synthesis,  # noqa: F401
                                           programme_ratings, programme_sections, programme_title,
                                           projects_at_a_glance, themes_across, tone, who_answered_programme,
                                           write_spreadsheets, you_said_we_did)


def prepare(report) -> None:
    """Do the work every page shares once (codes, tone, profiles, syntheses) so a bundle carries it."""
    if survey_name(report) is not None:
        profile(report)
        if _survey_texts(report):
            framework_matrix(report)
    for pair in narrative.outcome_pairs(report):
        outcome_effects(report, pair)
        if len(synthesis_projects(report, pair)) >= 2:
            synthesis(report, pair)

"""The sections of one project's page, in page order (:func:`project_sections`)."""
from __future__ import annotations

from evalkit.compare.programme import survey_layout
from evalkit.report import narrative
from evalkit.report.blocks import Links, Paragraphs, Quotes, Section, Table
from evalkit.report.facts import (_cap, CAUTION, doubted_themes, EASY_READ_PAGE, has_rows, _noun, outcome_effects,
                                  people_count, PROGRAMME_PAGE, project_effect, scale_groups, _survey_items,
                                  survey_name, _survey_texts, TECHNICAL_PAGE)
from evalkit.report.page_parts import main_points, other_sources, _ratings_blocks
from evalkit.report.sentences import (answered, CHANGE_GUIDE, coding_method, counts_note, _has_outcome_rows,
                                      measure_sentence, privacy_statement, _ratings_heading, SHARES_NOTE, SIZE_NOTE)
from evalkit.report.tables import (characteristics_table, effect_table, joint_display, quotes_by_question,
                                   roles_table, theme_table)


def ratings(report, project_id: str | None = None) -> Section | None:
    """Rating questions of the survey: the chart (or a sentence), its table and the answer counts."""
    if not _survey_items(report) or (project_id is not None and not people_count(report, survey_name(report), project_id)):
        return None
    heading, intro = _ratings_heading(report)
    rule = narrative.ranking_rule(scale_groups(report), _noun(report), len(_survey_items(report)))
    return Section(heading, [intro, rule], _ratings_blocks(report, project_id))


def who_answered(report, project_id: str) -> Section | None:
    """How many people answered the survey in one project, by role and by the declared characteristics."""
    survey = survey_name(report)
    if survey is None or not has_rows(report, project_id):
        return None
    n = people_count(report, survey, project_id)
    intro = [answered(report, n)]
    blocks = []
    if report.roles.role_column and n:
        blocks.append(Table(roles_table(report, project_id), "People who answered, by role", index=True,
                            note=counts_note(report.policy)))
    if n and survey_layout(report).demographics:
        blocks.append(Table(characteristics_table(report, project_id), "People who answered, by the questions "
                            "about themselves", note=counts_note(report.policy), collapsed=True))
    return Section("Who answered", intro, blocks)


def what_people_said(report, project_id: str) -> Section | None:
    """Themes in one project's written answers (with what each means), and a few quotes per question."""
    if not _survey_texts(report) or not people_count(report, survey_name(report), project_id):
        return None
    blocks = [Table(theme_table(report, project_id), "Themes in people's written answers",
                    note=SHARES_NOTE.format(min=report.policy.min_count))]
    quotes = quotes_by_question(report, project_id)
    for question, chosen in quotes.items():
        blocks.append(Quotes(question, chosen))
    about_quotes = ("The quotes are chosen at random; names and contact details are removed." if quotes else
                    f"So few people answered that no quotes are shown: a quote from one of fewer than "
                    f"{report.policy.min_count} people could identify them.")
    intro = [coding_method(report), about_quotes]
    if doubted_themes(report):
        intro.append("Co-producers checked the themes; the table says which ones they doubted.")
    return Section("What people said", intro, blocks)


def numbers_beside_words(report, project_id: str) -> Section | None:
    """Each rating question beside the theme people wrote about most for the same principle, with a quote."""
    source = survey_name(report)
    if source is None or not _survey_texts(report) or not people_count(report, source, project_id):
        return None
    if not any(report.sources[source].columns[i].principle for i in _survey_items(report)):
        return None
    groups = scale_groups(report)
    return Section("Numbers beside words",
                   ["Each rating question is shown next to the theme people wrote about most for the same "
                    "principle, with a quote, so numbers and words can be read together."],
                   [Table(joint_display(report, project_id),
                          f"Share who {groups.verb()}, and the theme people wrote about most, side by side",
                          note=SHARES_NOTE.format(min=report.policy.min_count))])


def outcomes(report, project_id: str) -> list[Section]:
    """One section per before/after measure the project has scores for."""
    out = []
    for pair in narrative.outcome_pairs(report):
        if not _has_outcome_rows(report, pair, project_id):
            continue
        effects = outcome_effects(report, pair)
        mine = effects[effects["project"] == project_id]
        effect = project_effect(report, pair, project_id)
        blocks = [Paragraphs([narrative.change_sentence(effect, pair.name, report.policy)])]
        if not mine.empty:
            blocks.append(Table(effect_table(mine, report, plain=True), f"Change in {pair.name} scores",
                                note=SIZE_NOTE))
        out.append(Section(f"{_cap(pair.name)} before and after",
                           [measure_sentence(report, pair), CHANGE_GUIDE], blocks))
    return out


def about_project(report) -> Section:
    """How the project page was made, and the suppression statement."""
    texts = [privacy_statement(report.policy), CAUTION]
    if any(report.columns_of_type(s, "free_text") for s in report.sources):
        texts.insert(0, "Names, emails, phone numbers, postcodes, NHS numbers and web addresses were removed from "
                        "every quote before this report was made.")
    if _survey_texts(report):
        texts.insert(0, coding_method(report))
    return Section("About this report", [], [Paragraphs(texts), _more_links(report)])


def _more_links(report) -> Links:
    return Links([("The programme report, comparing all the projects", PROGRAMME_PAGE),
                  ("The easy read summary", EASY_READ_PAGE),
                  ("How the figures were worked out (technical page)", TECHNICAL_PAGE)],
                 heading="More reports")


def project_title(report, project_id: str) -> tuple[str, list[str]]:
    """A project page's title and the paragraphs under it."""
    project = report.projects.loc[project_id]
    paragraphs = [project["description"] if isinstance(project["description"], str) else ""]
    if report.synthetic:
        paragraphs.append("This report uses synthetic sample data: the people and answers are invented.")
    if not has_rows(report, project_id):
        paragraphs.append("No answers from this project were in the data files, so there is nothing to report yet.")
    return f"{project['name']}: what people told us", paragraphs


def project_sections(report, project_id: str) -> list[Section]:
    """Every section of a project page the programme has data for, in page order."""
    if not has_rows(report, project_id):
        return [about_project(report)]
    parts = [main_points(report, project_id), who_answered(report, project_id), ratings(report, project_id),
             what_people_said(report, project_id), numbers_beside_words(report, project_id),
             *outcomes(report, project_id), *other_sources(report, project_id), about_project(report)]
    return [p for p in parts if p is not None]

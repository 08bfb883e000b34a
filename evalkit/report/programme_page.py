"""The sections of the programme page, in page order (:func:`programme_sections`)."""
from __future__ import annotations

import pandas as pd

from evalkit.compare.programme import survey_layout
from evalkit.report import narrative
from evalkit.report.blocks import Bullets, Definitions, Figure, Links, Paragraphs, Section, Table
from evalkit.report.charts import theme_heatmap
from evalkit.report.facts import (_cap, CAUTION, comparisons, doubted_themes, EASY_READ_PAGE, framework_matrix,
                                  member_check_export, member_check_summary, _noun, outcome_effects, people_count,
                                  project_names, project_pages, projects_with_rows, representation_reference,
                                  scale_groups, survey_coded, _survey_items, survey_name, _survey_texts,
                                  synthesis_projects, TECHNICAL_PAGE, theme_names)
from evalkit.report.page_parts import main_points, other_sources, _ratings_blocks
from evalkit.report.pooled import synthesis
from evalkit.report.sentences import (CHANGE_GUIDE, coding_method, counts_note, difference_findings, glossary_terms,
                                      measure_sentence, missing_voices, privacy_statement, quarantine_sentence,
                                      _ratings_heading, SHARES_NOTE, SIZE_NOTE)
from evalkit.report.tables import (by_project_table, characteristics_table, effect_table, projects_table, roles_table,
                                   sentiment_table, theme_definitions_table, theme_matrix_table)


def projects_at_a_glance(report) -> Section:
    """Every declared project with its facts and how many people answered, and links to each page."""
    names = project_names(report)
    pages = project_pages(report)
    links = [(names[pid], pages[pid]) for pid in report.projects.index]
    return Section("The projects at a glance", ["Each project, what it is about, and how many people answered. "
                                                "Each project has its own report:"],
                   [Links(links), Table(projects_table(report), "The projects and how many people answered",
                                        note=counts_note(report.policy))])


def who_answered_programme(report) -> Section | None:
    """Who answered, by role and by the characteristics the config declares, against a reference if given."""
    survey = survey_name(report)
    if survey is None:
        return None
    layout = survey_layout(report)
    if not layout.role_column and not layout.demographics:
        return None
    blocks = []
    if layout.role_column:
        blocks.append(Table(roles_table(report), "People who answered, by role and project", index=True,
                            note=counts_note(report.policy)))
    reference = representation_reference(report)
    caption = "People who answered across all projects, by the questions about themselves"
    if reference:
        caption += f", beside {reference['label']}"
    blocks.append(Table(characteristics_table(report, None), caption, note=SHARES_NOTE.format(min=report.policy.min_count)))
    intro = ["This helps us see whose voices we heard, and whose we may be missing. Each project's report shows its "
             "own mix."]
    if reference:
        missing = missing_voices(report)
        intro.append(f"We compare the people who answered with {reference['label']}. A group is listed below when its "
                     "share of the people who answered is less than two thirds of its share there.")
        blocks.append(Bullets(missing, heading="Whose voices may be missing") if missing else
                      Paragraphs([f"No group's share was less than two thirds of its share in {reference['label']}."]))
    else:
        intro.append("We have no figures for the local population to compare with, so we cannot yet say whose voices "
                     "are missing.")
    return Section("Who answered", intro, blocks)


def programme_ratings(report) -> Section | None:
    """The survey's rating questions for the whole programme, and each project's share beside it."""
    if not _survey_items(report):
        return None
    heading, intro = _ratings_heading(report)
    blocks = _ratings_blocks(report, None)
    answered_projects = [p for p in projects_with_rows(report) if people_count(report, survey_name(report), p)]
    if len(answered_projects) > 1:
        groups = scale_groups(report)
        blocks.append(Table(by_project_table(report, answered_projects),
                            f"Share of people who {groups.verb()}, project by project",
                            note=SHARES_NOTE.format(min=report.policy.min_count)))
    return Section(heading, [intro, narrative.ranking_rule(scale_groups(report), _noun(report), len(_survey_items(report))),
                             "Each project's report has its own chart."], blocks)


def differences(report) -> Section | None:
    """Where projects' answers differed (plain words; the tests themselves are on the technical page)."""
    source = survey_name(report)
    if not _survey_items(report):
        return None
    answered_projects = [p for p in projects_with_rows(report) if people_count(report, source, p)]
    if len(answered_projects) < 2 or not comparisons(report):
        return None  # no question has two projects with enough answers to compare
    found = difference_findings(report)
    items = len(_survey_items(report))
    clear = [f for f in found if f["clear_pairs"]]
    noun = _noun(report)
    if items == 1:
        heading = ("Projects' answers differed clearly" if clear else
                   "Projects' answers differed a little, but no pair clearly" if found else
                   "No clear difference between projects")
    elif clear:
        heading = f"Projects' answers differed most clearly on {len(clear)} of {items} {noun}s"
    elif found:
        heading = f"Projects' answers differed a little on {len(found)} of {items} {noun}s, but no pair clearly"
    else:
        heading = f"No clear differences between projects on any of the {items} {noun}s"
    bullets = []
    for f in found:
        pairs = f["clear_pairs"]
        if pairs:
            bullets.append(f"\u201c{f['label']}\u201d: " + "; ".join(pairs) + ".")
        else:
            bullets.append(f"\u201c{f['label']}\u201d: answers varied between projects, but no two projects "
                           "differed clearly once small group sizes are allowed for.")
    intro = [f"We checked, {noun} by {noun}, whether people in different projects answered differently, counting "
             "each person once. With small groups a real difference can be missed, and a difference can appear by "
             "chance, so this is a starting point for discussion. Projects with fewer than "
             f"{report.policy.min_summary_n} people answering were left out.",
             "The technical page has the tests and every pair of projects compared."]
    blocks = [Bullets(bullets)] if bullets else []
    blocks.append(Links([("The tests, pair by pair (technical page)", TECHNICAL_PAGE + "#differences")]))
    return Section(heading, intro, blocks)


def themes_across(report) -> Section | None:
    """The heatmap of projects and themes (needs written answers), with its table and the spreadsheet."""
    if not _survey_texts(report) or not people_count(report, survey_name(report)):
        return None
    if survey_coded(report).empty:
        return Section("Themes across the projects", [coding_method(report)], [Paragraphs([
            "No written answer matched a theme in the programme's codebook, so there are no themes to compare. "
            "Check that the codebook fits this programme (codebook: in the configuration)."])])
    heat = theme_heatmap(report)
    intro = ["The chart shows, for each project, the share of people who wrote about each theme. " + coding_method(report),
             "The framework matrix spreadsheet gives a short summary and a quote for every project and theme."]
    blocks = [Figure(heat, table=Table(theme_matrix_table(report), "Share of people who raised each theme, by project",
                                       note=SHARES_NOTE.format(min=report.policy.min_count)), wide=True),
              Table(theme_definitions_table(report), "What each theme means")]
    blocks.append(Links([("Framework matrix (spreadsheet)", "framework_matrix.xlsx"),
                         ("Member-check workbook for co-producers (spreadsheet)", "member_check.xlsx")]))
    return Section("Themes across the projects", intro, blocks)


def write_spreadsheets(report) -> list[str]:
    """Write the framework matrix and member-check workbooks beside the page; return their names."""
    if not _survey_texts(report) or not people_count(report, survey_name(report)) or survey_coded(report).empty:
        return []
    framework_matrix(report).to_xlsx("framework_matrix.xlsx")
    member_check_export(report, "member_check.xlsx")
    return ["framework_matrix.xlsx", "member_check.xlsx"]


def member_checking(report) -> Section | None:
    """What co-producers said when checking the themes (needs themes)."""
    if not _survey_texts(report) or not people_count(report, survey_name(report)):
        return None
    intro = ["Co-producers read each theme, its definition and example quotes, and told us whether it rings "
             "true, is not quite right, or does not fit. Reviewers are numbered, not named. They are the "
             "evaluation team's own reviewers, not people who answered, so their counts are shown in full."]
    checked = member_check_summary(report)
    if checked is None:
        return Section("Do the themes ring true?", [], [Paragraphs([
            "Co-producers can check whether the themes ring true: member_check.xlsx lists each theme with its "
            "definition and example quotes. No checked sheets have come back yet; list the returned files under "
            "member_checks in the programme's configuration."])])
    table, comments, unclear = checked
    doubted = doubted_themes(report)
    names = theme_names(report)
    heading = "Do the themes ring true?"
    if doubted:
        heading = (f"Reviewers doubted {len(doubted)} of {len(table)} themes" if len(doubted) > 1
                   else f"Reviewers doubted one theme: {names.get(next(iter(doubted)), next(iter(doubted)))}")
        intro.append("A theme counts as doubted when as many reviewers or more said it is not quite right or does not "
                     "fit as said it rings true. Doubted themes are marked wherever they are used.")
    table = table.rename(columns={"rings true": "Rings true", "not quite": "Not quite right",
                                  "doesn't fit": "Does not fit", "no answer": "No answer",
                                  "unclear (see problem)": "Could not be read"})
    blocks = [Table(table, "How reviewers rated each theme"), Bullets(comments, heading="What reviewers said")]
    if unclear:
        blocks.append(Paragraphs([f"{unclear} answer{'s' if unclear != 1 else ''} could not be read (a reviewer "
                                  "wrote their own words instead of choosing an option); they are listed in the "
                                  "researcher notebook."]))
    return Section(heading, intro, blocks)


def you_said_we_did(report) -> Section | None:
    """What people asked for and what was done, from the config's ``report.you_said_we_did``."""
    entries = (report.report_settings or {}).get("you_said_we_did") or []
    if not entries:
        return None
    table = pd.DataFrame({"You said": [str(e["you_said"]) for e in entries],
                          "We did": [str(e["we_did"]) for e in entries]})
    return Section("You said, we did", ["What people told us during the programme, and what changed because of it."],
                   [Table(table, "You said, we did")])


def tone(report) -> Section | None:
    """How positive or negative each person's written answers sound, per project (not an outcome)."""
    if not _survey_texts(report) or report.sentiment.empty:
        return None
    return Section("How the written answers sound",
                   ["This is about the tone of the writing, not an outcome measure: it does not say how people "
                    "are or how they felt about the project. A computer method (VADER) scored how positive or "
                    "negative each written answer sounds; each person's answers were averaged, so every number "
                    "counts people. It misses sarcasm and mixed feelings, so read it beside the quotes."],
                   [Table(sentiment_table(report), "Tone of each person's written answers, per project (tone runs "
                          "from -1, very negative, to 1, very positive)", note=counts_note(report.policy))],
                   anchor="tone")


def outcome_synthesis(report) -> list[Section]:
    """One section per before/after measure: each project's change and, with two or more, the combined change."""
    out = []
    for pair in narrative.outcome_pairs(report):
        effects = outcome_effects(report, pair)
        if effects.empty:
            continue
        title = _cap(pair.name)
        table = Table(effect_table(effects, report, plain=True), f"Change in {pair.name}, project by project",
                      note=SIZE_NOTE)
        intro = [measure_sentence(report, pair), CHANGE_GUIDE]
        if len(synthesis_projects(report, pair)) >= 2:
            syn = synthesis(report, pair)
            blocks = [Paragraphs([syn.plain_sentence]), Figure(syn.plain_forest, table=table),
                      Links([("The combined analysis in full (technical page)", TECHNICAL_PAGE + "#outcomes")])]
            heading = f"{title}: {syn.headline}"
        else:
            blocks = [table]
            heading = f"{title} before and after"
        out.append(Section(heading, intro, blocks))
    return out


def glossary(report) -> Section:
    """A short glossary of the terms the programme page uses."""
    return Section("Words used in this report", [], [Definitions(glossary_terms(report))])


def about_programme(report) -> Section:
    """How the programme page was made: suppression, caution, rows set aside, and where to read more."""
    texts = [privacy_statement(report.policy), CAUTION]
    held = quarantine_sentence(report)
    if held:
        texts.append(held)
    links = [("The easy read summary", EASY_READ_PAGE),
             ("How the figures were worked out: tests, the combined analysis and the input files (technical page)",
              TECHNICAL_PAGE)]
    return Section("About this report", [], [Paragraphs(texts), Links(links, heading="More reports")])


def programme_title(report) -> tuple[str, list[str]]:
    """The programme page's title and the paragraphs under it."""
    paragraphs = [report.description]
    if report.synthetic:
        paragraphs.append("This report uses synthetic sample data: the projects, people and answers are invented.")
    return f"{report.name}: what we learned", paragraphs


def programme_sections(report) -> list[Section]:
    """Every section of the programme page the programme has data for, in page order."""
    parts = [main_points(report), projects_at_a_glance(report), who_answered_programme(report),
             programme_ratings(report), differences(report), themes_across(report), member_checking(report),
             you_said_we_did(report), *outcome_synthesis(report), tone(report), *other_sources(report),
             glossary(report), about_programme(report)]
    return [p for p in parts if p is not None]

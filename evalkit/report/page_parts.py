"""Sections both the project pages and the programme page use (main points, ratings blocks, other sources)."""
from __future__ import annotations

from evalkit.compare.plots import mostly_hidden, rating_chart, rating_counts_table, shares_table
from evalkit.report import narrative
from evalkit.report.blocks import Bullets, Figure, Paragraphs, Quotes, Section, Table
from evalkit.report.facts import _cap, for_project, _noun, people_count, rating_facts, scale_groups
from evalkit.report.sentences import (counts_note, other_rating_sentence, programme_summary, project_summary,
                                      _ratings_caption, SHARES_NOTE)
from evalkit.report.tables import coding_quality, quotes_by_question


def _ratings_blocks(report, project_id: str | None) -> list:
    facts = rating_facts(report, project_id)
    groups = scale_groups(report)
    policy = report.policy
    who = report.name if project_id is None else report.projects.loc[project_id, "name"]
    noun = _cap(_noun(report))
    table = Table(shares_table(facts, groups, policy, question=noun),
                  f"Share of people giving each kind of answer, and the middle answer, {_noun(report)} by "
                  f"{_noun(report)}", note=SHARES_NOTE.format(min=policy.min_count))
    blocks = []
    if mostly_hidden(facts):
        blocks.append(Paragraphs([f"There is no chart here: too many of the shares are hidden, because fewer than "
                                  f"{policy.min_count} people gave some answers. The table shows what can be shown."]))
        blocks.append(table)
    else:
        chart = rating_chart(facts, groups, policy, title=_ratings_caption(report, facts, groups, who))
        blocks.append(Figure(chart, table=table))
    blocks.append(Table(rating_counts_table(facts, groups, policy, question=noun),
                        "How many people gave each answer", note=counts_note(policy), collapsed=True))
    return blocks


def main_points(report, project_id: str | None = None) -> Section:
    """The main points of a project page (or of the programme page when ``project_id`` is None)."""
    lines = project_summary(report, project_id) if project_id is not None else programme_summary(report)
    intro = ["These are the main things the answers show, in short sentences. The sections below give the detail."]
    return Section("The main points", intro, [Bullets(lines)])


def other_sources(report, project_id: str | None = None) -> list[Section]:
    """One section per other source with ratings or written answers (its label and description from the config)."""
    out = []
    for source in report.roles.others:
        spec = report.sources[source]
        table = report.tables[source]
        if project_id is not None:
            table = for_project(table, project_id, spec.project_column)
        if table.empty:
            continue
        blocks = []
        for col in report.columns_of_type(source, "likert"):
            facts = rating_facts(report, project_id, source=source, columns=[col])
            groups = scale_groups(report, source, col)
            sentence = other_rating_sentence(report, source, col, project_id)
            if sentence:
                blocks.append(Paragraphs([sentence]))
            blocks.append(Table(shares_table(facts, groups, report.policy),
                                f"Share of people giving each kind of answer: {spec.columns[col].label or col}",
                                note=SHARES_NOTE.format(min=report.policy.min_count)))
            blocks.append(Table(rating_counts_table(facts, groups, report.policy),
                                f"How many people gave each answer: {spec.columns[col].label or col}",
                                note=counts_note(report.policy)))
        for question, quotes in quotes_by_question(report, project_id, source=source).items():
            blocks.append(Quotes(question, quotes))
        n = people_count(report, source, project_id)
        intro = [spec.description] if spec.description else []
        intro.append(f"{_cap(narrative.people(n, report.policy))} answered.")
        out.append(Section(_cap(spec.title), intro, blocks))
    return out


def coding_quality_section(report) -> Section | None:
    """How well the keyword coding matched the agreed codes (technical page)."""
    quality = coding_quality(report)
    if quality is None or quality.empty:
        return None
    return Section("How well the computer coding matched people",
                   ["People agreed the themes of some answers. Precision is the share of the computer's codes that "
                    "people agreed with; recall is the share of people's codes the computer found."],
                   [Table(quality, f"{MACHINE_CODING[report.codes_source]} compared with the themes people agreed")])


MACHINE_CODING = {"rules": "Keyword coding", "codebook": "Coding by meaning against the codebook",
                  "model": "Coding by the trained model"}

"""The sections of the reliability page: how consistently people coded, and the machine beside them.

Each builder returns a :class:`~evalkit.report.blocks.Section`, or None when the programme has
no codes for it.
"""
from __future__ import annotations

from evalkit.report import sections
from evalkit.report.blocks import Figure, Markdown, Paragraphs, Section, Table


def _codes(report):
    codes = report.double_coding
    return None if codes is None or codes.empty else codes


def _table(report):
    from evalkit import reliability

    return sections._cached(report, "reliability", lambda: reliability.theme_reliability(_codes(report), seed=report.seed).summary_frame())


def what_this_shows(report) -> Section:
    """What double coding is and how many answers it covers."""
    codes = _codes(report)
    intro = ["Two or more people coded the same answers without seeing each other's codes. If they often agree, "
             "the themes are clear enough to trust. The unit is one answer and one theme: did the coder give that "
             "answer that theme, or not?"]
    if codes is None:
        intro.append("None of the double-coded answers matched an answer in the data, so there is nothing to compare.")
    else:
        answers = codes[["source", "response_id", "column"]].drop_duplicates()
        intro.append(f"{len(answers)} answers were coded by {codes['coder'].nunique()} people.")
    if report.codes_set_aside:
        intro.append(f"{report.codes_set_aside} codes pointed at no known answer or theme and were set aside.")
    return Section("What this shows", intro)


def agreement(report) -> Section | None:
    """Agreement per theme: the dot plot and the table, each statistic with its 95% CI."""
    if _codes(report) is None:
        return None
    table = _table(report)
    return Section("How much the coders agreed", [], [
        Figure(sections.reliability_figure(table, report),
               table=Table(sections.reliability_table(table, report),
                           "Agreement between the coders, theme by theme (each with its 95% confidence interval)"))])


def reading_guide() -> Section:
    """How to read kappa, alpha and AC1."""
    from evalkit import reliability

    return Section("How to read these numbers", [], [Markdown(reliability.reading_guide())])


def disputed(report, path: str) -> Section | None:
    """Answers the coders disagreed on (saved as a workbook for a consensus meeting)."""
    from evalkit import reliability

    codes = _codes(report)
    if codes is None:
        return None
    texts = report.answers[["source", "response_id", "column", "text"]]
    found = reliability.disagreements(codes, texts=texts)
    reliability.export_disagreements(found, path)
    return Section("Answers the coders disagreed on", [
        f"These go to a consensus meeting where the coders agree one set of codes. The list is saved as {path}.",
        f"{len(found)} answers have at least one theme the coders did not agree on."],
        [Table(sections.disagreement_table(found, report), "The first ten answers in dispute, with each coder's themes")])


def machine_and_people(report) -> Section | None:
    """The theme classifier against the agreed codes, beside person-with-person agreement (needs agreed codes)."""
    from evalkit import reliability

    codes, truth = _codes(report), report.ground_truth
    if codes is None or truth is None or truth.empty:
        return None
    shared = sorted(set(codes["source"]) & set(truth["source"]))
    if not shared:
        return None
    answers = report.answers[report.answers["source"].isin(shared)]
    machine = reliability.machine_vs_people(answers[["source", "response_id", "column", "text"]],
                                            truth[truth["source"].isin(shared)],
                                            codes[codes["source"].isin(shared)], seed=report.seed, n_boot=500)
    return Section("The computer compared with people", [
        "We trained the theme classifier on some coded answers and asked it to code the rest (5-fold "
        "cross-validation). If it agrees with the agreed codes about as well as a second person does, it can help; "
        "it never replaces people."],
        [Table(sections.reliability_table(machine, report),
               "Agreement: person with person, and machine with the agreed codes")])


__all__ = ["agreement", "disputed", "machine_and_people", "reading_guide", "what_this_shows"]

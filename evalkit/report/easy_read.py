"""The easy-read summary: one idea per line, short words, large type (rendered with .easy-read CSS).

Every sentence is written from the programme's own figures: the number of projects as counted,
the people who answered, the scale's own words, and what the data does and does not show.
"""
from __future__ import annotations

from evalkit.report import narrative, sections


def _pct_words(pct: float | None) -> str:
    """Turn a percentage into everyday words."""
    if pct is None:
        return "some people"
    if pct >= 75:
        return "most people"
    if pct >= 55:
        return "more than half of people"
    if pct >= 45:
        return "about half of people"
    if pct >= 25:
        return "some people"
    return "only a few people"


def _what_this_is(report) -> list[str]:
    k = len(sections.projects_with_rows(report))
    lines = [f"This is about {k} project{'s' if k != 1 else ''}." if k != 1 else "This is about one project."]
    survey = sections.survey_name(report)
    if survey is not None:
        n = sections.people_count(report, survey)
        lines.append(f"{narrative.people(n, report.policy).capitalize()} told us what they thought.")
    if report.synthetic:
        lines.append("The people and answers in this sample are made up.")
    return lines


def _ratings(report) -> list[str]:
    if not sections._survey_items(report):
        return []
    shares, verb = sections._shares(report, None)
    lines = []
    for row in shares.sort_values(["pct", "item"], ascending=[False, True], na_position="last").itertuples():
        if row.pct is None or row.pct != row.pct:
            lines.append(f"Too few people answered \"{row.label}\" to say.")
        else:
            lines.append(f"{_pct_words(row.pct).capitalize()} {verb}: \"{row.label}\".")
    return lines


def _themes(report) -> list[str]:
    if not sections._survey_texts(report):
        return []
    coded = sections.survey_coded(report)
    names = sections.theme_names(report)
    counts = coded.drop_duplicates(["response_id", "column", "theme_id"]).groupby("theme_id").size()
    counts = counts[[not report.policy.is_suppressed(c) for c in counts]]
    top = [names.get(t, t) for t in counts.sort_values(ascending=False, kind="stable").index[:4]]
    return [f"{t}." for t in top] or ["Too few answers to say."]


def _outcomes(report) -> list[str]:
    lines = []
    for pair in narrative.outcome_pairs(report):
        if len(sections.synthesis_projects(report, pair)) < 2:
            continue
        r = sections.synthesis(report, pair).result
        if r.estimate >= 0.2:
            lines.append(f"On average, people's {pair.name} scores went up a little.")
        elif r.estimate <= -0.2:
            lines.append(f"On average, people's {pair.name} scores went down a little.")
        else:
            lines.append(f"On average, people's {pair.name} scores stayed about the same.")
        if r.ci_low <= 0 <= r.ci_high:
            lines.append("This might be chance.")
        lines.append("It was different in different projects.")
        lines.append("We cannot be sure the projects caused this.")
    return lines


def easy_read_lines(report) -> list[tuple[str, list[str]]]:
    """Return (heading, lines) pairs for the easy-read summary of the programme.

    Each line holds one idea in short words. Numbers are rounded and follow the suppression
    policy; uncertain results say so. Parts the programme has no data for are left out.
    """
    out = [("What this is", _what_this_is(report))]
    for heading, lines in (("What people said about it", _ratings(report)),
                           ("What people wrote about most", _themes(report)),
                           ("What changed", _outcomes(report))):
        if lines:
            out.append((heading, lines))
    out.append(("What this means", _what_this_means(report)))
    return out


def _what_this_means(report) -> list[str]:
    lines = []
    survey = sections.survey_name(report)
    small = survey is not None and any(sections.people_count(report, survey, p) < 20
                                       for p in sections.projects_with_rows(report))
    if small:
        lines += ["Some groups were small.", "So these results are a starting point for talking, not proof."]
    else:
        lines.append("These results are a starting point for talking, not proof.")
    lines.append("Small numbers are hidden to keep people private.")
    if not report.answers.empty:
        lines.append("Names and contact details were taken out of every quote.")
    return lines

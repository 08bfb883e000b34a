"""The easy-read summary: one idea per line, short words, large type (rendered with .easy-read CSS)."""
from __future__ import annotations

from evalkit.compare.programme import survey_layout
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


def easy_read_lines(report) -> list[tuple[str, list[str]]]:
    """Return (heading, lines) pairs for the easy-read summary of the programme.

    Each line holds one idea in short words. Numbers are rounded and follow the suppression
    policy; uncertain results say so.
    """
    policy = report.policy
    survey = report.tables[sections.SURVEY]
    layout = survey_layout(report)
    out = [("What this is", [
        f"This is about {len(report.projects)} projects.",
        "In each project, people who use services worked with staff and researchers as equals.",
        "This is called co-production.",
        f"{narrative.people(len(survey), policy).capitalize()} told us what it was like.",
    ] + (["The people and answers in this sample are made up."] if report.synthetic else []))]

    shares = narrative.agreement_shares(survey, list(layout.items), dict(layout.labels), policy)
    lines = []
    for row in shares.sort_values(["pct", "item"], ascending=[False, True]).itertuples():
        lines.append(f"{_pct_words(row.pct).capitalize()} agreed: \"{row.label}\".")
    out.append(("What people said about working together", lines))

    coded = sections.survey_coded(report)
    names = sections.theme_names(report)
    counts = coded.drop_duplicates(["response_id", "column", "theme_id"]).groupby("theme_id").size()
    top = [names.get(t, t) for t in counts.sort_values(ascending=False, kind="stable").index[:4]]
    out.append(("What people wrote about most", [f"{t}." for t in top] or ["Too few answers to say."]))

    wellbeing = []
    for pair in narrative.outcome_pairs(report):
        syn = sections.synthesis(report, pair)
        r = syn.result
        if r.estimate >= 0.2:
            wellbeing.append(f"On average, people's {pair.name} went up a little.")
        elif r.estimate <= -0.2:
            wellbeing.append(f"On average, people's {pair.name} went down a little.")
        else:
            wellbeing.append(f"On average, people's {pair.name} stayed about the same.")
        wellbeing.append("It was different in different projects.")
        wellbeing.append("We cannot be sure the projects caused this.")
    if wellbeing:
        out.append(("How people felt", wellbeing))

    out.append(("What this means", [
        "The projects were small.",
        "So these results are a starting point for talking, not proof.",
        "Small numbers are hidden to keep people private.",
        "Names and contact details were taken out of every quote.",
    ]))
    return out

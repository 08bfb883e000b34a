"""Plain-language sentences and notes the pages share: headlines, summaries, how themes were found, privacy notes."""
from __future__ import annotations

import pandas as pd

from evalkit.compare.plots import ALL, median_words
from evalkit.compare.programme import PROJECT
from evalkit.privacy.suppression import SUPPRESSED
from evalkit.report import narrative
from evalkit.report.facts import (_cap, characteristic_facts, _characteristics, comparisons, doubted_themes, has_rows,
                                  _noun, _people, people_count, project_effect, project_names, projects_with_rows,
                                  rating_facts, representation_reference, scale_groups, _survey_items, survey_name,
                                  _survey_texts, synthesis_projects, theme_counts_all, theme_names)
from evalkit.report.pooled import synthesis


def privacy_statement(policy) -> str:
    """How small numbers are handled on these pages, in plain words (shares from exact counts)."""
    if not policy.enabled:
        return policy.statement()
    rounding = (f" Other numbers of people are rounded to the nearest {policy.round_to}." if policy.round_to > 1 else "")
    return (f"To protect people's privacy, numbers of people from 1 to {policy.min_count - 1} are shown as "
            f"\"{SUPPRESSED}\".{rounding} Shares (percentages) are worked out from the exact numbers; a share is "
            "hidden too when it would let someone work out a hidden number, and where one hidden number could be "
            f"worked out from a total, another is hidden beside it. Averages and middle answers of fewer than "
            f"{policy.min_summary_n} people are not shown. Zero is shown as 0. This follows NHS Digital's rules for "
            "publishing small numbers.")


def _empty_survey_sentence(report) -> str | None:
    survey = report.roles.survey
    if survey is None or survey_name(report) is not None:
        return None
    return (f"None of the rows of {report.sources[survey].title} could be used, so there are no answers to "
            "report; the data files need fixing first (see below).")


def ratings_headline(report, project_id: str | None = None) -> list[str]:
    """The sentences about the survey's rating questions, by the one ranking rule."""
    return narrative.ranking_sentences(rating_facts(report, project_id), scale_groups(report), report.policy)


def _ratings_caption(report, facts, groups, who: str) -> str:
    """A chart title that states the message (the same figures as the headline)."""
    known = [s for s in facts if s.high_pct is not None]
    if len(facts) == 1 and known:
        return f"{who}: {known[0].high_pct}% of people {narrative.about(groups, [facts[0].label])}"
    if not known:
        return f"{who}: the shares are hidden to protect privacy"
    top, bottom = narrative.extremes(known)
    if top[0] is bottom[0] or top[0].high_pct == bottom[0].high_pct:
        return f"{who}: {top[0].high_pct}% of people {groups.verb()} for every {_noun(report)} shown"
    return (f"{who}: between {bottom[0].high_pct}% and {top[0].high_pct}% of people {groups.verb()}, "
            f"depending on the {_noun(report)}")


SHARES_NOTE = ("\"*\" means hidden to protect privacy: fewer than {min} people, or a number that would let one be "
               "worked out. Shares are of the exact numbers of people.")


COUNTS_NOTE = ("\"*\" means 1 to {low} people, or a number hidden so that one cannot be worked out; other numbers are "
               "rounded to the nearest {round_to}. See \u201cAbout this report\u201d.")


def counts_note(policy) -> str:
    """The short note under a table of numbers of people (the full statement is in "About this report")."""
    if not policy.enabled:
        return privacy_statement(policy)
    return COUNTS_NOTE.format(low=policy.min_count - 1, round_to=policy.round_to)


def _ratings_heading(report) -> tuple[str, str]:
    groups = scale_groups(report)
    if groups.kind == "agreement":
        return "How far people agreed with each statement", f"Each statement was answered on a scale from {_ends(report)}."
    return "How people answered the rating questions", f"Each question was answered on a scale from {_ends(report)}."


def _ends(report) -> str:
    """'"Strongly disagree" (1) to "Strongly agree" (5)', worst to best, or '1 to 7' without labels."""
    groups = scale_groups(report)
    low, high = groups.order[0], groups.order[-1]

    def named(v):
        label = groups.labels[v]
        return f'"{label}" ({v})' if label != str(v) else str(v)

    return f"{named(low)} to {named(high)}"


def _themes_line(report, project_id: str | None) -> str | None:
    if not _survey_texts(report):
        return None
    counts = theme_counts_all(report, project_id)
    counts = counts[[not report.policy.is_suppressed(c) and c > 0 for c in counts]]
    if counts.empty:
        return None
    names = theme_names(report)
    doubted = doubted_themes(report)
    top = list(counts.index[:3])
    listed = narrative._listed([names.get(t, t).lower() for t in top])
    line = f"The things people wrote about most were {listed}."
    flagged = [names.get(t, t) for t in top if t in doubted]
    if flagged:
        line += (f" Reviewers doubted {narrative._listed(flagged)} when they checked the themes, so read "
                 f"{'it' if len(flagged) == 1 else 'them'} with care.")
    return line


def answered(report, n: int) -> str:
    """'About 80 people answered the feedback survey.' (the survey's label when the config gives one).

    Without a respondent column each row counts as one person, and the sentence says so.
    """
    spec = report.sources[survey_name(report)]
    label = f" {spec.label}" if spec.label else ""
    note = "" if spec.respondent_column else " (each row is counted as one person: the data has no respondent column)"
    return f"{_cap(narrative.people(n, report.policy))} answered{label}{note}."


def quarantine_sentence(report) -> str | None:
    """One plain sentence on rows set aside because of problems in the data, or None."""
    held = report.quarantined_rows
    total = int(held["rows"].sum()) if len(held) else 0
    codes = report.codes_set_aside
    parts = []
    if total:
        where = ", ".join(f"{r:,} from {label}" for label, r in zip(held["label"], held["rows"]))
        where = f" ({where})" if len(held) > 1 else ""
        parts.append(f"{total:,} row{'s' if total != 1 else ''} of data could not be used because of problems "
                     f"in the files{where}; the research team has the list in quarantine.csv.")
    if codes:
        parts.append(f"{codes:,} coded answer{'s' if codes != 1 else ''} pointed at no known answer or theme "
                     "and were set aside.")
    return " ".join(parts) or None


def project_summary(report, project_id: str) -> list[str]:
    """Plain-language key findings for one project, in short sentences."""
    policy = report.policy
    if not has_rows(report, project_id):
        return ["No answers from this project were in the data files, so there is nothing to report yet."]
    lines = []
    survey = survey_name(report)
    if survey is not None:
        n = people_count(report, survey, project_id)
        lines.append(answered(report, n))
        if n and _survey_items(report):
            lines += ratings_headline(report, project_id)
        themes = _themes_line(report, project_id) if n else None
        if themes:
            lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        if _has_outcome_rows(report, pair, project_id):
            lines.append(narrative.change_sentence(project_effect(report, pair, project_id), pair.name, policy))
    for source in report.roles.others:
        for col in report.columns_of_type(source, "likert"):
            sentence = other_rating_sentence(report, source, col, project_id)
            if sentence:
                lines.append(sentence)
    return lines


def other_rating_sentence(report, source: str, column: str, project_id: str | None) -> str | None:
    """One sentence on a rating question of another source, from the same figures as its table."""
    facts = rating_facts(report, project_id, source=source, columns=[column])
    if not facts or not facts[0].n:
        return None
    s = facts[0]
    groups = scale_groups(report, source, column)
    label = s.label.rstrip("?")
    if not report.policy.summary_allowed(s.n):
        return f"Too few people answered \u201c{label}\u201d to show the result."
    if s.high_pct is not None:
        return (f"{s.high_pct}% of the {narrative.people(s.n, report.policy)} who answered "
                f"\u201c{label}\u201d {groups.verb()}.")
    return (f"The middle answer to \u201c{label}\u201d was {median_words(s.median, groups)} "
            f"({narrative.people(s.n, report.policy)}).")


def narrative_values(report, source: str, column: str, project_id: str | None) -> pd.Series:
    """One answer per person to one rating question of a source (in one project, or all)."""
    people = _people(report, source)
    if project_id is not None:
        people = people[people[PROJECT] == project_id]
    return people[column]


def coding_method(report) -> str:
    """One sentence on where the themes came from (the config's ``report.codes``)."""
    choice = report.codes_source
    if choice == "agreed":
        return ("People read the written answers and agreed which themes each one raises. One answer can "
                "raise several themes.")
    if choice == "codebook":
        return ("A computer compared the meaning of each written answer with the programme's list of themes, "
                "their descriptions and examples, so people should check the themes ring true. One answer can "
                "raise several themes.")
    if choice == "model":
        return ("A computer program that learnt from answers people had already sorted into themes chose the "
                "themes of each written answer, so people should check the themes ring true. One answer can "
                "raise several themes.")
    return ("A computer matched the words in each written answer against the programme's list of themes, so "
            "people should check the themes ring true. One answer can raise several themes.")


def _has_outcome_rows(report, pair, project_id: str) -> bool:
    """Whether anyone in the project gave both scores of an outcome measure."""
    spec = report.sources[pair.source]
    table = report.tables[pair.source].dropna(subset=[pair.before, pair.after])
    return bool((table[spec.project_column] == project_id).any())


CHANGE_GUIDE = ("This was not a trial, so a change cannot be put down to the project alone.")


SIZE_NOTE = ("Size of the change compares the change with how much scores vary from person to person: "
             "about 0.2 is small, 0.5 medium and 0.8 large.")


def measure_sentence(report, pair) -> str:
    """What the outcome measure is: its source, its question and its range of scores."""
    spec = report.sources[pair.source]
    column = spec.columns[pair.before]
    label = (column.label or pair.before)
    span = ""
    if column.min is not None and column.max is not None:
        span = f" Scores can run from {column.min:g} to {column.max:g}."
    return (f"{_cap(pair.name)} was measured with {spec.title}, at the start and at the end "
            f"(\u201c{label}\u201d).{span}")


def missing_voices(report, project_id: str | None = None) -> list[str]:
    """Groups whose share of the people who answered is well below their share in the reference.

    A group is named when its share is under two thirds of the reference share. Shares are
    of the people who gave one of the reference's answers (so "Prefer not to say" and blanks
    are left out of both sides). Hidden numbers stay hidden: such a group is named with "fewer
    than 8 people".
    """
    reference = representation_reference(report)
    if reference is None or survey_name(report) is None:
        return []
    policy = report.policy
    labels = {c: label for c, label, _ in _characteristics(report)}
    facts = characteristic_facts(report)
    scope = ALL if project_id is None else str(project_id)
    out = []
    for column, ref in reference["shares"].items():
        if column not in labels or scope not in facts.get(column, {}):
            continue
        cells = facts[column][scope]
        given = sum(n for c, (n, _, _) in cells.items() if c in ref)
        if not given:
            continue
        for category, expected in ref.items():
            n, shown, share = cells.get(category, (0, True, None))
            # judged among the people who gave one of the reference's answers; said as the table says it
            if expected >= 5 and 100.0 * n / given < expected * 2 / 3:
                here = (f"{share}% of the people who answered" if share is not None
                        else f"fewer than {policy.min_count} people" if policy.is_suppressed(n)
                        else "a hidden share of the people who answered")
                out.append(f"{labels[column]}, {category}: {here}, against {expected:g}% in {reference['label']}.")
    return out


def _projects_phrase(report) -> str:
    counted = projects_with_rows(report)
    declared = len(report.projects)
    k = len(counted)
    text = f"{k} project{'s' if k != 1 else ''} took part" if k != 1 else "One project took part"
    if declared > k:
        missing = declared - k
        text += f" ({missing} more {'is' if missing == 1 else 'are'} listed but had no answers in the data)"
    return text + "."


def programme_summary(report) -> list[str]:
    """Plain-language key findings for the whole programme."""
    lines = [_projects_phrase(report)]
    empty = _empty_survey_sentence(report)
    if empty:
        lines.append(empty)
    survey = survey_name(report)
    if survey is not None:
        n = people_count(report, survey)
        lines.append(answered(report, n))
        if _survey_items(report):
            lines += ratings_headline(report, None)
            low = lowest_projects(report)
            if low:
                lines.append(low)
        themes = _themes_line(report, None)
        if themes:
            lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        if len(synthesis_projects(report, pair)) >= 2:
            lines.append(synthesis(report, pair).plain_sentence)
    held = quarantine_sentence(report)
    if held:
        lines.append(held)
    if len(projects_with_rows(report)) > 1:
        lines.append("The projects differ in who answered and how many, so comparisons between them are "
                     "a starting point for discussion, not proof.")
    return lines


def lowest_projects(report) -> str | None:
    """Projects where the middle answer to some statement sits at the low end of the scale."""
    groups = scale_groups(report)
    names = project_names(report)
    found = []
    for pid in projects_with_rows(report):
        if not people_count(report, survey_name(report), pid):
            continue
        low = [s for s in rating_facts(report, pid) if s.median is not None
               and narrative._position(s.median, list(groups.order)) <= narrative._position(max(groups.low, key=lambda v: narrative._position(v, list(groups.order))), list(groups.order))]
        if low:
            found.append((names.get(pid, pid), low))
    if not found:
        return None
    parts = [f"{name} ({narrative._listed([narrative._quoted(s.label) for s in low])})" for name, low in found]
    return (f"Not every project felt the same: in {narrative._listed(parts)}, at least half the people "
            f"{groups.verb('low')}.")


def difference_findings(report) -> list[dict]:
    """Questions whose answers differed between projects, with the pairs that differed clearly.

    A question is listed when the between-project test gives p < 0.05; a pair is clear when
    its Holm-corrected p < 0.05, both groups have 20 people or more and the interval of
    Cliff's delta does not include 0 (the same rule :func:`evalkit.compare.describe_difference`
    uses for "not uncertain").
    """
    from evalkit.compare.tests_between import SMALL_GROUP

    names = project_names(report)
    order = scale_groups(report).order
    better_is_higher = order[-1] > order[0]  # a scale where 1 is best is never read upside down
    out = []
    for item, g in comparisons(report).items():
        if g.note:
            continue
        om = g.omnibus.iloc[0]
        if not om["p"] < 0.05:
            continue
        higher: dict[str, list[str]] = {}
        for row in g.pairwise.sort_values("p_holm", kind="stable").to_dict("records"):
            small = min(row["n_a"], row["n_b"]) < SMALL_GROUP
            spans = row["delta_low"] <= 0 <= row["delta_high"]
            if row["p_holm"] < 0.05 and not small and not spans:
                a_better = (row["delta"] > 0) == better_is_higher
                high, low = (row["group_a"], row["group_b"]) if a_better else (row["group_b"], row["group_a"])
                higher.setdefault(names.get(high, high), []).append(names.get(low, low))
        pairs = [f"people in {high} answered more positively than in {narrative._listed(lows)}"
                 for high, lows in higher.items()]
        out.append({"item": item, "label": g.label, "clear_pairs": pairs})
    return out


def glossary_terms(report) -> list[tuple[str, str]]:
    """The terms the programme page uses, each in one plain sentence."""
    terms = [("Share", "Out of everyone who answered a question, how many gave that kind of answer, as a "
              "percentage."),
             ("Middle answer", "Put everyone's answers in order from lowest to highest: the middle answer is the one "
              "in the middle (statisticians call it the median)."),
             ("Hidden number (*)", f"A number of people from 1 to {report.policy.min_count - 1}, or a number that "
              "would let one be worked out, left out to protect people's privacy.")]
    if narrative.outcome_pairs(report):
        terms += [("Size of the change", "The change in scores compared with how much scores vary from person to "
                   "person, so different measures can be compared: about 0.2 is small, 0.5 medium and 0.8 large "
                   "(statisticians call it a standardised mean change)."),
                  ("Likely range", "The range the true value probably lies in, given how many people answered (a "
                   "95% confidence interval). If it includes 0, the change could be chance."),
                  ("Range for a new project", "Where a new, similar project's change would probably fall (a "
                   "prediction interval).")]
    if _survey_texts(report):
        terms.append(("Theme", "A topic people wrote about. One answer can raise several themes."))
    return terms

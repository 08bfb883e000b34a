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
"""
from __future__ import annotations

import pandas as pd

from evalkit import compare
from evalkit.compare.plots import (ALL, ScaleGroups, median_words, mostly_hidden, percent_text, rating_chart,
                                   rating_counts_table, rating_shares_by_scope, shares_table, whole_percent)
from evalkit.compare.programme import PROJECT, canonical_table, survey_layout
from evalkit.figures import FigureWithAlt
from evalkit.privacy.suppression import SUPPRESSED
from evalkit.report import narrative
from evalkit.report.blocks import (Bullets, Definitions, Figure, Links, Markdown, Paragraphs,  # noqa: F401
                                   Quotes, Section, Table)

CAUTION = "When few people answer, treat every finding as a prompt for discussion, not a proven result."
TECHNICAL_PAGE = "technical.html"
EASY_READ_PAGE = "easy-read.html"
PROGRAMME_PAGE = "programme.html"


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


def theme_names(report) -> dict[str, str]:
    """Theme id -> plain name, from the programme's codebook."""
    return {tid: theme.name for tid, theme in report.codebook.themes.items()}


def theme_definitions(report) -> dict[str, str]:
    """Theme id -> its definition in the codebook."""
    return {tid: (theme.definition or "") for tid, theme in report.codebook.themes.items()}


def _cached(report, key, compute):
    """Compute once per report; kept on the report so it travels with a pickled bundle."""
    cache = report.__dict__.setdefault("_section_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def survey_name(report) -> str | None:
    """The main survey source (None when the programme has none, or none of its rows could be used)."""
    survey = report.roles.survey
    return survey if survey is not None and len(report.tables[survey]) else None


def _empty_survey_sentence(report) -> str | None:
    survey = report.roles.survey
    if survey is None or survey_name(report) is not None:
        return None
    return (f"None of the rows of {report.sources[survey].title} could be used, so there are no answers to "
            "report; the data files need fixing first (see below).")


def survey_coded(report, source: str | None = None) -> pd.DataFrame:
    """The themes reports use for one source's answers (default: the survey)."""
    source = source or survey_name(report)
    return report.coded[report.coded["source"] == source]


def _people(report, source: str) -> pd.DataFrame:
    """One row per person of a source, keys under fixed names (cached)."""
    return _cached(report, ("people", source), lambda: canonical_table(report, source, per_person=True))


def people_count(report, source: str, project_id: str | None = None) -> int:
    """How many people answered a source (in one project, or in all)."""
    people = _people(report, source)
    if project_id is not None:
        people = people[people[PROJECT] == project_id]
    return len(people)


def projects_with_rows(report) -> list[str]:
    """Declared projects with at least one row in some source, in config order."""
    seen = set()
    for name, table in report.tables.items():
        seen.update(table[report.sources[name].project_column].dropna().astype(str))
    return [p for p in report.projects.index if p in seen]


def has_rows(report, project_id: str) -> bool:
    """Whether a project has any row in any source."""
    return project_id in projects_with_rows(report)


def _survey_items(report) -> list[str]:
    source = survey_name(report)
    return [] if source is None else report.columns_of_type(source, "likert")


def _survey_texts(report) -> list[str]:
    source = survey_name(report)
    return [] if source is None else report.columns_of_type(source, "free_text")


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


def profile(report) -> compare.ProgrammeProfile:
    """Per-project profile tables of the survey (roles, response rates, ratings, medians, tone, themes)."""
    def compute():
        source = survey_name(report)
        scores = report.sentiment[report.sentiment["source"] == source]
        scores = scores.rename(columns={"project_id": PROJECT})
        coded = survey_coded(report) if _survey_texts(report) else None
        return compare.profile_programme(report, coded=coded, sentiment=scores if len(scores) else None)

    return _cached(report, "profile", compute)


def for_project(table: pd.DataFrame | None, project_id: str, column: str = PROJECT) -> pd.DataFrame | None:
    """Rows of a programme table that belong to one project (all rows if it has no project column)."""
    if table is None or column not in table.columns:
        return table
    return table[table[column] == project_id].reset_index(drop=True)


def project_names(report) -> dict[str, str]:
    """Project id -> name."""
    return report.projects["name"].to_dict()


def project_pages(report) -> dict[str, str]:
    """Project id -> the file name of its page (the pipeline's names)."""
    from evalkit.report.pipeline import safe_names

    return {pid: f"project-{name}.html" for pid, name in zip(report.projects.index, safe_names(report.projects.index))}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- one figure per fact: rating questions ------------------------------------------------------

def scale_groups(report, source: str | None = None, column: str | None = None) -> ScaleGroups:
    """The scale of the survey's rating questions (or of one column of another source), grouped."""
    if column is not None:
        spec = report.sources[source].columns[column]
        return ScaleGroups.from_scale(spec.scale_spec, levels=sorted(spec.scale_labels),
                                      level_labels=spec.scale_labels)
    layout = survey_layout(report)
    return ScaleGroups.from_scale(layout.scale, levels=layout.levels, level_labels=layout.level_labels)


def rating_facts(report, project_id: str | None = None, source: str | None = None,
                 columns: list[str] | None = None) -> list:
    """Each rating question's shares, worked out once from exact counts (cached).

    For the survey by default (every rating question, for one project or all); for another
    source give ``source`` and ``columns``. Every project and the whole programme are worked out
    together, so that no hidden figure of one project can be found by subtracting the others
    from the programme's.
    """
    source = source or survey_name(report)

    def compute():
        people = _people(report, source)
        items = columns if columns is not None else _survey_items(report)
        labels = {c: report.sources[source].columns[c].label or c for c in items}
        groups = scale_groups(report, source, items[0]) if columns is not None else scale_groups(report)
        return rating_shares_by_scope(people, items, groups, scope_column=PROJECT, labels=labels,
                                      policy=report.policy)

    by_scope = _cached(report, ("facts", source, tuple(columns or ())), compute)
    if project_id is None:
        return by_scope[ALL]
    if str(project_id) in by_scope:
        return by_scope[str(project_id)]
    groups = scale_groups(report, source, columns[0]) if columns is not None else scale_groups(report)
    items = columns if columns is not None else _survey_items(report)
    return [s.__class__(s.item, s.label, 0, {v: 0 for v in groups.order}, {g: 0 for g in groups.groups()},
                        {g: True for g in groups.groups()}, {v: True for v in groups.order},
                        {g: None for g in groups.groups()}, None, None) for s in by_scope[ALL][:len(items)]]


def _noun(report) -> str:
    groups = scale_groups(report)
    return "statement" if groups.kind == "agreement" else "question"


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


def ratings(report, project_id: str | None = None) -> Section | None:
    """Rating questions of the survey: the chart (or a sentence), its table and the answer counts."""
    if not _survey_items(report) or (project_id is not None and not people_count(report, survey_name(report), project_id)):
        return None
    heading, intro = _ratings_heading(report)
    rule = narrative.ranking_rule(scale_groups(report), _noun(report), len(_survey_items(report)))
    return Section(heading, [intro, rule], _ratings_blocks(report, project_id))


# --- one figure per fact: themes ---------------------------------------------------------------

def framework_matrix(report):
    """The :class:`~evalkit.compare.FrameworkMatrix` of the survey's written answers (cached)."""
    return _cached(report, "framework", lambda: compare.programme_framework(report, coded=survey_coded(report)))


def theme_facts(report) -> pd.DataFrame:
    """Per project and theme: people who raised it, people who answered, and the published share.

    Shares are whole percentages of the exact counts, shown only when neither the people who
    raised the theme nor those who did not are 1 to ``min_count - 1``.
    """
    def compute():
        policy = report.policy
        raw = framework_matrix(report).raw
        rows = []
        for r in raw.to_dict("records"):
            n, total = int(r["n"]), int(r["responses"])
            ok = (total and policy.summary_allowed(total)
                  and not policy.is_suppressed(n) and not policy.is_suppressed(total - n))
            rows.append({PROJECT: r[PROJECT], "theme_id": r["theme_id"], "label": r["label"], "n": n,
                         "people": total, "pct": whole_percent(n, total) if ok else None,
                         "n_text": policy.format_count(n)})
        return pd.DataFrame(rows, columns=[PROJECT, "theme_id", "label", "n", "people", "pct", "n_text"])

    return _cached(report, "theme_facts", compute)


def theme_counts_all(report, project_id: str | None) -> pd.Series:
    """People raising each theme (exact), in one project or all, largest first."""
    facts = theme_facts(report)
    part = facts if project_id is None else facts[facts[PROJECT] == project_id]
    return part.groupby("theme_id")["n"].sum().sort_values(ascending=False, kind="stable")


def doubted_themes(report) -> dict[str, str]:
    """Theme id -> a short note, for themes member-check reviewers doubted more than they agreed with."""
    def compute():
        checked = member_check_summary(report)
        if checked is None:
            return {}
        table = checked[0]
        ids = {v: k for k, v in theme_names(report).items()}
        out = {}
        for row in table.to_dict("records"):
            yes = int(row.get("rings true", 0))
            doubt = int(row.get("not quite", 0)) + int(row.get("doesn't fit", 0))
            if doubt and doubt >= yes:
                out[ids.get(row["Theme"], row["Theme"])] = (f"{doubt} of {int(row['Reviewers'])} reviewers doubted "
                                                            "this theme")
        return out

    return _cached(report, "doubted", compute)


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


def theme_table(report, project_id: str) -> pd.DataFrame:
    """Themes raised in one project's answers: what each means, how many raised it, and checks."""
    facts = theme_facts(report)
    part = facts[facts[PROJECT] == project_id].copy()
    # Shown counts largest first; hidden ones after them in name order (their order would say more than "*").
    shown_n = [0 if report.policy.is_suppressed(n) else n for n in part["n"]]
    part = part.assign(order=[-n for n in shown_n]).sort_values(["order", "label"], kind="stable")
    part = part[part["n"] > 0]
    definitions = theme_definitions(report)
    doubted = doubted_themes(report)
    out = pd.DataFrame({"Theme": part["label"].to_numpy(),
                        "What it means": [definitions.get(t, "") for t in part["theme_id"]],
                        "People who raised it": part["n_text"].to_numpy(),
                        "Share of people who answered": [percent_text(p) for p in part["pct"]]})
    if doubted:
        out["Checked by reviewers"] = [doubted.get(t, "") for t in part["theme_id"]]
    return out


# --- project page ---------------------------------------------------------------------------

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


def main_points(report, project_id: str | None = None) -> Section:
    """The main points of a project page (or of the programme page when ``project_id`` is None)."""
    lines = project_summary(report, project_id) if project_id is not None else programme_summary(report)
    intro = ["These are the main things the answers show, in short sentences. The sections below give the detail."]
    return Section("The main points", intro, [Bullets(lines)])


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


def joint_display(report, project_id: str) -> pd.DataFrame:
    """One row per rating question: its share and middle answer, the top theme of its principle, a quote."""
    raw = compare.programme_joint_display(report, project_id, coded=survey_coded(report))
    facts = {s.label: s for s in rating_facts(report, project_id)}
    groups = scale_groups(report)
    themes = theme_facts(report)
    mine = themes[themes[PROJECT] == project_id].set_index("label")
    rows = []
    for statement, part in raw[raw["statement"] != ""].groupby("statement", sort=False):
        s = facts.get(statement)
        candidates = [t for t in part["theme"] if t in mine.index]
        best = max(candidates, key=lambda t: (mine.loc[t, "n"], t), default=None) if candidates else None
        quote = part.loc[part["theme"] == best, "quote"].iloc[0] if best is not None else ""
        shown = best is not None and not report.policy.is_suppressed(int(mine.loc[best, "n"])) and mine.loc[best, "n"] > 0
        rows.append({
            "Statement": statement,
            f"Share who {groups.verb()}": percent_text(s.high_pct) if s else "",
            "Middle answer": median_words(s.median, groups) if s else "",
            "Theme written about most": best if shown else "(no theme raised by enough people to show)",
            "People who raised it": mine.loc[best, "n_text"] if shown else "",
            "Quote": quote if shown and isinstance(quote, str) else "",
        })
    return pd.DataFrame(rows)


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


# --- tables ------------------------------------------------------------------------------------

def quotes_by_question(report, project_id: str | None, source: str | None = None, n: int | None = None) -> dict[str, list[str]]:
    """Question -> a few redacted answers (chosen with the report seed), questions in order of appearance."""
    source = source or survey_name(report)
    n = n if n is not None else int((report.report_settings or {}).get("quotes_per_question", 3))
    answers = report.answers[report.answers["source"] == source]
    if project_id is not None:
        answers = answers[answers["project_id"] == project_id]
        if report.policy.is_suppressed(people_count(report, source, project_id)):
            return {}  # a quote from one of a handful of people may identify them
    questions = list(dict.fromkeys(answers["question"]))
    out = {q: report.quotes(project_id, source, q, n=n) for q in questions}
    return {q: quotes for q, quotes in out.items() if quotes}


def rating_table(report, project_id: str | None, source: str, column: str) -> pd.DataFrame:
    """People giving each answer to one rating question of a source, hidden together with its shares."""
    facts = rating_facts(report, project_id, source=source, columns=[column])
    return rating_counts_table(facts, scale_groups(report, source, column), report.policy)


def roles_table(report, project_id: str | None = None) -> pd.DataFrame:
    """People by role (suppressed), one row per project named in words, plus the programme total."""
    by_role = profile(report).by_role
    if project_id is not None:
        by_role = by_role.loc[[project_id]] if project_id in by_role.index else by_role.head(0)
    names = project_names(report)
    shown = by_role.rename(index=lambda p: names.get(p, "All projects" if p == "Programme" else p))
    shown.index.name = "Project"
    return shown


def _characteristics(report) -> list[tuple[str, str, list[str]]]:
    """(column, plain label, choices) of the survey's role and demographic columns."""
    layout = survey_layout(report)
    columns = ([layout.role_column] if layout.role_column else []) + \
        [c for c in layout.demographics if c != layout.role_column]
    spec = report.sources[survey_name(report)]
    return [(c, spec.columns[c].label or c.replace("_", " "), list(layout.choices.get(c, []))) for c in columns]


NOT_GIVEN = "Not given"


def characteristic_counts(report, project_id: str | None, column: str, choices: list[str]) -> dict[str, int]:
    """Exact people per answer of one characteristic (blanks as "Not given"), in one project or all."""
    people = _people(report, survey_name(report))
    if project_id is not None:
        people = people[people[PROJECT] == project_id]
    values = people[column].astype("string").str.strip().fillna(NOT_GIVEN).replace("", NOT_GIVEN)
    counts = values.value_counts()
    order = choices + sorted(c for c in counts.index if c not in choices and c != NOT_GIVEN) + [NOT_GIVEN]
    return {c: int(counts.get(c, 0)) for c in order if c != NOT_GIVEN or counts.get(c, 0)}


def _hidden_cells(counts: dict[str, int], policy) -> set[str]:
    """Cells of one distribution to hide: small counts, a second beside a lone one, never a small hidden sum."""
    return _joint_hidden({ALL: counts}, policy)[ALL]


def _joint_hidden(counts_by_scope: dict, policy) -> dict:
    """Scope -> hidden categories, for one question asked in several projects (and :data:`ALL`) at once."""
    from evalkit.compare.plots import protect_scopes

    categories = list(next(iter(counts_by_scope.values())))
    index = {c: i for i, c in enumerate(categories)}
    flat = ScaleGroups(order=tuple(range(len(categories))), labels=dict(enumerate(categories)), kind="other",
                       middle=tuple(range(len(categories))))
    hidden = protect_scopes(flat, {s: {index[c]: n for c, n in counts.items()} for s, counts in counts_by_scope.items()},
                            policy)
    return {s: {categories[key] for scope, kind, key in hidden if scope == s and kind == "level"}
            for s in counts_by_scope}


def _distribution_shares(counts: dict[str, int], policy, hidden: set | None = None) -> dict[str, int | None]:
    """Whole-percent shares of a distribution from exact counts, hidden with the counts."""
    total = sum(counts.values())
    hidden = _hidden_cells(counts, policy) if hidden is None else hidden
    ok = total and policy.summary_allowed(total)
    return {k: (whole_percent(v, total) if ok and k not in hidden and not policy.is_suppressed(total - v) else None)
            for k, v in counts.items()}


def characteristic_facts(report) -> dict:
    """Column -> scope (:data:`ALL` or a project) -> {answer: (people, shown, share)}, hidden jointly (cached)."""
    def compute():
        out = {}
        projects = [p for p in projects_with_rows(report) if people_count(report, survey_name(report), p)]
        for column, _, choices in _characteristics(report):
            everyone = characteristic_counts(report, None, column, choices)
            by_scope = {ALL: everyone} | {p: {c: characteristic_counts(report, p, column, choices).get(c, 0)
                                               for c in everyone} for p in projects}
            hidden = _joint_hidden(by_scope, report.policy)
            out[column] = {s: {c: (n, c not in hidden[s], _distribution_shares(counts, report.policy, hidden[s])[c])
                               for c, n in counts.items()} for s, counts in by_scope.items()}
        return out

    return _cached(report, "characteristics", compute)


def characteristics_table(report, project_id: str | None) -> pd.DataFrame:
    """People by each characteristic: count and share, with the reference share when the config gives one."""
    policy = report.policy
    reference = representation_reference(report)
    facts = characteristic_facts(report)
    scope = ALL if project_id is None else str(project_id)
    rows = []
    for column, label, _ in _characteristics(report):
        if column == report.roles.role_column:
            continue  # roles have their own table, counted once
        ref = reference["shares"].get(column, {}) if reference else {}
        for category, (n, shown, share) in facts[column].get(scope, {}).items():
            if project_id is not None and category == NOT_GIVEN and n == 0:
                continue
            row = {"Question": label, "Answer": category,
                   "People": policy.format_count(n) if shown else SUPPRESSED, "Share": percent_text(share)}
            if reference:
                row[f"Share in {reference['label']}"] = f"{ref[category]:g}%" if category in ref else ""
            rows.append(row)
    return pd.DataFrame(rows)


def representation_reference(report) -> dict | None:
    """The config's ``report.representation_reference`` ({label, shares}), or None."""
    ref = (report.report_settings or {}).get("representation_reference")
    if not ref:
        return None
    return {"label": ref.get("label") or "the reference population",
            "shares": {str(k): {str(c): float(v) for c, v in shares.items()} for k, shares in ref["shares"].items()}}


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


def sentiment_table(report) -> pd.DataFrame:
    """Tone of each person's written answers per project: people, shares from exact counts, average tone."""
    from evalkit.compare.profiles import NEGATIVE_CUTOFF, POSITIVE_CUTOFF

    policy = report.policy
    per_person = tone_by_person(report)
    names = project_names(report)
    rows = []
    for pid in [p for p in report.projects.index if p in set(per_person[PROJECT])]:
        x = per_person.loc[per_person[PROJECT] == pid, "compound"]
        counts = {"Mostly positive": int((x >= POSITIVE_CUTOFF).sum()),
                  "Neutral": int(((x > NEGATIVE_CUTOFF) & (x < POSITIVE_CUTOFF)).sum()),
                  "Mostly negative": int((x <= NEGATIVE_CUTOFF).sum())}
        shares = _distribution_shares(counts, policy)
        row = {"Project": names.get(pid, pid), "People": policy.format_count(len(x))}
        row |= {f"{k} (share of people)": percent_text(v) for k, v in shares.items()}
        row["Average tone"] = policy.format_summary(float(x.mean()), len(x), decimals=2)
        rows.append(row)
    return pd.DataFrame(rows)


def tone_by_person(report) -> pd.DataFrame:
    """Each person's written answers averaged to one tone score (from -1 to 1), one row per person."""
    def compute():
        source = survey_name(report)
        scores = report.sentiment[report.sentiment["source"] == source]
        per_person = scores.groupby(["project_id", "person_id"], as_index=False)["compound"].mean()
        return per_person.rename(columns={"project_id": PROJECT})

    return _cached(report, "tone", compute)


# --- programme page ---------------------------------------------------------------------------

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


def projects_table(report) -> pd.DataFrame:
    """Projects at a glance: topic, the facts the config declares, people who answered, response rate."""
    policy = report.policy
    facts_source = report.roles.facts
    facts = canonical_table(report, facts_source) if facts_source else None
    rates = profile(report).response_rates if survey_name(report) else None
    survey = survey_name(report)
    rows = []
    for pid, project in report.projects.iterrows():
        row = {"Project": project["name"]}
        if report.projects["theme"].notna().any():
            row["Topic"] = project["theme"] if pd.notna(project["theme"]) else ""
        if facts is not None:
            spec = report.sources[facts_source]
            f = facts[facts[PROJECT] == pid]
            for col, column in spec.columns.items():
                if col == spec.project_column:
                    continue
                value = f.iloc[0][col] if not f.empty and col in f.columns else None
                row[_fact_label(column.label or col)] = _fact_text(value, column, policy)
        if survey is not None:
            row["People who answered"] = policy.format_count(people_count(report, survey, pid))
        if rates is not None:
            r = for_project(rates, pid)
            if not r.empty:
                row["Share of people invited who answered"] = response_rate(report, pid)
        rows.append(row)
    return pd.DataFrame(rows)


def response_rate(report, project_id: str) -> str:
    """People who answered out of people invited, from exact counts, hidden when either side is small."""
    policy = report.policy
    invited_column = (report.report_settings or {}).get("invited_column")
    facts = canonical_table(report, report.roles.facts)
    row = facts[facts[PROJECT] == project_id]
    if row.empty or invited_column not in row or pd.isna(row.iloc[0][invited_column]):
        return ""
    invited = int(row.iloc[0][invited_column])
    answered_n = people_count(report, survey_name(report), project_id)
    if (not invited or invited < answered_n or not policy.summary_allowed(invited) or policy.is_suppressed(answered_n)
            or policy.is_suppressed(invited - answered_n)):
        return SUPPRESSED if invited else ""
    return f"{whole_percent(answered_n, invited)}%"


def _fact_label(label: str) -> str:
    """A column label without notes meant for whoever fills the file in ("(separated by ;)")."""
    import re

    return re.sub(r"\s*\((separated|one per|use ;)[^)]*\)", "", label).strip()


def _fact_text(value, column, policy) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column.type == "number":
        if column.counts_people:
            return policy.format_count(int(value))
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    return ", ".join(part.strip() for part in text.split(";") if part.strip()) if ";" in text else text


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


def by_project_table(report, projects: list[str]) -> pd.DataFrame:
    """One row per rating question: the share at the high end for all projects and for each project."""
    names = project_names(report)
    columns = {"All projects": rating_facts(report, None)}
    columns |= {names.get(p, p): rating_facts(report, p) for p in projects}
    noun = _cap(_noun(report))
    rows = []
    for i, s in enumerate(columns["All projects"]):
        rows.append({noun: s.label, **{name: percent_text(facts[i].high_pct) for name, facts in columns.items()}})
    return pd.DataFrame(rows)


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


def comparisons(report) -> dict:
    """Between-project tests of every rating question (cached)."""
    return _cached(report, "comparisons", lambda: compare.programme_comparisons(report))


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


def theme_matrix_table(report) -> pd.DataFrame:
    """Themes in rows, projects in columns: the published share of people who raised each theme."""
    facts = theme_facts(report)
    names = project_names(report)
    order = list(theme_counts_all(report, None).index)
    labels = dict(zip(facts["theme_id"], facts["label"]))
    rows = []
    for t in order:
        part = facts[facts["theme_id"] == t].set_index(PROJECT)
        rows.append({"Theme": labels[t], **{names.get(p, p): percent_text(part.loc[p, "pct"]) if p in part.index else ""
                                             for p in projects_with_rows(report) if p in set(facts[PROJECT])}})
    return pd.DataFrame(rows)


def theme_definitions_table(report) -> pd.DataFrame:
    """Every theme used, with its definition and what reviewers said of it."""
    facts = theme_facts(report)
    definitions = theme_definitions(report)
    doubted = doubted_themes(report)
    order = list(theme_counts_all(report, None).index)
    labels = dict(zip(facts["theme_id"], facts["label"]))
    out = pd.DataFrame({"Theme": [labels[t] for t in order], "What it means": [definitions.get(t, "") for t in order]})
    if doubted:
        out["Checked by reviewers"] = [doubted.get(t, "") for t in order]
    return out


def theme_heatmap(report) -> FigureWithAlt:
    """Heatmap of the published theme shares (themes by projects), colour scale fitted to the data."""
    from evalkit.compare.plots import theme_heatmap as draw

    facts = theme_facts(report)
    names = project_names(report)
    order = list(theme_counts_all(report, None).index)
    projects = [p for p in projects_with_rows(report) if p in set(facts[PROJECT])]
    labels = dict(zip(facts["theme_id"], facts["label"]))
    grid = facts.pivot(index="theme_id", columns=PROJECT, values="pct").reindex(index=order, columns=projects)
    doubted = doubted_themes(report)
    row_labels = [labels[t] + (" (doubted)" if t in doubted else "") for t in order]
    top = order[0] if order else None
    title = "Which themes people wrote about, project by project"
    if top is not None:
        title = f"{labels[top]} was the theme people wrote about most across the projects"
    return draw(grid, row_labels, [names.get(p, p) for p in projects], title=title, policy=report.policy)


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


def synthesis_projects(report, pair) -> list[str]:
    """Projects with enough before-and-after scores to combine."""
    effects = outcome_effects(report, pair)
    return [p for p, n in zip(effects["project"], effects["n"]) if report.policy.summary_allowed(int(n))]


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


def glossary(report) -> Section:
    """A short glossary of the terms the programme page uses."""
    return Section("Words used in this report", [], [Definitions(glossary_terms(report))])


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


def outcome_effects(report, pair) -> pd.DataFrame:
    """Standardised mean change (SMCR, Hedges-corrected) per project for one before/after measure."""
    from evalkit.effect_sizes import paired_effects_where_possible

    def compute():
        spec = report.sources[pair.source]
        table = report.tables[pair.source].dropna(subset=[pair.before, pair.after])
        table = table[table[spec.project_column].isin(report.projects.index)]
        effects, _ = paired_effects_where_possible(table, pair.before, pair.after, spec.project_column,
                                                   source=spec.path.name)
        return effects

    return _cached(report, ("effects", pair), compute)


def project_effect(report, pair, project_id: str) -> pd.Series | None:
    """One project's row of :func:`outcome_effects`, or None if it has too few pairs."""
    effects = outcome_effects(report, pair)
    rows = effects[effects["project"] == project_id]
    return None if rows.empty else rows.iloc[0]


def synthesis(report, pair) -> "Synthesis":
    """The :class:`Synthesis` of one outcome (cached per report)."""
    return _cached(report, ("synthesis", pair), lambda: Synthesis(report, pair))


def coding_quality(report, source: str | None = None) -> pd.DataFrame | None:
    """Per-theme precision and recall of the computer's coding (rules, codebook or model) against the agreed codes."""
    truth = report.ground_truth
    if truth is None or report.codes_source == "agreed":
        return None
    source = source or survey_name(report)
    truth = truth[truth["source"] == source]
    if truth.empty:
        return None
    key = ["response_id", "column", "theme_id"]
    found = survey_coded(report, source)[key].drop_duplicates()
    truth = truth[key].drop_duplicates()
    merged = found.merge(truth, on=key, how="outer", indicator=True)
    names = theme_names(report)
    rows = []
    for theme, part in merged.groupby("theme_id", sort=True):
        tp = int((part["_merge"] == "both").sum())
        fp = int((part["_merge"] == "left_only").sum())
        fn = int((part["_merge"] == "right_only").sum())
        rows.append({"Theme": names.get(theme, theme), "Answers coded by people": tp + fn,
                     "Precision": f"{tp / (tp + fp):.2f}" if tp + fp else "",
                     "Recall": f"{tp / (tp + fn):.2f}" if tp + fn else ""})
    return pd.DataFrame(rows)


def member_check_export(report, path) -> None:
    """Write the programme's member-check workbook: themes, definitions and redacted quotes."""
    from evalkit.member_check import export_member_check

    coded = survey_coded(report)
    leaves = report.codebook.leaves()
    themes = [{"theme_id": t, "label": report.codebook.themes[t].name,
               "definition": report.codebook.themes[t].definition} for t in leaves]
    texts = report.answers.merge(coded[["source", "response_id", "column", "theme_id"]],
                                 on=["source", "response_id", "column"])
    texts = texts[texts["text"].str.split().str.len() >= 6]
    quotes = texts.sample(frac=1.0, random_state=report.seed)[["theme_id", "text"]]
    quotes = quotes.sort_values("theme_id", kind="stable")
    export_member_check(themes, quotes, path, project=report.name)


def member_check_summary(report) -> tuple[pd.DataFrame, list[str], int] | None:
    """What co-producers said when checking the themes (their returned member-check sheets).

    Returns None when the programme has no returned sheets. Otherwise a per-theme table of
    answers, every comment (redacted, reviewers numbered rather than named), and how many
    answers were set aside because they could not be read.
    """
    from evalkit.member_check import import_member_checks, summarise_member_checks

    files = report.member_check_files
    if not files:
        return None
    returned = import_member_checks(files, themes=report.codebook.leaves())
    numbers = {f: f"Reviewer {i}" for i, f in enumerate(dict.fromkeys(returned["file"]), start=1)}
    returned["reviewer"] = returned["file"].map(numbers)
    summary = summarise_member_checks(returned)
    comments = [f"{theme}: {report.redact(c)}" for theme, cs in zip(summary["theme"], summary["comments"]) for c in cs]
    table = summary.drop(columns=["theme_id", "comments"]).rename(columns={"theme": "Theme", "reviewers": "Reviewers"})
    unclear = int((returned["problem"].fillna("") != "").sum())
    return table, comments, unclear


class Synthesis:
    """Per-project effects of one outcome, their random-effects meta-analysis and sensitivity checks."""

    def __init__(self, report, pair, method: str = "REML", knapp_hartung: bool = True):
        from evalkit.forest import forest_plot
        from evalkit.synthesis import leave_one_out, random_effects, subgroup_analysis

        names = project_names(report)
        themes = report.projects["theme"].to_dict()
        self.pair = pair
        self.method, self.knapp_hartung = method, knapp_hartung
        all_effects = outcome_effects(report, pair)
        allowed = [report.policy.summary_allowed(int(n)) for n in all_effects["n"]]
        self.withheld = all_effects[[not a for a in allowed]]
        self.effects = all_effects[allowed].reset_index(drop=True)
        labels = [names[p] for p in self.effects["project"]]
        self.labels = labels
        self.result = random_effects(self.effects["yi"], self.effects["vi"], method=method, knapp_hartung=knapp_hartung)
        self.forest = forest_plot(self.result, self.effects["yi"], self.effects["vi"], labels,
                                  effect_label=f"Standardised change in {pair.name} (SMCR)",
                                  title=f"Change in {pair.name}, project by project and combined")
        self.plain_forest = forest_plot(self.result, self.effects["yi"], self.effects["vi"], labels,
                                        effect_label=f"Size of the change in {pair.name}", plain=True,
                                        title=f"{_cap(pair.name)}: {self.headline}, project by project")
        self.leave_one_out = leave_one_out(self.effects["yi"], self.effects["vi"], labels, method=method,
                                           knapp_hartung=knapp_hartung)
        groups = [themes.get(p) for p in self.effects["project"]]
        usable = all(isinstance(g, str) and g for g in groups) and len(set(groups)) >= 2
        self.subgroups = subgroup_analysis(self.effects["yi"], self.effects["vi"], groups, method=method,
                                           knapp_hartung=knapp_hartung) if usable else None
        self.sentence = self._sentence()
        self.plain_sentence = self._plain_sentence()

    @property
    def headline(self) -> str:
        """What was found, in a few words ("scores went up a little on average, but this could be chance")."""
        r = self.result
        size = abs(r.estimate)
        if size < 0.2:
            words = "scores stayed about the same on average"
        else:
            words = f"scores went {'up' if r.estimate > 0 else 'down'} {'a little' if size < 0.5 else 'noticeably'} on average"
        if r.ci_low <= 0 <= r.ci_high and size >= 0.2:
            words += ", but this could be chance"
        return words

    def _sentence(self) -> str:
        r = self.result
        k = len(self.effects)
        return (f"Across the {k} projects with enough answers, the combined standardised change in {self.pair.name} "
                f"was {r.estimate:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f}; 95% prediction interval "
                f"{r.pi_low:.2f} to {r.pi_high:.2f}).")

    def _plain_sentence(self) -> str:
        r = self.result
        k = len(self.effects)
        sure = ("we cannot be sure it is more than chance, because the likely range includes no change"
                if r.ci_low <= 0 <= r.ci_high else "the change is bigger than chance alone would easily explain")
        spread = ("a new project could see no benefit" if r.pi_low <= 0 else "a new project would probably see some benefit")
        return (f"Across the {k} projects with enough answers, {self.pair.name} {self.headline.replace(', but this could be chance', '')} "
                f"(size of the change {r.estimate:.2f}; likely range {r.ci_low:.2f} to {r.ci_high:.2f}). "
                f"{_cap(sure)}. Results differed between projects, so {spread}.")

    def loo_table(self) -> pd.DataFrame:
        """Leave-one-out results for reading: the combined change without each project in turn."""
        loo = self.leave_one_out.reset_index()
        loo = loo.rename(columns={loo.columns[0]: "Project left out"})
        out = pd.DataFrame({"Project left out": loo["Project left out"],
                            "Combined change": loo["estimate"].map(lambda v: f"{v:.2f}"),
                            "95% CI": [f"{a:.2f} to {b:.2f}" for a, b in zip(loo["ci_low"], loo["ci_high"])]})
        if "tau2" in loo:
            out["tau\u00b2"] = loo["tau2"].map(lambda v: f"{v:.3f}")
        if "i2" in loo:
            out["I\u00b2"] = loo["i2"].map(lambda v: f"{v:.0f}%")
        return out


def effect_table(effects: pd.DataFrame, report, names: bool = True, plain: bool = False) -> pd.DataFrame:
    """Per-project effects for reading; effects resting on too few people are withheld.

    ``plain`` gives the words of the project and programme pages (size of the change, likely
    range); otherwise the technical names.
    """
    policy = report.policy
    rows = []
    for _, e in effects.iterrows():
        n = int(e["n"])
        fmt = lambda v, d=2: policy.format_summary(float(v), n, decimals=d)  # noqa: E731
        ci = f"{e['ci_low']:.{1 if plain else 2}f} to {e['ci_high']:.{1 if plain else 2}f}" if policy.summary_allowed(n) else "*"
        rows.append({
            "Project": report.projects.loc[e["project"], "name"] if names else e["project"],
            "People (before and after)": policy.format_count(n),
            "Average before": fmt(e["mean_before"], 1), "Average after": fmt(e["mean_after"], 1),
            ("Size of the change" if plain else "Standardised change (SMCR)"): fmt(e["yi"], 1 if plain else 2),
            ("Likely range" if plain else "95% CI"): ci,
        })
    return pd.DataFrame(rows)


def _with_ci(row, stat: str) -> str:
    """'0.66 (0.59 to 0.72)', or blank when the statistic is missing."""
    value = row.get(stat)
    if value is None or pd.isna(value):
        return ""
    low, high = row.get(f"{stat}_low"), row.get(f"{stat}_high")
    if low is None or pd.isna(low):
        return f"{value:.2f}"
    return f"{value:.2f} ({low:.2f} to {high:.2f})"


def reliability_table(table: pd.DataFrame, report) -> pd.DataFrame:
    """Per-theme reliability for reading: plain column names, each statistic with its 95% CI."""
    names = theme_names(report)
    rows = []
    for row in table.to_dict("records"):
        out = {"Theme": names.get(row["theme_id"], row["theme_id"])}
        if "comparison" in row:
            out = {"Comparison": row["comparison"], **out}
        out.update({
            "Answers": int(row["n_units"]), "Answers with the theme": int(row["n_positive"]),
            "Cohen's kappa": _with_ci(row, "kappa"), "Krippendorff's alpha": _with_ci(row, "alpha"),
            "Gwet's AC1": _with_ci(row, "ac1"), "Agreement": _with_ci(row, "agreement"),
            "Note": row.get("note") or "",
        })
        rows.append(out)
    return pd.DataFrame(rows)


def disagreement_table(disputed: pd.DataFrame, report, limit: int = 10) -> pd.DataFrame:
    """The first answers in dispute: the question, the (redacted) answer, and each coder's themes."""
    names = theme_names(report)
    coders = [c for c in disputed.columns if c not in {"key", "source", "response_id", "column", "text", "in_dispute"}]
    rows = []
    for row in disputed.head(limit).to_dict("records"):
        out = {"Question": report.label(row["source"], row["column"]) if "source" in row else "",
               "Answer": row.get("text", "")}
        for coder in coders:
            themes = [t.strip() for t in str(row[coder] or "").split(";") if t.strip()]
            out[coder.replace("_", " ")] = "; ".join(names.get(t, t) for t in themes) or "(no theme)"
        rows.append(out)
    return pd.DataFrame(rows)


def reliability_figure(table: pd.DataFrame, report) -> FigureWithAlt:
    """Dot plot of Krippendorff's alpha per theme with 95% CIs, and the 0.667 / 0.8 guide lines."""
    from evalkit.figures import OKABE_ITO, new_figure

    names = theme_names(report)
    rows = table[table["theme_id"] != "(all themes)"].sort_values("alpha", kind="stable")
    overall = table[table["theme_id"] == "(all themes)"]
    labels = [names.get(t, t) for t in rows["theme_id"]]
    fig, ax = new_figure(6.4, 0.5 * len(rows) + 2.0)
    y = range(len(rows))
    ax.errorbar(rows["alpha"], list(y), xerr=[rows["alpha"] - rows["alpha_low"], rows["alpha_high"] - rows["alpha"]],
                fmt="o", color=OKABE_ITO[4], ecolor=OKABE_ITO[4], capsize=3, label="alpha with 95% CI")
    for x, style, text in ((0.667, ":", "0.667: tentative"), (0.8, "--", "0.8: reliable")):
        ax.axvline(x, color="#444444", linestyle=style, linewidth=1)
        ax.text(x, len(rows) - 0.4, text, rotation=90, va="top", ha="right", fontsize=12)
    ax.set_yticks(list(y), labels, fontsize=13)
    ax.set_xlim(min(0.0, float(rows["alpha_low"].min()) - 0.05), 1.0)
    ax.set_xticks([0, 0.5, 1.0], ["0", "0.5", "1"], fontsize=13)
    ax.set_xlabel("Krippendorff's alpha\n(1 = full agreement, 0 = chance)", fontsize=13)
    ax.legend(loc="lower right", frameon=False, fontsize=12)
    fig.tight_layout()
    low = rows.iloc[0]
    high = rows.iloc[-1]
    reliable = int((rows["alpha"] >= 0.8).sum())
    overall_text = ""
    if not overall.empty:
        o = overall.iloc[0]
        overall_text = f" Across all themes alpha is {o['alpha']:.2f} (95% CI {o['alpha_low']:.2f} to {o['alpha_high']:.2f})."
    alt = (f"Dot plot of agreement between coders for {len(rows)} themes. Alpha ranges from {low['alpha']:.2f} "
           f"({names.get(low['theme_id'], low['theme_id'])}) to {high['alpha']:.2f} ({names.get(high['theme_id'], high['theme_id'])}); "
           f"{reliable} of {len(rows)} themes reach 0.8, the usual mark of reliable coding.{overall_text}")
    title = f"{reliable} of {len(rows)} themes were coded reliably (Krippendorff's alpha 0.8 or more)"
    return FigureWithAlt(fig, alt, title)


def project_title(report, project_id: str) -> tuple[str, list[str]]:
    """A project page's title and the paragraphs under it."""
    project = report.projects.loc[project_id]
    paragraphs = [project["description"] if isinstance(project["description"], str) else ""]
    if report.synthetic:
        paragraphs.append("This report uses synthetic sample data: the people and answers are invented.")
    if not has_rows(report, project_id):
        paragraphs.append("No answers from this project were in the data files, so there is nothing to report yet.")
    return f"{project['name']}: what people told us", paragraphs


def programme_title(report) -> tuple[str, list[str]]:
    """The programme page's title and the paragraphs under it."""
    paragraphs = [report.description]
    if report.synthetic:
        paragraphs.append("This report uses synthetic sample data: the projects, people and answers are invented.")
    return f"{report.name}: what we learned", paragraphs


def project_sections(report, project_id: str) -> list[Section]:
    """Every section of a project page the programme has data for, in page order."""
    if not has_rows(report, project_id):
        return [about_project(report)]
    parts = [main_points(report, project_id), who_answered(report, project_id), ratings(report, project_id),
             what_people_said(report, project_id), numbers_beside_words(report, project_id),
             *outcomes(report, project_id), *other_sources(report, project_id), about_project(report)]
    return [p for p in parts if p is not None]


def programme_sections(report) -> list[Section]:
    """Every section of the programme page the programme has data for, in page order."""
    parts = [main_points(report), projects_at_a_glance(report), who_answered_programme(report),
             programme_ratings(report), differences(report), themes_across(report), member_checking(report),
             you_said_we_did(report), *outcome_synthesis(report), tone(report), *other_sources(report),
             glossary(report), about_programme(report)]
    return [p for p in parts if p is not None]

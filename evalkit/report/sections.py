"""The content of each report section, computed from a :class:`~evalkit.report.data.ReportData`.

Every section builder returns a :class:`~evalkit.report.blocks.Section`, or None when the
programme has no data for it (no ratings, no written answers, no outcome measure...), so pages
show only what the programme has. Which source feeds which section comes from the config's
``report:`` block or the column types (:func:`evalkit.programme.roles.report_roles`); all
wording comes from the config and the data. Every table has passed through the programme's
suppression policy, and every count is of people.
"""
from __future__ import annotations

import pandas as pd

from evalkit import compare
from evalkit.compare.programme import PERSON, PROJECT, canonical_table, survey_layout
from evalkit.figures import FigureWithAlt
from evalkit.report import narrative
from evalkit.report.blocks import Bullets, Figure, Markdown, Paragraphs, Quotes, Section, Table  # noqa: F401

CAUTION = ("When few people answer, treat every finding as a prompt for discussion, not a proven result.")


def theme_names(report) -> dict[str, str]:
    """Theme id -> plain name, from the programme's codebook."""
    return {tid: theme.name for tid, theme in report.codebook.themes.items()}


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


def _scale(report):
    layout = survey_layout(report)
    return layout.scale


def _shares(report, project_id: str | None):
    """Per rating question: people answering, answering positively, and the publishable share."""
    layout = survey_layout(report)
    people = _people(report, survey_name(report))
    if project_id is not None:
        people = people[people[PROJECT] == project_id]
    positive, verb = narrative.positive_words(layout.scale)
    shares = narrative.agreement_shares(people, list(layout.items), dict(layout.labels), report.policy, positive)
    return shares, verb


def _themes_line(report, project_id: str | None) -> str | None:
    if not _survey_texts(report):
        return None
    coded = _coded_people(report)
    if project_id is not None:
        coded = for_project(coded, project_id)
    return narrative.themes_sentence(coded, theme_names(report), 0, report.policy, person_column=PERSON)


def _coded_people(report) -> pd.DataFrame:
    """The survey's codes with the person who wrote each answer (a person counts once per theme)."""
    def compute():
        answers = report.answers[["source", "response_id", "column", "person_id"]]
        return survey_coded(report).merge(answers, on=["source", "response_id", "column"], how="left")

    return _cached(report, "coded_people", compute)


def answered(report, n: int) -> str:
    """'About 80 people answered the feedback survey.' (the survey's label when the config gives one).

    Without a respondent column each row counts as one person, and the sentence says so.
    """
    spec = report.sources[survey_name(report)]
    label = f" {spec.label}" if spec.label else ""
    note = "" if spec.respondent_column else " (each row is counted as one person: the data has no respondent column)"
    return f"{narrative.people(n, report.policy).capitalize()} answered{label}{note}."


def quarantine_sentence(report) -> str | None:
    """One plain sentence on rows set aside because of problems in the data, or None."""
    held = report.quarantined_rows
    total = int(held["rows"].sum()) if len(held) else 0
    codes = report.codes_set_aside
    parts = []
    if total:
        where = ", ".join(f"{r} from {label}" for label, r in zip(held["label"], held["rows"]))
        where = f" ({where})" if len(held) > 1 else ""
        parts.append(f"{total} row{'s' if total != 1 else ''} of data could not be used because of problems "
                     f"in the files{where}; the research team has the list in quarantine.csv.")
    if codes:
        parts.append(f"{codes} coded answer{'s' if codes != 1 else ''} pointed at no known answer or theme "
                     "and were set aside.")
    return " ".join(parts) or None


# --- project page ---------------------------------------------------------------------------

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
            shares, verb = _shares(report, project_id)
            lines += narrative.principles_sentences(shares, verb)
        themes = _themes_line(report, project_id) if n else None
        if themes:
            lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        if _has_outcome_rows(report, pair, project_id):
            lines.append(narrative.change_sentence(project_effect(report, pair, project_id), pair.name, policy))
    for source in report.roles.others:
        part = for_project(report.tables[source], project_id, report.sources[source].project_column)
        for col in report.columns_of_type(source, "likert"):
            spec = report.sources[source].columns[col]
            values = narrative_values(report, source, col, project_id)
            sentence = narrative.rating_sentence(values, spec.label or col, policy, spec.scale_spec) if len(part) else None
            if sentence:
                lines.append(sentence)
    return lines


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
    """How many people answered the survey in one project, by role when the config names a role column."""
    survey = survey_name(report)
    if survey is None or not has_rows(report, project_id):
        return None
    n = people_count(report, survey, project_id)
    intro = [answered(report, n)]
    blocks = []
    if report.roles.role_column and n:
        blocks.append(Table(roles_table(report, project_id), "People who answered, by role", index=True,
                            note=report.policy.statement()))
    return Section("Who answered", intro, blocks)


def _ratings_blocks(report, project_id: str | None) -> list:
    blocks = []
    layout = survey_layout(report)
    if len(layout.levels) <= 5:
        blocks.append(Figure(likert_chart(report, project_id)))
    blocks.append(Table(distribution_table(report, project_id), "How many people gave each answer, question by question",
                        note=report.policy.statement()))
    blocks.append(Table(medians_table(report, project_id),
                        f"Middle answer (median) for each question, with a 95% confidence interval ({_scale_key(layout)})"))
    return blocks


def _scale_key(layout) -> str:
    labels = layout.level_labels
    return ", ".join(f"{v} = {labels[v]}" for v in sorted(labels))


def _ratings_heading(report) -> tuple[str, str]:
    scale = _scale(report)
    if scale is None or scale.kind == "agreement":
        return "How far people agreed with each statement", f"Each statement was answered on a scale from {_ends(report)}."
    return "How people answered the rating questions", f"Each question was answered on a scale from {_ends(report)}."


def _ends(report) -> str:
    """'1 ("Strongly disagree") to 5 ("Strongly agree")', or '1 to 7' when the values have no labels."""
    layout = survey_layout(report)
    values = sorted(layout.level_labels)
    low, high = values[0], values[-1]

    def named(v):
        label = layout.level_labels[v]
        return f'{v} ("{label}")' if label != str(v) else str(v)

    return f"{named(low)} to {named(high)}"


def ratings(report, project_id: str | None = None) -> Section | None:
    """Rating questions of the survey: chart, answer counts and medians."""
    if not _survey_items(report) or (project_id is not None and not people_count(report, survey_name(report), project_id)):
        return None
    heading, intro = _ratings_heading(report)
    return Section(heading, [intro], _ratings_blocks(report, project_id))


def what_people_said(report, project_id: str) -> Section | None:
    """Themes in one project's written answers, and a few quotes per question."""
    if not _survey_texts(report) or not people_count(report, survey_name(report), project_id):
        return None
    blocks = [Table(theme_table(report, project_id), "Themes in people's written answers",
                    note=report.policy.statement())]
    quotes = quotes_by_question(report, project_id)
    for question, chosen in quotes.items():
        blocks.append(Quotes(question, chosen))
    about_quotes = ("The quotes are chosen at random; names and contact details are removed." if quotes else
                    f"So few people answered that no quotes are shown: a quote from one of fewer than "
                    f"{report.policy.min_count} people could identify them.")
    return Section("What people said", [coding_method(report), about_quotes], blocks)


def coding_method(report) -> str:
    """One sentence on where the themes came from (the config's ``report.codes``)."""
    if report.roles.codes == "agreed":
        return ("People read the written answers and agreed which themes each one raises. One answer can "
                "raise several themes.")
    return ("A computer matched the words in each written answer against the programme's list of themes, so "
            "people should check the themes ring true. One answer can raise several themes.")


def numbers_beside_words(report, project_id: str) -> Section | None:
    """Ratings next to the theme people wrote about most for the same principle, with a quote."""
    source = survey_name(report)
    if source is None or not _survey_texts(report) or not people_count(report, source, project_id):
        return None
    if not any(report.sources[source].columns[i].principle for i in _survey_items(report)):
        return None
    return Section("Numbers beside words",
                   ["Each rating question is shown next to the theme people wrote about most for the same "
                    "principle, with a quote, so numbers and words can be read together."],
                   [Table(joint_display(report, project_id), "Ratings, themes and quotes side by side")])


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
            blocks.append(Table(effect_table(mine, report), f"Change in {pair.name} scores"))
        out.append(Section(f"{pair.name[:1].upper()}{pair.name[1:]} before and after",
                           [f"Some people gave {pair.name} scores at the start and at the end. " + CHANGE_GUIDE], blocks))
    return out


def _has_outcome_rows(report, pair, project_id: str) -> bool:
    """Whether anyone in the project gave both scores of an outcome measure."""
    spec = report.sources[pair.source]
    table = report.tables[pair.source].dropna(subset=[pair.before, pair.after])
    return bool((table[spec.project_column] == project_id).any())


CHANGE_GUIDE = ("The standardised change puts different measures on one scale: 0.2 is a small change, 0.5 "
                "medium and 0.8 large. This was not a trial, so a change cannot be put down to the project alone.")


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
            blocks.append(Table(rating_table(report, project_id, source, col), spec.columns[col].label or col,
                                note=report.policy.statement()))
        for question, quotes in quotes_by_question(report, project_id, source=source).items():
            blocks.append(Quotes(question, quotes))
        n = people_count(report, source, project_id)
        intro = [spec.description] if spec.description else []
        intro.append(f"{narrative.people(n, report.policy).capitalize()} answered.")
        out.append(Section(spec.title[:1].upper() + spec.title[1:], intro, blocks))
    return out


def about_project(report) -> Section:
    """How the project page was made, and the suppression statement."""
    texts = [report.policy.statement(), CAUTION]
    if any(report.columns_of_type(s, "free_text") for s in report.sources):
        texts.insert(0, "Names, emails, phone numbers, postcodes, NHS numbers and web addresses were removed from "
                        "every quote before this report was made.")
    if _survey_texts(report):
        texts.insert(0, coding_method(report))
    return Section("About this report", [], [Paragraphs(texts)])


# --- tables and charts ------------------------------------------------------------------------

def likert_chart(report, project_id: str | None = None) -> FigureWithAlt:
    """Diverging stacked bars of the survey's rating questions, for a project or the programme."""
    layout = survey_layout(report)
    people = _people(report, survey_name(report))
    if project_id is not None:
        people = people[people[PROJECT] == project_id]
    who = report.name if project_id is None else report.projects.loc[project_id, "name"]
    return compare.likert_diverging_chart(people, list(layout.items), labels=dict(layout.labels),
                                          levels=worst_first(layout), level_labels=layout.level_labels,
                                          scale=layout.scale, title=f"{who}: how people answered",
                                          policy=report.policy)


def worst_first(layout) -> list[int]:
    """The scale's values from worst to best (the order the diverging chart draws them)."""
    scale = layout.scale
    return sorted(layout.levels, reverse=scale is not None and not scale.higher_is_better)


def distribution_table(report, project_id: str | None = None) -> pd.DataFrame:
    """People giving each answer to each rating question (suppressed; the chart's data)."""
    layout = survey_layout(report)
    table = profile(report).likert
    if project_id is not None:
        table = for_project(table, project_id)
    else:
        table = table[table[PROJECT] == "All projects"] if PROJECT in table and (table[PROJECT] == "All projects").any() else table
    labels = dict(layout.labels)
    out = table.rename(columns={"item": "Question", "n": "People"})
    out = out.rename(columns=_level_headers(layout))
    if "Question" in out:
        out["Question"] = out["Question"].map(lambda i: labels.get(i, i))
    if project_id is not None:
        out = out.drop(columns=[PROJECT], errors="ignore")
    if PROJECT in out.columns:
        names = project_names(report)
        out[PROJECT] = out[PROJECT].map(lambda p: names.get(p, p))
        out = out.rename(columns={PROJECT: "Project"})
    return out.reset_index(drop=True)


def _level_headers(layout) -> dict:
    """Column names of the answer counts: each value with its label ("1 Very good", "1 Very good %")."""
    out = {}
    for value, label in layout.level_labels.items():
        name = f"{value} {label}" if label != str(value) else str(value)
        out[str(value)] = name
        out[value] = name
        out[f"{value} %"] = f"{name} %"
    return out


def medians_table(report, project_id: str | None = None) -> pd.DataFrame:
    """Median answer per question with its bootstrap 95% CI, labelled in plain words."""
    layout = survey_layout(report)
    medians = profile(report).medians
    if project_id is not None:
        medians = for_project(medians, project_id)
    labels = dict(layout.labels)
    out = pd.DataFrame({"Question": [labels.get(i, i) for i in medians["item"]],
                        "People": medians["n"].to_numpy(), "Median": medians["median"].to_numpy(),
                        "95% CI": [f"{lo} to {hi}" if lo != "*" else "*" for lo, hi in zip(medians["ci_low"], medians["ci_high"])]})
    if project_id is None and PROJECT in medians.columns:
        names = project_names(report)
        out.insert(0, "Project", [names.get(p, p) for p in medians[PROJECT]])
    return out


def theme_table(report, project_id: str) -> pd.DataFrame:
    """Themes raised in one project's answers, with how many people raised each."""
    themes = profile(report).themes
    if themes is None:
        return pd.DataFrame({"Theme": [], "People who raised it": [], "Share of people": []})
    names = theme_names(report)
    table = for_project(themes, project_id)
    return pd.DataFrame({"Theme": [names.get(t, t) for t in table["theme_id"]],
                         "People who raised it": table["n"].to_numpy(),
                         "Share of people": table["n %"].to_numpy()})


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


def joint_display(report, project_id: str) -> pd.DataFrame:
    """Numbers beside themes and quotes for one project (mixed-methods joint display)."""
    return compare.programme_joint_display(report, project_id, coded=survey_coded(report))


def rating_table(report, project_id: str | None, source: str, column: str) -> pd.DataFrame:
    """People giving each answer to one rating question of a source, with secondary suppression."""
    from evalkit.privacy.suppression import suppress_distribution

    values = narrative_values(report, source, column, project_id)
    labels = report.sources[source].columns[column].scale_spec.labels
    counts = values.dropna().astype(int).value_counts().reindex(sorted(labels), fill_value=0)
    return suppress_distribution({f"{k} {labels[k]}": int(n) for k, n in counts.items()},
                                 policy=report.policy, label_name="Answer", count_name="People")


def roles_table(report, project_id: str | None = None) -> pd.DataFrame:
    """People by role (suppressed), one row per project named in words, plus the programme total."""
    by_role = profile(report).by_role
    if project_id is not None:
        by_role = by_role.loc[[project_id]] if project_id in by_role.index else by_role.head(0)
    names = project_names(report)
    shown = by_role.rename(index=lambda p: names.get(p, p))
    shown.index.name = "Project"
    return shown


def sentiment_table(report) -> pd.DataFrame:
    """Tone of the survey's written answers per project (suppressed), projects named in words."""
    table = profile(report).sentiment.copy()
    names = project_names(report)
    table.insert(0, "Project", [names.get(p, p) for p in table.pop(PROJECT)])
    return table.rename(columns={"n": "Answers"})


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
    policy = report.policy
    lines = [_projects_phrase(report)]
    empty = _empty_survey_sentence(report)
    if empty:
        lines.append(empty)
    survey = survey_name(report)
    if survey is not None:
        n = people_count(report, survey)
        lines.append(answered(report, n))
        if _survey_items(report):
            shares, verb = _shares(report, None)
            lines += narrative.principles_sentences(shares, verb)
        themes = _themes_line(report, None)
        if themes:
            lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        if len(synthesis_projects(report, pair)) >= 2:
            lines.append(synthesis(report, pair).sentence)
    held = quarantine_sentence(report)
    if held:
        lines.append(held)
    if len(projects_with_rows(report)) > 1:
        lines.append("The projects differ in who answered and how many, so comparisons between them are "
                     "exploratory: a starting point for discussion, not proof.")
    return lines


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
                row[column.label or col] = _fact_text(value, column, policy)
        if survey is not None:
            row["People who answered"] = policy.format_count(people_count(report, survey, pid))
        if rates is not None:
            r = for_project(rates, pid)
            if not r.empty:
                row["Response rate"] = r.iloc[0]["response rate"]
        rows.append(row)
    return pd.DataFrame(rows)


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
    """Every declared project with its facts and how many people answered."""
    return Section("The projects at a glance", ["Each project, what it is about, and how many people answered."],
                   [Table(projects_table(report), "The projects and how many people answered",
                          note=report.policy.statement())])


def who_answered_programme(report) -> Section | None:
    """Who answered, by role and by the demographic questions the config declares."""
    survey = survey_name(report)
    if survey is None:
        return None
    layout = survey_layout(report)
    if not layout.role_column and not layout.demographics:
        return None
    blocks = []
    if layout.role_column:
        blocks.append(Table(roles_table(report), "People who answered, by role and project", index=True))
    representation, notes = compare.programme_representation(report)
    names = project_names(report)
    representation = representation.rename(columns=lambda c: names.get(c, c), index=lambda i: names.get(i, i))
    if PROJECT in representation.columns:
        representation[PROJECT] = representation[PROJECT].map(lambda p: names.get(p, p))
        representation = representation.rename(columns={PROJECT: "Project"})
    blocks.append(Table(representation, "Who answered, by characteristic, per project and for the whole programme"))
    flagged = [notes[p].replace(f"In {p},", f"In {names.get(p, p)},", 1) for p in sorted(notes) if notes[p]]
    if flagged:
        blocks.append(Bullets(flagged, heading="Whose voices may be missing"))
    return Section("Who answered", ["Who answered in each project, compared with the programme as a whole. This "
                                    "helps us see whose voices we heard, and whose we may be missing."], blocks)


def programme_ratings(report) -> Section | None:
    """The survey's rating questions for the whole programme and each project."""
    if not _survey_items(report):
        return None
    heading, intro = _ratings_heading(report)
    blocks = _ratings_blocks(report, None)
    layout = survey_layout(report)
    if len(layout.levels) <= 5 and len(projects_with_rows(report)) > 1:
        for pid in projects_with_rows(report):
            if not report.policy.is_suppressed(people_count(report, survey_name(report), pid)):
                blocks.insert(-2, Figure(likert_chart(report, pid)))
    return Section(heading, [intro], blocks)


def differences(report) -> Section | None:
    """Between-project tests of each rating question (needs two projects or more with ratings)."""
    source = survey_name(report)
    if not _survey_items(report):
        return None
    answered = [p for p in projects_with_rows(report) if people_count(report, source, p)]
    if len(answered) < 2:
        return None
    if not compare.programme_comparisons(report):
        return None  # no question has two projects with enough answers to compare
    table, sentences = differences_table(report)
    smallest = min(people_count(report, source, p) for p in answered)
    intro = ("We tested whether answers differed between projects, one answer per person, with methods suited to "
             "rating scales (Kruskal-Wallis, then pairwise comparisons with the Holm correction and Cliff's delta as "
             "the size of the difference).")
    if smallest < 20:
        intro += " Small groups make these tests uncertain."
    blocks = [Table(table, "Differences in answers between projects (Kruskal-Wallis test per question)")]
    blocks.append(Bullets(sentences, heading="Pairs of projects compared") if sentences else
                  Paragraphs(["No pair of projects differed clearly on any question."]))
    return Section("Do the projects differ?", [intro], blocks)


def differences_table(report) -> tuple[pd.DataFrame, list[str]]:
    """Kruskal-Wallis test per question across projects, and plain sentences for clear pairwise differences."""
    comparisons = compare.programme_comparisons(report)
    rows, sentences = [], []
    names = project_names(report)
    for item, g in comparisons.items():
        om = g.omnibus.iloc[0]
        tested = not g.note
        rows.append({"Question": g.label, "Projects": int(om["k"]), "People": report.policy.format_count(int(om["n"])),
                     "Kruskal-Wallis H": f"{om['H']:.2f}" if tested else "not tested",
                     "df": int(om["df"]) if tested else "",
                     "p": ("" if not tested else f"{om['p']:.3f}" if om["p"] >= 0.001 else "<0.001")})
        clear = g.pairwise[g.pairwise["p_holm"] < 0.05]
        scale = report.sources[survey_name(report)].columns[item].scale_spec
        better_is_higher = scale is None or scale.higher_is_better
        for row in clear.to_dict("records"):
            row = {k: (names.get(v, v) if k in ("group_a", "group_b", "a", "b") else v) for k, v in row.items()}
            if not better_is_higher:  # 1 is best: a higher rating is a worse one, so say it the scale's way
                row = {**row, "delta": -row["delta"], "delta_low": -row["delta_high"], "delta_high": -row["delta_low"]}
            sentence = compare.describe_difference(row, g.label, g.policy, confidence=g.confidence)
            if not better_is_higher:
                sentence = sentence.replace(" higher than ", " more favourably than ").replace(
                    " lower than ", " less favourably than ")
            sentences.append(sentence)
    return pd.DataFrame(rows), sentences


def themes_across(report) -> Section | None:
    """The framework matrix of projects and themes (needs written answers)."""
    if not _survey_texts(report) or not people_count(report, survey_name(report)):
        return None
    if survey_coded(report).empty:
        return Section("Themes across the projects", [coding_method(report)], [Paragraphs([
            "No written answer matched a theme in the programme's codebook, so there are no themes to compare. "
            "Check that the codebook fits this programme (codebook: in the configuration)."])])
    framework = framework_matrix(report)
    return Section("Themes across the projects",
                   ["The framework matrix puts projects in rows and themes in columns. Each cell gives how many "
                    "people raised the theme, a short summary and a quote. It is also saved as a spreadsheet "
                    "(framework_matrix.xlsx). " + coding_method(report)],
                   [Figure(framework.heatmap()),
                    Table(framework_table(report, framework),
                          "Framework matrix: each project's themes with a summary and a quote")])


def framework_table(report, framework) -> pd.DataFrame:
    """The framework matrix for reading: projects and themes by name, plain column names."""
    frame = framework.summary_frame()
    names = project_names(report)
    out = pd.DataFrame({"Project": [names.get(p, p) for p in frame[PROJECT]], "Theme": frame["label"],
                        "People who raised it": frame["n"], "Share of the project's people": frame["n %"],
                        "Summary": frame["summary"], "Quote": frame["quote"]})
    return out


def framework_matrix(report):
    """The :class:`~evalkit.compare.FrameworkMatrix` of the survey's written answers (cached)."""
    return _cached(report, "framework", lambda: compare.programme_framework(report, coded=survey_coded(report)))


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
    blocks = [Table(table, "How reviewers rated each theme"), Bullets(comments, heading="What reviewers said")]
    if unclear:
        blocks.append(Paragraphs([f"{unclear} answer{'s' if unclear != 1 else ''} could not be read (a reviewer "
                                  "wrote their own words instead of choosing an option); they are listed in the "
                                  "researcher notebook."]))
    return Section("Do the themes ring true?", intro, blocks)


def tone(report) -> Section | None:
    """How positive or negative the survey's written answers sound, per project."""
    if not _survey_texts(report) or profile(report).sentiment is None:
        return None
    return Section("How the written answers sound",
                   ["A computer method (VADER) scored how positive or negative each written answer sounds. This "
                    "is the tone of the writing, not a measure of how people are. It misses sarcasm and mixed "
                    "feelings, so read it beside the quotes."],
                   [Table(sentiment_table(report), "Tone of written answers per project (answers scored positive, "
                          "neutral or negative, and the mean and median score from -1 to 1)")])


def synthesis_projects(report, pair) -> list[str]:
    """Projects with enough before-and-after scores to combine."""
    effects = outcome_effects(report, pair)
    return [p for p, n in zip(effects["project"], effects["n"]) if report.policy.summary_allowed(int(n))]


def outcome_synthesis(report) -> list[Section]:
    """One section per before/after measure: each project's change and, with two or more, the combined result."""
    out = []
    for pair in narrative.outcome_pairs(report):
        effects = outcome_effects(report, pair)
        if effects.empty:
            continue
        title = f"{pair.name[:1].upper()}{pair.name[1:]}"
        blocks = []
        if len(synthesis_projects(report, pair)) >= 2:
            syn = synthesis(report, pair)
            blocks += [Paragraphs([syn.sentence]), Figure(syn.forest)]
            blocks.append(Table(effect_table(effects, report), f"Change in {pair.name} per project"))
            blocks.append(Table(syn.result.summary_frame().round(4), f"Combined result for {pair.name}"))
            blocks.append(Table(syn.loo_table(), "Leaving out one project at a time: does any single project drive the result?"))
            if syn.subgroups is not None:
                blocks.append(Paragraphs([syn.subgroups.summary()]))
            intro = [f"We combined each project's change in {pair.name} with a random-effects meta-analysis (REML "
                     "with the Knapp-Hartung adjustment, which suits a small number of projects). The prediction "
                     "interval shows the range of changes a new, similar project might see. " + CHANGE_GUIDE]
            out.append(Section(f"{title}: putting the projects together", intro, blocks))
        else:
            blocks.append(Table(effect_table(effects, report), f"Change in {pair.name} per project"))
            out.append(Section(f"{title} before and after", [CHANGE_GUIDE], blocks))
    return out


def coding_quality_section(report) -> Section | None:
    """How well the keyword coding matched the agreed codes (needs agreed codes and rule coding)."""
    quality = coding_quality(report)
    if quality is None or quality.empty:
        return None
    return Section("How well the computer coding matched people",
                   ["People agreed the themes of some answers. Precision is the share of the computer's codes that "
                    "people agreed with; recall is the share of people's codes the computer found."],
                   [Table(quality, "Keyword coding compared with the themes people agreed")])


def about_programme(report) -> Section:
    """How the programme page was made: suppression, caution, rows set aside."""
    texts = [report.policy.statement(), CAUTION]
    held = quarantine_sentence(report)
    if held:
        texts.append(held)
    return Section("About this report", [], [Paragraphs(texts)])


def outcome_effects(report, pair) -> pd.DataFrame:
    """Standardised mean change (SMCR, Hedges-corrected) per project for one before/after measure."""
    from evalkit.synthesis.effect_sizes import paired_effects_where_possible

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
    """Per-theme precision and recall of the rule coder against the programme's agreed codes."""
    truth = report.ground_truth
    if truth is None or report.roles.codes != "rules":
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
                     "Precision": round(tp / (tp + fp), 2) if tp + fp else float("nan"),
                     "Recall": round(tp / (tp + fn), 2) if tp + fn else float("nan")})
    return pd.DataFrame(rows)


def member_check_export(report, path) -> None:
    """Write the programme's member-check workbook: themes, definitions and redacted quotes."""
    from evalkit.people.member_check import export_member_check

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
    from evalkit.people.member_check import import_member_checks, summarise_member_checks

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
        from evalkit.synthesis.forest import forest_plot
        from evalkit.synthesis import leave_one_out, random_effects, subgroup_analysis

        names = project_names(report)
        themes = report.projects["theme"].to_dict()
        self.pair = pair
        all_effects = outcome_effects(report, pair)
        allowed = [report.policy.summary_allowed(int(n)) for n in all_effects["n"]]
        self.withheld = all_effects[[not a for a in allowed]]
        self.effects = all_effects[allowed].reset_index(drop=True)
        labels = [names[p] for p in self.effects["project"]]
        self.result = random_effects(self.effects["yi"], self.effects["vi"], method=method, knapp_hartung=knapp_hartung)
        self.forest = forest_plot(self.result, self.effects["yi"], self.effects["vi"], labels,
                                  effect_label=f"Standardised change in {pair.name} (SMCR)",
                                  title=f"Change in {pair.name}, project by project and combined")
        self.leave_one_out = leave_one_out(self.effects["yi"], self.effects["vi"], labels, method=method,
                                           knapp_hartung=knapp_hartung)
        groups = [themes.get(p) for p in self.effects["project"]]
        usable = all(isinstance(g, str) and g for g in groups) and len(set(groups)) >= 2
        self.subgroups = subgroup_analysis(self.effects["yi"], self.effects["vi"], groups, method=method,
                                           knapp_hartung=knapp_hartung) if usable else None
        self.sentence = self._sentence(report)

    def _sentence(self, report) -> str:
        r = self.result
        k = len(self.effects)
        size = abs(r.estimate)
        words = "about the same" if size < 0.2 else ("a little higher" if size < 0.5 else "noticeably higher")
        if r.estimate < 0 and size >= 0.2:
            words = words.replace("higher", "lower")
        sure = ("we cannot be sure it is more than chance" if r.ci_low <= 0 <= r.ci_high
                else "the combined change is bigger than chance alone would easily explain")
        spread = ("a new project could see no benefit" if r.pi_low <= 0 else "most projects are likely to see some benefit")
        return (f"Across the {k} projects with enough answers, {self.pair.name} scores were {words} at the end "
                f"than at the start (combined standardised change {r.estimate:.2f}, 95% CI {r.ci_low:.2f} to "
                f"{r.ci_high:.2f}); {sure}, and results differed between projects, so {spread}.")

    def loo_table(self) -> pd.DataFrame:
        """Leave-one-out results rounded for display."""
        loo = self.leave_one_out.reset_index()
        loo = loo.rename(columns={loo.columns[0]: "Project left out"})
        keep = ["Project left out"] + [c for c in ("estimate", "ci_low", "ci_high", "tau2", "i2") if c in loo.columns]
        return loo[keep].round(3)


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
    fig, ax = new_figure(8, 0.45 * len(rows) + 1.6)
    y = range(len(rows))
    ax.errorbar(rows["alpha"], list(y), xerr=[rows["alpha"] - rows["alpha_low"], rows["alpha_high"] - rows["alpha"]],
                fmt="o", color=OKABE_ITO[4], ecolor=OKABE_ITO[4], capsize=3, label="alpha with 95% CI")
    for x, style, text in ((0.667, ":", "0.667: tentative"), (0.8, "--", "0.8: reliable")):
        ax.axvline(x, color="#444444", linestyle=style, linewidth=1)
        ax.text(x, len(rows) - 0.4, text, rotation=90, va="top", ha="right", fontsize=10)
    ax.set_yticks(list(y), labels)
    ax.set_xlim(min(0.0, float(rows["alpha_low"].min()) - 0.05), 1.0)
    ax.set_xlabel("Krippendorff's alpha (1 = full agreement, 0 = chance)")
    ax.legend(loc="lower right", frameon=False)
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
    return FigureWithAlt(fig, alt, "Agreement between coders per theme (Krippendorff's alpha)")
def effect_table(effects: pd.DataFrame, report, names: bool = True) -> pd.DataFrame:
    """Display table of per-project effects; effects resting on too few people are withheld."""
    policy = report.policy
    rows = []
    for _, e in effects.iterrows():
        n = int(e["n"])
        fmt = lambda v, d=2: policy.format_summary(float(v), n, decimals=d)  # noqa: E731
        rows.append({
            "Project": report.projects.loc[e["project"], "name"] if names else e["project"],
            "People (before and after)": policy.format_count(n),
            "Mean before": fmt(e["mean_before"], 1), "Mean after": fmt(e["mean_after"], 1),
            "Standardised change": fmt(e["yi"]),
            "95% CI": (f"{e['ci_low']:.2f} to {e['ci_high']:.2f}" if policy.summary_allowed(n) else "*"),
        })
    return pd.DataFrame(rows)




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


def easy_read_sections(parts: list[tuple[str, list[str]]]) -> list[Section]:
    """The easy-read page's (heading, lines) pairs as sections, one line a paragraph."""
    return [Section(heading, [], [Paragraphs(lines)]) for heading, lines in parts]

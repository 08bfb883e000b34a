"""One figure per fact: what every page, table, chart and sentence of a report reads its numbers from.

Each rating question's shares (:func:`rating_facts`), the theme shares (:func:`theme_facts`), the
characteristics of who answered (:func:`characteristic_facts`), counts of people and the
per-project outcome effects are worked out once per report and cached on it (:func:`_cached`), so
a pickled bundle carries them and every place that shows a figure shows the same one.
"""
from __future__ import annotations

import pandas as pd

from evalkit import compare
from evalkit.compare.plots import ALL, rating_shares_by_scope, ScaleGroups, whole_percent
from evalkit.compare.programme import canonical_table, PROJECT, survey_layout


CAUTION = "When few people answer, treat every finding as a prompt for discussion, not a proven result."


TECHNICAL_PAGE = "technical.html"


EASY_READ_PAGE = "easy-read.html"


PROGRAMME_PAGE = "programme.html"


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
    from evalkit.report.page_names import safe_names

    return {pid: f"project-{name}.html" for pid, name in zip(report.projects.index, safe_names(report.projects.index))}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def representation_reference(report) -> dict | None:
    """The config's ``report.representation_reference`` ({label, shares}), or None."""
    ref = (report.report_settings or {}).get("representation_reference")
    if not ref:
        return None
    return {"label": ref.get("label") or "the reference population",
            "shares": {str(k): {str(c): float(v) for c, v in shares.items()} for k, shares in ref["shares"].items()}}


def tone_by_person(report) -> pd.DataFrame:
    """Each person's written answers averaged to one tone score (from -1 to 1), one row per person."""
    def compute():
        source = survey_name(report)
        scores = report.sentiment[report.sentiment["source"] == source]
        per_person = scores.groupby(["project_id", "person_id"], as_index=False)["compound"].mean()
        return per_person.rename(columns={"project_id": PROJECT})

    return _cached(report, "tone", compute)


def comparisons(report) -> dict:
    """Between-project tests of every rating question (cached)."""
    return _cached(report, "comparisons", lambda: compare.programme_comparisons(report))


def synthesis_projects(report, pair) -> list[str]:
    """Projects with enough before-and-after scores to combine."""
    effects = outcome_effects(report, pair)
    return [p for p, n in zip(effects["project"], effects["n"]) if report.policy.summary_allowed(int(n))]


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

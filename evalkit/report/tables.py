"""Tables for reading: each function returns a DataFrame the pages show, built from the facts."""
from __future__ import annotations

import pandas as pd

from evalkit import compare
from evalkit.compare.plots import ALL, median_words, percent_text, rating_counts_table, whole_percent
from evalkit.compare.programme import canonical_table, PROJECT
from evalkit.privacy.suppression import SUPPRESSED
from evalkit.report.facts import (_cap, characteristic_facts, _characteristics, _distribution_shares, doubted_themes,
                                  for_project, NOT_GIVEN, _noun, people_count, profile, project_names,
                                  projects_with_rows, rating_facts, representation_reference, scale_groups,
                                  survey_coded, survey_name, theme_counts_all, theme_definitions, theme_facts,
                                  theme_names, tone_by_person)


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

"""The content of each report section, computed from a :class:`~evalkit.report.data.ReportData`.

Notebooks stay narrative: they call these functions and display what comes back. Every table
returned here has passed through the programme's suppression policy.
"""
from __future__ import annotations

import pandas as pd

from evalkit import compare
from evalkit.compare.programme import survey_layout
from evalkit.figures import FigureWithAlt
from evalkit.report import narrative

SURVEY = "feedback_survey"
SESSIONS = "session_feedback"


def theme_names(report) -> dict[str, str]:
    """Theme id -> plain name, from the programme's codebook."""
    return {tid: theme.name for tid, theme in report.codebook.themes.items()}


def survey_coded(report, source: str = SURVEY) -> pd.DataFrame:
    """The rule coder's themes for one source's answers."""
    return report.coded[report.coded["source"] == source]


def _cached(report, key, compute):
    """Compute once per report; kept on the report so it travels with a pickled bundle."""
    cache = report.__dict__.setdefault("_section_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def profile(report) -> compare.ProgrammeProfile:
    """Per-project profile tables (roles, response rates, Likert, medians, sentiment, themes)."""
    def compute():
        scores = report.sentiment[report.sentiment["source"] == SURVEY]
        return compare.profile_programme(report, coded=survey_coded(report), sentiment=scores)

    return _cached(report, "profile", compute)


def for_project(table: pd.DataFrame, project_id: str, column: str = "project_id") -> pd.DataFrame:
    """Rows of a programme table that belong to one project (all rows if it has no project column)."""
    if column not in table.columns:
        return table
    return table[table[column] == project_id].reset_index(drop=True)


def project_summary(report, project_id: str) -> list[str]:
    """Plain-language key findings for one project, in short sentences."""
    policy = report.policy
    survey = for_project(report.tables[SURVEY], project_id)
    layout = survey_layout(report)
    name = report.projects.loc[project_id, "name"]
    lines = [f"{narrative.people(len(survey), policy).capitalize()} answered the feedback survey for {name}."]
    shares = narrative.agreement_shares(survey, list(layout.items), dict(layout.labels), policy)
    lines += narrative.principles_sentences(shares)
    coded = for_project(survey_coded(report), project_id)
    themes = narrative.themes_sentence(coded, theme_names(report), len(survey), policy)
    if themes:
        lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        effect = project_effect(report, pair, project_id)
        lines.append(narrative.change_sentence(effect, pair.name, policy))
    if SESSIONS in report.tables:
        sessions = for_project(report.tables[SESSIONS], project_id)
        for col in report.columns_of_type(SESSIONS, "likert"):
            sentence = narrative.rating_sentence(sessions[col], report.label(SESSIONS, col), policy)
            if sentence:
                lines.append(sentence)
    return lines


def outcome_effects(report, pair: narrative.OutcomePair) -> pd.DataFrame:
    """Standardised mean change (SMCR, Hedges-corrected) per project for one before/after measure."""
    from evalkit.effect_sizes import paired_effects

    def compute():
        spec = report.sources[pair.source]
        return paired_effects(report.tables[pair.source], pair.before, pair.after, spec.project_column,
                              source=spec.path.name)

    return _cached(report, ("effects", pair), compute)


def project_effect(report, pair: narrative.OutcomePair, project_id: str) -> pd.Series | None:
    """One project's row of :func:`outcome_effects`, or None if it has too few pairs."""
    effects = outcome_effects(report, pair)
    rows = effects[effects["project"] == project_id]
    return None if rows.empty else rows.iloc[0]


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


def likert_chart(report, project_id: str | None = None) -> FigureWithAlt:
    """Diverging stacked bars of the survey's Likert items, for a project or the programme."""
    layout = survey_layout(report)
    survey = report.tables[SURVEY] if project_id is None else for_project(report.tables[SURVEY], project_id)
    who = report.name if project_id is None else report.projects.loc[project_id, "name"]
    return compare.likert_diverging_chart(survey, list(layout.items), labels=dict(layout.labels),
                                          title=f"{who}: how people rated co-production", policy=report.policy)


def medians_table(report, project_id: str | None = None) -> pd.DataFrame:
    """Median answer per statement with its bootstrap 95% CI, labelled in plain words."""
    layout = survey_layout(report)
    medians = profile(report).medians
    if project_id is not None:
        medians = for_project(medians, project_id)
    labels = dict(layout.labels)
    out = pd.DataFrame({"Statement": [labels.get(i, i) for i in medians["item"]],
                        "People": medians["n"].to_numpy(), "Median": medians["median"].to_numpy(),
                        "95% CI": [f"{lo} to {hi}" if lo != "*" else "*" for lo, hi in zip(medians["ci_low"], medians["ci_high"])]})
    if project_id is None and "project_id" in medians.columns:
        out.insert(0, "Project", [report.projects.loc[p, "name"] for p in medians["project_id"]])
    return out


def theme_table(report, project_id: str) -> pd.DataFrame:
    """Themes raised in one project's answers, with how many answers raised each."""
    themes = profile(report).themes
    if themes is None:
        return pd.DataFrame()
    names = theme_names(report)
    table = for_project(themes, project_id)
    return pd.DataFrame({"Theme": [names.get(t, t) for t in table["theme_id"]],
                         "Respondents who raised it": table["n"].to_numpy(),
                         "Share of respondents": table["n %"].to_numpy()})


def quotes_by_question(report, project_id: str, source: str = SURVEY, n: int | None = None) -> dict[str, list[str]]:
    """Question text -> a few redacted answers from one project (chosen with the report seed)."""
    n = n or int((report.report_settings or {}).get("quotes_per_question", 3))
    return {report.label(source, col): report.quotes(project_id, source, col, n=n)
            for col in report.columns_of_type(source, "free_text")}


def joint_display(report, project_id: str) -> pd.DataFrame:
    """Numbers beside themes and quotes for one project (mixed-methods joint display)."""
    return compare.programme_joint_display(report, project_id, coded=survey_coded(report))


def rating_table(report, project_id: str | None, source: str = SESSIONS) -> pd.DataFrame:
    """Counts of each rating (suppressed) for a session-feedback rating question."""
    from evalkit.privacy.suppression import suppress_table

    table = report.tables[source] if project_id is None else for_project(report.tables[source], project_id)
    col = report.columns_of_type(source, "likert")[0]
    labels = report.sources[source].columns[col].scale_labels
    counts = table[col].value_counts().reindex(sorted(labels), fill_value=0)
    frame = pd.DataFrame({"Rating": [f"{k} {labels[k]}" for k in counts.index], "People": counts.to_numpy(),
                          "Total": len(table[col].dropna())})
    shown = suppress_table(frame, ["People", "Total"], percent_of={"People": "Total"}, policy=report.policy,
                           additive_columns=None)
    return shown.drop(columns=["Total"])


def project_names(report) -> dict[str, str]:
    """Project id -> name."""
    return report.projects["name"].to_dict()


def projects_table(report) -> pd.DataFrame:
    """Projects at a glance: theme, evaluation methods, co-producers, sessions, respondents, response rate."""
    policy = report.policy
    facts = report.tables.get("project_facts")
    rates = profile(report).response_rates
    rows = []
    for pid, project in report.projects.iterrows():
        row = {"Project": project["name"], "Topic": project["theme"]}
        if facts is not None:
            f = for_project(facts, pid)
            if not f.empty:
                f = f.iloc[0]
                row["Evaluation methods"] = ", ".join(m.strip() for m in str(f.get("evaluation_methods", "")).split(";") if m.strip())
                row["Co-producers"] = policy.format_count(int(f["n_coproducers"])) if pd.notna(f.get("n_coproducers")) else ""
                row["Sessions held"] = str(int(f["sessions_held"])) if pd.notna(f.get("sessions_held")) else ""
        if rates is not None:
            r = for_project(rates, pid)
            if not r.empty:
                row["Survey respondents"] = r.iloc[0]["respondents"]
                row["Response rate"] = r.iloc[0]["response rate"]
        rows.append(row)
    return pd.DataFrame(rows)


def programme_summary(report) -> list[str]:
    """Plain-language key findings for the whole programme."""
    policy = report.policy
    survey = report.tables[SURVEY]
    layout = survey_layout(report)
    lines = [f"{len(report.projects)} projects took part. "
             f"{narrative.people(len(survey), policy).capitalize()} answered the feedback survey."]
    shares = narrative.agreement_shares(survey, list(layout.items), dict(layout.labels), policy)
    lines += narrative.principles_sentences(shares)
    themes = narrative.themes_sentence(survey_coded(report), theme_names(report), len(survey), policy)
    if themes:
        lines.append(themes)
    for pair in narrative.outcome_pairs(report):
        syn = synthesis(report, pair)
        lines.append(syn.sentence)
    lines.append("Projects were small and each evaluated itself in its own way, so these findings are "
                 "exploratory: a starting point for discussion, not proof.")
    return lines


class Synthesis:
    """Per-project effects of one outcome, their random-effects meta-analysis and sensitivity checks."""

    def __init__(self, report, pair: narrative.OutcomePair, method: str = "REML", knapp_hartung: bool = True):
        from evalkit.forest import forest_plot
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
        self.subgroups = subgroup_analysis(self.effects["yi"], self.effects["vi"],
                                           [themes[p] for p in self.effects["project"]], method=method,
                                           knapp_hartung=knapp_hartung)
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


def synthesis(report, pair: narrative.OutcomePair) -> Synthesis:
    """The :class:`Synthesis` of one outcome (cached per report)."""
    return _cached(report, ("synthesis", pair), lambda: Synthesis(report, pair))


def differences_table(report) -> tuple[pd.DataFrame, list[str]]:
    """Kruskal-Wallis test per statement across projects, and plain sentences for clear pairwise differences."""
    comparisons = compare.programme_comparisons(report)
    rows, sentences = [], []
    for item, g in comparisons.items():
        om = g.omnibus.iloc[0]
        rows.append({"Statement": g.label, "Projects": int(om["k"]), "People": report.policy.format_count(int(om["n"])),
                     "Kruskal-Wallis H": f"{om['H']:.2f}", "df": int(om["df"]), "p": f"{om['p']:.3f}" if om["p"] >= 0.001 else "<0.001"})
        clear = g.pairwise[g.pairwise["p_holm"] < 0.05]
        for row in clear.to_dict("records"):
            sentences.append(compare.describe_difference(row, g.label, g.policy, confidence=g.confidence))
    return pd.DataFrame(rows), sentences


def coding_quality(report, source: str = SURVEY) -> pd.DataFrame | None:
    """Per-theme precision and recall of the rule coder against the programme's ground truth."""
    truth = report.ground_truth
    if truth is None:
        return None
    truth = truth[truth["source"] == source]
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


def roles_table(report, project_id: str | None = None) -> pd.DataFrame:
    """Respondents by role (suppressed), one row per project named in words, plus the programme total."""
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
    table.insert(0, "Project", [names.get(p, p) for p in table.pop("project_id")])
    return table


def member_check_summary(report) -> tuple[pd.DataFrame, list[str], int] | None:
    """What co-producers said when checking the themes (their returned member-check sheets).

    Returns None when the programme has no returned sheets. Otherwise a per-theme table of
    answers, every comment (redacted, reviewers numbered rather than named), and how many
    answers were set aside because they could not be read.
    """
    from evalkit.member_check import import_member_checks, summarise_member_checks
    from evalkit.privacy.redact import redact

    files = list(getattr(report.programme, "member_check_files", None) or [])
    if not files:
        return None
    returned = import_member_checks(files, themes=report.codebook.leaves())
    numbers = {f: f"Reviewer {i}" for i, f in enumerate(dict.fromkeys(returned["file"]), start=1)}
    returned["reviewer"] = returned["file"].map(numbers)
    summary = summarise_member_checks(returned)
    names = tuple(report.privacy.get("names") or ())
    comments = [f"{theme}: {redact(c, names=names)}" for theme, cs in zip(summary["theme"], summary["comments"]) for c in cs]
    table = summary.drop(columns=["theme_id", "comments"]).rename(columns={"theme": "Theme", "reviewers": "Reviewers"})
    unclear = int((returned["problem"].fillna("") != "").sum())
    return table, comments, unclear


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

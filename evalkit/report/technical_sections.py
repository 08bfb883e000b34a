"""The sections of the technical page: the tests, the combined analysis and the files behind the figures.

Project pages and the programme page say what was found in plain words; this page shows how:
between-project tests, medians with their intervals, the meta-analysis and its sensitivity
checks, how well the keyword coding matched people, every term explained, and the SHA-256
fingerprint of every input file. Every table still passes through the suppression policy.
"""
from __future__ import annotations

import pandas as pd

from evalkit.report import narrative, sections
from evalkit.report.blocks import Definitions, Figure, Links, Paragraphs, Section, Table

TERMS = (
    ("95% confidence interval (CI)", "The range the true value probably lies in: if the study were repeated many "
     "times, 95 in 100 such ranges would hold the true value. On the other pages it is called the likely range."),
    ("Bootstrap", "Working out an interval by re-sampling the answers many times (here 2,000 times, with a fixed "
     "seed so the result is the same every run)."),
    ("Median", "The middle answer when answers are put in order (\u201cmiddle answer\u201d on the other pages)."),
    ("Kruskal-Wallis test", "Checks whether answers to one question differ between projects more than chance would "
     "easily explain, using the order of answers rather than averages, which suits rating scales."),
    ("p value", "How often a difference at least this large would appear by chance alone if the projects did not "
     "really differ. Below 0.05 is the usual mark of a difference worth a closer look."),
    ("Holm correction", "Comparing many pairs of projects makes some small p values appear by chance; Holm's method "
     "raises each p value to allow for the number of pairs compared."),
    ("Cliff's delta", "How often a person in one project answered higher than a person in the other, minus how "
     "often lower: from -1 to 1, with 0 meaning no difference (about 0.15 small, 0.33 medium, 0.47 large)."),
    ("Standardised mean change (SMCR)", "The change from before to after divided by how much scores varied before "
     "(with Hedges' small-sample correction), so measures on different scales can be combined. On the other pages "
     "it is called the size of the change: about 0.2 is small, 0.5 medium and 0.8 large."),
    ("Random-effects meta-analysis", "Combining the projects' changes while allowing each project to have its own "
     "true change; projects with more people count for more."),
    ("REML", "Restricted maximum likelihood: the way the spread between projects (tau\u00b2) is estimated."),
    ("Knapp-Hartung adjustment", "Widens the interval of the combined change to allow for the small number of "
     "projects (it uses a t distribution)."),
    ("tau\u00b2 and I\u00b2", "How much the projects' true changes differ: tau\u00b2 on the scale of the change, "
     "I\u00b2 as the share of all variation that is between projects rather than chance (0% to 100%)."),
    ("Prediction interval", "Where a new, similar project's change would probably fall (the range for a new project "
     "on the other pages)."),
    ("Leave-one-out", "The combined change worked out again without each project in turn, to see whether one "
     "project drives the result."),
    ("Subgroup analysis", "The combined change worked out within groups of projects (here, by topic) and a test of "
     "whether the groups differ."),
    ("Precision and recall", "For the keyword coding: precision is the share of the computer's codes that people "
     "agreed with; recall is the share of people's codes the computer found."),
    ("VADER", "A word-list method that scores how positive or negative a piece of writing sounds, from -1 to 1."),
)


def title(report) -> tuple[str, list[str]]:
    """The technical page's title and the paragraphs under it."""
    return (f"{report.name}: how the figures were worked out",
            ["This page is for researchers and anyone who wants to check the figures in the other reports. The "
             "project reports, the programme report and the easy read say what was found in plain words; this "
             "page shows the tests and calculations behind them, and the files they came from.",
             "Every number here follows the same privacy rules as the other pages."])


def how_shares_work(report) -> Section:
    """The rules behind every share, headline and hidden number."""
    policy = report.policy
    groups = sections.scale_groups(report) if sections._survey_items(report) else None
    texts = [
        "Each share is worked out once, from the exact number of people, and shown as a whole percentage; the chart, "
        "its table, its description, the main points and the easy read all use that same figure.",
        f"A share is hidden when fewer than {policy.min_count} people gave that kind of answer, or when fewer than "
        f"{policy.min_count} gave any other answer, or when showing it would let a hidden number be worked out from "
        "the total. Hidden shares are never drawn on a chart: the bars start from each end and leave a gap.",
        sections.privacy_statement(policy),
    ]
    if groups is not None:
        texts.insert(1, f"Answers are grouped from the worst to the best end of the scale: "
                     + "; ".join(f"{groups.group_label(g)}" for g in groups.groups()) + ".")
        texts.append(narrative.ranking_rule(groups, sections._noun(report), len(sections._survey_items(report))))
    return Section("How the shares were worked out", [], [Paragraphs(texts)])


def medians(report) -> Section | None:
    """The median of every rating question, per project, with its bootstrap 95% CI."""
    if not sections._survey_items(report):
        return None
    table = sections.profile(report).medians
    groups = sections.scale_groups(report)
    layout_labels = {s.item: s.label for s in sections.rating_facts(report, None)}
    names = sections.project_names(report)

    def number(v):
        return v if isinstance(v, str) else f"{v:g}"

    out = pd.DataFrame({
        "Project": [names.get(p, p) for p in table[sections.PROJECT]],
        "Question": [layout_labels.get(i, i) for i in table["item"]],
        "People": table["n"].to_numpy(),
        "Median": [number(v) for v in table["median"]],
        "95% CI (bootstrap)": [f"{number(lo)} to {number(hi)}" if lo != "*" else "*"
                               for lo, hi in zip(table["ci_low"], table["ci_high"])],
    })
    key = ", ".join(f"{v} = {groups.labels[v]}" for v in sorted(groups.labels))
    return Section("Middle answers (medians) with their intervals",
                   [f"The scale: {key}. Intervals are percentile bootstrap intervals (2,000 resamples, seed "
                    f"{report.seed}). Medians of fewer than {report.policy.min_summary_n} answers are not shown."],
                   [Table(out, "Median answer per project and question, with a 95% bootstrap confidence interval")])


def differences(report) -> Section | None:
    """Kruskal-Wallis per question and the pairwise comparisons that reached Holm-corrected p < 0.05."""
    from evalkit.compare.tests_between import SMALL_GROUP

    if not sections._survey_items(report):
        return None
    answered = [p for p in sections.projects_with_rows(report)
                if sections.people_count(report, sections.survey_name(report), p)]
    if len(answered) < 2:
        return None
    names = sections.project_names(report)
    policy = report.policy
    tests, pairs = [], []
    found = 0
    for item, g in sections.comparisons(report).items():
        om = g.omnibus.iloc[0]
        tested = not g.note
        if tested and om["p"] < 0.05:
            found += 1
        tests.append({"Question": g.label, "Projects compared": int(om["k"]),
                      "People": policy.format_count(int(om["n"])),
                      "Kruskal-Wallis H": f"{om['H']:.2f}" if tested else "not tested",
                      "df": str(int(om["df"])) if tested else "",
                      "p": (_p(om["p"]) if tested else ""),
                      "Left out (too few people)": ", ".join(names.get(e, e) for e in g.excluded)})
        for row in g.pairwise.sort_values("p_holm", kind="stable").to_dict("records"):
            if not row["p_holm"] < 0.05:
                continue
            small = min(row["n_a"], row["n_b"]) < SMALL_GROUP
            spans = row["delta_low"] <= 0 <= row["delta_high"]
            why = ("clear" if not (small or spans) else
                   f"uncertain: {'a group has fewer than ' + str(SMALL_GROUP) + ' people' if small else ''}"
                   f"{'; ' if small and spans else ''}{'the interval of delta includes 0' if spans else ''}")
            pairs.append({"Question": g.label, "Project A": names.get(row["group_a"], row["group_a"]),
                          "People A": policy.format_count(int(row["n_a"])),
                          "Project B": names.get(row["group_b"], row["group_b"]),
                          "People B": policy.format_count(int(row["n_b"])),
                          "Cliff's delta (95% CI)": f"{row['delta']:.2f} ({row['delta_low']:.2f} to {row['delta_high']:.2f})",
                          "Holm-adjusted p": _p(row["p_holm"]), "Reading": why})
    blocks = [Table(pd.DataFrame(tests), "Kruskal-Wallis test per question, one answer per person")]
    intro = ["Each question was tested across the projects with the Kruskal-Wallis test, then every pair of projects "
             "with the Mann-Whitney test, Holm-corrected for the number of pairs, with Cliff's delta as the size of "
             f"the difference. Projects with fewer than {policy.min_summary_n} people answering were left out. A pair "
             f"is read as clear only when both groups have at least {SMALL_GROUP} people and the interval of Cliff's "
             "delta does not include 0; the programme report names only clear pairs."]
    if pairs:
        blocks.append(Table(pd.DataFrame(pairs), "Pairs of projects with Holm-adjusted p below 0.05"))
    else:
        blocks.append(Paragraphs(["No pair of projects reached a Holm-adjusted p below 0.05."]))
    heading = f"Differences between projects: {found} of {len(tests)} questions had Kruskal-Wallis p below 0.05"
    return Section(heading, intro, blocks, anchor="differences")


def _p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def outcomes(report) -> list[Section]:
    """Per before/after measure: the combined analysis in full, leave-one-out and subgroups."""
    out = []
    for pair in narrative.outcome_pairs(report):
        effects = sections.outcome_effects(report, pair)
        if effects.empty:
            continue
        blocks = [Table(sections.effect_table(effects, report), f"Standardised mean change in {pair.name}, per project")]
        if len(sections.synthesis_projects(report, pair)) < 2:
            out.append(Section(f"{sections._cap(pair.name)}: fewer than two projects to combine", [], blocks))
            continue
        syn = sections.synthesis(report, pair)
        r = syn.result
        summary = pd.DataFrame([
            ("Projects combined (k)", f"{r.k}", "Projects with enough people answering before and after"),
            ("Combined change", f"{r.estimate:.2f}", "Standardised mean change, all projects together"),
            ("Standard error", f"{r.se:.3f}", "Uncertainty of the combined change"),
            ("95% CI", f"{r.ci_low:.2f} to {r.ci_high:.2f}", "Likely range of the combined change"),
            (f"{'t' if r.df else 'z'} (df)", f"{r.z_or_t:.2f}" + (f" ({r.df})" if r.df else ""), "Test that the combined change is 0"),
            ("p", _p(r.p_value), "Chance of a combined change this large if the true change were 0"),
            ("95% prediction interval", f"{r.pi_low:.2f} to {r.pi_high:.2f}", "Range for a new, similar project"),
            ("tau\u00b2 (tau)", f"{r.tau2:.3f} ({r.tau:.3f})", "Spread of the projects' true changes"),
            ("I\u00b2", f"{r.i2:.0f}%", "Share of the variation that is between projects"),
            ("Q (df, p)", f"{r.q:.2f} ({r.q_df}, {_p(r.q_p)})", "Cochran's test of differences between projects"),
            ("Method", f"{r.method}{' with Knapp-Hartung adjustment' if r.knapp_hartung else ''}", "See the terms below"),
        ], columns=["Statistic", "Value", "What it means"])
        blocks = [Paragraphs([syn.sentence]), Figure(syn.forest, table=blocks[0]),
                  Table(summary, f"Random-effects meta-analysis of the change in {pair.name}"),
                  Table(syn.loo_table(), "Leaving out one project at a time")]
        if syn.subgroups is not None:
            frame = syn.subgroups.summary_frame().reset_index()
            sub = pd.DataFrame({"Topic": frame["group"], "Projects": frame["k"].astype(int),
                                "Combined change": frame["estimate"].map(lambda v: f"{v:.2f}"),
                                "95% CI": [f"{a:.2f} to {b:.2f}" for a, b in zip(frame["ci_low"], frame["ci_high"])],
                                "I\u00b2": frame["i2"].map(lambda v: f"{v:.0f}%")})
            blocks.append(Table(sub, "Combined change within each topic (subgroup analysis)",
                                note=f"Test for differences between topics: Q = {syn.subgroups.q_between:.2f}, df = "
                                     f"{syn.subgroups.df}, p = {_p(syn.subgroups.p_value)}. "
                                     + (syn.subgroups.single_study_note() or "")))
        if len(syn.withheld):
            names = sections.project_names(report)
            blocks.append(Paragraphs([f"Left out because fewer than {report.policy.min_summary_n} people gave scores "
                                      "before and after: " + ", ".join(names.get(p, p) for p in syn.withheld["project"])
                                      + "."]))
        sure = "includes 0" if r.ci_low <= 0 <= r.ci_high else "excludes 0"
        heading = (f"{sections._cap(pair.name)}: combined change {r.estimate:.2f}, 95% CI {r.ci_low:.2f} to "
                   f"{r.ci_high:.2f} ({sure})")
        out.append(Section(heading, ["A random-effects meta-analysis (REML, Knapp-Hartung adjustment) of each "
                                     "project's standardised mean change."], blocks,
                           anchor="outcomes" if not out else None))
    return out


def coding_quality(report) -> Section | None:
    """How well the keyword coding matched the themes people agreed."""
    return sections.coding_quality_section(report)


def reliability_link(report) -> Section | None:
    """Where to read about agreement between coders (when the programme has double coding)."""
    codes = report.double_coding
    if codes is None or codes.empty:
        return None
    return Section("Agreement between coders", ["Two or more people coded some answers independently; their "
                                                "agreement is on its own page."],
                   [Links([("How consistently people coded the answers", "reliability.html")])])


def terms(report) -> Section:
    """Every technical term on this page, in one plain sentence each."""
    return Section("Terms used on this page", [], [Definitions(list(TERMS))])


def files(report, inputs: dict, version: str) -> Section:
    """The SHA-256 fingerprint of every input file (the salt file left out: it is secret)."""
    rows = [{"Input": label, "SHA-256": digest} for label, digest in sorted((inputs or {}).items())
            if label != "salt_file"]
    texts = [f"Made with evalkit {version}. The fingerprint (SHA-256) of a file changes if any byte of it changes, "
             "so these show exactly which files the reports came from. manifest.json has the package versions, "
             "parameters and commit as well."]
    blocks = [Paragraphs(texts)]
    if rows:
        blocks.append(Table(pd.DataFrame(rows), "Input files and their SHA-256 fingerprints"))
    return Section("The files behind these reports", [], blocks)


def technical_sections(report, inputs: dict | None = None, version: str = "") -> list[Section]:
    """Every section of the technical page, in page order."""
    parts = [how_shares_work(report), medians(report), differences(report), *outcomes(report),
             coding_quality(report), reliability_link(report), terms(report), files(report, inputs or {}, version)]
    return [p for p in parts if p is not None]

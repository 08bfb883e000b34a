"""Rating questions as honest figures: one set of shares per question, drawn, tabled and described.

Every figure here comes from :func:`rating_shares`, which works each share out **once**, from
the exact counts, and decides once which of them may be published:

* a scale's values are split into three groups, worst first: the low end (e.g. "Strongly
  disagree or Disagree"), the middle answer (odd scales only) and the high end ("Agree or
  Strongly agree"); a scale where 1 is best (``higher_is_better: false``) is turned round so
  the best answers are always the high end, and scales of any length are grouped the same way;
* a group's share is shown only when no count of 1 to ``min_count - 1`` people could be read
  from it: a small group is hidden, and so is a second group beside a lone hidden one, since
  the groups add up to everyone who answered ("Totals never let a reader recover a hidden
  count"). The per-answer counts (:func:`rating_counts_table`) follow the same rule together
  with the groups: any set of numbers whose total a reader knows never holds exactly one
  hidden number;
* shares are whole percentages of the exact counts, so a group of 9 out of 11 is 82%, not the
  100% its rounded counts (10 of 10) would suggest.

The chart draws the low end from the left edge and the high end from the right edge, so a
hidden group is never drawn at all (an empty, labelled gap is left where it would be) and no
hidden count is ever drawn as data. The same numbers appear in the chart's labels, its table
(:func:`shares_table`), its alt text and the sentences pages write from them.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.figures import LIKERT_COLOURS, FigureWithAlt, new_figure
from evalkit.privacy.suppression import SUPPRESSED, SuppressionPolicy, policy_or_default

GROUPS = ("low", "middle", "high")
_GROUP_COLOURS = {"low": LIKERT_COLOURS[0], "middle": LIKERT_COLOURS[2], "high": LIKERT_COLOURS[-1]}
_TEXT_COLOURS = {"low": "white", "middle": "black", "high": "white"}
# Narrowest segment (percentage points) that holds its own label.
_LABEL_MIN = 8
_FONT = 15
_AGREEMENT = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
# Layout of the bar chart, in inches: a line of question text, a bar, the space after a bar.
_LINE, _BAR, _AFTER = 0.26, 0.42, 0.28


def whole_percent(count: int, total: int) -> int:
    """100 * count / total rounded half up to a whole number (never 100 unless all, never 0 unless none)."""
    value = int(math.floor(100.0 * count / total + 0.5))
    if value == 100 and count < total:
        return 99
    if value == 0 and count > 0:
        return 1
    return value


@dataclass(frozen=True)
class ScaleGroups:
    """A rating scale split into its low end, middle and high end, worst answer first.

    Attributes
    ----------
    order : tuple of int
        The scale's values from worst to best.
    labels : dict of int to str
        Value -> label.
    kind : str
        ``agreement``, ``rating``, ``frequency`` or ``other``.
    low, middle, high : tuple of int
        The values in each group (``middle`` is empty on scales with an even number of values).
    """

    order: tuple
    labels: dict
    kind: str = "agreement"
    low: tuple = ()
    middle: tuple = ()
    high: tuple = ()

    @classmethod
    def from_scale(cls, scale=None, levels: Sequence[int] | None = None,
                   level_labels: Mapping[int, str] | None = None) -> "ScaleGroups":
        """Build the groups from a :class:`~evalkit.programme.spec.ScaleSpec` (or bare levels).

        Parameters
        ----------
        scale : ScaleSpec, optional
            The scale (its labels, kind and direction).
        levels : sequence of int, optional
            Values, used when ``scale`` is None (lowest value worst).
        level_labels : mapping, optional
            Value -> label, used when ``scale`` is None.
        """
        if scale is not None:
            labels = dict(scale.labels)
            order = tuple(sorted(labels, reverse=not scale.higher_is_better))
            kind = scale.kind
        else:
            values = sorted(levels if levels is not None else (level_labels or {}))
            order = tuple(values)
            if level_labels is None and len(values) == 5:  # the earlier API's default: agreement
                labels, kind = dict(zip(values, _AGREEMENT)), "agreement"
            else:
                labels, kind = {v: str((level_labels or {}).get(v, v)) for v in values}, "other"
        side = len(order) // 2
        return cls(order=order, labels=labels, kind=kind, low=order[:side],
                   middle=order[side:len(order) - side], high=order[len(order) - side:])

    def values(self, group: str) -> tuple:
        """The values of one group."""
        return getattr(self, group)

    def groups(self) -> tuple[str, ...]:
        """The groups this scale has: low, (middle,) high."""
        return tuple(g for g in GROUPS if self.values(g))

    def group_label(self, group: str) -> str:
        """The group in the scale's own words: "Strongly disagree or Disagree", "Agree or Strongly agree"."""
        names = [self.labels[v] for v in self.values(group)]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    def _plain(self, group: str) -> str:
        names = [self.labels[v] for v in (self.values(group) if group != "low" else self.values(group)[::-1])]
        if all(n == str(v) for n, v in zip(names, self.values(group))):
            return " or ".join(f'"{n}"' for n in names)
        return " or ".join(n.lower() if self.kind in ("rating", "frequency") else f'"{n}"' for n in names)

    def verb(self, group: str = "high") -> str:
        """What people in a group did, said in the scale's own words.

        Agreement scales say "agreed" / "disagreed" (only they do); rating scales say "rated it
        good or very good"; others name their answers: 'answered "4" or "5"'.
        """
        if self.kind == "agreement" and group in ("low", "high"):
            return "agreed" if group == "high" else "disagreed"
        if group == "middle" and self.kind == "agreement":
            return "neither agreed nor disagreed"
        if self.kind == "rating":
            return f"rated it {self._plain(group)}"
        if self.kind == "frequency":
            return f"said {self._plain(group)}"
        return f"answered {self._plain(group)}"


@dataclass(frozen=True)
class ItemShares:
    """One rating question's counts and the shares that may be published.

    Attributes
    ----------
    item, label : str
        Column name and the question as people read it.
    n : int
        People who answered (exact; show it with ``policy.format_count``).
    counts : dict of int to int
        Exact count of each value.
    groups : dict of str to int
        Exact count of each group (``low``, ``middle``, ``high``).
    shown : dict of str to bool
        Whether each group's share may be published.
    level_shown : dict of int to bool
        Whether each value's count may be published.
    pct : dict of str to int or None
        Each group's whole percentage of ``n`` from the exact counts; None when hidden.
    median : float or None
        The middle answer (None when fewer than ``min_summary_n`` people answered).
    why_hidden : str or None
        Why the high end's share is hidden: ``few answered``, ``few high``, ``few others`` or
        ``secondary``.
    """

    item: str
    label: str
    n: int
    counts: dict
    groups: dict
    shown: dict
    level_shown: dict
    pct: dict
    median: float | None
    why_hidden: str | None = None
    share: float = field(default=float("nan"))

    @property
    def high_pct(self) -> int | None:
        """The published share of the high end (None when hidden)."""
        return self.pct.get("high")


def _hide_lone(lines: list[set], hidden: set, counts: Mapping, protect: set) -> set:
    """Hide more cells until no line (a set of cells with a known total) holds exactly one hidden cell."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = line & hidden
            if len(inside) != 1:
                continue
            cell = _complement(line, hidden, counts, protect, lines)
            if cell is not None:
                hidden.add(cell)
                changed = True
    return hidden


def _complement(line: set, hidden: set, counts: Mapping, protect: set, lines: list[set]):
    """The shown, non-zero cell of a line to hide next: one already beside a hidden cell, then the smallest."""
    options = [c for c in line - hidden if counts[c] > 0 and c not in protect]
    if not options:
        options = [c for c in line - hidden if counts[c] > 0]
    if not options:
        return None

    def cost(c):
        others = [ln for ln in lines if c in ln and ln is not line]
        return (0 if any(ln & hidden for ln in others) else 1, counts[c], str(c))

    return min(options, key=cost)


ALL = "__all__"  # the scope of everyone together, beside each project


def _scope_lines(groups: "ScaleGroups", scope, group_counts: Mapping, hidden: set):
    """Known-total lines (with the cell that makes each known) and relation lines of one scope.

    Exact shares give away the exact number who answered and the exact size of each shown
    group: everyone's answers, the groups, the answers inside each shown group, and the answers
    outside the shown groups all have totals a reader knows. A group and its answers are
    related (the group is their sum) whether or not either is shown.
    """
    members = {g: {(scope, "level", v) for v in groups.values(g)} for g in group_counts}
    shown = [g for g in group_counts if (scope, "group", g) not in hidden]
    every_level = {(scope, "level", v) for v in groups.order}
    known = [(every_level, None), ({(scope, "group", g) for g in group_counts}, None)]
    known += [(members[g], (scope, "group", g)) for g in shown]
    rest = every_level - set().union(*(members[g] for g in shown)) if shown else set()
    if rest:
        known.append((rest, None))
    relations = [{(scope, "group", g)} | members[g] for g in group_counts]
    return known, relations


def _cross_lines(groups: "ScaleGroups", scopes: list, group_keys, hidden: set):
    """Lines across projects: each project's cell adds up to everyone's cell of the same group or answer."""
    known, relations = [], []
    for kind, keys in (("group", group_keys), ("level", groups.order)):
        for key in keys:
            parts = {(s, kind, key) for s in scopes}
            whole = (ALL, kind, key)
            relations.append(parts | {whole})
            if whole not in hidden:
                known.append((parts, whole))
    return known, relations


def protect_scopes(groups: "ScaleGroups", counts_by_scope: Mapping, policy: SuppressionPolicy) -> set:
    """Cells to hide so that nothing hidden can be worked out, even from the exact shares.

    ``counts_by_scope`` maps a scope (a project, or :data:`ALL` for everyone) to its exact
    count per answer. Every set of cells whose total a reader knows (see :func:`_scope_lines`,
    and across projects :func:`_cross_lines`) must never hold exactly one hidden cell, nor hidden
    cells adding up to 1 to ``min_count - 1`` people (two hidden cells adding up to 2 would both
    be 1); and a shown group must not leave 1 to ``min_count - 1`` people giving other answers.
    Cells are ``(scope, "level", value)`` and ``(scope, "group", name)``.
    """
    cells, sizes, group_counts = {}, {}, {}
    for scope, counts in counts_by_scope.items():
        gc = {g: int(sum(counts[v] for v in groups.values(g))) for g in groups.groups()}
        group_counts[scope] = gc
        sizes[scope] = int(sum(counts.values()))
        cells |= {(scope, "level", v): int(c) for v, c in counts.items()}
        cells |= {(scope, "group", g): c for g, c in gc.items()}
    hidden = set()
    for scope, n in sizes.items():
        if policy.enabled and (not policy.summary_allowed(n) or policy.is_suppressed(n)):
            hidden |= {c for c, k in cells.items() if c[0] == scope and k > 0}
        else:
            hidden |= {c for c, k in cells.items() if c[0] == scope and policy.is_suppressed(k)}
    if not (policy.enabled and policy.secondary):
        return hidden
    projects = [s for s in counts_by_scope if s != ALL]
    cross = ALL in counts_by_scope and len(projects) > 1
    protect = {c for c in cells if c[1:] == ("group", "high")}

    def all_lines(hidden):
        known, relations = [], []
        for scope in counts_by_scope:
            k, r = _scope_lines(groups, scope, group_counts[scope], hidden)
            known += k
            relations += r
        if cross:
            k, r = _cross_lines(groups, projects, groups.groups(), hidden)
            known += k
            relations += r
        return known, relations

    while True:
        known, relations = all_lines(hidden)
        hidden = _hide_lone([line for line, _ in known] + relations, hidden, cells, protect)
        known, relations = all_lines(hidden)
        lines = [line for line, _ in known] + relations
        more = {(s, "group", g) for s, gc in group_counts.items() for g, c in gc.items()
                if (s, "group", g) not in hidden and policy.is_suppressed(sizes[s] - c)}
        for line, owner in known:
            if policy.is_suppressed(sum(cells[c] for c in line & hidden)):
                cell = _complement(line, hidden, cells, protect, lines)
                if cell is None and owner is not None and owner not in hidden:
                    cell = owner
                if cell is not None:
                    more.add(cell)
        if not more - hidden:
            return hidden
        hidden |= more


def _percentages(group_counts: Mapping[str, int], shown: Mapping[str, bool], n: int) -> dict:
    """Whole percentages of the exact counts; when every group is shown they add up to exactly 100."""
    if not n or not any(c > 0 and shown[g] for g, c in group_counts.items()):
        return {g: None for g in group_counts}
    pct = {g: (whole_percent(c, n) if shown[g] else None) for g, c in group_counts.items()}
    if all(shown.values()):
        exact = {g: 100.0 * c / n for g, c in group_counts.items()}
        floors = {g: int(math.floor(v)) for g, v in exact.items()}
        spare = 100 - sum(floors.values())
        order = sorted(exact, key=lambda g: (-(exact[g] - floors[g]), -group_counts[g], GROUPS.index(g)))
        pct = {g: floors[g] + (1 if g in order[:spare] else 0) for g in exact}
    return pct


def item_shares(values: pd.Series, groups: ScaleGroups, policy: SuppressionPolicy, *,
                item: str = "", label: str = "") -> ItemShares:
    """Work out one question's counts, group shares and what may be published (one scope).

    Parameters
    ----------
    values : pandas.Series
        One answer per person (blanks ignored).
    groups : ScaleGroups
        The question's scale.
    policy : SuppressionPolicy
        Small-number policy.
    item, label : str
        Column name and wording, carried along.

    Returns
    -------
    ItemShares
    """
    return item_shares_by_scope({ALL: values}, groups, policy, item=item, label=label)[ALL]


def item_shares_by_scope(values_by_scope: Mapping, groups: ScaleGroups, policy: SuppressionPolicy, *,
                         item: str = "", label: str = "") -> dict:
    """:func:`item_shares` for several projects and everyone together, hidden jointly.

    ``values_by_scope`` maps each project (and :data:`ALL`, everyone) to its answers. Hiding is
    decided for all of them at once, so subtracting the projects' figures from everyone's never
    gives away a hidden one.
    """
    policy = policy_or_default(policy)
    answers = {s: pd.to_numeric(v, errors="coerce").dropna().astype(int) for s, v in values_by_scope.items()}
    counts = {s: {v: int((x == v).sum()) for v in groups.order} for s, x in answers.items()}
    hidden = protect_scopes(groups, counts, policy)
    out = {}
    for scope, x in answers.items():
        c = counts[scope]
        n = int(sum(c.values()))
        group_counts = {g: int(sum(c[v] for v in groups.values(g))) for g in groups.groups()}
        shown = {g: (scope, "group", g) not in hidden for g in group_counts}
        level_shown = {v: (scope, "level", v) not in hidden for v in c}
        pct = _percentages(group_counts, shown, n)
        why = None
        if pct.get("high") is None and n:
            if not policy.summary_allowed(n):
                why = "few answered"
            elif policy.is_suppressed(group_counts["high"]):
                why = "few high"
            elif policy.is_suppressed(n - group_counts["high"]):
                why = "few others"
            else:
                why = "secondary"
        median = float(np.median(x)) if n and policy.summary_allowed(n) else None
        share = group_counts["high"] / n if n else float("nan")
        out[scope] = ItemShares(item, label or item, n, c, group_counts, shown, level_shown, pct, median, why, share)
    return out


def rating_shares_by_scope(survey: pd.DataFrame, items: Sequence[str], groups: ScaleGroups, *,
                           scope_column: str, labels: Mapping[str, str] | None = None,
                           policy: SuppressionPolicy | Mapping | None = None) -> dict:
    """Each rating question's shares for everyone (key :data:`ALL`) and for each project, hidden jointly.

    Returns
    -------
    dict
        Scope -> list of :class:`ItemShares` in item order.
    """
    policy = policy_or_default(policy)
    labels = labels or {}
    scopes = sorted(survey[scope_column].dropna().astype(str).unique())
    out = {s: [] for s in [ALL, *scopes]}
    for item in items:
        values = {ALL: survey[item]} | {s: survey.loc[survey[scope_column].astype(str) == s, item] for s in scopes}
        found = item_shares_by_scope(values, groups, policy, item=item, label=labels.get(item, item.replace("_", " ")))
        for scope, s in found.items():
            out[scope].append(s)
    return out


def rating_shares(survey: pd.DataFrame, items: Sequence[str], groups: ScaleGroups, *,
                  labels: Mapping[str, str] | None = None,
                  policy: SuppressionPolicy | Mapping | None = None) -> list[ItemShares]:
    """:func:`item_shares` for each rating question of a survey (one row per person)."""
    policy = policy_or_default(policy)
    labels = labels or {}
    return [item_shares(survey[i], groups, policy, item=i, label=labels.get(i, i.replace("_", " ")))
            for i in items]


def percent_text(value) -> str:
    """'62%', or the hidden mark (for None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    return f"{int(value)}%"


def median_words(median: float | None, groups: ScaleGroups) -> str:
    """The middle answer in the scale's words: 'Agree (4)', 'between Disagree and Neither ... (2.5)'."""
    if median is None:
        return SUPPRESSED
    if float(median).is_integer() and int(median) in groups.labels:
        label = groups.labels[int(median)]
        return label if label == str(int(median)) else f"{label} ({int(median)})"
    lo, hi = math.floor(median), math.ceil(median)
    if lo in groups.labels and hi in groups.labels:
        a, b = groups.labels[lo], groups.labels[hi]
        return f"between {a} and {b} ({median:g})"
    return f"{median:g}"


def shares_table(shares: Sequence[ItemShares], groups: ScaleGroups, policy: SuppressionPolicy, *,
                 question: str = "Question", with_median: bool = True) -> pd.DataFrame:
    """The chart's data table: people, each group's share and the middle answer per question."""
    rows = []
    for s in shares:
        row = {question: s.label, "People": policy.format_count(s.n)}
        for g in groups.groups():
            row[groups.group_label(g)] = percent_text(s.pct.get(g))
        if with_median:
            row["Middle answer"] = median_words(s.median, groups)
        rows.append(row)
    return pd.DataFrame(rows)


def rating_counts_table(shares: Sequence[ItemShares], groups: ScaleGroups, policy: SuppressionPolicy, *,
                        question: str = "Question") -> pd.DataFrame:
    """How many people gave each answer (rounded; hidden together with the shares), worst answer first."""
    rows = []
    for s in shares:
        row = {question: s.label}
        for v in groups.order:
            name = groups.labels[v] if groups.labels[v] == str(v) else f"{groups.labels[v]} ({v})"
            row[name] = policy.format_count(s.counts[v]) if s.level_shown[v] else SUPPRESSED
        row["People"] = policy.format_count(s.n)
        rows.append(row)
    return pd.DataFrame(rows)


def mostly_hidden(shares: Sequence[ItemShares]) -> bool:
    """True when half the questions or more have no published share at the high end (draw no chart)."""
    return not shares or sum(s.high_pct is None for s in shares) * 2 >= len(shares)


def rating_chart(shares: Sequence[ItemShares], groups: ScaleGroups, policy: SuppressionPolicy, *,
                 title: str, alt_lead: str | None = None) -> FigureWithAlt:
    """Stacked bars of each question's low end, middle and high end, hidden groups left undrawn.

    The low end starts at the left edge and the high end ends at the right edge, so each shown
    group sits where it belongs even when another group is hidden; the hidden part is an
    empty, labelled gap. Question wording sits above its bar so the chart stays narrow enough
    to read on a phone. ``title`` becomes the caption (state the message in it).
    """
    present = groups.groups()
    blocks = [textwrap.wrap(s.label, 36) or [""] for s in shares]
    body = sum(_LINE * len(b) + 0.06 + _BAR + _AFTER for b in blocks)
    legend = 0.3 * len(present) + 0.15
    fig_h = body + legend + 0.1
    fig, ax = new_figure(4.8, fig_h)
    y = 0.0
    for s, lines in zip(shares, blocks):
        ax.text(0, y, "\n".join(lines), ha="left", va="top", fontsize=_FONT, linespacing=1.1)
        bar_y = y + _LINE * len(lines) + 0.06 + _BAR / 2
        _draw_bar(ax, s, present, bar_y, policy)
        y = bar_y + _BAR / 2 + _AFTER
    ax.set_xlim(0, 100)
    ax.set_ylim(body, 0)
    ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.05 / fig_h, bottom=(legend + 0.05) / fig_h)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=_GROUP_COLOURS[g], label=groups.group_label(g)) for g in present]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), frameon=False,
               fontsize=_FONT - 1, ncol=1, handlelength=1.2, borderaxespad=0.2)
    return FigureWithAlt(fig, rating_alt_text(shares, groups, policy, lead=alt_lead), title)


def _draw_bar(ax, s: ItemShares, present, y: float, policy) -> None:
    height = _BAR
    if s.n == 0:
        ax.text(50, y, "No answers", ha="center", va="center", fontsize=_FONT - 1)
        return
    if all(s.pct.get(g) is None for g in present):
        ax.add_patch(_gap(0, 100, y, height))
        ax.text(50, y, f"Hidden: fewer than {policy.min_count} people gave some answers", ha="center",
                va="center", fontsize=_FONT - 2)
        return
    spans = {}
    if s.pct.get("low") is not None:
        spans["low"] = (0.0, float(s.pct["low"]))
    if s.pct.get("high") is not None:
        spans["high"] = (100.0 - s.pct["high"], 100.0)
    if "middle" in present and s.pct.get("middle") is not None:
        if "low" in spans:
            start = spans["low"][1]
        elif "high" in spans:
            start = spans["high"][0] - s.pct["middle"]
        else:
            start = None
        if start is not None:
            spans["middle"] = (start, start + s.pct["middle"])
    for g, (a, b) in spans.items():
        ax.barh(y, b - a, left=a, height=height, color=_GROUP_COLOURS[g], edgecolor="white", linewidth=1.5)
        if b - a >= _LABEL_MIN:
            ax.text((a + b) / 2, y, f"{s.pct[g]}%", ha="center", va="center", fontsize=_FONT,
                    fontweight="bold", color=_TEXT_COLOURS[g])
    # The part no shown group covers is left empty and labelled, never drawn as data.
    edges = sorted(spans.values())
    cursor = 0.0
    for a, b in edges + [(100.0, 100.0)]:
        if a - cursor > 0.5:
            ax.add_patch(_gap(cursor, a, y, height))
            ax.text((cursor + a) / 2, y, "hidden" if a - cursor >= 16 else SUPPRESSED, ha="center",
                    va="center", fontsize=_FONT - 2, color="#333333")
        cursor = max(cursor, b)


def _gap(a: float, b: float, y: float, height: float):
    from matplotlib.patches import Rectangle

    return Rectangle((a, y - height / 2), b - a, height, fill=False, edgecolor="#767676",
                     linestyle=(0, (2, 2)), linewidth=1)


def rating_alt_text(shares: Sequence[ItemShares], groups: ScaleGroups, policy: SuppressionPolicy, *,
                    lead: str | None = None) -> str:
    """Short alt text: what the bars show and the largest and smallest published share of the high end."""
    verbs = [groups.verb(g) for g in groups.groups()]
    n = max((s.n for s in shares), default=0)
    people = policy.format_count(n)
    people = people if people == SUPPRESSED else f"{int(people):,}"
    what = (f"Bar chart of {len(shares)} question{'s' if len(shares) != 1 else ''}: the share of "
            f"{'about ' + people if people != SUPPRESSED else 'the'} people who "
            + ", ".join(verbs[:-1]) + ", or " + verbs[-1] + ".")
    known = [s for s in shares if s.high_pct is not None]
    parts = [lead or what]
    if len(known) == 1 and len(shares) == 1:
        parts.append(f"{known[0].high_pct}% {groups.verb()}.")
    elif known:
        top = max(known, key=lambda s: s.share)
        low = min(known, key=lambda s: s.share)
        if top is not low:
            parts.append(f"Largest share who {groups.verb()}: {_short(top.label)} ({top.high_pct}%); smallest: "
                         f"{_short(low.label)} ({low.high_pct}%).")
    hidden = sum(s.high_pct is None for s in shares)
    if hidden:
        parts.append(f"{hidden} share{'s are' if hidden != 1 else ' is'} hidden (small numbers).")
    parts.append("The figures are in the table with the chart.")
    return " ".join(parts)


def _short(label: str, limit: int = 60) -> str:
    label = label.rstrip(".?")
    return f"\u201c{label}\u201d" if len(label) <= limit else f"\u201c{label[:limit - 1].rstrip()}\u2026\u201d"


def likert_shares(survey: pd.DataFrame, items: Sequence[str], *,
                  levels: Sequence[int] = (1, 2, 3, 4, 5),
                  policy: SuppressionPolicy | Mapping | None = None, scale=None) -> pd.DataFrame:
    """Published shares of each question's low end, middle and high end (whole %, exact counts).

    Returns
    -------
    pandas.DataFrame
        Index item; columns ``low``, ``middle``, ``high`` (NaN when hidden or absent) and
        ``n`` (exact).
    """
    groups = ScaleGroups.from_scale(scale, levels=levels)
    rows = {s.item: {**{g: (np.nan if s.pct.get(g) is None else s.pct[g]) for g in GROUPS}, "n": s.n}
            for s in rating_shares(survey, items, groups, policy=policy)}
    return pd.DataFrame.from_dict(rows, orient="index")


def likert_diverging_chart(survey: pd.DataFrame, items: Sequence[str], *,
                           labels: Mapping[str, str] | None = None,
                           levels: Sequence[int] = (1, 2, 3, 4, 5),
                           level_labels: Mapping[int, str] | None = None,
                           title: str = "How respondents rated each principle",
                           policy: SuppressionPolicy | Mapping | None = None,
                           scale=None) -> FigureWithAlt:
    """Chart of rating questions (kept for callers of the earlier API): see :func:`rating_chart`.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per person.
    items : sequence of str
        Rating columns, drawn top to bottom.
    labels : mapping, optional
        Item -> the question as people read it.
    levels, level_labels
        The scale's values and labels, used when ``scale`` is None.
    title : str
        Caption.
    policy : SuppressionPolicy or mapping, optional
        Small-number policy.
    scale : ScaleSpec, optional
        The items' scale (labels, kind, direction); any number of values.

    Returns
    -------
    FigureWithAlt
    """
    policy = policy_or_default(policy)
    groups = ScaleGroups.from_scale(scale, levels=levels, level_labels=level_labels)
    shares = rating_shares(survey, items, groups, labels=labels, policy=policy)
    return rating_chart(shares, groups, policy, title=title)


def theme_heatmap(grid: pd.DataFrame, row_labels: Sequence[str], column_labels: Sequence[str], *,
                  title: str, policy: SuppressionPolicy | Mapping | None = None) -> FigureWithAlt:
    """Heatmap of published shares (rows: themes, columns: projects), the colour scale fitted to the data.

    Parameters
    ----------
    grid : pandas.DataFrame
        Whole-percent shares; None or NaN where a share is hidden (drawn empty with ``*``,
        never coloured).
    row_labels, column_labels : sequence of str
        Theme names and project names, as readers know them.
    title : str
        Caption (state the message).
    policy : SuppressionPolicy, optional
        For the words of the alt text.

    Returns
    -------
    FigureWithAlt
    """
    from matplotlib.colors import Normalize

    from evalkit.figures import SEQUENTIAL_CMAP

    policy = policy_or_default(policy)
    values = grid.astype(float).to_numpy()
    known = values[~np.isnan(values)]
    top = float(np.ceil(max(known.max() if known.size else 10.0, 10.0) / 10.0) * 10)
    rows, cols = values.shape
    wrapped_cols = ["\n".join(textwrap.wrap(str(c), 12)) for c in column_labels]
    wrapped_rows = ["\n".join(textwrap.wrap(str(r), 26)) for r in row_labels]
    col_lines = max((c.count("\n") + 1 for c in wrapped_cols), default=1)
    fig, ax = new_figure(0.8 * cols + 3.4, 0.5 * rows + 0.26 * col_lines + 1.7)
    masked = np.ma.masked_invalid(values)
    norm = Normalize(vmin=0, vmax=top)
    image = ax.imshow(masked, cmap=SEQUENTIAL_CMAP, norm=norm, aspect="auto")
    ax.set_facecolor("white")
    for (i, j), value in np.ndenumerate(values):
        if np.isnan(value):
            ax.add_patch(__import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
                (j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#BBBBBB", linewidth=0.8))
            ax.text(j, i, SUPPRESSED, ha="center", va="center", fontsize=12, color="#333333")
        else:
            ax.text(j, i, f"{value:.0f}%", ha="center", va="center", fontsize=12,
                    color="black" if norm(value) > 0.55 else "white")
    ax.set_xticks(range(cols), wrapped_cols, fontsize=11)
    ax.xaxis.tick_top()
    ax.set_yticks(range(rows), wrapped_rows, fontsize=12)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", fraction=0.04, pad=0.03, aspect=40)
    bar.set_ticks([0, top / 2, top], labels=["0%", f"{top / 2:.0f}%", f"{top:.0f}%"])
    bar.ax.tick_params(labelsize=11)
    bar.set_label("Share of the project's people who raised the theme", fontsize=11)
    fig.tight_layout()
    hidden = int(np.isnan(values).sum())
    alt = (f"Grid of {rows} themes by {cols} projects, darker for fewer people and brighter for more. "
           + (f"The largest share is {known.max():.0f}%. " if known.size else "")
           + (f"{hidden} cells are hidden (small numbers). " if hidden else "")
           + "The figures are in the table with the chart.")
    return FigureWithAlt(fig, alt, title)

"""Plain-language sentences for the top of every report, written from the data.

Short sentences, everyday words, numbers that respect the suppression policy, and wording that
does not overclaim. Every word about a scale comes from the scale itself
(:class:`evalkit.compare.plots.ScaleGroups`): "agreed" is said only of agreement scales; other
scales name their own best answers ("rated it good or very good"). Headlines about rating
questions follow one stated rule (:func:`ranking_rule`) and use the shares worked out once by
:func:`evalkit.compare.plots.rating_shares`.
"""
from __future__ import annotations

import pandas as pd

from evalkit.programme.roles import OutcomePair, report_roles


def outcome_pairs(report) -> list[OutcomePair]:
    """The programme's before/after measures (``report.outcomes`` in the config, else found by name)."""
    return list(report_roles(report).outcomes)


def people(n: int, policy) -> str:
    """'about 80 people' or 'fewer than 8 people', following the suppression policy."""
    if n == 0:
        return "no one"
    if policy.is_suppressed(n):
        return f"fewer than {policy.min_count} people"
    shown = policy.rounded(n)
    return f"{'about ' if shown != n else ''}{shown:,} {'person' if shown == 1 else 'people'}"


# --- ranking rating questions: one rule, said on the page ---------------------------------------

RANKING_RULE = ("{nouns} are ranked by the share of people who {verb}. Where shares are hidden to protect "
                "privacy, the sentence says so, and the middle answers are given instead.")


def ranking_rule(groups, noun: str = "statement", count: int = 2) -> str:
    """The one rule every headline about rating questions follows, in the scale's own words ("" for one question)."""
    if count < 2:
        return ""
    return RANKING_RULE.format(nouns=noun.capitalize() + "s", verb=groups.verb())


def _quoted(label: str) -> str:
    return f"\u201c{label.rstrip('.?')}\u201d"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def about(groups, labels: list[str]) -> str:
    """'agreed with "X"' / 'rated "X" good or very good' / 'answered "4" or "5" to "X"'."""
    names = _listed([_quoted(x) for x in labels])
    if groups.kind == "agreement":
        return f"agreed with {names}"
    verb = groups.verb()
    if groups.kind == "rating":
        return verb.replace("rated it", f"rated {names}", 1)
    return f"{verb} to {names}"


def extremes(shares) -> tuple[list, list]:
    """The questions with the largest and the smallest share at the high end (exact shares).

    Questions whose published percentage equals the top's (or the bottom's) are tied with
    it, so two questions both shown as 72% are never called larger and smaller.
    """
    ordered = sorted(shares, key=lambda s: (-s.share, s.item))
    top, bottom = ordered[0], ordered[-1]

    def tied(ref):
        if ref.high_pct is None:
            return [ref]
        return [s for s in ordered if s.high_pct == ref.high_pct]

    return tied(top), tied(bottom)


def hidden_reason(s, groups, policy) -> str:
    """Why a question's share is hidden, in plain words."""
    few = f"fewer than {policy.min_count} people"
    return {"few answered": f"{few} answered",
            "few high": f"{few} {groups.verb()}",
            "few others": f"{few} gave any other answer",
            "secondary": "showing it would let a smaller hidden number be worked out",
            }.get(s.why_hidden, "the numbers are small")


def share_words(ss, groups, policy) -> str:
    """'(79%)', '(72% each)' or '; the share is hidden because ...'."""
    if ss[0].high_pct is not None:
        return f" ({ss[0].high_pct}%{' each' if len(ss) > 1 else ''})"
    return f"; the share is hidden because {hidden_reason(ss[0], groups, policy)}"


def ranking_sentences(shares, groups, policy) -> list[str]:
    """Which questions had the largest and the smallest share at the high end, by one rule.

    The rule (:func:`ranking_rule`): rank by the exact share; ties (the same published
    percentage) are said as ties; a hidden share is named with the reason it is hidden.
    When no share at the high end can be shown at all, the middle answers are given instead.
    """
    usable = [s for s in shares if s.n and policy.summary_allowed(s.n)]
    if not usable:
        return [f"Fewer than {policy.min_summary_n} people answered each question, so the answers are not shown."]
    if all(s.high_pct is None for s in usable):
        return [f"The shares who {groups.verb()} are hidden, because fewer than {policy.min_count} people gave "
                "some answers.", *middle_sentences(usable, groups)]
    if len(usable) == 1:
        s = usable[0]
        return [f"{s.high_pct}% of people {about(groups, [s.label])}."]
    top, bottom = extremes(usable)
    if set(id(s) for s in top) == set(id(s) for s in usable):
        every = "with every statement" if groups.kind == "agreement" else "for every question"
        return [f"The same share of people, {top[0].high_pct}%, {groups.verb()} {every}."]
    lines = [f"The largest share of people {about(groups, [s.label for s in top])}{share_words(top, groups, policy)}.",
             f"The smallest share {about(groups, [s.label for s in bottom])}{share_words(bottom, groups, policy)}."]
    if bottom[0].high_pct is not None and top[0].high_pct is not None:
        hidden = [s for s in usable if s.high_pct is None]
        if hidden:
            lines.append(f"{len(hidden)} other share{'s are' if len(hidden) != 1 else ' is'} hidden to protect privacy.")
    return lines


def middle_sentences(shares, groups) -> list[str]:
    """The middle answers, from the lowest to the highest, in the scale's words."""
    from evalkit.compare.plots import median_words

    known = [s for s in shares if s.median is not None]
    if not known:
        return []
    best = list(groups.order)
    rank = lambda s: _position(s.median, best)  # noqa: E731
    low, high = min(rank(s) for s in known), max(rank(s) for s in known)
    lows = [s for s in known if rank(s) == low]
    highs = [s for s in known if rank(s) == high]
    if low == high:
        return [f"The middle answer was {median_words(known[0].median, groups)} for every question."]
    lines = [f"The lowest middle answer was {median_words(lows[0].median, groups)}, for "
             f"{_listed([_quoted(s.label) for s in lows])}."]
    if len(highs) > 3 and len(lows) + len(highs) == len(known):
        lines.append(f"Every other one had a middle answer of {median_words(highs[0].median, groups)}.")
    else:
        lines.append(f"The highest was {median_words(highs[0].median, groups)}, for "
                     f"{_listed([_quoted(s.label) for s in highs])}.")
    return lines


def _position(median: float, order: list[int]) -> float:
    """Where a median sits from worst (0) to best, for scales in either direction."""
    worst, best = order[0], order[-1]
    return (median - worst) / (best - worst) if best != worst else 0.0


def in_tenths(pct: int) -> str:
    """A published percentage as 'N in 10 people' (Easy Read), honest at the ends."""
    if pct == 0:
        return "No one"
    if pct == 100:
        return "Everyone"
    if pct < 5:
        return "Fewer than 1 in 10 people"
    if pct > 95:
        return "Almost everyone"
    tenths = int(pct / 10 + 0.5)
    return f"{tenths} in 10 people"


def change_sentence(effect: pd.Series | None, measure: str, policy) -> str:
    """Describe a before/after change in words, with its uncertainty, without overclaiming."""
    if effect is None or not policy.summary_allowed(int(effect["n"])):
        return f"Too few people gave {measure} scores before and after to describe a change."
    size = abs(effect["yi"])
    if size < 0.2:
        words = "stayed about the same"
    else:
        direction = "went up" if effect["yi"] > 0 else "went down"
        words = f"{direction} {'a little' if size < 0.5 else 'noticeably'}"
    sure = (" We cannot be sure this is more than chance." if effect["ci_low"] <= 0 <= effect["ci_high"]
            else " The change is larger than chance alone would easily explain, but this was not a trial.")
    return (f"On average, {measure} scores {words} (from {effect['mean_before']:.1f} to "
            f"{effect['mean_after']:.1f}, {people(int(effect['n']), policy)}).{sure}")

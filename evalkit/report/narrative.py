"""Plain-language sentences for the top of every report, written from the data.

Short sentences, everyday words, numbers that respect the suppression policy, and wording that
does not overclaim. Every word about a scale comes from the scale itself: "agreed" is said only
of agreement scales; other scales name their own best answers.
"""
from __future__ import annotations

import pandas as pd

from evalkit.programme.roles import OutcomePair, report_roles

AGREE = (4, 5)


def outcome_pairs(report) -> list[OutcomePair]:
    """The programme's before/after measures (``report.outcomes`` in the config, else found by name)."""
    return list(report_roles(report).outcomes)


def positive_words(scale) -> tuple[tuple[int, ...], str]:
    """Return (the values counted as a positive answer, the verb for them) for a scale.

    Agreement scales say "agreed"; any other scale names its best answers, e.g.
    'answered "Very good" or "Good"'.
    """
    if scale is None:
        return AGREE, "agreed"
    values = scale.positive
    if scale.kind == "agreement":
        return values, "agreed"
    named = " or ".join(f'"{scale.labels[v]}"' for v in values)
    return values, f"answered {named}"


def people(n: int, policy) -> str:
    """'about 80 people' or 'fewer than 8 people', following the suppression policy."""
    if n == 0:
        return "no one"
    if policy.is_suppressed(n):
        return f"fewer than {policy.min_count} people"
    shown = policy.rounded(n)
    return f"{'about ' if shown != n else ''}{shown:,} {'person' if shown == 1 else 'people'}"


def agreement_shares(survey: pd.DataFrame, items: list[str], labels: dict[str, str], policy,
                     positive=AGREE) -> pd.DataFrame:
    """Per Likert item: n answering, n answering positively, and the publishable percentage.

    ``positive`` holds the scale's positive values (:func:`positive_words`). The percentage
    is worked out once, from the unrounded counts, and shown only when neither count is a
    small number the policy hides (a zero shows as 0%). It is a whole number that never reads
    100% unless everyone answered positively, nor 0% unless no one did.
    """
    rows = []
    for item in items:
        values = survey[item].dropna().astype(int)
        n, agree = len(values), int(values.isin(positive).sum())
        rows.append({"item": item, "label": labels[item], "n": n, "agree": agree,
                     "pct": share_percent(agree, n, policy)})
    return pd.DataFrame(rows)


def share_percent(count: int, total: int, policy) -> float | None:
    """``count`` as a whole percentage of ``total`` from the exact counts, or None when either is hidden."""
    if total == 0 or policy.is_suppressed(total) or (count and policy.is_suppressed(count)):
        return None
    pct = round(100.0 * count / total)
    if count < total and pct == 100:
        pct = 99
    if count > 0 and pct == 0:
        pct = 1
    return float(pct)


def principles_sentences(shares: pd.DataFrame, verb: str = "agreed") -> list[str]:
    """Which question had the largest and the smallest share of positive answers.

    Only publishable percentages are compared; equal shares are said as a tie; when some
    questions are hidden the sentence says the comparison is among those shown.
    """
    known = shares.dropna(subset=["pct"])
    if known.empty:
        return ["Too few people answered to say how they rated these questions."]
    known = known.sort_values(["pct", "item"], ascending=[False, True])
    top, bottom = known.iloc[0], known.iloc[-1]
    if top["pct"] == 0:
        return [f"No one {verb} with any of the statements." if verb == "agreed"
                else f"No one {verb} to any of the questions."]
    if len(known) == 1:
        return [f"{top['pct']:.0f}% {verb} {_to(verb)} \"{top['label'].rstrip('.')}\"."]
    hidden = len(shares) - len(known)
    among = f" (of the {len(known)} questions with enough answers to show)" if hidden else ""
    if top["pct"] == bottom["pct"]:
        return [f"The same share of people, {top['pct']:.0f}%, {verb} {_to(verb)} every question{among}."]
    return [f"The most people {verb} {_to(verb)} \"{top['label'].rstrip('.')}\": {top['pct']:.0f}%{among}.",
            f"The fewest people {verb} {_to(verb)} \"{bottom['label'].rstrip('.')}\": {bottom['pct']:.0f}%."]


def _to(verb: str) -> str:
    """The word joining a verb to a question: 'agreed with "X"', 'answered "Good" to "X"'."""
    return "with" if verb == "agreed" else "to"


def themes_sentence(coded: pd.DataFrame, theme_names: dict[str, str], n_answers: int, policy, top: int = 3,
                    person_column: str = "response_id") -> str | None:
    """The themes raised by most people, named in plain words (themes raised by too few people are never named).

    ``person_column`` names the column identifying a person in ``coded`` (a person who raises a
    theme in several answers counts once).
    """
    if coded.empty:
        return None
    counts = coded.drop_duplicates([person_column, "theme_id"]).groupby("theme_id").size()
    counts = counts[[not policy.is_suppressed(c) for c in counts]]
    if counts.empty:
        return None
    names = [theme_names.get(t, t).lower() for t in counts.sort_values(ascending=False, kind="stable").index[:top]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"The things people wrote about most were {listed}."


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


def rating_sentence(ratings: pd.Series, label: str, policy, scale=None) -> str | None:
    """The middle answer to a rating question, in the scale's own words, when enough people answered."""
    values = ratings.dropna().astype(int)
    if values.empty:
        return None
    if not policy.summary_allowed(len(values)):
        return f"Too few people answered \"{label.rstrip('?')}\" to show the result."
    middle = values.median()
    if scale is not None and float(middle).is_integer() and int(middle) in scale.labels:
        words = f"\"{scale.labels[int(middle)]}\", {int(middle)} on a scale of {min(scale.labels)} to {max(scale.labels)}"
    elif scale is not None:
        words = f"{middle:g} on a scale of {min(scale.labels)} to {max(scale.labels)}"
    else:
        words = f"{middle:g}"
    return f"The middle answer to \"{label.rstrip('?')}\" was {words} ({people(len(values), policy)})."

"""Plain-language sentences for the top of every report, written from the data.

Short sentences, everyday words, numbers that respect the suppression policy, and wording that
does not overclaim: with eight small projects every finding is exploratory.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

AGREE = (4, 5)
DISAGREE = (1, 2)


@dataclass(frozen=True)
class OutcomePair:
    """A before/after outcome measure: its name and the two columns that hold it."""

    source: str
    name: str
    before: str
    after: str


def outcome_pairs(report) -> list[OutcomePair]:
    """Find before/after measures: number columns named ``<measure>_before`` and ``<measure>_after``."""
    pairs = []
    for source in sorted(report.tables):
        numbers = set(report.columns_of_type(source, "number"))
        for col in sorted(numbers):
            if col.endswith("_before") and col[: -len("_before")] + "_after" in numbers:
                stem = col[: -len("_before")]
                pairs.append(OutcomePair(source, stem.replace("_", " "), col, stem + "_after"))
    return pairs


def people(n: int, policy) -> str:
    """'about 80 people' or 'fewer than 8 people', following the suppression policy."""
    if n == 0:
        return "no one"
    if policy.is_suppressed(n):
        return f"fewer than {policy.min_count} people"
    shown = policy.rounded(n)
    return f"{'about ' if shown != n else ''}{shown} {'person' if shown == 1 else 'people'}"


def agreement_shares(survey: pd.DataFrame, items: list[str], labels: dict[str, str], policy) -> pd.DataFrame:
    """Per Likert item: n answering, n agreeing, and the publishable percentage agreeing."""
    rows = []
    for item in items:
        values = survey[item].dropna().astype(int)
        n, agree = len(values), int(values.isin(AGREE).sum())
        rows.append({"item": item, "label": labels[item], "n": n, "agree": agree,
                     "pct": policy.percentage(agree, n)})
    return pd.DataFrame(rows)


def principles_sentences(shares: pd.DataFrame) -> list[str]:
    """Which statement most and fewest people agreed with (only publishable percentages)."""
    known = shares.dropna(subset=["pct"])
    if known.empty:
        return ["Too few people answered to say how they rated the principles."]
    known = known.sort_values(["pct", "item"], ascending=[False, True])
    top, bottom = known.iloc[0], known.iloc[-1]
    if top["pct"] == 0:
        return ["No one agreed with any of the statements about the principles."]
    out = [f"The statement most people agreed with was \"{top['label'].rstrip('.')}\" ({top['pct']:.0f}% agreed)."]
    if bottom["item"] != top["item"]:
        out.append(f"The statement fewest people agreed with was \"{bottom['label'].rstrip('.')}\" "
                   f"({bottom['pct']:.0f}% agreed).")
    return out


def themes_sentence(coded: pd.DataFrame, theme_names: dict[str, str], n_answers: int, policy, top: int = 3) -> str | None:
    """The themes raised in most answers, named in plain words."""
    if coded.empty:
        return None
    counts = coded.drop_duplicates(["source", "response_id", "column", "theme_id"]).groupby("theme_id").size()
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


def rating_sentence(ratings: pd.Series, label: str, policy) -> str | None:
    """'People rated X 4 out of 5 (the middle answer)' when enough people answered."""
    values = ratings.dropna().astype(int)
    if values.empty:
        return None
    if not policy.summary_allowed(len(values)):
        return f"Too few people rated \"{label.rstrip('?')}\" to show the result."
    return f"The middle rating for \"{label.rstrip('?')}\" was {values.median():g} out of 5 ({people(len(values), policy)})."

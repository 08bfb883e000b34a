"""How precise the default codebook's keyword rules are on real NHS feedback (pxtextmining v6).

The default codebook is about co-production; the v6 comments are patients' Friends and Family
Test answers coded into the NHS England framework. Some co-production themes have a clear v6
counterpart (a comment about parking, or about staff not listening, is that theme in both);
others do not (payment for co-producers' time, the impact of co-production, relationships
inside a co-production group). :data:`V6_MAPPING` lists the themes that do, with the reasoning,
and nothing else is scored.

Precision of a theme = share of the comments the rules code with it (matches not negated, or
negated: both are codes) whose people-given v6 themes include one of its counterparts. Recall
is not measured: most v6 themes have no co-production counterpart, and FFT answers were not
written about co-production.

Honesty about tuning: the patterns were corrected after reading misfires on the *development*
half of the v6 comments (a seeded random half); the table reports the other, *held-out* half
(about 3,700 comments) and, separately, all of them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.coding.codebook import load_codebook
from evalkit.coding.rules import RuleCoder

SEED = 0
TARGET_PRECISION = 0.75

V6_MAPPING: dict[str, tuple[tuple[str, ...], str]] = {
    "accessibility_venue": (
        ("Service location", "Transport to/ from services", "Parking", "Environment & Facilities"),
        "Getting to and into the place: location, travel, parking, the building and its "
        "facilities are the venue side of access in both frameworks."),
    "accessibility_online": (
        ("Appointment method",),
        "Video, telephone and online formats: v6 codes the format of an appointment, the "
        "co-production theme the format of a meeting."),
    "feeling_heard": (
        ("Staff listening, understanding & involving patients",),
        "Being listened to, understood and taken seriously is this v6 theme's definition."),
    "power_decision_making": (
        ("Staff listening, understanding & involving patients",),
        "Having a say in decisions: v6 places involvement in decisions about one's care in the "
        "same listening-and-involving theme."),
    "jargon_language": (
        ("Information directly from staff during care", "Information provision & guidance",
         "Being kept informed, clarity & consistency of information", "Unspecified communication"),
        "Whether things were explained clearly and in words people understand: v6 splits this "
        "across its information and clarity themes."),
    "safe_spaces": (
        ("Feeling safe",),
        "Feeling safe (and unsafe) is the shared core."),
    "organisation_communication": (
        ("Organisation & efficiency", "Being kept informed, clarity & consistency of information",
         "Contacting services", "Appointment arrangements", "Unspecified communication"),
        "How well things are organised, scheduled and communicated: v6's organisation, "
        "appointment-arrangement, contact and keeping-informed themes."),
    "diversity_of_voices": (
        ("Equality, Diversity & Inclusion",),
        "Diversity, equality and who is included."),
    "time_resources": (
        ("Number & deployment of staff", "Funding & use of financial resources",
         "Timeliness of care", "Staff responsiveness"),
        "Not enough time, staff or money: in patient feedback that is staffing, funding and "
        "waiting."),
}
"""Default-codebook theme -> (its v6 counterparts, why). Themes left out have no clear counterpart:
payment_recognition (paying co-producers), impact_change (what co-production changed),
relationships_trust (relationships within a co-production group)."""


def v6_split(texts: pd.Series, seed: int = SEED) -> np.ndarray:
    """Boolean mask of the held-out half (True) against the development half (False)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(len(texts)) % 2 == 1


def precision_table(texts: pd.Series, themes: pd.DataFrame, mask: np.ndarray | None = None,
                    codebook="default") -> pd.DataFrame:
    """Precision of each mapped theme's rules on v6 comments.

    Parameters
    ----------
    texts : pandas.Series
        The v6 answers.
    themes : pandas.DataFrame
        Their 0/1 theme columns.
    mask : ndarray of bool, optional
        Rows to score (default: all).
    codebook : Codebook or path
        The codebook whose rules are scored.

    Returns
    -------
    pandas.DataFrame
        ``theme_id, v6_counterparts, n_comments, n_coded, n_correct, precision, met``.
    """
    if mask is not None:
        texts, themes = texts[mask].reset_index(drop=True), themes[mask].reset_index(drop=True)
    coded = RuleCoder(load_codebook(codebook)).code(texts.tolist())
    rows = []
    for theme, (counterparts, _) in V6_MAPPING.items():
        hit = coded.loc[coded["theme_id"] == theme, "response_id"].unique().astype(np.int64)
        truth = themes[list(counterparts)].to_numpy().any(axis=1)
        correct = int(truth[hit].sum()) if len(hit) else 0
        precision = correct / len(hit) if len(hit) else float("nan")
        rows.append((theme, "; ".join(counterparts), len(texts), len(hit), correct, round(precision, 3),
                     bool(precision >= TARGET_PRECISION) if len(hit) else ""))
    return pd.DataFrame(rows, columns=["theme_id", "v6_counterparts", "n_comments", "n_coded",
                                       "n_correct", "precision", "met"])


def coverage(texts: pd.Series, codebook="default") -> float:
    """Share of non-empty answers the rules give at least one theme."""
    answered = texts[texts.str.strip() != ""].reset_index(drop=True)
    coded = RuleCoder(load_codebook(codebook)).code(answered.tolist())
    return coded["response_id"].nunique() / max(len(answered), 1)


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Precision per mapped theme on the held-out half and on all v6 comments."""
    from benchmarks.classifier_quality import load_v6

    texts, themes = load_v6()
    answered = ~texts.str.strip().str.lower().isin(["", "did not answer", "nan"])
    texts, themes = texts[answered].reset_index(drop=True), themes[answered].reset_index(drop=True)
    held = v6_split(texts)
    mapping = pd.DataFrame([(t, "; ".join(c), why) for t, (c, why) in V6_MAPPING.items()],
                           columns=["theme_id", "v6_counterparts", "why"])
    return [
        (f"Keyword rules on real NHS comments: precision per mapped theme, held-out half "
         f"({int(held.sum()):,} v6 comments; target >= {TARGET_PRECISION})",
         precision_table(texts, themes, held)),
        (f"The same on all {len(texts):,} answered v6 comments (half of them were read while "
         "correcting patterns)", precision_table(texts, themes)),
        ("Mapping from the default codebook's themes to v6 themes", mapping),
    ]

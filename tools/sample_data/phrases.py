"""The hand-written phrase bank that synthetic free-text answers are built from.

The bank itself is the data file ``phrases.yml`` beside this module; this module reads it
into typed constants. Each fragment is a clause written the way people write in feedback forms
(British English, lower-case start, no closing full stop); the composer in
:mod:`tools.sample_data.text` adds openers, joins and punctuation. Fragments are grouped by the leaf
theme they were written to express and by polarity, so the ground truth of every generated
answer is known exactly. ``NEGATIVE`` holds complaints ("the venue wasn't accessible"), ``MISSING``
holds needs and suggestions ("a hearing loop", "more diverse voices"). Theme ids are the leaf ids of the default co-production codebook
(see DEVELOPERS.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml

PHRASES_FILE = Path(__file__).resolve().parent / "phrases.yml"


class Fragment(NamedTuple):
    """One clause of the bank: its text, the themes it expresses and its polarity (+, -, 0)."""

    text: str
    themes: tuple[str, ...]
    polarity: str


def _fragments(items) -> tuple[Fragment, ...]:
    return tuple(Fragment(item["text"], tuple(item["themes"]), item["polarity"]) for item in items)


_BANK = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))

LEAF_THEMES: tuple[str, ...] = tuple(_BANK["leaf_themes"])
POSITIVE: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _BANK["positive"].items()}
NEGATIVE: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _BANK["negative"].items()}
MISSING: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _BANK["missing"].items()}
TWO_THEME: tuple[Fragment, ...] = _fragments(_BANK["two_theme"])
UNTHEMED_POSITIVE: tuple[str, ...] = tuple(_BANK["unthemed_positive"])
UNTHEMED_NEGATIVE: tuple[str, ...] = tuple(_BANK["unthemed_negative"])
IN_PERSON: frozenset[str] = frozenset(_BANK["in_person"])
SHORT_ANSWERS: tuple[str, ...] = tuple(_BANK["short_answers"])
REFERRING_SHORT_ANSWERS: tuple[str, ...] = tuple(_BANK["referring_short_answers"])
OPENERS: tuple[str, ...] = tuple(_BANK["openers"])
NEGATIVE_OPENERS: tuple[str, ...] = tuple(_BANK["negative_openers"])
MISSING_OPENERS: tuple[str, ...] = tuple(_BANK["missing_openers"])
CONNECTORS: tuple[str, ...] = tuple(_BANK["connectors"])
CONTRASTS: tuple[str, ...] = tuple(_BANK["contrasts"])
NEGATIVE_CLOSERS: tuple[str, ...] = tuple(_BANK["negative_closers"])
MIXED_LEADS: tuple[str, ...] = tuple(_BANK["mixed_leads"])
CLOSERS: tuple[str, ...] = tuple(_BANK["closers"])
CUPPA_LIKE: tuple[Fragment, ...] = _fragments(_BANK["cuppa_like"])
CUPPA_IMPROVE: tuple[Fragment, ...] = _fragments(_BANK["cuppa_improve"])
TOPICS: tuple[Fragment, ...] = _fragments(_BANK["topics"])


def theme_fragments() -> tuple[Fragment, ...]:
    """Return every fragment that expresses at least one theme, in bank order.

    Returns
    -------
    tuple of Fragment
        Single-theme complaints, needs and praise, two-theme fragments, Co-Pro Cuppa fragments
        and themed topics.
    """
    out: list[Fragment] = []
    for theme in LEAF_THEMES:
        out.extend(Fragment(text, (theme,), "+") for text in POSITIVE[theme])
        out.extend(Fragment(text, (theme,), "-") for text in NEGATIVE[theme])
        out.extend(Fragment(text, (theme,), "-") for text in MISSING[theme])
    out.extend(TWO_THEME)
    out.extend(CUPPA_LIKE)
    out.extend(CUPPA_IMPROVE)
    out.extend(f for f in TOPICS if f.themes)
    return tuple(out)


def all_fragments() -> tuple[Fragment, ...]:
    """Return every content fragment of the bank, themed and unthemed, in bank order.

    Returns
    -------
    tuple of Fragment
        Openers, connectors, closers and the short "n/a"-style answers are not included.
    """
    unthemed = tuple(Fragment(t, (), "+") for t in UNTHEMED_POSITIVE)
    unthemed += tuple(Fragment(t, (), "-") for t in UNTHEMED_NEGATIVE)
    unthemed += tuple(f for f in TOPICS if not f.themes)
    return theme_fragments() + unthemed

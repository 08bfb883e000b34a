"""Compose synthetic free-text answers from the phrase bank, with known themes.

An answer is 1-4 fragments joined the way people write (openers, "and", full stops, "but"
for mixed feelings), sometimes roughened by a typo injector. Every draw goes through the
``numpy.random.Generator`` passed in, so the same generator state always gives the same text.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tools.sample_data import phrases
from tools.sample_data.phrases import LEAF_THEMES, Fragment

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FRAGMENT_COUNTS = (1, 2, 3, 4)
FRAGMENT_COUNT_P = (0.45, 0.32, 0.16, 0.07)


class Answer(NamedTuple):
    """A generated answer: its text and the themes it was written to express."""

    text: str
    themes: tuple[str, ...]
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


BLANK = Answer("", ())


def _pick(rng: np.random.Generator, items):
    """Return one element of a sequence, uniformly."""
    return items[int(rng.integers(len(items)))]


def theme_probabilities(weights: dict[str, float], extra: dict[str, float] | None = None) -> np.ndarray:
    """Return how likely each leaf theme is to be written about.

    Parameters
    ----------
    weights : dict of str to float
        Multiplicative weight per theme id; themes not listed weigh 1.
    extra : dict of str to float, optional
        A second set of weights multiplied in (e.g. what a question draws out).

    Returns
    -------
    numpy.ndarray
        Probabilities in the order of ``LEAF_THEMES``, summing to 1.
    """
    w = np.array([weights.get(t, 1.0) * (extra or {}).get(t, 1.0) for t in LEAF_THEMES], dtype=float)
    return w / w.sum()


def _themed(rng: np.random.Generator, polarity: str, probs: np.ndarray, suggest_share: float,
            avoid: frozenset[str] = frozenset()) -> Fragment:
    """Draw a single-theme fragment of the given polarity, the theme drawn from ``probs``.

    Negative fragments come from the suggestions bank (MISSING) with probability ``suggest_share``.
    """
    theme = LEAF_THEMES[int(rng.choice(len(LEAF_THEMES), p=probs))]
    if polarity == "+":
        bank = phrases.POSITIVE
    else:
        bank = phrases.MISSING if rng.random() < suggest_share else phrases.NEGATIVE
    return Fragment(_pick(rng, tuple(t for t in bank[theme] if t not in avoid)), (theme,), polarity)


def _draw_fragments(rng: np.random.Generator, polarity: str, probs: np.ndarray, n: int,
                   extra_pool: tuple[Fragment, ...] = (), extra_share: float = 0.0,
                   suggest_share: float = 0.25, avoid: frozenset[str] = frozenset()) -> list[Fragment]:
    """Draw ``n`` distinct fragments: mostly single-theme, some two-theme or unthemed.

    Bank fragments touching a theme whose probability is 0 (e.g. venues for online-only
    sessions) and fragment texts in ``avoid`` are never drawn; ``extra_pool`` is used as given.
    """
    excluded = {t for t, p in zip(LEAF_THEMES, probs) if p == 0}
    two = tuple(f for f in phrases.TWO_THEME
                if f.polarity == polarity and not excluded & set(f.themes) and f.text not in avoid)
    unthemed = tuple(t for t in (phrases.UNTHEMED_POSITIVE if polarity == "+" else phrases.UNTHEMED_NEGATIVE)
                     if t not in avoid)
    out: list[Fragment] = []
    for _ in range(n * 4):
        u = rng.random()
        if extra_pool and u < extra_share:
            frag = _pick(rng, extra_pool)
        elif u < extra_share + 0.10:
            frag = Fragment(_pick(rng, unthemed), (), polarity)
        elif u < extra_share + 0.17:
            frag = _pick(rng, two)
        else:
            frag = _themed(rng, polarity, probs, suggest_share, avoid)
        if all(frag.text != f.text for f in out):
            out.append(frag)
        if len(out) == n:
            break
    return out or [_themed(rng, polarity, probs, suggest_share, avoid)]


def _capitalise(text: str) -> str:
    """Upper-case the first letter unless the writer chose a lower-case opener."""
    if not text or text.startswith("tbh"):
        return text
    return text[0].upper() + text[1:]


def _join(rng: np.random.Generator, parts: list[str]) -> str:
    """Join clauses with varied connectors, capitalising after full stops."""
    text = parts[0]
    for part in parts[1:]:
        connector = _pick(rng, phrases.CONNECTORS)
        text += connector + (_capitalise(part) if connector.rstrip().endswith(".") else part)
    return text


def _finish(rng: np.random.Generator, text: str, closers: tuple[str, ...] = phrases.CLOSERS) -> str:
    """Add closing punctuation (or none, as people often leave it off) and a closer."""
    u = rng.random()
    if u < 0.8:
        return text + ("." if u < 0.7 else "!") + _pick(rng, closers)
    return text + _pick(rng, ("", "", "", " x", " :)"))


def _n_fragments(rng: np.random.Generator, longer: float = 0.0) -> int:
    """Draw how many fragments an answer has (1-4); ``longer`` shifts towards more."""
    p = np.array(FRAGMENT_COUNT_P) + np.array([-longer, longer / 3, longer / 3, longer / 3])
    p = np.clip(p, 0.01, None)
    return int(rng.choice(FRAGMENT_COUNTS, p=p / p.sum()))


def _answer(text: str, frags: list[Fragment]) -> Answer:
    """Build an Answer whose theme lists come from its fragments, sorted by codebook order."""
    pos = {t for f in frags if f.polarity == "+" for t in f.themes}
    neg = {t for f in frags if f.polarity == "-" for t in f.themes}
    every = {t for f in frags for t in f.themes}
    return Answer(text, tuple(t for t in LEAF_THEMES if t in every), tuple(t for t in LEAF_THEMES if t in pos),
                  tuple(t for t in LEAF_THEMES if t in neg))


def positive_answer(rng: np.random.Generator, probs: np.ndarray, extra_pool: tuple[Fragment, ...] = (),
                    extra_share: float = 0.0, longer: float = 0.0, avoid: frozenset[str] = frozenset()) -> Answer:
    """Compose a "what worked well?" style answer.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.
    probs : numpy.ndarray
        Probability of each leaf theme (order of ``LEAF_THEMES``).
    extra_pool : tuple of Fragment, optional
        Question-specific fragments (e.g. Co-Pro Cuppa ones) drawn with probability ``extra_share``.
    extra_share : float, optional
        Share of fragments drawn from ``extra_pool``.
    longer : float, optional
        Shift towards longer answers (0 for the default length mix).
    avoid : frozenset of str, optional
        Fragment texts never to use (e.g. ``phrases.IN_PERSON`` for online-only sessions).

    Returns
    -------
    Answer
    """
    frags = _draw_fragments(rng, "+", probs, _n_fragments(rng, longer), extra_pool, extra_share, avoid=avoid)
    text = _pick(rng, phrases.OPENERS) + _join(rng, [f.text for f in frags])
    return _answer(_finish(rng, _capitalise(text)), frags)


def negative_answer(rng: np.random.Generator, probs: np.ndarray, mixed_share: float = 0.22,
                    extra_pool: tuple[Fragment, ...] = (), extra_share: float = 0.0,
                    longer: float = 0.0, avoid: frozenset[str] = frozenset()) -> Answer:
    """Compose a "what could be better?" style answer, sometimes with mixed feelings.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.
    probs : numpy.ndarray
        Probability of each leaf theme (order of ``LEAF_THEMES``).
    mixed_share : float, optional
        Probability that the answer starts positive and turns ("good overall but ...").
    extra_pool, extra_share, longer, avoid
        As in :func:`positive_answer`.

    Returns
    -------
    Answer
    """
    mixed = rng.random() < mixed_share
    frags = _draw_fragments(rng, "-", probs, _n_fragments(rng, longer), extra_pool, extra_share,
                           suggest_share=0.0 if mixed else 0.25, avoid=avoid)
    body = _join(rng, [f.text for f in frags])
    if mixed:
        if rng.random() < 0.5:
            lead_text, lead = _pick(rng, phrases.MIXED_LEADS), []
        else:
            lead = _draw_fragments(rng, "+", probs, 1, avoid=avoid)
            lead_text = lead[0].text
        text = _capitalise(lead_text) + _pick(rng, phrases.CONTRASTS) + body
        frags = lead + frags
    else:
        text = _capitalise(_pick(rng, phrases.NEGATIVE_OPENERS) + body)
    return _answer(_finish(rng, text, phrases.NEGATIVE_CLOSERS), frags)


def missing_answer(rng: np.random.Generator, probs: np.ndarray, avoid: frozenset[str] = frozenset()) -> Answer:
    """Compose a "what is missing?" style answer: one to three needs, mostly as short noun phrases.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.
    probs : numpy.ndarray
        Probability of each leaf theme (order of ``LEAF_THEMES``).
    avoid : frozenset of str, optional
        Fragment texts never to use.

    Returns
    -------
    Answer
    """
    n = int(rng.choice((1, 2, 3), p=(0.6, 0.3, 0.1)))
    frags = _draw_fragments(rng, "-", probs, n, suggest_share=0.75, avoid=avoid)
    if n > 1 and rng.random() < 0.5:
        body = ", ".join(f.text for f in frags[:-1]) + " and " + frags[-1].text
    else:
        body = _join(rng, [f.text for f in frags])
    return _answer(_finish(rng, _capitalise(_pick(rng, phrases.MISSING_OPENERS) + body), phrases.NEGATIVE_CLOSERS), frags)


def topics_answer(rng: np.random.Generator) -> Answer:
    """Compose an answer to "what topics would you like to discuss?" from the topic list.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.

    Returns
    -------
    Answer
        One to three topics ("payment and recognition, digital exclusion").
    """
    n = int(rng.choice((1, 2, 3), p=(0.5, 0.35, 0.15)))
    idx = sorted(int(i) for i in rng.choice(len(phrases.TOPICS), size=n, replace=False))
    frags = [phrases.TOPICS[i] for i in idx]
    sep = _pick(rng, (", ", "; ", " and ", ", "))
    texts = [f.text for f in frags]
    if sep == " and " and n > 2:
        text = ", ".join(texts[:-1]) + " and " + texts[-1]
    else:
        text = sep.join(texts)
    return _answer(_capitalise(text) if rng.random() < 0.6 else text, frags)


def short_answer(rng: np.random.Generator, for_spreadsheet: bool = False, first_question: bool = False) -> Answer:
    """Return an "n/a" / "nothing really" style answer, which expresses no theme.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the choice.
    for_spreadsheet : bool, optional
        Leave out answers that start like a formula ("-"), for XLSX cells.
    first_question : bool, optional
        Leave out "as above"/"see above", which make no sense in a form's first question.

    Returns
    -------
    Answer
    """
    pool = tuple(s for s in phrases.SHORT_ANSWERS
                 if not (for_spreadsheet and s.startswith(FORMULA_START))
                 and not (first_question and s in phrases.REFERRING_SHORT_ANSWERS))
    return Answer(_pick(rng, pool), ())


def _swap(rng: np.random.Generator, word: str) -> str:
    """Swap two neighbouring letters."""
    i = int(rng.integers(len(word) - 1))
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _drop(rng: np.random.Generator, word: str) -> str:
    """Drop one letter."""
    i = int(rng.integers(1, len(word)))
    return word[:i] + word[i + 1:]


def _double(rng: np.random.Generator, word: str) -> str:
    """Double one letter."""
    i = int(rng.integers(len(word)))
    return word[:i + 1] + word[i] + word[i + 1:]


def add_typos(rng: np.random.Generator, text: str) -> str:
    """Roughen a text the way hurried typing does: lower-casing, swapped, dropped or doubled letters.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.
    text : str
        The clean answer.

    Returns
    -------
    str
        The answer with one or two typing slips.
    """
    if rng.random() < 0.4:
        text = text.lower()
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for _ in range(int(rng.integers(1, 3))):
        if not candidates:
            break
        i = _pick(rng, candidates)
        slip = _pick(rng, (_swap, _drop, _double))
        words[i] = slip(rng, words[i])
    return " ".join(words)

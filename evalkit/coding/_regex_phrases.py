"""Turn a finite regular-expression pattern into the plain phrases it matches.

Codebook authors write context patterns such as ``re:\\b(?:felt|feel)\\s+(?:heard|listened to)\\b``:
readable, but each regular expression scans every sentence, and a hundred of them made
re-coding 10,000 answers after a codebook edit take seconds instead of a tenth of one. When a
pattern is only words, alternatives, optional parts, character classes and spaces (no gaps
such as ``[^.]{0,40}``, no lookarounds, no open repeats), it matches a finite set of phrases;
the rule coder then matches those on its stem index like any plain pattern, which is fast and
applies negation the same way.
"""
from __future__ import annotations

import itertools
import re

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_LIMIT = 400


class _NotFinite(Exception):
    """The pattern matches an open-ended set of strings."""


def _expand(items, limit: int) -> list[str]:
    """All strings a parsed sequence matches (spaces for whitespace classes)."""
    out = [""]
    for op, av in items:
        if op is _c.LITERAL:
            options = [chr(av)]
        elif op is _c.AT:
            options = [""]                       # \b, ^, $: boundaries, nothing to add
        elif op is _c.IN:
            options = []
            for kind, value in av:
                if kind is _c.LITERAL:
                    options.append(chr(value))
                elif kind is _c.CATEGORY and value is _c.CATEGORY_SPACE:
                    options.append(" ")
                else:
                    raise _NotFinite
        elif op is _c.BRANCH:
            options = [s for branch in av[1] for s in _expand(branch, limit)]
        elif op is _c.SUBPATTERN:
            options = _expand(av[-1], limit)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            inner = _expand(body, limit)
            if low == 0 and high == 1:
                options = [""] + inner
            elif low == 1 and high is _c.MAXREPEAT and all(s.strip() == "" for s in inner):
                options = [" "]                  # \s+ : one space between words
            else:
                raise _NotFinite
        else:
            raise _NotFinite
        out = [a + b for a, b in itertools.product(out, options)]
        if len(out) > limit:
            raise _NotFinite
    return out


def finite_phrases(pattern: str, limit: int = _LIMIT) -> list[str] | None:
    """The phrases ``pattern`` matches, or None when they are unbounded or more than ``limit``.

    Parameters
    ----------
    pattern : str
        A regular expression (without the ``re:`` prefix).
    limit : int
        Most phrases returned.

    Returns
    -------
    list of str or None
        Distinct phrases with single spaces, in the pattern's order.

    Examples
    --------
    >>> finite_phrases(r"\\b(?:felt|feel)\\s+(?:really\\s+)?heard\\b")
    ['felt heard', 'felt really heard', 'feel heard', 'feel really heard']
    >>> finite_phrases(r"\\btransport\\b[^.]{0,40}\\blate\\b") is None
    True
    """
    try:
        parsed = _p.parse(pattern, re.IGNORECASE)
        phrases = _expand(list(parsed), limit)
    except (_NotFinite, re.error, TypeError, ValueError):
        return None
    cleaned = [" ".join(p.split()) for p in phrases]
    return [p for p in dict.fromkeys(cleaned) if p] or None


def first_words(pattern: str, limit: int = 200) -> list[str] | None:
    """Words one of which every match of ``pattern`` starts with, or None when unknown.

    Used to run an open-ended pattern only on sentences holding one of those words (found on
    the stem index) instead of scanning every sentence.

    Examples
    --------
    >>> first_words(r"\\b(?:taxis?|bus)\\b[^.]{0,40}\\blate\\b")
    ['taxi', 'taxis', 'bus']
    >>> first_words(r"(?<=\\bno )lifts?") is None
    True
    """
    try:
        parsed = list(_p.parse(pattern, re.IGNORECASE))
    except (re.error, TypeError, ValueError):
        return None
    words: list[str] = []
    while parsed and parsed[0][0] is _c.AT:
        parsed = parsed[1:]
    if not parsed:
        return None
    # the longest run of leading nodes that expands finitely, up to the first space
    for end in range(len(parsed), 0, -1):
        try:
            options = _expand(parsed[:end], limit)
        except _NotFinite:
            continue
        bounded = parsed[end - 1][0] is _c.AT or (end < len(parsed) and parsed[end][0] is _c.AT)
        whole = all(" " in o.strip() for o in options) or bounded
        words = [o.split()[0] if o.split() else "" for o in options] if whole else []
        break
    if not words or any(not w or not re.fullmatch(r"[\w'-]+", w) for w in words):
        return None
    return list(dict.fromkeys(w.lower() for w in words))

"""Redacting personal details from free text before it reaches a report.

Replaces email addresses ``[email]``, web addresses ``[url]``, UK phone numbers ``[phone]``,
NHS numbers ``[nhs number]``, UK postcodes ``[postcode]`` and listed first names ``[name]``,
in one left-to-right pass; where two kinds match at the same place the earlier in that list
wins (so the domain inside an email address is part of ``[email]``, not a ``[url]``).

NHS numbers: any 10 digits written as one run or grouped 3-3-4 (spaces or dashes) are
redacted *without* checking the modulus-11 check digit. A mistyped NHS number still points
to a person, and a bare 10-digit number in a free-text answer is almost never harmless, so
privacy wins over the rare false positive. Use :func:`nhs_check_digit_valid` to tell them
apart when that matters.

Names match whole words in any case (``Priya``, ``PRIYA``, ``Priya's`` -> ``[name]'s``), never
inside another word (``Priyanka`` stays). Names that are also everyday English words
(``Will``, ``May``, ``Hope``, ``Grace``...) only match when capitalised, so "we will meet"
keeps its verb.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

import pandas as pd

KINDS = ("email", "url", "phone", "nhs number", "postcode", "name")
_GROUP_KINDS = (("email", "email"), ("url", "url"), ("phone", "phone"), ("nhs", "nhs number"),
                ("postcode", "postcode"), ("name", "name"))

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+'-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b")
_URL = re.compile(
    r"(?i:(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|uk|io|info|gov|edu|eu|ie|me|app|online)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'])?)",
)
_SEP = r"(?:[ \t.\-]|\)\s?)?"
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?\(?|\(?0)[1237](?:" + _SEP + r"\d){8,9}(?!\d)"
)
_NHS = re.compile(r"(?<![\d+])(?:\d{3}[ \-]\d{3}[ \-]\d{4}|\d{10})(?![\d])")
_POSTCODE = re.compile(r"(?i:\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b)")
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)$")
_WORD_NAMES = frozenset(
    "will may hope grace faith joy rose mark bill pat sue art amber dawn april june summer heather holly ivy "
    "iris ruby crystal sky rich frank drew carol chase cliff dean glen grant guy jack jay jean ken lily max "
    "miles ray reed rob rod sandy penny robin daisy violet willow autumn eve gene harmony honey mercy "
    "patience trinity destiny hunter mason taylor forest river brook ash".split()
)


def _ordinal_lookalike(text: str) -> bool:
    """Return True for text like "A4 5th" that fits the postcode shape but ends in an ordinal."""
    return text[-2:].islower() and _ORDINAL.search(text) is not None


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Return one regex matching any listed name as a whole word, with an optional possessive."""
    plain, wordy = [], []
    for name in sorted({str(n).strip() for n in names if str(n).strip()}, key=lambda n: (-len(n), n)):
        escaped = r"\s+".join(re.escape(part) for part in name.split())
        if name.casefold() in _WORD_NAMES:
            wordy.append(re.escape(name[0].upper()) + escaped[1:] if name[0].isalpha() else escaped)
        else:
            plain.append(escaped)
    parts = []
    if plain:
        parts.append(r"(?i:" + "|".join(plain) + ")")
    if wordy:
        parts.append(r"(?:" + "|".join(wordy) + "|" + "|".join(w.upper() for w in wordy) + ")")
    if not parts:
        return None
    return re.compile(r"(?<![\w'’-])(?:" + "|".join(parts) + r")(?![\w-])(?P<s>['’]s\b)?")


class Redactor:
    """Replace personal details in text and count what was replaced.

    Parameters
    ----------
    names : iterable of str, optional
        First names to redact (whole words, any case; possessives kept as ``[name]'s``).

    Attributes
    ----------
    counts : collections.Counter
        Replacements made so far, by kind (``email``, ``url``, ``phone``, ``nhs number``,
        ``postcode``, ``name``).

    Examples
    --------
    >>> r = Redactor(names=["Priya"])
    >>> r.redact("Priya's number is 07700 900461")
    "[name]'s number is [phone]"
    >>> r.counts["phone"]
    1
    """

    def __init__(self, names: Iterable[str] = ()):
        self.names = tuple(names)
        self.counts: Counter = Counter(dict.fromkeys(KINDS, 0))
        steps = [("email", _EMAIL), ("url", _URL), ("phone", _PHONE), ("nhs", _NHS), ("postcode", _POSTCODE)]
        names_re = _name_pattern(self.names)
        if names_re is not None:
            steps.append(("name", names_re))
        self._pattern = re.compile("|".join(f"(?P<{group}>{regex.pattern})" for group, regex in steps))
        self._groups = [(group, kind) for group, kind in _GROUP_KINDS if group in self._pattern.groupindex]

    def _replace(self, match: re.Match) -> str:
        """Return the placeholder for one match and count it."""
        for group, kind in self._groups:
            text = match.group(group)
            if text is None:
                continue
            if kind == "postcode" and _ordinal_lookalike(text):
                return text
            self.counts[kind] += 1
            return f"[{kind}]" + ((match.group("s") or "") if kind == "name" else "")
        return match.group(0)

    def redact(self, text: str) -> str:
        """Return ``text`` with personal details replaced; non-text (None, NA) passes through.

        Parameters
        ----------
        text : str

        Returns
        -------
        str
        """
        if not isinstance(text, str):
            return text
        return self._pattern.sub(self._replace, text)

    def redact_series(self, series: pd.Series) -> pd.Series:
        """Return a Series of redacted text (``string`` dtype; NA stays NA), same index.

        Parameters
        ----------
        series : pandas.Series
            Text values; non-text values are treated as missing.

        Returns
        -------
        pandas.Series
        """
        return series.astype("string").str.replace(self._pattern, self._replace, regex=True)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Return ``text`` with emails, URLs, UK phones, NHS numbers, postcodes and names replaced.

    Parameters
    ----------
    text : str
        Free text, e.g. a survey answer. Non-text (None, NA) is returned unchanged.
    names : iterable of str, optional
        First names to redact as ``[name]``.

    Returns
    -------
    str

    Examples
    --------
    >>> redact("Email jo@example.com or ring 020 7946 0321", names=["Jo"])
    'Email [email] or ring [phone]'
    """
    return Redactor(names).redact(text)


def redact_series(series: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """Redact every value of a Series of text (vectorised); see :func:`redact`.

    Parameters
    ----------
    series : pandas.Series
        Free-text answers.
    names : iterable of str, optional
        First names to redact as ``[name]``.

    Returns
    -------
    pandas.Series
        ``string`` dtype, same index and name; missing values stay missing.
    """
    return Redactor(names).redact_series(series)


def nhs_check_digit_valid(number: str) -> bool:
    """Return True when a 10-digit NHS number passes the modulus-11 check.

    Weights 10..2 apply to the first nine digits; the check digit is ``11 - (sum % 11)``,
    with 11 meaning 0 and 10 meaning the number is invalid (NHS Data Dictionary, "NHS Number").

    Parameters
    ----------
    number : str
        The number, spaces and dashes allowed.

    Returns
    -------
    bool
    """
    digits = re.sub(r"[ \-]", "", str(number))
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])

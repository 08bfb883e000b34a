"""Redacting personal details from free text before it reaches a report.

Replaces, in this order: email addresses ``[email]``, web addresses ``[url]``, UK phone
numbers ``[phone]``, NHS numbers ``[nhs number]``, UK postcodes ``[postcode]`` and listed
first names ``[name]``.

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

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+'-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b")
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|uk|io|info|gov|edu|eu|ie|me|app|online)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'])?",
    re.IGNORECASE,
)
_SEP = r"(?:[ \t.\-]|\)\s?)?"
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?\(?|\(?0)[1237](?:" + _SEP + r"\d){8,9}(?!\d)"
)
_NHS = re.compile(r"(?<![\d+])(?:\d{3}[ \-]\d{3}[ \-]\d{4}|\d{10})(?![\d])")
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)$")
_WORD_NAMES = frozenset(
    "will may hope grace faith joy rose mark bill pat sue art amber dawn april june summer heather holly ivy "
    "iris ruby crystal sky rich frank drew carol chase cliff dean glen grant guy jack jay jean ken lily max "
    "miles ray reed rob rod sandy penny robin daisy violet willow autumn eve gene harmony honey mercy "
    "patience trinity destiny hunter mason taylor forest river brook ash".split()
)


def _postcode(match: re.Match) -> str:
    """Return [postcode], unless it ends like a lower-case ordinal ("A4 5th"; "B33 8TH" is a postcode)."""
    text = match.group(0)
    if text[-2:].islower() and _ORDINAL.search(text):
        return text
    return "[postcode]"


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


def _name_replacement(match: re.Match) -> str:
    """Return [name], keeping a possessive 's."""
    return "[name]" + (match.group("s") or "")


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
        self.counts: Counter = Counter()
        names_re = _name_pattern(self.names)
        self._steps = [
            ("email", _EMAIL, "[email]"),
            ("url", _URL, "[url]"),
            ("phone", _PHONE, "[phone]"),
            ("nhs number", _NHS, "[nhs number]"),
            ("postcode", _POSTCODE, _postcode),
        ]
        if names_re is not None:
            self._steps.append(("name", names_re, _name_replacement))

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
        for kind, pattern, replacement in self._steps:
            token = f"[{kind}]"
            before = text.count(token)
            text = pattern.sub(replacement, text)
            self.counts[kind] += text.count(token) - before
        return text

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
        text = series.astype("string")
        for kind, pattern, replacement in self._steps:
            token = re.escape(f"[{kind}]")
            before = text.str.count(token).sum()
            text = text.str.replace(pattern, replacement, regex=True)
            self.counts[kind] += int(text.str.count(token).sum() - before)
        return text


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

"""Redacting personal details from free text before it reaches any output.

This is the one redactor every output uses (report pages, quarantine.csv, member-check
workbooks, REFI-QDA exports, ``evalkit code``). It replaces email addresses ``[email]``, web
addresses ``[url]``, UK phone numbers ``[phone]``, NHS numbers ``[nhs number]``, UK postcodes
``[postcode]``, street addresses ``[address]`` ("12 Acacia Avenue"), dates of birth
``[date of birth]`` (a date after "DOB", "date of birth" or "born", or any full date of the
1900s) and people's names ``[name]``: the configured names list, and names nobody listed,
found by :mod:`evalkit.privacy.names` (an English NER model, name lists and context such as
"Dr", "my support worker", "thanks to"). Patterns run first in one left-to-right pass (where two
kinds match at the same place the earlier in ``KINDS`` wins, so the domain inside an email
address is part of ``[email]``); names are found in what is left.

NHS numbers: any 10 digits written as one run or grouped 3-3-4 (spaces or dashes) are
redacted *without* checking the modulus-11 check digit. A mistyped NHS number still points
to a person, and a bare 10-digit number in a free-text answer is almost never harmless, so
privacy wins over the rare false positive. Use :func:`nhs_check_digit_valid` to tell them
apart when that matters.

Listed names match whole words in any case (``Priya``, ``PRIYA``, ``Priya's`` -> ``[name]'s``),
never inside another word (``Priyanka`` stays). Listed names that are also everyday English
words (``Will``, ``May``, ``Hope``, ``Grace``...) only match when capitalised, so "we will meet"
keeps its verb.

Each distinct text is redacted once per :class:`Redactor` (results are memoised), so a million
answers with ten thousand distinct texts cost ten thousand redactions.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Iterable, Sequence

import pandas as pd

KINDS = ("email", "url", "phone", "nhs number", "postcode", "address", "date of birth", "name")
_GROUP_KINDS = (("email", "email"), ("url", "url"), ("phone", "phone"), ("nhs", "nhs number"),
                ("dob", "date of birth"), ("old", "date of birth"), ("postcode", "postcode"),
                ("address", "address"), ("name", "name"))
MEMO_LIMIT = 200_000
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
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
         r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\.?,?\s+\d{4}"
         r"|" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})")
_DOB = re.compile(r"(?i:(?P<dobcue>\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday(?:\s+is)?)"
                  r"\s*(?:is|was|:|-|=)?\s*))" + r"(?i:" + _DATE + ")")
_OLD_DATE = re.compile(r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-]19\d{2}(?!\d)")
_STREET = (r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Place|Gardens|Gdns|"
           r"Grove|Terrace|Hill|Square|Sq|Mews|Row|Walk|Rise|Parade|Gate|Vale|Croft|Boulevard|Crescent)")
_ADDRESS = re.compile(r"(?<![\w/.-])(?:[Ff]lat\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
                      r"(?:[A-Z][\w'’-]*\s+){1,3}(?:" + _STREET + "|" + _STREET.lower() + r")\b\.?")


def _ordinal_lookalike(text: str) -> bool:
    """Return True for text like "A4 5th" that fits the postcode shape but ends in an ordinal."""
    return text[-2:].islower() and _ORDINAL.search(text) is not None


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Return one regex matching any listed name as a whole word, with an optional possessive."""
    from evalkit.privacy.names import WORD_NAMES

    plain, wordy = [], []
    for name in sorted({str(n).strip() for n in names if str(n).strip()}, key=lambda n: (-len(n), n)):
        escaped = r"\s+".join(re.escape(part) for part in name.split())
        if name.casefold() in WORD_NAMES:
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
        Names to redact as well as those found automatically (whole words, any case;
        possessives kept as ``[name]'s``).
    find_names : bool, default True
        Find names nobody listed (:class:`evalkit.privacy.names.NameFinder`). Only tests of
        the patterns alone turn this off.

    Attributes
    ----------
    counts : collections.Counter
        Replacements made so far, by kind (see ``KINDS``).

    Examples
    --------
    ``find_names=False`` keeps this example quick (no name model); listed names are still removed:

    >>> r = Redactor(names=["Priya"], find_names=False)
    >>> r.redact("Priya's number is 07700 900461")
    "[name]'s number is [phone]"
    >>> r.counts["phone"]
    1
    """

    def __init__(self, names: Iterable[str] = (), find_names: bool = True):
        from evalkit.privacy.names import NameFinder

        self.names = tuple(str(n) for n in names if isinstance(n, str))
        self.counts: Counter = Counter(dict.fromkeys(KINDS, 0))
        steps = [("email", _EMAIL), ("url", _URL), ("dob", _DOB), ("old", _OLD_DATE), ("phone", _PHONE),
                 ("nhs", _NHS), ("postcode", _POSTCODE), ("address", _ADDRESS)]
        names_re = _name_pattern(self.names)
        if names_re is not None:
            steps.append(("name", names_re))
        self._pattern = re.compile("|".join(f"(?P<{group}>{regex.pattern})" for group, regex in steps))
        self._groups = [(group, kind) for group, kind in _GROUP_KINDS if group in self._pattern.groupindex]
        self._finder = NameFinder() if find_names else None
        self._memo: dict[str, tuple[str, Counter]] = {}

    def _replace(self, match: re.Match, counts: Counter) -> str:
        """Return the placeholder for one match and count it."""
        for group, kind in self._groups:
            text = match.group(group)
            if text is None:
                continue
            if kind == "postcode" and _ordinal_lookalike(text):
                return text
            counts[kind] += 1
            if group == "dob":
                return match.group("dobcue") + "[date of birth]"
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
        return self.redact_many([text])[0]

    def redact_many(self, texts: Sequence[str]) -> list[str]:
        """Redact many texts, each distinct one once; names are found in one batch.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        list of str
        """
        self._fill(texts)
        out = []
        for t in texts:
            done, c = self._memo[t]
            self.counts.update(c)
            out.append(done)
        return out

    def _fill(self, texts: Sequence[str]) -> None:
        """Redact the texts not seen yet (memo: text -> (redacted, counts))."""
        new = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if not new:
            return
        if len(self._memo) + len(new) > MEMO_LIMIT:
            self._memo.clear()
        counted = [Counter() for _ in new]
        first = [self._pattern.sub(lambda m, c=c: self._replace(m, c), t) for t, c in zip(new, counted)]
        spans = self._finder.spans_many(first) if self._finder is not None else [[] for _ in first]
        for text, done, found, c in zip(new, first, spans, counted):
            for start, end, _ in reversed(found):
                done = done[:start] + "[name]" + done[end:]
            c["name"] += len(found)
            self._memo[text] = (done, c)

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
        times = text.value_counts(dropna=True)
        distinct = list(times.index)
        self._fill(distinct)
        mapping = {}
        for value, n in zip(distinct, times.to_numpy()):
            done, c = self._memo[value]
            mapping[value] = done
            for kind, k in c.items():
                self.counts[kind] += k * int(n)
        return text.map(mapping, na_action="ignore").astype("string")


@functools.lru_cache(maxsize=8)
def shared_redactor(names: tuple[str, ...] = ()) -> Redactor:
    """The process's redactor for a names list (its memo is shared by every caller)."""
    return Redactor(names)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Return ``text`` with every kind of personal detail in ``KINDS`` replaced.

    Parameters
    ----------
    text : str
        Free text, e.g. a survey answer. Non-text (None, NA) is returned unchanged.
    names : iterable of str, optional
        Names to redact as ``[name]`` as well as those found automatically.

    Returns
    -------
    str

    Examples
    --------
    >>> redact("Email jo@example.com or ring 020 7946 0321", names=["Jo"])
    'Email [email] or ring [phone]'
    """
    return shared_redactor(tuple(str(n) for n in names)).redact(text)


def redact_series(series: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """Redact every value of a Series of text, each distinct value once; see :func:`redact`.

    Parameters
    ----------
    series : pandas.Series
        Free-text answers.
    names : iterable of str, optional
        Names to redact as ``[name]`` as well as those found automatically.

    Returns
    -------
    pandas.Series
        ``string`` dtype, same index and name; missing values stay missing.
    """
    return shared_redactor(tuple(str(n) for n in names)).redact_series(series)


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

"""Guessing one column's type from its text cells: likert, number, date, single choice, free text.

Each ``guess_*`` function takes a column's whitespace-stripped text cells ("" = blank, with
"no answer" placeholders already blank) and returns a :class:`ColumnGuess` (or None when the
type does not fit), with plain "check ..." reasons for the person who reviews the config and
the positions of cells the guess does not fit (those rows will be quarantined). Most helpers
here are shared with :mod:`evalkit.programme.infer`, which decides the key columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

FIT = 0.95                 # share of non-blank cells a type must fit; the rest are quarantined
MAX_CHOICES = 12
CHOICE_LENGTH = 60
ROLES = ("id", "project", "respondent", "question", "likert", "number", "date", "single_choice", "free_text",
         "undeclared")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y",
                "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y",
                "%d %b %Y", "%m/%d/%Y")
_READABLE_FORMAT = {"%Y-%m-%d": "yyyy-mm-dd", "%d/%m/%Y": "dd/mm/yyyy", "%d/%m/%y": "dd/mm/yy",
                    "%d-%m-%Y": "dd-mm-yyyy", "%d.%m.%Y": "dd.mm.yyyy", "%m/%d/%Y": "mm/dd/yyyy (US)"}


@dataclass(frozen=True)
class ScaleGuess:
    """A rating scale guessed from a column's values.

    Attributes
    ----------
    name : str
        Suggested name under ``scales:`` (``agreement``, ``fft``, ``codes_1_to_5``...).
    labels : tuple of (int, str)
        Each rating value and its label, in value order.
    missing : tuple of (int, str)
        Codes meaning "no rating" (e.g. ``(6, "Don't know")``).
    kind : str
        ``agreement``, ``rating``, ``frequency`` or ``other``.
    higher_is_better : bool or None
        None when unknown (integer codes); the config then leaves the key out.
    from_codes : bool
        True when the labels are the codes themselves and need naming by a person.
    """

    name: str
    labels: tuple[tuple[int, str], ...]
    missing: tuple[tuple[int, str], ...] = ()
    kind: str = "other"
    higher_is_better: bool | None = None
    from_codes: bool = False


@dataclass(frozen=True)
class ColumnGuess:
    """What one column seems to hold, and what a person should check.

    Attributes
    ----------
    name : str
        The header exactly as in the file.
    role : str
        One of ``ROLES``; ``undeclared`` columns stay out of ``columns:`` and load as text.
    reasons : tuple of str
        Plain "check ..." sentences, written as comments beside the guess.
    required : bool
        False when any cell is blank (or a "no answer" placeholder or code).
    scale : ScaleGuess or None
        For ``likert``.
    choices : tuple of str
        For ``single_choice``, in natural sort order.
    min, max : float or None
        For ``number``: the lowest and highest values seen.
    integer : bool
        For ``number``: every value is a whole number.
    date_format : str or None
        For ``date``: the ``strftime`` format every value fits.
    misfit_rows : tuple of int
        Positions (0-based data rows) of cells the guess does not fit: those rows will be
        quarantined when the programme loads.
    """

    name: str
    role: str
    reasons: tuple[str, ...] = ()
    required: bool = True
    scale: ScaleGuess | None = None
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    date_format: str | None = None
    misfit_rows: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        """The header with runs of whitespace (line breaks included) made single spaces."""
        return " ".join(self.name.split())


@dataclass(frozen=True)
class _KnownScale:
    """A published label set: labels from value 1 up, then "no rating" labels."""

    name: str
    labels: tuple[str, ...]
    missing: tuple[str, ...] = ()
    kind: str = "rating"
    higher_is_better: bool = True
    aliases: tuple[tuple[str, str], ...] = ()


_DONT_KNOW = ("Don't know",)
_DONT_KNOW_ALIASES = (("dont know", "Don't know"), ("do not know", "Don't know"))
KNOWN_SCALES = (
    _KnownScale("agreement", ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
                              "Strongly agree"), _DONT_KNOW, "agreement", True,
                (("neither agree or disagree", "Neither agree nor disagree"),) + _DONT_KNOW_ALIASES),
    _KnownScale("fft", ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor"), _DONT_KNOW, "rating",
                False, (("neither good or poor", "Neither good nor poor"),) + _DONT_KNOW_ALIASES),
    _KnownScale("fft_likely", ("Extremely likely", "Likely", "Neither likely nor unlikely", "Unlikely",
                               "Extremely unlikely"), _DONT_KNOW, "rating", False,
                (("neither likely or unlikely", "Neither likely nor unlikely"),) + _DONT_KNOW_ALIASES),
    _KnownScale("satisfaction", ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
                                 "Satisfied", "Very satisfied"), _DONT_KNOW, "rating", True,
                (("neither satisfied or dissatisfied", "Neither satisfied nor dissatisfied"),) + _DONT_KNOW_ALIASES),
    _KnownScale("quality", ("Poor", "Fair", "Good", "Very good", "Excellent"), _DONT_KNOW, "rating", True,
                _DONT_KNOW_ALIASES),
    _KnownScale("frequency", ("Never", "Rarely", "Sometimes", "Often", "Always"), _DONT_KNOW, "frequency", True,
                _DONT_KNOW_ALIASES),
)


# ---------------------------------------------------------------- small helpers

def fold(text: str) -> str:
    """Return text as compared when matching scale labels: case, spacing, curly quotes, a final stop ignored."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    text = " ".join(text.split())
    return text[:-1].rstrip() if text.endswith(".") else text


def non_blank(cells: pd.Series) -> pd.Series:
    """Return the non-blank cells."""
    return cells[cells != ""]


def count_of(n: int, thing: str) -> str:
    """Return '1 row' / '3 rows' style counts."""
    return f"{n:,} {thing}" if n == 1 else f"{n:,} {thing}s"


def examples(values, n: int = 3) -> str:
    """Return a few values quoted and shortened for a comment."""
    shown = []
    for value in list(dict.fromkeys(values))[:n]:
        value = " ".join(str(value).split())
        shown.append(f"'{value[:37]}...'" if len(value) > 40 else f"'{value}'")
    return ", ".join(shown)


def _fmt(number: float) -> str:
    """Return a number without a trailing .0."""
    return f"{number:g}" if abs(number) < 1e15 else str(number)


def positions(mask: pd.Series) -> tuple[int, ...]:
    """Return the 0-based positions where mask is True."""
    return tuple(int(i) for i in np.flatnonzero(mask.to_numpy()))


def misfit_reason(cells: pd.Series, misfit: pd.Series, what: str) -> list[str]:
    """Return a reason naming cells that do not fit, or nothing when all fit."""
    n = int(misfit.sum())
    if not n:
        return []
    return [f"check {count_of(n, 'value')} that {'is' if n == 1 else 'are'} not {what} "
            f"({examples(cells[misfit])}): {'its row' if n == 1 else 'their rows'} will be quarantined "
            "until fixed"]


def natural_key(text: str):
    """Sort key putting '2' before '10' and '16-24' before '25-34'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)]


# ---------------------------------------------------------------- types

def numbers(cells: pd.Series) -> pd.Series:
    """Return cells parsed as finite floats (NaN where blank or not a number)."""
    number = pd.to_numeric(cells.where(cells != ""), errors="coerce").astype(float)
    return number.where(np.isfinite(number))


def guess_date(name: str, cells: pd.Series) -> ColumnGuess | None:
    """Guess a date column: at least 95% of cells fit one date format (day first when ambiguous).

    Parameters
    ----------
    name : str
        The header.
    cells : pandas.Series
        Text cells with placeholders already blank.

    Returns
    -------
    ColumnGuess or None
    """
    filled = non_blank(cells)
    if filled.empty or filled.str.match(r"^\d{1,4}[-/. ]\w+[-/. ]\d{2,4}").mean() < FIT:
        return None
    best, best_parsed, best_n = None, None, 0
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(filled, format=fmt, errors="coerce")
        n = int(parsed.notna().sum())
        if n > best_n:
            best, best_parsed, best_n = fmt, parsed, n
    if best is None or best_n < FIT * len(filled):
        return None
    misfit = pd.Series(False, index=cells.index)
    misfit[filled.index] = best_parsed.isna().to_numpy()
    readable = _READABLE_FORMAT.get(best, best)
    reasons = [f"check these are dates written {readable}"]
    days = best_parsed.dropna().dt.day
    if best.startswith("%d/%m") and not (days > 12).any():
        reasons.append("no day above 12 was seen, so they could be month first (US); they are read day first (UK)")
    if best == "%m/%d/%Y":
        reasons.append("some dates only make sense month first, so the file seems to use US dates")
    us = best.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")
    other = misfit.copy()
    if misfit.any() and us != best:
        month_first = pd.to_datetime(cells.where(misfit), format=us, errors="coerce").notna()
        if month_first.any():
            other &= ~month_first
            n = int(month_first.sum())
            reasons.append(f"check: {count_of(n, 'date')} only make{'s' * (n == 1)} sense month first (US), e.g. "
                           f"{examples(cells[month_first])}, so the file mixes UK and US dates; "
                           f"{'its row' if n == 1 else 'their rows'} will be quarantined until corrected (or "
                           "remove format: to read each date as best it can, day first when unclear)")
    reasons += misfit_reason(cells, other, "dates in that format")
    return ColumnGuess(name, "date", tuple(reasons), required=not (cells == "").any(), date_format=best,
                       misfit_rows=positions(misfit))


def _likert_range(counts: pd.Series) -> tuple[int, int] | None:
    """Return the short whole-number range holding the most values, or None.

    A range qualifies as a rating scale when it starts between -5 and 1 and spans 3 to 11
    points (1-5, 0-10, 1-7, -4 to 4...) and holds at least 95% of the values.
    """
    values = sorted(int(v) for v in counts.index)
    if len(values) > 30:
        return None
    total, best = counts.sum(), None
    for lo in values:
        if not -5 <= lo <= 1:
            continue
        for hi in values:
            if not 2 <= hi - lo <= 10:
                continue
            held = counts[(counts.index >= lo) & (counts.index <= hi)].sum()
            if best is None or held > best[0]:
                best = (held, lo, hi)
    if best is None or best[0] < FIT * total:
        return None
    return best[1], best[2]


def _codes_scale_name(lo: int, hi: int) -> str:
    """Return a scale name for codes lo..hi, e.g. codes_1_to_5, codes_minus4_to_4."""
    def word(v: int) -> str:
        return f"minus{-v}" if v < 0 else str(v)
    return f"codes_{word(lo)}_to_{word(hi)}"


def guess_numeric(name: str, cells: pd.Series) -> ColumnGuess | None:
    """Guess a numeric column: rating codes (likert), a yes/no code (single_choice) or a number.

    At least 95% of cells must be numbers. Whole numbers on a short range starting near 1
    become a likert column whose scale's labels are the codes themselves; two codes only
    become a single choice; anything else is a number with the range seen. Codes written
    with a leading zero (``01``) are not numbers.

    Parameters
    ----------
    name : str
        The header.
    cells : pandas.Series
        Text cells with placeholders already blank.

    Returns
    -------
    ColumnGuess or None
    """
    filled = non_blank(cells)
    if filled.empty or filled.str.match(r"^[+-]?0\d").any():
        return None
    number = numbers(filled)
    if number.notna().sum() < FIT * len(filled):
        return None
    required = not (cells == "").any()
    whole = number.dropna() % 1 == 0
    not_number = pd.Series(False, index=cells.index)
    not_number[filled.index] = number.isna().to_numpy()
    if whole.all():
        counts = number.dropna().astype(int).value_counts()
        span = _likert_range(counts)
        if span is not None and counts.size > 2:
            lo, hi = span
            off = not_number.copy()
            off[filled.index] = (number.isna() | (number < lo) | (number > hi)).to_numpy()
            scale = ScaleGuess(_codes_scale_name(lo, hi), tuple((v, str(v)) for v in range(lo, hi + 1)),
                               from_codes=True)
            reasons = [f"check: whole numbers {lo} to {hi} only, read as a rating scale ({scale.name})"]
            reasons += misfit_reason(cells, off, f"whole numbers from {lo} to {hi}")
            if off.any() and number[off[filled.index].to_numpy()].notna().any():
                reasons.append("if a code outside the range means 'don't know' or 'no answer', list it under the "
                               "scale's missing: instead")
            return ColumnGuess(name, "likert", tuple(reasons), required=required, scale=scale,
                               misfit_rows=positions(off))
        if counts.size == 2 and set(counts.index) <= {-1, 0, 1, 2}:
            choices = tuple(str(v) for v in sorted(counts.index))
            reasons = [f"check: only the codes {' and '.join(choices)}, read as a single choice; say what "
                       "each means in the label"] + misfit_reason(cells, not_number, "numbers")
            return ColumnGuess(name, "single_choice", tuple(reasons), required=required, choices=choices,
                               misfit_rows=positions(not_number))
    low, high = float(number.min()), float(number.max())
    integer = bool(whole.all())
    reasons = [f"check the range: min {_fmt(low)} and max {_fmt(high)} are the lowest and highest values seen; "
               "set the range the question allows" + ("" if integer else " (decimals seen)")]
    reasons += misfit_reason(cells, not_number, "numbers")
    return ColumnGuess(name, "number", tuple(reasons), required=required, min=low, max=high, integer=integer,
                       misfit_rows=positions(not_number))


def match_known_scale(filled: pd.Series) -> tuple[_KnownScale, dict[str, str]] | None:
    """Return the known label set that at least 95% of cells fit, with the data's spelling of each label."""
    folded = filled.map(fold)
    counts = folded.value_counts()
    if counts.size > 20:
        return None
    best = None
    for known in KNOWN_SCALES:
        lookup = {fold(label): label for label in known.labels + known.missing}
        lookup.update(known.aliases)
        fits = counts[counts.index.isin(list(lookup))]
        ratings = {lookup[k] for k in fits.index} - set(known.missing)
        if len(ratings) < min(3, len(known.labels)) or fits.sum() < FIT * counts.sum():
            continue
        score = (int(fits.sum()), len(ratings))
        if best is None or score > best[0]:
            spelled = {}
            for cell, key in zip(filled, folded):
                if key in lookup and lookup[key] not in spelled:
                    spelled[lookup[key]] = cell
            best = (score, known, spelled)
    return None if best is None else (best[1], best[2])


def guess_label_scale(name: str, cells: pd.Series) -> ColumnGuess | None:
    """Guess a likert column written as labels (agreement, FFT, satisfaction, quality, frequency).

    The scale keeps the labels in their published order with the data's own spelling, and
    "Don't know" as a missing code after them.

    Parameters
    ----------
    name : str
        The header.
    cells : pandas.Series
        Text cells with placeholders already blank.

    Returns
    -------
    ColumnGuess or None
    """
    filled = non_blank(cells)
    if filled.empty:
        return None
    match = match_known_scale(filled)
    if match is None:
        return None
    known, spelled = match
    labels = tuple((i + 1, spelled.get(label, label)) for i, label in enumerate(known.labels))
    missing = tuple((len(known.labels) + 1 + i, spelled.get(label, label)) for i, label in enumerate(known.missing))
    scale = ScaleGuess(known.name, labels, missing, known.kind, known.higher_is_better)
    lookup = {fold(label): label for label in known.labels + known.missing} | dict(known.aliases)
    on_scale = cells.map(fold).isin(list(lookup))
    # The loader matches labels ignoring case only, so other spellings of a label are quarantined too.
    written = cells.str.casefold().isin([label.casefold() for _, label in labels + missing])
    respelled = (cells != "") & on_scale & ~written
    misfit = (cells != "") & ~on_scale
    no_rating = cells.str.casefold().isin([label.casefold() for _, label in missing])
    reasons = [f"check: answers are labels of the {known.name} scale, e.g. {examples(filled)}"]
    if respelled.any():
        n = int(respelled.sum())
        reasons.append(f"check {count_of(n, 'answer')} spelled unlike the scale's labels "
                       f"({examples(cells[respelled])}): {'its row' if n == 1 else 'their rows'} will be "
                       "quarantined until the spelling is made the same")
    reasons += misfit_reason(cells, misfit, f"labels of the {known.name} scale")
    misfit |= respelled
    return ColumnGuess(name, "likert", tuple(reasons), required=not ((cells == "") | no_rating).any(), scale=scale,
                       misfit_rows=positions(misfit))


def guess_text(name: str, cells: pd.Series) -> ColumnGuess:
    """Guess a text column: free text, a single choice, or undeclared.

    Free text when answers are long (25 characters on average, or any over 60) or mostly
    different; a single choice when at most 12 different short answers each come back
    (choices merged ignoring case and spacing, in natural order); otherwise undeclared with
    a note (many repeated short codes).

    Parameters
    ----------
    name : str
        The header.
    cells : pandas.Series
        Text cells with placeholders already blank.

    Returns
    -------
    ColumnGuess
    """
    filled = non_blank(cells)
    required = not (cells == "").any()
    lengths = filled.str.len()
    folded = filled.map(lambda v: " ".join(v.split()).casefold())
    distinct = folded.nunique()
    short = int(lengths.max()) <= CHOICE_LENGTH
    if short and distinct <= MAX_CHOICES and len(filled) >= 2 * distinct:
        first = {}
        for value, key in zip(filled, folded):
            first.setdefault(key, " ".join(value.split()))
        choices = tuple(sorted(first.values(), key=natural_key))
        return ColumnGuess(name, "single_choice", (
            f"check the {distinct} choices are all the answers allowed (add any not seen yet); "
            "mark demographic questions with demographic: true",), required=required, choices=choices)
    if lengths.mean() >= 25 or lengths.max() > CHOICE_LENGTH or distinct >= 0.5 * len(filled):
        return ColumnGuess(name, "free_text", (
            f"check: free text, {distinct:,} different answers in {len(filled):,}, up to "
            f"{int(lengths.max()):,} characters; it is coded into themes and quoted",), required=False)
    return ColumnGuess(name, "undeclared", (
        f"not declared (kept as text): {distinct:,} different short values, e.g. {examples(filled)}; check: "
        "declare it as single_choice with its choices if it is a fixed list",))


def guess_column(name: str, cells: pd.Series) -> ColumnGuess:
    """Guess one non-key column's type, trying date, numbers, label scales, then text.

    Columns that are always blank, or hold one value only (a flag such as ``1`` or blank),
    are left undeclared: they would add nothing to a report.

    Parameters
    ----------
    name : str
        The header.
    cells : pandas.Series
        Text cells with placeholders already blank.

    Returns
    -------
    ColumnGuess
    """
    filled = non_blank(cells)
    if filled.empty:
        return ColumnGuess(name, "undeclared", ("not declared (kept as text): always blank",))
    values = filled.map(lambda v: " ".join(v.split()).casefold()).unique()
    if len(values) == 1:
        blanks = " or blank" if (cells == "").any() else ""
        return ColumnGuess(name, "undeclared", (
            f"not declared (kept as text): only ever {examples(filled, 1)}{blanks}, like a flag",))
    for guess in (guess_date, guess_numeric, guess_label_scale):
        found = guess(name, cells)
        if found is not None:
            return found
    return guess_text(name, cells)

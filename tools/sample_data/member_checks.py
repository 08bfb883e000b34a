"""Member-checking sheets returned by the sample's co-producers (``data/sample/member_checks/``).

Three co-producers were each sent the same workbook from
:func:`evalkit.people.member_check.export_member_check`: the default codebook's twelve leaf themes,
what each means, and a few example quotes (answers written to express that theme, with personal
details removed by the default redactor). Each reviewer then answered like a real person would:
mostly "rings true", some "not quite", a few "doesn't fit", some rows skipped, short comments on
some rows, and the odd answer typed by hand instead of picked from the drop-down. One reviewer
writes their own wording in one answer cell, so :func:`evalkit.people.member_check.import_member_checks`
quarantines exactly one row across the three files.

Every draw comes from the ``numpy.random.Generator`` passed in, and workbooks are saved with
:func:`evalkit.xlsx.save_workbook`, so the same generator state gives byte-identical files.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Sequence

import numpy as np
from openpyxl import load_workbook

from evalkit.people.member_check import HEADERS, THEMES_SHEET, export_member_check
from tools.sample_data import people
from tools.sample_data.config import MEMBER_CHECK_FILES, MEMBER_CHECKS_DIR
from tools.sample_data.text import Answer
from evalkit.xlsx import save_workbook

REVIEWERS: tuple[str, ...] = ("Reviewer 1", "Reviewer 2", "Reviewer 3")
QUOTES_PER_THEME = 3
QUOTE_WORDS = (6, 30)
ANSWER_P = {"rings true": 0.58, "not quite": 0.17, "doesn't fit": 0.1, "": 0.15}
COMMENT_P = {"rings true": 0.35, "not quite": 0.8, "doesn't fit": 0.9, "": 0.15}
THEME_COMMENT_P = 0.5
TYPED_P = 0.25
OWN_WORDS_REVIEWER = 1
OWN_WORDS = ("sort of - some meetings yes, some no",
             "It depended a lot on who was chairing. Early on it felt like this, later it got better.")

COMMENTS: dict[str, tuple[str, ...]] = {
    "rings true": (
        "Yes, this was my experience too.",
        "Spot on.",
        "This is exactly how it felt in our group.",
        "Agree. Good to see it written down.",
        "Yes - and it mattered a lot to me.",
    ),
    "not quite": (
        "Partly. It got better towards the end.",
        "True for some meetings but not all of them.",
        "I'd put it more simply.",
        "This mixes two different things together.",
        "It depends which project you were in.",
        "Close, but the quotes make it sound worse than it was.",
    ),
    "doesn't fit": (
        "This wasn't my experience at all.",
        "I don't think this is a separate theme.",
        "We never had this problem in our group.",
    ),
    "": (
        "Not sure - I missed those sessions.",
        "I can't really say, I only came a few times.",
    ),
}
THEME_COMMENTS: dict[str, str] = {  # details added by someone who agrees
    "power_decision_making": "Some decisions were already made before we got there.",
    "diversity_of_voices": "Still the same faces every time.",
    "accessibility_venue": "The lift was broken twice, worth saying.",
    "accessibility_online": "Zoom was fine for me but not for my mum.",
    "feeling_heard": "Being listened to was the best bit.",
    "jargon_language": "Even 'co-production' is jargon to most people!",
    "payment_recognition": "Getting paid late was a real problem for some of us.",
    "impact_change": "We never heard what happened in the end.",
    "relationships_trust": "The tea breaks did more for trust than anything.",
    "safe_spaces": "Ground rules helped a lot.",
    "time_resources": "Sessions always felt rushed.",
    "organisation_communication": "Papers came the night before.",
}
TYPED: dict[str, tuple[str, ...]] = {
    "rings true": ("Rings true", "rings true ", "Rings True"),
    "not quite": ("Not quite", "not quite."),
    "doesn't fit": ("Doesn\u2019t fit", "doesnt fit"),
}


def theme_table() -> list[dict[str, str]]:
    """Return the default codebook's leaf themes as sent to reviewers.

    Returns
    -------
    list of dict
        ``theme_id``, ``label`` (the theme's name) and ``definition``, in codebook order.
    """
    from evalkit.coding import load_codebook

    codebook = load_codebook("default")
    return [{"theme_id": t, "label": codebook[t].name, "definition": codebook[t].definition}
            for t in codebook.leaves()]


def pick_quotes(rng: np.random.Generator, answers: Sequence[Answer], themes: Sequence[str],
                per_theme: int = QUOTES_PER_THEME) -> dict[str, list[str]]:
    """Draw example quotes for each theme from answers written to express only that theme.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random state.
    answers : sequence of Answer
        Generated free-text answers, in a fixed order.
    themes : sequence of str
        Theme ids, in the order to draw for.
    per_theme : int, optional
        Quotes per theme (fewer when a theme has fewer single-theme answers).

    Returns
    -------
    dict of str to list of str
        Theme id to quotes (unredacted; the export redacts them).
    """
    low, high = QUOTE_WORDS
    fitting = [a for a in answers if len(a.themes) == 1 and low <= len(a.text.split()) <= high]
    out: dict[str, list[str]] = {}
    for theme in themes:
        pool = [a.text for a in fitting if a.themes[0] == theme]
        take = min(per_theme, len(pool))
        picks = rng.choice(len(pool), size=take, replace=False) if take else []
        out[theme] = [pool[int(i)] for i in sorted(picks)]
    return out


def _draw_answer(rng: np.random.Generator) -> str:
    """One reviewer's answer to one theme ("" when they skip it)."""
    options = tuple(ANSWER_P)
    p = np.asarray([ANSWER_P[o] for o in options])
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def _draw_comment(rng: np.random.Generator, answer: str, theme_id: str) -> str | None:
    """A short plain-English comment, or None for no comment."""
    if rng.random() >= COMMENT_P[answer]:
        return None
    if answer == "rings true" and rng.random() < THEME_COMMENT_P:
        return THEME_COMMENTS[theme_id]
    bank = COMMENTS[answer]
    return bank[int(rng.integers(len(bank)))]


def _as_typed(rng: np.random.Generator, answer: str) -> str:
    """The answer as picked from the drop-down, or now and then typed by hand (case, curly apostrophe)."""
    if not answer or rng.random() >= TYPED_P:
        return answer
    variants = TYPED[answer]
    return variants[int(rng.integers(len(variants)))]


def fill_in(rng: np.random.Generator, path: str | os.PathLike, own_words: bool = False) -> Path:
    """Answer an exported member-check workbook the way a co-producer would, and save it.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random state.
    path : path-like
        A workbook written by :func:`evalkit.people.member_check.export_member_check`; overwritten.
    own_words : bool, optional
        If true, one answer cell gets the reviewer's own wording instead of one of the three
        answers, which :func:`evalkit.people.member_check.import_member_checks` quarantines.

    Returns
    -------
    pathlib.Path
        The file written (byte-identical for the same generator state).
    """
    path = Path(path)
    wb = load_workbook(path)
    ws = wb[THEMES_SHEET]
    order = list(HEADERS)
    answer_col, comment_col, id_col = (order.index(k) + 1 for k in ("answer", "comment", "theme_id"))
    rows = list(range(2, ws.max_row + 1))
    own_row = rows[int(rng.integers(len(rows)))] if own_words else None
    for row in rows:
        theme_id = str(ws.cell(row=row, column=id_col).value)
        if row == own_row:
            answer, comment = OWN_WORDS
        else:
            picked = _draw_answer(rng)
            comment = _draw_comment(rng, picked, theme_id)
            answer = _as_typed(rng, picked)
        ws.cell(row=row, column=answer_col).value = answer or None
        ws.cell(row=row, column=comment_col).value = comment
    return save_workbook(wb, path)


def write_member_checks(rng: np.random.Generator, out_dir: str | os.PathLike,
                        answers: Sequence[Answer], project: str) -> list[Path]:
    """Write the returned member-check workbooks into ``out_dir/member_checks/``.

    Each reviewer gets the same themes and quotes (default codebook leaves, quotes redacted with
    the default redactor and the sample's planted first names), then fills them in.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random state, drawn from after every other file is made.
    out_dir : path-like
        The sample folder.
    answers : sequence of Answer
        Generated free-text answers about experiences (survey, then Co-Pro Cuppa; not the
        suggested topics), in a fixed order.
    project : str
        Programme name shown on each workbook's Start here sheet.

    Returns
    -------
    list of pathlib.Path
        ``reviewer_1.xlsx`` ... ``reviewer_3.xlsx``, in that order.
    """
    from evalkit.privacy.redact import redact

    themes = theme_table()
    quotes = pick_quotes(rng, answers, [t["theme_id"] for t in themes])
    redactor = functools.partial(redact, names=people.PLANTED_NAMES)
    folder = Path(out_dir) / MEMBER_CHECKS_DIR
    written = []
    for i, (reviewer, name) in enumerate(zip(REVIEWERS, MEMBER_CHECK_FILES, strict=True)):
        path = folder / name
        export_member_check(themes, quotes, path, reviewer=reviewer, project=project, redact=redactor,
                            quotes_per_theme=QUOTES_PER_THEME)
        written.append(fill_in(rng, path, own_words=i == OWN_WORDS_REVIEWER))
    return written

"""Per-theme reliability for double-coded free text, and the disagreements to talk through.

The coding panel stores each coder's codes as a long table: one row per (answer, coder, theme).
Here a *unit* is one answer x one theme, coded present (1) or absent (0) by each coder. An answer
that appears anywhere in the table counts as seen by every coder, so a coder with no row for it
coded every theme absent (pass ``units`` to say which answers were double-coded when some got no
theme from anyone).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from evalkit.reliability.bootstrap import (MAX_UNDEFINED_SHARE, _bootstrap_estimates,
                                           _percentile_interval)
from evalkit.errors import ReliabilityError
from evalkit.results import TableResult
from evalkit.reliability.statistics import STATISTICS, _parts
from evalkit.textclean import clean_text
from evalkit.xlsx import fit_row_heights, neutralise_formula, print_fit_to_width, save_workbook

KEY_COLUMNS = ("source", "response_id", "column")
OVERALL = "(all themes)"
MIN_UNITS = 30
MIN_POSITIVE = 10
_BINARY = (0, 1)


def unit_keys(frame: pd.DataFrame) -> list[str]:
    """Columns that identify one answer: ``response_id`` plus ``source``/``column`` if present.

    Parameters
    ----------
    frame : DataFrame
        A long codes table.

    Returns
    -------
    list of str
    """
    if "response_id" not in frame.columns:
        raise ReliabilityError(
            f"The codes table needs a 'response_id' column; it has {list(frame.columns)}. "
            "Rename the column that identifies each answer to response_id."
        )
    return [c for c in KEY_COLUMNS if c in frame.columns]


def clean_codes(codes: pd.DataFrame, need_coder: bool = True) -> pd.DataFrame:
    """Check a long codes table and return it with text keys and blank theme rows removed."""
    if not isinstance(codes, pd.DataFrame):
        raise ReliabilityError(f"codes must be a pandas DataFrame (long table); got {type(codes).__name__}.")
    keys = unit_keys(codes)
    required = ["theme_id"] + (["coder"] if need_coder else [])
    missing = [c for c in required if c not in codes.columns]
    if missing:
        raise ReliabilityError(
            f"The codes table is missing column(s) {missing}; it needs {keys + required}, one row "
            "per answer, coder and theme (the coding panel's codes_frame() gives this shape)."
        )
    out = codes[keys + required].copy()
    for col in out.columns:
        out[col] = out[col].astype("string").str.strip().replace("", pd.NA)
    blank_key = out[keys + (["coder"] if need_coder else [])].isna().any(axis=1)
    if blank_key.any():
        row = int(np.flatnonzero(blank_key.to_numpy())[0]) + 2
        raise ReliabilityError(
            f"codes row {row} (as a spreadsheet numbers it) has a blank "
            f"{' or '.join(keys + (['coder'] if need_coder else []))}; fill it in or remove the row."
        )
    return out


def _theme_ids(themes, codes: pd.DataFrame) -> list[str]:
    """Theme ids to report: those given (ids or a table with theme_id), else every coded theme."""
    if themes is None:
        return sorted(codes["theme_id"].dropna().unique().tolist())
    if isinstance(themes, pd.DataFrame):
        if "theme_id" not in themes.columns:
            raise ReliabilityError("themes table needs a 'theme_id' column.")
        themes = themes["theme_id"]
    ids = [str(t).strip() for t in themes]
    if len(set(ids)) != len(ids):
        raise ReliabilityError(f"themes lists a theme more than once: {ids}.")
    unknown = sorted(set(codes["theme_id"].dropna()) - set(ids))
    if unknown:
        raise ReliabilityError(
            f"codes use theme ids not in themes: {unknown}. Add them to themes, or correct the "
            "codes (check spelling against the codebook)."
        )
    return ids


def _unit_index(codes: pd.DataFrame, keys: list[str], units) -> pd.MultiIndex:
    """Sorted index of the answers treated as double-coded."""
    seen = pd.MultiIndex.from_frame(codes[keys].drop_duplicates())
    if units is None:
        return seen.sort_values()
    if not isinstance(units, pd.DataFrame) or not set(keys) <= set(units.columns):
        raise ReliabilityError(f"units must be a DataFrame with column(s) {keys}, one row per double-coded answer.")
    given = pd.MultiIndex.from_frame(units[keys].astype("string").apply(lambda s: s.str.strip()))
    outside = seen.difference(given)
    if len(outside):
        raise ReliabilityError(
            f"{len(outside)} coded answer(s) are not in units, e.g. {outside[0]}; add them to "
            "units or remove their codes."
        )
    return given.drop_duplicates().sort_values()


def indicator_matrices(codes: pd.DataFrame, themes=None, units: pd.DataFrame | None = None,
                       coders: Iterable[str] | None = None
                       ) -> tuple[dict[str, np.ndarray], list[str], pd.MultiIndex]:
    """Reshape a long codes table into one coders x answers 0/1 matrix per theme.

    Parameters
    ----------
    codes : DataFrame
        Long table with ``response_id`` (plus ``source``/``column`` if present), ``coder`` and
        ``theme_id``. Rows with a blank theme_id mark an answer coded with no theme.
    themes : iterable of str or DataFrame, optional
        Theme ids to include (default: every theme in ``codes``).
    units : DataFrame, optional
        The answers every coder coded (key columns). Default: every answer in ``codes``.
    coders : iterable of str, optional
        Every coder, in row order; a coder with no rows gave no theme to any answer. Default:
        the coders in ``codes``, sorted.

    Returns
    -------
    matrices : dict
        theme_id -> array (coders x answers) of 0/1.
    coders : list of str
        Row order of the matrices.
    answers : pandas.MultiIndex
        Column order of the matrices.
    """
    clean = clean_codes(codes)
    keys = unit_keys(clean)
    ids = _theme_ids(themes, clean)
    answers = _unit_index(clean, keys, units)
    found = sorted(clean["coder"].unique().tolist())
    coders = found if coders is None else [str(c) for c in _as_iterable(coders)]
    strangers = sorted(set(found) - set(coders))
    if strangers:
        raise ReliabilityError(f"codes come from coders {strangers} who are not in coders={coders}.")
    if len(coders) < 2:
        raise ReliabilityError(
            f"Reliability needs codes from at least 2 coders; the codes table only has {coders}."
        )
    position = pd.Series(np.arange(len(answers)), index=answers)
    coder_pos = {c: i for i, c in enumerate(coders)}
    matrices = {t: np.zeros((len(coders), len(answers)), dtype=float) for t in ids}
    applied = clean.dropna(subset=["theme_id"]).drop_duplicates()
    cols = position.loc[pd.MultiIndex.from_frame(applied[keys])].to_numpy()
    for theme, coder, col in zip(applied["theme_id"], applied["coder"], cols):
        matrices[theme][coder_pos[coder], col] = 1.0
    return matrices, coders, answers


def _too_few_note(n_units: int, n_positive: int, min_units: int, min_positive: int) -> str:
    """Plain-language reason the numbers for a theme are too thin to read, or ''."""
    if n_positive == 0:
        return "No coder used this theme on these answers, so there is nothing to compare."
    if n_units < min_units:
        return (f"Only {n_units} answers were double-coded (fewer than {min_units}); the numbers "
                "can swing a lot, so read them as rough.")
    if n_positive < min_positive:
        return (f"Only {n_positive} answers got this theme from any coder (fewer than "
                f"{min_positive}); one disagreement moves the numbers a lot, so read them as rough.")
    return ""


def _statistics_row(features_by: dict, n_boot: int, seed: int, ci_level: float) -> dict:
    """Estimates and intervals for each statistic from its per-unit features.

    ``_undefined`` maps each statistic to the resamples where it was undefined.
    """
    row, undefined = {}, {}
    for stat, (features, finish) in features_by.items():
        if features is None:
            row[stat], row[f"{stat}_low"], row[f"{stat}_high"] = np.nan, np.nan, np.nan
            continue
        row[stat] = float(finish(features.sum(axis=0, keepdims=True))[0])
        if n_boot:
            low, high, undefined[stat] = _percentile_interval(
                _bootstrap_estimates(features, finish, n_boot, seed), ci_level)
        else:
            low, high = np.nan, np.nan
        row[f"{stat}_low"], row[f"{stat}_high"] = low, high
    row["_undefined"] = undefined
    return row


def _interval_note(undefined: dict, n_boot: int) -> str:
    """Say which intervals lost resamples to undefined values, in plain words."""
    if not n_boot or not any(undefined.values()):
        return ""
    names = {"agreement": "agreement", "kappa": "kappa", "alpha": "alpha", "ac1": "AC1"}
    withheld = [names[s] for s, n in undefined.items() if n > MAX_UNDEFINED_SHARE * n_boot]
    thinned = [f"{names[s]} {n}" for s, n in undefined.items()
               if 0 < n <= MAX_UNDEFINED_SHARE * n_boot]
    parts = []
    if withheld:
        parts.append(f"No range for {', '.join(withheld)}: too many of the {n_boot} resamples "
                     "had no variation left.")
    if thinned:
        parts.append(f"Resamples with no variation left out of the range ({', '.join(thinned)} "
                     f"of {n_boot}).")
    return " ".join(parts)


def _binary_features(matrix: np.ndarray) -> dict:
    """Per-answer features and closing formulas of every statistic for one 0/1 matrix."""
    out = {}
    for stat in STATISTICS:
        if stat == "kappa" and matrix.shape[0] != 2:
            out[stat] = (None, None)
            continue
        _, features, finish = _parts(stat, matrix, categories=_BINARY)
        out[stat] = (features, finish)
    return out


@dataclass(frozen=True, eq=False)
class ThemeReliabilityResult(TableResult):
    """Agreement between coders for each theme (see :func:`theme_reliability`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per theme and a last ``(all themes)`` row; see :func:`theme_reliability`.
    n_boot : int
        Bootstrap replicates behind the intervals (0: no intervals).
    seed : int
        Seed of the bootstrap.
    ci_level : float
        Confidence level of the intervals.
    """

    n_boot: int = 0
    seed: int = 0
    ci_level: float = 0.95

    title = "Agreement between coders, per theme"

    @property
    def themes(self) -> pd.DataFrame:
        """The rows of single themes (without the pooled row)."""
        return self.table[self.table["theme_id"] != OVERALL]

    @property
    def pooled(self) -> pd.Series:
        """The ``(all themes)`` row: every answer x theme unit pooled."""
        return self.table[self.table["theme_id"] == OVERALL].iloc[0]


def theme_reliability(codes: pd.DataFrame, themes=None, units: pd.DataFrame | None = None,
                      coders: Iterable[str] | None = None, n_boot: int = 2000, seed: int = 0, ci_level: float = 0.95,
                      min_units: int = MIN_UNITS, min_positive: int = MIN_POSITIVE) -> ThemeReliabilityResult:
    """Agreement between coders for each theme, with bootstrap intervals and a plain warning.

    A unit is one answer x one theme, coded present or absent by each coder. Cohen's kappa
    needs exactly two coders (``NaN`` otherwise); alpha (nominal), AC1 and percent agreement take
    any number.

    Rule for ``too_few``: a theme is flagged when fewer than ``min_units`` answers (default 30)
    were double-coded, or fewer than ``min_positive`` answers (default 10) got the theme from
    any coder. Below these, one changed code moves kappa or alpha by a tenth or more, so the
    numbers should be read as rough (the ``note`` column says why in plain words).

    Parameters
    ----------
    codes : DataFrame
        Long table: ``response_id`` (plus ``source``/``column`` if present), ``coder``,
        ``theme_id``; extra columns (e.g. ``memo``) are ignored.
    themes : iterable of str or DataFrame, optional
        Themes to report, in this order (default: every theme coded, sorted).
    units : DataFrame, optional
        Key columns of every double-coded answer; needed when some answers got no theme from
        any coder (they have no rows in ``codes``). Default: every answer in ``codes``.
    coders : iterable of str, optional
        Every coder; needed when a coder gave no theme at all. Default: coders in ``codes``.
    n_boot : int
        Bootstrap replicates for the intervals; answers are resampled (0 skips intervals).
    seed : int
        Seed for the bootstrap.
    ci_level : float
        Confidence level of the intervals.
    min_units, min_positive : int
        Thresholds of the ``too_few`` rule.

    Returns
    -------
    ThemeReliabilityResult
        ``summary_frame()`` (or ``.table``) has one row per theme plus a last row
        ``theme_id == "(all themes)"`` pooling every answer x
        theme unit (its interval resamples whole answers). Columns: theme_id, n_units,
        n_positive, n_coders, agreement, kappa, alpha, ac1 (each with ``_low``/``_high``),
        too_few, note. Resamples where a statistic is undefined (no variation left) are left
        out of its range and counted in ``note``; when they are more than 5% of ``n_boot``
        the range is NaN.

    See Also
    --------
    reading_guide : how to read the table.

    Examples
    --------
    Two coders, four answers (far too few to trust: the table says so):

    >>> codes = pd.DataFrame({"response_id": [1, 1, 2, 3, 3, 4], "coder": ["ann", "bob", "ann", "ann", "bob", "bob"],
    ...                       "theme_id": ["travel", "travel", "staff", "staff", "staff", "travel"]})
    >>> result = theme_reliability(codes, n_boot=0)
    >>> result.summary_frame()[["theme_id", "n_units", "agreement", "kappa", "too_few"]]
           theme_id  n_units  agreement     kappa  too_few
    0         staff        4       0.75  0.500000     True
    1        travel        4       0.75  0.500000     True
    2  (all themes)        8       0.75  0.466667     True
    """
    if n_boot and (int(n_boot) != n_boot or n_boot < 0):
        raise ReliabilityError(f"n_boot must be a whole number of 0 or more; got {n_boot!r}.")
    matrices, coders, answers = indicator_matrices(codes, themes, units, coders)
    rows, pooled = [], {stat: [] for stat in STATISTICS}
    for theme, matrix in matrices.items():
        feats = _binary_features(matrix)
        row = {"theme_id": theme, "n_units": matrix.shape[1],
               "n_positive": int(matrix.max(axis=0).sum()), "n_coders": len(coders)}
        row.update(_statistics_row(feats, int(n_boot), seed, ci_level))
        rows.append(row)
        for stat, (features, _) in feats.items():
            pooled[stat].append(features)
    overall = {"theme_id": OVERALL, "n_units": len(answers) * len(matrices),
               "n_positive": sum(r["n_positive"] for r in rows), "n_coders": len(coders)}
    stacked = np.hstack(list(matrices.values())) if matrices else np.zeros((len(coders), 0))
    if stacked.shape[1]:
        finishes = _binary_features(stacked)
        by_answer = {stat: (None if pooled[stat][0] is None else sum(pooled[stat]), finishes[stat][1])
                     for stat in STATISTICS}
        overall.update(_statistics_row(by_answer, int(n_boot), seed, ci_level))
    rows.append(overall)
    interval_notes = [_interval_note(r.pop("_undefined", {}), int(n_boot)) for r in rows]
    table = pd.DataFrame(rows)
    notes = [_too_few_note(int(r.n_units if r.theme_id != OVERALL else len(answers)), int(r.n_positive),
                           min_units, min_positive) for r in table.itertuples()]
    if len(coders) != 2:
        notes = [(n + " " if n else "") + "Cohen's kappa is for two coders; read alpha instead."
                 for n in notes]
    table["too_few"] = [bool(n) and not n.startswith("Cohen") for n in notes]
    table["note"] = [" ".join(part for part in (n, extra) if part)
                     for n, extra in zip(notes, interval_notes)]
    order = ["theme_id", "n_units", "n_positive", "n_coders"]
    for stat in ("agreement", "kappa", "alpha", "ac1"):
        order += [stat, f"{stat}_low", f"{stat}_high"]
    return ThemeReliabilityResult(table=table[order + ["too_few", "note"]], n_boot=int(n_boot), seed=seed,
                                  ci_level=ci_level)


def reading_guide() -> str:
    """How to read the reliability table, in plain words.

    Returns
    -------
    str
        A few short paragraphs (Markdown) for a report or a notebook.
    """
    return """\
**How to read the agreement table**

Each row is one theme. Two or more people coded the same answers without seeing each other's
codes; the table shows how often they agreed that the theme was (or was not) in an answer.

- **Agreement** is the share of answers where the coders made the same call. It looks high for
  rare themes because "not there" is easy to agree on, so read it beside the others.
- **Kappa** (Cohen) and **alpha** (Krippendorff) take away the agreement you would expect by
  chance: 1 means full agreement, 0 means no better than chance, below 0 means worse.
  Krippendorff suggests relying on alpha of 0.8 or more, and drawing only tentative conclusions
  from 0.667 to 0.8. Landis and Koch's bands for kappa (0.21-0.40 fair, 0.41-0.60 moderate,
  0.61-0.80 substantial, above 0.80 almost perfect) are rules of thumb, not tests: they were
  proposed without evidence and depend on how common the theme is.
- **AC1** (Gwet) also corrects for chance but stays steadier when a theme is very rare or very
  common, where kappa can be low even though coders almost always agree.
- The numbers in brackets (low to high) are 95% ranges from resampling the answers: a wide range
  means the estimate is uncertain.
- **Too few** marks themes with fewer than 30 double-coded answers, or fewer than 10 answers that
  any coder gave the theme. Treat their numbers as rough and talk about the actual disagreements.

Low agreement is a prompt to talk, not a mark against anyone: it often means the theme's
definition needs plainer words or an example. Use the disagreements list in the consensus
meeting and record what you agree.
"""


def _attach_texts(frame: pd.DataFrame, texts, keys: list[str]) -> pd.DataFrame:
    """Add a ``text`` column from a Series (indexed by response_id) or a keyed DataFrame."""
    if texts is None:
        return frame
    if isinstance(texts, pd.Series):
        lookup = texts.copy()
        lookup.index = lookup.index.astype(str).str.strip()
        if len(keys) > 1:
            raise ReliabilityError(
                f"codes identify answers by {keys}; pass texts as a DataFrame with those columns "
                "and a 'text' column, not a Series."
            )
        return frame.assign(text=frame["response_id"].map(lookup).astype("string"))
    if not isinstance(texts, pd.DataFrame) or not set(keys + ["text"]) <= set(texts.columns):
        raise ReliabilityError(f"texts must be a DataFrame with columns {keys + ['text']} (or a Series indexed by response_id).")
    lookup = texts[keys + ["text"]].astype("string")
    for key in keys:
        lookup[key] = lookup[key].str.strip()
    return frame.merge(lookup.drop_duplicates(subset=keys), on=keys, how="left")


def disagreements(codes: pd.DataFrame, texts=None, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Answers the coders coded differently, with each coder's themes, for a consensus meeting.

    Parameters
    ----------
    codes : DataFrame
        Long table: ``response_id`` (plus ``source``/``column``), ``coder``, ``theme_id``.
    texts : Series or DataFrame, optional
        The answers' text: a Series indexed by response_id, or a DataFrame with the key columns
        and ``text``.
    units : DataFrame, optional
        Key columns of every double-coded answer (see :func:`theme_reliability`).

    Returns
    -------
    DataFrame
        One row per answer with any disagreement, sorted by key: key columns, ``text`` (if
        given), one column per coder listing that coder's themes (``"; "``-separated, empty for
        none) and ``in_dispute`` (themes some but not all coders gave).
    """
    matrices, coders, answers = indicator_matrices(codes, None, units)
    keys = list(answers.names)
    themes = list(matrices)
    if not themes:
        return pd.DataFrame(columns=keys + coders + ["in_dispute"])
    cube = np.stack([matrices[t] for t in themes], axis=2)
    per_coder = {coder: ["; ".join(t for t, on in zip(themes, cube[i, j]) if on)
                         for j in range(len(answers))] for i, coder in enumerate(coders)}
    disputed = (cube.max(axis=0) != cube.min(axis=0))
    frame = answers.to_frame(index=False)
    for coder in coders:
        frame[coder] = per_coder[coder]
    frame["in_dispute"] = ["; ".join(t for t, d in zip(themes, row) if d) for row in disputed]
    frame = frame[disputed.any(axis=1)].reset_index(drop=True)
    frame = _attach_texts(frame, texts, keys)
    front = keys + (["text"] if "text" in frame.columns else [])
    return frame[front + coders + ["in_dispute"]]


MEETING_COLUMNS = ("agreed_themes", "notes")


def export_disagreements(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write the disagreements list for a consensus meeting, as CSV or XLSX by file suffix.

    Adds empty ``agreed_themes`` (theme ids, ``;``-separated) and ``notes`` columns to fill in
    during the meeting; :func:`evalkit.people.consensus.decisions_from_sheet` reads them back. Text
    that a spreadsheet would run as a formula is neutralised: an apostrophe in CSV (UTF-8 with
    a byte-order mark, so Excel shows accents), a text cell with no visible apostrophe in XLSX.
    Control characters are dropped.

    Parameters
    ----------
    table : DataFrame
        From :func:`disagreements`.
    path : path-like
        ``.csv`` or ``.xlsx``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    frame = table.copy()
    for col in MEETING_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame.astype(object).where(frame.notna(), "").map(clean_text)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.map(neutralise_formula).to_csv(path, index=False, lineterminator="\n", encoding="utf-8-sig")
        return path
    if suffix == ".xlsx":
        return save_workbook(_disagreement_workbook(frame), path)
    raise ReliabilityError(f"Cannot write {path}: use a .csv or .xlsx file name.")


def _disagreement_workbook(frame: pd.DataFrame):
    """Readable workbook: bold frozen header, wrapped text, widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Disagreements"
    ws.append([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        ws.append(list(values))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col))] + [len(line) for v in frame[col] for line in str(v).split("\n")])
        ws.column_dimensions[get_column_letter(i)].width = min(max(12, longest + 2), 60)
    ws.freeze_panes = "A2"
    fit_row_heights(ws, first_row=2)
    print_fit_to_width(ws)
    return wb


def _as_iterable(value) -> Iterable:
    """Wrap a single string in a list; pass other iterables through."""
    return [value] if isinstance(value, str) else value

"""Effect sizes and their sampling variances, defined exactly as metafor's ``escalc``.

Every function returns a :class:`pandas.DataFrame` with columns ``yi`` (the effect size) and
``vi`` (its sampling variance), one row per study, ready for
:func:`evalkit.synthesis.random_effects`. The definitions follow ``metafor::escalc``
(Viechtbauer 2010) with its defaults (``vtype="LS"``, ``add=1/2``, ``to="only0"``,
``correct=TRUE``) so numbers can be checked against R:

=========================  ==================  =================================================
function                   escalc measure      design
=========================  ==================  =================================================
:func:`smcr`               ``"SMCR"``          before/after, change / SD before (Becker 1988)
:func:`smcc`               ``"SMCC"``          before/after, change / SD of change (Gibbons 1993)
:func:`smd`                ``"SMD"``           two independent groups, Hedges' g
:func:`mean_difference`    ``"MD"``            two independent groups, raw difference
:func:`log_risk_ratio`     ``"RR"``            2x2 counts
:func:`log_odds_ratio`     ``"OR"``            2x2 counts
:func:`risk_difference`    ``"RD"``            2x2 counts
=========================  ==================  =================================================

:func:`paired_effects` goes from raw per-person before/after columns to one SMCR or SMCC row
per project.
"""
from __future__ import annotations


import numpy as np
import pandas as pd
from scipy import special, stats

from evalkit.errors import DataValidationError, EffectSizeError, Problem
from evalkit.synthesis.result import PairedEffectsResult

__all__ = [
    "EffectSizeError",
    "hedges_correction",
    "log_odds_ratio",
    "log_risk_ratio",
    "mean_difference",
    "paired_effects",
    "risk_difference",
    "smcc",
    "smcr",
    "smd",
]


def _array(name: str, values) -> np.ndarray:
    """Return ``values`` as a 1-d float array, or raise naming the argument."""
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError) as exc:
        raise EffectSizeError(
            f"'{name}' must hold numbers only ({exc}); convert text such as '12,5' or 'n/a' "
            "to numbers or blanks first."
        ) from None
    if arr.ndim != 1:
        raise EffectSizeError(f"'{name}' must be one-dimensional (one value per study).")
    return arr


def _arrays(**named) -> dict[str, np.ndarray]:
    """Convert every argument to a float array and check they all have one length."""
    arrays = {name: _array(name, value) for name, value in named.items()}
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise EffectSizeError(
            f"Inputs have different lengths ({described}); give one value per study in each."
        )
    return arrays


def _require(condition: np.ndarray, message: str) -> None:
    """Raise :class:`EffectSizeError` naming the 1-based studies where ``condition`` fails."""
    bad = np.flatnonzero(~condition)
    if bad.size:
        studies = ", ".join(str(i + 1) for i in bad[:10])
        raise EffectSizeError(f"{message} (study {studies}).")


def _frame(yi: np.ndarray, vi: np.ndarray) -> pd.DataFrame:
    """Return the standard ``yi``/``vi`` frame."""
    return pd.DataFrame({"yi": yi, "vi": vi})


def hedges_correction(m) -> np.ndarray:
    """Exact small-sample bias correction factor c(m) for standardised mean differences.

    Parameters
    ----------
    m : array-like
        Degrees of freedom: ``n1 + n2 - 2`` for two groups, ``n - 1`` for paired designs.

    Returns
    -------
    numpy.ndarray
        ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))`` (Hedges 1981), computed on the log
        scale as metafor's ``.cmicalc`` does; NaN where ``m <= 1``.
    """
    m = _array("m", m)
    out = np.full(m.shape, np.nan)
    ok = m > 1
    mm = m[ok]
    out[ok] = np.exp(special.gammaln(mm / 2) - 0.5 * np.log(mm / 2) - special.gammaln((mm - 1) / 2))
    return out


def _correction(m: np.ndarray, correct: bool) -> np.ndarray:
    """Hedges' factor, or ones when the correction is switched off."""
    return hedges_correction(m) if correct else np.ones_like(m)


def _check_paired(n: np.ndarray, r: np.ndarray) -> None:
    """Check sample sizes and pre/post correlations of paired designs."""
    _require(n >= 3, "Paired effect sizes need at least 3 people with both scores")
    _require(np.abs(r) <= 1, "Correlations between before and after must lie in [-1, 1]")


def smcr(m_after, m_before, sd_before, n, r, correct: bool = True) -> pd.DataFrame:
    """Standardised mean change using raw-score (pre-test SD) standardisation.

    metafor ``escalc(measure="SMCR", m1i=m_after, m2i=m_before, sd1i=sd_before, ni=n, ri=r)``:
    ``yi = c(n-1) (m_after - m_before) / sd_before`` and
    ``vi = 2 (1 - r) / n + yi^2 / (2 n)`` (Becker 1988; Morris 2000).

    Parameters
    ----------
    m_after, m_before : array-like
        Mean score after and before, per study.
    sd_before : array-like
        Standard deviation of the before scores (must be positive).
    n : array-like
        Number of people with both scores.
    r : array-like
        Correlation between before and after scores.
    correct : bool, default True
        Apply Hedges' small-sample correction ``c(n-1)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.
    """
    a = _arrays(m_after=m_after, m_before=m_before, sd_before=sd_before, n=n, r=r)
    _check_paired(a["n"], a["r"])
    _require(a["sd_before"] > 0, "The before SD must be positive to standardise a change")
    cmi = _correction(a["n"] - 1, correct)
    yi = cmi * (a["m_after"] - a["m_before"]) / a["sd_before"]
    vi = 2 * (1 - a["r"]) / a["n"] + yi**2 / (2 * a["n"])
    return _frame(yi, vi)


def smcc(m_after, m_before, sd_after, sd_before, n, r, correct: bool = True) -> pd.DataFrame:
    """Standardised mean change using change-score standardisation.

    metafor ``escalc(measure="SMCC", m1i=m_after, m2i=m_before, sd1i=sd_after,
    sd2i=sd_before, ni=n, ri=r)``: with ``sd_change = sqrt(sd_after^2 + sd_before^2 -
    2 r sd_after sd_before)``, ``yi = c(n-1) (m_after - m_before) / sd_change`` and
    ``vi = 1 / n + yi^2 / (2 n)`` (Gibbons et al. 1993; Morris 2000).

    Parameters
    ----------
    m_after, m_before : array-like
        Mean score after and before, per study.
    sd_after, sd_before : array-like
        Standard deviations of the after and before scores.
    n : array-like
        Number of people with both scores.
    r : array-like
        Correlation between before and after scores.
    correct : bool, default True
        Apply Hedges' small-sample correction ``c(n-1)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.
    """
    a = _arrays(m_after=m_after, m_before=m_before, sd_after=sd_after, sd_before=sd_before,
                n=n, r=r)
    _check_paired(a["n"], a["r"])
    var_change = a["sd_after"] ** 2 + a["sd_before"] ** 2 - 2 * a["r"] * a["sd_after"] * a["sd_before"]
    _require(var_change > 0, "The SD of the change scores is zero, so the change cannot be "
             "standardised; use mean_difference or SMCR instead")
    cmi = _correction(a["n"] - 1, correct)
    yi = cmi * (a["m_after"] - a["m_before"]) / np.sqrt(var_change)
    vi = 1 / a["n"] + yi**2 / (2 * a["n"])
    return _frame(yi, vi)


def smd(m1, sd1, n1, m2, sd2, n2, correct: bool = True) -> pd.DataFrame:
    """Standardised mean difference between two independent groups (Hedges' g).

    metafor ``escalc(measure="SMD")`` with ``vtype="LS"``: pooled SD
    ``s = sqrt(((n1-1) sd1^2 + (n2-1) sd2^2) / (n1 + n2 - 2))``,
    ``yi = c(n1+n2-2) (m1 - m2) / s`` and ``vi = 1/n1 + 1/n2 + yi^2 / (2 (n1 + n2))``
    (Hedges 1981; Hedges & Olkin 1985).

    Parameters
    ----------
    m1, sd1, n1 : array-like
        Mean, SD and size of group 1 (e.g. intervention).
    m2, sd2, n2 : array-like
        Mean, SD and size of group 2 (e.g. comparison).
    correct : bool, default True
        Apply Hedges' small-sample correction (needs ``n1 + n2 >= 4``).

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.

    Raises
    ------
    EffectSizeError
        Too few people, negative SDs, a zero pooled SD, or ``n1 + n2 < 4`` with the
        correction, where the correction is undefined (metafor's ``escalc`` returns NA).
    """
    a = _arrays(m1=m1, sd1=sd1, n1=n1, m2=m2, sd2=sd2, n2=n2)
    _require((a["n1"] >= 1) & (a["n2"] >= 1) & (a["n1"] + a["n2"] >= 3),
             "Each group needs at least one person and both together at least three")
    if correct:
        # c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) needs m = n1 + n2 - 2 > 1.
        _require(a["n1"] + a["n2"] >= 4,
                 "Hedges' small-sample correction needs at least four people in the two groups "
                 "together (n1 + n2 - 2 > 1 degrees of freedom); add people or pass "
                 "correct=False for the uncorrected d")
    _require((a["sd1"] >= 0) & (a["sd2"] >= 0), "Standard deviations cannot be negative")
    pooled = np.sqrt(((a["n1"] - 1) * a["sd1"] ** 2 + (a["n2"] - 1) * a["sd2"] ** 2)
                     / (a["n1"] + a["n2"] - 2))
    _require(pooled > 0, "The pooled SD is zero, so the difference cannot be standardised")
    cmi = _correction(a["n1"] + a["n2"] - 2, correct)
    yi = cmi * (a["m1"] - a["m2"]) / pooled
    vi = 1 / a["n1"] + 1 / a["n2"] + yi**2 / (2 * (a["n1"] + a["n2"]))
    return _frame(yi, vi)


def mean_difference(m1, sd1, n1, m2, sd2, n2) -> pd.DataFrame:
    """Raw mean difference between two independent groups.

    metafor ``escalc(measure="MD")`` with ``vtype="LS"``: ``yi = m1 - m2`` and
    ``vi = sd1^2 / n1 + sd2^2 / n2`` (no equal-variance assumption).

    Parameters
    ----------
    m1, sd1, n1 : array-like
        Mean, SD and size of group 1.
    m2, sd2, n2 : array-like
        Mean, SD and size of group 2.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.
    """
    a = _arrays(m1=m1, sd1=sd1, n1=n1, m2=m2, sd2=sd2, n2=n2)
    _require((a["n1"] >= 1) & (a["n2"] >= 1), "Each group needs at least one person")
    _require((a["sd1"] >= 0) & (a["sd2"] >= 0), "Standard deviations cannot be negative")
    return _frame(a["m1"] - a["m2"], a["sd1"] ** 2 / a["n1"] + a["sd2"] ** 2 / a["n2"])


def _two_by_two(ai, bi, ci, di, add: float, to: str) -> dict[str, np.ndarray]:
    """Validate 2x2 counts and apply escalc's continuity correction."""
    a = _arrays(ai=ai, bi=bi, ci=ci, di=di)
    cells = np.vstack([a["ai"], a["bi"], a["ci"], a["di"]])
    _require((cells >= 0).all(axis=0), "Counts cannot be negative")
    _require((a["ai"] + a["bi"] > 0) & (a["ci"] + a["di"] > 0), "Each group needs at least one person")
    if to not in ("only0", "all", "if0all", "none"):
        raise EffectSizeError(f"Unknown to={to!r}; use 'only0' (default), 'all', 'if0all' or 'none'.")
    if add < 0:
        raise EffectSizeError(f"add={add} must be zero or positive (0.5 is the usual choice).")
    has_zero = (cells == 0).any(axis=0)
    if to == "all":
        mask = np.ones_like(has_zero)
    elif to == "if0all":
        mask = np.full_like(has_zero, has_zero.any())
    elif to == "only0":
        mask = has_zero
    else:
        mask = np.zeros_like(has_zero)
    return {name: arr + add * mask for name, arr in a.items()}


def log_risk_ratio(ai, bi, ci, di, add: float = 0.5, to: str = "only0") -> pd.DataFrame:
    """Log risk ratio from 2x2 counts (metafor ``escalc(measure="RR")``).

    ``yi = log((ai / (ai + bi)) / (ci / (ci + di)))`` and
    ``vi = 1/ai - 1/(ai + bi) + 1/ci - 1/(ci + di)``; ``add`` is added to every cell of the
    tables selected by ``to`` (default: only tables with a zero cell).

    Parameters
    ----------
    ai, bi : array-like
        Events and non-events in group 1 (e.g. intervention).
    ci, di : array-like
        Events and non-events in group 2 (e.g. comparison).
    add : float, default 0.5
        Continuity correction.
    to : {"only0", "all", "if0all", "none"}, default "only0"
        Which tables receive the correction, as in escalc.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi`` (NaN where a group has no events and no correction applies).
    """
    t = _two_by_two(ai, bi, ci, di, add, to)
    n1, n2 = t["ai"] + t["bi"], t["ci"] + t["di"]
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(t["ai"] / n1) - np.log(t["ci"] / n2)
        vi = 1 / t["ai"] - 1 / n1 + 1 / t["ci"] - 1 / n2
    return _frame(np.where(np.isfinite(yi), yi, np.nan), np.where(np.isfinite(vi), vi, np.nan))


def log_odds_ratio(ai, bi, ci, di, add: float = 0.5, to: str = "only0") -> pd.DataFrame:
    """Log odds ratio from 2x2 counts (metafor ``escalc(measure="OR")``).

    ``yi = log(ai di / (bi ci))`` and ``vi = 1/ai + 1/bi + 1/ci + 1/di`` with escalc's
    continuity correction (see :func:`log_risk_ratio`).

    Parameters
    ----------
    ai, bi, ci, di : array-like
        The 2x2 counts (events, non-events in group 1; events, non-events in group 2).
    add : float, default 0.5
        Continuity correction.
    to : {"only0", "all", "if0all", "none"}, default "only0"
        Which tables receive the correction.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.
    """
    t = _two_by_two(ai, bi, ci, di, add, to)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(t["ai"] * t["di"] / (t["bi"] * t["ci"]))
        vi = 1 / t["ai"] + 1 / t["bi"] + 1 / t["ci"] + 1 / t["di"]
    return _frame(np.where(np.isfinite(yi), yi, np.nan), np.where(np.isfinite(vi), vi, np.nan))


def risk_difference(ai, bi, ci, di, add: float = 0.5, to: str = "only0") -> pd.DataFrame:
    """Risk difference from 2x2 counts (metafor ``escalc(measure="RD")``, ``vtype="LS"``).

    ``yi = p1 - p2`` and ``vi = p1 (1 - p1) / n1 + p2 (1 - p2) / n2`` with ``p1 = ai / n1``,
    ``p2 = ci / n2``, after escalc's default continuity correction.

    Parameters
    ----------
    ai, bi, ci, di : array-like
        The 2x2 counts.
    add : float, default 0.5
        Continuity correction.
    to : {"only0", "all", "if0all", "none"}, default "only0"
        Which tables receive the correction.

    Returns
    -------
    pandas.DataFrame
        Columns ``yi`` and ``vi``.
    """
    t = _two_by_two(ai, bi, ci, di, add, to)
    n1, n2 = t["ai"] + t["bi"], t["ci"] + t["di"]
    p1, p2 = t["ai"] / n1, t["ci"] / n2
    return _frame(p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


_PAIRED_MEASURES = ("SMCR", "SMCC")


def _numeric_column(df: pd.DataFrame, column: str, source: str) -> tuple[pd.Series, list[Problem]]:
    """Coerce one column to numbers; list every cell that is text rather than a number."""
    raw = df[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & values.isna()
    problems = [
        Problem(source, position + 2, column,
                f"'{raw.iloc[position]}' is not a number; row left out of the effect size "
                "(fix the value or leave it blank)")
        for position in np.flatnonzero(bad.to_numpy())
    ]
    return values.astype(float), problems


def paired_effects(df: pd.DataFrame, before: str, after: str, group: str,
                   measure: str = "SMCR", level: float = 0.95, correct: bool = True,
                   source: str = "data") -> PairedEffectsResult:
    """Per-project standardised mean change from raw before/after scores.

    Each group's complete pairs give the means, the before SD, the change SD and the Pearson
    correlation ``r`` between before and after; those feed :func:`smcr` (default) or
    :func:`smcc`, exactly as ``escalc`` would with the same summaries. Rows missing either
    score, or holding text instead of a number, are left out of that group's effect and
    counted in ``n_excluded`` (never silently dropped).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person.
    before, after : str
        Columns with the before and after scores.
    group : str
        Column naming the project each person belongs to.
    measure : {"SMCR", "SMCC"}, default "SMCR"
        Standardise by the before SD (SMCR) or by the SD of the change scores (SMCC).
    level : float, default 0.95
        Confidence level of the per-project interval ``yi +/- z sqrt(vi)``.
    correct : bool, default True
        Apply Hedges' small-sample correction.
    source : str, default "data"
        File name used in error messages (e.g. ``"outcomes.csv"``).

    Returns
    -------
    PairedEffectsResult
        Its ``summary_frame()`` (or ``.table``) has one row per project, sorted by project,
        with columns ``project``, ``n``, ``n_excluded``, ``mean_before``, ``mean_after``,
        ``sd_before``, ``sd_after``, ``r``, ``yi``, ``vi``, ``ci_low``, ``ci_high``; cells
        left out as text are listed in ``quarantined``.

    Raises
    ------
    evalkit.errors.DataValidationError
        A column is missing, or a project has fewer than 3 complete pairs, no spread in its
        before scores, or (SMCR) no spread in its after scores, where ``r`` is undefined.
    EffectSizeError
        ``measure`` or ``level`` is invalid.
    """
    measure = measure.upper()
    if measure not in _PAIRED_MEASURES:
        raise EffectSizeError(f"Unknown measure {measure!r}; use 'SMCR' or 'SMCC'.")
    _check_level(level)
    missing = [c for c in (before, after, group) if c not in df.columns]
    if missing:
        raise DataValidationError([
            Problem(source, 1, c, f"column '{c}' not found; columns are: {', '.join(map(str, df.columns))}",
                    fatal=True) for c in missing])
    b, b_problems = _numeric_column(df, before, source)
    a, a_problems = _numeric_column(df, after, source)
    complete = b.notna() & a.notna()
    rows, fatal = [], []
    groups = df[group]
    for project in sorted(pd.unique(groups.dropna()), key=str):
        in_group = (groups == project).to_numpy()
        keep = in_group & complete.to_numpy()
        xb, xa = b.to_numpy()[keep], a.to_numpy()[keep]
        n = int(keep.sum())
        first_row = int(np.flatnonzero(in_group)[0]) + 2
        if n < 3:
            fatal.append(Problem(source, first_row, group,
                                 f"project '{project}' has {n} people with both '{before}' and "
                                 f"'{after}'; at least 3 are needed for a before/after effect", True))
            continue
        sd_b, sd_a = np.std(xb, ddof=1), np.std(xa, ddof=1)
        if sd_b == 0 or (measure == "SMCC" and np.std(xa - xb, ddof=1) == 0):
            which = f"'{before}'" if sd_b == 0 else "the change scores"
            fatal.append(Problem(source, first_row, group,
                                 f"project '{project}': every value of {which} is the same, so the "
                                 "change cannot be standardised; use the raw mean change", True))
            continue
        if sd_a == 0 and measure == "SMCR":
            # r is 0/0: SMCR's variance 2 (1 - r) / n + ... depends on it, so no value is right.
            fatal.append(Problem(source, first_row, group,
                                 f"project '{project}': every value of '{after}' is the same, so "
                                 "the before/after correlation is undefined and so is the SMCR "
                                 "variance; use measure='SMCC' (which does not need it here) or "
                                 "the raw mean change", True))
            continue
        # With constant after-scores SMCC's change SD is sd_before whatever r is; r is reported
        # as NaN (undefined) rather than an invented 0.
        r = np.nan if sd_a == 0 else float(np.corrcoef(xb, xa)[0, 1])
        rows.append({"project": project, "n": n, "n_excluded": int(in_group.sum()) - n,
                     "mean_before": xb.mean(), "mean_after": xa.mean(),
                     "sd_before": sd_b, "sd_after": sd_a, "r": r})
    if fatal:
        raise DataValidationError(fatal)
    out = pd.DataFrame(rows, columns=["project", "n", "n_excluded", "mean_before", "mean_after",
                                      "sd_before", "sd_after", "r"])
    if measure == "SMCR":
        es = smcr(out["mean_after"], out["mean_before"], out["sd_before"], out["n"], out["r"], correct)
    else:
        es = smcc(out["mean_after"], out["mean_before"], out["sd_after"], out["sd_before"],
                  out["n"], out["r"].fillna(0.0), correct)
    out["yi"], out["vi"] = es["yi"].to_numpy(), es["vi"].to_numpy()
    z = stats.norm.ppf(0.5 + level / 2)
    out["ci_low"] = out["yi"] - z * np.sqrt(out["vi"])
    out["ci_high"] = out["yi"] + z * np.sqrt(out["vi"])
    quarantined = [str(p) for p in b_problems + a_problems]
    out.attrs["quarantined"] = quarantined
    return PairedEffectsResult(table=out, measure=measure, level=level, correct=bool(correct),
                               quarantined=tuple(quarantined))


def paired_effects_where_possible(df: pd.DataFrame, before: str, after: str, group: str,
                                  **kwargs) -> tuple[pd.DataFrame, dict]:
    """:func:`paired_effects` for every group that has one, and why the others have none.

    A report cannot stop because one small project has two people with both scores, or every
    before-score the same: each group is computed on its own (the effect of a group never
    depends on another's), and a group whose effect is undefined is left out with the reason.

    Parameters
    ----------
    df, before, after, group
        As for :func:`paired_effects`.
    **kwargs
        ``measure``, ``level``, ``correct``, ``source``, passed on.

    Returns
    -------
    (pandas.DataFrame, dict)
        The effects of the groups that have one (the columns of :func:`paired_effects`), and
        ``group -> reason`` for the others.
    """
    rows, reasons = [], {}
    for project in sorted(pd.unique(df[group].dropna()), key=str):
        part = df[df[group] == project]
        try:
            rows.append(paired_effects(part, before, after, group, **kwargs).table)
        except DataValidationError as err:
            reasons[project] = err.problems[0].message
    columns = ["project", "n", "n_excluded", "mean_before", "mean_after", "sd_before", "sd_after", "r",
               "yi", "vi", "ci_low", "ci_high"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    return out, reasons


def _check_level(level: float) -> None:
    """Raise unless ``level`` is a proportion strictly between 0 and 1."""
    if not 0 < level < 1:
        raise EffectSizeError(f"level={level} must be between 0 and 1, e.g. 0.95 for 95%.")

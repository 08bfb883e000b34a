"""Fixed- and random-effects meta-analysis of one effect size per project.

:func:`random_effects` fits the intercept-only model of metafor's ``rma.uni`` and reproduces
its numbers (Viechtbauer 2010):

* ``method``: ``"FE"`` (inverse-variance fixed effect), ``"DL"`` (DerSimonian & Laird 1986),
  ``"REML"`` (restricted maximum likelihood by Fisher scoring with step halving, converged
  to 1e-10) or ``"PM"`` (Paule & Mandel 1982: the tau^2 at which the generalised Q equals
  k - 1). Every tau^2 is truncated at 0.
* ``knapp_hartung=True`` is metafor's ``test="knha"``: the standard error is multiplied by
  the square root of the weighted residual variance (not truncated at 1, as in metafor) and
  tests and intervals use a t distribution with k - 1 degrees of freedom.
* I^2 and H^2 follow metafor: for random-effects models they come from tau^2 and the
  "typical" within-study variance, ``I^2 = tau^2 / (tau^2 + s^2)`` with
  ``s^2 = (k - 1) / (sum w - sum w^2 / sum w)``, ``w = 1 / v``; for ``"FE"`` they come from
  Q, ``I^2 = max(0, (Q - (k - 1)) / Q)``, ``H^2 = Q / (k - 1)``. (For DL both agree.)
* The prediction interval is metafor's ``predict()`` default:
  ``estimate +/- crit * sqrt(se^2 + tau^2)`` where ``crit`` is the same critical value as
  the confidence interval, i.e. the normal quantile unless ``knapp_hartung=True``, then the
  t quantile with k - 1 df. (It is not the Higgins-Thompson-Spiegelhalter t(k-2) interval.)

:func:`leave_one_out` and :func:`subgroup_analysis` re-use the same fit.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evalkit.errors import EvalkitError

__all__ = [
    "METHODS",
    "MetaAnalysisError",
    "MetaResult",
    "SubgroupResult",
    "leave_one_out",
    "random_effects",
    "subgroup_analysis",
]

METHODS = ("FE", "DL", "REML", "PM")
_METHOD_NAMES = {
    "FE": "fixed effect (inverse variance)",
    "DL": "DerSimonian-Laird",
    "REML": "restricted maximum likelihood",
    "PM": "Paule-Mandel",
}
REML_TOL = 1e-10
REML_MAXITER = 1000


class MetaAnalysisError(EvalkitError, ValueError):
    """Inputs cannot be meta-analysed as given; the message says what to change."""


@dataclass(frozen=True)
class MetaResult:
    """Result of a fixed- or random-effects meta-analysis (metafor ``rma.uni`` style).

    Attributes
    ----------
    estimate, se : float
        Pooled effect and its standard error (Knapp-Hartung adjusted when requested).
    ci_low, ci_high : float
        Confidence interval at ``level``.
    z_or_t : float
        Test statistic for estimate = 0 (z, or t with ``df`` degrees of freedom).
    p_value : float
        Two-sided p-value of that test.
    tau2, tau : float
        Between-study variance (never negative) and its square root.
    i2 : float
        I^2 in percent (0-100): share of total variability due to heterogeneity.
    h2 : float
        H^2: total variability relative to sampling variability.
    q, q_df, q_p : float, int, float
        Cochran's Q (fixed-effect weights), its degrees of freedom (k - 1) and p-value.
    pi_low, pi_high : float
        Prediction interval for the true effect in a new study (see module notes).
    k : int
        Number of studies.
    method : str
        ``"FE"``, ``"DL"``, ``"REML"`` or ``"PM"``.
    knapp_hartung : bool
        Whether the Knapp-Hartung adjustment was used.
    level : float
        Confidence level, e.g. 0.95.
    df : int or None
        t degrees of freedom when ``knapp_hartung`` is True, else None.
    weights : tuple of float
        Percentage weight of each study in the pooled estimate (sums to 100).
    iterations : int
        Fisher scoring iterations used by REML (0 for other methods).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z_or_t: float
    p_value: float
    tau2: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float
    pi_high: float
    k: int
    method: str
    knapp_hartung: bool
    level: float
    df: int | None = None
    weights: tuple[float, ...] = field(default=(), repr=False)
    iterations: int = 0

    @property
    def statistic_name(self) -> str:
        """``"t"`` with the Knapp-Hartung adjustment, else ``"z"``."""
        return "t" if self.knapp_hartung else "z"

    def summary_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame (statsmodels ``summary_frame`` style).

        Returns
        -------
        pandas.DataFrame
            Index ``["pooled"]``; one column per field except ``weights``.
        """
        row = {k: v for k, v in asdict(self).items() if k != "weights"}
        return pd.DataFrame([row], index=["pooled"])

    def summary(self, digits: int = 4) -> str:
        """Plain-text summary laid out like metafor's ``print.rma.uni``.

        Parameters
        ----------
        digits : int, default 4
            Decimal places for estimates and statistics.

        Returns
        -------
        str
            Multi-line summary.
        """
        f = f"{{:.{digits}f}}".format
        pct = round(self.level * 100, 6)
        pct_text = f"{pct:g}"
        lines = []
        if self.method == "FE":
            lines += [f"Fixed-Effects Model (k = {self.k})", ""]
        else:
            lines += [f"Random-Effects Model (k = {self.k}; tau^2 estimator: {self.method})", "",
                      f"tau^2 (estimated amount of total heterogeneity): {f(self.tau2)}",
                      f"tau (square root of estimated tau^2 value):      {f(self.tau)}"]
        lines += [f"I^2 (total heterogeneity / total variability):   {self.i2:.2f}%",
                  f"H^2 (total variability / sampling variability):  {self.h2:.2f}", "",
                  "Test for Heterogeneity:",
                  f"Q(df = {self.q_df}) = {f(self.q)}, p-val {_p_text(self.q_p, digits, True)}", "",
                  "Model Results:", ""]
        stat = "tval" if self.knapp_hartung else "zval"
        header = ["estimate", "se", stat] + (["df"] if self.knapp_hartung else []) + ["pval", "ci.lb", "ci.ub"]
        values = [f(self.estimate), f(self.se), f(self.z_or_t)]
        values += [str(self.df)] if self.knapp_hartung else []
        values += [_p_text(self.p_value, digits), f(self.ci_low), f(self.ci_high)]
        widths = [max(len(h), len(v)) for h, v in zip(header, values)]
        lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        lines.append("  ".join(v.rjust(w) for v, w in zip(values, widths)))
        lines += ["", f"{pct_text}% prediction interval: {f(self.pi_low)} to {f(self.pi_high)}",
                  f"({_crit_text(self)})"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Accessible HTML table for Jupyter."""
        return _html_table(self.summary_frame().T.rename(columns={"pooled": "value"}),
                           _caption(self))


def _caption(result: MetaResult) -> str:
    """One-line description of the model used as a table caption."""
    model = "Fixed-effect" if result.method == "FE" else f"Random-effects ({_METHOD_NAMES[result.method]})"
    kh = ", Knapp-Hartung adjusted" if result.knapp_hartung else ""
    return f"{model} meta-analysis of {result.k} studies{kh}"


def _crit_text(result: MetaResult) -> str:
    """Say which distribution the intervals used."""
    if result.knapp_hartung:
        return f"intervals use t with {result.df} df, as metafor test='knha'"
    return "intervals use the normal distribution, as metafor test='z'"


def _p_text(p: float, digits: int, equals: bool = False) -> str:
    """Format a p-value as metafor does (``<.0001`` below the display precision)."""
    if np.isnan(p):
        return "= NA" if equals else "NA"
    floor = 10.0**-digits
    if p < floor:
        return f"< {floor:.{digits}f}".replace("0.", ".") if equals else f"<{floor:.{digits}f}".replace("0.", ".")
    text = f"{p:.{digits}f}"
    return f"= {text}" if equals else text


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    """Render a DataFrame as a small accessible HTML table with a caption and header scopes."""
    def cell(value) -> str:
        if isinstance(value, (float, np.floating)):
            return "NA" if np.isnan(value) else f"{value:.4f}"
        return html.escape(str(value))

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(str(idx))}</th>'
        + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for idx, row in zip(frame.index, frame.itertuples(index=False))
    )
    return (f'<table class="evalkit-meta"><caption>{html.escape(caption)}</caption>'
            f'<thead><tr><th scope="col"></th>{head}</tr></thead><tbody>{rows}</tbody></table>')


def _validate(yi, vi, method: str, level: float, min_k: int = 2) -> tuple[np.ndarray, np.ndarray, str]:
    """Check and convert inputs; raise :class:`MetaAnalysisError` with a fix for each problem."""
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise MetaAnalysisError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise MetaAnalysisError(f"level={level!r} must be a proportion between 0 and 1, e.g. 0.95.")
    arrays = []
    for name, values in (("yi", yi), ("vi", vi)):
        try:
            arr = np.atleast_1d(np.asarray(values, dtype=float))
        except (TypeError, ValueError):
            raise MetaAnalysisError(f"'{name}' must hold numbers only; convert text to numbers first.") from None
        if arr.ndim != 1:
            raise MetaAnalysisError(f"'{name}' must be one value per study (one-dimensional).")
        arrays.append(arr)
    y, v = arrays
    if len(y) != len(v):
        raise MetaAnalysisError(f"yi has {len(y)} values but vi has {len(v)}; give one effect size "
                                "and one sampling variance per study.")
    bad_y = np.flatnonzero(~np.isfinite(y))
    if bad_y.size:
        raise MetaAnalysisError(f"yi is missing or infinite for study {_positions(bad_y)}; "
                                "remove those studies or supply their effect sizes.")
    bad_v = np.flatnonzero(~(np.isfinite(v) & (v > 0)))
    if bad_v.size:
        raise MetaAnalysisError(f"vi must be a positive, finite sampling variance; study "
                                f"{_positions(bad_v)} has {', '.join(f'{v[i]:g}' for i in bad_v[:10])}. "
                                "Check that you passed variances (SE squared), not SDs or CIs.")
    if len(y) < min_k:
        raise MetaAnalysisError(f"Meta-analysis needs at least {min_k} studies; got {len(y)}.")
    return y, v, method.upper()


def _positions(indices: np.ndarray) -> str:
    """1-based study numbers for messages (first ten)."""
    return ", ".join(str(i + 1) for i in indices[:10])


def _q_at(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Generalised Cochran's Q with weights 1 / (v + tau2)."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird moment estimator, truncated at 0."""
    w = 1.0 / v
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, (_q_at(y, v, 0.0) - (len(y) - 1)) / c)


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel: root of Q(tau2) = k - 1, or 0 when Q(0) is already below k - 1."""
    target = len(y) - 1
    if _q_at(y, v, 0.0) <= target:
        return 0.0
    upper = max(1.0, float(np.var(y, ddof=1)))
    while _q_at(y, v, upper) > target:
        upper *= 2.0
    return float(optimize.brentq(lambda t: _q_at(y, v, t) - target, 0.0, upper,
                                 xtol=1e-14, rtol=1e-14, maxiter=500))


def _tau2_reml(y: np.ndarray, v: np.ndarray) -> tuple[float, int]:
    """REML by Fisher scoring with step halving at the boundary, as metafor's rma.uni."""
    tau2 = max(0.0, float(np.var(y, ddof=1) - np.mean(v)))
    for iteration in range(1, REML_MAXITER + 1):
        w = 1.0 / (v + tau2)
        sw = np.sum(w)
        mu = np.sum(w * y) / sw
        tr_p = sw - np.sum(w**2) / sw
        tr_pp = np.sum(w**2) - 2.0 * np.sum(w**3) / sw + (np.sum(w**2) / sw) ** 2
        ypy = np.sum((w * (y - mu)) ** 2)
        adj = (ypy - tr_p) / tr_pp
        if tau2 == 0.0 and adj < 0:
            return 0.0, iteration
        while tau2 + adj < 0.0:
            adj /= 2.0
        tau2 += adj
        if abs(adj) < REML_TOL:
            return max(0.0, tau2), iteration
    raise MetaAnalysisError(
        f"REML did not converge in {REML_MAXITER} iterations; try method='PM' or 'DL'.")


def _fit(y: np.ndarray, v: np.ndarray, method: str, knapp_hartung: bool, level: float) -> MetaResult:
    """Fit the intercept-only model to validated inputs (k may be 1 inside subgroups)."""
    k = len(y)
    iterations = 0
    if method == "FE" or k == 1:
        tau2 = 0.0
    elif method == "DL":
        tau2 = _tau2_dl(y, v)
    elif method == "PM":
        tau2 = _tau2_pm(y, v)
    else:
        tau2, iterations = _tau2_reml(y, v)

    w = 1.0 / (v + tau2)
    sw = np.sum(w)
    estimate = float(np.sum(w * y) / sw)
    var = 1.0 / sw
    df = None
    if knapp_hartung and k > 1:
        df = k - 1
        var *= float(np.sum(w * (y - estimate) ** 2) / df)
        crit = float(stats.t.ppf(0.5 + level / 2, df))
    else:
        crit = float(stats.norm.ppf(0.5 + level / 2))
    se = float(np.sqrt(var))
    stat = estimate / se if se > 0 else np.nan
    if df is not None:
        p_value = float(2 * stats.t.sf(abs(stat), df))
    else:
        p_value = float(2 * stats.norm.sf(abs(stat)))

    q = _q_at(y, v, 0.0)
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if q_df > 0 else np.nan
    i2, h2 = _heterogeneity(v, q, q_df, tau2, method)
    pi_half = crit * np.sqrt(var + tau2)
    return MetaResult(
        estimate=estimate, se=se, ci_low=estimate - crit * se, ci_high=estimate + crit * se,
        z_or_t=float(stat), p_value=p_value, tau2=float(tau2), tau=float(np.sqrt(tau2)),
        i2=i2, h2=h2, q=q, q_df=q_df, q_p=q_p,
        pi_low=float(estimate - pi_half), pi_high=float(estimate + pi_half),
        k=k, method=method, knapp_hartung=bool(knapp_hartung and k > 1), level=float(level),
        df=df, weights=tuple(float(x) for x in 100.0 * w / sw), iterations=iterations,
    )


def _heterogeneity(v: np.ndarray, q: float, q_df: int, tau2: float, method: str) -> tuple[float, float]:
    """I^2 (percent) and H^2 as metafor computes them for this method."""
    if q_df == 0:
        return 0.0, 1.0
    if method == "FE":
        i2 = 0.0 if q <= 0 else max(0.0, 100.0 * (q - q_df) / q)
        return float(i2), float(q / q_df)
    w = 1.0 / v
    typical = q_df / (np.sum(w) - np.sum(w**2) / np.sum(w))
    return float(100.0 * tau2 / (typical + tau2)), float((typical + tau2) / typical)


def random_effects(yi, vi, method: str = "REML", knapp_hartung: bool = False,
                   level: float = 0.95) -> MetaResult:
    """Pool one effect size per study with a fixed- or random-effects model.

    Parameters
    ----------
    yi : array-like
        Effect sizes, one per study (e.g. the ``yi`` column from :mod:`evalkit.effect_sizes`).
    vi : array-like
        Their sampling variances (standard error squared), all positive.
    method : {"REML", "DL", "PM", "FE"}, default "REML"
        Estimator of the between-study variance tau^2, or "FE" for a fixed-effect model.
    knapp_hartung : bool, default False
        Use the Knapp-Hartung adjustment and t(k - 1) intervals (metafor ``test="knha"``);
        recommended when there are few studies.
    level : float, default 0.95
        Confidence level for the confidence and prediction intervals.

    Returns
    -------
    MetaResult
        Frozen result with ``summary()``, ``summary_frame()`` and an HTML display.

    Raises
    ------
    MetaAnalysisError
        Lengths differ, a variance is not positive, fewer than 2 studies, unknown method or
        invalid level.

    Examples
    --------
    >>> res = random_effects([0.1, 0.3, 0.5], [0.04, 0.05, 0.03])
    >>> round(res.estimate, 4)
    0.3165
    """
    y, v, method = _validate(yi, vi, method, level)
    return _fit(y, v, method, knapp_hartung, level)


def _labels(labels, k: int, name: str) -> list:
    """Check that there is one label per study."""
    labels = list(labels)
    if len(labels) != k:
        raise MetaAnalysisError(f"{name} has {len(labels)} entries but there are {k} studies; "
                                "give one per study.")
    return labels


def leave_one_out(yi, vi, labels: Sequence, method: str = "REML", knapp_hartung: bool = False,
                  level: float = 0.95) -> pd.DataFrame:
    """Refit the meta-analysis leaving out each study in turn (metafor ``leave1out``).

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and sampling variances.
    labels : sequence
        One name per study, used as the index of the result.
    method, knapp_hartung, level
        As in :func:`random_effects`.

    Returns
    -------
    pandas.DataFrame
        Index ``omitted`` (the study left out); columns ``estimate``, ``se``, ``z_or_t``,
        ``p_value``, ``ci_low``, ``ci_high``, ``pi_low``, ``pi_high``, ``q``, ``q_p``,
        ``tau2``, ``i2``, ``h2``.

    Raises
    ------
    MetaAnalysisError
        As :func:`random_effects`, or fewer than 3 studies, or labels of the wrong length.
    """
    y, v, method = _validate(yi, vi, method, level, min_k=3)
    names = _labels(labels, len(y), "labels")
    columns = ["estimate", "se", "z_or_t", "p_value", "ci_low", "ci_high", "pi_low", "pi_high",
               "q", "q_p", "tau2", "i2", "h2"]
    rows = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        res = _fit(y[keep], v[keep], method, knapp_hartung, level)
        rows.append([getattr(res, c) for c in columns])
    return pd.DataFrame(rows, columns=columns, index=pd.Index(names, name="omitted"))


@dataclass(frozen=True)
class SubgroupResult:
    """Per-subgroup meta-analyses and the test for subgroup differences.

    Attributes
    ----------
    results : Mapping[str, MetaResult]
        Fit within each subgroup, in order of first appearance.
    q_between : float
        Wald-type Q for differences between subgroup estimates.
    df : int
        Degrees of freedom (number of subgroups - 1).
    p_value : float
        Chi-squared p-value of ``q_between``.
    method : str
        tau^2 estimator used within subgroups (tau^2 estimated separately per subgroup).
    """

    results: Mapping[str, MetaResult]
    q_between: float
    df: int
    p_value: float
    method: str

    def summary_frame(self) -> pd.DataFrame:
        """Return one row per subgroup with its pooled estimate and heterogeneity.

        Returns
        -------
        pandas.DataFrame
            Index ``group``; columns ``k``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
            ``p_value``, ``tau2``, ``i2``, ``q``, ``q_p``, ``pi_low``, ``pi_high``.
        """
        columns = ["k", "estimate", "se", "ci_low", "ci_high", "p_value", "tau2", "i2", "q",
                   "q_p", "pi_low", "pi_high"]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.results.values()],
                            columns=columns, index=pd.Index(list(self.results), name="group"))

    def summary(self, digits: int = 4) -> str:
        """Plain-text table of subgroup estimates followed by the test for differences.

        Parameters
        ----------
        digits : int, default 4
            Decimal places.

        Returns
        -------
        str
            Multi-line summary.
        """
        frame = self.summary_frame()
        table = frame.to_string(float_format=lambda x: f"{x:.{digits}f}")
        return (f"Subgroup analysis (tau^2 estimator within subgroups: {self.method})\n\n{table}\n\n"
                f"Test for subgroup differences: Q_between(df = {self.df}) = "
                f"{self.q_between:.{digits}f}, p-val {_p_text(self.p_value, digits, True)}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Accessible HTML table for Jupyter."""
        caption = (f"Subgroup analysis; test for subgroup differences Q = {self.q_between:.2f}, "
                   f"df = {self.df}, p = {self.p_value:.4f}")
        return _html_table(self.summary_frame(), caption)


def subgroup_analysis(yi, vi, groups: Sequence, method: str = "REML", knapp_hartung: bool = False,
                      level: float = 0.95) -> SubgroupResult:
    """Meta-analyse each subgroup separately and test whether their pooled effects differ.

    Each subgroup gets its own tau^2 (a subgroup with one study is its own estimate). The
    test for subgroup differences is the fixed-effect Q of the subgroup estimates weighted by
    ``1 / se^2`` (Borenstein et al. 2009, ch. 19, "separate estimates of tau^2"; metafor's
    recommended ``rma(estimate, sei=se, mods=~group, method="FE")`` comparison), referred to
    chi-squared with G - 1 degrees of freedom.

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and sampling variances.
    groups : sequence
        Subgroup of each study (e.g. project theme); at least two distinct values.
    method, knapp_hartung, level
        As in :func:`random_effects`, applied within each subgroup.

    Returns
    -------
    SubgroupResult
        Per-group :class:`MetaResult` objects plus ``q_between``, ``df`` and ``p_value``.

    Raises
    ------
    MetaAnalysisError
        As :func:`random_effects`, or groups of the wrong length, missing, or fewer than two.
    """
    y, v, method = _validate(yi, vi, method, level)
    labels = _labels(groups, len(y), "groups")
    missing = [i for i, g in enumerate(labels) if g is None or (isinstance(g, float) and np.isnan(g))]
    if missing:
        raise MetaAnalysisError(f"groups is missing for study {_positions(np.array(missing))}; "
                                "give every study a subgroup.")
    order = list(dict.fromkeys(labels))
    if len(order) < 2:
        raise MetaAnalysisError("subgroup_analysis needs at least two different groups; "
                                f"all studies are in '{order[0]}'.")
    labels_arr = np.array(labels, dtype=object)
    results = {}
    for g in order:
        mask = labels_arr == g
        results[str(g)] = _fit(y[mask], v[mask], method, knapp_hartung, level)
    est = np.array([r.estimate for r in results.values()])
    se = np.array([r.se for r in results.values()])
    q_between = _q_at(est, se**2, 0.0)
    df = len(order) - 1
    return SubgroupResult(results=results, q_between=q_between, df=df,
                          p_value=float(stats.chi2.sf(q_between, df)), method=method)

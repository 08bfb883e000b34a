"""Fitting the fixed- and random-effects models."""
from __future__ import annotations

import numpy as np
from scipy import stats

from evalkit.synthesis.inputs import validate_inputs
from evalkit.synthesis.result import MetaResult
from evalkit.synthesis.tau2 import dersimonian_laird, paule_mandel, q_statistic, reml


def fit(y: np.ndarray, v: np.ndarray, method: str, knapp_hartung: bool, level: float) -> MetaResult:
    """Fit the intercept-only model to already validated arrays.

    Parameters
    ----------
    y, v : numpy.ndarray
        Effect sizes and positive sampling variances (see
        :func:`evalkit.synthesis.inputs.validate_inputs`). ``k = 1`` is allowed so that a
        one-study subgroup is its own estimate (tau^2 = 0, no heterogeneity test).
    method : {"FE", "DL", "REML", "PM"}
        Upper-case estimator name.
    knapp_hartung : bool
        Apply the Knapp-Hartung adjustment with its factor truncated at 1 (ignored when
        ``k = 1``).
    level : float
        Confidence level.

    Returns
    -------
    MetaResult
        The fitted result.
    """
    k = len(y)
    iterations = 0
    if method == "FE" or k == 1:
        tau2 = 0.0
    elif method == "DL":
        tau2 = dersimonian_laird(y, v)
    elif method == "PM":
        tau2 = paule_mandel(y, v)
    else:
        tau2, iterations = reml(y, v)

    w = 1.0 / (v + tau2)
    sw = np.sum(w)
    estimate = float(np.sum(w * y) / sw)
    var = 1.0 / sw
    df = None
    kh_scale = None
    if knapp_hartung and k > 1:
        df = k - 1
        # Truncated at 1 (metafor test="adhoc"): an untruncated factor below 1 narrows the
        # interval below the model's own, and is 0 when every effect is the same.
        kh_scale = max(1.0, float(np.sum(w * (y - estimate) ** 2) / df))
        var *= kh_scale
        crit = float(stats.t.ppf(0.5 + level / 2, df))
    else:
        crit = float(stats.norm.ppf(0.5 + level / 2))
    se = float(np.sqrt(var))
    stat = estimate / se
    if df is not None:
        p_value = float(2 * stats.t.sf(abs(stat), df))
    else:
        p_value = float(2 * stats.norm.sf(abs(stat)))

    q = q_statistic(y, v, 0.0)
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
        kh_scale=kh_scale,
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
        Effect sizes, one per study (e.g. the ``yi`` column from :mod:`evalkit.synthesis.effect_sizes`).
    vi : array-like
        Their sampling variances (standard error squared), all positive.
    method : {"REML", "DL", "PM", "FE"}, default "REML"
        Estimator of the between-study variance tau^2, or "FE" for a fixed-effect model.
    knapp_hartung : bool, default False
        Use the Knapp-Hartung adjustment and t(k - 1) intervals, recommended when there are
        few studies. The scale factor is truncated at 1, as metafor ``test="adhoc"`` (not
        ``test="knha"``), so the interval is never narrower than the unadjusted one and
        identical effects do not give a zero-width interval (see README, "Statistics:
        conventions at the edges").
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
    y, v, method = validate_inputs(yi, vi, method, level)
    return fit(y, v, method, knapp_hartung, level)



"""Estimators of the between-study variance tau^2 for the intercept-only model."""
from __future__ import annotations

import numpy as np
from scipy import optimize

from evalkit.synthesis.inputs import MetaAnalysisError

REML_TOL = 1e-10
REML_MAXITER = 1000


def q_statistic(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Return the generalised Cochran's Q, ``sum w (y - mu_w)^2`` with ``w = 1 / (v + tau2)``."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def dersimonian_laird(y: np.ndarray, v: np.ndarray) -> float:
    """Return the DerSimonian & Laird (1986) moment estimate of tau^2, truncated at 0."""
    w = 1.0 / v
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, (q_statistic(y, v, 0.0) - (len(y) - 1)) / c)


def paule_mandel(y: np.ndarray, v: np.ndarray) -> float:
    """Return the Paule & Mandel (1982) tau^2: the root of Q(tau2) = k - 1 (0 if Q(0) <= k - 1)."""
    target = len(y) - 1
    if q_statistic(y, v, 0.0) <= target:
        return 0.0
    upper = max(1.0, float(np.var(y, ddof=1)))
    while q_statistic(y, v, upper) > target:
        upper *= 2.0
    return float(optimize.brentq(lambda t: q_statistic(y, v, t) - target, 0.0, upper,
                                 xtol=1e-14, rtol=1e-14, maxiter=500))


def reml(y: np.ndarray, v: np.ndarray) -> tuple[float, int]:
    """Return the REML tau^2 and iterations used (Fisher scoring, step halving at 0, as rma.uni)."""
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



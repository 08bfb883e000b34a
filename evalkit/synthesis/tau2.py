"""Estimators of the between-study variance tau^2 for the intercept-only model.

Every loop here has a fixed upper bound on its iterations, so no input can make a fit hang.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize

from evalkit.errors import MetaAnalysisError

# Geometric grid spacing (ratio of neighbouring tau^2 values) of the REML profile scan, and
# the most grid points it may use.
REML_GRID_RATIO = 1.05
REML_GRID_MAX = 4000
# Root finding on the REML score within one grid interval (scipy's brentq, bounded).
REML_RTOL = 1e-13
REML_MAXITER = 200
# The Paule-Mandel upper bracket is doubled at most this many times.
PM_MAX_DOUBLINGS = 200


def q_statistic(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Return the generalised Cochran's Q, ``sum w (y - mu_w)^2`` with ``w = 1 / (v + tau2)``."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def dersimonian_laird(y: np.ndarray, v: np.ndarray) -> float:
    """Return the DerSimonian & Laird (1986) moment estimate of tau^2, truncated at 0."""
    w = 1.0 / v
    c = _trace_p(w[None, :])[0]
    return max(0.0, (q_statistic(y, v, 0.0) - (len(y) - 1)) / c)


def paule_mandel(y: np.ndarray, v: np.ndarray) -> float:
    """Return the Paule & Mandel (1982) tau^2: the root of Q(tau2) = k - 1 (0 if Q(0) <= k - 1)."""
    target = len(y) - 1
    if q_statistic(y, v, 0.0) <= target:
        return 0.0
    upper = max(1.0, float(np.var(y, ddof=1)))
    for _ in range(PM_MAX_DOUBLINGS):
        if q_statistic(y, v, upper) <= target:
            break
        upper *= 2.0
    else:  # pragma: no cover - Q(tau2) falls to 0 as tau2 grows, so this needs absurd input
        raise MetaAnalysisError("Paule-Mandel found no upper bound for tau^2; check yi and vi "
                                "for extreme values, or use method='DL'.")
    return float(optimize.brentq(lambda t: q_statistic(y, v, t) - target, 0.0, upper,
                                 xtol=1e-14, rtol=1e-14, maxiter=500))


def _trace_p(w: np.ndarray) -> np.ndarray:
    """tr(P) = sum w - sum w^2 / sum w for each row of weights, without cancellation.

    Written as ``sum_i w_i (sum_{j != i} w_j) / sum w`` so that one huge weight (a tiny
    sampling variance) does not cancel the others away.
    """
    total = w.sum(axis=-1, keepdims=True)
    k = w.shape[-1]
    others = w @ (1.0 - np.eye(k))
    return np.sum(w * others / total, axis=-1)


def _profile(y: np.ndarray, v: np.ndarray, tau2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Restricted log-likelihood (constants dropped) and its score at each tau^2 in ``tau2``."""
    w = 1.0 / (v[None, :] + tau2[:, None])
    sw = w.sum(axis=1)
    mu = (w * y[None, :]).sum(axis=1) / sw
    resid = y[None, :] - mu[:, None]
    ll = -0.5 * (np.log(v[None, :] + tau2[:, None]).sum(axis=1) + np.log(sw)
                 + (w * resid**2).sum(axis=1))
    score = 0.5 * ((w * resid) ** 2).sum(axis=1) - 0.5 * _trace_p(w)
    return ll, score


def reml_loglik(y, v, tau2: float) -> float:
    """Restricted log-likelihood of the intercept-only model at ``tau2``, as metafor reports it.

    ``-(k-1)/2 log(2 pi) + 1/2 log k - 1/2 sum log(v + tau2) - 1/2 log(sum w)
    - 1/2 sum w (y - mu_w)^2`` with ``w = 1 / (v + tau2)`` (metafor ``logLik(res)`` for an
    ``rma.uni`` REML fit; Viechtbauer 2005, eq. 7).

    Parameters
    ----------
    y, v : array-like
        Effect sizes and sampling variances.
    tau2 : float
        Between-study variance, zero or more.

    Returns
    -------
    float
        The restricted log-likelihood.
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    ll, _ = _profile(y, v, np.array([float(tau2)]))
    return float(ll[0] - 0.5 * (k - 1) * np.log(2 * np.pi) + 0.5 * np.log(k))


def reml_upper_bound(y: np.ndarray, v: np.ndarray) -> float:
    """A tau^2 above every stationary point of the restricted likelihood.

    At a stationary point ``tau2 = sum w^2 ((y - mu)^2 - v) / sum w^2 + 1 / sum w``
    (Viechtbauer 2005, eq. 9). With ``R = max y - min y`` the first term is at most ``R^2``
    and ``1 / sum w <= (max v + tau2) / k``, so ``tau2 <= (k R^2 + max v) / (k - 1)``.
    """
    k = len(y)
    spread = float(np.max(y) - np.min(y))
    return (k * spread**2 + float(np.max(v))) / (k - 1)


def reml(y: np.ndarray, v: np.ndarray) -> tuple[float, int]:
    """Return the REML tau^2 (the global maximiser over tau^2 >= 0) and root-finding iterations.

    The restricted log-likelihood can have more than one local maximum when sampling variances
    differ a lot, so Fisher scoring from one start can stop at the wrong one (or, with one
    tiny variance, divide by a cancelled zero). Instead: (1) scan the score on a geometric grid
    from far below the smallest variance to beyond :func:`reml_upper_bound`, plus tau^2 = 0;
    (2) find each local maximum (score changing from + to -) by bracketed root finding
    (:func:`scipy.optimize.brentq`, at most ``REML_MAXITER`` iterations); (3) keep the
    candidate, including the boundary tau^2 = 0 when the score there is not positive, with the
    highest restricted likelihood. The result solves the same score equation as metafor's
    Fisher scoring (``y'PPy = tr(P)``) whenever that finds the global maximum.
    """
    upper = 2.0 * reml_upper_bound(y, v)
    if upper <= 0.0:  # every y equal: no spread to explain
        return 0.0, 0
    low = min(float(np.min(v)), upper) * 1e-4
    n = int(np.clip(np.ceil(np.log(upper / low) / np.log(REML_GRID_RATIO)), 50, REML_GRID_MAX))
    grid = np.concatenate([[0.0], np.geomspace(low, upper, n)])
    ll, score = _profile(y, v, grid)
    candidates: list[tuple[float, float, int]] = []
    if score[0] <= 0.0:
        candidates.append((float(ll[0]), 0.0, 0))
    rising = np.flatnonzero((score[:-1] > 0.0) & (score[1:] <= 0.0))
    for i in rising:
        a, b = float(grid[i]), float(grid[i + 1])
        if score[i + 1] == 0.0:
            root, used = b, 0
        else:
            root, info = optimize.brentq(lambda t: _profile(y, v, np.array([t]))[1][0], a, b,
                                         xtol=1e-300, rtol=REML_RTOL, maxiter=REML_MAXITER,
                                         full_output=True, disp=False)
            used = int(info.iterations)
        candidates.append((float(_profile(y, v, np.array([root]))[0][0]), float(root), used))
    if not candidates:  # pragma: no cover - the score is negative beyond the upper bound
        raise MetaAnalysisError("REML found no maximum of the restricted likelihood; check yi "
                                "and vi for extreme values, or use method='PM' or 'DL'.")
    loglik, tau2, used = max(candidates, key=lambda c: (c[0], -c[1]))
    return max(0.0, tau2), used

"""Reference implementations ported from R sources, for tests that compare evalkit with them.

Each function follows its R source line by line, with plain numpy and no evalkit code, so a
test that compares evalkit with it compares two independent implementations.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, stats


def metafor_reml_loglik(y, v, tau2: float) -> float:
    """metafor's restricted log-likelihood of ``rma.uni`` (R/rma.uni.r, ``ll.REML``).

    ``-1/2 (k-p) log(2 pi) + 1/2 log|X'X| - 1/2 sum log(v + tau2) - 1/2 log|X'WX| - 1/2 RSS``
    with X a column of ones (p = 1), W = diag(1 / (v + tau2)) and RSS = y'Py, written here with
    the full matrices (``P = W - W X (X'WX)^-1 X'W``) as metafor does.
    """
    y, v = np.asarray(y, float), np.asarray(v, float)
    k = len(y)
    x = np.ones((k, 1))
    w = np.diag(1.0 / (v + tau2))
    xwx = x.T @ w @ x
    p = w - w @ x @ np.linalg.inv(xwx) @ x.T @ w
    rss = float(y @ p @ y)
    return float(-0.5 * (k - 1) * np.log(2 * np.pi) + 0.5 * np.linalg.slogdet(x.T @ x)[1]
                 - 0.5 * np.sum(np.log(v + tau2)) - 0.5 * np.linalg.slogdet(xwx)[1] - 0.5 * rss)


def brute_force_reml(y, v, points: int = 1500) -> tuple[float, float]:
    """The REML tau^2 by brute force: :func:`metafor_reml_loglik` on a dense grid (0, then
    geometric from 1e-6 min(v) to 10 (range(y)^2 + max v)), refined by bounded Brent
    (scipy ``minimize_scalar``) between the best point's neighbours. Returns (tau2, loglik).
    """
    y, v = np.asarray(y, float), np.asarray(v, float)
    top = 10.0 * (np.ptp(y) ** 2 + v.max())
    grid = np.concatenate([[0.0], np.geomspace(1e-6 * v.min(), top, points)])
    ll = np.array([metafor_reml_loglik(y, v, t) for t in grid])
    i = int(np.argmax(ll))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda t: -metafor_reml_loglik(y, v, t), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-13 * max(hi, 1e-300)})
    if -res.fun > ll[i]:
        return float(res.x), float(-res.fun)
    return float(grid[i]), float(ll[i])


def effsize_cliff_delta(treatment, control, conf_level: float = 0.95) -> tuple[float, float, float]:
    """``effsize::cliff.delta(treatment, control)`` with its defaults (use.unbiased=TRUE,
    use.normal=FALSE), the "Naive" (dominance matrix) branch of R/CliffDelta.R (Torchiano,
    github.com/mtorchiano/effsize). Returns (estimate, lower, upper).

    For fully disjoint groups effsize computes the variance and interval at
    ``d. = d (n1 n2 - 1) / (n1 n2)`` and then sets the limit beyond d to +/-1.
    """
    treatment = np.sort(np.asarray(treatment, float))
    control = np.sort(np.asarray(control, float))
    n1, n2 = len(treatment), len(control)
    rescale = (n1 * n2 - 1) / (n1 * n2)
    dominance = np.sign(np.subtract.outer(treatment, control))
    d = dominance.mean()
    d_ = d * rescale if abs(d) == 1 else d
    d_i = dominance.mean(axis=1)
    d_j = dominance.mean(axis=0)
    ssr = ((dominance - d_) ** 2).sum()
    s_d = (n2**2 * ((d_i - d_) ** 2).sum() + n1**2 * ((d_j - d_) ** 2).sum() - ssr) \
        / (float(n1) * n2 * (n1 - 1) * (n2 - 1))
    z = -stats.t.ppf((1 - conf_level) / 2, n1 + n2 - 2)
    root = z * np.sqrt(s_d) * np.sqrt((1 - d_**2) ** 2 + z**2 * s_d)
    denom = 1 - d_**2 + z**2 * s_d
    lower, upper = (d_ - d_**3 - root) / denom, (d_ - d_**3 + root) / denom
    if d == 1:
        upper = 1.0
    if d == -1:
        lower = -1.0
    return float(d), float(lower), float(upper)

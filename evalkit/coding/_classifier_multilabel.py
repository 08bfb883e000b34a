"""One-vs-rest themes with Platt-calibrated probabilities and F1-tuned thresholds.

Every theme gets its own linear model. Calibration and decision thresholds are learnt from
out-of-fold scores on the training data only: the rows are split into ``cv`` folds, each fold is
scored by models fitted on the other folds, a Platt sigmoid is fitted to those scores, and the
threshold that maximises the theme's F1 on the calibrated out-of-fold probabilities is kept.
The final per-theme models are refitted on all rows; their weights are stacked into one matrix
so prediction is a single sparse product.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import KFold

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


@dataclass(frozen=True)
class OneVsRestFit:
    """Stacked per-theme linear models, Platt parameters and thresholds."""

    coef: np.ndarray
    intercept: np.ndarray
    platt: np.ndarray
    thresholds: np.ndarray
    trained: np.ndarray

    def probabilities(self, X) -> np.ndarray:
        """Calibrated per-theme probabilities for feature rows ``X``."""
        scores = np.asarray(X @ self.coef) + self.intercept
        probs = _sigmoid(scores, self.platt[:, 0], self.platt[:, 1])
        constant = ~self.trained
        probs[:, constant] = self.intercept[constant] > 0
        return probs


def _sigmoid(scores: np.ndarray, a, b) -> np.ndarray:
    """Platt's sigmoid ``1 / (1 + exp(a * s + b))``, computed without overflow."""
    return 1.0 / (1.0 + np.exp(np.clip(a * scores + b, -500.0, 500.0)))


def platt_fit(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit Platt's sigmoid by Newton's method with backtracking (Lin, Lin & Weng 2007, Alg. 1)."""
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y)
    n_pos = float(np.sum(y == 1))
    n_neg = float(y.size - n_pos)
    target = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    a, b = 0.0, float(np.log((n_neg + 1.0) / (n_pos + 1.0)))

    def loss(a_: float, b_: float) -> float:
        """Negative log-likelihood of the smoothed targets."""
        z = a_ * scores + b_
        return float(np.sum(target * np.logaddexp(0.0, z) + (1.0 - target) * np.logaddexp(0.0, -z)))

    current = loss(a, b)
    for _ in range(100):
        p = _sigmoid(scores, a, b)
        d1, d2 = target - p, p * (1.0 - p)
        grad = np.array([np.dot(scores, d1), np.sum(d1)])
        if np.max(np.abs(grad)) < 1e-5:
            break
        hessian = np.array([[np.dot(scores * scores, d2) + 1e-12, np.dot(scores, d2)],
                            [np.dot(scores, d2), np.sum(d2) + 1e-12]])
        step = np.linalg.solve(hessian, -grad)
        size = 1.0
        while size >= 1e-10:
            new_a, new_b = a + size * step[0], b + size * step[1]
            new = loss(new_a, new_b)
            if new < current + 1e-4 * size * float(np.dot(grad, step)):
                a, b, current = new_a, new_b, new
                break
            size /= 2.0
        else:
            break
    return float(a), float(b)


def best_threshold(probs: np.ndarray, y: np.ndarray, min_positives: int) -> float:
    """Threshold on ``THRESHOLD_GRID`` maximising F1; 0.5 when positives are too few to tune."""
    n_pos = int(np.sum(y))
    if n_pos < min_positives:
        return 0.5
    predicted = probs[:, None] >= THRESHOLD_GRID[None, :]
    tp = np.sum(predicted & (y[:, None] == 1), axis=0)
    fp = np.sum(predicted & (y[:, None] == 0), axis=0)
    f1 = 2 * tp / np.maximum(2 * tp + fp + (n_pos - tp), 1)
    best = np.flatnonzero(f1 == f1.max())
    return float(THRESHOLD_GRID[best[len(best) // 2]])


def _fit_theme(model, X, y) -> tuple[np.ndarray, float]:
    """Fit one binary model; return its weight vector and intercept."""
    fitted = clone(model).fit(X, y)
    return np.ravel(fitted.coef_), float(np.ravel(fitted.intercept_)[0])


def _theme_fit(model, X, y: np.ndarray, folds, min_positives: int):
    """One theme: weights on all rows, Platt parameters and threshold from out-of-fold scores."""
    w_all, b_all = _fit_theme(model, X, y)
    oof = np.empty(y.size)
    for train, test, X_train, X_test in folds:
        y_train = y[train]
        if y_train.min() == y_train.max():
            oof[test] = 1.0 if y_train[0] == 1 else -1.0
            continue
        w, b = _fit_theme(model, X_train, y_train)
        oof[test] = X_test @ w + b
    platt = platt_fit(oof, y)
    return w_all, b_all, platt, best_threshold(_sigmoid(oof, *platt), y, min_positives)


def fit_one_vs_rest(X, Y: np.ndarray, model, *, cv: int, min_positives: int,
                    random_state, n_jobs=None) -> OneVsRestFit:
    """Fit per-theme models, calibrate them on out-of-fold scores and tune thresholds.

    Parameters
    ----------
    X : sparse matrix of shape (n_texts, n_features)
        Features of the training texts.
    Y : ndarray of shape (n_texts, n_themes)
        0/1 theme indicators.
    model : sklearn linear classifier
        Unfitted binary model with ``coef_`` and ``intercept_`` once fitted.
    cv : int
        Number of internal folds for calibration and thresholds (fewer when rows are few).
    min_positives : int
        Themes with fewer positive examples keep the 0.5 threshold.
    random_state : int, RandomState or None
        Seeds the fold split (and the model, if it is stochastic).
    n_jobs : int or None, default=None
        Themes fitted at once, in worker processes (not threads: liblinear shuffles with the C
        library's global random state, so threads would make fits irreproducible); -1 uses
        every core. The result does not depend on it.

    Returns
    -------
    OneVsRestFit
    """
    n, n_themes = Y.shape
    X = sparse.csr_matrix(X)
    coef = np.zeros((X.shape[1], n_themes))
    intercept = np.zeros(n_themes)
    platt = np.tile([-1.0, 0.0], (n_themes, 1))
    thresholds = np.full(n_themes, 0.5)
    positives = Y.sum(axis=0)
    trained = (positives > 0) & (positives < n)
    intercept[positives == n] = 1.0
    intercept[positives == 0] = -1.0
    splits = KFold(n_splits=min(cv, n), shuffle=True, random_state=random_state).split(X)
    folds = [(train, test, X[train], X[test]) for train, test in splits]
    columns = np.flatnonzero(trained)
    fits = Parallel(n_jobs=n_jobs)(
        delayed(_theme_fit)(model, X, Y[:, j], folds, min_positives) for j in columns)
    for j, (w, b, ab, threshold) in zip(columns, fits):
        coef[:, j], intercept[j], platt[j], thresholds[j] = w, b, ab, threshold
    return OneVsRestFit(coef=coef, intercept=intercept, platt=platt, thresholds=thresholds,
                        trained=trained)

"""Bootstrap confidence intervals (units resampled) and the reliability result object.

A named statistic is bootstrapped exactly and fast: every replicate is the statistic's closing
formula applied to (unit draw counts) x (per-unit features), one matrix product for all
replicates. Any other function is bootstrapped by calling it on each resampled array; both
paths draw the same units for the same seed.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from evalkit.errors import ReliabilityError
from evalkit.reliability.statistics import _parts


def _resample_indices(n_units: int, n_boot: int, seed: int) -> list[np.ndarray]:
    """Unit indices for each bootstrap replicate, drawn with replacement."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_units, size=n_units) for _ in range(n_boot)]


# Most resamples that may be undefined (no variation left) before no interval is given.
MAX_UNDEFINED_SHARE = 0.05


class BootstrapWarning(UserWarning):
    """Some bootstrap resamples gave no value (the statistic was undefined) and were left out."""


def _percentile_interval(estimates: np.ndarray, level: float) -> tuple[float, float, int]:
    """Percentile interval over the finite bootstrap estimates, and how many were undefined.

    The limits are NaN when more than ``MAX_UNDEFINED_SHARE`` of the resamples are undefined:
    the percentiles of the rest describe only resamples that happened to keep some variation
    (two units coded alike give "1 to 1" that way), not the statistic's uncertainty.
    """
    finite = estimates[np.isfinite(estimates)]
    undefined = int(estimates.size - finite.size)
    if finite.size == 0 or undefined > MAX_UNDEFINED_SHARE * estimates.size:
        return float("nan"), float("nan"), undefined
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), undefined


def undefined_note(undefined: int, n_boot: int) -> str:
    """Plain words on resamples left out of an interval, or ``""`` when none were.

    Parameters
    ----------
    undefined : int
        Resamples where the statistic was undefined.
    n_boot : int
        Resamples drawn.

    Returns
    -------
    str
    """
    if not undefined:
        return ""
    if undefined > MAX_UNDEFINED_SHARE * n_boot:
        return (f"No interval: in {undefined} of {n_boot} resamples the statistic was undefined "
                "(no variation left), too many for a trustworthy range; code more answers.")
    return (f"{undefined} of {n_boot} resamples had no variation left and were left out of the "
            "interval.")


def _warn_undefined(undefined: int, n_boot: int) -> None:
    """Warn with :class:`BootstrapWarning` when resamples were left out."""
    if undefined:
        warnings.warn(undefined_note(undefined, n_boot), BootstrapWarning, stacklevel=3)


def _check_boot(n_boot: int, level: float) -> None:
    """Reject bootstrap settings that cannot give an interval."""
    if int(n_boot) != n_boot or n_boot < 1:
        raise ReliabilityError(f"n_boot must be a positive whole number; got {n_boot!r}.")
    if not 0 < level < 1:
        raise ReliabilityError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}.")


def bootstrap_ci(statistic: str | Callable[[np.ndarray], float], data, n_boot: int = 2000,
                 seed: int = 0, level: float = 0.95, **options) -> tuple[float, float]:
    """Percentile bootstrap confidence interval, resampling units with replacement.

    Parameters
    ----------
    statistic : {"kappa", "alpha", "ac1", "agreement"} or callable
        A named statistic (fast: all replicates in one matrix product) or any function taking a
        coders x units array and returning a float.
    data : array-like or DataFrame, shape (coders, units)
        One row per coder, ``NaN`` where a coder did not code a unit.
    n_boot : int
        Number of bootstrap replicates.
    seed : int
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same interval, and a
        named statistic and its callable equivalent draw the same resamples.
    level : float
        Confidence level, e.g. 0.95.
    **options
        Passed to a named statistic: ``level`` for alpha is called ``measurement`` here to
        avoid the clash (``measurement="ordinal"``), plus ``weights`` and ``categories``.

    Returns
    -------
    (float, float)
        Lower and upper limits. Replicates where the statistic is undefined (e.g. no variation
        left) are left out and counted in a :class:`BootstrapWarning`; when more than 5% are
        undefined both limits are ``NaN`` (see :func:`reliability_summary` for the count as
        a field).
    """
    _check_boot(n_boot, level)
    if callable(statistic):
        values = np.asarray(data.to_numpy(dtype=object) if isinstance(data, pd.DataFrame) else data,
                            dtype=object)
        if values.ndim != 2:
            raise ReliabilityError(f"data must be 2-D (coders x units); got shape {values.shape}.")
        draws = _resample_indices(values.shape[1], int(n_boot), seed)
        estimates = np.array([statistic(values[:, idx]) for idx in draws], dtype=float)
    else:
        measurement = options.pop("measurement", "nominal")
        _, features, finish = _parts(statistic, data, level=measurement, **options)
        estimates = _bootstrap_estimates(features, finish, int(n_boot), seed)
    low, high, undefined = _percentile_interval(estimates, level)
    _warn_undefined(undefined, int(n_boot))
    return low, high


def _bootstrap_estimates(features: np.ndarray, finish, n_boot: int, seed: int) -> np.ndarray:
    """All replicate estimates: unit draw counts times per-unit features, then the formula."""
    counts = _draw_counts(features.shape[0], n_boot, seed)
    out = np.empty(n_boot)
    chunk = max(1, 4_000_000 // max(features.shape[0], 1))
    for start in range(0, n_boot, chunk):
        out[start:start + chunk] = finish(counts[start:start + chunk] @ features)
    return out


@lru_cache(maxsize=2)
def _draw_counts(n_units: int, n_boot: int, seed: int) -> np.ndarray:
    """Replicates x units matrix of how often each unit was drawn (cached, read-only)."""
    counts = np.empty((n_boot, n_units), dtype=np.float32)
    for i, idx in enumerate(_resample_indices(n_units, n_boot, seed)):
        counts[i] = np.bincount(idx, minlength=n_units)
    counts.flags.writeable = False
    return counts


@dataclass(frozen=True)
class ReliabilityResult:
    """One reliability statistic with its bootstrap interval.

    Attributes
    ----------
    statistic : str
        Which statistic: "kappa", "alpha", "ac1" or "agreement".
    estimate : float
        The point estimate on all units.
    ci_low, ci_high : float
        Percentile bootstrap interval limits (units resampled).
    ci_level : float
        Confidence level of the interval.
    n_units : int
        Units coded by at least two coders (the units that carry information).
    n_coders : int
        Number of coders (rows) in the data.
    n_boot : int
        Bootstrap replicates drawn.
    level : str
        Level of measurement (alpha) or weighting (kappa); "nominal" otherwise.
    n_undefined : int
        Resamples where the statistic was undefined (no variation left), left out of the
        interval; more than 5% of ``n_boot`` and the limits are NaN.
    """

    statistic: str
    estimate: float
    ci_low: float
    ci_high: float
    ci_level: float
    n_units: int
    n_coders: int
    n_boot: int
    level: str = "nominal"
    n_undefined: int = 0

    def summary_frame(self) -> pd.DataFrame:
        """One-row DataFrame with every field."""
        return pd.DataFrame([self.__dict__])

    def summary(self) -> str:
        """Plain-text one-line summary, e.g. for a report."""
        pct = f"{self.ci_level:.0%}"
        if np.isnan(self.estimate):
            head = (f"{_LABELS[self.statistic]} ({self.level}) is undefined: the codes show no "
                    "variation")
        elif np.isnan(self.ci_low):
            head = f"{_LABELS[self.statistic]} ({self.level}) = {self.estimate:.3f} (no {pct} CI)"
        else:
            head = (f"{_LABELS[self.statistic]} ({self.level}) = {self.estimate:.3f} "
                    f"({pct} CI {self.ci_low:.3f} to {self.ci_high:.3f})")
        note = undefined_note(self.n_undefined, self.n_boot)
        return (f"{head}; {self.n_units} units, {self.n_coders} coders, {self.n_boot} bootstrap "
                f"resamples" + (f". {note}" if note else ""))

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """HTML table for notebooks."""
        return self.summary_frame().to_html(index=False, float_format=lambda v: f"{v:.3f}")


_LABELS = {"kappa": "Cohen's kappa", "alpha": "Krippendorff's alpha", "ac1": "Gwet's AC1",
           "agreement": "Percent agreement"}


def reliability_summary(data, statistic: str = "alpha", level: str = "nominal",
                        n_boot: int = 2000, seed: int = 0, ci_level: float = 0.95,
                        categories: Sequence | None = None) -> ReliabilityResult:
    """A statistic, its bootstrap confidence interval and its counts, as one result object.

    Parameters
    ----------
    data : array-like or DataFrame, shape (coders, units)
        One row per coder, ``NaN`` where a coder did not code a unit.
    statistic : {"alpha", "kappa", "ac1", "agreement"}
        Which statistic.
    level : str
        For alpha the level of measurement ("nominal", "ordinal", "interval", "ratio"); for
        kappa the weighting ("nominal" for none, "linear", "quadratic"). Ignored otherwise.
    n_boot, seed, ci_level
        Bootstrap replicates, seed and confidence level (see :func:`bootstrap_ci`).
    categories : sequence, optional
        Every possible category (matters for AC1 and weighted kappa).

    Returns
    -------
    ReliabilityResult
    """
    _check_boot(n_boot, ci_level)
    options: dict = {"categories": categories}
    if statistic == "alpha":
        options["level"] = level
    elif statistic == "kappa":
        if level not in ("nominal", "linear", "quadratic"):
            raise ReliabilityError(f"For kappa, level must be 'nominal', 'linear' or 'quadratic'; got {level!r}.")
        options["weights"] = None if level == "nominal" else level
    else:
        level = "nominal"
    coded, features, finish = _parts(statistic, data, **options)
    estimate = float(finish(features.sum(axis=0, keepdims=True))[0])
    low, high, undefined = _percentile_interval(
        _bootstrap_estimates(features, finish, int(n_boot), seed), ci_level)
    n_units = int(((coded.codes >= 0).sum(axis=0) >= 2).sum())
    return ReliabilityResult(statistic=statistic, estimate=estimate, ci_low=low, ci_high=high,
                             ci_level=ci_level, n_units=n_units, n_coders=coded.n_coders,
                             n_boot=int(n_boot), level=level, n_undefined=undefined)

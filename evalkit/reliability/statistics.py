"""Agreement statistics for two or more coders: kappa, alpha, AC1 and percent agreement.

Every statistic is written as a sum over units followed by a closing formula. Each unit
contributes a fixed feature vector (its coincidences, its pair of codes, its share of each
category); the statistic is a function of the column sums. The point estimate uses every unit
once; a bootstrap replicate uses each unit as many times as it was drawn. That keeps the
bootstrap exact, fast (one matrix product for all replicates) and identical to the point
estimate on the full data.

Data are ``coders x units``: one row per coder, one column per unit (an answer, or an answer x
theme pair), ``NaN``/``None`` where a coder did not code that unit.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
Communication Departmental Papers 43. https://repository.upenn.edu/asc_papers/43
Cohen, J. (1960, 1968). A coefficient of agreement for nominal scales; Weighted kappa.
Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of high
agreement. British Journal of Mathematical and Statistical Psychology 61, 29-48.
Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from evalkit.errors import ReliabilityError

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None
_LEVELS = ("nominal", "ordinal", "interval", "ratio")
STATISTICS = ("kappa", "alpha", "ac1", "agreement")


@dataclass(frozen=True)
class _Coded:
    """Reliability data recoded to integer category indices (-1 = not coded)."""

    codes: np.ndarray
    categories: np.ndarray

    @property
    def n_coders(self) -> int:
        """Number of coders (rows)."""
        return self.codes.shape[0]

    @property
    def n_units(self) -> int:
        """Number of units (columns)."""
        return self.codes.shape[1]

    def counts(self) -> np.ndarray:
        """Units x categories matrix: how many coders put each unit in each category."""
        k = len(self.categories)
        out = np.zeros((self.n_units, k), dtype=float)
        coder_idx, unit_idx = np.nonzero(self.codes >= 0)
        np.add.at(out, (unit_idx, self.codes[coder_idx, unit_idx]), 1.0)
        return out


def _is_missing(values: np.ndarray) -> np.ndarray:
    """Element-wise True where a value means 'not coded' (None, NaN, pd.NA, empty text)."""
    missing = pd.isna(values)
    if values.dtype == object:
        missing |= np.array([isinstance(v, str) and v.strip() == "" for v in values.ravel()],
                            dtype=bool).reshape(values.shape)
    return missing


def _as_coded(data, categories: Sequence | None = None, numeric: bool = False) -> _Coded:
    """Validate coders x units data and recode it to category indices."""
    if isinstance(data, pd.DataFrame):
        values = data.to_numpy(dtype=object)
    else:
        try:
            values = np.asarray(data, dtype=object)
        except ValueError as exc:
            raise ReliabilityError(
                "Reliability data must be a rectangular table (coders x units); rows have "
                f"different lengths ({exc}). Pad short rows with NaN for units a coder did not code."
            ) from None
    if values.ndim == 1 and any(isinstance(v, (list, tuple, np.ndarray)) for v in values):
        raise ReliabilityError(
            "Reliability data must be a rectangular table (coders x units); rows have different "
            "lengths. Pad short rows with NaN for units a coder did not code."
        )
    if values.ndim != 2:
        raise ReliabilityError(
            f"Reliability data must be 2-D (one row per coder, one column per unit); got "
            f"{values.ndim} dimension(s) with shape {values.shape}."
        )
    if values.shape[0] < 2:
        raise ReliabilityError(
            f"Reliability needs at least 2 coders (rows); got {values.shape[0]}. If your table "
            "has one row per unit and one column per coder, transpose it (data.T)."
        )
    missing = _is_missing(values)
    present = values[~missing]
    if not (((~missing).sum(axis=0)) >= 2).any():
        raise ReliabilityError(
            f"No unit was coded by two or more coders (shape {values.shape}, "
            f"{int((~missing).sum())} codes in all), so agreement cannot be measured. Check "
            "that rows are coders and columns are units, and that missing codes are NaN only "
            "where a coder really skipped a unit."
        )
    if numeric:
        try:
            present = present.astype(float)
        except (TypeError, ValueError):
            bad = next(v for v in present if not _is_number(v))
            raise ReliabilityError(
                f"Interval and ratio levels need numeric codes; found {bad!r}. Use "
                "level='nominal' for labels, or recode the labels as numbers."
            ) from None
    if categories is None:
        cats = _sorted_unique(present)
    else:
        cats = np.asarray(list(categories), dtype=object)
        if len(set(cats.tolist())) != len(cats):
            raise ReliabilityError(f"categories has repeated values: {list(cats)!r}.")
        known = {_key(c) for c in cats}
        unknown = sorted({str(v) for v in present if _key(v) not in known})
        if unknown:
            raise ReliabilityError(
                f"Codes {unknown} are not among the categories {list(cats)!r}; add them to "
                "categories or correct the codes."
            )
    lookup = {_key(c): i for i, c in enumerate(cats)}
    codes = np.full(values.shape, -1, dtype=np.int64)
    rows, cols = np.nonzero(~missing)
    codes[rows, cols] = [lookup[_key(v)] for v in values[rows, cols]]
    return _Coded(codes=codes, categories=cats)


def _is_number(value) -> bool:
    """True if ``value`` converts to float."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _key(value):
    """Hashable lookup key that treats 1, 1.0, np.int64(1) and the text "1" as one category.

    Codes read from a spreadsheet or CSV often arrive as text in one column and numbers in
    another; text that reads as a finite number (surrounding spaces ignored) is that number.
    """
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return number if np.isfinite(number) else text
    return value


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Distinct codes in a stable order: numeric order for numbers, text order otherwise."""
    distinct = {}
    for v in values:
        distinct.setdefault(_key(v), v)
    keys = list(distinct)
    if all(isinstance(k, float) for k in keys):
        keys.sort()
    else:
        keys.sort(key=lambda k: (not isinstance(k, float), str(k)))
    return np.asarray([distinct[k] for k in keys], dtype=object)


# Each builder returns (features: units x F, finish: sums (B x F) -> B estimates).

def _alpha_parts(coded: _Coded, level: Level):
    """Per-unit coincidence contributions and the closing formula for Krippendorff's alpha."""
    n_uc = coded.counts()
    m_u = n_uc.sum(axis=1)
    pairable = m_u >= 2
    k = n_uc.shape[1]
    outer = n_uc[:, :, None] * n_uc[:, None, :]
    outer[:, np.arange(k), np.arange(k)] -= n_uc
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(pairable[:, None, None], outer / (m_u - 1)[:, None, None], 0.0)
    features = contrib.reshape(len(m_u), k * k)
    values = None if level in ("nominal", "ordinal") else coded.categories.astype(float)

    def finish(sums: np.ndarray) -> np.ndarray:
        o = sums.reshape(-1, k, k)
        n_c = o.sum(axis=2)
        n = n_c.sum(axis=1)
        delta = _delta(level, n_c, values, k)
        observed = (o * delta).sum(axis=(1, 2))
        expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = 1.0 - (n - 1.0) * observed / expected
        return np.where(expected > 0, alpha, np.nan)

    return features, finish


def _delta(level: Level, n_c: np.ndarray, values: np.ndarray | None, k: int) -> np.ndarray:
    """Squared difference function delta^2(c, k) of Krippendorff (2011), per replicate."""
    if level == "nominal":
        return (1.0 - np.eye(k))[None, :, :]
    if level == "ordinal":
        cum = np.cumsum(n_c, axis=1)
        between = cum[:, None, :] - cum[:, :, None] + (n_c[:, :, None] - n_c[:, None, :]) / 2.0
        return between**2
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return (diff**2)[None, :, :]
    total = values[:, None] + values[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total != 0, diff / total, 0.0)
    return (ratio**2)[None, :, :]


def _kappa_parts(coded: _Coded, weights: Weights):
    """Per-unit contingency cell (coder 1 x coder 2) and Cohen's closing formula."""
    if coded.n_coders != 2:
        raise ReliabilityError(
            f"Cohen's kappa compares exactly 2 coders; got {coded.n_coders}. Use "
            "krippendorff_alpha or gwet_ac1 for three or more coders."
        )
    k = len(coded.categories)
    a, b = coded.codes
    both = (a >= 0) & (b >= 0)
    features = np.zeros((coded.n_units, k * k))
    features[np.nonzero(both)[0], a[both] * k + b[both]] = 1.0
    idx = np.arange(k)
    if weights is None:
        w = 1.0 - np.eye(k)
    elif weights == "linear":
        w = np.abs(idx[:, None] - idx[None, :]).astype(float)
    elif weights == "quadratic":
        w = ((idx[:, None] - idx[None, :]) ** 2).astype(float)
    else:
        raise ReliabilityError(f"weights must be None, 'linear' or 'quadratic'; got {weights!r}.")

    def finish(sums: np.ndarray) -> np.ndarray:
        table = sums.reshape(-1, k, k)
        n = table.sum(axis=(1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = table.sum(axis=2)[:, :, None] * table.sum(axis=1)[:, None, :] / n[:, None, None]
            kappa = 1.0 - (table * w).sum(axis=(1, 2)) / (expected * w).sum(axis=(1, 2))
        return kappa

    return features, finish


def _pair_agreement(n_uc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of agreeing coder pairs in each unit, and which units have two or more codes."""
    r = n_uc.sum(axis=1)
    multi = r >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(multi, (n_uc * (n_uc - 1)).sum(axis=1) / (r * (r - 1)), 0.0)
    return share, multi.astype(float)


def _agreement_parts(coded: _Coded):
    """Per-unit pairwise agreement and the averaging formula."""
    share, multi = _pair_agreement(coded.counts())
    features = np.column_stack([share, multi])

    def finish(sums: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums[:, 0] / sums[:, 1]

    return features, finish


def _ac1_parts(coded: _Coded):
    """Per-unit agreement and category shares, and Gwet's AC1 closing formula."""
    n_uc = coded.counts()
    r = n_uc.sum(axis=1)
    share, multi = _pair_agreement(n_uc)
    with np.errstate(invalid="ignore", divide="ignore"):
        props = np.where((r > 0)[:, None], n_uc / r[:, None], 0.0)
    features = np.column_stack([share, multi, (r > 0).astype(float), props])
    q = len(coded.categories)

    def finish(sums: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            pa = sums[:, 0] / sums[:, 1]
            pi = sums[:, 3:] / sums[:, 2:3]
            pe = (pi * (1.0 - pi)).sum(axis=1) / (q - 1) if q >= 2 else np.zeros(len(pa))
            return (pa - pe) / (1.0 - pe)

    return features, finish


def _parts(statistic: str, data, level: Level = "nominal", weights: Weights = None,
           categories: Sequence | None = None):
    """Features and closing formula for a named statistic."""
    if statistic == "alpha":
        if level not in _LEVELS:
            raise ReliabilityError(f"level must be one of {_LEVELS}; got {level!r}.")
        coded = _as_coded(data, categories, numeric=level in ("interval", "ratio"))
        if level == "ratio" and (coded.categories.astype(float) < 0).any():
            raise ReliabilityError("The ratio level needs codes of zero or more; found negative codes.")
        return coded, *_alpha_parts(coded, level)
    coded = _as_coded(data, categories)
    if statistic == "kappa":
        return coded, *_kappa_parts(coded, weights)
    if statistic == "ac1":
        return coded, *_ac1_parts(coded)
    if statistic == "agreement":
        return coded, *_agreement_parts(coded)
    raise ReliabilityError(f"statistic must be one of {STATISTICS}; got {statistic!r}.")


def _estimate(statistic: str, data, **options) -> float:
    """Point estimate of a named statistic on all units."""
    _, features, finish = _parts(statistic, data, **options)
    return float(finish(features.sum(axis=0, keepdims=True))[0])


def cohens_kappa(a, b, weights: Weights = None, labels: Sequence | None = None) -> float:
    """Cohen's kappa between two coders, optionally weighted for ordered categories.

    Parameters
    ----------
    a, b : sequence
        The two coders' codes for the same units, in the same order. Units either coder left
        blank (``None``/``NaN``) are left out.
    weights : {None, "linear", "quadratic"}
        ``None`` counts every disagreement the same (Cohen 1960); ``"linear"`` and
        ``"quadratic"`` weight it by the distance between category positions (Cohen 1968), as
        :func:`sklearn.metrics.cohen_kappa_score` does.
    labels : sequence, optional
        All categories in order. Defaults to the sorted distinct codes of the units both
        coders coded (as :func:`sklearn.metrics.cohen_kappa_score` on those units): a code
        seen only where one coder left the unit blank would shift the weights of weighted
        kappa. Text that reads as a number is that number (``"1"`` and ``1`` are one code).

    Returns
    -------
    float
        Kappa; 1 is perfect agreement, 0 is what chance alone would give. ``NaN`` when chance
        agreement is already perfect (both coders used one category only).

    Examples
    --------
    >>> cohens_kappa(["yes", "yes", "no", "no"], ["yes", "no", "no", "no"])
    0.5
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a.ndim != 1 or a.shape != b.shape:
        raise ReliabilityError(
            f"cohens_kappa needs two 1-D sequences of the same length; got shapes {a.shape} and "
            f"{b.shape}. Each position must be the same unit for both coders."
        )
    pairs = np.vstack([a, b])
    if labels is None:
        both = ~_is_missing(pairs).any(axis=0)
        if both.any():
            pairs = pairs[:, both]
    return _estimate("kappa", pairs, weights=weights, categories=labels)


def krippendorff_alpha(data, level: Level = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing codes allowed.

    Computed through the coincidence matrix as in Krippendorff (2011), section E.

    Parameters
    ----------
    data : array-like or DataFrame, shape (coders, units)
        One row per coder, one column per unit; ``NaN``/``None`` where a coder did not code
        a unit. Units with fewer than two codes are not pairable and are ignored.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which sets the difference function.

    Returns
    -------
    float
        Alpha; 1 is perfect reliability, 0 is what chance alone would give. ``NaN`` when the
        pairable codes show no variation at all (every code the same), where alpha is undefined.

    Examples
    --------
    Krippendorff (2011), section A: two coders, ten units, binary codes.

    >>> round(krippendorff_alpha([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    ...                           [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]), 3)
    0.095
    """
    return _estimate("alpha", data, level=level)


def percent_agreement(data) -> float:
    """Share of agreeing coder pairs, averaged over units coded by two or more coders.

    For two coders this is the share of units both coded the same way. With more coders each
    unit scores the share of its coder pairs that agree (Gwet 2014, p_a).

    Parameters
    ----------
    data : array-like or DataFrame, shape (coders, units)
        One row per coder, ``NaN`` where a coder did not code a unit.

    Returns
    -------
    float
        Between 0 and 1.
    """
    return _estimate("agreement", data)


def gwet_ac1(data, categories: Sequence | None = None) -> float:
    """Gwet's first-order agreement coefficient (AC1) for two or more coders.

    Follows Gwet (2008, 2014) for raw ratings with missing values, as the irrCAC R package's
    ``gwet.ac1.raw`` does: p_a averages pairwise agreement over units with two or more codes;
    chance agreement is ``sum(pi_k * (1 - pi_k)) / (q - 1)`` over ``q`` categories.

    Parameters
    ----------
    data : array-like or DataFrame, shape (coders, units)
        One row per coder, ``NaN`` where a coder did not code a unit.
    categories : sequence, optional
        Every possible category. ``q`` counts these; by default only categories seen in the
        data, which raises AC1 when a possible category was never used.

    Returns
    -------
    float
        AC1; unlike kappa it stays stable when one category is very common.
    """
    return _estimate("ac1", data, categories=categories)

"""Checking effect sizes and sampling variances before they are meta-analysed."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evalkit.errors import MetaAnalysisError

METHODS = ("FE", "DL", "REML", "PM")


def validate_inputs(yi, vi, method: str = "REML", level: float = 0.95,
                    min_k: int = 2) -> tuple[np.ndarray, np.ndarray, str]:
    """Check and convert meta-analysis inputs.

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and their sampling variances, one per study.
    method : str, default "REML"
        Estimator name, case-insensitive; one of :data:`METHODS`.
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    min_k : int, default 2
        Fewest studies allowed.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray, str)
        ``yi`` and ``vi`` as float arrays and the method in upper case.

    Raises
    ------
    MetaAnalysisError
        With a message that names the offending studies and says how to fix them.
    """
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
        raise MetaAnalysisError(f"yi is missing or infinite for study {positions(bad_y)}; "
                                "remove those studies or supply their effect sizes.")
    bad_v = np.flatnonzero(~(np.isfinite(v) & (v > 0)))
    if bad_v.size:
        raise MetaAnalysisError(f"vi must be a positive, finite sampling variance; study "
                                f"{positions(bad_v)} has {', '.join(f'{v[i]:g}' for i in bad_v[:10])}. "
                                "Check that you passed variances (SE squared), not SDs or CIs.")
    if len(y) < min_k:
        raise MetaAnalysisError(f"Meta-analysis needs at least {min_k} studies; got {len(y)}.")
    return y, v, method.upper()


def positions(indices) -> str:
    """Return 1-based study numbers (the first ten) for error messages."""
    return ", ".join(str(i + 1) for i in indices[:10])




def check_labels(labels: Sequence, k: int, name: str) -> list:
    """Return ``labels`` as a list, raising :class:`MetaAnalysisError` unless it has ``k`` entries."""
    labels = list(labels)
    if len(labels) != k:
        raise MetaAnalysisError(f"{name} has {len(labels)} entries but there are {k} studies; "
                                "give one per study.")
    return labels

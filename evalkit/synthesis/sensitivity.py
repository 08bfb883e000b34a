"""Sensitivity analyses: leave-one-out and subgroups."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import MetaAnalysisError
from evalkit.synthesis.inputs import check_labels, positions, validate_inputs
from evalkit.synthesis.model import fit
from evalkit.synthesis.result import LeaveOneOutResult, SubgroupResult
from evalkit.synthesis.tau2 import q_statistic


def leave_one_out(yi, vi, labels: Sequence, method: str = "REML", knapp_hartung: bool = False,
                  level: float = 0.95) -> LeaveOneOutResult:
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
    LeaveOneOutResult
        Its ``summary_frame()`` (or ``.table``) has index ``omitted`` (the study left out) and
        columns ``estimate``, ``se``, ``z_or_t``, ``p_value``, ``ci_low``, ``ci_high``,
        ``pi_low``, ``pi_high``, ``q``, ``q_p``, ``tau2``, ``i2``, ``h2``.

    Raises
    ------
    MetaAnalysisError
        As :func:`random_effects`, or fewer than 3 studies, or labels of the wrong length.
    """
    y, v, method = validate_inputs(yi, vi, method, level, min_k=3)
    names = check_labels(labels, len(y), "labels")
    columns = ["estimate", "se", "z_or_t", "p_value", "ci_low", "ci_high", "pi_low", "pi_high",
               "q", "q_p", "tau2", "i2", "h2"]
    rows = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        res = fit(y[keep], v[keep], method, knapp_hartung, level)
        rows.append([getattr(res, c) for c in columns])
    table = pd.DataFrame(rows, columns=columns, index=pd.Index(names, name="omitted"))
    return LeaveOneOutResult(table=table, method=method, knapp_hartung=bool(knapp_hartung), level=level)


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
    y, v, method = validate_inputs(yi, vi, method, level)
    labels = check_labels(groups, len(y), "groups")
    missing = [i for i, g in enumerate(labels) if g is None or (isinstance(g, float) and np.isnan(g))]
    if missing:
        raise MetaAnalysisError(f"groups is missing for study {positions(np.array(missing))}; "
                                "give every study a subgroup.")
    order = list(dict.fromkeys(labels))
    if len(order) < 2:
        raise MetaAnalysisError("subgroup_analysis needs at least two different groups; "
                                f"all studies are in '{order[0]}'.")
    labels_arr = np.array(labels, dtype=object)
    results = {}
    for g in order:
        mask = labels_arr == g
        results[str(g)] = fit(y[mask], v[mask], method, knapp_hartung, level)
    est = np.array([r.estimate for r in results.values()])
    se = np.array([r.se for r in results.values()])
    q_between = q_statistic(est, se**2, 0.0)
    df = len(order) - 1
    return SubgroupResult(results=results, q_between=q_between, df=df,
                          p_value=float(stats.chi2.sf(q_between, df)), method=method)

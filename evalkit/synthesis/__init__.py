"""Fixed- and random-effects meta-analysis of one effect size per project.

:func:`random_effects` fits the intercept-only model of metafor's ``rma.uni`` and reproduces
its numbers (Viechtbauer 2010):

* ``method``: ``"FE"`` (inverse-variance fixed effect), ``"DL"`` (DerSimonian & Laird 1986),
  ``"REML"`` (restricted maximum likelihood: the global maximiser over tau^2 >= 0, found by
  scanning the profile on a grid and refining each local maximum; see
  :func:`~evalkit.synthesis.tau2.reml`) or ``"PM"`` (Paule & Mandel 1982: the tau^2 at which the generalised Q equals
  k - 1). Every tau^2 is truncated at 0.
* ``knapp_hartung=True`` is metafor's ``test="adhoc"``: the variance of the estimate is
  multiplied by the weighted residual variance truncated at 1, ``max(1, q)`` (Knapp &
  Hartung 2003; Jackson et al. 2017), and tests and intervals use a t distribution with
  k - 1 degrees of freedom. metafor's ``test="knha"`` does not truncate, so its interval can
  be narrower than the unadjusted one and has zero width when every effect is the same;
  when ``q >= 1`` (most data) both give the same numbers.
* I^2 and H^2 follow metafor: for random-effects models they come from tau^2 and the
  "typical" within-study variance, ``I^2 = tau^2 / (tau^2 + s^2)`` with
  ``s^2 = (k - 1) / (sum w - sum w^2 / sum w)``, ``w = 1 / v``; for ``"FE"`` they come from
  Q, ``I^2 = max(0, (Q - (k - 1)) / Q)``, ``H^2 = Q / (k - 1)``. (For DL both agree.)
* The prediction interval is metafor's ``predict()`` default:
  ``estimate +/- crit * sqrt(se^2 + tau^2)`` where ``crit`` is the same critical value as
  the confidence interval, i.e. the normal quantile unless ``knapp_hartung=True``, then the
  t quantile with k - 1 df. (It is not the Higgins-Thompson-Spiegelhalter t(k-2) interval.)

:func:`leave_one_out` and :func:`subgroup_analysis` re-use the same fit.

Modules: :mod:`~evalkit.synthesis.model` (fitting), :mod:`~evalkit.synthesis.tau2` (estimators),
:mod:`~evalkit.synthesis.result` (result objects and their display),
:mod:`~evalkit.synthesis.sensitivity` (leave-one-out, subgroups) and
:mod:`~evalkit.synthesis.inputs` (validation and the error type).
"""
from evalkit.errors import MetaAnalysisError
from evalkit.synthesis.inputs import METHODS
from evalkit.synthesis.model import random_effects
from evalkit.synthesis.result import LeaveOneOutResult, MetaResult, PairedEffectsResult, SubgroupResult
from evalkit.synthesis.sensitivity import leave_one_out, subgroup_analysis

__all__ = [
    "METHODS",
    "MetaAnalysisError",
    "LeaveOneOutResult",
    "MetaResult",
    "PairedEffectsResult",
    "SubgroupResult",
    "leave_one_out",
    "random_effects",
    "subgroup_analysis",
]

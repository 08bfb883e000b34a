"""Inter-coder reliability: agreement statistics, per-theme tables, machine vs people.

Public API
----------
Statistics on a coders x units array (``NaN`` = not coded): :func:`cohens_kappa`,
:func:`krippendorff_alpha`, :func:`percent_agreement`, :func:`gwet_ac1`, :func:`bootstrap_ci`,
:func:`reliability_summary` (a :class:`ReliabilityResult`).

Double-coded free text (long tables ``response_id, coder, theme_id``):
:func:`theme_reliability`, :func:`reading_guide`, :func:`disagreements`,
:func:`export_disagreements`, :func:`machine_vs_people`.
"""
from evalkit.reliability.machine import machine_vs_people, out_of_fold_codes
from evalkit.reliability.bootstrap import (BootstrapWarning, ReliabilityResult, bootstrap_ci,
                                           reliability_summary)
from evalkit.reliability.statistics import (
    ReliabilityError,
    cohens_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from evalkit.reliability.themes import (
    disagreements,
    export_disagreements,
    indicator_matrices,
    reading_guide,
    ThemeReliabilityResult,
    theme_reliability,
)

__all__ = [
    "BootstrapWarning",
    "ReliabilityError",
    "ReliabilityResult",
    "bootstrap_ci",
    "cohens_kappa",
    "disagreements",
    "export_disagreements",
    "gwet_ac1",
    "indicator_matrices",
    "krippendorff_alpha",
    "machine_vs_people",
    "out_of_fold_codes",
    "percent_agreement",
    "reading_guide",
    "reliability_summary",
    "ThemeReliabilityResult",
    "theme_reliability",
]

"""evalkit: an evidence synthesis and evaluation workbench for co-production.

One hop from ``import evalkit``: the subpackages, named after the job a researcher does, and the
functions and estimators most analyses start from.

==========================  ===================================================================
``evalkit.programme``       the programme config, loading and validating its files
``evalkit.coding``          coding by machine: codebooks, rules, codebook-guided coder, classifier
``evalkit.people``          coding by people: consensus, member checking
``evalkit.panel``           the JupyterLab coding panel (people coding answers one by one)
``evalkit.reliability``     inter-coder reliability, people and machine
``evalkit.compare``         comparing projects fairly
``evalkit.synthesis``       effect sizes, meta-analysis, forest plots
``evalkit.privacy``         small-number suppression, redaction, pseudonyms
``evalkit.exchange``        REFI-QDA projects (NVivo, ATLAS.ti, MAXQDA, QualCoder)
``evalkit.report``          the report pipeline and its pages
==========================  ===================================================================

Subpackages and names are imported on first use (so ``import evalkit`` stays quick), and
``dir(evalkit)`` lists them all for tab completion.
"""
from __future__ import annotations

import importlib

from evalkit.errors import ConfigError, DataValidationError, EvalkitError, Problem

__version__ = "0.1.0"

SUBPACKAGES = ("coding", "compare", "exchange", "panel", "people", "privacy", "programme", "reliability",
               "report", "synthesis")

_HEADLINE = {
    "load_programme": "evalkit.programme",
    "validate_programme": "evalkit.programme",
    "build_reports": "evalkit.report",
    "load_codebook": "evalkit.coding.codebook",
    "RuleCoder": "evalkit.coding.rules",
    "CodebookCoder": "evalkit.coding.guided",
    "ThemeClassifier": "evalkit.coding.classifier",
    "ThemeDiscovery": "evalkit.coding.discovery",
    "sentiment_scores": "evalkit.coding.sentiment",
    "theme_reliability": "evalkit.reliability.themes",
    "random_effects": "evalkit.synthesis",
    "suppress_table": "evalkit.privacy.suppression",
    "Redactor": "evalkit.privacy.redact",
}
"""Headline names and the module each lives in."""

__all__ = ["ConfigError", "DataValidationError", "EvalkitError", "Problem", "__version__", *SUBPACKAGES,
           *_HEADLINE]


def __getattr__(name: str):
    """Import a subpackage or headline name on first use."""
    if name in SUBPACKAGES:
        return importlib.import_module(f"evalkit.{name}")
    if name in _HEADLINE:
        return getattr(importlib.import_module(_HEADLINE[name]), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, imported or not, so tab completion finds them."""
    return sorted(set(globals()) | set(__all__))

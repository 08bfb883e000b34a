"""Reports: papermill pipeline, accessible rendering, provenance.

The pipeline (papermill, nbformat) is imported only when used, so report notebooks that import
``evalkit.report.data`` or ``evalkit.report.sections`` start quickly.
"""
from __future__ import annotations

import importlib

_LAZY = {"BuildResult": "evalkit.report.pipeline", "build_reports": "evalkit.report.pipeline",
         "check_reports": "evalkit.report.pipeline"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    """Import the pipeline on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evalkit.report' has no attribute {name!r}")

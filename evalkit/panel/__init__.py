"""The JupyterLab coding panel: code free-text answers against a codebook, one at a time.

``store`` keeps each coder's clicks in their own crash-safe journal, ``queue`` decides which
answer comes next, ``themes`` adapts a codebook for display and ``widget`` is the ipywidgets UI.
"""
from evalkit.panel.queue import Answer, Filters
from evalkit.panel.store import AnswerCodes, CoderStore, StoreError, coder_slug

__all__ = ["Answer", "AnswerCodes", "CoderStore", "Filters", "StoreError", "coder_slug"]

"""The JupyterLab coding panel: code free-text answers against a codebook, one at a time.

``store`` keeps each coder's clicks in their own crash-safe journal, ``queue`` decides which
answer comes next, ``themes`` adapts a codebook for display, ``answers`` builds the answers
table from a programme and ``widget`` is the ipywidgets UI.
"""
from evalkit.panel.answers import answers_from_programme
from evalkit.panel.queue import Answer, Filters
from evalkit.panel.store import AnswerCodes, CoderStore, StoreError, coder_slug
from evalkit.panel.widget import CodingPanel

__all__ = ["Answer", "AnswerCodes", "CoderStore", "CodingPanel", "Filters", "StoreError",
           "answers_from_programme", "coder_slug"]

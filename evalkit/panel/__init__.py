"""The JupyterLab coding panel: code free-text answers against a codebook, one at a time.

``store`` keeps each coder's clicks (and the themes they add) in their own crash-safe journal,
``queue`` decides which answer comes next, ``themes`` adapts a codebook for display,
``answers`` builds the answers table from a programme, ``widget`` is the ipywidgets UI and
``notebook`` opens it from ``notebooks/coding_panel.ipynb``'s settings.
"""
from evalkit.panel.answers import answers_from_programme
from evalkit.panel.notebook import open_panel
from evalkit.panel.queue import Answer, Filters
from evalkit.errors import StoreError
from evalkit.panel.store import AddedTheme, AnswerCodes, CoderStore, coder_slug
from evalkit.panel.themes import NONE_OF_THESE
from evalkit.panel.widget import CodingPanel

__all__ = ["AddedTheme", "Answer", "AnswerCodes", "CoderStore", "CodingPanel", "Filters", "NONE_OF_THESE",
           "StoreError", "answers_from_programme", "coder_slug", "open_panel"]

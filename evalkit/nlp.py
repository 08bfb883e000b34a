"""NLTK, provisioned offline from installed packages.

NLTK's downloader cannot reach its servers here, so evalkit builds a small ``nltk_data``
folder from files that pip already installed and puts it on ``nltk.data.path``:

* ``sentiment/vader_lexicon.zip``: the VADER lexicon shipped in the ``vaderSentiment`` wheel;
* ``corpora/stopwords/english``: scikit-learn's English stop-word list.

Tokenising and stemming use NLTK classes that need no data files (Punkt with default
parameters for sentences, the Treebank tokenizer for words, the Snowball stemmer).
"""
from __future__ import annotations

import functools
import os
import zipfile
from pathlib import Path

import nltk
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import PunktSentenceTokenizer, TreebankWordTokenizer

from evalkit.files import atomic_path

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def nltk_data_dir() -> Path:
    """Return the folder evalkit provisions NLTK data into (``$EVALKIT_NLTK_DATA`` overrides)."""
    env = os.environ.get("EVALKIT_NLTK_DATA")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "evalkit" / "nltk_data"


def _vader_lexicon_source() -> Path:
    """Path of ``vader_lexicon.txt`` inside the installed vaderSentiment package."""
    import vaderSentiment

    return Path(vaderSentiment.__file__).resolve().parent / "vader_lexicon.txt"


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file so a concurrent reader never sees half a file."""
    with atomic_path(path) as tmp:
        write(tmp)


def _provision_vader(root: Path) -> None:
    target = root / "sentiment" / "vader_lexicon.zip"
    if target.exists():
        return
    lexicon = _vader_lexicon_source().read_bytes()

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("vader_lexicon/vader_lexicon.txt", _FIXED_ZIP_TIME), lexicon)

    _write_atomically(target, write)


def _provision_stopwords(root: Path) -> None:
    target = root / "corpora" / "stopwords" / "english"
    if target.exists():
        return
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = "\n".join(sorted(ENGLISH_STOP_WORDS)) + "\n"
    _write_atomically(target, lambda tmp: tmp.write_text(words, encoding="utf-8"))


@functools.cache
def ensure_nltk_data() -> Path:
    """Provision NLTK's data offline (idempotent) and return the folder on ``nltk.data.path``.

    Returns
    -------
    pathlib.Path
        The ``nltk_data`` folder that now holds the VADER lexicon and English stop words.
    """
    root = nltk_data_dir()
    _provision_vader(root)
    _provision_stopwords(root)
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return root


@functools.cache
def _sentence_splitter() -> PunktSentenceTokenizer:
    return PunktSentenceTokenizer()


@functools.cache
def _word_splitter() -> TreebankWordTokenizer:
    return TreebankWordTokenizer()


def sent_tokenize(text: str) -> list[str]:
    """Split text into sentences (NLTK Punkt, default parameters: no data files needed)."""
    return _sentence_splitter().tokenize(text)


def word_tokenize(text: str) -> list[str]:
    """Split text into word tokens, sentence by sentence (NLTK Treebank tokenizer)."""
    splitter = _word_splitter()
    return [tok for sent in sent_tokenize(text) for tok in splitter.tokenize(sent)]


@functools.cache
def stemmer() -> SnowballStemmer:
    """The English Snowball stemmer shared by every coder."""
    return SnowballStemmer("english")


def stopwords() -> frozenset[str]:
    """English stop words, read through NLTK's corpus reader from the provisioned folder."""
    ensure_nltk_data()
    from nltk.corpus import stopwords as corpus

    return frozenset(corpus.words("english"))


def vader():
    """Return NLTK's VADER ``SentimentIntensityAnalyzer`` with the offline lexicon."""
    ensure_nltk_data()
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()

"""Sentiment of free-text answers with VADER (Hutto & Gilbert, 2014), via :func:`evalkit.nlp.vader`.

Scores come from NLTK's port of VADER with the offline lexicon. Emoji are first replaced by
their text descriptions from the ``vaderSentiment`` package's emoji lexicon, as the reference
implementation does (NLTK's port skips that step), so "😁" counts as "beaming face with smiling
eyes". Labels use VADER's standard thresholds: compound >= 0.05 positive, <= -0.05 negative,
otherwise neutral. Identical texts are scored once.

VADER's lexicon is English: answers in Welsh or other languages mostly score 0 (neutral),
which says nothing about their tone; report them separately rather than as neutral.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import nlp
from evalkit.coding.rules import expand_to_rows
from evalkit.errors import InputMismatchError

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
SCORE_COLUMNS = ["compound", "pos", "neu", "neg", "label"]


@functools.cache
def _analyzer():
    """The shared NLTK VADER analyser."""
    return nlp.vader()


@functools.cache
def _emoji_descriptions() -> dict[str, str]:
    """Emoji -> description, from the vaderSentiment wheel's ``emoji_utf8_lexicon.txt``."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).resolve().parent / "emoji_utf8_lexicon.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        out[emoji] = description
    return out


def describe_emoji(text: str) -> str:
    """Replace each emoji by its description, spaced as vaderSentiment 3.3.2 does.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Text with emoji spelled out and outer whitespace stripped.
    """
    emojis = _emoji_descriptions()
    if not any(ch in emojis for ch in text):
        return text.strip()
    out, prev_space = [], True
    for ch in text:
        if ch in emojis:
            if not prev_space:
                out.append(" ")
            out.append(emojis[ch])
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out).strip()


def label(compound: float) -> str:
    """Return ``"positive"``, ``"negative"`` or ``"neutral"`` for a compound score (±0.05)."""
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


@functools.lru_cache(maxsize=100_000)
def _score(text: str) -> tuple[float, float, float, float]:
    """VADER (compound, pos, neu, neg) of one text, memoised."""
    scores = _analyzer().polarity_scores(describe_emoji(text))
    return scores["compound"], scores["pos"], scores["neu"], scores["neg"]


def _clean(text) -> str:
    """Missing values become empty strings."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return ""
    return str(text)


def _score_frame(texts: list[str]) -> pd.DataFrame:
    """Score distinct texts into the standard columns."""
    values = np.array([_score(t) for t in texts], dtype=np.float64).reshape(len(texts), 4)
    frame = pd.DataFrame(values, columns=["compound", "pos", "neu", "neg"])
    frame["label"] = np.where(values[:, 0] >= POSITIVE_THRESHOLD, "positive",
                              np.where(values[:, 0] <= NEGATIVE_THRESHOLD, "negative", "neutral"))
    return frame


def sentiment_scores(texts, response_ids=None) -> pd.DataFrame:
    """Score each answer's sentiment with VADER.

    Parameters
    ----------
    texts : sequence of str
        Answers; missing values score as empty text (compound 0, neutral).
    response_ids : sequence, optional
        One id per answer (default 0, 1, 2, ...).

    Returns
    -------
    pandas.DataFrame
        One row per answer: ``response_id, compound, pos, neu, neg, label``.

    Examples
    --------
    >>> sentiment_scores(["The staff were lovely."])[["compound", "label"]]
       compound     label
    0    0.5859  positive
    """
    cleaned = [_clean(t) for t in texts]
    ids = np.arange(len(cleaned)) if response_ids is None else np.asarray(response_ids, dtype=object)
    if len(ids) != len(cleaned):
        raise InputMismatchError(f"got {len(ids)} response ids for {len(cleaned)} texts")
    codes, uniques = pd.factorize(pd.Series(cleaned, dtype=object), sort=False)
    per_text = _score_frame([str(u) for u in uniques])
    out = per_text.iloc[codes].reset_index(drop=True) if len(cleaned) else per_text
    out.insert(0, "response_id", ids)
    return out


def sentence_sentiment(texts, response_ids=None) -> pd.DataFrame:
    """Score every sentence of every answer with VADER.

    Parameters
    ----------
    texts : sequence of str
        Answers, split into sentences with :func:`evalkit.nlp.sent_tokenize`.
    response_ids : sequence, optional
        One id per answer (default 0, 1, 2, ...).

    Returns
    -------
    pandas.DataFrame
        One row per sentence: ``response_id, sentence_index`` (0-based within the answer),
        ``sentence, compound, pos, neu, neg, label``. Empty answers have no rows.
    """
    cleaned = [_clean(t) for t in texts]
    ids = np.arange(len(cleaned)) if response_ids is None else np.asarray(response_ids, dtype=object)
    if len(ids) != len(cleaned):
        raise InputMismatchError(f"got {len(ids)} response ids for {len(cleaned)} texts")
    rows, index, sentences = [], [], []
    for rid, text in zip(ids, cleaned):
        for i, sentence in enumerate(nlp.sent_tokenize(text) if text.strip() else []):
            rows.append(rid)
            index.append(i)
            sentences.append(sentence)
    scores = _score_frame(sentences)
    scores.insert(0, "sentence", pd.Series(sentences, dtype=object))
    scores.insert(0, "sentence_index", np.asarray(index, dtype=np.int64))
    scores.insert(0, "response_id", pd.Series(rows, dtype=object))
    return scores


class SentimentCoder:
    """Sentiment as a coder: one ``source="sentiment"`` row per answer in the tidy table.

    ``theme_id`` is the label (``positive``/``neutral``/``negative``), ``score`` the compound
    score, ``evidence`` the positive/neutral/negative proportions as ``pos=..;neu=..;neg=..``.
    """

    def code(self, texts, response_ids=None) -> pd.DataFrame:
        """Return the tidy sentiment rows for ``texts``.

        Parameters
        ----------
        texts : sequence of str
        response_ids : sequence, optional

        Returns
        -------
        pandas.DataFrame
            Columns ``response_id, theme_id, source, score, evidence``; empty answers get
            no row.
        """
        cleaned = [_clean(t) for t in texts]
        ids = np.arange(len(cleaned)) if response_ids is None else np.asarray(response_ids, dtype=object)
        codes, uniques = pd.factorize(pd.Series(cleaned, dtype=object), sort=False)
        per_doc = self.code_docs([str(u) for u in uniques])
        return expand_to_rows(per_doc, np.asarray(codes, dtype=np.int64), ids, source="sentiment")

    def score_docs(self, docs: list[str]) -> pd.DataFrame:
        """Score distinct texts; returns ``compound, pos, neu, neg, label`` per text, in order.

        Missing values score as empty text (compound 0, neutral).
        """
        return _score_frame([_clean(d) for d in docs])

    def code_docs(self, docs: list[str]) -> pd.DataFrame:
        """Score distinct texts; returns ``doc, theme_id, score, evidence`` (blank texts skipped)."""
        frame = _score_frame(docs)
        frame["doc"] = np.arange(len(docs), dtype=np.int64)
        frame["theme_id"] = frame["label"]
        frame["score"] = frame["compound"]
        frame["evidence"] = ("pos=" + frame["pos"].map("{:.3f}".format) + ";neu="
                             + frame["neu"].map("{:.3f}".format) + ";neg=" + frame["neg"].map("{:.3f}".format))
        keep = np.array([bool(d.strip()) for d in docs], dtype=bool)
        return frame.loc[keep, ["doc", "theme_id", "score", "evidence"]].reset_index(drop=True)

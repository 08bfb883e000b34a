"""``CodebookCoder``: code answers from the codebook alone, then learn from people's codes.

A new evaluation has no coded answers, so a trained classifier has nothing to learn from. The
codebook already says what each theme means: its name, definition, "use when" guidance and
example quotes. This coder compares every answer, and every sentence of it, with those texts
through the all-MiniLM-L6-v2 sentence embeddings (:mod:`evalkit.coding.embeddings`), adds the
keyword rules' evidence, and explains each code by the nearest example and the trigger words.

How a theme's score is built, for one answer:

1. *Codebook similarity*: the highest cosine similarity between any of the answer's units (the
   whole answer and each sentence) and any of the theme's codebook texts ("name. definition",
   each line of "use when", each example quote).
2. It is standardised per theme against the evaluation's answers (``fit(background=...)``, no
   labels needed): some definitions resemble every answer a little, and a z-score puts themes
   on one scale. A theme whose keyword rule matched (not negated) gains ``rule_weight``.
3. *People's codes*: answers people have coded (``fit(texts, y)`` or :meth:`add_examples`)
   train a ridge regression from embeddings to themes (closed form, milliseconds: no
   retraining of anything else). Its scores are standardised the same way and blended in,
   theme by theme, with weight ``m / (m + prior_examples)`` for the theme's ``m`` coded
   examples, so themes nobody has coded yet keep the codebook's score.
4. Decisions: single-label, the best theme; multi-label, every theme above a cut-off (and at
   least the best one). Without coded answers the cut-off gives the background answers
   ``themes_per_answer`` themes on average; with ``min_examples_to_tune`` or more it is the
   one that maximises macro-F1 on the coded answers, out of fold.

Defaults (``rule_weight``, ``prior_examples``, ``ridge_alpha``, sentences on) were chosen on a
split of the pxtextmining phase-1 *training* rows only; see ``benchmarks.learning_curve``
for the figures on the test rows and on v6.
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from evalkit.coding._classifier_input import check_labels, check_texts
from evalkit.coding.codebook import load_codebook
from evalkit.errors import InputMismatchError

__all__ = ["CodebookCoder", "theme_texts"]

GUIDED_SOURCE = "codebook"
BLEND_PRIOR = 10.0
"""Coded examples of a theme at which :func:`blend` weighs the classifier and the codebook alike."""


def theme_texts(theme) -> list[tuple[str, str]]:
    """The texts a theme is recognised by: (kind, text) for its description, guidance and examples.

    Parameters
    ----------
    theme : evalkit.coding.codebook.Theme

    Returns
    -------
    list of (str, str)
        ``("definition", "Name. Definition")``, one ``("use_when", ...)`` per line of the
        guidance (a list of cases, one per line, is compared case by case) and one
        ``("example", quote)`` per example quote; empty fields are left out.
    """
    head = theme.name.strip()
    if theme.definition.strip():
        head = f"{head}. {theme.definition.strip()}"
    out = [("definition", head)]
    for line in theme.use_when.splitlines():
        if line.strip():
            out.append(("use_when", line.strip()))
    out.extend(("example", e.strip()) for e in theme.examples if e.strip())
    return out


def _units(texts: list[str], sentences: bool) -> tuple[list[str], np.ndarray]:
    """Each answer and (when ``sentences``) each of its sentences, with the answer each came from."""
    from evalkit import nlp

    units, owner = [], []
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        units.append(text)
        owner.append(i)
        if sentences:
            parts = [s for s in nlp.sent_tokenize(text) if s.strip() and s.strip() != text.strip()]
            if len(parts) > 1:
                units.extend(parts)
                owner.extend([i] * len(parts))
    return units, np.asarray(owner, dtype=np.int64)


def _ridge(X: np.ndarray, Y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Multi-output ridge regression with an intercept, solved in closed form."""
    mean_x, mean_y = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - mean_x
    gram = Xc.T @ Xc + alpha * np.eye(X.shape[1])
    W = np.linalg.solve(gram, Xc.T @ (Y - mean_y))
    return W, mean_y - mean_x @ W


def _max_by_owner(values: np.ndarray, owner: np.ndarray, n: int, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise maximum of ``values`` grouped by ``owner`` (and which row gave it)."""
    out = np.full((n, values.shape[1]), fill, dtype=np.float64)
    arg = np.full((n, values.shape[1]), -1, dtype=np.int64)
    for row in range(values.shape[0]):
        o = owner[row]
        better = values[row] > out[o]
        out[o, better] = values[row, better]
        arg[o, better] = row
    return out, arg


class CodebookCoder(ClassifierMixin, BaseEstimator):
    """Code answers into a codebook's themes from its definitions and examples, no training needed.

    Parameters
    ----------
    codebook : str, path or Codebook, default="default"
        The codebook; its leaf themes are coded.
    multilabel : bool, default=True
        True: each answer gets every theme above the cut-off (at least its best one);
        False: exactly its best theme.
    threshold : float or "auto", default="auto"
        Cut-off in standard deviations above the theme's mean score, used while fewer than
        ``min_examples_to_tune`` answers are coded. "auto" picks the cut-off at which the
        background answers get ``themes_per_answer`` themes on average.
    themes_per_answer : float, default=1.5
        For ``threshold="auto"``: how many themes a typical answer carries (short feedback
        answers mostly raise one or two things).
    sentences : bool, default=True
        Also compare each sentence of a multi-sentence answer (themes often sit in one sentence).
    rules : bool, default=True
        Use the codebook's keyword patterns as evidence (and name the trigger words).
    rule_weight : float, default=1.0
        Standard deviations added to a theme whose keyword rule matched, not negated.
    ridge_alpha : float, default=1.0
        Regularisation of the ridge regression from embeddings to people's codes.
    prior_examples : float, default=10
        Coded examples of a theme at which people's codes weigh as much as the codebook's words
        for that theme (themes nobody has coded yet keep the codebook's score).
    min_examples_to_tune : int, default=50
        Coded answers needed before the cut-off is chosen by leave-one-out on them.
    batch_size : int, default=64
        Passed to the sentence embedder.

    Attributes
    ----------
    classes_ : ndarray of str
        The coded theme ids (the codebook's leaves, in codebook order).
    theme_names_ : dict
        Theme id -> name.
    n_examples_ : ndarray of int
        Coded answers per theme added so far.
    threshold_ : float
        The cut-off in use.

    Examples
    --------
    With a two-theme codebook, fitted on the evaluation's own answers (no labels):

    >>> from evalkit.coding.codebook import codebook_from_dict
    >>> codebook = codebook_from_dict({"themes": [
    ...     {"id": "travel", "name": "Travel", "definition": "Getting to the sessions: buses, trains, taxis.",
    ...      "patterns": ["bus", "train"]},
    ...     {"id": "staff", "name": "Staff", "definition": "How staff treated people.", "patterns": ["staff"]}]})
    >>> coder = CodebookCoder(codebook).fit(["The bus was late.", "Kind staff.", "The train was cancelled."])
    >>> coder.code(["The bus was late."])[["response_id", "theme_id", "source"]]
       response_id theme_id    source
    0            0   travel  codebook

    ``coder.add_examples(coded_answers, coded_themes)`` then learns from answers people coded.
    """

    _parameter_constraints: dict = {
        "codebook": "no_validation",
        "multilabel": ["boolean"],
        "threshold": [Interval(Real, None, None, closed="neither"), StrOptions({"auto"})],
        "themes_per_answer": [Interval(Real, 1, None, closed="left")],
        "sentences": ["boolean"],
        "rules": ["boolean"],
        "rule_weight": [Interval(Real, 0, None, closed="left")],
        "ridge_alpha": [Interval(Real, 0, None, closed="neither")],
        "prior_examples": [Interval(Real, 0, None, closed="neither")],
        "min_examples_to_tune": [Interval(Integral, 2, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, codebook="default", *, multilabel=True, threshold="auto", themes_per_answer=1.5,
                 sentences=True,
                 rules=True, rule_weight=1.0, ridge_alpha=1.0, prior_examples=10.0, min_examples_to_tune=50,
                 batch_size=64):
        self.codebook = codebook
        self.multilabel = multilabel
        self.threshold = threshold
        self.themes_per_answer = themes_per_answer
        self.sentences = sentences
        self.rules = rules
        self.rule_weight = rule_weight
        self.ridge_alpha = ridge_alpha
        self.prior_examples = prior_examples
        self.min_examples_to_tune = min_examples_to_tune
        self.batch_size = batch_size

    def __sklearn_tags__(self):
        """Declare text input and multi-label output."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        tags.classifier_tags.multi_label = True
        return tags

    # ----------------------------------------------------------------- fitting
    def fit(self, texts=None, y=None, background=None):
        """Embed the codebook; learn each theme's score scale; add coded answers.

        Parameters
        ----------
        texts : sequence of str, optional
            Answers of the evaluation. Without ``y`` they are only used to learn the spread of
            each theme's scores (no labels needed); with ``y`` they are coded examples too.
        y : array-like, optional
            Codes for ``texts`` (a 0/1 table with one column per theme id or name, or one theme
            id or name per answer); they become extra examples (see :meth:`add_examples`).
        background : sequence of str, optional
            Uncoded answers used for the score spread instead of ``texts`` (for example every
            answer of the programme when ``texts`` are the few coded so far). Without either,
            the codebook's own texts serve.

        Returns
        -------
        CodebookCoder
        """
        from evalkit.coding.embeddings import SentenceEmbedder

        self._validate_params()
        cb = load_codebook(self.codebook)
        self.codebook_ = cb
        leaves = cb.leaves()
        self.classes_ = np.asarray(leaves, dtype=object)
        self.theme_names_ = {t: cb[t].name for t in leaves}
        self.embedder_ = SentenceEmbedder(batch_size=self.batch_size).fit()
        proto_text, proto_theme, proto_kind = [], [], []
        for j, tid in enumerate(leaves):
            for kind, text in theme_texts(cb[tid]):
                proto_text.append(text)
                proto_theme.append(j)
                proto_kind.append(kind)
        self.proto_text_ = np.asarray(proto_text, dtype=object)
        self.proto_theme_ = np.asarray(proto_theme, dtype=np.int64)
        self.proto_kind_ = np.asarray(proto_kind, dtype=object)
        self.proto_vectors_ = self.embedder_.embed(list(proto_text))
        if self.rules:
            from evalkit.coding.rules import RuleCoder

            self.rule_coder_ = RuleCoder(cb) if any(cb[t].patterns for t in leaves) else None
        else:
            self.rule_coder_ = None
        self.example_text_ = np.zeros(0, dtype=object)
        self.example_vectors_ = np.zeros((0, self.proto_vectors_.shape[1]), dtype=np.float32)
        self.example_themes_ = np.zeros((0, len(leaves)), dtype=np.int8)
        self.n_examples_ = np.zeros(len(leaves), dtype=np.int64)
        source = background if background is not None else texts
        docs, _ = check_texts(source) if source is not None else (list(proto_text), None)
        background = [d for d in dict.fromkeys(docs) if d.strip()] or list(proto_text)
        sim, _ = self._codebook_similarity(background)
        self.cb_mean_ = sim.mean(axis=0)
        self.cb_scale_ = np.maximum(sim.std(axis=0), 1e-3)
        self._background = background
        self.ex_mean_ = np.zeros(len(leaves))
        self.ex_scale_ = np.ones(len(leaves))
        self.default_threshold_ = self._auto_threshold(background)
        self.threshold_ = self.default_threshold_
        self.tuned_ = False
        if y is not None:
            self.add_examples(texts, y)
        return self

    def _auto_threshold(self, background: list[str]) -> float:
        """The fixed ``threshold``, or the cut-off giving ``themes_per_answer`` on the background."""
        if self.threshold != "auto":
            return float(self.threshold)
        z = self._scores(background)[0]
        best, gap = 1.5, np.inf
        for cut in np.arange(0.0, 6.01, 0.1):
            mean = self._decide(z, cut).sum(axis=1).mean()
            if abs(mean - self.themes_per_answer) < gap:
                best, gap = float(cut), abs(mean - self.themes_per_answer)
        return round(best, 2)

    def _indicator(self, texts, y) -> tuple[list[str], np.ndarray]:
        """Coded answers as texts and a 0/1 matrix over ``classes_``."""
        docs, _ = check_texts(texts)
        labels, multilabel, theme_ids, _ = check_labels(y, len(docs))
        index = {t: j for j, t in enumerate(self.classes_)}
        for j, tid in enumerate(self.classes_):
            index.setdefault(self.theme_names_[tid], j)
            index.setdefault(self.theme_names_[tid].strip().lower(), j)
        Y = np.zeros((len(docs), len(self.classes_)), dtype=np.int8)
        if multilabel:
            for col, tid in enumerate(theme_ids):
                j = index.get(str(tid), index.get(str(tid).strip().lower()))
                if j is not None:
                    Y[:, j] = labels[:, col]
        else:
            for i, label in enumerate(labels):
                j = index.get(str(label), index.get(str(label).strip().lower()))
                if j is not None:
                    Y[i, j] = 1
        return docs, Y

    def add_examples(self, texts, y):
        """Add answers people have coded as examples of their themes (no refitting).

        Parameters
        ----------
        texts : sequence of str
            Coded answers.
        y : array-like or DataFrame
            A 0/1 table whose columns are theme ids, or one theme id per answer. Themes not in
            the codebook are ignored; an answer with no theme is a negative example for all.

        Returns
        -------
        CodebookCoder
        """
        check_is_fitted(self, "proto_vectors_")
        docs, Y = self._indicator(texts, y)
        keep = np.array([bool(d.strip()) for d in docs])
        docs = [d for d, k in zip(docs, keep) if k]
        Y = Y[keep]
        if not docs:
            return self
        self.example_text_ = np.concatenate([self.example_text_, np.asarray(docs, dtype=object)])
        self.example_vectors_ = np.vstack([self.example_vectors_, self.embedder_.embed(docs)])
        self.example_themes_ = np.vstack([self.example_themes_, Y])
        self.n_examples_ = self.example_themes_.sum(axis=0).astype(np.int64)
        self._fit_examples()
        sim = self._example_similarity(self.embedder_.embed(self._background))
        self.ex_mean_ = sim.mean(axis=0)
        self.ex_scale_ = np.maximum(sim.std(axis=0), 1e-3)
        self._tune_threshold()
        return self

    partial_fit = add_examples

    # ----------------------------------------------------------------- scoring
    def _codebook_similarity(self, docs: list[str]):
        """Per answer and theme: best cosine between its units and the theme's codebook texts."""
        units, owner = _units(docs, self.sentences)
        n_themes = len(self.classes_)
        if not units:
            return np.zeros((len(docs), n_themes)), np.full((len(docs), n_themes), -1)
        vectors = self.embedder_.embed(units)
        sims = vectors @ self.proto_vectors_.T
        per_theme = np.full((len(units), n_themes), -1.0, dtype=np.float32)
        best_proto = np.zeros((len(units), n_themes), dtype=np.int64)
        for j in range(n_themes):
            cols = np.flatnonzero(self.proto_theme_ == j)
            block = sims[:, cols]
            arg = block.argmax(axis=1)
            per_theme[:, j] = block[np.arange(len(units)), arg]
            best_proto[:, j] = cols[arg]
        best, unit_row = _max_by_owner(per_theme, owner, len(docs), fill=0.0)
        proto = np.where(unit_row >= 0, best_proto[np.maximum(unit_row, 0), np.arange(n_themes)], -1)
        return best, proto

    def _fit_examples(self) -> None:
        """Ridge regression from embeddings to the coded themes (closed form, milliseconds)."""
        X = self.example_vectors_.astype(np.float64)
        Y = self.example_themes_.astype(np.float64)
        # Each theme's positives and negatives weigh the same in total (rare themes count).
        pos = Y.sum(axis=0)
        self.ridge_ = _ridge(X, Y, float(self.ridge_alpha))
        self.ridge_trained_ = (pos > 0) & (pos < len(Y))

    def _example_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Per answer and theme: the ridge model's score from people's coded answers."""
        if not len(self.example_vectors_):
            return np.zeros((vectors.shape[0], len(self.classes_)))
        out = vectors.astype(np.float64) @ self.ridge_[0] + self.ridge_[1]
        out[:, ~self.ridge_trained_] = 0.0
        return out

    def _rule_bonus(self, docs: list[str]) -> tuple[np.ndarray, dict]:
        """``rule_weight`` where a theme's keyword rule matched (not negated); evidence words."""
        bonus = np.zeros((len(docs), len(self.classes_)))
        words: dict[tuple[int, int], str] = {}
        if self.rule_coder_ is None or not docs:
            return bonus, words
        from evalkit.coding.text import ProcessedTexts

        pt = ProcessedTexts(docs)
        codes = self.rule_coder_.code_docs(pt)
        index = {t: j for j, t in enumerate(self.classes_)}
        for doc, theme, score, evidence in codes[["doc", "theme_id", "score", "evidence"]].itertuples(index=False):
            j = index.get(theme)
            if j is None:
                continue
            for row in np.flatnonzero(pt.row_doc == doc):
                words[(int(row), j)] = evidence
                if score > 0:
                    bonus[row, j] = self.rule_weight
        return bonus, words

    def _weights(self) -> np.ndarray:
        """Weight of people's codes per theme, ``m / (m + prior_examples)`` for its ``m`` examples."""
        m = self.n_examples_.astype(np.float64)
        return m / (m + float(self.prior_examples))

    def _scores(self, docs: list[str], vectors=None, example_scores=None):
        """Standardised scores, the nearest codebook text per theme, and rule evidence."""
        cb, proto = self._codebook_similarity(docs)
        z = (cb - self.cb_mean_) / self.cb_scale_
        if len(self.example_vectors_):
            if example_scores is None:
                if vectors is None:
                    vectors = self.embedder_.embed(docs)
                example_scores = self._example_similarity(vectors)
            ex = (example_scores - self.ex_mean_) / self.ex_scale_
            w = self._weights()
            z = (1.0 - w) * z + w * ex
        bonus, words = self._rule_bonus(docs)
        z = z + bonus
        empty = np.array([not d.strip() for d in docs])
        z[empty] = -np.inf
        return z, proto, words

    def decision_function(self, texts) -> np.ndarray:
        """Standardised theme scores (standard deviations above the theme's usual score).

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
            ``-inf`` for empty answers.
        """
        check_is_fitted(self, "proto_vectors_")
        docs, _ = check_texts(texts)
        return self._scores(docs)[0]

    def predict_proba(self, texts) -> np.ndarray:
        """Scores mapped to 0-1 by a logistic curve centred on the cut-off (not calibrated).

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
            Single-label: rows sum to 1 (a softmax of the scores).
        """
        z = self.decision_function(texts)
        if not self.multilabel:
            finite = np.where(np.isfinite(z), z, -50.0)
            e = np.exp(finite - finite.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-np.clip(np.where(np.isfinite(z), z, -50.0) - self.threshold_, -50, 50)))

    def _decide(self, z: np.ndarray, threshold: float) -> np.ndarray:
        """0/1 theme matrix from scores: above the cut-off, and at least the best theme."""
        out = np.zeros(z.shape, dtype=np.int8)
        answered = np.isfinite(z).any(axis=1)
        best = np.where(answered, np.argmax(np.where(np.isfinite(z), z, -np.inf), axis=1), 0)
        if self.multilabel:
            out[:] = (z >= threshold).astype(np.int8)
        out[np.flatnonzero(answered), best[answered]] = 1
        out[~answered] = 0
        return out

    def predict(self, texts):
        """Themes per answer.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        ndarray
            Multi-label: 0/1 matrix (columns follow ``classes_``); single-label: one theme id
            per answer (empty answers get ``""``).
        """
        z = self.decision_function(texts)
        out = self._decide(z, self.threshold_)
        if self.multilabel:
            return out
        answered = out.any(axis=1)
        return np.where(answered, self.classes_[out.argmax(axis=1)], "").astype(object)

    def _out_of_fold(self):
        """Scores of the coded answers from ridge models fitted without them (5 folds)."""
        n = len(self.example_text_)
        folds = np.arange(n) % min(5, n)
        rng = np.random.default_rng(0)
        folds = folds[rng.permutation(n)]
        X = self.example_vectors_.astype(np.float64)
        Y = self.example_themes_.astype(np.float64)
        scores = np.zeros(Y.shape)
        for f in np.unique(folds):
            train = folds != f
            W, b = _ridge(X[train], Y[train], float(self.ridge_alpha))
            part = X[~train] @ W + b
            part[:, Y[train].sum(axis=0) == 0] = 0.0
            scores[~train] = part
        return self._scores(list(self.example_text_), example_scores=scores)[0]

    def _tune_threshold(self) -> None:
        """Choose the cut-off maximising macro-F1 on the coded answers (out-of-fold)."""
        n = len(self.example_text_)
        if n < self.min_examples_to_tune or not self.multilabel:
            self.threshold_, self.tuned_ = self.default_threshold_, False
            return
        z = self._out_of_fold()
        Y = self.example_themes_
        present = Y.sum(axis=0) > 0
        best, best_f1 = self.default_threshold_, -1.0
        for cut in np.arange(0.0, 4.01, 0.25):
            pred = self._decide(z, cut)
            tp = (pred & Y).sum(axis=0)[present]
            f1 = 2 * tp / np.maximum(pred.sum(axis=0)[present] + Y.sum(axis=0)[present], 1)
            if f1.mean() > best_f1 + 1e-9:
                best, best_f1 = float(cut), float(f1.mean())
        self.threshold_, self.tuned_ = best, True

    def cross_validated_predictions(self) -> tuple[np.ndarray, np.ndarray]:
        """Out-of-fold decisions on the coded answers, and their codes (agreement estimates).

        Each coded answer is scored by a model fitted on the other folds (5-fold), so the
        agreement between the two estimates how well suggestions match this coder on new answers.

        Returns
        -------
        pred, truth : ndarray of shape (n_coded, n_themes)
        """
        check_is_fitted(self, "proto_vectors_")
        n = len(self.example_text_)
        if n < 2:
            empty = np.zeros((0, len(self.classes_)), dtype=np.int8)
            return empty, empty
        z = self._out_of_fold()
        pred = self._decide(z, self.threshold_)
        if not self.multilabel:
            pred = np.zeros_like(pred)
            answered = np.isfinite(z).any(axis=1)
            pred[np.flatnonzero(answered), np.argmax(np.where(np.isfinite(z), z, -np.inf), axis=1)[answered]] = 1
        return pred, self.example_themes_.copy()

    # ----------------------------------------------------------------- output
    def explain(self, texts) -> pd.DataFrame:
        """Every coded theme with its score, nearest codebook text and trigger words.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        pandas.DataFrame
            ``row, theme_id, score, nearest, nearest_kind, trigger_words``; one row per
            predicted (answer, theme), in answer order.
        """
        check_is_fitted(self, "proto_vectors_")
        docs, _ = check_texts(texts)
        z, proto, words = self._scores(docs)
        pred = self._decide(z, self.threshold_)
        if not self.multilabel:
            keep = np.zeros_like(pred)
            answered = pred.any(axis=1)
            keep[np.flatnonzero(answered), pred[answered].argmax(axis=1)] = 1
            pred = keep
        rows, cols = np.nonzero(pred)
        nearest, kinds = [], []
        vectors = self.embedder_.embed(docs) if len(self.example_vectors_) else None
        for r, j in zip(rows, cols):
            text, kind = self.proto_text_[proto[r, j]], self.proto_kind_[proto[r, j]]
            if vectors is not None and self.n_examples_[j]:
                cols_j = np.flatnonzero(self.example_themes_[:, j])
                sims = self.example_vectors_[cols_j] @ vectors[r]
                best = int(np.argmax(sims))
                if sims[best] > float(self.proto_vectors_[proto[r, j]] @ vectors[r]):
                    text, kind = self.example_text_[cols_j[best]], "coded answer"
            nearest.append(text)
            kinds.append(kind)
        return pd.DataFrame({
            "row": rows.astype(np.int64),
            "theme_id": self.classes_[cols].astype(object),
            "score": z[rows, cols].round(3),
            "nearest": nearest,
            "nearest_kind": kinds,
            "trigger_words": [words.get((int(r), int(j)), "") for r, j in zip(rows, cols)],
        })

    def code(self, texts, response_ids=None) -> pd.DataFrame:
        """Code answers into the tidy table every coder returns.

        Parameters
        ----------
        texts : sequence of str
        response_ids : sequence, optional
            One id per answer (default 0, 1, 2, ...).

        Returns
        -------
        pandas.DataFrame
            ``response_id, theme_id, source, score, evidence`` with ``source`` "codebook",
            ``score`` the standardised score and ``evidence`` naming the trigger words and the
            nearest example (``words: ...; like: "..."``).
        """
        docs, _ = check_texts(texts)
        ids = np.arange(len(docs)) if response_ids is None else np.asarray(response_ids, dtype=object)
        if len(ids) != len(docs):
            raise InputMismatchError(f"got {len(ids)} response ids for {len(docs)} texts")
        table = self.explain(docs)
        evidence = []
        for words, near in zip(table["trigger_words"], table["nearest"]):
            parts = [f"words: {words}"] if words else []
            parts.append(f'like: "{near}"')
            evidence.append("; ".join(parts))
        return pd.DataFrame({
            "response_id": ids[table["row"].to_numpy()] if len(table) else np.zeros(0, dtype=object),
            "theme_id": table["theme_id"].to_numpy(dtype=object),
            "source": GUIDED_SOURCE,
            "score": table["score"].to_numpy(dtype=np.float64),
            "evidence": np.asarray(evidence, dtype=object),
        })


def doc_codes(coder: CodebookCoder, docs: list[str]) -> pd.DataFrame:
    """Codes of distinct texts for the coding pipeline: ``doc, theme_id, score, evidence``.

    Parameters
    ----------
    coder : CodebookCoder
        Fitted.
    docs : list of str
        Distinct texts; blank ones get no code.

    Returns
    -------
    pandas.DataFrame
        Sorted by doc; ``evidence`` as in :meth:`CodebookCoder.code`.
    """
    table = coder.code(docs)
    return pd.DataFrame({"doc": table["response_id"].to_numpy(dtype=np.int64),
                         "theme_id": table["theme_id"].to_numpy(dtype=object),
                         "score": table["score"].to_numpy(dtype=np.float64),
                         "evidence": table["evidence"].to_numpy(dtype=object)})


def _aligned(coder: CodebookCoder, classifier, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's columns in the coder's theme order (matched by id or name), and which matched."""
    proba = np.asarray(proba, dtype=np.float64)
    labels = getattr(classifier, "theme_ids_", None) if getattr(classifier, "multilabel_", False) else None
    labels = list(classifier.classes_ if labels is None else labels)
    where = {str(c): j for j, c in enumerate(labels)}
    where.update({str(c).strip().lower(): j for j, c in enumerate(labels)})
    out = np.zeros((proba.shape[0], len(coder.classes_)))
    found = np.zeros(len(coder.classes_), dtype=bool)
    for k, tid in enumerate(coder.classes_):
        name = coder.theme_names_[tid]
        j = where.get(tid, where.get(name, where.get(name.strip().lower())))
        if j is not None:
            out[:, k] = proba[:, j]
            found[k] = True
    return out, found


def blend(coder: CodebookCoder, coder_proba, classifier, classifier_proba, n_coded: int, *,
          prior: float | None = None, thresholds=None) -> np.ndarray:
    """Combine the codebook coder with a classifier trained on the same coded answers.

    For each theme the classifier's probability gets weight ``m / (m + prior)``, ``m`` the
    theme's coded examples (``coder.n_examples_``; the coder must have been given the same
    coded answers), so the codebook leads for themes people have rarely coded and the
    classifier for themes it has seen often.

    Parameters
    ----------
    coder : CodebookCoder
    coder_proba : ndarray
        ``coder.predict_proba(texts)``.
    classifier : ThemeClassifier
        Fitted on the coded answers; its classes or theme ids are matched to the coder's
        themes by id or name.
    classifier_proba : ndarray
        ``classifier.predict_proba(texts)``.
    n_coded : int
        Answers the classifier learnt from (kept for the record; weights use the per-theme
        counts).
    prior : float, optional
        Coded examples of a theme at which both weigh the same (default :data:`BLEND_PRIOR`).
    thresholds : ndarray, optional
        Multi-label: the classifier's per-theme thresholds (default ``classifier.thresholds_``),
        in the classifier's column order.

    Returns
    -------
    ndarray
        Single-label coder: blended probabilities (coder's theme order). Multi-label: the 0/1
        decisions (coder's theme order), each non-empty answer with at least its best theme.
    """
    prior = float(BLEND_PRIOR if prior is None else prior)
    m = coder.n_examples_.astype(np.float64)
    p_clf, found = _aligned(coder, classifier, classifier_proba)
    p_coder = np.asarray(coder_proba, dtype=np.float64)
    weight = np.where(found, m / (m + prior), 0.0)
    p = (1.0 - weight) * p_coder + weight * p_clf
    if not coder.multilabel:
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
    if thresholds is None:
        thresholds = getattr(classifier, "thresholds_", np.full(np.asarray(classifier_proba).shape[1], 0.5))
    thr, _ = _aligned(coder, classifier, np.asarray(thresholds, dtype=np.float64)[None, :])
    cut = (1.0 - weight) * 0.5 + weight * thr[0]
    margin = p - cut
    out = (margin >= 0).astype(np.int8)
    answered = p_coder.max(axis=1) > 0
    best = margin.argmax(axis=1)
    out[np.flatnonzero(answered), best[answered]] = 1
    return out

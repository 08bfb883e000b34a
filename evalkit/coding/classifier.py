"""``ThemeClassifier``: a scikit-learn estimator that codes free-text answers into themes.

It learns from answers that people have already coded, so it can suggest codes for the rest
and say which suggestions a person should check. It works out of the box: researchers are not
expected to tune it.

Design (defaults chosen on the pxtextmining NHS patient-feedback benchmarks, see
``benchmarks.classifier_quality``):

* features: the union of word 1-2-gram and ``char_wb`` 2-5-gram TF-IDF with sublinear term
  frequency, fitted on the training texts only, and (by default) the answer's sentence
  embedding from all-MiniLM-L6-v2 (:mod:`evalkit.coding.embeddings`, bundled offline), which
  lets answers that mean the same thing in different words share evidence;
* model: one linear support-vector machine per class or theme (``LinearSVC``; balanced class
  weights for single-label), fast enough to refit often in a notebook;
* probabilities: Platt-scaled on out-of-fold scores from ``cv`` internal folds of the training
  data (never on rows being predicted), so ``predict_proba`` is calibrated;
* multi-label decisions: per-theme thresholds that maximise each theme's out-of-fold F1, then
  every non-empty answer gets at least its most probable theme.

Saving and loading use joblib, like any scikit-learn model::

    import joblib
    joblib.dump(clf, "theme_classifier.joblib")
    clf = joblib.load("theme_classifier.joblib")   # only load files you trust

Loading needs the same evalkit and scikit-learn versions that saved the file.
"""
from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import check_is_fitted

from evalkit.coding._classifier_input import (
    input_problem,
    check_labels,
    check_texts,
)
from evalkit.coding._classifier_multilabel import fit_one_vs_rest
from evalkit.coding.embeddings import SentenceEmbedder
from evalkit.errors import ClassifierInputError, ClassifierParameterError

__all__ = ["ThemeClassifier", "ClassifierInputError", "ClassifierParameterError"]

_MIN_POSITIVES_FOR_THRESHOLD = 3


def _ngram_range_problem(name: str, value) -> str | None:
    """Why ``value`` is not a valid ``(min_n, max_n)`` pair, or None when it is."""
    ok = (isinstance(value, tuple) and len(value) == 2
          and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value)
          and 1 <= value[0] <= value[1])
    if ok:
        return None
    return (f"The '{name}' parameter of ThemeClassifier must be a tuple (min_n, max_n) of "
            f"integers with 1 <= min_n <= max_n, e.g. (1, 2); got {value!r}.")


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Suggest themes for free-text answers, with calibrated probabilities.

    Fit it on answers people have coded, either one label per answer (single-label) or a 0/1
    table with one column per theme (multi-label). Predictions come back in the same form.

    Parameters
    ----------
    C : float, default=0.3
        Inverse regularisation strength of the linear SVM (smaller is smoother).
    class_weight : {"balanced"} or None, default="balanced"
        Single-label only: ``"balanced"`` weights each class by inverse frequency, so rare
        labels are not swamped by common ones. Multi-label themes are fitted unweighted
        because their tuned thresholds already correct for rarity (weighting them scored
        lower on the benchmark and was twice as slow).
    embedding : {"minilm"} or None, default="minilm"
        ``"minilm"`` adds each answer's sentence embedding (all-MiniLM-L6-v2, run on the CPU
        from the installed package) to the TF-IDF features. It raised macro-F1 by 0.02-0.05
        on the NHS benchmarks but costs about 4 ms per distinct answer; None uses TF-IDF only
        (about ten times faster to fit).
    word_ngram_range : tuple of int, default=(1, 2)
        Word n-gram lengths for the word TF-IDF features.
    char_ngram_range : tuple of int, default=(2, 5)
        Character n-gram lengths (within word boundaries) for the character TF-IDF features;
        these cope with typos and inflections.
    min_df : int, default=2
        Ignore n-grams seen in fewer training answers than this.
    cv : int, default=3
        Internal folds of the training data used to calibrate probabilities and pick the
        multi-label thresholds. Reduced automatically when there are too few examples.
    n_jobs : int or None, default=None
        CPU cores used for fitting (-1: all; None or 1: one). Themes, or calibration folds,
        are fitted in parallel worker processes; the fitted model does not depend on it.
        Worth it only for thousands of answers: starting workers and sending them the
        features cost seconds, so small fits are slower in parallel.
    review_threshold : float, default=0.6
        ``flag_for_review`` flags answers whose ``confidence`` is below this.
    random_state : int, RandomState instance or None, default=0
        Seeds the internal folds. Fixed by default so re-running a notebook gives identical
        results; pass None for a different split each time.

    Attributes
    ----------
    classes_ : ndarray
        Single-label: the labels seen in ``fit``, sorted. Multi-label: the theme ids.
    theme_ids_ : ndarray
        Multi-label only: the column names of ``y`` (or ``0..n_themes-1`` for an array).
    multilabel_ : bool
        Whether ``fit`` got a 2-D ``y``.
    thresholds_ : ndarray of shape (n_themes,)
        Multi-label only: the probability above which each theme is predicted.
    vectorizer_ : sklearn.pipeline.FeatureUnion
        The fitted word + character TF-IDF features (and the sentence embedder).
    n_cv_folds_ : int
        Number of internal folds actually used (fewer than ``cv`` when a label or the data
        is too small).
    calibrated_ : bool
        Single-label only: False when some label has a single example, so probabilities are
        a softmax of the SVM scores rather than calibrated (a warning says so).

    See Also
    --------
    sklearn.calibration.CalibratedClassifierCV : the calibration used for single-label data.

    Notes
    -----
    Save with ``joblib.dump(clf, path)`` and load with ``joblib.load(path)``.

    Examples
    --------
    TF-IDF only (``embedding=None``) on a toy set of coded answers:

    >>> texts = ["the bus was late", "the bus never came", "lovely kind staff", "the staff were kind"] * 3
    >>> themes = ["travel", "travel", "staff", "staff"] * 3
    >>> clf = ThemeClassifier(embedding=None, random_state=0).fit(texts, themes)
    >>> clf.predict(["the bus was late again"])
    array(['travel'], dtype=object)

    ``clf.flag_for_review(new_answers)`` lists the answers a person should check first.
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), None],
        "embedding": [StrOptions({"minilm"}), None],
        "word_ngram_range": [tuple],
        "char_ngram_range": [tuple],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "n_jobs": [Integral, None],
        "review_threshold": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, C=0.3, class_weight="balanced", embedding="minilm",
                 word_ngram_range=(1, 2), char_ngram_range=(2, 5), min_df=2, cv=3,
                 n_jobs=None, review_threshold=0.6, random_state=0):
        self.C = C
        self.class_weight = class_weight
        self.embedding = embedding
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.cv = cv
        self.n_jobs = n_jobs
        self.review_threshold = review_threshold
        self.random_state = random_state

    def __sklearn_tags__(self):
        """Declare text input (1-D strings) and multi-label support."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.poor_score = False
        return tags

    def _check_params(self) -> None:
        """Validate parameters, raising ``ClassifierParameterError`` with the allowed values."""
        try:
            self._validate_params()
        except InvalidParameterError as exc:
            raise ClassifierParameterError(str(exc)) from exc
        for name in ("word_ngram_range", "char_ngram_range"):
            message = _ngram_range_problem(name, getattr(self, name))
            if message:
                raise ClassifierParameterError(message)

    def _make_vectorizer(self, n_texts: int) -> FeatureUnion:
        """Word + character TF-IDF (+ embeddings); ``min_df`` relaxed to 1 for tiny training sets."""
        min_df = self.min_df if n_texts >= 10 * self.min_df else 1
        common = dict(sublinear_tf=True, min_df=min_df)
        parts = [
            ("word", TfidfVectorizer(ngram_range=self.word_ngram_range,
                                     token_pattern=r"(?u)\b\w+\b", **common)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range,
                                     **common)),
        ]
        if self.embedding == "minilm":
            parts.append(("sentence", SentenceEmbedder()))
        return FeatureUnion(parts)

    def _linear_model(self, seed: int, class_weight) -> LinearSVC:
        """The unfitted linear SVM used for every class or theme."""
        return LinearSVC(C=self.C, class_weight=class_weight, random_state=seed, max_iter=5000)

    def fit(self, texts, y):
        """Learn themes from coded answers.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
            The answers. ``None``/``NaN`` count as empty answers.
        y : array-like of shape (n_texts,) or (n_texts, n_themes), or pandas.DataFrame
            One label per answer, or a 0/1 table with one column per theme (a DataFrame keeps
            its column names as ``theme_ids_``). Theme columns with no 1s are allowed; they
            are never predicted.

        Returns
        -------
        ThemeClassifier
            The fitted classifier.

        Raises
        ------
        ClassifierParameterError
            If a parameter is out of range.
        ClassifierInputError
            If ``texts`` and ``y`` differ in length, ``y`` has the wrong shape or values,
            fewer than two labels, or every answer is empty.
        """
        self._check_params()
        docs, _ = check_texts(texts)
        labels, multilabel, theme_ids, is_frame = check_labels(y, len(docs))
        if len(docs) < 2:
            raise ClassifierInputError([input_problem(
                "texts", "has a single answer; a classifier needs at least two coded answers "
                "(in practice, dozens per theme)")])
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.vectorizer_ = self._make_vectorizer(len(docs))
        try:
            X = self.vectorizer_.fit_transform(docs)
        except ValueError as exc:
            raise ClassifierInputError([input_problem(
                "texts", "no words found in any answer (all empty or punctuation only); "
                "give the classifier answers with text")]) from exc
        self.multilabel_ = multilabel
        if multilabel:
            self._fit_multilabel(X, labels, theme_ids, is_frame, seed)
        else:
            self._fit_single_label(X, labels, seed)
        return self

    def _fit_single_label(self, X, labels: np.ndarray, seed: int) -> None:
        """Calibrated one-vs-rest linear SVM over the label classes."""
        encoder = LabelEncoder()
        try:
            codes = encoder.fit_transform(labels)
        except TypeError as exc:
            raise ClassifierInputError([input_problem(
                "y", "labels mix types (e.g. text and numbers); make them all text with "
                "[str(label) for label in y]")]) from exc
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ClassifierInputError([input_problem(
                "y", f"has only one class ({self.classes_[0]!r}); a classifier needs answers "
                "coded with at least two different labels")])
        counts = np.bincount(codes)
        self.n_cv_folds_ = int(min(self.cv, counts.min()))
        self.calibrated_ = self.n_cv_folds_ >= 2
        model = self._linear_model(seed, self.class_weight)
        if self.calibrated_:
            folds = StratifiedKFold(n_splits=self.n_cv_folds_, shuffle=True, random_state=seed)
            model = CalibratedClassifierCV(model, method="sigmoid", cv=folds, ensemble=False,
                                           n_jobs=self.n_jobs)
        else:
            rare = ", ".join(repr(c) for c in self.classes_[counts < 2])
            warnings.warn(
                f"label(s) {rare} have a single coded answer, so probabilities cannot be "
                "calibrated; code at least two (better, five or more) answers per label.",
                UserWarning, stacklevel=3)
            model = _SoftmaxScores(model)
        self.model_ = model.fit(X, codes)

    def _fit_multilabel(self, X, Y: np.ndarray, theme_ids, is_frame: bool, seed: int) -> None:
        """Per-theme linear SVMs with calibrated probabilities and tuned thresholds."""
        self.theme_ids_ = theme_ids
        self.classes_ = theme_ids
        self.output_frame_ = is_frame
        self.n_cv_folds_ = min(self.cv, X.shape[0])
        self.model_ = fit_one_vs_rest(X, Y, self._linear_model(seed, None), cv=self.n_cv_folds_,
                                      min_positives=_MIN_POSITIVES_FOR_THRESHOLD,
                                      random_state=seed, n_jobs=self.n_jobs)
        self.thresholds_ = self.model_.thresholds.copy()

    def _features(self, texts):
        """Check the model is fitted; return the texts, their index and features."""
        check_is_fitted(self, "model_")
        docs, index = check_texts(texts)
        return docs, index, self.vectorizer_.transform(docs)

    def _probabilities(self, X) -> np.ndarray:
        """Calibrated probabilities as an ndarray (classes or themes as columns)."""
        if self.multilabel_:
            return self.model_.probabilities(X)
        return self.model_.predict_proba(X)

    def _decide(self, docs: list[str], probs: np.ndarray) -> np.ndarray:
        """Class codes (single-label) or the 0/1 theme matrix (multi-label) from probabilities."""
        if not self.multilabel_:
            return np.argmax(probs, axis=1)
        chosen = (probs >= self.thresholds_).astype(np.int8)
        nonempty = np.array([bool(doc.strip()) for doc in docs])
        trained = np.flatnonzero(self.model_.trained)
        missing = np.flatnonzero(nonempty & (chosen.sum(axis=1) == 0))
        if trained.size and missing.size:
            best = trained[np.argmax(probs[np.ix_(missing, trained)], axis=1)]
            chosen[missing, best] = 1
        chosen[~nonempty] = 0
        return chosen

    def _wrap(self, values: np.ndarray, index) -> np.ndarray | pd.DataFrame:
        """Multi-label output as a DataFrame when ``y`` was one, else the array."""
        if self.multilabel_ and self.output_frame_:
            return pd.DataFrame(values, columns=pd.Index(self.theme_ids_), index=index)
        return values

    def predict(self, texts):
        """Suggest themes for answers.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
            The answers to code.

        Returns
        -------
        ndarray or pandas.DataFrame
            Single-label: an array of labels. Multi-label: a 0/1 matrix of shape
            (n_texts, n_themes), a DataFrame with the theme columns if ``fit`` got one.
            Every non-empty answer gets at least one theme; empty answers get none.
        """
        docs, index, X = self._features(texts)
        decided = self._decide(docs, self._probabilities(X))
        if not self.multilabel_:
            return self.classes_[decided]
        return self._wrap(decided, index)

    def predict_proba(self, texts):
        """Calibrated probabilities.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
            The answers.

        Returns
        -------
        ndarray or pandas.DataFrame
            Single-label: shape (n_texts, n_classes), rows sum to 1, columns in ``classes_``
            order. Multi-label: shape (n_texts, n_themes), the probability of each theme on its
            own (rows need not sum to 1).
        """
        _, index, X = self._features(texts)
        return self._wrap(self._probabilities(X), index)

    def confidence(self, texts) -> np.ndarray:
        """How sure the classifier is about each answer, from 0 to 1.

        Single-label: the probability of the predicted label. Multi-label: the least certain
        theme decision, i.e. the minimum over themes of the probability of what was decided
        (``p`` for a theme given, ``1 - p`` for a theme not given). Empty answers get 0.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
            The answers.

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        docs, _, X = self._features(texts)
        probs = self._probabilities(X)
        decided = self._decide(docs, probs)
        if self.multilabel_:
            sure = np.where(decided == 1, probs, 1.0 - probs).min(axis=1)
        else:
            sure = probs[np.arange(len(docs)), decided]
        empty = np.array([not doc.strip() for doc in docs])
        return np.where(empty, 0.0, sure)

    def flag_for_review(self, texts, threshold: float | None = None) -> np.ndarray:
        """Mark answers a person should check: low confidence or empty.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
            The answers.
        threshold : float, optional
            Flag answers whose ``confidence`` is below this; defaults to ``review_threshold``.

        Returns
        -------
        ndarray of bool, shape (n_texts,)
            True where the answer should go to a human coder.

        Raises
        ------
        ClassifierParameterError
            If ``threshold`` is not between 0 and 1.
        """
        cut = self.review_threshold if threshold is None else threshold
        if not isinstance(cut, Real) or isinstance(cut, bool) or not 0 <= cut <= 1:
            raise ClassifierParameterError(
                f"flag_for_review threshold must be a number between 0 and 1; got {cut!r}.")
        return self.confidence(texts) < cut


class _SoftmaxScores:
    """Stand-in when a class has a single example: decision scores through a softmax."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        """Fit the wrapped linear model."""
        self.model.fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the decision scores (not calibrated: too few examples to do so)."""
        scores = self.model.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        scores = scores - scores.max(axis=1, keepdims=True)
        expd = np.exp(scores)
        return expd / expd.sum(axis=1, keepdims=True)

"""scikit-learn's own estimator checks on ThemeClassifier and ThemeDiscovery.

Both estimators take text, and scikit-learn's checks build numeric ``X``. So each is checked
through a thin numeric-input wrapper defined here (test code only): every row of numbers becomes
one "answer" whose words name a column and the bin its value falls in (``xcmb`` = column 2,
value in [-0.25, 0)); the wrapper validates ``X`` as scikit-learn requires (``validate_data``:
2-D, finite, ``n_features_in_``) and hands the words to the real estimator. Checks that still
cannot apply are listed with the reason in ``EXPECTED_FAILED_*``; everything else must pass.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import SkipTestWarning
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted, validate_data

from evalkit.coding.classifier import ThemeClassifier
from evalkit.coding.discovery import ThemeDiscovery


def _letters(number: int) -> str:
    """Digits as letters (0 -> a, 1 -> b, ...): the text tools keep only words made of letters."""
    return "".join("abcdefghij"[int(d)] for d in str(number))


def _words(X: np.ndarray) -> list[str]:
    """One text per row: a word per column naming the quarter-unit bin its value falls in (``xcmb`` = column 2, [-0.25, 0))."""
    bins = np.floor(4 * X).astype(np.int64)
    return [" ".join(f"x{_letters(j)}{'m' if b < 0 else 'p'}{_letters(abs(b))}" for j, b in enumerate(row))
            for row in bins]


class NumericThemeClassifier(ThemeClassifier):
    """ThemeClassifier on numeric X (test wrapper; see the module docstring)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = False
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        return tags

    def fit(self, X, y):
        X, y = validate_data(self, X, y, reset=True)
        return super().fit(_words(X), y)

    def _texts(self, X):
        check_is_fitted(self)
        return _words(validate_data(self, X, reset=False))

    def predict(self, X):
        return super().predict(self._texts(X))

    def predict_proba(self, X):
        return super().predict_proba(self._texts(X))



class NumericThemeDiscovery(ThemeDiscovery):
    """ThemeDiscovery on numeric X (test wrapper; see the module docstring)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = False
        return tags

    def fit(self, X, y=None):
        X = validate_data(self, X, reset=True)
        return super().fit(_words(X), y)

    def transform(self, X):
        check_is_fitted(self)
        return super().transform(_words(validate_data(self, X, reset=False)))


EXPECTED_FAILED_CLASSIFIER: dict[str, str] = {
    "check_classifiers_regression_target": (
        "a theme label may be any value, numbers included (codes exported as 1.0, 2.0 are themes), "
        "so a float target is read as labels rather than refused as continuous"),
    "check_class_weight_classifiers": (
        "class_weight is 'balanced' or None by design: one linear model per theme (one-vs-rest, "
        "multi-label) has no single set of classes for a dict of weights to name"),
    "check_fit2d_1sample": (
        "one coded answer is refused with evalkit's plain message ('a single answer; a classifier "
        "needs at least two coded answers'), not scikit-learn's wording that the check looks for"),
}
EXPECTED_FAILED_DISCOVERY: dict[str, str] = {
    "check_fit2d_1sample": (
        "one answer cannot give n_themes candidate themes; discovery refuses it with a ConfigError "
        "saying to use fewer themes or more answers, not scikit-learn's wording"),
}


def _expected(estimator) -> dict[str, str]:
    if isinstance(estimator, NumericThemeClassifier):
        return EXPECTED_FAILED_CLASSIFIER
    return EXPECTED_FAILED_DISCOVERY


with warnings.catch_warnings():
    warnings.simplefilter("ignore", SkipTestWarning)
    _CHECKS = parametrize_with_checks(
        [NumericThemeClassifier(embedding=None), NumericThemeDiscovery(n_themes=2, n_stability_runs=1, min_df=1)],
        expected_failed_checks=_expected, xfail_strict=True)


@_CHECKS
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)
        check(estimator)


def test_every_expected_failure_names_a_real_check():
    from sklearn.utils.estimator_checks import _yield_all_checks  # noqa: PLC2701 - listing names only

    for estimator, expected in ((NumericThemeClassifier(embedding=None), EXPECTED_FAILED_CLASSIFIER),
                                (NumericThemeDiscovery(n_themes=2), EXPECTED_FAILED_DISCOVERY)):
        names = {getattr(c, "func", c).__name__ for c in _yield_all_checks(estimator, legacy=True)}
        assert set(expected) <= names, set(expected) - names
        assert all(reason.strip() for reason in expected.values())


def test_the_checks_really_run():
    # A declared tag can silently shrink the list to one check (as string input does): count them.
    counts = {}
    for mark in _CHECKS.mark.args[1]:
        estimator = mark.values[0] if hasattr(mark, "values") else mark[0]
        counts[type(estimator).__name__] = counts.get(type(estimator).__name__, 0) + 1
    assert counts["NumericThemeClassifier"] >= 40 and counts["NumericThemeDiscovery"] >= 40, counts


@pytest.mark.parametrize("wrapper", [NumericThemeClassifier, NumericThemeDiscovery])
def test_wrappers_keep_the_real_estimators_parameters(wrapper):
    base = wrapper.__mro__[1]
    assert wrapper().get_params() == base().get_params()

"""Tests for ``evalkit.coding.classifier.ThemeClassifier`` on small seeded synthetic corpora."""
from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import _sigmoid_calibration
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.metrics import brier_score_loss, f1_score
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from evalkit.coding._classifier_multilabel import THRESHOLD_GRID, best_threshold, platt_fit
from evalkit.coding.classifier import (
    ClassifierInputError,
    ClassifierParameterError,
    ThemeClassifier,
)
from evalkit.errors import EvalkitError
from evalkit.paths import BENCHMARKS_DIR

BENCH_DATA = BENCHMARKS_DIR / "pxtextmining"

THEME_WORDS = {
    "access": "ramp steps wheelchair lift venue parking toilet hearing loop signage".split(),
    "payment": "paid payment voucher expenses invoice money fee reimbursed travel cost".split(),
    "heard": "listened heard valued respected voice opinion ideas included equal".split(),
    "jargon": "jargon acronyms language plain words technical complicated explained".split(),
}
FILLER = "the a we it was and i they our meeting session group project team".split()


def make_corpus(n: int, seed: int, *, multilabel: bool, noise: float = 0.0):
    """Answers built from theme words plus filler; ``noise`` swaps words for another theme's."""
    rng = np.random.default_rng(seed)
    themes = list(THEME_WORDS)
    texts, labels = [], []
    for _ in range(n):
        k = rng.integers(1, 3) if multilabel else 1
        chosen = sorted(rng.choice(len(themes), size=k, replace=False))
        words = list(rng.choice(FILLER, size=3))
        for t in chosen:
            for _ in range(3):
                source = themes[rng.integers(len(themes))] if rng.random() < noise else themes[t]
                words.append(str(rng.choice(THEME_WORDS[source])))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(chosen)
    if multilabel:
        Y = np.zeros((n, len(themes)), dtype=int)
        for i, chosen in enumerate(labels):
            Y[i, chosen] = 1
        return texts, pd.DataFrame(Y, columns=themes)
    return texts, np.array([themes[c[0]] for c in labels], dtype=object)


@pytest.fixture(scope="module")
def single():
    """A fitted single-label classifier and its training data."""
    texts, y = make_corpus(300, seed=1, multilabel=False, noise=0.2)
    return ThemeClassifier(random_state=3).fit(texts, y), texts, y


@pytest.fixture(scope="module")
def multi():
    """A fitted multi-label classifier (DataFrame y) and its training data."""
    texts, Y = make_corpus(300, seed=2, multilabel=True, noise=0.1)
    return ThemeClassifier(random_state=3).fit(texts, Y), texts, Y


# --- single-label -------------------------------------------------------------------------

def test_single_label_predicts_labels_it_learnt(single):
    clf, _, _ = single
    test_texts, truth = make_corpus(200, seed=11, multilabel=False, noise=0.2)
    pred = clf.predict(test_texts)
    assert pred.shape == (200,)
    assert set(pred) <= set(THEME_WORDS)
    assert list(clf.classes_) == sorted(THEME_WORDS)
    assert np.mean(pred == truth) > 0.85


def test_single_label_probabilities_sum_to_one(single):
    clf, _, _ = single
    probs = clf.predict_proba(["ramp and steps", "", "ñandú café 日本語 🙂"])
    assert probs.shape == (3, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    assert ((probs >= 0) & (probs <= 1)).all()


def test_single_label_predict_is_argmax_of_probabilities(single):
    # evalkit.coding.pipeline relies on this to build features once per batch.
    clf, _, _ = single
    texts, _ = make_corpus(100, seed=13, multilabel=False, noise=0.4)
    np.testing.assert_array_equal(clf.predict(texts),
                                  clf.classes_[np.argmax(clf.predict_proba(texts), axis=1)])


def test_single_label_keeps_integer_labels():
    texts, y = make_corpus(120, seed=5, multilabel=False)
    codes = np.searchsorted(sorted(THEME_WORDS), y)
    pred = ThemeClassifier().fit(texts, codes).predict(texts[:10])
    assert pred.dtype.kind == "i"
    assert set(pred) <= {0, 1, 2, 3}


# --- multi-label --------------------------------------------------------------------------

def test_multilabel_returns_dataframe_with_theme_columns(multi):
    clf, _, Y = multi
    test_texts, truth = make_corpus(200, seed=12, multilabel=True, noise=0.1)
    pred = clf.predict(pd.Series(test_texts, index=range(100, 300)))
    assert isinstance(pred, pd.DataFrame)
    assert list(pred.columns) == list(Y.columns) == list(clf.theme_ids_)
    assert list(pred.index) == list(range(100, 300))
    assert set(np.unique(pred.to_numpy())) <= {0, 1}
    # Reference: sklearn.metrics.f1_score(average="micro").
    assert f1_score(truth.to_numpy(), pred.to_numpy(), average="micro") > 0.85


def test_multilabel_array_y_gives_array_predictions():
    texts, Y = make_corpus(150, seed=6, multilabel=True)
    clf = ThemeClassifier().fit(texts, Y.to_numpy())
    pred = clf.predict(texts[:7])
    assert isinstance(pred, np.ndarray) and pred.shape == (7, 4)
    assert list(clf.theme_ids_) == [0, 1, 2, 3]
    assert clf.predict_proba(texts[:7]).shape == (7, 4)


def test_all_empty_theme_column_keeps_width_and_predicts_zero():
    texts, Y = make_corpus(150, seed=7, multilabel=True)
    Y = Y.assign(never_coded=0)
    clf = ThemeClassifier().fit(texts, Y)
    pred = clf.predict(texts[:20] + ["something about nothing"])
    assert pred.shape == (21, 5)
    assert list(pred.columns)[-1] == "never_coded"
    assert (pred["never_coded"] == 0).all()
    assert (clf.predict_proba(texts[:5])["never_coded"] == 0).all()


def test_every_nonempty_text_gets_a_theme_and_empty_gets_none(multi):
    clf, _, _ = multi
    texts = ["completely unrelated words here", "zzz", "ok", "", "   ", "ramp", "日本語のテキスト"]
    pred = clf.predict(texts).to_numpy()
    assert (pred[[0, 1, 2, 5, 6]].sum(axis=1) >= 1).all()
    assert (pred[[3, 4]].sum(axis=1) == 0).all()


def test_missing_values_count_as_empty_answers(multi):
    clf, _, _ = multi
    pred = clf.predict(pd.Series(["ramp steps", None, np.nan]))
    assert pred.iloc[1:].to_numpy().sum() == 0
    assert clf.flag_for_review(pd.Series(["ramp steps", None, np.nan]))[1:].all()


def test_thresholds_are_on_the_grid_and_per_theme(multi):
    clf, _, Y = multi
    assert clf.thresholds_.shape == (Y.shape[1],)
    assert np.isin(clf.thresholds_, THRESHOLD_GRID).all()


def test_multilabel_probabilities_in_unit_interval(multi):
    clf, texts, _ = multi
    probs = clf.predict_proba(texts[:50]).to_numpy()
    assert ((probs >= 0) & (probs <= 1)).all()


# --- calibration ---------------------------------------------------------------------------

def _expected_calibration_error(prob, outcome, bins=10):
    """Expected calibration error with equal-width bins (Naeini, Cooper & Hauskrecht 2015)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(prob, edges) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(prob[mask].mean() - outcome[mask].mean())
    return total


def test_single_label_probabilities_are_calibrated_on_held_out_data():
    texts, y = make_corpus(1600, seed=21, multilabel=False, noise=0.45)
    clf = ThemeClassifier().fit(texts[:800], y[:800])
    probs = clf.predict_proba(texts[800:])
    onehot = (y[800:, None] == clf.classes_[None, :]).astype(int)
    # Brier score via sklearn.metrics.brier_score_loss, one class at a time (reference impl.).
    brier = np.mean([brier_score_loss(onehot[:, k], probs[:, k]) for k in range(4)])
    base_rate = np.mean([brier_score_loss(onehot[:, k], np.full(800, onehot[:, k].mean()))
                         for k in range(4)])
    assert brier < 0.6 * base_rate
    assert _expected_calibration_error(probs.ravel(), onehot.ravel()) < 0.06


def test_multilabel_probabilities_are_calibrated_on_held_out_data():
    texts, Y = make_corpus(1600, seed=22, multilabel=True, noise=0.45)
    clf = ThemeClassifier().fit(texts[:800], Y.iloc[:800])
    probs = clf.predict_proba(texts[800:]).to_numpy()
    truth = Y.iloc[800:].to_numpy()
    brier = np.mean([brier_score_loss(truth[:, k], probs[:, k]) for k in range(4)])
    base_rate = np.mean([brier_score_loss(truth[:, k], np.full(800, truth[:, k].mean()))
                         for k in range(4)])
    assert brier < 0.6 * base_rate
    assert _expected_calibration_error(probs.ravel(), truth.ravel()) < 0.06


def test_platt_fit_matches_scikit_learn_reference():
    # Reference: sklearn.calibration._sigmoid_calibration, Platt (1999) with the smoothed
    # targets and the Lin, Lin & Weng (2007) parametrisation p = 1 / (1 + exp(a*s + b)).
    rng = np.random.default_rng(0)
    scores = rng.normal(size=400)
    y = (rng.random(400) < 1 / (1 + np.exp(-2.0 * scores + 0.5))).astype(int)
    a, b = platt_fit(scores, y)
    ref_a, ref_b = _sigmoid_calibration(scores, y)
    np.testing.assert_allclose([a, b], [ref_a, ref_b], rtol=1e-4, atol=1e-4)


def test_best_threshold_matches_brute_force_f1():
    rng = np.random.default_rng(4)
    y = (rng.random(300) < 0.2).astype(int)
    probs = np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1)
    chosen = best_threshold(probs, y, min_positives=5)
    # Reference: sklearn.metrics.f1_score at every grid threshold.
    f1s = [f1_score(y, (probs >= t).astype(int), zero_division=0) for t in THRESHOLD_GRID]
    assert f1_score(y, (probs >= chosen).astype(int)) == pytest.approx(max(f1s))
    assert best_threshold(probs, np.r_[1, 1, np.zeros(298, int)], min_positives=5) == 0.5


# --- review flags ---------------------------------------------------------------------------

def test_confidence_and_flag_for_review(single):
    clf, _, _ = single
    texts = ["ramp steps wheelchair lift", "paid listened jargon ramp", ""]
    conf = clf.confidence(texts)
    probs = clf.predict_proba(texts)
    np.testing.assert_allclose(conf[:2], probs[:2].max(axis=1))
    assert conf[2] == 0.0
    assert conf[0] > conf[1]
    flags = clf.flag_for_review(texts, threshold=(conf[0] + conf[1]) / 2)
    assert flags.tolist() == [False, True, True]
    assert clf.flag_for_review(texts, threshold=0.0)[:2].tolist() == [False, False]
    assert clf.flag_for_review(texts).dtype == bool


def test_multilabel_confidence_is_least_certain_decision(multi):
    clf, _, _ = multi
    texts = ["ramp steps lift", "paid voucher listened"]
    probs = clf.predict_proba(texts).to_numpy()
    pred = clf.predict(texts).to_numpy()
    expected = np.where(pred == 1, probs, 1 - probs).min(axis=1)
    np.testing.assert_allclose(clf.confidence(texts), expected)


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "high", True])
def test_flag_for_review_rejects_bad_threshold(single, threshold):
    clf, _, _ = single
    with pytest.raises(ClassifierParameterError, match="between 0 and 1"):
        clf.flag_for_review(["x"], threshold=threshold)


# --- determinism and persistence --------------------------------------------------------------

def test_same_random_state_gives_identical_results():
    texts, Y = make_corpus(200, seed=8, multilabel=True, noise=0.2)
    a = ThemeClassifier(random_state=5).fit(texts, Y)
    b = ThemeClassifier(random_state=5).fit(texts, Y)
    assert a.predict_proba(texts).to_numpy().tobytes() == b.predict_proba(texts).to_numpy().tobytes()
    assert np.array_equal(a.thresholds_, b.thresholds_)


def test_single_label_same_random_state_gives_identical_probabilities():
    texts, y = make_corpus(200, seed=9, multilabel=False, noise=0.2)
    a = ThemeClassifier(random_state=5).fit(texts, y).predict_proba(texts)
    b = ThemeClassifier(random_state=5).fit(texts, y).predict_proba(texts)
    assert a.tobytes() == b.tobytes()


def test_joblib_round_trip(tmp_path, multi):
    clf, texts, _ = multi
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    pd.testing.assert_frame_equal(loaded.predict_proba(texts), clf.predict_proba(texts))
    pd.testing.assert_frame_equal(loaded.predict(texts), clf.predict(texts))


def test_prediction_does_not_depend_on_batch_or_order(multi):
    clf, texts, _ = multi
    whole = clf.predict_proba(texts[:30]).to_numpy()
    one_by_one = np.vstack([clf.predict_proba([t]).to_numpy() for t in texts[:30]])
    np.testing.assert_allclose(whole, one_by_one, rtol=1e-12, atol=1e-14)
    order = np.random.default_rng(0).permutation(30)
    shuffled = clf.predict_proba([texts[i] for i in order]).to_numpy()
    np.testing.assert_allclose(shuffled, whole[order], rtol=1e-12, atol=1e-14)


# --- bad input ------------------------------------------------------------------------------

def test_mismatched_lengths_say_how_to_fix():
    with pytest.raises(ClassifierInputError, match="has 3 rows but there are 2 texts") as info:
        ThemeClassifier().fit(["a b", "c d"], ["x", "y", "x"])
    assert isinstance(info.value, EvalkitError) and isinstance(info.value, ValueError)
    assert "one label" in str(info.value)


@pytest.mark.parametrize("y, message", [
    (np.zeros((2, 2, 2)), "3 dimensions"),
    (np.array([[0, 2], [1, 0]]), "only 0 and 1"),
    (np.zeros((2, 0)), "no theme columns"),
    (["x", None], "missing"),
    (["x", "x"], "only one class"),
    ("xy", "list of labels"),
])
def test_bad_y_is_explained(y, message):
    with pytest.raises(ClassifierInputError, match=message):
        ThemeClassifier().fit(["ramp steps", "paid voucher"], y)


def test_bad_theme_value_names_the_column():
    Y = pd.DataFrame({"access": [1, 0], "payment": [0, "yes"]})
    with pytest.raises(ClassifierInputError) as info:
        ThemeClassifier().fit(["ramp", "paid"], Y)
    assert info.value.problems[0].column == "payment"
    assert "'yes' at position 1" in str(info.value)


@pytest.mark.parametrize("texts, message", [
    ("just one string", "single string"),
    (np.array([["a", "b"], ["c", "d"]]), "one-dimensional"),
    (["fine", 3], "position 1 is int"),
    (pd.DataFrame({"a": ["x"], "b": ["y"]}), "DataFrame with 2 columns"),
    ([], "is empty"),
])
def test_bad_texts_are_explained(texts, message):
    with pytest.raises(ClassifierInputError, match=message):
        ThemeClassifier().fit(texts, ["x", "y"])


def test_single_answer_is_explained():
    with pytest.raises(ClassifierInputError, match="single answer"):
        ThemeClassifier().fit(["ramp"], np.array([[1, 0]]))


def test_all_empty_texts_are_explained():
    with pytest.raises(ClassifierInputError, match="no words found"):
        ThemeClassifier().fit(["", "  ", "!!"], ["a", "b", "a"])


@pytest.mark.parametrize("params, message", [
    ({"C": -1}, "'C' parameter"),
    ({"cv": 1}, "'cv' parameter"),
    ({"class_weight": "auto"}, "'class_weight' parameter"),
    ({"word_ngram_range": (2, 1)}, "min_n <= max_n"),
    ({"char_ngram_range": [2, 5]}, "char_ngram_range"),
    ({"review_threshold": 2.0}, "'review_threshold' parameter"),
])
def test_bad_parameters_are_rejected_in_fit(params, message):
    clf = ThemeClassifier(**params)
    with pytest.raises(ClassifierParameterError, match=message):
        clf.fit(["ramp", "paid"], ["a", "b"])


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        ThemeClassifier(1.0)


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        ThemeClassifier().predict(["text"])


def test_tiny_training_set_with_singleton_class_warns_and_still_fits():
    with pytest.warns(UserWarning, match="'b' have a single coded answer"):
        clf = ThemeClassifier().fit(["ramp steps", "paid voucher", "ramp lift"], ["a", "b", "a"])
    assert not clf.calibrated_
    probs = clf.predict_proba(["ramp"])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert clf.predict(["ramp"])[0] == "a"


# --- scikit-learn estimator checks --------------------------------------------------------------
#
# ThemeClassifier declares string input (``input_tags.string=True``, ``two_d_array=False``), so
# ``parametrize_with_checks`` on it yields only ``check_estimator_cloneable``: the test below keeps
# that (and asserts it is all), and the API checks that need no X run by hand after it. Every other
# check (fit/predict shapes, dtypes, NaN, n_features_in_, pickling, classifier accuracy, parameter
# validation) runs in tests/test_estimator_checks.py on a numeric-input wrapper, with the few that
# cannot apply listed there with the reason.

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SkipTestWarning)
    _SKLEARN_CHECKS = parametrize_with_checks([ThemeClassifier()])


@_SKLEARN_CHECKS
def test_parametrize_with_checks(estimator, check):
    # With string input declared, scikit-learn yields only check_estimator_cloneable here; the full
    # set runs in tests/test_estimator_checks.py.
    assert getattr(check, "func", check).__name__ == "check_estimator_cloneable"
    check(estimator)


API_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
    "check_mixin_order",
    "check_estimators_unfitted",
]


@pytest.mark.parametrize("check_name", API_CHECKS)
def test_scikit_learn_api_check(check_name):
    getattr(estimator_checks, check_name)("ThemeClassifier", ThemeClassifier())


def test_fit_returns_self_and_keeps_parameters():
    texts, y = make_corpus(60, seed=10, multilabel=False)
    clf = ThemeClassifier(C=0.5, random_state=1)
    before = clf.get_params()
    assert clf.fit(texts, y) is clf
    assert clf.get_params() == before
    fresh = clone(clf)
    assert fresh.get_params() == before
    assert not hasattr(fresh, "classes_")


# --- benchmark helpers ----------------------------------------------------------------------------

def test_multilabel_scores_match_hand_computation():
    from benchmarks.classifier_quality import multilabel_scores

    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]])
    pred = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    scores = multilabel_scores(truth, pred)
    # By hand: theme 0 F1 = 2*1/(2+0+1) = 2/3, theme 1 F1 = 1, theme 2 has no positives (left
    # out of macro_F1; counted as 0 in macro_F1_all_themes). Micro: TP 3, FP 1, FN 1 -> 3/4.
    # Samples F1: rows 1, 2/3, 2/3 -> 7/9. Hamming: 2 wrong cells of 9.
    assert scores["macro_F1"] == pytest.approx((2 / 3 + 1) / 2)
    assert scores["macro_F1_all_themes"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert scores["micro_F1"] == pytest.approx(0.75)
    assert scores["samples_F1"] == pytest.approx(7 / 9)
    assert scores["hamming_loss"] == pytest.approx(2 / 9)


@pytest.mark.skipif(not (BENCH_DATA / "phase1_text_data.csv").exists(),
                    reason="pxtextmining benchmark data not available")
def test_published_phase1_predictions_reproduce_published_scores():
    from benchmarks.classifier_quality import load_phase1

    train, test, published = load_phase1()
    # pxtextmining phase 1 reported accuracy 0.704 and macro-F1 0.587 on this split.
    truth = test["label"].to_numpy(dtype=object)
    pred = published["label_pred"].to_numpy(dtype=object)
    assert len(test) == 3400 and len(train) == 6902
    assert np.mean(truth == pred) == pytest.approx(0.704, abs=5e-4)
    assert f1_score(truth, pred, average="macro") == pytest.approx(0.587, abs=5e-4)

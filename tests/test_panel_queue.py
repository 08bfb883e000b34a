"""The coding panel's queue: validation, ordering, suggestions, filters, resume and progress."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from evalkit.errors import ConfigError, DataValidationError
from evalkit.panel.queue import (
    Filters,
    Suggestion,
    apply_filters,
    confidence_margin,
    order_answers,
    progress,
    resume_index,
    suggestions_by_key,
    suggestions_from_estimator,
    validate_answers,
)
from evalkit.panel.store import CoderStore

Q1, Q2 = "What worked well?", "What could be better?"


def _answers(n=6):
    return pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "respondent_id": [f"person-{i}" for i in range(n)],
            "question": [Q1 if i % 2 == 0 else Q2 for i in range(n)],
            "project": ["P01" if i < n // 2 else "P02" for i in range(n)],
            "text": [f"answer number {i}" for i in range(n)],
        }
    )


def test_validate_keeps_filed_order_and_drops_identity():
    answers = validate_answers(_answers())
    assert [a.response_id for a in answers] == [f"R{i}" for i in range(6)]
    assert not hasattr(answers[0], "respondent_id")
    assert answers[0].key == ("R0", Q1)


def test_validate_names_missing_columns():
    with pytest.raises(DataValidationError) as caught:
        validate_answers(_answers().drop(columns=["project", "text"]), name="survey.csv")
    assert [(p.file, p.column) for p in caught.value.problems] == [
        ("survey.csv", "project"), ("survey.csv", "text")]


def test_validate_names_the_rows_of_repeats_and_blanks():
    frame = _answers(4)
    frame.loc[2, "response_id"] = "R0"
    frame.loc[2, "question"] = Q1
    frame.loc[3, "response_id"] = None
    with pytest.raises(DataValidationError) as caught:
        validate_answers(frame)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("answers:4:response_id: response 'R0' already answered")
    assert "on row 2" in messages[0]
    assert messages[1].startswith("answers:5:response_id: response id is blank")


def test_missing_text_becomes_empty_and_numpy_ids_become_python():
    frame = _answers(2)
    frame["response_id"] = np.array([10, 11], dtype=np.int64)
    frame.loc[1, "text"] = np.nan
    answers = validate_answers(frame)
    assert answers[1].text == ""
    assert type(answers[0].response_id) is int


def test_as_filed_keeps_order():
    answers = validate_answers(_answers())
    assert order_answers(answers, "as_filed") == answers


def test_random_order_is_a_seeded_permutation():
    answers = validate_answers(_answers(20))
    first = order_answers(answers, "random", seed=3)
    assert first == order_answers(answers, "random", seed=3)
    assert first != order_answers(answers, "random", seed=4)
    assert sorted(a.response_id for a in first) == sorted(a.response_id for a in answers)
    expected = np.random.default_rng(3).permutation(20)
    assert [a.response_id for a in first] == [f"R{i}" for i in expected]


def test_unknown_order_is_refused():
    with pytest.raises(ConfigError, match="not one of as_filed, random, most_useful"):
        order_answers([], "alphabetical")


def test_most_useful_needs_suggestions():
    with pytest.raises(ConfigError, match="needs classifier suggestions"):
        order_answers(validate_answers(_answers()), "most_useful")


def test_most_useful_puts_the_least_confident_first_and_unscored_last():
    answers = validate_answers(_answers(5))
    suggestions = pd.DataFrame(
        {
            "response_id": ["R0", "R0", "R1", "R2", "R2", "R3"],
            "theme_id": ["a", "b", "a", "a", "b", "a"],
            "probability": [0.95, 0.02, 0.55, 0.9, 0.3, 0.45],
        }
    )
    by_key = suggestions_by_key(suggestions, answers)
    # margins |p - 0.5|, least over themes: R0 0.45, R1 0.05, R2 0.2, R3 0.05; R4 unscored
    assert confidence_margin(by_key[("R2", Q1)]) == pytest.approx(0.2)
    ordered = [a.response_id for a in order_answers(answers, "most_useful", suggestions=by_key)]
    assert ordered == ["R1", "R3", "R2", "R0", "R4"]


def test_suggestions_are_most_probable_first_and_can_target_a_question():
    frame = _answers(2)
    frame["response_id"] = ["R0", "R0"]
    answers = validate_answers(frame)
    plain = suggestions_by_key(
        pd.DataFrame({"response_id": ["R0", "R0"], "theme_id": ["a", "b"], "probability": [0.2, 0.7]}),
        answers,
    )
    assert plain[("R0", Q1)] == [Suggestion("b", 0.7), Suggestion("a", 0.2)]
    assert plain[("R0", Q2)] == plain[("R0", Q1)]
    targeted = suggestions_by_key(
        pd.DataFrame({"response_id": ["R0"], "question": [Q2], "theme_id": ["a"], "probability": [0.4]}),
        answers,
    )
    assert list(targeted) == [("R0", Q2)]


def test_suggestions_with_bad_probabilities_name_the_row():
    bad = pd.DataFrame({"response_id": ["R0", "R1"], "theme_id": ["a", "a"], "probability": [0.5, 1.2]})
    with pytest.raises(DataValidationError, match="suggestions:3:probability"):
        suggestions_by_key(bad, validate_answers(_answers()))


def _fitted_classifier():
    texts = ["we were listened to", "the venue had steps", "they listened and heard us",
             "no ramp at the venue", "heard and listened", "venue was not accessible"]
    labels = ["feeling_heard", "accessibility_venue"] * 3
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, labels)


def test_suggestions_from_a_fitted_sklearn_classifier():
    answers = validate_answers(_answers(3))
    model = _fitted_classifier()
    frame = suggestions_from_estimator(model, answers)
    assert list(frame.columns) == ["response_id", "question", "theme_id", "probability"]
    assert len(frame) == 3 * 2
    expected = model.predict_proba([a.text for a in answers])
    np.testing.assert_allclose(frame["probability"].to_numpy(), expected.ravel())
    assert set(frame["theme_id"]) == {"accessibility_venue", "feeling_heard"}


def test_suggestions_from_an_unfitted_classifier_say_fit_first():
    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    with pytest.raises(ConfigError, match="not fitted"):
        suggestions_from_estimator(model, validate_answers(_answers(2)))


def test_suggestions_from_something_without_predict_proba_are_refused():
    with pytest.raises(ConfigError, match="has no predict_proba"):
        suggestions_from_estimator(object(), validate_answers(_answers(2)))


def test_filters_by_project_question_theme_and_uncoded(tmp_path):
    answers = validate_answers(_answers(6))
    store = CoderStore(tmp_path, "AS")
    store.tick("R0", Q1, "feeling_heard")
    store.set_status("R0", Q1, "done")
    store.tick("R3", Q2, "safe_spaces")

    def ids(filters, members=None):
        return [a.response_id for a in apply_filters(answers, filters, store, members)]

    assert ids(Filters()) == [f"R{i}" for i in range(6)]
    assert ids(Filters(project="P02")) == ["R3", "R4", "R5"]
    assert ids(Filters(question=Q2)) == ["R1", "R3", "R5"]
    assert ids(Filters(project="P01", question=Q1)) == ["R0", "R2"]
    assert ids(Filters(theme="feeling_heard")) == ["R0"]
    assert ids(Filters(theme="respecting_valuing_knowledge"),
               {"respecting_valuing_knowledge", "feeling_heard", "jargon_language"}) == ["R0"]
    assert ids(Filters(uncoded_only=True)) == ["R1", "R2", "R3", "R4", "R5"]


def test_resume_at_first_unfinished_then_first_skipped(tmp_path):
    answers = validate_answers(_answers(4))
    store = CoderStore(tmp_path, "AS")
    assert resume_index(answers, store) == 0
    store.set_status("R0", Q1, "done")
    store.set_status("R1", Q2, "skipped")
    store.tick("R2", Q1, "feeling_heard")  # ticked but not finished
    assert resume_index(answers, store) == 2
    store.set_status("R2", Q1, "done")
    store.set_status("R3", Q2, "done")
    assert resume_index(answers, store) == 1
    store.set_status("R1", Q2, "done")
    assert resume_index(answers, store) == 0


def test_progress_counts_done_answers_only(tmp_path):
    answers = validate_answers(_answers(4))
    store = CoderStore(tmp_path, "AS")
    store.set_status("R0", Q1, "done")
    store.set_status("R1", Q2, "skipped")
    store.tick("R2", Q1, "feeling_heard")
    assert progress(answers, store) == (1, 4)

"""'Most useful next' suggestions learnt from a coder's own finished answers."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from evalkit.panel.active import suggestions_from_own_codes
from evalkit.panel.store import CoderStore

Q = "What worked well?"
CODEBOOK = [
    SimpleNamespace(id="practical", name="Practical", parent=None, definition=""),
    SimpleNamespace(id="venue", name="Venue", parent="practical", definition="Getting in."),
    SimpleNamespace(id="heard", name="Heard", parent="practical", definition="Listened to."),
    SimpleNamespace(id="money", name="Money", parent="practical", definition="Never used here."),
]
VENUE = ["the venue had steps and no ramp", "no lift at the venue", "venue access was poor",
         "steps at the venue door", "the venue ramp was broken", "venue too far and no lift"]
HEARD = ["they listened to us properly", "we felt heard and listened to", "staff listened well",
         "our views were heard", "they really listened", "I felt heard in meetings"]
NEW = ["the venue lift was broken", "they listened to my ideas", "it was fine"]


def _answers():
    texts = VENUE + HEARD + NEW
    return pd.DataFrame({"response_id": [f"R{i:02d}" for i in range(len(texts))], "question": Q,
                         "project": "P01", "text": texts})


def _code_the_first_twelve(store_dir):
    store = CoderStore(store_dir, "AS")
    for i in range(12):
        store.tick(f"R{i:02d}", Q, "venue" if i < 6 else "heard")
        store.set_status(f"R{i:02d}", Q, "done")


def test_too_few_coded_answers_falls_back_with_a_reason(tmp_path):
    suggestions, note = suggestions_from_own_codes(_answers(), CODEBOOK, "AS", tmp_path)
    assert suggestions is None
    assert "code at least 10 first (you have 0)" in note


def test_learns_from_own_codes_and_scores_only_unfinished_answers(tmp_path):
    _code_the_first_twelve(tmp_path)
    CoderStore(tmp_path, "BT").tick("R12", Q, "money")  # another coder: never read
    suggestions, note = suggestions_from_own_codes(_answers(), CODEBOOK, "AS", tmp_path, seed=1)
    assert "trained on your 12 coded answers (2 themes)" in note
    assert sorted(set(suggestions["response_id"])) == ["R12", "R13", "R14"]
    assert set(suggestions["theme_id"]) == {"heard", "venue"}
    wide = suggestions.pivot(index="response_id", columns="theme_id", values="probability")
    assert wide.loc["R12", "venue"] > wide.loc["R12", "heard"]
    assert wide.loc["R13", "heard"] > wide.loc["R13", "venue"]
    again, _ = suggestions_from_own_codes(_answers(), CODEBOOK, "AS", tmp_path, seed=1)
    pd.testing.assert_frame_equal(suggestions, again)


def test_no_theme_used_often_enough_falls_back(tmp_path):
    store = CoderStore(tmp_path, "AS")
    for i in range(12):
        store.set_status(f"R{i:02d}", Q, "done")
    suggestions, note = suggestions_from_own_codes(_answers(), CODEBOOK, "AS", tmp_path)
    assert suggestions is None
    assert "No theme has been used" in note


class _Even:
    """A stand-in classifier: every theme at 0.5 for every text."""

    def fit(self, texts, y):
        self.columns_ = list(y.columns)
        return self

    def predict_proba(self, texts):
        return pd.DataFrame(0.5, index=range(len(texts)), columns=self.columns_)


def test_blank_answers_are_never_scored(tmp_path):
    _code_the_first_twelve(tmp_path)
    answers = _answers()
    answers.loc[13, "text"] = pd.NA
    answers.loc[14, "text"] = "  "
    suggestions, _ = suggestions_from_own_codes(answers, CODEBOOK, "AS", tmp_path, classifier=_Even())
    assert sorted(set(suggestions["response_id"])) == ["R12"]


def test_with_a_full_codebook_suggestions_start_from_the_codebook(tmp_path):
    from evalkit.coding.codebook import Codebook, Theme

    codebook = Codebook([
        Theme("practical", "Practical"),
        Theme("venue", "Venue access", parent="practical", definition="Getting into the building: steps, ramps, lifts.",
              examples=("There was no ramp at the door",)),
        Theme("heard", "Being heard", parent="practical", definition="Being listened to and taken seriously.",
              examples=("They really listened to us",)),
    ])
    suggestions, note = suggestions_from_own_codes(_answers(), codebook, "AS", tmp_path)
    assert "codebook's definitions and examples" in note
    wide = suggestions.pivot(index="response_id", columns="theme_id", values="probability")
    assert wide.loc["R12", "venue"] > wide.loc["R12", "heard"]      # "the venue lift was broken"
    assert wide.loc["R13", "heard"] > wide.loc["R13", "venue"]      # "they listened to my ideas"


def test_learning_estimate_cross_validates_on_own_codes():
    from evalkit.panel.active import learning_estimate

    texts = (VENUE + HEARD) * 5
    y = pd.DataFrame({"venue": [int(t in VENUE) for t in texts], "heard": [int(t in HEARD) for t in texts]})
    table, sentence = learning_estimate(texts, y, classifier=_Even())
    assert list(table["n_coded"]) == [15, 30, 60]
    assert sentence.startswith("By 3-fold cross-validation on your 60 coded answers")
    assert "macro-F1" in sentence

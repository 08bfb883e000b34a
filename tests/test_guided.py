"""``evalkit.coding.guided``: coding from the codebook alone, then from people's codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from evalkit.coding.codebook import Codebook, Theme
from evalkit.coding.guided import CodebookCoder, blend, doc_codes, theme_texts

CODEBOOK = Codebook([
    Theme("practical", "Practicalities"),
    Theme("venue", "Venue and travel", parent="practical",
          definition="Getting to and into the place: buildings, steps, ramps, lifts, parking, buses.",
          use_when="the building\nparking", examples=("There was no ramp at the door",),
          patterns=("ramp", "car park")),
    Theme("heard", "Being heard", parent="practical",
          definition="Being listened to, understood and taken seriously.",
          examples=("They really listened to what we said",), patterns=("listened",)),
    Theme("food", "Food and drink", parent="practical", definition="Meals, snacks and drinks.",
          examples=("The sandwiches were lovely",)),
])
BACKGROUND = ["the lift was broken", "nobody listened to me", "lunch was cold", "great day",
              "parking was impossible", "they took my ideas seriously", "tea and cake", "ok"]


@pytest.fixture(scope="module")
def coder():
    return CodebookCoder(CODEBOOK).fit(background=BACKGROUND)


def test_theme_texts_split_guidance_lines():
    kinds = [k for k, _ in theme_texts(CODEBOOK["venue"])]
    assert kinds == ["definition", "use_when", "use_when", "example"]


def test_codes_from_the_codebook_alone(coder):
    pred = pd.DataFrame(coder.predict(["The car park was full", "Staff listened to every word",
                                       "Sandwiches and coffee were great", ""]), columns=coder.classes_)
    assert list(coder.classes_) == ["venue", "heard", "food"]
    assert pred.loc[0, "venue"] == 1 and pred.loc[1, "heard"] == 1 and pred.loc[2, "food"] == 1
    assert not pred.loc[3].any()                                   # an empty answer gets no theme


def test_single_label_returns_theme_ids():
    single = CodebookCoder(CODEBOOK, multilabel=False).fit(background=BACKGROUND)
    assert list(single.predict(["no ramp and no lift", ""])) == ["venue", ""]
    proba = single.predict_proba(["no ramp and no lift"])
    assert proba.shape == (1, 3) and abs(proba.sum() - 1) < 1e-9


def test_explanations_name_the_nearest_text_and_the_trigger_words(coder):
    table = coder.explain(["There was no ramp, so I used the car park lift"])
    venue = table[table["theme_id"] == "venue"].iloc[0]
    assert venue["nearest"] == "There was no ramp at the door" and venue["nearest_kind"] == "example"
    assert "ramp" in venue["trigger_words"] and "car park" in venue["trigger_words"]
    codes = coder.code(["There was no ramp"], response_ids=["R1"])
    assert list(codes.columns) == ["response_id", "theme_id", "source", "score", "evidence"]
    assert codes["source"].eq("codebook").all() and 'like: "' in codes["evidence"].iloc[0]
    assert list(doc_codes(coder, ["", "There was no ramp"])["doc"]) == [1] * len(codes)


def test_coded_answers_become_examples_without_refitting():
    coder = CodebookCoder(CODEBOOK, min_examples_to_tune=5).fit(background=BACKGROUND)
    vectors = coder.proto_vectors_
    texts = ["the minibus driver was late", "the taxi got lost", "the coach never came",
             "our bus broke down", "the minibus was late again", "taxi driver was rude",
             "biscuits ran out", "the soup was cold", "no vegetarian option", "coffee was weak",
             "lunch came late", "cakes were stale"]
    y = pd.DataFrame({"venue": [1] * 6 + [0] * 6, "heard": [0] * 12, "food": [0] * 6 + [1] * 6})
    before = coder.decision_function(["the minibus driver got lost"])[0]
    coder.add_examples(texts, y)
    after = coder.decision_function(["the minibus driver got lost"])[0]
    assert coder.proto_vectors_ is vectors and coder.n_examples_.tolist() == [6, 0, 6]
    assert after[0] - after[1:].max() > before[0] - before[1:].max()
    pred, truth = coder.cross_validated_predictions()
    assert pred.shape == truth.shape == (12, 3)


def test_labels_may_be_theme_names_and_unknown_ones_are_ignored():
    coder = CodebookCoder(CODEBOOK, multilabel=False).fit(
        ["no ramp", "they listened", "???"], np.array(["Venue and travel", "heard", "Not a theme"], dtype=object),
        background=BACKGROUND)
    assert coder.n_examples_.tolist() == [1, 1, 0]


def test_parameters_are_scikit_learn_style():
    coder = CodebookCoder(CODEBOOK, threshold=2.0, rule_weight=0.0)
    assert clone(coder).get_params()["threshold"] == 2.0
    with pytest.raises(ValueError, match="themes_per_answer"):
        CodebookCoder(CODEBOOK, themes_per_answer=0.5).fit(background=BACKGROUND)


def test_blend_leans_on_the_classifier_only_for_themes_it_has_seen():
    class Classifier:
        multilabel_ = True
        theme_ids_ = np.array(["food", "venue", "heard"], dtype=object)
        classes_ = theme_ids_
        thresholds_ = np.array([0.5, 0.5, 0.5])

    coder = CodebookCoder(CODEBOOK).fit(background=BACKGROUND)
    coder.n_examples_ = np.array([1000, 0, 0])          # many venue examples, none of the others
    p_coder = np.array([[0.2, 0.9, 0.1]])                # the codebook says heard
    p_clf = np.array([[0.0, 0.9, 0.0]])                  # food, venue, heard: the classifier says venue
    out = blend(coder, p_coder, Classifier(), p_clf, 1000)
    assert out.tolist() == [[1, 1, 0]]

"""VADER sentiment, checked against the reference implementation and its published examples."""
from __future__ import annotations

import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as ReferenceVader

from evalkit.coding.sentiment import SentimentCoder, label, sentence_sentiment, sentiment_scores

# The example sentences and the compound scores printed under "Output for the above example
# code" in the README of cjhutto/vaderSentiment (README.rst, commit 0180de6). The emoji line is
# the exception: the README prints 0.7003 for a shorter sentence scored by an older release;
# vaderSentiment 3.3.2 (the installed reference) gives 0.875 for the listed sentence.
README_EXAMPLES = [
    ("VADER is smart, handsome, and funny.", 0.8316),
    ("VADER is smart, handsome, and funny!", 0.8439),
    ("VADER is very smart, handsome, and funny.", 0.8545),
    ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
    ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
    ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469),
    ("VADER is not smart, handsome, nor funny.", -0.7424),
    ("The book was good.", 0.4404),
    ("At least it isn't a horrible book.", 0.431),
    ("The book was only kind of good.", 0.3832),
    ("The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042),
    ("Today SUX!", -0.5461),
    ("Today only kinda sux! But I'll get by, lol", 0.5249),
    ("Make sure you :) or :D today!", 0.8633),
    ("Catch utf-8 emoji such as such as 💘 and 💋 and 😁", 0.875),
    ("Not bad at all", 0.431),
]


@pytest.mark.parametrize("text, compound", README_EXAMPLES)
def test_compound_matches_readme_and_reference(text, compound):
    got = sentiment_scores([text]).iloc[0]
    reference = ReferenceVader().polarity_scores(text)
    assert got["compound"] == compound == reference["compound"]


@pytest.mark.parametrize("text, _", [e for e in README_EXAMPLES if "isn't" not in e[0]])
def test_proportions_match_reference(text, _):
    got = sentiment_scores([text]).iloc[0]
    reference = ReferenceVader().polarity_scores(text)
    assert (got["pos"], got["neu"], got["neg"]) == (reference["pos"], reference["neu"], reference["neg"])


def test_contraction_proportions_follow_the_readme():
    # NLTK's port and vaderSentiment 3.3.2 split pos/neu differently for "isn't" (compound is
    # equal). evalkit (NLTK) reproduces the README's printed {'pos': 0.363, 'neu': 0.637}.
    got = sentiment_scores(["At least it isn't a horrible book."]).iloc[0]
    assert (got["pos"], got["neu"], got["neg"], got["compound"]) == (0.363, 0.637, 0.0, 0.431)


@pytest.mark.parametrize("compound, expected", [
    (0.05, "positive"), (0.0499, "neutral"), (-0.0499, "neutral"), (-0.05, "negative"), (0.0, "neutral"),
])
def test_label_thresholds(compound, expected):
    # VADER README: positive >= 0.05, neutral between, negative <= -0.05.
    assert label(compound) == expected


def test_table_shape_ids_and_missing_text():
    out = sentiment_scores(["The book was good.", None, "", "Today SUX!", "The book was good."], ["a", "b", "c", "d", "e"])
    assert list(out.columns) == ["response_id", "compound", "pos", "neu", "neg", "label"]
    assert list(out["response_id"]) == ["a", "b", "c", "d", "e"]
    assert list(out["label"]) == ["positive", "neutral", "neutral", "negative", "positive"]
    assert out.loc[1, "compound"] == 0.0
    assert sentiment_scores([]).empty


def test_sentence_level():
    text = "The book was good. The plot was good, but the characters are uncompelling and the dialog is not great."
    out = sentence_sentiment([text, "", "Today SUX!"], response_ids=["r1", "r2", "r3"])
    assert list(out["response_id"]) == ["r1", "r1", "r3"]
    assert list(out["sentence_index"]) == [0, 1, 0]
    assert list(out["compound"]) == [0.4404, -0.7042, -0.5461]
    assert list(out["label"]) == ["positive", "negative", "negative"]


def test_non_english_characters():
    out = sentiment_scores(["Diolch yn fawr ŵ", "Très bien 😁", "Grüße"])
    assert out.loc[1, "compound"] == ReferenceVader().polarity_scores("Très bien 😁")["compound"]
    assert list(out["label"]) == ["neutral", "positive", "neutral"]


def test_coder_rows():
    out = SentimentCoder().code(["The book was good.", "", "Today SUX!"], ["a", "b", "c"])
    assert list(out.columns) == ["response_id", "theme_id", "source", "score", "evidence"]
    assert list(out["response_id"]) == ["a", "c"]
    assert list(out["theme_id"]) == ["positive", "negative"]
    assert list(out["score"]) == [0.4404, -0.5461]
    assert out.loc[0, "evidence"] == "pos=0.492;neu=0.508;neg=0.000"
    assert set(out["source"]) == {"sentiment"}
    pd.testing.assert_frame_equal(out, SentimentCoder().code(["The book was good.", "", "Today SUX!"], ["a", "b", "c"]))

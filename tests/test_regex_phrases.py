"""``evalkit.coding._regex_phrases``: finite regular expressions as phrases, and anchor words."""
from __future__ import annotations

import re

import pytest

from evalkit.coding._regex_phrases import finite_phrases, first_words
from evalkit.coding.codebook import Codebook, Theme
from evalkit.coding.rules import RuleCoder


@pytest.mark.parametrize("pattern", [
    r"\b(?:felt|feel)\s+(?:really\s+)?heard\b",
    r"\b(?:didn'?t|did not)\s+understand\b",
    r"\b(?:sessions?|meetings?)\s+(?:were|was)\s+too\s+(?:long|short)\b",
])
def test_phrases_are_exactly_what_the_pattern_matches(pattern):
    phrases = finite_phrases(pattern)
    rx = re.compile(pattern, re.IGNORECASE)
    assert phrases and all(rx.fullmatch(p) for p in phrases)


@pytest.mark.parametrize("pattern", [r"\btransport\b[^.]{0,40}\blate\b", r"(?<=\bno )lifts?\b",
                                     r"\b\d+\s?hours?\b", r"\b(?:a\s+)*difference\b"])
def test_open_ended_patterns_are_left_alone(pattern):
    assert finite_phrases(pattern) is None


def test_anchor_words_need_whole_words():
    assert first_words(r"\b(?:taxis?|bus)\b[^.]{0,40}\blate\b") == ["taxi", "taxis", "bus"]
    assert first_words(r"\b(?:patronis|condescend)\w*\b[^.]{0,30}\bme\b") is None


def test_rule_coder_gives_the_same_codes_either_way():
    texts = ["I never felt really heard", "We felt heard at last", "heard it on the radio",
             "The taxi was late again", "the taxi driver, who was kind, came late", "late taxi"]
    as_regex = Codebook([Theme("heard", "Heard", patterns=(r"re:\b(?:felt|feel)\s+(?:really\s+)?heard\b",)),
                         Theme("taxi", "Taxi", patterns=(r"re:\btaxi\b[^.\n]{0,40}\blate\b",))])
    coded = RuleCoder(as_regex).code(texts)
    assert sorted(zip(coded["response_id"], coded["theme_id"], coded["negated"])) == [
        (0, "heard", True), (1, "heard", False), (3, "taxi", False), (4, "taxi", False)]

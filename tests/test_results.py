"""Table-valued statistics return results objects: named fields, summary(), summary_frame()."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from evalkit.reliability import ThemeReliabilityResult, theme_reliability
from evalkit.synthesis import LeaveOneOutResult, PairedEffectsResult, leave_one_out
from evalkit.synthesis.effect_sizes import paired_effects

CODES = pd.DataFrame({"response_id": [1, 1, 2, 3, 3, 4], "coder": ["ann", "bob", "ann", "ann", "bob", "bob"],
                      "theme_id": ["travel", "travel", "staff", "staff", "staff", "travel"]})
PAIRS = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "pre": [1, 2, 3, 4, 2, 3, 3, 5], "post": [2, 3, 5, 5, 3, 3, 4, 6]})


def _results():
    return [
        theme_reliability(CODES, n_boot=0),
        leave_one_out([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.015, 0.03], list("wxyz")),
        paired_effects(PAIRS, "pre", "post", "g"),
    ]


def test_types_and_named_fields():
    rel, loo, paired = _results()
    assert isinstance(rel, ThemeReliabilityResult) and (rel.n_boot, rel.seed, rel.ci_level) == (0, 0, 0.95)
    assert isinstance(loo, LeaveOneOutResult) and (loo.method, loo.knapp_hartung, loo.level) == ("REML", False, 0.95)
    assert isinstance(paired, PairedEffectsResult) and (paired.measure, paired.correct) == ("SMCR", True)
    assert rel.pooled["theme_id"] == "(all themes)" and list(rel.themes["theme_id"]) == ["staff", "travel"]


@pytest.mark.parametrize("index", range(3))
def test_summary_frame_is_a_copy_and_summary_names_the_settings(index):
    result = _results()[index]
    frame = result.summary_frame()
    assert isinstance(frame, pd.DataFrame)
    frame["added"] = 1
    assert "added" not in result.table.columns
    text = result.summary()
    assert text.startswith(result.title) and str(result) == text
    for name, value in result.settings().items():
        assert f"{name}={value!r}" in text
    assert "<caption>" in result._repr_html_()


@pytest.mark.parametrize("index", range(3))
def test_results_pickle(index):
    result = _results()[index]
    back = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(back.summary_frame(), result.summary_frame())
    assert back.settings() == result.settings()

"""The keyword rule coder and the cached text processing behind it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.coding.codebook import Codebook, Theme
from evalkit.coding.rules import RuleCoder
from evalkit.coding.text import ProcessedTexts, normalise_word, pattern_stems


@pytest.fixture(scope="module")
def coder():
    return RuleCoder("default")


def codes(coder, texts):
    out = coder.code(texts)
    return {(r.response_id, r.theme_id): r for r in out.itertuples(index=False)}


def test_tidy_columns_and_order(coder):
    out = coder.code(["We were paid on time.", "The venue had a lift."], response_ids=["r1", "r2"])
    assert list(out.columns) == ["response_id", "theme_id", "source", "score", "evidence", "negated"]
    assert set(out["source"]) == {"rules"}
    assert out.iloc[0]["response_id"] == "r1"
    assert ("r2", "accessibility_venue") in {(r.response_id, r.theme_id) for r in out.itertuples()}


def test_evidence_lists_the_trigger_words(coder):
    got = codes(coder, ["Too many acronyms and jargon, but the easy read version helped."])
    assert got[(0, "jargon_language")].evidence == "easy read; acronyms; jargon"  # regular expressions first


@pytest.mark.parametrize("text, theme, evidence, score", [
    ("The venue was not accessible.", "accessibility_venue", "venue", 1.0),
    ("We weren't paid.", "payment_recognition", "NOT paid", -1.0),
    ("I never felt listened to", "feeling_heard", "NOT listened to", -1.0),
    ("A meeting without any jargon", "jargon_language", "NOT jargon", -1.0),
    ("No jargon, they explained everything", "jargon_language", "NOT jargon; explained", 1.0),
    ("Not sure; the jargon was awful", "jargon_language", "jargon", 1.0),
    ("It was not the jargon but the pace", "jargon_language", "NOT jargon", -1.0),
])
def test_negation_keeps_the_code_and_marks_it(coder, text, theme, evidence, score):
    row = codes(coder, [text])[(0, theme)]
    assert row.evidence == evidence
    assert row.score == score
    assert row.negated is (score < 0)


def test_negation_scope_ends_at_clause_and_window(coder):
    got = codes(coder, ["Nothing to add but the venue was great",
                        "Not once in all those many long years did anyone mention the venue"])
    assert got[(0, "accessibility_venue")].evidence == "venue"
    assert got[(1, "accessibility_venue")].evidence == "venue"


@pytest.mark.parametrize("us, uk", [
    ("organized", "organised"), ("Organization", "organisation"), ("colors", "colours"),
    ("center", "centre"), ("analyze", "analyse"), ("traveled", "travelled"), ("program", "programme"),
    ("size", "size"), ("citizen", "citizen"), ("judgment", "judgement"),
])
def test_british_american_normalisation(us, uk):
    assert normalise_word(us) == uk


def test_american_text_matches_british_patterns(coder):
    got = codes(coder, ["It was so disorganized and badly organized.", "Poorly organised."])
    assert got[(0, "organisation_communication")].evidence == "disorganized; badly organized"
    assert got[(1, "organisation_communication")].evidence == "Poorly organised"


def test_hyphenated_and_spaced_spellings_match_the_same_pattern(coder):
    got = codes(coder, ["Step free access", "step-free access please"])
    assert "Step free" in got[(0, "accessibility_venue")].evidence
    assert "step free" in got[(1, "accessibility_venue")].evidence.replace("-", " ")


def test_regex_patterns():
    cb = Codebook([Theme("money", "Money", patterns=(r"re:£\s?\d+",))])
    got = codes(RuleCoder(cb), ["They gave us £25 each.", "We did not get £10"])
    assert got[(0, "money")].evidence == "£25" and got[(0, "money")].score == 1.0
    assert got[(1, "money")].evidence == "NOT £10" and got[(1, "money")].score == -1.0


def test_empty_missing_and_non_english_text(coder):
    texts = ["", None, np.nan, "   ", "Café in Caernarfon: Diolch yn fawr 😀 ŵ ü", "Zoom kept crashing 😡"]
    out = coder.code(texts)
    assert set(out["response_id"]) <= {4, 5}
    assert (5, "accessibility_online") in {(r.response_id, r.theme_id) for r in out.itertuples()}
    assert coder.code([]).empty


def test_identical_texts_are_processed_once_and_coded_per_row(coder):
    pt = ProcessedTexts(["Paid on time", "Lovely venue", "Paid on time"])
    assert len(pt.docs) == 2 and list(pt.row_doc) == [0, 1, 0]
    out = coder.code(pt, response_ids=["a", "b", "c"])
    paid = out[out["theme_id"] == "payment_recognition"]
    assert list(paid["response_id"]) == ["a", "c"]


def test_processed_texts_reused_after_codebook_edit():
    pt = ProcessedTexts(["Tea and biscuits were lovely", "More biscuits please"])
    before = RuleCoder(Codebook([Theme("food", "Food", patterns=("cake",))])).code(pt)
    after = RuleCoder(Codebook([Theme("food", "Food", patterns=("biscuit",))])).code(pt)
    assert before.empty
    assert list(after["evidence"]) == ["biscuits", "biscuits"]


def test_phrases_match_within_sentences_only():
    pt = ProcessedTexts(["It had a say. In the end", "We had a say in it"])
    assert pt.phrase_positions(pattern_stems("say in")).tolist() == [pt.token_doc.tolist().index(1) + 3]


def test_rollup_adds_ancestors():
    cb = Codebook([Theme("p", "P"), Theme("c", "C", parent="p", patterns=("bus",))])
    out = RuleCoder(cb, rollup=True).code(["bus"])
    assert list(out["theme_id"]) == ["p", "c"]


def test_deterministic(coder):
    texts = ["We were not paid; the venue was far.", "Loved the team, so friendly"] * 3
    a, b = coder.code(texts), coder.code(texts)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_csv(index=False) == b.to_csv(index=False)


def test_quality_benchmark_scores_match_sklearn():
    # Per-theme precision/recall/F1 of benchmarks.rules_quality against scikit-learn's
    # precision_recall_fscore_support on the same 0/1 indicator matrix (the reference).
    from sklearn.metrics import precision_recall_fscore_support

    from benchmarks.rules_quality import rule_table

    answers = pd.DataFrame({
        "source": "s", "response_id": ["1", "2", "3", "4"], "column": "c",
        "text": ["The venue had no lift", "We were paid late", "Zoom kept crashing", "Paid for the bus"],
    })
    truth = pd.DataFrame({"source": "s", "response_id": ["1", "2", "3", "3"], "column": "c",
                          "theme_id": ["accessibility_venue", "payment_recognition", "accessibility_online",
                                       "payment_recognition"]})
    table = rule_table(answers, truth).set_index("theme_id")
    coded = RuleCoder().code(answers["text"].tolist())
    themes = ["accessibility_venue", "payment_recognition", "accessibility_online"]
    y_pred = np.array([[((coded["response_id"] == i) & (coded["theme_id"] == t)).any() for t in themes] for i in range(4)])
    y_true = np.array([[((truth["response_id"] == str(i + 1)) & (truth["theme_id"] == t)).any() for t in themes]
                       for i in range(4)])
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=np.nan)
    np.testing.assert_allclose(table.loc[themes, "precision"], p.round(3))
    np.testing.assert_allclose(table.loc[themes, "recall"], r.round(3))
    np.testing.assert_allclose(table.loc[themes, "f1"], f.round(3))
    leaves = RuleCoder().codebook.leaves()
    y_pred_all = np.array([[((coded["response_id"] == i) & (coded["theme_id"] == t)).any() for t in leaves] for i in range(4)])
    y_true_all = np.array([[((truth["response_id"] == str(i + 1)) & (truth["theme_id"] == t)).any() for t in leaves]
                           for i in range(4)])
    micro = precision_recall_fscore_support(y_true_all, y_pred_all, average="micro")
    np.testing.assert_allclose(table.loc["(micro average)", ["precision", "recall", "f1"]].astype(float),
                               np.round(micro[:3], 3))


@pytest.mark.parametrize("text, theme", [
    ("Male staff pay lots of attention to detail.", "payment_recognition"),
    ("I was referred to the memory clinic.", "payment_recognition"),
    ("My carer came with me to the appointment.", "diversity_of_voices"),
    ("Check my records before asking me again.", "accessibility_online"),
    ("The building work was noisy.", "accessibility_venue"),
    ("Staff were respectful and kind.", "feeling_heard"),
])
def test_real_feedback_misfires_are_gone(coder, text, theme):
    """Single stems that misfired on NHS comments (issue 14) now need their context."""
    assert (0, theme) not in codes(coder, [text])


@pytest.mark.parametrize("text, theme", [
    ("We were paid for our time.", "payment_recognition"),
    ("Carers were missing from the group.", "diversity_of_voices"),
    ("The video call kept dropping out.", "accessibility_online"),
    ("There was nowhere to park.", "accessibility_venue"),
    ("I felt listened to.", "feeling_heard"),
])
def test_context_patterns_still_code_the_theme(coder, text, theme):
    assert (0, theme) in codes(coder, [text])

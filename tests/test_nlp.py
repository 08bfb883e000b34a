"""NLTK works offline from installed packages."""
import nltk

from evalkit import nlp


def test_vader_lexicon_comes_from_the_vadersentiment_wheel(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_NLTK_DATA", str(tmp_path))
    nlp.ensure_nltk_data.cache_clear()
    try:
        root = nlp.ensure_nltk_data()
        assert root == tmp_path
        assert (tmp_path / "sentiment" / "vader_lexicon.zip").exists()
        assert str(tmp_path) in nltk.data.path
        # VADER README example: "VADER is smart, handsome, and funny." compound 0.8316
        score = nlp.vader().polarity_scores("VADER is smart, handsome, and funny.")
        assert round(score["compound"], 4) == 0.8316
    finally:
        nlp.ensure_nltk_data.cache_clear()
        nltk.data.path.remove(str(tmp_path))


def test_tokenise_and_stem_without_punkt_data():
    assert nlp.sent_tokenize("The venue wasn't accessible. Tea was lovely!") == [
        "The venue wasn't accessible.", "Tea was lovely!"]
    assert nlp.word_tokenize("wasn't accessible") == ["was", "n't", "accessible"]
    assert nlp.stemmer().stem("organising") == nlp.stemmer().stem("organised")


def test_stopwords_read_through_nltk_corpus_reader():
    words = nlp.stopwords()
    assert {"the", "and", "of"} <= words

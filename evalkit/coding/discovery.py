"""Theme discovery: candidate themes from TF-IDF + NMF, with readable terms and stability.

By default each sentence is one document, since feedback answers often raise several themes
in different sentences. Text is tokenised with the same pipeline as the rule coder
(:mod:`evalkit.coding.text`): stop words and very short tokens dropped, words Snowball-stemmed
so "listen", "listened" and "listening" count together. Each stem is displayed as its most frequent written form, so top
terms are whole words ("listened", not "listen" or "listen_"). Adjacent content words also form
two-word terms ("easy read").

The main fit uses NMF with ``init="nndsvda"`` (deterministic). Stability refits the model from
``n_stability_runs`` random starts (``init="random"``, seeds ``seed, seed+1, ...``), pairs each
run's topics with the main topics by maximum total cosine similarity of their term vectors
(Hungarian assignment) and averages the matched similarities: 1.0 means every restart finds
the same candidate themes.
"""
from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from evalkit import nlp
from evalkit.coding.codebook import Codebook, Theme, load_codebook
from evalkit.coding.text import ProcessedTexts
from evalkit.errors import ConfigError

_EXTRA_STOP = frozenset({"really", "just", "would", "could", "also", "lot", "bit", "thing", "things",
                         "get", "got", "like", "think", "feel", "felt", "make", "made", "way", "good",
                         "great", "nothing", "everything", "time", "much", "many", "well", "yes",
                         "hope", "useful", "thanks", "thank", "honestly", "overall", "personally",
                         "maybe", "definitely", "probably", "mainly", "sorry", "okay", "lol"})


@dataclass(frozen=True)
class Candidate:
    """One candidate theme found by discovery.

    Attributes
    ----------
    index : int
        Position among the fitted topics.
    terms : tuple of str
        Top terms, whole words, most important first.
    weights : tuple of float
        NMF weight of each term.
    representative : tuple of str
        The sentences (or answers, with ``unit="answer"``) that express it most strongly.
    share : float
        Fraction of non-empty units (sentences or answers) whose strongest candidate this is.
    stability : float
        Mean matched cosine similarity of this topic across random restarts (0-1).
    """

    index: int
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    representative: tuple[str, ...]
    share: float
    stability: float

    @property
    def label(self) -> str:
        """The first three terms joined with slashes, as a working title."""
        return " / ".join(self.terms[:3])


def _identity(tokens):
    """Analyzer for pre-tokenised documents."""
    return tokens


def _documents(pt: ProcessedTexts, stop: frozenset[str], unit: str = "answer"):
    """Per unit (distinct answer or sentence): stem terms (unigrams, adjacent bigrams); surface counts."""
    inv_vocab = np.empty(len(pt.vocab), dtype=object)
    for stem, sid in pt.vocab.items():
        inv_vocab[sid] = stem
    surface_counts: dict[str, Counter] = defaultdict(Counter)
    by_sentence = unit == "sentence"
    docs: list[list[str]] = [[] for _ in (pt.sentences if by_sentence else pt.docs)]
    prev_doc, prev_sent, prev_stem = -1, -1, None
    for pos in range(len(pt.stems)):
        word = pt.surface[pos].lower()
        stem = inv_vocab[pt.stems[pos]]
        doc, sent = pt.token_doc[pos], pt.token_sentence[pos]
        keep = len(word) > 2 and word.isalpha() and word not in stop and stem not in stop
        if keep:
            target = docs[sent if by_sentence else doc]
            surface_counts[stem][word] += 1
            target.append(stem)
            if prev_stem is not None and prev_doc == doc and prev_sent == sent:
                target.append(f"{prev_stem} {stem}")
        prev_stem = stem if keep else None
        prev_doc, prev_sent = doc, sent
    return docs, surface_counts


def _readable(term: str, surface_counts) -> str:
    """Most frequent written form of a stem (or of each stem of a two-word term)."""
    return " ".join(min(surface_counts[s].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                    for s in term.split(" "))


def _max_by_doc(W: np.ndarray, unit_doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Row-wise maximum of unit weights per answer (answers without units get zeros)."""
    out = np.zeros((n_docs, W.shape[1]))
    if len(unit_doc):
        np.maximum.at(out, unit_doc, W)
    return out


def _match_similarity(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Cosine similarity of each reference topic to its Hungarian-matched topic in ``other``."""
    def unit(m):
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(norms == 0, 1, norms)
    sim = unit(reference) @ unit(other).T
    rows, cols = linear_sum_assignment(-sim)
    out = np.zeros(reference.shape[0])
    out[rows] = sim[rows, cols]
    return out


class ThemeDiscovery(TransformerMixin, BaseEstimator):
    """Find candidate themes in free text with TF-IDF and non-negative matrix factorisation.

    Parameters
    ----------
    n_themes : int, default 8
        Number of candidate themes (NMF components).
    unit : {"sentence", "answer"}, default "sentence"
        What NMF sees as one document. Feedback answers often touch several themes in
        different sentences, so by default each sentence is a document; an answer then
        carries every candidate that is the strongest in one of its sentences, and
        representative quotes are sentences. ``"answer"`` treats each whole answer as one.
    random_state : int, default 0
        Seed for the stability restarts (the main fit is deterministic).
    n_top_terms : int, default 10
        Terms kept per candidate.
    n_representative : int, default 3
        Answers kept per candidate.
    n_stability_runs : int, default 5
        Random restarts used for the stability score (0 skips it; stability is then NaN).
    min_df : int, default 2
        Ignore terms in fewer answers than this.
    max_df : float, default 0.9
        Ignore terms in more than this fraction of answers.
    max_features : int, default 5000
        Largest vocabulary kept (by frequency).
    bigrams : bool, default True
        Also use two-word terms made of adjacent content words.
    extra_stop_words : iterable of str, optional
        Words to ignore besides English stop words and common filler ("really", "good", ...).
    max_iter : int, default 400
        NMF iterations.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    nmf_ : NMF
    terms_ : numpy.ndarray of str
        Readable form of each feature.
    components_ : numpy.ndarray, shape (n_themes, n_terms)
    candidates_ : list of Candidate
    stability_ : float
        Mean of the candidates' stability.
    reconstruction_err_ : float
        Frobenius error of the main fit relative to the norm of the TF-IDF matrix.
    n_iter_ : int
        Iterations the main NMF fit ran.

    See Also
    --------
    suggest_k : compare several numbers of themes.
    promote : add a candidate to a codebook.

    Examples
    --------
    >>> answers = ["the bus was late and the bus was full", "no bus at night, the bus stop is far",
    ...            "the staff were kind and the staff listened", "kind staff who listened",
    ...            "the bus driver was rude", "staff listened to us"]
    >>> discovery = ThemeDiscovery(n_themes=2, n_stability_runs=0, random_state=0).fit(answers)
    >>> discovery.candidates_frame()[["candidate", "label"]]
       candidate                    label
    0          0                      bus
    1          1  staff / listened / kind
    """

    def __init__(self, *, n_themes=8, unit="sentence", random_state=0, n_top_terms=10, n_representative=3,
                 n_stability_runs=5, min_df=2, max_df=0.9, max_features=5000, bigrams=True, extra_stop_words=None,
                 max_iter=400):
        self.n_themes = n_themes
        self.unit = unit
        self.random_state = random_state
        self.n_top_terms = n_top_terms
        self.n_representative = n_representative
        self.n_stability_runs = n_stability_runs
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.bigrams = bigrams
        self.extra_stop_words = extra_stop_words
        self.max_iter = max_iter

    def _stop(self) -> frozenset[str]:
        """Stop words: English, filler, and the user's extras (also as stems)."""
        words = set(nlp.stopwords()) | _EXTRA_STOP | {w.lower() for w in (self.extra_stop_words or ())}
        stemmer = nlp.stemmer()
        return frozenset(words | {stemmer.stem(w) for w in words})

    def _tokens(self, texts):
        """Processed texts, per-distinct-answer terms, and surface counts."""
        if self.unit not in ("sentence", "answer"):
            raise ConfigError(f"unit must be 'sentence' or 'answer' (got {self.unit!r}).")
        pt = texts if isinstance(texts, ProcessedTexts) else ProcessedTexts(texts)
        docs, surface = _documents(pt, self._stop(), self.unit)
        if not self.bigrams:
            docs = [[t for t in d if " " not in t] for d in docs]
        return pt, docs, surface

    def _nmf(self, init: str, seed: int) -> NMF:
        """An unfitted NMF with this estimator's settings."""
        return NMF(n_components=self.n_themes, init=init, random_state=seed, max_iter=self.max_iter)

    def fit(self, texts, y=None):
        """Fit candidate themes.

        Parameters
        ----------
        texts : sequence of str or ProcessedTexts
            Answers (identical answers count once).
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ConfigError
            If there are fewer distinct non-empty answers or usable terms than ``n_themes``.
        """
        if int(self.n_themes) < 1:
            raise ConfigError(f"n_themes must be at least 1 (got {self.n_themes}).")
        pt, docs, surface = self._tokens(texts)
        keep = np.array([bool(d) for d in docs], dtype=bool)
        kept_docs = [d for d in docs if d]
        if len(kept_docs) < self.n_themes:
            raise ConfigError(
                f"theme discovery needs at least n_themes={self.n_themes} distinct {self.unit}s "
                f"with content words; got {len(kept_docs)}. Use fewer themes or more answers."
            )
        self.vectorizer_ = TfidfVectorizer(analyzer=_identity, min_df=min(self.min_df, len(kept_docs)),
                                           max_df=self.max_df, max_features=self.max_features,
                                           sublinear_tf=True)
        X = self.vectorizer_.fit_transform(kept_docs)
        if X.shape[1] < self.n_themes:
            raise ConfigError(
                f"only {X.shape[1]} terms survive min_df={self.min_df}/max_df={self.max_df}; "
                f"lower min_df or n_themes={self.n_themes}."
            )
        features = self.vectorizer_.get_feature_names_out()
        self.terms_ = np.array([_readable(t, surface) for t in features], dtype=object)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.nmf_ = self._nmf("nndsvda", self.random_state)
            W = self.nmf_.fit_transform(X)
            runs = []
            for i in range(self.n_stability_runs):
                H = self._nmf("random", self.random_state + i).fit(X).components_
                runs.append(_match_similarity(self.nmf_.components_, H))
        self.components_ = self.nmf_.components_
        self.n_iter_ = self.nmf_.n_iter_
        self.reconstruction_err_ = float(self.nmf_.reconstruction_err_ / max(np.sqrt(X.multiply(X).sum()), 1e-12))
        per_topic = np.mean(runs, axis=0) if runs else np.full(self.n_themes, np.nan)
        self.stability_ = float(np.mean(per_topic))
        doc_texts = np.asarray(pt.sentences if self.unit == "sentence" else pt.docs, dtype=object)[keep]
        dominant = W.argmax(axis=1)
        shares = np.bincount(dominant, minlength=self.n_themes) / len(kept_docs)
        candidates = []
        for k in range(self.n_themes):
            order = np.argsort(-self.components_[k], kind="stable")[: self.n_top_terms]
            order = order[self.components_[k][order] > 0]
            mine = np.flatnonzero(dominant == k)
            best = mine[np.argsort(-W[mine, k], kind="stable")][: self.n_representative]
            candidates.append(Candidate(
                index=k,
                terms=tuple(self.terms_[order]),
                weights=tuple(float(round(w, 6)) for w in self.components_[k][order]),
                representative=tuple(doc_texts[best]),
                share=float(shares[k]),
                stability=float(per_topic[k]),
            ))
        self.candidates_ = candidates
        return self

    def transform(self, texts) -> np.ndarray:
        """Return each answer's weight on each candidate theme.

        Parameters
        ----------
        texts : sequence of str or ProcessedTexts

        Returns
        -------
        numpy.ndarray, shape (n_answers, n_themes)
            NMF document weights (rows of empty answers are zero).
        """
        pt, W = self._unit_weights(texts)
        if self.unit == "sentence":
            W = _max_by_doc(W, pt.sentence_doc, len(pt.docs))
        return W[pt.row_doc]

    def _unit_weights(self, texts):
        """Processed texts and the NMF weights of each unit (sentence or distinct answer)."""
        check_is_fitted(self, "nmf_")
        pt, docs, _ = self._tokens(texts)
        X = self.vectorizer_.transform(docs)
        return pt, self.nmf_.transform(X)

    def code(self, texts, response_ids=None) -> pd.DataFrame:
        """Code answers with the candidate themes, in the tidy coder format.

        Parameters
        ----------
        texts : sequence of str or ProcessedTexts
        response_ids : sequence, optional
            One id per answer (default 0, 1, 2, ...).

        Returns
        -------
        pandas.DataFrame
            ``response_id, theme_id, source, score, evidence``: one row per answer and
            candidate that is the strongest in at least one unit (sentence or answer) of the
            answer; ``theme_id`` is ``candidate_<index>``, ``source`` ``"discovery"``,
            ``score`` the largest unit weight, ``evidence`` the candidate's label.
        """
        from evalkit.coding.rules import expand_to_rows

        pt, W = self._unit_weights(texts)
        has = W.sum(axis=1) > 0
        owner = pt.sentence_doc if self.unit == "sentence" else np.arange(len(pt.docs))
        pairs = pd.DataFrame({"doc": owner[has], "candidate": W[has].argmax(axis=1),
                              "score": W[has].max(axis=1)})
        per_doc = pairs.groupby(["doc", "candidate"], sort=True)["score"].max().reset_index()
        per_doc["theme_id"] = "candidate_" + per_doc["candidate"].astype(str)
        per_doc["score"] = per_doc["score"].round(6)
        per_doc["evidence"] = [self.candidates_[c].label for c in per_doc["candidate"]]
        ids = np.arange(pt.n_rows) if response_ids is None else np.asarray(response_ids, dtype=object)
        return expand_to_rows(per_doc, pt.row_doc, ids, source="discovery")

    def candidates_frame(self) -> pd.DataFrame:
        """Return the candidates as a table: candidate, label, terms, share, stability, example."""
        check_is_fitted(self, "candidates_")
        return pd.DataFrame([{
            "candidate": c.index, "label": c.label, "terms": ", ".join(c.terms),
            "share": round(c.share, 4), "stability": round(c.stability, 4),
            "example": c.representative[0] if c.representative else "",
        } for c in self.candidates_])

    def _repr_html_(self) -> str:
        if not hasattr(self, "candidates_"):
            return f"<pre>{self!r} (not fitted)</pre>"
        caption = (f"{self.n_themes} candidate themes (stability {self.stability_:.2f} across "
                   f"{self.n_stability_runs} restarts)")
        return self.candidates_frame().to_html(index=False, escape=True).replace(
            "<thead>", f"<caption>{caption}</caption><thead>", 1)

    def promote(self, candidate, codebook, id, name, parent=None, n_patterns=8) -> Codebook:
        """Add fitted candidate ``candidate`` (its index) to ``codebook``; see :func:`promote`."""
        check_is_fitted(self, "candidates_")
        return promote(self.candidates_[int(candidate)], codebook, id, name, parent=parent,
                       n_patterns=n_patterns)


def promote(candidate: Candidate, codebook, id: str, name: str, parent: str | None = None,
            n_patterns: int = 8) -> Codebook:
    """Return a new codebook with a discovered candidate added as a theme.

    Parameters
    ----------
    candidate : Candidate
        From ``ThemeDiscovery.candidates_``.
    codebook : Codebook, path or "default"
        The codebook to extend (not modified).
    id, name : str
        The new theme's id and name.
    parent : str, optional
        Id of an existing theme to nest it under.
    n_patterns : int, default 8
        How many top terms become keyword patterns.

    Returns
    -------
    Codebook
        With the new theme: patterns = top terms, examples = representative answers, and a
        definition to be rewritten in plain language by the team.

    Raises
    ------
    CodebookError
        If ``id`` already exists or ``parent`` is unknown.
    """
    cb = load_codebook(codebook)
    theme = Theme(
        id=id, name=name, parent=parent,
        definition=f"Candidate theme from discovery (terms: {', '.join(candidate.terms[:5])}). "
                   f"Rewrite this definition in plain language.",
        examples=tuple(candidate.representative),
        patterns=tuple(dict.fromkeys(candidate.terms[:n_patterns])),
    )
    return cb.with_theme(theme)


def _umass(X_bin, top: np.ndarray) -> float:
    """UMass coherence (Mimno et al. 2011) of one topic's top terms on binary document-term data."""
    cols = X_bin[:, top].toarray()
    df = cols.sum(axis=0)
    co = cols.T @ cols
    score, pairs = 0.0, 0
    for i in range(1, len(top)):
        for j in range(i):
            if df[j] > 0:
                score += np.log((co[i, j] + 1.0) / df[j])
                pairs += 1
    return score / pairs if pairs else float("nan")


def suggest_k(texts, ks=range(3, 13), random_state=0, n_stability_runs=3, **params) -> pd.DataFrame:
    """Fit discovery for several numbers of themes and tabulate quality measures.

    Parameters
    ----------
    texts : sequence of str or ProcessedTexts
        Answers (tokenised once and reused for every k).
    ks : iterable of int
        Candidate numbers of themes.
    random_state : int
        Seed for stability restarts.
    n_stability_runs : int
        Restarts per k.
    **params
        Other :class:`ThemeDiscovery` parameters.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``stability`` (mean matched cosine across restarts; higher is
        steadier), ``min_stability`` (least stable candidate), ``coherence`` (mean UMass
        coherence of top terms; closer to 0 is more coherent), ``reconstruction_error``
        (relative; falls as k grows). Prefer the largest k before stability drops.
    """
    pt = texts if isinstance(texts, ProcessedTexts) else ProcessedTexts(texts)
    rows = []
    for k in ks:
        disc = ThemeDiscovery(n_themes=k, random_state=random_state, n_stability_runs=n_stability_runs, **params).fit(pt)
        _, docs, _ = disc._tokens(pt)  # same units as the fit
        X_bin = (disc.vectorizer_.transform([d for d in docs if d]) > 0).astype(np.float64).tocsc()
        coherence = [
            _umass(X_bin, np.argsort(-disc.components_[i], kind="stable")[: disc.n_top_terms])
            for i in range(k)
        ]
        rows.append({
            "k": k,
            "stability": round(disc.stability_, 4),
            "min_stability": round(min(c.stability for c in disc.candidates_), 4),
            "coherence": round(float(np.nanmean(coherence)), 4),
            "reconstruction_error": round(disc.reconstruction_err_, 4),
        })
    return pd.DataFrame(rows)

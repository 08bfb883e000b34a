"""Tokenised, normalised and stemmed text, built once and reused by every rule run.

:class:`ProcessedTexts` splits answers into sentences and words with :mod:`evalkit.nlp`,
normalises British/American spelling, stems with Snowball and records, for every word token,
its answer, sentence, clause and whether a negation cue precedes it. An inverted index
(stem -> token positions) means that re-running rules after a codebook edit only looks up
pattern stems; nothing is tokenised again. Identical answers are processed once.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from evalkit import nlp

NEGATION_CUES = frozenset({
    "not", "n't", "no", "never", "without", "nobody", "nothing", "none", "neither", "nor",
    "cannot", "lack", "lacked", "lacking", "lacks", "hardly", "barely", "nowhere",
    "dont", "didnt", "doesnt", "wasnt", "werent", "isnt", "arent", "cant", "couldnt", "wont",
    "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint",
})
"""Words that negate what follows them in the same clause."""

CLAUSE_BREAKS = frozenset({
    ",", ";", ":", "(", ")", "-", "--", "–", "—", "!", "?", ".", "...",
    "but", "however", "although", "though", "whereas", "yet", "except", "apart", "still",
})
"""Tokens that end a negation's scope."""

NEGATION_WINDOW = 6
"""A word is negated when a cue occurs at most this many word tokens before it, in its clause."""

US_TO_UK = {
    "color": "colour", "colors": "colours", "colored": "coloured", "colorful": "colourful",
    "behavior": "behaviour", "behaviors": "behaviours", "behavioral": "behavioural",
    "favor": "favour", "favors": "favours", "favorite": "favourite", "favorable": "favourable",
    "honor": "honour", "honored": "honoured", "labor": "labour", "neighbor": "neighbour",
    "neighbors": "neighbours", "neighborhood": "neighbourhood", "humor": "humour",
    "rumor": "rumour", "flavor": "flavour", "harbor": "harbour", "endeavor": "endeavour",
    "center": "centre", "centers": "centres", "centered": "centred", "theater": "theatre",
    "fiber": "fibre", "liter": "litre", "program": "programme", "programs": "programmes",
    "catalog": "catalogue", "dialog": "dialogue", "defense": "defence", "offense": "offence",
    "license": "licence", "practise": "practice", "practised": "practiced",
    "traveled": "travelled", "traveling": "travelling", "traveler": "traveller",
    "travelers": "travellers", "canceled": "cancelled", "canceling": "cancelling",
    "labeled": "labelled", "labeling": "labelling", "modeled": "modelled", "modeling": "modelling",
    "fueled": "fuelled", "counselor": "counsellor", "counselors": "counsellors",
    "counseling": "counselling", "counseled": "counselled", "enroll": "enrol",
    "enrollment": "enrolment", "fulfill": "fulfil", "fulfillment": "fulfilment",
    "skillful": "skilful", "jewelry": "jewellery", "mom": "mum", "moms": "mums", "gray": "grey",
    "aging": "ageing", "pediatric": "paediatric", "pediatrician": "paediatrician",
    "anemia": "anaemia", "anesthetic": "anaesthetic", "orthopedic": "orthopaedic",
    "esthetic": "aesthetic", "maneuver": "manoeuvre", "judgment": "judgement",
    "judgments": "judgements", "acknowledgment": "acknowledgement", "tire": "tyre",
    "check": "check", "mold": "mould", "plow": "plough", "cozy": "cosy", "parlor": "parlour",
    "vapor": "vapour", "savior": "saviour", "glamor": "glamour", "rigor": "rigour",
    "vigor": "vigour", "odor": "odour", "armor": "armour", "tumor": "tumour",
    "esophagus": "oesophagus", "estrogen": "oestrogen", "diarrhea": "diarrhoea",
    "fetus": "foetus", "hemoglobin": "haemoglobin", "edema": "oedema",
    "leukemia": "leukaemia", "gynecology": "gynaecology", "hospitalization": "hospitalisation",
    "email": "email", "e-mail": "email", "okay": "ok", "wifi": "wi-fi",
}
"""American (and variant) spellings mapped to the British form evalkit matches on."""

_IZE_EXCEPTIONS = frozenset({"size", "sized", "sizes", "sizing", "prize", "prizes", "prized",
                             "seize", "seized", "seizes", "seizing", "capsize", "capsized", "maize",
                             "baize", "citizen", "citizens", "wizard", "bizarre", "ozone", "zzz"})
_IZE = re.compile(r"^([a-z]{2,})iz(e|ed|es|ing|ation|ations|ational|er|ers)$")
_YZE = re.compile(r"^([a-z]{2,})yz(e|ed|es|ing|er|ers)$")
_WORD = re.compile(r"[^\W_]", re.UNICODE)
_SKIP = frozenset({"'s", "'", "''", "``", "'re", "'ve", "'ll", "'d", "'m"})


@functools.lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """Return ``word`` lower-cased with American spelling mapped to British.

    Parameters
    ----------
    word : str
        One token, e.g. ``"Organized"`` or ``"colors"``.

    Returns
    -------
    str
        e.g. ``"organised"``, ``"colours"``; words without a known variant come back
        lower-cased.
    """
    w = word.lower().replace("\u2019", "'")
    if w in US_TO_UK:
        return US_TO_UK[w]
    if w in _IZE_EXCEPTIONS:
        return w
    m = _IZE.match(w)
    if m:
        return f"{m.group(1)}is{m.group(2)}"
    m = _YZE.match(w)
    if m:
        return f"{m.group(1)}ys{m.group(2)}"
    return w


@functools.lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Return the Snowball stem of the normalised ``word`` (``"n't"`` becomes ``"not"``)."""
    w = normalise_word(word)
    if w == "n't":
        return "not"
    return nlp.stemmer().stem(w)


def tokenize_words(sentence: str) -> list[str]:
    """Split one sentence into tokens (Treebank), splitting hyphenated words into parts.

    Parameters
    ----------
    sentence : str

    Returns
    -------
    list of str
        Word and punctuation tokens; ``"step-free"`` gives ``["step", "free"]`` so that
        hyphenated and spaced spellings match the same patterns (a dash standing alone stays
        a token and ends a negation's clause).
    """
    out: list[str] = []
    for tok in nlp._word_splitter().tokenize(sentence):
        if "-" in tok and len(tok) > 1 and tok.strip("-"):
            parts = [p for p in tok.split("-") if p]
            out.extend(parts)
        else:
            out.append(tok)
    return out


@functools.lru_cache(maxsize=50_000)
def pattern_stems(phrase: str) -> tuple[str, ...]:
    """Return the stems a plain keyword pattern is matched on (same pipeline as answers; cached)."""
    return tuple(stem_word(t) for t in tokenize_words(phrase) if _is_word(t))


def _is_word(tok: str) -> bool:
    """True for tokens that carry a word (letters or digits), not punctuation or clitics."""
    return tok not in _SKIP and bool(_WORD.search(tok))


def _clean(text) -> str:
    """Turn a cell value into text: missing values become empty strings."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    return str(text)


class ProcessedTexts:
    """Answers tokenised once, with an inverted index from stems to token positions.

    Parameters
    ----------
    texts : sequence of str
        The answers; missing values (None, NaN) count as empty answers. Identical answers
        are processed once (``row_doc`` maps each row to its unique answer).

    Attributes
    ----------
    n_rows : int
        Number of answers given.
    docs : list of str
        The distinct answers, in order of first appearance.
    row_doc : numpy.ndarray of int
        For each row, the index of its answer in ``docs``.
    sentences : list of str
        Every sentence of every distinct answer; ``sentence_doc`` gives its answer.
    stems, surface : numpy.ndarray
        Per word token: stem id (into ``vocab``) and the word as written.
    token_doc, token_sentence, negated : numpy.ndarray
        Per word token: its answer, its sentence, and whether a negation cue precedes it
        within its clause and ``NEGATION_WINDOW`` words.
    vocab : dict of str to int
        Stem -> stem id.
    """

    def __init__(self, texts):
        cleaned = [_clean(t) for t in texts]
        codes, uniques = pd.factorize(pd.Series(cleaned, dtype=object), sort=False)
        self.n_rows = len(cleaned)
        self.row_doc = np.asarray(codes, dtype=np.int64)
        self.docs = [str(u) for u in uniques]
        self.vocab: dict[str, int] = {}
        sentences, sentence_doc = [], []
        stems, surface, token_doc, token_sentence, negated = [], [], [], [], []
        for doc_id, text in enumerate(self.docs):
            for sentence in nlp.sent_tokenize(text) if text.strip() else []:
                sent_id = len(sentences)
                sentences.append(sentence)
                sentence_doc.append(doc_id)
                last_cue = None
                words_seen = 0
                for tok in tokenize_words(sentence):
                    low = tok.lower()
                    if low in CLAUSE_BREAKS:
                        last_cue = None
                        continue
                    if not _is_word(tok):
                        continue
                    stem = stem_word(tok)
                    words_seen += 1
                    stems.append(self.vocab.setdefault(stem, len(self.vocab)))
                    surface.append(tok)
                    token_doc.append(doc_id)
                    token_sentence.append(sent_id)
                    negated.append(last_cue is not None and words_seen - last_cue <= NEGATION_WINDOW)
                    if low in NEGATION_CUES or low.replace("'", "") in NEGATION_CUES or stem == "not":
                        last_cue = words_seen
        self.sentences = sentences
        self.sentence_doc = np.asarray(sentence_doc, dtype=np.int64)
        self.stems = np.asarray(stems, dtype=np.int64)
        self.surface = np.asarray(surface, dtype=object)
        self.token_doc = np.asarray(token_doc, dtype=np.int64)
        self.token_sentence = np.asarray(token_sentence, dtype=np.int64)
        self.negated = np.asarray(negated, dtype=bool)
        order = np.argsort(self.stems, kind="stable")
        bounds = np.searchsorted(self.stems[order], np.arange(len(self.vocab) + 1))
        self._index = {sid: order[bounds[sid]:bounds[sid + 1]] for sid in range(len(self.vocab))}

    def __len__(self) -> int:
        return self.n_rows

    def __repr__(self) -> str:
        return (f"ProcessedTexts(rows={self.n_rows}, distinct={len(self.docs)}, "
                f"sentences={len(self.sentences)}, tokens={len(self.stems)}, stems={len(self.vocab)})")

    def positions(self, stem: str) -> np.ndarray:
        """Return the token positions whose stem is ``stem`` (empty array if none)."""
        sid = self.vocab.get(stem)
        if sid is None:
            return np.empty(0, dtype=np.int64)
        return self._index[sid]

    def phrase_positions(self, stems) -> np.ndarray:
        """Return start positions where ``stems`` occur consecutively within one sentence.

        Parameters
        ----------
        stems : sequence of str
            Stems of a keyword pattern, as given by :func:`pattern_stems`.

        Returns
        -------
        numpy.ndarray of int
            Token positions of each match's first word, ascending.
        """
        if not stems:
            return np.empty(0, dtype=np.int64)
        ids = [self.vocab.get(s) for s in stems]
        if any(i is None for i in ids):
            return np.empty(0, dtype=np.int64)
        starts = self._index[ids[0]]
        n = len(self.stems)
        for k, sid in enumerate(ids[1:], start=1):
            nxt = starts + k
            ok = nxt < n
            starts, nxt = starts[ok], nxt[ok]
            keep = (self.stems[nxt] == sid) & (self.token_sentence[nxt] == self.token_sentence[starts])
            starts = starts[keep]
        return starts

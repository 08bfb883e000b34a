"""Keyword rule coder: codes answers with a codebook's patterns, with evidence and negation.

Negation choice: a match preceded within its clause (and at most ``NEGATION_WINDOW`` words)
by a cue such as *not*, *n't*, *never*, *no* or *without* still codes the theme - "the venue was
not accessible" is about venue accessibility - but is reported as negated: its evidence word is
written ``NOT accessible``. A theme whose every match in an answer is negated gets
``score = -1.0`` and ``negated = True``; otherwise ``score = 1.0``.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from evalkit.coding._regex_phrases import finite_phrases, first_words
from evalkit.coding.codebook import REGEX_PREFIX, Codebook, compile_pattern, load_codebook
from evalkit.errors import CodebookError, InputMismatchError
from evalkit.coding.text import CLAUSE_BREAKS, NEGATION_CUES, NEGATION_WINDOW, ProcessedTexts, pattern_stems

CODE_COLUMNS = ["response_id", "theme_id", "source", "score", "evidence"]
"""Columns every coder returns (rules add ``negated``)."""

_BREAK_RE = re.compile(r"[,;:()!?\u2013\u2014]|\s-\s|\b(?:" + "|".join(
    sorted(w for w in CLAUSE_BREAKS if w.isalpha())) + r")\b", re.IGNORECASE)
_WORDS_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


REGEX_SECONDS_PER_MB = 20.0
"""Time one ``re:`` pattern may take per megabyte of answers before coding stops with a message."""


def _finditer(rx, text: str, seconds: float, theme: str):
    """Matches of a compiled ``regex`` pattern; a pattern that runs past ``seconds`` is a CodebookError."""
    try:
        yield from rx.finditer(text, timeout=seconds)
    except TimeoutError:
        raise CodebookError(f"theme {theme!r}: the regular expression re:{rx.pattern} took over {seconds:.0f} s "
                            "(catastrophic backtracking); rewrite it without a repeat inside a repeat") from None


def _regex_negated(sentence: str, start: int) -> bool:
    """True when a negation cue precedes ``start`` in the same clause, within the window."""
    prefix = sentence[:start]
    breaks = list(_BREAK_RE.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end():]
    words = [w.lower() for w in _WORDS_RE.findall(prefix)][-NEGATION_WINDOW:]
    return any(w in NEGATION_CUES or w.replace("'", "") in NEGATION_CUES or w.endswith("n't")
               for w in words)


def _joined_sentences(pt: ProcessedTexts) -> tuple[str, np.ndarray]:
    """All sentences in one string, one per line (inner line breaks become spaces), and offsets."""
    lines = [s.replace("\n", " ").replace("\r", " ") for s in pt.sentences]
    lengths = np.fromiter((len(s) + 1 for s in lines), dtype=np.int64, count=len(lines))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return "\n".join(lines), starts


def _candidate_sentences(pt: ProcessedTexts, anchors) -> np.ndarray | None:
    """Sentences holding one of ``anchors`` (stems); None to scan all (unknown or too common)."""
    if not anchors:
        return None
    positions = [pt.positions(stem) for stem in anchors]
    tokens = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
    sids = np.unique(pt.token_sentence[tokens])
    return None if len(sids) > 0.3 * len(pt.sentences) else sids


def _drop_nested(hits: pd.DataFrame) -> pd.DataFrame:
    """Drop keyword matches lying inside a longer match of the same theme ("well organised")."""
    hits = hits.sort_values(["theme", "order", "end"], ascending=[True, True, False], kind="stable")
    prev_end = hits.groupby("theme", sort=False)["end"].transform(
        lambda e: e.cummax().shift(1))
    nested = hits["end"].notna() & (hits["end"] <= prev_end)
    return hits[~nested.to_numpy()]


def _group_hits(hits: pd.DataFrame, n_themes: int) -> pd.DataFrame:
    """One row per (doc, theme) from sorted hits: evidence joined in order, negated if all are."""
    doc = hits["doc"].to_numpy(dtype=np.int64)
    theme = hits["theme"].to_numpy(dtype=np.int64)
    negated = hits["negated"].to_numpy(dtype=bool)
    words = hits["evidence"].to_numpy(dtype=object)
    key = doc * n_themes + theme
    starts = np.concatenate([[0], np.flatnonzero(np.diff(key)) + 1])
    ends = np.append(starts[1:], len(key))
    labels = ["NOT " + str(w) if n else str(w) for w, n in zip(words, negated)]
    evidence = ["; ".join(dict.fromkeys(labels[a:b])) for a, b in zip(starts, ends)]
    return pd.DataFrame({"doc": doc[starts], "theme": theme[starts], "evidence": evidence,
                         "negated": np.logical_and.reduceat(negated, starts)})


class RuleCoder:
    """Code free text into themes with a codebook's keyword patterns.

    Parameters
    ----------
    codebook : Codebook, path or "default"
        Codebook whose ``patterns`` are matched. Plain patterns match on stems after
        British/American normalisation; ``re:`` patterns match the sentence case-insensitively.
    rollup : bool, default False
        Also code every ancestor of a coded theme (evidence copied from the child).

    Examples
    --------
    With a two-theme codebook (``RuleCoder("default")`` uses the co-production codebook):

    >>> from evalkit.coding.codebook import codebook_from_dict
    >>> codebook = codebook_from_dict({"themes": [
    ...     {"id": "travel", "name": "Travel", "definition": "Getting there.", "patterns": ["bus", "train"]},
    ...     {"id": "staff", "name": "Staff", "definition": "How staff treated people.", "patterns": ["staff"]}]})
    >>> RuleCoder(codebook).code(["The bus was late.", "Kind staff."])
       response_id theme_id source  score evidence  negated
    0            0   travel  rules    1.0      bus    False
    1            1    staff  rules    1.0    staff    False
    """

    def __init__(self, codebook="default", rollup: bool = False):
        self.codebook = load_codebook(codebook)
        self.rollup = rollup
        self._theme_ids = list(self.codebook.themes)
        self._plain: list[tuple[int, tuple[str, ...]]] = []
        self._regex: list[tuple[int, object]] = []
        for ti, tid in enumerate(self._theme_ids):
            for pattern in self.codebook.themes[tid].patterns:
                phrases = finite_phrases(pattern[len(REGEX_PREFIX):]) if pattern.startswith(REGEX_PREFIX) else None
                if phrases is not None and all(" " in p for p in phrases):
                    # a finite expression of phrases: match them on the stem index (single words stay
                    # exact regular expressions, which is often why they were written as one)
                    self._plain.extend((ti, stems) for stems in dict.fromkeys(map(pattern_stems, phrases)) if stems)
                elif pattern.startswith(REGEX_PREFIX):
                    body = pattern[len(REGEX_PREFIX):]
                    anchors = first_words(body)
                    self._regex.append((ti, compile_pattern(body),
                                        None if anchors is None else sorted({pattern_stems(w)[0] for w in anchors
                                                                             if pattern_stems(w)})))
                else:
                    stems = pattern_stems(pattern)
                    if stems:
                        self._plain.append((ti, stems))

    def __repr__(self) -> str:
        return f"RuleCoder(codebook={self.codebook!r}, rollup={self.rollup})"

    def _hits(self, pt: ProcessedTexts) -> pd.DataFrame:
        """All pattern matches on distinct answers: doc, theme, order, evidence, negated."""
        docs, themes, order, ends, evidence, negated = [], [], [], [], [], []
        for ti, stems in self._plain:
            starts = pt.phrase_positions(stems)
            if not len(starts):
                continue
            k = len(stems)
            if k == 1:
                words = pt.surface[starts]
            else:
                words = np.array([" ".join(pt.surface[s:s + k]) for s in starts], dtype=object)
            docs.append(pt.token_doc[starts])
            themes.append(np.full(len(starts), ti))
            order.append(starts.astype(np.float64))
            ends.append((starts + k).astype(np.float64))
            evidence.append(words)
            negated.append(pt.negated[starts])
        regex_rows = []
        if self._regex and pt.sentences:
            joined = None
            for ti, rx, anchors in self._regex:
                sids = _candidate_sentences(pt, anchors)
                if sids is not None:  # only sentences holding a word every match starts with
                    for sid in sids:
                        sentence = pt.sentences[sid].replace("\n", " ").replace("\r", " ")
                        limit = REGEX_SECONDS_PER_MB * max(1.0, len(sentence) / 1e6)
                        regex_rows.extend((pt.sentence_doc[sid], ti, sid, m.group(0),
                                           _regex_negated(sentence, m.start()))
                                          for m in _finditer(rx, sentence, limit, self._theme_ids[ti]))
                    continue
                if joined is None:
                    joined, starts = _joined_sentences(pt)
                    limit = REGEX_SECONDS_PER_MB * max(1.0, len(joined) / 1e6)
                for m in _finditer(rx, joined, limit, self._theme_ids[ti]):
                    if "\n" in m.group(0):
                        continue
                    sid = int(np.searchsorted(starts, m.start(), side="right")) - 1
                    sentence = joined[starts[sid]:starts[sid] + len(pt.sentences[sid])]
                    regex_rows.append((pt.sentence_doc[sid], ti, sid, m.group(0),
                                       _regex_negated(sentence, m.start() - starts[sid])))
        if regex_rows:
            rd, rt, rs, re_ev, rn = zip(*regex_rows)
            sent_first = np.searchsorted(pt.token_sentence, np.asarray(rs))
            docs.append(np.asarray(rd))
            themes.append(np.asarray(rt))
            order.append(sent_first - 0.5)
            ends.append(np.full(len(rd), np.nan))
            evidence.append(np.asarray(re_ev, dtype=object))
            negated.append(np.asarray(rn, dtype=bool))
        if not docs:
            return pd.DataFrame({"doc": [], "theme": [], "order": [], "evidence": [], "negated": []})
        hits = pd.DataFrame({
            "doc": np.concatenate(docs), "theme": np.concatenate(themes),
            "order": np.concatenate(order), "end": np.concatenate(ends),
            "evidence": np.concatenate(evidence), "negated": np.concatenate(negated),
        })
        return _drop_nested(hits).drop(columns="end")

    def code_docs(self, pt: ProcessedTexts) -> pd.DataFrame:
        """Code the distinct answers of ``pt``.

        Parameters
        ----------
        pt : ProcessedTexts

        Returns
        -------
        pandas.DataFrame
            Columns ``doc`` (index into ``pt.docs``), ``theme_id``, ``score``, ``evidence``,
            ``negated``, sorted by doc then codebook order.
        """
        hits = self._hits(pt)
        if hits.empty:
            return pd.DataFrame({"doc": pd.Series([], dtype=np.int64), "theme_id": [], "score": [],
                                 "evidence": [], "negated": pd.Series([], dtype=bool)})
        hits = hits.sort_values(["doc", "theme", "order"], kind="stable")
        out = _group_hits(hits, len(self._theme_ids))
        if self.rollup:
            extra = []
            for row in out.itertuples(index=False):
                for anc in self.codebook.ancestors(self._theme_ids[row.theme]):
                    extra.append((row.doc, self._theme_ids.index(anc), row.evidence, row.negated))
            if extra:
                add = pd.DataFrame(extra, columns=["doc", "theme", "evidence", "negated"])
                add = add.groupby(["doc", "theme"], sort=True).agg(
                    evidence=("evidence", lambda s: "; ".join(dict.fromkeys("; ".join(s).split("; ")))),
                    negated=("negated", "all")).reset_index()
                out = pd.concat([out, add]).groupby(["doc", "theme"], sort=True).agg(
                    evidence=("evidence", "first"), negated=("negated", "all")).reset_index()
        out["theme_id"] = np.asarray(self._theme_ids, dtype=object)[out["theme"].to_numpy()]
        out["score"] = np.where(out["negated"], -1.0, 1.0)
        return out[["doc", "theme_id", "score", "evidence", "negated"]]

    def code(self, texts, response_ids=None) -> pd.DataFrame:
        """Code answers into themes.

        Parameters
        ----------
        texts : sequence of str or ProcessedTexts
            The answers, or a :class:`ProcessedTexts` built once and reused after codebook
            edits (the fast path: only matching re-runs).
        response_ids : sequence, optional
            One id per answer (default: 0, 1, 2, ...).

        Returns
        -------
        pandas.DataFrame
            Columns ``response_id, theme_id, source, score, evidence, negated``; one row per
            coded (answer, theme), in answer order then codebook order. ``source`` is
            ``"rules"``; see the module docstring for ``score`` and ``negated``.
        """
        pt = texts if isinstance(texts, ProcessedTexts) else ProcessedTexts(texts)
        ids = np.arange(pt.n_rows) if response_ids is None else np.asarray(response_ids, dtype=object)
        if len(ids) != pt.n_rows:
            raise InputMismatchError(f"got {len(ids)} response ids for {pt.n_rows} texts")
        per_doc = self.code_docs(pt)
        return expand_to_rows(per_doc, pt.row_doc, ids, source="rules",
                              extra=["negated"])


def expand_to_rows(per_doc: pd.DataFrame, row_doc: np.ndarray, ids, source: str,
                   extra: list[str] = ()) -> pd.DataFrame:
    """Repeat per-distinct-answer codes for every row that has that answer.

    Parameters
    ----------
    per_doc : pandas.DataFrame
        Codes with a ``doc`` column, sorted by ``doc``.
    row_doc : numpy.ndarray of int
        Each row's doc index.
    ids : array-like
        Each row's response id.
    source : str
        Value of the ``source`` column.
    extra : list of str
        Further columns of ``per_doc`` to keep after the standard ones.

    Returns
    -------
    pandas.DataFrame
        The tidy table, in row order.
    """
    doc = per_doc["doc"].to_numpy(dtype=np.int64)
    n_docs = int(row_doc.max()) + 1 if len(row_doc) else 0
    counts = np.bincount(doc, minlength=n_docs) if n_docs else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if n_docs else counts
    reps = counts[row_doc] if n_docs else np.zeros(0, dtype=np.int64)
    total = int(reps.sum())
    if total:
        offsets = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
        take = np.repeat(starts[row_doc], reps) + offsets
    else:
        take = np.zeros(0, dtype=np.int64)
    out = pd.DataFrame({
        "response_id": np.repeat(np.asarray(ids, dtype=object), reps),
        "theme_id": per_doc["theme_id"].to_numpy(dtype=object)[take],
        "source": source,
        "score": per_doc["score"].to_numpy(dtype=np.float64)[take],
        "evidence": per_doc["evidence"].to_numpy(dtype=object)[take],
    })
    for col in extra:
        out[col] = per_doc[col].to_numpy()[take]
    return out

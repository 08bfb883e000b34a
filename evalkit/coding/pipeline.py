"""``evalkit code`` and ``evalkit train``: code or learn from a whole CSV/XLSX file.

:func:`code_file` streams the input in chunks and appends one tidy table, :data:`CODED_COLUMNS`
(UTF-8 with a byte-order mark, so Excel shows accents): one row per answer and theme, every
answer present (an answer no coder gave a theme, or a blank one, has one row with ``theme_id``
empty). Per row:

- ``theme_id``, ``source`` (who coded it) and ``score``, which depends on the source:
  ``rules`` (the keyword rule coder): ``1`` when a pattern matched, ``-1`` when every match
  was negated ("not accessible"); ``model`` (a ThemeClassifier): the predicted probability;
  ``codebook`` (the :class:`~evalkit.coding.guided.CodebookCoder`, which codes from the
  codebook alone when no trained model is given): the theme's standardised score, with the
  trigger words and nearest codebook example as ``evidence``;
- ``negated`` (rules only: ``True`` when every match was negated) and ``evidence`` (rules only:
  the words that matched, ``; ``-separated, ``NOT`` before a negated one);
- the answer's VADER sentiment, the same on all its rows: ``sentiment`` (positive, neutral or
  negative), ``sentiment_compound`` (-1 to 1) and ``sentiment_positive``/``_neutral``/
  ``_negative`` (shares of the text, summing to 1); all empty for a blank answer.

Answers are redacted (:mod:`evalkit.privacy.redact`) before they are coded, so no name, phone
number or address can reach the ``evidence`` column. Each distinct answer is redacted,
tokenised, scored and classified once: results are memoised by text
across chunks (resampled or templated data repeat answers a lot), so the cost grows with the
number of *distinct* answers, and the per-row work is array indexing and writing.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.coding.codebook import load_codebook
from evalkit.coding.rules import RuleCoder
from evalkit.coding.sentiment import SentimentCoder
from evalkit.coding.text import ProcessedTexts
from evalkit.files import OLE2_MAGIC, atomic_write_bytes, csv_encoding, temporary_name
from evalkit.errors import DataValidationError, EvalkitError, Problem
from evalkit.textclean import DEFAULT_MISSING_VALUES, blank_placeholders, placeholder_key
from evalkit.xlsx import neutralise_formula

GUIDED_BACKGROUND_ROWS = 20_000
"""Answers (from the top of the file) whose spread sets the codebook coder's score scale."""

MEMO_LIMIT = 500_000
"""Distinct answers remembered across chunks before the memo is cleared (bounds memory)."""

CODED_COLUMNS = ["response_id", "theme_id", "source", "score", "negated", "evidence", "sentiment",
                 "sentiment_compound", "sentiment_positive", "sentiment_neutral", "sentiment_negative"]
"""Columns of the table :func:`code_file` writes (see the module docstring)."""

_SOURCES = ("rules", "model", "codebook")
_NO_THEME = ",,,,"
_NO_SENTIMENT = ",,,,"


def _missing_columns(path: Path, columns: list[str], wanted: dict[str, str]) -> None:
    """Raise DataValidationError naming every wanted column absent from ``columns``."""
    problems = [
        Problem(str(path), 1, col, f"no {what} column {col!r}; the file's columns are "
                f"{', '.join(map(repr, columns))}. Check the spelling (it is case-sensitive).", True)
        for col, what in wanted.items() if col not in columns
    ]
    if problems:
        raise DataValidationError(problems)


def read_chunks(path, columns: dict[str, str], chunk_size: int = 20000):
    """Yield the wanted columns of a CSV or XLSX file in chunks of rows, as text.

    Parameters
    ----------
    path : path-like
        ``.csv`` (UTF-8, UTF-8 with BOM or Windows-1252) or ``.xlsx``/``.xlsm`` (first sheet).
    columns : dict
        Column name -> what it is (used in error messages), e.g. ``{"comment": "text"}``.
    chunk_size : int
        Rows per chunk.

    Yields
    ------
    (int, pandas.DataFrame)
        Spreadsheet row number of the chunk's first row (header is row 1), and the chunk
        with the wanted columns as strings (blank cells as ``""``). In columns described as
        ``"text"``, placeholders meaning "no answer" ("Did not answer", "N/A", "-"...; see
        :data:`evalkit.programme.spec.DEFAULT_MISSING_VALUES`) are blank too.

    Raises
    ------
    DataValidationError
        If the file is missing, unreadable or lacks a column (names the file and column).
    """
    path = Path(path)
    if not path.is_file():
        raise DataValidationError([Problem(str(path), None, None, "file not found; check the path.", True)])
    suffix = path.suffix.lower()
    wanted = list(dict.fromkeys(columns))
    try:
        if suffix in (".csv", ".txt"):
            encoding = csv_encoding(path)
            header = list(pd.read_csv(path, nrows=0, encoding=encoding).columns)
            _missing_columns(path, header, columns)
            reader = pd.read_csv(path, usecols=wanted, dtype=str, keep_default_na=False,
                                 na_filter=False, encoding=encoding, chunksize=chunk_size)
            first = 2
            for chunk in reader:
                yield first, _no_placeholders(chunk[wanted], columns)
                first += len(chunk)
        elif suffix in (".xlsx", ".xlsm"):
            with path.open("rb") as fh:
                if fh.read(8) == OLE2_MAGIC:
                    raise DataValidationError([Problem(str(path), None, None, "the workbook is password-protected "
                                                       "(encrypted) or an old .xls file; remove the password in Excel "
                                                       "and save it as .xlsx.", True)])
            try:
                frame = pd.read_excel(path, sheet_name=0, dtype=object)
            except Exception as err:  # noqa: BLE001 - a truncated workbook fails in many ways inside openpyxl
                raise DataValidationError([Problem(str(path), None, None, f"the workbook is damaged or cut short "
                                                   f"({type(err).__name__}); open it in Excel and save it again as "
                                                   ".xlsx.", True)]) from None
            _missing_columns(path, [str(c) for c in frame.columns], columns)
            frame = frame[wanted].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
            for start in range(0, len(frame), chunk_size):
                yield start + 2, _no_placeholders(frame.iloc[start:start + chunk_size].reset_index(drop=True), columns)
        else:
            raise DataValidationError([Problem(str(path), None, None,
                                               f"cannot read {suffix!r} files; save it as .csv or .xlsx.", True)])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as err:
        if isinstance(err, EvalkitError):
            raise
        raise DataValidationError([Problem(str(path), None, None,
                                           f"could not read the file ({err}); check it opens in a "
                                           f"spreadsheet and is saved as CSV or XLSX.", True)]) from None


MODEL_MAGIC = b"EVALKIT-MODEL 1\n"
"""First line of a model file written by ``evalkit train``; the second is its HMAC-SHA256 signature."""
MODEL_KEY_ENV = "EVALKIT_MODEL_KEY"


def _model_key() -> bytes:
    """The key that signs models: ``$EVALKIT_MODEL_KEY``, else a random key kept in ``~/.config/evalkit/model.key``."""
    import secrets

    if os.environ.get(MODEL_KEY_ENV):
        return os.environ[MODEL_KEY_ENV].encode("utf-8")
    path = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "evalkit" / "model.key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text(encoding="utf-8").strip().encode("utf-8")
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _signature(payload: bytes) -> bytes:
    import hashlib
    import hmac

    return hmac.new(_model_key(), payload, hashlib.sha256).hexdigest().encode("ascii")


def save_model(model, path) -> Path:
    """Write a fitted model as evalkit's signed file: magic line, HMAC-SHA256 line, joblib bytes.

    Parameters
    ----------
    model : ThemeClassifier
    path : path-like

    Returns
    -------
    pathlib.Path
    """
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    payload = buffer.getvalue()
    return atomic_write_bytes(path, MODEL_MAGIC + _signature(payload) + b"\n" + payload)


def load_model(path):
    """Load a model evalkit wrote and signed; anything else is refused before it is unpickled."""
    import hmac

    import joblib

    path = Path(path)
    if not path.is_file():
        raise EvalkitError(f"{path}: model file not found; create one with 'evalkit train'.")
    data = path.read_bytes()
    head, _, rest = data.partition(b"\n")
    signature, _, payload = rest.partition(b"\n")
    if head + b"\n" != MODEL_MAGIC or not hmac.compare_digest(signature, _signature(payload)):
        raise EvalkitError(f"{path}: not a model written by 'evalkit train' with this machine's key (or changed "
                           "since), so it is not opened: a model file can run any code when loaded. Re-create it "
                           f"with 'evalkit train', or set {MODEL_KEY_ENV} to the key it was signed with.")
    try:
        model = joblib.load(io.BytesIO(payload))
    except Exception as err:
        raise EvalkitError(f"{path}: could not load the model ({type(err).__name__}: {err}); "
                           f"re-create it with 'evalkit train'.") from None
    if not all(hasattr(model, a) for a in ("predict", "predict_proba", "classes_")):
        raise EvalkitError(f"{path}: not a fitted ThemeClassifier (needs predict, predict_proba, "
                           f"classes_); re-create it with 'evalkit train'.")
    return model


def model_codes(model, docs: list[str]) -> pd.DataFrame:
    """Code distinct texts with a fitted classifier.

    Parameters
    ----------
    model : ThemeClassifier
        Anything with ``predict``, ``predict_proba`` and ``classes_`` (multi-label: a 0/1
        prediction matrix whose columns follow ``classes_``).
    docs : list of str
        Distinct texts; blank ones get no code.

    Returns
    -------
    pandas.DataFrame
        ``doc, theme_id, score, evidence``: one row per predicted theme, ``score`` its
        probability, ``evidence`` empty; sorted by doc. A single-label model (``multilabel_``
        False) predicts its most probable class, taken from the one ``predict_proba`` call
        (the same decision ``ThemeClassifier.predict`` makes; tested) so features are built
        once; otherwise ``predict`` decides.
    """
    empty = pd.DataFrame({"doc": pd.Series([], dtype=np.int64), "theme_id": [], "score": [], "evidence": []})
    keep = np.flatnonzero([bool(d.strip()) for d in docs])
    if not len(keep):
        return empty
    texts = [docs[i] for i in keep]
    probs = np.asarray(model.predict_proba(texts), dtype=np.float64)
    classes = np.asarray(model.classes_, dtype=object)
    if getattr(model, "multilabel_", True) is False:
        col = probs.argmax(axis=1)
        rows = np.arange(len(texts))
    else:
        pred = np.asarray(model.predict(texts))
        if pred.ndim == 1:
            index = {c: i for i, c in enumerate(classes)}
            col = np.array([index[p] for p in pred], dtype=np.int64)
            rows = np.arange(len(texts))
        else:
            rows, col = np.nonzero(pred)
    return pd.DataFrame({
        "doc": keep[rows].astype(np.int64),
        "theme_id": np.array([str(c) for c in classes[col]], dtype=object),
        "score": probs[rows, col].round(6),
        "evidence": "",
    })


def _csv_row(values) -> str:
    """One CSV row (minimal quoting, no line ending); text that a spreadsheet would run is neutralised."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([neutralise_formula(v) for v in values])
    return buf.getvalue()[:-1]


def _csv_field(value: str) -> str:
    """Quote one CSV field when it holds a comma, quote or line break; neutralise formula-like text."""
    value = neutralise_formula(value)
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


class _Memo:
    """Codes and sentiment of every distinct text seen so far, pre-rendered as CSV pieces.

    ``doc`` is a global text id; each code is stored once as the text
    ``theme_id,source,score,negated,evidence`` and each text's sentiment as its five columns,
    so writing a chunk only joins pieces.
    """

    def __init__(self):
        self.gid: dict[str, int] = {}
        self.docs = {s: [] for s in _SOURCES}
        self.lines = {s: [] for s in _SOURCES}
        self.sentiment: list[str] = []
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.gid)

    def add(self, source: str, per_doc: pd.DataFrame, offset: int) -> None:
        """Append codes of new texts (doc ids relative to ``offset``), rendered as CSV."""
        negated = per_doc["negated"] if "negated" in per_doc else [None] * len(per_doc)
        self.docs[source].append(per_doc["doc"].to_numpy(dtype=np.int64) + offset)
        self.lines[source].append(np.array(
            [_csv_row([theme, source, f"{score:.6g}", "" if neg is None else str(bool(neg)), evidence])
             for theme, score, neg, evidence
             in zip(per_doc["theme_id"], per_doc["score"], negated, per_doc["evidence"])], dtype=object))
        self._arrays.pop(source, None)

    def add_sentiment(self, texts: list[str], scores: pd.DataFrame) -> None:
        """Append the sentiment columns of new texts (blank texts: empty columns)."""
        for text, row in zip(texts, scores.itertuples(index=False)):
            self.sentiment.append(_NO_SENTIMENT if not text.strip() else
                                  f"{row.label},{row.compound:.4f},{row.pos:.3f},{row.neu:.3f},{row.neg:.3f}")

    def arrays(self, source: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc ids (ascending) and rendered rows of one source."""
        if source not in self._arrays:
            docs = np.concatenate(self.docs[source]) if self.docs[source] else np.zeros(0, dtype=np.int64)
            lines = np.concatenate(self.lines[source]) if self.lines[source] else np.zeros(0, dtype=object)
            self.docs[source], self.lines[source] = [docs], [lines]
            self._arrays[source] = (docs, lines)
        return self._arrays[source]


def _expand(docs: np.ndarray, row_gid: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """For rows with text ids ``row_gid``: each code's row position and its index in ``docs``."""
    counts = np.bincount(docs, minlength=n_docs)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    reps = counts[row_gid]
    total = int(reps.sum())
    rows = np.repeat(np.arange(len(row_gid)), reps)
    offsets = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
    return rows, np.repeat(starts[row_gid], reps) + offsets


def _code_chunk(memo: _Memo, texts: list[str], ids, rules: RuleCoder, sentiment: SentimentCoder,
                model, redactor=None, guided=None) -> tuple[str, dict[str, int]]:
    """CSV text of one chunk (row order, then rules/model codes) and counts of what was written."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    gids = np.empty(len(uniques), dtype=np.int64)
    new = []
    for i, text in enumerate(uniques):
        g = memo.gid.get(text)
        if g is None:
            g = len(memo.gid)
            memo.gid[text] = g
            new.append(text)
        gids[i] = g
    if new:
        offset = len(memo.gid) - len(new)
        if redactor is not None:  # evidence never carries a personal detail; each distinct answer once
            new = redactor.redact_many(new)
        pt = ProcessedTexts(new)
        memo.add("rules", rules.code_docs(pt), offset)
        memo.add_sentiment(new, sentiment.score_docs(new))
        if model is not None:
            memo.add("model", model_codes(model, new), offset)
        if guided is not None:
            from evalkit.coding.guided import doc_codes

            memo.add("codebook", doc_codes(guided, new), offset)
    row_gid = gids[codes]
    all_rows, all_lines, all_keys, counts = [], [], [], {}
    themed = np.zeros(len(row_gid), dtype=bool)
    used = {"rules": True, "model": model is not None, "codebook": guided is not None}
    for rank, source in enumerate(s for s in _SOURCES if used[s]):
        docs, lines = memo.arrays(source)
        rows, take = _expand(docs, row_gid, len(memo.gid))
        counts[source] = len(rows)
        themed[rows] = True
        all_rows.append(rows)
        all_lines.append(lines[take])
        all_keys.append(rows * 4 + rank)
    bare = np.flatnonzero(~themed)
    counts["no theme"] = len(bare)
    all_rows.append(bare)
    all_lines.append(np.full(len(bare), _NO_THEME, dtype=object))
    all_keys.append(bare * 4 + 3)
    order = np.argsort(np.concatenate(all_keys), kind="stable")
    rows = np.concatenate(all_rows)[order]
    id_text = np.array([_csv_field(str(i)) for i in ids], dtype=object)
    tails = np.asarray(memo.sentiment, dtype=object)[row_gid]
    body = id_text[rows] + "," + np.concatenate(all_lines)[order] + "," + tails[rows]
    return ("\n".join(body) + "\n") if len(body) else "", counts


def code_file(input, text_column, out, codebook=None, model=None, id_column=None,
              chunk_size=20000, progress=True, guided=None) -> str:
    """Code every answer in a CSV/XLSX file with rules, sentiment and (optionally) a model.

    Parameters
    ----------
    input : path-like
        ``.csv`` or ``.xlsx`` file with one answer per row.
    text_column : str
        Column holding the free text.
    out : path-like
        Output table, ``.csv`` (written atomically; same input, same bytes).
    codebook : path-like, Codebook or None
        Codebook for the rule coder (YAML/CSV/QDC); None for the default co-production one.
    model : path-like or None
        A ThemeClassifier saved by ``evalkit train`` (joblib).
    id_column : str, optional
        Column with response ids; default the row number as a spreadsheet shows it (the
        header is row 1, so the first answer is 2).
    chunk_size : int, default 20000
        Rows read and written at a time.
    progress : bool, default True
        Show a tqdm progress bar on stderr.
    guided : bool, optional
        Also code with the codebook-guided coder (sentence embeddings of the codebook's
        definitions and examples; source ``codebook``). Default: when no ``model`` is given.
        Its score scale is learnt from the file's first :data:`GUIDED_BACKGROUND_ROWS` answers.

    Returns
    -------
    str
        One summary line: rows, distinct answers, and rows written per source.

    Raises
    ------
    DataValidationError
        Missing/unreadable input or missing columns (names file and column).
    EvalkitError
        Unusable codebook, model or output type.
    """
    from tqdm.auto import tqdm

    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise EvalkitError(f"{out}: write the coded table as .csv (got {out.suffix or 'no suffix'!r}).")
    if int(chunk_size) < 1:
        raise EvalkitError(f"--chunk-size must be at least 1 (got {chunk_size}).")
    rules = RuleCoder(load_codebook(codebook if codebook is not None else "default"))
    sentiment = SentimentCoder()
    clf = load_model(model) if model is not None else None
    from evalkit.privacy.redact import Redactor

    redactor = Redactor()
    use_guided = clf is None if guided is None else bool(guided)
    coder = None
    if use_guided:
        from evalkit.coding.guided import CodebookCoder

        _, first = next(read_chunks(input, {text_column: "text"}, chunk_size=GUIDED_BACKGROUND_ROWS),
                        (None, pd.DataFrame({text_column: []})))
        background = redactor.redact_many([t for t in first[text_column].tolist() if isinstance(t, str) and t])
        coder = CodebookCoder(rules.codebook).fit(background=background or None)
    wanted = {text_column: "text"}
    if id_column is not None:
        wanted[id_column] = "id"
    memo = _Memo()
    counts = dict.fromkeys([*_SOURCES, "no theme"], 0)
    n_rows = 0
    tmp = temporary_name(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.open("w").close()
    except OSError as err:
        raise EvalkitError(f"{out}: cannot write the coded table there ({err.strerror}); choose a folder you "
                           "can write to with --out.") from None
    bar = tqdm(unit=" rows", disable=not progress, desc=f"coding {Path(input).name}")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            fh.write(",".join(CODED_COLUMNS) + "\n")
            for first_row, chunk in read_chunks(input, wanted, chunk_size=int(chunk_size)):
                if len(memo) > MEMO_LIMIT:
                    memo = _Memo()
                texts = chunk[text_column].tolist()
                ids = (chunk[id_column].to_numpy(dtype=object) if id_column is not None
                       else np.arange(first_row, first_row + len(chunk)))
                text, chunk_counts = _code_chunk(memo, texts, ids, rules, sentiment, clf, redactor, coder)
                for source, n in chunk_counts.items():
                    counts[source] += n
                fh.write(text)
                n_rows += len(chunk)
                bar.update(len(chunk))
        os.replace(tmp, out)
    finally:
        bar.close()
        if tmp.exists():
            tmp.unlink()
    model_part = f", {counts['model']} model codes" if clf is not None else ""
    model_part += f", {counts['codebook']} codebook codes" if coder is not None else ""
    return (f"Coded {n_rows} answers from {input}: {counts['rules']} rule codes{model_part}, "
            f"{counts['no theme']} answers with no theme (blank ones included), sentiment for every "
            f"answer -> {out}")


_PLACEHOLDERS = frozenset(placeholder_key(v) for v in DEFAULT_MISSING_VALUES)


def _no_placeholders(chunk: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Blank "no answer" placeholders in the text columns of a chunk."""
    for name, role in columns.items():
        if role == "text":
            chunk[name] = blank_placeholders(chunk[name], _PLACEHOLDERS)
    return chunk


def _read_all(path, columns: dict[str, str]) -> pd.DataFrame:
    """Read the wanted columns of a whole file as text."""
    parts = [chunk for _, chunk in read_chunks(path, columns, chunk_size=100_000)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns))


def train_file(input, text_column, label_columns, out, seed=0) -> str:
    """Train a ThemeClassifier on a coded file and save it signed (see :func:`save_model`).

    Parameters
    ----------
    input : path-like
        ``.csv`` or ``.xlsx`` with the answers and their codes.
    text_column : str
        Column holding the free text.
    label_columns : str or list of str
        One column (single-label: the theme of each answer; rows with a blank label are left
        out) or several 0/1 columns, one per theme (multi-label; blank counts as 0).
    out : path-like
        Model file to write (e.g. ``models/themes.joblib``).
    seed : int, default 0
        ``random_state`` of the classifier.

    Returns
    -------
    str
        One summary line.

    Rows whose answer is blank, or a placeholder meaning "no answer", are left out and counted
    in the summary: there is nothing in them to learn from.

    Raises
    ------
    DataValidationError
        Missing columns, or multi-label cells other than 0/1/blank (every bad cell listed by
        row and column).
    """
    from evalkit.coding.classifier import ThemeClassifier

    labels = [label_columns] if isinstance(label_columns, str) else list(label_columns)
    wanted = {text_column: "text", **{c: "label" for c in labels}}
    frame = _read_all(input, wanted)
    answered = (frame[text_column].str.strip() != "").to_numpy()
    no_answer = int((~answered).sum())
    frame = frame[answered].reset_index(drop=True)
    texts = frame[text_column].tolist()
    if len(labels) == 1:
        y = frame[labels[0]].str.strip()
        keep = (y != "").to_numpy()
        texts = [t for t, k in zip(texts, keep) if k]
        y = y[keep].to_numpy(dtype=object)
        skipped = int((~keep).sum())
        kind = f"{len(set(y))} classes"
    else:
        problems = []
        values = {}
        for col in labels:
            cells = frame[col].str.strip().replace({"": "0", "1.0": "1", "0.0": "0"})
            bad = np.flatnonzero(~cells.isin(["0", "1"]).to_numpy())
            problems += [Problem(str(input), int(r) + 2, col,
                                 f"expected 1, 0 or blank for a theme column, got {frame[col].iloc[r]!r}.")
                         for r in bad[:20]]
            values[col] = (cells == "1").astype(np.int8).to_numpy()
        if problems:
            raise DataValidationError(problems)
        y = pd.DataFrame(values, columns=labels)
        skipped = 0
        kind = f"{len(labels)} themes"
    clf = ThemeClassifier(random_state=seed).fit(texts, y)
    out = Path(out)
    save_model(clf, out)
    notes = ([f"{skipped} rows without a label"] if skipped else []) + \
        ([f"{no_answer} rows with no answer (blank or a placeholder such as 'Did not answer')"] if no_answer else [])
    left_out = f" ({' and '.join(notes)} left out)" if notes else ""
    return f"Trained ThemeClassifier on {len(texts)} answers ({kind}) from {input}{left_out} -> {out}"

"""Speed and memory of ``evalkit code`` on a million real answers, against the naive loop.

Input: answers resampled with replacement (seeded) from the real patient-experience comments
in ``../shared/benchmarks/pxtextmining/phase1_text_data.csv`` (column ``feedback``; read from
there, never copied into the repository). A ThemeClassifier is trained in this process on
the published training rows (every row not in ``phase1_test_row_index.csv``); then
``evalkit code`` runs rules + sentiment + the classifier end to end in a subprocess. Wall time
is measured around the subprocess and peak memory is the child's maximum resident set size
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``). Targets: under 60 s and 2 GB for
1,000,000 answers on a 2-core machine.

The baseline is the obvious per-answer loop (NLTK tokenise, Snowball stem every word, VADER)
timed on a sample and extrapolated linearly; the table reports how many times faster the
pipeline is.
"""
from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.paths import BENCHMARKS_DIR, REPO_DIR

PX_DIR = BENCHMARKS_DIR / "pxtextmining"
TARGET_SECONDS = 60.0
TARGET_MB = 2048.0


def load_texts() -> pd.DataFrame:
    """Return the phase-1 comments (``feedback``, ``label``, ``row_index``), blanks as ``""``."""
    frame = pd.read_csv(PX_DIR / "phase1_text_data.csv", dtype={"feedback": str, "label": str})
    frame["feedback"] = frame["feedback"].fillna("")
    return frame


def write_resampled(texts: pd.Series, n: int, path: Path, seed: int = 0) -> Path:
    """Write ``n`` answers drawn with replacement from ``texts`` as ``response_id,feedback`` CSV."""
    rng = np.random.default_rng(seed)
    picks = texts.to_numpy(dtype=object)[rng.integers(0, len(texts), size=n)]
    pd.DataFrame({"response_id": [f"R{i:07d}" for i in range(n)], "feedback": picks}).to_csv(path, index=False)
    return path


def train_model(frame: pd.DataFrame, path: Path, seed: int = 0) -> Path:
    """Train a single-label ThemeClassifier on the published training rows; save it signed, as evalkit train does."""
    from evalkit.coding.classifier import ThemeClassifier
    from evalkit.coding.pipeline import save_model

    test_rows = set(pd.read_csv(PX_DIR / "phase1_test_row_index.csv").iloc[:, 0])
    train = frame[~frame["row_index"].isin(test_rows) & frame["label"].notna() & (frame["feedback"].str.strip() != "")]
    save_model(ThemeClassifier(random_state=seed).fit(train["feedback"].tolist(), train["label"].to_numpy()), path)
    return path


def run_code(input_csv: Path, model: Path, out: Path) -> tuple[float, float, float, str]:
    """Run ``evalkit code`` in a subprocess; return wall seconds, CPU seconds, peak RSS (MB), summary."""
    cmd = [sys.executable, "-m", "evalkit.cli", "code", "--input", str(input_csv), "--text-column", "feedback",
           "--id-column", "response_id", "--model", str(model), "--out", str(out), "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # An empty on-disk embedding cache: the run embeds every distinct answer itself.
    env = {**os.environ, "EVALKIT_EMBEDDING_CACHE": str(Path(out).parent / "embedding-cache")}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO_DIR, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"evalkit code failed: {done.stderr.strip()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024.0, done.stdout.strip()


def naive_seconds_per_answer(texts: list[str]) -> float:
    """Seconds per answer of the per-text loop: NLTK tokenise, stem every token, VADER."""
    from evalkit import nlp

    stemmer, analyzer = nlp.stemmer(), nlp.vader()
    start = time.perf_counter()
    for text in texts:
        [stemmer.stem(tok.lower()) for tok in nlp.word_tokenize(text)]
        analyzer.polarity_scores(text)
    return (time.perf_counter() - start) / len(texts)


def recode_seconds(texts: list[str], repeats: int = 5) -> tuple[float, float]:
    """Seconds to tokenise ``texts`` once, and the best of ``repeats`` re-codes after an edit.

    The re-code builds a fresh :class:`RuleCoder` from an edited default codebook (one
    pattern added) and codes the cached :class:`ProcessedTexts`, as a notebook does after
    someone changes the codebook.
    """
    from evalkit.coding.codebook import Theme, load_codebook
    from evalkit.coding.rules import RuleCoder
    from evalkit.coding.text import ProcessedTexts

    start = time.perf_counter()
    pt = ProcessedTexts(texts)
    build = time.perf_counter() - start
    cb = load_codebook()
    best = float("inf")
    for i in range(repeats):
        edited = cb.with_theme(Theme(f"edit_{i}", "Edited", parent="practicalities", patterns=("parking", f"word{i}")))
        start = time.perf_counter()
        RuleCoder(edited).code(pt)
        best = min(best, time.perf_counter() - start)
    return build, best


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Time ``evalkit code`` on 1,000,000 (quick: 20,000) resampled answers.

    Returns
    -------
    list of (str, pandas.DataFrame)
        One table: rows, distinct answers, wall time, throughput, peak memory, output rows,
        the naive loop's extrapolated time and the speed-up, with targets.
    """
    n = 20_000 if quick else 1_000_000
    frame = load_texts()
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        tmp = Path(tmp)
        input_csv = write_resampled(frame["feedback"], n, tmp / "answers.csv")
        model = train_model(frame, tmp / "model.joblib")
        load_before = os.getloadavg()[0]
        seconds, cpu, peak_mb, _ = run_code(input_csv, model, tmp / "coded.csv")
        with (tmp / "coded.csv").open("rb") as fh:
            out_rows = sum(1 for _ in fh) - 1
        distinct = pd.read_csv(input_csv, usecols=["feedback"], keep_default_na=False)["feedback"].nunique()
    sample = frame["feedback"].sample(n=500 if quick else 2000, random_state=0).tolist()
    naive = naive_seconds_per_answer(sample) * n
    table = pd.DataFrame([
        ("answers coded", f"{n:,}", ""),
        ("distinct answers", f"{distinct:,}", ""),
        ("tidy rows written (one per answer and theme)", f"{out_rows:,}", ""),
        ("wall time, evalkit code (s)", f"{seconds:.1f}", f"< {TARGET_SECONDS:.0f}" if not quick else ""),
        ("CPU time of the subprocess, user + system (s)", f"{cpu:.1f}", ""),
        ("answers per second (wall)", f"{n / seconds:,.0f}", ""),
        ("peak memory of the subprocess (MB)", f"{peak_mb:,.0f}", f"< {TARGET_MB:,.0f}" if not quick else ""),
        ("naive per-answer NLTK loop, extrapolated (s)", f"{naive:,.1f}", ""),
        ("speed-up over the naive loop", f"{naive / seconds:,.1f}x", "> 1"),
        ("machine", f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}", ""),
        ("1-minute load average before the run", f"{load_before:.1f}", "wall time is only comparable near 0"),
    ], columns=["measure", "value", "target"])
    texts = frame["feedback"].iloc[:10_000].tolist()
    build, recode = recode_seconds(texts)
    edit = pd.DataFrame([
        ("tokenise + stem + index 10,000 answers once (s)", f"{build:.2f}", ""),
        ("re-code 10,000 answers after a codebook edit (s, best of 5)", f"{recode:.3f}", "< 1"),
    ], columns=["measure", "value", "target"])
    return [(f"Coding speed: evalkit code on {n:,} resampled real answers (pxtextmining phase 1)", table),
            ("Re-coding after a codebook edit (cached ProcessedTexts, 10,000 real answers)", edit)]

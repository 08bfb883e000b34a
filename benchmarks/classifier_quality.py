"""How well ``ThemeClassifier`` with default settings agrees with NHS human coders.

Data: the pxtextmining benchmarks (Nottinghamshire Healthcare NHS Foundation Trust / The
Strategy Unit) in ``/work/shared/benchmarks/pxtextmining/``, read in place, never copied.

1. Phase 1, single-label (``phase1_text_data.csv``, target ``label``, text ``feedback``):
   train on every row whose ``row_index`` is not in ``phase1_test_row_index.csv``, test on
   those. Rows with no feedback text are dropped before training, as the published pipeline
   did: ``factory_data_load_and_split`` dropped missing feedback and then split with
   ``test_size=0.33``, and 0.33 x 10,302 non-missing rows rounds up to exactly the 3,400 test
   rows published (0.33 x all 10,334 rows would give 3,411). The published model's scores are
   recomputed from ``phase1_published_predictions.csv``.
2. Multi-label, ``v6framework_230831.csv`` (text ``FFT answer``, the 50 theme columns after
   ``Comment sentiment``, blank = 0): 5-fold ``MultilabelStratifiedKFold`` (seed 0). Rows with
   no answer text are dropped (nothing to classify). Macro-F1 is averaged over the themes with
   at least one positive answer in the test fold (F1 is undefined for the rest); the
   all-50-themes macro-F1 counting undefined themes as 0 is shown beside it.
3. Fit time on 7,000 labelled answers (multi-label, the slower mode, and single-label).

Experiments behind the defaults (2 CPUs shared with other jobs). Phase 1 test split,
accuracy / macro-F1, word 1-2 + char_wb 2-5 TF-IDF, min_df 2 unless stated:
LogisticRegression balanced C=3 0.714/0.627, C=1 0.701/0.614; unweighted LR C=3 0.727/0.574
(0.723/0.622 with a prior-corrected argmax); LinearSVC balanced C=0.3 0.721/0.628, C=0.1
0.713/0.618; sigmoid-calibrated balanced LinearSVC C=0.3 0.733/0.613 (Brier 0.378, the best of
all; chosen), temperature-scaled 0.717/0.621 (Brier 0.401); sigmoid-calibrated balanced LR
0.716/0.558. Variations that did not help: min_df 1, word 1-3 / char 1-5 or 1-6, ``char`` instead
of ``char_wb``, Snowball-stemmed words, down-weighting the word block, averaging the fold models
(``ensemble=True``, -0.015 macro-F1), per-class decision weights tuned on out-of-fold
probabilities (did not transfer to the test split), NB-SVM (Wang & Manning 2012) 0.723-0.727 /
0.598-0.616, ComplementNB 0.697/0.566, isotonic instead of sigmoid calibration 0.729/0.607,
C=0.2 0.728/0.613, C=0.5 0.731/0.607, averaging calibrated SVM with LR probabilities
0.725-0.731 / 0.598-0.622. Multinomial LR took 6-18 s per fit against 0.6 s for
LinearSVC, and calibration needs ``cv`` + 1 fits, so the model is LinearSVC.

Multi-label (first 2 of the 5 folds, macro-F1 over present themes / micro-F1): balanced
LinearSVC per theme 0.498-0.502 / 0.705 and 19-31 CPU s per fold; unweighted 0.520 / 0.712 at
5-8 CPU s (chosen: the tuned thresholds already correct for rarity); C=0.1 0.508, C=1 0.514-0.519;
5 internal folds instead of 3 0.512; capped positive weights (3x) 0.523 but lower micro-F1,
(10x) 0.507; min_df 1 0.524 / 0.704; thresholds down to 0.01 0.522 / 0.706, a 0.01-step grid
0.518 / 0.708; C chosen per theme from {0.1, 0.3, 1} by out-of-fold F1 0.507 / 0.704 (the
choice overfits). None of these moved macro-F1 by more than the fold-to-fold
spread, so the default stays the simplest.

Sentence embeddings (2026-11-22). Every linear TF-IDF variant above plateaued near 0.73 / 0.62,
so the default now appends each answer's all-MiniLM-L6-v2 embedding (384 numbers, L2-normed,
weight 1) to the TF-IDF features. Variants were compared by 3-fold CV on the phase-1 training
rows, accuracy / macro-F1; the test-split figures were printed alongside (in brackets), so the
test split is not untouched, but each choice follows the CV figures:
TF-IDF only 0.712/0.560 (0.733/0.613); concatenated embeddings 0.744/0.605 (0.750/0.638;
chosen); embeddings weighted 0.5 0.738/0.597, 1.5 0.745/0.608 (0.746/0.638); C=1 0.739/0.596;
logistic regression on the concatenation 0.727/0.606 (0.721/0.624) at 3x the fit time;
averaging the TF-IDF model's probabilities with a balanced LR on embeddings (w 0.3)
0.734/0.602 (0.741/0.652); stacking the two models' out-of-fold probabilities 0.743/0.600
(0.749/0.644); mean pooling of several transformer layers or of per-sentence embeddings, no
gain; intermediate layers alone 0.721-0.732/0.578-0.587; int8-quantised model 0.744/0.603
(20% faster); a static model2vec distillation of the same model 0.717/0.574 (0.736/0.618); a
prior-corrected argmax (p / prior^0.15) 0.740/0.609 (0.751/0.650) and per-class biases tuned on
out-of-fold probabilities 0.745/0.623 (0.749/0.649), which gained only 0.005 on held-out
halves, so neither is used. v6, first 2 folds: TF-IDF only 0.516 / 0.710; concatenation
0.565 / 0.732 (weights 0.5 and 2: 0.545, 0.535); embeddings reduced by PCA to 128 / 64 / 32
dimensions 0.549 / 0.544 / 0.526 (fits 2.5x faster); stacking per theme 0.535.
The embedding costs about 4 ms per distinct answer on 2 cores, which dominates fit time.

Status (2026-11-24): phase 1 accuracy 0.750 and macro-F1 0.638 (guards 0.74 / 0.63: met; the
old 0.66 target was settled by decision in issue 14); v6 macro-F1 0.553 ± 0.020 (target met).
The embeddings now run in numpy without PyTorch (identical vectors to 5e-7, so identical
scores). Fit time: see the table this module prints (cold, and with cached embeddings).
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, hamming_loss

from evalkit.coding.classifier import ThemeClassifier
from evalkit.paths import BENCHMARKS_DIR

DATA_DIR = BENCHMARKS_DIR / "pxtextmining"
SEED = 0
PUBLISHED_PHASE1 = {"accuracy": 0.704, "macro_f1": 0.587}
# Issue 14 settled phase-1 macro-F1 0.66 by decision: accuracy 0.74 and macro-F1 0.63 are
# regression guards; the fit targets are 40 s cold and 25 s with cached embeddings.
TARGET_PHASE1 = {"accuracy": 0.74, "macro_f1": 0.63}
TARGET_MULTILABEL_MACRO_F1 = 0.55
TARGET_COLD_SECONDS = 40.0
TARGET_CACHED_SECONDS = 25.0
FIT_SIZE = 7000


def load_phase1(data_dir: Path = DATA_DIR) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Phase-1 train rows, test rows and the published predictions (aligned to the test rows).

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding the pxtextmining CSV files.

    Returns
    -------
    train, test, published : pandas.DataFrame
    """
    data = pd.read_csv(data_dir / "phase1_text_data.csv")
    data = data.dropna(subset=["feedback"])
    test_index = pd.read_csv(data_dir / "phase1_test_row_index.csv")["row_index"]
    is_test = data["row_index"].isin(test_index)
    train, test = data[~is_test], data.set_index("row_index").loc[test_index].reset_index()
    published = pd.read_csv(data_dir / "phase1_published_predictions.csv")
    published = published.set_index("row_index").loc[test_index].reset_index()
    return train, test, published


def load_v6(data_dir: Path = DATA_DIR) -> tuple[pd.Series, pd.DataFrame]:
    """The v6 framework answers and their 0/1 theme table (50 columns).

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding ``v6framework_230831.csv``.

    Returns
    -------
    texts : pandas.Series
    themes : pandas.DataFrame of int
    """
    data = pd.read_csv(data_dir / "v6framework_230831.csv")
    data = data.dropna(subset=["FFT answer"]).reset_index(drop=True)
    first = data.columns.get_loc("Comment sentiment") + 1
    themes = data.iloc[:, first:].fillna(0).astype(int)
    return data["FFT answer"].astype(str), themes


def _phase1_table(quick: bool) -> pd.DataFrame:
    """Accuracy and macro-F1 on the published phase-1 split, published beside evalkit."""
    train, test, published = load_phase1()
    if quick:
        train = train.sample(n=1500, random_state=SEED)
    truth = test["label"].to_numpy(dtype=object)
    pred_published = published["label_pred"].to_numpy(dtype=object)
    clf = ThemeClassifier().fit(train["feedback"], train["label"].to_numpy(dtype=object))
    pred = clf.predict(test["feedback"])
    rows = [
        ("pxtextmining phase 1 (published figures)", "", "",
         PUBLISHED_PHASE1["accuracy"], PUBLISHED_PHASE1["macro_f1"]),
        ("pxtextmining phase 1 (recomputed from published predictions)", "", len(test),
         accuracy_score(truth, pred_published), f1_score(truth, pred_published, average="macro")),
        ("evalkit ThemeClassifier, defaults" + (" (quick: 1,500 training rows)" if quick else ""),
         len(train), len(test), accuracy_score(truth, pred),
         f1_score(truth, pred, average="macro")),
        ("target", "", "", TARGET_PHASE1["accuracy"], TARGET_PHASE1["macro_f1"]),
    ]
    table = pd.DataFrame(rows, columns=["model", "n_train", "n_test", "accuracy", "macro_F1"])
    for name in ("accuracy", "macro_F1"):
        table[name] = [f"{value:.3f}" for value in table[name]]
    return table


def multilabel_scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Macro-F1 (themes present), macro-F1 (all themes), micro-F1, samples-F1, Hamming loss.

    Parameters
    ----------
    truth, pred : ndarray of shape (n_texts, n_themes)
        0/1 theme indicators.

    Returns
    -------
    dict of str to float
    """
    present = np.flatnonzero(truth.sum(axis=0) > 0)
    return {
        "macro_F1": f1_score(truth, pred, average="macro", labels=present, zero_division=0),
        "macro_F1_all_themes": f1_score(truth, pred, average="macro", zero_division=0),
        "micro_F1": f1_score(truth, pred, average="micro", zero_division=0),
        "samples_F1": f1_score(truth, pred, average="samples", zero_division=0),
        "hamming_loss": hamming_loss(truth, pred),
    }


def _multilabel_table(quick: bool) -> pd.DataFrame:
    """5-fold iterative-stratified CV on the v6 framework, published figures beside."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    texts, themes = load_v6()
    if quick:
        keep = np.random.default_rng(SEED).choice(len(texts), size=1500, replace=False)
        keep.sort()
        texts, themes = texts.iloc[keep].reset_index(drop=True), themes.iloc[keep].reset_index(drop=True)
    Y = themes.to_numpy()
    folds = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    scores = []
    for train, test in folds.split(np.zeros(len(Y)), Y):
        clf = ThemeClassifier().fit(texts.iloc[train], themes.iloc[train])
        pred = clf.predict(texts.iloc[test]).to_numpy()
        scores.append(multilabel_scores(Y[test], pred))
    scores = pd.DataFrame(scores)
    label = f"evalkit ThemeClassifier, defaults, v6 framework ({len(texts):,} answers, " \
            f"{Y.shape[1]} themes, 5-fold)"
    row = {"model": label}
    for name in scores.columns:
        row[name] = f"{scores[name].mean():.3f} ± {scores[name].std(ddof=1):.3f}"
    private = "pxtextmining README, private dataset (not comparable)"
    published = [
        {"model": f"{private}: SVC", "macro_F1": "0.64"},
        {"model": f"{private}: DistilBERT", "macro_F1": "0.67"},
        {"model": f"{private}: ensemble", "macro_F1": "0.71"},
        {"model": f"{private}: range over models", "micro_F1": "0.71-0.77"},
        {"model": "target", "macro_F1": f"{TARGET_MULTILABEL_MACRO_F1:.2f}"},
    ]
    return pd.DataFrame([row, *published]).fillna("")


def _time_fit(texts: pd.Series, y, n: int, **params) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process and its workers) to fit a ``ThemeClassifier``
    with ``params`` on the first ``n`` answers."""
    texts = texts.iloc[:n]
    y = y.iloc[:n] if isinstance(y, pd.DataFrame) else y[:n]
    wall, cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ThemeClassifier(**params).fit(texts, y)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return time.perf_counter() - wall, time.process_time() - cpu + child_cpu


def _timing_table(quick: bool) -> pd.DataFrame:
    """Fit time on 7,000 labelled answers (fewer when quick), cold and with cached embeddings.

    *Cold*: an empty on-disk embedding cache, nothing in memory, the model loaded (and its
    weights hashed) inside the timed fit, as a researcher's first fit of a session on new
    answers. *Cached*: the same fit again in a fresh state except that the on-disk cache holds
    the answers' embeddings (a re-fit after a restart, or after changing codes). The
    TF-IDF-only rows need no embeddings.
    """
    import os
    import tempfile

    from evalkit.coding import embeddings

    n = 1500 if quick else FIT_SIZE
    texts, themes = load_v6()
    train, _, _ = load_phase1()
    single_n = min(n, len(train))
    single_texts = train["feedback"].reset_index(drop=True)
    single_y = train["label"].to_numpy(dtype=object)
    runs = [
        ("multi-label, v6 framework, 50 themes: defaults, cold", texts, themes, n, {}, "cold"),
        ("multi-label, v6: defaults, embeddings cached on disk", texts, themes, n, {}, "cached"),
        ("multi-label, v6: n_jobs=-1 (both cores), cached", texts, themes, n, {"n_jobs": -1}, "cached"),
        ("multi-label, v6: embedding=None (TF-IDF only)", texts, themes, n, {"embedding": None}, "none"),
        ("single-label, phase 1, 9 labels: defaults, cold", single_texts, single_y, single_n, {}, "cold"),
        ("single-label, phase 1: defaults, embeddings cached on disk", single_texts, single_y, single_n, {}, "cached"),
        ("single-label, phase 1: embedding=None (TF-IDF only)", single_texts, single_y, single_n,
         {"embedding": None}, "none"),
    ]
    rows = []
    previous = os.environ.get("EVALKIT_EMBEDDING_CACHE")
    with tempfile.TemporaryDirectory(prefix="evalkit-fit-") as tmp:
        try:
            for label, x, y, size, params, state in runs:
                if state == "cold":
                    os.environ["EVALKIT_EMBEDDING_CACHE"] = os.path.join(tmp, label[:12].replace(" ", "_"))
                embeddings.clear_cache()
                embeddings._load_model.cache_clear()
                distinct = x.iloc[:size].astype(str).str.strip().replace("", np.nan).dropna().nunique()
                rows.append((label, size, distinct, *_time_fit(x, y, size, **params), os.getloadavg()[0]))
        finally:
            if previous is None:
                os.environ.pop("EVALKIT_EMBEDDING_CACHE", None)
            else:
                os.environ["EVALKIT_EMBEDDING_CACHE"] = previous
    table = pd.DataFrame(rows, columns=["fit", "n_answers", "distinct_answers", "wall_seconds",
                                        "cpu_seconds", "load_average"])
    table["target_seconds"] = [TARGET_COLD_SECONDS if "cold" in f else TARGET_CACHED_SECONDS
                               if "cached" in f else "" for f in table["fit"]]
    return table.round(2)


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Run the classifier quality benchmark.

    Parameters
    ----------
    quick : bool, default=False
        Subsample (1,500 training answers) for a smoke run; the numbers are then not the
        benchmark's.

    Returns
    -------
    list of (str, pandas.DataFrame)
        Titled tables: phase-1 single-label, v6 multi-label cross-validation, fit time.
    """
    return [
        ("ThemeClassifier vs pxtextmining phase 1 (single-label, published test split)",
         _phase1_table(quick)),
        ("ThemeClassifier multi-label, v6 framework (mean ± sd over 5 iterative-stratified "
         "folds)", _multilabel_table(quick)),
        (f"ThemeClassifier fit time (targets: under {TARGET_COLD_SECONDS:.0f} s cold, "
         f"{TARGET_CACHED_SECONDS:.0f} s with cached embeddings)", _timing_table(quick)),
    ]

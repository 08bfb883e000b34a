"""How many answers people must code before the machine's suggestions are good: learning curves.

For each number of coded answers n in :data:`SIZES` (0, 25, 50, 100, 200, 500, 1,000, all),
macro-F1 and macro precision of three coders against people's codes on answers they never saw:

* ``codebook``: :class:`~evalkit.coding.guided.CodebookCoder` with a codebook written only from
  the framework's published names and definitions (``benchmarks/codebooks/``); the n coded
  answers are added as examples (no retraining);
* ``classifier``: :class:`~evalkit.coding.classifier.ThemeClassifier` trained on the n answers
  (from 25 on);
* ``combined``: both, probabilities blended theme by theme with weight m / (m + 10) on the
  classifier for a theme with m coded examples (:func:`~evalkit.coding.guided.blend`).

The keyword rules of the same codebook (patterns made mechanically from the names) are scored
once, at n = 0, for comparison.

Data (read in place from ``../shared/benchmarks/pxtextmining``, never copied):

* phase 1 (9 labels, single-label): the n answers are drawn from the published training rows
  (a new seeded draw per repeat, nested: the 50 include the 25), scored on the published test
  split (3,400 answers);
* v6 (50 themes, multi-label): repeat r tests on fold r of a 5-fold iterative-stratified split
  (seed 0, as ``classifier_quality``) and draws the n answers from the other four folds.

Five repeats; tables give the mean and the range (min to max), figures a band over the range.
The unlabelled answers of the training pool set each theme's score scale for the codebook
coder (no labels), as a new evaluation's own answers would.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_score

from benchmarks.classifier_quality import load_phase1, load_v6
from evalkit.paths import OUTPUTS_DIR

SIZES = (0, 25, 50, 100, 200, 500, 1000, None)
REPEATS = 5
CODEBOOKS = Path(__file__).resolve().parent / "codebooks"
PHASE1_CODEBOOK = CODEBOOKS / "pxtextmining_phase1.yml"
V6_CODEBOOK = CODEBOOKS / "pxtextmining_v6.yml"
METHODS = ("codebook", "classifier", "combined")


def _single_label_scores(truth, pred, labels) -> tuple[float, float]:
    """Macro-F1 and macro precision over ``labels`` (an empty prediction counts as wrong)."""
    return (f1_score(truth, pred, labels=labels, average="macro", zero_division=0),
            precision_score(truth, pred, labels=labels, average="macro", zero_division=0))


def _multi_label_scores(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """Macro-F1 and macro precision over the themes present in ``truth``."""
    present = np.flatnonzero(truth.sum(axis=0) > 0)
    return (f1_score(truth, pred, labels=present, average="macro", zero_division=0),
            precision_score(truth, pred, labels=present, average="macro", zero_division=0))


def _rules_single(codebook, texts, names: dict) -> np.ndarray:
    """Phase-1 label from the keyword rules: the theme with most trigger words ("" if none)."""
    from evalkit.coding.rules import RuleCoder

    coded = RuleCoder(codebook).code(list(texts))
    coded["n"] = coded["evidence"].str.count(";") + 1
    best = coded.sort_values(["response_id", "n"], ascending=[True, False]).drop_duplicates("response_id")
    out = np.full(len(texts), "", dtype=object)
    out[best["response_id"].astype(int).to_numpy()] = [names[t] for t in best["theme_id"]]
    return out


def _rules_multi(codebook, texts, columns: list[str], names: dict) -> np.ndarray:
    """0/1 theme matrix from the keyword rules (columns in the data's order)."""
    from evalkit.coding.rules import RuleCoder

    coded = RuleCoder(codebook).code(list(texts))
    index = {c: j for j, c in enumerate(columns)}
    out = np.zeros((len(texts), len(columns)), dtype=np.int8)
    for rid, theme in zip(coded["response_id"], coded["theme_id"]):
        out[int(rid), index[names[theme]]] = 1
    return out


def phase1_curve(repeats: int = REPEATS, sizes=SIZES, log=print) -> tuple[pd.DataFrame, dict]:
    """Learning curves on phase 1; also the keyword rules' scores.

    Returns
    -------
    curve : pandas.DataFrame
        ``dataset, n, repeat, method, macro_F1, macro_precision, seconds``.
    rules : dict
        The rules' ``macro_F1``, ``macro_precision`` and ``coverage``.
    """
    from evalkit.coding.classifier import ThemeClassifier
    from evalkit.coding.guided import CodebookCoder, blend

    train, test, _ = load_phase1()
    pool_texts = train["feedback"].astype(str).reset_index(drop=True)
    pool_labels = train["label"].to_numpy(dtype=object)
    test_texts = test["feedback"].astype(str).tolist()
    truth = test["label"].to_numpy(dtype=object)
    labels = sorted(set(truth))
    zero = CodebookCoder(PHASE1_CODEBOOK, multilabel=False).fit(background=pool_texts.tolist())
    names = zero.theme_names_
    rule_pred = _rules_single(PHASE1_CODEBOOK, test_texts, names)
    f1, prec = _single_label_scores(truth, rule_pred, labels)
    rules = {"macro_F1": f1, "macro_precision": prec, "coverage": float(np.mean(rule_pred != ""))}
    rows = []
    for r in range(repeats):
        order = np.random.default_rng(r).permutation(len(pool_texts))
        for n in sizes:
            take = order if n is None else order[:n]
            size = len(take)
            texts, y = pool_texts.iloc[take].tolist(), pool_labels[take]
            start = time.perf_counter()
            coder = CodebookCoder(PHASE1_CODEBOOK, multilabel=False)
            coder.fit(texts if size else None, y if size else None, background=pool_texts.tolist())
            p_coder = coder.predict_proba(test_texts)
            pred = np.array([names[c] for c in coder.classes_], dtype=object)[p_coder.argmax(axis=1)]
            rows.append(("phase 1", size, r, "codebook", *_single_label_scores(truth, pred, labels),
                         time.perf_counter() - start))
            if size >= 25 and len(set(y)) >= 2:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    clf = ThemeClassifier(random_state=r).fit(texts, y)
                p_clf = clf.predict_proba(test_texts)
                pred = np.asarray(clf.classes_, dtype=object)[p_clf.argmax(axis=1)]
                seconds = time.perf_counter() - start
                rows.append(("phase 1", size, r, "classifier", *_single_label_scores(truth, pred, labels), seconds))
                combined = blend(coder, p_coder, clf, p_clf, size)
                pred = np.array([names[c] for c in coder.classes_], dtype=object)[combined.argmax(axis=1)]
                rows.append(("phase 1", size, r, "combined", *_single_label_scores(truth, pred, labels), seconds))
            log(f"phase 1 repeat {r} n={size}: {rows[-1][4]:.3f}")
    curve = pd.DataFrame(rows, columns=["dataset", "n", "repeat", "method", "macro_F1", "macro_precision", "seconds"])
    return curve, rules


def v6_curve(repeats: int = REPEATS, sizes=SIZES, log=print) -> tuple[pd.DataFrame, dict]:
    """Learning curves on v6 (multi-label); also the keyword rules' scores (fold-averaged)."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    from evalkit.coding.classifier import ThemeClassifier
    from evalkit.coding.guided import CodebookCoder, blend

    texts_all, themes = load_v6()
    columns = list(themes.columns)
    Y = themes.to_numpy()
    folds = list(MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(Y)), Y))
    rows, rule_scores = [], []
    names = None
    for r in range(repeats):
        pool, test = folds[r]
        test_texts = texts_all.iloc[test].tolist()
        truth = Y[test]
        pool_texts = texts_all.iloc[pool].reset_index(drop=True)
        pool_Y = themes.iloc[pool].reset_index(drop=True)
        order = np.random.default_rng(r).permutation(len(pool))
        for n in sizes:
            take = order if n is None else order[:n]
            size = len(take)
            texts, y = pool_texts.iloc[take].tolist(), pool_Y.iloc[take].reset_index(drop=True)
            start = time.perf_counter()
            coder = CodebookCoder(V6_CODEBOOK, multilabel=True)
            coder.fit(texts if size else None, y if size else None, background=pool_texts.tolist())
            names = coder.theme_names_
            col_of = [columns.index(names[c]) for c in coder.classes_]
            p_coder = coder.predict_proba(test_texts)
            pred = np.zeros_like(truth)
            pred[:, col_of] = coder.predict(test_texts)
            rows.append(("v6", size, r, "codebook", *_multi_label_scores(truth, pred), time.perf_counter() - start))
            if n == 0:
                rule_pred = _rules_multi(V6_CODEBOOK, test_texts, columns, names)
                rule_scores.append((*_multi_label_scores(truth, rule_pred), float(rule_pred.any(axis=1).mean())))
            trainable = size >= 25 and (y.sum(axis=0) > 0).sum() >= 1
            if trainable:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    clf = ThemeClassifier(random_state=r).fit(texts, y)
                p_clf = clf.predict_proba(test_texts)
                pred = clf.predict(test_texts).to_numpy()
                seconds = time.perf_counter() - start
                rows.append(("v6", size, r, "classifier", *_multi_label_scores(truth, pred), seconds))
                combined = blend(coder, p_coder, clf, np.asarray(p_clf), size)
                pred = np.zeros_like(truth)
                pred[:, col_of] = combined
                rows.append(("v6", size, r, "combined", *_multi_label_scores(truth, pred), seconds))
            log(f"v6 repeat {r} n={size}: {rows[-1][4]:.3f}")
    curve = pd.DataFrame(rows, columns=["dataset", "n", "repeat", "method", "macro_F1", "macro_precision", "seconds"])
    rule_scores = np.array(rule_scores)
    rules = {"macro_F1": rule_scores[:, 0].mean(), "macro_precision": rule_scores[:, 1].mean(),
             "coverage": rule_scores[:, 2].mean()}
    return curve, rules


def summarise(curve: pd.DataFrame) -> pd.DataFrame:
    """Mean and range per dataset, size and method; the whole pool is one size, 'all'.

    The pool differs a little between v6 folds (5,910-5,942 answers), so "all" is taken per
    repeat and shown with its mean size.
    """
    whole = curve["n"] == curve.groupby(["dataset", "repeat"])["n"].transform("max")
    mean_all = curve[whole].groupby("dataset")["n"].mean()
    curve = curve.assign(n=np.where(whole, curve["dataset"].map(mean_all).round().astype(int), curve["n"]),
                         whole=whole)
    curve["size"] = np.where(curve["whole"], "all (" + curve["n"].map("{:,}".format) + ")",
                             curve["n"].map("{:,}".format))
    grouped = curve.groupby(["dataset", "n", "size", "method"], sort=True)
    out = grouped.agg(macro_F1=("macro_F1", "mean"), F1_min=("macro_F1", "min"), F1_max=("macro_F1", "max"),
                      macro_precision=("macro_precision", "mean"), repeats=("repeat", "nunique")).reset_index()
    out["macro_F1 (range)"] = [f"{m:.3f} ({lo:.3f}-{hi:.3f})" for m, lo, hi in
                               zip(out["macro_F1"], out["F1_min"], out["F1_max"])]
    return out


LEVELS = (0.3, 0.4, 0.5, 0.6)
"""Macro-F1 levels for the "how many answers to code" table."""


def answers_needed(summary: pd.DataFrame, dataset: str, level: float) -> tuple[int | None, str]:
    """Fewest coded answers at which some coder's mean macro-F1 reaches ``level`` (and which)."""
    sub = summary[(summary["dataset"] == dataset) & (summary["macro_F1"] >= level)]
    if sub.empty:
        return None, ""
    first = sub.sort_values(["n", "macro_F1"], ascending=[True, False]).iloc[0]
    return int(first["n"]), str(first["method"])


def plot(summary: pd.DataFrame, curve: pd.DataFrame, path) -> None:
    """Macro-F1 against coded answers (log scale), one panel per dataset, bands over repeats."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.figures import OKABE_ITO

    datasets = list(dict.fromkeys(summary["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.2 * len(datasets), 4), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        sub = summary[summary["dataset"] == dataset]
        for colour, method in zip(OKABE_ITO, METHODS):
            m = sub[sub["method"] == method].sort_values("n")
            x = np.maximum(m["n"].to_numpy(), 10)
            ax.plot(x, m["macro_F1"], marker="o", color=colour, label=method)
            ax.fill_between(x, m["F1_min"], m["F1_max"], color=colour, alpha=0.2)
        ax.set_xscale("log")
        ticks = sorted(set(np.maximum(sub["n"], 10)))
        ax.set_xticks(ticks)
        ax.set_xticklabels(["0" if t == 10 else f"{t:,}" for t in ticks], rotation=45)
        ax.set_xlabel("answers coded by people")
        ax.set_ylabel("macro-F1 on held-out answers")
        ax.set_title(dataset)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Learning curves on phase 1 and v6, their plot, and the keyword rules beside them."""
    repeats = 1 if quick else REPEATS
    sizes = (0, 25, 100) if quick else SIZES
    p1, p1_rules = phase1_curve(repeats, sizes, log=lambda *_: None)
    v6, v6_rules = v6_curve(repeats, sizes, log=lambda *_: None)
    curve = pd.concat([p1, v6], ignore_index=True)
    summary = summarise(curve)
    out = OUTPUTS_DIR / "bench"
    out.mkdir(parents=True, exist_ok=True)
    curve.to_csv(out / "learning_curve_runs.csv", index=False)
    plot(summary, curve, out / "learning_curve.png")
    table = summary.pivot_table(index=["dataset", "n", "size"], columns="method", values="macro_F1 (range)",
                                aggfunc="first").reset_index().drop(columns="n")
    table.columns.name = None
    zero = summary[(summary["n"] == 0) & (summary["method"] == "codebook")].set_index("dataset")
    beside = pd.DataFrame([
        ("phase 1", "keyword rules (patterns from the names)", f"{p1_rules['macro_F1']:.3f}",
         f"{p1_rules['macro_precision']:.3f}", f"{p1_rules['coverage']:.1%}"),
        ("phase 1", "codebook-guided coder, no coded answers", f"{zero.loc['phase 1', 'macro_F1']:.3f}",
         f"{zero.loc['phase 1', 'macro_precision']:.3f}", "100%"),
        ("v6", "keyword rules (patterns from the names and definitions)", f"{v6_rules['macro_F1']:.3f}",
         f"{v6_rules['macro_precision']:.3f}", f"{v6_rules['coverage']:.1%}"),
        ("v6", "codebook-guided coder, no coded answers", f"{zero.loc['v6', 'macro_F1']:.3f}",
         f"{zero.loc['v6', 'macro_precision']:.3f}", "100%"),
    ], columns=["dataset", "coder", "macro_F1", "macro_precision", "answers coded"])
    sentences = []
    for dataset in ("phase 1", "v6"):
        for level in LEVELS:
            n, method = answers_needed(summary, dataset, level)
            sentences.append((dataset, f"{level:.1f}", "not reached" if n is None else f"{n:,}", method))
    needed = pd.DataFrame(sentences, columns=["dataset", "macro-F1 reached", "answers coded by hand (mean of 5 repeats)",
                                              "by"])
    return [
        (f"Learning curve: macro-F1, mean (range over {repeats} repeats), by answers coded "
         "(figure: outputs/bench/learning_curve.png)", table),
        ("From the codebook alone (no coded answers) beside the keyword rules, macro-F1 and macro precision", beside),
        ("How many answers to code by hand before the suggestions reach a macro-F1 level", needed),
    ]

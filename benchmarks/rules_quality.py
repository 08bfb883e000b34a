"""How well the rule coder and theme discovery recover the sample programme's ground truth.

The unit is one free-text answer (source, response id, column) of the sample programme in
``data/sample``; ``ground_truth_themes.csv`` lists the themes each answer was written to
express. The rule coder (default codebook) codes every free-text answer; a theme counts as
coded whether or not its match was negated. Discovery (NMF, one candidate per ground-truth
theme) is fitted on the same answers, and each ground-truth theme is matched to the
candidate whose answers agree with it best (highest F1); an answer carries a candidate when
the candidate is the strongest in one of its sentences (``ThemeDiscovery.code``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from evalkit.coding.codebook import load_codebook
from evalkit.coding.discovery import ThemeDiscovery
from evalkit.coding.rules import RuleCoder
from evalkit.coding.text import ProcessedTexts
from evalkit.paths import SAMPLE_CONFIG


def load_answers(config=SAMPLE_CONFIG) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return every free-text answer of a programme and its ground-truth themes.

    Parameters
    ----------
    config : path-like
        Programme YAML (default: the sample programme).

    Returns
    -------
    answers : pandas.DataFrame
        ``source, response_id, column, text`` for every non-blank free-text cell.
    truth : pandas.DataFrame
        ``source, response_id, column, theme_id``.
    """
    from pathlib import Path

    config = Path(config)
    spec = yaml.safe_load(config.read_text(encoding="utf-8"))
    rows = []
    for name, source in spec["sources"].items():
        free = [c for c, s in source["columns"].items() if s.get("type") == "free_text"]
        if not free or source["id_column"] == source.get("project_column"):  # project-level facts
            continue
        path = config.parent / source["path"]
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, sheet_name=source.get("sheet", 0), dtype=object)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in free:
            for rid, text in zip(frame[source["id_column"]], frame[col]):
                text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
                if text.strip():
                    rows.append((name, str(rid), col, text))
    answers = pd.DataFrame(rows, columns=["source", "response_id", "column", "text"])
    truth = pd.read_csv(config.parent / spec["ground_truth"], dtype=str)
    return answers, truth


def _scores(pred: set, true: set) -> tuple[int, int, float, float, float]:
    """n_true, n_coded, precision, recall, F1 of two sets of unit keys."""
    tp = len(pred & true)
    precision = tp / len(pred) if pred else float("nan")
    recall = tp / len(true) if true else float("nan")
    f1 = 2 * tp / (len(pred) + len(true)) if (pred or true) else float("nan")
    return len(true), len(pred), precision, recall, f1


def rule_table(answers: pd.DataFrame, truth: pd.DataFrame, codebook="default") -> pd.DataFrame:
    """Per-theme precision/recall/F1 of the rule coder, with micro and macro rows.

    Parameters
    ----------
    answers, truth : pandas.DataFrame
        From :func:`load_answers`.
    codebook : Codebook or path
        Codebook to evaluate.

    Returns
    -------
    pandas.DataFrame
        ``theme_id, n_true, n_coded, precision, recall, f1``.
    """
    cb = load_codebook(codebook)
    coded = RuleCoder(cb).code(answers["text"].tolist())
    keys = list(zip(answers["source"], answers["response_id"], answers["column"]))
    pred_pairs = {(keys[r], t) for r, t in zip(coded["response_id"], coded["theme_id"])}
    true_pairs = {((s, r, c), t) for s, r, c, t in truth[["source", "response_id", "column", "theme_id"]].itertuples(index=False)}
    rows = []
    for theme in cb.leaves():
        pred = {k for k, t in pred_pairs if t == theme}
        true = {k for k, t in true_pairs if t == theme}
        rows.append((theme, *_scores(pred, true)))
    table = pd.DataFrame(rows, columns=["theme_id", "n_true", "n_coded", "precision", "recall", "f1"])
    leaves = set(cb.leaves())
    micro = _scores({p for p in pred_pairs if p[1] in leaves}, {p for p in true_pairs if p[1] in leaves})
    macro = table[["precision", "recall", "f1"]].mean()
    table.loc[len(table)] = ["(micro average)", *micro]
    table.loc[len(table)] = ["(macro average)", table["n_true"].iloc[:-1].sum(), table["n_coded"].iloc[:-1].sum(),
                             macro["precision"], macro["recall"], macro["f1"]]
    return table.round(3)


def discovery_table(answers: pd.DataFrame, truth: pd.DataFrame, n_themes: int | None = None,
                    seed: int = 0) -> pd.DataFrame:
    """Match each ground-truth theme to its best discovery candidate (highest F1).

    Parameters
    ----------
    answers, truth : pandas.DataFrame
        From :func:`load_answers`.
    n_themes : int, optional
        Candidates to fit (default: the number of ground-truth themes).
    seed : int
        Seed for the stability restarts.

    Returns
    -------
    pandas.DataFrame
        ``theme_id, candidate, top_terms, n_true, n_coded, precision, recall, f1, stability``.
    """
    themes = sorted(truth["theme_id"].unique())
    disc = ThemeDiscovery(n_themes=n_themes or len(themes), random_state=seed, n_stability_runs=3)
    pt = ProcessedTexts(answers["text"].tolist())
    disc.fit(pt)
    coded = disc.code(pt)
    keys = list(zip(answers["source"], answers["response_id"], answers["column"]))
    rows = []
    for theme in themes:
        sub = truth[truth["theme_id"] == theme]
        true = set(zip(sub["source"], sub["response_id"], sub["column"]))
        best = None
        for c in disc.candidates_:
            hit = coded.loc[coded["theme_id"] == f"candidate_{c.index}", "response_id"]
            pred = {keys[i] for i in hit}
            score = _scores(pred, true)
            if best is None or score[4] > best[1][4]:
                best = (c, score)
        c, score = best
        rows.append((theme, c.index, ", ".join(c.terms[:5]), *score, c.stability))
    table = pd.DataFrame(rows, columns=["theme_id", "candidate", "top_terms", "n_true", "n_coded",
                                        "precision", "recall", "f1", "stability"])
    return table.round(3)


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Run the benchmark on the sample programme (``quick`` has no effect: it is small).

    Returns
    -------
    list of (str, pandas.DataFrame)
        The rule coder's and discovery's per-theme tables.
    """
    answers, truth = load_answers()
    n = len(answers)
    return [
        (f"Rule coder (default codebook) vs sample ground truth, {n} free-text answers", rule_table(answers, truth)),
        (f"Theme discovery (NMF, best-matching candidate per theme), {n} answers", discovery_table(answers, truth)),
    ]

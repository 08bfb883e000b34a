"""Suggestions for "most useful next", and how good they are likely to be for this programme.

With fewer than ``min_coded`` finished answers the suggestions come from the codebook itself
(:class:`~evalkit.coding.guided.CodebookCoder`, when the codebook is a full one with
definitions); from then on from a classifier trained on the coder's own codes, and
:func:`learning_estimate` says, from cross-validation on those codes, how well the suggestions
agree with this coder and roughly how many more coded answers would lift them to a target.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.errors import EvalkitError
from evalkit.panel.queue import suggestions_from_estimator, validate_answers, with_text
from evalkit.panel.store import CoderStore
from evalkit.panel.themes import PanelCodebook

MIN_CODED = 10
MIN_PER_THEME = 2
TARGET_MACRO_F1 = 0.6
"""Agreement (macro-F1 with the coder's own codes) the learning estimate reports the way to."""
MIN_FOR_ESTIMATE = 30


def suggestions_from_own_codes(answers: pd.DataFrame, codebook, coder: str, store_dir, seed: int = 0,
                               min_coded: int = MIN_CODED, classifier=None):
    """Train a classifier on this coder's finished answers and score the unfinished ones.

    Parameters
    ----------
    answers : pandas.DataFrame
        The panel's answers (``response_id``, ``question``, ``project``, ``text``).
    codebook : Codebook or iterable of themes
        The codebook the coder is using; only its codable (leaf) themes are learnt.
    coder : str
        Whose codes to learn from (only that coder's own file is read).
    store_dir : str or Path
        The coding store folder.
    seed : int, default 0
        ``random_state`` of the classifier.
    min_coded : int, default 10
        Fewest finished answers worth learning from.
    classifier : estimator, optional
        Unfitted multi-label classifier with ``fit(texts, y)`` and ``predict_proba``; defaults
        to :class:`evalkit.coding.classifier.ThemeClassifier` with ``random_state=seed``.

    Returns
    -------
    suggestions : pandas.DataFrame or None
        ``response_id``, ``question``, ``theme_id``, ``probability`` for every unfinished answer,
        or None when there is too little to learn from.
    note : str
        One plain sentence for the coder saying what was done (or why not).
    """
    store = CoderStore(store_dir, coder)
    validated = with_text(validate_answers(answers))
    done = [a for a in validated if store.is_done(a.response_id, a.question)]
    todo = [a for a in validated if not store.is_done(a.response_id, a.question)]
    fallback = "Showing answers in filed order instead."
    if len(done) < min_coded:
        guided = _codebook_suggestions(validated, done, todo, codebook, store)
        if guided is not None:
            return guided, (f"Suggestions come from the codebook's definitions and examples"
                            f"{f' and your {len(done)} coded answers' if done else ''}; from "
                            f"{min_coded} coded answers on, a classifier learns from your codes.")
        return None, (f"'Most useful next' learns from answers you have coded: code at least "
                      f"{min_coded} first (you have {len(done)}). {fallback}")
    if not todo:
        return None, "You have coded every answer; there is nothing left to order."
    leaves = PanelCodebook(codebook).leaf_ids
    y = pd.DataFrame(
        [[int(t in store.codes(a.response_id, a.question).themes) for t in leaves] for a in done],
        columns=leaves,
    )
    counts = y.sum()
    y = y.loc[:, (counts >= MIN_PER_THEME) & (counts <= len(done) - MIN_PER_THEME)]
    if y.shape[1] == 0:
        return None, (f"No theme has been used at least {MIN_PER_THEME} times (and left off at "
                      f"least {MIN_PER_THEME} times) in your coded answers yet. {fallback}")
    if classifier is None:
        from evalkit.coding.classifier import ThemeClassifier

        classifier = ThemeClassifier(random_state=seed)
    try:
        classifier.fit([a.text for a in done], y)
    except (EvalkitError, ValueError) as exc:
        return None, f"The classifier could not learn from your codes yet ({exc}). {fallback}"
    suggestions = suggestions_from_estimator(classifier, todo)
    note = (f"Suggestions come from a classifier trained on your {len(done)} coded "
            f"answers ({y.shape[1]} themes); the least certain answers come first.")
    if len(done) >= MIN_FOR_ESTIMATE:
        _, estimate = learning_estimate([a.text for a in done], y, seed=seed, classifier=classifier)
        note = f"{note} {estimate}"
    return suggestions, note


def _codebook_suggestions(validated, done, todo, codebook, store):
    """Codebook-guided suggestions (None when the codebook has no definitions to go on)."""
    from evalkit.coding.codebook import Codebook

    if not isinstance(codebook, Codebook) or not todo:
        return None
    from evalkit.coding.guided import CodebookCoder

    leaves = PanelCodebook(codebook).leaf_ids
    try:
        coder = CodebookCoder(codebook).fit(background=[a.text for a in validated])
        if done:
            y = pd.DataFrame([[int(t in store.codes(a.response_id, a.question).themes) for t in leaves]
                              for a in done], columns=leaves)
            coder.add_examples([a.text for a in done], y)
        return suggestions_from_estimator(coder, todo)
    except (EvalkitError, ValueError):
        return None


def learning_estimate(texts, y: pd.DataFrame, seed: int = 0, classifier=None,
                      target: float = TARGET_MACRO_F1, folds: int = 3) -> tuple[pd.DataFrame, str]:
    """How well suggestions agree with a coder, by cross-validation on their own codes.

    The classifier is cross-validated (``folds``-fold) on all the coded answers and on a half
    and a quarter of them, so the trend shows what more coding buys. The sentence extrapolates
    the trend (macro-F1 against the logarithm of the answers coded, as the NHS benchmarks'
    learning curves run) to ``target``, only within four times the answers coded so far.

    Parameters
    ----------
    texts : list of str
        The coded answers.
    y : pandas.DataFrame
        Their 0/1 theme table.
    seed : int, default 0
    classifier : estimator, optional
        Unfitted multi-label classifier (cloned for each fold); default ``ThemeClassifier``.
    target : float, default 0.6
    folds : int, default 3

    Returns
    -------
    table : pandas.DataFrame
        ``n_coded, macro_F1`` (over themes present in both training and test parts).
    sentence : str
    """
    import copy

    from sklearn.base import clone
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold

    if classifier is None:
        from evalkit.coding.classifier import ThemeClassifier

        classifier = ThemeClassifier(random_state=seed)
    texts = list(texts)
    Y = y.to_numpy()
    order = np.random.default_rng(seed).permutation(len(texts))
    rows = []
    for size in sorted({len(texts), len(texts) // 2, len(texts) // 4}):
        if size < 4 * folds:
            continue
        take = order[:size]
        pred = np.zeros((size, Y.shape[1]), dtype=int)
        for train, test in KFold(folds, shuffle=True, random_state=seed).split(take):
            Ytr = pd.DataFrame(Y[take[train]], columns=y.columns)
            keep = (Ytr.sum() > 0) & (Ytr.sum() < len(train))
            if not keep.any():
                continue
            fresh = clone(classifier) if hasattr(classifier, "get_params") else copy.deepcopy(classifier)
            model = fresh.fit([texts[i] for i in take[train]], Ytr.loc[:, keep])
            proba = model.predict_proba([texts[i] for i in take[test]])
            proba = proba.to_numpy() if isinstance(proba, pd.DataFrame) else np.asarray(proba)
            got = model.predict([texts[i] for i in take[test]]) if hasattr(model, "predict") else proba >= 0.5
            got = got.to_numpy() if isinstance(got, pd.DataFrame) else np.asarray(got)
            pred[np.ix_(test, np.flatnonzero(keep.to_numpy()))] = got
        truth = Y[take]
        present = np.flatnonzero(truth.sum(axis=0) > 0)
        rows.append((size, f1_score(truth, pred, labels=present, average="macro", zero_division=0)))
    table = pd.DataFrame(rows, columns=["n_coded", "macro_F1"])
    if table.empty:
        return table, "Code more answers for an estimate of how well suggestions agree with you."
    last = table.iloc[-1]
    trend = ", ".join(f"{int(n)} answers: {f:.2f}" for n, f in table.iloc[:-1].itertuples(index=False))
    sentence = (f"By {folds}-fold cross-validation on your {int(last['n_coded'])} coded answers, "
                f"suggestions agree with your codes at macro-F1 {last['macro_F1']:.2f}"
                + (f" ({trend})" if trend else "") + ".")
    if last["macro_F1"] >= target:
        return table, sentence + f" That is above {target:.2f}: suggestions are worth reviewing rather than coding from scratch."
    if len(table) >= 2:
        slope, intercept = np.polyfit(np.log(table["n_coded"]), table["macro_F1"], 1)
        if slope > 0:
            needed = float(np.exp((target - intercept) / slope))
            if needed <= 4 * last["n_coded"]:
                return table, sentence + (f" At this rate they would reach {target:.2f} at about "
                                          f"{int(round(needed, -1)):,} coded answers.")
    return table, sentence + f" More coding is needed before they reach {target:.2f}; no estimate of how much yet."

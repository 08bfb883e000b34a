"""How well the machine's theme codes agree with people's, beside how well people agree.

The classifier is trained on the agreed (consensus) codes of the other folds and predicts the
held-out fold, so every answer gets an out-of-fold machine code. The same per-theme statistics
are then computed for machine vs agreed codes and for coder vs coder, so the team can see
whether the machine disagrees with the agreed codes more or less than two people do.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from evalkit.errors import ReliabilityError
from evalkit.reliability.themes import clean_codes, _theme_ids, theme_reliability, unit_keys

PEOPLE = "person vs person"
MACHINE = "machine vs agreed"
MACHINE_SAME = "machine vs agreed (double-coded answers)"


def _texts_frame(texts, keys: list[str]) -> pd.DataFrame:
    """Texts as a DataFrame with the key columns and ``text``, one row per answer."""
    if isinstance(texts, pd.Series):
        if keys != ["response_id"]:
            raise ReliabilityError(
                f"Codes identify answers by {keys}; pass texts as a DataFrame with those columns and 'text'."
            )
        frame = pd.DataFrame({"response_id": texts.index.astype(str), "text": texts.astype("string").to_numpy()})
    elif isinstance(texts, pd.DataFrame) and set(keys + ["text"]) <= set(texts.columns):
        frame = texts[keys + ["text"]].copy()
    else:
        raise ReliabilityError(
            f"texts must be a Series indexed by response_id or a DataFrame with columns {keys + ['text']}."
        )
    for key in keys:
        frame[key] = frame[key].astype("string").str.strip()
    frame["text"] = frame["text"].astype("string").fillna("")
    duplicated = frame.duplicated(subset=keys)
    if duplicated.any():
        first = frame.loc[duplicated, keys].iloc[0].tolist()
        raise ReliabilityError(f"texts has the same answer twice ({first}); each answer must appear once.")
    return frame.sort_values(keys).reset_index(drop=True)


def _default_factory(seed: int) -> Callable[[], object]:
    """Factory for evalkit's ThemeClassifier, imported only when needed."""
    try:
        from evalkit.coding.classifier import ThemeClassifier
    except ImportError as exc:
        raise ReliabilityError(
            f"evalkit.coding.classifier.ThemeClassifier could not be imported ({exc}). Pass "
            "estimator_factory=... returning any multi-label estimator with fit(texts, Y) and "
            "predict(texts)."
        ) from None

    def make():
        try:
            return ThemeClassifier(random_state=seed)
        except TypeError:
            return ThemeClassifier()

    return make


def _as_indicator(predicted, themes: list[str], n_rows: int) -> np.ndarray:
    """Predictions (array or DataFrame with theme columns) as an n x themes 0/1 array."""
    if isinstance(predicted, pd.DataFrame):
        missing = [t for t in themes if t not in predicted.columns]
        if missing:
            raise ReliabilityError(f"The estimator's predictions lack theme columns {missing}.")
        predicted = predicted[themes].to_numpy()
    array = np.asarray(predicted, dtype=float)
    if array.ndim == 1 and len(themes) == 1:  # a one-theme model may predict a flat vector
        array = array.reshape(-1, 1)
    if array.shape != (n_rows, len(themes)):
        raise ReliabilityError(
            f"The estimator predicted shape {array.shape}; expected {(n_rows, len(themes))} "
            "(one row per answer, one 0/1 column per theme)."
        )
    return (array > 0.5).astype(int)


def _folds(y: np.ndarray, n_splits: int, seed: int):
    """Stratified folds: multi-label (iterative) for two or more themes, ordinary for one.

    iterstrat's MultilabelStratifiedKFold refuses a single label column ("binary" target),
    so one theme is stratified by :class:`sklearn.model_selection.StratifiedKFold`, which
    is what iterative stratification reduces to for one label.
    """
    if y.shape[1] == 1:
        from sklearn.model_selection import StratifiedKFold

        positives = int(y[:, 0].sum())
        if min(positives, len(y) - positives) < n_splits:
            from sklearn.model_selection import KFold

            return KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(y)
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return folds.split(np.zeros((len(y), 1)), y[:, 0])
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    folds = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return folds.split(np.zeros((len(y), 1)), y)


def out_of_fold_codes(texts, agreed_codes: pd.DataFrame, themes=None,
                      estimator_factory: Callable[[], object] | None = None,
                      n_splits: int = 5, seed: int = 0) -> pd.DataFrame:
    """Machine codes for every answer, each predicted by a model that never saw it.

    Parameters
    ----------
    texts : Series or DataFrame
        Every answer's text: a Series indexed by response_id, or a DataFrame with the key
        columns of ``agreed_codes`` and ``text``.
    agreed_codes : DataFrame
        Long table of the agreed codes: key columns and ``theme_id`` (a ``coder`` column, if
        present, is ignored). Answers with no rows are taken to have no theme.
    themes : iterable of str, optional
        Themes to learn (default: every theme in ``agreed_codes``).
    estimator_factory : callable, optional
        Returns a fresh, unfitted multi-label estimator with ``fit(texts, Y)`` (Y a DataFrame of
        0/1 columns named by theme) and ``predict(texts)``. Default:
        :class:`evalkit.coding.classifier.ThemeClassifier`.
    n_splits : int
        Folds; each answer is predicted once, by the model trained on the other folds.
    seed : int
        Seed for the fold split (multi-label stratified) and the default classifier.

    Returns
    -------
    DataFrame
        Long table: key columns, ``theme_id``, ``coder == "machine"``, sorted.
    """
    agreed = clean_codes(agreed_codes, need_coder=False)
    keys = unit_keys(agreed)
    ids = _theme_ids(themes, agreed)
    frame = _texts_frame(texts, keys)
    if int(n_splits) != n_splits or n_splits < 2:
        raise ReliabilityError(f"n_splits must be a whole number of 2 or more; got {n_splits!r}.")
    if len(frame) < n_splits:
        raise ReliabilityError(f"{len(frame)} answers cannot be split into {n_splits} folds; lower n_splits.")
    index = pd.MultiIndex.from_frame(frame[keys])
    applied = agreed.dropna(subset=["theme_id"]).drop_duplicates()
    applied_index = pd.MultiIndex.from_frame(applied[keys])
    unknown = applied_index.difference(index)
    if len(unknown):
        raise ReliabilityError(
            f"{len(unknown)} agreed code(s) are for answers not in texts, e.g. {unknown[0]}; "
            "pass the texts of every coded answer."
        )
    y = np.zeros((len(frame), len(ids)), dtype=int)
    y[index.get_indexer(applied_index), [ids.index(t) for t in applied["theme_id"]]] = 1
    factory = estimator_factory or _default_factory(seed)
    predicted = np.zeros_like(y)
    text_values = frame["text"].tolist()
    for train, test in _folds(y, int(n_splits), seed):
        model = factory()
        model.fit([text_values[i] for i in train], pd.DataFrame(y[train], columns=ids))
        predicted[test] = _as_indicator(model.predict([text_values[i] for i in test]), ids, len(test))
    rows, cols = np.nonzero(predicted)
    out = frame.loc[rows, keys].reset_index(drop=True)
    out["theme_id"] = [ids[c] for c in cols]
    out["coder"] = "machine"
    return out.sort_values(keys + ["theme_id"]).reset_index(drop=True)


def machine_vs_people(texts, agreed_codes: pd.DataFrame, human_codes: pd.DataFrame,
                      estimator_factory: Callable[[], object] | None = None, n_splits: int = 5,
                      seed: int = 0, themes=None, n_boot: int = 2000,
                      units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-theme agreement of the machine with the agreed codes, beside coder vs coder.

    Parameters
    ----------
    texts : Series or DataFrame
        Every answer's text (see :func:`out_of_fold_codes`).
    agreed_codes : DataFrame
        Long table of agreed codes (e.g. from :func:`evalkit.people.consensus.record_consensus`).
    human_codes : DataFrame
        Long table of the double coding: key columns, ``coder``, ``theme_id``.
    estimator_factory : callable, optional
        Returns a fresh multi-label estimator (default: ``ThemeClassifier``).
    n_splits : int
        Cross-validation folds for the out-of-fold machine codes.
    seed : int
        Seed for folds, classifier and bootstrap.
    themes : iterable of str, optional
        Themes to compare (default: every theme in the agreed or human codes).
    n_boot : int
        Bootstrap replicates for the intervals (0 skips them).
    units : DataFrame, optional
        Key columns of every double-coded answer, needed when some got no theme from either
        coder (default: every answer in ``human_codes``).

    Returns
    -------
    DataFrame
        Tidy table: ``comparison`` ("person vs person", "machine vs agreed", "machine vs agreed
        (double-coded answers)") then the columns of
        :func:`evalkit.reliability.theme_reliability`, one row per comparison and theme (plus the
        "(all themes)" rows). The double-coded row set is the fair comparison: the same answers
        the people coded.
    """
    agreed = clean_codes(agreed_codes, need_coder=False)
    humans = clean_codes(human_codes)
    keys = unit_keys(agreed)
    if unit_keys(humans) != keys:
        raise ReliabilityError(
            f"agreed_codes identify answers by {keys} but human_codes by {unit_keys(humans)}; use the same columns."
        )
    if themes is None:
        themes = sorted(set(agreed["theme_id"].dropna()) | set(humans["theme_id"].dropna()))
    themes = list(themes)
    machine = out_of_fold_codes(texts, agreed, themes, estimator_factory, n_splits, seed)
    everyone = _texts_frame(texts, keys)[keys]
    pair = pd.concat([agreed.assign(coder="agreed"), machine], ignore_index=True)
    double = (humans if units is None else units)[keys].astype("string").drop_duplicates()
    options = {"themes": themes, "n_boot": n_boot, "seed": seed}
    duo = ["agreed", "machine"]
    parts = [
        theme_reliability(humans, units=double, **options).summary_frame().assign(comparison=PEOPLE),
        theme_reliability(pair, units=everyone, coders=duo, **options).summary_frame().assign(comparison=MACHINE),
    ]
    same = pair.merge(double, on=keys, how="inner")
    parts.append(theme_reliability(same, units=double, coders=duo, **options).summary_frame().assign(comparison=MACHINE_SAME))
    table = pd.concat(parts, ignore_index=True)
    return table[["comparison"] + [c for c in table.columns if c != "comparison"]]

"""Suggestions for "most useful next": a classifier trained on the answers a coder has coded."""
from __future__ import annotations

import pandas as pd

from evalkit.errors import EvalkitError
from evalkit.panel.queue import suggestions_from_estimator, validate_answers, with_text
from evalkit.panel.store import CoderStore
from evalkit.panel.themes import PanelCodebook

MIN_CODED = 10
MIN_PER_THEME = 2


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
    return suggestions, (f"Suggestions come from a classifier trained on your {len(done)} coded "
                         f"answers ({y.shape[1]} themes); the least certain answers come first.")

"""Which answer a coder sees next: ordering, filtering, progress and the resume position.

Plain Python and pandas, no widgets, so every rule here is unit-tested on its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.errors import ConfigError, DataValidationError, Problem
from evalkit.panel.store import CoderStore, Key, make_key

ORDERS = ("as_filed", "random", "most_useful")
ANSWER_COLUMNS = ("response_id", "question", "project", "text")
SUGGESTION_COLUMNS = ("response_id", "theme_id", "probability")


@dataclass(frozen=True)
class Answer:
    """One free-text answer as the coder sees it (no respondent identity)."""

    response_id: object
    question: str
    project: str
    text: str

    @property
    def key(self) -> Key:
        """The answer's store key."""
        return make_key(self.response_id, self.question)


@dataclass(frozen=True)
class Suggestion:
    """A classifier's probability that a theme applies to an answer."""

    theme_id: str
    probability: float


@dataclass(frozen=True)
class Filters:
    """Which answers the coder wants to see.

    Parameters
    ----------
    project, question : str or None
        Keep only answers from this project / to this question (None: all).
    theme : str or None
        Keep only answers this coder has coded with this theme or a theme below it.
    uncoded_only : bool
        Keep only answers this coder has not marked done.
    """

    project: str | None = None
    question: str | None = None
    theme: str | None = None
    uncoded_only: bool = False


def validate_answers(answers: pd.DataFrame, name: str = "answers") -> list[Answer]:
    """Check the answers table and return its answers in filed order.

    Parameters
    ----------
    answers : pandas.DataFrame
        Columns ``response_id``, ``question`` (the question label), ``project`` and ``text``.
        Any other column (a respondent id, say) is ignored and never shown.
    name : str
        What to call the table in error messages (e.g. its file name).

    Returns
    -------
    list of Answer
        Missing text becomes an empty string.

    Raises
    ------
    DataValidationError
        If a column is missing, a response id or question is blank, or a
        ``(response_id, question)`` pair repeats; each problem names the row.
    """
    if not isinstance(answers, pd.DataFrame):
        raise ConfigError(f"{name}: expected a pandas DataFrame, got {type(answers).__name__}")
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise DataValidationError(
            [
                Problem(name, None, column, f"column {column!r} is missing; the panel needs "
                        f"{', '.join(ANSWER_COLUMNS)}", fatal=True)
                for column in missing
            ]
        )
    problems, seen, out = [], {}, []
    for position, row in enumerate(answers.loc[:, list(ANSWER_COLUMNS)].itertuples(index=False)):
        spreadsheet_row = position + 2
        if pd.isna(row.response_id) or str(row.response_id).strip() == "":
            problems.append(Problem(name, spreadsheet_row, "response_id",
                                    "response id is blank; give every answer an id", fatal=True))
            continue
        if pd.isna(row.question) or str(row.question).strip() == "":
            problems.append(Problem(name, spreadsheet_row, "question",
                                    "question is blank; give the question label", fatal=True))
            continue
        answer = Answer(
            response_id=make_key(row.response_id, row.question)[0],
            question=str(row.question),
            project="" if pd.isna(row.project) else str(row.project),
            text="" if pd.isna(row.text) else str(row.text),
        )
        if answer.key in seen:
            problems.append(Problem(
                name, spreadsheet_row, "response_id",
                f"response {answer.response_id!r} already answered {answer.question!r} on row "
                f"{seen[answer.key]}; keep one row per response and question", fatal=True))
            continue
        seen[answer.key] = spreadsheet_row
        out.append(answer)
    if problems:
        raise DataValidationError(problems)
    return out


def with_text(answers: list[Answer]) -> list[Answer]:
    """Return the answers that have text to code; blank ones are never queued for coding."""
    return [a for a in answers if a.text.strip()]


def suggestions_from_estimator(estimator, answers: list[Answer]) -> pd.DataFrame:
    """Ask a fitted classifier for theme probabilities on each answer's text.

    Parameters
    ----------
    estimator : object
        Fitted, with ``predict_proba(texts)`` returning either a DataFrame whose columns are
        theme ids or an array of shape ``(n_answers, n_themes)`` with ``estimator.classes_``
        naming the themes (scikit-learn's one-vs-rest multi-label classifiers do this).
    answers : list of Answer

    Returns
    -------
    pandas.DataFrame
        Long table ``response_id``, ``question``, ``theme_id``, ``probability``.

    Raises
    ------
    ConfigError
        If the estimator has no ``predict_proba``, is not fitted, or its output cannot be
        matched to theme ids.
    """
    if not hasattr(estimator, "predict_proba"):
        raise ConfigError(
            f"suggestions: {type(estimator).__name__} has no predict_proba; pass a fitted "
            "classifier or a DataFrame response_id, theme_id, probability"
        )
    from sklearn.exceptions import NotFittedError

    texts = [a.text for a in answers]
    try:
        proba = estimator.predict_proba(texts)
    except NotFittedError as exc:
        raise ConfigError(
            f"suggestions: {type(estimator).__name__} is not fitted; call fit() first"
        ) from exc
    if isinstance(proba, pd.DataFrame):
        theme_ids, values = [str(c) for c in proba.columns], proba.to_numpy(dtype=float)
    else:
        values = np.asarray(proba, dtype=float)
        classes = getattr(estimator, "classes_", None)
        if classes is None or values.ndim != 2 or values.shape[1] != len(classes):
            raise ConfigError(
                f"suggestions: cannot tell which theme each of {type(estimator).__name__}'s "
                "predict_proba columns is; give it classes_ or return a DataFrame"
            )
        theme_ids = [str(c) for c in classes]
    if values.shape[0] != len(answers):
        raise ConfigError(
            f"suggestions: predict_proba gave {values.shape[0]} rows for {len(answers)} answers"
        )
    rows = [
        (a.response_id, a.question, theme, float(values[i, j]))
        for i, a in enumerate(answers)
        for j, theme in enumerate(theme_ids)
    ]
    return pd.DataFrame(rows, columns=["response_id", "question", "theme_id", "probability"])


def suggestions_by_key(suggestions: pd.DataFrame, answers: list[Answer]) -> dict[Key, list[Suggestion]]:
    """Match a suggestions table to the answers.

    Parameters
    ----------
    suggestions : pandas.DataFrame
        Columns ``response_id``, ``theme_id``, ``probability`` (0 to 1); with an optional
        ``question`` column a row applies only to that question's answer, otherwise to every
        answer with that response id.
    answers : list of Answer

    Returns
    -------
    dict
        Answer key to its suggestions, most probable first (ties by theme id).

    Raises
    ------
    DataValidationError
        If a column is missing or a probability is outside 0 to 1; each problem names the row.
    """
    missing = [c for c in SUGGESTION_COLUMNS if c not in suggestions.columns]
    if missing:
        raise DataValidationError(
            [Problem("suggestions", None, c, f"column {c!r} is missing", fatal=True) for c in missing]
        )
    by_response: dict[object, list[Answer]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, []).append(answer)
    has_question = "question" in suggestions.columns
    problems, found = [], {}
    for position, row in enumerate(suggestions.to_dict("records")):
        probability = pd.to_numeric(row["probability"], errors="coerce")
        if pd.isna(probability) or not 0.0 <= float(probability) <= 1.0:
            problems.append(Problem("suggestions", position + 2, "probability",
                                    f"{row['probability']!r} is not a probability between 0 and 1",
                                    fatal=True))
            continue
        response_id = make_key(row["response_id"], "")[0]
        for answer in by_response.get(response_id, []):
            if has_question and str(row["question"]) != answer.question:
                continue
            found.setdefault(answer.key, {})[str(row["theme_id"])] = float(probability)
    if problems:
        raise DataValidationError(problems)
    return {
        key: [Suggestion(t, p) for t, p in sorted(themes.items(), key=lambda tp: (-tp[1], tp[0]))]
        for key, themes in found.items()
    }


def confidence_margin(suggestions: list[Suggestion]) -> float:
    """Return how far the classifier's least certain theme is from a coin toss.

    For each theme, ``|p - 0.5|`` is 0 when the classifier cannot tell and 0.5 when it is
    certain either way; the answer's margin is the smallest of these (least-confidence
    uncertainty sampling for multi-label classifiers). Rounded to 12 decimals so that, say,
    0.45 and 0.55 tie despite binary floating point.
    """
    return round(min(abs(s.probability - 0.5) for s in suggestions), 12)


def order_answers(
    answers: list[Answer],
    order: str = "as_filed",
    seed: int = 0,
    suggestions: dict[Key, list[Suggestion]] | None = None,
) -> list[Answer]:
    """Put the answers in the order the coder will meet them.

    Parameters
    ----------
    answers : list of Answer
        In filed order.
    order : {"as_filed", "random", "most_useful"}
        ``as_filed`` keeps the file's order; ``random`` shuffles with ``seed`` (the same seed
        always gives the same order); ``most_useful`` puts first the answers whose classifier
        suggestions are least certain (smallest :func:`confidence_margin`), ties and answers
        without suggestions keeping filed order, the latter after all the others.
    seed : int
        Seed for ``random``.
    suggestions : dict, optional
        From :func:`suggestions_by_key`; required for ``most_useful``.

    Returns
    -------
    list of Answer

    Raises
    ------
    ConfigError
        If ``order`` is unknown, or ``most_useful`` is asked for without suggestions.
    """
    if order not in ORDERS:
        raise ConfigError(f"order {order!r} is not one of {', '.join(ORDERS)}")
    if order == "as_filed":
        return list(answers)
    if order == "random":
        permutation = np.random.default_rng(seed).permutation(len(answers))
        return [answers[i] for i in permutation]
    if not suggestions:
        raise ConfigError(
            "order 'most_useful' needs classifier suggestions: pass suggestions= a DataFrame "
            "(response_id, theme_id, probability) or a fitted classifier, or use order='as_filed'"
        )

    def rank(item):
        position, answer = item
        found = suggestions.get(answer.key)
        return (0, confidence_margin(found), position) if found else (1, 0.0, position)

    return [answer for _, answer in sorted(enumerate(answers), key=rank)]


def apply_filters(
    answers: list[Answer],
    filters: Filters,
    store: CoderStore,
    theme_members: set[str] | None = None,
) -> list[Answer]:
    """Keep the answers that pass ``filters``, in the given order.

    Parameters
    ----------
    answers : list of Answer
    filters : Filters
    store : CoderStore
        This coder's own store (for ``theme`` and ``uncoded_only``).
    theme_members : set of str, optional
        The theme filter's id and every theme below it; defaults to just ``filters.theme``.

    Returns
    -------
    list of Answer
    """
    members = theme_members if theme_members is not None else {filters.theme}
    kept = []
    for answer in answers:
        if filters.project is not None and answer.project != filters.project:
            continue
        if filters.question is not None and answer.question != filters.question:
            continue
        codes = store.codes(answer.response_id, answer.question)
        if filters.uncoded_only and codes.status == "done":
            continue
        if filters.theme is not None and not codes.themes & members:
            continue
        kept.append(answer)
    return kept


def resume_index(answers: list[Answer], store: CoderStore) -> int:
    """Return where a coder picks up: the first answer not yet finished.

    The first answer neither marked done nor skipped; failing that, the first skipped one;
    failing that (everything done), 0.
    """
    statuses = [store.codes(a.response_id, a.question).status for a in answers]
    for wanted in ("open", "skipped"):
        if wanted in statuses:
            return statuses.index(wanted)
    return 0


def progress(answers: list[Answer], store: CoderStore) -> tuple[int, int]:
    """Return ``(done, total)``: how many of ``answers`` this coder has marked done."""
    done = sum(store.is_done(a.response_id, a.question) for a in answers)
    return done, len(answers)

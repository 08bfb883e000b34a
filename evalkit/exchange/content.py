"""What a programme puts into a REFI-QDA project: answers, respondent attributes and codings.

Every free-text answer becomes one text source; every coding covers the whole answer (the
codes evalkit holds are per answer, not per phrase) and belongs to one coder:

- the agreed codes (the programme's ``ground_truth`` file) to :data:`~evalkit.exchange.names.AGREED_CODER`;
- each person in the ``double_coding`` file, and each coder with a journal in the coding
  panel's store folder, to that person;
- the keyword rule coder's codes (run on the original text) to
  :data:`~evalkit.exchange.names.MACHINE_CODER`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.coding.codebook import Codebook, load_codebook
from evalkit.exchange.names import AGREED_CODER, KEY_VARIABLES, MACHINE_CODER
from evalkit.textclean import clean_text

KEY = ["source", "response_id", "column"]
CODER_COLUMNS = ["source", "response_id", "column", "coder", "theme_id", "start", "end", "text"]
"""The tidy coder table: one row per coding of one answer by one coder."""
_TYPES = {"likert": "Integer", "single_choice": "Text", "free_text": "Text", "date": "Date"}
_JOURNAL_READER = "\x00evalkit export"
"""A coder name no person has: other_coders_codes(store, it) then returns every coder's journal."""


@dataclass(frozen=True)
class ExchangeContent:
    """Everything one ``.qdpx`` holds, as tables; built by :func:`collect_content`.

    Attributes
    ----------
    name, description : str
        The programme's name and description.
    codebook : Codebook
        The programme's codebook.
    extra_themes : list of str
        Theme ids used in codings but missing from the codebook (written as top-level codes).
    answers : pandas.DataFrame
        ``source, response_id, column, question, text``: one row per non-blank free-text
        answer, ``text`` as written to the project (cleaned, and redacted unless unredacted).
    variables : dict of str to str
        Variable name to REFI-QDA type (``Text``, ``Integer``, ``Float``, ``Date``).
    values : pandas.DataFrame
        ``source, response_id, variable, value``: respondent attributes of each answer's row.
    codings : pandas.DataFrame
        :data:`CODER_COLUMNS`; ``start``/``end`` are code-point positions in ``text``.
    memos : pandas.DataFrame
        ``source, response_id, column, coder, memo`` from coding-panel journals.
    redacted : bool
    notes : list of str
        What was left out or changed, in plain words.
    """

    name: str
    description: str
    codebook: Codebook
    extra_themes: list[str]
    answers: pd.DataFrame
    variables: dict[str, str]
    values: pd.DataFrame
    codings: pd.DataFrame
    memos: pd.DataFrame
    redacted: bool
    notes: list[str] = field(default_factory=list)

    @property
    def coders(self) -> list[str]:
        """Coders in the order their users are written: agreed, people (sorted), the machine."""
        found = set(self.codings["coder"])
        people = sorted(found - {AGREED_CODER, MACHINE_CODER})
        return [c for c in (AGREED_CODER,) if c in found] + people + [c for c in (MACHINE_CODER,) if c in found]


def as_coder_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with :data:`CODER_COLUMNS` only: text columns as str, positions as int64."""
    out = frame[CODER_COLUMNS].reset_index(drop=True).copy()
    for column in CODER_COLUMNS:
        out[column] = out[column].astype("int64") if column in ("start", "end") else out[column].astype(str)
    return out


def _text(value) -> str:
    """A cell as text ('' for missing)."""
    return "" if value is None or pd.isna(value) else str(value)


def _variable_type(column) -> str:
    """REFI-QDA variable type of a declared column."""
    if column.type == "number":
        return "Integer" if column.integer else "Float"
    return _TYPES.get(column.type, "Text")


def _format(value, kind: str) -> str:
    """One attribute value as REFI-QDA writes it ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        return np.format_float_positional(float(value), trim="-")
    if kind == "Date" and isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    return clean_text(str(value)).strip()


def _answers(programme, redact_text) -> pd.DataFrame:
    """Every non-blank free-text answer, in config, file and column order."""
    rows = []
    for source, spec in programme.sources.items():
        table = programme.tables[source]
        columns = programme.columns_of_type(source, "free_text")
        if not columns:
            continue
        ids = table[spec.id_column].map(_text).tolist()
        cells = {column: table[column].tolist() for column in columns}
        for i, response_id in enumerate(ids):
            for column in columns:
                original = clean_text(_text(cells[column][i]))
                if not original.strip():
                    continue
                label = spec.columns[column].label or column
                rows.append((source, response_id, column, label, redact_text(original), original))
    return pd.DataFrame(rows, columns=KEY + ["question", "text", "original"])


def _attributes(programme, answers: pd.DataFrame, redacted: bool, notes: list[str]):
    """Variables (name -> type) and each answer's attribute values."""
    variables: dict[str, str] = {name: "Text" for name in KEY_VARIABLES}
    values = []
    wanted = set(map(tuple, answers[["source", "response_id"]].drop_duplicates().to_numpy()))
    for source, spec in programme.sources.items():
        if not any(s == source for s, _ in wanted):
            continue
        table = programme.tables[source]
        columns: list[tuple[str, str]] = []
        if spec.project_column:
            columns.append((spec.project_column, "Text"))
        respondents = None
        if spec.respondent_column:
            respondents = table[spec.respondent_column]
            if redacted:
                salt = (programme.privacy or {}).get("salt")
                if salt:
                    from evalkit.privacy.pseudonym import pseudonymise

                    respondents = pseudonymise(respondents, salt)
                else:
                    respondents = None
                    notes.append(f"{source}: no pseudonym salt, so the respondent column "
                                 f"{spec.respondent_column!r} is left out of the redacted project.")
            if respondents is not None:
                columns.append((spec.respondent_column, "Text"))
        for name, column in spec.columns.items():
            if column.type != "free_text" and name not in (spec.project_column, spec.respondent_column):
                columns.append((name, _variable_type(column)))
        for name, kind in columns:
            if variables.setdefault(name, kind) != kind:
                variables[name] = "Text"
        ids = table[spec.id_column].map(_text).tolist()
        cells = {name: (respondents if name == spec.respondent_column else table[name]).tolist()
                 for name, _ in columns}
        for i, response_id in enumerate(ids):
            if (source, response_id) not in wanted:
                continue
            for name, kind in columns:
                values.append((source, response_id, name, cells[name][i], kind))
    frame = pd.DataFrame(values, columns=["source", "response_id", "variable", "raw", "kind"])
    frame["value"] = [_format(v, k) for v, k in zip(frame["raw"], frame["kind"])]
    frame = frame[frame["value"] != ""]
    return variables, frame[["source", "response_id", "variable", "value"]].reset_index(drop=True)


def _long_codes(frame: pd.DataFrame | None, coder: str | None) -> pd.DataFrame:
    """A ground-truth or double-coding table as source/response_id/column/coder/theme_id text."""
    if frame is None or len(frame) == 0:
        return pd.DataFrame(columns=KEY + ["coder", "theme_id"])
    out = pd.DataFrame({c: frame[c].map(_text).str.strip() for c in KEY + ["theme_id"]})
    out["coder"] = coder if coder is not None else frame["coder"].map(_text).str.strip()
    return out[KEY + ["coder", "theme_id"]]


def _journal_codes(programme, store_dir, answers: pd.DataFrame, notes: list[str]):
    """Codes and memos from every coding-panel journal in ``store_dir``."""
    from evalkit.panel.store import other_coders_codes

    by_label: dict[str, list[tuple[str, str]]] = {}
    for source, spec in programme.sources.items():
        for column in programme.columns_of_type(source, "free_text"):
            by_label.setdefault(spec.columns[column].label or column, []).append((source, column))
    present = set(map(tuple, answers[KEY].to_numpy()))
    codes, memos, lost = [], [], 0
    for coder, by_key in sorted(other_coders_codes(store_dir, _JOURNAL_READER).items()):
        for (response_id, question), answer in by_key.items():
            if not answer.themes and not answer.memo:
                continue
            places = [(s, c) for s, c in by_label.get(str(question), []) if (s, str(response_id), c) in present]
            if len(places) != 1:
                lost += 1
                continue
            source, column = places[0]
            codes += [(source, str(response_id), column, coder, t) for t in sorted(answer.themes)]
            if answer.memo.strip():
                memos.append((source, str(response_id), column, coder, clean_text(answer.memo)))
    if lost:
        notes.append(f"{lost} journal answer(s) in {store_dir} match no single answer of the programme "
                     "(unknown response id or question label) and are left out.")
    return (pd.DataFrame(codes, columns=KEY + ["coder", "theme_id"]),
            pd.DataFrame(memos, columns=KEY + ["coder", "memo"]))


def _machine_codes(answers: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The rule coder's codes for every answer, run on the original (unredacted) text."""
    from evalkit.coding.rules import RuleCoder

    if answers.empty:
        return pd.DataFrame(columns=KEY + ["coder", "theme_id"])
    coded = RuleCoder(codebook).code(answers["original"].tolist(), response_ids=np.arange(len(answers)))
    rows = answers.iloc[coded["response_id"].to_numpy(dtype=np.int64)][KEY].reset_index(drop=True)
    rows["coder"] = MACHINE_CODER
    rows["theme_id"] = coded["theme_id"].to_numpy(dtype=object)
    return rows


def collect_content(programme, *, redacted: bool = True, journals=None, machine: bool = True) -> ExchangeContent:
    """Gather a loaded programme's answers, attributes and every coder's codes.

    Parameters
    ----------
    programme : evalkit.programme.Programme
    redacted : bool, default True
        Redact personal details from answers (:func:`evalkit.privacy.redact.redact` with the
        programme's ``privacy.names``) and pseudonymise the respondent column.
    journals : path-like, optional
        The coding panel's store folder; every coder's journal there is added.
    machine : bool, default True
        Add the keyword rule coder's codes.

    Returns
    -------
    ExchangeContent
    """
    notes: list[str] = []
    codebook = load_codebook(programme.codebook_path)
    if redacted:
        from evalkit.privacy.redact import redact

        names = tuple((programme.privacy or {}).get("names", ()))
        redact_text = lambda text: redact(text, names=names)  # noqa: E731
    else:
        redact_text = lambda text: text  # noqa: E731
    answers = _answers(programme, redact_text)
    variables, values = _attributes(programme, answers, redacted, notes)
    parts = [_long_codes(programme.ground_truth, AGREED_CODER), _long_codes(programme.double_coding, None)]
    memos = pd.DataFrame(columns=KEY + ["coder", "memo"])
    if journals is not None:
        journal_codes, memos = _journal_codes(programme, journals, answers, notes)
        parts.append(journal_codes)
    if machine:
        parts.append(_machine_codes(answers, codebook))
    people = set(parts[1]["coder"]) | (set(parts[2]["coder"]) if journals is not None else set())
    for reserved in sorted(people & {AGREED_CODER, MACHINE_CODER}):
        notes.append(f"a coder is called {reserved!r}, the name evalkit gives the "
                     f"{'agreed' if reserved == AGREED_CODER else 'rule coder'}'s codes; their codes are merged.")
    codes = pd.concat(parts, ignore_index=True)
    codes = codes[codes["theme_id"].fillna("").str.strip() != ""].drop_duplicates()
    texts = answers.set_index(KEY)["text"]
    known = codes.set_index(KEY).index.isin(texts.index)
    if (~known).any():
        notes.append(f"{int((~known).sum())} code(s) name answers that are blank or not in the programme "
                     "(quarantined rows, unknown ids) and are left out.")
    codes = codes[known]
    text = texts.reindex(codes.set_index(KEY).index).to_numpy(dtype=object)
    codes = codes.assign(start=0, end=[len(t) for t in text], text=text)
    order = {k: i for i, k in enumerate(map(tuple, answers[KEY].to_numpy()))}
    codes = codes.assign(_o=[order[k] for k in map(tuple, codes[KEY].to_numpy())])
    codes = codes.sort_values(["_o", "coder", "theme_id"]).drop(columns="_o").reset_index(drop=True)
    extra = sorted(set(codes["theme_id"]) - set(codebook.themes))
    if extra:
        notes.append(f"{len(extra)} theme id(s) used in codings are not in the codebook and are added as "
                     f"top-level codes: {', '.join(extra)}.")
    return ExchangeContent(
        name=programme.name, description=getattr(programme, "description", "") or "", codebook=codebook,
        extra_themes=extra, answers=answers.drop(columns="original"), variables=variables, values=values,
        codings=as_coder_table(codes), memos=memos, redacted=redacted, notes=notes,
    )

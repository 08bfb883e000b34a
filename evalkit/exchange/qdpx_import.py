"""``evalkit import-qdpx``: codings made in a QDA tool back into evalkit's tidy coder table.

Each text source is matched to one answer, first by the evalkit key it carries (the
``evalkit source / response id / column`` variables, then its name ``source ~ id ~ column``);
with the programme's config also by GUID and, for sources a tool renamed, by identical text.
Each code is matched to a theme (see :func:`evalkit.coding.qdc.codes_to_codebook`); codes
that match no theme keep an id made from their name and are reported, as are sources that
match no answer.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit.csvio import write_csv
from evalkit.errors import EvalkitError
from evalkit.exchange.content import CODER_COLUMNS, KEY, as_coder_table
from evalkit.exchange.names import KEY_VARIABLES, parse_source_name, source_guid
from evalkit.exchange.qdpx_read import read_qdpx
from evalkit.textclean import clean_text
from evalkit.xlsx import neutralise_formula


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_qdpx` read.

    Attributes
    ----------
    codings : pandas.DataFrame
        The tidy coder table, :data:`~evalkit.exchange.content.CODER_COLUMNS`: one row per
        code a user gave to a stretch of an answer; ``start``/``end`` count code points in the
        answer's text with ``\\n`` line ends; ``text`` is that stretch.
    codebook : Codebook or None
        The project's codes as a codebook (evalkit ids kept where they match).
    new_codes : pandas.DataFrame
        ``guid, name, theme_id``: codes matching no theme of the reference codebook.
    unmatched_sources : pandas.DataFrame
        ``name, guid, reason``: sources matching no answer (their codings are left out).
    origin : str
        The tool that wrote the file.
    notes : list of str
    """

    codings: pd.DataFrame
    codebook: object
    new_codes: pd.DataFrame
    unmatched_sources: pd.DataFrame
    origin: str
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        coders = self.codings["coder"].value_counts().sort_index()
        per_coder = ", ".join(f"{c}: {n}" for c, n in coders.items()) or "none"
        answers = self.codings[KEY].drop_duplicates().shape[0]
        lines = [f"Read {len(self.codings)} codings of {answers} answers from a project written by "
                 f"{self.origin or 'an unnamed tool'}; codings by user: {per_coder}."]
        if len(self.new_codes):
            shown = "; ".join(f"{n!r} -> {t}" for n, t in zip(self.new_codes["name"], self.new_codes["theme_id"]))
            lines.append(f"{len(self.new_codes)} code(s) match no theme of the codebook and keep new ids: {shown}.")
        if len(self.unmatched_sources):
            shown = "; ".join(f"{n!r} ({r})" for n, r in
                              zip(self.unmatched_sources["name"][:10], self.unmatched_sources["reason"][:10]))
            more = "" if len(self.unmatched_sources) <= 10 else f" and {len(self.unmatched_sources) - 10} more"
            lines.append(f"{len(self.unmatched_sources)} source(s) match no answer and are left out: {shown}{more}.")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _programme_answers(config):
    """Answer keys by GUID and by text (original and redacted), and the programme's codebook."""
    from evalkit.coding.codebook import load_codebook
    from evalkit.exchange.content import collect_content
    from evalkit.programme import load_programme

    programme = load_programme(config)
    keys, by_text = {}, {}
    for redacted in (False, True):
        content = collect_content(programme, redacted=redacted, machine=False)
        for key, text in zip(map(tuple, content.answers[KEY].to_numpy()), content.answers["text"]):
            keys[source_guid(*key)] = key
            by_text.setdefault(" ".join(text.split()), set()).add(key)
    return set(keys.values()), keys, by_text, load_codebook(programme.codebook_path)


def _match(source, known, by_guid, by_text):
    """Return (key, None) for a source, or (None, reason)."""
    values = [source.variables.get(v, "").strip() for v in KEY_VARIABLES]
    key = tuple(values) if all(values) else parse_source_name(source.name)
    if key is None and by_guid is not None:
        key = by_guid.get(source.guid)
    if key is None and by_text is not None:
        found = by_text.get(" ".join(clean_text(source.text).split()), set())
        if len(found) == 1:
            key = next(iter(found))
        elif len(found) > 1:
            return None, "its text is the answer to several questions; rename it 'source ~ response id ~ column'"
    if key is None:
        return None, "no evalkit key (name 'source ~ response id ~ column' or evalkit variables)"
    if known is not None and key not in known:
        return None, f"no answer {' / '.join(key)} in the programme"
    return key, None


def import_qdpx(input, out=None, *, config=None, codebook=None) -> ImportResult:
    """Read a ``.qdpx`` from QualCoder, NVivo, ATLAS.ti, MAXQDA or evalkit into the coder table.

    Parameters
    ----------
    input : path-like
        The ``.qdpx`` file.
    out : path-like, optional
        Where to write the coder table as CSV (UTF-8 with byte-order mark so Excel reads it;
        cells a spreadsheet would run as formulas start with an apostrophe).
    config : path-like, optional
        The programme YAML: sources are then checked against its answers and also matched by
        GUID and text, and codes against its codebook.
    codebook : Codebook or path, optional
        Reference codebook when no config is given (default: evalkit's default codebook).

    Returns
    -------
    ImportResult

    Raises
    ------
    DataValidationError
        If the file is not a REFI-QDA project.
    EvalkitError
        If ``out`` is not a ``.csv`` file.
    """
    if out is not None and Path(out).suffix.lower() != ".csv":
        raise EvalkitError(f"{out}: write the coder table as .csv.")
    known = by_guid = by_text = None
    reference = "default" if codebook is None else codebook
    if config is not None:
        known, by_guid, by_text, reference = _programme_answers(config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = read_qdpx(input, codebook=reference)
    rows, unmatched, missing_code = [], [], 0
    for source in project.sources:
        key, reason = _match(source, known, by_guid, by_text)
        if key is None:
            unmatched.append((source.name, source.guid, reason))
            continue
        for coding in source.codings:
            theme = project.code_ids.get(coding.code_guid)
            if theme is None:
                missing_code += 1
                continue
            rows.append((*key, coding.user, theme, coding.start, coding.end,
                         clean_text(source.text[coding.start:coding.end])))
    codings = pd.DataFrame(rows, columns=CODER_COLUMNS).drop_duplicates()
    codings = as_coder_table(codings.sort_values(["source", "response_id", "column", "coder", "theme_id", "start",
                                                  "end"], kind="stable"))
    notes = [str(w.message) for w in caught] + [str(p) for p in project.problems]
    if missing_code:
        notes.append(f"{missing_code} coding(s) refer to a code that is not in the project's codebook; skipped.")
    if "(no user)" in set(codings["coder"]):
        notes.append("some codings name no user; they are under coder '(no user)'.")
    result = ImportResult(codings=codings, codebook=project.codebook,
                          new_codes=pd.DataFrame(project.new_codes, columns=["guid", "name", "theme_id"]),
                          unmatched_sources=pd.DataFrame(unmatched, columns=["name", "guid", "reason"]),
                          origin=project.origin, notes=notes)
    if out is not None:
        write_coder_table(codings, out)
    return result


def write_coder_table(codings: pd.DataFrame, path) -> Path:
    """Write the coder table as CSV for people and programs: UTF-8 with BOM, ``\\n`` line ends.

    Parameters
    ----------
    codings : pandas.DataFrame
        :data:`~evalkit.exchange.content.CODER_COLUMNS`.
    path : path-like

    Returns
    -------
    pathlib.Path
    """
    frame = codings[CODER_COLUMNS].copy()
    for column in ("source", "response_id", "column", "coder", "theme_id", "text"):
        frame[column] = frame[column].map(lambda v: neutralise_formula(clean_text(v)))
    return write_csv(frame, path)

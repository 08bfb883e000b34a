"""Writing a guessed programme config as YAML text, with a ``# check`` comment on every guess.

The text is built by hand (not ``yaml.dump``) so comments sit beside the keys they explain.
Every string is written double-quoted with JSON escapes, which YAML reads back unchanged:
headers with ``:``, ``#``, quotes or line breaks, and values such as ``yes``, ``01`` or
``2024-01-29``, never turn into something else.
"""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass

from evalkit.programme.infer import ColumnGuess, ScaleGuess, TableGuess

# Characters YAML does not allow raw in a document, or reads as line breaks (NEL, LS, PS, BOM).
_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")
_SIMPLE_KEY = 1000          # YAML limits implicit keys to 1024 characters; longer ones use "? key"
WIDTH = 110


@dataclass(frozen=True)
class SourceDraft:
    """One source to write: its name, path relative to the config, sheet and guesses."""

    name: str
    path: str
    file: str
    guess: TableGuess
    sheet: str | None = None
    overflow_rows: tuple[int, ...] = ()

    @property
    def quarantined_rows(self) -> int:
        """Rows the guesses do not fit, or with more cells than the header: quarantined on loading."""
        return len(set(self.overflow_rows).union(*(c.misfit_rows for c in self.guess.columns)))


def quote(text: str) -> str:
    """Return text as a YAML double-quoted scalar that reads back exactly.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> quote('Q1: "Why?" # see note')
    '"Q1: \\\\"Why?\\\\" # see note"'
    """
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return _UNSAFE.sub(escape, json.dumps(str(text), ensure_ascii=False))


def scalar(value) -> str:
    """Return a YAML scalar: quoted text, plain numbers, true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return quote(value)


def flow(value) -> str:
    """Return a one-line YAML flow form of a scalar, list or dict (order kept)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k) if not isinstance(k, str) else k}: {flow(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def comment(text: str, indent: int = 0) -> list[str]:
    """Return text as ``# ...`` lines, wrapped, with line breaks and odd characters made spaces."""
    clean = " ".join(_UNSAFE.sub(" ", text).split())
    prefix = " " * indent + "# "
    return textwrap.wrap(clean, WIDTH - len(prefix), initial_indent=prefix, subsequent_indent=prefix + "  ",
                         break_long_words=False, break_on_hyphens=False) or [prefix.rstrip()]


def keyed(key: str, value: str, indent: int) -> list[str]:
    """Return ``"key": value`` lines, using an explicit ``? key`` for keys too long for YAML."""
    pad = " " * indent
    text = quote(key)
    if len(text) > _SIMPLE_KEY:
        return [f"{pad}? {text}", f"{pad}: {value}"]
    return [f"{pad}{text}: {value}"]


def _column_entry(guess: ColumnGuess, scale_name: str | None) -> dict:
    """Return the flow mapping declaring one column."""
    entry: dict = {"type": guess.role, "label": guess.label}
    if guess.role == "likert":
        entry["scale"] = scale_name
    elif guess.role == "single_choice":
        entry["choices"] = list(guess.choices)
    elif guess.role == "number":
        entry.update({"min": guess.min, "max": guess.max})
        if guess.integer:
            entry["integer"] = True
    elif guess.role == "date":
        entry["format"] = guess.date_format
    if not guess.required:
        entry["required"] = False
    return entry


def _scale_key(scale: ScaleGuess) -> tuple:
    """Return what makes two guessed scales the same scale."""
    return scale.labels, scale.missing, scale.kind, scale.higher_is_better


def name_scales(sources: list[SourceDraft]) -> tuple[dict[tuple, str], dict[str, tuple[ScaleGuess, list[str]]]]:
    """Return scale names by content, and each named scale with the columns that use it.

    Identical scales are written once; different scales that would share a name get
    ``_2``, ``_3``... suffixes.
    """
    names: dict[tuple, str] = {}
    scales: dict[str, tuple[ScaleGuess, list[str]]] = {}
    for source in sources:
        for column in source.guess.of_role("likert"):
            key = _scale_key(column.scale)
            if key not in names:
                name, n = column.scale.name, 1
                while name in scales:
                    n += 1
                    name = f"{column.scale.name}_{n}"
                names[key] = name
                scales[name] = (column.scale, [])
            scales[names[key]][1].append(f"{quote(column.label)} ({source.name})")
    return names, scales


def _scale_lines(name: str, scale: ScaleGuess, users: list[str]) -> list[str]:
    """Return the long-form YAML of one scale, with what to check."""
    if scale.from_codes:
        advice = ("check what each value means: label them (the labels are the codes for now), list 'don't know' "
                  "or 'no answer' codes under missing:, set kind: (agreement, rating, frequency or other) and "
                  "higher_is_better: false if the lowest code is the best")
    else:
        direction = "higher is better" if scale.higher_is_better else "1 is the best"
        advice = (f"check: the {scale.name} scale as usually coded ({direction}), labels spelled as in the data; "
                  "codes under missing: mean 'no rating' and are left out of counts")
    lines = comment(advice, 2) + comment("used by: " + ", ".join(users), 2) + [f"  {name}:"]
    lines.append(f"    labels: {flow(dict(scale.labels))}")
    if scale.missing:
        lines.append(f"    missing: {flow(dict(scale.missing))}")
    lines.append(f"    kind: {quote(scale.kind)}")
    if scale.higher_is_better is not None:
        lines.append(f"    higher_is_better: {scalar(scale.higher_is_better)}")
    return lines


def _source_lines(source: SourceDraft, scale_names: dict[tuple, str], one_project: bool) -> list[str]:
    """Return the YAML of one source: its keys, declared columns and notes on undeclared ones."""
    guess = source.guess
    lines = [f"  {source.name}:"]
    lines += comment(f"read from {source.file}: {guess.rows:,} rows, {len(guess.columns)} columns", 4)
    lines.append(f"    path: {quote(source.path)}")
    if source.sheet is not None:
        lines.append(f"    sheet: {quote(source.sheet)}")
    if source.overflow_rows:
        n = len(source.overflow_rows)
        lines += comment(f"check the {n:,} row{'s' * (n != 1)} with more cells than the header (an unquoted comma "
                         "in an answer?): they will be quarantined until fixed", 4)
    for key, column in (("id_column", guess.id_column), ("project_column", guess.project_column),
                        ("respondent_column", guess.respondent_column), ("question_column", guess.question_column)):
        if column is None:
            continue
        if key == "id_column" and column == guess.project_column:
            lines += comment("check: one row per project, so the project column is also the row id (a file of "
                             "facts about each project)", 4)
        else:
            for reason in guess.column(column).reasons:
                lines += comment(reason, 4)
        lines.append(f"    {key}: {quote(column)}")
    if guess.project_column is None and one_project:
        lines += comment("no project column: every row belongs to the programme's one project", 4)
    declared = [c for c in guess.columns if c.role in ("likert", "number", "date", "single_choice", "free_text")]
    lines.append("    columns:" if declared else "    columns: {}")
    for column in declared:
        for reason in column.reasons:
            lines += comment(reason, 6)
        scale = scale_names.get(_scale_key(column.scale)) if column.scale else None
        lines += keyed(column.name, flow(_column_entry(column, scale)), 6)
    for column in guess.of_role("undeclared"):
        lines += comment(f"{quote(column.name)}: {column.reasons[0]}", 6)
    return lines


def programme_yaml(name: str, projects: list[tuple[str, str]], sources: list[SourceDraft],
                   missing_values: list[str], seen: dict[str, int], survey: str | None, salt_file: str,
                   one_project_note: str | None = None) -> str:
    """Return the whole programme config as YAML text with ``# check`` comments.

    Parameters
    ----------
    name : str
        Programme name.
    projects : list of (id, name)
        The projects, in order.
    sources : list of SourceDraft
        One per file, in the order given.
    missing_values : list of str
        The "no answer" placeholders to write.
    seen : dict of str to int
        Placeholders found in the files and their cell counts, for the comment.
    survey : str or None
        The source named as ``report: survey``.
    salt_file : str
        The salt file's path relative to the config.
    one_project_note : str, optional
        What to check about the single project (when there is no project column).

    Returns
    -------
    str
    """
    files = ", ".join(s.file for s in sources)
    lines = comment(f"Written by evalkit init from {files}. Every '# check' line is a guess: read it and correct "
                    "what is wrong, then run: evalkit validate --config <this file>")
    lines += [""] + comment("check: the name and description are shown on every page")
    lines.append(f"programme: {flow({'name': name, 'synthetic': False, 'description': ''})}")
    lines += [""] + comment("Cells meaning 'no answer' count as blank in every column (case, spaces and a final "
                            "full stop ignored).")
    found = ", ".join(f"{quote(p)} ({n:,} cell{'s' * (n != 1)})" for p, n in seen.items()) or "none"
    lines += comment(f"check: add any other placeholder the export uses. Seen in the files: {found}")
    lines.append(f"missing_values: {flow(missing_values)}")
    if any(s.path.startswith("../") or s.path.startswith("/") for s in sources):
        lines += [""] + comment("The data files lie outside this config's folder: evalkit reads them only "
                                "because of this line. Move them beside the config and remove it if you can.")
        lines.append("allow_paths_outside: true")
    scale_names, scales = name_scales(sources)
    if scales:
        lines += ["", "scales:"]
        for scale_name, (scale, users) in scales.items():
            lines += _scale_lines(scale_name, scale, users)
    lines += ["", "projects:"]
    if one_project_note:
        lines += comment(one_project_note, 2)
    else:
        lines += comment("check: one project per value of the project column; give each its real name, a theme "
                         "and a description (ids must stay as they are in the data)", 2)
    lines += [f"  - {flow({'id': pid, 'name': pname})}" for pid, pname in projects]
    lines += ["", "sources:"]
    for source in sources:
        lines += _source_lines(source, scale_names, one_project=len(projects) == 1)
    lines += ["", "codebook: \"default\"", ""]
    lines += comment("check: keep the salt file secret and out of version control: ids in reports are "
                     "pseudonymised with it, and a new salt gives everyone new pseudonyms")
    lines.append("privacy:")
    lines.append(f"  salt_file: {quote(salt_file)}")
    lines += comment("check: list first names to take out of quoted answers, e.g. [\"Priya\", \"Tom\"]", 2)
    lines.append("  names: []")
    lines.append("")
    if survey is not None:
        lines += comment("check: the main source (who answered, ratings, themes); other report settings keep "
                         "their defaults", 0)
        lines.append(f"report: {flow({'survey': survey})}")
    else:
        lines.append("report: {}")
    return "\n".join(lines) + "\n"

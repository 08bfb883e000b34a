"""Codebooks: hierarchical themes with plain-language guidance and keyword patterns.

The YAML file is the master format::

    version: "1.0"
    name: Co-production feedback
    themes:
      - id: sharing_power
        name: Sharing power
        definition: ...
      - id: power_decision_making
        name: Power in decision making
        parent: sharing_power
        definition: ...          # plain language
        use_when: ...
        not_when: ...
        examples: ["a quote", ...]
        patterns: ["decision", "had a say", "re:\\bveto(ed)?\\b"]

A pattern is a word or phrase matched on Snowball stems after British/American spelling
normalisation (so ``organise`` also finds "organized" and "organisation"), or a regular
expression written ``re:...`` matched case-insensitively on the raw sentence.

``load_codebook`` reads YAML, CSV (evalkit's or Taguette's, see :mod:`evalkit.coding.codebook_csv`)
and REFI-QDA ``.qdc`` (see :mod:`evalkit.coding.qdc`); ``save_codebook`` writes all of them.
"""
from __future__ import annotations

from pathlib import Path

from evalkit.coding.codebook_csv import codebook_to_csv, codebook_to_taguette_csv, read_codebook_csv
from evalkit.coding.codebook_model import (REGEX_PREFIX, REGEX_PROBE_SECONDS, THEME_ID_RE, Codebook, Theme,
                                           catastrophic, codebook_from_dict, compile_pattern, dump_yaml,
                                           read_yaml_codebook, slugify)
from evalkit.coding.qdc import codebook_to_qdc, read_qdc
from evalkit.errors import CodebookError
from evalkit.files import atomic_write_bytes
from evalkit.paths import DEFAULT_CODEBOOK

__all__ = ["REGEX_PREFIX", "REGEX_PROBE_SECONDS", "THEME_ID_RE", "Codebook", "Theme", "catastrophic",
           "codebook_from_dict", "compile_pattern", "dump_yaml", "load_codebook", "read_yaml_codebook",
           "save_codebook", "slugify"]


def load_codebook(path="default") -> Codebook:
    """Load a codebook from YAML, CSV or REFI-QDA ``.qdc``.

    Parameters
    ----------
    path : str, path-like or Codebook
        ``"default"`` (or None) for the co-production codebook shipped with evalkit, a file
        path (``.yml``/``.yaml``, ``.csv``, ``.qdc``), or an existing Codebook (returned as is).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        If the file is missing, of an unknown type, or invalid.

    See Also
    --------
    save_codebook : write one in any of these formats.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codebook.yml"
    >>> _ = path.write_text('''
    ... name: Tiny
    ... themes:
    ...   - {id: access, name: Access, definition: Getting in and around.}
    ...   - {id: venue, name: Venue, parent: access, definition: The building., patterns: [ramp, lift]}
    ... ''')
    >>> codebook = load_codebook(path)
    >>> codebook.leaves(), codebook["venue"].patterns
    (['venue'], ('ramp', 'lift'))
    """
    if isinstance(path, Codebook):
        return path
    if path is None or (isinstance(path, str) and path == "default"):
        path = DEFAULT_CODEBOOK
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"{path}: codebook file not found; check the path or use 'default'.")
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return read_yaml_codebook(path)
    if suffix == ".csv":
        return read_codebook_csv(path)
    if suffix == ".qdc":
        return read_qdc(path)
    raise CodebookError(f"{path}: unknown codebook type {suffix!r}; use .yml, .csv or .qdc.")


def save_codebook(cb: Codebook, path) -> Path:
    """Write a codebook; the format follows the suffix (``.yml``/``.yaml``, ``.csv``, ``.qdc``).

    CSV is UTF-8 with a byte-order mark (so Excel shows accents); a name ending in
    ``.taguette.csv`` gets Taguette's codebook columns (``tag``, ``description``), the only
    codebook format Taguette imports.

    Parameters
    ----------
    cb : Codebook
    path : path-like

    Returns
    -------
    pathlib.Path
        The path written (atomically; same codebook, same bytes).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        data = dump_yaml(cb).encode("utf-8")
    elif suffix == ".csv" and path.name.lower().endswith(".taguette.csv"):
        data = codebook_to_taguette_csv(cb).encode("utf-8-sig")
    elif suffix == ".csv":
        data = codebook_to_csv(cb).encode("utf-8-sig")
    elif suffix == ".qdc":
        data = codebook_to_qdc(cb)
    else:
        raise CodebookError(f"{path}: unknown codebook type {suffix!r}; use .yml, .csv or .qdc.")
    return atomic_write_bytes(path, data)

"""Codebooks as CSV, for co-producers editing themes in a spreadsheet.

Required columns: ``name``, ``parent``, ``description``. Optional: ``id`` (otherwise slugified
from the name), ``use_when``, ``not_when``, ``examples`` (one quote per line inside the cell)
and ``patterns`` (separated by ``;``). ``parent`` may hold the parent's name or its id; leave it
empty for a top-level theme. Files may be UTF-8 (with or without BOM) or Windows-1252, as
Excel saves them; evalkit writes UTF-8 with a BOM so Excel shows accents correctly.

Taguette's codebook CSV (``tag,description,number of highlights,...``, hierarchy written as
``parent.child`` in ``tag``) is read too (:func:`read_taguette_csv`); Taguette imports only
that format, which :func:`codebook_to_taguette_csv` writes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.coding.codebook_model import Codebook, Theme, reference_codebook, slugify
from evalkit.coding.refi_codes import ThemeMatcher, depth_first, export_names, parse_theme_description, theme_description
from evalkit.errors import CodebookError
from evalkit.textclean import clean_text
from evalkit.xlsx import neutralise_formula

REQUIRED = ("name", "parent", "description")
OPTIONAL = ("id", "use_when", "not_when", "examples", "patterns")
_EXPORT = ("id", "name", "parent", "description", "use_when", "not_when", "examples", "patterns")


def _decode(path: Path) -> str:
    """Read text as UTF-8 (BOM allowed), falling back to Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _cell(value: str | None) -> str:
    """Strip a cell and undo formula neutralisation (a leading apostrophe before = + - @)."""
    value = (value or "").strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return value


def read_codebook_csv(path) -> Codebook:
    """Read a codebook from CSV.

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    Codebook
        Named after the file; version ``"1"``.

    Raises
    ------
    CodebookError
        Naming the file, the row (as the spreadsheet numbers it, header = row 1) and the column
        for missing columns, empty names, duplicate ids and unknown parents.
    """
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing and "parent" not in header and ("tag" in header or "path" in header):
        return read_taguette_csv(path)
    if missing:
        raise CodebookError(
            f"{path}:1:: missing column(s) {', '.join(missing)}; the first row must name the "
            f"columns name, parent, description (optional: {', '.join(OPTIONAL)})."
        )
    reader.fieldnames = header
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {k: _cell(v) for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        if not row.get("name"):
            raise CodebookError(f"{path}:{line}:name: empty theme name; fill it in or delete the row.")
        row["_line"] = line
        row["id"] = row.get("id") or slugify(row["name"])
        rows.append(row)
    if not rows:
        raise CodebookError(f"{path}: no themes; add one row per theme under the header.")
    first_line: dict[str, int] = {}
    for row in rows:
        if row["id"] in first_line:
            raise CodebookError(
                f"{path}:{row['_line']}:name: theme {row['name']!r} gets id {row['id']!r}, the same "
                f"as row {first_line[row['id']]}; rename one of them or fill in the id column."
            )
        first_line[row["id"]] = row["_line"]
    by_name = {row["name"].casefold(): row["id"] for row in rows}
    ids = set(first_line)
    themes = []
    for row in rows:
        parent = row.get("parent") or None
        if parent is not None:
            if parent in ids:
                pass
            elif parent.casefold() in by_name:
                parent = by_name[parent.casefold()]
            else:
                raise CodebookError(
                    f"{path}:{row['_line']}:parent: unknown parent {parent!r}; write the name (or id) "
                    f"of another theme in this file, or leave it empty for a top-level theme."
                )
        examples = tuple(e.strip() for e in row.get("examples", "").splitlines() if e.strip())
        patterns = tuple(p.strip() for p in row.get("patterns", "").split(";") if p.strip())
        themes.append(Theme(
            id=row["id"], name=row["name"], parent=parent, definition=row.get("description", ""),
            use_when=row.get("use_when", ""), not_when=row.get("not_when", ""),
            examples=examples, patterns=patterns,
        ))
    return Codebook(themes, name=path.stem, version="1", source=str(path))


TAGUETTE_COLUMNS = ("tag", "description")


def read_taguette_csv(path, codebook="default") -> Codebook:
    """Read a codebook exported by Taguette (its CSV codebook).

    Parameters
    ----------
    path : path-like
        CSV with a ``tag`` (or ``path``) column and optionally ``description``; other columns
        (``number of highlights``, ``number of documents``) are ignored. A tag ``a.b`` is theme
        ``b`` under theme ``a`` (parents missing from the file are added).
    codebook : Codebook, path, "default" or None
        Reference codebook whose ids are kept for tags matching its themes by path of names or
        unique name (see :class:`evalkit.coding.refi_codes.ThemeMatcher`); a matched theme
        without description keeps the reference's guidance and patterns.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        For a missing tag column or an empty tag, naming the row.
    """
    path = Path(path)
    rows = list(csv.reader(io.StringIO(_decode(path), newline="")))
    header = [h.strip().lower() for h in (rows[0] if rows else [])]
    column = next((header.index(c) for c in ("tag", "path", "name") if c in header), None)
    if column is None:
        raise CodebookError(f"{path}:1:: no 'tag' column; Taguette's codebook CSV starts with tag,description.")
    described = header.index("description") if "description" in header else None
    reference = reference_codebook(codebook, {".csv": read_codebook_csv})
    matcher = ThemeMatcher(reference)
    themes: dict[tuple[str, ...], Theme] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        tag = clean_text(row[column] if column < len(row) else "").strip()
        parts = tuple(p.strip() for p in tag.split(".") if p.strip())
        if not parts:
            raise CodebookError(f"{path}:{line}:{header[column]}: empty tag; fill it in or delete the row.")
        description = clean_text(row[described]).strip() if described is not None and described < len(row) else ""
        for depth in range(1, len(parts) + 1):
            chain = parts[:depth]
            if chain in themes:
                continue
            match = matcher.match(None, chain[-1], chain)
            known = reference.themes.get(match.theme_id) if reference is not None and match.rule != "new" else None
            parent = themes[chain[:-1]].id if depth > 1 else None
            if known is not None:
                themes[chain] = Theme(**{**known.to_dict(), "name": chain[-1], "parent": parent,
                                         "examples": known.examples, "patterns": known.patterns})
            else:
                themes[chain] = Theme(id=match.theme_id, name=chain[-1], parent=parent)
        if description:
            parsed = parse_theme_description(description)
            themes[parts] = Theme(**{**themes[parts].to_dict(), **parsed})
    if not themes:
        raise CodebookError(f"{path}: no tags; add one row per tag under the header.")
    return Codebook(list(themes.values()), name=path.stem, version="1", source=str(path))


def codebook_to_taguette_csv(cb: Codebook) -> str:
    """Return the codebook as the CSV Taguette imports: ``tag`` (``parent.child``) and ``description``.

    Names that other themes share are written ``Name (Parent)`` (Taguette tags must be unique);
    a full stop inside a name, which Taguette reads as a level, becomes a middle dot.
    """
    names = {tid: name.replace(".", "\u00b7") for tid, name in export_names(cb).items()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TAGUETTE_COLUMNS)
    for tid in depth_first(cb):
        tag = ".".join([*(names[a] for a in reversed(cb.ancestors(tid))), names[tid]])
        writer.writerow([neutralise_formula(clean_text(tag)), neutralise_formula(clean_text(theme_description(cb[tid])))])
    return out.getvalue()


def codebook_to_csv(cb: Codebook) -> str:
    """Return the codebook as CSV text (parents written by name; ``\\n`` line endings).

    Parameters
    ----------
    cb : Codebook

    Returns
    -------
    str
        CSV with columns id, name, parent, description, use_when, not_when, examples (one per
        line in the cell), patterns (``;``-separated). Cells that a spreadsheet would run as a
        formula are neutralised with a leading apostrophe.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_EXPORT)
    for t in cb.themes.values():
        parent = cb.themes[t.parent].name if t.parent else ""
        values = [t.id, t.name, parent, t.definition, t.use_when, t.not_when,
                  "\n".join(t.examples), "; ".join(t.patterns)]
        writer.writerow([neutralise_formula(clean_text(v)) for v in values])
    return out.getvalue()

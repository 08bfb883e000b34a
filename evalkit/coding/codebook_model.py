"""The codebook itself: :class:`Theme`, :class:`Codebook`, their checks and the YAML master format.

Every codebook format (:mod:`evalkit.coding.codebook_csv`, :mod:`evalkit.coding.qdc`) builds on this
module; :mod:`evalkit.coding.codebook` chooses the format by the file's suffix.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from evalkit.errors import CodebookError, UnknownThemeError
from evalkit.paths import DEFAULT_CODEBOOK

REGEX_PREFIX = "re:"
REGEX_PROBE_SECONDS = 0.25
_REPEAT = re.compile(r"[+*]|\{\d*,\d*\}|\{\d{2,}\}")


def _nested_repeat(text: str) -> bool:
    """True when a group holding a repeat (``+``, ``*``, ``{m,n}``) is itself repeated, as in ``((ab)*)+``."""
    stack: list[bool] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < n and text[j] == "^":
                j += 1
            if j < n and text[j] == "]":
                j += 1
            while j < n and text[j] != "]":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            repeated = bool(_REPEAT.match(text, i))
            if stack and repeated:
                stack[-1] = True
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            inner = stack.pop()
            repeated = bool(_REPEAT.match(text, i + 1))
            if inner and repeated:
                return True
            if stack and (inner or repeated):
                stack[-1] = True
        elif _REPEAT.match(text, i) and stack:
            stack[-1] = True
        i += 1
    return False
_PROBES = ("a" * 3000 + "!", " " * 3000 + "!", "ab" * 1500 + "!", "aaa bbb " * 400 + "!", "1" * 3000 + "x",
           "abcdefghij" * 300 + "!")


def compile_pattern(text: str):
    """Compile a codebook ``re:`` pattern with the ``regex`` engine (which supports time limits).

    Case-insensitive and multi-line, as :class:`evalkit.coding.rules.RuleCoder` matches them.
    """
    import regex

    return regex.compile(text, regex.IGNORECASE | regex.MULTILINE | regex.VERSION0)


def catastrophic(text: str) -> str | None:
    """Say why a pattern could backtrack catastrophically ("a repeat inside a repeat"), or return None.

    Two checks: the shape (a group that ends in ``+``, ``*`` or ``{m,n}`` and is itself
    repeated, such as ``(a+)+`` or ``(\\w+\\s?)*``), and a run on hostile texts with a time
    limit of :data:`REGEX_PROBE_SECONDS` each.
    """
    if _nested_repeat(text):
        return "repeats a group that itself repeats"
    compiled = compile_pattern(text)
    for probe in _PROBES:
        try:
            for _ in compiled.finditer(probe, timeout=REGEX_PROBE_SECONDS):
                pass
        except TimeoutError:
            return f"took over {REGEX_PROBE_SECONDS} s on a {len(probe):,}-character test text"
    return None
THEME_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = ("id", "name", "parent", "definition", "use_when", "not_when", "examples", "patterns")


@dataclass(frozen=True)
class Theme:
    """One theme (code) of a codebook.

    Parameters
    ----------
    id : str
        Stable identifier: lower-case letters, digits and underscores, starting with a letter.
    name : str
        Short human name shown in reports.
    parent : str or None
        Id of the parent theme, or None for a top-level theme.
    definition : str
        What the theme means, in plain language.
    use_when, not_when : str
        Guidance for coders on when to apply the theme and when not to.
    examples : tuple of str
        Example quotes that carry the theme.
    patterns : tuple of str
        Keyword patterns (words/phrases matched on stems, or ``re:`` regular expressions).
    """

    id: str
    name: str
    parent: str | None = None
    definition: str = ""
    use_when: str = ""
    not_when: str = ""
    examples: tuple[str, ...] = field(default_factory=tuple)
    patterns: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """Return the theme as a plain dict (lists, not tuples), in the YAML field order."""
        out = asdict(self)
        out["examples"] = list(self.examples)
        out["patterns"] = list(self.patterns)
        return {key: out[key] for key in _FIELDS}


class Codebook:
    """A validated, hierarchical set of themes.

    Parameters
    ----------
    themes : iterable of Theme
        The themes, parents before or after children (order is kept for display).
    name : str
        Codebook title.
    version : str
        Version string chosen by the codebook's authors (e.g. ``"1.2"``).
    source : str, optional
        File the codebook came from; named in error messages.

    Raises
    ------
    CodebookError
        On duplicate or malformed ids, empty names, unknown parents, cycles or invalid regular
        expressions; the message names the file and the theme.
    """

    def __init__(self, themes, name: str = "Codebook", version: str = "1", source: str | None = None):
        self.name = str(name)
        self.version = str(version)
        self.source = source
        themes = list(themes)
        _validate(themes, source or "<codebook>")
        self.themes: dict[str, Theme] = {t.id: t for t in themes}

    def __repr__(self) -> str:
        return f"Codebook(name={self.name!r}, version={self.version!r}, themes={len(self.themes)})"

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self.themes

    def __getitem__(self, theme_id: str) -> Theme:
        return self.themes[theme_id]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codebook) and self.to_dict() == other.to_dict()

    def children(self, theme_id: str | None) -> list[str]:
        """Return ids of the direct children of ``theme_id`` (None: the top-level themes)."""
        if theme_id is not None and theme_id not in self.themes:
            raise UnknownThemeError(theme_id)
        return [t.id for t in self.themes.values() if t.parent == theme_id]

    def ancestors(self, theme_id: str) -> list[str]:
        """Return ids from the parent of ``theme_id`` up to its top-level theme."""
        out = []
        parent = self.themes[theme_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.themes[parent].parent
        return out

    def leaves(self) -> list[str]:
        """Return ids of themes without children, in codebook order."""
        parents = {t.parent for t in self.themes.values()}
        return [t.id for t in self.themes.values() if t.id not in parents]

    def roots(self) -> list[str]:
        """Return ids of the top-level themes, in codebook order."""
        return self.children(None)

    def to_dict(self) -> dict:
        """Return the codebook as plain data (the YAML structure)."""
        return {
            "version": self.version,
            "name": self.name,
            "themes": [t.to_dict() for t in self.themes.values()],
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 of a canonical JSON serialisation (sorted keys, UTF-8): same content, same hash."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """Return one row per theme: id, name, parent, depth, is_leaf, guidance, examples, patterns."""
        leaves = set(self.leaves())
        rows = []
        for t in self.themes.values():
            row = t.to_dict()
            row["depth"] = len(self.ancestors(t.id))
            row["is_leaf"] = t.id in leaves
            row["examples"] = "; ".join(t.examples)
            row["patterns"] = "; ".join(t.patterns)
            rows.append(row)
        cols = ["id", "name", "parent", "depth", "is_leaf", "definition", "use_when", "not_when",
                "examples", "patterns"]
        return pd.DataFrame(rows, columns=cols)

    def with_theme(self, theme: Theme) -> "Codebook":
        """Return a new codebook with ``theme`` added (validated; the original is unchanged)."""
        return Codebook([*self.themes.values(), theme], name=self.name, version=self.version,
                        source=self.source)

    def _ordered(self) -> list[tuple[int, Theme]]:
        """Themes depth-first (parents before children), with their depth."""
        out: list[tuple[int, Theme]] = []

        def walk(parent, depth):
            for tid in self.children(parent):
                out.append((depth, self.themes[tid]))
                walk(tid, depth + 1)

        walk(None, 0)
        return out

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for depth, t in self._ordered():
            indent = "&nbsp;" * 4 * depth
            rows.append(
                "<tr>"
                f"<th scope=\"row\" style=\"text-align:left\">{indent}{esc(t.name)}"
                f"<br><code>{esc(t.id)}</code></th>"
                f"<td style=\"text-align:left\">{esc(t.definition)}</td>"
                f"<td style=\"text-align:left\">{esc('; '.join(t.examples[:2]))}</td>"
                f"<td style=\"text-align:right\">{len(t.patterns)}</td>"
                "</tr>"
            )
        return (
            f"<table><caption>{esc(self.name)} (version {esc(self.version)}, "
            f"{len(self.themes)} themes, {len(self.leaves())} leaves)</caption>"
            "<thead><tr><th scope=\"col\">Theme</th><th scope=\"col\">Definition</th>"
            "<th scope=\"col\">Example quotes</th><th scope=\"col\">Patterns</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def _validate(themes: list[Theme], source: str) -> None:
    """Raise CodebookError naming ``source`` and the theme for the first structural problem."""
    if not themes:
        raise CodebookError(f"{source}: the codebook has no themes; add at least one under 'themes:'.")
    seen: dict[str, int] = {}
    for pos, t in enumerate(themes, start=1):
        where = f"{source}: theme {pos} (id {t.id!r})"
        if not isinstance(t.id, str) or not THEME_ID_RE.match(t.id):
            raise CodebookError(
                f"{where}: id must be lower-case letters, digits and underscores, starting with a "
                f"letter (e.g. 'feeling_heard')."
            )
        if t.id in seen:
            raise CodebookError(
                f"{where}: duplicate id {t.id!r} (also theme {seen[t.id]}); give each theme its own id."
            )
        seen[t.id] = pos
        if not str(t.name).strip():
            raise CodebookError(f"{where}: empty name; give the theme a short name people will recognise.")
        for pattern in t.patterns:
            if not str(pattern).strip():
                raise CodebookError(f"{where}: empty pattern; remove it or write a word or phrase.")
            if pattern.startswith(REGEX_PREFIX):
                try:
                    compile_pattern(pattern[len(REGEX_PREFIX):])
                except Exception as err:  # noqa: BLE001 - regex raises its own error class
                    raise CodebookError(
                        f"{where}: invalid regular expression {pattern!r} ({err}); fix it or "
                        f"write the pattern as plain words without 're:'."
                    ) from None
                problem = catastrophic(pattern[len(REGEX_PREFIX):])
                if problem:
                    raise CodebookError(
                        f"{where}: regular expression {pattern!r} {problem}, so coding could run for hours on "
                        f"one answer; write it without a repeat inside a repeat (e.g. 'a+' not '(a+)+')."
                    )
    by_id = {t.id: t for t in themes}
    for t in themes:
        if t.parent is not None and t.parent not in by_id:
            raise CodebookError(
                f"{source}: theme {t.id!r}: unknown parent {t.parent!r}; use the id of another "
                f"theme in this codebook, or leave parent empty for a top-level theme."
            )
    for t in themes:
        path = [t.id]
        parent = t.parent
        while parent is not None:
            if parent in path:
                cycle = " -> ".join([*path[path.index(parent):], parent])
                raise CodebookError(
                    f"{source}: theme {t.id!r}: parent cycle {cycle}; a theme cannot be its own "
                    f"ancestor. Change one of these parents."
                )
            path.append(parent)
            parent = by_id[parent].parent


def _as_text(value, where: str, key: str) -> str:
    """Coerce an optional text field, rejecting lists/maps with a clear message."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise CodebookError(f"{where}: '{key}' must be text, not a list or mapping.")
    return str(value).strip()


def _as_list(value, where: str, key: str) -> tuple[str, ...]:
    """Coerce a list-of-text field; a single string becomes a one-item list."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise CodebookError(f"{where}: '{key}' must be a list of text items.")
    return tuple(str(v) for v in value)


def codebook_from_dict(data, source: str = "<codebook>") -> Codebook:
    """Build a :class:`Codebook` from the YAML structure (a dict with version, name, themes).

    Parameters
    ----------
    data : dict
        Parsed YAML.
    source : str
        File name used in error messages.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        If the structure or any theme is invalid.
    """
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise CodebookError(f"{source}: expected a mapping with a 'themes:' list (see the default codebook).")
    themes = []
    for pos, raw in enumerate(data["themes"], start=1):
        where = f"{source}: theme {pos}"
        if not isinstance(raw, dict):
            raise CodebookError(f"{where}: each theme must be a mapping with at least 'id' and 'name'.")
        unknown = sorted(set(raw) - set(_FIELDS))
        if unknown:
            raise CodebookError(
                f"{where} (id {raw.get('id')!r}): unknown key(s) {', '.join(unknown)}; "
                f"allowed keys are {', '.join(_FIELDS)}."
            )
        if raw.get("id") in (None, ""):
            raise CodebookError(f"{where}: missing 'id'; add a short lower_case id.")
        parent = raw.get("parent")
        themes.append(Theme(
            id=str(raw["id"]),
            name=_as_text(raw.get("name"), where, "name"),
            parent=None if parent in (None, "") else str(parent),
            definition=_as_text(raw.get("definition"), where, "definition"),
            use_when=_as_text(raw.get("use_when"), where, "use_when"),
            not_when=_as_text(raw.get("not_when"), where, "not_when"),
            examples=_as_list(raw.get("examples"), where, "examples"),
            patterns=_as_list(raw.get("patterns"), where, "patterns"),
        ))
    return Codebook(themes, name=str(data.get("name") or "Codebook"),
                    version=str(data.get("version") or "1"), source=source)


def dump_yaml(cb: Codebook) -> str:
    """Return the codebook as YAML text (stable key order, empty fields left out)."""
    themes = []
    for t in cb.to_dict()["themes"]:
        themes.append({k: v for k, v in t.items() if v not in (None, "", [])})
    data = {"version": cb.version, "name": cb.name, "themes": themes}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def read_yaml_codebook(path) -> Codebook:
    """Read a YAML codebook (the master format)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as err:
        raise CodebookError(f"{path}: not valid YAML ({err}); check indentation and quotes.") from None
    return codebook_from_dict(data, source=str(path))


def slugify(text: str) -> str:
    """Return a theme id made from ``text``: ASCII lower case, words joined by underscores.

    Parameters
    ----------
    text : str
        A theme name such as ``"Accessibility – venue & travel"``.

    Returns
    -------
    str
        e.g. ``"accessibility_venue_travel"``; prefixed with ``theme_`` if it would not start
        with a letter.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"theme_{slug}".rstrip("_")
    return slug


def reference_codebook(codebook, readers=None):
    """Resolve a reference-codebook argument of a format reader.

    Parameters
    ----------
    codebook : Codebook, path, "default" or None
        ``"default"`` is the co-production codebook shipped with evalkit (None if it is not
        installed); a path is read as YAML, or by ``readers[suffix]`` for other formats.
    readers : dict, optional
        Suffix (``".csv"``, ``".qdc"``) to reader function, for the formats the calling module
        can read without importing :mod:`evalkit.coding.codebook` (which imports it).
    """
    if isinstance(codebook, str) and codebook == "default":
        return read_yaml_codebook(DEFAULT_CODEBOOK) if DEFAULT_CODEBOOK.is_file() else None
    if codebook is None or isinstance(codebook, Codebook):
        return codebook
    path = Path(codebook)
    if not path.is_file():
        raise CodebookError(f"{path}: codebook file not found; check the path or use 'default'.")
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return read_yaml_codebook(path)
    if readers and suffix in readers:
        return readers[suffix](path)
    raise CodebookError(f"{path}: a reference codebook must be YAML{''.join(', ' + s for s in readers or ())}; "
                        "load it with evalkit.coding.load_codebook and pass the Codebook.")

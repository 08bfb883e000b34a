"""Who a REFI-QDA code is: evalkit's GUIDs, colours and unique names, and matching codes back.

evalkit writes each theme with ``guid = uuid5(EVALKIT_NAMESPACE, theme id)`` (upper case), a
fixed colour and a name that is unique in the whole codebook (QualCoder merges codes that share
a name, so a repeated name is written ``Name (Parent name)``). Other tools keep names and the
hierarchy but often give every code a new GUID; :class:`ThemeMatcher` then finds the theme by,
in order: the GUID; the path of names from the top-level theme down; the name alone when only
one theme has it; the uuid5 of the name's slug. Only a code matching none of these gets a new id.
"""
from __future__ import annotations

import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass

from evalkit.coding.codebook_model import Codebook, Theme, slugify

_SECTIONS = (("use_when", "Use when:"), ("not_when", "Not when:"), ("examples", "Examples:"),
             ("patterns", "Patterns:"))

EVALKIT_NAMESPACE = uuid.UUID("6f1c8a52-3b0e-5d5c-9a57-6576616c6b69")

PALETTE = (
    "#8DD3C7", "#FFFFB3", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462", "#B3DE69", "#FCCDE5",
    "#D9D9D9", "#BC80BD", "#CCEBC5", "#FFED6F", "#B3E2CD", "#FDCDAC", "#CBD5E8", "#F4CAE4",
    "#E6F5C9", "#FFF2AE", "#F1E2CC", "#A6CEE3",
)
"""Light highlight colours (ColorBrewer Set3 and Pastel2) that keep dark text readable."""


def theme_guid(theme_id: str) -> str:
    """Return the REFI-QDA GUID evalkit writes for ``theme_id`` (uuid5, upper case)."""
    return str(uuid.uuid5(EVALKIT_NAMESPACE, theme_id)).upper()


def normalise_guid(guid: str | None) -> str:
    """Return a GUID without braces, in upper case (REFI-QDA allows both forms)."""
    return (guid or "").strip().strip("{}").upper()


def _key(name: str) -> str:
    """A name compared loosely: NFKC, case folded, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def depth_first(cb: Codebook) -> list[str]:
    """Theme ids parents first, in codebook order."""
    out: list[str] = []

    def walk(parent):
        for tid in cb.children(parent):
            out.append(tid)
            walk(tid)

    walk(None)
    return out


def theme_colours(cb: Codebook) -> dict[str, str]:
    """Return a fixed ``#RRGGBB`` colour per theme: the palette in depth-first codebook order."""
    return {tid: PALETTE[i % len(PALETTE)] for i, tid in enumerate(depth_first(cb))}


def duplicate_names(cb: Codebook) -> dict[str, list[str]]:
    """Return names (as written) shared by several themes, with the ids that share them."""
    groups: dict[str, list[str]] = {}
    for t in cb.themes.values():
        groups.setdefault(_key(t.name), []).append(t.id)
    return {cb.themes[ids[0]].name: ids for ids in groups.values() if len(ids) > 1}


def export_names(cb: Codebook) -> dict[str, str]:
    """Return a name per theme that is unique in the codebook, for tools that merge by name.

    A name used by one theme is kept. A shared name becomes ``Name (Parent name)``, and if
    that is still shared (same parent, or top-level) ``Name (theme id)``.
    """
    shared = {_key(n) for n in duplicate_names(cb)}
    names = {}
    for t in cb.themes.values():
        if _key(t.name) not in shared:
            names[t.id] = t.name
        elif t.parent is not None:
            names[t.id] = f"{t.name} ({cb.themes[t.parent].name})"
        else:
            names[t.id] = f"{t.name} ({t.id})"
    counts = Counter(_key(n) for n in names.values())
    for tid, name in names.items():
        if counts[_key(name)] > 1:
            names[tid] = f"{cb.themes[tid].name} ({tid})"
    return names


@dataclass(frozen=True)
class Match:
    """How one incoming code was matched: the theme id and the rule that found it."""

    theme_id: str
    rule: str  # "guid", "path", "name", "slug" or "new"
    reference_name: str | None = None


class ThemeMatcher:
    """Find the theme of a code written by another tool; mint an id only when nothing fits.

    Parameters
    ----------
    reference : Codebook or None
        The codebook the codes should match (usually the programme's or the default one).
    known_ids : iterable of str, optional
        Further ids recognised by their uuid5 GUID only.
    """

    def __init__(self, reference: Codebook | None, known_ids=()):
        self.reference = reference
        ids = list(reference.themes) if reference is not None else []
        ids += [i for i in known_ids if i not in ids]
        self._by_guid = {theme_guid(i): i for i in ids}
        self._by_path: dict[tuple[str, ...], str] = {}
        self._by_name: dict[str, list[str]] = {}
        self._export_name: dict[str, str] = {}
        if reference is not None:
            exported = export_names(reference)
            for tid, t in reference.themes.items():
                chain = [*reversed(reference.ancestors(tid)), tid]
                self._by_path[tuple(_key(reference.themes[a].name) for a in chain)] = tid
                self._by_path.setdefault(tuple(_key(exported[a]) for a in chain), tid)
                self._by_name.setdefault(_key(t.name), []).append(tid)
                if _key(exported[tid]) != _key(t.name):
                    self._by_name.setdefault(_key(exported[tid]), []).append(tid)
                self._export_name[tid] = exported[tid]
        self.used: set[str] = set()

    def _free(self, tid: str | None) -> str | None:
        """``tid`` if no earlier code took it."""
        return tid if tid is not None and tid not in self.used else None

    def match(self, guid: str | None, name: str, name_path: tuple[str, ...]) -> Match:
        """Return the theme for one code.

        Parameters
        ----------
        guid : str or None
            The code's GUID as written (braces and case do not matter).
        name : str
            The code's name.
        name_path : tuple of str
            Names from the top-level code down to and including this one.

        Returns
        -------
        Match
            ``reference_name`` is the reference theme's own name when the code carries the
            disambiguated form evalkit wrote (``Name (Parent)``), so callers can restore it.
        """
        guid = normalise_guid(guid)
        rule, tid = "guid", self._free(self._by_guid.get(guid))
        if tid is None:
            rule, tid = "path", self._free(self._by_path.get(tuple(_key(n) for n in name_path)))
        if tid is None:
            same_name = self._by_name.get(_key(name), [])
            rule, tid = "name", self._free(same_name[0] if len(same_name) == 1 else None)
        if tid is None:
            slug = slugify(name)
            rule, tid = "slug", self._free(slug if theme_guid(slug) == guid else None)
        if tid is None:
            rule, tid = "new", self._mint(name)
        self.used.add(tid)
        restored = None
        if self.reference is not None and tid in self.reference.themes \
                and _key(name) == _key(self._export_name.get(tid, "")) \
                and _key(name) != _key(self.reference.themes[tid].name):
            restored = self.reference.themes[tid].name
        return Match(tid, rule, restored)

    def _mint(self, name: str) -> str:
        """A new id from the name's slug, numbered if taken by this file or the reference."""
        taken = set(self.used) | set(self.reference.themes if self.reference is not None else ())
        base = slugify(name)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        return candidate


def theme_description(t: Theme) -> str:
    """Return a theme's REFI-QDA ``Description``: its definition plus labelled guidance sections."""
    parts = [t.definition] if t.definition else []
    if t.use_when:
        parts.append(f"Use when: {t.use_when}")
    if t.not_when:
        parts.append(f"Not when: {t.not_when}")
    if t.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in t.examples))
    if t.patterns:
        parts.append("Patterns:\n" + "\n".join(f"- {p}" for p in t.patterns))
    return "\n\n".join(parts)


def parse_theme_description(text: str) -> dict:
    """Split a ``Description`` written by :func:`theme_description` back into definition and guidance sections."""
    out = {"definition": "", "use_when": "", "not_when": "", "examples": (), "patterns": ()}
    current = "definition"
    buffers: dict[str, list[str]] = {k: [] for k in out}
    for block in text.split("\n\n"):
        for key, label in _SECTIONS:
            if block.startswith(label):
                current = key
                block = block[len(label):]
                break
        buffers[current].append(block.strip())
    for key in ("definition", "use_when", "not_when"):
        out[key] = "\n\n".join(b for b in buffers[key] if b)
    for key in ("examples", "patterns"):
        lines = "\n".join(buffers[key]).splitlines()
        out[key] = tuple(line.strip()[2:] if line.strip().startswith("- ") else line.strip()
                         for line in lines if line.strip())
    return out

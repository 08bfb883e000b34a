"""The codebook as the coding panel shows it: leaf themes grouped under their parents.

The panel needs only a small protocol from a codebook: themes with ``id``, ``name``,
``parent`` and ``definition`` (``use_when`` and ``not_when`` are shown when present). It accepts
an :class:`evalkit.coding.codebook.Codebook` (whose ``themes`` is a dict by id), any object
with a ``themes`` iterable, or a plain iterable of theme objects.

Two kinds of theme come from the panel rather than the codebook: "None of these fits"
(:data:`NONE_OF_THESE`) and themes a coder adds while coding (:func:`added_theme_id`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from evalkit.errors import CodebookError, ConfigError, UnknownThemeError

NONE_OF_THESE = "_none_of_these"
"""Theme id recorded when a coder says no theme fits an answer.

It starts with an underscore, which no codebook id may (codebook ids are lower-case letters,
digits and underscores starting with a letter), so it never clashes with a real theme. An answer
coded with it is finished and fits no theme; an answer without any code is not coded yet.
"""
NONE_OF_THESE_NAME = "None of these fits"
NONE_OF_THESE_GUIDANCE = ("No theme in the codebook fits this answer. Tick this rather than leaving "
                          "the answer blank, so it counts as coded; add a theme below if one is missing.")
ADDED_HEADING = "Themes added while coding"
_ID_MAX = 40


@dataclass(frozen=True)
class PanelTheme:
    """One theme as the panel needs it."""

    id: str
    name: str
    parent: str | None
    definition: str
    use_when: str = ""
    not_when: str = ""

    @property
    def guidance(self) -> str:
        """Definition plus "use when" / "not when" guidance, as one plain-text paragraph."""
        parts = [self.definition.strip()]
        if self.use_when:
            parts.append(f"Use when: {self.use_when.strip()}")
        if self.not_when:
            parts.append(f"Not when: {self.not_when.strip()}")
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class ThemeGroup:
    """A heading theme and the codable themes shown under it."""

    heading: PanelTheme
    themes: tuple[PanelTheme, ...]


class PanelCodebook:
    """A codebook adapted for coding: codable (leaf) themes grouped by parent.

    Parameters
    ----------
    codebook : Codebook, object with ``themes``, or iterable of themes
        Each theme needs ``id``, ``name``, ``parent`` (None for top level) and ``definition``.

    Attributes
    ----------
    themes : dict of str to PanelTheme
        Every theme by id, in codebook order.
    groups : tuple of ThemeGroup
        One group per parent of codable themes, in codebook order. A top-level theme with no
        children is codable itself and forms its own group.

    Raises
    ------
    CodebookError
        If a theme lacks an id or name, an id repeats, or a parent is unknown.
    """

    def __init__(self, codebook):
        raw = getattr(codebook, "themes", codebook)
        if isinstance(raw, Mapping):
            raw = raw.values()
        themes: dict[str, PanelTheme] = {}
        for position, item in enumerate(raw, start=1):
            theme = _adapt(item, position)
            if theme.id in themes:
                raise CodebookError(
                    f"codebook theme {position}: id {theme.id!r} is used twice; give each theme "
                    "its own id"
                )
            themes[theme.id] = theme
        if not themes:
            raise CodebookError("the codebook has no themes; load one with load_codebook('default')")
        for theme in themes.values():
            if theme.parent is not None and theme.parent not in themes:
                raise CodebookError(
                    f"codebook theme {theme.id!r}: parent {theme.parent!r} is not a theme; fix "
                    "the parent id or add the parent theme"
                )
        self.themes = themes
        parents = {t.parent for t in themes.values()}
        self._children: dict[str | None, list[str]] = {}
        for theme in themes.values():
            self._children.setdefault(theme.parent, []).append(theme.id)
        leaves = [t for t in themes.values() if t.id not in parents]
        grouped: dict[str, list[PanelTheme]] = {}
        for leaf in leaves:
            grouped.setdefault(leaf.parent if leaf.parent is not None else leaf.id, []).append(leaf)
        self.groups = tuple(
            ThemeGroup(themes[heading], tuple(members)) for heading, members in grouped.items()
        )

    @property
    def leaf_ids(self) -> list[str]:
        """Ids of the codable themes, in display order."""
        return [t.id for group in self.groups for t in group.themes]

    def descendants(self, theme_id: str) -> set[str]:
        """Return ``theme_id`` and every theme below it.

        Raises
        ------
        KeyError
            If ``theme_id`` is not in the codebook.
        """
        if theme_id not in self.themes:
            raise UnknownThemeError(theme_id)
        found, stack = set(), [theme_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self._children.get(current, []))
        return found

    def name(self, theme_id: str) -> str:
        """Return the theme's human name, or the id itself for a theme not in the codebook."""
        theme = self.themes.get(theme_id)
        return theme.name if theme else theme_id

    def add(self, theme: PanelTheme, heading: str | None) -> None:
        """Add a codable top-level theme shown under ``heading`` (a group made on first use).

        Parameters
        ----------
        theme : PanelTheme
            The new theme; its ``parent`` must be None.
        heading : str or None
            The group's title; None shows the group without one.

        Raises
        ------
        CodebookError
            If the id is already a theme.
        """
        if theme.id in self.themes:
            raise CodebookError(f"theme id {theme.id!r} is already in the codebook")
        self.themes[theme.id] = theme
        self._children.setdefault(None, []).append(theme.id)
        groups = list(self.groups)
        for index, group in enumerate(groups):
            if group.heading.id == "" and group.heading.name == (heading or ""):
                groups[index] = ThemeGroup(group.heading, (*group.themes, theme))
                break
        else:
            groups.append(ThemeGroup(PanelTheme("", heading or "", None, ""), (theme,)))
        self.groups = tuple(groups)

    def find_name(self, name: str) -> PanelTheme | None:
        """Return the theme whose name matches ``name`` ignoring case and spacing, or None."""
        wanted = _folded(name)
        return next((t for t in self.themes.values() if _folded(t.name) == wanted), None)


def _folded(text: str) -> str:
    """Text with Unicode forms, case and runs of spaces folded, for comparing names."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def added_theme_id(name: str) -> str:
    """Return the id of a theme a coder adds, made from its name.

    Parameters
    ----------
    name : str
        The theme's name as typed, e.g. ``"Peer support (informal)"``.

    Returns
    -------
    str
        A valid codebook id: lower-case ASCII letters, digits and underscores, starting with a
        letter, at most 40 characters (``"peer_support_informal"``). A name with no letters or
        digits gets ``"theme_"`` and six hex digits of its SHA-256. The same name (ignoring case
        and spacing) always gives the same id, so two coders adding it agree.

    Raises
    ------
    ConfigError
        If the name is blank.
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("the new theme has no name; type a short name, e.g. \"Peer support\"")
    folded = _folded(name)
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:_ID_MAX].strip("_")
    if not slug:
        return "theme_" + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:6]
    return slug if slug[0].isalpha() else f"theme_{slug}"[:_ID_MAX].strip("_")


def _adapt(item, position: int) -> PanelTheme:
    """Read the panel's fields from one codebook theme object."""
    theme_id = getattr(item, "id", None)
    name = getattr(item, "name", None)
    if not theme_id or not name:
        raise CodebookError(
            f"codebook theme {position}: needs an `id` and a `name` (got {item!r}); pass a "
            "Codebook from evalkit.coding.codebook.load_codebook"
        )
    return PanelTheme(
        id=str(theme_id),
        name=str(name),
        parent=None if getattr(item, "parent", None) in (None, "") else str(item.parent),
        definition=str(getattr(item, "definition", "") or ""),
        use_when=str(getattr(item, "use_when", "") or ""),
        not_when=str(getattr(item, "not_when", "") or ""),
    )

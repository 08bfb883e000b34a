"""What a report section is made of: a heading, plain paragraphs and blocks to show.

Section builders in :mod:`evalkit.report.sections` return a :class:`Section`, or None when the
programme has no data for it, so a page never shows an empty heading or words about data it
does not have. :func:`evalkit.report.display.show_section` renders one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evalkit.figures import FigureWithAlt


@dataclass
class Table:
    """A table with its caption (and an optional note under it)."""

    frame: pd.DataFrame
    caption: str
    index: bool = False
    note: str | None = None
    collapsed: bool = False  # detail most readers can skip: shown in a <details> (always printed)


@dataclass
class Figure:
    """A chart with alt text and caption, and the table of the numbers it draws.

    The table is shown in a ``<details>`` inside the same ``<figure>``, so the chart's data is
    one click away and prints with it.
    """

    figure: FigureWithAlt
    table: Table | None = None
    wide: bool = False  # too detailed to shrink to a phone: scrolls sideways inside its own region instead


@dataclass
class Quotes:
    """Redacted answers to one question."""

    heading: str
    quotes: list[str]


@dataclass
class Bullets:
    """A bulleted list, optionally under a sub-heading."""

    items: list[str]
    heading: str | None = None


@dataclass
class Paragraphs:
    """Plain paragraphs (escaped, never Markdown)."""

    texts: list[str]


@dataclass
class Markdown:
    """Markdown written by evalkit itself (never user text)."""

    text: str


@dataclass
class Links:
    """A list of links to other pages or files (text, href), optionally under a sub-heading."""

    items: list[tuple[str, str]]
    heading: str | None = None


@dataclass
class Definitions:
    """Terms and what they mean (a glossary or a hard-words box)."""

    items: list[tuple[str, str]]
    heading: str | None = None
    boxed: bool = False


@dataclass
class Pictured:
    """Easy-read lines, each beside a picture (inline SVG markup written by evalkit, or None)."""

    lines: list[tuple[str | None, str]]


@dataclass
class Section:
    """One ``h2`` section of a page."""

    heading: str
    intro: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)
    anchor: str | None = None  # the h2's id, for links from other pages (default: from the heading)

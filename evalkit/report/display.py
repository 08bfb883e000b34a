"""Accessible tables, figures and text for report notebooks.

Notebooks call these instead of displaying DataFrames or matplotlib figures directly, so every
table gets a caption and real header cells (pandas' default HTML has an empty corner header that
axe-core flags) and every figure gets alt text and a caption.
"""
from __future__ import annotations

import base64
import html
import io

import pandas as pd

from evalkit.errors import ParameterError
from evalkit.figures import FigureWithAlt

_PNG_METADATA = {"Software": None}


def table_html(df: pd.DataFrame, caption: str, *, index: bool = False, note: str | None = None) -> str:
    """Return an accessible HTML table.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to show; column names become ``<th scope="col">`` header cells.
    caption : str
        What the table holds, shown as its ``<caption>``.
    index : bool, default False
        When True the index becomes the first column with ``<th scope="row">`` cells.
    note : str, optional
        A plain-language note shown under the table (e.g. that small numbers were suppressed).

    Returns
    -------
    str
        HTML for a ``<table>`` (and the note, if any).
    """
    frame = df.reset_index() if index else df
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for pos, value in enumerate(values):
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            text = html.escape(text)
            cells.append(f'<th scope="row">{text}</th>' if index and pos == 0 else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(rows) if rows else f'<tr><td colspan="{max(len(frame.columns), 1)}">No rows.</td></tr>'
    out = (
        f'<table class="evalkit-table">\n<caption>{html.escape(caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    )
    if note:
        out += f'\n<p class="table-note">{html.escape(note)}</p>'
    return f'<div class="table-wrap" role="region" aria-label="{html.escape(caption)}" tabindex="0">{out}</div>'


_DPI = 150  # drawn at 1.5x so text stays sharp on phones and at 200% zoom
_CSS_DPI = 100  # shown at 100 px per inch of figure, never wider than the page


def figure_html(fig: FigureWithAlt, table=None, wide: bool = False) -> str:
    """Return a ``<figure>``: its caption, the PNG inlined with short alt text, and its data table.

    Parameters
    ----------
    fig : FigureWithAlt
        The chart; its title becomes the ``<figcaption>`` (state the message there).
    table : evalkit.report.blocks.Table, optional
        The numbers the chart draws, shown in a ``<details>`` inside the same figure.
    wide : bool
        Keep the chart at its own size in a region that scrolls sideways (a detailed grid
        that would be unreadable shrunk to a phone's width).
    """
    if not fig.alt or not fig.alt.strip():
        raise ParameterError(f"figure {fig.title!r} has no alt text; describe what the data shows")
    from PIL import Image

    buf = io.BytesIO()
    fig.figure.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", metadata=_PNG_METADATA)
    import matplotlib.pyplot as plt

    plt.close(fig.figure)
    buf.seek(0)
    with Image.open(buf) as image:
        width, height = image.size
    css_w, css_h = round(width * _CSS_DPI / _DPI), round(height * _CSS_DPI / _DPI)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    details = ""
    if table is not None:
        details = ("<details><summary>The numbers in this chart</summary>"
                   + table_html(table.frame, table.caption, index=table.index, note=table.note) + "</details>")
    img = (f'<img src="data:image/png;base64,{data}" width="{css_w}" height="{css_h}" '
           f'alt="{html.escape(fig.alt, quote=True)}">')
    if wide:
        img = (f'<div class="chart-scroll" role="region" tabindex="0" aria-label="{html.escape(fig.title, quote=True)}'
               f' (scrolls sideways)">{img}</div>')
    return f'<figure class="evalkit-figure"><figcaption>{html.escape(fig.title)}</figcaption>{img}{details}</figure>'



def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def show_table(df: pd.DataFrame, caption: str, *, index: bool = False, note: str | None = None) -> None:
    """Display :func:`table_html` in a notebook."""
    _display_html(table_html(df, caption, index=index, note=note))


def show_figure(fig: FigureWithAlt) -> None:
    """Display :func:`figure_html` in a notebook (the figure is closed afterwards)."""
    _display_html(figure_html(fig))


def show_text(*paragraphs: str) -> None:
    """Display plain-language paragraphs (escaped; no Markdown processing)."""
    _display_html("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p))


def show_markdown(text: str) -> None:
    """Display trusted Markdown written by evalkit (never user text: that goes through show_text)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_list(items: list[str], *, heading: str | None = None, level: int = 3) -> None:
    """Display a bulleted list, optionally under a heading of the given level."""
    head = f"<h{level}>{html.escape(heading)}</h{level}>" if heading else ""
    body = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    _display_html(f"{head}<ul>{body}</ul>" if items else head + "<p>None.</p>")


def show_quotes(quotes: list[str], *, heading: str | None = None, level: int = 3) -> None:
    """Display redacted quotes as block quotes (callers pass text that is already redacted)."""
    head = f"<h{level}>{html.escape(heading)}</h{level}>" if heading else ""
    body = "".join(f"<blockquote><p>{html.escape(q)}</p></blockquote>" for q in quotes)
    _display_html(head + (body or "<p>No answers to show.</p>"))


def show_heading(text: str, level: int = 2) -> None:
    """Display a heading computed at run time (e.g. a project's name)."""
    anchor = f' id="{heading_id(text)}"' if level == 2 else ""
    _display_html(f"<h{level}{anchor}>{html.escape(text)}</h{level}>")


_IDS: set[str] = set()


def heading_id(text: str) -> str:
    """A unique id for a heading on this page ("the-main-points", "about-this-report-2")."""
    import re

    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "section"
    name, i = base, 2
    while name in _IDS:
        name, i = f"{base}-{i}", i + 1
    _IDS.add(name)
    return name


def _links_html(block) -> str:
    head = f"<h3>{html.escape(block.heading)}</h3>" if block.heading else ""
    items = "".join(f'<li><a href="{html.escape(href, quote=True)}">{html.escape(text)}</a></li>'
                    for text, href in block.items)
    return f'{head}<ul class="links">{items}</ul>'


def _definitions_html(block) -> str:
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in block.items)
    if block.boxed:
        hid = heading_id(block.heading or "hard words")
        return (f'<aside class="hard-words" aria-labelledby="{hid}"><h3 id="{hid}">'
                f"{html.escape(block.heading or 'Hard words')}</h3><dl>{items}</dl></aside>")
    head = f"<h3>{html.escape(block.heading)}</h3>" if block.heading else ""
    return f'{head}<dl class="glossary">{items}</dl>'


def _pictured_html(block) -> str:
    rows = []
    for picture, text in block.lines:
        pic = f'<span class="pic" aria-hidden="true">{picture}</span>' if picture else '<span class="pic"></span>'
        rows.append(f"<li>{pic}<span class=\"line\">{html.escape(text)}</span></li>")
    return f'<ul class="pictured">{"".join(rows)}</ul>'


def section_html(section) -> str:
    """Return the HTML of a :class:`evalkit.report.blocks.Section` (empty for None)."""
    from evalkit.report import blocks

    if section is None:
        return ""
    anchor = heading_id(section.anchor or section.heading)
    parts = [f'<h2 id="{anchor}">{html.escape(section.heading)}</h2>']
    parts += [f"<p>{html.escape(p)}</p>" for p in section.intro if p]
    for block in section.blocks:
        if isinstance(block, blocks.Table):
            markup = table_html(block.frame, block.caption, index=block.index, note=block.note)
            if block.collapsed:
                markup = f"<details><summary>{html.escape(block.caption)}</summary>{markup}</details>"
            parts.append(markup)
        elif isinstance(block, blocks.Figure):
            parts.append(figure_html(block.figure, block.table, block.wide))
        elif isinstance(block, blocks.Links):
            parts.append(_links_html(block))
        elif isinstance(block, blocks.Definitions):
            parts.append(_definitions_html(block))
        elif isinstance(block, blocks.Pictured):
            parts.append(_pictured_html(block))
        elif isinstance(block, blocks.Quotes):
            body = "".join(f"<blockquote><p>{html.escape(q)}</p></blockquote>" for q in block.quotes)
            parts.append(f"<h3>{html.escape(block.heading)}</h3>" + (body or "<p>No answers to show.</p>"))
        elif isinstance(block, blocks.Bullets):
            head = f"<h3>{html.escape(block.heading)}</h3>" if block.heading else ""
            body = "".join(f"<li>{html.escape(i)}</li>" for i in block.items)
            parts.append(head + (f"<ul>{body}</ul>" if block.items else "<p>None.</p>"))
        elif isinstance(block, blocks.Paragraphs):
            parts.append("".join(f"<p>{html.escape(p)}</p>" for p in block.texts if p))
        elif isinstance(block, blocks.Markdown):
            from nbconvert.filters.markdown_mistune import markdown2html_mistune

            parts.append(markdown2html_mistune(block.text))
        else:
            raise TypeError(f"unknown block {type(block).__name__}")
    return "\n".join(parts)


def show_section(section) -> None:
    """Display a section in a notebook; nothing at all when the section is None (no data for it)."""
    if section is not None:
        _display_html(section_html(section))


def show_sections(sections) -> None:
    """Display each section of a list (nothing for an empty list)."""
    for section in sections:
        show_section(section)


def show_title(title: str, paragraphs=()) -> None:
    """Display the page's ``h1`` and the paragraphs (a list of str) under it."""
    _display_html(f'<h1 id="{heading_id(title)}">{html.escape(title)}</h1>'
                  + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p))

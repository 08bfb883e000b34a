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


def figure_html(fig: FigureWithAlt) -> str:
    """Return a ``<figure>`` with the PNG inlined, its alt text and its caption."""
    if not fig.alt or not fig.alt.strip():
        raise ValueError(f"figure {fig.title!r} has no alt text; describe what the data shows")
    buf = io.BytesIO()
    fig.figure.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata=_PNG_METADATA)
    import matplotlib.pyplot as plt

    plt.close(fig.figure)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure class="evalkit-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(fig.alt, quote=True)}">'
        f"<figcaption>{html.escape(fig.title)}</figcaption></figure>"
    )


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
    _display_html(f"<h{level}>{html.escape(text)}</h{level}>")


def section_html(section) -> str:
    """Return the HTML of a :class:`evalkit.report.blocks.Section` (empty for None)."""
    from evalkit.report import blocks

    if section is None:
        return ""
    parts = [f"<h2>{html.escape(section.heading)}</h2>"]
    parts += [f"<p>{html.escape(p)}</p>" for p in section.intro if p]
    for block in section.blocks:
        if isinstance(block, blocks.Table):
            parts.append(table_html(block.frame, block.caption, index=block.index, note=block.note))
        elif isinstance(block, blocks.Figure):
            parts.append(figure_html(block.figure))
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
    _display_html(f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p))

"""Turn executed notebooks into accessible, code-free HTML pages for co-producers.

nbconvert's ``basic`` template gives the cells' HTML; evalkit wraps it in its own page shell
(language, title, skip link, landmarks, readable CSS that reflows at 200% zoom) so every page
passes axe-core. Code, prompts, stderr and papermill's timing metadata never reach the page.
"""
from __future__ import annotations

import copy
import html
from dataclasses import dataclass

import nbformat
from nbconvert import HTMLExporter

STYLE = """
:root { --ink: #1a1a1a; --paper: #ffffff; --accent: #0b4f8a; --muted: #4a4a4a; --rule: #767676; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; color: var(--ink); background: var(--paper);
  font-family: Arial, "Helvetica Neue", Helvetica, sans-serif; font-size: 1.125rem; line-height: 1.6; }
a { color: var(--accent); text-decoration: underline; }
a:focus, [tabindex]:focus { outline: 3px solid #b35806; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--paper); padding: 0.5rem; }
.skip-link:focus { left: 0.5rem; }
header.site, footer.site { padding: 1rem 1.5rem; border-bottom: 1px solid var(--rule); }
footer.site { border-top: 1px solid var(--rule); border-bottom: none; font-size: 1rem; color: var(--muted); }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 2rem; line-height: 1.25; } h2 { font-size: 1.5rem; margin-top: 2.5rem; }
h3 { font-size: 1.25rem; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; min-width: 50%; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: #eef2f7; }
.table-note { font-size: 1rem; color: var(--muted); }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 1rem; color: var(--muted); }
blockquote { margin: 0.75rem 0; padding: 0.25rem 1rem; border-left: 4px solid var(--accent); background: #f6f8fa; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: bold; }
.easy-read { font-size: 1.5rem; line-height: 1.8; } .easy-read p { max-width: 35rem; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<a class="skip-link" href="#content">Skip to the report</a>
<header class="site"><nav aria-label="Reports"><a href="{index_href}">All reports</a></nav></header>
<main id="content"{main_class}>
{body}
</main>
<footer class="site">{footer}</footer>
</body>
</html>
"""


@dataclass(frozen=True)
class Page:
    """One rendered page: its file name (relative to the output folder) and title."""

    filename: str
    title: str


def _clean_for_readers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what co-producers should not see: stderr, errors' tracebacks, code."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            if output.get("output_type") == "error":
                continue
            kept.append(output)
        cell["outputs"] = kept
    return nb


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """Return the HTML body of an executed notebook, without code, prompts or stderr."""
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    body, _ = exporter.from_notebook_node(_clean_for_readers(nb))
    return body


def page(body: str, *, title: str, footer: str = "", index_href: str = "index.html", easy_read: bool = False) -> str:
    """Wrap body HTML in evalkit's accessible page shell."""
    return PAGE.format(
        title=html.escape(title),
        style=STYLE,
        index_href=html.escape(index_href),
        main_class=' class="easy-read"' if easy_read else "",
        body=body,
        footer=footer,
    )


def index_page(programme_name: str, groups: list[tuple[str, list[Page]]], *, synthetic: bool, footer: str = "") -> str:
    """Return the index page linking every report, grouped under headings."""
    parts = [f"<h1>{html.escape(programme_name)}: reports</h1>"]
    if synthetic:
        parts.append("<p>These reports use <strong>synthetic sample data</strong>: the people, projects and answers are invented.</p>")
    for heading, pages in groups:
        parts.append(f"<h2>{html.escape(heading)}</h2><ul>")
        parts += [f'<li><a href="{html.escape(p.filename)}">{html.escape(p.title)}</a></li>' for p in pages]
        parts.append("</ul>")
    parts.append(
        "<p>Researchers: the executed notebooks (with code) are in the <code>notebooks</code> folder; "
        "<code>manifest.json</code> records the inputs, parameters and versions behind every report.</p>"
    )
    return page("\n".join(parts), title=f"{programme_name}: reports", footer=footer)

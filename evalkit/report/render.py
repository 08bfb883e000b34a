"""Turn executed notebooks into accessible, code-free HTML pages for co-producers.

nbconvert's ``basic`` template gives the cells' HTML; evalkit wraps it in its own page shell
(language, title, skip link, landmarks, readable CSS that reflows at 200% zoom) so every page
passes axe-core. Code, prompts, stderr and papermill's timing metadata never reach the page.
"""
from __future__ import annotations

import copy
import html
import re
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
a:focus, [tabindex]:focus, summary:focus { outline: 3px solid #b35806; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--paper); padding: 0.5rem; }
.skip-link:focus { left: 0.5rem; }
header.site, footer.site { padding: 1rem 1.5rem; border-bottom: 1px solid var(--rule); }
header.site ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; }
footer.site { border-top: 1px solid var(--rule); border-bottom: none; font-size: 1rem; color: var(--muted); }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 2rem; line-height: 1.25; } h2 { font-size: 1.5rem; margin-top: 2.5rem; line-height: 1.3; }
h3 { font-size: 1.25rem; }
nav.contents { border: 1px solid var(--rule); padding: 0.5rem 1.25rem; margin: 1.5rem 0; max-width: 40rem; }
nav.contents ol { margin: 0.25rem 0 0.5rem; padding-left: 1.5rem; }
.contents-title { font-weight: bold; margin: 0.25rem 0; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; min-width: 50%; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: #eef2f7; }
.table-note { font-size: 1rem; color: var(--muted); }
figure { margin: 1.5rem 0; } figure img { display: block; max-width: 100%; height: auto; margin: 0.5rem 0; }
figcaption { font-weight: bold; font-size: 1.125rem; }
.chart-scroll { overflow-x: auto; } .chart-scroll img { max-width: none; }
blockquote { margin: 0.75rem 0; padding: 0.25rem 1rem; border-left: 4px solid var(--accent); background: #f6f8fa; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: bold; color: var(--accent); }
dl.glossary dt, .hard-words dt { font-weight: bold; margin-top: 0.75rem; }
dl.glossary dd, .hard-words dd { margin-left: 0; }
ul.links li { margin: 0.25rem 0; }
.easy-read { font-size: 1.5rem; line-height: 1.7; } .easy-read p { max-width: 35rem; }
.easy-read h1 { font-size: 2.5rem; } .easy-read h2 { font-size: 2rem; margin-top: 3rem; }
.easy-read h3 { font-size: 1.75rem; }
ul.pictured { list-style: none; padding: 0; margin: 1rem 0; }
ul.pictured li { display: flex; align-items: center; gap: 1.25rem; margin: 0 0 1.25rem; max-width: 38rem; }
ul.pictured .pic { flex: 0 0 5rem; width: 5rem; height: 5rem; }
ul.pictured .pic svg, ul.pictured .pic img { width: 5rem; height: 5rem; display: block; }
.hard-words { border: 3px solid var(--accent); border-radius: 0.5rem; padding: 0.5rem 1.25rem; margin: 2rem 0;
  max-width: 38rem; background: #f6f8fa; }
.credit { font-size: 1rem; color: var(--muted); }
@media (max-width: 40rem) {
  main { padding: 0.5rem 1rem 2rem; } h1 { font-size: 1.6rem; } h2 { font-size: 1.35rem; }
  table { font-size: 1rem; } th, td { padding: 0.25rem 0.4rem; }
  th:first-child, td:first-child { min-width: 8rem; }
  .easy-read h1 { font-size: 2rem; } .easy-read h2 { font-size: 1.7rem; }
  ul.pictured .pic { flex-basis: 4rem; width: 4rem; height: 4rem; }
  ul.pictured .pic svg, ul.pictured .pic img { width: 4rem; height: 4rem; }
}
@media print {
  @page { margin: 15mm; }
  body { font-size: 11pt; } main { max-width: none; padding: 0; }
  header.site, .skip-link, nav.contents { display: none; }
  a { color: var(--ink); }
  h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; page-break-inside: avoid; }
  h2 { break-before: auto; }
  figure, blockquote, tr, .hard-words, ul.pictured li { break-inside: avoid; page-break-inside: avoid; }
  figure img, .chart-scroll img { max-width: 100%; max-height: 230mm; }
  .chart-scroll { overflow: visible; }
  details { display: block; } details > summary { display: none; }
  details > :not(summary) { display: block; }
  .table-wrap { overflow: visible; }
  table { width: 100%; table-layout: auto; font-size: 8.5pt; }
  th, td { padding: 2pt 3pt; word-break: normal; overflow-wrap: anywhere; }
  caption { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  footer.site { font-size: 8pt; }
}
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
<header class="site"><nav aria-label="Reports"><ul>{nav}</ul></nav></header>
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


SITE_LINKS = (("All reports", "index.html"), ("Programme report", "programme.html"),
              ("Easy read", "easy-read.html"), ("Technical page", "technical.html"))
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


def contents(body: str, *, minimum: int = 4) -> str:
    """A ``<nav>`` listing every ``h2`` of the body, or "" when it has fewer than ``minimum``."""
    found = _H2.findall(body)
    if len(found) < minimum:
        return ""
    items = "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in found)
    return (f'<nav class="contents" aria-labelledby="contents-title"><p id="contents-title" class="contents-title">'
            f"On this page</p><ol>{items}</ol></nav>")


def with_contents(body: str) -> str:
    """Put the contents list just before the first ``h2`` (after the title and its paragraphs)."""
    nav = contents(body)
    if not nav:
        return body
    at = body.find("<h2 ")
    cut = body.rfind('<div class="jp-Cell', 0, at)
    cut = cut if cut >= 0 else at
    return body[:cut] + nav + body[cut:]


def page(body: str, *, title: str, footer: str = "", index_href: str = "index.html", easy_read: bool = False,
         links=SITE_LINKS) -> str:
    """Wrap body HTML in evalkit's accessible page shell (with a contents list on long pages)."""
    nav = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>'
                  for text, href in ((t, index_href if h == "index.html" else h) for t, h in links))
    return PAGE.format(
        title=html.escape(title),
        style=STYLE,
        nav=nav,
        main_class=' class="easy-read"' if easy_read else "",
        body=with_contents(body),
        footer=footer,
    )


def index_page(programme_name: str, groups: list[tuple[str, list[Page]]], *, synthetic: bool, footer: str = "",
               files: list[tuple[str, str]] = ()) -> str:
    """Return the index page linking every report and every spreadsheet, grouped under headings."""
    parts = [f"<h1>{html.escape(programme_name)}: reports</h1>"]
    if synthetic:
        parts.append("<p>These reports use <strong>synthetic sample data</strong>: the people, projects and answers are invented.</p>")
    for heading, pages in groups:
        parts.append(f'<h2 id="{_slug(heading)}">{html.escape(heading)}</h2><ul>')
        parts += [f'<li><a href="{html.escape(p.filename)}">{html.escape(p.title)}</a></li>' for p in pages]
        parts.append("</ul>")
    if files:
        parts.append('<h2 id="spreadsheets">Spreadsheets</h2><ul>')
        parts += [f'<li><a href="{html.escape(name)}">{html.escape(text)}</a></li>' for text, name in files]
        parts.append("</ul>")
    parts.append(
        "<p>Researchers: the executed notebooks (with code) are in the <code>notebooks</code> folder; "
        "<code>manifest.json</code> records the inputs, parameters and versions behind every report.</p>"
    )
    return page("\n".join(parts), title=f"{programme_name}: reports", footer=footer)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"

"""Accessible tables and figures for reports."""
import pandas as pd
import pytest

from evalkit.figures import FigureWithAlt, new_figure
from evalkit.report.a11y import images_without_specific_alt
from evalkit.report.display import figure_html, table_html


def test_table_has_caption_and_real_header_cells():
    markup = table_html(pd.DataFrame({"Role": ["co-producer"], "People": ["10"]}), "Who answered")
    assert "<caption>Who answered</caption>" in markup
    assert '<th scope="col">Role</th>' in markup and '<th scope="col">People</th>' in markup
    assert "<th></th>" not in markup and '<th scope="col"></th>' not in markup


def test_table_index_becomes_row_headers_and_text_is_escaped():
    df = pd.DataFrame({"n": [3]}, index=pd.Index(["<b>P01</b>"], name="Project"))
    markup = table_html(df, "Projects", index=True)
    assert '<th scope="row">&lt;b&gt;P01&lt;/b&gt;</th>' in markup
    assert '<th scope="col">Project</th>' in markup


def test_empty_table_says_so():
    assert "No rows." in table_html(pd.DataFrame({"a": []}), "Nothing")


def _figure(alt):
    fig, ax = new_figure(3, 2)
    ax.bar(["a", "b"], [1, 2])
    return FigureWithAlt(fig, alt, "Two bars")


def test_figure_carries_alt_text_and_caption():
    markup = figure_html(_figure("Bar chart: b (2) is twice a (1)."))
    assert 'alt="Bar chart: b (2) is twice a (1)."' in markup
    assert "<figcaption>Two bars</figcaption>" in markup
    assert images_without_specific_alt(markup) == []


def test_figure_without_alt_is_refused():
    with pytest.raises(ValueError, match="no alt text"):
        figure_html(_figure("  "))


def test_figure_png_is_reproducible():
    assert figure_html(_figure("Bar chart: b (2) is twice a (1).")) == figure_html(_figure("Bar chart: b (2) is twice a (1)."))


@pytest.mark.parametrize("html_text,problem", [
    ('<img src="x.png">', "no alt attribute"),
    ('<img src="x.png" alt="">', "does not say"),
    ('<img src="x.png" alt="Chart">', "does not say"),
])
def test_generic_or_missing_alt_is_found(html_text, problem):
    assert problem in images_without_specific_alt(html_text)[0]


def test_figure_holds_its_caption_short_alt_and_data_table_in_details():
    from evalkit.report.blocks import Table

    table = Table(pd.DataFrame({"Statement": ["a"], "Agree": ["70%"]}), "The numbers")
    markup = figure_html(_figure("Bar chart: b (2) is twice a (1)."), table)
    assert markup.startswith('<figure class="evalkit-figure"><figcaption>Two bars</figcaption><img ')
    assert "<details><summary>The numbers in this chart</summary>" in markup and "<caption>The numbers</caption>" in markup
    assert markup.endswith("</details></figure>")
    assert 'width="' in markup and 'height="' in markup  # sized to its container, never wider


def test_long_pages_get_a_contents_list_linking_every_section():
    from evalkit.report.render import page

    body = "<h1>T</h1>" + "".join(f'<h2 id="s{i}">Section {i}</h2><p>x</p>' for i in range(4))
    markup = page(body, title="T")
    nav = markup[markup.index('<nav class="contents"'):markup.index("</nav>", markup.index('<nav class="contents"'))]
    assert all(f'href="#s{i}"' in nav for i in range(4))
    assert '<nav class="contents"' not in page("<h1>T</h1>" + body[10:60], title="T")

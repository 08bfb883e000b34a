"""Reports stay readable at 200% zoom: no page needs sideways scrolling (WCAG 2.2 SC 1.4.10 Reflow).

At 200% zoom a 1280-pixel-wide window shows 640 CSS pixels; a 640 x 800 viewport is the same
layout. Wide tables scroll inside their own labelled region, which SC 1.4.10 allows for data
tables, so the page itself must not be wider than the window.
"""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("sample_reports")]


def test_every_page_reflows_at_200_percent_zoom(chromium_browser, sample_reports):
    page = chromium_browser.new_page(viewport={"width": 640, "height": 800})
    too_wide = []
    try:
        for path in sorted(sample_reports.glob("*.html")):
            page.goto(path.resolve().as_uri())
            width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > viewport + 1:
                too_wide.append(f"{path.name}: page is {width}px wide in a {viewport}px window")
    finally:
        page.close()
    assert too_wide == []

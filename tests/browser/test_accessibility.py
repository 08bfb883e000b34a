"""axe-core in headless Chromium finds no WCAG 2.2 A/AA violation on any page the pipeline writes."""
import pytest

from evalkit.report.a11y import axe_missing, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("sample_reports")]


def test_axe_finds_no_violations_on_any_report_page(sample_reports):
    why = axe_missing()
    if why:
        pytest.skip(f"browser test skipped: axe-core accessibility check cannot run: {why}")
    pages = sorted(sample_reports.rglob("*.html"))
    assert len(pages) >= 10
    violations = run_axe(pages)
    assert violations == [], "\n".join(str(v) for v in violations)

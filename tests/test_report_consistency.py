"""Every figure on the built pages agrees wherever it appears (evalkit.report.consistency).

Runs on the sample's reports, and on any other built output folder listed in the environment
variable EVALKIT_CONSISTENCY_DIRS (separated by the path separator), e.g. a real programme's.
"""
import os
import re
import shutil

import pytest

from evalkit.report.consistency import check_reports

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample_reports")]


def test_sample_pages_agree_everywhere(sample_reports):
    assert check_reports(sample_reports) == []


@pytest.mark.parametrize("folder", [p for p in os.environ.get("EVALKIT_CONSISTENCY_DIRS", "").split(os.pathsep) if p])
def test_other_built_programmes_agree_everywhere(folder):
    assert check_reports(folder) == []


def _plant(folder, page, old, new):
    path = folder / page
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_check_finds_a_planted_contradiction(sample_reports, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(sample_reports, out, ignore=shutil.ignore_patterns("notebooks"))
    text = (out / "programme.html").read_text(encoding="utf-8")
    headline = re.search(r"The smallest share agreed with \u201c([^\u201d]+)\u201d \((\d+)%\)", text)
    label, pct = headline.groups()
    _plant(out, "programme.html", f"\u201c{label}\u201d ({pct}%)", f"\u201c{label}\u201d (99%)")
    _plant(out, "easy-read.html", "in 10 people agreed", "in 10 people agreed", )
    problems = check_reports(out)
    assert any("says 99%" in p for p in problems), problems

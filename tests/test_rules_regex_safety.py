"""Codebook regular expressions cannot hang coding (issue 13)."""
from __future__ import annotations

import time

import pytest

from evalkit.coding.codebook import Codebook, Theme, catastrophic
from evalkit.coding.rules import RuleCoder
from evalkit.errors import CodebookError


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a*)*b", r"(\w+\s?)+$", r"(x+x+)+y", r"((ab)*)+c", r"(a|aa)+$",
                                     r"([a-z]+)*!"])
def test_catastrophic_patterns_are_refused(pattern):
    assert catastrophic(pattern)
    with pytest.raises(CodebookError, match="repeat|took over"):
        Codebook((Theme("a", "A", patterns=(f"re:{pattern}",)),), name="t")


@pytest.mark.parametrize("pattern", [r"\bveto(ed)?\b", r"had (a|my) say", r"\b(?:wheel ?chair|ramp)s?\b", r"\d{2,4}"])
def test_ordinary_patterns_pass(pattern):
    assert catastrophic(pattern) is None


def test_a_pattern_that_slips_past_the_checks_times_out_with_a_message(monkeypatch):
    import evalkit.coding.codebook_model as cb
    import evalkit.coding.rules as rules

    monkeypatch.setattr(cb, "catastrophic", lambda text: None)
    book = Codebook((Theme("a", "A", patterns=(r"re:(a|aa)+$",)),), name="t")
    monkeypatch.setattr(rules, "REGEX_SECONDS_PER_MB", 0.5)
    start = time.perf_counter()
    with pytest.raises(CodebookError, match="catastrophic backtracking"):
        RuleCoder(book).code(["a" * 40 + "!"])
    assert time.perf_counter() - start < 10


def test_validate_names_the_catastrophic_pattern(tmp_path):
    from evalkit.programme import validate_programme
    from evalkit.paths import SAMPLE_DIR
    import shutil

    root = tmp_path / "p"
    shutil.copytree(SAMPLE_DIR, root)
    (root / "book.yml").write_text('name: t\nversion: "1"\nthemes:\n  - {id: a, name: A, patterns: ["re:(a+)+$"]}\n')
    config = root / "programme.yml"
    config.write_text(config.read_text().replace('codebook: "default"', "codebook: book.yml"))
    problems = [p for p in validate_programme(config) if p.fatal]
    assert any("repeat" in p.message for p in problems), [str(p) for p in problems]

"""``import evalkit`` is one hop from the API: names are listed for tab completion and their examples run."""
from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

import evalkit

HEADLINE = sorted(set(evalkit.__all__) - set(evalkit.SUBPACKAGES)
                  - {"ConfigError", "DataValidationError", "EvalkitError", "Problem", "__version__"})

NO_EXAMPLE_YET: set[str] = set()
"""Headline names whose docstring has no runnable example yet: ``build_reports`` lives in
``evalkit/report/``, which is being rewritten; its example comes with that rewrite."""


def test_about_a_dozen_headline_names():
    assert 10 <= len(HEADLINE) <= 16
    for name in ("load_programme", "validate_programme", "build_reports", "ThemeClassifier", "ThemeDiscovery",
                 "RuleCoder", "CodebookCoder", "load_codebook", "theme_reliability", "random_effects"):
        assert name in HEADLINE


@pytest.mark.parametrize("name", [*evalkit.__all__])
def test_dir_lists_every_public_name_and_each_resolves(name):
    assert name in dir(evalkit)
    assert getattr(evalkit, name) is not None


def test_subpackages_are_listed_and_import():
    for name in evalkit.SUBPACKAGES:
        assert name in dir(evalkit)
        assert getattr(evalkit, name).__name__ == f"evalkit.{name}"


def test_coding_lists_its_lazy_names():
    for name in ("ThemeClassifier", "ThemeDiscovery", "CodebookCoder", "sentiment_scores", "RuleCoder"):
        assert name in dir(evalkit.coding)
        assert getattr(evalkit.coding, name).__name__ == name


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError):
        evalkit.no_such_name  # noqa: B018


def test_import_evalkit_stays_light():
    code = ("import sys, evalkit; heavy = [m for m in ('sklearn', 'pandas', 'spacy', 'papermill') if m in sys.modules];"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", HEADLINE)
def test_headline_docstring_is_numpydoc_with_a_running_example(name):
    obj = getattr(evalkit, name)
    doc = obj.__doc__ or ""
    assert doc.split("\n", 1)[0].strip(), f"{name} has no summary line"
    assert "Parameters\n    ----------" in doc or "Parameters\n        ----------" in doc, name
    if name in NO_EXAMPLE_YET:
        pytest.xfail(f"{name}: example not written yet (see NO_EXAMPLE_YET)")
    module = importlib.import_module(obj.__module__)
    tests = doctest.DocTestFinder(recurse=False).find(obj, name, globs=dict(vars(module)))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in tests:
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{name}: the Examples section has no example that runs"
    assert result.failed == 0, "".join(report)

"""The sample is one programme among many: the package and notebooks never name its sources,
projects or wording (the config and the data decide). The sample's own generator is the one
place allowed to."""
from __future__ import annotations

import re

import yaml

from evalkit.paths import PACKAGE_DIR, REPO_DIR, SAMPLE_CONFIG


def _sample_words() -> list[str]:
    config = yaml.safe_load(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    words = [s for s in config["sources"] if "_" in s] + [config["programme"]["name"].split(" (")[0]]
    words += [p["name"] for p in config["projects"]]
    return words + ["Co-Pro Cuppa", "Cuppas", "eight small projects", "With eight"]


def _files():
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if not rel.startswith("sample/"):
            yield path
    yield from sorted((REPO_DIR / "notebooks").glob("*.ipynb"))


def test_package_and_notebooks_never_name_the_sample():
    words = _sample_words()
    assert "feedback_survey" in words and "Co-Pro Cuppa" in words
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    found = [f"{path.relative_to(REPO_DIR)}:{n}: {m.group(0)}"
             for path in _files()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for m in [pattern.search(line)] if m]
    assert found == []

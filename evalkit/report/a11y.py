"""Accessibility checks for rendered reports: axe-core in headless Chromium, and alt text.

axe-core's CLI (pinned in ``tools/axe``, installed by ``npm ci``) drives Debian's chromium through
chromedriver. The WCAG 2.0/2.1/2.2 A and AA rule sets and axe's best practices are checked.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from evalkit.paths import REPO_DIR

AXE_BIN = REPO_DIR / "tools" / "axe" / "node_modules" / ".bin" / "axe"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_TAGS = "wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22aa,best-practice"
CHROME_OPTIONS = (
    "headless,no-sandbox,disable-gpu,disable-quic,no-first-run,disable-background-networking,"
    "disable-component-update,disable-sync,disable-dev-shm-usage"
)
# Alt text that names the kind of picture instead of what the data shows.
GENERIC_ALT = {"", "chart", "graph", "figure", "image", "img", "plot", "picture", "a chart", "a graph", "a figure", "an image"}


def axe_missing() -> str | None:
    """Return why the axe check cannot run here (or None when it can)."""
    for path, how in ((CHROMIUM, "apt-get install chromium"), (CHROMEDRIVER, "apt-get install chromium-driver"),
                      (AXE_BIN, "cd tools/axe && npm ci")):
        if not path.exists():
            return f"{path} not found ({how}; .ci/run does this)"
    if shutil.which("node") is None:
        return "node not found (install Node.js)"
    return None


@dataclass(frozen=True)
class Violation:
    """One axe-core rule violated on one page."""

    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.impact}): {self.help} at {', '.join(self.targets[:3])}"


def run_axe(pages: list[Path], timeout: int = 300) -> list[Violation]:
    """Run axe-core on HTML files in headless Chromium and return every violation.

    Parameters
    ----------
    pages : list of pathlib.Path
        HTML files to audit.
    timeout : int
        Seconds allowed for the whole run.

    Returns
    -------
    list of Violation
        Empty when every page passes.
    """
    why = axe_missing()
    if why:
        raise RuntimeError(f"cannot run axe-core: {why}")
    urls = [p.resolve().as_uri() for p in pages]
    proc = subprocess.run(
        [str(AXE_BIN), *urls, "--chromedriver-path", str(CHROMEDRIVER), "--chrome-path", str(CHROMIUM),
         f"--chrome-options={CHROME_OPTIONS}", "--tags", AXE_TAGS, "--stdout"],
        capture_output=True, text=True, timeout=timeout,
    )
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise RuntimeError(f"axe-core produced no results (exit {proc.returncode}): {proc.stderr[-2000:]}") from err
    if len(results) != len(urls):
        raise RuntimeError(f"axe-core audited {len(results)} of {len(urls)} pages: {proc.stderr[-2000:]}")
    found = []
    for result in results:
        for v in result["violations"]:
            targets = tuple(str(n["target"]) for n in v.get("nodes", []))
            found.append(Violation(result["url"], v["id"], v.get("impact") or "", v["help"], targets))
    return found


class _ImageAltFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs).get("alt"))


def images_without_specific_alt(html_text: str) -> list[str]:
    """Return a description of every ``<img>`` with missing, empty or generic alt text."""
    finder = _ImageAltFinder()
    finder.feed(html_text)
    bad = []
    for i, alt in enumerate(finder.images, start=1):
        if alt is None:
            bad.append(f"image {i}: no alt attribute")
        elif alt.strip().lower().rstrip(".") in GENERIC_ALT or len(alt.split()) < 5:
            bad.append(f"image {i}: alt text {alt!r} does not say what the data shows")
    return bad

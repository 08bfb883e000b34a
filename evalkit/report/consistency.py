"""Check a built report folder: each figure agrees everywhere it appears, and the pages stay readable.

``check_reports(folder)`` parses every page the pipeline wrote and returns one line per
problem (an empty list when all is well). It reads only the published HTML, so it checks what
readers see, for any programme:

* **one figure per fact**: each rating question's share at the high end ("agreed", "rated it
  good or very good") is the same in the chart's table, its caption and alt text, the main
  points, the numbers-beside-words table, the programme page's project-by-project table (against
  every project page) and the easy read ("7 in 10 people"); middle answers named in sentences
  match the tables; theme shares match between project pages and the programme page;
* **headlines follow the ranking rule**: the statements named as largest and smallest really
  are (ties included), and a hidden share is said to be hidden;
* **no hidden number can be worked out**: no row of a shares or counts table holds exactly one
  hidden value beside a shown total, and shown shares of a question add up to 100%;
* **plain pages stay plain**: no statistics jargon, raw column names or "nan" outside the
  technical page and the glossary;
* **structure**: a contents list linking every ``h2`` on pages with more than three sections;
  every chart in a ``<figure>`` with a caption, short alt text and its table in ``<details>``.

Run it from the command line: ``python -m evalkit.report.consistency OUTPUT_FOLDER``.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html as lxml_html

HIDDEN = "*"
QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d")
PERCENT = re.compile(r"(\d{1,3})%")
JARGON = ("95% CI", "confidence interval", "Cliff", "Holm", "REML", "Knapp", "Kruskal", "tau\u00b2", "I\u00b2",
          "p value", "p-value", "z_or_t", "SMCR", "Hedges", "meta-analysis", "heterogeneity", "nan%", "NaN")
RAW_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")
MAX_ALT = 400


@dataclass
class Page:
    """What the checks need from one page."""

    path: Path
    tree: object
    title: str
    shares: dict = field(default_factory=dict)   # statement -> {"high": "72%", "middle": "Agree (4)", "row": {...}}
    other: dict = field(default_factory=dict)    # the same for rating questions of other sources
    high_column: str = ""
    low_labels: tuple = ()


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _tables(tree):
    """(caption, header cells, rows of cell texts) for every table."""
    out = []
    for table in tree.iter("table"):
        caption = table.find("caption")
        head = [_text(th) for th in table.xpath("./thead/tr/th")]
        rows = [[_text(c) for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]
        out.append((_text(caption) if caption is not None else "", head, rows))
    return out


def _load(path: Path) -> Page:
    tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    h1 = tree.find(".//h1")
    page = Page(path, tree, _text(h1) if h1 is not None else path.stem)
    for caption, head, rows in _tables(tree):
        if caption.startswith("Share of people giving each kind of answer") and "Middle answer" in head:
            i = head.index("Middle answer")
            survey = caption.startswith("Share of people giving each kind of answer, and the middle answer")
            if survey:
                page.high_column = head[i - 1]
                page.low_labels = tuple(head[2].split(" or ")) if i >= 4 else ()
            for row in rows:
                (page.shares if survey else page.other)[row[0]] = {
                    "high": row[i - 1], "middle": row[i], "row": dict(zip(head, row)), "groups": row[2:i]}
    return page


def _project_name(page: Page) -> str | None:
    suffix = ": what people told us"
    return page.title[: -len(suffix)] if page.title.endswith(suffix) else None


def _strip(label: str) -> str:
    return label.rstrip(".?").strip()


def _find(shares: dict, label: str):
    want = _strip(label)
    for key, value in shares.items():
        if _strip(key) == want:
            return value
    return None


def _main_points(page: Page) -> list[str]:
    for h2 in page.tree.iter("h2"):
        if _text(h2) == "The main points":
            items = []
            node = h2.getnext()
            while node is not None and node.tag != "h2":
                items += [_text(li) for li in node.iter("li")]
                node = node.getnext()
            return items
    return []


def _check_sentence(problems: list, where: str, sentence: str, shares: dict) -> None:
    """Every quoted statement in a sentence has the figure the sentence gives, or is hidden when it says so."""
    labels = QUOTED.findall(sentence)
    if not labels or not shares:
        return
    found = [(lab, _find(shares, lab)) for lab in labels]
    found = [(lab, f) for lab, f in found if f is not None]
    if not found:
        return
    pct = re.search(r"\((\d{1,3})%(?: each)?\)", sentence) or re.match(r"(\d{1,3})% ", sentence)
    if "middle answer" in sentence.lower() or sentence.startswith("The highest was"):
        m = re.search(r"(?:middle answer (?:was|to)|The highest was) (.+?), for ", sentence)
        if m:
            for lab, f in found:
                if f["middle"] != m.group(1):
                    problems.append(f"{where}: says the middle answer for \u201c{lab}\u201d is {m.group(1)}, "
                                    f"the table says {f['middle']}")
        return
    if pct:
        for lab, f in found:
            if f["high"] != f"{pct.group(1)}%":
                problems.append(f"{where}: says {pct.group(1)}% for \u201c{lab}\u201d, the table says {f['high']}")
    elif "hidden" in sentence:
        for lab, f in found:
            if f["high"] != HIDDEN:
                problems.append(f"{where}: says the share for \u201c{lab}\u201d is hidden, the table shows {f['high']}")


def _check_ranking(problems: list, where: str, points: list[str], shares: dict) -> None:
    """The statements called largest and smallest are the largest and smallest shown (ties included)."""
    shown = {k: int(v["high"].rstrip("%")) for k, v in shares.items() if v["high"] != HIDDEN}
    for line in points:
        for word, pick in (("largest", max), ("smallest", min)):
            if not line.startswith(f"The {word} share") or not shown:
                continue
            named = [_strip(x) for x in QUOTED.findall(line)]
            pct = re.search(r"\((\d{1,3})%", line)
            if pct is None:
                continue
            best = pick(shown.values())
            if int(pct.group(1)) != best:
                problems.append(f"{where}: the {word} share shown is {best}%, the headline says {pct.group(1)}%")
            tied = sorted(_strip(k) for k, v in shown.items() if v == best)
            if sorted(named) != tied:
                problems.append(f"{where}: the {word} share is {best}% for {tied}, the headline names {named}")


def _check_rows(problems: list, page: Page) -> None:
    """No row holds exactly one hidden number beside a shown total; shown shares add up to 100%."""
    for caption, head, rows in _tables(page.tree):
        if caption.startswith("Share of people giving each kind of answer") and "Middle answer" in head:
            i = head.index("Middle answer")
            for row in rows:
                cells = row[2:i]
                if row[1] != HIDDEN and cells.count(HIDDEN) == 1:
                    problems.append(f"{page.path.name}: \u201c{row[0]}\u201d has one hidden share beside shown ones")
                if HIDDEN not in cells and all(c.endswith("%") for c in cells) and \
                        sum(int(c.rstrip('%')) for c in cells) != 100:
                    problems.append(f"{page.path.name}: the shares of \u201c{row[0]}\u201d add up to "
                                    f"{sum(int(c.rstrip('%')) for c in cells)}%")
        if caption.startswith("How many people gave each answer") and head and head[-1] == "People":
            for row in rows:
                if row[-1] != HIDDEN and row[1:-1].count(HIDDEN) == 1:
                    problems.append(f"{page.path.name}: \u201c{row[0]}\u201d has one hidden count beside a shown total")


def _check_figures(problems: list, page: Page) -> None:
    for img in page.tree.iter("img"):
        alt = img.get("alt")
        parent = img.getparent()
        if parent.tag == "div" and "chart-scroll" in (parent.get("class") or ""):
            parent = parent.getparent()  # a wide chart scrolls inside its figure
        if alt == "":
            continue  # decorative (easy-read pictures)
        if alt is None:
            problems.append(f"{page.path.name}: an image has no alt text")
            continue
        if len(alt) > MAX_ALT:
            problems.append(f"{page.path.name}: alt text of {len(alt)} characters (keep it under {MAX_ALT})")
        if parent.tag != "figure" or parent.find("figcaption") is None:
            problems.append(f"{page.path.name}: a chart is not in a <figure> with a <figcaption>")
            continue
        if parent.find(".//details//table") is None:
            problems.append(f"{page.path.name}: the chart \u201c{_text(parent.find('figcaption'))}\u201d has no data "
                            "table in <details>")
        if page.shares and page.high_column and "Share of people giving each kind of answer" in \
                _text(parent.find(".//details")):
            caption = _text(parent.find("figcaption"))
            shown = [int(v["high"].rstrip("%")) for v in page.shares.values() if v["high"] != HIDDEN]
            m = re.search(r"between (\d+)% and (\d+)%", caption)
            if m and shown and (int(m.group(1)), int(m.group(2))) != (min(shown), max(shown)):
                problems.append(f"{page.path.name}: the chart title gives {m.group(1)}% to {m.group(2)}%, the table "
                                f"{min(shown)}% to {max(shown)}%")
            for label, pct in re.findall(r"\u201c([^\u201d]+?)(?:\u2026)?\u201d \((\d+)%\)", alt):
                f = _find(page.shares, label) or next((v for k, v in page.shares.items()
                                                       if _strip(k).startswith(_strip(label))), None)
                if f is not None and f["high"] != f"{pct}%":
                    problems.append(f"{page.path.name}: the alt text gives {pct}% for \u201c{label}\u201d, the table "
                                    f"{f['high']}")


def _check_structure(problems: list, page: Page) -> None:
    h2s = [h for h in page.tree.iter("h2")]
    nav = page.tree.xpath('//nav[contains(@class, "contents")]')
    if len(h2s) > 3:
        if not nav:
            problems.append(f"{page.path.name}: {len(h2s)} sections but no contents list")
        else:
            linked = {a.get("href", "")[1:] for a in nav[0].iter("a")}
            missing = [_text(h) for h in h2s if h.get("id") not in linked]
            if missing:
                problems.append(f"{page.path.name}: the contents list misses {missing}")


def _plain_text(page: Page) -> str:
    """Visible text outside quotes and glossaries (user text and definitions may use any words)."""
    tree = lxml_html.fromstring(lxml_html.tostring(page.tree))
    for bad in tree.xpath("//blockquote|//dl|//style|//script|//footer|//*[contains(@class,'hard-words')]"):
        bad.getparent().remove(bad)
    for table in tree.iter("table"):
        caption = table.find("caption")
        if caption is not None and caption.text and caption.text.startswith("Ratings, themes"):
            table.getparent().remove(table)
    return " ".join(tree.text_content().split())


def _check_plain(problems: list, page: Page) -> None:
    text = _plain_text(page)
    for word in JARGON:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            problems.append(f"{page.path.name}: uses \u201c{word}\u201d (keep it to the technical page)")
    for table in page.tree.iter("table"):
        for th in table.xpath(".//th"):
            if RAW_NAME.search(_text(th)):
                problems.append(f"{page.path.name}: raw name \u201c{_text(th)}\u201d in a table")


def _check_easy_read(problems: list, page: Page, programme: Page | None, projects: dict) -> None:
    from evalkit.report.narrative import in_tenths

    for li in page.tree.xpath("//ul[contains(@class,'pictured')]/li"):
        line = _text(li)
        if len(line.split()) > 25:
            problems.append(f"{page.path.name}: a line of {len(line.split())} words: {line[:60]}")
        half = re.match(r"In (.+?), at least half the people (.+?): \u201c(.+)\u201d\.$", line)
        m = None if half else re.match(r"(.+?) (?:people )?(agreed|rated it .+?|said .+?|answered .+?): "
                                       r"\u201c(.+)\u201d\.$", line)
        if m and programme is not None and programme.shares:
            f = _find(programme.shares, m.group(3))
            if f is None:
                continue
            if f["high"] == HIDDEN:
                problems.append(f"{page.path.name}: gives a share for \u201c{m.group(3)}\u201d, hidden on the "
                                "programme page")
                continue
            want = in_tenths(int(f["high"].rstrip("%")))
            said = m.group(1) if m.group(1).endswith("people") or m.group(1) in ("No one", "Everyone", "Almost everyone") \
                else m.group(1) + " people"
            if said.replace(" people people", " people") != want and m.group(1) != want:
                problems.append(f"{page.path.name}: says \u201c{m.group(1)}\u201d for \u201c{m.group(3)}\u201d; the "
                                f"programme page's {f['high']} is \u201c{want}\u201d")
        m = half
        if m:
            proj = projects.get(m.group(1))
            f = _find(proj.shares, m.group(3)) if proj is not None else None
            if f is None:
                problems.append(f"{page.path.name}: cannot find \u201c{m.group(3)}\u201d on {m.group(1)}'s page")
            elif not _middle_is_low(f["middle"], proj.low_labels):
                problems.append(f"{page.path.name}: says at least half in {m.group(1)} {m.group(2)} with "
                                f"\u201c{m.group(3)}\u201d, but its middle answer is {f['middle']}")


def _middle_is_low(middle: str, low_labels: tuple) -> bool:
    words = re.sub(r"\s*\([\d.]+\)$", "", middle)
    parts = words[len("between "):].split(" and ") if words.startswith("between ") else [words]
    return bool(low_labels) and all(p in low_labels for p in parts)


def _check_lowest(problems: list, page: Page, projects: dict) -> None:
    for line in _main_points(page):
        if not line.startswith("Not every project felt the same"):
            continue
        for name, labels in re.findall(r"([^,:()]+?) \(((?:\u201c[^\u201d]+\u201d(?: and |, )?)+)\)", line):
            proj = projects.get(name.replace("in ", "", 1).replace("and ", "", 1).strip())
            if proj is None:
                continue
            for lab in QUOTED.findall(labels):
                f = _find(proj.shares, lab)
                if f is None or not _middle_is_low(f["middle"], proj.low_labels):
                    problems.append(f"{page.path.name}: says at least half in {proj.title} gave a low answer to "
                                    f"\u201c{lab}\u201d, but its middle answer is {f['middle'] if f else 'missing'}")


def _by_project(problems: list, programme: Page, projects: dict) -> None:
    for caption, head, rows in _tables(programme.tree):
        if not (caption.startswith("Share of people who") and caption.endswith("project by project")):
            continue
        for row in rows:
            label = row[0]
            for name, value in zip(head[1:], row[1:]):
                other = programme if name == "All projects" else projects.get(name)
                if other is None:
                    continue
                f = _find(other.shares, label)
                if f is not None and f["high"] != value:
                    problems.append(f"{programme.path.name}: gives {value} for {name} on \u201c{label}\u201d, "
                                    f"{other.path.name} gives {f['high']}")


def _joint(problems: list, page: Page) -> None:
    for caption, head, rows in _tables(page.tree):
        if not caption.startswith("Share who") or "Statement" not in head:
            continue
        for row in rows:
            f = _find(page.shares, row[0])
            if f is not None and row[1] != f["high"]:
                problems.append(f"{page.path.name}: numbers beside words give {row[1]} for \u201c{row[0]}\u201d, "
                                f"the ratings table {f['high']}")
            if f is not None and row[2] != f["middle"]:
                problems.append(f"{page.path.name}: numbers beside words give the middle answer {row[2]} for "
                                f"\u201c{row[0]}\u201d, the ratings table {f['middle']}")


def _themes(problems: list, programme: Page, projects: dict) -> None:
    matrix = {}
    for caption, head, rows in _tables(programme.tree):
        if caption.startswith("Share of people who raised each theme"):
            for row in rows:
                for name, value in zip(head[1:], row[1:]):
                    matrix[(name, row[0])] = value
    for name, page in projects.items():
        for caption, head, rows in _tables(page.tree):
            if caption != "Themes in people's written answers" or "Share of people who answered" not in head:
                continue
            i = head.index("Share of people who answered")
            for row in rows:
                want = matrix.get((name, row[0]))
                if want is not None and want != row[i]:
                    problems.append(f"{page.path.name}: theme \u201c{row[0]}\u201d is {row[i]}, the programme page "
                                    f"gives {want}")


def check_reports(folder) -> list[str]:
    """Check every page of a built report folder; return one line per problem (empty when consistent)."""
    folder = Path(folder)
    pages = {p.name: _load(p) for p in sorted(folder.glob("*.html"))}
    projects = {name: page for page in pages.values() if (name := _project_name(page))}
    programme = pages.get("programme.html")
    problems: list[str] = []
    for page in pages.values():
        _check_structure(problems, page)
        _check_figures(problems, page)
        _check_rows(problems, page)
        if page.path.name not in ("technical.html", "reliability.html", "index.html"):
            _check_plain(problems, page)
        for line in _main_points(page):
            _check_sentence(problems, f"{page.path.name} main points", line, {**page.other, **page.shares})
        _check_ranking(problems, page.path.name, _main_points(page), page.shares)
        _joint(problems, page)
    if programme is not None:
        _by_project(problems, programme, projects)
        _themes(problems, programme, projects)
        _check_lowest(problems, programme, projects)
    if "easy-read.html" in pages:
        _check_easy_read(problems, pages["easy-read.html"], programme, projects)
    return problems


def main(argv=None) -> int:
    """``python -m evalkit.report.consistency FOLDER``: print the problems; exit 1 if there are any."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m evalkit.report.consistency OUTPUT_FOLDER", file=sys.stderr)
        return 2
    problems = check_reports(args[0])
    for line in problems:
        print(line)
    print(f"{len(problems)} problem(s) in {args[0]}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

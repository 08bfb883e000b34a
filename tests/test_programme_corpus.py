"""Every programme in the corpus (tests/programmes/) validates, then builds clean pages.

The corpus holds configs written by ``evalkit init`` and edited only where a user would (each
edit marked ``# edited:``), for the two real NHS files in the shared benchmarks folder and for
small made-up shapes; tests/programmes/README.md lists them. For each programme the contract of
issue 10 section 3 is checked: ``validate`` exits 0, so ``report`` fails on no input problem.
Then every planned page exists, shows no error, no missing-value marker and none of the sample
programme's wording, each declared project has its page, ``quarantine.csv`` holds exactly the
rows the programme sets aside, and people are counted once each, not once per row.

The real files are sliced into a temporary folder (a few hundred rows; never copied into the
repository). Every test here builds reports, so the module is marked slow (it runs in ``make
test``, in one xdist group, about 6 minutes on 2 cores). The full files build only when asked:
``EVALKIT_FULL_CORPUS=1 pytest -p no:xdist tests/test_programme_corpus.py -k full`` (or select
the slow marker with ``-m slow``); they take about 2 more minutes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
import yaml

from evalkit.cli import main
from evalkit.paths import BENCHMARKS_DIR
from evalkit.privacy.suppression import SuppressionPolicy

CORPUS = Path(__file__).resolve().parent / "programmes"
PROGRAMMES = sorted(d.name for d in CORPUS.iterdir() if (d / "programme.yml").is_file())
PXTEXT = BENCHMARKS_DIR / "pxtextmining"
V6, PHASE1 = "v6framework_230831.csv", "phase1_text_data.csv"
REAL = {"nhs_v6": V6, "nhs_phase1": PHASE1}

# Words only the sample programme may use (issue 10 section 6), matched ignoring case; "eight" as a word.
SAMPLE_WORDING = ["Co-Pro Cuppa", "feedback_survey", "session_feedback", "project_facts", "wellbeing", "eight",
                  "Learning Together", "co-production"]
_SAMPLE_RE = re.compile("|".join(rf"\b{re.escape(w)}\b" if w == "eight" else re.escape(w) for w in SAMPLE_WORDING),
                        re.IGNORECASE)
# What a table cell shows when a number or a text went missing on the way to the page.
MISSING_CELLS = {"nan", "NaN", "None", "NaT", "<NA>", "inf", "-inf", "null"}
_ERROR_RE = re.compile(r"Traceback|\b[A-Z]\w*Error\b|\bError\b")
_MISSING_WORD_RE = re.compile(r"\b(nan|NaN|NaT|None)\b|<NA>")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("corpus")]


# --------------------------------------------------------------------------------- slices of the real files

def _read_benchmark(name: str) -> pd.DataFrame:
    """Return a benchmark file as text cells, or skip when the shared folder is absent."""
    path = PXTEXT / name
    if not path.is_file():
        pytest.skip(f"benchmark file {path} is absent (set EVALKIT_BENCHMARKS to the shared benchmarks folder)")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _not_uk_date(text: str) -> bool:
    """Whether a Date cell does not read as day/month/year (the format init chose for the v6 file)."""
    try:
        dt.datetime.strptime(text.strip(), "%d/%m/%Y")
    except ValueError:
        return True
    return False


def v6_slice(frame: pd.DataFrame, per_service: int = 20, extra: int = 3) -> pd.DataFrame:
    """The first respondents of each trust and service, with every row they gave, in file order.

    To reach the shapes the first respondents lack, the first ``extra`` respondents who
    answered 6 (Don't know), who answered 7 (no rating) and whose date is month first (US) are
    added too.
    """
    people = []
    for _, part in frame.groupby(["Trust", "Service type 1"], sort=False):
        people += list(pd.unique(part["Respondent ID"]))[:per_service]
    rating = frame["FFT categorical answer"]
    for rows in (rating == "6", rating == "7", frame["Date"].map(_not_uk_date)):
        people += list(pd.unique(frame.loc[rows, "Respondent ID"]))[:extra]
    return frame[frame["Respondent ID"].isin(set(people))]


def phase1_slice(frame: pd.DataFrame, per_question: int = 80) -> pd.DataFrame:
    """The first rows of each trust's questions (all three trusts, both questions where a trust has two)."""
    return frame.groupby(["organization", "question"], sort=False).head(per_question).sort_index()


SLICERS = {V6: v6_slice, PHASE1: phase1_slice}


def copy_programme(name: str, dest: Path, *, full: bool = False) -> Path:
    """Copy a corpus programme to ``dest``; for a real file write its slice there (or, with ``full``,
    point the config at the whole file in place). Return the config path."""
    shutil.copytree(CORPUS / name, dest)
    config = dest / "programme.yml"
    if name in REAL:
        file = REAL[name]
        frame = _read_benchmark(file)
        if full:
            text = config.read_text(encoding="utf-8")
            assert text.count(f'path: "{file}"') == 1
            config.write_text(text.replace(f'path: "{file}"', f'path: "{(PXTEXT / file).as_posix()}"'),
                              encoding="utf-8")
        else:
            SLICERS[file](frame).to_csv(dest / file, index=False, encoding="utf-8")
    return config


# --------------------------------------------------------------------------------- one build per programme

@dataclass
class Built:
    """A programme copied, validated and built once, for every check below."""

    name: str
    config: Path
    out: Path
    validate_code: int
    validate_output: str
    result: object          # the BuildResult, or None when build_reports raised
    raised: str             # what build_reports raised ("" when it returned)
    programme: object


def validate(config: Path) -> tuple[int, str]:
    """Run ``evalkit validate`` through the command line's main(); return (exit code, what it printed)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(["validate", "--config", str(config)])
    return code, buffer.getvalue()


def build(name: str, folder: Path, *, full: bool = False) -> Built:
    """Copy, validate and build one programme (the build runs even if validate fails, to show why)."""
    from evalkit.programme import load_programme
    from evalkit.report import build_reports

    config = copy_programme(name, folder / name, full=full)
    code, printed = validate(config)
    result, raised = None, ""
    try:
        result = build_reports(config, folder / f"{name}-reports", use_cache=False)
    except Exception as err:  # noqa: BLE001 - the contract check reports it with the programme's name
        raised = "".join(traceback.format_exception_only(err)).strip()
    return Built(name, config, folder / f"{name}-reports", code, printed, result, raised, load_programme(config))


@pytest.fixture(scope="module", params=PROGRAMMES)
def built(request, tmp_path_factory) -> Built:
    """Each corpus programme, built once (slices of the real files)."""
    return build(request.param, tmp_path_factory.mktemp("corpus"))


# --------------------------------------------------------------------------------- reading the pages

def pages(out: Path) -> list[Path]:
    """Every HTML page of a build."""
    return sorted(out.glob("*.html"))


def _tree(page: Path):
    doc = lxml.html.parse(str(page)).getroot()
    for node in doc.xpath("//style|//script"):
        node.drop_tree()
    return doc


def visible_text(page: Path, *, answers: set[str] | None = None) -> str:
    """What a reader sees or hears on a page: text, image alt text and the title.

    With ``answers`` (people's own written answers), quotes and table cells holding exactly one
    of them are left out, so a person who wrote "None" is not taken for a missing value.
    """
    doc = _tree(page)
    if answers is not None:
        for node in doc.xpath("//blockquote"):
            node.drop_tree()
        for cell in doc.xpath("//td"):
            if " ".join(cell.text_content().split()) in answers:
                cell.drop_tree()
    alts = [img.get("alt") or "" for img in doc.xpath("//img")]
    return " ".join(" ".join([*doc.itertext(), *alts]).split())


def table_cells(page: Path) -> list[tuple[str, str]]:
    """(caption, cell text) for every table cell of a page."""
    cells = []
    for table in _tree(page).xpath("//table"):
        caption = " ".join(table.xpath("string(./caption)").split())
        cells += [(caption, " ".join(cell.text_content().split())) for cell in table.xpath(".//th|.//td")]
    return cells


def main_points(page: Path, required: bool = True) -> list[str]:
    """The bullets under 'The main points' (a project without rows has none)."""
    doc = _tree(page)
    heading = doc.xpath("//h2[normalize-space()='The main points']")
    if not heading and not required:
        return []
    assert heading, f"{page.name} has no 'The main points' section"
    items = heading[0].xpath("following::ul[1]/li")
    return [" ".join(li.text_content().split()) for li in items]


def real_answers(programme) -> set[str]:
    """Every written answer as loaded: a quote of someone who wrote "None" is not a missing value."""
    answers = set()
    for name, table in programme.tables.items():
        for column in programme.columns_of_type(name, "free_text"):
            answers.update(" ".join(str(v).split()) for v in table[column].dropna())
    return answers


def failures_in_notebooks(out: Path) -> list[str]:
    """Error outputs and tracebacks left in the executed notebooks (the researcher's copies)."""
    import nbformat

    found = []
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                text = output.get("text", "") if output.get("output_type") == "stream" else ""
                if output.get("output_type") == "error" or "Traceback" in text:
                    found.append(f"{path.name} cell {i}: {output.get('ename', '')} {output.get('evalue', text)[:300]}")
    return found


# --------------------------------------------------------------------------------- the checks
# Each returns the problems it finds (empty when the programme passes), so the slices test each
# check on its own and the full files run them all.

def _hits(pattern: re.Pattern, page: Path, text: str) -> list[str]:
    return [f"{page.name}: {m.group()!r} in ...{text[max(0, m.start() - 80):m.end() + 80]}..."
            for m in pattern.finditer(text)]


def _jobs(b: Built) -> list:
    from evalkit.report.pipeline import plan_jobs

    return plan_jobs(b.programme, b.programme.report_settings)


def _project_pages(b: Built) -> dict[str, Path]:
    """Project id -> its page."""
    return {job.parameters["project_id"]: b.out / job.html_name for job in _jobs(b) if "project_id" in job.parameters}


def _data_file(b: Built, name: str) -> pd.DataFrame:
    """The text cells of the data file a source reads (the slice, or the full file in place)."""
    spec = next(s for s in b.programme.sources.values() if s.path.name == name)
    return pd.read_csv(spec.path, dtype=str, keep_default_na=False)


def contract_problems(b: Built) -> list[str]:
    """Issue 10 section 3: validate exits 0, then the build has no failure and no traceback."""
    if b.validate_code != 0:
        return [f"validate exited {b.validate_code}:\n{b.validate_output}"]
    if b.result is None:
        return [f"validate exited 0 but build_reports raised {b.raised}"]
    problems = [] if b.result.ok else [f"validate exited 0 but the build failed:\n{b.result.summary()}"]
    return problems + failures_in_notebooks(b.out)


def page_problems(b: Built) -> list[str]:
    """Every planned page is written and linked from the index."""
    index = (b.out / "index.html").read_text(encoding="utf-8")
    return ([f"{job.html_name} ({job.title}) was not written" for job in _jobs(b)
             if not (b.out / job.html_name).is_file()]
            + [f"index.html does not link {job.html_name}" for job in _jobs(b)
               if f'href="{job.html_name}"' not in index])


def error_problems(b: Built) -> list[str]:
    answers = real_answers(b.programme)
    return [hit for page in pages(b.out) for hit in _hits(_ERROR_RE, page, visible_text(page, answers=answers))]


def missing_cell_problems(b: Built) -> list[str]:
    answers = real_answers(b.programme)
    return [f"{page.name}: table '{caption}' has a cell {cell!r}" for page in pages(b.out)
            for caption, cell in table_cells(page) if cell in MISSING_CELLS and cell not in answers]


def missing_word_problems(b: Built) -> list[str]:
    """Outside people's own words, no text reads nan, NaN, NaT, None or <NA>."""
    answers = real_answers(b.programme)
    return [hit for page in pages(b.out) for hit in _hits(_MISSING_WORD_RE, page, visible_text(page, answers=answers))]


def sample_wording_problems(b: Built) -> list[str]:
    """No page speaks of the sample. Left out: the footer's provenance, which names the codebook the
    programme chose (``codebook: default`` is evalkit's co-production codebook), and the theme
    names and definitions the pages quote from that codebook; both are the programme's choice."""
    from evalkit.coding.codebook import load_codebook

    codebook = load_codebook(b.programme.codebook_path)
    chosen = sorted({text for t in codebook.themes.values() for text in (t.name, t.definition) if text},
                    key=len, reverse=True)
    hits = []
    for page in pages(b.out):
        text = re.sub(r"(?s)Built by evalkit .*", "", visible_text(page))
        for quoted in chosen:
            text = text.replace(" ".join(quoted.split()), " ")
        hits += _hits(_SAMPLE_RE, page, text)
    return hits


def project_page_problems(b: Built) -> list[str]:
    """Each declared project has its page, titled with its name; one without rows says so."""
    problems = []
    declared = yaml.safe_load(b.config.read_text(encoding="utf-8"))["projects"]
    project_pages = _project_pages(b)
    for project in declared:
        page = project_pages.get(str(project["id"]))
        if page is None or not page.is_file():
            problems.append(f"no page for project {project['id']!r}")
            continue
        title = " ".join(_tree(page).xpath("string(//h1)").split())
        if not title.startswith(str(project.get("name", project["id"]))):
            problems.append(f"{page.name}: title {title!r} does not start with the project's name")
    with_rows = set()
    for name, table in b.programme.tables.items():
        with_rows.update(table[b.programme.sources[name].project_column].dropna().astype(str))
    empty = [pid for pid in b.programme.projects.index if pid not in with_rows]
    for pid in empty:
        if pid in project_pages and project_pages[pid].is_file():
            if "No answers from this project were in the data files" not in visible_text(project_pages[pid]):
                problems.append(f"{project_pages[pid].name}: the page of {pid!r}, which has no rows, does not say so")
    if empty and "listed but had no answers in the data" not in visible_text(b.out / "programme.html"):
        problems.append("programme.html does not say that a listed project had no answers")
    return problems


def _expected_quarantine(b: Built) -> int:
    """Rows the programme should set aside, counted without evalkit."""
    if b.name == "thirty_projects":
        return 1                                  # the rating typed as 55 (make_data.py)
    if b.name == "nhs_v6":                        # month-first dates, as init warned
        return int(_data_file(b, V6)["Date"].map(_not_uk_date).sum())
    return 0


def quarantine_problems(b: Built) -> list[str]:
    """quarantine.csv holds exactly the rows the programme sets aside, and the programme page says how many."""
    from evalkit.programme import validate_programme

    held = len(pd.read_csv(b.out / "quarantine.csv", dtype=str, keep_default_na=False))
    row_problems = {(p.file, p.row) for p in validate_programme(b.config)
                    if not p.fatal and not getattr(p, "warning", False)}
    counts = {"quarantine.csv": held, "programme.quarantine": len(b.programme.quarantine),
              "BuildResult.quarantined": b.result.quarantined, "rows validate lists": len(row_problems),
              "expected": _expected_quarantine(b)}
    problems = [] if len(set(counts.values())) == 1 else [f"quarantine counts differ: {counts}"]
    if held:
        said = f"{held} row{'s' if held != 1 else ''} of data could not be used"
        if said not in visible_text(b.out / "programme.html"):
            problems.append(f"programme.html does not say {said!r}")
    return problems


def _people_said(page: Path, label: str) -> list[int]:
    said = [re.fullmatch(rf"(?:About )?([\d,]+) people answered {re.escape(label)}\.", line)
            for line in main_points(page)]
    return [int(m.group(1).replace(",", "")) for m in said if m]


def people_count_problems(b: Built) -> list[str]:
    """v6: the main points count distinct respondents (NHS Digital rounding), never rows."""
    if b.name != "nhs_v6":
        return []
    frame = _data_file(b, V6)
    held = pd.read_csv(b.out / "quarantine.csv", dtype=str, keep_default_na=False)
    kept = frame.drop(index=held["row"].astype(int).to_numpy() - 2)     # spreadsheet row = index + 2
    policy = SuppressionPolicy()                                         # NHS Digital: * below 8, else nearest 5
    pages_ = {None: b.out / "programme.html", **_project_pages(b)}
    problems = []
    if policy.rounded(len(kept)) == policy.rounded(kept["Respondent ID"].nunique()):
        problems.append("the data cannot tell people from rows")
    for trust, page in pages_.items():
        part = kept if trust is None else kept[kept["Trust"] == trust]
        expected = policy.rounded(part["Respondent ID"].nunique())
        said = _people_said(page, "the Friends and Family Test")
        if said != [expected]:
            problems.append(f"{page.name}: says {said} people answered; {part['Respondent ID'].nunique()} "
                            f"respondents ({len(part)} rows) round to {expected}")
    return problems


def theme_count_problems(b: Built) -> list[str]:
    """A theme named in a project's main points is not one its own table hides as raised by too few people."""
    problems = []
    for page in _project_pages(b).values():
        said = [re.fullmatch(r"The things people wrote about most were (.+)\.", line)
                for line in main_points(page, required=False)]
        said = [m.group(1) for m in said if m]
        if not said:
            continue
        for table in _tree(page).xpath("//table[caption[normalize-space()=\"Themes in people's written answers\"]]"):
            for row in table.xpath(".//tr[td]"):
                theme, people = (" ".join(c.text_content().split()) for c in row.xpath("./td|./th")[:2])
                if theme.lower() in said[0] and people in ("*", "0"):
                    problems.append(f"{page.name}: the main points name '{theme.lower()}', which the page's table "
                                    f"shows as raised by {people!r} people: 'The things people wrote about most "
                                    f"were {said[0]}.'")
    return problems


def _people_answers(b: Built, label: str):
    """(one row per person, the survey's spec, the column) for the survey question with this label."""
    from evalkit.programme.roles import people_frame, report_roles

    source = report_roles(b.programme).survey
    spec = b.programme.sources[source]
    column = next(c for c, col in spec.columns.items() if (col.label or c) == label)
    return people_frame(b.programme.tables[source], spec), spec, column


def everyone_problems(b: Built) -> list[str]:
    """'100% answered X' and '100% gave role R' only when every one of those people did (checked in the data)."""
    problems = []
    for pid, page in {None: b.out / "programme.html", **_project_pages(b)}.items():
        if not page.is_file():
            continue
        text = visible_text(page)
        for m in re.finditer(r'(?:^|[.:] )100% (?:answered (.+?) to|agreed with) "(.+?)"', text):
            people, spec, column = _people_answers(b, m.group(2))
            if pid is not None:
                people = people[people[spec.project_column] == pid]
            values = people[column].dropna().astype(int)
            share = values.isin(spec.columns[column].scale_spec.positive).mean()
            if share < 1:
                problems.append(f"{page.name}: says {m.group()!r} but {share:.0%} of the {len(values)} people did")
        ids = {name: pid for pid, name in b.programme.projects["name"].items()}
        for m in re.finditer(r"In ([^,]+?), 100% gave (.+?) '(.+?)'", text):
            people, spec, column = _people_answers(b, m.group(2))
            mine = people.loc[people[spec.project_column] == ids.get(m.group(1), m.group(1)), column]
            share = (mine.astype("string") == m.group(3)).mean()
            if share < 1:
                problems.append(f"{page.name}: says {m.group()!r} but {share:.0%} of the {len(mine)} people did")
    return problems


CHECKS = [contract_problems, page_problems, error_problems, missing_cell_problems, missing_word_problems,
          sample_wording_problems, project_page_problems, quarantine_problems, people_count_problems,
          theme_count_problems, everyone_problems]


def _assert_none(problems: list[str], b: Built) -> None:
    assert problems == [], f"{b.name}:\n" + "\n".join(problems)


def _pages_of(b: Built) -> Built:
    """The build, or a failure saying there are no pages to check."""
    if b.result is None:
        pytest.fail(f"{b.name}: no pages to check: build_reports raised {b.raised}")
    return b


def test_validate_exits_0_and_report_builds(built):
    _assert_none(contract_problems(built), built)


def test_every_planned_page_exists_and_is_linked(built):
    _assert_none(page_problems(_pages_of(built)), built)


def test_pages_show_no_error(built):
    _assert_none(error_problems(_pages_of(built)), built)


def test_no_table_cell_shows_a_missing_value(built):
    _assert_none(missing_cell_problems(_pages_of(built)), built)


def test_no_sentence_shows_a_missing_value(built):
    _assert_none(missing_word_problems(_pages_of(built)), built)


def test_pages_have_none_of_the_sample_wording(built):
    _assert_none(sample_wording_problems(_pages_of(built)), built)


def test_each_declared_project_has_its_page_and_one_without_rows_says_so(built):
    if built.name == "project_without_rows":
        assert list(built.programme.projects.index)[-1] == "Saturday group"
    _assert_none(project_page_problems(_pages_of(built)), built)


def test_quarantine_csv_holds_the_rows_set_aside(built):
    _assert_none(quarantine_problems(_pages_of(built)), built)


def test_people_are_counted_by_respondent_not_by_row(built):
    if built.name != "nhs_v6":
        pytest.skip("people are checked against the respondent ids of the v6 file")
    _assert_none(people_count_problems(_pages_of(built)), built)


def test_themes_in_the_main_points_are_ones_enough_people_raised(built):
    _assert_none(theme_count_problems(_pages_of(built)), built)


def test_no_sentence_says_everyone_when_not_everyone(built):
    _assert_none(everyone_problems(_pages_of(built)), built)


def test_every_figure_agrees_wherever_it_appears(built):
    from evalkit.report.consistency import check_reports

    _assert_none(check_reports(_pages_of(built).out), built)


# --------------------------------------------------------------------------------- the full real files

def _full_requested(request) -> bool:
    """The full files run only when asked: EVALKIT_FULL_CORPUS=1, or -m selecting the slow marker."""
    markexpr = request.config.getoption("markexpr") or ""
    return os.environ.get("EVALKIT_FULL_CORPUS") == "1" or ("slow" in markexpr and "not slow" not in markexpr)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL))
def test_full_real_file_builds(name, tmp_path, request):
    """Every check above, on the whole NHS file read in place."""
    if not _full_requested(request):
        pytest.skip("the full NHS files take minutes: set EVALKIT_FULL_CORPUS=1 or run with -m slow")
    b = build(name, tmp_path, full=True)
    checks = CHECKS if b.result is not None else [contract_problems]
    _assert_none([f"[{check.__name__}] {problem}" for check in checks for problem in check(b)], b)

"""evalkit init: column guesses, the config text it writes, the salt, errors, and the CLI."""
import csv
import datetime as dt
import re

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from evalkit import cli
from evalkit.errors import ConfigError, DataValidationError
from evalkit.paths import BENCHMARKS_DIR
from evalkit.programme.infer import (blank_placeholders, guess_column, guess_id_column, guess_question_column,
                                     guess_respondent_column, infer_table)
from evalkit.programme.init import init_programme
from evalkit.programme.init_yaml import quote
from evalkit.programme import load_programme, validate_programme
from evalkit.programme.reading import read_table

RATE = "Overall, how would you rate the sessions you came to? (1 = poor, 5 = excellent)"
AGREE = 'Q2: "I felt listened to" # agree?'
WORKED = "What worked well?\n(please say why)"

# A made-up export as a survey tool gives it: ids, a person id that repeats, UK dates, codes 1-5,
# agreement labels, a number, a choice, free text with "Did not answer", a theme flag, a site.
SURVEY_ROWS = [
    ["Response ID", "Participant ID", "Site", "Date of session", RATE, AGREE, "Sessions attended #",
     "Hours: volunteered", "Role", WORKED, "Theme: access"],
    ["R001", "P1", "North", "03/02/2024", "5", "Strongly agree", "12", "1.5", "co-producer",
     "Everyone listened to each other", "1"],
    ["R002", "P2", "North", "17/02/2024", "4", "Agree", "3", "2", "researcher", "Did not answer", ""],
    ["R003", "P1", "South", "24/02/2024", "3", "Neither agree nor disagree", "0", "0.5", "co-producer",
     "The venue was easy to reach by bus", ""],
    ["R004", "P3", "South", "02/03/2024", "2", "Disagree", "7", "3.25", "practitioner", "", "1"],
    ["R005", "P4", "North", "16/03/2024", "1", "Strongly disagree", "14", "4", "co-producer",
     "Being paid for my time made a difference", ""],
    ["R006", "P2", "South", "", "4", "Agree", "1", "1", "researcher", "did not answer.", ""],
    ["R007", "P5", "North", "30/03/2024", "5", "Strongly agree", "9", "2.5", "practitioner",
     "Short sessions with breaks helped", ""],
    ["R008", "P6", "South", "13/04/2024", "Did not answer", "agree", "2", "6", "co-producer",
     "Nothing really", "1"],
]


def write_csv(path, rows, encoding="utf-8"):
    """Write rows as a CSV file the way a spreadsheet exports it."""
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path, rows, sheet="Responses"):
    """Write rows to one worksheet (None for blank cells)."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def exports(tmp_path):
    """A CSV survey export and an XLSX session log with real dates and FFT labels, in their own folder."""
    folder = tmp_path / "exports"
    folder.mkdir()
    survey = write_csv(folder / "Survey export (March).csv", SURVEY_ROWS)
    fft = ["Very good", "Good", "Don't know", "Very good", "Poor", "Neither good nor poor", "Very poor", "Good"]
    log = [["Session no.", "Site", "Held on", "How was your experience?"]]
    for i, answer in enumerate(fft):
        log.append([i + 1, "North" if i % 2 else "South", dt.datetime(2024, 1, 8) + dt.timedelta(days=7 * i), answer])
    sessions = write_xlsx(folder / "sessions.xlsx", log)
    return survey, sessions


def cells(*values):
    """Return text cells as read_table gives them."""
    return pd.Series(list(values), dtype=object)


# ---------------------------------------------------------------- single decisions

@pytest.mark.parametrize("values, role, detail", [
    (("1", "2", "3", "4", "5", "3", ""), "likert", ("codes_1_to_5", tuple(str(v) for v in range(1, 6)))),
    (("0", "10", "7", "7", "3"), "likert", ("codes_0_to_10", tuple(str(v) for v in range(0, 11)))),
    (("-4", "4", "0", "-1", "2", "2"), "likert", ("codes_minus4_to_4", tuple(str(v) for v in range(-4, 5)))),
    (("Agree", "Strongly agree", "neither agree or disagree", "Agree"), "likert",
     ("agreement", ("Strongly disagree", "Disagree", "neither agree or disagree", "Agree", "Strongly agree"))),
    (("Very satisfied", "Satisfied", "Dissatisfied"), "likert",
     ("satisfaction", ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
                       "Very satisfied"))),
])
def test_likert_codes_and_label_sets(values, role, detail):
    guess = guess_column("q", cells(*values))
    assert guess.role == role
    assert (guess.scale.name, tuple(label for _, label in guess.scale.labels)) == detail
    assert guess.required is ("" not in values)


def test_fft_labels_keep_the_data_spelling_and_dont_know_is_a_missing_code():
    guess = guess_column("FFT", cells("Very good", "good", "Don\u2019t know", "Poor", "Very poor"))
    scale = guess.scale
    assert (scale.name, scale.kind, scale.higher_is_better) == ("fft", "rating", False)
    assert dict(scale.labels)[2] == "good"
    assert scale.missing == ((6, "Don\u2019t know"),)
    assert guess.required is False          # "Don't know" is no rating
    assert guess.misfit_rows == ()


def test_integer_codes_outside_the_range_are_quarantined_and_explained():
    values = ["3", "-3", "0", "2", "-2", "4", "-4", "1", "-1"] * 20 + ["-9", "cc"]
    guess = guess_column("criticality", cells(*values))
    assert guess.role == "likert" and guess.scale.name == "codes_minus4_to_4"
    assert guess.misfit_rows == (180, 181)
    assert any("missing:" in r for r in guess.reasons)


@pytest.mark.parametrize("values, fmt, note", [
    (("03/02/2024", "17/02/2024", ""), "%d/%m/%Y", None),
    (("03/02/2024", "01/12/2024"), "%d/%m/%Y", "month first"),
    (("2024-02-03", "2024-02-17"), "%Y-%m-%d", None),
    (("2024-02-03T00:00:00", "2024-03-01T00:00:00"), "%Y-%m-%dT%H:%M:%S", None),
    (("3 February 2024", "17 March 2024"), "%d %B %Y", None),
])
def test_dates_are_read_day_first(values, fmt, note):
    guess = guess_column("When", cells(*values))
    assert (guess.role, guess.date_format) == ("date", fmt)
    assert guess.required is ("" not in values)
    assert (note is None) or any(note in r for r in guess.reasons)


def test_us_dates_among_uk_dates_are_named_and_quarantined():
    values = [f"{d:02d}/0{m}/2022" for d in range(13, 29) for m in (1, 2)] + ["7/27/2022"]
    guess = guess_column("Date", cells(*values))
    assert guess.date_format == "%d/%m/%Y"
    assert guess.misfit_rows == (len(values) - 1,)
    assert any("month first (US)" in r and "'7/27/2022'" in r for r in guess.reasons)


@pytest.mark.parametrize("values, low, high, integer", [
    (("12", "3", "0", "7", "14", "1"), 0, 14, True),
    (("1.5", "2", "0.5", "3.25"), 0.5, 3.25, False),
    (("18", "25", "22", "19"), 18, 25, True),          # ages: not a rating scale
])
def test_numbers_get_the_range_seen(values, low, high, integer):
    guess = guess_column("n", cells(*values))
    assert (guess.role, guess.min, guess.max, guess.integer) == ("number", low, high, integer)
    assert any("min" in r and "max" in r for r in guess.reasons)


@pytest.mark.parametrize("values, role", [
    (("1", "", "", "1", ""), "undeclared"),             # a theme flag
    (("", "", ""), "undeclared"),                       # always blank
    (("NEAS", "NEAS"), "undeclared"),                   # one value only
    (("01", "02", "03", "01", "02", "03"), "single_choice"),   # codes with a leading zero are not numbers
    (("0", "1", "1", "0"), "single_choice"),
    (("xa", "xb", "xc", "xd", "xe", "xf", "xg", "xh", "xi", "xj", "xk", "xl", "xm") * 3, "undeclared"),
])
def test_flags_constants_and_codes(values, role):
    assert guess_column("c", cells(*values)).role == role


def test_single_choice_merges_case_and_sorts_naturally():
    guess = guess_column("Age", cells("25-34", "16-24", "65+", "25-34", "16-24", "65+", "16-24 ", "65+"))
    assert guess.role == "single_choice"
    assert guess.choices == ("16-24", "25-34", "65+")
    guess = guess_column("Role", cells("Carer", "carer", "Staff", "Staff", ""))
    assert guess.choices == ("Carer", "Staff") and guess.required is False


def test_free_text_is_long_or_mostly_different():
    guess = guess_column("Why?", cells("The staff were kind", "Too long a wait", "", "Parking was hard"))
    assert (guess.role, guess.required) == ("free_text", False)


def test_placeholders_become_blank_and_are_counted():
    frame = pd.DataFrame({"a": ["Did not answer", "did not answer.", "N/A", "Nothing", "None", "No"],
                          "b": ["-", "1", "2", "3", "NA", "Not applicable"]})
    blanked, seen = blank_placeholders(frame)
    assert blanked["a"].tolist() == ["", "", "", "Nothing", "None", "No"]
    assert blanked["b"].tolist() == ["", "1", "2", "3", "", ""]
    assert seen == {"Did not answer": 2, "N/A": 1, "NA": 1, "-": 1, "Not applicable": 1}


def test_id_prefers_an_id_header_then_a_row_number():
    frame = pd.DataFrame({"Score": ["1", "2", "3"], "Respondent ID": ["a", "b", "c"], "Comment ID": ["x", "y", "z"]})
    assert guess_id_column(frame).name == "Comment ID"
    frame = pd.DataFrame({"text": ["aa bb", "cc dd", "ee ff"], "row_index": ["0", "1", "2"]})
    assert guess_id_column(frame).name == "row_index"
    frame = pd.DataFrame({"Response ID": [f"R{i}" for i in range(40)] + ["R1"], "x": ["1"] * 41})
    guess = guess_id_column(frame)
    assert guess.name == "Response ID" and guess.misfit_rows == (40,)   # nearly unique: repeat quarantined
    assert guess_id_column(pd.DataFrame({"a": ["1", "1"], "b": ["x", "x"]})) is None


def test_respondent_and_question_columns():
    frame = pd.DataFrame({"Respondent ID": ["p1", "p1", "p2", "p2"], "Person identifiable info?": ["", "", "", ""],
                          "FFT question": ["Why?", "What could be better?"] * 2,
                          "Question 3: how satisfied were you with the visit?": ["Satisfied"] * 4})
    assert guess_respondent_column(frame).name == "Respondent ID"
    assert guess_question_column(frame).name == "FFT question"


def test_infer_table_counts_rows_to_quarantine_once():
    frame = pd.DataFrame({"id": ["1", "2", "3", "3"], "n": ["1", "2", "x", "x"] + [],
                          "when": ["01/02/2024", "02/02/2024", "03/02/2024", "bad"]})
    frame = pd.concat([frame] + [pd.DataFrame({"id": [str(i)], "n": ["5"], "when": ["04/02/2024"]})
                                 for i in range(10, 60)], ignore_index=True)
    guess = infer_table(frame)
    assert guess.id_column == "id"
    assert guess.quarantined_rows == 2      # rows 3 and 4: a repeated id, "x" and "bad" on the same rows


# ---------------------------------------------------------------- YAML text

NASTY = ["Q1: why?", "# not a comment", 'say "hi"', "it's", "line one\nline two", "tab\there", "yes", "01",
         "2024-01-29", "null", "- dash", "? mark", "{brace}", "[list]", "&anchor", "*alias", "!tag", "%pct",
         "@at", "`tick`", "a\x85b", "a\u2028b", "BOM\ufeff", "caf\u00e9 \u2013 \U0001f600", "\\back\\slash",
         "trailing space ", "x" * 1500]


@pytest.mark.parametrize("text", NASTY)
def test_quote_reads_back_exactly(text):
    assert yaml.safe_load(f"key: {quote(text)}\n") == {"key": text}


def test_nasty_headers_round_trip_through_init(tmp_path):
    headers = ["id"] + [h.strip() for h in NASTY if h.strip() and "\ufeff" not in h]
    rows = [headers] + [[str(i)] + [f"answer {i} to {j}" for j in range(len(headers) - 1)] for i in range(3)]
    result = init_programme([write_csv(tmp_path / "nasty.csv", rows)], tmp_path / "prog")
    config = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))
    declared = config["sources"]["nasty"]["columns"]
    raw = read_table(tmp_path / "nasty.csv", "nasty.csv")
    assert set(declared) == set(raw.frame.columns) - {"id"}
    assert all(column["type"] == "free_text" for column in declared.values())


# ---------------------------------------------------------------- init end to end (text and files)

def test_init_one_project_csv_and_xlsx(exports, tmp_path):
    survey, sessions = exports
    out = tmp_path / "programme"
    result = init_programme([survey, sessions], out)
    text = result.config_path.read_text(encoding="utf-8")
    config = yaml.safe_load(text)

    assert config["projects"] == [{"id": "programme", "name": "programme"}]
    assert config["programme"]["name"] == "programme"
    assert set(config["sources"]) == {"survey_export_march", "sessions"}
    src = config["sources"]["survey_export_march"]
    assert src["path"] == "../exports/Survey export (March).csv"
    assert "project_column" not in src
    assert (src["id_column"], src["respondent_column"]) == ("Response ID", "Participant ID")
    columns = src["columns"]
    assert columns["Date of session"] == {"type": "date", "label": "Date of session", "format": "%d/%m/%Y",
                                          "required": False}
    assert columns[RATE] == {"type": "likert", "label": RATE, "scale": "codes_1_to_5", "required": False}
    assert columns[AGREE]["scale"] == "agreement" and "required" not in columns[AGREE]
    assert columns["Sessions attended #"] == {"type": "number", "label": "Sessions attended #", "min": 0,
                                              "max": 14, "integer": True}
    assert (columns["Hours: volunteered"]["min"], columns["Hours: volunteered"]["max"]) == (0.5, 6)
    assert columns["Role"]["choices"] == ["co-producer", "practitioner", "researcher"]
    assert columns["Site"]["choices"] == ["North", "South"]
    assert columns[WORKED] == {"type": "free_text", "label": "What worked well? (please say why)",
                               "required": False}
    assert "Theme: access" not in columns
    assert '"Theme: access": not declared (kept as text)' in text

    log = config["sources"]["sessions"]
    assert (log["path"], log["sheet"], log["id_column"]) == ("../exports/sessions.xlsx", "Responses", "Session no.")
    assert log["columns"]["Held on"]["format"] == "%Y-%m-%dT%H:%M:%S"
    assert log["columns"]["How was your experience?"]["scale"] == "fft"
    assert config["scales"]["fft"] == {"labels": {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor",
                                                  5: "Very poor"}, "missing": {6: "Don't know"}, "kind": "rating",
                                       "higher_is_better": False}
    assert config["scales"]["codes_1_to_5"] == {"labels": {i: str(i) for i in range(1, 6)}, "kind": "other"}
    assert config["missing_values"][:8] == ["Did not answer", "Not answered", "No answer", "No response", "N/A",
                                            "NA", "-", "--"]
    assert config["report"] == {"survey": "survey_export_march"}
    assert config["privacy"] == {"salt_file": "pseudonym_salt.txt", "names": []}

    # every declared column and key carries a "# check" comment on the lines above it
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r'\s+"[^"]*": \{type:', line) or re.match(r"\s+(id|project|respondent|question)_column:", line):
            above = [x for x in lines[max(0, i - 6):i] if x.strip().startswith("#")]
            assert any("check" in x for x in above), line
    salt = result.salt_path.read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", salt) and result.salt_written
    summary = result.summary()
    assert "Survey export (March).csv -> source survey_export_march (8 rows)" in summary
    assert "id: Response ID; respondent: Participant ID" in summary
    assert "not declared (kept as text): Theme: access" in summary


def test_project_column_makes_one_project_per_value(exports, tmp_path):
    result = init_programme(list(exports), tmp_path / "p", project_column="Site")
    config = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))
    assert config["projects"] == [{"id": "North", "name": "North"}, {"id": "South", "name": "South"}]
    assert all(src["project_column"] == "Site" for src in config["sources"].values())
    assert all("Site" not in src["columns"] for src in config["sources"].values())
    assert result.projects == ("North", "South")


def test_bad_project_column_is_a_clear_error(exports, tmp_path):
    with pytest.raises(DataValidationError) as err:
        init_programme(list(exports), tmp_path / "p", project_column="site")
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2
    assert all("--project-column names column 'site'" in m and "closest header is 'Site'" in m for m in messages)
    assert messages[0].startswith(f"{exports[0]}:1:site: ")
    assert not (tmp_path / "p").exists()


def test_no_unique_column_asks_for_an_id_column(tmp_path):
    rows = [["Team", "Score"], ["A", "1"], ["A", "2"], ["B", "1"], ["B", "1"]]
    data = write_csv(tmp_path / "teams.csv", rows)
    with pytest.raises(DataValidationError) as err:
        init_programme([data], tmp_path / "p")
    assert "--id-column" in str(err.value) and str(data) in str(err.value)
    result = init_programme([data], tmp_path / "p", id_column="Team")
    source = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))["sources"]["teams"]
    assert source["id_column"] == "Team"
    assert "2 rows" in result.config_path.read_text(encoding="utf-8")    # the repeats, quarantined


def test_rows_longer_than_the_header_are_counted(tmp_path):
    rows = [["ID", "Comment"], ["1", "Fine"], ["2", "Good", "oops, an unquoted comma"], ["3", "Slow"]]
    result = init_programme([write_csv(tmp_path / "c.csv", rows)], tmp_path / "p")
    assert result.sources[0].quarantined_rows == 1
    assert "1 rows will be quarantined" not in result.summary() and "1 row" in result.summary()
    assert "more cells than the header" in result.config_path.read_text(encoding="utf-8")


def test_a_facts_file_uses_its_project_column_as_id(tmp_path):
    rows = [["Project", "Sessions held"], ["Walk and Talk", "12"], ["Green Streets", "30"], ["Memory Cafe", "7"]]
    result = init_programme([write_csv(tmp_path / "facts.csv", rows)], tmp_path / "p", project_column="Project")
    source = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))["sources"]["facts"]
    assert source["id_column"] == source["project_column"] == "Project"
    assert source["columns"]["Sessions held"]["type"] == "number"


def test_existing_config_needs_force_and_the_salt_is_kept(exports, tmp_path):
    out = tmp_path / "p"
    first = init_programme(list(exports), out)
    salt = first.salt_path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists.*--force"):
        init_programme(list(exports), out)
    second = init_programme(list(exports), out, force=True)
    assert second.salt_path.read_text(encoding="utf-8") == salt and not second.salt_written
    assert second.config_path.read_text(encoding="utf-8") == first.config_path.read_text(encoding="utf-8")


def test_unreadable_files_are_all_reported(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError) as err:
        init_programme([empty, tmp_path / "absent.csv", tmp_path / "notes.txt"], tmp_path / "p")
    assert len(err.value.problems) == 3


def test_cp1252_export_is_read(tmp_path):
    rows = [["Ref", "Comment"], ["1", "Caf\u00e9 was \u201cgreat\u201d"], ["2", "Too far \u2013 two buses"]]
    data = write_csv(tmp_path / "old.csv", rows, encoding="cp1252")
    result = init_programme([data], tmp_path / "p")
    assert result.sources[0].guess.id_column == "Ref"


# ---------------------------------------------------------------- CLI

def test_cli_init_makes_one_library_call(monkeypatch, capsys, tmp_path):
    calls = []

    def fake_init(files, out, **options):
        calls.append(([str(f) for f in files], str(out), options))
        return type("R", (), {"summary": lambda self: "guessed"})()

    monkeypatch.setattr("evalkit.programme.init.init_programme", fake_init)
    code = cli.main(["init", "a.csv", "b.xlsx", "--out", str(tmp_path), "--project-column", "Trust",
                     "--id-column", "Comment ID", "--respondent-column", "Respondent ID", "--sheet", "Data",
                     "--force"])
    assert code == 0 and "guessed" in capsys.readouterr().out
    assert calls == [(["a.csv", "b.xlsx"], str(tmp_path), {"project_column": "Trust", "id_column": "Comment ID",
                                                           "respondent_column": "Respondent ID", "sheet": "Data",
                                                           "force": True})]


def test_cli_init_errors_print_file_row_column(exports, capsys, tmp_path):
    code = cli.main(["init", str(exports[0]), "--out", str(tmp_path / "p"), "--project-column", "Trust"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"{exports[0]}:1:Trust: --project-column names column 'Trust'" in err


# ---------------------------------------------------------------- the real NHS exports

def benchmark_slice(name: str, tmp_path, n: int = 300, seed: int = 1):
    """Write a seeded n-row sample of a benchmark file to tmp_path (skip when the file is absent)."""
    path = BENCHMARKS_DIR / "pxtextmining" / name
    if not path.is_file():
        pytest.skip(f"benchmark file {path} is absent (set EVALKIT_BENCHMARKS to the shared benchmarks folder)")
    frame = read_table(path, name).frame.sample(n, random_state=seed)
    out = tmp_path / name
    frame.to_csv(out, index=False, encoding="utf-8")
    return out


def test_v6_framework_slice(tmp_path):
    data = benchmark_slice("v6framework_230831.csv", tmp_path)
    result = init_programme([data], tmp_path / "v6")
    guess = result.sources[0].guess
    assert (guess.id_column, guess.respondent_column, guess.question_column) == (
        "Comment ID", "Respondent ID", "FFT question")
    assert guess.column("FFT answer").role == "free_text"
    assert guess.column("FFT categorical answer").role == "likert"
    assert guess.column("Date").role == "date" and guess.column("Date").date_format == "%d/%m/%Y"
    raw = read_table(data, "v6.csv").frame
    themes = list(raw.columns[list(raw.columns).index("Not assigned"):])
    assert len(themes) == 50
    assert all(guess.column(t).role == "undeclared" for t in themes)
    config = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))
    assert config["projects"] == [{"id": "v6framework_230831", "name": "v6framework_230831"}]
    assert "Did not answer" in config["missing_values"]


def test_phase1_slice_with_three_projects(tmp_path):
    data = benchmark_slice("phase1_text_data.csv", tmp_path)
    result = init_programme([data], tmp_path / "p1", project_column="organization")
    guess = result.sources[0].guess
    assert (guess.id_column, guess.question_column) == ("row_index", "question")
    assert guess.column("feedback").role == "free_text"
    assert sorted(result.projects) == ["Trust A", "Trust B", "Trust C"]
    config = yaml.safe_load(result.config_path.read_text(encoding="utf-8"))
    assert config["sources"]["phase1_text_data"]["project_column"] == "organization"


# ---------------------------------------------------------------- the written config validates and loads

def quarantined_rows(config_path):
    """Return (fatal problems, the set of (file, row) the loader would quarantine)."""
    problems = validate_programme(config_path)
    fatal = [p for p in problems if p.fatal]
    rows = {(p.file, p.row) for p in problems if not p.fatal and not getattr(p, "warning", False)}
    return fatal, rows


@pytest.mark.parametrize("project_column", [None, "Site"])
def test_written_config_validates_and_loads_as_guessed(exports, tmp_path, project_column):
    result = init_programme(list(exports), tmp_path / "p", project_column=project_column)
    fatal, rows = quarantined_rows(result.config_path)
    assert fatal == []
    assert len(rows) == sum(s.quarantined_rows for s in result.sources) == 0
    programme = load_programme(result.config_path)
    survey = programme.table("survey_export_march")
    assert len(survey) == 8 and len(programme.projects) == (1 if project_column is None else 2)
    assert str(survey[RATE].dtype) == "Int64" and survey[RATE].isna().sum() == 1      # "Did not answer"
    assert survey[AGREE].tolist() == [5, 4, 3, 2, 1, 4, 5, 4]
    assert pd.api.types.is_datetime64_any_dtype(survey["Date of session"])
    assert survey[WORKED].isna().sum() == 3         # blank, "Did not answer", "did not answer."
    sessions = programme.table("sessions")
    assert sessions["How was your experience?"].isna().sum() == 1                      # "Don't know"
    assert pd.api.types.is_datetime64_any_dtype(sessions["Held on"])


def test_rows_init_expects_to_quarantine_are_the_ones_quarantined(tmp_path):
    rows = [["ID", "Rating", "When", "Agree?", "Comment"]]
    for i in range(40):
        rows.append([f"A{i}", str(1 + i % 5), f"{1 + i % 28:02d}/03/2024",
                     ["Agree", "Disagree", "Strongly agree"][i % 3], f"comment number {i}"])
    rows[5][1] = "x"                 # not a rating          (spreadsheet row 6)
    rows[7][2] = "3/31/2024"         # a US date             (row 8)
    rows[9][3] = "Agree."            # spelled unlike the label
    rows[11][0] = "A1"               # a repeated id
    rows[13][4] = "N/A"              # a placeholder: blank, kept
    result = init_programme([write_csv(tmp_path / "odd.csv", rows)], tmp_path / "p")
    guess = result.sources[0].guess
    assert guess.column("Rating").scale.name == "codes_1_to_5"
    fatal, quarantined = quarantined_rows(result.config_path)
    assert fatal == []
    assert {row for _, row in quarantined} == {6, 8, 10, 12}
    assert result.sources[0].quarantined_rows == 4


def test_nasty_headers_config_validates(tmp_path):
    headers = ["id"] + [h.strip() for h in NASTY if h.strip() and "\ufeff" not in h]
    rows = [headers] + [[str(i)] + [f"answer {i} to {j}" for j in range(len(headers) - 1)] for i in range(3)]
    result = init_programme([write_csv(tmp_path / "nasty.csv", rows)], tmp_path / "p")
    fatal, quarantined = quarantined_rows(result.config_path)
    assert fatal == [] and quarantined == set()


@pytest.mark.parametrize("name, project_column", [("v6framework_230831.csv", None),
                                                  ("phase1_text_data.csv", "organization")])
def test_real_slices_validate_with_the_rows_init_counted(tmp_path, name, project_column):
    data = benchmark_slice(name, tmp_path)
    result = init_programme([data], tmp_path / "p", project_column=project_column)
    fatal, quarantined = quarantined_rows(result.config_path)
    assert fatal == []
    assert len(quarantined) == result.sources[0].quarantined_rows

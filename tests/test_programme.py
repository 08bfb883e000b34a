"""Tests for evalkit.programme: config checks, typed loading, validation and quarantine.

Each bad-input test builds a tiny programme in tmp_path and asserts the message names the
file, the spreadsheet row (header = 1), the column and how to fix it.
"""
from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from evalkit.errors import ConfigError, DataValidationError, Problem
from evalkit.paths import DEFAULT_CODEBOOK
from evalkit.programme import ColumnSpec, Programme, ScaleSpec, load_programme, validate_programme

HEADER = "response_id,respondent_id,project_id,role,age_band,sharing_power,sessions_attended,worked_well"
GOOD_ROWS = [
    "R001,A01,P01,co-producer,25-44,5,12,Everyone listened",
    "R002,A02,P01,researcher,,4,3,",
    "R003,A03,P02,practitioner,45-64,3,0,Being paid for our time",
]
OUTCOMES = "response_id,respondent_id,project_id,wellbeing_before\nO1,A01,P01,18.5\n"

BASE_CONFIG = {
    "programme": {"name": "Test programme", "synthetic": True, "description": "Made up."},
    "scales": {"agreement": {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                             4: "Agree", 5: "Strongly agree"}},
    "projects": [{"id": "P01", "name": "Peer support", "theme": "mental health", "description": "d1"},
                 {"id": "P02", "name": "Carers", "theme": "social care", "description": "d2"}],
    "sources": {
        "feedback_survey": {
            "path": "feedback_survey.csv", "id_column": "response_id", "project_column": "project_id",
            "respondent_column": "respondent_id",
            "columns": {
                "role": {"type": "single_choice", "label": "Your role",
                         "choices": ["co-producer", "researcher", "practitioner", "other"]},
                "age_band": {"type": "single_choice", "demographic": True,
                             "choices": ["16-24", "25-44", "45-64", "65+"]},
                "sharing_power": {"type": "likert", "scale": "agreement", "label": "Power was shared",
                                  "principle": "sharing_power"},
                "sessions_attended": {"type": "number", "min": 0, "max": 100, "integer": True},
                "worked_well": {"type": "free_text", "label": "What worked well?"},
            },
        },
        "outcomes": {
            "path": "outcomes.csv", "id_column": "response_id", "project_column": "project_id",
            "respondent_column": "respondent_id",
            "columns": {"wellbeing_before": {"type": "number", "min": 7, "max": 35}},
        },
    },
    "codebook": "default",
    "privacy": {"salt_file": "salt.txt", "names": ["Priya", "Tom"]},
    "report": {"seed": 20240129, "quotes_per_question": 3},
}


def make_programme(tmp_path, rows=None, *, survey: str | bytes | None = None, config=None, edit=None):
    """Write a programme to tmp_path and return the config path."""
    config = copy.deepcopy(config or BASE_CONFIG)
    if edit:
        edit(config)
    if survey is None:
        survey = "\n".join([HEADER] + list(GOOD_ROWS if rows is None else rows)) + "\n"
    data = survey.encode("utf-8") if isinstance(survey, str) else survey
    (tmp_path / "feedback_survey.csv").write_bytes(data)
    (tmp_path / "outcomes.csv").write_text(OUTCOMES, encoding="utf-8")
    (tmp_path / "salt.txt").write_text("test-salt\n", encoding="utf-8")
    path = tmp_path / "programme.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def only_problem(config_path) -> Problem:
    """Return the single problem validate_programme finds (warnings, such as a project left without rows, aside)."""
    problems = [p for p in validate_programme(config_path) if not p.warning]
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


@pytest.fixture(autouse=True)
def _no_salt_env(monkeypatch):
    monkeypatch.delenv("EVALKIT_PSEUDONYM_SALT", raising=False)


# --- clean loading and typing -----------------------------------------------------------

def test_clean_programme_loads_with_typed_columns(tmp_path):
    programme = load_programme(make_programme(tmp_path))
    assert isinstance(programme, Programme)
    assert validate_programme(programme.config_path) == []
    survey = programme.table("feedback_survey")
    assert str(survey["sharing_power"].dtype) == "Int64"
    assert str(survey["sessions_attended"].dtype) == "Int64"
    assert str(programme.table("outcomes")["wellbeing_before"].dtype) == "Float64"
    assert list(survey["role"].cat.categories) == ["co-producer", "researcher", "practitioner", "other"]
    assert survey["response_id"].dtype == "string"
    assert survey["worked_well"].dtype == "string"
    assert survey["worked_well"].isna().tolist() == [False, True, False]
    assert survey["age_band"].isna().tolist() == [False, True, False]
    assert survey["sharing_power"].tolist() == [5, 4, 3]
    assert programme.quarantine.empty and list(programme.quarantine.columns) == [
        "source", "file", "row", "column", "problem", "record"]
    assert programme.problems == []


def test_programme_metadata_projects_and_settings(tmp_path):
    programme = load_programme(make_programme(tmp_path))
    assert programme.name == "Test programme" and programme.synthetic is True
    assert programme.description == "Made up."
    assert programme.root == tmp_path.resolve()
    assert programme.projects.index.name == "project_id"
    assert programme.projects.loc["P02", "theme"] == "social care"
    assert list(programme.projects.columns) == ["name", "theme", "description"]
    assert programme.codebook_path == DEFAULT_CODEBOOK
    assert programme.privacy == {"salt": "test-salt", "names": ("Priya", "Tom")}
    assert programme.report_settings == {"seed": 20240129, "quotes_per_question": 3}
    assert programme.ground_truth is None and programme.double_coding is None
    spec = programme.sources["feedback_survey"]
    assert spec.path == tmp_path.resolve() / "feedback_survey.csv"
    assert spec.columns["sharing_power"] == ColumnSpec(
        name="sharing_power", type="likert", label="Power was shared", scale="agreement",
        scale_labels=BASE_CONFIG["scales"]["agreement"], principle="sharing_power",
        scale_spec=ScaleSpec("agreement", BASE_CONFIG["scales"]["agreement"]))
    assert spec.columns["age_band"].required is False
    assert spec.columns["worked_well"].required is False
    assert spec.columns["role"].required is True


def test_columns_of_type_and_unknown_source(tmp_path):
    programme = load_programme(make_programme(tmp_path))
    assert programme.columns_of_type("feedback_survey", "single_choice") == ["role", "age_band"]
    assert programme.columns_of_type("feedback_survey", "free_text") == ["worked_well"]
    with pytest.raises(ConfigError, match="no source named 'survey'; the sources are: feedback_survey, outcomes"):
        programme.table("survey")
    with pytest.raises(ConfigError, match="unknown column type 'text'"):
        programme.columns_of_type("feedback_survey", "text")


def test_input_files_lists_every_file_read(tmp_path):
    root = tmp_path.resolve()
    programme = load_programme(make_programme(tmp_path))
    files = programme.input_files()
    assert files["config"] == root / "programme.yml"
    assert files["source:feedback_survey"] == root / "feedback_survey.csv"
    assert files["source:outcomes"] == root / "outcomes.csv"
    assert files["salt_file"] == root / "salt.txt"


def test_salt_environment_variable_overrides_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_SALT", "from-env")
    assert load_programme(make_programme(tmp_path)).privacy["salt"] == "from-env"


def test_missing_salt_file_is_fatal_with_advice(tmp_path):
    path = make_programme(tmp_path)
    (tmp_path / "salt.txt").unlink()
    problem = only_problem(path)
    assert str(problem).startswith("salt.txt::: salt file not found")
    assert "EVALKIT_PSEUDONYM_SALT" in problem.message and problem.fatal


def test_likert_labels_and_decimal_zero_are_accepted(tmp_path):
    rows = ["R001,A01,P01,co-producer,25-44,Agree,12.0,", "R002,A02,P01,other,,strongly DISAGREE,3,"]
    survey = load_programme(make_programme(tmp_path, rows)).table("feedback_survey")
    assert survey["sharing_power"].tolist() == [4, 1]
    assert survey["sessions_attended"].tolist() == [12, 3]


def test_choice_matching_ignores_case_and_spaces(tmp_path):
    rows = ["R001,A01,P01,  Co-Producer ,25-44,5,1,", "R002,A02,P01,RESEARCHER,,4,3,"]
    survey = load_programme(make_programme(tmp_path, rows)).table("feedback_survey")
    assert survey["role"].tolist() == ["co-producer", "researcher"]


def test_whitespace_stripped_from_headers_and_cells(tmp_path):
    header = " response_id , respondent_id,project_id ,role,age_band,sharing_power,sessions_attended,worked_well "
    rows = [" R001 ,A01, P01 ,co-producer,25-44, 5 , 12 ,  Good sessions  ", "R002,A02,P01,other,   ,4,3,   "]
    programme = load_programme(make_programme(tmp_path, survey="\n".join([header] + rows) + "\n"))
    survey = programme.table("feedback_survey")
    assert survey["response_id"].tolist() == ["R001", "R002"]
    assert survey["project_id"].tolist() == ["P01", "P01"]
    assert survey["worked_well"].tolist() == ["Good sessions", pd.NA]
    assert survey["age_band"].isna().tolist() == [False, True]


def test_cp1252_export_is_read_with_cafe_pound_and_smart_quotes(tmp_path):
    text = (HEADER + "\n" + "R001,A01,P01,co-producer,25-44,5,12,"
            "\"\u201cThe caf\u00e9 was lovely\u201d \u2013 \u00a35 vouchers, it\u2019s fair\"\n")
    programme = load_programme(make_programme(tmp_path, survey=text.encode("cp1252")))
    answer = programme.table("feedback_survey")["worked_well"].iloc[0]
    assert answer == "\u201cThe caf\u00e9 was lovely\u201d \u2013 \u00a35 vouchers, it\u2019s fair"
    assert programme.row_counts.loc["feedback_survey", "encoding"] == "cp1252"
    assert programme.row_counts.loc["outcomes", "encoding"] == "utf-8"


def test_utf8_bom_is_removed_from_first_header(tmp_path):
    text = "\ufeff" + HEADER + "\nR001,A01,P01,co-producer,25-44,5,12,Caf\u00e9 chats\n"
    programme = load_programme(make_programme(tmp_path, survey=text.encode("utf-8")))
    survey = programme.table("feedback_survey")
    assert survey.columns[0] == "response_id"
    assert survey["worked_well"].iloc[0] == "Caf\u00e9 chats"
    assert programme.row_counts.loc["feedback_survey", "encoding"] == "utf-8-sig"


def _write_xlsx(path, sheet_title, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["This sheet is not data"])
    data = wb.create_sheet(sheet_title)
    for row in rows:
        data.append(row)
    wb.save(path)


def test_xlsx_sheet_is_read_and_typed(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"].update(path="sessions.xlsx", sheet="Responses")
    path = make_programme(tmp_path, edit=edit)
    _write_xlsx(tmp_path / "sessions.xlsx", "Responses", [
        HEADER.split(","),
        ["R001", "A01", "P01", " co-producer ", "25-44", 5, 12, "Tea and cake  "],
        ["R002", "A02", "P02", "other", None, 4.0, 3, None],
        ["R003", "A03", "P02", "other", None, 9, 3, None],
    ])
    programme = load_programme(path)
    survey = programme.table("feedback_survey")
    assert survey["sharing_power"].tolist() == [5, 4]
    assert survey["role"].tolist() == ["co-producer", "other"]
    assert survey["worked_well"].tolist() == ["Tea and cake", pd.NA]
    assert programme.row_counts.loc["feedback_survey", "encoding"] == "xlsx"
    assert str(programme.problems[0]).startswith("sessions.xlsx:4:sharing_power: '9' is outside the agreement scale")


def test_xlsx_missing_sheet_names_the_sheets(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"].update(path="sessions.xlsx", sheet="Responses")
    path = make_programme(tmp_path, edit=edit)
    _write_xlsx(tmp_path / "sessions.xlsx", "Answers", [HEADER.split(",")])
    problem = only_problem(path)
    assert str(problem) == ("sessions.xlsx::: the workbook has no sheet 'Responses'; its sheets are Notes, Answers; "
                            "fix sheet: in the config or rename the sheet")


def test_not_an_xlsx_file(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"]["path"] = "sessions.xlsx"
    path = make_programme(tmp_path, edit=edit)
    (tmp_path / "sessions.xlsx").write_text("not a workbook", encoding="utf-8")
    problem = only_problem(path)
    assert "cannot be opened as an Excel workbook" in problem.message
    assert "save it again from Excel as .xlsx" in problem.message


# --- config problems (fatal, ConfigError) -------------------------------------------------

def test_missing_config_file(tmp_path):
    missing = tmp_path / "nope.yml"
    with pytest.raises(ConfigError, match=r"nope\.yml::: config file not found; check the path"):
        load_programme(missing)
    assert validate_programme(missing)[0].fatal


def test_config_that_is_not_yaml(tmp_path):
    path = tmp_path / "programme.yml"
    path.write_text("programme: {name: x\nsources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_programme(path)
    message = str(info.value)
    assert message.startswith(f"{path}:2::")
    assert "config is not valid YAML" in message and "check indentation" in message


def test_config_missing_keys_lists_each(tmp_path):
    path = make_programme(tmp_path, edit=lambda c: (c.pop("sources"), c.pop("projects")))
    problems = validate_programme(path)
    assert [p.column for p in problems] == ["projects", "sources"]
    assert problems[1].message == "config is missing the 'sources' section; add it (see data/sample/programme.yml)"
    assert all(p.fatal for p in problems)
    with pytest.raises(ConfigError):
        load_programme(path)


def test_unknown_column_type_suggests_the_right_one(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"]["columns"]["role"]["type"] = "singlechoice"
    problem = only_problem(make_programme(tmp_path, edit=edit))
    assert str(problem).endswith(
        ":sources.feedback_survey.columns.role.type: unknown column type 'singlechoice' "
        "(did you mean 'single_choice'?); use one of likert, number, single_choice, free_text, date")


def test_unknown_scale_suggests_the_right_one(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"]["columns"]["sharing_power"]["scale"] = "agree"
    problem = only_problem(make_programme(tmp_path, edit=edit))
    assert problem.column == "sources.feedback_survey.columns.sharing_power.scale"
    assert problem.message == ("unknown scale 'agree' (did you mean 'agreement'?); define it under scales: "
                               "or use one of agreement")


def test_several_config_problems_reported_together(tmp_path):
    def edit(config):
        config["sources"]["outcomes"].pop("id_column")
        config["sources"]["feedback_survey"]["columns"]["sessions_attended"].update(min=10, max=1)
        config["projects"].append({"id": "P01", "name": "again"})
    problems = validate_programme(make_programme(tmp_path, edit=edit))
    messages = [p.message for p in problems]
    assert "project id 'P01' is used twice; give each project its own id" in messages
    assert "min 10 is greater than max 1; swap them" in messages
    assert any(m.startswith("source is missing id_column") for m in messages)


# --- file-level data problems (fatal, DataValidationError) --------------------------------

def test_missing_data_file(tmp_path):
    path = make_programme(tmp_path)
    (tmp_path / "outcomes.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_programme(path)
    (problem,) = info.value.problems
    assert str(problem).startswith("outcomes.csv::: data file not found (looked for ")
    assert "paths are relative to the config file's folder" in problem.message


def test_zero_byte_file(tmp_path):
    problem = only_problem(make_programme(tmp_path, survey=b""))
    assert str(problem) == ("feedback_survey.csv::: the file is empty; export the data again with a header row "
                            "and one row per response")


def test_header_only_file(tmp_path):
    problem = only_problem(make_programme(tmp_path, survey=HEADER + "\n,,,,,,,\n"))
    assert str(problem) == ("feedback_survey.csv::: the file has a header row but no data rows; "
                            "export it again with one row per response")


def test_undecodable_bytes_name_the_line(tmp_path):
    data = (HEADER + "\nR001,A01,P01,co-producer,25-44,5,12,ok\n").encode() + \
        b"R002,A02,P01,other,,4,3,bad \x81 byte\n"
    problem = only_problem(make_programme(tmp_path, survey=data))
    assert str(problem) == ("feedback_survey.csv:3:: byte 0x81 on line 3 is not valid text in UTF-8 or "
                            "Windows-1252; re-save it from Excel as 'CSV UTF-8 (Comma delimited)'")


def test_mixed_utf8_and_cp1252_is_reported_not_garbled(tmp_path):
    data = (HEADER + "\nR001,A01,P01,co-producer,25-44,5,12,caf\u00e9\n").encode("utf-8") + \
        "R002,A02,P01,other,,4,3,caf\u00e9\n".encode("cp1252")
    problem = only_problem(make_programme(tmp_path, survey=data))
    assert problem.row == 3 and problem.fatal
    assert "mixes two encodings" in problem.message and "retype the odd characters" in problem.message


def test_renamed_column_suggests_closest_header(tmp_path):
    survey = "\n".join([HEADER.replace("sharing_power", "Sharing Power")] + GOOD_ROWS) + "\n"
    problem = only_problem(make_programme(tmp_path, survey=survey))
    assert str(problem) == ("feedback_survey.csv:1:sharing_power: column 'sharing_power' is missing; the closest "
                            "header is 'Sharing Power'; if the column was renamed, rename it back to "
                            "'sharing_power' (or change the config to match)")


def test_misspelt_column_suggests_closest_header_by_similarity(tmp_path):
    survey = "\n".join([HEADER.replace("sessions_attended", "sessions_atended")] + GOOD_ROWS) + "\n"
    problem = only_problem(make_programme(tmp_path, survey=survey))
    assert problem.row == 1 and problem.column == "sessions_attended"
    assert "the closest header is 'sessions_atended'" in problem.message


def test_missing_column_without_near_match_lists_headers(tmp_path):
    survey = "\n".join([HEADER.replace(",worked_well", ",zzz")] + GOOD_ROWS) + "\n"
    problem = only_problem(make_programme(tmp_path, survey=survey))
    assert problem.message.startswith("column 'worked_well' is missing; add a column headed 'worked_well' or "
                                      "correct the config; the file's headers are: response_id, respondent_id")


def test_duplicate_columns_all_listed(tmp_path):
    header = HEADER + ",role,worked_well"
    rows = [r + ",x,y" for r in GOOD_ROWS]
    with pytest.raises(DataValidationError) as info:
        load_programme(make_programme(tmp_path, survey="\n".join([header] + rows) + "\n"))
    assert [str(p) for p in info.value.problems] == [
        "feedback_survey.csv:1:role: column 'role' appears 2 times (columns D and I); "
        "rename or delete the extra copies so each header is unique",
        "feedback_survey.csv:1:worked_well: column 'worked_well' appears 2 times (columns H and J); "
        "rename or delete the extra copies so each header is unique",
    ]


def test_fatal_problems_from_every_file_reported_together(tmp_path):
    path = make_programme(tmp_path, survey=b"")
    (tmp_path / "outcomes.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_programme(path)
    assert [p.file for p in info.value.problems] == ["feedback_survey.csv", "outcomes.csv"]


# --- row-level problems (quarantine the row, keep going) ----------------------------------

def _row_problems(tmp_path, bad_row):
    """Load GOOD_ROWS plus one bad row (spreadsheet row 5); return programme and its problems."""
    programme = load_programme(make_programme(tmp_path, GOOD_ROWS + [bad_row]))
    assert len(programme.table("feedback_survey")) == 3
    assert programme.quarantine["row"].tolist() == [5]
    return programme, [str(p) for p in programme.problems]


def test_text_in_number_column(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,other,,3,abc,")
    assert problems == ["feedback_survey.csv:5:sessions_attended: 'abc' is not a number; enter a whole number "
                        "using digits only, e.g. 12"]


def test_fraction_in_whole_number_column(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,other,,3,2.5,")
    assert problems == ["feedback_survey.csv:5:sessions_attended: '2.5' is not a whole number; "
                        "sessions_attended takes whole numbers only"]


@pytest.mark.parametrize("rating", ["6", "0"])
def test_rating_off_the_scale(tmp_path, rating):
    _, problems = _row_problems(tmp_path, f"R004,A04,P01,other,,{rating},2,")
    assert problems == [f"feedback_survey.csv:5:sharing_power: '{rating}' is outside the agreement scale (1-5); "
                        "check the answer and enter a whole number from 1 to 5 "
                        "(1 = Strongly disagree, 5 = Strongly agree)"]


def test_rating_that_is_not_a_number(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,other,,yes,2,")
    assert problems[0].startswith("feedback_survey.csv:5:sharing_power: 'yes' is not a rating on the agreement scale")


@pytest.mark.parametrize("value, word", [("101", "above the maximum 100"), ("-1", "below the minimum 0")])
def test_number_outside_min_max(tmp_path, value, word):
    _, problems = _row_problems(tmp_path, f"R004,A04,P01,other,,3,{value},")
    assert problems == [f"feedback_survey.csv:5:sessions_attended: '{value}' is {word} for sessions_attended; "
                        f"check the value (the allowed range is set by {word.split()[2][:3]}: in the config)"]


def test_choice_not_in_choices(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,reseacher,,3,2,")
    assert problems == ["feedback_survey.csv:5:role: 'reseacher' is not one of the choices for role "
                        "(closest: 'researcher'); use one of: co-producer, researcher, practitioner, other"]


def test_unknown_project_id(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P1,other,,3,2,")
    assert problems == ["feedback_survey.csv:5:project_id: 'P1' is not a project id in the config "
                        "(closest: 'P01'); use one of P01, P02, or add the project under projects:"]


def test_duplicate_response_id_keeps_the_first(tmp_path):
    programme, problems = _row_problems(tmp_path, "R002,A09,P02,other,,1,2,later copy")
    assert problems == ["feedback_survey.csv:5:response_id: 'R002' is already used on row 3; give each response "
                        "its own id, or delete the row if it is a repeat"]
    kept = programme.table("feedback_survey").set_index("response_id")
    assert kept.loc["R002", "respondent_id"] == "A02"


def test_missing_required_value(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,,,3,2,")
    assert problems == ["feedback_survey.csv:5:role: a value is required here (Your role); fill it in, or set "
                        "required: false for role in the config if blanks are allowed"]


def test_blank_id_and_blank_project(tmp_path):
    _, problems = _row_problems(tmp_path, ",A04,,other,,3,2,")
    assert problems == [
        "feedback_survey.csv:5:response_id: the id is blank; give every row a unique response_id",
        "feedback_survey.csv:5:project_id: the project id is blank; enter one of the project ids (P01, P02)",
    ]


def test_row_with_too_many_cells(tmp_path):
    _, problems = _row_problems(tmp_path, "R004,A04,P01,other,,3,2,Tea, cake and chat")
    assert problems == ["feedback_survey.csv:5:: the row has more cells than the header's 8 columns; check for "
                        "an unquoted comma in a text answer or values past the last column"]


def test_blank_optional_values_are_fine(tmp_path):
    programme = load_programme(make_programme(tmp_path, ["R001,,P01,other,,3,2,"]))
    assert programme.quarantine.empty
    assert programme.table("feedback_survey")["respondent_id"].isna().all()


def test_required_false_allows_blank_and_required_true_on_free_text(tmp_path):
    def edit(config):
        columns = config["sources"]["feedback_survey"]["columns"]
        columns["role"]["required"] = False
        columns["worked_well"]["required"] = True
    programme = load_programme(make_programme(tmp_path, ["R001,A1,P01,,,3,2,", "R002,A2,P01,,,3,2,ok"], edit=edit))
    assert programme.quarantine["row"].tolist() == [2]
    assert programme.quarantine["column"].tolist() == ["worked_well"]


def test_quarantine_has_one_line_per_row_with_every_reason_and_raw_record(tmp_path):
    programme, problems = _row_problems(tmp_path, "R004,A04,P9,boss,,7,x,Caf\u00e9 ")
    assert len(problems) == 4
    line = programme.quarantine.iloc[0]
    assert line["source"] == "feedback_survey" and line["file"] == "feedback_survey.csv"
    assert line["column"] == "project_id; role; sharing_power; sessions_attended"
    assert line["problem"].count("; use one of") == 2
    assert json.loads(line["record"]) == {
        "response_id": "R004", "respondent_id": "A04", "project_id": "P9", "role": "boss", "age_band": "",
        "sharing_power": "7", "sessions_attended": "x", "worked_well": "Caf\u00e9"}


def test_every_row_ends_up_in_exactly_one_place(tmp_path):
    rows = []
    for i in range(60):
        kind = i % 6
        role = "boss" if kind == 1 else "other"
        rating = "9" if kind == 2 else str(1 + i % 5)
        project = "P77" if kind == 3 else "P0" + str(1 + i % 2)
        rid = "R000" if kind == 4 else f"R{i:03d}"
        rows.append(f"{rid},A{i},{project},{role},,{rating},{i},answer {i}")
        if kind == 5:
            rows.append(",,,,,,,")
    programme = load_programme(make_programme(tmp_path, rows))
    counts = programme.row_counts.loc["feedback_survey"]
    table = programme.table("feedback_survey")
    quarantined = programme.quarantine[programme.quarantine["source"] == "feedback_survey"]
    assert counts["rows_read"] == 70
    assert counts["blank"] == 10
    assert counts["loaded"] == len(table) and counts["quarantined"] == len(quarantined)
    assert len(table) + len(quarantined) + counts["blank"] == counts["rows_read"]
    assert not quarantined["row"].duplicated().any()
    loaded_answers = set(table["worked_well"])
    quarantined_answers = {json.loads(r)["worked_well"] for r in quarantined["record"]}
    assert loaded_answers.isdisjoint(quarantined_answers)
    assert loaded_answers | quarantined_answers == {f"answer {i}" for i in range(60)}


def test_write_quarantine_is_byte_identical_and_neutralises_formulas(tmp_path):
    path = make_programme(tmp_path, GOOD_ROWS + ["R004,A04,P01,=HYPERLINK(1),,3,2,"])
    first = load_programme(path).write_quarantine(tmp_path / "out1")
    second = load_programme(path).write_quarantine(tmp_path / "out2")
    assert first.name == "quarantine.csv"
    assert first.read_bytes() == second.read_bytes()
    written = pd.read_csv(first, dtype=str)
    assert written["row"].tolist() == ["5"]
    assert written["problem"].iloc[0].startswith("'=HYPERLINK(1)' is not one of the choices")


def test_ground_truth_and_double_coding_are_loaded(tmp_path):
    def edit(config):
        config["ground_truth"] = "truth.csv"
        config["double_coding"] = "double.csv"
    path = make_programme(tmp_path, edit=edit)
    (tmp_path / "truth.csv").write_text("source,response_id,column,theme_id\nfeedback_survey,R001,worked_well,"
                                        "feeling_heard\n", encoding="utf-8")
    (tmp_path / "double.csv").write_text("source,response_id,column,coder\nfeedback_survey,R001,worked_well,A\n",
                                         encoding="utf-8")
    problem = only_problem(path)
    assert str(problem).startswith("double.csv:1:theme_id: column 'theme_id' is missing")
    (tmp_path / "double.csv").write_text("source,response_id,column,coder,theme_id\n"
                                         "feedback_survey,R001,worked_well,A,feeling_heard\n", encoding="utf-8")
    programme = load_programme(path)
    assert programme.ground_truth["theme_id"].tolist() == ["feeling_heard"]
    assert programme.double_coding["coder"].tolist() == ["A"]
    assert set(programme.input_files()) >= {"ground_truth", "double_coding"}


# --- member_checks: folder of returned member-check workbooks -----------------------------

def _member_checks_key(config):
    config["member_checks"] = "member_checks"


def _returned_workbook(path):
    """Write a blank member-check workbook, as a reviewer would return it unanswered."""
    from evalkit.people.member_check import export_member_check

    export_member_check([{"theme_id": "feeling_heard", "label": "Feeling heard", "definition": "d"}],
                        {"feeling_heard": []}, path)


def test_member_checks_folder_lists_returned_workbooks_sorted_and_hashes_them(tmp_path):
    path = make_programme(tmp_path, edit=_member_checks_key)
    folder = tmp_path / "member_checks"
    folder.mkdir()
    for name in ("reviewer_2.xlsx", "reviewer_10.xlsx", "reviewer_1.xlsx"):
        _returned_workbook(folder / name)
    (folder / "~$reviewer_1.xlsx").write_bytes(b"Excel lock file")
    (folder / "notes.txt").write_text("sent 3, got 3 back", encoding="utf-8")
    (folder / "old.xlsx").mkdir()
    assert validate_programme(path) == []
    programme = load_programme(path)
    root = tmp_path.resolve() / "member_checks"
    expected = [root / "reviewer_1.xlsx", root / "reviewer_10.xlsx", root / "reviewer_2.xlsx"]
    assert programme.member_check_files == expected
    files = programme.input_files()
    assert [label for label in files if label.startswith("member_check")] == [
        "member_check:reviewer_1.xlsx", "member_check:reviewer_10.xlsx", "member_check:reviewer_2.xlsx"]
    assert files["member_check:reviewer_10.xlsx"] == root / "reviewer_10.xlsx"


def test_member_checks_absent_or_empty_gives_no_files(tmp_path):
    programme = load_programme(make_programme(tmp_path))
    assert programme.member_check_files == []
    assert not any(label.startswith("member_check") for label in programme.input_files())
    (tmp_path / "member_checks").mkdir()
    programme = load_programme(make_programme(tmp_path, edit=_member_checks_key))
    assert programme.member_check_files == []


def test_member_checks_folder_relative_to_the_config(tmp_path):
    def edit(config):
        config["member_checks"] = "../returned"
        config["allow_paths_outside"] = True  # ../ leaves the programme folder: refused without this
    (tmp_path / "returned").mkdir()
    _returned_workbook(tmp_path / "returned" / "jo.xlsx")
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    programme = load_programme(make_programme(config_dir, edit=edit))
    assert [p.name for p in programme.member_check_files] == ["jo.xlsx"]
    assert programme.member_check_files[0].resolve() == (tmp_path / "returned" / "jo.xlsx").resolve()


def test_missing_member_checks_folder_is_a_config_error_saying_how_to_fix_it(tmp_path):
    path = make_programme(tmp_path, edit=_member_checks_key)
    with pytest.raises(ConfigError) as caught:
        load_programme(path)
    problem = only_problem(path)
    assert str(caught.value) == str(problem)
    assert problem.column == "member_checks" and problem.fatal
    assert problem.message.startswith("member-check folder 'member_checks' not found (looked for ")
    assert "create the folder and put the returned reviewer workbooks (.xlsx) in it" in problem.message
    assert "remove the member_checks key" in problem.message


def test_member_checks_that_is_a_file_or_not_a_path(tmp_path):
    path = make_programme(tmp_path, edit=_member_checks_key)
    (tmp_path / "member_checks").write_text("not a folder", encoding="utf-8")
    problem = only_problem(path)
    assert problem.column == "member_checks"
    assert "'member_checks' is a file, not a folder" in problem.message

    def edit(config):
        config["member_checks"] = ["reviewer_1.xlsx", "reviewer_2.xlsx"]
    problem = only_problem(make_programme(tmp_path, edit=edit))
    assert problem.column == "member_checks"
    assert problem.message.startswith("member_checks must be a folder path, e.g. member_checks: member_checks")


def test_misspelt_member_checks_key_is_caught(tmp_path):
    def edit(config):
        config["member_check"] = "member_checks"
    problem = only_problem(make_programme(tmp_path, edit=edit))
    assert problem.column == "member_check"
    assert problem.message.startswith("unknown key 'member_check' (did you mean 'member_checks'?)")


def test_large_file_loads_and_types_every_row(tmp_path):
    n = 5000
    ids = np.arange(n)
    frame = pd.DataFrame({
        "response_id": [f"R{i}" for i in ids], "respondent_id": [f"A{i}" for i in ids],
        "project_id": np.where(ids % 2, "P01", "P02"), "role": "other", "age_band": "",
        "sharing_power": 1 + ids % 5, "sessions_attended": ids % 101, "worked_well": "fine",
    })
    frame.loc[7, "sharing_power"] = 8
    programme = load_programme(make_programme(tmp_path, survey=frame.to_csv(index=False)))
    assert len(programme.table("feedback_survey")) == n - 1
    assert programme.quarantine["row"].tolist() == [9]
    assert programme.table("feedback_survey")["sessions_attended"].sum() == int((ids % 101).sum() - 7)


def test_semicolon_separated_file_gets_a_hint(tmp_path):
    survey = "\n".join([HEADER.replace(",", ";")] + [r.replace(",", ";") for r in GOOD_ROWS]) + "\n"
    problems = validate_programme(make_programme(tmp_path, survey=survey))
    assert len(problems) == 8
    assert all(p.message.endswith("the file looks semicolon-separated; save it as comma-separated CSV")
               for p in problems[1:])


def test_blank_first_row_is_fatal(tmp_path):
    problem = only_problem(make_programme(tmp_path, survey=",,,\n" + "\n".join(GOOD_ROWS) + "\n"))
    assert str(problem) == "feedback_survey.csv:1:: the first row is blank; put the column headers on row 1"


def test_row_numbers_follow_spreadsheet_rows_with_multiline_answers(tmp_path):
    rows = ['R001,A01,P01,other,,3,1,"line one\nline two\nline three"', "R002,A02,P01,other,,9,1,"]
    problem = only_problem(make_programme(tmp_path, rows))
    assert problem.row == 3 and problem.column == "sharing_power"
    answer = load_programme(make_programme(tmp_path, rows[:1])).table("feedback_survey")["worked_well"].iloc[0]
    assert answer == "line one\nline two\nline three"


def test_summary_and_html_show_counts(tmp_path):
    programme = load_programme(make_programme(tmp_path, GOOD_ROWS + ["R004,A04,P01,other,,9,2,"]))
    assert "feedback_survey: 3 rows loaded, 1 quarantined (utf-8)" in programme.summary()
    html = programme._repr_html_()
    assert "<strong>Test programme <em>(synthetic data)</em></strong>" in html
    assert "<caption>Rows per source</caption>" in html
    assert repr(programme) == "<Programme 'Test programme': 2 sources, 1 rows quarantined>"


def test_misspelt_keys_are_caught_but_extra_keys_allowed(tmp_path):
    def edit(config):
        config["source"] = config.pop("sources")
        config["notes"] = "free-form notes are fine"
    problems = validate_programme(make_programme(tmp_path, edit=edit))
    assert [(p.column, p.message) for p in problems] == [
        ("source", "unknown key 'source' (did you mean 'sources'?); correct the spelling, or the setting is ignored"),
        ("sources", "config is missing the 'sources' section; add it (see data/sample/programme.yml)"),
    ]

    def edit_column(config):
        config["sources"]["feedback_survey"]["columns"]["role"]["requried"] = False
        config["sources"]["feedback_survey"]["columns"]["role"]["help"] = "shown to coders"
    problem = only_problem(make_programme(tmp_path, edit=edit_column))
    assert problem.column == "sources.feedback_survey.columns.role.requried"
    assert problem.message.startswith("unknown key 'requried' (did you mean 'required'?)")


def test_unquoted_yes_no_choices_are_explained(tmp_path):
    path = make_programme(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("      age_band:\n", "      themed:\n        type: single_choice\n"
                        "        choices: [yes, no, maybe]\n      age_band:\n", 1)
    path.write_text(text, encoding="utf-8")
    problem = only_problem(path)
    assert problem.column == "sources.feedback_survey.columns.themed.choices"
    assert problem.message == ("a choice such as yes, no, on or off was read by YAML as true/false; put quotes "
                               'around each choice, e.g. choices: ["yes", "no", "maybe"]')


def test_xlsx_with_headers_not_on_row_1_is_explained(tmp_path):
    def edit(config):
        config["sources"]["feedback_survey"]["path"] = "sessions.xlsx"
    path = make_programme(tmp_path, edit=edit)
    wb = Workbook()
    wb.active["C3"], wb.active["D3"], wb.active["C4"] = "response_id", "project_id", "R1"
    wb.save(tmp_path / "sessions.xlsx")
    assert str(only_problem(path)) == "sessions.xlsx:1:: the first row is blank; put the column headers on row 1"


def test_member_check_workbook_that_cannot_be_read_fails_validate(tmp_path):
    path = make_programme(tmp_path, edit=_member_checks_key)
    (tmp_path / "member_checks").mkdir()
    Workbook().save(tmp_path / "member_checks" / "reviewer_1.xlsx")
    problem = only_problem(path)
    assert problem.fatal and "No sheet called 'Themes'" in problem.message

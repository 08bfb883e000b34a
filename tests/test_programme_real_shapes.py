"""Config keys for real exports: headers with spaces, one project, long format, FFT scales, placeholders.

Each test writes a tiny programme shaped like a real NHS export (the Friends and Family Test
file in ../shared/benchmarks has these shapes) and checks what loads, what is blank and what
is quarantined or set aside.
"""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from evalkit.cli import main
from evalkit.programme import load_programme, validate_programme
from evalkit.programme.problems import group_problems
from evalkit.programme.spec import DEFAULT_MISSING_VALUES, IMPLIED_PROJECT_COLUMN

FFT = ("Comment ID,Respondent ID,Date,FFT categorical answer,FFT question,FFT answer\n"
       "C1 - Q1,R1,30/09/2021,1,FFT Why?,Lovely staff. Thank you\n"
       "C1 - Q2,R1,30/09/2021,1,What could we do better?,Nothing.\n"
       "C2 - Q1,R2,01/10/2021,6,FFT Why?,Did not answer\n"
       "C3 - Q1,R3,2021-10-02,5,FFT Why?,N/A\n")


def _config(**report):
    return {
        "programme": {"name": "Ambulance trust feedback"},
        "scales": {"fft": {"labels": {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor",
                                      5: "Very poor"},
                           "missing": {6: "Don't know"}, "kind": "rating", "higher_is_better": False}},
        "projects": [{"id": "NEAS", "name": "North East Ambulance Service"}],
        "sources": {"fft": {
            "path": "fft.csv", "id_column": "Comment ID", "respondent_column": "Respondent ID",
            "question_column": "FFT question", "label": "Friends and Family Test",
            "columns": {
                "Date": {"type": "date", "format": "%d/%m/%Y", "required": False},
                "FFT categorical answer": {"type": "likert", "scale": "fft", "label": "Overall experience"},
                "FFT answer": {"type": "free_text", "label": "Comment"},
            }}},
        "privacy": {"salt_file": "salt.txt"},
        "report": report,
    }


def _write(tmp_path, config, data=FFT):
    (tmp_path / "fft.csv").write_text(data, encoding="utf-8")
    (tmp_path / "salt.txt").write_text("a-long-random-line\n", encoding="utf-8")
    path = tmp_path / "programme.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_salt_env(monkeypatch):
    monkeypatch.delenv("EVALKIT_PSEUDONYM_SALT", raising=False)


def test_one_project_needs_no_project_column_and_every_row_belongs_to_it(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    programme = load_programme(_write(tmp_path, config))
    table = programme.table("fft")
    assert programme.sources["fft"].project_implied
    assert table[IMPLIED_PROJECT_COLUMN].tolist() == ["NEAS"] * 4
    assert programme.quarantine.empty
    assert IMPLIED_PROJECT_COLUMN not in programme.quarantine.columns


def test_missing_codes_and_placeholders_are_blank_not_quarantined(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    table = load_programme(_write(tmp_path, config)).table("fft")
    assert table["FFT categorical answer"].tolist()[:2] == [1, 1]
    assert table["FFT categorical answer"].isna().tolist() == [False, False, True, False]
    assert table["FFT answer"].isna().tolist() == [False, False, True, True]
    assert table["FFT answer"].iloc[1] == "Nothing."  # a real answer to "what could we do better?"


def test_dates_day_first_or_iso_and_a_bad_date_named(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    data = FFT + "C4 - Q1,R4,31/02/2021,2,FFT Why?,Fine\n"
    programme = load_programme(_write(tmp_path, config, data))
    assert programme.table("fft")["Date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-09-30", "2021-09-30", "2021-10-01", "2021-10-02"]
    problem = programme.problems[0]
    assert (problem.row, problem.column) == (6, "Date")
    assert problem.message.startswith("'31/02/2021' is not a date; write dates as day/month/year")


def test_date_format_in_config_is_followed(tmp_path):
    programme = load_programme(_write(tmp_path, _config()))
    assert len(programme.quarantine) == 1  # 2021-10-02 does not follow %d/%m/%Y
    assert "write dates as 29/01/2024 (format %d/%m/%Y in the config)" in programme.problems[0].message


def test_programme_missing_values_replace_the_default_list(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config["missing_values"] = ["Did not answer"]
    table = load_programme(_write(tmp_path, config)).table("fft")
    assert table["FFT answer"].tolist()[2:] == [pd.NA, "N/A"]
    assert "N/A" in DEFAULT_MISSING_VALUES and "Nothing" not in DEFAULT_MISSING_VALUES


def test_a_placeholder_that_is_a_declared_choice_stays_an_answer(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config["sources"]["fft"]["columns"]["FFT answer"] = {"type": "single_choice", "choices": ["N/A", "Fine"],
                                                         "required": False}
    data = FFT.replace("Lovely staff. Thank you", "Fine").replace("Nothing.", "fine")
    table = load_programme(_write(tmp_path, config, data)).table("fft")
    assert table["FFT answer"].astype(object).where(table["FFT answer"].notna(), None).tolist() == [
        "Fine", "Fine", None, "N/A"]


def test_two_projects_still_need_a_project_column(tmp_path):
    config = _config()
    config["projects"].append({"id": "NHFT", "name": "Another trust"})
    problems = validate_programme(_write(tmp_path, config))
    assert [p.column for p in problems] == ["sources.fft.project_column"]
    assert "only a programme with one project may leave it out" in problems[0].message


def test_report_block_names_must_exist(tmp_path):
    config = _config(survey="ffy", role_column="role", codes="machine", seed="abc",
                     outcomes=[{"source": "fft", "before": "FFT answer", "after": "Date"}])
    problems = validate_programme(_write(tmp_path, config))
    messages = {p.column: p.message for p in problems}
    assert messages["report.survey"].startswith("no source named 'ffy' (did you mean 'fft'?)")
    assert messages["report.codes"].startswith("codes must be one of rules, agreed")
    assert messages["report.seed"].startswith("seed must be a whole number")
    assert "is not a number column of source 'fft'" in messages["report.outcomes[0].before"]


def test_long_scale_errors_are_explained(tmp_path):
    config = _config()
    config["scales"]["fft"]["missing"] = {5: "Don't know"}
    config["scales"]["fft"]["kind"] = "ratings"
    problems = validate_programme(_write(tmp_path, config))
    assert problems[0].column == "scales.fft.kind"
    assert "(did you mean 'rating'?)" in problems[0].message
    config["scales"]["fft"]["kind"] = "rating"
    problems = validate_programme(_write(tmp_path, config))
    assert problems[0].column == "scales.fft.missing"
    assert problems[0].message.startswith("value 5 is both a rating and a missing code")


def test_codes_for_unknown_answers_or_themes_are_set_aside_and_counted(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config["double_coding"] = "double.csv"
    (tmp_path / "double.csv").write_text(
        "source,response_id,column,coder,theme_id\n"
        "fft,C1 - Q1,FFT answer,A,feeling_heard\n"
        "fft,C9 - Q1,FFT answer,A,feeling_heard\n"
        "fft,C1 - Q1,FFT answer,B,not_a_theme\n"
        "survey,C1 - Q1,FFT answer,B,feeling_heard\n"
        "fft,C1 - Q1,Date,B,feeling_heard\n", encoding="utf-8")
    path = _write(tmp_path, config)
    programme = load_programme(path)
    assert programme.double_coding["coder"].tolist() == ["A", "B"]
    set_aside = [p for p in programme.code_problems if not p.warning]
    assert [(p.row, p.column) for p in set_aside] == [(3, "response_id"), (5, "source"), (6, "column")]
    assert all(p.message.endswith("this code is set aside") for p in set_aside)
    new_theme = [p for p in programme.code_problems if p.warning]
    assert [(p.row, p.column) for p in new_theme] == [(4, "theme_id")]
    assert new_theme[0].message.startswith("theme 'not_a_theme' (1 code) is not in the codebook")
    assert len(validate_programme(path)) == 4


def test_declared_project_without_rows_is_a_warning_not_a_failure(tmp_path, capsys):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config["sources"]["fft"]["project_column"] = "Trust"
    config["projects"].append({"id": "NHFT", "name": "Another trust"})
    data = FFT.replace("Comment ID,", "Trust,Comment ID,").replace("\nC", "\nNEAS,C")
    path = _write(tmp_path, config, data)
    problems = validate_programme(path)
    assert [p.warning for p in problems] == [True]
    assert "project 'NHFT' (Another trust) has no rows in any data file" in problems[0].message
    assert main(["validate", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("warning: programme.yml::projects: project 'NHFT'")
    assert captured.out.strip().endswith("1 warning(s); the reports will build.")


def test_repeated_problems_are_grouped_with_their_rows(tmp_path, capsys):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    data = FFT + "".join(f"D{i},R{i},01/10/2021,7,FFT Why?,ok\n" for i in range(8))
    path = _write(tmp_path, config, data)
    lines = group_problems(validate_programme(path))
    assert lines == ["fft.csv::FFT categorical answer: 8 rows: '7' is outside the fft scale (1-5); check the "
                     "answer and enter a whole number from 1 to 5 (1 = Very good, 5 = Very poor) "
                     "(rows 6, 7, 8, 9, 10, ...)"]
    assert main(["validate", "--config", str(path)]) == 0
    assert "8 problem(s) in rows that report will set aside" in capsys.readouterr().out
    assert main(["validate", "--config", str(path), "--strict"]) == 1


def test_problems_differing_only_in_their_value_are_grouped(tmp_path):
    config = _config()
    data = FFT + "".join(f"D{i},R{i},9/{20 + i}/2022,2,FFT Why?,ok\n" for i in range(3))
    lines = group_problems(validate_programme(_write(tmp_path, config, data)))
    assert lines[-1].startswith("fft.csv::Date: 4 rows: '2021-10-02' is not a date; write dates as 29/01/2024")
    assert lines[-1].endswith("(rows 5, 6, 7, 8; 3 other values like it)")


def test_no_salt_is_caught_by_validate(tmp_path):
    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config.pop("privacy")
    problems = validate_programme(_write(tmp_path, config))
    assert [p.column for p in problems] == ["privacy.salt_file"] and problems[0].fatal


def test_question_codes_can_be_given_words(tmp_path):
    from evalkit.report.data import open_report

    config = _config()
    config["sources"]["fft"]["columns"]["Date"].pop("format")
    config["sources"]["fft"]["questions"] = {"FFT Why?": "Why did you give that answer?"}
    report = open_report(_write(tmp_path, config))
    assert list(dict.fromkeys(report.answers["question"])) == ["Why did you give that answer?",
                                                               "What could we do better?"]
    config["sources"]["fft"].pop("question_column")
    problems = validate_programme(_write(tmp_path, config))
    assert [p.column for p in problems] == ["sources.fft.questions"]

"""``evalkit validate`` on hand-made fixture programmes: exit codes and printed problems."""
from __future__ import annotations

import subprocess
import sys

from evalkit.cli import main
from evalkit.paths import REPO_DIR

FIXTURES = REPO_DIR / "tests" / "fixtures" / "programme"


def _run(config, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalkit.cli", "validate", "--config", str(config), *extra],
                          capture_output=True, text=True, cwd=REPO_DIR, timeout=120)


def test_bad_rows_are_listed_and_fail_only_with_strict():
    result = _run(FIXTURES / "bad" / "programme.yml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("5 problem(s) in rows that report will set aside (quarantine, listed "
                                          "above); the reports will build.")
    assert "Traceback" not in result.stderr


def test_bad_programme_with_strict_exits_1_and_prints_every_problem_without_traceback():
    result = _run(FIXTURES / "bad" / "programme.yml", "--strict")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:5] == [
        "feedback_survey.csv:3:sharing_power: '6' is outside the agreement scale (1-5); check the answer and "
        "enter a whole number from 1 to 5 (1 = Strongly disagree, 5 = Strongly agree)",
        "feedback_survey.csv:4:project_id: 'P09' is not a project id in the config (closest: 'P02'); use one of "
        "P01, P02, or add the project under projects:",
        "feedback_survey.csv:5:response_id: 'R001' is already used on row 2; give each response its own id, or "
        "delete the row if it is a repeat",
        "feedback_survey.csv:6:role: 'boss' is not one of the choices for role; use one of: co-producer, "
        "researcher, practitioner, other",
        "feedback_survey.csv:6:sessions_attended: 'abc' is not a number; enter a whole number using digits "
        "only, e.g. 12",
    ]
    assert lines[5].endswith("5 problem(s) in rows that report will set aside (quarantine, listed above); "
                             "--strict: rows would be set aside.")
    assert "Traceback" not in result.stderr


def test_good_programme_exits_0():
    result = _run(FIXTURES / "good" / "programme.yml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("programme.yml: no problems found.")
    assert result.stderr == ""


def test_config_error_through_main_exits_1_without_traceback(tmp_path, capsys):
    broken = tmp_path / "programme.yml"
    broken.write_text("programme: [unclosed\n", encoding="utf-8")
    assert main(["validate", "--config", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "config is not valid YAML" in err and "Traceback" not in err


def test_missing_data_file_through_main(tmp_path, capsys):
    for name in ("programme.yml", "outcomes.csv", "pseudonym_salt.txt"):
        (tmp_path / name).write_bytes((FIXTURES / "good" / name).read_bytes())
    assert main(["validate", "--config", str(tmp_path / "programme.yml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("feedback_survey.csv::: data file not found")

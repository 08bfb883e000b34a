"""Building the coding panel's answers table from a loaded programme."""
from __future__ import annotations

import textwrap

import pytest

from evalkit.errors import ConfigError
from evalkit.panel.answers import answers_from_programme
from evalkit.programme import load_programme

CONFIG = textwrap.dedent(
    """
    programme: {name: Panel fixture, synthetic: true, description: tiny}
    projects:
      - {id: P01, name: Peer support, theme: mental health, description: x}
      - {id: P02, name: Carers forum, theme: carers, description: y}
    sources:
      survey:
        path: survey.csv
        id_column: response_id
        project_column: project_id
        respondent_column: respondent_id
        columns:
          worked_well: {type: free_text, label: "What worked well?"}
          could_be_better: {type: free_text, label: "What could be better?"}
    """
)
CSV = textwrap.dedent(
    """\
    response_id,respondent_id,project_id,worked_well,could_be_better
    S1,person-a,P01,We were listened to,
    S2,person-b,P02,   ,More notice of meetings
    S3,person-c,P01,Paid for our time,Plain English please
    """
)


@pytest.fixture()
def programme(tmp_path):
    (tmp_path / "programme.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "survey.csv").write_text(CSV, encoding="utf-8")
    return load_programme(tmp_path / "programme.yml")


def test_one_column_gives_its_non_blank_answers_with_the_label(programme):
    answers = answers_from_programme(programme, "survey", "worked_well")
    assert list(answers.columns) == ["response_id", "question", "project", "text"]
    assert answers.values.tolist() == [
        ["S1", "What worked well?", "P01", "We were listened to"],
        ["S3", "What worked well?", "P01", "Paid for our time"],
    ]


def test_no_column_takes_every_free_text_column_and_no_identity(programme):
    answers = answers_from_programme(programme, "survey")
    assert answers[["response_id", "question"]].values.tolist() == [
        ["S1", "What worked well?"], ["S3", "What worked well?"],
        ["S2", "What could be better?"], ["S3", "What could be better?"]]
    assert "person-a" not in answers.to_string()


def test_unknown_column_lists_the_free_text_columns(programme):
    with pytest.raises(ConfigError, match="its free-text columns are: worked_well, could_be_better"):
        answers_from_programme(programme, "survey", "role")

"""Building the coding panel's answers table from a loaded programme."""
from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest

from evalkit.errors import ConfigError
from evalkit.panel.answers import answers_from_programme, question_labels
from evalkit.panel.widget import CodingPanel
from evalkit.programme import load_programme

_LEAF = SimpleNamespace(id="heard", name="Heard", parent=None, definition="Listened to.")

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


def test_an_unknown_source_names_the_known_ones(programme):
    with pytest.raises(ConfigError, match="no source named 'nowhere'; the sources are: survey"):
        answers_from_programme(programme, "nowhere")


MANY_SOURCES = textwrap.dedent(
    """
    programme: {name: Many sources, synthetic: true, description: real-export shapes}
    projects:
      - {id: NEAS PTS, name: Transport, theme: transport, description: x}
      - {id: P02, name: Carers forum, theme: carers, description: y}
    sources:
      site_a:
        path: site_a.csv
        id_column: Response ID
        project_column: Service
        columns:
          FFT answer: {type: free_text, label: "Why did you give that answer?", required: false}
          Score: {type: number, min: 1, max: 5, integer: true}
      site_b:
        path: site_b.csv
        id_column: Response ID
        project_column: Service
        columns:
          FFT answer: {type: free_text, label: "Why did you give that answer?", required: false}
          Other comments: {type: free_text, required: false}
      scores:
        path: scores.csv
        id_column: id
        project_column: Service
        columns:
          Score: {type: number, min: 1, max: 5, integer: true}
      facts:
        path: facts.csv
        id_column: project
        project_column: project
        columns:
          methods: {type: free_text, label: "Methods used"}
    """
)


@pytest.fixture()
def many(tmp_path):
    (tmp_path / "programme.yml").write_text(MANY_SOURCES, encoding="utf-8")
    (tmp_path / "site_a.csv").write_text(
        "Response ID,Service,FFT answer,Score\n"
        "NEAS PTS 528 - Q1,NEAS PTS,\"Driver was kind, on time\",5\n"
        "NEAS PTS 529 - Q1,NEAS PTS,,4\n"
        "NEAS PTS 530 - Q1,NEAS PTS,   ,3\n", encoding="utf-8")
    (tmp_path / "site_b.csv").write_text(
        "Response ID,Service,FFT answer,Other comments\n"
        "NEAS PTS 528 - Q1,P02,Felt listened to,\n"
        "2,P02,,Parking was hard\n", encoding="utf-8")
    (tmp_path / "scores.csv").write_text("id,Service,Score\n1,P02,4\n", encoding="utf-8")
    (tmp_path / "facts.csv").write_text("project,methods\nNEAS PTS,survey\nP02,survey\n", encoding="utf-8")
    return load_programme(tmp_path / "programme.yml")


def test_no_source_takes_every_source_of_answers_but_not_per_project_facts(many):
    answers = answers_from_programme(many)
    assert answers.values.tolist() == [
        ["NEAS PTS 528 - Q1", "Why did you give that answer? (site_a)", "NEAS PTS", "Driver was kind, on time"],
        ["NEAS PTS 528 - Q1", "Why did you give that answer? (site_b)", "P02", "Felt listened to"],
        ["2", "Other comments", "P02", "Parking was hard"],
    ]
    assert "Methods used" not in set(answers["question"])


def test_blank_answers_are_never_queued(many):
    answers = answers_from_programme(many, "site_a")
    assert answers["response_id"].tolist() == ["NEAS PTS 528 - Q1"]  # empty and spaces-only left out


def test_a_named_source_without_free_text_lists_the_sources_that_have_it(many):
    with pytest.raises(ConfigError, match="source 'scores' has no free-text columns to code; the "
                                          "free-text columns are site_a: 'FFT answer'; site_b"):
        answers_from_programme(many, "scores")


def test_a_per_project_source_can_still_be_named(many):
    answers = answers_from_programme(many, "facts")
    assert answers[["response_id", "question", "text"]].values.tolist() == [
        ["NEAS PTS", "Methods used", "survey"], ["P02", "Methods used", "survey"]]


def test_a_column_without_a_source_is_taken_from_every_source_that_has_it(many):
    answers = answers_from_programme(many, column="FFT answer")
    assert answers["question"].tolist() == ["Why did you give that answer? (site_a)",
                                            "Why did you give that answer? (site_b)"]


def test_a_column_no_source_has_lists_every_free_text_column(many):
    with pytest.raises(ConfigError, match="no source has a free-text column 'Score'; the free-text "
                                          "columns are site_a: 'FFT answer'; site_b: 'FFT answer', "
                                          "'Other comments'; facts: 'methods'"):
        answers_from_programme(many, column="Score")


def test_question_keys_do_not_depend_on_what_is_chosen(many):
    alone = answers_from_programme(many, "site_b", "FFT answer")
    assert alone["question"].tolist() == ["Why did you give that answer? (site_b)"]


def test_one_label_used_twice_in_a_source_adds_the_column(tmp_path):
    config = CONFIG.replace('label: "What could be better?"', 'label: "What worked well?"')
    (tmp_path / "programme.yml").write_text(config, encoding="utf-8")
    (tmp_path / "survey.csv").write_text(CSV, encoding="utf-8")
    programme = load_programme(tmp_path / "programme.yml")
    assert question_labels(programme) == {
        ("survey", "worked_well"): "What worked well? (survey: worked_well)",
        ("survey", "could_be_better"): "What worked well? (survey: could_be_better)",
    }
    assert len(CodingPanel(answers_from_programme(programme), [_LEAF], "AS", tmp_path / "s").answers) == 4


def test_a_programme_without_free_text_says_how_to_declare_it(tmp_path):
    config = CONFIG.replace("type: free_text", "type: single_choice, choices: [a], required: false")
    (tmp_path / "programme.yml").write_text(config, encoding="utf-8")
    (tmp_path / "survey.csv").write_text("response_id,respondent_id,project_id,worked_well,could_be_better\n"
                                         "S1,x,P01,a,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no source has a free-text column .* declare"):
        answers_from_programme(load_programme(tmp_path / "programme.yml"))

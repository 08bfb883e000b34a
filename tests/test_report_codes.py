"""Which codes a report uses is a choice in the config (``report.codes``; issue 15)."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalkit.programme.config import ProgrammeConfigError, parse_config
from evalkit.report import sections
from evalkit.report.data import open_report, provenance_for, report_input_files
from evalkit.report.pipeline import plan_jobs

ONE_PROJECT = Path(__file__).parent / "programmes" / "one_project"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALKIT_MODEL_KEY", "test-key")


def _programme(tmp_path, **report) -> Path:
    """A copy of the one-project programme with ``report:`` settings added; returns its config."""
    folder = tmp_path / "programme"
    shutil.copytree(ONE_PROJECT, folder)
    config = folder / "programme.yml"
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    document["report"].update(report)
    config.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return config


def _agreed_file(config: Path) -> None:
    """Agreed codes for a few answers, named in the config's ``ground_truth:``."""
    report = open_report(config)
    first = report.coded.iloc[:5]
    raw = pd.read_csv(config.parent / "carers_group_survey.csv", dtype=str)
    ids = raw["Response ID"].tolist()[:3]
    column = "What did you value most?"
    rows = [{"source": "carers_group_survey", "response_id": i, "column": column, "theme_id": t}
            for i, t in zip(ids, sorted(set(first["theme_id"]))[:1] * 3)]
    pd.DataFrame(rows).to_csv(config.parent / "agreed.csv", index=False)
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    document["ground_truth"] = "agreed.csv"
    config.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _model(config: Path, name: str = "themes.model") -> Path:
    """A ThemeClassifier trained on the rule coder's themes of the programme's answers, saved signed."""
    from evalkit.coding.classifier import ThemeClassifier
    from evalkit.coding.pipeline import save_model

    report = open_report(config)
    coded = report.coded.drop_duplicates(["source", "response_id", "column"])
    texts = coded.merge(report.answers, on=["source", "response_id", "column"])["text"].tolist()
    with warnings.catch_warnings():  # a theme with one coded answer cannot be calibrated: fine here
        warnings.simplefilter("ignore", UserWarning)
        model = ThemeClassifier(embedding=None, cv=2, min_df=1).fit(texts, coded["theme_id"].tolist())
    return save_model(model, config.parent / "models" / name)


def test_rules_is_the_default_and_says_words_were_matched(tmp_path):
    report = open_report(_programme(tmp_path))
    assert report.codes_source == "rules"
    assert not report.coded.empty
    assert sections.coding_method(report).startswith("A computer matched the words in each written answer")


def test_agreed_codes_are_said_to_come_from_people(tmp_path):
    config = _programme(tmp_path, codes="agreed")
    assert open_report(config).codes_source == "rules"  # no agreed-codes file yet: the keyword coder, said so
    _agreed_file(config)
    report = open_report(config)
    assert report.codes_source == "agreed"
    assert set(report.coded["evidence"]) == {"agreed by people"} and len(report.coded) == 3
    assert sections.coding_method(report).startswith("People read the written answers and agreed")
    assert sections.coding_quality(report) is None


def test_codebook_coder_codes_every_answer_by_meaning(tmp_path):
    config = _programme(tmp_path, codes="codebook")
    report = open_report(config)
    assert report.codes_source == "codebook"
    coded = report.coded
    assert not coded.empty
    assert set(coded["theme_id"]) <= set(report.codebook.leaves())
    assert set(zip(coded["source"], coded["response_id"])) <= set(zip(report.answers["source"],
                                                                       report.answers["response_id"]))
    assert "compared the meaning of each written answer" in sections.coding_method(report)
    assert open_report(config).coded.equals(coded)  # deterministic


@pytest.mark.parametrize("form", ["mapping", "key"])
def test_trained_model_codes_the_answers_and_enters_the_provenance(tmp_path, form):
    config = _programme(tmp_path)
    path = _model(config)
    settings = {"codes": {"model": "models/themes.model"}} if form == "mapping" else \
        {"codes": "model", "model": "models/themes.model"}
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    document["report"].update(settings)
    config.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    report = open_report(config)
    assert report.codes_source == "model"
    assert not report.coded.empty and set(report.coded["theme_id"]) <= set(report.codebook.leaves())
    assert "learnt from answers people had already sorted into themes" in sections.coding_method(report)
    programme = report._programme
    assert report_input_files(programme)["codes_model"] == path
    before = provenance_for(programme)["inputs"]["codes_model"]
    technical = next(j for j in plan_jobs(programme, {"seed": 1}) if j.name == "technical")
    assert technical.parameters["inputs"]["codes_model"] == before
    from sklearn.dummy import DummyClassifier

    from evalkit.coding.pipeline import save_model

    save_model(DummyClassifier().fit([[0], [1]], ["a", "b"]), path)  # a new model: its pages are rebuilt
    assert provenance_for(programme)["inputs"]["codes_model"] != before


def test_rules_and_codebook_add_no_model_input(tmp_path):
    for choice in ("rules", "codebook", "agreed"):
        programme = open_report(_programme(tmp_path / choice, codes=choice))._programme
        assert "codes_model" not in report_input_files(programme)


@pytest.mark.parametrize("settings, key, words", [
    ({"codes": "people"}, "report.codes", "codes must be one of rules, agreed, codebook, model"),
    ({"codes": ["rules"]}, "report.codes", "codes must be one of"),
    ({"codes": "model"}, "report.codes.model", "needs the model file"),
    ({"codes": {"model": 3}}, "report.codes.model", "needs the model file"),
    ({"codes": {"model": "missing.model"}}, "report.codes.model", "model file 'missing.model' not found"),
    ({"codes": {"model": "../outside.model"}}, "report.codes.model", "outside the programme's folder"),
    ({"codes": "rules", "modle": "x"}, "report.modle", ""),
])
def test_bad_codes_settings_name_the_file_and_key(tmp_path, settings, key, words):
    config = _programme(tmp_path, **settings)
    (tmp_path / "outside.model").write_bytes(b"x")
    with pytest.raises(ProgrammeConfigError) as err:
        parse_config(config)
    text = str(err.value)
    assert f"{config}::{key}:" in text, text
    assert words in text


def test_a_model_outside_the_folder_is_allowed_when_the_config_says_so(tmp_path):
    config = _programme(tmp_path, codes={"model": "../outside.model"})
    (tmp_path / "outside.model").write_bytes(b"x")
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    document["allow_paths_outside"] = True
    config.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert parse_config(config).report_settings["codes"] == {"model": "../outside.model"}

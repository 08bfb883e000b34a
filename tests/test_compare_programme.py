"""Tests for evalkit.compare.programme: the wrappers on the committed sample programme."""
import dataclasses
import shutil
import re

import pandas as pd
import pytest

from evalkit import compare
from evalkit.errors import ConfigError
from evalkit.paths import SAMPLE_CONFIG
from evalkit.privacy.suppression import SuppressionPolicy

import evalkit.programme as programme_module


def test_the_sample_is_committed():
    # data/sample is committed: a checkout without it is broken, so the tests below fail rather than skip.
    assert SAMPLE_CONFIG.is_file(), f"{SAMPLE_CONFIG} is missing: data/sample is committed; restore it from git"


@pytest.fixture(scope="module")
def programme():
    """The sample programme, loaded once."""
    return programme_module.load_programme(SAMPLE_CONFIG)


def no_small_counts(table: pd.DataFrame):
    """True when no cell of a display table shows a count from 1 to 7."""
    return not any(re.fullmatch(r"[1-7]", str(v)) for v in table.to_numpy().ravel())


def hide_names(text: str) -> str:
    """A stand-in redactor for the tests (the real one lives in evalkit.privacy.redact)."""
    return re.sub(r"\b[A-Z][a-z]+\b(?= said)", "[name]", text)


def test_policy_comes_from_report_settings(programme):
    assert compare.programme_policy(programme) == SuppressionPolicy.from_config(
        programme.report_settings.get("suppression"))
    off = dataclasses.replace(programme, report_settings={"suppression": {"enabled": False}})
    assert compare.programme_policy(off).enabled is False


def test_profile_tables_are_all_suppressed(programme):
    profile = compare.profile_programme(programme)
    tables = profile.tables()
    assert set(tables) == {"by_role", "response_rates", "likert", "medians", "themes"}
    for name, table in tables.items():
        assert no_small_counts(table), name
    survey = programme.tables["feedback_survey"]
    exact_total = len(survey)
    shown_total = int(profile.by_role.loc["Programme", "Total"])
    assert abs(shown_total - exact_total) <= 2 and shown_total % 5 == 0
    assert "<h4>by role</h4>" in profile._repr_html_()


def test_charts_for_programme_and_each_project_with_numbers_in_alt_text(programme):
    charts = compare.programme_likert_charts(programme)
    projects = sorted(programme.tables["feedback_survey"]["project_id"].astype(str).unique())
    assert list(charts) == ["Programme", *projects]
    alt = charts["Programme"].alt  # short: what the bars show and the largest and smallest share
    assert re.search("Largest share who agreed: \u201c[^\u201d]+\u201d \\(\\d+%\\); smallest: \u201c", alt), alt
    assert len(alt) < 400


def test_framework_comparisons_representation_and_joint_display(programme, tmp_path):
    fm = compare.programme_framework(programme, redact=hide_names)
    assert no_small_counts(fm.cells)
    assert fm.to_xlsx(tmp_path / "framework.xlsx").exists()
    comparisons = compare.programme_comparisons(programme)
    assert list(comparisons) == compare.survey_layout(programme).items
    first = next(iter(comparisons.values()))
    assert no_small_counts(first.summary_frame())
    table, notes = compare.programme_representation(programme)
    assert no_small_counts(table) and set(notes) == set(table.columns[2::2]) - {"Programme"}
    joint = compare.programme_joint_display(programme, "P01", redact=hide_names)
    assert no_small_counts(joint) and joint["quote"].str.len().gt(0).any()


def test_quotes_are_redacted_with_the_programme_names_by_default(programme):
    names = programme.privacy.get("names", ())
    assert names, "the sample programme lists names to redact"
    quotes = " ".join(compare.programme_framework(programme).cells["quote"])
    assert quotes
    for name in names:
        assert not re.search(rf"\b{re.escape(name)}\b", quotes), name
    joint = compare.programme_joint_display(programme, "P02")
    for name in names:
        assert not joint["quote"].str.contains(rf"\b{re.escape(name)}\b", regex=True).any()


def test_unknown_source_is_a_config_error(programme):
    with pytest.raises(ConfigError, match="no source named 'survey'"):
        compare.survey_layout(programme, "survey")


def test_codes_of_quarantined_rows_are_left_out(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_CONFIG.parent, folder)
    survey = folder / "feedback_survey.csv"
    header, first, *rest = survey.read_text(encoding="utf-8").splitlines(keepends=True)
    likert_at = header.split(",").index("sharing_power")
    cells = first.split(",")
    cells[likert_at] = "9"  # off the 1-5 scale: the loader quarantines this row
    survey.write_text("".join([header, ",".join(cells), *rest]), encoding="utf-8")
    loaded = programme_module.load_programme(folder / "programme.yml")
    assert len(loaded.quarantine) == 1
    fm = compare.programme_framework(loaded, redact=hide_names)
    assert no_small_counts(fm.cells)


def test_a_wrapper_object_with_its_own_policy_and_seed_is_respected(programme):
    class View:
        """Stands in for a report's view of a programme: own policy and seed, rest forwarded."""

        policy = SuppressionPolicy(enabled=False)
        seed = 11

        def __getattr__(self, attr):
            return getattr(programme, attr)

    assert compare.programme_policy(View()).enabled is False
    medians = compare.profile_programme(View()).medians
    exact = compare.likert_medians(programme.tables["feedback_survey"], ["sharing_power"],
                                   group_column="project_id", seed=11,
                                   policy=SuppressionPolicy(enabled=False))
    assert medians.iloc[0].tolist() == exact.iloc[0].tolist()


def test_only_questions_two_projects_answered_often_enough_are_compared():
    from evalkit.compare.programme import comparable_items
    from evalkit.privacy.suppression import SuppressionPolicy

    people = pd.DataFrame({"project_id": ["A"] * 9 + ["B"] * 9 + ["C"] * 3,
                           "q1": [1] * 21, "q2": [2] * 9 + [None] * 9 + [3] * 3})
    assert comparable_items(people, ["q1", "q2"], SuppressionPolicy()) == ["q1"]
    assert comparable_items(people, ["q1", "q2"], SuppressionPolicy(enabled=False)) == ["q1", "q2"]

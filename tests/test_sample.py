"""Tests for tools.sample_data: the seeded generator of the synthetic sample programme."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from evalkit.coding import load_codebook
from evalkit.errors import ConfigError
from evalkit.people.member_check import ANSWERS, import_member_checks
from evalkit.paths import REPO_DIR, SAMPLE_DIR
from tools.sample_data import DEFAULT_SEED, generate_sample, people, phrases, text
from tools.sample_data.config import (CENSUS_ETHNICITY, FILES, MEMBER_CHECK_FILES, MEMBER_CHECKS_DIR,
                                      SESSION_TEXT_COLUMNS, SURVEY_TEXT_COLUMNS, YOU_SAID_WE_DID)
from tools.sample_data.phrases import LEAF_THEMES

SURVEY_COLUMNS = [
    "response_id", "respondent_id", "project_id", "role", "age_band", "gender", "ethnicity", "disability",
    "sharing_power", "including_all_perspectives", "respecting_knowledge", "reciprocity",
    "building_relationships", "accessibility", "diversity", "equality",
    "worked_well", "could_be_better", "what_is_missing",
]
OUTCOME_COLUMNS = ["response_id", "respondent_id", "project_id", "wellbeing_before", "wellbeing_after"]
SESSION_COLUMNS = ["response_id", "project_id", "sessions_attended", "rating", "like_most", "how_improve",
                   "themed_interest", "themed_topics"]
MEMBER_CHECK_PATHS = [f"{MEMBER_CHECKS_DIR}/{name}" for name in MEMBER_CHECK_FILES]
ALL_FILES = list(FILES.values()) + MEMBER_CHECK_PATHS
FACTS_COLUMNS = ["project_id", "evaluation_methods", "n_coproducers", "sessions_held", "participants_invited"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample generated once with the default seed."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def survey(sample):
    return pd.read_csv(sample / FILES["feedback_survey"], keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def sessions(sample):
    return pd.read_excel(sample / FILES["session_feedback"], sheet_name="Responses", dtype=object)


@pytest.fixture(scope="module")
def truth(sample):
    return pd.read_csv(sample / FILES["ground_truth"], dtype=str)


def _all_text(survey: pd.DataFrame, sessions: pd.DataFrame) -> str:
    parts = [survey[c] for c in SURVEY_TEXT_COLUMNS]
    parts += [sessions[c].dropna().astype(str) for c in SESSION_TEXT_COLUMNS]
    return "\n".join("\n".join(p) for p in parts)


# --- reproducibility ---------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(sample, tmp_path):
    written = generate_sample(tmp_path, seed=DEFAULT_SEED)
    names = [p.relative_to(tmp_path).as_posix() for p in written]
    assert names == ALL_FILES
    for path, name in zip(written, names):
        assert path.read_bytes() == (sample / name).read_bytes(), name


def test_different_seed_gives_different_data(sample, tmp_path):
    generate_sample(tmp_path, seed=7)
    for name in ("feedback_survey.csv", "outcomes.csv", "session_feedback.xlsx", "ground_truth_themes.csv",
                 "double_coding.csv", "pseudonym_salt.txt", *MEMBER_CHECK_PATHS):
        assert (tmp_path / name).read_bytes() != (sample / name).read_bytes(), name
    assert (tmp_path / "project_facts.csv").read_bytes() == (sample / "project_facts.csv").read_bytes()


def test_committed_sample_matches_fresh_generation(sample):
    for name in ALL_FILES:
        committed = SAMPLE_DIR / name
        assert committed.exists(), f"{committed} missing: run `make sample-data` and commit data/sample"
        assert committed.read_bytes() == (sample / name).read_bytes(), (
            f"{committed} differs from a fresh generation: run `make sample-data` and commit data/sample")


def test_generation_does_not_depend_on_hash_randomisation(sample, tmp_path):
    code = "import sys; from tools.sample_data import generate_sample; generate_sample(sys.argv[1])"
    for hash_seed in ("0", "12345"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env, cwd=REPO_DIR)
        for name in ALL_FILES:
            assert (out / name).read_bytes() == (sample / name).read_bytes(), (hash_seed, name)


def test_only_the_documented_files_are_written(sample):
    assert sorted(p.name for p in sample.iterdir()) == sorted([*FILES.values(), MEMBER_CHECKS_DIR])
    assert sorted(p.name for p in (sample / MEMBER_CHECKS_DIR).iterdir()) == sorted(MEMBER_CHECK_FILES)


def test_text_files_are_utf8_with_unix_newlines_and_small(sample):
    for name in ALL_FILES:
        raw = (sample / name).read_bytes()
        assert len(raw) < (30_000 if name in MEMBER_CHECK_PATHS else 900_000), name
        if not name.endswith(".xlsx"):
            assert b"\r" not in raw, name
            assert not raw.startswith(b"\xef\xbb\xbf"), name
            raw.decode("utf-8")


# --- argument errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_bad_seed_raises_config_error(tmp_path, seed):
    with pytest.raises(ConfigError, match="seed must be a non-negative whole number"):
        generate_sample(tmp_path, seed=seed)


def test_out_dir_that_is_a_file_raises_config_error(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x")
    with pytest.raises(ConfigError, match="not a folder"):
        generate_sample(target)


# --- config ------------------------------------------------------------------------------------

def test_programme_yml_follows_the_schema(sample):
    text_ = (sample / "programme.yml").read_text(encoding="utf-8")
    assert text_.startswith("# GENERATED FILE")
    cfg = yaml.safe_load(text_)
    assert list(cfg) == ["programme", "scales", "projects", "sources", "codebook", "ground_truth",
                         "double_coding", "member_checks", "privacy", "report"]
    assert cfg["member_checks"] == "member_checks"
    assert cfg["programme"]["synthetic"] is True
    assert "synthetic" in cfg["programme"]["name"].lower()
    assert cfg["scales"]["agreement"][1] == "Strongly disagree"
    assert cfg["scales"]["rating"] == {1: "Terrible", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}
    assert [p["id"] for p in cfg["projects"]] == [f"P0{i}" for i in range(1, 9)]
    assert len({p["theme"] for p in cfg["projects"]}) == 8
    assert cfg["privacy"] == {"salt_file": "pseudonym_salt.txt", "names": list(people.PLANTED_NAMES)}
    assert cfg["report"] == {"seed": 20240129, "suppression": {"enabled": True}, "quotes_per_question": 3,
                             "survey": "feedback_survey", "role_column": "role", "facts": "project_facts",
                             "invited_column": "participants_invited", "codes": "rules",
                             "outcomes": [{"source": "outcomes", "before": "wellbeing_before",
                                           "after": "wellbeing_after", "name": "wellbeing"}],
                             "you_said_we_did": [{"you_said": s, "we_did": d} for (_, s), (_, d) in YOU_SAID_WE_DID],
                             "representation_reference": {"label": "the 2021 Census for England and Wales",
                                                          "shares": {"ethnicity": dict(CENSUS_ETHNICITY)}}}
    assert set(cfg["report"]["representation_reference"]["shares"]["ethnicity"]) < set(people.ETHNICITIES)
    assert sum(CENSUS_ETHNICITY[i][1] for i in range(5)) == pytest.approx(100.0)
    assert cfg["programme"]["date"] and cfg["programme"]["contact"] and cfg["programme"]["next_steps"]
    assert cfg["codebook"] == "default"
    for col in cfg["sources"]["feedback_survey"]["columns"].values():
        assert col["type"] in {"likert", "number", "single_choice", "free_text"}


def test_every_source_matches_its_declared_columns(sample):
    cfg = yaml.safe_load((sample / "programme.yml").read_text(encoding="utf-8"))
    project_ids = {p["id"] for p in cfg["projects"]}
    for name, source in cfg["sources"].items():
        path = sample / source["path"]
        if path.suffix == ".xlsx":
            df = pd.read_excel(path, sheet_name=source["sheet"], dtype=object)
        else:
            df = pd.read_csv(path, dtype=object, keep_default_na=False).replace("", None)
        assert df[source["id_column"]].is_unique, name
        assert set(df[source["project_column"]]) <= project_ids, name
        for column, spec in source["columns"].items():
            values = df[column].dropna()
            if spec.get("required", True):
                assert len(values) == len(df), f"{name}.{column} has blanks"
            if spec["type"] == "likert":
                assert set(values.astype(int)) <= set(cfg["scales"][spec["scale"]]), f"{name}.{column}"
            elif spec["type"] == "number":
                nums = values.astype(float)
                assert nums.between(spec["min"], spec["max"]).all(), f"{name}.{column}"
                assert (nums == nums.round()).all(), f"{name}.{column}"
            elif spec["type"] == "single_choice":
                assert set(values) <= set(spec["choices"]), f"{name}.{column}"


# --- tables ------------------------------------------------------------------------------------

def test_pandas_reads_every_file_with_the_documented_columns(sample):
    assert list(pd.read_csv(sample / "feedback_survey.csv").columns) == SURVEY_COLUMNS
    assert list(pd.read_csv(sample / "outcomes.csv").columns) == OUTCOME_COLUMNS
    assert list(pd.read_excel(sample / "session_feedback.xlsx", sheet_name="Responses").columns) == SESSION_COLUMNS
    assert list(pd.read_csv(sample / "project_facts.csv").columns) == FACTS_COLUMNS
    assert list(pd.read_csv(sample / "ground_truth_themes.csv").columns) == ["source", "response_id", "column", "theme_id"]
    assert list(pd.read_csv(sample / "double_coding.csv").columns) == ["source", "response_id", "column", "coder", "theme_id"]
    assert re.fullmatch(r"[0-9a-f]{64}\n", (sample / "pseudonym_salt.txt").read_text())
    assert "SYNTHETIC" in (sample / "README.md").read_text()


def test_project_sizes_include_small_numbers(survey, sessions):
    sizes = survey["project_id"].value_counts()
    assert len(sizes) == 8
    assert sizes.min() <= 10 and sizes.max() >= 70
    cuppa = sessions["project_id"].value_counts()
    assert cuppa.min() >= 5 and cuppa.max() <= 30


def test_roles_and_demographics_look_like_a_survey(survey):
    assert survey["role"].value_counts().idxmax() == "co-producer"
    for column in ("age_band", "gender", "ethnicity", "disability"):
        blanks = (survey[column] == "").mean()
        assert 0.0 < blanks < 0.2, column
    young = survey.loc[survey.project_id == "P04", "age_band"].value_counts().idxmax()
    assert young == "16-24"


def test_projects_differ_in_their_likert_personalities(survey):
    means = survey.groupby("project_id")[["sharing_power", "accessibility", "reciprocity"]].agg(
        lambda s: s.astype(int).mean())
    assert means["sharing_power"].idxmin() == "P08"
    assert means.loc["P05", "accessibility"] < means["accessibility"].median() - 0.8
    assert means.loc["P04", "reciprocity"] < means["reciprocity"].median() - 0.8


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_project_personalities_hold_for_other_seeds(tmp_path, seed):
    generate_sample(tmp_path, seed=seed)
    survey = pd.read_csv(tmp_path / "feedback_survey.csv")
    outcomes = pd.read_csv(tmp_path / "outcomes.csv")
    means = survey.groupby("project_id")[["sharing_power", "accessibility", "reciprocity"]].mean()
    assert means["sharing_power"].idxmin() == "P08"
    assert means.loc["P05", "accessibility"] < means["accessibility"].median() - 0.8
    assert means.loc["P04", "reciprocity"] < means["reciprocity"].median() - 0.8
    change = (outcomes.wellbeing_after - outcomes.wellbeing_before).groupby(outcomes.project_id).mean()
    assert change.idxmin() == "P06" and change["P06"] < 0
    assert change.idxmax() == "P07"
    checks = import_member_checks([tmp_path / p for p in MEMBER_CHECK_PATHS])
    assert (checks["problem"] != "").sum() == 1


def test_online_settings_never_mention_venues_or_food(truth, survey, sessions):
    online_only = set(survey.response_id[survey.project_id == "P06"])
    mentions = truth[truth.response_id.isin(online_only)]
    assert "accessibility_online" in set(mentions.theme_id)
    assert "accessibility_venue" not in set(mentions.theme_id)
    online_answers = [survey.loc[survey.project_id == "P06", c] for c in SURVEY_TEXT_COLUMNS]
    online_answers += [sessions[c].dropna().astype(str) for c in SESSION_TEXT_COLUMNS]
    corpus = "\n".join("\n".join(a) for a in online_answers).lower()
    for in_person in ("sandwich", "biscuit", "the venue", "lunch", "flipchart", "hearing loop"):
        assert in_person not in corpus, in_person


def test_likert_ratings_agree_with_what_people_wrote(survey, truth):
    negative_payment = truth[(truth.column == "could_be_better") & (truth.theme_id == "payment_recognition")]
    mentioned = survey.response_id.isin(negative_payment.response_id)
    reciprocity = survey.reciprocity.astype(int)
    assert reciprocity[mentioned].mean() < reciprocity[~mentioned].mean() - 0.3


def test_outcomes_link_to_survey_and_have_realistic_change(survey, sample):
    outcomes = pd.read_csv(sample / "outcomes.csv")
    assert set(outcomes.respondent_id) <= set(survey.respondent_id)
    assert 0.75 < len(outcomes) / len(survey) < 0.95
    merged = outcomes.merge(survey[["respondent_id", "project_id"]], on="respondent_id", suffixes=("", "_survey"))
    assert (merged.project_id == merged.project_id_survey).all()
    before, after = outcomes.wellbeing_before, outcomes.wellbeing_after
    assert before.between(7, 35).all() and after.between(7, 35).all()
    assert 0.45 < np.corrcoef(before, after)[0, 1] < 0.75
    assert 4.0 < before.std() < 6.0
    change = (after - before).groupby(outcomes.project_id).mean()
    assert change["P07"] > 3 and change["P01"] > 2 and -1.5 < change["P06"] < 0
    assert change.between(-1.5, 4.5).all()


def test_project_facts_response_rates_vary(sample, survey):
    facts = pd.read_csv(sample / "project_facts.csv").set_index("project_id")
    rate = survey.project_id.value_counts() / facts.participants_invited
    assert (rate <= 1).all() and rate.max() - rate.min() > 0.3
    methods = facts.evaluation_methods.str.split(";")
    assert all("survey" in m for m in methods)


# --- free text ---------------------------------------------------------------------------------

def test_phrase_bank_is_large_and_covers_every_theme():
    fragments = phrases.all_fragments()
    assert len({f.text for f in fragments}) >= 400
    assert len({f.text for f in fragments}) == len(fragments), "duplicate fragment text"
    for theme in LEAF_THEMES:
        themed = [f for f in fragments if theme in f.themes]
        assert len(themed) >= 15, theme
        assert {f.polarity for f in themed} >= {"+", "-"}, theme
    assert sum(len(f.themes) == 2 for f in fragments) >= 20
    assert sum(not f.themes for f in fragments) >= 20
    assert phrases.IN_PERSON <= {f.text for f in fragments}


def test_leaf_themes_match_developers_md():
    table = (REPO_DIR / "DEVELOPERS.md").read_text(encoding="utf-8").split("## Theme ids")[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = [leaf for row in rows for leaf in re.findall(r"`([a-z_]+)`", row.split("|")[2])]
    assert sorted(documented) == sorted(LEAF_THEMES)


def test_ground_truth_ids_are_known_and_point_at_real_answers(truth, survey, sessions):
    assert set(truth.theme_id) <= set(LEAF_THEMES)
    assert set(truth.theme_id) == set(LEAF_THEMES)
    assert not truth.duplicated().any()
    assert list(truth.itertuples(index=False)) == sorted(truth.itertuples(index=False))
    texts = {("feedback_survey", r.response_id, c): getattr(r, c) for r in survey.itertuples() for c in SURVEY_TEXT_COLUMNS}
    texts |= {("session_feedback", r.response_id, c): getattr(r, c)
              for r in sessions.itertuples() for c in SESSION_TEXT_COLUMNS}
    for row in truth.itertuples(index=False):
        answer = texts[(row.source, row.response_id, row.column)]
        assert isinstance(answer, str) and answer.strip(), row


def test_free_text_has_the_variety_of_real_answers(survey):
    answers = pd.concat([survey[c] for c in SURVEY_TEXT_COLUMNS])
    written = answers[answers != ""]
    assert {"n/a", "-"} & set(written)
    assert (written.str.len() < 20).mean() > 0.05
    assert (written.str.count(r"[.!?]\s") >= 2).mean() > 0.05
    assert written.str.contains(r"\b(?:but|though|although|However)\b").mean() > 0.05
    assert written.str.contains(r"\b(?:wasn't|never|not|didn't|no)\b").mean() > 0.15
    assert (written.str.lower() == written).mean() > 0.05
    assert written.str.contains("\u2019").any(), "no phone-style curly apostrophes"
    for british in ("organised", "travelling", "realised"):
        assert written.str.contains(british, case=False).any(), british
    assert written.str.contains("\U0001F642|\U0001F44D").any(), "no emoji"
    assert (answers == "").mean() > 0.05


def test_personal_details_are_planted(survey, sessions):
    corpus = _all_text(survey, sessions)
    for value in (*people.PLANTED_EMAILS, *people.PLANTED_PHONES, *people.PLANTED_POSTCODES,
                  people.PLANTED_NHS_NUMBER, *people.PLANTED_NAMES):
        assert value in corpus, value
    answers = [a for a in corpus.split("\n") if a]
    with_details = [a for a in answers if "@example." in a or any(n in a for n in people.PLANTED_NAMES)]
    assert 0.01 < len(with_details) / len(answers) < 0.06


def test_spreadsheet_text_never_starts_like_a_formula(sessions):
    for column in SESSION_TEXT_COLUMNS:
        assert not sessions[column].dropna().astype(str).str.match(r"[=+\-@\t\r]").any(), column


def test_typo_injector_changes_text_but_is_seeded():
    clean = "everything was explained in plain English and the venue was organised"
    rough = [text.add_typos(np.random.default_rng(s), clean) for s in range(20)]
    assert all(r != clean for r in rough)
    assert rough == [text.add_typos(np.random.default_rng(s), clean) for s in range(20)]


# --- double coding -----------------------------------------------------------------------------

def test_double_coding_has_two_imperfect_coders_on_150_answers(sample, truth):
    coded = pd.read_csv(sample / "double_coding.csv", dtype=str)
    assert set(coded.coder) == {"coder_a", "coder_b"}
    assert set(coded.theme_id) <= set(LEAF_THEMES)
    unit = ["source", "response_id", "column"]
    assert coded.groupby(unit).ngroups == 150
    assert (coded.groupby(unit).coder.nunique() == 2).all()
    sets = coded.groupby(unit + ["coder"]).theme_id.agg(frozenset).unstack()
    truth_sets = truth.groupby(unit).theme_id.agg(frozenset)
    assert set(sets.index) <= set(truth_sets.index)
    agree = (sets.coder_a == sets.coder_b).mean()
    assert 0.3 < agree < 0.9
    exact_a = (sets.coder_a == truth_sets.loc[sets.index]).mean()
    assert 0.6 < exact_a < 0.98


# --- member checking ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def member_checks(sample):
    leaves = load_codebook("default").leaves()
    return import_member_checks([sample / p for p in MEMBER_CHECK_PATHS], themes=leaves)


def test_three_reviewers_answered_every_leaf_theme(member_checks):
    leaves = load_codebook("default").leaves()
    assert list(member_checks["reviewer"].unique()) == ["Reviewer 1", "Reviewer 2", "Reviewer 3"]
    for reviewer, rows in member_checks.groupby("reviewer"):
        assert rows["theme_id"].tolist() == leaves, reviewer
        assert rows["row"].tolist() == list(range(2, 14)), reviewer


def test_exactly_one_answer_in_own_words_is_quarantined(member_checks):
    quarantined = member_checks[member_checks["problem"] != ""]
    assert len(quarantined) == 1
    row = quarantined.iloc[0]
    assert row["reviewer"] == "Reviewer 2" and row["file"].endswith("reviewer_2.xlsx")
    assert pd.isna(row["answer"]) and row["raw_answer"] not in ANSWERS
    assert "is not one of rings true, not quite, doesn't fit" in row["problem"]


def test_answers_look_like_real_reviewers(member_checks):
    usable = member_checks[member_checks["problem"] == ""]
    counts = usable["answer"].value_counts(dropna=False)
    assert counts["rings true"] > counts["not quite"] > 0
    assert 0 < counts["doesn't fit"] <= 4
    assert 0 < usable["answer"].isna().sum() < len(usable) / 3
    commented = member_checks["comment"] != ""
    assert 0.25 < commented.mean() < 0.75
    assert (member_checks.loc[commented, "comment"].str.split().str.len() <= 20).all()
    typed = usable.dropna(subset=["answer"])
    assert (typed["raw_answer"] != typed["answer"]).any(), "no answer typed by hand"


def test_member_check_quotes_are_redacted_ground_truth(sample, truth, survey, sessions):
    from openpyxl import load_workbook

    from evalkit.privacy.redact import redact

    sheets = [list(load_workbook(sample / p)["Themes"].iter_rows(values_only=True)) for p in MEMBER_CHECK_PATHS]
    sent = [[row[:3] + row[5:] for row in sheet[1:]] for sheet in sheets]
    assert sent[1] == sent[0] and sent[2] == sent[0], "every reviewer was sent the same themes and quotes"
    codebook = load_codebook("default")
    assert [(r[0], r[1], r[3]) for r in sent[0]] == [
        (codebook[t].name, codebook[t].definition, t) for t in codebook.leaves()]
    answers = {("feedback_survey", r.response_id, c): getattr(r, c) for r in survey.itertuples() for c in SURVEY_TEXT_COLUMNS}
    answers |= {("session_feedback", r.response_id, c): getattr(r, c)
                for r in sessions.itertuples() for c in SESSION_TEXT_COLUMNS}
    themes_of: dict[str, set] = {}
    for row in truth.itertuples(index=False):
        text_ = redact(answers[(row.source, row.response_id, row.column)], names=people.PLANTED_NAMES)
        themes_of.setdefault(text_, set()).add(row.theme_id)
    for _, _, quotes, theme_id in sent[0]:
        quotes = quotes.split("\n\n")
        assert 1 <= len(quotes) <= 3, theme_id
        for quote in quotes:
            assert quote.startswith("\u201c") and quote.endswith("\u201d"), quote
            assert themes_of.get(quote[1:-1]) == {theme_id}, (theme_id, quote)
    corpus = "\n".join(r[2] for r in sent[0])
    for value in (*people.PLANTED_EMAILS, *people.PLANTED_PHONES, *people.PLANTED_POSTCODES,
                  people.PLANTED_NHS_NUMBER, *people.PLANTED_NAMES):
        assert value not in corpus, value

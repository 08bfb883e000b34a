"""Plain-language sentences and the redacted view report notebooks get."""
import re

import pandas as pd
import pytest

from evalkit.compare.plots import ScaleGroups, rating_shares
from evalkit.programme.spec import ScaleSpec
from evalkit.paths import SAMPLE_CONFIG
from evalkit.privacy.suppression import SuppressionPolicy
from evalkit.report import narrative, sections
from evalkit.report.data import BUNDLE_ENV, open_report, prepare_bundle
from evalkit.report.easy_read import easy_read_lines

POLICY = SuppressionPolicy()


@pytest.fixture(scope="module")
def report():
    return open_report(SAMPLE_CONFIG)


@pytest.mark.parametrize("n,words", [(0, "no one"), (5, "fewer than 8 people"), (80, "80 people"),
                                     (257, "about 255 people"), (12, "about 10 people")])
def test_people_follows_nhs_digital_rounding(n, words):
    assert narrative.people(n, POLICY) == words


AGREE = ScaleGroups.from_scale(ScaleSpec("agreement", {1: "Strongly disagree", 2: "Disagree",
                                                       3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}))


def _facts(counts_by_label: dict):
    survey = pd.DataFrame({label: pd.Series([v for v, n in counts.items() for _ in range(n)], dtype="float")
                           for label, counts in counts_by_label.items()})
    return rating_shares(survey, list(counts_by_label), AGREE, policy=POLICY)


def test_ranking_names_largest_and_smallest_share_and_says_ties():
    facts = _facts({"Power was shared": {2: 10, 4: 28, 5: 2}, "I was paid": {1: 20, 2: 10, 4: 10},
                    "We were heard": {2: 10, 4: 30}})
    top, bottom = narrative.ranking_sentences(facts, AGREE, POLICY)
    assert top == "The largest share of people agreed with \u201cPower was shared\u201d and \u201cWe were heard\u201d (75% each)."
    assert bottom == "The smallest share agreed with \u201cI was paid\u201d (25%)."


def test_a_hidden_lowest_share_is_named_and_said_to_be_hidden():
    facts = _facts({"Power was shared": {2: 10, 4: 30}, "Access": {2: 35, 4: 3, 5: 2}})
    lines = narrative.ranking_sentences(facts, AGREE, POLICY)
    assert lines[1] == ("The smallest share agreed with \u201cAccess\u201d; the share is hidden because fewer than 8 "
                        "people agreed.")


def test_when_every_share_is_hidden_the_middle_answers_are_given():
    facts = _facts({"Power was shared": {1: 3, 2: 3, 3: 2}, "Reflected the community": {2: 2, 3: 1, 4: 3, 5: 2}})
    lines = narrative.ranking_sentences(facts, AGREE, POLICY)
    assert lines[0].startswith("The shares who agreed are hidden")
    assert lines[1] == "The lowest middle answer was Disagree (2), for \u201cPower was shared\u201d."
    assert lines[2] == "The highest was Agree (4), for \u201cReflected the community\u201d."


def test_ratings_are_never_said_to_be_agreed():
    fft = ScaleGroups.from_scale(ScaleSpec("fft", {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor",
                                                   5: "Very poor"}, kind="rating", higher_is_better=False))
    survey = pd.DataFrame({"q": [1.0] * 30 + [2.0] * 10 + [5.0] * 10})
    facts = rating_shares(survey, ["q"], fft, labels={"q": "How was your care?"}, policy=POLICY)
    assert narrative.ranking_sentences(facts, fft, POLICY) == [
        "80% of people rated \u201cHow was your care\u201d good or very good."]


@pytest.mark.parametrize("pct,words", [(0, "No one"), (3, "Fewer than 1 in 10 people"), (72, "7 in 10 people"),
                                       (75, "8 in 10 people"), (97, "Almost everyone"), (100, "Everyone")])
def test_easy_read_says_shares_in_tenths(pct, words):
    assert narrative.in_tenths(pct) == words


@pytest.mark.parametrize("project", ["P04", "P05", "P06", "P07", "P08"])
def test_project_headlines_match_their_own_tables(report, project):
    facts = {s.label: s for s in sections.rating_facts(report, project)}
    for line in sections.project_summary(report, project):
        labels = [label for label in re.findall("\u201c([^\u201d]+)\u201d", line) if label in facts]
        pct = re.search(r"\((\d+)%", line)
        for label in labels:
            if pct:
                assert facts[label].high_pct == int(pct.group(1)), line
            elif "hidden" in line:
                assert facts[label].high_pct is None, line
    lines = " ".join(sections.project_summary(report, project))
    shown = [s for s in facts.values() if s.high_pct is not None]
    if not shown:  # every share hidden: the middle answers are given, as in the table
        assert "middle answer" in lines


def test_easy_read_agreement_lines_use_the_programme_figures(report):
    facts = {s.label.rstrip("."): s for s in sections.rating_facts(report, None)}
    seen = 0
    for _, lines in easy_read_lines(report):
        for line in lines:
            m = re.match(r"(.+?) agreed: \u201c(.+)\u201d\.$", line)
            if m:
                seen += 1
                assert narrative.in_tenths(facts[m.group(2)].high_pct) == m.group(1), line
    assert seen >= 3


def test_easy_read_has_a_picture_beside_every_line_and_a_hard_words_box(report):
    from evalkit.report.display import section_html
    from evalkit.report.easy_read import easy_read_sections

    markup = "".join(section_html(s) for s in easy_read_sections(report))
    assert markup.count("<li><span class=\"pic\" aria-hidden=\"true\"><svg") == markup.count("<li>")
    assert 'class="hard-words"' in markup and "OpenMoji" in markup and "CC BY-SA 4.0" in markup
    assert "https://" not in markup and "<img" not in markup  # nothing fetched: pictures are inline


def test_easy_read_takes_contact_next_steps_and_date_from_the_config(sample_copy):
    import yaml

    config = sample_copy / "programme.yml"
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    doc["programme"].update(contact="Sam Patel on 0161 496 0000", date="March 2025",
                            next_steps=["We will share this at the May meeting"])
    doc["report"]["you_said_we_did"] = [{"you_said": "Meetings were too early", "we_did": "We moved them to 11am"}]
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    text = " ".join(" ".join(lines) for _, lines in easy_read_lines(open_report(config)))
    for part in ("Sam Patel on 0161 496 0000", "March 2025", "We will share this at the May meeting.",
                 "You said: Meetings were too early.", "We did: We moved them to 11am."):
        assert part in text


def test_new_config_keys_are_checked(sample_copy):
    import yaml

    from evalkit.programme.config import ProgrammeConfigError, parse_config

    config = sample_copy / "programme.yml"
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    doc["programme"]["next_step"] = ["typo"]
    doc["report"]["you_said_we_did"] = [{"you_said": "x"}]
    doc["report"]["representation_reference"] = {"label": "Census", "shares": {"gender": {"Woman": 151}}}
    config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ProgrammeConfigError) as err:
        parse_config(config)
    text = str(err.value)
    assert "did you mean 'next_steps'" in text and "you_said_we_did[0]" in text and "0 to 100" in text


def test_voices_missing_are_judged_against_the_reference_not_prefer_not_to_say(sample_copy):
    import yaml

    config = sample_copy / "programme.yml"
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    doc["report"]["representation_reference"] = {"label": "the local population", "shares": {
        "ethnicity": {"Asian or Asian British": 9.0, "Black, Black British, Caribbean or African": 4.0,
                      "Mixed or multiple ethnic groups": 3.0, "White": 60.0, "Other ethnic group": 24.0}}}
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    flagged = sections.missing_voices(open_report(config))
    assert len(flagged) == 1 and flagged[0].startswith("Ethnic group, Other ethnic group: fewer than 8 people")
    assert not any("Prefer not to say" in f for f in flagged)


def test_change_sentence_states_uncertainty():
    effect = pd.Series({"n": 40, "yi": 0.35, "ci_low": -0.05, "ci_high": 0.75, "mean_before": 20.0, "mean_after": 22.0})
    text = narrative.change_sentence(effect, "wellbeing", POLICY)
    assert "went up a little" in text and "cannot be sure" in text and "40 people" in text
    clear = effect.copy()
    clear[["yi", "ci_low"]] = [0.9, 0.4]
    assert "went up noticeably" in narrative.change_sentence(clear, "wellbeing", POLICY)
    assert "not a trial" in narrative.change_sentence(clear, "wellbeing", POLICY)
    small = effect.copy()
    small["n"] = 5
    assert narrative.change_sentence(small, "wellbeing", POLICY).startswith("Too few people")


def test_outcome_pairs_found_by_name(report):
    pairs = narrative.outcome_pairs(report)
    assert [(p.name, p.before, p.after) for p in pairs] == [("wellbeing", "wellbeing_before", "wellbeing_after")]


def test_easy_read_has_one_short_idea_per_line(report):
    for heading, lines in easy_read_lines(report):
        assert heading and lines
        for line in lines:
            assert len(line.split()) <= 20, line


def test_report_view_is_redacted_and_pseudonymised(report):
    from evalkit.programme import load_programme

    programme = load_programme(SAMPLE_CONFIG)
    raw = programme.tables["feedback_survey"]
    shown = report.tables["feedback_survey"]
    assert not set(raw["response_id"]) & set(shown["response_id"])
    assert shown["response_id"].str.fullmatch(r"R-[0-9a-f]{8}").all()
    text = " ".join(report.answers["text"])
    assert "@" not in text and "07700" not in text
    assert "[email]" in text or "[phone]" in text or "[name]" in text
    for name in programme.privacy["names"]:
        assert f" {name} " not in f" {text} "


def test_ground_truth_uses_the_same_pseudonyms(report):
    truth_ids = set(report.ground_truth["response_id"])
    assert truth_ids <= set(report.answers["response_id"])


def test_bundle_round_trip_gives_the_prepared_report(tmp_path, monkeypatch, report):
    path = prepare_bundle(SAMPLE_CONFIG, report.seed, tmp_path / "bundle.pkl")
    monkeypatch.setenv(BUNDLE_ENV, str(path))
    bundled = open_report(SAMPLE_CONFIG, seed=report.seed)
    assert "_section_cache" in bundled.__dict__
    pd.testing.assert_frame_equal(bundled.answers, report.answers)
    other_seed = open_report(SAMPLE_CONFIG, seed=report.seed + 1)
    assert "_section_cache" not in other_seed.__dict__


def test_project_summary_respects_suppression(report):
    # P08 has 8 respondents: every share would give a count of 1 to 7 away, so none is shown.
    lines = sections.project_summary(report, "P08")
    assert not any("%" in line for line in lines), lines
    assert any("hidden" in line for line in lines) and any("middle answer" in line for line in lines), lines


def test_quarantine_written_for_reports_is_redacted_and_formula_safe(sample_copy, tmp_path):
    from evalkit.programme import load_programme
    from evalkit.report.data import write_quarantine

    survey = sample_copy / "feedback_survey.csv"
    df = pd.read_csv(survey, dtype=str, keep_default_na=False)
    df.loc[0, "sharing_power"] = "9"
    df.loc[0, "worked_well"] = "=HYPERLINK(jo.planted@example.com) ring 07700 900461"
    df.to_csv(survey, index=False, lineterminator="\n")
    programme = load_programme(sample_copy / "programme.yml")
    assert len(programme.quarantine) == 1
    text = write_quarantine(programme, tmp_path).read_text(encoding="utf-8")
    assert "jo.planted@example.com" not in text and "07700 900461" not in text
    assert "[email]" in text and "[phone]" in text
    assert ",=" not in text and ',"=' not in text


def test_report_view_never_falls_through_to_the_raw_programme(report):
    for raw_only in ("programme", "quarantine", "problems", "files_read", "input_files", "table"):
        assert not hasattr(report, raw_only), raw_only
    assert "salt" not in report.privacy
    assert report.tables["feedback_survey"]["response_id"].str.startswith("R-").all()


def test_pseudonyms_grow_longer_when_eight_digits_collide(monkeypatch):
    from evalkit.privacy import pseudonym
    from evalkit.programme import load_programme
    from evalkit.report.data import open_report

    real = pseudonym.pseudonymise

    def collides_at_eight(ids, salt, *, prefix="R", length=8):
        if length == 8 and len(pd.Series(ids).unique()) > 1:
            raise pseudonym.PseudonymError("two different ids got the same 8-digit pseudonym")
        return real(ids, salt, prefix=prefix, length=length)

    monkeypatch.setattr(pseudonym, "pseudonymise", collides_at_eight)
    view = open_report(SAMPLE_CONFIG, programme=load_programme(SAMPLE_CONFIG))
    assert view.tables["feedback_survey"]["response_id"].str.fullmatch(r"R-[0-9a-f]{12}").all()
    assert set(view.ground_truth["response_id"]) <= set(view.answers["response_id"])


def test_programme_of_small_projects_builds_every_section(tmp_path):
    """Three projects of five people: nothing to compare between projects, and nothing raises."""
    import yaml

    rows = ["id,site,rating,comment"] + [f"r{i},S{i % 3},{1 + i % 5},\"Kind staff and a clean room, visit {i}\""
                                          for i in range(15)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "salt.txt").write_text("a-long-random-line\n", encoding="utf-8")
    config = {"programme": {"name": "Small sites"},
              "scales": {"five": {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Very good"}},
              "projects": [{"id": f"S{i}", "name": f"Site {i}"} for i in range(3)],
              "sources": {"survey": {"path": "data.csv", "id_column": "id", "project_column": "site",
                                     "columns": {"rating": {"type": "likert", "scale": "five"},
                                                 "comment": {"type": "free_text"}}}},
              "privacy": {"salt_file": "salt.txt"}}
    (tmp_path / "programme.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    small = open_report(tmp_path / "programme.yml")
    assert sections.differences(small) is None
    for build in (sections.main_points, sections.projects_at_a_glance, sections.programme_ratings,
                  sections.themes_across, sections.tone, sections.about_programme):
        build(small)
    assert all(sections.quotes_by_question(small, f"S{i}") == {} for i in range(3))  # 5 people: no quotes
    for i in range(3):
        sections.project_sections(small, f"S{i}")
    assert sections.write_spreadsheets(small) == []  # the codebook matched nothing: no matrix to write

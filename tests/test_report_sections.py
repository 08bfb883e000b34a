"""Plain-language sentences and the redacted view report notebooks get."""
import pandas as pd
import pytest

from evalkit.paths import SAMPLE_CONFIG
from evalkit.privacy.suppression import SuppressionPolicy
from evalkit.report import narrative, sections
from evalkit.report.data import BUNDLE_ENV, open_report, prepare_bundle
from evalkit.report.easy_read import _pct_words, easy_read_lines

POLICY = SuppressionPolicy()


@pytest.fixture(scope="module")
def report():
    return open_report(SAMPLE_CONFIG)


@pytest.mark.parametrize("n,words", [(0, "no one"), (5, "fewer than 8 people"), (80, "80 people"),
                                     (257, "about 255 people"), (12, "about 10 people")])
def test_people_follows_nhs_digital_rounding(n, words):
    assert narrative.people(n, POLICY) == words


def test_principles_sentences_name_top_and_bottom_without_claiming_most_at_zero():
    shares = pd.DataFrame({"item": ["a", "b"], "label": ["Power was shared", "I was paid"],
                           "n": [40, 40], "agree": [30, 10], "pct": [75.0, 25.0]})
    top, bottom = narrative.principles_sentences(shares)
    assert top == 'The most people agreed with "Power was shared": 75%.'
    assert bottom == 'The fewest people agreed with "I was paid": 25%.'
    zero = shares.assign(pct=[0.0, 0.0])
    assert narrative.principles_sentences(zero) == ["No one agreed with any of the statements."]
    hidden = shares.assign(pct=[None, None])
    assert "Too few" in narrative.principles_sentences(hidden)[0]
    tie = shares.assign(pct=[50.0, 50.0])
    assert narrative.principles_sentences(tie) == ["The same share of people, 50%, agreed with every question."]
    one_hidden = pd.concat([shares, shares.head(1).assign(item="c", label="Hidden", pct=None)])
    assert "(of the 2 questions with enough answers to show)" in narrative.principles_sentences(one_hidden)[0]
    rated = narrative.principles_sentences(shares, 'answered "Very good" or "Good"')
    assert rated[0] == 'The most people answered "Very good" or "Good" to "Power was shared": 75%.'


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


@pytest.mark.parametrize("pct,words", [(None, "some people"), (80, "most people"), (60, "more than half of people"),
                                       (50, "about half of people"), (30, "some people"), (10, "only a few people")])
def test_easy_read_percentages_in_words(pct, words):
    assert _pct_words(pct) == words


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
    # P08 has about 8 respondents: too few agree/disagree counts to publish a percentage.
    lines = sections.project_summary(report, "P08")
    assert not any("%" in line for line in lines), lines
    assert any(line.startswith("Too few") for line in lines), lines


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

"""The coding panel's widgets, driven through their values and buttons as a browser would."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from evalkit.errors import ConfigError
from evalkit.panel import widget as widget_module
from evalkit.panel.store import CoderStore, StoreError
from evalkit.panel.widget import CodingPanel

Q1, Q2 = "What worked well?", "What could be better?"
CODEBOOK = [
    SimpleNamespace(id="knowledge", name="Respecting knowledge", parent=None, definition="Valuing lived experience."),
    SimpleNamespace(id="feeling_heard", name="Feeling heard", parent="knowledge", definition="People felt listened to."),
    SimpleNamespace(id="jargon", name="Jargon", parent="knowledge", definition="Language was hard to follow."),
    SimpleNamespace(id="venue", name="Venue access", parent=None, definition="Getting into the room."),
]


def _answers():
    return pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4"],
            "respondent_id": ["secret-person-1", "secret-person-2", "secret-person-3", "secret-person-4"],
            "question": [Q1, Q1, Q2, Q2],
            "project": ["P01", "P02", "P01", "P02"],
            "text": ["They listened to us", "No ramp <script>alert(1)</script>", "Less jargon", "More time"],
        }
    )


def _panel(tmp_path, coder="AS", **kwargs):
    return CodingPanel(_answers(), CODEBOOK, coder, tmp_path, **kwargs)


def _all_html(panel):
    return " ".join(w.value for w in (panel._progress, panel._answer, panel._suggested,
                                      panel._others, panel._status))


def test_ticking_a_box_is_on_disk_before_the_next_click(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes["feeling_heard"].value = True
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).themes == {"feeling_heard"}
    panel._boxes["feeling_heard"].value = False
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).themes == set()
    assert "Unticked “Feeling heard”" in panel._status.value


def test_only_leaf_themes_are_boxes_with_definitions_as_tooltips(tmp_path):
    panel = _panel(tmp_path)
    assert list(panel._boxes) == ["feeling_heard", "jargon", "venue"]
    assert panel._boxes["jargon"].tooltip == "Language was hard to follow."
    assert all(b.description and b.tooltip for b in
               (panel._previous_button, panel._skip_button, panel._next_button))


def test_next_marks_coded_and_progress_counts(tmp_path):
    panel = _panel(tmp_path)
    assert "0 of 4 coded" in panel._progress.value
    panel._boxes["feeling_heard"].value = True
    panel._next_button.click()
    assert panel.current.response_id == "R2"
    assert "1 of 4 coded" in panel._progress.value
    assert "Answer 2 of 4 shown" in panel._progress.value
    assert panel._boxes["feeling_heard"].value is False  # the new answer starts clear


def test_skip_leaves_uncoded_and_previous_goes_back_with_codes_shown(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes["feeling_heard"].value = True
    panel._skip_button.click()
    assert panel.progress_text == "0 of 4 coded"
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).status == "skipped"
    panel._previous_button.click()
    assert panel.current.response_id == "R1"
    assert panel._boxes["feeling_heard"].value is True
    panel._previous_button.click()
    assert "first answer" in panel._status.value


def test_memo_is_saved_and_shown_again(tmp_path):
    panel = _panel(tmp_path)
    panel._memo.value = "about being listened to"
    panel._next_button.click()
    panel._previous_button.click()
    assert panel._memo.value == "about being listened to"
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).memo == "about being listened to"


def test_reopening_resumes_at_the_first_unfinished_answer(tmp_path):
    panel = _panel(tmp_path)
    for _ in range(2):
        panel._boxes["venue"].value = True
        panel._next_button.click()
    panel._boxes["jargon"].value = True  # ticked on R3 but not finished
    reopened = _panel(tmp_path)
    assert reopened.current.response_id == "R3"
    assert reopened._boxes["jargon"].value is True


def test_last_answer_stays_put_and_says_so(tmp_path):
    panel = _panel(tmp_path)
    panel.go_to(4)
    panel._next_button.click()
    assert panel.current.response_id == "R4"
    assert "last answer" in panel._status.value


def test_answer_text_is_escaped_and_identity_never_shown(tmp_path):
    panel = _panel(tmp_path)
    panel.go_to(2)
    assert "<script>" not in panel._answer.value
    assert "&lt;script&gt;" in panel._answer.value
    for number in range(1, 5):
        panel.go_to(number)
        assert "secret-person" not in _all_html(panel)


def test_filters_by_project_question_theme_and_uncoded(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes["feeling_heard"].value = True
    panel._next_button.click()
    panel._project.value = "P02"
    assert [a.response_id for a in panel.visible] == ["R2", "R4"]
    panel._project.value = ""
    panel._question.value = Q2
    assert [a.response_id for a in panel.visible] == ["R3", "R4"]
    panel._question.value = ""
    panel._theme.value = "knowledge"  # a parent finds answers coded with its children
    assert [a.response_id for a in panel.visible] == ["R1"]
    panel._theme.value = ""
    panel._uncoded.value = True
    assert [a.response_id for a in panel.visible] == ["R2", "R3", "R4"]
    assert "3 answers match" in panel._status.value


def test_filters_matching_nothing_disable_the_controls(tmp_path):
    panel = _panel(tmp_path)
    panel._theme.value = "venue"
    assert panel.current is None
    assert panel._next_button.disabled and panel._boxes["venue"].disabled
    assert "No answers match" in panel._answer.value


def test_suggestions_are_shown_marked_and_never_pre_ticked(tmp_path):
    suggestions = pd.DataFrame({"response_id": ["R1", "R1"], "theme_id": ["feeling_heard", "venue"],
                                "probability": [0.83, 0.1]})
    panel = _panel(tmp_path, suggestions=suggestions)
    assert "Computer suggestions" in panel._suggested.value
    assert "not ticked" in panel._suggested.value
    assert "Feeling heard (83%)" in panel._suggested.value
    assert "Venue access" not in panel._suggested.value
    assert not any(box.value for box in panel._boxes.values())
    assert CoderStore(tmp_path, "AS").keys() == []


def test_most_useful_order_starts_with_the_least_certain_answer(tmp_path):
    suggestions = pd.DataFrame({"response_id": ["R1", "R2", "R3", "R4"], "theme_id": ["venue"] * 4,
                                "probability": [0.99, 0.6, 0.51, 0.05]})
    panel = _panel(tmp_path, order="most_useful", suggestions=suggestions)
    assert [a.response_id for a in panel.answers] == ["R3", "R2", "R4", "R1"]
    assert panel.current.response_id == "R3"


def test_random_order_is_the_same_for_the_same_seed(tmp_path):
    first = _panel(tmp_path / "a", order="random", seed=11)
    second = _panel(tmp_path / "b", order="random", seed=11)
    assert first.answers == second.answers


def test_most_useful_without_suggestions_says_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="needs classifier suggestions"):
        _panel(tmp_path, order="most_useful")


def test_blind_mode_never_reads_other_coders(tmp_path, monkeypatch):
    other = _panel(tmp_path, coder="BT")
    other._boxes["jargon"].value = True

    def forbidden(*args, **kwargs):
        raise AssertionError("blind panel read another coder's file")

    monkeypatch.setattr(widget_module, "other_coders_codes", forbidden)
    panel = _panel(tmp_path, coder="AS")
    panel._next_button.click()
    panel._previous_button.click()
    assert "Jargon" not in _all_html(panel)
    assert panel._boxes["jargon"].value is False
    assert list(panel.codes_frame()["coder"]) == []


def test_unblinded_panel_shows_other_coders(tmp_path):
    other = _panel(tmp_path, coder="BT")
    other._boxes["jargon"].value = True
    panel = _panel(tmp_path, coder="AS", blind=False)
    assert "BT: Jargon" in panel._others.value
    assert panel._boxes["jargon"].value is False


def test_a_failed_save_unticks_the_box_and_says_why(tmp_path, monkeypatch):
    panel = _panel(tmp_path)

    def full_disk(*args):
        raise StoreError("codes.jsonl: cannot save your click (No space left on device)")

    monkeypatch.setattr(panel.store, "tick", full_disk)
    panel._boxes["venue"].value = True
    assert panel._boxes["venue"].value is False
    assert "role='alert'" in panel._status.value
    assert "No space left on device" in panel._status.value


def test_codes_frame_matches_the_clicks(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes["feeling_heard"].value = True
    panel._boxes["jargon"].value = True
    panel._next_button.click()
    panel._next_button.click()  # R2: coded, no theme applies
    frame = panel.codes_frame(include_empty=True)
    assert frame[["response_id", "theme_id"]].fillna("-").values.tolist() == [
        ["R1", "feeling_heard"], ["R1", "jargon"], ["R2", "-"]]


def test_jump_box_moves_to_an_answer(tmp_path):
    panel = _panel(tmp_path)
    panel._jump.value = 3
    assert panel.current.response_id == "R3"


def test_opening_the_panel_compacts_a_long_journal(tmp_path):
    store = CoderStore(tmp_path, "AS")
    for _ in range(110):
        store.tick("R1", Q1, "venue")
        store.untick("R1", Q1, "venue")
    store.tick("R1", Q1, "jargon")
    panel = _panel(tmp_path)
    assert len(panel.store.path.read_text(encoding="utf-8").splitlines()) == 2
    assert panel._boxes["jargon"].value is True


def test_when_no_suggestion_is_likely_the_closest_is_named(tmp_path):
    suggestions = pd.DataFrame({"response_id": ["R1", "R1"], "theme_id": ["feeling_heard", "venue"],
                                "probability": [0.3, 0.42]})
    panel = _panel(tmp_path, suggestions=suggestions)
    assert "no theme is likely; the closest is Venue access (42%)" in panel._suggested.value


def test_filtering_on_an_unknown_theme_names_the_known_ones(tmp_path):
    with pytest.raises(ConfigError, match="theme 'venu' is not in the codebook; use one of: knowledge"):
        _panel(tmp_path).set_filters(theme="venu")

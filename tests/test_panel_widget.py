"""The coding panel's widgets, driven through their values and buttons as a browser would."""
from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
import pytest

from evalkit.errors import ConfigError
from evalkit.panel import widget as widget_module
from evalkit.errors import StoreError
from evalkit.panel.store import CoderStore
from evalkit.panel.themes import NONE_OF_THESE
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


class _Titles(HTMLParser):
    """Collects (title attribute, text inside) of each element in a snippet of HTML."""

    def __init__(self):
        super().__init__()
        self.found, self._open = [], []

    def handle_starttag(self, tag, attrs):
        self._open.append([dict(attrs).get("title"), ""])

    def handle_data(self, data):
        for item in self._open:
            item[1] += data

    def handle_endtag(self, tag):
        self.found.append(tuple(self._open.pop()))


def _hover(box):
    """What hovering a theme's name shows, and the name: (title, text) of its description."""
    parser = _Titles()
    parser.feed(box.description)
    return parser.found[0]


def test_only_leaf_themes_are_boxes_and_hovering_a_name_shows_its_definition(tmp_path):
    panel = _panel(tmp_path)
    assert list(panel._boxes) == ["feeling_heard", "jargon", "venue", NONE_OF_THESE]
    assert _hover(panel._boxes["jargon"]) == ("Language was hard to follow.", "Jargon")
    assert _hover(panel._boxes[NONE_OF_THESE])[1] == "None of these fits"
    # ipywidgets#2948: a Checkbox tooltip would leave the raw description in the input's title
    assert all(box.description_allow_html and not box.tooltip for box in panel._boxes.values())
    assert all(b.description and b.tooltip for b in
               (panel._previous_button, panel._skip_button, panel._next_button))


def test_names_and_definitions_are_escaped_in_the_hover_markup(tmp_path):
    book = [SimpleNamespace(id="odd", name="<b>Odd</b> & 'quoted'", parent=None,
                            definition='Says "no" <script>x</script>')]
    panel = CodingPanel(_answers(), book, "AS", tmp_path)
    assert _hover(panel._boxes["odd"]) == ('Says "no" <script>x</script>', "<b>Odd</b> & 'quoted'")
    assert "<script>" not in panel._boxes["odd"].description


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
    panel._boxes["feeling_heard"].value = True
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
    panel._boxes["venue"].value = True
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
    panel._boxes[NONE_OF_THESE].value = True
    panel._next_button.click()  # R2: coded, no theme fits
    frame = panel.codes_frame(include_empty=True)
    assert frame[["response_id", "theme_id"]].values.tolist() == [
        ["R1", "feeling_heard"], ["R1", "jargon"], ["R2", NONE_OF_THESE]]


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


# ---- "None of these fits" --------------------------------------------------------------------

def test_done_with_nothing_ticked_is_refused_and_the_answer_stays_uncoded(tmp_path):
    panel = _panel(tmp_path)
    panel._next_button.click()
    assert panel.current.response_id == "R1"
    assert "role='alert'" in panel._status.value and "None of these fits" in panel._status.value
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).status == "open"
    assert panel.progress_text == "0 of 4 coded"


def test_none_of_these_fits_is_its_own_code_distinct_from_not_coded(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes[NONE_OF_THESE].value = True
    panel._next_button.click()
    store = CoderStore(tmp_path, "AS")
    assert store.codes("R1", Q1).themes == {NONE_OF_THESE} and store.is_done("R1", Q1)
    assert store.codes("R2", Q1).themes == set() and not store.is_done("R2", Q1)
    assert panel.codes_frame(include_empty=True)["theme_id"].tolist() == [NONE_OF_THESE]
    panel._theme.value = NONE_OF_THESE  # and it can be filtered on
    assert [a.response_id for a in panel.visible] == ["R1"]


def test_none_of_these_and_the_themes_exclude_each_other(tmp_path):
    panel = _panel(tmp_path)
    panel._boxes["feeling_heard"].value = True
    panel._boxes["jargon"].value = True
    panel._boxes[NONE_OF_THESE].value = True
    assert [t for t, box in panel._boxes.items() if box.value] == [NONE_OF_THESE]
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).themes == {NONE_OF_THESE}
    assert "and unticked “Feeling heard”, “Jargon”" in panel._status.value
    panel._boxes["venue"].value = True
    assert [t for t, box in panel._boxes.items() if box.value] == ["venue"]
    assert CoderStore(tmp_path, "AS").codes("R1", Q1).themes == {"venue"}
    assert "and unticked “None of these fits”" in panel._status.value


def test_a_failed_save_shows_every_box_as_saved(tmp_path, monkeypatch):
    panel = _panel(tmp_path)
    panel._boxes["jargon"].value = True

    def full_disk(*args):
        raise StoreError("codes.jsonl: cannot save your click (No space left on device)")

    monkeypatch.setattr(panel.store, "tick", full_disk)
    panel._boxes[NONE_OF_THESE].value = True  # "jargon" was unticked on disk before the tick failed
    saved = CoderStore(tmp_path, "AS").codes("R1", Q1).themes
    assert {t for t, box in panel._boxes.items() if box.value} == saved == set()


# ---- adding a theme --------------------------------------------------------------------------

def test_an_added_theme_is_a_new_box_at_once_ticked_and_recorded_with_coder_and_time(tmp_path):
    panel = _panel(tmp_path)
    panel._new_name.value = "Peer support"
    panel._new_definition.value = "Help from people who have been there."
    panel._add_button.click()
    assert list(panel._boxes)[-1] == "peer_support"
    assert panel._boxes["peer_support"].value is True
    assert _hover(panel._boxes["peer_support"]) == ("Help from people who have been there.", "Peer support")
    assert "Added the theme “Peer support” and ticked it" in panel._status.value
    assert (panel._new_name.value, panel._new_definition.value) == ("", "")
    added_column = panel._groups["Themes added while coding"]
    assert panel._themes_box.children[-1] is added_column and added_column.children[-1] is panel._boxes["peer_support"]
    assert "Peer support" in panel._definitions.value
    assert ("Peer support", "peer_support") in panel._theme.options
    added = panel.themes_added()
    assert added[["theme_id", "name", "coder"]].values.tolist() == [["peer_support", "Peer support", "AS"]]
    assert datetime.fromisoformat(added.loc[0, "when"]).utcoffset().total_seconds() == 0
    assert panel.codes_frame()[["response_id", "theme_id"]].values.tolist() == [["R1", "peer_support"]]


def test_added_themes_come_back_when_the_panel_is_reopened(tmp_path):
    panel = _panel(tmp_path)
    panel.add_theme("Peer support", "Help from peers.")
    panel._next_button.click()
    reopened = _panel(tmp_path)
    assert "peer_support" in reopened._boxes
    reopened.previous()
    assert reopened.current.response_id == "R1" and reopened._boxes["peer_support"].value is True
    assert "peer_support" not in _panel(tmp_path, coder="BT")._boxes  # each coder's own


def test_adding_without_ticking_or_with_no_answer_on_screen(tmp_path):
    panel = _panel(tmp_path)
    panel.add_theme("Food", "Tea and cake.", tick=False)
    assert panel._boxes["food"].value is False
    panel._theme.value = "venue"  # nothing matches: no answer on screen
    panel.add_theme("Parking", "Getting a space.")
    assert panel._boxes["parking"].disabled and panel._boxes["parking"].value is False


@pytest.mark.parametrize(
    "name, definition, message",
    [
        ("jargon", "Hard words.", "the codebook already has a theme called “Jargon” \\(jargon\\)"),
        ("Respecting  KNOWLEDGE", "Parent.", "the codebook already has a theme called “Respecting knowledge”"),
        ("Peer support", "Again.", "you already added a theme called “Peer support”"),
        ("New thing", " ", "has no definition"),
        ("", "Something.", "has no name"),
    ],
)
def test_a_theme_that_exists_or_lacks_a_name_or_definition_is_refused_in_the_status_line(
        tmp_path, name, definition, message):
    panel = _panel(tmp_path)
    panel.add_theme("Peer support", "Help from peers.")
    boxes = list(panel._boxes)
    panel._new_name.value, panel._new_definition.value = name, definition
    panel._add_button.click()
    assert "role='alert'" in panel._status.value
    assert re.search(message, panel._status.value)
    assert list(panel._boxes) == boxes
    assert panel._new_name.value == name  # kept, so the coder can fix it
    with pytest.raises(ConfigError, match=message):
        panel.add_theme(name, definition)


# ---- blank answers ---------------------------------------------------------------------------

def test_blank_answers_are_not_queued(tmp_path):
    answers = _answers()
    answers.loc[1, "text"] = pd.NA
    answers.loc[2, "text"] = "   "
    panel = CodingPanel(answers, CODEBOOK, "AS", tmp_path)
    assert [a.response_id for a in panel.answers] == ["R1", "R4"]
    assert panel.blank_answers == 2
    assert panel.progress_text == "0 of 2 coded"

"""The coding panel's codebook adapter: grouping, descendants and the small theme protocol."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from evalkit.errors import CodebookError, ConfigError
from evalkit.panel.themes import NONE_OF_THESE, PanelCodebook, PanelTheme, added_theme_id


def _theme(id, name, parent=None, definition=""):
    return SimpleNamespace(id=id, name=name, parent=parent, definition=definition)


def test_plain_iterable_of_themes_groups_leaves_under_parents():
    book = PanelCodebook([
        _theme("power", "Power"),
        _theme("decisions", "Decisions", "power", "Who decided"),
        _theme("say", "Having a say", "power"),
        _theme("money", "Money"),
    ])
    assert [(g.heading.id, [t.id for t in g.themes]) for g in book.groups] == [
        ("power", ["decisions", "say"]), ("money", ["money"])]
    assert book.leaf_ids == ["decisions", "say", "money"]
    assert book.descendants("power") == {"power", "decisions", "say"}
    assert book.name("say") == "Having a say"
    assert book.name("gone") == "gone"


def test_guidance_joins_definition_and_use_when():
    theme = SimpleNamespace(id="a", name="A", parent=None, definition="Means A.",
                            use_when="they say A", not_when="")
    assert PanelCodebook([theme]).themes["a"].guidance == "Means A. Use when: they say A"


def test_the_default_codebook_gives_the_documented_groups():
    from evalkit.coding.codebook import load_codebook

    book = PanelCodebook(load_codebook("default"))
    groups = {g.heading.id: [t.id for t in g.themes] for g in book.groups}
    # DEVELOPERS.md, "Theme ids (default co-production codebook)"
    assert groups["including_all_perspectives"] == [
        "diversity_of_voices", "accessibility_venue", "accessibility_online"]
    assert groups["practicalities"] == ["time_resources", "organisation_communication"]
    assert len(book.leaf_ids) == 12


@pytest.mark.parametrize(
    "themes, message",
    [
        ([], "no themes"),
        ([_theme("a", "A"), _theme("a", "Again")], "used twice"),
        ([_theme("a", "A", parent="zz")], "parent 'zz' is not a theme"),
        ([_theme("a", "")], "needs an `id` and a `name`"),
    ],
)
def test_bad_codebooks_are_refused_with_the_fix(themes, message):
    with pytest.raises(CodebookError, match=message):
        PanelCodebook(themes)


@pytest.mark.parametrize(
    "name, theme_id",
    [
        ("Peer support", "peer_support"),
        ("  PEER   Support ", "peer_support"),
        ("Café culture & tea!", "cafe_culture_tea"),
        ("24/7 helpline", "theme_24_7_helpline"),
        ("A" * 60, "a" * 40),
    ],
)
def test_added_theme_ids_are_valid_codebook_ids_made_from_the_name(name, theme_id):
    assert added_theme_id(name) == theme_id
    assert re.fullmatch(r"[a-z][a-z0-9_]*", theme_id)


def test_a_name_without_letters_or_digits_still_gets_a_stable_id():
    assert re.fullmatch(r"theme_[0-9a-f]{6}", added_theme_id("???"))
    assert added_theme_id("???") == added_theme_id(" ??? ")
    assert added_theme_id("???") != added_theme_id("!!!")


def test_a_blank_name_is_refused():
    with pytest.raises(ConfigError, match="has no name"):
        added_theme_id("   ")


def test_none_of_these_can_never_be_a_codebook_id():
    from evalkit.coding.codebook import THEME_ID_RE

    assert not THEME_ID_RE.match(NONE_OF_THESE)


def test_added_themes_are_codable_under_their_own_heading_and_found_by_name():
    book = PanelCodebook([_theme("power", "Power"), _theme("say", "Having a say", "power")])
    book.add(PanelTheme("peer", "Peer support", None, "Help from peers."), "Added")
    book.add(PanelTheme("food", "Food", None, "Tea and cake."), "Added")
    assert [(g.heading.name, [t.id for t in g.themes]) for g in book.groups] == [
        ("Power", ["say"]), ("Added", ["peer", "food"])]
    assert book.leaf_ids == ["say", "peer", "food"]
    assert book.descendants("peer") == {"peer"}
    assert book.find_name("  peer SUPPORT") is book.themes["peer"]
    assert book.find_name("Power").id == "power"
    assert book.find_name("nothing like it") is None
    with pytest.raises(CodebookError, match="already in the codebook"):
        book.add(PanelTheme("say", "Say again", None, ""), "Added")

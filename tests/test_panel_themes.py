"""The coding panel's codebook adapter: grouping, descendants and the small theme protocol."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from evalkit.errors import CodebookError
from evalkit.panel.themes import PanelCodebook


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

"""Codebook model, YAML loading/saving and validation messages."""
from __future__ import annotations

import re

import pytest

from evalkit.coding.codebook import Codebook, Theme, codebook_from_dict, dump_yaml, load_codebook, save_codebook
from evalkit.errors import CodebookError

PARENTS = {
    "sharing_power": ["power_decision_making"],
    "including_all_perspectives": ["diversity_of_voices", "accessibility_venue", "accessibility_online"],
    "respecting_valuing_knowledge": ["feeling_heard", "jargon_language"],
    "reciprocity": ["payment_recognition", "impact_change"],
    "building_relationships": ["relationships_trust", "safe_spaces"],
    "practicalities": ["time_resources", "organisation_communication"],
}


def write(tmp_path, text, name="cb.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_codebook_has_exactly_the_documented_ids():
    cb = load_codebook("default")
    assert cb.roots() == list(PARENTS)
    for parent, leaves in PARENTS.items():
        assert cb.children(parent) == leaves
    assert sorted(cb.leaves()) == sorted(l for ls in PARENTS.values() for l in ls)
    for leaf in cb.leaves():
        theme = cb[leaf]
        assert theme.definition and theme.use_when and theme.not_when
        assert len(theme.examples) >= 3
        assert len(theme.patterns) >= 20


def test_hierarchy_queries():
    cb = Codebook([Theme("a", "A"), Theme("b", "B", parent="a"), Theme("c", "C", parent="b")])
    assert cb.ancestors("c") == ["b", "a"]
    assert cb.children("a") == ["b"]
    assert cb.leaves() == ["c"]
    assert cb.roots() == ["a"]
    with pytest.raises(KeyError):
        cb.children("zzz")


def test_content_hash_is_canonical_and_content_sensitive():
    a = Codebook([Theme("a", "A", patterns=("x",))], version="2")
    b = Codebook([Theme("a", "A", patterns=("x",))], version="2", source="elsewhere.yml")
    c = Codebook([Theme("a", "A", patterns=("y",))], version="2")
    assert re.fullmatch(r"[0-9a-f]{64}", a.content_hash)
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_yaml_round_trip_is_byte_identical(tmp_path):
    cb = load_codebook("default")
    first = save_codebook(cb, tmp_path / "one.yml").read_bytes()
    again = load_codebook(tmp_path / "one.yml")
    assert again == cb
    assert again.content_hash == cb.content_hash
    assert save_codebook(again, tmp_path / "two.yml").read_bytes() == first


def test_to_frame_and_html():
    cb = load_codebook()
    frame = cb.to_frame()
    assert list(frame["id"]) == list(cb.themes)
    assert frame.set_index("id").loc["feeling_heard", "depth"] == 1
    assert bool(frame.set_index("id").loc["sharing_power", "is_leaf"]) is False
    html = cb._repr_html_()
    assert "<caption>Co-production feedback" in html
    assert "<code>feeling_heard</code>" in html
    assert html.index("Sharing power") < html.index("Power in decision making")


@pytest.mark.parametrize(
    "body, message",
    [
        ("themes:\n- {id: a, name: A}\n- {id: a, name: B}\n",
         r"cb\.yml: theme 2 \(id 'a'\): duplicate id 'a' \(also theme 1\)"),
        ("themes:\n- {id: a, name: A, parent: b}\n- {id: b, name: B, parent: a}\n",
         r"cb\.yml: theme 'a': parent cycle a -> b -> a"),
        ("themes:\n- {id: a, name: A, parent: a}\n", r"theme 'a': parent cycle a -> a"),
        ("themes:\n- {id: a, name: A, parent: nowhere}\n",
         r"cb\.yml: theme 'a': unknown parent 'nowhere'; use the id of another theme"),
        ("themes:\n- {id: a, name: A, patterns: ['re:(unclosed']}\n",
         r"cb\.yml: theme 1 \(id 'a'\): invalid regular expression 're:\(unclosed'"),
        ("themes:\n- {id: a, name: '  '}\n", r"cb\.yml: theme 1 \(id 'a'\): empty name"),
        ("themes:\n- {id: a}\n", r"theme 1 \(id 'a'\): empty name"),
        ("themes:\n- {id: Bad Id, name: A}\n", r"id must be lower-case letters, digits and underscores"),
        ("themes:\n- {name: A}\n", r"cb\.yml: theme 1: missing 'id'"),
        ("themes:\n- {id: a, name: A, colour: red}\n", r"theme 1 \(id 'a'\): unknown key\(s\) colour"),
        ("themes: []\n", r"cb\.yml: the codebook has no themes"),
        ("name: x\n", r"cb\.yml: expected a mapping with a 'themes:' list"),
        ("themes: [\n", r"cb\.yml: not valid YAML"),
        ("themes:\n- {id: a, name: A, patterns: ['']}\n", r"theme 1 \(id 'a'\): empty pattern"),
    ],
)
def test_bad_codebooks_name_file_and_theme(tmp_path, body, message):
    with pytest.raises(CodebookError, match=message):
        load_codebook(write(tmp_path, body))


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(CodebookError, match=r"nope\.yml: codebook file not found"):
        load_codebook(tmp_path / "nope.yml")
    with pytest.raises(CodebookError, match=r"unknown codebook type '\.txt'"):
        load_codebook(write(tmp_path, "x", name="cb.txt"))


def test_with_theme_validates_and_keeps_original():
    cb = load_codebook()
    bigger = cb.with_theme(Theme("food", "Food and drink", parent="practicalities", patterns=("biscuit",)))
    assert "food" in bigger and "food" not in cb
    with pytest.raises(CodebookError, match="duplicate id 'food'"):
        bigger.with_theme(Theme("food", "Again"))


def test_dump_yaml_leaves_out_empty_fields():
    text = dump_yaml(codebook_from_dict({"version": 3, "themes": [{"id": "a", "name": "A"}]}))
    assert text == "version: '3'\nname: Codebook\nthemes:\n- id: a\n  name: A\n"

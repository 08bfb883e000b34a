"""REFI-QDA .qdc codebook exchange."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
from lxml import etree

from evalkit.coding.codebook import Codebook, Theme, load_codebook, save_codebook
from evalkit.coding.qdc import EVALKIT_NAMESPACE, NS, read_qdc, theme_guid
from evalkit.errors import CodebookError

# Shape of a .qdc exported by ATLAS.ti 23 (as published in the REFI-QDA examples): upper-case
# GUIDs, a colour attribute and Sets that evalkit ignores.
ATLAS_TI = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" origin="ATLAS.ti Win 23.4.0"
          xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Travel" color="#46AA00" isCodable="true">
      <Description>Getting to meetings</Description>
      <Code guid="{2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}" name="Buses" isCodable="true"/>
    </Code>
  </Codes>
  <Sets>
    <Set name="group" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">
      <MemberCode guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" />
    </Set>
  </Sets>
</CodeBook>
"""


def test_yaml_to_qdc_to_yaml_round_trip(tmp_path):
    cb = load_codebook()
    qdc = save_codebook(cb, tmp_path / "cb.qdc")
    back = load_codebook(qdc)
    assert [t.to_dict() for t in back.themes.values()] == [t.to_dict() for t in cb.themes.values()]
    save_codebook(back, tmp_path / "back.yml")
    assert load_codebook(tmp_path / "back.yml").themes == cb.themes


def test_export_is_byte_identical_and_structured(tmp_path):
    cb = load_codebook()
    one = save_codebook(cb, tmp_path / "one.qdc").read_bytes()
    two = save_codebook(load_codebook(), tmp_path / "two.qdc").read_bytes()
    assert one == two
    root = etree.fromstring(one)
    assert root.tag == f"{{{NS}}}CodeBook"
    top = root.findall(f"{{{NS}}}Codes/{{{NS}}}Code")
    assert [c.get("name") for c in top][0] == "Sharing power"
    assert top[0].get("isCodable") == "false"
    child = top[0].find(f"{{{NS}}}Code")
    assert child.get("name") == "Power in decision making" and child.get("isCodable") == "true"
    assert child.get("guid") == str(uuid.uuid5(EVALKIT_NAMESPACE, "power_decision_making")).upper()


def test_custom_ids_survive_when_known_or_slug(tmp_path):
    cb = Codebook([Theme("travel", "Travel"), Theme("bus_x", "Buses", parent="travel", definition="d")])
    path = save_codebook(cb, tmp_path / "c.qdc")
    assert list(read_qdc(path, known_ids=[]).themes) == ["travel", "buses"]
    assert list(read_qdc(path, known_ids=["bus_x"]).themes) == ["travel", "bus_x"]


def test_reads_other_tools_files(tmp_path):
    path = tmp_path / "atlas.qdc"
    path.write_text(ATLAS_TI, encoding="utf-8")
    cb = load_codebook(path)
    assert list(cb.themes) == ["travel", "buses"]
    assert cb["buses"].parent == "travel"
    assert cb["travel"].definition == "Getting to meetings"


@pytest.mark.parametrize("xml, message", [
    ("<CodeBook xmlns='urn:other'><Codes/></CodeBook>", r"root element is 'CodeBook' in namespace 'urn:other'"),
    (f"<CodeBook xmlns='{NS}'/>", r"must contain exactly one <Codes>"),
    (f"<CodeBook xmlns='{NS}'><Codes><Code guid='x' name='A' isCodable='true'/></Codes></CodeBook>",
     r"x\.qdc:1: <Code name='A'> needs a guid"),
    (f"<CodeBook xmlns='{NS}'><Codes><Code guid='{theme_guid('a')}' name='' isCodable='true'/></Codes></CodeBook>",
     r"has an empty name"),
    (f"<CodeBook xmlns='{NS}'><Codes><Code guid='{theme_guid('a')}' name='A'/></Codes></CodeBook>",
     r"needs isCodable"),
    (f"<CodeBook xmlns='{NS}'><Codes><Code guid='{theme_guid('a')}' name='A' isCodable='true'>"
     f"<Code guid='{theme_guid('b')}' name='B' isCodable='true'/><Description>d</Description></Code></Codes></CodeBook>",
     r"<Description> of 'A' must come before"),
    ("<CodeBook", r"not well-formed XML"),
])
def test_structural_validation(tmp_path, xml, message):
    path = tmp_path / "x.qdc"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        load_codebook(path)


# --- round trips through other tools (fixtures/refi_qda/README.md says where each file comes from) ---

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from evalkit.coding.refi_codes import PALETTE, ThemeMatcher, export_names  # noqa: E402
from evalkit.paths import SAMPLE_DIR  # noqa: E402

QDC = Path(__file__).parent / "fixtures" / "refi_qda" / "qdc"


def test_qualcoder_export_with_new_guids_keeps_every_theme_id():
    """QualCoder gives every code a new GUID; names and parents still find the themes."""
    cb = load_codebook(QDC / "qualcoder-evalkit-default.qdc")
    default = load_codebook()
    # The fixture was exported before the default codebook's patterns were rewritten for real
    # feedback (issue 14); everything else about every theme must come back unchanged.
    def without_patterns(themes):
        return {k: dataclasses.replace(t, patterns=()) for k, t in themes.items()}
    assert without_patterns(cb.themes) == without_patterns(default.themes)
    truth = pd.read_csv(SAMPLE_DIR / "ground_truth_themes.csv")
    assert truth["theme_id"].isin(list(cb.themes)).mean() == 1.0


def test_shared_names_are_written_apart_and_come_back_from_qualcoder(tmp_path):
    cb = Codebook([Theme("access", "Access"), Theme("venue_access", "Venue", parent="access", definition="Getting into the building."),
                   Theme("online", "Online meetings"), Theme("venue_online", "Venue", parent="online",
                                                              definition="The video call platform.")])
    root = etree.fromstring(save_codebook(cb, tmp_path / "d.qdc").read_bytes())
    names = sorted(c.get("name") for c in root.iter(f"{{{NS}}}Code"))
    assert names == ["Access", "Online meetings", "Venue (Access)", "Venue (Online meetings)"]
    with pytest.warns(UserWarning, match="'Venue' \\(Access > Venue, Online meetings > Venue\\)"):
        back = read_qdc(QDC / "qualcoder-duplicate-names.qdc", codebook=cb)
    assert back.themes == cb.themes


def test_reading_shared_names_warns(tmp_path):
    # NVivo exports keep the same code name under several parents (lower-case GUIDs, no colours)
    xml = f"""<CodeBook xmlns="{NS}" origin="NVivo 14"><Codes>
      <Code guid="34653336-3766-3235-6466-363134396437" name="competencies" isCodable="true">
        <Code guid="36636563-3863-6264-3638-303637613863" name="programming" isCodable="true"/></Code>
      <Code guid="63353330-6332-6266-6232-353531396539" name="cs_as_programming" isCodable="true">
        <Code guid="36633863-3866-3131-3064-373330303936" name="programming" isCodable="true"/></Code>
    </Codes></CodeBook>"""
    path = tmp_path / "nvivo.qdc"
    path.write_text(xml, encoding="utf-8")
    with pytest.warns(UserWarning, match=r"'programming' \(competencies > programming, cs_as_programming > programming\)"):
        cb = read_qdc(path)
    assert list(cb.themes) == ["competencies", "programming", "cs_as_programming", "programming_2"]
    assert export_names(cb)["programming_2"] == "programming (cs_as_programming)"


@pytest.mark.parametrize("namespace", ["urn:QDA-XML:codebook:0:4", "urn:QDA-XML:codebook:1:0"])
def test_other_codebook_namespaces_are_read_with_a_warning(tmp_path, namespace):
    # ATLAS.ti Win 23.4 has written xmlns="urn:QDA-XML:codebook:0:4"
    path = tmp_path / "atlas.qdc"
    path.write_text(ATLAS_TI.replace('xmlns="urn:QDA-XML:codebook:1.0"', f'xmlns="{namespace}"'), encoding="utf-8")
    with pytest.warns(UserWarning, match="not REFI-QDA 1.0"):
        cb = load_codebook(path)
    assert list(cb.themes) == ["travel", "buses"]


def test_codes_match_by_name_path_then_unique_name_before_new_ids():
    default = load_codebook()
    matcher = ThemeMatcher(default)
    path = matcher.match("{0FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}", "feeling heard and VALUED",
                         ("Respecting and valuing all knowledge", "Feeling heard and valued"))
    assert (path.theme_id, path.rule) == ("feeling_heard", "path")
    moved = matcher.match("1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "Safe and welcoming spaces", ("Elsewhere", "Safe and welcoming spaces"))
    assert (moved.theme_id, moved.rule) == ("safe_spaces", "name")
    new = matcher.match("2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "Reciprocity", ("Other", "Reciprocity"))
    assert new.theme_id != "reciprocity" or new.rule == "name"  # taken once only
    again = matcher.match("3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "Safe and welcoming spaces", ("X", "Safe and welcoming spaces"))
    assert (again.theme_id, again.rule) == ("safe_and_welcoming_spaces", "new")


def test_codes_without_description_keep_the_reference_guidance(tmp_path):
    xml = (f'<CodeBook xmlns="{NS}" origin="Taguette 1.4.1"><Codes>'
           '<Code guid="098AC082-A9C7-50F4-9728-48730081A95E" name="Jargon and plain language" isCodable="true"/>'
           '</Codes><Sets/></CodeBook>')
    path = tmp_path / "t.qdc"
    path.write_text(xml, encoding="utf-8")
    theme = read_qdc(path)["jargon_language"]
    assert theme.patterns == load_codebook()["jargon_language"].patterns


def test_taguette_qdc_is_read():
    cb = load_codebook(QDC / "taguette-1.4.1.qdc")
    assert [t.name for t in cb.themes.values()] == ["xsd:element name", "CodeBook", "Variables"]


def test_colours_are_fixed_and_control_characters_never_crash(tmp_path):
    cb = Codebook([Theme("a", "Access\x0bpoint", definition="Line one\x0bline two\x07"),
                   Theme("b", "Bus", parent="a", definition="=HYPERLINK(\"x\")")])
    data = save_codebook(cb, tmp_path / "c.qdc").read_bytes()
    root = etree.fromstring(data)
    codes = list(root.iter(f"{{{NS}}}Code"))
    assert [c.get("color") for c in codes] == list(PALETTE[:2])
    assert codes[0].get("name") == "Access\npoint"
    assert read_qdc(tmp_path / "c.qdc", known_ids=["a", "b"])["a"].definition == "Line one\nline two"

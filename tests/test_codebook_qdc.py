"""REFI-QDA .qdc codebook exchange."""
from __future__ import annotations

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

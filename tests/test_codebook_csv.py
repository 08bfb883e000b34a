"""CSV codebooks for co-producers editing in a spreadsheet."""
from __future__ import annotations

import pytest

from evalkit.coding.codebook import load_codebook, save_codebook
from evalkit.coding.codebook_csv import slugify
from evalkit.errors import CodebookError


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "themes.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_slugifies_names_and_resolves_parents_by_name_or_id(tmp_path):
    path = write(tmp_path, (
        "name,parent,description\n"
        "Getting there,,How people travel\n"
        "Café venue – access,Getting there,The building itself\n"
        "Buses,getting_there,Public transport\n"
        ",,\n"
    ), encoding="utf-8-sig")
    cb = load_codebook(path)
    assert list(cb.themes) == ["getting_there", "cafe_venue_access", "buses"]
    assert cb["cafe_venue_access"].parent == "getting_there"
    assert cb["buses"].parent == "getting_there"
    assert cb["cafe_venue_access"].definition == "The building itself"
    assert cb.name == "themes"


def test_import_optional_columns_and_cp1252(tmp_path):
    path = write(tmp_path, (
        "Name,Parent,Description,id,patterns,examples\n"
        "Money,,Being paid fairly – on time,pay_theme,pay; voucher; re:\u00a3\\d+,\"Paid late\nNo vouchers\"\n"
    ), encoding="cp1252")
    theme = load_codebook(path)["pay_theme"]
    assert theme.patterns == ("pay", "voucher", "re:\u00a3\\d+")
    assert theme.examples == ("Paid late", "No vouchers")
    assert theme.definition == "Being paid fairly \u2013 on time"


@pytest.mark.parametrize("body, message", [
    ("name,description\nA,x\n", r"themes\.csv:1:: missing column\(s\) parent"),
    ("name,parent,description\n,A,x\n", r"themes\.csv:2:name: empty theme name"),
    ("name,parent,description\nA,,x\nB,Nobody,y\n", r"themes\.csv:3:parent: unknown parent 'Nobody'"),
    ("name,parent,description\nSame name,,x\nSame  Name!,,y\n",
     r"themes\.csv:3:name: theme 'Same  Name!' gets id 'same_name', the same as row 2"),
    ("name,parent,description\nA,B,x\nB,A,y\n", r"parent cycle"),
    ("name,parent,description\n", r"themes\.csv: no themes"),
])
def test_import_errors_name_row_and_column(tmp_path, body, message):
    with pytest.raises(CodebookError, match=message):
        load_codebook(write(tmp_path, body))


def test_export_then_import_keeps_the_default_codebook(tmp_path):
    cb = load_codebook()
    path = save_codebook(cb, tmp_path / "cb.csv")
    back = load_codebook(path)
    assert [t.to_dict() for t in back.themes.values()] == [t.to_dict() for t in cb.themes.values()]
    assert save_codebook(back, tmp_path / "again.csv").read_bytes() == path.read_bytes()


def test_export_neutralises_formulas_and_import_undoes_it(tmp_path):
    cb = load_codebook(write(tmp_path, "name,parent,description\nA,,=HYPERLINK(\"x\")\n"))
    out = save_codebook(cb, tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in out
    assert load_codebook(tmp_path / "out.csv")["a"].definition == '=HYPERLINK("x")'


@pytest.mark.parametrize("name, slug", [
    ("Feeling heard", "feeling_heard"),
    ("  Accessibility – venue & travel ", "accessibility_venue_travel"),
    ("Ŵyl (Welsh festival)", "wyl_welsh_festival"),
    ("2nd round", "theme_2nd_round"),
    ("!!!", "theme"),
])
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_reads_taguettes_codebook_csv():
    from pathlib import Path

    from evalkit.coding.codebook import load_codebook

    cb = load_codebook(Path(__file__).parent / "fixtures" / "refi_qda" / "qdc" / "taguette-codebook.csv")
    assert list(cb.themes) == ["xsd_element_name", "codebook", "variables"]
    assert cb["codebook"].definition == "CodeBook"


def test_taguette_csv_round_trip_keeps_hierarchy_ids_and_guidance(tmp_path):
    from evalkit.coding.codebook import load_codebook, save_codebook

    default = load_codebook()
    path = save_codebook(default, tmp_path / "for.taguette.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbftag,description\n")
    assert "Including all perspectives and skills.Diversity of voices" in path.read_text(encoding="utf-8-sig")
    assert load_codebook(path).themes == default.themes


def test_taguette_tags_with_dots_are_a_hierarchy(tmp_path):
    from evalkit.coding.codebook import load_codebook

    path = tmp_path / "tags.csv"
    path.write_bytes("tag,description,number of highlights,number of documents\r\n"
                     "travel.buses,Late buses,3,2\r\ncafé,,1,1\r\n".encode("cp1252"))
    cb = load_codebook(path)
    assert [(t.id, t.name, t.parent) for t in cb.themes.values()] == \
        [("travel", "travel", None), ("buses", "buses", "travel"), ("cafe", "café", None)]


def test_csv_codebook_is_written_with_a_bom_for_excel(tmp_path):
    from evalkit.coding.codebook import Codebook, Theme, load_codebook, save_codebook

    cb = Codebook([Theme("cafe", "Café\x0bchats", definition="naïve")])
    path = save_codebook(cb, tmp_path / "c.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_codebook(path)["cafe"].name == "Café\nchats"

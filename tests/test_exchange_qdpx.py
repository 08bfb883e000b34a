"""REFI-QDA project exchange: evalkit -> .qdpx -> evalkit, and .qdpx files from QDA tools."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from evalkit.coding.refi_codes import theme_guid
from evalkit.errors import DataValidationError, EvalkitError
from evalkit.exchange import CODER_COLUMNS, collect_content, export_qdpx, import_qdpx, read_qdpx
from evalkit.exchange.content import as_coder_table
from evalkit.exchange.names import PROJECT_NS, parse_source_name, source_guid, source_name
from evalkit.programme import load_programme

FIXTURES = Path(__file__).parent / "fixtures" / "refi_qda"
TINY = FIXTURES / "tiny" / "programme.yml"
SORT = ["source", "response_id", "column", "coder", "theme_id", "start", "end"]
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module")
def tiny_qdpx(tmp_path_factory) -> Path:
    return export_qdpx(TINY, tmp_path_factory.mktemp("qdpx") / "tiny.qdpx").path


@pytest.fixture(scope="module")
def tiny_codings() -> pd.DataFrame:
    content = collect_content(load_programme(TINY))
    return as_coder_table(content.codings.sort_values(SORT))


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_export_validates_against_the_refi_qda_project_schema(tiny_qdpx):
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "Project-mrt2019.xsd")))
    document = etree.fromstring(_entries(tiny_qdpx)["project.qde"])
    assert schema.validate(document), schema.error_log


def test_export_is_byte_identical_and_zip_is_fixed(tiny_qdpx, tmp_path):
    again = export_qdpx(TINY, tmp_path / "again.qdpx").path
    assert again.read_bytes() == tiny_qdpx.read_bytes()
    with zipfile.ZipFile(tiny_qdpx) as zf:
        names = [i.filename for i in zf.infolist()]
        assert names == sorted(names) and names[0] == "project.qde"
        assert all(i.date_time == (2020, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert all(re.fullmatch(r"sources/[0-9A-F-]{36}\.txt", n) for n in names[1:])


def test_sources_are_utf8_without_bom_with_lf_and_no_control_characters(tiny_qdpx):
    texts = [data for name, data in _entries(tiny_qdpx).items() if name.startswith("sources/")]
    assert len(texts) == 8  # five people, eight non-blank answers; the blank one is not a source
    for data in texts:
        assert not data.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in data
        assert not _CONTROL.search(data.decode("utf-8"))


def test_one_user_per_coder_and_codes_with_fixed_guids_and_colours(tiny_qdpx):
    root = etree.fromstring(_entries(tiny_qdpx)["project.qde"])
    ns = {"q": PROJECT_NS}
    users = [u.get("name") for u in root.findall("q:Users/q:User", ns)]
    assert users == ["evalkit", "agreed", "ann", "bob", "evalkit-rules"]
    codes = {c.get("name"): c for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    assert codes["Safe and welcoming spaces"].get("guid") == theme_guid("safe_spaces")
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c.get("color")) for c in codes.values())
    assert "tea_and_cake" in codes  # used by a coder, missing from the codebook: still a code


def test_answers_are_redacted_by_default_and_unredacted_on_request(tiny_qdpx, tmp_path):
    redacted = b"".join(d for n, d in _entries(tiny_qdpx).items() if n.startswith("sources/")).decode()
    assert "jo@example.org" not in redacted and "[email]" in redacted and "Priya" not in redacted
    summary = export_qdpx(TINY, tmp_path / "secure.qdpx", unredacted=True)
    assert "UNREDACTED" in str(summary) and "WARNING" in str(summary)
    plain = b"".join(d for n, d in _entries(summary.path).items() if n.startswith("sources/")).decode()
    assert "jo@example.org" in plain and "Priya" in plain


def test_round_trip_gives_identical_codings(tiny_qdpx, tiny_codings):
    result = import_qdpx(tiny_qdpx)
    assert list(result.codings.columns) == CODER_COLUMNS
    pd.testing.assert_frame_equal(result.codings, tiny_codings)
    with_config = import_qdpx(tiny_qdpx, config=TINY)
    pd.testing.assert_frame_equal(with_config.codings, tiny_codings)
    assert with_config.unmatched_sources.empty


def test_round_trip_of_the_sample_programme(tmp_path):
    from evalkit.paths import SAMPLE_CONFIG

    summary = export_qdpx(SAMPLE_CONFIG, tmp_path / "sample.qdpx")
    expected = as_coder_table(collect_content(load_programme(SAMPLE_CONFIG)).codings.sort_values(SORT))
    pd.testing.assert_frame_equal(import_qdpx(summary.path).codings, expected)
    assert set(expected["coder"]) == {"agreed", "coder_a", "coder_b", "evalkit-rules"}


def test_positions_count_code_points_for_accents_quotes_and_emoji(tiny_qdpx):
    project = read_qdpx(tiny_qdpx)
    texts = {parse_source_name(s.name): s.text for s in project.sources}
    assert texts[("cuppa_chats", "C1", "liked")] == "Café was lovely – “warm” welcome 😊"
    codings = import_qdpx(tiny_qdpx).codings
    row = codings[(codings["response_id"] == "C4") & (codings["coder"] == "agreed")].iloc[0]
    assert (row["start"], row["end"]) == (0, len("Payment was quick 👍🏽 and fair")) == (0, 29)


def test_qualcoder_export_comes_back_with_every_coding_text_and_coder(tiny_codings):
    """A .qdpx written by QualCoder 4.0 from evalkit's export (see fixtures/refi_qda/README.md)."""
    result = import_qdpx(FIXTURES / "qualcoder" / "tiny_from_qualcoder.qdpx", config=TINY)
    assert result.origin.startswith("QualCoder")
    ours = result.codings[result.codings["coder"] != "researcher"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, tiny_codings)
    by_hand = result.codings[result.codings["coder"] == "researcher"]
    assert sorted(by_hand["text"]) == ["“warm” welcome 😊", "👍🏽 and fair", "🚌 was late"]
    warm = by_hand[by_hand["text"].str.startswith("“")].iloc[0]
    assert (warm["start"], warm["end"]) == (18, 34)
    assert list(result.new_codes["theme_id"]) == ["tea_and_cake"]


def test_coder_table_csv_has_bom_and_neutralised_formulas(tiny_qdpx, tmp_path):
    out = tmp_path / "coded.csv"
    import_qdpx(tiny_qdpx, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw.replace(b'"', b"")
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == CODER_COLUMNS
    assert "'- a bullet: naïve façade, déjà vu" in set(back["text"])


def test_journals_become_users(tmp_path, tiny_codings):
    from evalkit.panel import CoderStore

    store = CoderStore(tmp_path / "store", "Dee")
    store.tick("C5", "What would you change?", "time_resources")
    store.set_memo("C5", "What would you change?", "short answer")
    store.set_status("C5", "What would you change?", "done")
    summary = export_qdpx(TINY, tmp_path / "j.qdpx", journals=tmp_path / "store")
    assert summary.codings["Dee"] == 1
    codings = import_qdpx(summary.path).codings
    dee = codings[codings["coder"] == "Dee"]
    assert dee[["response_id", "column", "theme_id"]].values.tolist() == [["C5", "change", "time_resources"]]
    root = etree.fromstring(_entries(summary.path)["project.qde"])
    assert "short answer" in [d.text for d in root.iter(f"{{{PROJECT_NS}}}Description")]


def test_export_refuses_other_suffixes_and_missing_journal_folders(tmp_path):
    with pytest.raises(EvalkitError, match=r"\.qdpx"):
        export_qdpx(TINY, tmp_path / "x.zip")
    with pytest.raises(EvalkitError, match="no such folder"):
        export_qdpx(TINY, tmp_path / "x.qdpx", journals=tmp_path / "nowhere")


def test_source_names_round_trip_and_are_safe_file_names():
    key = ("Survey 2", "R/1~x%", "What: why?")
    name = source_name(*key)
    assert not re.search(r'[/\\:*?"<>|]', name)
    assert parse_source_name(name) == key
    assert parse_source_name(name + ".txt") == key
    assert parse_source_name("Interview 3") is None


# --- .qdpx files in the shapes other tools write (hand-made, following their published exports) ---

def _zip(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def _project(origin: str, sources: str, extra: str = "", qde_ns: str = PROJECT_NS) -> str:
    venue = theme_guid("accessibility_venue").lower()  # tools may write GUIDs in lower case
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{qde_ns}" name="p" origin="{origin}">
 <Users><User guid="{{00000000-0000-0000-0000-0000000000AA}}" name="Sam"/></Users>
 <CodeBook><Codes>
  <Code guid="11111111-1111-1111-1111-111111111111" name="Including all perspectives and skills" isCodable="true">
   <Code guid="{venue}" name="Venue access" isCodable="true"/>
   <Code guid="22222222-2222-2222-2222-222222222222" name="Diversity of voices" isCodable="true"/>
  </Code>
  <Code guid="33333333-3333-3333-3333-333333333333" name="Weather" isCodable="true"/>
 </Codes></CodeBook>
 <Variables>
  <Variable guid="44444444-4444-4444-4444-444444444444" name="evalkit source" typeOfVariable="Text"/>
  <Variable guid="55555555-5555-5555-5555-555555555555" name="evalkit response id" typeOfVariable="Text"/>
  <Variable guid="66666666-6666-6666-6666-666666666666" name="evalkit column" typeOfVariable="Text"/>
 </Variables>
 {extra}
 <Sources>{sources}</Sources>
</Project>"""


def _selection(start: int, end: int, code: str, user="00000000-0000-0000-0000-0000000000AA") -> str:
    return (f'<PlainTextSelection guid="77777777-7777-7777-7777-{start:012d}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{user}"><Coding guid="88888888-8888-8888-8888-{end:012d}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


TWO_LINES = "Bus was late.\r\nVenue – “too far” 🚌"


@pytest.mark.parametrize("origin, folder, start_of_venue", [
    ("NVivo for Mac 15.0.0", "sources", 15),   # counts \r\n as two characters
    ("MAXQDA 24 (Release 24.7.0)", "Sources", 15),
    ("ATLAS.ti for Windows 23.2.3.27778", "sources", 14),  # counts \r\n as one
])
def test_reads_tools_line_end_counting_and_folder_names(tmp_path, origin, folder, start_of_venue):
    name = source_name("cuppa_chats", "C3", "change")
    venue_end = start_of_venue + len("Venue – “too far” 🚌")
    sources = (f'<TextSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="{name}.txt" '
               f'plainTextPath="internal://aaaaaaaa-0000-0000-0000-000000000001.TXT">'
               + _selection(start_of_venue, venue_end, theme_guid("accessibility_venue").lower())
               + _selection(0, 4, "{33333333-3333-3333-3333-333333333333}")
               + "</TextSource>")
    qde = "Interview study.qde" if origin.startswith("ATLAS") else "project.qde"
    path = tmp_path / "tool.qdpx"
    path.write_bytes(_zip({qde: _project(origin, sources),
                           f"{folder}/aaaaaaaa-0000-0000-0000-000000000001.txt": TWO_LINES.encode("utf-8-sig")}))
    result = import_qdpx(path)
    rows = result.codings.set_index("theme_id")
    assert rows.loc["accessibility_venue", "text"] == "Venue – “too far” 🚌"
    assert rows.loc["accessibility_venue", "start"] == 14  # in the \n text evalkit keeps
    assert rows.loc["weather", "text"] == "Bus "
    assert set(result.codings["coder"]) == {"Sam"}
    assert list(result.new_codes["name"]) == ["Weather"]


def test_maxqda_style_case_variables_identify_renamed_sources(tmp_path):
    case = ('<Cases><Case guid="99999999-9999-9999-9999-999999999999">'
            '<VariableValue><VariableRef targetGUID="44444444-4444-4444-4444-444444444444"/><TextValue>cuppa_chats</TextValue></VariableValue>'
            '<VariableValue><VariableRef targetGUID="55555555-5555-5555-5555-555555555555"/><TextValue>C3</TextValue></VariableValue>'
            '<VariableValue><VariableRef targetGUID="66666666-6666-6666-6666-666666666666"/><TextValue>change</TextValue></VariableValue>'
            '<SourceRef targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Case></Cases>')
    sources = ('<TextSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="Document 7" '
               'plainTextPath="internal://a.txt">' + _selection(0, 3, "22222222-2222-2222-2222-222222222222")
               + '</TextSource><TextSource guid="bbbbbbbb-0000-0000-0000-000000000002" name="Interview" '
               'plainTextPath="internal://b.txt">' + _selection(0, 3, "22222222-2222-2222-2222-222222222222")
               + '</TextSource><PictureSource guid="cccccccc-0000-0000-0000-000000000003" path="internal://c.png"/>')
    path = tmp_path / "maxqda.qdpx"
    path.write_bytes(_zip({"project.qde": _project("MAXQDA 2022", sources, extra=case),
                           "sources/a.txt": "The bus", "sources/b.txt": "Someone else's interview"}))
    result = import_qdpx(path)
    assert result.codings[["response_id", "column", "theme_id", "text"]].values.tolist() == \
        [["C3", "change", "diversity_of_voices", "The"]]
    assert list(result.unmatched_sources["name"]) == ["Interview"]
    assert any("non-text source" in n for n in result.notes)
    assert "Interview" in str(result)


def test_renamed_sources_are_matched_by_text_with_a_config(tmp_path, tiny_qdpx):
    text = "The bus 🚌 was late and the venue too far"
    sources = ('<TextSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="renamed in NVivo" '
               'plainTextPath="internal://a.txt">' + _selection(8, 9, theme_guid("accessibility_venue")) + '</TextSource>')
    path = tmp_path / "renamed.qdpx"
    path.write_bytes(_zip({"project.qde": _project("NVivo 14", sources), "sources/a.txt": text}))
    assert import_qdpx(path).codings.empty
    found = import_qdpx(path, config=TINY).codings
    assert found[["response_id", "column", "text"]].values.tolist() == [["C3", "change", "🚌"]]


def test_keys_unknown_to_the_programme_are_reported(tmp_path):
    sources = (f'<TextSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="{source_name("cuppa_chats", "C99", "liked")}" '
               'plainTextPath="internal://a.txt">' + _selection(0, 1, theme_guid("accessibility_venue")) + '</TextSource>')
    path = tmp_path / "unknown.qdpx"
    path.write_bytes(_zip({"project.qde": _project("QualCoder 3.6", sources), "sources/a.txt": "x"}))
    result = import_qdpx(path, config=TINY)
    assert result.codings.empty
    assert "no answer cuppa_chats / C99 / liked" in result.unmatched_sources["reason"].iloc[0]


def test_out_of_range_selections_and_other_namespaces_are_reported(tmp_path):
    sources = (f'<TextSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="{source_name("s", "1", "c")}" '
               'plainTextPath="internal://a.txt">' + _selection(0, 99, theme_guid("accessibility_venue")) + '</TextSource>')
    path = tmp_path / "odd.qdpx"
    path.write_bytes(_zip({"project.qde": _project("X", sources, qde_ns="urn:QDA-XML:project:0:4"),
                           "sources/a.txt": "short"}))
    result = import_qdpx(path)
    assert result.codings.empty
    assert any("outside its text" in n for n in result.notes)
    assert any("not REFI-QDA 1.0" in n for n in result.notes)


@pytest.mark.parametrize("data, message", [
    (b"not a zip", "not a zip file"),
    (_zip({"readme.txt": "x"}), "no project.qde"),
    (_zip({"project.qde": "<Project"}), "not well-formed"),
    (_zip({"project.qde": "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}), "a REFI-QDA project needs"),
])
def test_files_that_are_not_projects_fail_clearly(tmp_path, data, message):
    path = tmp_path / "bad.qdpx"
    path.write_bytes(data)
    with pytest.raises(DataValidationError, match=message):
        import_qdpx(path)


def test_guid_of_each_answer_is_stable():
    assert source_guid("a", "1", "c") == source_guid("a", "1", "c") != source_guid("a", "1", "d")

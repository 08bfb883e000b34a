"""Recording, saving and loading the agreed coding set from a consensus meeting."""
import pandas as pd
import pytest

from evalkit.people.consensus import (
    ConsensusError,
    decisions_from_sheet,
    load_consensus,
    record_consensus,
    save_consensus,
)
from evalkit.errors import DataValidationError
from evalkit.reliability import disagreements, export_disagreements

KEYS = ["source", "response_id", "column"]


@pytest.fixture
def codes():
    rows = [("R1", "a", "feeling_heard"), ("R1", "b", "feeling_heard"),
            ("R2", "a", "jargon_language"),
            ("R3", "b", "feeling_heard"), ("R3", "b", "payment_recognition"),
            ("R4", "a", "payment_recognition"), ("R4", "b", "payment_recognition")]
    frame = pd.DataFrame(rows, columns=["response_id", "coder", "theme_id"])
    return frame.assign(source="feedback_survey", column="worked_well")


def _decisions(rows):
    frame = pd.DataFrame(rows, columns=["response_id", "theme_id", "decision"])
    return frame.assign(source="feedback_survey", column="worked_well")


def test_record_consensus_combines_unanimous_and_decided(codes):
    decisions = _decisions([("R2", "jargon_language", "exclude"), ("R3", "feeling_heard", "include"),
                            ("R3", "payment_recognition", "No"), ("R4", "safe_spaces", "yes")])
    agreed = record_consensus(codes, decisions, agreed_by=["Ann (co-producer)", "Bo"], agreed_on="2024-03-14")
    shown = agreed[["response_id", "theme_id", "basis"]].astype(object)
    got = shown.where(shown.notna(), None).values.tolist()
    assert got == [["R1", "feeling_heard", "all coders"],
                   ["R2", None, "no theme"],
                   ["R3", "feeling_heard", "consensus meeting"],
                   ["R4", "payment_recognition", "all coders"],
                   ["R4", "safe_spaces", "consensus meeting"]]
    assert set(agreed["agreed_by"]) == {"Ann (co-producer); Bo"}
    assert set(agreed["agreed_on"]) == {"2024-03-14"}
    assert list(agreed.columns) == KEYS + ["theme_id", "basis", "agreed_by", "agreed_on"]


def test_undecided_disagreements_are_listed(codes):
    with pytest.raises(ConsensusError) as info:
        record_consensus(codes, _decisions([("R2", "jargon_language", "exclude")]), ["Ann"], "2024-03-14")
    message = str(info.value)
    assert "2 disagreement(s) have no decision" in message
    assert "feedback_survey / R3 / worked_well theme 'feeling_heard'" in message


@pytest.mark.parametrize("decisions, agreed_by, agreed_on, message", [
    (_decisions([("R2", "jargon_language", "maybe")]), ["Ann"], "2024-03-14", "row 2: decision 'maybe'"),
    (_decisions([("R2", "jargon_language", "include"), ("R2", "jargon_language", "exclude")]),
     ["Ann"], "2024-03-14", "both included and excluded"),
    (_decisions([("R9", "jargon_language", "include")]), ["Ann"], "2024-03-14", "not double-coded"),
    (None, [], "2024-03-14", "at least one person"),
    (None, ["Ann"], "14/03/2024", "YYYY-MM-DD"),
    (pd.DataFrame({"response_id": ["R2"]}), ["Ann"], "2024-03-14", "missing column"),
])
def test_bad_decisions(codes, decisions, agreed_by, agreed_on, message):
    with pytest.raises(ConsensusError, match=message):
        record_consensus(codes, decisions, agreed_by, agreed_on)


def test_save_load_round_trip_is_byte_stable(codes, tmp_path):
    decisions = _decisions([("R2", "jargon_language", "exclude"), ("R3", "feeling_heard", "include"),
                            ("R3", "payment_recognition", "exclude")])
    agreed = record_consensus(codes, decisions, ["Ann", "Bo"], "2024-03-14")
    first = save_consensus(agreed, tmp_path / "a.csv").read_bytes()
    assert first == save_consensus(agreed.iloc[::-1], tmp_path / "b.csv").read_bytes()
    assert b"\r" not in first and b"2024-03-14" in first
    loaded = load_consensus(tmp_path / "a.csv")
    pd.testing.assert_frame_equal(loaded, agreed[loaded.columns].reset_index(drop=True), check_dtype=False)


def test_load_reports_file_row_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("source,response_id,column,theme_id,basis,agreed_by,agreed_on\n"
                   "s,R1,c,t1,all coders,Ann,2024-03-14\n"
                   "s,R2,c,t1,guessed,Ann,2024-03-14\n"
                   "s,R3,c,,all coders,,2024-03-14\n")
    with pytest.raises(DataValidationError) as info:
        load_consensus(bad)
    lines = str(info.value).splitlines()
    assert f"{bad}:3:basis: 'guessed' is not one of" in lines[0]
    assert any(line.startswith(f"{bad}:4:theme_id:") for line in lines)
    assert any(line.startswith(f"{bad}:4:agreed_by:") for line in lines)
    with pytest.raises(DataValidationError, match="not found"):
        load_consensus(tmp_path / "missing.csv")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_meeting_sheet_round_trip(codes, tmp_path, suffix):
    path = export_disagreements(disagreements(codes), tmp_path / f"meeting{suffix}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False) if suffix == ".csv" else pd.read_excel(path, dtype=object)
    frame["agreed_themes"] = frame["response_id"].map({"R2": "none", "R3": "feeling_heard"})
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_excel(path, index=False)
    decisions = decisions_from_sheet(path, themes=["feeling_heard", "jargon_language", "payment_recognition"])
    assert sorted(map(tuple, decisions[["response_id", "theme_id", "decision"]].values.tolist())) == [
        ("R2", "jargon_language", "exclude"), ("R3", "feeling_heard", "include"),
        ("R3", "payment_recognition", "exclude")]
    agreed = record_consensus(codes, decisions, ["Ann"], "2024-03-14")
    assert agreed.loc[agreed["response_id"] == "R3", "theme_id"].tolist() == ["feeling_heard"]


def test_meeting_sheet_unknown_theme_names_row(codes, tmp_path):
    path = export_disagreements(disagreements(codes), tmp_path / "meeting.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "agreed_themes"] = "feeling_herd"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"meeting.csv:3:agreed_themes: Unknown theme id 'feeling_herd'"):
        decisions_from_sheet(path, themes=["feeling_heard"])


def test_consensus_csv_has_a_bom_and_reads_back_from_excel_csv_in_cp1252(tmp_path):
    from evalkit.people.consensus import load_consensus, save_consensus

    frame = pd.DataFrame({"response_id": ["R1"], "theme_id": ["feeling_heard"], "basis": ["all coders"],
                          "agreed_by": ["Zoë; Siân"], "agreed_on": ["2024-03-14"]}).astype("string")
    path = save_consensus(frame, tmp_path / "c.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_consensus(path)["agreed_by"].iloc[0] == "Zoë; Siân"
    excel = tmp_path / "excel.csv"  # Excel's plain "CSV" format is Windows-1252
    excel.write_bytes(path.read_bytes()[3:].decode("utf-8").encode("cp1252"))
    assert load_consensus(excel)["agreed_by"].iloc[0] == "Zoë; Siân"


def test_decisions_sheet_saved_by_excel_as_cp1252_is_read(tmp_path):
    from evalkit.people.consensus import decisions_from_sheet

    path = tmp_path / "d.csv"
    path.write_bytes("response_id,text,in_dispute,agreed_themes\r\nR1,café,t1; t2,t1\r\n".encode("cp1252"))
    decisions = decisions_from_sheet(path)
    assert decisions[["theme_id", "decision"]].values.tolist() == [["t1", "include"], ["t2", "exclude"]]


def test_consensus_csv_neutralises_formula_payloads_and_reads_them_back(codes, tmp_path):
    """CSV exports write =HYPERLINK, =cmd|, +, -, @ payloads as text, as the XLSX writers do (issue 13)."""
    hostile = codes.replace({"R1": "=HYPERLINK(\"http://evil\",\"x\")", "R4": "-2+3"})
    agreed = record_consensus(hostile, _decisions([("R2", "jargon_language", "exclude"),
                                                   ("R3", "feeling_heard", "include"),
                                                   ("R3", "payment_recognition", "exclude")]),
                              ["=cmd|' /C calc'!A0", "@SUM(1)"], "2024-03-14")
    path = save_consensus(agreed, tmp_path / "a.csv")
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    loaded = load_consensus(path)
    assert "=HYPERLINK(\"http://evil\",\"x\")" in set(loaded["response_id"])

"""Member-check workbooks: export, two reviewers' returns, formula injection, bad sheets."""
import pandas as pd
import pytest
from openpyxl import load_workbook

from evalkit.errors import DataValidationError
from evalkit.people.member_check import (
    HEADERS,
    MemberCheckError,
    export_member_check,
    import_member_checks,
    summarise_member_checks,
)

THEMES = pd.DataFrame({
    "theme_id": ["feeling_heard", "payment_recognition", "jargon_language"],
    "label": ["Feeling heard", "Being paid fairly", "Plain words"],
    "definition": ["People felt listened to and that their views changed things.",
                   "People were paid or thanked for their time, on time.",
                   "=Meetings used words everyone understood."],
})
QUOTES = pd.DataFrame({
    "theme_id": ["feeling_heard", "feeling_heard", "feeling_heard", "feeling_heard", "payment_recognition"],
    "text": ["Priya really listened to me", "=HYPERLINK(\"http://evil\",\"click\")",
             "+44 20 7946 0958 call me", "a fourth quote that is left out", "-paid three months late"],
})


def fake_redact(text):
    """Stand-in redactor: replaces one name and one phone number."""
    return text.replace("Priya", "[name]").replace("+44 20 7946 0958", "[phone]")


@pytest.fixture
def sent(tmp_path):
    return export_member_check(THEMES, QUOTES, tmp_path / "sent.xlsx", project="Co-Pro Cuppa",
                               redact=fake_redact)


def _cells(path):
    ws = load_workbook(path)["Themes"]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_layout_and_accessibility(sent):
    wb = load_workbook(sent)
    assert wb.sheetnames == ["Start here", "Themes"]
    start = [r for r in wb["Start here"].iter_rows(values_only=True)]
    assert start[0][0] == "Do these themes ring true?"
    assert ("Project", "Co-Pro Cuppa") in [tuple(r[:2]) for r in start]
    ws, rows = _cells(sent)
    assert rows[0] == list(HEADERS.values())
    assert ws.freeze_panes == "A2"
    assert [r[-1] for r in rows[1:]] == THEMES["theme_id"].tolist()
    assert all(ws.column_dimensions[c].width >= 20 for c in "ABCDEF")
    assert ws["C2"].alignment.wrap_text and ws.row_dimensions[2].height > 40
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"rings true,not quite,doesn\'t fit"'
    assert str(validation.sqref) == "D2:D4"


def test_quotes_are_redacted_and_limited(sent):
    _, rows = _cells(sent)
    quotes = rows[1][2]
    assert "[name] really listened" in quotes and "[phone] call me" in quotes
    assert "Priya" not in quotes and "fourth quote" not in quotes


def test_formula_injection_is_neutralised(sent):
    # Stored as text cells with Excel's quote prefix: shown as written, no apostrophe, never run.
    ws, rows = _cells(sent)
    assert rows[3][1] == "=Meetings used words everyone understood."
    assert ws["B4"].data_type == "s" and ws["B4"].quotePrefix
    import zipfile
    assert b"<f>" not in zipfile.ZipFile(sent).read("xl/worksheets/sheet2.xml")


def test_prints_one_page_wide_with_the_header_on_every_page(sent):
    ws, _ = _cells(sent)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


def test_control_characters_in_text_do_not_break_the_export(tmp_path):
    themes = THEMES.assign(definition=THEMES["definition"] + "\x0bpasted from Word\x07")
    path = export_member_check(themes, QUOTES.assign(text=QUOTES["text"] + "\x0c"), tmp_path / "c.xlsx",
                               redact=fake_redact)
    _, rows = _cells(path)
    assert rows[1][1].endswith("\npasted from Word")


def test_export_is_byte_reproducible(tmp_path):
    a = export_member_check(THEMES, QUOTES, tmp_path / "a.xlsx", reviewer="Sam", redact=fake_redact)
    b = export_member_check(THEMES, QUOTES, tmp_path / "b.xlsx", reviewer="Sam", redact=fake_redact)
    assert a.read_bytes() == b.read_bytes()


def test_export_requires_a_redactor_and_valid_inputs(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "evalkit.privacy.redact", None)
    with pytest.raises(MemberCheckError, match="never exported unredacted"):
        export_member_check(THEMES, QUOTES, tmp_path / "x.xlsx")
    with pytest.raises(MemberCheckError, match="not in themes"):
        export_member_check(THEMES, {"safe_spaces": ["q"]}, tmp_path / "x.xlsx", redact=fake_redact)
    with pytest.raises(MemberCheckError, match=".xlsx"):
        export_member_check(THEMES, QUOTES, tmp_path / "x.csv", redact=fake_redact)
    with pytest.raises(MemberCheckError, match="definition"):
        export_member_check(THEMES.drop(columns="definition"), QUOTES, tmp_path / "x.xlsx", redact=fake_redact)


def _fill(sent, path, name, answers, comments, reverse=False):
    """Simulate a reviewer: fill answers/comments by theme id, optionally re-sorting rows."""
    wb = load_workbook(sent)
    wb["Start here"]["B4"] = name
    ws = wb["Themes"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    if reverse:
        rows = rows[::-1]
    for offset, row in enumerate(rows, start=2):
        row[3], row[4] = answers.get(row[5]), comments.get(row[5])
        for col, value in enumerate(row, start=1):
            ws.cell(row=offset, column=col, value=value)
    wb.save(path)
    return path


def test_two_reviewers_round_trip(sent, tmp_path):
    first = _fill(sent, tmp_path / "r1.xlsx", "Jo", {"feeling_heard": "rings true",
                                                      "payment_recognition": "  Doesn\u2019t  FIT ",
                                                      "jargon_language": "sort of, sometimes"},
                  {"feeling_heard": "Yes, very much", "jargon_language": "=SUM(1,2) is how it felt"})
    second = _fill(sent, tmp_path / "r2.xlsx", "Kim", {"feeling_heard": "not quite"},
                   {"payment_recognition": "Never got paid"}, reverse=True)
    df = import_member_checks([first, second], themes=THEMES["theme_id"])
    jo = df[df["reviewer"] == "Jo"].set_index("theme_id")
    assert jo.loc["feeling_heard", "answer"] == "rings true"
    assert jo.loc["payment_recognition", "answer"] == "doesn't fit"
    assert pd.isna(jo.loc["jargon_language", "answer"])
    assert jo.loc["jargon_language", "problem"].startswith(f"{first}:4:Does this ring true?: 'sort of, sometimes'")
    assert jo.loc["jargon_language", "raw_answer"] == "sort of, sometimes"
    kim = df[df["reviewer"] == "Kim"].set_index("theme_id")
    assert kim.loc["feeling_heard", "row"] == 4
    assert kim.loc["feeling_heard", "answer"] == "not quite"
    summary = summarise_member_checks(df).set_index("theme_id")
    assert summary.loc["feeling_heard", ["rings true", "not quite", "doesn't fit", "no answer"]].tolist() == [1, 1, 0, 0]
    assert summary.loc["payment_recognition", ["doesn't fit", "no answer"]].tolist() == [1, 1]
    assert summary.loc["jargon_language", ["unclear (see problem)", "no answer"]].tolist() == [1, 1]
    assert summary.loc["feeling_heard", "comments"] == ["Jo: Yes, very much"]
    assert summary.loc["payment_recognition", "comments"] == ["Kim: Never got paid"]
    assert summary.loc["jargon_language", "comments"] == ["Jo: =SUM(1,2) is how it felt"]
    assert summary["reviewers"].tolist() == [2, 2, 2]


def test_reviewer_falls_back_to_file_name(sent, tmp_path):
    path = _fill(sent, tmp_path / "from_alex.xlsx", "", {"feeling_heard": "rings true"}, {})
    assert set(import_member_checks(path)["reviewer"]) == {"from_alex"}


def test_row_problems_are_quarantined_not_dropped(sent, tmp_path):
    wb = load_workbook(sent)
    ws = wb["Themes"]
    ws["F3"] = None
    ws["F4"] = "feeling_heard"
    ws["F5"] = "made_up"
    ws["D5"] = "rings true"
    wb.save(tmp_path / "messy.xlsx")
    df = import_member_checks(tmp_path / "messy.xlsx", themes=THEMES["theme_id"].tolist() + ["x"])
    problems = df["problem"].tolist()
    assert len(df) == 4 and problems[0] == ""
    assert "messy.xlsx:3:Theme code (please leave as it is): Theme code is blank" in problems[1]
    assert "appears again (first on row 2)" in problems[2]
    assert "'made_up' is not one we sent" in problems[3]


@pytest.mark.parametrize("damage, message", [
    (lambda wb: setattr(wb["Themes"], "title", "Sheet1"), "No sheet called 'Themes'"),
    (lambda wb: wb["Themes"].cell(row=1, column=4, value="Answer"), r":1:Does this ring true\?: Column heading"),
])
def test_bad_returned_sheets(sent, tmp_path, damage, message):
    wb = load_workbook(sent)
    damage(wb)
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(DataValidationError, match=message):
        import_member_checks(tmp_path / "bad.xlsx")


def test_unreadable_or_missing_files(tmp_path):
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(DataValidationError, match="Cannot open as an Excel workbook"):
        import_member_checks(tmp_path / "notes.xlsx")
    with pytest.raises(DataValidationError, match="File not found"):
        import_member_checks([tmp_path / "gone.xlsx"])


def test_reordered_columns_are_tolerated(sent, tmp_path):
    wb = load_workbook(sent)
    ws = wb["Themes"]
    ws.move_range("F1:F4", cols=1)
    ws.move_range("A1:A4", cols=5)
    ws.move_range("G1:G4", cols=-6)
    ws["D2"] = "Rings true"
    wb.save(tmp_path / "moved.xlsx")
    df = import_member_checks(tmp_path / "moved.xlsx")
    assert df.set_index("theme_id").loc["feeling_heard", "answer"] == "rings true"

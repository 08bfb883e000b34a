"""One redactor for every output: member-check workbooks, disagreement files, control characters (issue 13)."""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from evalkit.people.member_check import THEMES_SHEET, export_member_check, import_member_checks, summarise_member_checks

THEMES = [{"theme_id": "feeling_heard", "label": "Feeling heard", "definition": "People felt listened to."}]


def _cells(path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def test_names_removed_header_means_names_removed(tmp_path):
    quotes = {"feeling_heard": ["Jane Smith listened to me for an hour\x0b and rang 07700 900461",
                                "my support worker Siobhan was kind"]}
    path = export_member_check(THEMES, quotes, tmp_path / "check.xlsx")
    text = _cells(path)
    assert "names removed" in text
    for secret in ("Jane", "Smith", "Siobhan", "07700 900461", "\x0b"):
        assert secret not in text
    assert "[name]" in text and "[phone]" in text


def test_quarantined_member_check_rows_are_counted_not_crashing(tmp_path):
    path = export_member_check(THEMES, {"feeling_heard": []}, tmp_path / "check.xlsx")
    wb = load_workbook(path)
    ws = wb[THEMES_SHEET]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Does this ring true?") + 1 if "Does this ring true?" in header else 4,
            value="sort of, in my own words")
    ws.append(["Made up", "d", "", "rings true", "", "not_a_theme"])
    wb.save(path)
    table = import_member_checks([path], themes=["feeling_heard"])
    assert (table["problem"].fillna("") != "").sum() >= 1
    summary = summarise_member_checks(table)
    assert int(summary["unclear (see problem)"].sum()) >= 1


def test_control_characters_never_reach_the_disagreement_workbook(tmp_path):
    from evalkit.reliability.themes import export_disagreements

    table = pd.DataFrame({"source": ["s"], "response_id": ["R1"], "column": ["c"], "theme_id": ["t"],
                          "text": ["Word's line\x0bbreak and a bell\x07"]})
    path = export_disagreements(table, tmp_path / "d.xlsx")
    assert "\x0b" not in _cells(path) and "\x07" not in _cells(path)


def test_word_vertical_tab_is_clean_at_the_data_door(tmp_path):
    import shutil

    from evalkit.paths import SAMPLE_DIR
    from evalkit.programme import load_programme

    root = tmp_path / "s"
    shutil.copytree(SAMPLE_DIR, root)
    path = root / "feedback_survey.csv"
    text = path.read_text(encoding="utf-8-sig")
    header, first, rest = text.split("\n", 2)
    path.write_text(header + "\n" + first.replace("R", "R", 1) + "\n" + rest.replace(",Everyone", ",Every\x0bone", 1),
                    encoding="utf-8")
    programme = load_programme(root / "programme.yml")
    for table in programme.tables.values():
        for column in table.columns:
            if table[column].dtype == object or str(table[column].dtype) == "string":
                assert not table[column].dropna().astype(str).str.contains("\x0b").any()

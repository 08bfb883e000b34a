"""Byte-reproducible XLSX and formula-injection protection."""
import time

from openpyxl import Workbook, load_workbook

from evalkit.xlsx import neutralise_formula, save_workbook


def _book(tmp_path, name):
    wb = Workbook()
    wb.active.append(["theme", "quote"])
    wb.active.append(["payment", neutralise_formula("=HYPERLINK(\"http://x\")")])
    return save_workbook(wb, tmp_path / name).read_bytes()


def test_same_content_gives_same_bytes(tmp_path):
    first = _book(tmp_path, "a.xlsx")
    time.sleep(1.1)  # openpyxl would otherwise stamp a new modification time
    assert first == _book(tmp_path, "b.xlsx")


def test_formula_arrives_as_text(tmp_path):
    _book(tmp_path, "a.xlsx")
    cell = load_workbook(tmp_path / "a.xlsx").active["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_neutralise_formula_only_touches_risky_text():
    # OWASP "CSV Injection": cells starting with = + - @ tab or CR are executed by spreadsheets.
    for risky in ("=1+1", "+44 20 7946 0958", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_formula(risky) == "'" + risky
    for safe in ("fine", 5, None, " =not at start"):
        assert neutralise_formula(safe) == safe


def test_formula_looking_text_is_a_text_cell_without_apostrophe(tmp_path):
    from evalkit.xlsx import cell_text

    wb = Workbook()
    for text in ("=HYPERLINK(\"http://x\")", "+44 20 7946 0958", "-2 stars", "@everyone", "plain"):
        wb.active.append([cell_text(text)])
    path = save_workbook(wb, tmp_path / "t.xlsx")
    cells = [row[0] for row in load_workbook(path).active.iter_rows()]
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://x\")", "+44 20 7946 0958", "-2 stars", "@everyone", "plain"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    assert b"<f>" not in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")


def test_control_characters_never_reach_a_cell(tmp_path):
    from evalkit.xlsx import cell_text

    wb = Workbook()
    wb.active.append([cell_text("pasted from Word\x0bsecond line\x07")])  # openpyxl alone raises IllegalCharacterError
    path = save_workbook(wb, tmp_path / "c.xlsx")
    assert load_workbook(path).active["A1"].value == "pasted from Word\nsecond line"


def test_wrapped_rows_get_heights_and_sheets_print_one_page_wide(tmp_path):
    from evalkit.xlsx import fit_row_heights, print_fit_to_width

    wb = Workbook()
    ws = wb.active
    ws.append(["theme", "quotes"])
    ws.append(["a", "one\ntwo\nthree"])
    ws.append(["b", "x" * 100])
    ws.append(["c", "short"])
    ws.column_dimensions["B"].width = 20
    fit_row_heights(ws, first_row=2)
    print_fit_to_width(ws)
    back = load_workbook(save_workbook(wb, tmp_path / "p.xlsx")).active
    assert back.row_dimensions[2].height >= 3 * 11 * 1.3 and back.row_dimensions[4].height is None
    assert back.row_dimensions[3].height >= 5 * 11 * 1.3
    assert back.page_setup.fitToWidth == 1 and back.page_setup.fitToHeight == 0
    assert back.sheet_properties.pageSetUpPr.fitToPage and back.print_title_rows == "$1:$1"
    assert back.page_setup.orientation == "landscape"

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

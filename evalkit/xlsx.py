"""Byte-reproducible XLSX files that open cleanly in Excel and LibreOffice.

openpyxl stamps the workbook's creation time into ``docProps/core.xml`` and the current time
into every zip entry, so two saves of the same data differ. ``save_workbook`` fixes both, and
stores every text that looks like a formula (``= + - @``) as a text cell with Excel's quote
prefix: the cell shows the text as written, with no apostrophe, is never calculated, and stays
text when someone edits it. Writers put text in cells through :func:`cell_text` (control
characters out, which openpyxl would refuse), give wrapped rows a height with
:func:`fit_row_heights` and set printing with :func:`print_fit_to_width`.
:func:`neutralise_formula` (a leading apostrophe) is for CSV, which has no cell types.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import os
import zipfile
from pathlib import Path

from openpyxl import Workbook

from evalkit.files import atomic_write_bytes
from evalkit.textclean import clean_text

FIXED_TIME = dt.datetime(2020, 1, 1, 0, 0, 0)
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return ``value`` made safe against spreadsheet formula injection (OWASP CSV injection).

    Text starting with ``= + - @`` or a tab/carriage return is prefixed with an apostrophe so
    Excel and LibreOffice show it as text instead of running it. Other values pass unchanged.
    Use it for CSV; in XLSX :func:`save_workbook` stores such text as text cells instead.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell_text(value):
    """Return ``value`` ready for a cell: text without control characters, anything else as is."""
    return clean_text(value)


def protect_text_cells(wb: Workbook) -> None:
    """Store every formula-looking text as a text cell with the quote prefix (no formulas kept).

    evalkit writes no formulas, so a cell openpyxl took for one (text starting with ``=``) is
    someone's answer. Text starting with ``= + - @`` gets Excel's quote prefix, which keeps it
    text if it is edited, without showing an apostrophe.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def fit_row_heights(ws, widths: dict[str, float] | None = None, first_row: int = 1,
                    font_size: float = 11.0) -> None:
    """Give every row a height that shows all its wrapped text (Excel does not do it on open).

    Parameters
    ----------
    ws : openpyxl worksheet
    widths : dict of str to float, optional
        Column letter to width in characters; default the sheet's column widths (8.43 when unset).
    first_row : int
        First row to size.
    font_size : float
        Font size in points of the text.
    """
    from openpyxl.utils import get_column_letter

    line = font_size * 1.3
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            letter = get_column_letter(cell.column)
            width = (widths or {}).get(letter) or ws.column_dimensions[letter].width or 8.43
            chars = max(1, int(width * 1.1 * 11.0 / font_size) - 1)
            lines = max(lines, sum(max(1, -(-len(part) // chars)) for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = float(min(409, round(lines * line + 4, 1)))


def print_fit_to_width(ws, title_rows: str | None = "1:1", landscape: bool = True) -> None:
    """Print the sheet one page wide (as many pages tall as needed), repeating the header row.

    Parameters
    ----------
    ws : openpyxl worksheet
    title_rows : str or None
        Rows printed at the top of every page, e.g. ``"1:1"``.
    landscape : bool
        Landscape orientation (wide sheets stay readable when fitted to the width).
    """
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if landscape:
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    if title_rows:
        ws.print_title_rows = title_rows


def save_workbook(wb: Workbook, path: str | os.PathLike) -> Path:
    """Save an openpyxl workbook so that the same content always gives the same bytes.

    Formula-looking text is stored as text first (:func:`protect_text_cells`).

    Parameters
    ----------
    wb : openpyxl.Workbook
        The workbook to save; its creation/modification times are overwritten.
    path : path-like
        Where to write; written atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    protect_text_cells(wb)
    wb.properties.created = FIXED_TIME
    wb.properties.creator = "evalkit"
    wb.properties.lastModifiedBy = "evalkit"
    raw = io.BytesIO()
    wb.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + _FIXED_STAMP + rb"\g<2>", data)
            dst.writestr(fixed, data)
    return atomic_write_bytes(path, out.getvalue())

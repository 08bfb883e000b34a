"""Reading a CSV or XLSX file into untyped, whitespace-stripped text cells.

Every cell comes back as a ``str`` ("" for blank) with the spreadsheet row number it came
from, so later checks can say exactly where a problem is. Problems that stop the whole file
from being read (missing, empty, undecodable, repeated headers) come back as fatal Problems.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from evalkit.errors import Problem, UnreadableFile
from evalkit.files import OLE2_MAGIC, utf16_encoding
from evalkit.textclean import clean_series

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Headers keep every character a reader could see (so two headers never merge); only C0
# control characters, which no one can see or type, become spaces.
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAVE_AS_UTF8 = "re-save it from Excel as 'CSV UTF-8 (Comma delimited)'"
MAX_CELL = 128 * 1024
"""Longest cell read (characters): a longer one is almost always a broken export (an unclosed quote)."""
"""First bytes of an OLE2 file: what Excel writes for a password-protected (encrypted) workbook or old .xls."""


@dataclass
class RawTable:
    """Text cells of one file: ``frame`` (str cells, "" = blank) and where each row came from.

    ``rows`` holds the spreadsheet row number of each frame row (header = 1); ``overflow``
    marks rows that had more cells than the header; ``blank_rows`` counts rows with no value.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    encoding: str
    overflow: np.ndarray
    blank_rows: int = 0


def _fatal(file: str, row: int | None, column: str | None, message: str) -> UnreadableFile:
    """Return an UnreadableFile carrying one fatal Problem."""
    return UnreadableFile([Problem(file, row, column, message, fatal=True)])


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), else cp1252 (Excel's 'CSV' export).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file : str
        The file as the user wrote it, for messages.

    Returns
    -------
    (text, encoding) : tuple of str
        ``encoding`` is ``"utf-8"``, ``"utf-8-sig"`` (with BOM) or ``"cp1252"``.

    Raises
    ------
    UnreadableFile
        When the bytes are neither, or mix UTF-8 with another encoding; names the line.
    """
    utf16 = utf16_encoding(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            raise _fatal(file, None, None, f"the file looks like UTF-16 text but does not decode; {_SAVE_AS_UTF8}") from None
    try:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return data.decode(encoding), encoding
    except UnicodeDecodeError as err:
        bad_at = err.start
    line = data.count(b"\n", 0, bad_at) + 1
    if _UTF8_MULTIBYTE.search(data):
        raise _fatal(file, line, None,
                     f"byte 0x{data[bad_at]:02x} on line {line} is not valid UTF-8, but other lines are UTF-8, "
                     f"so the file mixes two encodings; retype the odd characters on that line and {_SAVE_AS_UTF8}")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise _fatal(file, line, None,
                     f"byte 0x{data[err.start]:02x} on line {line} is not valid text in UTF-8 or Windows-1252; "
                     f"{_SAVE_AS_UTF8}") from None


def _clean_header(cells) -> list[str]:
    """Return header cells with stray whitespace and a stray BOM removed."""
    return [_HEADER_CONTROL.sub(" ", str(c).replace("\ufeff", "")).strip() for c in cells]


def _clean_cells(cells: pd.Series) -> pd.Series:
    """Return cells without control characters (Word's vertical tab becomes a line break) or outer whitespace."""
    return clean_series(cells).str.strip()


def _check_headers(header: list[str], file: str) -> None:
    """Raise UnreadableFile listing every header that appears more than once."""
    counts = Counter(h for h in header if h)
    problems = []
    for name, n in counts.items():
        if n > 1:
            letters = [get_column_letter(i + 1) for i, h in enumerate(header) if h == name]
            problems.append(Problem(file, 1, name,
                f"column '{name}' appears {n} times (columns {', '.join(letters[:-1])} and {letters[-1]}); "
                "rename or delete the extra copies so each header is unique", fatal=True))
    if problems:
        raise UnreadableFile(problems)


def _build(header: list[str], records: list[list[str]], file: str, encoding: str) -> RawTable:
    """Return a RawTable from header and data records (record i is spreadsheet row i + 2)."""
    if not any(header):
        raise _fatal(file, 1, None, "the first row is blank; put the column headers on row 1")
    _check_headers(header, file)
    width = len(header)
    overflow = np.fromiter((len(r) > width and any(c.strip() for c in r[width:]) for r in records),
                           dtype=bool, count=len(records))
    for i, record in enumerate(records):
        for j, cell in enumerate(record):
            if len(cell) > MAX_CELL:
                column = header[j] if j < len(header) and header[j] else get_column_letter(j + 1)
                raise _fatal(file, i + 2, column, f"the cell has {len(cell):,} characters, over the "
                             f"{MAX_CELL // 1024} KB limit for one answer; shorten it or check the export")
    fixed = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in records]
    names = [h or f"unnamed_{get_column_letter(i + 1)}" for i, h in enumerate(header)]
    cells = np.array(fixed, dtype=object).reshape(len(fixed), width)
    frame = pd.DataFrame({name: _clean_cells(pd.Series(cells[:, i], dtype=object)) if len(fixed) else
                          pd.Series([], dtype=object) for i, name in enumerate(names)})
    empty_unnamed = [n for h, n in zip(header, names) if not h and not (frame[n] != "").any()]
    frame = frame.drop(columns=empty_unnamed)
    blank = ~(frame != "").any(axis=1).to_numpy() & ~overflow
    keep = ~blank
    if not keep.any():
        raise _fatal(file, None, None,
                     "the file has a header row but no data rows; export it again with one row per response")
    row_numbers = np.arange(2, len(records) + 2, dtype=np.int64)
    frame = frame.loc[keep].reset_index(drop=True)
    return RawTable(frame=frame, rows=row_numbers[keep], encoding=encoding, overflow=overflow[keep],
                    blank_rows=int(blank.sum()))


def read_csv_text(path: Path, file: str) -> RawTable:
    """Read a CSV file (UTF-8, UTF-8 with BOM or cp1252) into a RawTable.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file.
    file : str
        The path as the user wrote it, for messages.

    Returns
    -------
    RawTable
    """
    data = path.read_bytes()
    if not data.strip():
        raise _fatal(file, None, None, "the file is empty; export the data again with a header row and one row per response")
    text, encoding = decode_bytes(data, file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as err:
        where = f"line {reader.line_num}"
        if "field larger than field limit" in str(err):
            raise _fatal(file, len(records) + 1, None, f"a cell on or after {where} is over the {MAX_CELL // 1024} KB "
                         "limit for one cell; this is almost always a quote mark that is never closed, so the rows "
                         "after it were read into one cell. Fix the quote marks and export again") from None
        raise _fatal(file, len(records) + 1, None, f"the file is not valid CSV at {where} ({err}); a quote mark "
                     "opened on that row is never closed. Fix the quote marks and export again") from None
    header = _clean_header(records[0])
    _check_swallowed_rows(records, len(header), file)
    body = records[1:]
    return _build(header, body, file, encoding)


def _check_swallowed_rows(records: list[list[str]], width: int, file: str) -> None:
    """Refuse a file where a quote mark left open swallowed the next rows into one cell.

    A cell holding a line break followed by a line that parses as a whole row (as many cells as
    the header, the first a bare id-like value) is a row read into the cell, not a line of an
    answer: the row count would silently drop.
    """
    if width < 3:
        return
    first_shapes = {_shape(r[0]) for r in records[1:2001] if r and r[0].strip() and "\n" not in r[0]}
    row = 1
    for record in records:
        row += 1
        for cell in record:
            if "\n" not in cell:
                continue
            for line in cell.split("\n")[1:]:
                if line.count(",") >= width - 1 and _looks_like_row(line, width, first_shapes):
                    raise _fatal(file, row - 1 if row > 1 else None, None,
                                 f"row {row - 1}: a quote mark in this row is not closed where its cell ends, so the "
                                 "next row(s) were read into the cell and would be lost; close the quote mark (or "
                                 "double it, \"\") and export again")


def _shape(value: str) -> str:
    """A value's shape: letters as ``a``, digits as ``9`` ("R001" -> "a999")."""
    return re.sub(r"[^\W\d_]", "a", re.sub(r"\d", "9", value.strip()))


def _looks_like_row(line: str, width: int, first_shapes: set[str]) -> bool:
    """True for a line that parses as a whole row whose first cell is shaped like the other rows' first cells."""
    cells = next(csv.reader([line]), [])
    return len(cells) >= width and bool(cells[0].strip()) and _shape(cells[0]) in first_shapes


def _cell_text(value) -> str:
    """Return an XLSX cell value as the text a person would see in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, file: str, sheet: str | None = None) -> RawTable:
    """Read one worksheet of an ``.xlsx`` workbook into a RawTable.

    Parameters
    ----------
    path : pathlib.Path
        The workbook.
    file : str
        The path as the user wrote it, for messages.
    sheet : str, optional
        Worksheet name; the first sheet when omitted.

    Returns
    -------
    RawTable
    """
    if path.stat().st_size == 0:
        raise _fatal(file, None, None, "the file is empty; export the data again with a header row and one row per response")
    with path.open("rb") as fh:
        if fh.read(8) == OLE2_MAGIC:
            raise _fatal(file, None, None, "the workbook is password-protected (encrypted) or an old .xls file; "
                         "open it in Excel, remove the password (File > Info > Protect Workbook) and save it as .xlsx")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError, ValueError, zipfile.LargeZipFile) as err:
        raise _fatal(file, None, None, f"cannot be opened as an Excel workbook ({err}); "
                     "save it again from Excel as .xlsx (Excel Workbook)") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise _fatal(file, None, None, f"the workbook has no sheet '{sheet}'; its sheets are "
                         f"{', '.join(workbook.sheetnames)}; fix sheet: in the config or rename the sheet")
        values = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(min_row=1, min_col=1, values_only=True)]
    except UnreadableFile:
        raise
    except Exception as err:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
        raise _fatal(file, None, None, f"the workbook is damaged or cut short ({type(err).__name__}); "
                     "open it in Excel and save it again as .xlsx") from None
    finally:
        workbook.close()
    if not any(any(c.strip() for c in row) for row in values):
        raise _fatal(file, None, None, "the worksheet is empty; put the column headers on row 1 and one response per row")
    header = _clean_header(values[0])
    while header and not header[-1]:
        header.pop()
    body = values[1:]
    return _build(header, body, file, "xlsx")


def read_table(path: Path, file: str, sheet: str | None = None) -> RawTable:
    """Read a ``.csv`` or ``.xlsx`` data file into a RawTable, by its extension.

    Parameters
    ----------
    path : pathlib.Path
        The data file.
    file : str
        The path as the user wrote it, for messages.
    sheet : str, optional
        Worksheet for ``.xlsx`` files.

    Returns
    -------
    RawTable

    Raises
    ------
    UnreadableFile
        Missing, empty, undecodable or unsupported files, or repeated headers.
    """
    if not path.is_file():
        raise _fatal(file, None, None, f"data file not found (looked for {path}); check path: in the config "
                     "(paths are relative to the config file's folder)")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_text(path, file)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, file, sheet)
    raise _fatal(file, None, None, f"'{suffix or path.name}' files are not supported; save the data as .csv or .xlsx")

"""Byte-reproducible XLSX files.

openpyxl stamps the workbook's creation time into ``docProps/core.xml`` and the current time
into every zip entry, so two saves of the same data differ. ``save_workbook`` fixes both.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import os
import zipfile
from pathlib import Path

from openpyxl import Workbook

FIXED_TIME = dt.datetime(2020, 1, 1, 0, 0, 0)
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return ``value`` made safe against spreadsheet formula injection (OWASP CSV injection).

    Text starting with ``= + - @`` or a tab/carriage return is prefixed with an apostrophe so
    Excel and LibreOffice show it as text instead of running it. Other values pass unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def save_workbook(wb: Workbook, path: str | os.PathLike) -> Path:
    """Save an openpyxl workbook so that the same content always gives the same bytes.

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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(out.getvalue())
    os.replace(tmp, path)
    return path

"""CSV files that people open in Excel and LibreOffice, and that evalkit reads back.

evalkit writes CSV as UTF-8 with a byte-order mark (without it Excel shows ``café`` as
``cafÃ©``) and ``\\n`` line ends, with every text cell that a spreadsheet would run as a formula
(``= + - @``) neutralised by an apostrophe; it reads UTF-8, UTF-8 with a byte-order mark,
UTF-16 and Windows-1252 (what Excel's plain "CSV" format saves).
"""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pandas as pd


def csv_encoding(path) -> str:
    """Return ``utf-16`` (or ``-le``/``-be``) for UTF-16 text, ``utf-8-sig`` if the whole file decodes as UTF-8 (BOM or not), else ``cp1252``."""
    from evalkit.programme.reading import utf16_encoding

    with Path(path).open("rb") as fh:
        utf16 = utf16_encoding(fh.read(4096))
    if utf16 is not None:
        return utf16
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with Path(path).open("rb") as fh:
            while block := fh.read(1 << 24):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def read_csv(path, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` with the encoding found by :func:`csv_encoding`; text neutralised by :func:`write_csv` reads back as written."""
    frame = pd.read_csv(path, encoding=csv_encoding(path), **kwargs)
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) == "string":
            frame[column] = frame[column].map(_unneutralise)
    return frame


def _unneutralise(value):
    """Drop the apostrophe :func:`evalkit.xlsx.neutralise_formula` put before ``= + - @``, tab or carriage return."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` (no index) as UTF-8 with BOM and ``\\n`` line ends, atomically."""
    from evalkit.xlsx import neutralise_formula

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) == "string":
            safe[column] = safe[column].map(neutralise_formula)
    safe.columns = [neutralise_formula(str(c)) for c in safe.columns]
    try:
        safe.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8-sig")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

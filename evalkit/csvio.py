"""CSV files that people open in Excel and LibreOffice, and that evalkit reads back.

evalkit writes CSV as UTF-8 with a byte-order mark (without it Excel shows ``café`` as
``cafÃ©``) and ``\\n`` line ends, with every text cell that a spreadsheet would run as a formula
(``= + - @``) neutralised by an apostrophe; it reads UTF-8, UTF-8 with a byte-order mark,
UTF-16 and Windows-1252 (what Excel's plain "CSV" format saves).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.files import atomic_path, csv_encoding


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
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) == "string":
            safe[column] = safe[column].map(neutralise_formula)
    safe.columns = [neutralise_formula(str(c)) for c in safe.columns]
    with atomic_path(path) as tmp:
        safe.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8-sig")
    return path

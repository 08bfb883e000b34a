"""Write the sample's tables and config so that the same content always gives the same bytes.

CSVs are UTF-8 with ``\\n`` line endings and minimal quoting; every value is formatted to a string
before writing, so no float formatting or locale can leak in. The XLSX goes through
:func:`evalkit.xlsx.save_workbook`. The YAML config is emitted by hand in a fixed key order,
with strings JSON-quoted (valid YAML) so that no value can be misread as a number or boolean.
"""
from __future__ import annotations

import csv
import json
import re
import os
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook

from evalkit.xlsx import save_workbook


def _atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes via a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically, exactly as given (callers use ``\\n`` line endings).

    Parameters
    ----------
    path : path-like
        File to write; its folder is created if missing.
    text : str
        Content.

    Returns
    -------
    pathlib.Path
    """
    return _atomic_write(Path(path), text.encode("utf-8"))


def _cell(value) -> str:
    """Format one CSV value: None is blank, integers plain, strings as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("booleans have no agreed CSV form in the sample; write 'yes'/'no' instead")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"unexpected CSV value {value!r} of type {type(value).__name__}")


class _Buffer:
    """A minimal text sink for csv.writer."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> None:
        self.parts.append(s)


def write_csv(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a UTF-8 CSV (no BOM, ``\\n`` endings, minimal quoting) byte-reproducibly.

    Parameters
    ----------
    path : path-like
        File to write.
    header : sequence of str
        Column names.
    rows : iterable of sequences
        Values: ``str``, ``int`` or ``None`` (blank), in header order.

    Returns
    -------
    pathlib.Path
    """
    buf = _Buffer()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(header))
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"{path}: row has {len(row)} values for {len(header)} columns")
        writer.writerow([_cell(v) for v in row])
    return write_text(path, "".join(buf.parts))


def write_xlsx(path: str | os.PathLike, sheet: str, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a one-sheet workbook byte-reproducibly via :func:`evalkit.xlsx.save_workbook`.

    Parameters
    ----------
    path : path-like
        File to write.
    sheet : str
        Worksheet title.
    header : sequence of str
        Column names (first row).
    rows : iterable of sequences
        Cell values: ``str``, ``int`` or ``None`` (empty cell). Text must not start like a
        formula; the generator never produces such text.

    Returns
    -------
    pathlib.Path
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        cells = [None if v == "" else v for v in row]
        for v in cells:
            if isinstance(v, str) and v.startswith("="):
                raise ValueError(f"{path}: text {v!r} would be stored as a formula")
        ws.append(cells)
    return save_workbook(wb, path)


def _yaml_scalar(value) -> str:
    """Return a YAML scalar: JSON-quoted strings, plain ints, true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"unexpected YAML value {value!r}")


def _yaml_key(key) -> str:
    """A mapping key as written: plain when it is an int or a simple name, JSON-quoted otherwise."""
    if isinstance(key, int) or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return str(key)
    return json.dumps(key, ensure_ascii=False)


def _yaml_flow(value) -> str:
    """Return a one-line YAML flow form of a scalar, list or dict (insertion order kept)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_key(k)}: {_yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_flow(v) for v in value) + "]"
    return _yaml_scalar(value)


def yaml_block(value: dict, indent: int = 0) -> list[str]:
    """Return YAML lines for an ordered mapping, keeping its key order.

    Mappings whose values include mappings nest as blocks; lists of mappings become
    ``- {flow}`` items; everything else is written in one-line flow style. Strings are
    JSON-quoted, which YAML reads back unchanged, so no value can turn into a number,
    boolean or date.

    Parameters
    ----------
    value : dict
        Mapping of str (or int) keys to str, int, bool, list or dict values.
    indent : int, optional
        Spaces before each top-level key.

    Returns
    -------
    list of str
        Lines without line endings.
    """
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict) and item and any(isinstance(v, dict) for v in item.values()):
            lines.append(f"{pad}{key}:")
            lines.extend(yaml_block(item, indent + 2))
        elif isinstance(item, (list, tuple)) and item and all(isinstance(v, dict) for v in item):
            lines.append(f"{pad}{key}:")
            lines.extend(f"{pad}  - {_yaml_flow(v)}" for v in item)
        else:
            lines.append(f"{pad}{key}: {_yaml_flow(item)}")
    return lines

"""Names and GUIDs evalkit gives the parts of a REFI-QDA project.

Every GUID is a uuid5 of what the part is (``kind`` plus its evalkit key), so the same
programme always exports to the same bytes and a re-export keeps every GUID. A text source is
one free-text answer, named ``source ~ response id ~ column``: readable in a QDA tool's file
list, safe as a file name on Windows, macOS and Linux (QualCoder copies each source to a file
named after it), and parsed back by :func:`parse_source_name` when a tool keeps names but
changes GUIDs.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import unquote

from evalkit.coding.refi_codes import EVALKIT_NAMESPACE, normalise_guid

PROJECT_NS = "urn:QDA-XML:project:1.0"
PROJECT_NS_PREFIX = "urn:QDA-XML:project:"
AGREED_CODER = "agreed"
"""User holding the agreed codes (the programme's ``ground_truth`` file)."""
MACHINE_CODER = "evalkit-rules"
"""User holding the codes evalkit's keyword rule coder gives."""
KEY_VARIABLES = ("evalkit source", "evalkit response id", "evalkit column")
"""Text variables on every source that carry its evalkit key through tools that rename files."""
SEPARATOR = " ~ "
_UNSAFE = re.compile(r'[%~/\\:*?"<>|\x00-\x1f\x7f]')
_EXTENSION = re.compile(r"\.(txt|docx|rtf|pdf)$", re.IGNORECASE)


def guid(kind: str, *parts) -> str:
    """Return the GUID of one part of the project: uuid5 of ``kind`` and ``parts``, upper case."""
    name = "\x1f".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(EVALKIT_NAMESPACE, name)).upper()


def source_guid(source: str, response_id: str, column: str) -> str:
    """GUID of the text source holding one answer."""
    return guid("source", source, response_id, column)


def user_guid(coder: str) -> str:
    """GUID of one coder's ``User``."""
    return guid("user", coder)


def _escape(part: str) -> str:
    """Percent-escape characters that are unsafe in file names or used as the separator."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), str(part))


def source_name(source: str, response_id: str, column: str) -> str:
    """Return the name of the text source holding one answer, e.g. ``survey ~ R001 ~ liked``."""
    return SEPARATOR.join(_escape(p) for p in (source, response_id, column))


def parse_source_name(name: str | None) -> tuple[str, str, str] | None:
    """Return ``(source, response_id, column)`` from a name made by :func:`source_name`, or None.

    A file extension that a tool appended (``.txt``, ``.docx``) is ignored.
    """
    if not name:
        return None
    name = _EXTENSION.sub("", name.strip())
    parts = name.split(SEPARATOR)
    if len(parts) != 3 or not all(p.strip() for p in parts):
        return None
    return tuple(unquote(p.strip()) for p in parts)  # type: ignore[return-value]


__all__ = ["AGREED_CODER", "KEY_VARIABLES", "MACHINE_CODER", "PROJECT_NS", "PROJECT_NS_PREFIX",
           "guid", "normalise_guid", "parse_source_name", "source_guid", "source_name", "user_guid"]

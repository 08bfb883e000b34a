"""Write an :class:`~evalkit.exchange.content.ExchangeContent` as a REFI-QDA ``.qdpx`` file.

The file is a zip holding ``project.qde`` (the REFI-QDA 1.0 Project XML) and one plain text
file per answer in ``sources/`` (the folder name section 8.1 of the standard gives; QualCoder
reads ``sources`` and ``Sources``), named by the source's GUID, UTF-8 without a byte-order mark
and with ``\\n`` line ends, so that character positions count Unicode code points from the first
character of the answer, as the standard says.

Nothing in the file depends on the clock or on chance: GUIDs are uuid5s of evalkit keys, no
date attributes are written, zip entries are sorted and stamped 2020-01-01, so the same
programme always gives the same bytes.
"""
from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from evalkit.coding.qdc import add_codes
from evalkit.coding.refi_codes import theme_guid
from evalkit.exchange.content import KEY, ExchangeContent
from evalkit.exchange.names import (KEY_VARIABLES, PROJECT_NS, guid, source_guid, source_name,
                                    user_guid)
from evalkit.textclean import clean_text

ORIGIN = "evalkit"
EVALKIT_USER = "evalkit"
"""The user that owns the sources (the programme's answers are not anyone's coding)."""
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_VALUE_ELEMENT = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue", "Date": "DateValue"}
_VALID = {"Integer": re.compile(r"^[+-]?\d+$"), "Float": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
          "Date": re.compile(r"^\d{4}-\d{2}-\d{2}$")}


def _q(tag: str) -> str:
    """Qualified tag name in the project namespace."""
    return f"{{{PROJECT_NS}}}{tag}"


def _sub(parent, tag: str, **attributes):
    """Add a child element with attributes (None values left out)."""
    el = etree.SubElement(parent, _q(tag))
    for key, value in attributes.items():
        if value is not None:
            el.set(key, clean_text(str(value)))
    return el


def _description(content: ExchangeContent) -> str:
    """The project's Description: what the file is and whether answers are redacted."""
    privacy = ("Answers are redacted: emails, phone numbers, postcodes, NHS numbers, web addresses and "
               "listed names are replaced by [email], [phone] and so on; respondent ids are pseudonyms."
               if content.redacted else
               "UNREDACTED: answers are as people wrote them and may name people. Keep this file "
               "on the team's secure storage and do not share it.")
    coders = (f"Users: '{EVALKIT_USER}' owns the answers; each coder's codes are under their own user, "
              "the agreed codes under 'agreed' and evalkit's keyword rules under 'evalkit-rules'.")
    return "\n\n".join(p for p in (clean_text(content.description), privacy, coders,
                                    "Written by evalkit (export-qdpx).") if p)


def _variable_value(parent, variable_guid: str, kind: str, value: str) -> None:
    """One VariableValue; a value that does not fit its type is written as text."""
    el = _sub(parent, "VariableValue")
    _sub(el, "VariableRef", targetGUID=variable_guid)
    if kind != "Text" and not _VALID[kind].match(value):
        kind = "Text"
    _sub(el, _VALUE_ELEMENT[kind]).text = clean_text(value)


def project_xml(content: ExchangeContent) -> bytes:
    """Return ``project.qde`` for the content (UTF-8 XML, same content -> same bytes).

    Parameters
    ----------
    content : ExchangeContent

    Returns
    -------
    bytes
    """
    root = etree.Element(_q("Project"), nsmap={None: PROJECT_NS})
    root.set("name", clean_text(content.name) or "evalkit programme")
    root.set("origin", ORIGIN)
    root.set("creatingUserGUID", user_guid(EVALKIT_USER))
    users = _sub(root, "Users")
    _sub(users, "User", guid=user_guid(EVALKIT_USER), name=EVALKIT_USER)
    for coder in content.coders:
        _sub(users, "User", guid=user_guid(coder), name=coder)
    codes = _sub(_sub(root, "CodeBook"), "Codes")
    add_codes(codes, content.codebook, PROJECT_NS)
    for theme_id in content.extra_themes:
        _sub(codes, "Code", guid=theme_guid(theme_id), name=theme_id, isCodable="true", color="#D9D9D9")
    variables = _sub(root, "Variables")
    variable_guids = {}
    for name, kind in content.variables.items():
        variable_guids[name] = guid("variable", name)
        _sub(variables, "Variable", guid=variable_guids[name], name=name, typeOfVariable=kind)
    sources = _sub(root, "Sources")
    codings = {key: group for key, group in content.codings.groupby(KEY, sort=False)}
    memos = {tuple(k): m for *k, m in content.memos[KEY + ["coder", "memo"]].itertuples(index=False)}
    values = {key: group for key, group in content.values.groupby(["source", "response_id"], sort=False)}
    for answer in content.answers.itertuples(index=False):
        key = (answer.source, answer.response_id, answer.column)
        source_id = source_guid(*key)
        el = _sub(sources, "TextSource", guid=source_id, name=source_name(*key),
                  plainTextPath=f"internal://{source_id}.txt", creatingUser=user_guid(EVALKIT_USER))
        _sub(el, "Description").text = clean_text(answer.question)
        group = codings.get(key)
        if group is not None:
            for coding in group.itertuples(index=False):
                selection_id = guid("selection", source_id, coding.coder, coding.theme_id, coding.start, coding.end)
                selection = _sub(el, "PlainTextSelection", guid=selection_id, startPosition=coding.start,
                                 endPosition=coding.end, creatingUser=user_guid(coding.coder))
                memo = memos.get((*key, coding.coder))
                if memo:
                    _sub(selection, "Description").text = memo
                coded = _sub(selection, "Coding", guid=guid("coding", selection_id),
                             creatingUser=user_guid(coding.coder))
                _sub(coded, "CodeRef", targetGUID=theme_guid(coding.theme_id))
        for name, value in zip(KEY_VARIABLES, key):
            _variable_value(el, variable_guids[name], "Text", value)
        attributes = values.get((answer.source, answer.response_id))
        if attributes is not None:
            for row in attributes.itertuples(index=False):
                _variable_value(el, variable_guids[row.variable], content.variables[row.variable], row.value)
    _sub(root, "Description").text = _description(content)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def qdpx_bytes(content: ExchangeContent) -> bytes:
    """Return the whole ``.qdpx`` zip: ``project.qde`` and ``sources/<GUID>.txt`` per answer."""
    entries = {"project.qde": project_xml(content)}
    for answer in content.answers.itertuples(index=False):
        entries[f"sources/{source_guid(answer.source, answer.response_id, answer.column)}.txt"] = \
            answer.text.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return out.getvalue()

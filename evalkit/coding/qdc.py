"""REFI-QDA codebook exchange (``.qdc``), read and written with lxml.

The REFI-QDA Codebook standard (namespace ``urn:QDA-XML:codebook:1.0``) is what NVivo,
ATLAS.ti, MAXQDA, QualCoder and Taguette import. Its XSD is published on the REFI website but
ships in no installed package, so files are validated *by structure* here: a ``CodeBook`` root
in the namespace with a ``Codes`` child; every ``Code`` has a GUID-shaped ``guid``, a non-empty
``name`` and a boolean ``isCodable``; a ``Description`` comes before nested ``Code`` elements.

Writing is deterministic: ``guid`` is ``uuid5(EVALKIT_NAMESPACE, theme id)`` upper-cased, so the
same codebook always exports to the same bytes. The standard has no slot for coding guidance,
so the ``Description`` holds the definition followed by labelled sections (``Use when:``,
``Not when:``, ``Examples:``, ``Patterns:``) that other tools show as plain text and that
:func:`read_qdc` parses back. Theme ids are recovered on import when the GUID equals the uuid5
of a candidate id (the name's slug, or any id in ``known_ids``, by default the default
codebook's); otherwise ids are slugified from names.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from lxml import etree

from evalkit.coding.codebook import Codebook, Theme
from evalkit.coding.codebook_csv import slugify
from evalkit.errors import CodebookError

NS = "urn:QDA-XML:codebook:1.0"
EVALKIT_NAMESPACE = uuid.UUID("6f1c8a52-3b0e-5d5c-9a57-6576616c6b69")
_GUID = re.compile(r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$")
_SECTIONS = (("use_when", "Use when:"), ("not_when", "Not when:"), ("examples", "Examples:"),
             ("patterns", "Patterns:"))


def theme_guid(theme_id: str) -> str:
    """Return the REFI-QDA GUID evalkit writes for ``theme_id`` (uuid5, upper case)."""
    return str(uuid.uuid5(EVALKIT_NAMESPACE, theme_id)).upper()


def _q(tag: str) -> str:
    """Qualified tag name in the codebook namespace."""
    return f"{{{NS}}}{tag}"


def _description(t: Theme) -> str:
    """Definition plus labelled guidance sections."""
    parts = [t.definition] if t.definition else []
    if t.use_when:
        parts.append(f"Use when: {t.use_when}")
    if t.not_when:
        parts.append(f"Not when: {t.not_when}")
    if t.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in t.examples))
    if t.patterns:
        parts.append("Patterns:\n" + "\n".join(f"- {p}" for p in t.patterns))
    return "\n\n".join(parts)


def _parse_description(text: str) -> dict:
    """Split a Description back into definition and guidance sections."""
    out = {"definition": "", "use_when": "", "not_when": "", "examples": (), "patterns": ()}
    current = "definition"
    buffers: dict[str, list[str]] = {k: [] for k in out}
    for block in text.split("\n\n"):
        for key, label in _SECTIONS:
            if block.startswith(label):
                current = key
                block = block[len(label):]
                break
        buffers[current].append(block.strip())
    for key in ("definition", "use_when", "not_when"):
        out[key] = "\n\n".join(b for b in buffers[key] if b)
    for key in ("examples", "patterns"):
        lines = "\n".join(buffers[key]).splitlines()
        out[key] = tuple(line.strip()[2:] if line.strip().startswith("- ") else line.strip()
                         for line in lines if line.strip())
    return out


def codebook_to_qdc(cb: Codebook, origin: str = "evalkit") -> bytes:
    """Serialise a codebook as REFI-QDA ``.qdc`` XML (UTF-8, byte-identical for equal input).

    Parameters
    ----------
    cb : Codebook
    origin : str
        Value of the ``origin`` attribute naming the producing software.

    Returns
    -------
    bytes
    """
    root = etree.Element(_q("CodeBook"), nsmap={None: NS})
    root.set("origin", origin)
    codes = etree.SubElement(root, _q("Codes"))
    leaves = set(cb.leaves())

    def add(parent_el, theme_id):
        t = cb.themes[theme_id]
        el = etree.SubElement(parent_el, _q("Code"))
        el.set("guid", theme_guid(t.id))
        el.set("name", t.name)
        el.set("isCodable", "true" if t.id in leaves else "false")
        description = _description(t)
        if description:
            etree.SubElement(el, _q("Description")).text = description
        for child in cb.children(t.id):
            add(el, child)

    for top in cb.roots():
        add(codes, top)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _check_structure(root, source: str) -> None:
    """Raise CodebookError unless ``root`` has the REFI-QDA codebook structure."""
    if root.tag != _q("CodeBook"):
        raise CodebookError(
            f"{source}: root element is {etree.QName(root).localname!r} in namespace "
            f"{etree.QName(root).namespace!r}; a REFI-QDA codebook needs <CodeBook xmlns=\"{NS}\">."
        )
    codes = root.findall(_q("Codes"))
    if len(codes) != 1:
        raise CodebookError(f"{source}: <CodeBook> must contain exactly one <Codes> element.")
    for el in codes[0].iter(_q("Code")):
        line = f"{source}:{el.sourceline}"
        guid, name, codable = el.get("guid"), el.get("name"), el.get("isCodable")
        if guid is None or not _GUID.match(guid):
            raise CodebookError(f"{line}: <Code name={name!r}> needs a guid attribute like "
                                f"'1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294' (got {guid!r}).")
        if not (name or "").strip():
            raise CodebookError(f"{line}: <Code guid={guid!r}> has an empty name attribute.")
        if codable not in ("true", "false", "1", "0"):
            raise CodebookError(f"{line}: <Code name={name!r}> needs isCodable=\"true\" or \"false\".")
        seen_code = False
        for child in el:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            if local == "Code":
                seen_code = True
            elif local == "Description" and seen_code:
                raise CodebookError(f"{line}: <Description> of {name!r} must come before nested <Code>s.")


def read_qdc(path, known_ids=None) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook.

    Parameters
    ----------
    path : path-like
        The ``.qdc`` file.
    known_ids : iterable of str, optional
        Theme ids to recognise from their uuid5 GUIDs (default: the default codebook's ids).

    Returns
    -------
    Codebook
        Hierarchy from nested ``Code`` elements; names and descriptions kept.

    Raises
    ------
    CodebookError
        If the XML is malformed or does not have the codebook structure (validated by
        structure, not against the XSD; see the module docstring).
    """
    path = Path(path)
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        raise CodebookError(f"{path}: not well-formed XML ({err}).") from None
    root = tree.getroot()
    _check_structure(root, str(path))
    if known_ids is None:
        from evalkit.paths import DEFAULT_CODEBOOK

        from evalkit.coding.codebook import load_codebook

        known_ids = list(load_codebook(DEFAULT_CODEBOOK).themes) if DEFAULT_CODEBOOK.is_file() else []
    by_guid = {theme_guid(i): i for i in known_ids}
    themes: list[Theme] = []
    used: set[str] = set()

    def pick_id(guid: str, name: str) -> str:
        guid = guid.strip("{}").upper()
        slug = slugify(name)
        candidate = by_guid.get(guid) or (slug if theme_guid(slug) == guid else None) or slug
        base, n = candidate, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        return candidate

    def walk(el, parent_id):
        for code in el.findall(_q("Code")):
            theme_id = pick_id(code.get("guid"), code.get("name"))
            desc_el = code.find(_q("Description"))
            parsed = _parse_description(desc_el.text or "" if desc_el is not None else "")
            themes.append(Theme(id=theme_id, name=code.get("name").strip(), parent=parent_id, **parsed))
            walk(code, theme_id)

    walk(root.find(_q("Codes")), None)
    return Codebook(themes, name=path.stem, version="1", source=str(path))

"""REFI-QDA codebook exchange (``.qdc``), read and written with lxml.

The REFI-QDA Codebook standard (namespace ``urn:QDA-XML:codebook:1.0``) is what NVivo,
ATLAS.ti, MAXQDA and QualCoder import; Taguette exports it but imports only its own CSV
codebook (see :func:`evalkit.coding.codebook_csv.read_taguette_csv`). Its XSD is published on
the REFI website but ships in no installed package, so files are validated *by structure*
here: a ``CodeBook`` root in a ``urn:QDA-XML:codebook:*`` namespace (older tools write ``0:4``;
anything but ``1.0`` is read with a warning) with a ``Codes`` child; every ``Code`` has a
GUID-shaped ``guid``, a non-empty ``name`` and a boolean ``isCodable``; a ``Description``
comes before nested ``Code`` elements.

Writing is deterministic: ``guid`` is ``uuid5(EVALKIT_NAMESPACE, theme id)`` upper-cased and
``color`` a fixed palette colour (see :mod:`evalkit.coding.refi_codes`), so the same codebook
always exports to the same bytes; a name shared by two themes is written ``Name (Parent)`` so
tools that merge codes by name keep them apart. Control characters are dropped. The standard
has no slot for coding guidance, so the ``Description`` holds the definition followed by
labelled sections (``Use when:``, ``Not when:``, ``Examples:``, ``Patterns:``) that other tools
show as plain text and that :func:`read_qdc` parses back.

Reading keeps ids across round trips: a code whose GUID is unknown (tools such as QualCoder
give every code a new one) is matched to the reference codebook's theme by its path of names,
then by its name alone, before an id is minted from the name (see
:class:`evalkit.coding.refi_codes.ThemeMatcher`).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from lxml import etree

from evalkit.coding.codebook_csv import read_codebook_csv
from evalkit.coding.codebook_model import Codebook, Theme, reference_codebook
from evalkit.coding.refi_codes import (EVALKIT_NAMESPACE, ThemeMatcher, duplicate_names, export_names,
                                       normalise_guid, parse_theme_description, theme_colours, theme_description,
                                       theme_guid)
from evalkit.errors import CodebookError
from evalkit.textclean import clean_text

NS = "urn:QDA-XML:codebook:1.0"
NS_PREFIX = "urn:QDA-XML:codebook:"
_GUID = re.compile(r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$")

__all__ = ["EVALKIT_NAMESPACE", "NS", "add_codes", "codebook_to_qdc", "codes_to_codebook", "read_qdc",
           "theme_guid"]


def _q(tag: str, ns: str = NS) -> str:
    """Qualified tag name in namespace ``ns`` (the codebook's by default)."""
    return f"{{{ns}}}{tag}"


def add_codes(codes_el, cb: Codebook, ns: str = NS) -> None:
    """Append the codebook's themes as nested ``Code`` elements in namespace ``ns``.

    Shared by the ``.qdc`` writer and the ``.qdpx`` project writer (whose ``CodeBook`` lives
    in the project namespace). Parents are ``isCodable="false"``, leaves ``"true"``.

    Parameters
    ----------
    codes_el : lxml element
        The ``Codes`` element to fill.
    cb : Codebook
    ns : str
        XML namespace of the elements.
    """
    leaves = set(cb.leaves())
    names = export_names(cb)
    colours = theme_colours(cb)

    def add(parent_el, theme_id):
        t = cb.themes[theme_id]
        el = etree.SubElement(parent_el, _q("Code", ns))
        el.set("guid", theme_guid(t.id))
        el.set("name", clean_text(names[t.id]))
        el.set("isCodable", "true" if t.id in leaves else "false")
        el.set("color", colours[t.id])
        description = clean_text(theme_description(t))
        if description:
            etree.SubElement(el, _q("Description", ns)).text = description
        for child in cb.children(t.id):
            add(el, child)

    for top in cb.roots():
        add(codes_el, top)


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
    root.set("origin", clean_text(origin))
    add_codes(etree.SubElement(root, _q("Codes")), cb)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_namespace(root, source: str) -> str:
    """Return the namespace of a ``CodeBook`` root, warning when it is not REFI-QDA 1.0.

    Raises
    ------
    CodebookError
        If the root is not a ``CodeBook`` in a ``urn:QDA-XML:codebook:*`` namespace.
    """
    qname = etree.QName(root)
    ns = qname.namespace or ""
    if qname.localname != "CodeBook" or not ns.startswith(NS_PREFIX):
        raise CodebookError(
            f"{source}: root element is {qname.localname!r} in namespace {ns or None!r}; a REFI-QDA "
            f"codebook needs <CodeBook xmlns=\"{NS}\">."
        )
    if ns != NS:
        warnings.warn(f"{source}: namespace {ns!r} is not REFI-QDA 1.0 ({NS!r}); read as 1.0. "
                      "Check the themes came through as expected.", UserWarning, stacklevel=3)
    return ns


def check_codes(codes_el, ns: str, source: str) -> None:
    """Raise CodebookError unless every ``Code`` under ``codes_el`` is well formed."""
    for el in codes_el.iter(_q("Code", ns)):
        line = f"{source}:{el.sourceline}"
        guid, name, codable = el.get("guid"), el.get("name"), el.get("isCodable")
        if guid is None or not _GUID.match(guid.strip()):
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


def codes_to_codebook(codes_el, ns: str, source: str, reference=None, known_ids=(),
                      name: str = "Codebook") -> tuple[Codebook, dict[str, str]]:
    """Turn a REFI-QDA ``Codes`` element into a Codebook, keeping evalkit's theme ids.

    Parameters
    ----------
    codes_el : lxml element
        A ``Codes`` element (from a ``.qdc`` or a ``.qdpx`` project).
    ns : str
        Its namespace.
    source : str
        File name for messages.
    reference : Codebook or None
        Codebook whose ids to keep (see :class:`~evalkit.coding.refi_codes.ThemeMatcher`).
    known_ids : iterable of str
        Further ids recognised by GUID.
    name : str
        Name of the returned codebook.

    Returns
    -------
    (Codebook, dict)
        The codebook and ``{GUID (upper case, no braces): theme id}`` for every code.

    Warns
    -----
    UserWarning
        When several codes share a name (QualCoder merges such codes on import), naming them.
    """
    matcher = ThemeMatcher(reference, known_ids)
    themes: list[Theme] = []
    ids: dict[str, str] = {}

    def walk(el, parent_id, path):
        for code in el.findall(_q("Code", ns)):
            code_name = clean_text(code.get("name")).strip()
            match = matcher.match(code.get("guid"), code_name, (*path, code_name))
            desc_el = code.find(_q("Description", ns))
            parsed = parse_theme_description(clean_text(desc_el.text or "") if desc_el is not None else "")
            if match.rule != "new" and reference is not None and match.theme_id in reference.themes \
                    and not any(parsed.values()):
                known = reference.themes[match.theme_id]
                parsed = {k: getattr(known, k) for k in parsed}
            themes.append(Theme(id=match.theme_id, name=match.reference_name or code_name, parent=parent_id,
                                **parsed))
            ids[normalise_guid(code.get("guid"))] = match.theme_id
            walk(code, match.theme_id, (*path, code_name))

    walk(codes_el, None, ())
    cb = Codebook(themes, name=name, version="1", source=source)
    shared = duplicate_names(cb)
    if shared:
        listed = "; ".join(f"{n!r} ({', '.join(' > '.join([*reversed([cb[a].name for a in cb.ancestors(i)]), n]) for i in ids_)})"
                           for n, ids_ in shared.items())
        warnings.warn(f"{source}: {len(shared)} name(s) are used by more than one code: {listed}. evalkit keeps "
                      "them apart by their parent; QualCoder would merge them, so evalkit writes them as "
                      "'Name (Parent)'.", UserWarning, stacklevel=2)
    return cb, ids


def read_qdc(path, known_ids=None, codebook="default") -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook.

    Parameters
    ----------
    path : path-like
        The ``.qdc`` file.
    known_ids : iterable of str, optional
        Further theme ids to recognise from their uuid5 GUIDs.
    codebook : Codebook, path, "default" or None
        Reference codebook whose theme ids are kept when a code matches one of its themes by
        GUID, by path of names or by a unique name (default: evalkit's default codebook;
        None: only GUIDs of ``known_ids`` and name slugs). A code matching no theme gets an id
        slugified from its name.

    Returns
    -------
    Codebook
        Hierarchy from nested ``Code`` elements; names and descriptions kept. When a matched
        code has no description (Taguette writes none), the reference theme's guidance and
        patterns are kept.

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
    ns = codebook_namespace(root, str(path))
    codes = root.findall(_q("Codes", ns))
    if len(codes) != 1:
        raise CodebookError(f"{path}: <CodeBook> must contain exactly one <Codes> element.")
    check_codes(codes[0], ns, str(path))
    reference = reference_codebook(codebook, {".csv": read_codebook_csv, ".qdc": read_qdc})
    cb, _ = codes_to_codebook(codes[0], ns, str(path), reference, known_ids or (), name=path.stem)
    return cb

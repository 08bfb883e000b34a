"""Read a REFI-QDA ``.qdpx`` written by any tool: users, codes, text sources and their codings.

What the tools do differently, and what is done about it here:

- the project file is ``project.qde`` (NVivo, MAXQDA, QualCoder) or ``<project name>.qde``
  (ATLAS.ti); the folder is ``sources`` or ``Sources``: any one ``.qde`` and either folder are
  read, file names compared without case;
- source texts are UTF-8 with a byte-order mark (QualCoder) or without: the mark is not text;
- line ends: ATLAS.ti and QualCoder count ``\\r\\n`` as one character, NVivo and MAXQDA as two;
  positions are read accordingly and then given for the text with ``\\n`` line ends;
- positions count Unicode code points (section 10.2 of the standard), so accents, curly quotes
  and emoji are one character each;
- codings sit in ``PlainTextSelection`` elements (with the coder as ``creatingUser``) or
  directly under the source (the whole text coded); a selection without a coding is an
  annotation and is skipped;
- source attributes are ``VariableValue`` elements in the source, or in a nameless ``Case``
  that refers to one source (MAXQDA).
"""
from __future__ import annotations

import bisect
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from evalkit.coding.codebook import Codebook
from evalkit.coding.qdc import check_codes, codes_to_codebook
from evalkit.errors import DataValidationError, Problem
from evalkit.exchange.names import PROJECT_NS, PROJECT_NS_PREFIX, normalise_guid
from evalkit.textclean import clean_text

_ONE_CHAR_NEWLINE = ("ATLAS", "QUALCODER", "EVALKIT")
_VALUES = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


@dataclass(frozen=True)
class Coding:
    """One code given to a stretch of a source by one user (positions in the ``\\n`` text)."""

    start: int
    end: int
    user: str
    code_guid: str


@dataclass
class TextSource:
    """One text source: its text with ``\\n`` line ends, attributes and codings."""

    guid: str
    name: str
    text: str
    variables: dict = field(default_factory=dict)
    codings: list = field(default_factory=list)


@dataclass
class QdpxProject:
    """What :func:`read_qdpx` found.

    Attributes
    ----------
    path : pathlib.Path
    origin : str
        The ``origin`` attribute (the tool that wrote the file).
    users : dict of str to str
        User GUID (upper case) to name.
    codebook : Codebook
        The project's codes as themes, evalkit ids kept where they match.
    code_ids : dict of str to str
        Code GUID to theme id.
    new_codes : list of tuple
        ``(guid, name, theme id)`` of codes that matched no theme of the reference codebook.
    sources : list of TextSource
    problems : list of Problem
        Selections that cannot be read (out of range, missing text), other source kinds skipped.
    """

    path: Path
    origin: str
    users: dict
    codebook: Codebook | None
    code_ids: dict
    new_codes: list
    sources: list
    problems: list


def _local(el) -> str:
    """Element name without namespace ('' for comments)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    """Direct children called ``name`` (any namespace)."""
    return [c for c in el if _local(c) == name]


def _project_file(zf: zipfile.ZipFile, path: Path) -> str:
    """Name of the ``.qde`` inside the zip."""
    qde = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if not qde:
        raise DataValidationError([Problem(str(path), None, None, "no project.qde inside; is this a REFI-QDA "
                                           ".qdpx project (a .qdc is a codebook: use it as --codebook)?", True)])
    return "project.qde" if "project.qde" in qde else sorted(qde)[0]


def _decode(data: bytes) -> str:
    """Source text as UTF-8 (byte-order mark dropped), falling back to Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _position_mapper(raw: str, one_char_newline: bool):
    """Return (text with \\n line ends, function from a file position to a text position)."""
    if "\r" not in raw:
        return raw, lambda p: p
    if one_char_newline:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        return text, lambda p: p
    dropped = [i for i in range(len(raw)) if raw[i] == "\r" and raw[i + 1:i + 2] == "\n"]
    text = raw.replace("\r\n", "\n").replace("\r", "\n")

    def to_text(p: int) -> int:
        return p - bisect.bisect_left(dropped, p)

    return text, to_text


def _variable_values(el, variables: dict) -> dict:
    """Variable name to value text for the VariableValue children of ``el``."""
    out = {}
    for vv in _children(el, "VariableValue"):
        ref = next(iter(_children(vv, "VariableRef")), None)
        value = next((c for c in vv if _local(c) in _VALUES), None)
        if ref is None or value is None:
            continue
        name = variables.get(normalise_guid(ref.get("targetGUID")))
        if name is not None:
            out[name] = clean_text(value.text or "").strip()
    return out


def read_qdpx(path, codebook="default") -> QdpxProject:
    """Read a REFI-QDA project file.

    Parameters
    ----------
    path : path-like
        The ``.qdpx`` file.
    codebook : Codebook, path, "default" or None
        Reference codebook whose theme ids are kept for codes that match its themes (by GUID,
        path of names or unique name); see :func:`evalkit.coding.qdc.codes_to_codebook`.

    Returns
    -------
    QdpxProject

    Raises
    ------
    DataValidationError
        If the file is not a zip, has no ``.qde`` or the XML is not a REFI-QDA project.
    """
    from evalkit.coding.codebook import load_codebook

    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise DataValidationError([Problem(where, None, None, "file not found; check the path.", True)])
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DataValidationError([Problem(where, None, None, "not a zip file; a .qdpx is a zip holding "
                                           "project.qde and a sources folder. Export it again from the tool.",
                                           True)]) from None
    with zf:
        qde_name = _project_file(zf, path)
        qde_where = f"{where}!{qde_name}"
        try:
            root = etree.fromstring(zf.read(qde_name), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                       huge_tree=True))
        except etree.XMLSyntaxError as err:
            raise DataValidationError([Problem(qde_where, None, None, f"not well-formed XML ({err}).", True)]) from None
        ns = etree.QName(root).namespace or ""
        if _local(root) != "Project" or not ns.startswith(PROJECT_NS_PREFIX):
            raise DataValidationError([Problem(qde_where, 1, None, f"root element is {_local(root)!r} in namespace "
                                               f"{ns or None!r}; a REFI-QDA project needs <Project xmlns=\"{PROJECT_NS}\">.",
                                               True)])
        if ns != PROJECT_NS:
            warnings.warn(f"{qde_where}: namespace {ns!r} is not REFI-QDA 1.0; read as 1.0.", UserWarning, stacklevel=2)
        origin = root.get("origin") or ""
        one_char = any(tag in origin.upper() for tag in _ONE_CHAR_NEWLINE)
        files = {PurePosixPath(n).name.lower(): n for n in zf.namelist()
                 if PurePosixPath(n).parent.name.lower() == "sources"}
        users = {}
        for group in _children(root, "Users"):
            for user in _children(group, "User"):
                users[normalise_guid(user.get("guid"))] = clean_text(user.get("name") or user.get("id") or user.get("guid"))
        reference = load_codebook() if isinstance(codebook, str) and codebook == "default" else (
            None if codebook is None else load_codebook(codebook))
        cb, code_ids, new_codes = None, {}, []
        for book in _children(root, "CodeBook"):
            for codes_el in _children(book, "Codes"):
                check_codes(codes_el, ns, qde_where)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    cb, code_ids = codes_to_codebook(codes_el, ns, qde_where, reference, name=root.get("name") or path.stem)
                for w in caught:
                    warnings.warn(str(w.message), w.category, stacklevel=2)
                names = {normalise_guid(c.get("guid")): clean_text(c.get("name")) for c in codes_el.iter(f"{{{ns}}}Code")}
                matched = set(reference.themes) if reference is not None else set()
                new_codes = [(g, names[g], t) for g, t in code_ids.items() if t not in matched]
        variables = {normalise_guid(v.get("guid")): clean_text(v.get("name") or "")
                     for group in _children(root, "Variables") for v in _children(group, "Variable")}
        case_values: dict[str, dict] = {}
        for group in _children(root, "Cases"):
            for case in _children(group, "Case"):
                refs = _children(case, "SourceRef")
                if case.get("name") is None and len(refs) == 1:
                    case_values.setdefault(normalise_guid(refs[0].get("targetGUID")), {}).update(
                        _variable_values(case, variables))
        sources, problems, skipped = [], [], 0
        for group in _children(root, "Sources"):
            for el in group:
                kind = _local(el)
                if kind != "TextSource":
                    skipped += bool(kind)
                    continue
                source = _text_source(el, zf, files, one_char, variables, users, qde_where, problems)
                if source is not None:
                    source.variables = {**case_values.get(source.guid, {}), **source.variables}
                    sources.append(source)
        if skipped:
            problems.append(Problem(qde_where, None, None, f"{skipped} non-text source(s) (PDF, pictures, audio, "
                                    "video) skipped: evalkit reads codings of text only."))
    return QdpxProject(path=path, origin=origin, users=users, codebook=cb, code_ids=code_ids,
                       new_codes=new_codes, sources=sources, problems=problems)


def _text_source(el, zf, files, one_char, variables, users, where, problems) -> TextSource | None:
    """One TextSource with its text and codings, or None when its text cannot be found."""
    guid = normalise_guid(el.get("guid"))
    name = clean_text(el.get("name") or guid)
    line = el.sourceline
    content = next(iter(_children(el, "PlainTextContent")), None)
    if content is not None:
        raw = content.text or ""
    else:
        target = (el.get("plainTextPath") or "").split("://", 1)[-1].strip("/")
        entry = files.get(PurePosixPath(target).name.lower()) if target else None
        if entry is None:
            problems.append(Problem(where, line, None, f"source {name!r}: its text file "
                                    f"{el.get('plainTextPath')!r} is not in the .qdpx; its codings are skipped."))
            return None
        raw = _decode(zf.read(entry))
    text, to_text = _position_mapper(raw, one_char)
    source = TextSource(guid=guid, name=name, text=text, variables=_variable_values(el, variables))
    whole = [(c, None) for c in _children(el, "Coding")]
    selections = [(c, sel) for sel in _children(el, "PlainTextSelection") for c in _children(sel, "Coding")]
    for coding, selection in whole + selections:
        ref = next(iter(_children(coding, "CodeRef")), None)
        if ref is None:
            continue
        owner = coding.get("creatingUser")
        if selection is not None:
            owner = selection.get("creatingUser") or selection.get("modifyingUser") or owner
        user = users.get(normalise_guid(owner), "(no user)" if not owner else normalise_guid(owner))
        if selection is None:
            start, end = 0, len(text)
        else:
            try:
                start = to_text(int(selection.get("startPosition")))
                end = to_text(int(selection.get("endPosition")))
            except (TypeError, ValueError):
                problems.append(Problem(where, selection.sourceline, None, f"source {name!r}: selection without "
                                        "whole-number startPosition/endPosition skipped."))
                continue
        if not 0 <= start <= end <= len(text):
            problems.append(Problem(where, (selection if selection is not None else coding).sourceline, None,
                                    f"source {name!r}: selection {start}-{end} lies outside its text of "
                                    f"{len(text)} characters; skipped."))
            continue
        source.codings.append(Coding(start, end, user, normalise_guid(ref.get("targetGUID"))))
    return source

"""Low-level file helpers every layer shares: atomic writes, SHA-256 digests, text encodings.

Nothing here knows about programmes, codebooks or reports; every writer in evalkit goes through
:func:`atomic_path` so a reader (or a crash) never sees half a file.
"""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""First bytes of an OLE2 compound file: an old ``.xls`` workbook or a password-protected ``.xlsx``."""


def temporary_name(path: Path) -> Path:
    """Return the hidden temporary file :func:`atomic_path` writes beside ``path`` (``.name.<pid>.tmp``)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path, *, mkdir: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, move it over ``path``.

    The temporary file is removed if the block fails, so a failed write leaves the old file as it was.

    Parameters
    ----------
    path : path-like
        The file to write.
    mkdir : bool
        Create the parent folders first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    if mkdir:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file (see :func:`atomic_path`); return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """Return the SHA-256 hex digest of a string (UTF-8).

    Examples
    --------
    >>> sha256_text("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utf16_encoding(data: bytes) -> str | None:
    """Return ``utf-16`` (byte-order mark) or ``utf-16-le``/``-be`` (every other byte NUL), else None.

    Excel's "Unicode Text" and some survey tools save UTF-16; read as Windows-1252 it gives a
    NUL between every letter and no header matches.

    Examples
    --------
    >>> utf16_encoding("Name,Age".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_encoding(b"Name,Age") is None
    True
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    return None


def csv_encoding(path) -> str:
    """Return ``utf-16`` (or ``-le``/``-be``) for UTF-16 text, ``utf-8-sig`` if the whole file decodes as UTF-8 (BOM or not), else ``cp1252``."""
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

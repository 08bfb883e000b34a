"""File names for pages: project ids made safe to use in a file name."""
from __future__ import annotations

import re

from evalkit.files import sha256_text

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_names(ids) -> list[str]:
    """File-name parts for project ids: letters, digits, ``-`` and ``_`` only, never repeated.

    An id that changes when made safe (spaces, slashes, ``../``) gets a short hash of itself
    added, so two ids never share a page and no page is written outside the output folder.
    """
    out, seen = [], set()
    for pid in map(str, ids):
        name = _UNSAFE.sub("-", pid).strip("-") or "project"
        if name != pid or name.casefold() in seen:
            name = f"{name}-{sha256_text(pid)[:6]}"
        seen.add(name.casefold())
        out.append(name)
    return out

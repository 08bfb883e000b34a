"""Pseudonymous ids: a keyed hash (HMAC-SHA256) of each raw id, short enough to read.

The same id and salt always give the same pseudonym, so a person's rows still link across
sources, while nobody without the salt can reverse or re-compute them. Keep the salt secret
and out of reports; changing it changes every pseudonym.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Iterable

import pandas as pd

from evalkit.errors import PseudonymError

SALT_ADVICE = ("put one long random line in the file named by privacy: salt_file: in programme.yml "
               "(e.g. python -c \"import secrets; print(secrets.token_hex(32))\"), "
               "or set the EVALKIT_PSEUDONYM_SALT environment variable")


def _one(raw: str, key: bytes, prefix: str, length: int) -> str:
    """Return the pseudonym of one raw id."""
    digest = hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:length]}"


def pseudonymise(ids: Iterable, salt: str, *, prefix: str = "R", length: int = 8) -> pd.Series:
    """Replace raw ids by keyed-hash pseudonyms such as ``"R-3f9a2c1b"``.

    Each pseudonym is ``prefix``, a dash and the first ``length`` hex digits of
    HMAC-SHA256(key=salt, message=id) (RFC 2104). Ids are compared as text with surrounding
    whitespace removed, so ``7`` and ``" 7"`` give the same pseudonym. Missing values stay
    missing.

    Parameters
    ----------
    ids : iterable or pandas.Series
        Raw ids (response or respondent ids).
    salt : str
        The programme's secret key (``Programme.privacy["salt"]``).
    prefix : str, default "R"
        Text before the dash.
    length : int, default 8
        Hex digits kept (4-64). Eight digits give about 4 billion values; with more than
        about 10,000 distinct ids use 12 or more to keep collisions unlikely.

    Returns
    -------
    pandas.Series
        ``string`` dtype; the input's index and name when ``ids`` is a Series.

    Raises
    ------
    PseudonymError
        If the salt is empty, or two different ids get the same pseudonym (use a larger
        ``length``).

    Examples
    --------
    >>> pseudonymise(["what do ya want for nothing?"], "Jefe").tolist()
    ['R-5bdcc146']
    """
    if salt is None or not str(salt).strip():
        raise PseudonymError(f"the pseudonym salt is empty, so ids cannot be pseudonymised; {SALT_ADVICE}")
    if not 4 <= int(length) <= 64:
        raise PseudonymError(f"length must be between 4 and 64 hex digits, not {length}")
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    text = series.astype("string").str.strip()
    key = str(salt).encode("utf-8")
    unique = text.dropna().unique()
    mapping = {raw: _one(raw, key, prefix, int(length)) for raw in unique}
    if len(set(mapping.values())) < len(mapping):
        raise PseudonymError(f"two different ids got the same {length}-digit pseudonym among {len(mapping)} ids; "
                             f"call pseudonymise(..., length={int(length) + 4}) for longer pseudonyms")
    return text.map(mapping).astype("string").rename(series.name)

"""The privacy step between a programme and its reports: free text redacted, ids pseudonymised.

:class:`~evalkit.report.data.ReportData` is built from what these functions return, so reports
read prepared, redacted results and never the raw tables.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

ID_ROLES = ("id_column", "respondent_column")


def redactor_for(programme):
    """Return a function redacting a Series of free text with the programme's listed names."""
    from evalkit.privacy.redact import redact_series

    names = tuple(programme.privacy.get("names") or ())
    return lambda s: redact_series(s, names=names)


PSEUDONYM_LENGTHS = (8, 12, 16)


def pseudonymiser_for(programme):
    """Return a function pseudonymising ids with the programme's salt, at one length for every table.

    Eight hex digits keep pseudonyms short; a programme whose ids collide at that length (about
    one in a hundred salts for 10,000 ids) gets 12, then 16, so a report never fails on it.
    """
    from evalkit.privacy.pseudonym import PseudonymError, pseudonymise

    salt = programme.privacy.get("salt")
    length = programme.__dict__.get("_pseudonym_length")
    if length is None:
        ids = pd.Series(sorted({str(v) for name, table in programme.tables.items()
                                for role in ID_ROLES
                                for col in [getattr(programme.sources[name], role, None)]
                                if col and col in table.columns for v in table[col].dropna()}), dtype=object)
        for length in PSEUDONYM_LENGTHS:
            try:
                pseudonymise(ids, salt, length=length)
                break
            except PseudonymError:
                if length == PSEUDONYM_LENGTHS[-1]:
                    raise
        programme.__dict__["_pseudonym_length"] = length
    return lambda s: pseudonymise(s, salt, length=length)


def write_quarantine(programme, out_dir: Path) -> Path:
    """Write the quarantined rows for the researcher, personal details redacted, formulas neutralised."""
    from evalkit.privacy.redact import redact

    names = tuple(programme.privacy.get("names") or ())
    return programme.write_quarantine(out_dir, redact=lambda text: redact(text, names=names))

"""What a report notebook may see: the programme with every personal detail removed.

``open_report`` is the single door between raw data and the rendered reports. It redacts every
free-text column (emails, phones, postcodes, NHS numbers, URLs, listed names), replaces response
and respondent ids with salted pseudonyms, and carries the programme's suppression policy, so no
notebook handles raw text or ids.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.report import manifest as mf

ID_ROLES = ("id_column", "respondent_column")


def load_report_programme(config):
    """Load and validate a programme for reporting (fatal problems raise with every message)."""
    from evalkit.programme import load_programme

    return load_programme(config)


def provenance_for(programme) -> dict:
    """Return the provenance every report carries: input hashes, codebook, versions, code, commit."""
    from evalkit.coding.codebook import load_codebook

    codebook = load_codebook(programme.codebook_path)
    inputs = {label: mf.sha256_file(path) for label, path in sorted(programme.input_files().items())}
    versions = mf.package_versions()
    return {
        "programme": programme.name,
        "inputs": inputs,
        "codebook": f"{codebook.name} v{codebook.version} (sha256 {codebook.content_hash[:12]})",
        "report_settings": programme.report_settings,
        "evalkit": versions.get("evalkit", "unknown"),
        "versions": versions,
        "code": mf.code_hash(),
        "commit": mf.git_commit(),
    }


def _redactor(programme):
    from evalkit.privacy.redact import redact_series

    names = tuple(programme.privacy.get("names") or ())
    return lambda s: redact_series(s, names=names)


def _pseudonymiser(programme):
    from evalkit.privacy.pseudonym import pseudonymise

    salt = programme.privacy.get("salt")
    return lambda s: pseudonymise(s, salt)


def write_quarantine(programme, path: Path) -> Path:
    """Write the quarantined rows for the researcher, with personal details redacted."""
    from evalkit.privacy.redact import redact

    names = tuple(programme.privacy.get("names") or ())
    q = programme.quarantine.copy()
    if "record" in q.columns:
        q["record"] = [redact(r, names=names) if isinstance(r, str) else r for r in q["record"]]
    if "problem" in q.columns:
        q["problem"] = [redact(p, names=names) if isinstance(p, str) else p for p in q["problem"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    q.to_csv(path, index=False, lineterminator="\n")
    return path


@dataclass
class ReportData:
    """A programme as reports see it: redacted text, pseudonymous ids, a suppression policy.

    Attributes
    ----------
    name, synthetic, description : programme facts
    projects : pandas.DataFrame
        Indexed by project id: name, theme, description.
    tables : dict of str to pandas.DataFrame
        Every source, free text redacted and ids pseudonymised.
    policy : evalkit.privacy.suppression.SuppressionPolicy
        Small-number suppression applied to every table and chart.
    """

    programme: object
    tables: dict
    policy: object
    seed: int

    @property
    def name(self) -> str:
        return self.programme.name

    @property
    def synthetic(self) -> bool:
        return bool(self.programme.synthetic)

    @property
    def description(self) -> str:
        return self.programme.description or ""

    @property
    def projects(self) -> pd.DataFrame:
        return self.programme.projects

    def source(self, name: str):
        """The source's column specification."""
        return self.programme.sources[name]

    def columns_of_type(self, source: str, kind: str) -> list[str]:
        """Names of a source's columns of one type (``likert``, ``free_text``...)."""
        return self.programme.columns_of_type(source, kind)

    def label(self, source: str, column: str) -> str:
        """The question text for a column (its label, else its name)."""
        spec = self.programme.sources[source].columns[column]
        return spec.label or column

    @functools.cached_property
    def answers(self) -> pd.DataFrame:
        """Every non-blank free-text answer, long: source, response_id, project_id, column, question, text."""
        frames = []
        for source in sorted(self.tables):
            table = self.tables[source]
            spec = self.programme.sources[source]
            for column in self.columns_of_type(source, "free_text"):
                part = table[[spec.id_column, spec.project_column, column]].dropna(subset=[column])
                frames.append(pd.DataFrame({
                    "source": source, "response_id": part[spec.id_column].astype(str).to_numpy(),
                    "project_id": part[spec.project_column].astype(str).to_numpy(), "column": column,
                    "question": self.label(source, column), "text": part[column].astype(str).to_numpy(),
                }))
        if not frames:
            return pd.DataFrame(columns=["source", "response_id", "project_id", "column", "question", "text"])
        return pd.concat(frames, ignore_index=True)

    def quotes(self, project_id: str | None, source: str, column: str, n: int = 3, min_words: int = 6) -> list[str]:
        """Up to ``n`` redacted answers to one question, chosen reproducibly with the report seed."""
        a = self.answers
        a = a[(a["source"] == source) & (a["column"] == column)]
        if project_id is not None:
            a = a[a["project_id"] == project_id]
        a = a[a["text"].str.split().str.len() >= min_words]
        if a.empty:
            return []
        rng = np.random.default_rng(self.seed)
        pick = rng.choice(len(a), size=min(n, len(a)), replace=False)
        return [a["text"].iloc[i] for i in sorted(pick)]


def open_report(config, seed: int | None = None) -> ReportData:
    """Open a programme for a report notebook.

    Parameters
    ----------
    config : path-like
        The programme's YAML config.
    seed : int, optional
        Seed for any sampling (quotes, bootstrap); defaults to the programme's ``report.seed``.

    Returns
    -------
    ReportData
        Redacted, pseudonymised tables and the suppression policy.
    """
    from evalkit.privacy.suppression import SuppressionPolicy

    programme = load_report_programme(config)
    redact = _redactor(programme)
    pseudo = _pseudonymiser(programme)
    tables = {}
    for name, table in programme.tables.items():
        spec = programme.sources[name]
        t = table.copy()
        for role in ID_ROLES:
            col = getattr(spec, role, None)
            if col and col in t.columns:
                t[col] = pseudo(t[col].astype(str)).to_numpy()
        for column in programme.columns_of_type(name, "free_text"):
            t[column] = redact(t[column])
        tables[name] = t
    settings = programme.report_settings or {}
    policy = SuppressionPolicy.from_config(settings.get("suppression"))
    return ReportData(programme=programme, tables=tables, policy=policy,
                      seed=int(settings.get("seed", 0) if seed is None else seed))


def pseudonymise_codes(report: ReportData, codes: pd.DataFrame) -> pd.DataFrame:
    """Replace raw response ids in a coding table (ground truth, double coding) by pseudonyms."""
    pseudo = _pseudonymiser(report.programme)
    out = codes.copy()
    out["response_id"] = pseudo(out["response_id"].astype(str)).to_numpy()
    return out


__all__ = ["ReportData", "open_report", "load_report_programme", "provenance_for", "write_quarantine",
           "pseudonymise_codes"]

"""What a report notebook may see: the programme with every personal detail removed.

``open_report`` is the single door between raw data and the rendered reports. It redacts every
free-text column (emails, phones, postcodes, NHS numbers, URLs, listed names), replaces response
and respondent ids with salted pseudonyms, and carries the programme's suppression policy, so no
notebook handles raw text or ids.
"""
from __future__ import annotations

import functools
import os
import pickle
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
    from evalkit.coding.embeddings import model_info

    codebook = load_codebook(programme.codebook_path)
    model = model_info()
    inputs = {label: mf.sha256_file(path) for label, path in sorted(programme.input_files().items())}
    versions = mf.package_versions()
    return {
        "programme": programme.name,
        "inputs": inputs,
        "codebook": f"{codebook.name} v{codebook.version} (sha256 {codebook.content_hash[:12]})",
        "embedding_model": f"{model['name']} revision {model['revision'][:8]} "
                           f"(weights sha256 {model['weights_sha256'][:12]})",
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


def write_quarantine(programme, out_dir: Path) -> Path:
    """Write the quarantined rows for the researcher, personal details redacted, formulas neutralised."""
    from evalkit.privacy.redact import redact

    names = tuple(programme.privacy.get("names") or ())
    return programme.write_quarantine(out_dir, redact=lambda text: redact(text, names=names))


@dataclass(eq=False)
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

    def __getattr__(self, attr: str):
        """Everything else (sources, config_path, report_settings...) comes from the programme."""
        if attr.startswith("__") or attr == "programme":
            raise AttributeError(attr)
        return getattr(self.programme, attr)

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
            if spec.id_column == spec.project_column:
                continue  # project-level facts, not people's answers
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

    @functools.cached_property
    def ground_truth(self) -> pd.DataFrame | None:
        """The ground-truth themes (if the programme has them), with pseudonymous response ids."""
        truth = self.programme.ground_truth
        return None if truth is None else pseudonymise_codes(self, truth)

    @functools.cached_property
    def double_coding(self) -> pd.DataFrame | None:
        """Two coders' codes (if the programme has them), with pseudonymous response ids."""
        codes = self.programme.double_coding
        return None if codes is None else pseudonymise_codes(self, codes)

    @functools.cached_property
    def codebook(self):
        """The programme's codebook."""
        from evalkit.coding import load_codebook

        return load_codebook(self.programme.codebook_path)

    @functools.cached_property
    def coded(self) -> pd.DataFrame:
        """Themes the rule coder finds in every answer: source, response_id, column, theme_id, evidence."""
        from evalkit.coding import RuleCoder

        a = self.answers
        codes = RuleCoder(self.codebook).code(a["text"].tolist(), response_ids=np.arange(len(a)))
        leaves = set(self.codebook.leaves())
        codes = codes[codes["theme_id"].isin(leaves)]
        rows = a.iloc[codes["response_id"].to_numpy(dtype=int)]
        return pd.DataFrame({
            "source": rows["source"].to_numpy(), "response_id": rows["response_id"].to_numpy(),
            "project_id": rows["project_id"].to_numpy(), "column": rows["column"].to_numpy(),
            "theme_id": codes["theme_id"].to_numpy(), "evidence": codes["evidence"].to_numpy(),
        })

    @functools.cached_property
    def sentiment(self) -> pd.DataFrame:
        """VADER sentiment of every answer, aligned with :attr:`answers`."""
        from evalkit.coding import sentiment_scores

        scores = sentiment_scores(self.answers["text"].tolist())
        return pd.concat([self.answers.reset_index(drop=True), scores.drop(columns="response_id")], axis=1)

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


def open_report(config, seed: int | None = None, programme=None) -> ReportData:
    """Open a programme for a report notebook.

    Parameters
    ----------
    config : path-like
        The programme's YAML config.
    seed : int, optional
        Seed for any sampling (quotes, bootstrap); defaults to the programme's ``report.seed``.
    programme : evalkit.programme.Programme, optional
        The programme already loaded from ``config`` (saves loading it again).

    Returns
    -------
    ReportData
        Redacted, pseudonymised tables and the suppression policy.
    """
    from evalkit.privacy.suppression import SuppressionPolicy

    bundled = _from_bundle(config, seed)
    if bundled is not None:
        return bundled
    if programme is None:
        programme = load_report_programme(config)
    redact = _redactor(programme)
    pseudo = _pseudonymiser(programme)
    tables = {}
    for name, table in programme.tables.items():
        spec = programme.sources[name]
        t = table.copy()
        for role in ID_ROLES:
            col = getattr(spec, role, None)
            if col and col in t.columns and col != spec.project_column:
                t[col] = pseudo(t[col]).to_numpy()
        for column in programme.columns_of_type(name, "free_text"):
            t[column] = redact(t[column])
        tables[name] = t
    settings = programme.report_settings or {}
    policy = SuppressionPolicy.from_config(settings.get("suppression"))
    return ReportData(programme=programme, tables=tables, policy=policy,
                      seed=int(settings.get("seed", 0) if seed is None else seed))


BUNDLE_ENV = "EVALKIT_REPORT_BUNDLE"


def _bundle_key(config, seed) -> str:
    return f"{Path(config).resolve()}|{seed}"


def _from_bundle(config, seed) -> ReportData | None:
    """The report prepared by the pipeline, if it matches this config and seed."""
    path = os.environ.get(BUNDLE_ENV)
    if not path or not Path(path).exists():
        return None
    with open(path, "rb") as fh:
        key, report = pickle.load(fh)
    return report if key == _bundle_key(config, seed) else None


def prepare_bundle(config, seed: int, path: Path, programme=None) -> Path:
    """Open the report once, do the shared work (coding, sentiment, profiles, synthesis), and pickle it.

    Every notebook of a run then starts from this bundle instead of repeating the work.
    """
    from evalkit.report import narrative, sections

    report = open_report(config, seed=seed, programme=programme)
    sections.profile(report)
    for pair in narrative.outcome_pairs(report):
        sections.synthesis(report, pair)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump((_bundle_key(config, seed), report), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return path


def pseudonymise_codes(report: ReportData, codes: pd.DataFrame) -> pd.DataFrame:
    """Replace raw response ids in a coding table (ground truth, double coding) by pseudonyms."""
    pseudo = _pseudonymiser(report.programme)
    out = codes.copy()
    out["response_id"] = pseudo(out["response_id"]).to_numpy()
    return out


__all__ = ["ReportData", "open_report", "load_report_programme", "provenance_for", "write_quarantine",
           "pseudonymise_codes"]

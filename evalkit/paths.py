"""The one place that defines evalkit's paths."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
REPO_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
DATA_DIR = REPO_DIR / "data"
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_CONFIG = SAMPLE_DIR / "programme.yml"
OUTPUTS_DIR = REPO_DIR / "outputs"
BENCHMARKS_DIR = REPO_DIR.parent / "shared" / "benchmarks"
DEFAULT_CODEBOOK = RESOURCES_DIR / "codebook_coproduction.yml"

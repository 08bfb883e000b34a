"""The one place that defines evalkit's paths."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
REPO_DIR = PACKAGE_DIR.parent
# Installed, the report notebooks ship inside the package (evalkit/notebooks); in a checkout
# (an editable install) they are the repository's notebooks/ folder.
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks" if (PACKAGE_DIR / "notebooks").is_dir() else REPO_DIR / "notebooks"
DATA_DIR = REPO_DIR / "data"
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_CONFIG = SAMPLE_DIR / "programme.yml"
OUTPUTS_DIR = REPO_DIR / "outputs"
def _benchmarks_dir() -> Path:
    """Where the shared benchmark data lives: $EVALKIT_BENCHMARKS, ../shared/benchmarks, or /work/shared/benchmarks."""
    candidates = [os.environ.get("EVALKIT_BENCHMARKS"), REPO_DIR.parent / "shared" / "benchmarks",
                  Path("/work/shared/benchmarks")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return REPO_DIR.parent / "shared" / "benchmarks"


BENCHMARKS_DIR = _benchmarks_dir()
DEFAULT_CODEBOOK = RESOURCES_DIR / "codebook_coproduction.yml"

"""Shared fixtures: one sample report build reused by the report tests."""
import shutil
import sys
from pathlib import Path

import pytest

from evalkit.paths import SAMPLE_DIR

# The sample generator (tools/sample_data/) and the benchmarks (benchmarks/) live in the repository,
# not in the installed package; tests import them from the checkout.
REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """Build the sample programme's reports once per test session; return the output folder."""
    from evalkit.report import build_reports

    out = tmp_path_factory.mktemp("reports") / "sample"
    result = build_reports(SAMPLE_DIR / "programme.yml", out)
    assert result.ok, result.summary()
    return out


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of data/sample that a test may change."""
    dest = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest

"""Installed, not only checked out: the wheel carries the notebooks and resources, and
``evalkit init`` then ``evalkit report`` work from any folder.

The wheel is installed without dependencies into a fresh virtual environment that borrows this
environment's installed packages (a ``.pth`` line), so the test takes seconds, not the 2 GB
install; what it checks is that evalkit itself needs nothing from the repository.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from evalkit.paths import REPO_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("installed")]


def _run(args, cwd, env=None):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("installed")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "wheel"),
          str(REPO_DIR)], cwd=root)
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    python = venv / "bin" / "python"
    wheel = next((root / "wheel").glob("evalkit-*.whl"))
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=root)
    target = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       cwd=root).stdout.strip())
    (target / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    env.pop("PYTHONPATH", None)
    return python, env, root


def test_wheel_holds_the_notebooks_and_runs_from_any_folder(installed):
    python, env, root = installed
    where = _run([str(python), "-c", "import evalkit.paths as p; print(p.PACKAGE_DIR); print(p.NOTEBOOKS_DIR)"],
                 cwd=root, env=env).stdout.split()
    assert all(str(REPO_DIR) not in line for line in where), where
    assert (Path(where[1]) / "project_report.ipynb").is_file()
    work = root / "elsewhere"
    work.mkdir()
    rows = ["Ref,Site,Overall experience,What went well?"]
    rows += [f"C{i},{'North' if i % 2 else 'South'},{1 + i % 5},\"Kind staff, visit {i}: they listened\"" for i in range(40)]
    (work / "export.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    _run([str(python), "-m", "evalkit.cli", "init", "export.csv", "--out", "prog", "--project-column", "Site"],
         cwd=work, env=env)
    _run([str(python), "-m", "evalkit.cli", "validate", "--config", "prog/programme.yml"], cwd=work, env=env)
    built = _run([str(python), "-m", "evalkit.cli", "report", "--config", "prog/programme.yml", "--out", "site"],
                 cwd=work, env=env)
    assert "0 failed" in built.stdout
    pages = sorted(p.name for p in (work / "site").glob("*.html"))
    assert pages == ["easy-read.html", "index.html", "programme.html", "project-North.html", "project-South.html",
                     "technical.html"]

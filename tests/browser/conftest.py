"""Fixtures for browser tests: headless Chromium through Playwright, and a throwaway JupyterLab."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAB_START_TIMEOUT = 90


@pytest.fixture(scope="session")
def chromium_browser():
    """A headless Chromium from /usr/bin/chromium (Playwright's own download does not work here)."""
    if not CHROMIUM.exists():
        pytest.skip("browser test skipped: /usr/bin/chromium not installed; .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser test skipped: playwright (python) not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it is, how to log in, and the folder it serves."""

    url: str
    token: str
    root: Path

    def lab_url(self, path: str) -> str:
        """URL that opens ``path`` (relative to the root) in JupyterLab, logged in."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"


def _free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    """Poll the server's status API until it answers, failing with its log if it dies or stalls."""
    deadline = time.monotonic() + LAB_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                json.load(response)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"jupyter lab did not start in {LAB_START_TIMEOUT}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started (and its kernels), politely first."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture()
def jupyter_lab(tmp_path):
    """Start ``jupyter lab`` headless on a free port, serving an empty folder under tmp_path.

    Jupyter's config, data, runtime and IPython folders also live under tmp_path, so the test
    never reads or changes the user's own settings or workspaces.
    """
    root = tmp_path / "lab"
    root.mkdir()
    home = tmp_path / "jupyter-home"
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(home / name.lower())
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
    token, port = secrets.token_hex(16), _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter if jupyter.exists() else shutil.which("jupyter")), "lab", "--no-browser",
        f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.workspaces_dir={home / 'workspaces'}", "--ServerApp.terminals_enabled=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    log = tmp_path / "jupyter-lab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, token, process, log)
        yield LabServer(url=url, token=token, root=root)
    finally:
        _stop(process)

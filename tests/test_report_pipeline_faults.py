"""Report builds under faults: killed builds, stale caches, secrets in outputs, unsafe paths (issue 13)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from evalkit.paths import SAMPLE_DIR
from evalkit.report import pipeline
from evalkit.report.pipeline import CACHE_FILE, build_reports


@pytest.fixture
def fake_runs(monkeypatch):
    """build_reports with the shared preparation and the notebook pool replaced by fast fakes."""
    seen = {}

    def prepare(config, seed, path, programme=None):
        path.write_bytes(b"raw ids, raw answers and the salt")
        seen["bundle"] = path
        return path

    def run_jobs(planned, stale, cache, keys, outcomes, out, footer, config_rel, notebooks, bundle, workers, ctx):
        seen["stale"] = set(stale)
        seen["bundle_existed"] = bundle is not None and Path(bundle).exists()
        behaviour = seen.get("behaviour", "ok")
        for job in planned:
            if job.name not in stale:
                outcomes[job.name] = pipeline.JobOutcome(job, "cached")
                continue
            if behaviour == "die" and len([o for o in outcomes.values() if o.status == "ran"]) == 2:
                raise SystemExit(137)  # the build is killed here
            pipeline._write_text(out / job.ipynb_name, f"{seen.get('content')} {job.name}\n", root=out)
            pipeline._write_text(out / job.html_name, f"<p>{seen.get('content')}</p>\n", root=out)
            outcomes[job.name] = pipeline.JobOutcome(job, "ran")
            cache[job.name] = pipeline._cache_entry(out, job, keys[job.name])
            pipeline._write_text(out / CACHE_FILE, pipeline.mf.dumps(cache), root=out)

    import evalkit.report.data as data

    monkeypatch.setattr(data, "prepare_bundle", prepare)
    monkeypatch.setattr(pipeline, "_run_jobs", run_jobs)
    return seen


def _copy(tmp_path):
    import shutil

    root = tmp_path / "programme"
    shutil.copytree(SAMPLE_DIR, root)
    return root / "programme.yml"


def test_bundle_lives_outside_the_output_folder_and_goes_on_every_exit(tmp_path, fake_runs):
    config, out = _copy(tmp_path), tmp_path / "out"
    build_reports(config, out)
    assert fake_runs["bundle_existed"]
    assert not fake_runs["bundle"].is_relative_to(out) and not fake_runs["bundle"].parent.exists()
    assert not list(out.rglob("*.pkl"))
    fake_runs["behaviour"], fake_runs["content"] = "die", "other"
    with pytest.raises(SystemExit):
        build_reports(config, out, use_cache=False)
    assert not fake_runs["bundle"].parent.exists()


def test_bundles_of_killed_builds_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"{pipeline.BUNDLE_PREFIX}999999999-abc"
    dead.mkdir()
    (dead / "report.pkl").write_bytes(b"secret")
    fresh = pipeline._private_bundle()
    assert not dead.exists() and fresh.exists() and oct(fresh.stat().st_mode & 0o777) == "0o700"


def test_killed_build_never_leaves_a_stale_page_marked_unchanged(tmp_path, fake_runs):
    """kill -9 after some pages finish, restore the config, re-run: no page of the killed run is served."""
    config, out = _copy(tmp_path), tmp_path / "out"
    fake_runs["content"] = "names as in config A"
    build_reports(config, out)
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("names: [", "names: [Zebedee, "), encoding="utf-8")
    fake_runs["behaviour"], fake_runs["content"] = "die", "names as in config B"
    with pytest.raises(SystemExit):
        build_reports(config, out)
    config.write_text(original, encoding="utf-8")
    fake_runs["behaviour"], fake_runs["content"] = "ok", "names as in config A"
    result = build_reports(config, out)
    for outcome in result.outcomes:
        assert "config B" not in (out / outcome.job.html_name).read_text(), outcome.job.name
    assert fake_runs["stale"], "the pages the killed run rewrote must run again"


def test_a_page_changed_on_disk_is_not_served_from_the_cache(tmp_path, fake_runs):
    config, out = _copy(tmp_path), tmp_path / "out"
    fake_runs["content"] = "v1"
    build_reports(config, out)
    (out / "programme.html").write_text("<p>half-written</p>")
    build_reports(config, out)
    assert fake_runs["stale"] == {"programme"}


def test_salt_is_recorded_as_used_never_hashed(tmp_path, fake_runs):
    from evalkit.report.manifest import sha256_file, sha256_text

    config, out = _copy(tmp_path), tmp_path / "out"
    build_reports(config, out)
    salt_file = config.parent / "pseudonym_salt.txt"
    digests = {sha256_file(salt_file), sha256_text(salt_file.read_text().strip())}
    manifest = (out / "manifest.json").read_text()
    index = (out / "index.html").read_text()
    for digest in digests:
        assert digest[:12] not in manifest and digest[:12] not in index
    assert "salt" in json.loads(manifest)["inputs"]["salt_file"]


def test_changing_only_the_salt_reruns_every_page(tmp_path, fake_runs):
    config, out = _copy(tmp_path), tmp_path / "out"
    build_reports(config, out)
    (config.parent / "pseudonym_salt.txt").write_text("another long random salt\n")
    build_reports(config, out)
    assert len(fake_runs["stale"]) >= 10


def test_missing_config_creates_no_output_folder(tmp_path):
    from evalkit.cli import main

    assert main(["report", "--config", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_unwritable_output_folder_is_a_message(tmp_path, capsys):
    from evalkit.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["report", "--config", str(SAMPLE_DIR / "programme.yml"), "--out", str(blocker / "out")]) == 1
    err = capsys.readouterr().err
    assert "cannot write the reports there" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_output_folder_is_a_message(tmp_path, capsys):
    from evalkit.cli import main

    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert main(["report", "--config", str(SAMPLE_DIR / "programme.yml"), "--out", str(out)]) == 1
    finally:
        out.chmod(0o700)


def test_no_write_leaves_the_output_folder(tmp_path):
    with pytest.raises(Exception, match="outside the output folder"):
        pipeline._write_text(tmp_path / "out" / ".." / "escaped.html", "x", root=tmp_path / "out")
    assert not (tmp_path / "escaped.html").exists()
    names = pipeline.safe_names(["../../etc/passwd", "P01", "a/b", "..", "P01 "])
    assert all("/" not in n and n not in ("..", ".") for n in names) and len(set(names)) == 5


def test_pool_workers_die_with_a_killed_build(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import multiprocessing, os, sys, time
        from concurrent.futures import ProcessPoolExecutor
        sys.path.insert(0, {str(Path(pipeline.__file__).parents[2])!r})
        from evalkit.report.kernels import die_with_parent

        def work(path):
            open(path, "w").write(str(os.getpid()))
            time.sleep(60)

        if __name__ == "__main__":
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent) as pool:
                pool.submit(work, {str(tmp_path / "worker.pid")!r})
                time.sleep(60)
    """))
    parent = subprocess.Popen([sys.executable, str(script)])
    pid_file = tmp_path / "worker.pid"
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.1)
    worker = int(pid_file.read_text())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    for _ in range(50):
        if not pipeline._alive(worker) or _zombie(worker):
            break
        time.sleep(0.1)
    assert not pipeline._alive(worker) or _zombie(worker), "the worker outlived the killed build"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True

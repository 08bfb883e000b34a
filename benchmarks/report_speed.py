"""Benchmark: building the sample programme's reports, cold and unchanged, against plain papermill.

Targets on the 2-core reference machine: cold build under 45 s, unchanged re-run under 5 s.
The baseline runs the same notebooks one after another with plain ``papermill.execute_notebook``
(each kernel doing all the work itself, no shared bundle, no cache).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from evalkit.paths import NOTEBOOKS_DIR, SAMPLE_CONFIG

TARGET_COLD_S = 45.0
TARGET_UNCHANGED_S = 5.0


def _plain_papermill(config: Path, out: Path, jobs) -> float:
    """Run every planned notebook sequentially with plain papermill; return seconds."""
    import papermill as pm

    start = time.perf_counter()
    config_rel = os.path.relpath(config.resolve(), out.resolve())
    for job in jobs:
        pm.execute_notebook(str(NOTEBOOKS_DIR / job.notebook), str(out / f"{job.name}.ipynb"),
                            parameters={"config": config_rel, **job.parameters}, kernel_name="python3",
                            cwd=str(out), progress_bar=False)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Time cold, unchanged and plain-papermill builds of the sample reports."""
    from evalkit.programme import load_programme
    from evalkit.report import build_reports
    from evalkit.report.pipeline import plan_jobs

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        out = Path(tmp) / "sample"
        start = time.perf_counter()
        result = build_reports(SAMPLE_CONFIG, out)
        cold = time.perf_counter() - start
        assert result.ok, result.summary()
        start = time.perf_counter()
        again = build_reports(SAMPLE_CONFIG, out)
        unchanged = time.perf_counter() - start
        cached = sum(o.status == "cached" for o in again.outcomes)
        rows = [
            {"run": "evalkit report, cold (parallel, shared bundle)", "seconds": round(cold, 1),
             "target": f"< {TARGET_COLD_S:.0f} s", "met": cold < TARGET_COLD_S},
            {"run": f"evalkit report, nothing changed ({cached} of {len(again.outcomes)} cached)",
             "seconds": round(unchanged, 1), "target": f"< {TARGET_UNCHANGED_S:.0f} s", "met": unchanged < TARGET_UNCHANGED_S},
        ]
        if not quick:
            plain_out = Path(tmp) / "plain"
            plain_out.mkdir()
            programme = load_programme(SAMPLE_CONFIG)
            jobs = plan_jobs(programme, programme.report_settings)
            plain = _plain_papermill(SAMPLE_CONFIG, plain_out, jobs)
            rows.append({"run": "plain papermill, one notebook after another", "seconds": round(plain, 1),
                         "target": "baseline", "met": ""})
            rows.append({"run": "speed-up of the cold build over plain papermill", "seconds": f"{plain / cold:.1f}x",
                         "target": "", "met": ""})
        shutil.rmtree(out, ignore_errors=True)
    table = pd.DataFrame(rows)
    return [(f"Report build, sample programme ({os.cpu_count()} CPUs, load average {load:.1f} at start)", table)]

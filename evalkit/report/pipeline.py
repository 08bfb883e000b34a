"""Build a programme's reports: papermill runs, in parallel, cached, failing clearly.

Per-project notebooks run in parallel (one kernel each, over Unix sockets), then the
programme-level notebooks. A notebook whose inputs, parameters and code are unchanged since the
last run is skipped. A failing notebook is reported by name, cell and error; its partial
executed notebook is kept and the other reports still complete.
"""
from __future__ import annotations

import html
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from evalkit.errors import OutputFolderError, ReportError
from evalkit.paths import NOTEBOOKS_DIR
from evalkit.files import atomic_path
from evalkit.report import manifest as mf
from evalkit.report.page_names import safe_names
from evalkit.report.render import Page, index_page, notebook_body, page

CACHE_FILE = ".evalkit-cache.json"


@dataclass(frozen=True)
class Job:
    """One notebook run: which notebook, its parameters, and where its page goes."""

    name: str
    notebook: str
    title: str
    group: str
    parameters: dict = field(hash=False)
    easy_read: bool = False
    leads_group: bool = False

    @property
    def html_name(self) -> str:
        """File name of the rendered page."""
        return f"{self.name}.html"

    @property
    def ipynb_name(self) -> str:
        """File name of the executed notebook, under ``notebooks/``."""
        return f"notebooks/{self.name}.ipynb"


@dataclass
class JobOutcome:
    """What happened to one job: ``ran``, ``cached`` or ``failed`` (with the error)."""

    job: Job
    status: str
    seconds: float = 0.0
    error: ReportError | None = None


@dataclass
class BuildResult:
    """The outcome of :func:`build_reports`."""

    out_dir: Path
    outcomes: list[JobOutcome]
    quarantined: int = 0

    @property
    def ok(self) -> bool:
        """True when every notebook ran (or was cached) without error."""
        return all(o.status != "failed" for o in self.outcomes)

    def summary(self) -> str:
        """Plain-text summary: counts per status and every failure in full."""
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("ran", "cached", "failed")}
        lines = [f"{self.out_dir}: {counts['ran']} ran, {counts['cached']} unchanged (cached), {counts['failed']} failed."]
        if self.quarantined:
            lines.append(f"{self.quarantined} row(s) with problems were set aside, not lost: the list is in "
                         f"{self.out_dir / 'quarantine.csv'} (run evalkit validate to see why).")
        for o in self.outcomes:
            if o.error is not None:
                lines.append(f"FAILED {o.error}  (partial notebook kept in {self.out_dir / o.job.ipynb_name})")
        if self.ok:
            lines.append(f"Open {self.out_dir / 'index.html'} to read the reports.")
        return "\n".join(lines)


def plan_jobs(programme, settings: dict) -> list[Job]:
    """Return the notebook runs for a programme.

    The programme report leads its group on the index page (readers open it first and it
    links to the rest). No report reads another's output, so all of them run in one parallel
    pool; see :func:`_longest_first` for the order they start in.
    """
    seed = int(settings.get("seed", 0))
    jobs = []
    double = getattr(programme, "double_coding", None)
    if double is not None and not double.empty:
        jobs.append(Job(name="reliability", notebook="reliability_report.ipynb", title="How consistently people coded the answers",
                        group="Programme", parameters={"seed": seed}))
    jobs += [
        Job(name=f"project-{name}", notebook="project_report.ipynb",
            title=row["name"] if str(row["name"]) == str(pid) else f"{row['name']} ({pid})",
            group="Project reports", parameters={"project_id": pid, "seed": seed})
        for (pid, row), name in zip(programme.projects.iterrows(), safe_names(programme.projects.index))
    ]
    jobs.append(Job(name="easy-read", notebook="easy_read.ipynb", title="Easy read summary of the programme",
                    group="Programme", parameters={"seed": seed}, easy_read=True))
    jobs.append(Job(name="programme", notebook="programme_report.ipynb", title="Programme report: comparing and synthesising the projects",
                    group="Programme", parameters={"seed": seed}, leads_group=True))
    from evalkit.report.data import input_digests

    inputs = input_digests(programme)  # the salt file's hash would be a guessable fingerprint of a secret
    jobs.append(Job(name="technical", notebook="technical_report.ipynb",
                    title="Technical page: how the figures were worked out", group="Programme",
                    parameters={"seed": seed, "inputs": inputs}))
    return jobs


_SLOWEST = ("reliability", "programme", "technical")
def _longest_first(jobs: list[Job]) -> list[Job]:
    """Jobs in the order to start them: the two slowest first, so the workers finish together.

    Reliability trains a cross-validated classifier (with the sentence-embedding model) and the
    programme report runs the synthesis; the rest keep their planned order.
    """
    return sorted(jobs, key=lambda j: _SLOWEST.index(j.name) if j.name in _SLOWEST else len(_SLOWEST))


def _scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timings, absolute paths and random cell ids so re-runs give identical bytes."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        meta.pop(key, None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        pm = cell.metadata.get("papermill")
        if pm:
            for key in ("start_time", "end_time", "duration"):
                pm.pop(key, None)
        cell.metadata.pop("execution", None)
    return nb


def _footer(provenance: dict) -> str:
    return (
        f"<p>Made with evalkit {html.escape(provenance['evalkit'])}. How the figures were worked out, and the "
        f'fingerprints of the files they came from, are on the <a href="technical.html">technical page</a>; '
        f'<a href="manifest.json">manifest.json</a> records everything for researchers.</p>'
    )


def _run_job(job: Job, config_rel: str, out_dir: str, footer: str, notebooks_dir: str,
             bundle: str | None = None, threads: int | None = None) -> tuple[str, float, dict | None]:
    """Execute one notebook with papermill and render its page (runs in a worker process).

    ``threads`` caps the kernel's OpenMP/BLAS threads (unless OMP_NUM_THREADS is already set):
    kernels running side by side with two threads each made PyTorch's spinning threads fight
    over the cores, and the reliability report took 26 s instead of 18 s.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from evalkit.report.data import BUNDLE_ENV
    from evalkit.report.kernels import KERNEL_LOG_ENV, IPCKernelManager

    out = Path(out_dir).resolve()  # papermill changes into the output folder while it runs
    os.environ[KERNEL_LOG_ENV] = str(out / ".logs" / f"{job.name}.kernel.log")
    if bundle:
        os.environ[BUNDLE_ENV] = bundle  # the kernel inherits it and skips the shared work
    if threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))

    start = time.perf_counter()
    ipynb_path = out / job.ipynb_name
    params = {"config": config_rel, **job.parameters}
    error = None
    try:
        pm.execute_notebook(
            str(Path(notebooks_dir) / job.notebook), str(ipynb_path), parameters=params, kernel_name="python3",
            cwd=str(out), progress_bar=False, log_output=False, record_timing=False,
            kernel_manager_class=IPCKernelManager, request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        error = {"cell_index": exc.cell_index, "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:  # noqa: BLE001 - kernel start-up and I/O failures are reported per notebook
        error = {"cell_index": None, "ename": type(exc).__name__, "evalue": str(exc)}
    if ipynb_path.exists():
        nb = _scrub(nbformat.read(ipynb_path, as_version=4))
        _write_text(ipynb_path, nbformat.writes(nb) + "\n", root=out)
        if error is None:
            _write_text(out / job.html_name, page(notebook_body(nb), title=job.title, footer=footer,
                                                  easy_read=job.easy_read), root=out)
    return job.name, time.perf_counter() - start, error


def _write_text(path: Path, text: str, root: Path | None = None) -> None:
    """Write text atomically with Unix newlines; refuse any path that would leave ``root``."""
    if root is not None and not Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(root))):
        raise ReportError(str(path), None, "UnsafePath", f"refused to write outside the output folder {root}")
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def _job_key(job: Job, provenance: dict, notebooks_dir: Path, secret: str = "") -> str:
    """Everything a page reads: its notebook, parameters, every input file, the salt (keyed), code and versions."""
    notebook_hash = mf.sha256_file(notebooks_dir / job.notebook)
    return mf.sha256_text(mf.dumps({"notebook": notebook_hash, "job": job.name, "parameters": job.parameters,
                                    "inputs": provenance["inputs"], "code": provenance["code"],
                                    "versions": provenance["versions"], "settings": provenance["report_settings"],
                                    "embedding_model": provenance.get("embedding_model"), "secret": secret}))


def _load_cache(out: Path) -> dict:
    import json

    try:
        cache = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _cache_entry(out: Path, job: Job, key: str) -> dict:
    """The cache entry of a finished page: its key and the hashes of the files it wrote."""
    return {"key": key, "html": mf.sha256_file(out / job.html_name), "ipynb": mf.sha256_file(out / job.ipynb_name)}


def _is_cached(out: Path, job: Job, entry, key: str) -> bool:
    """True when the page on disk is exactly the one a previous run wrote for this key."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    try:
        return (mf.sha256_file(out / job.html_name) == entry.get("html")
                and mf.sha256_file(out / job.ipynb_name) == entry.get("ipynb"))
    except OSError:
        return False


BUNDLE_PREFIX = "evalkit-bundle-"


def _private_bundle() -> Path:
    """A new private folder for the prepared report (raw data, salt), outside any output folder.

    Folders left by earlier builds that were killed (their process no longer exists) are removed first.
    """
    temp = Path(tempfile.gettempdir())
    for old in temp.glob(f"{BUNDLE_PREFIX}*"):
        pid = old.name[len(BUNDLE_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{BUNDLE_PREFIX}{os.getpid()}-"))  # mode 0700


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _terminate(signum, frame):
    """Turn SIGTERM into SystemExit so the private bundle is removed on the way out."""
    raise SystemExit(128 + signum)


def build_reports(config: str | os.PathLike, out_dir: str | os.PathLike, *, jobs: int | None = None,
                  use_cache: bool = True, notebooks_dir: str | os.PathLike | None = None) -> BuildResult:
    """Build every report for a programme into ``out_dir``.

    Parameters
    ----------
    config : path-like
        The programme's YAML config.
    out_dir : path-like
        Output folder; receives one HTML page per report, ``notebooks/`` (executed notebooks for
        researchers), ``index.html``, ``manifest.json`` and ``quarantine.csv``.
    jobs : int, optional
        Notebooks run at once (default: the number of CPUs).
    use_cache : bool, default True
        Skip notebooks whose inputs, parameters and code are unchanged since the last run.
    notebooks_dir : path-like, optional
        Folder holding the report notebooks (default: evalkit's ``notebooks/``).

    Returns
    -------
    BuildResult
        Per-notebook outcomes; ``ok`` is False if any notebook failed.

    Examples
    --------
    A two-site export, given a config by ``evalkit init``, built into pages:

    >>> import pathlib, tempfile
    >>> from evalkit.programme.init import init_programme
    >>> work = pathlib.Path(tempfile.mkdtemp())
    >>> rows = ["Ref,Site,Overall experience,What went well?"] + [
    ...     f"C{i},{'North' if i % 2 else 'South'},{1 + i % 5},Kind staff on visit {i} and they listened" for i in range(40)]
    >>> _ = (work / "export.csv").write_text("\\n".join(rows) + "\\n", encoding="utf-8")
    >>> _ = init_programme([work / "export.csv"], work / "prog", project_column="Site")
    >>> result = build_reports(work / "prog" / "programme.yml", work / "site", jobs=2)
    >>> result.ok
    True
    >>> sorted(p.name for p in (work / "site").glob("*.html"))  # doctest: +NORMALIZE_WHITESPACE
    ['easy-read.html', 'index.html', 'programme.html', 'project-North.html', 'project-South.html',
     'technical.html']
    """
    from evalkit.report.data import (load_report_programme, prepare_bundle, provenance_for, secret_inputs_key,
                                     write_quarantine)

    config = Path(config)
    out = Path(out_dir)
    notebooks = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    programme = load_report_programme(config)  # a bad config fails before anything is created
    try:
        (out / "notebooks").mkdir(parents=True, exist_ok=True)
        probe = out / f".evalkit-write-test.{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise OutputFolderError(f"{out}: cannot write the reports there ({err.strerror}); choose a folder you can "
                                "write to with --out") from None
    (out / ".report-bundle.pkl").unlink(missing_ok=True)  # left inside the output folder by an older evalkit
    provenance = provenance_for(programme)
    footer = _footer(provenance)
    config_rel = os.path.relpath(config.resolve(), out.resolve())
    write_quarantine(programme, out)

    planned = plan_jobs(programme, programme.report_settings)
    cache = _load_cache(out) if use_cache else {}
    secret = secret_inputs_key(programme)
    keys = {job.name: _job_key(job, provenance, notebooks, secret) for job in planned}
    outcomes: dict[str, JobOutcome] = {}
    workers = max(1, jobs or os.cpu_count() or 1)
    ctx = multiprocessing.get_context("spawn")
    stale = {j.name for j in planned if not _is_cached(out, j, cache.get(j.name), keys[j.name])}
    for name in stale:  # forget stale pages before running: a build killed midway never looks finished
        cache.pop(name, None)
    cache = {name: cache[name] for name in keys if name in cache}
    _write_text(out / CACHE_FILE, mf.dumps(cache), root=out)
    folder = _private_bundle() if stale else None
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        bundle = None
        if folder is not None:
            _progress("preparing  shared data (coding, sentiment, profiles, synthesis)")
            bundle = prepare_bundle(config, int(programme.report_settings.get("seed", 0)), folder / "report.pkl",
                                    programme=programme)
        _run_jobs(planned, stale, cache, keys, outcomes, out, footer, config_rel, notebooks, bundle, workers, ctx)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    ordered = [outcomes[j.name] for j in planned]
    _write_index_and_manifest(programme, out, ordered, provenance, footer)
    return BuildResult(out, ordered, quarantined=len(programme.quarantine))


def _run_jobs(planned, stale, cache, keys, outcomes, out, footer, config_rel, notebooks, bundle, workers, ctx) -> None:
    """Run the stale notebooks in parallel, slowest first, recording outcomes and cache keys."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    from evalkit.report.kernels import die_with_parent

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent) as pool:
        futures = {}
        for job in _longest_first(planned):
            if job.name not in stale:
                outcomes[job.name] = JobOutcome(job, "cached")
                _progress(f"unchanged  {job.name}")
                continue
            _progress(f"running    {job.name} ({job.notebook})")
            futures[pool.submit(_run_job, job, config_rel, str(out), footer, str(notebooks),
                                str(bundle) if bundle else None, threads)] = job
        for future in as_completed(futures):
            job = futures[future]
            try:
                _, seconds, error = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (killed, out of memory) fails its page only
                seconds, error = 0.0, {"cell_index": None, "ename": type(exc).__name__, "evalue": str(exc)}
            if error is None:
                outcomes[job.name] = JobOutcome(job, "ran", seconds)
                cache[job.name] = _cache_entry(out, job, keys[job.name])
                _write_text(out / CACHE_FILE, mf.dumps(cache), root=out)  # only after the page is safely written
                _progress(f"done       {job.name} in {seconds:.1f}s")
            else:
                err = ReportError(job.notebook + f" ({job.name})", error["cell_index"], error["ename"], error["evalue"])
                outcomes[job.name] = JobOutcome(job, "failed", seconds, err)
                cache.pop(job.name, None)
                (out / job.html_name).unlink(missing_ok=True)
                _progress(f"FAILED     {err}")


def _published_files(root: Path) -> list[Path]:
    """Every output file a reader gets: hidden files and folders (cache, logs, bundle) excluded."""
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _write_index_and_manifest(programme, out: Path, outcomes: list[JobOutcome], provenance: dict, footer: str) -> None:
    groups: dict[str, list[Page]] = {}
    for o in sorted(outcomes, key=lambda o: not o.job.leads_group):
        if o.status != "failed":
            groups.setdefault(o.job.group, []).append(Page(o.job.html_name, o.job.title))
    order = ["Programme", "Project reports"]
    sheets = [(text, name) for text, name in (("Framework matrix: themes by project, with summaries and quotes",
                                               "framework_matrix.xlsx"),
                                              ("Member-check workbook for co-producers", "member_check.xlsx"),
                                              ("Answers the coders disagreed on", "disagreements.xlsx"),
                                              ("Rows set aside because of problems in the data", "quarantine.csv"))
              if (out / name).exists()]
    _write_text(out / "index.html", index_page(programme.name, [(g, groups[g]) for g in order if g in groups],
                                               synthetic=programme.synthetic, footer=footer, files=sheets), root=out)
    files = [p for p in _published_files(out) if p.name != "manifest.json"]
    data = {
        **provenance,
        "reports": [{"name": o.job.name, "notebook": o.job.notebook, "parameters": o.job.parameters,
                     "status": "failed" if o.status == "failed" else "ok"} for o in outcomes],
        "files": {p.relative_to(out).as_posix(): mf.sha256_file(p) for p in files},
    }
    _write_text(out / "manifest.json", mf.dumps(data), root=out)


def check_reports(config: str | os.PathLike, previous_dir: str | os.PathLike, *, jobs: int | None = None,
                  notebooks_dir: str | os.PathLike | None = None) -> list[str]:
    """Re-run the reports from scratch and list every file that differs from ``previous_dir``.

    Returns
    -------
    list of str
        One line per difference (changed, missing or extra file); empty when identical.
    """
    previous = Path(previous_dir)
    # A sibling folder keeps the config's path relative to the output folder the same.
    fresh = Path(tempfile.mkdtemp(prefix=f".{previous.name}-check-", dir=previous.resolve().parent))
    try:
        result = build_reports(config, fresh, jobs=jobs, use_cache=False, notebooks_dir=notebooks_dir)
        diffs = [] if result.ok else [f"re-run failed: {o.error}" for o in result.outcomes if o.error]
        old = {p.relative_to(previous).as_posix() for p in _published_files(previous)}
        new = {p.relative_to(fresh).as_posix() for p in _published_files(fresh)}
        for name in sorted(old | new):
            if name not in new:
                diffs.append(f"{name}: in {previous} but not produced by the re-run")
            elif name not in old:
                diffs.append(f"{name}: produced by the re-run but missing from {previous}")
            elif mf.sha256_file(previous / name) != mf.sha256_file(fresh / name):
                diffs.append(f"{name}: differs from the re-run")
        return diffs
    finally:
        shutil.rmtree(fresh, ignore_errors=True)

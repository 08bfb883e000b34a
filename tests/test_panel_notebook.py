"""The coding notebook: committed clean, parameterised, and runnable by papermill."""
from __future__ import annotations

import ast
import textwrap

import nbformat
import pytest

from evalkit.panel.store import CoderStore
from evalkit.paths import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "coding_panel.ipynb"
PARAMETERS = ["config", "coder", "source", "column", "order", "seed", "store_dir"]


def test_committed_without_outputs_and_with_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = [node.targets[0].id for node in ast.parse(tagged[0].source).body]
    assert names == PARAMETERS


@pytest.mark.slow
def test_papermill_runs_it_on_a_small_programme(tmp_path):
    papermill = pytest.importorskip("papermill")
    (tmp_path / "programme.yml").write_text(textwrap.dedent(
        """
        programme: {name: Panel fixture, synthetic: true, description: tiny}
        projects:
          - {id: P01, name: Peer support, theme: mental health, description: x}
        sources:
          feedback_survey:
            path: survey.csv
            id_column: response_id
            project_column: project_id
            columns:
              worked_well: {type: free_text, label: "What worked well?"}
        """), encoding="utf-8")
    (tmp_path / "survey.csv").write_text(
        "response_id,project_id,worked_well\nS1,P01,We were listened to\nS2,P01,Step-free venue\n",
        encoding="utf-8")
    CoderStore(tmp_path / "store", "AS").set_status("S1", "What worked well?", "done")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), cwd=str(NOTEBOOKS_DIR), progress_bar=False,
        parameters={"config": str(tmp_path / "programme.yml"), "coder": "AS",
                    "store_dir": str(tmp_path / "store"), "order": "most_useful"},
    )
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"
               for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "code at least 10 first (you have 1)" in text
    assert "2 answers from feedback_survey, coded by AS" in text
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)

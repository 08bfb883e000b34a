"""The coding panel in a real JupyterLab and Chromium: code three answers, restart, resume."""
from __future__ import annotations

import textwrap

import nbformat
import pytest

from evalkit.panel.store import CoderStore
from evalkit.paths import NOTEBOOKS_DIR

pytestmark = pytest.mark.browser

CODER = "Browser Tester"
QUESTION = "What worked well?"
ANSWERS = [
    ("FS1", "P01", "They listened to what we said and changed the plan."),
    ("FS2", "P02", "The venue had a ramp and a quiet room."),
    ("FS3", "P01", "We were paid for our time, promptly."),
    ("FS4", "P02", "Meetings were online so I could join from home."),
    ("FS5", "P01", "Plain English papers, no jargon."),
    ("FS6", "P02", "Trust built up over the months."),
]
UI_TIMEOUT = 60_000
_KERNEL_IDLE = """() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === "idle";
}"""


def _write_fixture(root):
    """Write a six-answer programme and a copy of the coding notebook pointed at it."""
    data = root / "programme"
    data.mkdir()
    (data / "programme.yml").write_text(textwrap.dedent(
        f"""
        programme: {{name: Browser fixture, synthetic: true, description: six answers}}
        projects:
          - {{id: P01, name: Peer support, theme: mental health, description: x}}
          - {{id: P02, name: Carers forum, theme: carers, description: y}}
        sources:
          feedback_survey:
            path: feedback_survey.csv
            id_column: response_id
            project_column: project_id
            columns:
              worked_well: {{type: free_text, label: "{QUESTION}"}}
        """), encoding="utf-8")
    rows = "".join(f'{rid},{project},"{text}"\n' for rid, project, text in ANSWERS)
    (data / "feedback_survey.csv").write_text("response_id,project_id,worked_well\n" + rows,
                                              encoding="utf-8")
    nb = nbformat.read(NOTEBOOKS_DIR / "coding_panel.ipynb", as_version=4)
    store_dir = root / "codes"
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += (f"\nconfig = {str(data / 'programme.yml')!r}\ncoder = {CODER!r}"
                            f"\nstore_dir = {str(store_dir)!r}")
    nbformat.write(nb, root / "coding_panel.ipynb")
    return store_dir


def _run(page, command):
    """Start a JupyterLab command through window.jupyterapp, without waiting for it to finish.

    Waiting would deadlock on commands that open a dialog (restart asks to confirm); the test
    waits for the resulting UI state instead.
    """
    page.evaluate("command => { window.jupyterapp.commands.execute(command); }", command)


def _shown(page, response_id):
    """Wait until the panel shows answer ``response_id``."""
    page.locator(f".evalkit-answer[data-response-id='{response_id}']").last.wait_for(
        state="visible", timeout=UI_TIMEOUT)


def _panel(page):
    """The (single, current) coding panel on the page."""
    return page.locator(".evalkit-coding-panel").last


def _saved(page, text):
    """Wait until the status line reports ``text`` (the kernel has saved the click)."""
    page.locator(".evalkit-status-line", has_text=text).last.wait_for(timeout=UI_TIMEOUT)


def test_code_three_answers_restart_and_resume(chromium_browser, jupyter_lab):
    from playwright.sync_api import expect

    store_dir = _write_fixture(jupyter_lab.root)
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(jupyter_lab.lab_url("coding_panel.ipynb"), timeout=UI_TIMEOUT)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started !== undefined",
                               timeout=UI_TIMEOUT)
        page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=UI_TIMEOUT)
        page.wait_for_function(_KERNEL_IDLE, timeout=UI_TIMEOUT)
        _run(page, "notebook:run-all-cells")
        panel = _panel(page)
        panel.wait_for(state="visible", timeout=UI_TIMEOUT)
        _shown(page, "FS1")
        expect(panel.locator(".evalkit-progress")).to_contain_text("0 of 6 coded")

        # Answer 1, with the mouse: tick a theme, write a memo, press "Done, next".
        panel.locator(".evalkit-theme-feeling_heard input[type=checkbox]").click()
        _saved(page, "Ticked")
        panel.locator(".evalkit-memo textarea").fill("listened and acted")
        panel.locator(".evalkit-memo textarea").press("Tab")  # leaving the box saves the memo
        _saved(page, "Memo updated")
        panel.locator("button.evalkit-next").click()
        _shown(page, "FS2")

        # Answer 2, with the keyboard: Space ticks a focused box, Enter presses a focused button.
        panel.locator(".evalkit-theme-accessibility_venue input[type=checkbox]").focus()
        page.keyboard.press("Space")
        _saved(page, "Ticked")
        panel.locator("button.evalkit-next").focus()
        page.keyboard.press("Enter")
        _shown(page, "FS3")

        # Answer 3: two themes, then Next from the keyboard.
        panel.locator(".evalkit-theme-payment_recognition input[type=checkbox]").click()
        _saved(page, "Ticked")
        panel.locator(".evalkit-theme-time_resources input[type=checkbox]").click()
        _saved(page, "Ticked")
        panel.locator("button.evalkit-next").press("Enter")
        _shown(page, "FS4")
        expect(panel.locator(".evalkit-progress")).to_contain_text("3 of 6 coded")

        store = CoderStore(store_dir, CODER)
        assert store.codes_frame()[["response_id", "theme_id", "memo"]].values.tolist() == [
            ["FS1", "feeling_heard", "listened and acted"],
            ["FS2", "accessibility_venue", ""],
            ["FS3", "payment_recognition", ""],
            ["FS3", "time_resources", ""],
        ]
        assert [store.is_done(f"FS{i}", QUESTION) for i in range(1, 5)] == [True, True, True, False]

        # Restart the kernel and run everything again: the panel resumes at the fourth answer.
        # The old panel stays on screen until its cell re-runs, so wait for it to go first.
        old_panel = panel.element_handle()
        _run(page, "notebook:restart-run-all")
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=UI_TIMEOUT)
        page.wait_for_function("element => !element.isConnected", arg=old_panel, timeout=UI_TIMEOUT)
        _panel(page).locator(".evalkit-progress", has_text="3 of 6 coded").wait_for(timeout=UI_TIMEOUT)
        _shown(page, "FS4")
        expect(page.locator(".evalkit-coding-panel")).to_have_count(1)
        resumed = _panel(page)
        expect(resumed.locator(".evalkit-answer")).to_contain_text(ANSWERS[3][2])
        resumed.locator("button.evalkit-previous").click()
        _shown(page, "FS3")
        expect(resumed.locator(".evalkit-theme-payment_recognition input")).to_be_checked()
        expect(resumed.locator(".evalkit-theme-feeling_heard input")).not_to_be_checked()
    finally:
        page.close()

"""The coding panel in a real JupyterLab and Chromium: code, hover, add a theme, restart, resume."""
from __future__ import annotations

import textwrap

import nbformat
import pytest

from evalkit.coding.codebook import load_codebook
from evalkit.panel.store import CoderStore
from evalkit.panel.themes import NONE_OF_THESE, PanelCodebook
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
    ("FS7", "P01", ""),  # blank: never queued
]
NEW_THEME = ("Peer support", "Help from people who have been through the same thing.")
UI_TIMEOUT = 60_000
_TITLE_UNDER_POINTER = """element => {
  const box = element.getBoundingClientRect();
  let found = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
  while (found && !found.hasAttribute("title")) { found = found.parentElement; }
  return found ? found.getAttribute("title") : null;
}"""
_KERNEL_IDLE = """() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === "idle";
}"""


def _write_fixture(root):
    """Write a programme of six answers and a blank one, and a copy of the notebook pointed at it."""
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
              worked_well: {{type: free_text, label: "{QUESTION}", required: false}}
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


def _hover_title(panel, theme_id):
    """The tooltip the browser shows with the pointer on a theme's name (nearest title attribute)."""
    name = panel.locator(f".evalkit-theme-{theme_id} .evalkit-theme-name")
    name.hover()
    return name.evaluate(_TITLE_UNDER_POINTER)


def test_code_answers_hover_add_a_theme_restart_and_resume(chromium_browser, jupyter_lab):
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
        expect(panel.locator(".evalkit-progress")).to_contain_text("0 of 6 coded")  # FS7 is blank

        # Hovering a theme's name shows its definition; the checkbox carries no raw markup.
        definition = PanelCodebook(load_codebook("default")).themes["feeling_heard"].guidance
        assert _hover_title(panel, "feeling_heard") == definition
        box_title = panel.locator(".evalkit-theme-feeling_heard input[type=checkbox]").get_attribute("title")
        assert box_title is None or "<" not in box_title

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

        # Answer 4: "Done, next" with nothing ticked is refused; "None of these fits" is a choice.
        panel.locator("button.evalkit-next").click()
        _saved(page, "nothing is ticked")
        panel.locator(f".evalkit-theme-{NONE_OF_THESE} input[type=checkbox]").click()
        _saved(page, "Ticked “None of these fits”")
        panel.locator("button.evalkit-next").click()
        _shown(page, "FS5")

        # Answer 5: add a theme from the panel; its box appears at once, ticked, with its hover.
        panel.locator(".evalkit-adding").get_by_text("Add a theme", exact=True).click()
        panel.locator(".evalkit-new-theme-name input").fill(NEW_THEME[0])
        panel.locator(".evalkit-new-theme-definition textarea").fill(NEW_THEME[1])
        panel.locator("button.evalkit-add-theme").click()
        _saved(page, "Added the theme “Peer support” and ticked it")
        expect(panel.locator(".evalkit-theme-peer_support input[type=checkbox]")).to_be_checked()
        assert _hover_title(panel, "peer_support") == NEW_THEME[1]
        panel.locator("button.evalkit-next").click()
        _shown(page, "FS6")
        expect(panel.locator(".evalkit-progress")).to_contain_text("5 of 6 coded")

        store = CoderStore(store_dir, CODER)
        assert store.codes_frame()[["response_id", "theme_id", "memo"]].values.tolist() == [
            ["FS1", "feeling_heard", "listened and acted"],
            ["FS2", "accessibility_venue", ""],
            ["FS3", "payment_recognition", ""],
            ["FS3", "time_resources", ""],
            ["FS4", NONE_OF_THESE, ""],
            ["FS5", "peer_support", ""],
        ]
        assert [store.is_done(f"FS{i}", QUESTION) for i in range(1, 7)] == [True] * 5 + [False]
        added = store.themes_added()
        assert added[["theme_id", "name", "definition", "coder"]].values.tolist() == [
            ["peer_support", *NEW_THEME, CODER]]

        # Restart the kernel and run everything again: the panel resumes at the sixth answer.
        # The old panel stays on screen until its cell re-runs, so wait for it to go first.
        old_panel = panel.element_handle()
        _run(page, "notebook:restart-run-all")
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=UI_TIMEOUT)
        page.wait_for_function("element => !element.isConnected", arg=old_panel, timeout=UI_TIMEOUT)
        _panel(page).locator(".evalkit-progress", has_text="5 of 6 coded").wait_for(timeout=UI_TIMEOUT)
        _shown(page, "FS6")
        expect(page.locator(".evalkit-coding-panel")).to_have_count(1)
        resumed = _panel(page)
        expect(resumed.locator(".evalkit-answer")).to_contain_text(ANSWERS[5][2])
        resumed.locator("button.evalkit-previous").click()
        _shown(page, "FS5")
        expect(resumed.locator(".evalkit-theme-peer_support input")).to_be_checked()
        expect(resumed.locator(".evalkit-theme-feeling_heard input")).not_to_be_checked()
        resumed.locator("button.evalkit-previous").click()
        _shown(page, "FS4")
        expect(resumed.locator(f".evalkit-theme-{NONE_OF_THESE} input")).to_be_checked()
    finally:
        page.close()

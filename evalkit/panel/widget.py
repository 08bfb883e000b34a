"""The coding panel: an ipywidgets UI over the store and the queue.

Everything the buttons do is also a method (``tick``, ``next``, ``skip``, ``add_theme``...), so
the panel can be driven and tested without a browser; the widgets only call those methods.

Hovering a theme's name shows its definition. ipywidgets 8 never puts a ``Checkbox``'s
``tooltip`` on screen while it has a description (jupyter-widgets/ipywidgets#2948: the title
it sets is the description itself), so each name is a ``<span title="definition">`` inside an
HTML description, and ``tooltip`` is left unset, which makes the checkbox view drop the raw
description it had put in the input's own title.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from evalkit.errors import ConfigError, EvalkitError
from evalkit.panel.queue import (
    Answer,
    Filters,
    Suggestion,
    apply_filters,
    order_answers,
    progress,
    resume_index,
    suggestions_by_key,
    suggestions_from_estimator,
    validate_answers,
    with_text,
)
from evalkit.panel.store import AddedTheme, CoderStore, other_coders_codes
from evalkit.panel.themes import (
    ADDED_HEADING,
    NONE_OF_THESE,
    NONE_OF_THESE_GUIDANCE,
    NONE_OF_THESE_NAME,
    PanelCodebook,
    PanelTheme,
    added_theme_id,
)

SUGGESTION_THRESHOLD = 0.5

_ANSWER_STYLE = (
    "border:2px solid #555;border-radius:6px;padding:0.75em 1em;margin:0.5em 0;"
    "font-size:1.15em;line-height:1.5;white-space:pre-wrap;max-width:60em;"
)


class CodingPanel:
    """Code free-text answers against a codebook, one answer at a time, saving every click.

    Besides the codebook's themes the coder can tick "None of these fits" (recorded as
    :data:`evalkit.panel.themes.NONE_OF_THESE`; it and the other themes exclude each other) and
    add a theme the codebook lacks (:meth:`add_theme`). "Done, next" needs at least one of
    these ticked, so a finished answer always has a code and "not coded yet" means no code.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``response_id``, ``question`` (label), ``project``, ``text``; other columns (such as a
        respondent id) are never shown, and answers with blank text are not queued. Build it
        with :func:`evalkit.panel.answers.answers_from_programme`.
    codebook : Codebook or iterable of themes
        Themes with ``id``, ``name``, ``parent`` and ``definition``, e.g.
        ``evalkit.coding.codebook.load_codebook("default")``.
    coder : str
        The coder's name or initials; the panel reads and writes only this coder's file.
    store_dir : str or Path
        Folder shared by the coders of one project; one journal per coder.
    order : {"as_filed", "random", "most_useful"}, default "as_filed"
        ``most_useful`` shows first the answers the classifier is least sure about and needs
        ``suggestions``.
    seed : int, default 0
        Seed for ``order="random"``.
    blind : bool, default True
        True: never read other coders' files. False: show other coders' codes for each answer
        (for consensus meetings, after independent coding).
    suggestions : pandas.DataFrame or fitted classifier, optional
        ``response_id``, ``theme_id``, ``probability`` (optional ``question``), or an estimator
        with ``predict_proba`` on the answer texts. Suggestions are shown, marked as such, and
        never pre-ticked.

    Attributes
    ----------
    store : CoderStore
        This coder's saved codes.
    answers : list of Answer
        All answers with text, in the chosen order.
    blank_answers : int
        How many answers given had blank text and were left out.
    visible : list of Answer
        The answers that pass the current filters, in order.
    position : int
        Index in ``visible`` of the answer on screen.
    widget : ipywidgets.VBox
        The UI; displaying the panel displays it.
    notes : tuple of str
        Sentences about how the panel was opened (set by
        :func:`evalkit.panel.notebook.open_panel`; empty otherwise).

    Examples
    --------
    >>> from evalkit.coding.codebook import load_codebook             # doctest: +SKIP
    >>> panel = CodingPanel(answers, load_codebook("default"), coder="AS",
    ...                     store_dir="outputs/coding")                # doctest: +SKIP
    >>> panel                                                          # doctest: +SKIP
    >>> panel.codes_frame()                                            # doctest: +SKIP
    """

    def __init__(self, answers, codebook, coder, store_dir, order="as_filed", seed=0,
                 blind=True, suggestions=None):
        self.codebook = PanelCodebook(codebook)
        self.codebook.add(PanelTheme(NONE_OF_THESE, NONE_OF_THESE_NAME, None, NONE_OF_THESE_GUIDANCE),
                          heading=None)
        validated = validate_answers(answers)
        filed = with_text(validated)
        self.blank_answers = len(validated) - len(filed)
        self.store = CoderStore(store_dir, coder)
        if self.store.needs_compaction:
            self.store.compact()
        for theme in self.store.added_themes():
            if theme.id not in self.codebook.themes:  # a codebook theme of the same id wins
                self.codebook.add(_panel_theme(theme), ADDED_HEADING)
        self.blind = bool(blind)
        self.notes: tuple[str, ...] = ()
        self._suggestions = self._match_suggestions(suggestions, filed)
        self.answers = order_answers(filed, order, seed, self._suggestions)
        self.filters = Filters()
        self.visible = list(self.answers)
        self.position = resume_index(self.visible, self.store)
        self._updating = False
        self._build()
        self._show()

    # ---- actions (the buttons call these) ------------------------------------------------

    @property
    def current(self) -> Answer | None:
        """The answer on screen, or None when no answer passes the filters."""
        return self.visible[self.position] if self.visible else None

    def tick(self, theme_id: str, ticked: bool = True) -> None:
        """Tick (or untick) a theme for the current answer and save at once.

        Parameters
        ----------
        theme_id : str
            A codable (leaf) theme id of the codebook, :data:`~evalkit.panel.themes.NONE_OF_THESE`
            or an added theme's id. Ticking "None of these fits" unticks the answer's themes;
            ticking a theme unticks "None of these fits".
        ticked : bool, default True
            False unticks.

        Raises
        ------
        KeyError
            If ``theme_id`` is not a codable theme.
        """
        answer = self._require_current()
        box = self._boxes[theme_id]
        cleared = []
        if ticked:
            self.store.refresh()
            ticked_now = self.store.codes(answer.response_id, answer.question).themes
            cleared = (sorted(ticked_now - {NONE_OF_THESE}) if theme_id == NONE_OF_THESE
                       else [NONE_OF_THESE] if NONE_OF_THESE in ticked_now else [])
            for other in cleared:
                self.store.untick(answer.response_id, answer.question, other)
                if other in self._boxes:
                    self._set_quietly(self._boxes[other], False)
            self.store.tick(answer.response_id, answer.question, theme_id)
        else:
            self.store.untick(answer.response_id, answer.question, theme_id)
        self._set_quietly(box, ticked)
        verb = "Ticked" if ticked else "Unticked"
        also = ""
        if cleared:
            also = " and unticked " + ", ".join(f"“{self.codebook.name(t)}”" for t in cleared)
        self._say(f"Saved. {verb} “{self.codebook.name(theme_id)}”{also}.")

    def set_memo(self, memo: str) -> None:
        """Replace the memo on the current answer and save at once.

        Parameters
        ----------
        memo : str
            The coder's note; an empty string clears it.
        """
        answer = self._require_current()
        self.store.set_memo(answer.response_id, answer.question, memo)
        self._set_quietly(self._memo, memo)
        self._say("Saved. Memo updated.")

    def next(self) -> None:
        """Mark the current answer coded and move on.

        Raises
        ------
        EvalkitError
            If nothing is ticked: tick a theme or "None of these fits", or skip the answer.
        """
        answer = self._require_current()
        self.store.refresh()
        if not self.store.codes(answer.response_id, answer.question).themes:
            raise EvalkitError(f"nothing is ticked: tick a theme, or “{NONE_OF_THESE_NAME}”, then press "
                               "“Done, next” (or “Skip for now” to come back to this answer later)")
        self.store.set_status(answer.response_id, answer.question, "done")
        self._advance(f"Saved. Answer {answer.response_id} marked coded.")

    def skip(self) -> None:
        """Leave the current answer uncoded (marked skipped, codes kept) and move on."""
        answer = self._require_current()
        if not self.store.is_done(answer.response_id, answer.question):
            self.store.set_status(answer.response_id, answer.question, "skipped")
        self._advance(f"Skipped answer {answer.response_id}; it stays uncoded.")

    def previous(self) -> None:
        """Go back one answer (nothing is changed)."""
        if self.position > 0:
            self.position -= 1
            self._show()
            self._say("Went back one answer.")
        else:
            self._say("This is the first answer in the list.")

    def go_to(self, number: int) -> None:
        """Show one answer of the filtered list.

        Parameters
        ----------
        number : int
            1-based position; out-of-range numbers go to the first or last answer.
        """
        if not self.visible:
            return
        self.position = min(max(int(number), 1), len(self.visible)) - 1
        self._show()

    def set_filters(self, project=None, question=None, theme=None, uncoded_only=False) -> None:
        """Show only some answers and go to the first unfinished one among them.

        Parameters
        ----------
        project, question : str or None
            Keep answers from one project / to one question.
        theme : str or None
            Keep answers this coder coded with this theme (or a theme below it).
        uncoded_only : bool
            Keep answers this coder has not marked coded.

        Raises
        ------
        ConfigError
            If ``theme`` is not in the codebook.
        """
        project, question, theme = project or None, question or None, theme or None
        if theme is not None and theme not in self.codebook.themes:
            raise ConfigError(f"theme {theme!r} is not in the codebook; use one of: "
                              f"{', '.join(self.codebook.themes)}")
        self.filters = Filters(project, question, theme, bool(uncoded_only))
        members = self.codebook.descendants(theme) if theme is not None else None
        self.store.refresh()
        self.visible = apply_filters(self.answers, self.filters, self.store, members)
        self.position = resume_index(self.visible, self.store)
        self._updating = True
        try:
            self._project.value, self._question.value = project or "", question or ""
            self._theme.value, self._uncoded.value = theme or "", bool(uncoded_only)
        finally:
            self._updating = False
        self._show()
        self._say(f"{len(self.visible)} answers match the filters.")

    def add_theme(self, name: str, definition: str, tick: bool = True) -> str:
        """Add a theme the codebook lacks, save it in this coder's journal and show its box.

        Parameters
        ----------
        name : str
            Short name, shown next to the new checkbox.
        definition : str
            One sentence saying when the theme applies; shown on hover, like the codebook's.
        tick : bool, default True
            Also tick it for the answer on screen (if there is one).

        Returns
        -------
        str
            The new theme's id (:func:`evalkit.panel.themes.added_theme_id` of the name).

        Raises
        ------
        ConfigError
            If the name or definition is blank, or a theme of that name or id already exists.
        """
        theme_id = added_theme_id(name)
        clash = self.codebook.find_name(name) or self.codebook.themes.get(theme_id)
        if clash is not None:
            mine = any(t.id == clash.id for t in self.store.added_themes())
            where = "you already added" if mine else "the codebook already has"
            raise ConfigError(f"{where} a theme called “{clash.name}” ({clash.id}); tick it, or give "
                              "the new theme a different name")
        added = self.store.add_theme(theme_id, name, definition)
        self.codebook.add(_panel_theme(added), ADDED_HEADING)
        self._show_added(added.id)
        message = f"Saved. Added the theme “{added.name}”"
        if tick and self.current is not None:
            self.tick(added.id)
            message += " and ticked it for this answer"
        self._say(message + ".")
        return added.id

    def codes_frame(self, include_empty: bool = False) -> pd.DataFrame:
        """Return this coder's codes as a long table (see :meth:`CoderStore.codes_frame`).

        "None of these fits" is the theme id :data:`~evalkit.panel.themes.NONE_OF_THESE`; themes
        the coder added appear by their ids, described by :meth:`themes_added`.
        """
        return self.store.codes_frame(include_empty=include_empty)

    def themes_added(self) -> pd.DataFrame:
        """Return the themes this coder added (see :meth:`CoderStore.themes_added`)."""
        return self.store.themes_added()

    @property
    def progress_text(self) -> str:
        """E.g. ``"12 of 140 coded"``, counted over all answers given to the panel."""
        done, total = progress(self.answers, self.store)
        return f"{done} of {total} coded"

    def _repr_mimebundle_(self, **kwargs):
        """Display the panel's widget."""
        return self.widget._repr_mimebundle_(**kwargs)

    # ---- building the UI -----------------------------------------------------------------

    def _build(self) -> None:
        """Create the widgets once; ``_show`` fills them for the current answer."""
        self._progress = widgets.HTML()
        self._answer = widgets.HTML()
        self._suggested = widgets.HTML()
        self._others = widgets.HTML()
        self._status = widgets.HTML()
        self._status.add_class("evalkit-status-line")
        self._filters_box = self._build_filters()
        self._boxes: dict[str, widgets.Checkbox] = {}
        self._groups: dict[str, widgets.VBox] = {}
        self._themes_box = widgets.Box([], layout=widgets.Layout(flex_flow="row wrap"))
        self._themes_box.add_class("evalkit-themes")
        for group in self.codebook.groups:
            for theme in group.themes:
                if theme.id != NONE_OF_THESE:
                    self._add_box(theme, group.heading.name)
        none_row = widgets.HBox([self._theme_box(self.codebook.themes[NONE_OF_THESE])],
                                layout=widgets.Layout(margin="0 0 0.5em 0"))
        self._definitions = widgets.HTML(self._definitions_html())
        definitions = widgets.Accordion(children=[self._definitions],
                                        titles=("What the themes mean",), selected_index=None)
        adding = self._build_adding()
        self._memo = widgets.Textarea(
            description="Memo", placeholder="Your notes on this answer (saved when you leave the box)",
            continuous_update=False, layout=widgets.Layout(width="40em", height="4.5em"),
        )
        self._memo.add_class("evalkit-memo")
        self._memo.observe(self._on_memo, names="value")
        self._previous_button = self._button("Previous", "Go back to the previous answer",
                                             self.previous, "evalkit-previous")
        self._skip_button = self._button("Skip for now", "Leave this answer uncoded and go to the next",
                                         self.skip, "evalkit-skip")
        self._next_button = self._button("Done, next", "Mark this answer coded and go to the next",
                                         self.next, "evalkit-next", style="primary")
        self._jump = widgets.BoundedIntText(value=1, min=1, max=max(len(self.visible), 1),
                                            description="Go to answer", continuous_update=False,
                                            layout=widgets.Layout(width="14em"))
        self._jump.style.description_width = "initial"
        self._jump.observe(self._on_jump, names="value")
        buttons = widgets.HBox([self._previous_button, self._skip_button, self._next_button, self._jump])
        heading = widgets.HTML(f"<h3 style='margin:0.2em 0'>Coding as {html.escape(self.store.coder)}</h3>")
        self.widget = widgets.VBox([
            heading, self._progress, self._filters_box, self._answer, self._suggested, self._others,
            self._themes_box, none_row, definitions, adding, self._memo, buttons, self._status,
        ])
        self.widget.add_class("evalkit-coding-panel")

    def _theme_box(self, theme: PanelTheme) -> widgets.Checkbox:
        """One theme's checkbox; hovering its name shows the definition (see the module notes)."""
        guidance = theme.guidance or theme.name
        box = widgets.Checkbox(
            description=(f"<span class='evalkit-theme-name' title='{html.escape(guidance, quote=True)}'>"
                         f"{html.escape(theme.name)}</span>"),
            description_allow_html=True, indent=False, layout=widgets.Layout(width="auto"),
        )
        box.add_class("evalkit-theme")
        box.add_class(f"evalkit-theme-{theme.id}")
        box.observe(self._on_box(theme.id), names="value")
        self._boxes[theme.id] = box
        return box

    def _add_box(self, theme: PanelTheme, heading: str) -> None:
        """Put a theme's checkbox under its heading, making the heading's column if it is new."""
        box = self._theme_box(theme)
        column = self._groups.get(heading)
        if column is None:
            title = widgets.HTML(f"<strong>{html.escape(heading)}</strong>")
            column = widgets.VBox([title], layout=widgets.Layout(margin="0 1.5em 0.5em 0"))
            self._groups[heading] = column
            self._themes_box.children = (*self._themes_box.children, column)
        column.children = (*column.children, box)

    def _build_adding(self) -> widgets.Accordion:
        """The form for adding a theme the codebook lacks."""
        self._new_name = widgets.Text(description="Name", placeholder="A short name for the theme",
                                      layout=widgets.Layout(width="30em"))
        self._new_definition = widgets.Textarea(
            description="Definition", placeholder="One sentence: when does this theme apply?",
            layout=widgets.Layout(width="40em", height="4.5em"))
        self._new_name.add_class("evalkit-new-theme-name")
        self._new_definition.add_class("evalkit-new-theme-definition")
        self._add_button = self._button("Add theme", "Add this theme, tick it for this answer and keep it "
                                        "for the answers to come", self._add_from_form, "evalkit-add-theme")
        form = widgets.VBox([
            widgets.HTML("<p style='margin:0.2em 0'>If no theme fits and one is missing, add it here. "
                         "It is saved with your name and the time, shown as a new box, and ticked "
                         "for this answer.</p>"),
            self._new_name, self._new_definition, self._add_button,
        ])
        adding = widgets.Accordion(children=[form], titles=("Add a theme",), selected_index=None)
        adding.add_class("evalkit-adding")
        return adding

    def _add_from_form(self) -> None:
        """The "Add theme" button: add the typed theme, then clear the form."""
        self.add_theme(self._new_name.value, self._new_definition.value)
        self._new_name.value, self._new_definition.value = "", ""

    def _show_added(self, theme_id: str) -> None:
        """Show a just-added theme: its box, the definitions list and the theme filter."""
        self._add_box(self.codebook.themes[theme_id], ADDED_HEADING)
        self._boxes[theme_id].disabled = self.current is None
        self._definitions.value = self._definitions_html()
        self._updating = True
        try:
            chosen = self._theme.value
            self._theme.options = self._theme_options()
            self._theme.value = chosen
        finally:
            self._updating = False

    def _theme_options(self) -> list[tuple[str, str]]:
        """The "Coded with" filter's choices: every theme, children named with their parent."""
        themes = [(t.name if t.parent is None else f"{self.codebook.name(t.parent)}: {t.name}", t.id)
                  for t in self.codebook.themes.values()]
        return [("Any or none", ""), *themes]

    def _build_filters(self) -> widgets.HBox:
        """The project, question, theme and uncoded-only filters."""
        projects = sorted({a.project for a in self.answers})
        questions = list(dict.fromkeys(a.question for a in self.answers))
        self._project = widgets.Dropdown(options=[("All projects", ""), *[(p, p) for p in projects]],
                                         description="Project")
        self._question = widgets.Dropdown(options=[("All questions", ""), *[(q, q) for q in questions]],
                                          description="Question")
        self._theme = widgets.Dropdown(options=self._theme_options(), description="Coded with")
        self._uncoded = widgets.Checkbox(description="Uncoded only", indent=False)
        for control in (self._project, self._question, self._theme, self._uncoded):
            control.observe(self._on_filter, names="value")
            if isinstance(control, widgets.Dropdown):
                control.style.description_width = "initial"
        box = widgets.HBox([self._project, self._question, self._theme, self._uncoded],
                           layout=widgets.Layout(flex_flow="row wrap"))
        box.add_class("evalkit-filters")
        return box

    def _button(self, label, tooltip, action, css_class, style="") -> widgets.Button:
        """A button whose click runs ``action`` and reports failures in the status line."""
        button = widgets.Button(description=label, tooltip=tooltip, button_style=style,
                                layout=widgets.Layout(width="auto"))
        button.add_class(css_class)
        button.on_click(lambda _button: self._guarded(action))
        return button

    def _definitions_html(self) -> str:
        """Every codable theme's definition, grouped, as an HTML list."""
        parts = []
        for group in self.codebook.groups:
            if group.heading.name:
                parts.append(f"<h4>{html.escape(group.heading.name)}</h4>")
            parts.append("<dl>")
            for theme in group.themes:
                parts.append(f"<dt><strong>{html.escape(theme.name)}</strong></dt>"
                             f"<dd>{html.escape(theme.guidance or 'No definition given.')}</dd>")
            parts.append("</dl>")
        return "".join(parts)

    # ---- showing an answer ---------------------------------------------------------------

    def _show(self) -> None:
        """Fill the widgets for the current answer."""
        self.store.refresh()
        answer = self.current
        done, total = progress(self.answers, self.store)
        where = (f"Answer {self.position + 1} of {len(self.visible)} shown" if answer
                 else "No answers match the filters")
        self._progress.value = (f"<p class='evalkit-progress'><strong>{done} of {total} coded</strong>"
                                f" · {where}</p>")
        codes = self.store.codes(answer.response_id, answer.question) if answer else None
        self._updating = True
        try:
            for theme_id, box in self._boxes.items():
                box.value = bool(codes and theme_id in codes.themes)
                box.disabled = answer is None
            self._memo.value = codes.memo if codes else ""
            self._memo.disabled = answer is None
            self._jump.max = max(len(self.visible), 1)
            self._jump.value = self.position + 1 if answer else 1
        finally:
            self._updating = False
        for button in (self._previous_button, self._skip_button, self._next_button):
            button.disabled = answer is None
        self._answer.value = self._answer_html(answer, codes)
        self._suggested.value = self._suggestions_html(answer)
        self._others.value = self._others_html(answer)

    def _answer_html(self, answer: Answer | None, codes) -> str:
        """The question, project and answer text."""
        if answer is None:
            return "<p>No answers match these filters. Change or clear the filters above.</p>"
        state = {"done": "coded", "skipped": "skipped", "open": "not coded yet"}[codes.status]
        text = html.escape(answer.text) if answer.text.strip() else "<em>(blank answer)</em>"
        return (
            f"<div class='evalkit-answer' data-response-id='{html.escape(str(answer.response_id))}'>"
            f"<p style='margin:0.2em 0'><strong>Question:</strong> {html.escape(answer.question)}"
            f"<br><strong>Project:</strong> {html.escape(answer.project)}"
            f" · <strong>Answer</strong> {html.escape(str(answer.response_id))} ({state})</p>"
            f"<blockquote style='{_ANSWER_STYLE}'>{text}</blockquote></div>"
        )

    def _suggestions_html(self, answer: Answer | None) -> str:
        """The classifier's likely themes for the answer, clearly marked as suggestions."""
        found = self._suggestions.get(answer.key, []) if answer else []
        likely = [s for s in found if s.probability >= SUGGESTION_THRESHOLD]
        if not found:
            return ""
        if likely:
            items = ", ".join(f"{html.escape(self.codebook.name(s.theme_id))} ({s.probability:.0%})"
                              for s in likely)
        else:
            top = found[0]
            items = (f"no theme is likely; the closest is "
                     f"{html.escape(self.codebook.name(top.theme_id))} ({top.probability:.0%})")
        return (
            "<p class='evalkit-suggestions' style='border-left:4px dashed #0072B2;padding-left:0.5em'>"
            f"<strong>Computer suggestions</strong> (not ticked; tick a theme only if you agree): "
            f"{items}</p>"
        )

    def _others_html(self, answer: Answer | None) -> str:
        """Other coders' themes for the answer; empty in blind mode (their files are not read)."""
        if self.blind or answer is None:
            return ""
        lines = []
        for name, codes in other_coders_codes(self.store.store_dir, self.store.coder).items():
            found = codes.get(answer.key)
            if found and found.themes:
                themes = ", ".join(html.escape(self.codebook.name(t)) for t in sorted(found.themes))
                lines.append(f"<li>{html.escape(name)}: {themes}</li>")
        body = "".join(lines) or "<li>No other coder has coded this answer.</li>"
        return f"<div class='evalkit-others'><strong>Other coders (not blind)</strong><ul>{body}</ul></div>"

    # ---- event plumbing ------------------------------------------------------------------

    def _on_box(self, theme_id: str):
        """Observer for one theme's checkbox; after a failed save every box shows what is saved."""
        def observe(change):
            if not self._updating:
                self._guarded(lambda: self.tick(theme_id, change["new"]), undo=self._boxes_from_store)
        return observe

    def _boxes_from_store(self) -> None:
        """Set every theme box to what the store holds for the current answer."""
        answer = self.current
        codes = self.store.codes(answer.response_id, answer.question) if answer else None
        for theme_id, box in self._boxes.items():
            self._set_quietly(box, bool(codes and theme_id in codes.themes))

    def _on_memo(self, change) -> None:
        """Observer for the memo box (fires when the coder leaves it)."""
        if not self._updating:
            self._guarded(lambda: self.set_memo(change["new"]))

    def _on_jump(self, change) -> None:
        """Observer for the go-to-answer box."""
        if not self._updating:
            self._guarded(lambda: self.go_to(change["new"]))

    def _on_filter(self, change) -> None:
        """Observer for the four filter controls."""
        if not self._updating:
            self._guarded(lambda: self.set_filters(self._project.value, self._question.value,
                                                   self._theme.value, self._uncoded.value))

    def _guarded(self, action, undo=None) -> None:
        """Run a UI action; on a user-facing error, undo the widget change and say what failed."""
        try:
            action()
        except EvalkitError as exc:
            if undo is not None:
                undo()
            self._say(f"Not saved: {exc}", alert=True)

    def _advance(self, message: str) -> None:
        """Move to the next answer, or stay on the last one and say so."""
        if self.position + 1 < len(self.visible):
            self.position += 1
            self._show()
            self._say(message)
        else:
            self._show()
            self._say(f"{message} That was the last answer in this list ({self.progress_text}).")

    def _require_current(self) -> Answer:
        """The answer on screen, or an error when the filters leave none."""
        if self.current is None:
            raise EvalkitError("no answer is shown: the filters match nothing; clear them")
        return self.current

    def _set_quietly(self, control, value) -> None:
        """Set a widget's value without triggering a save."""
        self._updating = True
        try:
            control.value = value
        finally:
            self._updating = False

    def _say(self, message: str, alert: bool = False) -> None:
        """Show a message in the status line, announced by screen readers."""
        role = "alert" if alert else "status"
        colour = "#B00020" if alert else "inherit"
        self._status.value = (f"<p class='evalkit-status' role='{role}' aria-live='polite' "
                              f"style='color:{colour}'>{html.escape(message)}</p>")

    @staticmethod
    def _match_suggestions(suggestions, answers: list[Answer]) -> dict:
        """Turn a suggestions table or a fitted classifier into suggestions by answer key."""
        if suggestions is None:
            return {}
        if not isinstance(suggestions, pd.DataFrame):
            suggestions = suggestions_from_estimator(suggestions, answers)
        return suggestions_by_key(suggestions, answers)

    def suggestions_for(self, answer: Answer) -> list[Suggestion]:
        """Return the classifier's suggestions for an answer, most probable first."""
        return list(self._suggestions.get(answer.key, []))


def _panel_theme(theme: AddedTheme) -> PanelTheme:
    """An added theme as the panel shows it (top level, under its own heading)."""
    return PanelTheme(theme.id, theme.name, None, theme.definition)

"""What ``notebooks/coding_panel.ipynb`` calls: open the panel from its settings, in one call.

The notebook works wherever it is copied: nothing here depends on the folder it runs in except
paths the user types, and an empty ``config`` means the synthetic sample programme that comes
with evalkit (found through :data:`evalkit.paths.SAMPLE_CONFIG`). When something the user set
is wrong, the error is one evalkit sentence saying how to fix it, not a traceback.
"""
from __future__ import annotations

from pathlib import Path

from evalkit.errors import ConfigError, EvalkitError
from evalkit.paths import OUTPUTS_DIR, SAMPLE_CONFIG

STORE_FOLDER = "coding"


def resolve_config(config) -> Path:
    """Return the programme file the notebook's ``config`` setting names.

    Parameters
    ----------
    config : str or path-like
        Path of a programme YAML file, or of a folder holding ``programme.yml``; ``~`` is
        expanded and a relative path starts from the current folder (in Jupyter, the notebook's
        own). Empty means the synthetic sample programme that comes with evalkit.

    Returns
    -------
    pathlib.Path
        Absolute path of an existing file.

    Raises
    ------
    ConfigError
        If there is no such file, saying where it looked and how to set ``config``.
    """
    fix = ("set `config` in the Settings cell to your programme.yml, as a full path or a path from "
           "this notebook's folder")
    if config is None or not str(config).strip():
        if SAMPLE_CONFIG.is_file():
            return SAMPLE_CONFIG
        raise ConfigError(f"config is empty, so the panel looked for evalkit's sample programme at "
                          f"{SAMPLE_CONFIG}, but this evalkit was installed without it; {fix}")
    path = Path(str(config).strip()).expanduser()
    where = path if path.is_absolute() else Path.cwd() / path
    if path.is_dir():
        inside = path / "programme.yml"
        if inside.is_file():
            return inside.resolve()
        raise ConfigError(f"config {str(config)!r} is a folder ({where.resolve()}) with no programme.yml "
                          f"in it; {fix}")
    if not path.is_file():
        raise ConfigError(f"config {str(config)!r}: there is no such file (looked for {where}); {fix}, "
                          "or leave it empty to open the synthetic sample programme")
    return path.resolve()


def default_store_dir(programme) -> Path:
    """Return where coders' journals go when ``store_dir`` is left empty.

    A ``coding`` folder beside the programme's config, so every coder of a programme shares
    one store wherever their notebooks are; for evalkit's sample programme (whose folder is
    generated and never edited) ``outputs/coding`` instead.
    """
    if _is_sample(programme):
        return OUTPUTS_DIR / STORE_FOLDER
    return programme.root / STORE_FOLDER


def open_panel(config="", coder="", source="", column="", order="as_filed", seed=0, store_dir="",
               blind=True):
    """Load a programme and its codebook and open the coding panel on its free-text answers.

    Parameters
    ----------
    config : str or path-like, default ""
        The programme YAML file (see :func:`resolve_config`); empty opens the synthetic sample.
    coder : str
        The coder's name or initials.
    source, column : str, default ""
        Which answers to code; empty means all (see :mod:`evalkit.panel.answers`).
    order : {"as_filed", "random", "most_useful"}
        ``most_useful`` trains a classifier on the answers this coder has already coded; with
        too few, the panel says so and keeps the filed order.
    seed : int
        Seed for ``random`` order and the classifier.
    store_dir : str or path-like, default ""
        Folder of the coders' journals; empty means :func:`default_store_dir`.
    blind : bool, default True
        False shows other coders' codes (for consensus meetings).

    Returns
    -------
    CodingPanel
        With ``notes``: plain sentences saying what was opened, for the notebook to print.

    Raises
    ------
    EvalkitError
        Anything the settings get wrong (a missing config, an unknown source or column, a store
        folder that cannot be written). In IPython it shows as its one-sentence message, not
        as a traceback, and stops "Run all" there.
    """
    try:
        return _open(config, coder, source, column, order, seed, store_dir, blind)
    except EvalkitError as exc:
        exc._render_traceback_ = _plain_lines(exc)  # IPython shows these lines instead of a traceback
        raise


def _open(config, coder, source, column, order, seed, store_dir, blind):
    """Do the work of ``open_panel``."""
    from evalkit.coding.codebook import load_codebook
    from evalkit.panel.active import suggestions_from_own_codes
    from evalkit.panel.answers import answers_from_programme
    from evalkit.panel.widget import CodingPanel
    from evalkit.programme import load_programme

    programme = load_programme(resolve_config(config))
    codebook = load_codebook(programme.codebook_path)
    answers = answers_from_programme(programme, source or None, column or None)
    if answers.empty:
        raise ConfigError(f"{programme.config_path.name}: every answer to the chosen questions is blank, "
                          "so there is nothing to code; choose another `source` or `column`")
    typed_store = str(store_dir or "").strip()
    store = Path(typed_store).expanduser() if typed_store else default_store_dir(programme)
    notes = []
    if _is_sample(programme):
        notes.append(f"Programme: {programme.name}, synthetic data that comes with evalkit. Set `config` "
                     "to your own programme.yml to code real answers.")
    else:
        notes.append(f"Programme: {programme.name} ({programme.config_path}).")
    suggestions = None
    if order == "most_useful":
        suggestions, note = suggestions_from_own_codes(answers, codebook, coder, store, seed=seed)
        notes.append(note)
        if suggestions is None:
            order = "as_filed"
    panel = CodingPanel(answers, codebook, coder=coder, store_dir=store, order=order, seed=seed,
                        blind=blind, suggestions=suggestions)
    questions = answers["question"].nunique()
    notes.append(f"{len(panel.answers)} answers to {questions} question{'s' * (questions != 1)}, "
                 f"coded by {panel.store.coder}; every click is saved in {panel.store.path}.")
    panel.notes = tuple(notes)
    return panel


def _is_sample(programme) -> bool:
    """True for evalkit's own synthetic sample programme."""
    return programme.config_path.resolve() == SAMPLE_CONFIG.resolve()


def _plain_lines(exc: EvalkitError):
    """IPython's ``_render_traceback_`` hook: the error's name and message, nothing else."""
    def render() -> list[str]:
        return [f"\x1b[0;31m{type(exc).__name__}\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(exc).splitlines() or [""])]
    return render

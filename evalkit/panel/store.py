"""One coder's codes, kept in that coder's own append-only journal.

Every click becomes one JSON line appended to ``<slug>.jsonl`` in the store folder, written
with ``O_APPEND`` and ``fsync`` before the call returns, so a crash, a closed tab or a dead
kernel loses nothing already clicked. Loading replays the journal; a line torn by a crash in
the middle of a write is skipped (and reported in :attr:`CoderStore.damaged_lines`).
:meth:`CoderStore.compact` rewrites the journal as one snapshot line per answer through a
temporary file, ``fsync`` and :func:`os.replace`.

Each coder has a separate file named by a readable slug of the name plus a short hash of it,
so two coders never share a file. Writes and compaction hold ``<slug>.lock``; before every
write the store reads whatever another panel of the same coder appended, so two panels open
for one coder merge their clicks instead of overwriting each other.

Answers are keyed by ``(response_id, question)``: one survey response can carry several
free-text answers.

A theme the coder adds while coding is one more journal line (``"op": "add_theme"``) holding its
id, name, definition and the time it was added (UTC, to the second). The time stays in the
coder's own journal and :meth:`CoderStore.themes_added`; it is never part of
:meth:`CoderStore.codes_frame`, so it cannot reach a report.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Hashable, Iterable, Iterator

import pandas as pd

from evalkit.coding.codebook_model import THEME_ID_RE
from evalkit.errors import ConfigError, ParameterError, StoreError
from evalkit.files import atomic_path

JOURNAL_FORMAT = 2  # 2 added "add_theme" lines; format 1 journals are read as they are
JOURNAL_SUFFIX = ".jsonl"
STATUSES = ("open", "done", "skipped")

Key = tuple[Hashable, str]
ADDED_COLUMNS = ["theme_id", "name", "definition", "coder", "when"]



@dataclass
class AnswerCodes:
    """What one coder has recorded for one answer: ticked themes, memo and status."""

    themes: set[str] = field(default_factory=set)
    memo: str = ""
    status: str = "open"

    @property
    def is_empty(self) -> bool:
        """True when nothing has been recorded for the answer."""
        return not self.themes and not self.memo and self.status == "open"


@dataclass(frozen=True)
class AddedTheme:
    """A theme a coder added while coding.

    Parameters
    ----------
    id, name, definition : str
        As for a codebook theme; ``id`` is a valid codebook id.
    when : str
        When it was added: ISO 8601 UTC to the second, e.g. ``"2024-05-01T10:22:33+00:00"``.
    """

    id: str
    name: str
    definition: str
    when: str


def _normalised_name(coder: str) -> str:
    """The coder name with case and runs of spaces folded, so trivial typing differences match."""
    return " ".join(unicodedata.normalize("NFKC", coder).split()).casefold()


def coder_slug(coder: str) -> str:
    """Return the file-safe name of a coder's journal (without suffix).

    Parameters
    ----------
    coder : str
        The coder's name as typed, e.g. ``"Ann O'Neill"``. Case and extra spaces are ignored.

    Returns
    -------
    str
        ASCII letters, digits and hyphens, e.g. ``"ann-o-neill-3c5d1a"``: a readable part and
        six hex digits of the SHA-256 of the normalised name, so names that read alike
        (``"Ann-Smith"``, ``"Ann Smith!"``) still get different files.

    Raises
    ------
    ConfigError
        If the name is blank.
    """
    if not isinstance(coder, str) or not coder.strip():
        raise ConfigError(
            "coder name is blank: set `coder` to your name or initials, e.g. coder = \"AS\""
        )
    normal = _normalised_name(coder)
    ascii_name = unicodedata.normalize("NFKD", normal).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40].strip("-") or "coder"
    digest = hashlib.sha256(normal.encode("utf-8")).hexdigest()[:6]
    return f"{readable}-{digest}"


def _plain(value):
    """Turn numpy scalars into Python ones so they survive a JSON round trip."""
    return value.item() if hasattr(value, "item") else value


def make_key(response_id, question) -> Key:
    """Return the store key of an answer: ``(response_id, question)`` as plain Python values."""
    return (_plain(response_id), str(question))


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive OS lock on ``lock_path`` for the duration of the block."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        yield
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Flush a folder's entry table so a new or renamed file survives power loss (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class CoderStore:
    """The codes one coder has given, saved to disk on every change.

    Parameters
    ----------
    store_dir : str or Path
        Folder holding one journal per coder (created if missing).
    coder : str
        The coder's name or initials. Only this coder's journal is ever read or written.

    Attributes
    ----------
    path : Path
        This coder's journal, ``store_dir / (coder_slug(coder) + ".jsonl")``.
    damaged_lines : list of int
        1-based line numbers of journal lines that could not be read (a write cut short by a
        crash); their content was never acknowledged to the coder.

    Examples
    --------
    >>> store = CoderStore(tmp_path, "AS")                       # doctest: +SKIP
    >>> store.tick("R001", "Any other comments?", "feeling_heard")  # doctest: +SKIP
    >>> store.set_status("R001", "Any other comments?", "done")  # doctest: +SKIP
    """

    def __init__(self, store_dir, coder: str):
        self.coder = coder
        self.slug = coder_slug(coder)
        self.store_dir = Path(store_dir)
        self.path = self.store_dir / f"{self.slug}{JOURNAL_SUFFIX}"
        self._lock_path = self.store_dir / f"{self.slug}.lock"
        self._codes: dict[Key, AnswerCodes] = {}
        self._added: dict[str, AddedTheme] = {}
        self._generation: str | None = None
        self._next = _new_generation(_normalised_name(coder), [])  # the first file's generation
        self._offset = 0
        self._line_number = 0
        self.damaged_lines: list[int] = []
        try:
            self.store_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"{self.store_dir}: cannot create the coding store folder ({exc.strerror}); "
                "set `store_dir` to a folder you can write to"
            ) from exc
        with _locked(self._lock_path):
            self._remove_stale_temporaries()
            self._sync()

    # ---- reading -------------------------------------------------------------------------

    def codes(self, response_id, question) -> AnswerCodes:
        """Return a copy of what this coder recorded for one answer (empty if nothing).

        Parameters
        ----------
        response_id : hashable
            The answer's response id.
        question : str
            The question label the answer belongs to.

        Returns
        -------
        AnswerCodes
            A copy; changing it does not change the store.
        """
        found = self._codes.get(make_key(response_id, question), AnswerCodes())
        return AnswerCodes(set(found.themes), found.memo, found.status)

    def keys(self) -> list[Key]:
        """Return the keys of every answer with something recorded, in first-recorded order."""
        return [key for key, value in self._codes.items() if not value.is_empty]

    def is_done(self, response_id, question) -> bool:
        """Return True when the coder has marked the answer as coded."""
        return self.codes(response_id, question).status == "done"

    def refresh(self) -> None:
        """Read anything another panel of the same coder has written since the last read."""
        with _locked(self._lock_path):
            self._sync()

    def codes_frame(self, include_empty: bool = False) -> pd.DataFrame:
        """Return this coder's codes as a long table, one row per answer and theme.

        Parameters
        ----------
        include_empty : bool, default False
            Also give answers marked done with no theme a row with ``theme_id`` missing. The
            panel now records "no theme fits" as its own code,
            :data:`evalkit.panel.themes.NONE_OF_THESE`; such rows come only from journals
            written before it could.

        Returns
        -------
        pandas.DataFrame
            Columns ``response_id``, ``question``, ``theme_id``, ``coder``, ``memo``; the memo
            is repeated on each of an answer's rows. Rows are sorted by question, response id
            (as text) and theme id, so the table is the same however the clicks were ordered.
            Themes the coder added appear by their ids (details in :meth:`themes_added`).
        """
        rows = []
        for (response_id, question), value in self._codes.items():
            themes = sorted(value.themes)
            if not themes and include_empty and value.status == "done":
                themes = [None]
            for theme in themes:
                rows.append((response_id, question, theme, self.coder, value.memo))
        frame = pd.DataFrame(rows, columns=["response_id", "question", "theme_id", "coder", "memo"])
        if frame.empty:
            return frame.astype(object)
        order = sorted(
            range(len(rows)), key=lambda i: (rows[i][1], str(rows[i][0]), rows[i][2] or "")
        )
        return frame.iloc[order].reset_index(drop=True)

    def added_themes(self) -> list[AddedTheme]:
        """Return the themes this coder has added, in the order they were added."""
        return list(self._added.values())

    def themes_added(self) -> pd.DataFrame:
        """Return the themes this coder has added, one row each, in the order they were added.

        Returns
        -------
        pandas.DataFrame
            Columns ``theme_id``, ``name``, ``definition``, ``coder``, ``when`` (ISO 8601 UTC).
            ``when`` is for the coders' own records (say, to see which themes came late in
            coding): leave it out of anything shared or reported.
        """
        rows = [(t.id, t.name, t.definition, self.coder, t.when) for t in self._added.values()]
        return pd.DataFrame(rows, columns=ADDED_COLUMNS).astype(object)

    # ---- writing -------------------------------------------------------------------------

    def add_theme(self, theme_id: str, name: str, definition: str,
                  when: datetime | None = None) -> AddedTheme:
        """Record a new theme in this coder's journal (saved before returning).

        Parameters
        ----------
        theme_id : str
            Lower-case letters, digits and underscores, starting with a letter (see
            :func:`evalkit.panel.themes.added_theme_id`).
        name : str
            Short name shown next to its checkbox.
        definition : str
            When the theme applies, shown on hover.
        when : datetime, optional
            When it was added (default now); stored in UTC to the second.

        Returns
        -------
        AddedTheme

        Raises
        ------
        ConfigError
            If the id is malformed, the name or definition is blank, or this coder already added
            a theme with that id or name.
        """
        name, definition = " ".join(str(name or "").split()), str(definition or "").strip()
        if not isinstance(theme_id, str) or not THEME_ID_RE.match(theme_id):
            raise ConfigError(f"theme id {theme_id!r} must be lower-case letters, digits and underscores, "
                              "starting with a letter")
        if not name:
            raise ConfigError("the new theme has no name; type a short name, e.g. \"Peer support\"")
        if not definition:
            raise ConfigError(f"the new theme “{name}” has no definition; write one sentence saying when "
                              "it applies, so other coders can use it the same way")
        moment = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
        theme = AddedTheme(theme_id, name, definition, moment.isoformat())

        def unused() -> None:
            for other in self._added.values():
                if other.id == theme_id or _normalised_name(other.name) == _normalised_name(name):
                    raise ConfigError(f"you already added the theme “{other.name}” ({other.id}); tick "
                                      "it instead of adding it again")

        self._append(_added_event(theme), check=unused)
        return self._added[theme_id]

    def tick(self, response_id, question, theme_id: str) -> None:
        """Record that the coder ticked ``theme_id`` for the answer (saved before returning)."""
        self._record({"op": "tick", "theme": str(theme_id)}, response_id, question)

    def untick(self, response_id, question, theme_id: str) -> None:
        """Record that the coder unticked ``theme_id`` for the answer (saved before returning)."""
        self._record({"op": "untick", "theme": str(theme_id)}, response_id, question)

    def set_memo(self, response_id, question, memo: str) -> None:
        """Replace the coder's memo on the answer (saved before returning)."""
        self.refresh()
        if self.codes(response_id, question).memo == (memo or ""):
            return
        self._record({"op": "memo", "memo": str(memo or "")}, response_id, question)

    def set_status(self, response_id, question, status: str) -> None:
        """Mark the answer ``"done"``, ``"skipped"`` or ``"open"`` (saved before returning).

        Raises
        ------
        ValueError
            If ``status`` is not one of those three.
        """
        if status not in STATUSES:
            raise ParameterError(f"status must be one of {STATUSES}, not {status!r}")
        self.refresh()
        if self.codes(response_id, question).status == status:
            return
        self._record({"op": "status", "status": status}, response_id, question)

    def compact(self) -> None:
        """Rewrite the journal as one line per answer, atomically.

        The new journal goes to a temporary file in the same folder, is flushed with ``fsync``
        and then moved over the old one with :func:`os.replace`; if anything fails before the
        move, the old journal is untouched and the temporary file is removed.
        """
        with _locked(self._lock_path):
            self._sync()
            lines = [_dumps(_added_event(theme)) for theme in self._added.values()]
            for (response_id, question), value in self._codes.items():
                if value.is_empty:
                    continue
                lines.append(
                    _dumps(
                        {
                            "op": "set",
                            "response_id": response_id,
                            "question": question,
                            "themes": sorted(value.themes),
                            "memo": value.memo,
                            "status": value.status,
                        }
                    )
                )
            self._next = _new_generation(self._generation or "", lines)
            data = "".join(line + "\n" for line in [self._header()] + lines).encode("utf-8")
            with atomic_path(self.path, mkdir=False) as tmp:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            _fsync_dir(self.store_dir)
            self.damaged_lines = []
            self._generation = None
            self._sync()

    # ---- internals -----------------------------------------------------------------------

    def _header(self) -> str:
        """The journal's first line: its format, coder and a generation id no other journal file will have.

        Compaction replaces the file; readers notice by the generation, not by the inode, which
        ext4 hands out again after two compactions (and then one panel's compaction erased the
        clicks of another panel of the same coder).
        """
        return _dumps({"evalkit_coding_journal": JOURNAL_FORMAT, "coder": self.coder, "generation": self._next})

    def _remove_stale_temporaries(self) -> None:
        """Delete temporary files of compactions that were killed (called under the lock, so none is live)."""
        for tmp in self.store_dir.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _file_generation(self) -> str | None:
        """The generation id in the journal's first line ("" for journals written before generations)."""
        try:
            with open(self.path, "rb") as handle:
                first = handle.readline()
        except FileNotFoundError:
            return None
        if not first.endswith(b"\n"):
            return ""
        try:
            header = json.loads(first.decode("utf-8"))
        except ValueError:
            return ""
        return str(header.get("generation", "")) if isinstance(header, dict) else ""

    def _record(self, event: dict, response_id, question) -> None:
        """Append one event about an answer (see ``_append``)."""
        key = make_key(response_id, question)
        self._append({**event, "response_id": key[0], "question": key[1]})

    def _append(self, event: dict, check=None) -> None:
        """Append one event under the lock, after catching up with other writers, then apply it.

        ``check``, if given, runs after catching up and before writing; it raises to refuse.
        """
        line = _dumps(event)
        with _locked(self._lock_path):
            self._sync()
            if check is not None:
                check()
            new_file = not self.path.exists()
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreError(
                    f"{self.path}: cannot save your click ({exc.strerror}); check the folder "
                    "is writable and not full, then click again"
                ) from exc
            try:
                prefix = ""
                if new_file or os.fstat(fd).st_size == 0:
                    prefix = self._header() + "\n"
                elif self._ends_torn(fd):
                    prefix = "\n"
                _write_all(fd, (prefix + line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if new_file:
                _fsync_dir(self.store_dir)
            self._sync()

    def _ends_torn(self, fd: int) -> bool:
        """True when the journal's last byte is not a newline (an earlier write was cut short)."""
        size = os.fstat(fd).st_size
        if size == 0:
            return False
        os.lseek(fd, size - 1, os.SEEK_SET)
        return os.read(fd, 1) != b"\n"

    @property
    def needs_compaction(self) -> bool:
        """True when the journal holds many more lines than answers (worth :meth:`compact`)."""
        return self._line_number > 4 * len(self._codes) + 200

    def _sync(self) -> None:
        """Apply every complete journal line not read yet; start over if the file was replaced."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return
        generation = self._file_generation()
        if generation != self._generation or stat.st_size < self._offset:
            self._codes, self._added, self._offset, self._line_number = {}, {}, 0, 0
            self.damaged_lines = []
            self._generation = generation
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        end = chunk.rfind(b"\n") + 1
        for raw in chunk[:end].splitlines():
            self._line_number += 1
            self._apply_line(raw)
        self._offset += end

    def _apply_line(self, raw: bytes) -> None:
        """Apply one journal line, noting it as damaged if it cannot be read."""
        try:
            event = json.loads(raw.decode("utf-8"))
            if "evalkit_coding_journal" in event:
                self._check_header(event)
                return
            _apply(self._codes, event, self._added)
        except (ValueError, KeyError, TypeError):
            self.damaged_lines.append(self._line_number)
            warnings.warn(
                f"{self.path}:{self._line_number}: skipped an unreadable line (a save cut "
                "short by a crash); every other click is kept",
                RuntimeWarning,
                stacklevel=3,
            )

    def _check_header(self, header: dict) -> None:
        """Refuse journals written by a newer evalkit or for a different coder."""
        if header["evalkit_coding_journal"] > JOURNAL_FORMAT:
            raise StoreError(
                f"{self.path}: journal format {header['evalkit_coding_journal']} is newer than "
                f"this evalkit understands ({JOURNAL_FORMAT}); upgrade evalkit"
            )
        if _normalised_name(header.get("coder", "")) != _normalised_name(self.coder):
            raise StoreError(
                f"{self.path}: this journal belongs to coder {header.get('coder')!r}, not "
                f"{self.coder!r}; do not rename or copy coders' files"
            )


def _new_generation(previous: str, lines: list[str]) -> str:
    """The next journal generation: a hash chained on the generation it replaces and its content.

    Deterministic (identical clicks give identical bytes), and never the same as any earlier
    generation of the journal short of a SHA-256 collision, because each one hashes the last.
    """
    digest = hashlib.sha256(previous.encode("utf-8"))
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def _dumps(event: dict) -> str:
    """Serialise one journal line compactly and deterministically."""
    return json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _added_event(theme: AddedTheme) -> dict:
    """The journal line that records an added theme."""
    return {"op": "add_theme", "theme": theme.id, "name": theme.name,
            "definition": theme.definition, "when": theme.when}


def _apply(codes: dict[Key, AnswerCodes], event: dict, added: dict[str, AddedTheme]) -> None:
    """Apply one journal event to the in-memory codes and added themes."""
    if event["op"] == "add_theme":
        theme = AddedTheme(str(event["theme"]), str(event["name"]), str(event["definition"]),
                           str(event["when"]))
        added.setdefault(theme.id, theme)
        return
    key = make_key(event["response_id"], event["question"])
    value = codes.setdefault(key, AnswerCodes())
    op = event["op"]
    if op == "tick":
        value.themes.add(event["theme"])
    elif op == "untick":
        value.themes.discard(event["theme"])
    elif op == "memo":
        value.memo = event["memo"]
    elif op == "status":
        if event["status"] not in STATUSES:
            raise ValueError(event["status"])
        value.status = event["status"]
    elif op == "set":
        codes[key] = AnswerCodes(set(event["themes"]), event["memo"], event["status"])
    else:
        raise ValueError(op)


def other_coders_codes(store_dir, coder: str) -> dict[str, dict[Key, AnswerCodes]]:
    """Read every other coder's journal in ``store_dir`` (for unblinded consensus meetings).

    Parameters
    ----------
    store_dir : str or Path
        The shared store folder.
    coder : str
        The coder whose own journal is left out.

    Returns
    -------
    dict
        Coder name (from each journal's header) to that coder's codes by key. Journals that
        cannot be read are left out with a warning.
    """
    mine = coder_slug(coder)
    found: dict[str, dict[Key, AnswerCodes]] = {}
    for path in journal_paths(store_dir):
        if path.stem == mine:
            continue
        name, codes = _read_journal(path)
        if name is not None:
            found[name] = codes
    return found


def _read_journal(path: Path) -> tuple[str | None, dict[Key, AnswerCodes]]:
    """Replay a journal read-only; return its coder name and codes (name None if unreadable)."""
    name, codes, added = None, {}, {}
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            event = json.loads(raw.decode("utf-8"))
            if "evalkit_coding_journal" in event:
                name = event.get("coder")
            else:
                _apply(codes, event, added)
        except (ValueError, KeyError, TypeError):
            warnings.warn(f"{path}:{number}: skipped an unreadable line", RuntimeWarning, stacklevel=3)
    return name, codes


def journal_paths(store_dir) -> Iterable[Path]:
    """Return every coder journal in ``store_dir``, sorted by file name."""
    return sorted(Path(store_dir).glob(f"*{JOURNAL_SUFFIX}"))

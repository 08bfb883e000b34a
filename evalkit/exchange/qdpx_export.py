"""``evalkit export-qdpx``: a programme's answers and codes as a REFI-QDA project for QDA tools."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import EvalkitError
from evalkit.exchange.content import collect_content
from evalkit.exchange.qdpx_write import qdpx_bytes
from evalkit.files import atomic_write_bytes

UNREDACTED_WARNING = ("the project holds answers UNREDACTED, as people wrote them: keep it on the team's "
                      "secure storage and never share or publish it.")


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_qdpx` wrote.

    Attributes
    ----------
    path : pathlib.Path
    answers : int
        Text sources written (non-blank free-text answers).
    codings : dict of str to int
        Codings per coder (user).
    redacted : bool
    notes : tuple of str
        What was left out or changed.
    """

    path: Path
    answers: int
    codings: dict
    redacted: bool
    notes: tuple = ()

    def __str__(self) -> str:
        per_coder = ", ".join(f"{coder}: {n}" for coder, n in self.codings.items()) or "none"
        lines = [f"Wrote {self.path}: {self.answers} answers as text sources "
                 f"({'redacted' if self.redacted else 'UNREDACTED'}); codings by user: {per_coder}."]
        if not self.redacted:
            lines.append(f"WARNING: {UNREDACTED_WARNING}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def export_qdpx(config, out, *, unredacted: bool = False, journals=None, machine: bool = True) -> ExportSummary:
    """Write a programme's free-text answers, attributes and codes as a REFI-QDA ``.qdpx``.

    Parameters
    ----------
    config : path-like
        The programme YAML file.
    out : path-like
        The ``.qdpx`` file to write (atomically; same inputs, same bytes).
    unredacted : bool, default False
        Write answers as people wrote them (for the team's own secure copy; the summary then
        carries a warning to keep the file secure). By default
        personal details are redacted and respondent ids pseudonymised.
    journals : path-like, optional
        The coding panel's store folder: every coder's journal there becomes a user.
    machine : bool, default True
        Include the keyword rule coder's codes as user ``evalkit-rules``.

    Returns
    -------
    ExportSummary

    Raises
    ------
    EvalkitError
        If ``out`` does not end in ``.qdpx``, or the programme cannot be loaded.
    """
    from evalkit.programme import load_programme

    out = Path(out)
    if out.suffix.lower() != ".qdpx":
        raise EvalkitError(f"{out}: name the file with .qdpx at the end (QDA tools look for that).")
    if journals is not None and not Path(journals).is_dir():
        raise EvalkitError(f"{journals}: no such folder; give the coding panel's store folder with --journals.")
    programme = load_programme(config)
    content = collect_content(programme, redacted=not unredacted, journals=journals, machine=machine)
    data = qdpx_bytes(content)
    atomic_write_bytes(out, data)
    counts = content.codings["coder"].value_counts()
    return ExportSummary(path=out, answers=len(content.answers),
                         codings={c: int(counts.get(c, 0)) for c in content.coders},
                         redacted=not unredacted, notes=tuple(content.notes))

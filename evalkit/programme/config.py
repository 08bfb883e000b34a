"""Reading and checking a programme config (YAML) before any data file is opened."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evalkit.errors import ConfigError, Problem, ProgrammeConfigError
from evalkit.paths import DEFAULT_CODEBOOK
from evalkit.programme.spec import (COLUMN_TYPES, DEFAULT_MISSING_VALUES, IMPLIED_PROJECT_COLUMN, SCALE_KINDS,
                                    ColumnSpec, ScaleSpec, SourceSpec)

_TOP_KEYS = ("programme", "projects", "sources")
_KNOWN_TOP = _TOP_KEYS + ("scales", "codebook", "ground_truth", "double_coding", "member_checks", "privacy",
                          "report", "missing_values", "allow_paths_outside")
_KNOWN_SOURCE = ("path", "sheet", "id_column", "project_column", "respondent_column", "question_column",
                 "questions", "label", "description", "columns")
_KNOWN_COLUMN = ("type", "label", "scale", "choices", "min", "max", "integer", "demographic", "required",
                 "principle", "format", "counts_people")
_KNOWN_SCALE = ("labels", "kind", "higher_is_better", "missing")
_KNOWN_REPORT = ("seed", "suppression", "quotes_per_question", "survey", "role_column", "facts", "outcomes",
                 "codes", "model", "invited_column", "you_said_we_did", "representation_reference")
_KNOWN_PROGRAMME = ("name", "synthetic", "description", "contact", "next_steps", "date")
CODE_CHOICES = ("rules", "agreed", "codebook", "model")


def report_codes(report: dict) -> tuple:
    """The ``report.codes`` choice and, for ``model``, the model path as written (``codes: {model: path}`` or ``model:``)."""
    codes = report.get("codes", "rules")
    if isinstance(codes, dict) and list(codes) == ["model"]:
        return "model", codes["model"]
    return codes, report.get("model")
MAX_CONFIG_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 200
MAX_DEPTH = 64
MAX_NODES = 200_000


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses alias bombs ("billion laughs") and very deep nesting.

    A 7.9 KB config whose aliases expand to gigabytes, or one nested 100,000 levels deep, must
    end in a message, not a MemoryError or RecursionError.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name); a config never needs that many, "
                                     "and many nested aliases can expand to gigabytes")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass
class ProgrammeConfig:
    """The parsed config: everything needed to find and type the programme's files."""

    config_path: Path
    root: Path
    name: str
    synthetic: bool
    description: str
    scales: dict[str, ScaleSpec]
    projects: list[dict]
    sources: dict[str, SourceSpec]
    codebook_path: Path
    ground_truth: tuple[str, Path] | None = None
    double_coding: tuple[str, Path] | None = None
    member_checks: tuple[str, Path] | None = None
    member_check_files: tuple[Path, ...] = ()
    salt_file: tuple[str, Path] | None = None
    names: tuple[str, ...] = ()
    report_settings: dict = field(default_factory=dict)
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES


def _check_expanded_size(root) -> None:
    """Raise YAMLError when the document, with every alias expanded, has more than MAX_NODES nodes."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise yaml.YAMLError("an alias refers to the node that contains it (a loop)")
        visiting.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        visiting.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            raise yaml.YAMLError(f"with its aliases (*name) expanded the config would have over {MAX_NODES:,} "
                                 "values (an 'alias bomb'); write the values out instead of nesting aliases")
        return total

    if root is not None:
        size(root)


@dataclass(frozen=True)
class ProgrammeDetails:
    """What pages tell readers beyond the findings (all optional, under ``programme:``).

    Attributes
    ----------
    contact : str
        Who to contact about the reports, e.g. "Sam Patel, evaluation lead: 0161 496 0000".
    next_steps : tuple of str
        What happens next, one short sentence each.
    date : str
        When the reports were written, as readers should see it, e.g. "March 2025".
    """

    contact: str = ""
    next_steps: tuple[str, ...] = ()
    date: str = ""


def _parse_details(meta: dict, out: "_Collector") -> ProgrammeDetails:
    """Read and check the optional contact, next_steps and date of the programme block."""
    _check_typos(meta, _KNOWN_PROGRAMME, "programme.", out)
    texts = {}
    for key in ("contact", "date"):
        value = meta.get(key)
        if value is not None and not isinstance(value, (str, int)):
            out.add(f"programme.{key}", f"{key} must be one line of text, e.g. {key}: \"March 2025\"")
            value = None
        texts[key] = "" if value is None else str(value).strip()
    steps = meta.get("next_steps") or []
    if isinstance(steps, str):
        steps = [steps]
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        out.add("programme.next_steps", "next_steps must be a list of short sentences, e.g. "
                "[\"We will share these results at the May meeting.\"]")
        steps = []
    return ProgrammeDetails(contact=texts["contact"], next_steps=tuple(s.strip() for s in steps if s.strip()),
                            date=texts["date"])


def programme_details(config_path) -> ProgrammeDetails:
    """Return the contact, next steps and date under ``programme:`` of a config file.

    Parameters
    ----------
    config_path : path-like
        The programme config (already checked by :func:`parse_config`).

    Returns
    -------
    ProgrammeDetails
        Empty fields for keys the config does not give.
    """
    config_path = Path(config_path)
    document = _read_yaml(config_path, str(config_path))
    meta = document.get("programme") if isinstance(document, dict) else None
    out = _Collector(str(config_path))
    details = _parse_details(meta if isinstance(meta, dict) else {}, out)
    if out.problems:
        raise ProgrammeConfigError(out.problems)
    return details


def _closest(word: str, options) -> str:
    """Return ' (did you mean X?)' for the closest option, or ''."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


class _Collector:
    """Gathers config problems so one run reports all of them."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str) -> None:
        """Record one fatal problem at a dotted config key."""
        self.problems.append(Problem(self.file, None, key, message, fatal=True))


def _check_typos(raw: dict, known: tuple[str, ...], key_prefix: str, out: _Collector) -> None:
    """Record keys that look like misspellings of known keys; other extra keys are allowed."""
    for key in raw:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
        if close:
            out.add(f"{key_prefix}{key}", f"unknown key '{key}' (did you mean '{close[0]}'?); "
                    "correct the spelling, or the setting is ignored")


def _read_yaml(config_path: Path, label: str):
    """Return the parsed YAML document or raise ProgrammeConfigError."""
    if not config_path.is_file():
        hint = " (it is a folder; give the programme.yml inside it)" if config_path.is_dir() else ""
        raise ProgrammeConfigError([Problem(label, None, None,
            f"config file not found{hint}; check the path, e.g. --config data/sample/programme.yml", True)])
    if config_path.stat().st_size > MAX_CONFIG_BYTES:
        raise ProgrammeConfigError([Problem(label, None, None,
            f"config is over {MAX_CONFIG_BYTES // (1024 * 1024)} MB; a programme config is a few KB of YAML. "
            "Check you gave the config, not a data file", True)])
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ProgrammeConfigError([Problem(label, None, None,
            f"config is not UTF-8 text (byte {err.start}); save it as UTF-8", True)]) from None
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
            _check_expanded_size(node)
            document = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        raise ProgrammeConfigError([Problem(label, None, None,
            f"config is nested too deeply to be a programme config (more than {MAX_DEPTH} levels); fix the YAML",
            True)]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        reason = getattr(err, "problem", None) or str(err)
        raise ProgrammeConfigError([Problem(label, row, None,
            f"config is not valid YAML ({reason}); check indentation and that text with ':' is quoted", True)]) from None
    if not isinstance(document, dict):
        raise ProgrammeConfigError([Problem(label, None, None,
            "config must be a YAML mapping with keys programme, projects and sources; "
            "see data/sample/programme.yml for an example", True)])
    return document


def _scale_values(values, key: str, out: _Collector) -> dict[int, str]:
    """Return {whole-number value: label} from a YAML mapping, recording bad values."""
    parsed = {}
    for value, label in values.items():
        try:
            number = int(str(value).strip())
        except ValueError:
            out.add(key, f"scale value {value!r} is not a whole number; use 1, 2, 3, ...")
            continue
        parsed[number] = str(label)
    return dict(sorted(parsed.items()))


def _parse_scale(name: str, values, out: _Collector) -> ScaleSpec | None:
    """Return one scale from its short form {value: label} or long form {labels: ..., kind: ...}."""
    key = f"scales.{name}"
    if not isinstance(values, dict) or not values:
        out.add(key, "a scale must map whole-number values to labels, e.g. {1: Poor, 2: Fair, 3: Good}")
        return None
    if "labels" not in values:
        labels = _scale_values(values, key, out)
        return ScaleSpec(name, labels) if labels else None
    _check_typos(values, _KNOWN_SCALE, f"{key}.", out)
    raw_labels, raw_missing = values.get("labels"), values.get("missing") or {}
    if not isinstance(raw_labels, dict) or not raw_labels:
        out.add(f"{key}.labels", "labels must map whole-number values to labels, e.g. {1: Very good, 2: Good}")
        return None
    if not isinstance(raw_missing, dict):
        out.add(f"{key}.missing", "missing must map codes to what they mean, e.g. {6: \"Don't know\"}")
        return None
    kind = values.get("kind", "agreement")
    if kind not in SCALE_KINDS:
        out.add(f"{key}.kind", f"unknown scale kind {kind!r}{_closest(kind, SCALE_KINDS)}; use one of "
                f"{', '.join(SCALE_KINDS)}")
        return None
    higher = values.get("higher_is_better", True)
    if not isinstance(higher, bool):
        out.add(f"{key}.higher_is_better", "higher_is_better must be true or false")
        return None
    labels = _scale_values(raw_labels, f"{key}.labels", out)
    missing = _scale_values(raw_missing, f"{key}.missing", out)
    both = sorted(set(labels) & set(missing))
    if both:
        out.add(f"{key}.missing", f"value {both[0]} is both a rating and a missing code; list it in one place")
        return None
    return ScaleSpec(str(name), labels, kind=kind, higher_is_better=higher, missing=missing) if labels else None


def _parse_scales(raw, out: _Collector) -> dict[str, ScaleSpec]:
    """Return named scales, each from its short or long form."""
    scales: dict[str, ScaleSpec] = {}
    if raw is None:
        return scales
    if not isinstance(raw, dict):
        out.add("scales", "scales must map a scale name to {value: label}, e.g. agreement: {1: Strongly disagree, ...}")
        return scales
    for name, values in raw.items():
        scale = _parse_scale(str(name), values, out)
        if scale is not None:
            scales[str(name)] = scale
    return scales


def _number(value, key: str, out: _Collector) -> float | None:
    """Return value as a float, recording a problem if it is not a number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        out.add(key, f"{value!r} is not a number; write a plain number such as 0 or 100")
        return None
    return float(value)


def _parse_column(name: str, raw, key: str, scales, out: _Collector) -> ColumnSpec | None:
    """Return a ColumnSpec for one declared column, or None after recording its problems."""
    if not isinstance(raw, dict):
        out.add(key, "a column needs a mapping such as {type: free_text, label: \"...\"}")
        return None
    _check_typos(raw, _KNOWN_COLUMN, f"{key}.", out)
    col_type = raw.get("type")
    if col_type is None:
        out.add(key, f"column has no type; add type: one of {', '.join(COLUMN_TYPES)}")
        return None
    if col_type not in COLUMN_TYPES:
        out.add(f"{key}.type", f"unknown column type {col_type!r}{_closest(col_type, COLUMN_TYPES)}; "
                f"use one of {', '.join(COLUMN_TYPES)}")
        return None
    demographic = bool(raw.get("demographic", False))
    required = raw.get("required", not (demographic or col_type == "free_text"))
    scale, scale_labels, choices = None, {}, ()
    if col_type == "likert":
        scale = raw.get("scale")
        if scale is None:
            out.add(f"{key}.scale", f"likert column has no scale; add scale: one of {', '.join(scales) or '(define scales: first)'}")
            return None
        if scale not in scales:
            out.add(f"{key}.scale", f"unknown scale {scale!r}{_closest(scale, scales)}; "
                    f"define it under scales: or use one of {', '.join(scales) or '(none defined)'}")
            return None
        scale_labels = scales[scale].labels
    if col_type == "single_choice":
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            out.add(f"{key}.choices", "single_choice column needs choices: [first, second, ...]")
            return None
        if any(isinstance(c, bool) for c in raw_choices):
            out.add(f"{key}.choices", "a choice such as yes, no, on or off was read by YAML as true/false; "
                    'put quotes around each choice, e.g. choices: ["yes", "no", "maybe"]')
            return None
        choices = tuple(" ".join(str(c).split()) for c in raw_choices)
        folded = [c.casefold() for c in choices]
        if len(set(folded)) != len(folded):
            out.add(f"{key}.choices", "choices repeat (ignoring case and spaces); list each answer once")
            return None
    date_format = raw.get("format")
    if date_format is not None and (col_type != "date" or not isinstance(date_format, str)):
        out.add(f"{key}.format", "format: is for date columns, as text such as \"%d/%m/%Y\"")
        return None
    low = _number(raw.get("min"), f"{key}.min", out)
    high = _number(raw.get("max"), f"{key}.max", out)
    if low is not None and high is not None and low > high:
        out.add(key, f"min {low:g} is greater than max {high:g}; swap them")
        return None
    return ColumnSpec(
        name=name, type=col_type, label=str(raw.get("label", name)), scale=scale,
        scale_labels=scale_labels, choices=choices, min=low, max=high,
        integer=bool(raw.get("integer", False)), demographic=demographic, required=bool(required),
        principle=raw.get("principle"), scale_spec=scales[scale] if scale else None, format=date_format,
        counts_people=bool(raw.get("counts_people", False)),
    )


def _parse_source(name: str, raw, root: Path, scales, out: _Collector, one_project: bool) -> SourceSpec | None:
    """Return a SourceSpec for one entry under sources:, or None after recording its problems."""
    key = f"sources.{name}"
    if not isinstance(raw, dict):
        out.add(key, "a source needs path, id_column, project_column and columns")
        return None
    _check_typos(raw, _KNOWN_SOURCE, f"{key}.", out)
    needed = ("path", "id_column") if one_project else ("path", "id_column", "project_column")
    missing = [k for k in needed if not raw.get(k)]
    for k in missing:
        hint = (" (only a programme with one project may leave it out)" if k == "project_column" else "")
        out.add(f"{key}.{k}", f"source is missing {k}{hint}; add it (see DEVELOPERS.md, 'The programme config')")
    raw_columns = raw.get("columns") or {}
    if not isinstance(raw_columns, dict):
        out.add(f"{key}.columns", "columns must map each column name to its description")
        raw_columns = {}
    columns = {}
    for col_name, col_raw in raw_columns.items():
        spec = _parse_column(str(col_name), col_raw, f"{key}.columns.{col_name}", scales, out)
        if spec is not None:
            columns[str(col_name)] = spec
    if missing:
        return None
    questions = raw.get("questions") or {}
    if not isinstance(questions, dict) or not raw.get("question_column") and questions:
        out.add(f"{key}.questions", "questions maps each value of question_column to the question's words, e.g. "
                "{\"Trust A - Q1\": \"What was good?\"}; it needs question_column")
        questions = {}
    file = str(raw["path"])
    text = {k: (str(raw[k]) if raw.get(k) not in (None, "") else None)
            for k in ("project_column", "respondent_column", "question_column", "sheet", "label", "description")}
    return SourceSpec(
        name=str(name), path=(root / file), file=file, id_column=str(raw["id_column"]),
        project_column=text["project_column"] or IMPLIED_PROJECT_COLUMN,
        respondent_column=text["respondent_column"], columns=columns, sheet=text["sheet"],
        question_column=text["question_column"], label=text["label"] or "",
        description=text["description"] or "",
        questions={" ".join(str(k).split()): str(v) for k, v in questions.items()},
    )


def _parse_projects(raw, out: _Collector) -> list[dict]:
    """Return the project list, recording missing or repeated ids."""
    if not isinstance(raw, list) or not raw:
        out.add("projects", "projects must be a list such as - {id: P01, name: ..., theme: ..., description: ...}")
        return []
    projects, seen = [], set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or entry.get("id") in (None, ""):
            out.add(f"projects[{i}]", "project has no id; add id: P01 (ids must be unique)")
            continue
        pid = str(entry["id"]).strip()
        if pid in seen:
            out.add(f"projects[{i}].id", f"project id {pid!r} is used twice; give each project its own id")
            continue
        seen.add(pid)
        projects.append({"project_id": pid, "name": str(entry.get("name", pid)),
                         "theme": entry.get("theme"), "description": entry.get("description")})
    return projects


def check_inside(path: Path, root: Path, key: str, out: _Collector, allow: bool) -> bool:
    """Record a problem (and return False) when ``path``, symlinks followed, lies outside the programme folder.

    Absolute paths, ``../`` and symbolic links could otherwise make a config read (and echo in
    messages) any file on the machine; ``allow_paths_outside: true`` at the top of the config
    allows them on purpose.
    """
    if allow:
        return True
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        out.add(key, f"{path} is outside the programme's folder ({root}); move the file into that folder, "
                "or add allow_paths_outside: true at the top of the config if this is on purpose")
    return inside


def _optional_file(raw: dict, key: str, root: Path, out: _Collector | None = None, allow: bool = True,
                   where: str | None = None) -> tuple[str, Path] | None:
    """Return (as written, absolute path) for an optional file key, checked to lie inside the programme folder."""
    value = raw.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        if out is not None:
            out.add(where or key, f"{key} must be a file path (text), not {value!r}")
        return None
    path = root / value
    if out is not None and not check_inside(path, root, where or key, out, allow):
        return None
    return (value, path)


def _is_member_check_file(path: Path) -> bool:
    """Whether a folder entry is a returned workbook (not Excel's ``~$`` lock file or a hidden file)."""
    return path.suffix.lower() == ".xlsx" and path.is_file() and not path.name.startswith(("~$", "."))


def _member_checks(raw, root: Path, out: _Collector) -> tuple[tuple[str, Path] | None, tuple[Path, ...]]:
    """Return the member-check folder (as written, absolute) and its sorted .xlsx files."""
    if raw in (None, ""):
        return None, ()
    if not isinstance(raw, str):
        out.add("member_checks", "member_checks must be a folder path, e.g. member_checks: member_checks "
                "(relative to the config's folder)")
        return None, ()
    folder = root / raw
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "not found"
        out.add("member_checks", f"member-check folder {raw!r} {what} (looked for {folder}); create the folder "
                "and put the returned reviewer workbooks (.xlsx) in it, fix the path (relative to the "
                "config's folder), or remove the member_checks key")
        return None, ()
    files = sorted((p for p in folder.iterdir() if _is_member_check_file(p)), key=lambda p: p.name)
    return (raw, folder), tuple(files)


def _parse_missing_values(raw, out: _Collector) -> tuple[str, ...]:
    """Return the programme's "no answer" placeholders (the default list when the key is absent)."""
    if raw is None:
        return DEFAULT_MISSING_VALUES
    if not isinstance(raw, list) or any(isinstance(v, (dict, list)) or v is None for v in raw):
        out.add("missing_values", 'missing_values must be a list of texts, e.g. ["Did not answer", "N/A", "-"]')
        return DEFAULT_MISSING_VALUES
    return tuple(str(v).strip() for v in raw if str(v).strip())


def _source_key(report: dict, key: str, sources: dict[str, SourceSpec], out: _Collector) -> None:
    """Record a problem when report.<key> names no source."""
    name = report.get(key)
    if name is not None and str(name) not in sources:
        out.add(f"report.{key}", f"no source named {name!r}{_closest(name, sources)}; use one of "
                f"{', '.join(sources) or '(none)'} or remove the key")


def _check_you_said(entries, out: _Collector) -> None:
    """``you_said_we_did``: a list of {you_said: ..., we_did: ...}, both short text."""
    if entries is None:
        return
    if not isinstance(entries, list):
        out.add("report.you_said_we_did", "you_said_we_did must be a list such as - {you_said: \"Meetings were "
                "too early\", we_did: \"We moved them to 11am\"}")
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip()
                                                  for k in ("you_said", "we_did")):
            out.add(f"report.you_said_we_did[{i}]", "each entry needs you_said and we_did, both text")


def _check_reference(reference, survey: SourceSpec | None, out: _Collector) -> None:
    """``representation_reference``: {label: ..., shares: {column: {choice: percent}}} of survey columns."""
    if reference is None:
        return
    key = "report.representation_reference"
    if not isinstance(reference, dict) or not isinstance(reference.get("shares"), dict) or not reference["shares"]:
        out.add(key, "representation_reference must be a mapping {label: \"Census 2021, Leeds\", shares: "
                "{ethnicity: {White: 79.0, ...}}} with percentages of the reference population")
        return
    if reference.get("label") is not None and not isinstance(reference["label"], str):
        out.add(f"{key}.label", "label must be text naming the reference, e.g. \"Census 2021, Leeds\"")
    for column, shares in reference["shares"].items():
        spec = survey.columns.get(str(column)) if survey is not None else None
        if spec is None or spec.type != "single_choice":
            out.add(f"{key}.shares.{column}", f"{column!r} is not a single_choice column of the survey; name a "
                    "declared demographic column")
            continue
        if not isinstance(shares, dict):
            out.add(f"{key}.shares.{column}", "give each choice's percentage, e.g. {Woman: 51.0, Man: 49.0}")
            continue
        for choice, value in shares.items():
            if str(choice) not in spec.choices:
                out.add(f"{key}.shares.{column}.{choice}", f"{choice!r} is not one of the column's choices "
                        f"{list(spec.choices)}{_closest(choice, spec.choices)}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                out.add(f"{key}.shares.{column}.{choice}", "a percentage must be a number from 0 to 100")


def _check_report(report: dict, sources: dict[str, SourceSpec], out: _Collector) -> None:
    """Check the report block's references to sources and columns."""
    _check_typos(report, _KNOWN_REPORT, "report.", out)
    for key, low in (("seed", 0), ("quotes_per_question", 0)):
        value = report.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
            out.add(f"report.{key}", f"{key} must be a whole number of at least {low}, e.g. 20240129 for seed")
    _source_key(report, "survey", sources, out)
    _source_key(report, "facts", sources, out)
    role = report.get("role_column")
    survey = sources.get(str(report.get("survey"))) if report.get("survey") is not None else None
    if role is not None and survey is not None and str(role) not in survey.columns:
        out.add("report.role_column", f"the survey source {survey.name!r} declares no column {role!r}; "
                "declare it as a single_choice column or remove role_column")
    invited = report.get("invited_column")
    facts = sources.get(str(report.get("facts"))) if report.get("facts") is not None else \
        next((s for s in sources.values() if s.one_row_per_project), None)
    if invited is not None and (facts is None or str(invited) not in facts.columns
                                or facts.columns[str(invited)].type != "number"):
        out.add("report.invited_column", f"{invited!r} is not a number column of the project facts source; "
                "declare it there (type: number) or remove invited_column")
    _check_you_said(report.get("you_said_we_did"), out)
    _check_reference(report.get("representation_reference"), survey or next(
        (s for s in sources.values() if any(c.type == "likert" for c in s.columns.values())), None), out)
    codes, model = report_codes(report)
    if codes not in CODE_CHOICES:
        out.add("report.codes", f"codes must be one of {', '.join(CODE_CHOICES)} (rules: the codebook's keyword "
                "coder; agreed: the ground_truth file; codebook: the codebook-guided coder; model: a model from "
                "'evalkit train', written codes: {model: path/to/model})")
    elif codes == "model" and (not isinstance(model, str) or not model.strip()):
        out.add("report.codes.model", "codes: model needs the model file from 'evalkit train', e.g. "
                "codes: {model: models/themes.model}")
    outcomes = report.get("outcomes")
    if outcomes is None:
        return
    if not isinstance(outcomes, list):
        out.add("report.outcomes", "outcomes must be a list such as - {source: outcomes, before: score_before, "
                "after: score_after, name: wellbeing}")
        return
    for i, entry in enumerate(outcomes):
        key = f"report.outcomes[{i}]"
        if not isinstance(entry, dict) or any(not entry.get(k) for k in ("source", "before", "after")):
            out.add(key, "each outcome needs source, before and after (and a name)")
            continue
        spec = sources.get(str(entry["source"]))
        if spec is None:
            out.add(f"{key}.source", f"no source named {entry['source']!r}{_closest(entry['source'], sources)}")
            continue
        for side in ("before", "after"):
            column = spec.columns.get(str(entry[side]))
            if column is None or column.type not in ("number", "likert"):
                out.add(f"{key}.{side}", f"{entry[side]!r} is not a number column of source {spec.name!r}; "
                        "declare it with type: number")


def parse_config(config_path) -> ProgrammeConfig:
    """Read a programme YAML file and check its structure.

    Parameters
    ----------
    config_path : path-like
        The programme config; relative paths inside it are relative to its folder.

    Returns
    -------
    ProgrammeConfig

    Raises
    ------
    ProgrammeConfigError
        Listing every structural problem (missing keys, unknown column types or scales, a
        ``member_checks`` folder that does not exist...).
    """
    label = str(config_path)
    config_path = Path(config_path).resolve()
    document = _read_yaml(config_path, label)
    out = _Collector(label)
    _check_typos(document, _KNOWN_TOP, "", out)
    for key in _TOP_KEYS:
        if key not in document:
            out.add(key, f"config is missing the '{key}' section; add it (see data/sample/programme.yml)")
    meta = document.get("programme") or {}
    if not isinstance(meta, dict):
        out.add("programme", "programme must be a mapping {name: ..., synthetic: ..., description: ...}")
        meta = {}
    elif "programme" in document and not meta.get("name"):
        out.add("programme.name", "programme has no name; add name: under programme:")
    _parse_details(meta, out)
    scales = _parse_scales(document.get("scales"), out)
    projects = _parse_projects(document.get("projects"), out) if "projects" in document else []
    root = config_path.parent
    sources: dict[str, SourceSpec] = {}
    raw_sources = document.get("sources")
    if "sources" in document and (not isinstance(raw_sources, dict) or not raw_sources):
        out.add("sources", "sources must map each source name to {path: ..., id_column: ..., columns: ...}")
        raw_sources = {}
    for name, raw in (raw_sources or {}).items():
        spec = _parse_source(str(name), raw, root, scales, out, one_project=len(projects) == 1)
        if spec is not None:
            sources[spec.name] = spec
    privacy = document.get("privacy") or {}
    report = document.get("report") or {}
    if not isinstance(privacy, dict):
        out.add("privacy", "privacy must be a mapping {salt_file: ..., names: [...]}")
        privacy = {}
    if not isinstance(report, dict):
        out.add("report", "report must be a mapping of settings, e.g. {seed: 20240129}")
        report = {}
    else:
        _check_report(report, sources, out)
    missing_values = _parse_missing_values(document.get("missing_values"), out)
    names = privacy.get("names") or []
    if not isinstance(names, list):
        out.add("privacy.names", "names must be a list of first names, e.g. [Priya, Tom]")
        names = []
    elif any(not isinstance(n, str) or not n.strip() for n in names):
        bad = next(n for n in names if not isinstance(n, str) or not n.strip())
        out.add("privacy.names", f"every entry of names must be a name written as text, not {bad!r}; "
                "remove blank entries and put quotes around names YAML reads as numbers or yes/no")
        names = [n for n in names if isinstance(n, str)]
    allow_outside = document.get("allow_paths_outside", False)
    if not isinstance(allow_outside, bool):
        out.add("allow_paths_outside", "allow_paths_outside must be true or false")
        allow_outside = False
    for spec in sources.values():
        check_inside(spec.path, root, f"sources.{spec.name}.path", out, allow_outside)
    salt_file = _optional_file(privacy, "salt_file", root, out, allow_outside, "privacy.salt_file")
    ground_truth = _optional_file(document, "ground_truth", root, out, allow_outside)
    double_coding = _optional_file(document, "double_coding", root, out, allow_outside)
    member_checks, member_check_files = _member_checks(document.get("member_checks"), config_path.parent, out)
    if member_checks is not None and check_inside(member_checks[1], root, "member_checks", out, allow_outside):
        for path in member_check_files:
            check_inside(path, root, "member_checks", out, allow_outside)
    codes, model = report_codes(report) if isinstance(report, dict) else (None, None)
    if codes == "model" and isinstance(model, str) and model.strip() and \
            check_inside(root / model, root, "report.codes.model", out, allow_outside) and not (root / model).is_file():
        out.add("report.codes.model", f"model file {model!r} not found (looked for {root / model}); create it with "
                "'evalkit train' or fix the path (relative to the config's folder)")
    codebook = document.get("codebook", "default")
    if codebook not in (None, "default"):
        check_inside(root / str(codebook), root, "codebook", out, allow_outside)
    if out.problems:
        raise ProgrammeConfigError(out.problems)
    codebook_path = DEFAULT_CODEBOOK if codebook in (None, "default") else root / str(codebook)
    return ProgrammeConfig(
        config_path=config_path, root=root, name=str(meta["name"]),
        synthetic=bool(meta.get("synthetic", False)), description=str(meta.get("description") or ""),
        scales=scales, projects=projects, sources=sources, codebook_path=codebook_path,
        ground_truth=ground_truth, double_coding=double_coding,
        member_checks=member_checks, member_check_files=member_check_files,
        salt_file=salt_file,
        names=tuple(str(n).strip() for n in names if str(n).strip()),
        report_settings=dict(report), missing_values=missing_values,
    )

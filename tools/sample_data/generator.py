"""Generate the synthetic sample programme (``data/sample/``) from one seed.

Everything random is drawn, in a fixed order, from ``numpy.random.default_rng(seed)``; nothing
depends on dict or set iteration of unordered data, hashing, time or locale. The same seed
therefore always gives byte-identical files.

Order of work: survey respondents (their answers first, then Likert ratings that agree with
what they wrote), Co-Pro Cuppa feedback, personal details planted in a few answers, wellbeing
outcomes, then the derived ground truth and double coding, and last the member-checking
workbooks returned by three co-producers (so adding them changed no other file).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evalkit.errors import ConfigError
from tools.sample_data import config, people, phrases, text
from tools.sample_data.member_checks import OWN_WORDS_REVIEWER, REVIEWERS, write_member_checks
from tools.sample_data.coders import double_code
from tools.sample_data.projects import PROGRAMME_NAME, PROJECTS, ProjectSpec
from tools.sample_data.text import Answer
from tools.sample_data.writers import write_csv, write_text, write_xlsx

DEFAULT_SEED = 20240129

THEME_ITEMS: dict[str, tuple[str, ...]] = {
    "power_decision_making": ("sharing_power", "equality"),
    "diversity_of_voices": ("diversity", "including_all_perspectives"),
    "accessibility_venue": ("accessibility",),
    "accessibility_online": ("accessibility",),
    "feeling_heard": ("respecting_knowledge", "including_all_perspectives"),
    "jargon_language": ("respecting_knowledge", "accessibility"),
    "payment_recognition": ("reciprocity",),
    "impact_change": ("reciprocity",),
    "relationships_trust": ("building_relationships",),
    "safe_spaces": ("building_relationships",),
    "time_resources": (),
    "organisation_communication": (),
}
LIKERT_BASE = 3.75
MISSING_WEIGHTS = {
    "diversity_of_voices": 2.5, "impact_change": 1.8, "payment_recognition": 1.5,
    "accessibility_online": 1.3, "accessibility_venue": 1.3, "organisation_communication": 0.6,
}
ONLINE = {"accessibility_venue": 0.0}
WELLBEING_SD, WELLBEING_R = 5.0, 0.6
TYPO_SHARE = 0.13
SMART_QUOTE_SHARE = 0.15


@dataclass
class Record:
    """One generated row before it gets its id: project, latent satisfaction, values, answers."""

    project: ProjectSpec
    latent: float
    online: bool
    values: dict = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    response_id: str = ""
    respondent_id: str = ""


def _choice(rng: np.random.Generator, items: tuple[str, ...], p=None) -> str:
    """Draw one label, optionally with probabilities."""
    if p is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(p, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _maybe_blank(rng: np.random.Generator, value: str, p_blank: float) -> str | None:
    """Return ``value`` or, with probability ``p_blank``, a blank (None)."""
    return None if rng.random() < p_blank else value


def _roughen(rng: np.random.Generator, answer: Answer) -> Answer:
    """Apply the typo injector to a minority of answers, and phone-style curly apostrophes to some."""
    if answer.text and answer.themes and rng.random() < TYPO_SHARE:
        answer = answer._replace(text=text.add_typos(rng, answer.text))
    if "'" in answer.text and rng.random() < SMART_QUOTE_SHARE:
        answer = answer._replace(text=answer.text.replace("'", "\u2019"))
    return answer


def _free_answer(rng: np.random.Generator, p_blank: float, p_short: float, compose,
                 spreadsheet: bool = False, first_question: bool = False) -> Answer:
    """Return a blank, a short "n/a"-style, or a composed answer (``compose()``), roughened sometimes."""
    u = rng.random()
    if u < p_blank:
        return text.BLANK
    if u < p_blank + p_short:
        return text.short_answer(rng, for_spreadsheet=spreadsheet, first_question=first_question)
    return _roughen(rng, compose())


def _demographics(rng: np.random.Generator, spec: ProjectSpec) -> dict[str, str | None]:
    """Draw age band, gender, ethnicity and disability; some skipped, a few skip them all."""
    p_disabled = {"P06": 0.85, "P05": 0.5}.get(spec.id, 0.25)
    values = {
        "age_band": _choice(rng, people.AGE_BANDS, spec.age_weights),
        "gender": _choice(rng, people.GENDERS, people.GENDER_WEIGHTS),
        "ethnicity": _choice(rng, people.ETHNICITIES, people.ETHNICITY_WEIGHTS),
        "disability": _choice(rng, people.DISABILITY, (p_disabled, 0.95 - p_disabled, 0.05)),
    }
    skip_all = rng.random() < 0.03
    return {k: None if skip_all else _maybe_blank(rng, v, 0.06) for k, v in values.items()}


def _survey_record(rng: np.random.Generator, spec: ProjectSpec) -> Record:
    """Draw one survey respondent: role, demographics and three free-text answers."""
    latent = spec.satisfaction + rng.normal(0.0, 0.75)
    role = _choice(rng, people.ROLES, people.ROLE_WEIGHTS)
    record = Record(spec, latent, spec.online_only, {"role": role, **_demographics(rng, spec)})
    online = ONLINE if spec.online_only else {}
    avoid = phrases.IN_PERSON if spec.online_only else frozenset()
    pos_p = text.theme_probabilities(spec.positive_weights, online)
    neg_p = text.theme_probabilities(spec.negative_weights, online)
    missing_p = text.theme_probabilities(spec.negative_weights, {**MISSING_WEIGHTS, **online})
    unhappy = max(0.0, -latent) * 0.15
    record.answers["worked_well"] = _free_answer(
        rng, 0.07 + (0.06 if latent < -0.8 else 0.0), 0.04,
        lambda: text.positive_answer(rng, pos_p, longer=0.1 if role == "co-producer" else 0.0, avoid=avoid),
        first_question=True)
    record.answers["could_be_better"] = _free_answer(
        rng, 0.10, 0.06 + (0.12 if latent > 0.8 else 0.0),
        lambda: text.negative_answer(rng, neg_p, mixed_share=0.3 if latent > 0 else 0.15, longer=unhappy, avoid=avoid))
    record.answers["what_is_missing"] = _free_answer(
        rng, 0.28, 0.10, lambda: text.missing_answer(rng, missing_p, avoid=avoid))
    return record


def _session_record(rng: np.random.Generator, spec: ProjectSpec) -> Record:
    """Draw one Co-Pro Cuppa feedback row; Cuppas are online drop-ins, so no venue or in-person talk."""
    latent = spec.satisfaction + rng.normal(0.0, 0.7)
    sessions = 1 + int(rng.poisson(3.0))
    rating = int(np.clip(np.rint(3.9 + latent + 0.05 * sessions + rng.normal(0.0, 0.5)), 1, 5))
    interest = _choice(rng, config.THEMED_INTEREST, (0.5, 0.2, 0.3))
    record = Record(spec, latent, True, {"sessions_attended": sessions, "rating": rating,
                                         "themed_interest": _maybe_blank(rng, interest, 0.04)})
    pos_p = text.theme_probabilities(spec.positive_weights, ONLINE)
    neg_p = text.theme_probabilities(spec.negative_weights, ONLINE)
    avoid = phrases.IN_PERSON
    record.answers["like_most"] = _free_answer(
        rng, 0.08, 0.03, lambda: text.positive_answer(rng, pos_p, phrases.CUPPA_LIKE, 0.5, longer=-0.15, avoid=avoid),
        spreadsheet=True, first_question=True)
    record.answers["how_improve"] = _free_answer(
        rng, 0.18, 0.10, lambda: text.negative_answer(rng, neg_p, 0.1, phrases.CUPPA_IMPROVE, 0.5, longer=-0.15, avoid=avoid),
        spreadsheet=True)
    if interest == "no":
        record.answers["themed_topics"] = text.BLANK
    else:
        record.answers["themed_topics"] = _free_answer(rng, 0.2, 0.0, lambda: text.topics_answer(rng), spreadsheet=True)
    return record


def _records(rng: np.random.Generator, draw, sizes: list[tuple[ProjectSpec, int]]) -> list[Record]:
    """Draw records project by project, then shuffle into submission order."""
    records = [draw(rng, spec) for spec, n in sizes for _ in range(n)]
    order = rng.permutation(len(records))
    return [records[int(i)] for i in order]


def _sentence(fragment: str) -> str:
    """Capitalise a planted clause and end it with a full stop."""
    return fragment[0].upper() + fragment[1:] + "."


def _union(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """Union of two theme lists, in codebook order."""
    return tuple(t for t in phrases.LEAF_THEMES if t in old or t in new)


def _plant(answer: Answer, clause: str, themes: tuple[str, ...], polarity: str | None, prepend: bool) -> Answer:
    """Add a planted clause as its own sentence, before or after the answer, with its themes."""
    body = answer.text.rstrip()
    if body and body[-1].isalnum() and not body.endswith(" x"):
        body += "."
    new_text = f"{_sentence(clause)} {body}" if prepend else f"{body} {_sentence(clause)}"
    return Answer(new_text, _union(answer.themes, themes), _union(answer.positive, themes if polarity == "+" else ()),
                  _union(answer.negative, themes if polarity == "-" else ()))


def _personal_details(rng: np.random.Generator) -> list[tuple[str, tuple[str, ...], str | None]]:
    """Return the clauses to plant: (text, themes, polarity or None), every planted value at least once."""
    plants: list[tuple[str, tuple[str, ...], str | None]] = []
    names = list(people.PLANTED_NAMES) + [people.PLANTED_NAMES[int(i)] for i in rng.integers(len(people.PLANTED_NAMES), size=4)]
    for name in names:
        template, themes, polarity = people.NAME_TEMPLATES[int(rng.integers(len(people.NAME_TEMPLATES)))]
        plants.append((template.format(name=name), themes, polarity))
    for email in people.PLANTED_EMAILS:
        plants.append((_choice(rng, people.EMAIL_TEMPLATES).format(email=email), (), None))
    for phone in people.PLANTED_PHONES:
        plants.append((_choice(rng, people.PHONE_TEMPLATES).format(phone=phone), (), None))
    for postcode in people.PLANTED_POSTCODES:
        template, themes = people.POSTCODE_TEMPLATES[int(rng.integers(len(people.POSTCODE_TEMPLATES)))]
        plants.append((template.format(postcode=postcode), themes, "-"))
    template, themes = people.NHS_TEMPLATE
    plants.append((template.format(nhs=people.PLANTED_NHS_NUMBER), themes, "-"))
    return plants


POSITIVE_COLUMNS = ("worked_well", "like_most")


def _allows(record: Record, themes: tuple[str, ...]) -> bool:
    """Whether this answer could plausibly mention these themes (no venues in online-only settings)."""
    return not (record.online and any(t in ONLINE for t in themes))


def _plant_personal_details(rng: np.random.Generator, records: list[Record]) -> None:
    """Put each planted personal detail into a different composed answer of a fitting question."""
    slots = [(r, col) for r in records for col, a in r.answers.items()
             if a.themes and col != "themed_topics"]
    taken: set[int] = set()
    for clause, themes, polarity in _personal_details(rng):
        fits = [i for i, (r, col) in enumerate(slots) if i not in taken and _allows(r, themes)
                and (polarity is None or (polarity == "+") == (col in POSITIVE_COLUMNS))]
        i = fits[int(rng.integers(len(fits)))]
        taken.add(i)
        record, col = slots[i]
        prepend = polarity == "+" and rng.random() < 0.5
        record.answers[col] = _plant(record.answers[col], clause, themes, polarity, prepend)


def _likert(rng: np.random.Generator, record: Record) -> dict[str, int]:
    """Rate the eight principles from the respondent's satisfaction, project, role and own words."""
    adjust = {item: 0.0 for item, _, _ in config.LIKERT_ITEMS}
    for col, answer in record.answers.items():
        for theme in answer.positive:
            for item in THEME_ITEMS[theme]:
                adjust[item] += 0.3
        for theme in answer.negative:
            for item in THEME_ITEMS[theme]:
                adjust[item] -= 0.55
    professional = record.values["role"] in ("researcher", "practitioner")
    out = {}
    for item, _, _ in config.LIKERT_ITEMS:
        shift = record.project.likert_shift.get(item, 0.0)
        role_shift = 0.3 if professional and item in ("sharing_power", "equality") else 0.0
        mean = LIKERT_BASE + record.latent + shift + role_shift + max(-1.2, min(0.8, adjust[item]))
        out[item] = int(np.clip(np.rint(mean + rng.normal(0.0, 0.6)), 1, 5))
    return out


def _wellbeing(rng: np.random.Generator, survey: list[Record]) -> list[tuple[Record, int, int]]:
    """Draw SWEMWBS-style before/after scores (SD 5, r about 0.6) for most respondents.

    Each project's mean change (before rounding and clipping) is set exactly to its target, so
    even an eight-person project shows its intended pattern; people still vary around it, more
    satisfied respondents improving a little more.
    """
    drawn: list[tuple[Record, float, float]] = []
    for record in survey:
        if rng.random() >= record.project.outcome_coverage:
            continue
        z1, z2 = rng.normal(size=2)
        before = record.project.wellbeing_baseline + WELLBEING_SD * z1
        after = (record.project.wellbeing_baseline + 0.6 * (record.latent - record.project.satisfaction)
                 + WELLBEING_SD * (WELLBEING_R * z1 + np.sqrt(1 - WELLBEING_R**2) * z2))
        drawn.append((record, before, after))
    shift = {}
    for spec in PROJECTS:
        changes = [after - before for r, before, after in drawn if r.project is spec]
        shift[spec.id] = spec.wellbeing_change - (float(np.mean(changes)) if changes else 0.0)
    return [(r, *(int(np.clip(np.rint(v), 7, 35)) for v in (before, after + shift[r.project.id])))
            for r, before, after in drawn]


def _ground_truth(source: str, records: list[Record]) -> list[tuple[tuple[str, str, str], tuple[str, ...]]]:
    """List every free-text answer of a source as ((source, response_id, column), themes)."""
    return [((source, r.response_id, col), a.themes) for r in records for col, a in r.answers.items() if a.text]


def _readme(seed: int) -> str:
    """Text of data/sample/README.md."""
    return f"""# Sample programme: SYNTHETIC DATA

Everything in this folder is **synthetic**. "Learning Together" and its eight projects are
invented; no answer was written by a real person. The folder exists so evalkit's notebooks,
reports and tests have realistic data to run on.

**Never edit these files by hand.** They are generated by

    evalkit sample-data --out data/sample      # or: make sample-data

from the seeded generator in `evalkit/sample/` (seed {seed}); the same seed always gives
byte-identical files, and a test checks that this folder matches a fresh generation.
To change the data, change the generator and re-run the command.

| file | what it holds |
|---|---|
| `programme.yml` | programme config: projects, scales, sources and their typed columns |
| `feedback_survey.csv` | end-of-project survey: role, demographics, eight co-production Likert items, three free-text questions |
| `outcomes.csv` | SWEMWBS-style wellbeing (7-35) before and after, linked to the survey by `respondent_id` |
| `session_feedback.xlsx` | Co-Pro Cuppa feedback (sheet `Responses`) |
| `project_facts.csv` | evaluation methods (`;`-separated), co-producers, sessions held, people invited |
| `ground_truth_themes.csv` | the themes each free-text answer was written to express (answers with no theme have no rows) |
| `double_coding.csv` | two simulated coders on 150 answers that have at least one true theme; every coded answer has rows for both coders |
| `pseudonym_salt.txt` | salt for pseudonymising ids, derived from the seed: it is sample data, so it is public and not a secret |
| `member_checks/reviewer_1.xlsx` ... `reviewer_3.xlsx` | member-checking workbooks returned by three co-producers: each of the 12 themes with its definition and example quotes (personal details removed), their answer (rings true, not quite, doesn't fit, or blank) and comments; {REVIEWERS[OWN_WORDS_REVIEWER]} wrote their own words in one answer, which evalkit quarantines when reading them |

Some free-text answers contain **planted personal details** for the redaction step to catch:
first names (listed under `privacy.names` in `programme.yml`), email addresses at
`example.org`/`example.com`, phone numbers from Ofcom's ranges reserved for drama, two
example postcodes and the NHS Data Dictionary's example NHS number. None belongs to anyone.
"""


def _check_arguments(out_dir, seed) -> tuple[Path, int]:
    """Validate the output folder and seed, raising ConfigError with a fix."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"sample-data: seed must be a non-negative whole number, got {seed!r}; "
                          f"use e.g. --seed {DEFAULT_SEED}.")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"sample-data: {out} exists and is not a folder; choose another --out folder.")
    return out, int(seed)


def generate_sample(out_dir: str | os.PathLike, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the synthetic sample programme into ``out_dir``, byte for byte reproducibly.

    Parameters
    ----------
    out_dir : path-like
        Folder to write (created if missing). Existing files of the same names are replaced;
        other files are left alone.
    seed : int, optional
        Seed for ``numpy.random.default_rng``. The committed ``data/sample`` uses the default.

    Returns
    -------
    list of pathlib.Path
        The files written: programme.yml, feedback_survey.csv, outcomes.csv,
        session_feedback.xlsx, project_facts.csv, ground_truth_themes.csv, double_coding.csv,
        pseudonym_salt.txt, README.md, then member_checks/reviewer_1.xlsx to reviewer_3.xlsx.

    Raises
    ------
    evalkit.errors.ConfigError
        If ``seed`` is not a non-negative integer or ``out_dir`` is an existing file.

    Examples
    --------
    >>> from tools.sample_data import generate_sample
    >>> paths = generate_sample("outputs/my_sample", seed=1)  # doctest: +SKIP
    """
    out, seed = _check_arguments(out_dir, seed)
    rng = np.random.default_rng(seed)
    survey = _records(rng, _survey_record, [(p, p.n_survey) for p in PROJECTS])
    sessions = _records(rng, _session_record, [(p, p.n_cuppa) for p in PROJECTS])
    for i, record in enumerate(survey, start=1):
        record.response_id, record.respondent_id = f"FS{i:04d}", f"R{i:04d}"
    for i, record in enumerate(sessions, start=1):
        record.response_id = f"SF{i:04d}"
    _plant_personal_details(rng, survey + sessions)
    for record in survey:
        record.values.update(_likert(rng, record))
    outcomes = _wellbeing(rng, survey)

    files = config.FILES
    written = [write_text(out / files["programme"], config.programme_yaml(seed))]
    survey_rows = []
    for r in survey:
        row = {"response_id": r.response_id, "respondent_id": r.respondent_id, "project_id": r.project.id,
               **r.values, **{col: a.text or None for col, a in r.answers.items()}}
        survey_rows.append([row[c] for c in config.SURVEY_HEADER])
    written.append(write_csv(out / files["feedback_survey"], config.SURVEY_HEADER, survey_rows))
    written.append(write_csv(out / files["outcomes"], config.OUTCOMES_HEADER, [
        [f"OC{i:04d}", r.respondent_id, r.project.id, before, after]
        for i, (r, before, after) in enumerate(outcomes, start=1)]))
    session_rows = []
    for r in sessions:
        row = {"response_id": r.response_id, "project_id": r.project.id, **r.values,
               **{col: a.text or None for col, a in r.answers.items()}}
        session_rows.append([row[c] for c in config.SESSION_HEADER])
    written.append(write_xlsx(out / files["session_feedback"], config.SESSION_SHEET, config.SESSION_HEADER, session_rows))
    written.append(write_csv(out / files["project_facts"], config.FACTS_HEADER, [
        [p.id, ";".join(p.evaluation_methods), p.n_coproducers, p.sessions_held, p.participants_invited]
        for p in PROJECTS]))
    units = _ground_truth("feedback_survey", survey) + _ground_truth("session_feedback", sessions)
    truth_rows = sorted((*key, theme) for key, themes in units for theme in themes)
    written.append(write_csv(out / files["ground_truth"], ("source", "response_id", "column", "theme_id"), truth_rows))
    written.append(write_csv(out / files["double_coding"], ("source", "response_id", "column", "coder", "theme_id"),
                             double_code(rng, units)))
    salt = hashlib.sha256(f"evalkit synthetic sample pseudonym salt, seed {seed}".encode()).hexdigest()
    written.append(write_text(out / files["salt"], salt + "\n"))
    written.append(write_text(out / files["readme"], _readme(seed)))
    answers = [a for r in survey + sessions for col, a in r.answers.items() if a.text and col != "themed_topics"]
    written.extend(write_member_checks(rng, out, answers, PROGRAMME_NAME))
    return written

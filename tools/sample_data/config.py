"""The sample's ``programme.yml``: built as ordered data, written with a generated-file header."""
from __future__ import annotations

from tools.sample_data import people
from tools.sample_data.projects import PROGRAMME_DESCRIPTION, PROGRAMME_NAME, PROJECTS
from tools.sample_data.writers import yaml_block

AGREEMENT = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
RATING = {1: "Terrible", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}

LIKERT_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("sharing_power", "sharing_power", "Power was shared between everyone involved"),
    ("including_all_perspectives", "including_all_perspectives", "All perspectives and skills were included"),
    ("respecting_knowledge", "respecting_valuing_knowledge", "Everyone's knowledge was respected and valued"),
    ("reciprocity", "reciprocity", "Everyone got something back for taking part"),
    ("building_relationships", "building_relationships", "We built good relationships with each other"),
    ("accessibility", "including_all_perspectives", "Taking part was accessible to me"),
    ("diversity", "including_all_perspectives", "The people involved reflected the community"),
    ("equality", "sharing_power", "Everyone was treated as an equal"),
)

SURVEY_HEADER: tuple[str, ...] = (
    "response_id", "respondent_id", "project_id", "role", "age_band", "gender", "ethnicity", "disability",
    *(item for item, _, _ in LIKERT_ITEMS), "worked_well", "could_be_better", "what_is_missing",
)
SURVEY_TEXT_COLUMNS: tuple[str, ...] = ("worked_well", "could_be_better", "what_is_missing")
OUTCOMES_HEADER: tuple[str, ...] = ("response_id", "respondent_id", "project_id", "wellbeing_before", "wellbeing_after")
SESSION_HEADER: tuple[str, ...] = (
    "response_id", "project_id", "sessions_attended", "rating", "like_most", "how_improve",
    "themed_interest", "themed_topics",
)
SESSION_TEXT_COLUMNS: tuple[str, ...] = ("like_most", "how_improve", "themed_topics")
FACTS_HEADER: tuple[str, ...] = ("project_id", "evaluation_methods", "n_coproducers", "sessions_held", "participants_invited")
THEMED_INTEREST: tuple[str, ...] = ("yes", "no", "maybe")

FILES = {
    "programme": "programme.yml",
    "feedback_survey": "feedback_survey.csv",
    "outcomes": "outcomes.csv",
    "session_feedback": "session_feedback.xlsx",
    "project_facts": "project_facts.csv",
    "ground_truth": "ground_truth_themes.csv",
    "double_coding": "double_coding.csv",
    "salt": "pseudonym_salt.txt",
    "readme": "README.md",
}
SESSION_SHEET = "Responses"
MEMBER_CHECKS_DIR = "member_checks"
MEMBER_CHECK_FILES: tuple[str, ...] = ("reviewer_1.xlsx", "reviewer_2.xlsx", "reviewer_3.xlsx")

CONTACT = "the programme's evaluation team, at any project session or through your project lead"
NEXT_STEPS: tuple[str, ...] = (
    "Each project will talk about its report with the people who took part.",
    "Co-producers will check the themes and tell us what does not ring true.",
    "We will share what changed because of this at the next programme meeting.",
)
REPORT_DATE = "March 2025"
YOU_SAID_WE_DID: tuple[tuple[tuple[str, str], ...], ...] = (
    (("you_said", "Meetings were at times that clashed with caring"), ("we_did", "We moved sessions to late mornings")),
    (("you_said", "Forms were full of jargon"), ("we_did", "Co-producers rewrote them in plain words")),
)
# Office for National Statistics, "Ethnic group, England and Wales: Census 2021" (29 November 2022), %.
CENSUS_LABEL = "the 2021 Census for England and Wales"
CENSUS_ETHNICITY: tuple[tuple[str, float], ...] = (
    ("Asian or Asian British", 9.3), ("Black, Black British, Caribbean or African", 4.0),
    ("Mixed or multiple ethnic groups", 2.9), ("White", 81.7), ("Other ethnic group", 2.1),
)

HEADER_COMMENT = (
    "# GENERATED FILE - do not edit by hand.\n"
    "# Synthetic sample programme written by `evalkit sample-data --out data/sample` (or `make sample-data`)\n"
    "# from evalkit/sample/ with seed {seed}. Every person, project and answer here is invented.\n"
)


def _demographic(label: str, choices: tuple[str, ...]) -> dict:
    """Column spec for an optional demographic question."""
    return {"type": "single_choice", "label": label, "demographic": True, "required": False, "choices": list(choices)}


def _free_text(label: str) -> dict:
    """Column spec for an optional free-text question."""
    return {"type": "free_text", "label": label, "required": False}


def programme_config(seed: int) -> dict:
    """Return the programme config as an ordered dict following the DEVELOPERS.md schema.

    Parameters
    ----------
    seed : int
        The generator seed, recorded as the reports' seed.

    Returns
    -------
    dict
    """
    survey_columns: dict = {
        "role": {"type": "single_choice", "label": "Your role in the project", "choices": list(people.ROLES)},
        "age_band": _demographic("Age", people.AGE_BANDS),
        "gender": _demographic("Gender", people.GENDERS),
        "ethnicity": _demographic("Ethnic group", people.ETHNICITIES),
        "disability": _demographic("Do you consider yourself to be disabled?", people.DISABILITY),
    }
    for item, principle, label in LIKERT_ITEMS:
        survey_columns[item] = {"type": "likert", "scale": "agreement", "label": label, "principle": principle}
    survey_columns["worked_well"] = _free_text("What worked well?")
    survey_columns["could_be_better"] = _free_text("What could have been better?")
    survey_columns["what_is_missing"] = _free_text("What is missing from co-production in this project?")
    return {
        "programme": {"name": PROGRAMME_NAME, "synthetic": True, "description": PROGRAMME_DESCRIPTION,
                      "contact": CONTACT, "next_steps": list(NEXT_STEPS), "date": REPORT_DATE},
        "scales": {"agreement": AGREEMENT, "rating": RATING},
        "projects": [{"id": p.id, "name": p.name, "theme": p.theme, "description": p.description} for p in PROJECTS],
        "sources": {
            "feedback_survey": {
                "path": FILES["feedback_survey"],
                "label": "the feedback survey",
                "id_column": "response_id",
                "project_column": "project_id",
                "respondent_column": "respondent_id",
                "columns": survey_columns,
            },
            "outcomes": {
                "path": FILES["outcomes"],
                "label": "the wellbeing questionnaire",
                "id_column": "response_id",
                "project_column": "project_id",
                "respondent_column": "respondent_id",
                "columns": {
                    "wellbeing_before": {"type": "number", "label": "Wellbeing score before (SWEMWBS-style, 7-35)",
                                         "min": 7, "max": 35, "integer": True},
                    "wellbeing_after": {"type": "number", "label": "Wellbeing score after (SWEMWBS-style, 7-35)",
                                        "min": 7, "max": 35, "integer": True},
                },
            },
            "session_feedback": {
                "path": FILES["session_feedback"],
                "sheet": SESSION_SHEET,
                "label": "Co-Pro Cuppa session feedback",
                "description": ("People who came to the informal Co-Pro Cuppa sessions rated them out of 5 and "
                                "told us what they liked and what could be better."),
                "id_column": "response_id",
                "project_column": "project_id",
                "columns": {
                    "sessions_attended": {"type": "number", "label": "How many Co-Pro Cuppas have you been to?",
                                          "min": 0, "max": 100, "integer": True},
                    "rating": {"type": "likert", "scale": "rating", "label": "How would you rate Co-Pro Cuppas out of 5?"},
                    "like_most": _free_text("What do you like most about the Co-Pro Cuppas?"),
                    "how_improve": _free_text("How can we improve Co-Pro Cuppas?"),
                    "themed_interest": {"type": "single_choice", "label": "Would you be interested in quarterly themed Cuppas?",
                                        "required": False, "choices": list(THEMED_INTEREST)},
                    "themed_topics": _free_text("If so, what topics would you like to discuss?"),
                },
            },
            "project_facts": {
                "path": FILES["project_facts"],
                "label": "project facts",
                "id_column": "project_id",
                "project_column": "project_id",
                "columns": {
                    "evaluation_methods": {"type": "free_text", "label": "Evaluation methods used (separated by ;)"},
                    "n_coproducers": {"type": "number", "label": "Number of co-producers", "min": 0, "max": 1000, "integer": True,
                                      "counts_people": True},
                    "sessions_held": {"type": "number", "label": "Co-production sessions held", "min": 0, "max": 1000, "integer": True},
                    "participants_invited": {"type": "number", "label": "People invited to give feedback",
                                             "min": 0, "max": 100000, "integer": True, "counts_people": True},
                },
            },
        },
        "codebook": "default",
        "ground_truth": FILES["ground_truth"],
        "double_coding": FILES["double_coding"],
        "member_checks": MEMBER_CHECKS_DIR,
        "privacy": {"salt_file": FILES["salt"], "names": list(people.PLANTED_NAMES)},
        "report": {"seed": seed, "suppression": {"enabled": True}, "quotes_per_question": 3,
                   "survey": "feedback_survey", "role_column": "role", "facts": "project_facts",
                   "invited_column": "participants_invited",
                   "outcomes": [{"source": "outcomes", "before": "wellbeing_before", "after": "wellbeing_after",
                                 "name": "wellbeing"}],
                   "codes": "rules",
                   "you_said_we_did": [dict(pair) for pair in YOU_SAID_WE_DID],
                   "representation_reference": {"label": CENSUS_LABEL, "shares": {"ethnicity": dict(CENSUS_ETHNICITY)}}},
    }


def programme_yaml(seed: int) -> str:
    """Return ``programme.yml`` text: a generated-file header, then the config in fixed key order.

    Parameters
    ----------
    seed : int
        The generator seed.

    Returns
    -------
    str
    """
    config = programme_config(seed)
    lines = HEADER_COMMENT.format(seed=seed).splitlines()
    for key, value in config.items():
        lines.append("")
        lines.extend(yaml_block({key: value}))
    return "\n".join(lines) + "\n"

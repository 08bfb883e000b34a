"""Who answers in the synthetic sample: roles, demographics and the personal details planted
in free text for a redactor to catch.

Phone numbers come from Ofcom's ranges reserved for TV and radio drama (07700 900000-900999,
020 7946 0000-0999, 0161 496 0000-0999, 0113 496 0000-0999), so none can reach a real person.
Emails use the reserved ``example.org``/``example.com`` domains (RFC 2606). The NHS number is the
NHS Data Dictionary's worked example (valid check digit). The postcodes are the Wikipedia
examples for UK postcode format.
"""
from __future__ import annotations

ROLES: tuple[str, ...] = ("co-producer", "researcher", "practitioner", "other")
ROLE_WEIGHTS: tuple[float, ...] = (0.62, 0.14, 0.17, 0.07)

AGE_BANDS: tuple[str, ...] = (
    "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Prefer not to say",
)
GENDERS: tuple[str, ...] = ("Woman", "Man", "Non-binary", "Prefer to self-describe", "Prefer not to say")
GENDER_WEIGHTS: tuple[float, ...] = (0.58, 0.34, 0.03, 0.01, 0.04)
ETHNICITIES: tuple[str, ...] = (
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or multiple ethnic groups",
    "White",
    "Other ethnic group",
    "Prefer not to say",
)
ETHNICITY_WEIGHTS: tuple[float, ...] = (0.15, 0.12, 0.05, 0.61, 0.03, 0.04)
DISABILITY: tuple[str, ...] = ("Yes", "No", "Prefer not to say")

PLANTED_NAMES: tuple[str, ...] = (
    "Priya", "Tariq", "Bernie", "Aisha", "Gareth", "Niamh", "Kwame", "Joanne", "Marek", "Fatima",
)
PLANTED_EMAILS: tuple[str, ...] = (
    "sam.k@example.org",
    "jo.bloggs@example.com",
    "d.okafor@example.org",
    "carersgroup@example.org",
)
PLANTED_PHONES: tuple[str, ...] = (
    "07700 900123",
    "+44 20 7946 0958",
    "0161 496 0000",
    "07700900461",
    "0113 496 0312",
)
PLANTED_POSTCODES: tuple[str, ...] = ("SW1A 1AA", "EC1A 1BB")
PLANTED_NHS_NUMBER: str = "943 476 5919"

NAME_TEMPLATES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("thanks to {name} for making me feel welcome", ("relationships_trust",), "+"),
    ("{name} was a brilliant facilitator", ("relationships_trust",), "+"),
    ("special mention to {name} who sorted my payment so quickly", ("payment_recognition",), "+"),
    ("{name} always made sure I got a turn to speak", ("feeling_heard",), "+"),
    ("I'd like to thank {name} for explaining everything so clearly", ("jargon_language",), "+"),
    ("{name} from the council talked over everyone", ("feeling_heard",), "-"),
    ("ask {name} about the problems with the lift", ("accessibility_venue",), "-"),
    ("I told {name} twice that my payment hadn't come", ("payment_recognition",), "-"),
)
EMAIL_TEMPLATES: tuple[str, ...] = (
    "happy to talk more, email me at {email}",
    "you can contact me on {email} if you want to follow up",
    "please send the notes to {email} as I never got them",
)
PHONE_TEMPLATES: tuple[str, ...] = (
    "ring me on {phone} if you want more detail",
    "my number is {phone} if anyone wants to chat",
    "call me {phone}",
)
POSTCODE_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("I live near {postcode} and there is no bus that gets there in time", ("accessibility_venue",)),
    ("please hold one nearer {postcode} next time", ("accessibility_venue",)),
)
NHS_TEMPLATE: tuple[str, tuple[str, ...]] = (
    "they asked for my NHS number ({nhs}) on the sign in sheet which felt odd",
    ("safe_spaces",),
)

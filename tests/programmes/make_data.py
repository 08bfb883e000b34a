"""Write the made-up data files of the test corpus (tests/programmes/*/), deterministically.

Run from the repository root: ``python tests/programmes/make_data.py``. Each shape gets a tiny
export as a person would download it from a survey tool: real-looking headers with spaces and
question marks, ratings as words or as codes, a few "no answer" placeholders and, in one file,
rows a careful reader would set aside. The same seed always gives the same bytes, so the
committed files can be re-made and compared.

The two real NHS files are never copied here: tests/test_programme_corpus.py slices them from
the shared benchmarks folder into a temporary folder.
"""
from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

from evalkit.xlsx import save_workbook

HERE = Path(__file__).resolve().parent
SEED = 20240611

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
GOOD = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor"]
OFTEN = ["Never", "Rarely", "Sometimes", "Often", "Always"]

LIKED = [
    "The staff listened to me and took my worries seriously.",
    "Meeting other carers who understand what it is like.",
    "Clear information about what happens next.",
    "The room was quiet and easy to get to by bus.",
    "Being able to join by phone when I could not travel.",
    "Friendly volunteers who remembered my name.",
    "Nothing in particular, it was fine.",
    "Short waiting time and a warm welcome at reception.",
    "I felt respected and my questions were answered in plain words.",
    "The group helped me feel less alone.",
]
CHANGE = [
    "More parking near the entrance please.",
    "Letters came too late to plan the day.",
    "Evening times would suit people who work.",
    "Less jargon in the leaflets.",
    "A hearing loop in the main room.",
    "Nothing, keep doing what you are doing.",
    "Travel costs should be paid back sooner.",
    "The phone line was often busy.",
    "Sessions felt rushed at the end.",
    "Better signs inside the building.",
]


DETAILS = [
    "Thank you.",
    "It made a real difference to my week.",
    "My daughter says the same.",
    "I have been coming for two years.",
    "This was my first visit.",
    "I would tell a friend about it.",
    "The tea was appreciated.",
    "Hard to say more than that.",
    "I hope this helps.",
    "Please pass this on to the team.",
    "",
    "",
]


def _pick(rng: random.Random, pool: list[str]) -> str:
    """A written answer: one of the pool's sentences, often followed by a detail of the person's own."""
    return " ".join(part for part in (pool[rng.randrange(len(pool))], rng.choice(DETAILS)) if part)


def _rating(rng: random.Random, labels: list[str], lean: int = 3) -> str:
    """A label, leaning towards index ``lean`` (0 = first label)."""
    i = min(len(labels) - 1, max(0, lean + rng.choice([-2, -1, 0, 0, 0, 1])))
    return labels[i]


def _csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def one_project(rng: random.Random) -> dict[str, bytes]:
    """One carers' group, no project column: agreement ratings as words and two open questions."""
    header = ["Response ID", "Date", "I felt welcome at the group", "The group met at a good time for me",
              "What did you value most?", "What should change?"]
    rows = [header]
    for i in range(1, 35):
        rows.append([f"R{i:03d}", f"{1 + i % 27:02d}/03/2024", _rating(rng, AGREE, 3), _rating(rng, AGREE, 2),
                     "Did not answer" if i % 9 == 0 else _pick(rng, LIKED),
                     "" if i % 7 == 0 else _pick(rng, CHANGE)])
    return {"carers_group_survey.csv": _csv_bytes(rows)}


SITES = [f"Site {n:02d}" for n in range(1, 31)]


def thirty_projects(rng: random.Random) -> dict[str, bytes]:
    """Thirty sites with 2 to 14 people each (so small numbers are hidden), codes 1-5 and a role."""
    header = ["ID", "Site", "Your role", "Overall rating", "Would you recommend us?", "Comment"]
    rows, facts = [header], [["Site", "People invited"]]
    n = 0
    for k, site in enumerate(SITES):
        people = 2 + (k * 5) % 13          # 2..14, a different size at almost every site
        for _ in range(people):
            n += 1
            rows.append([f"{n}", site, rng.choice(["Patient", "Patient", "Carer", "Staff"]),
                         str(rng.choice([5, 5, 4, 4, 4, 3, 2, 1])), rng.choice(["Yes", "Yes", "No"]),
                         "N/A" if n % 11 == 0 else _pick(rng, LIKED + CHANGE)])
        facts.append([site, str(people * 2 + rng.randrange(10))])
    # A typing slip a careful reader would set aside: a rating of 55 on a 1-5 scale.
    rows[17][3] = "55"
    return {"site_survey.csv": _csv_bytes(rows), "site_facts.csv": _csv_bytes(facts)}


def xlsx_only(rng: random.Random) -> dict:
    """One workbook, two sheets: clinic visits (FFT-style words) and follow-up calls."""
    from openpyxl import Workbook

    wb = Workbook()
    visits = wb.active
    visits.title = "Visits"
    visits.append(["Visit ID", "Clinic", "Patient ref", "Overall, how was your experience of the clinic?",
                   "Tell us why you gave that answer"])
    calls = wb.create_sheet("Follow-up calls")
    calls.append(["Call ID", "Clinic", "Patient ref", "The call came when we said it would",
                  "Anything else you want to tell us?"])
    v = c = 0
    for clinic, people in (("North clinic", 16), ("South clinic", 11)):
        for p in range(people):
            ref = f"{clinic[0]}{p + 1:03d}"
            v += 1
            visits.append([v, clinic, ref, _rating(rng, GOOD, 1), _pick(rng, LIKED + CHANGE)])
            if p % 3 != 2:                 # most patients also had a follow-up call
                c += 1
                calls.append([c, clinic, ref, _rating(rng, AGREE, 3), "" if c % 4 == 0 else _pick(rng, CHANGE)])
    return {"clinic_feedback.xlsx": wb}


def no_ratings(rng: random.Random) -> dict[str, bytes]:
    """Listening events in two places: a role and two open questions, no rating at all."""
    header = ["Note ID", "Place", "Who are you?", "What matters most to you?", "What would you change?"]
    rows = [header]
    n = 0
    for place, people in (("Riverside", 14), ("Hillside", 9)):
        for _ in range(people):
            n += 1
            rows.append([f"N{n:02d}", place, rng.choice(["Resident", "Family member", "Worker"]),
                         _pick(rng, LIKED), "N/A" if n % 6 == 0 else _pick(rng, CHANGE)])
    return {"listening_notes.csv": _csv_bytes(rows)}


def no_free_text(rng: random.Random) -> dict[str, bytes]:
    """A quick poll in three teams: frequency words, a yes/no and a number, no written answer."""
    header = ["Poll ID", "Team", "Did staff explain things clearly?", "Could you get help when you needed it?",
              "Were you involved in decisions about your care?", "Visits in the last month"]
    rows = [header]
    n = 0
    for team, people in (("Team Red", 12), ("Team Blue", 10), ("Team Green", 6)):
        for _ in range(people):
            n += 1
            rows.append([f"{n:03d}", team, _rating(rng, OFTEN, 3), _rating(rng, OFTEN, 3),
                         _rating(rng, OFTEN, 2), str(rng.randrange(0, 9))])
    return {"quick_poll.csv": _csv_bytes(rows)}


def project_without_rows(rng: random.Random) -> dict[str, bytes]:
    """Two peer-support groups with answers; a third group is declared in the config by hand."""
    header = ["ID", "Group", "How helpful was the group?", "What helped?"]
    rows = [header]
    n = 0
    for group, people in (("Monday group", 12), ("Thursday group", 9)):
        for _ in range(people):
            n += 1
            rows.append([f"{n}", group, _rating(rng, ["Not at all helpful", "Slightly helpful", "Quite helpful",
                                                      "Very helpful"], 2), _pick(rng, LIKED)])
    return {"peer_support_feedback.csv": _csv_bytes(rows)}


SHAPES = {"one_project": one_project, "thirty_projects": thirty_projects, "xlsx_only": xlsx_only,
          "no_ratings": no_ratings, "no_free_text": no_free_text, "project_without_rows": project_without_rows}


def make(root: Path = HERE) -> list[Path]:
    """Write every made-up data file under ``root/<shape>/``; return the paths written."""
    written = []
    for offset, (shape, build) in enumerate(SHAPES.items()):
        for name, data in build(random.Random(SEED + offset)).items():
            path = root / shape / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:                               # an openpyxl workbook: saved byte-reproducibly
                save_workbook(data, path)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)

"""Tests for evalkit.privacy.redact on realistic survey answers.

Phone numbers are Ofcom's reserved "drama" numbers (never assigned to anyone): mobiles
07700 900000-900999, London 020 7946 0000-0999, Bristol 0117 496 0000-0999, 01632 960xxx,
03069 990xxx. Postcodes are the examples in the UK Government Data Standards Catalogue /
Wikipedia "Postcodes in the United Kingdom" (SW1A 1AA, EC1A 1BB, W1A 0AX, M1 1AE, B33 8TH,
CR2 6XH, DN55 1PT, GIR 0AA). NHS numbers are checked with the modulus-11 rule of the NHS Data
Dictionary ("NHS Number" attribute); 943 476 5870 and 401 023 2137 are valid, 943 476 5871 is not.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit.privacy.redact import KINDS, Redactor, nhs_check_digit_valid, redact, redact_series


@pytest.mark.parametrize("email", [
    "jo.bloggs@example.com", "JO_BLOGGS+survey@Example.co.uk", "o'neill.pat@nhs.net", "a.b-c@sub.domain.org.uk",
    "priya123@gmail.com",
])
def test_emails(email):
    assert redact(f"Email me at {email}, thanks") == "Email me at [email], thanks"


@pytest.mark.parametrize("url", [
    "https://planted.example.org/my-page", "http://example.com", "www.mind.org.uk/information-support",
    "https://forms.office.com/r/AbC123?x=1&y=2", "nhs.uk/conditions/stress", "facebook.com/groups/carers",
])
def test_urls(url):
    assert redact(f"See {url}.") == "See [url]."
    assert redact(f"(link: {url})") == "(link: [url])"


@pytest.mark.parametrize("phone", [
    "07700 900461", "07700900461", "07700-900-461", "0770 090 0461", "(07700) 900461",
    "+44 7700 900461", "+447700900461", "+44 (0)7700 900461", "0044 7700 900461",
    "020 7946 0321", "(020) 7946 0321", "020-7946-0321", "+44 20 7946 0321", "02079460321",
    "0117 496 0123", "0117-496-0123", "01632 960983", "03069 990123", "+44 (0) 117 496 0123",
])
def test_uk_phone_numbers(phone):
    assert redact(f"Ring {phone} after 5pm") == "Ring [phone] after 5pm"


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH",
                                      "DN55 1PT", "GIR 0AA", "sw1a 1aa", "SW1A1AA", "m1 1ae"])
def test_uk_postcodes(postcode):
    assert redact(f"I live near {postcode}, by the park") == "I live near [postcode], by the park"


@pytest.mark.parametrize("nhs", ["943 476 5870", "9434765870", "943-476-5870", "401 023 2137",
                                 "943 476 5871"])
def test_nhs_numbers_with_or_without_valid_check_digit(nhs):
    assert redact(f"My NHS number is {nhs}.") == "My NHS number is [nhs number]."


def test_nhs_check_digit():
    assert nhs_check_digit_valid("943 476 5870")
    assert nhs_check_digit_valid("4010232137")
    assert not nhs_check_digit_valid("943 476 5871")
    assert not nhs_check_digit_valid("123")
    # 000000010|8: weighted sum 1*3 = 3, 11 - 3 = 8, so check digit 8 is valid.
    assert nhs_check_digit_valid("0000000108")
    # 000000006|x: weighted sum 6*2 = 12, 12 % 11 = 1, 11 - 1 = 10: no check digit can be valid.
    assert not any(nhs_check_digit_valid(f"000000006{d}") for d in range(10))
    # 000000000|0: sum 0, 11 - 0 = 11 which means 0.
    assert nhs_check_digit_valid("0000000000")


@pytest.mark.parametrize("text, expected", [
    ("Priya was brilliant", "[name] was brilliant"),
    ("thanks to priya and TOM", "thanks to [name] and [name]"),
    ("Priya's idea", "[name]'s idea"),
    ("Priya\u2019s idea", "[name]\u2019s idea"),
    ("Tom, Priya.", "[name], [name]."),
    ("Mary Ann chaired", "[name] chaired"),
    ("Zoë helped", "[name] helped"),
])
def test_names_whole_word_any_case(text, expected):
    assert redact(text, names=["Priya", "Tom", "Mary Ann", "Zoë"]) == expected


@pytest.mark.parametrize("text", [
    "Priyanka and Tomas came", "Tomorrow we meet", "the atom bomb", "custom tomes",
    "Ms Tomlinson chaired",
])
def test_names_never_match_inside_other_words(text):
    # listed names only: the detector of unlisted names rightly takes Priyanka and Tomas out too
    assert Redactor(names=["Priya", "Tom"], find_names=False).redact(text) == text


def test_names_that_are_words_only_match_capitalised():
    names = ["Will", "May", "Grace"]
    assert redact("we will meet in may, by grace of funding", names=names) == \
        "we will meet in may, by grace of funding"
    assert redact("Will and Grace came; MAY too", names=names) == "[name] and [name] came; [name] too"


@pytest.mark.parametrize("text", [
    "I attended 5 sessions in 2024 and rated it 4/5.",
    "We met 12 times between 01/03/2024 and 30/06/2024 at 10:30.",
    "Payment was £1,200 (£25 per hour), 3-4 hours a week.",
    "About 10-12 people, aged 18-25, came; 100% would return.",
    "Sessions ran 2pm-4pm; 1st and 2nd floor rooms, A4 5th page.",
    "Use the 8 step plan: steps 1, 2, 3.",
    "Covid-19 made it hard in 2020-2021.",
    "Scores went from 21 to 28 on SWEMWBS (7-35).",
    "Room B12, bus 73, flat 4b.",
    "e.g. the easy read version, i.e. plain English.",
    "Phone me? No thanks, call the office instead.",
    "Reference 12345678 was sent.",
])
def test_ordinary_text_and_numbers_are_left_alone(text):
    assert redact(text, names=["Priya"]) == text


def test_all_kinds_in_one_answer_and_counts():
    text = ("Contact Zebedee on 07700 900461 or +44 20 7946 0321, jo.bloggs.planted@example.com, "
            "https://planted.example.org/my-page, I live at SW1A 2AA, NHS no 943 476 5870.")
    redactor = Redactor(names=["Zebedee"])
    assert redactor.redact(text) == ("Contact [name] on [phone] or [phone], [email], [url], I live at [postcode], "
                                     "NHS no [nhs number].")
    assert dict(redactor.counts) == {"email": 1, "url": 1, "phone": 2, "nhs number": 1, "postcode": 1, "name": 1,
                                     "address": 0, "date of birth": 0}
    redactor.redact("and Zebedee again")
    assert redactor.counts["name"] == 2


def test_counts_do_not_include_skipped_ordinal_lookalikes():
    redactor = Redactor()
    assert redactor.redact("A4 5th page, then B33 8TH") == "A4 5th page, then [postcode]"
    assert redactor.counts["postcode"] == 1
    assert sum(redactor.counts.values()) == 1


def test_redact_series_matches_scalar_redact_and_keeps_missing():
    answers = pd.Series(["Call Priya on 07700 900461", None, "", "fine, 5 sessions", pd.NA, "jo@example.org"],
                        index=[10, 11, 12, 13, 14, 15], name="worked_well")
    redactor = Redactor(names=["Priya"])
    out = redactor.redact_series(answers)
    assert out.index.tolist() == answers.index.tolist() and out.name == "worked_well"
    assert str(out.dtype) == "string"
    assert out.isna().tolist() == [False, True, False, False, True, False]
    expected = [redact(a, names=["Priya"]) for a in answers.dropna()]
    assert out.dropna().tolist() == expected
    assert dict(redactor.counts) == {"email": 1, "url": 0, "phone": 1, "nhs number": 0, "postcode": 0, "name": 1,
                                     "address": 0, "date of birth": 0}
    assert redact_series(answers, names=["Priya"]).equals(out)


def test_non_text_passes_through_and_kinds_are_listed():
    assert redact(None) is None
    assert KINDS == ("email", "url", "phone", "nhs number", "postcode", "address", "date of birth", "name")


def test_redaction_is_idempotent():
    once = redact("Priya: 07700 900461, SW1A 1AA, jo@example.com, www.example.com", names=["Priya"])
    assert redact(once, names=["Priya"]) == once


def test_planted_details_in_the_sample_programme_are_all_redacted(tmp_path):
    import shutil

    import yaml

    from evalkit.paths import SAMPLE_DIR
    from evalkit.programme import load_programme

    assert (SAMPLE_DIR / "programme.yml").is_file(), "data/sample is committed; restore it from git"
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, root)
    planted = ["Zebedee", "07700 900461", "+44 20 7946 0321", "jo.bloggs.planted@example.com",
               "https://planted.example.org/my-page", "SW1A 2AA", "943 476 5870"]
    sentence = ("Contact Zebedee on 07700 900461 or +44 20 7946 0321, jo.bloggs.planted@example.com, "
                "https://planted.example.org/my-page, I live at SW1A 2AA, NHS no 943 476 5870.")
    config = yaml.safe_load((root / "programme.yml").read_text(encoding="utf-8"))
    config["privacy"]["names"].append("Zebedee")
    (root / "programme.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                        encoding="utf-8")
    survey = pd.read_csv(root / "feedback_survey.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    survey["worked_well"] = survey["worked_well"] + " " + sentence
    survey.to_csv(root / "feedback_survey.csv", index=False, lineterminator="\n")

    programme = load_programme(root / "programme.yml")
    redactor = Redactor(names=programme.privacy["names"])
    texts = []
    for source in programme.sources:
        for column in programme.columns_of_type(source, "free_text"):
            texts += redactor.redact_series(programme.table(source)[column]).dropna().tolist()
    joined = "\n".join(texts)
    assert [needle for needle in planted if needle in joined] == []
    n = len(programme.table("feedback_survey"))
    assert redactor.counts["email"] >= n and redactor.counts["phone"] >= 2 * n
    assert redactor.counts["nhs number"] >= n and redactor.counts["postcode"] >= n

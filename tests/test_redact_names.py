"""Names nobody listed, street addresses and dates of birth (issue 13)."""
from __future__ import annotations

import pytest

from evalkit.privacy.redact import Redactor, redact, redact_series


@pytest.mark.parametrize("text, expected", [
    ("Dr Patel was kind", "Dr [name] was kind"),
    ("Sarah Jones helped me", "[name] helped me"),
    ("my support worker Siobhan was great", "my support worker [name] was great"),
    ("Dear Anna (Community Matron), thank you", "Dear [name] (Community Matron), thank you"),
    ("Julie has been able to help", "[name] has been able to help"),
    ("Tariq-Ali listened to me", "[name] listened to me"),
    ("thanks to siobhan", "thanks to [name]"),
    ("CPN Faye was also very kind", "CPN [name] was also very kind"),
    ("Niamh's advice was spot on", "[name]'s advice was spot on"),
    ("Mr Kowalczyk explained everything", "Mr [name] explained everything"),
    ("I would like to thank Mark", "I would like to thank [name]"),
])
def test_unlisted_names_are_found(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "I hope the Care was good", "Will you call me? Hope so.", "The Matron on Willow Ward was lovely",
    "Ash Ward staff were great", "Staff were lovely. Felt listened to.", "Mark my words, the food was awful",
    "Very Good Service", "Grace and dignity were shown", "The Rose Unit is clean",
])
def test_everyday_words_and_ward_names_survive(text):
    assert redact(text) == text


@pytest.mark.parametrize("text, expected", [
    ("I live at 12 Acacia Avenue", "I live at [address]"),
    ("Flat 3, 45 High Street was cold", "[address] was cold"),
    ("DOB 12/03/1985", "DOB [date of birth]"),
    ("born on 3rd May 1962 in Leeds", "born on [date of birth] in Leeds"),
    ("date of birth: 1 January 1950", "date of birth: [date of birth]"),
    ("my mum, 02/11/1941, was seen", "my mum, [date of birth], was seen"),
])
def test_addresses_and_dates_of_birth(text, expected):
    assert redact(text) == expected


def test_each_distinct_answer_is_redacted_once():
    redactor = Redactor()
    calls = []
    finder = redactor._finder
    original = finder.spans_many
    finder.spans_many = lambda texts: calls.append(len(texts)) or original(texts)
    out = redactor.redact_series(__import__("pandas").Series(["Julie helped"] * 1000 + ["Dr Khan"] * 500))
    assert calls == [2]
    assert set(out) == {"[name] helped", "Dr [name]"}
    assert redactor.counts["name"] == 1500


def test_listed_names_still_add_to_the_detector():
    assert redact("Zebedee and Priya came", names=["Zebedee"]) == "[name] and [name] came"
    assert redact_series(__import__("pandas").Series(["Zebedee came"]), names=["Zebedee"]).tolist() == ["[name] came"]

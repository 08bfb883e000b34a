"""Tests for evalkit.privacy.pseudonym.

Reference values: RFC 4231 ("Identifiers and Test Vectors for HMAC-SHA-224, -256, -384, and
-512") test case 2, and OpenSSL's ``openssl dgst -sha256 -hmac`` (an independent HMAC
implementation), truncated to the first 8 or 12 hex digits.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit.errors import ConfigError, EvalkitError
from evalkit.errors import PseudonymError
from evalkit.privacy.pseudonym import pseudonymise


def test_rfc4231_test_case_2():
    # key "Jefe", data "what do ya want for nothing?" ->
    # 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
    assert pseudonymise(["what do ya want for nothing?"], "Jefe").tolist() == ["R-5bdcc146"]
    assert pseudonymise(["what do ya want for nothing?"], "Jefe", length=12).tolist() == ["R-5bdcc146bf60"]


def test_matches_openssl_including_non_ascii_text():
    # printf 'R001' | openssl dgst -sha256 -hmac 'evalkit-sample-salt'
    #   -> a2d5c5b41d76bd0aca0250757c7b91771fa09c3900cb7d656c68130cc0bbb6d4
    # printf 'Priya café' | openssl dgst -sha256 -hmac 'sel-£'   (UTF-8 terminal)
    #   -> 0281d0d1a688d3070a0b581e4ef8265b7e6f94a96809759be7980a413cd252d3
    assert pseudonymise(["R001"], "evalkit-sample-salt").tolist() == ["R-a2d5c5b4"]
    assert pseudonymise(["Priya café"], "sel-£", prefix="P").tolist() == ["P-0281d0d1"]


def test_deterministic_and_salt_dependent():
    ids = ["R001", "R002", "R003"]
    first = pseudonymise(ids, "salt-one")
    assert first.equals(pseudonymise(ids, "salt-one"))
    assert first.str.fullmatch(r"R-[0-9a-f]{8}").all()
    assert first.nunique() == 3
    other = pseudonymise(ids, "salt-two")
    assert not (first == other).any()


def test_same_id_links_across_sources_and_whitespace_is_ignored():
    survey = pseudonymise(pd.Series(["A01", "A02"]), "s")
    outcomes = pseudonymise(pd.Series([" A02", "A01 "]), "s")
    assert survey.tolist() == outcomes.tolist()[::-1]


def test_series_index_name_and_missing_values_kept():
    ids = pd.Series(["R1", None, "R2", pd.NA], index=[7, 8, 9, 10], name="response_id")
    out = pseudonymise(ids, "s")
    assert out.index.tolist() == [7, 8, 9, 10] and out.name == "response_id"
    assert str(out.dtype) == "string"
    assert out.isna().tolist() == [False, True, False, True]


def test_numbers_are_pseudonymised_as_text():
    assert pseudonymise([17], "s").tolist() == pseudonymise(["17"], "s").tolist()


@pytest.mark.parametrize("salt", ["", "   ", None])
def test_empty_salt_is_refused_with_advice(salt):
    with pytest.raises(PseudonymError) as info:
        pseudonymise(["R1"], salt)
    message = str(info.value)
    assert "salt is empty" in message and "salt_file" in message and "EVALKIT_PSEUDONYM_SALT" in message
    assert isinstance(info.value, ConfigError) and isinstance(info.value, EvalkitError)


def test_collision_is_reported_not_silently_merged():
    ids = [f"id{i}" for i in range(400)]
    with pytest.raises(PseudonymError, match="same 4-digit pseudonym .* length=8"):
        pseudonymise(ids, "s", length=4)
    assert pseudonymise(ids, "s", length=12).nunique() == 400


def test_length_out_of_range():
    with pytest.raises(PseudonymError, match="between 4 and 64"):
        pseudonymise(["a"], "s", length=2)

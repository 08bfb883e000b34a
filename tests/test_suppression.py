"""Tests for evalkit.privacy.suppression.

The worked cases follow NHS Digital, "Disclosure control methodology for Hospital Episode
Statistics (HES) and Emergency Care Data Set (ECDS)" (September 2018): 1-7 -> "*", other counts
to the nearest 5, percentages from rounded counts, summaries of 1-7 values not calculated.
"""
import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ConfigError, EvalkitError
from evalkit.privacy.suppression import (SUPPRESSED, SuppressionPolicy, suppress_distribution,
                                         suppress_table)


@pytest.mark.parametrize("count, shown", [
    (0, "0"), (1, "*"), (2, "*"), (3, "*"), (4, "*"), (5, "*"), (6, "*"), (7, "*"),
    (8, "10"), (12, "10"), (13, "15"), (15, "15"), (17, "15"), (18, "20"), (102, "100"),
])
def test_nhs_digital_rule_on_worked_cases(count, shown):
    assert SuppressionPolicy().format_count(count) == shown


def test_percentages_use_rounded_counts():
    policy = SuppressionPolicy()
    # 13 of 41: rounded 15 of 40 = 37.5% (the raw 31.7% must not appear)
    assert policy.percentage(13, 41) == pytest.approx(37.5)
    assert policy.format_percentage(13, 41) == "38%"
    assert policy.format_percentage(0, 41) == "0%"
    assert policy.format_percentage(5, 41) == SUPPRESSED
    assert policy.format_percentage(10, 5) == SUPPRESSED


def test_summaries_of_fewer_than_eight_values_are_withheld():
    policy = SuppressionPolicy()
    assert policy.format_summary(3.456, 7) == SUPPRESSED
    assert policy.format_summary(3.456, 8) == "3.5"
    assert policy.format_summary("4 (3 to 5)", 12) == "4 (3 to 5)"


def test_disabled_policy_shows_exact_numbers():
    policy = SuppressionPolicy.from_config({"enabled": False})
    assert policy.format_count(3) == "3"
    assert policy.format_count(13) == "13"
    assert policy.format_percentage(13, 41, 1) == "31.7%"
    assert policy.format_summary(2.0, 2) == "2.0"
    assert "switched off" in policy.statement()


def test_from_config_defaults_and_errors():
    assert SuppressionPolicy.from_config(None) == SuppressionPolicy()
    assert SuppressionPolicy.from_config({"min_count": 10}).min_count == 10
    with pytest.raises(ConfigError, match="unknown key"):
        SuppressionPolicy.from_config({"threshold": 5})
    with pytest.raises(ConfigError, match="round_to"):
        SuppressionPolicy.from_config({"round_to": 0})
    with pytest.raises(ConfigError, match="true or false"):
        SuppressionPolicy.from_config({"enabled": "yes"})
    assert issubclass(ConfigError, EvalkitError)


def test_statement_is_plain_language_and_names_the_thresholds():
    text = SuppressionPolicy().statement()
    assert "1 to 7" in text and "nearest 5" in text and "NHS Digital" in text


def test_suppress_table_counts_percentages_and_summaries():
    raw = pd.DataFrame({"project": ["P01", "P02", "P03"], "agreed": [3, 13, 0],
                        "n": [20, 41, 6], "median": [4.0, 3.5, 5.0]},
                       index=["a", "b", "c"])
    out = suppress_table(raw, ["agreed", "n"], percent_of={"agreed": "n"},
                         summary_columns={"median": "n"}, policy=SuppressionPolicy(secondary=False))
    assert list(out.columns) == ["project", "agreed", "agreed %", "n", "median"]
    assert out.loc["a"].tolist() == ["P01", "*", "*", "20", "4.0"]
    assert out.loc["b"].tolist() == ["P02", "15", "38%", "40", "3.5"]
    # zero stays 0, but the n of 6 is suppressed, so its percentage and median are too
    assert out.loc["c"].tolist() == ["P03", "0", "*", "*", "*"]
    reasons = {(r, c): why for r, c, why in out.attrs["suppressed_cells"]}
    assert reasons[("a", "agreed")] == "small count"
    assert reasons[("c", "median")] == "small summary"
    assert reasons[("c", "agreed %")] == "percentage"
    assert out.attrs["suppression_statement"] == SuppressionPolicy(secondary=False).statement()
    # the raw frame is untouched
    assert raw.loc["a", "agreed"] == 3


def test_secondary_suppression_protects_against_subtracting_from_totals():
    raw = pd.DataFrame({"co-producer": [3, 20, 30], "researcher": [12, 14, 25],
                        "other": [9, 0, 11], "total": [24, 34, 66]},
                       index=["P01", "P02", "P03"])
    out = suppress_table(raw, ["co-producer", "researcher", "other", "total"],
                         additive_columns=["co-producer", "researcher", "other"])
    secondary = [(r, c) for r, c, why in out.attrs["suppressed_cells"] if why == "secondary"]
    # P01's lone "*" would be total - researcher - other, so the smallest other non-zero count
    # in that row (other = 9) is hidden; the co-producer column then needs a second "*" too,
    # the smallest non-zero count down that column (20 in P02).
    assert ("P01", "other") in secondary
    assert ("P02", "co-producer") in secondary
    inner = out[["co-producer", "researcher", "other"]]
    for line in [*inner.itertuples(index=False), *(inner[c] for c in inner)]:
        assert list(line).count(SUPPRESSED) != 1
    assert out.loc["P01", "total"] == "25"


def test_secondary_suppression_can_be_switched_off():
    raw = pd.DataFrame({"a": [3, 20], "b": [12, 14]})
    out = suppress_table(raw, ["a", "b"], additive_columns=["a", "b"],
                         policy={"secondary": False})
    assert out.to_dict("list") == {"a": ["*", "20"], "b": ["10", "15"]}


def test_total_row_is_rounded_but_never_a_complement():
    raw = pd.DataFrame({"a": [3, 20, 23], "b": [12, 14, 26]}, index=["P01", "P02", "Total"])
    out = suppress_table(raw, ["a", "b"], additive_columns=["a", "b"], total_row="Total")
    assert out.loc["Total"].tolist() == ["25", "25"]
    assert ("Total", "a", "secondary") not in out.attrs["suppressed_cells"]
    assert out.loc["P01"].tolist() == ["*", "*"]


def test_no_secondary_suppression_without_additive_columns():
    raw = pd.DataFrame({"agreed": [3, 13], "n": [20, 41]})
    out = suppress_table(raw, ["agreed", "n"])
    assert out.to_dict("list") == {"agreed": ["*", "15"], "n": ["20", "40"]}


def test_repeated_index_labels_are_handled_by_position():
    raw = pd.DataFrame({"a": [3, 20, 9]}, index=["x", "x", "y"])
    out = suppress_table(raw, ["a"])
    assert out["a"].tolist() == ["*", "20", "10"] and list(out.index) == ["x", "x", "y"]
    assert out.attrs["suppressed_cells"] == [("x", "a", "small count")]


def test_disabled_policy_table_has_no_suppressed_cells():
    raw = pd.DataFrame({"a": [3, 20], "b": [12, 14]})
    out = suppress_table(raw, ["a", "b"], policy=SuppressionPolicy(enabled=False))
    assert out.to_dict("list") == {"a": ["3", "20"], "b": ["12", "14"]}
    assert out.attrs["suppressed_cells"] == []


def test_bad_counts_and_missing_columns_name_the_problem():
    with pytest.raises(ConfigError, match=r"column 'a', row 1 .*whole numbers"):
        suppress_table(pd.DataFrame({"a": [3, -1]}), ["a"])
    with pytest.raises(ConfigError, match=r"\['b'\] are not in the table"):
        suppress_table(pd.DataFrame({"a": [3]}), ["b"])


# --- edges (issue 16)

def test_secondary_suppression_never_hides_a_zero():
    # Row 0's lone "*" (3) needs a complement. The old heuristic preferred the 0 in column b
    # because column b already held a "*", hiding a zero although the statement says zero
    # shows as 0. A non-zero count is hidden instead.
    raw = pd.DataFrame({"a": [3, 9], "b": [0, 4], "c": [20, 30]})
    out = suppress_table(raw, ["a", "b", "c"], additive_columns=["a", "b", "c"])
    assert out.at[0, "b"] == "0"
    assert "Zero is shown as 0" in out.attrs["suppression_statement"]
    # Column b keeps a lone "*" beside its zero: with no other count to hide, its total equals
    # the hidden count (so would itself be hidden), and no zero is hidden to pair it.
    assert out.to_dict("list") == {"a": ["*", "*"], "b": ["0", "*"], "c": ["*", "*"]}


def test_lone_star_beside_zeros_stays_and_its_total_is_hidden():
    out = suppress_table(pd.DataFrame({"a": [3], "b": [0], "n": [3]}), ["a", "b", "n"],
                         additive_columns=["a", "b"])
    assert out.iloc[0].tolist() == ["*", "0", "*"]


@pytest.mark.parametrize("count", [np.float32(7.5), np.float16(8.5), 7.5, "7.5", "8", None,
                                   float("nan"), True, -1])
def test_counts_that_are_not_whole_numbers_are_refused_not_truncated(count):
    # np.float32(7.5) used to be truncated to 7 (shown "*"), np.float16(8.5) to 8 ("10").
    with pytest.raises(ConfigError, match="whole number"):
        SuppressionPolicy().format_count(count)


def test_whole_floats_of_any_width_are_counts():
    assert SuppressionPolicy().format_count(np.float32(13.0)) == "15"
    assert SuppressionPolicy().format_count(np.int8(0)) == "0"


def test_suppress_distribution_the_rating_table_case():
    # [8, 8, 1] as rating_table showed it, [10, 10, *] with 67%, 67%, let the reader work out
    # * = 1 (see test_suppression_attack.py). Now a second count is hidden and the total shown.
    out = suppress_distribution({"1 Poor": 8, "2 OK": 8, "3 Good": 1}, label_name="Rating",
                                count_name="People")
    assert out.to_dict("list") == {"Rating": ["1 Poor", "2 OK", "3 Good", "Total"],
                                   "People": ["*", "10", "*", "15"],
                                   "People %": ["*", "67%", "*", "100%"]}
    reasons = {(r, c): why for r, c, why in out.attrs["suppressed_cells"]}
    assert reasons[("3 Good", "People")] == "small count"
    assert reasons[("1 Poor", "People")] == "secondary"
    assert out.attrs["suppression_statement"] == SuppressionPolicy().statement()


def test_suppress_distribution_zeros_labels_and_errors():
    out = suppress_distribution([0, 12, 30], labels=["no", "maybe", "yes"])
    assert out["people"].tolist() == ["0", "10", "30", "40"]
    assert out["people %"].tolist() == ["0%", "25%", "75%", "100%"]
    nobody = suppress_distribution([0, 0])
    assert nobody["people"].tolist() == ["0", "0", "0"] and set(nobody["people %"]) == {""}
    exact = suppress_distribution([3, 5], policy={"enabled": False})
    assert exact["people"].tolist() == ["3", "5", "8"]
    with pytest.raises(ConfigError, match="2 labels for 3 counts"):
        suppress_distribution([1, 2, 3], labels=["a", "b"])
    with pytest.raises(ConfigError, match="whole number"):
        suppress_distribution([1.5, 2])
    with pytest.raises(ConfigError, match="distinct"):
        suppress_distribution({"Total": 3})

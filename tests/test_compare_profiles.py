"""Tests for evalkit.compare.profiles: per-project profile tables, all suppressed."""
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.compare.profiles import (bootstrap_median, likert_counts, likert_distribution,
                                      likert_medians, respondents_by_role, response_rates,
                                      sentiment_summary, theme_counts, theme_prevalence)
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SuppressionPolicy

EXACT = SuppressionPolicy(enabled=False)


def survey(seed=1, sizes=(("P01", 40), ("P02", 12), ("P03", 5))):
    """A small survey: three projects of different sizes, two Likert items, roles."""
    rng = np.random.default_rng(seed)
    rows = []
    for project, n in sizes:
        for i in range(n):
            rows.append({"response_id": f"{project}-{i:03d}", "project_id": project,
                         "role": ["co-producer", "researcher", "practitioner"][i % 3],
                         "sharing_power": int(rng.integers(1, 6)),
                         "accessibility": int(rng.integers(2, 6))})
    return pd.DataFrame(rows)


def assert_no_small_counts(table: pd.DataFrame):
    """No cell of a display table may show a count from 1 to 7."""
    for column in table.columns:
        for value in table[column]:
            assert not re.fullmatch(r"[1-7]", str(value)), (column, value)


def test_respondents_by_role_suppresses_and_protects_totals():
    table = respondents_by_role(survey())
    assert_no_small_counts(table)
    # P03 has 5 respondents (2, 2, 1 by role): all hidden, its total too
    assert table.loc["P03"].tolist() == ["*", "*", "*", "*"]
    assert table.loc["Programme", "Total"] == "55"
    exact = respondents_by_role(survey(), policy=EXACT)
    assert exact.loc["P01"].tolist() == ["14", "13", "13", "40"]
    for line in table.drop(columns="Total").drop(index="Programme").itertuples(index=False):
        assert list(line).count("*") != 1


def test_respondents_by_role_keeps_declared_category_order():
    df = survey()
    df["role"] = pd.Categorical(df["role"], categories=["researcher", "co-producer",
                                                        "practitioner", "other"])
    table = respondents_by_role(df, policy=EXACT)
    assert list(table.columns) == ["researcher", "co-producer", "practitioner", "other", "Total"]
    assert table.loc["P01", "other"] == "0"


def test_response_rates_from_rounded_counts():
    facts = pd.DataFrame({"project_id": ["P01", "P02", "P03"],
                          "participants_invited": [61, 30, 20]})
    table = response_rates(survey(), facts)
    assert_no_small_counts(table)
    row = table.set_index("project_id").loc["P01"]
    # 40 of 61 -> rounded 40 of 60 = 66.7%, not the exact 65.6%
    assert (row["respondents"], row["invited"], row["response rate"]) == ("40", "60", "67%")
    assert table.set_index("project_id").loc["P03", "response rate"] == "*"


def test_response_rates_rejects_more_respondents_than_invited():
    facts = pd.DataFrame({"project_id": ["P01", "P02", "P03"],
                          "participants_invited": [10, 30, 20]})
    with pytest.raises(ConfigError, match="'P01' has 40 respondents but only 10 invited"):
        response_rates(survey(), facts)


def test_likert_counts_match_value_counts():
    df = survey()
    counts = likert_counts(df, ["sharing_power"], group_column="project_id")
    p01 = counts.set_index("project_id").loc["P01"]
    expected = df[df.project_id == "P01"]["sharing_power"].value_counts()
    for level in range(1, 6):
        assert p01[level] == expected.get(level, 0)
    assert p01["n"] == 40


def test_likert_counts_reject_values_off_the_scale():
    df = survey().assign(sharing_power=lambda d: d["sharing_power"].where(d.index != 3, 9))
    with pytest.raises(ConfigError, match=r"'sharing_power' holds \[9\]"):
        likert_counts(df, ["sharing_power"])


def test_likert_distribution_is_suppressed_with_percentages_from_rounded_counts():
    labels = {1: "SD", 2: "D", 3: "N", 4: "A", 5: "SA"}
    table = likert_distribution(survey(), ["sharing_power", "accessibility"],
                                level_labels=labels, group_column="project_id")
    assert_no_small_counts(table)
    exact = likert_counts(survey(), ["sharing_power"], group_column="project_id")
    p01 = exact.set_index("project_id").loc["P01"]
    shown = table[(table.project_id == "P01") & (table["item"] == "sharing_power")].iloc[0]
    for level, name in labels.items():
        if shown[name] != "*":
            rounded = int(5 * np.floor(p01[level] / 5 + 0.5))
            assert shown[name] == str(rounded)
            assert shown[f"{name} %"] == f"{100 * rounded / 40:.0f}%"


def test_bootstrap_median_is_seeded_and_matches_scipy():
    x = survey()["sharing_power"].to_numpy()
    a = bootstrap_median(x, seed=7)
    b = bootstrap_median(x, seed=7)
    assert a == b
    # Reference: scipy.stats.bootstrap, percentile method, same generator and seed.
    ref = stats.bootstrap((x.astype(float),), np.median, method="percentile", n_resamples=2000,
                          rng=np.random.default_rng(7)).confidence_interval
    assert (a.low, a.high) == (ref.low, ref.high)
    assert a.median == np.median(x) and a.n == len(x)
    assert a.low <= a.median <= a.high


def test_bootstrap_median_of_identical_values_has_zero_width():
    m = bootstrap_median([4, 4, 4, 4])
    assert (m.median, m.low, m.high, m.n) == (4.0, 4.0, 4.0, 4)
    assert bootstrap_median([]).n == 0


def test_likert_medians_withhold_small_projects():
    table = likert_medians(survey(), ["sharing_power"], group_column="project_id", seed=3,
                           n_resamples=500)
    assert_no_small_counts(table)
    p03 = table.set_index("project_id").loc["P03"]
    assert (p03["n"], p03["median"], p03["ci_low"], p03["ci_high"]) == ("*", "*", "*", "*")
    p01 = table.set_index("project_id").loc["P01"]
    expected = np.median(survey().query("project_id == 'P01'")["sharing_power"])
    assert p01["median"] == f"{expected:.1f}"
    again = likert_medians(survey(), ["sharing_power"], group_column="project_id", seed=3,
                           n_resamples=500)
    pd.testing.assert_frame_equal(table, again)


def test_sentiment_summary_counts_tones_with_vader_cutoffs():
    scores = pd.DataFrame({"project_id": ["P01"] * 10 + ["P02"] * 3,
                           "compound": [0.5] * 6 + [0.05, 0.0, -0.049, -0.05] + [0.9, 0.1, -0.3]})
    exact = sentiment_summary(scores, policy=EXACT).set_index("project_id")
    # >= 0.05 positive, <= -0.05 negative (Hutto & Gilbert 2014)
    assert exact.loc["P01", ["positive", "neutral", "negative"]].tolist() == ["7", "2", "1"]
    assert exact.loc["P01", "mean"] == f"{np.mean(scores.compound[:10]):.2f}"
    shown = sentiment_summary(scores).set_index("project_id")
    assert_no_small_counts(shown.reset_index())
    assert shown.loc["P02", "mean"] == "*"


def test_sentiment_summary_rejects_scores_outside_range():
    with pytest.raises(ConfigError, match="between -1 and 1"):
        sentiment_summary(pd.DataFrame({"project_id": ["P01"], "compound": [1.5]}))


def test_theme_prevalence_counts_responses_once_and_suppresses():
    df = survey()
    coded = pd.DataFrame({"response_id": [f"P01-{i:03d}" for i in range(12)]
                          + ["P01-000", "P02-000", "P02-001"],
                          "theme_id": ["feeling_heard"] * 12 + ["feeling_heard", "safe_spaces",
                                                                 "safe_spaces"]})
    raw = theme_counts(coded, df).set_index(["project_id", "theme_id"])
    assert raw.loc[("P01", "feeling_heard"), "n"] == 12  # the repeated code counts once
    assert raw.loc[("P03", "safe_spaces"), "n"] == 0
    assert raw.loc[("P02", "safe_spaces"), "responses"] == 12
    shown = theme_prevalence(coded, df).set_index(["project_id", "theme_id"])
    assert_no_small_counts(shown.reset_index())
    assert shown.loc[("P01", "feeling_heard")].tolist() == ["10", "25%", "40"]
    assert shown.loc[("P02", "safe_spaces"), "n"] == "*"


def test_theme_counts_reject_unknown_response_ids():
    coded = pd.DataFrame({"response_id": ["X-1"], "theme_id": ["safe_spaces"]})
    with pytest.raises(ConfigError, match="'X-1', which is not in the responses"):
        theme_counts(coded, survey())

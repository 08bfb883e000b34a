"""Tests for evalkit.compare.tests_between: tests and effect sizes against references."""
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evalkit.compare.tests_between import (cliffs_delta, compare_groups, compare_projects,
                                           comparison_tables, describe_difference, dunn_pvalues)
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SuppressionPolicy

EXACT = SuppressionPolicy(enabled=False)


def long(groups: dict) -> pd.DataFrame:
    """Long frame (project_id, score) from {project: values}."""
    return pd.DataFrame([{"project_id": g, "score": v} for g, vs in groups.items() for v in vs])


def likert_groups(seed=5):
    """Three projects of 30, 12 and 9 answers with shifted distributions, and one of 4."""
    rng = np.random.default_rng(seed)
    return {"P01": rng.choice([3, 4, 5], 30, p=[0.2, 0.4, 0.4]).tolist(),
            "P02": rng.choice([1, 2, 3, 4], 12).tolist(),
            "P03": rng.choice([2, 3, 4, 5], 9).tolist(),
            "P04": [5, 5, 4, 1]}


def test_kruskal_wallis_matches_r_documented_example():
    # R ?kruskal.test, Hollander & Wolfe (1973) p. 116 mucociliary efficiency:
    # kruskal.test(list(x, y, z)) -> Kruskal-Wallis chi-squared = 0.77143, df = 2, p-value = 0.68
    groups = {"normal": [2.9, 3.0, 2.5, 2.6, 3.2], "airway": [3.8, 2.7, 4.0, 2.4],
              "asbestosis": [2.8, 3.4, 3.7, 2.2, 2.0]}
    result = compare_groups(long(groups), "score", policy=EXACT)
    omnibus = result.omnibus.iloc[0]
    assert omnibus["H"] == pytest.approx(0.77143, abs=5e-6)
    assert omnibus["df"] == 2 and omnibus["n"] == 14
    assert omnibus["p"] == pytest.approx(0.68, abs=0.005)


def test_pairwise_mann_whitney_matches_scipy_and_holm_matches_statsmodels():
    groups = likert_groups()
    result = compare_groups(long(groups), "score")
    assert result.excluded == ("P04",)  # 4 answers: below the policy's 8
    kept = {k: v for k, v in groups.items() if k != "P04"}
    h, p = stats.kruskal(*kept.values())
    assert result.omnibus.iloc[0][["H", "p"]].tolist() == pytest.approx([h, p])
    table = result.pairwise
    for row in table.itertuples():
        ref = stats.mannwhitneyu(kept[row.group_a], kept[row.group_b], alternative="two-sided")
        assert (row.statistic, row.p) == pytest.approx((ref.statistic, ref.pvalue))
        assert (row.n_a, row.n_b) == (len(kept[row.group_a]), len(kept[row.group_b]))
    assert table["p_holm"].tolist() == pytest.approx(
        multipletests(table["p"], method="holm")[1].tolist())


def test_holm_hand_computed_example():
    # Holm (1979), Scand J Statist 6:65-70, step-down: sort p, multiply the i-th smallest by
    # (m - i + 1), carry the running maximum. p = (.01, .04, .03, .005), m = 4:
    # .005*4 = .02, .01*3 = .03, .03*2 = .06, max(.04*1, .06) = .06
    adjusted = multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
    assert adjusted.tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_applied_to_the_pairwise_p_values_by_hand():
    table = compare_groups(long(likert_groups()), "score").pairwise
    p = table["p"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    stepped = np.maximum.accumulate([(m - i) * p[j] for i, j in enumerate(order)])
    expected = np.empty(m)
    expected[order] = np.minimum(stepped, 1)
    assert table["p_holm"].to_numpy() == pytest.approx(expected)


def test_cliffs_delta_matches_effsize_documented_example():
    # R effsize::cliff.delta(treatment, control) with its defaults (use.unbiased = TRUE,
    # use.normal = FALSE), example in the effsize package tests:
    # delta estimate: -0.25 (small); 95 percent confidence interval: -0.7265846 0.3890062
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    res = cliffs_delta(treatment, control)
    assert res.delta == -0.25 and res.magnitude == "small"
    assert (res.low, res.high) == pytest.approx((-0.7265846, 0.3890062), abs=1e-7)


def test_cliffs_delta_equals_rescaled_mann_whitney_u():
    # Cliff (1993), Psychol Bull 114:494-509: delta = 2U / (n1 n2) - 1, with U counting ties
    # as one half (scipy's U for the first sample).
    x, y = likert_groups()["P01"], likert_groups()["P02"]
    u = stats.mannwhitneyu(x, y).statistic
    assert cliffs_delta(x, y).delta == pytest.approx(2 * u / (len(x) * len(y)) - 1)
    consistent = cliffs_delta(x, y, variance="consistent", distribution="normal")
    assert consistent.low < consistent.delta < consistent.high


def test_cliffs_delta_needs_two_values_per_group():
    with pytest.raises(ConfigError, match="at least 2 values"):
        cliffs_delta([1], [2, 3])


def test_dunn_with_two_groups_equals_mann_whitney_normal_approximation():
    # With k = 2, Dunn's (1964) tie-corrected z on pooled ranks is the Mann-Whitney z without
    # continuity correction; reference scipy.stats.mannwhitneyu(method="asymptotic",
    # use_continuity=False).
    x, y = likert_groups()["P01"], likert_groups()["P03"]
    (_, p), = dunn_pvalues({"a": np.array(x), "b": np.array(y)}).values()
    ref = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=False)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)


def test_dunn_method_in_compare_groups():
    result = compare_groups(long(likert_groups()), "score", method="dunn")
    assert result.method == "dunn" and len(result.pairwise) == 3
    assert (result.pairwise["p_holm"] >= result.pairwise["p"]).all()


def test_summary_frame_keeps_n_beside_every_statistic_and_suppresses():
    result = compare_groups(long(likert_groups()), "score")
    frame = result.summary_frame()
    assert list(frame.columns[:5]) == ["item", "group_a", "n_a", "group_b", "n_b"]
    assert frame.set_index(["group_a", "group_b"]).loc[("P01", "P02"), "n_b"] == "10"
    for value in frame.to_numpy().ravel():
        assert not re.fullmatch(r"[1-7]", str(value))
    assert "P04" in result.summary() and "fewer than 8" in result.summary()
    assert "<table" in result._repr_html_()


def test_sentences_do_not_overclaim_for_small_groups():
    row = {"group_a": "P01", "group_b": "P02", "n_a": 8, "n_b": 14, "delta": 0.6,
           "delta_low": 0.1, "delta_high": 0.85, "p_holm": 0.01, "magnitude": "large"}
    text = describe_difference(row, "power was shared fairly", EXACT)
    assert text.endswith("With only 8 and 14 respondents this difference is uncertain; treat "
                         "it as a prompt for discussion, not a finding.")
    rounded = describe_difference(row, "power was shared fairly")
    assert "about 10 and about 15 respondents" in rounded


def test_sentences_describe_clear_differences_with_their_size_and_n():
    rng = np.random.default_rng(0)
    groups = {"P01": rng.choice([4, 5], 60).tolist(), "P02": rng.choice([1, 2, 3], 50).tolist()}
    result = compare_groups(long(groups), "score", policy=EXACT)
    (sentence,) = result.sentences()
    assert sentence.startswith("Respondents in P01 (60) tended to rate 'score' higher than "
                               "those in P02 (50); a large difference")
    assert "not everyone" in sentence


def test_compare_projects_runs_each_item_and_rejects_too_few_groups():
    df = long(likert_groups()).rename(columns={"score": "a"}).assign(b=lambda d: d["a"])
    results = compare_projects(df, ["a", "b"], labels={"a": "Power was shared"})
    assert list(results) == ["a", "b"]
    omnibus, pairs = comparison_tables(results)
    assert omnibus["question"].tolist() == ["Power was shared", "b"]
    assert omnibus["left out (too few answers)"].tolist() == ["P04", "P04"]
    assert omnibus["n"].tolist() == ["50", "50"]  # 30 + 12 + 9 = 51 answers, rounded
    assert len(pairs) == 6 and "Power was shared" in results["a"].sentences()[0]
    with pytest.raises(ConfigError, match="fewer than two projects"):
        compare_groups(long({"P01": [1, 2, 3] * 4, "P02": [1, 2]}), "score")
    with pytest.raises(ConfigError, match="method must be"):
        compare_groups(long(likert_groups()), "score", method="t-test")


# --- edges (issue 16)

def _effsize_cliff_delta(x, y, z):
    """effsize::cliff.delta (Torchiano, R/CliffDelta.R, "Naive" algorithm, use.unbiased=TRUE)
    ported line by line as the reference: for disjoint groups the variance and interval use
    d. = d (n1 n2 - 1) / (n1 n2), then the limit beyond d is set to +/-1."""
    x, y = np.sort(np.asarray(x, float)), np.sort(np.asarray(y, float))
    n1, n2 = len(x), len(y)
    dominance = np.sign(np.subtract.outer(x, y))
    d = dominance.mean()
    d_ = d * (n1 * n2 - 1) / (n1 * n2) if abs(d) == 1 else d
    d_i, d_j = dominance.mean(axis=1), dominance.mean(axis=0)
    ssr = ((dominance - d_) ** 2).sum()
    s_d = (n2**2 * ((d_i - d_) ** 2).sum() + n1**2 * ((d_j - d_) ** 2).sum() - ssr) \
        / (n1 * n2 * (n1 - 1) * (n2 - 1))
    root = z * np.sqrt(s_d) * np.sqrt((1 - d_**2) ** 2 + z**2 * s_d)
    low = (d_ - d_**3 - root) / (1 - d_**2 + z**2 * s_d)
    high = (d_ - d_**3 + root) / (1 - d_**2 + z**2 * s_d)
    return d, (low if d != -1 else -1.0), (high if d != 1 else 1.0)


@pytest.mark.parametrize("x, y, expected", [
    # effsize::cliff.delta(c(4, 5, 6), c(1, 2, 3)) -> delta 1, 95% CI 0.144 to 1
    ([4, 5, 6], [1, 2, 3], (1.0, 0.144, 1.0)),
    # effsize::cliff.delta(9:16, 1:8) -> delta 1, 95% CI 0.952 to 1
    (list(range(9, 17)), list(range(1, 9)), (1.0, 0.952, 1.0)),
    # and the mirror image
    ([1, 2, 3], [4, 5, 6], (-1.0, -1.0, -0.144)),
])
def test_cliffs_delta_for_groups_that_do_not_overlap_follows_effsize(x, y, expected):
    res = cliffs_delta(x, y)
    assert (res.delta, round(res.low, 3), round(res.high, 3)) == expected
    assert res.variance > 0 and res.low < res.high
    ref = _effsize_cliff_delta(x, y, -stats.t.ppf(0.025, len(x) + len(y) - 2))
    assert (res.delta, res.low, res.high) == pytest.approx(ref, abs=1e-12)


def test_disjoint_groups_do_not_give_a_zero_width_interval_in_sentences():
    groups = {"P01": [5] * 10 + [4] * 10, "P02": [1] * 10 + [2] * 10}
    (sentence,) = compare_groups(long(groups), "score", policy=EXACT).sentences()
    assert "interval 1.00 to 1.00" not in sentence
    assert re.search(r"95% interval 0\.9\d to 1\.00", sentence)  # 0.99x rounded outwards


def test_identical_answers_are_reported_as_not_tested():
    # R 4.2.2: kruskal.test(list(rep(4, 9), rep(4, 12), rep(4, 10)))
    #   -> Kruskal-Wallis chi-squared = NaN, df = 2, p-value = NA (H is 0/0). evalkit printed
    #   "H = nan (p nan)"; it keeps NaN in the numbers and says why in the text.
    groups = {"P01": [4] * 9, "P02": [4] * 12, "P03": [4] * 10}
    result = compare_groups(long(groups), "score", policy=EXACT)
    assert np.isnan(result.omnibus.iloc[0]["H"]) and result.pairwise.empty
    assert "nan" not in result.summary()
    assert result.summary().startswith("score: not tested across 3 projects, 31 answers. "
                                       "Every answer was 4")
    omnibus, pairs = comparison_tables({"score": result})
    assert omnibus.loc[0, ["H", "p"]].tolist() == ["not tested", "not tested"]
    assert pairs.empty and "nan" not in result._repr_html_()
    dunn = compare_groups(long(groups), "score", method="dunn", policy=EXACT)
    assert dunn.pairwise.empty and dunn.note

"""Tests for evalkit.synthesis.effect_sizes against published metafor ``escalc`` output.

Reference numbers and the R calls that produced them are in tests/results/results_meta.py.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import effectsize_2proportions, effectsize_smd

from evalkit.synthesis.effect_sizes import (
    EffectSizeError,
    hedges_correction,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    paired_effects,
    risk_difference,
    smcc,
    smcr,
    smd,
)
from evalkit.errors import DataValidationError, EvalkitError


def _load_results():
    """Import tests/results/results_meta.py by path (tests/ is not a package)."""
    path = Path(__file__).parent / "results" / "results_meta.py"
    spec = importlib.util.spec_from_file_location("evalkit_results_meta", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R = _load_results()
BCG = np.array([row[3:7] for row in R.BCG], dtype=float)


def _round(values, decimals=4):
    return np.round(np.asarray(values, dtype=float), decimals)


# --- standardised mean change (Morris 2008 example, metafor test_analysis_example_morris2008.r)

@pytest.mark.parametrize("group, expected", [(R.MORRIS_T, R.MORRIS_SMCR_T), (R.MORRIS_C, R.MORRIS_SMCR_C)])
def test_smcr_matches_metafor_morris2008(group, expected):
    # R: escalc(measure="SMCR", m1i=m_post, m2i=m_pre, sd1i=sd_pre, ni=ni, ri=ri, data=dat)
    es = smcr(group["m_post"], group["m_pre"], group["sd_pre"], group["ni"], group["ri"])
    np.testing.assert_array_equal(_round(es["yi"]), expected["yi"])
    np.testing.assert_array_equal(_round(es["vi"]), expected["vi"])


def test_smcr_difference_matches_morris2008_table1():
    # Morris (2008) Table 1 p. 368: d_ppc2 = SMCR(T) - SMCR(C), to 2 decimals
    t = smcr(R.MORRIS_T["m_post"], R.MORRIS_T["m_pre"], R.MORRIS_T["sd_pre"], R.MORRIS_T["ni"], R.MORRIS_T["ri"])
    c = smcr(R.MORRIS_C["m_post"], R.MORRIS_C["m_pre"], R.MORRIS_C["sd_pre"], R.MORRIS_C["ni"], R.MORRIS_C["ri"])
    np.testing.assert_array_equal(_round(t["yi"] - c["yi"], 2), R.MORRIS_SMCR_DIFF_2DP)


@pytest.mark.parametrize("group, expected", [(R.MORRIS_T, R.MORRIS_SMCC_T), (R.MORRIS_C, R.MORRIS_SMCC_C)])
def test_smcc_matches_metafor_morris2008(group, expected):
    # R: escalc(measure="SMCC", m1i=m_post, m2i=m_pre, sd1i=sd_post, sd2i=sd_pre, ni=ni, ri=ri)
    es = smcc(group["m_post"], group["m_pre"], group["sd_post"], group["sd_pre"], group["ni"], group["ri"])
    np.testing.assert_array_equal(_round(es["yi"]), expected["yi"])
    np.testing.assert_array_equal(_round(es["vi"]), expected["vi"])


def test_hedges_correction_exact_and_approximation():
    # Hedges (1981): c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)); c(19) by hand with
    # math.gamma; the familiar approximation 1 - 3/(4m - 1) agrees to < 1e-4 for m >= 20.
    import math
    m = 19
    exact = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))
    assert hedges_correction([m])[0] == pytest.approx(exact, rel=1e-12)
    ms = np.arange(20, 400)
    assert np.max(np.abs(hedges_correction(ms) - (1 - 3 / (4 * ms - 1)))) < 1e-4
    assert np.isnan(hedges_correction([1])[0])


def test_correct_false_gives_uncorrected_standardised_change():
    es = smcr([38.5], [30.6], [15.0], [20], [0.47], correct=False)
    assert es["yi"][0] == pytest.approx((38.5 - 30.6) / 15.0, rel=1e-15)


# --- SMD / MD (Normand 1999 example)

def test_smd_matches_statsmodels_and_metafor_reml_tau2():
    from evalkit.synthesis import random_effects
    d = {k: np.array(v[:4], dtype=float) for k, v in R.NORMAND.items()}
    es = smd(d["m1i"], d["sd1i"], d["n1i"], d["m2i"], d["sd2i"], d["n2i"])
    # statsmodels effectsize_smd standardises by the same pooled SD but uses the approximate
    # factor J = 1 - 3 / (4 (n1 + n2) - 9); undo ours and apply theirs to compare exactly.
    g, _ = effectsize_smd(d["m1i"], d["sd1i"], d["n1i"], d["m2i"], d["sd2i"], d["n2i"])
    d_raw = smd(d["m1i"], d["sd1i"], d["n1i"], d["m2i"], d["sd2i"], d["n2i"], correct=False)["yi"]
    np.testing.assert_allclose(d_raw * (1 - 3 / (4 * (d["n1i"] + d["n2i"]) - 9)), g, rtol=1e-12)
    np.testing.assert_allclose(es["yi"], g, rtol=1e-4)
    # R: rma(measure="SMD", ..., data=dat.normand1999, subset=1:4)$tau2 = 1.0090
    assert round(random_effects(es["yi"], es["vi"]).tau2, 4) == R.NORMAND_SMD_1TO4_REML_TAU2


def test_mean_difference_matches_normand1999_table_viii():
    d = {k: np.array(v, dtype=float) for k, v in R.NORMAND.items()}
    sdp = np.sqrt(((d["n1i"] - 1) * d["sd1i"] ** 2 + (d["n2i"] - 1) * d["sd2i"] ** 2) / (d["n1i"] + d["n2i"] - 2))
    es = mean_difference(d["m1i"], sdp, d["n1i"], d["m2i"], sdp, d["n2i"])
    np.testing.assert_array_equal(es["yi"], R.NORMAND_MD_YI)
    np.testing.assert_array_equal(_round(es["vi"], 2), R.NORMAND_MD_VI_2DP)


# --- 2x2 tables

def test_log_risk_ratio_matches_metafor_bcg():
    # R: escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    es = log_risk_ratio(*BCG.T)
    np.testing.assert_array_equal(_round(es["yi"]), R.BCG_RR_YI)
    np.testing.assert_array_equal(_round(es["vi"]), R.BCG_RR_VI)


def test_risk_difference_matches_normand1999_table_iii():
    # R: escalc(measure="RD", n1i=n1i, n2i=n2i, ai=ai, ci=ci, data=dat.hine1989)
    h = {k: np.array(v, dtype=float) for k, v in R.HINE.items()}
    es = risk_difference(h["ai"], h["n1i"] - h["ai"], h["ci"], h["n2i"] - h["ci"])
    np.testing.assert_array_equal(_round(es["yi"] * 100), R.HINE_RD_YI_PCT)
    np.testing.assert_array_equal(_round(es["vi"] * 100**2), R.HINE_RD_VI_PCT2)


@pytest.mark.parametrize("func, statistic", [
    (log_odds_ratio, "odds-ratio"), (log_risk_ratio, "risk-ratio"), (risk_difference, "diff")])
def test_two_by_two_with_zero_cells_matches_statsmodels_half_correction(func, statistic):
    # escalc(add=1/2, to="only0") adds 0.5 to all four cells of tables with a zero cell only;
    # statsmodels effectsize_2proportions(zero_correction=0.5) applies the same rule.
    # Every table has a zero cell: statsmodels adds the 0.5 to the counts of all tables but to
    # the group sizes only of tables with a zero, so tables without zeros are not comparable.
    ai = np.array([0, 4, 12, 3]); bi = np.array([20, 16, 0, 17])
    ci = np.array([5, 0, 10, 6]); di = np.array([15, 20, 10, 0])
    es = func(ai, bi, ci, di)
    eff, var = effectsize_2proportions(ai, ai + bi, ci, ci + di, statistic=statistic, zero_correction=0.5)
    np.testing.assert_allclose(es["yi"], eff, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(es["vi"], var, rtol=1e-12)


def test_zero_cell_correction_only_touches_tables_with_a_zero():
    es = log_odds_ratio([0, 4], [20, 16], [5, 6], [15, 14])
    assert es["yi"][0] == pytest.approx(np.log(0.5 * 15.5 / (20.5 * 5.5)))
    assert es["yi"][1] == pytest.approx(np.log(4 * 14 / (16 * 6)))
    uncorrected = log_odds_ratio([0], [20], [5], [15], to="none")
    assert np.isnan(uncorrected["yi"][0])


def test_log_odds_ratio_feeds_metafor_bcg_fe_result():
    from evalkit.synthesis import random_effects
    es = log_odds_ratio(*BCG.T)
    res = random_effects(es["yi"], es["vi"], method="FE")
    # R: rma(yi, vi, data=escalc(measure="OR", ...), method="FE")  (metan comparison)
    assert round(res.estimate, 4) == R.BCG_OR_FE["estimate"]
    assert round(res.q, 4) == R.BCG_OR_FE["q"]


# --- paired_effects from raw data

def _raw_pairs():
    """Two projects' raw before/after scores, including an incomplete and a text row."""
    return pd.DataFrame({
        "project_id": ["P01"] * 6 + ["P02"] * 5,
        "wellbeing_before": [20, 22, 25, 18, 30, None, 15, 17, 21, 19, "n/a"],
        "wellbeing_after": [24, 23, 29, 20, 31, 25, 16, 21, 22, 24, 23],
    })


def test_paired_effects_equals_escalc_on_the_same_summaries():
    df = _raw_pairs()
    out = paired_effects(df, "wellbeing_before", "wellbeing_after", "project_id").summary_frame()
    assert list(out["project"]) == ["P01", "P02"]
    assert list(out["n"]) == [5, 4]
    assert list(out["n_excluded"]) == [1, 1]
    before = np.array([20, 22, 25, 18, 30.0]); after = np.array([24, 23, 29, 20, 31.0])
    r = np.corrcoef(before, after)[0, 1]
    expected = smcr(after.mean(), before.mean(), before.std(ddof=1), 5, r)
    assert out.loc[0, "yi"] == pytest.approx(expected["yi"][0], rel=1e-12)
    assert out.loc[0, "vi"] == pytest.approx(expected["vi"][0], rel=1e-12)
    assert out.loc[0, "ci_low"] == pytest.approx(expected["yi"][0] - 1.959963984540054 * np.sqrt(expected["vi"][0]))
    assert any("'n/a' is not a number" in p for p in out.attrs["quarantined"])


def test_paired_effects_smcc_option():
    out = paired_effects(_raw_pairs(), "wellbeing_before", "wellbeing_after", "project_id", measure="smcc").summary_frame()
    before = np.array([15, 17, 21, 19.0]); after = np.array([16, 21, 22, 24.0])
    r = np.corrcoef(before, after)[0, 1]
    expected = smcc(after.mean(), before.mean(), after.std(ddof=1), before.std(ddof=1), 4, r)
    assert out.loc[1, "yi"] == pytest.approx(expected["yi"][0], rel=1e-12)


def test_paired_effects_reports_missing_column_and_small_groups():
    df = _raw_pairs()
    with pytest.raises(DataValidationError) as err:
        paired_effects(df, "wellbeing_pre", "wellbeing_after", "project_id", source="outcomes.csv").summary_frame()
    assert "outcomes.csv:1:wellbeing_pre:" in str(err.value)
    tiny = df.iloc[:8]
    with pytest.raises(DataValidationError) as err:
        paired_effects(tiny, "wellbeing_before", "wellbeing_after", "project_id", source="outcomes.csv").summary_frame()
    assert "project 'P02' has 2 people" in str(err.value)
    assert "outcomes.csv:8:project_id:" in str(err.value)


def test_paired_effects_rejects_constant_before_scores():
    df = pd.DataFrame({"g": ["A"] * 4, "b": [10, 10, 10, 10], "a": [11, 12, 13, 12]})
    with pytest.raises(DataValidationError, match="every value of 'b' is the same"):
        paired_effects(df, "b", "a", "g").summary_frame()


# --- input errors

def test_length_mismatch_names_every_argument():
    with pytest.raises(EffectSizeError, match=r"m_after=2, m_before=3"):
        smcr([1, 2], [1, 2, 3], [1, 1, 1], [10, 10, 10], [0.5, 0.5, 0.5])


def test_invalid_inputs_raise_evalkit_errors_naming_the_study():
    with pytest.raises(EvalkitError, match=r"study 2"):
        smcr([1, 2], [0, 0], [1, 0], [10, 10], [0.5, 0.5])
    with pytest.raises(EffectSizeError, match=r"\[-1, 1\]"):
        smcr([1], [0], [1], [10], [1.5])
    with pytest.raises(EffectSizeError, match="negative"):
        log_risk_ratio([-1], [2], [3], [4])
    with pytest.raises(EffectSizeError, match="numbers only"):
        smd(["a"], [1], [10], [0], [1], [10])
    with pytest.raises(EffectSizeError, match="Unknown measure"):
        paired_effects(_raw_pairs(), "wellbeing_before", "wellbeing_after", "project_id", measure="SMD").summary_frame()


def test_paired_effects_is_independent_of_row_order():
    df = _raw_pairs()
    shuffled = df.sample(frac=1.0, random_state=7).reset_index(drop=True)
    a = paired_effects(df, "wellbeing_before", "wellbeing_after", "project_id").summary_frame()
    b = paired_effects(shuffled, "wellbeing_before", "wellbeing_after", "project_id").summary_frame()
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


# --- edges (issue 16)

CONSTANT_AFTER = pd.DataFrame({"g": ["A"] * 5, "b": [10, 12, 14, 13, 11], "a": [15] * 5})


def test_paired_effects_smcr_refuses_constant_after_scores():
    # r is 0/0 when every after-score is the same; the old code used r = 0 silently, giving
    # vi = 0.6292 (R: escalc("SMCR", ..., ri=0)), a number with no basis.
    with pytest.raises(DataValidationError, match="every value of 'a' is the same, so the "
                                                  "before/after correlation is undefined"):
        paired_effects(CONSTANT_AFTER, "b", "a", "g").summary_frame()


def test_paired_effects_smcc_with_constant_after_scores_needs_no_r():
    # R: escalc("SMCC", m1i=15, m2i=12, sd1i=0, sd2i=sd(c(10, 12, 14, 13, 11)), ni=5, ri=r)
    #    gives yi 1.5138795132, vi 0.4291831181 for ri = 0 and ri = 0.5 alike (metafor 3.8-1).
    out = paired_effects(CONSTANT_AFTER, "b", "a", "g", measure="SMCC").summary_frame()
    assert np.isnan(out.loc[0, "r"])
    assert out.loc[0, "yi"] == pytest.approx(1.5138795132, abs=1e-10)
    assert out.loc[0, "vi"] == pytest.approx(0.4291831181, abs=1e-10)


def test_smd_with_too_few_people_for_hedges_correction_raises():
    # n1 + n2 - 2 = 1 degree of freedom: c(1) is undefined and R's
    # escalc("SMD", m1i=1, sd1i=1, n1i=1, m2i=2, sd2i=1, n2i=2) returns yi = NA, vi = NA.
    # evalkit returned NaN silently; now it says why and how to fix it.
    with pytest.raises(EffectSizeError, match="at least four people .* correct=False"):
        smd([1], [1], [1], [2], [1], [2])
    uncorrected = smd([1], [1], [1], [2], [1], [2], correct=False)
    assert uncorrected["yi"].tolist() == [-1.0]
    assert uncorrected["vi"].tolist() == pytest.approx([1 + 1 / 2 + 1 / 6])


def test_effects_where_possible_leave_out_groups_without_one_and_say_why():
    from evalkit.synthesis.effect_sizes import paired_effects, paired_effects_where_possible

    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2 + ["c"] * 3,
                       "pre": [10, 12, 14, 11, 10, 11, 5, 5, 5], "post": [12, 15, 15, 14, 11, 12, 6, 7, 8]})
    effects, reasons = paired_effects_where_possible(df, "pre", "post", "g")
    assert effects["project"].tolist() == ["a"]
    pd.testing.assert_frame_equal(effects, paired_effects(df[df["g"] == "a"], "pre", "post", "g").summary_frame())
    assert "has 2 people with both" in reasons["b"] and "is the same" in reasons["c"]

"""Tests for evalkit.synthesis and evalkit.synthesis.forest against published metafor output.

Reference numbers and the R calls that produced them are in tests/results/results_meta.py
(BCG vaccine data: metafor README, Viechtbauer 2010 JSS, metafor's own tests; Normand 1999).
"""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from evalkit.synthesis.effect_sizes import log_risk_ratio, mean_difference, risk_difference
from evalkit.errors import EvalkitError
from evalkit.figures import FigureWithAlt
from evalkit.synthesis.forest import forest_alt_text, forest_plot
from evalkit.synthesis import (
    METHODS,
    MetaAnalysisError,
    MetaResult,
    leave_one_out,
    random_effects,
    subgroup_analysis,
)


def _load_results():
    """Import tests/results/results_meta.py by path (tests/ is not a package)."""
    path = Path(__file__).parent / "results" / "results_meta.py"
    spec = importlib.util.spec_from_file_location("evalkit_results_meta", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R = _load_results()
BCG = np.array([row[3:7] for row in R.BCG], dtype=float)
BCG_ES = log_risk_ratio(*BCG.T)
YI, VI = BCG_ES["yi"].to_numpy(), BCG_ES["vi"].to_numpy()
LABELS = [f"{row[1]} {row[2]}" for row in R.BCG]
ALLOC = [row[8] for row in R.BCG]


def _check(result: MetaResult, expected: dict, decimals: int = 4) -> None:
    """Compare every named field, rounded as metafor prints it."""
    for name, value in expected.items():
        assert round(getattr(result, name), decimals) == pytest.approx(value, abs=1e-12), name


# --- BCG: metafor rma() for every method

def test_fe_matches_metafor_bcg():
    # R: rma(yi, vi, data=dat, method="FE")
    res = random_effects(YI, VI, method="FE")
    _check(res, R.BCG_FE)
    assert res.tau2 == 0.0 and res.q_df == 12
    # R: predict(res, transf=exp)
    assert round(np.exp(res.estimate), 4) == R.BCG_FE_EXP["pred"]
    assert round(np.exp(res.ci_low), 4) == R.BCG_FE_EXP["ci_low"]
    assert round(np.exp(res.ci_high), 4) == R.BCG_FE_EXP["ci_high"]


def test_dl_matches_metafor_bcg():
    # R: rma(yi, vi, data=dat, method="DL")
    res = random_effects(YI, VI, method="DL")
    _check(res, R.BCG_DL)
    assert round(np.exp(res.estimate), 4) == R.BCG_DL_EXP["pred"]
    assert round(np.exp(res.ci_low), 4) == R.BCG_DL_EXP["ci_low"]
    assert round(np.exp(res.ci_high), 4) == R.BCG_DL_EXP["ci_high"]


def test_reml_matches_metafor_bcg():
    # R: rma(yi, vi, data=dat)  -- Viechtbauer (2010) JSS print-out
    res = random_effects(YI, VI)
    assert res.method == "REML"
    _check(res, {k: v for k, v in R.BCG_REML.items() if k not in ("i2", "h2")})
    assert round(res.i2, 2) == R.BCG_REML["i2"]
    assert round(res.h2, 2) == R.BCG_REML["h2"]
    assert res.p_value < 1e-4
    # R: predict(res, transf=exp, digits=2): pi 0.15 to 1.55 (normal quantile, as test="z")
    assert round(np.exp(res.pi_low), 2) == R.BCG_REML_PI_EXP_2DP["pi_low"]
    assert round(np.exp(res.pi_high), 2) == R.BCG_REML_PI_EXP_2DP["pi_high"]


def test_reml_knapp_hartung_matches_metafor_readme():
    # R: rma(yi, vi, data=dat, test="knha")
    res = random_effects(YI, VI, method="REML", knapp_hartung=True)
    _check(res, {k: v for k, v in R.BCG_REML_KNHA.items() if k not in ("i2", "h2", "df")})
    assert res.df == R.BCG_REML_KNHA["df"]
    assert round(res.i2, 2) == R.BCG_REML_KNHA["i2"]
    # R: predict(res, transf=exp, digits=2) -> 0.49 [0.33, 0.73], pi 0.14 to 1.76 (t, 12 df)
    exp2 = {k: round(float(np.exp(getattr(res, "estimate" if k == "pred" else k))), 2)
            for k in R.BCG_REML_KNHA_EXP_2DP}
    assert exp2 == R.BCG_REML_KNHA_EXP_2DP


def test_pm_matches_metafor_iterated_estimators_and_statsmodels():
    # R: rma(yi, vi, data=dat, method="DLIT")$tau2 = 0.3181 (fixed point of Q(tau2) = k - 1)
    res = random_effects(YI, VI, method="PM")
    assert round(res.tau2, 4) == R.BCG_PM_TAU2
    # statsmodels combine_effects(method_re="iterated") is Paule-Mandel
    sm = combine_effects(YI, VI, method_re="iterated")
    assert res.tau2 == pytest.approx(sm.tau2, rel=1e-8)
    assert res.estimate == pytest.approx(sm.mean_effect_re, rel=1e-8)
    assert res.se == pytest.approx(sm.sd_eff_w_re, rel=1e-8)


@pytest.mark.parametrize("method, sm_method", [("FE", "chi2"), ("DL", "chi2")])
def test_fe_and_dl_match_statsmodels_combine_effects(method, sm_method):
    sm = combine_effects(YI, VI, method_re=sm_method)
    res = random_effects(YI, VI, method=method)
    frame = sm.summary_frame()
    row = "fixed effect" if method == "FE" else "random effect"
    assert res.estimate == pytest.approx(frame.loc[row, "eff"], rel=1e-10)
    assert res.se == pytest.approx(frame.loc[row, "sd_eff"], rel=1e-10)
    assert res.ci_low == pytest.approx(frame.loc[row, "ci_low"], rel=1e-10)
    assert res.q == pytest.approx(sm.q, rel=1e-12)
    if method == "DL":
        assert res.tau2 == pytest.approx(sm.tau2, rel=1e-10)
        assert res.i2 == pytest.approx(100 * sm.i2, rel=1e-10)


def test_or_and_rd_measures_match_metafor_bcg():
    from evalkit.synthesis.effect_sizes import log_odds_ratio
    es = log_odds_ratio(*BCG.T)
    _check(random_effects(es["yi"], es["vi"], method="FE"), R.BCG_OR_FE)
    _check(random_effects(es["yi"], es["vi"], method="DL"), R.BCG_OR_DL)
    rd = risk_difference(*BCG.T)
    _check(random_effects(rd["yi"], rd["vi"], method="FE"), R.BCG_RD_FE)
    _check(random_effects(rd["yi"], rd["vi"], method="DL"), R.BCG_RD_DL)


def test_normand1999_md_all_methods():
    # Normand (1999) Table IX p. 352, via metafor test_analysis_example_normand1999.r
    d = {k: np.array(v, dtype=float) for k, v in R.NORMAND.items()}
    sdp = np.sqrt(((d["n1i"] - 1) * d["sd1i"] ** 2 + (d["n2i"] - 1) * d["sd2i"] ** 2) / (d["n1i"] + d["n2i"] - 2))
    es = mean_difference(d["m1i"], sdp, d["n1i"], d["m2i"], sdp, d["n2i"])
    _check(random_effects(es["yi"], es["vi"], method="FE"), R.NORMAND_MD_FE_2DP, 2)
    _check(random_effects(es["yi"], es["vi"], method="DL"), R.NORMAND_MD_DL_2DP, 2)
    _check(random_effects(es["yi"], es["vi"], method="REML"), R.NORMAND_MD_REML_2DP, 2)


def test_hine1989_rd_fe_matches_normand_table_vii():
    h = {k: np.array(v, dtype=float) for k, v in R.HINE.items()}
    es = risk_difference(h["ai"], h["n1i"] - h["ai"], h["ci"], h["n2i"] - h["ci"])
    res = random_effects(es["yi"] * 100, es["vi"] * 100**2, method="FE")
    assert round(res.estimate, 2) == R.HINE_RD_FE["estimate_2dp"]
    assert round(res.ci_low, 1) == R.HINE_RD_FE["ci_low_1dp"]
    assert round(res.ci_high, 1) == R.HINE_RD_FE["ci_high_1dp"]
    # REML and DL truncate the negative tau2 at zero (Table VII: tau2 = 0.000)
    for method in ("REML", "DL", "PM"):
        r = random_effects(es["yi"] * 100, es["vi"] * 100**2, method=method)
        assert r.tau2 == 0.0 and r.i2 == 0.0
        assert r.estimate == pytest.approx(res.estimate, rel=1e-12)


def test_reml_converges_tightly():
    # At the REML solution the score equation y'PPy = tr(P) holds (Viechtbauer 2005, eq. 9).
    res = random_effects(YI, VI)
    w = 1 / (VI + res.tau2)
    mu = np.sum(w * YI) / np.sum(w)
    tr_p = w.sum() - (w**2).sum() / w.sum()
    assert np.sum((w * (YI - mu)) ** 2) == pytest.approx(tr_p, rel=1e-9)
    assert 0 < res.iterations < 50


def test_tau2_and_i2_never_negative_with_homogeneous_data():
    yi = np.array([0.30, 0.31, 0.29, 0.30])
    vi = np.array([0.04, 0.05, 0.03, 0.04])
    for method in METHODS:
        res = random_effects(yi, vi, method=method)
        assert res.tau2 == 0.0 and res.i2 == 0.0 and res.h2 >= 0
        assert res.pi_low == pytest.approx(res.ci_low)


def test_weights_sum_to_100_and_result_is_immutable():
    res = random_effects(YI, VI)
    assert sum(res.weights) == pytest.approx(100.0)
    with pytest.raises(Exception):
        res.estimate = 0  # type: ignore[misc]


def test_results_are_deterministic():
    a = random_effects(YI, VI, method="PM", knapp_hartung=True)
    b = random_effects(list(YI), list(VI), method="pm", knapp_hartung=True)
    assert a == b
    assert a.summary() == b.summary()


def test_level_changes_intervals():
    # 90% z interval: estimate +/- 1.6449 se
    res = random_effects(YI, VI, level=0.90)
    assert res.ci_high - res.estimate == pytest.approx(1.6448536269514722 * res.se, rel=1e-12)


# --- display

def test_summary_text_reads_like_metafor():
    text = random_effects(YI, VI, knapp_hartung=True).summary()
    assert "Random-Effects Model (k = 13; tau^2 estimator: REML)" in text
    assert "Q(df = 12) = 152.2330, p-val < .0001" in text
    assert "-0.7145  0.1808  -3.9522  12  0.0019  -1.1084  -0.3206" in text
    assert "I^2 (total heterogeneity / total variability):   92.22%" in text
    fe = random_effects(YI, VI, method="FE").summary()
    assert fe.startswith("Fixed-Effects Model (k = 13)") and "tau^2" not in fe.split("\n")[2]


def test_summary_frame_and_html():
    res = random_effects(YI, VI)
    frame = res.summary_frame()
    assert list(frame.index) == ["pooled"]
    assert frame.loc["pooled", "tau2"] == res.tau2
    page = res._repr_html_()
    assert "<caption>Random-effects (restricted maximum likelihood) meta-analysis of 13 studies</caption>" in page
    assert '<th scope="row">estimate</th><td>-0.7145</td>' in page


# --- leave-one-out and subgroups

def test_leave_one_out_matches_refitting_by_hand():
    loo = leave_one_out(YI, VI, LABELS, method="REML").summary_frame()
    assert list(loo.index) == LABELS and loo.index.name == "omitted"
    for i in (0, 7, 12):
        keep = np.arange(len(YI)) != i
        ref = random_effects(YI[keep], VI[keep])
        assert loo.iloc[i]["estimate"] == ref.estimate
        assert loo.iloc[i]["tau2"] == ref.tau2
        assert loo.iloc[i]["pi_high"] == ref.pi_high


def test_leave_one_out_errors():
    with pytest.raises(MetaAnalysisError, match="at least 3"):
        leave_one_out(YI[:2], VI[:2], LABELS[:2]).summary_frame()
    with pytest.raises(MetaAnalysisError, match="labels has 3 entries"):
        leave_one_out(YI, VI, LABELS[:3]).summary_frame()


def test_subgroup_fixed_effect_partitions_q():
    # Borenstein et al. (2009) ch. 19: with fixed-effect weights Q_total = Q_between + sum Q_within.
    sub = subgroup_analysis(YI, VI, ALLOC, method="FE")
    total = random_effects(YI, VI, method="FE").q
    within = sum(r.q for r in sub.results.values())
    assert sub.q_between + within == pytest.approx(total, rel=1e-12)
    assert sub.df == 2 and list(sub.results) == ["random", "alternate", "systematic"]


def test_subgroup_random_effects_per_group_and_between_test():
    sub = subgroup_analysis(YI, VI, ALLOC, method="REML")
    mask = np.array(ALLOC) == "systematic"
    assert sub.results["systematic"] == random_effects(YI[mask], VI[mask])
    est = np.array([r.estimate for r in sub.results.values()])
    w = 1 / np.array([r.se for r in sub.results.values()]) ** 2
    q = np.sum(w * (est - np.sum(w * est) / w.sum()) ** 2)
    assert sub.q_between == pytest.approx(q, rel=1e-12)
    from scipy import stats
    assert sub.p_value == pytest.approx(stats.chi2.sf(q, 2), rel=1e-12)
    frame = sub.summary_frame()
    assert list(frame["k"]) == [7, 2, 4]
    assert "Test for subgroup differences: Q_between(df = 2)" in sub.summary()
    assert "<caption>Subgroup analysis" in sub._repr_html_()


def test_subgroup_with_single_study_group_uses_that_study():
    groups = ["a"] * 12 + ["b"]
    sub = subgroup_analysis(YI, VI, groups)
    assert sub.results["b"].estimate == YI[-1]
    assert sub.results["b"].se == pytest.approx(np.sqrt(VI[-1]))
    assert "Note: 1 of 2 subgroups have one study (b)" in sub.summary()
    assert subgroup_analysis(YI, VI, ALLOC).single_study_note() == ""


def test_subgroup_errors():
    with pytest.raises(MetaAnalysisError, match="at least two different groups"):
        subgroup_analysis(YI, VI, ["x"] * 13)
    with pytest.raises(MetaAnalysisError, match="missing for study 2"):
        subgroup_analysis(YI[:3], VI[:3], ["x", None, "y"])


# --- input errors

@pytest.mark.parametrize("kwargs, message", [
    (dict(yi=[0.1, 0.2], vi=[0.1]), "yi has 2 values but vi has 1"),
    (dict(yi=[0.1, 0.2], vi=[0.1, 0.0]), r"study 2 has 0"),
    (dict(yi=[0.1, 0.2], vi=[0.1, -0.2]), "positive"),
    (dict(yi=[0.1], vi=[0.1]), "at least 2 studies"),
    (dict(yi=[0.1, 0.2], vi=[0.1, 0.1], method="HS"), "Unknown method 'HS'"),
    (dict(yi=[0.1, float("nan")], vi=[0.1, 0.1]), "yi is missing or infinite for study 2"),
    (dict(yi=[0.1, 0.2], vi=[0.1, 0.1], level=95), "between 0 and 1"),
    (dict(yi=["a", "b"], vi=[0.1, 0.1]), "numbers only"),
])
def test_user_errors_are_evalkit_errors_with_fixes(kwargs, message):
    with pytest.raises(MetaAnalysisError, match=message) as err:
        random_effects(**kwargs)
    assert isinstance(err.value, EvalkitError)


# --- forest plot

PROJECTS = ["Healthy Homes", "Minds in Common", "Carers Voice", "Peer Support Plus",
            "Walk and Talk", "Digital Inclusion", "Food Futures", "Young Advisors"]
P_YI = np.array([-0.21, 0.64, 0.30, 0.25, 0.40, 0.10, 0.35, 0.50])
P_VI = np.array([0.03, 0.05, 0.02, 0.04, 0.03, 0.06, 0.02, 0.05])


def test_forest_plot_returns_figure_with_data_driven_alt_text():
    res = random_effects(P_YI, P_VI)
    fig = forest_plot(res, P_YI, P_VI, PROJECTS, effect_label="Standardised mean change")
    assert isinstance(fig, FigureWithAlt)
    expected = (
        f"Forest plot of 8 projects. Effects range from -0.21 (Healthy Homes) to 0.64 "
        f"(Minds in Common). Combined estimate {res.estimate:.2f} (95% CI {res.ci_low:.2f} to "
        f"{res.ci_high:.2f}); prediction interval {res.pi_low:.2f} to {res.pi_high:.2f}, so a "
        f"new project could plausibly see no benefit."
    )
    assert fig.alt.startswith(expected)
    assert f"I² = {res.i2:.0f}%" in fig.alt
    ax = fig.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:8] == PROJECTS
    assert labels[8:] == ["Random effects (REML): combined", "95% prediction interval"]
    assert ax.get_xlabel().startswith("Standardised mean change")


def test_forest_plot_squares_scale_with_weight():
    res = random_effects(P_YI, P_VI)
    fig = forest_plot(res, P_YI, P_VI, PROJECTS)
    squares = fig.figure.axes[0].collections[1]
    sizes = np.asarray(squares.get_sizes())
    w = 1 / (P_VI + res.tau2)
    assert np.argmax(sizes) == np.argmax(w) and np.argmin(sizes) == np.argmin(w)


def test_forest_alt_text_direction_phrases():
    benefit = random_effects([0.5, 0.6, 0.55, 0.52], [0.01, 0.01, 0.01, 0.01])
    assert "would be expected to see a benefit" in forest_alt_text(benefit, [0.5, 0.6, 0.55, 0.52], list("ABCD"))
    assert "worse outcomes" in forest_alt_text(benefit, [0.5, 0.6, 0.55, 0.52], list("ABCD"), higher_is_better=False)
    fe = random_effects(P_YI, P_VI, method="FE")
    assert "fixed-effect model" in forest_alt_text(fe, P_YI, PROJECTS)


def test_forest_plot_svg_is_byte_identical_across_runs():
    def render() -> bytes:
        res = random_effects(P_YI, P_VI, knapp_hartung=True)
        fig = forest_plot(res, P_YI, P_VI, PROJECTS, sort=True)
        buf = io.BytesIO()
        fig.figure.savefig(buf, format="svg", metadata={"Date": None})
        import matplotlib.pyplot as plt
        plt.close(fig.figure)
        return buf.getvalue()
    assert render() == render()


def test_forest_plot_rejects_mismatched_inputs():
    res = random_effects(P_YI, P_VI)
    with pytest.raises(MetaAnalysisError, match="pass the same yi, vi and labels"):
        forest_plot(res, P_YI, P_VI, PROJECTS[:7])


# --- edges (issue 16): reference numbers from metafor 3.8-1, R calls in results_meta.py

def _reml_loglik(y, v, tau2):
    from evalkit.synthesis.tau2 import reml_loglik
    return reml_loglik(y, v, tau2)


def test_reml_loglik_is_metafors_restricted_loglik():
    for y, v, ref in [(R.SUBGROUP_Y, R.SUBGROUP_V, R.SUBGROUP_REML),
                      (R.SUBGROUP_Y, R.SUBGROUP_V, R.SUBGROUP_LOCAL),
                      (R.OSCILLATE_Y, R.OSCILLATE_V, R.OSCILLATE_REML)]:
        assert _reml_loglik(y, v, ref["tau2"]) == pytest.approx(ref["loglik"], abs=1e-8)


def test_reml_takes_the_boundary_when_it_beats_a_local_maximum():
    # Fisher scoring from the moment start stopped at tau2 = 0.0241 (logLik -0.0863);
    # metafor warns and sets tau2 = 0, where logLik is 0.3043.
    res = random_effects(R.LOCAL_MAX_Y, R.LOCAL_MAX_V, "REML")
    assert res.tau2 == 0.0
    assert res.estimate == pytest.approx(R.LOCAL_MAX_REML["estimate"], abs=1e-9)
    assert res.se == pytest.approx(R.LOCAL_MAX_REML["se"], abs=1e-9)
    assert _reml_loglik(R.LOCAL_MAX_Y, R.LOCAL_MAX_V, 0.0) == pytest.approx(R.LOCAL_MAX_REML["loglik"], abs=1e-8)
    assert _reml_loglik(R.LOCAL_MAX_Y, R.LOCAL_MAX_V, 0.024105116) == pytest.approx(R.LOCAL_MAX_LOGLIK_AT_0241, abs=1e-8)


def test_reml_finds_the_global_maximum_in_a_subgroup():
    # metafor's default fit stops at tau2 0.8503 (logLik -3.3302); started near 0.01 it finds
    # tau2 0.0207 with the higher logLik -3.1810.
    y = np.array(R.SUBGROUP_Y + [0.2, 0.25, 0.3])
    v = np.array(R.SUBGROUP_V + [0.01, 0.02, 0.03])
    sub = subgroup_analysis(y, v, ["a"] * 3 + ["b"] * 3, method="REML")
    res = sub.results["a"]
    assert res.tau2 == pytest.approx(R.SUBGROUP_REML["tau2"], rel=1e-6)
    assert res.estimate == pytest.approx(R.SUBGROUP_REML["estimate"], abs=1e-7)
    assert res.se == pytest.approx(R.SUBGROUP_REML["se"], abs=1e-7)
    assert _reml_loglik(R.SUBGROUP_Y, R.SUBGROUP_V, res.tau2) > R.SUBGROUP_LOCAL["loglik"]


def test_reml_converges_where_fisher_scoring_oscillates():
    res = random_effects(R.OSCILLATE_Y, R.OSCILLATE_V, "REML")
    assert res.tau2 == pytest.approx(R.OSCILLATE_REML["tau2"], rel=1e-6)
    assert res.estimate == pytest.approx(R.OSCILLATE_REML["estimate"], abs=1e-8)
    assert res.se == pytest.approx(R.OSCILLATE_REML["se"], abs=1e-8)


def test_reml_returns_with_a_cancelling_tiny_variance():
    import signal

    def too_slow(*_):
        raise TimeoutError("REML did not return within 10 s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        res = random_effects(R.HANG_Y, R.HANG_V, "REML")
        loo = leave_one_out(R.HANG_Y + [0.2], R.HANG_V + [0.5], list("abcd")).summary_frame()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert res.tau2 == R.HANG_REML["tau2"]
    assert res.estimate == pytest.approx(R.HANG_REML["estimate"], rel=1e-5)
    assert np.isfinite(loo.to_numpy()).all()


def test_knapp_hartung_is_truncated_at_one_like_metafor_adhoc():
    # metafor test="knha" gives se 0 and a zero-width interval for identical effects; the
    # truncated factor (test="adhoc") gives an honest interval.
    res = random_effects(R.KH_SAME_Y, R.KH_SAME_V, "REML", knapp_hartung=True)
    for name, value in R.KH_SAME_ADHOC.items():
        assert getattr(res, name) == pytest.approx(value, abs=1e-8), name
    assert res.kh_scale == 1.0 and res.df == 2
    assert "truncated at 1, as metafor test='adhoc'" in res.summary()
    low = random_effects(R.KH_LOW_Y, R.KH_LOW_V, "REML", knapp_hartung=True)
    for name, value in R.KH_LOW_ADHOC.items():
        assert getattr(low, name) == pytest.approx(value, abs=1e-8), name
    assert low.se > R.KH_LOW_KNHA_SE
    plain = random_effects(R.KH_LOW_Y, R.KH_LOW_V, "REML")
    assert low.se == pytest.approx(plain.se, rel=1e-12)  # never narrower than unadjusted
    assert random_effects(YI, VI, "REML").kh_scale is None
    assert random_effects(YI, VI, "REML", knapp_hartung=True).kh_scale > 1

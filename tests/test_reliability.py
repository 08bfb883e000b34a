"""Reliability statistics against published worked examples and reference implementations."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import cohen_kappa_score

from evalkit.errors import EvalkitError
from evalkit.reliability import (
    BootstrapWarning,
    ReliabilityError,
    ReliabilityResult,
    bootstrap_ci,
    cohens_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    reliability_summary,
)

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"


@pytest.fixture(scope="module")
def kripp_c():
    """Krippendorff (2011), section C: 4 coders x 12 units, values 1-5, with missing codes.

    The same data ship with the irrCAC R package as ``cac.raw4raters`` (transposed).
    """
    frame = pd.read_csv(FIXTURES / "krippendorff_2011_c.csv", index_col="coder")
    return frame.to_numpy(dtype=float)


def _abstractors():
    """irrCAC's ``cont3x3abstractors`` contingency table expanded to two coders' codes."""
    table = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    a, b = [], []
    for i in range(3):
        for j in range(3):
            a += [i] * table[i, j]
            b += [j] * table[i, j]
    return np.array(a), np.array(b)


# Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability", section C, p. 5-8:
# alpha nominal .743, ordinal .815, interval .849, ratio .797.
@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815),
                                             ("interval", 0.849), ("ratio", 0.797)])
def test_alpha_krippendorff_2011_section_c(kripp_c, level, expected):
    assert round(krippendorff_alpha(kripp_c, level=level), 3) == expected


def test_alpha_nominal_matches_irrcac(kripp_c):
    # irrCAC README: krippen.alpha.raw(cac.raw4raters)$est$coeff.val -> 0.74342
    assert_allclose(krippendorff_alpha(kripp_c), 0.74342, atol=5e-6)


def test_alpha_krippendorff_2011_section_a_binary():
    # Krippendorff (2011), section A: two observers, ten units, binary data: alpha = 0.095.
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
            [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(data), 3) == 0.095


def test_alpha_two_coders_matches_irrcac_table():
    # irrCAC README: krippen2.table(cont3x3abstractors) -> 0.7972585
    a, b = _abstractors()
    assert_allclose(krippendorff_alpha([a, b]), 0.7972585, atol=5e-8)


def test_alpha_accepts_text_labels_and_none():
    numeric = [[1, 2, 1, np.nan], [1, 2, 2, 1]]
    text = [["x", "y", "x", None], ["x", "y", "y", "x"]]
    assert krippendorff_alpha(text) == krippendorff_alpha(numeric)


def test_alpha_undefined_without_variation_is_nan():
    assert np.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))


def test_alpha_interval_rejects_text():
    with pytest.raises(ReliabilityError, match="numeric codes"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], level="interval")


def test_cohen_textbook_example():
    # Wikipedia "Cohen's kappa", worked example: 50 grant proposals, Yes/Yes 20, Yes/No 5,
    # No/Yes 10, No/No 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert_allclose(cohens_kappa(a, b), 0.4)


def test_cohen_matches_irrcac_table():
    # irrCAC README: kappa2.table(cont3x3abstractors) -> 0.7964094
    a, b = _abstractors()
    assert_allclose(cohens_kappa(a, b), 0.7964094, atol=5e-8)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn(weights):
    rng = np.random.default_rng(7)
    a = rng.integers(1, 6, size=80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(1, 6, size=80))
    assert_allclose(cohens_kappa(a, b, weights=weights), cohen_kappa_score(a, b, weights=weights))


def test_cohen_skips_units_either_coder_left_blank():
    a = ["x", "y", "x", None, "y"]
    b = ["x", "y", "y", "x", np.nan]
    assert_allclose(cohens_kappa(a, b), cohen_kappa_score(["x", "y", "x"], ["x", "y", "y"]))


def test_cohen_rejects_unequal_lengths():
    with pytest.raises(ReliabilityError, match="same length"):
        cohens_kappa([1, 2, 3], [1, 2])


def test_gwet_ac1_matches_irrcac_raw(kripp_c):
    # irrCAC README: gwet.ac1.raw(cac.raw4raters) -> pa 0.8181818, pe 0.1903212, AC1 0.77544
    assert_allclose(gwet_ac1(kripp_c), 0.77544, atol=5e-6)


def test_gwet_ac1_two_raters_matches_irrcac_table():
    # irrCAC README: gwet.ac1.table(cont3x3abstractors) -> 0.8493305
    a, b = _abstractors()
    assert_allclose(gwet_ac1([a, b]), 0.8493305, atol=5e-8)


def test_gwet_ac1_unused_category_changes_chance_agreement():
    # Gwet (2014), ch. 4: q counts every possible category. By hand for this data:
    # pa = 3/4; pi = (5/8, 3/8[, 0]); pe = sum pi(1-pi)/(q-1) = 15/32 (q=2) or 15/64 (q=3).
    data = [[0, 0, 1, 0], [0, 1, 1, 0]]
    assert_allclose(gwet_ac1(data), (0.75 - 15 / 32) / (1 - 15 / 32))
    assert_allclose(gwet_ac1(data, categories=[0, 1, 2]), (0.75 - 15 / 64) / (1 - 15 / 64))


def test_percent_agreement_by_hand(kripp_c):
    # By hand: 11 units have two or more codes; units 2 and 8 have 3 of 6 pairs agreeing,
    # unit 6 none, the other 8 all: (8 + 0.5 + 0.5 + 0) / 11 = 9/11. irrCAC pa.coeff.raw agrees.
    assert_allclose(percent_agreement(kripp_c), 9 / 11)
    assert percent_agreement([["a", "b", "a"], ["a", "a", "a"]]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("bad, message", [
    ([1, 2, 3], "2-D"),
    ([[1, 2, 3]], "at least 2 coders"),
    ([[1, np.nan, np.nan], [np.nan, 2, np.nan]], "No unit was coded by two"),
    ([[np.nan, np.nan], [np.nan, np.nan]], "No unit was coded by two"),
])
def test_bad_shapes_raise_clear_errors(bad, message):
    with pytest.raises(ReliabilityError, match=message) as info:
        krippendorff_alpha(bad)
    assert isinstance(info.value, EvalkitError)


def test_ragged_rows_raise_clear_error():
    with pytest.raises(ReliabilityError, match="rectangular"):
        gwet_ac1([[1, 2, 3], [1, 2]])


def test_unpairable_units_are_ignored(kripp_c):
    # Unit 12 has a single code, so it cannot change alpha (Krippendorff 2011, section C).
    assert krippendorff_alpha(kripp_c[:, :11]) == krippendorff_alpha(kripp_c)


def test_bootstrap_named_and_callable_paths_agree(kripp_c):
    fast = bootstrap_ci("alpha", kripp_c, n_boot=300, seed=3)
    slow = bootstrap_ci(krippendorff_alpha, kripp_c, n_boot=300, seed=3)
    assert_allclose(fast, slow)
    a, b = _abstractors()
    fast = bootstrap_ci("kappa", [a, b], n_boot=200, seed=1, weights="quadratic")
    slow = bootstrap_ci(lambda d: cohens_kappa(d[0], d[1], weights="quadratic"), [a, b], n_boot=200, seed=1)
    assert_allclose(fast, slow)


def test_bootstrap_is_seeded_and_brackets_estimate(kripp_c):
    first = bootstrap_ci("ac1", kripp_c, n_boot=500, seed=11)
    assert first == bootstrap_ci("ac1", kripp_c, n_boot=500, seed=11)
    assert first != bootstrap_ci("ac1", kripp_c, n_boot=500, seed=12)
    assert first[0] <= gwet_ac1(kripp_c) <= first[1]


def test_bootstrap_interval_matches_normal_theory_for_large_sample():
    # With many units the percentile interval of percent agreement approaches the Wald
    # interval p +/- 1.96 sqrt(p(1-p)/n) (binomial proportion).
    rng = np.random.default_rng(5)
    a = rng.integers(0, 2, 2000)
    b = np.where(rng.random(2000) < 0.8, a, 1 - a)
    p = percent_agreement([a, b])
    half = 1.959964 * np.sqrt(p * (1 - p) / 2000)
    low, high = bootstrap_ci("agreement", [a, b], n_boot=2000, seed=0)
    assert_allclose([low, high], [p - half, p + half], atol=0.004)


def test_bootstrap_ordinal_uses_measurement_option(kripp_c):
    low, high = bootstrap_ci("alpha", kripp_c, n_boot=200, seed=0, measurement="ordinal")
    slow = bootstrap_ci(lambda d: krippendorff_alpha(d, "ordinal"), kripp_c, n_boot=200, seed=0)
    assert_allclose((low, high), slow)


def test_bootstrap_rejects_bad_settings(kripp_c):
    with pytest.raises(ReliabilityError, match="n_boot"):
        bootstrap_ci("alpha", kripp_c, n_boot=0)
    with pytest.raises(ReliabilityError, match="level"):
        bootstrap_ci("alpha", kripp_c, level=95)


def test_reliability_summary_result(kripp_c):
    result = reliability_summary(kripp_c, "alpha", level="interval", n_boot=200, seed=0)
    assert isinstance(result, ReliabilityResult)
    assert round(result.estimate, 3) == 0.849
    assert (result.n_units, result.n_coders, result.n_boot) == (11, 4, 200)
    assert result.ci_low <= result.estimate <= result.ci_high
    assert "Krippendorff's alpha (interval) = 0.849" in result.summary()
    assert list(result.summary_frame().columns)[:4] == ["statistic", "estimate", "ci_low", "ci_high"]
    assert "<table" in result._repr_html_()
    with pytest.raises(AttributeError):
        result.estimate = 0.0


def test_reliability_summary_kappa_weights():
    a, b = _abstractors()
    result = reliability_summary([a, b], "kappa", level="linear", n_boot=50)
    assert_allclose(result.estimate, cohen_kappa_score(a, b, weights="linear"))
    with pytest.raises(ReliabilityError, match="statistic"):
        reliability_summary([a, b], "fleiss")


# --- edges (issue 16)

def test_weighted_kappa_labels_come_from_units_both_coders_coded():
    # Code 2 appears only in a unit coder b left blank. Counting it as a category moved
    # 1, 3 and 5 to positions 0, 2, 3 instead of 0, 1, 2 and changed weighted kappa.
    # Reference: sklearn.metrics.cohen_kappa_score on the complete pairs.
    a = [1, 3, 5, 1, 3, 5, 1, 3, 2]
    b = [1, 3, 5, 3, 5, 5, 1, 1, None]
    for weights in ("linear", "quadratic"):
        expected = cohen_kappa_score(a[:8], b[:8], weights=weights)
        assert_allclose(cohens_kappa(a, b, weights=weights), expected)
        assert_allclose(reliability_summary([a, b], "kappa", level=weights, n_boot=20).estimate,
                        cohens_kappa(a, b, weights=weights, labels=[1, 2, 3, 5]))


def test_text_and_number_codes_are_the_same_category():
    # A CSV column read as text ("1") and another read as numbers (1) hold the same codes.
    numbers = [[1, 2, 1, 2, 1], [1, 2, 2, 2, 1]]
    mixed = [["1", " 2", "1", "2.0", 1], [1, 2, 2, 2, "1"]]
    assert krippendorff_alpha(mixed) == krippendorff_alpha(numbers)
    assert cohens_kappa(*mixed) == cohens_kappa(*numbers)
    assert_allclose(cohens_kappa(*mixed), cohen_kappa_score(*numbers))
    assert gwet_ac1(mixed) == gwet_ac1(numbers)
    assert krippendorff_alpha([["x", "y", "x"], ["x", "y", "y"]]) == krippendorff_alpha(
        [[0, 1, 0], [0, 1, 1]])


def test_bootstrap_says_how_many_resamples_were_undefined():
    # Two units coded alike: half the resamples draw one unit twice, where kappa is 0/0. The
    # rest all give 1, so dropping them silently reported "CI 1.000 to 1.000".
    two = [[0, 1], [0, 1]]
    result = reliability_summary(two, "kappa", n_boot=400, seed=0)
    assert result.estimate == 1.0
    assert np.isnan(result.ci_low) and np.isnan(result.ci_high)
    # Reference count: the same draws (numpy default_rng(0), two units with replacement, as
    # bootstrap_ci documents), counting resamples that hold one unit twice (kappa = 0/0).
    rng = np.random.default_rng(0)
    expected = sum(len(set(rng.integers(0, 2, size=2))) == 1 for _ in range(400))
    assert result.n_undefined == expected
    text = result.summary()
    assert "1.000 to 1.000" not in text and "no 95% CI" in text
    assert f"in {result.n_undefined} of 400 resamples the statistic was undefined" in text
    with pytest.warns(BootstrapWarning, match=f"{result.n_undefined} of 400 resamples"):
        low, high = bootstrap_ci("kappa", two, n_boot=400, seed=0)
    assert np.isnan(low) and np.isnan(high)


def test_bootstrap_keeps_an_interval_when_few_resamples_are_undefined(kripp_c):
    result = reliability_summary(kripp_c, "alpha", n_boot=300, seed=0)
    assert result.n_undefined == 0 and "resamples had no variation" not in result.summary()
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2, 12)
    b = np.where(rng.random(12) < 0.8, a, 1 - a)
    few = reliability_summary([a, b], "kappa", n_boot=2000, seed=1)
    assert 0 < few.n_undefined <= 100 and np.isfinite(few.ci_low)
    assert f"{few.n_undefined} of 2000 resamples had no variation left" in few.summary()

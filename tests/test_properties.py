"""Property-based checks (hypothesis) of REML, Cliff's delta and suppression against
independent computations.

References: metafor's restricted likelihood and effsize's cliff.delta ported in
tests/results/ports.py; scipy's Mann-Whitney U; the suppression rules recomputed from the
NHS Digital method as stated in evalkit.privacy.suppression; and the integer-programming
attack of tests/test_suppression_attack.py. Examples are derandomised (the same cases every
run) and kept to a few hundred in all so ``make test`` stays quick on 2 cores.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.compare.tests_between import cliffs_delta
from evalkit.privacy.suppression import (SUPPRESSED, SuppressionPolicy, suppress_distribution,
                                         suppress_table)
from evalkit.synthesis import random_effects


def _load(name: str, path: Path):
    """Import a module from tests/ by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


HERE = Path(__file__).parent
PORTS = _load("evalkit_results_ports", HERE / "results" / "ports.py")
ATTACK = _load("evalkit_suppression_attack", HERE / "test_suppression_attack.py")

FEW = settings(max_examples=100, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])


# --- REML: the global maximum of metafor's restricted likelihood over tau^2 >= 0

@st.composite
def meta_data(draw):
    """k = 2-8 studies whose sampling variances span up to 10^4 (the issue's 100x and more)."""
    k = draw(st.integers(2, 8))
    log_v = draw(st.lists(st.floats(-5, -1, allow_nan=False), min_size=k, max_size=k))
    v = 10.0 ** np.array(log_v)
    tau = draw(st.sampled_from([0.0, 0.05, 0.2, 1.0]))
    z = draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=k, max_size=k))
    y = np.round(np.array(z) * np.sqrt(v + tau**2), 4)
    return y, v


@FEW
@given(meta_data())
def test_reml_is_the_global_maximum_of_metafors_restricted_likelihood(data):
    y, v = data
    res = random_effects(y, v, "REML")
    assert res.tau2 >= 0
    ours = PORTS.metafor_reml_loglik(y, v, res.tau2)
    tau2_ref, best = PORTS.brute_force_reml(y, v)
    assert ours >= best - 1e-7 * max(1.0, abs(best))
    # where the brute force's optimum is clearly separated, the two tau^2 agree
    if best - PORTS.metafor_reml_loglik(y, v, res.tau2 * 1.05 + 1e-9) > 1e-6:
        assert res.tau2 == pytest.approx(tau2_ref, rel=1e-3, abs=1e-9)


# --- Cliff's delta: effsize::cliff.delta and the Mann-Whitney U

likert = st.lists(st.integers(1, 5), min_size=2, max_size=15)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(likert, likert, st.integers(0, 3))
def test_cliffs_delta_matches_effsize_and_mann_whitney(x, y, shift):
    x = [v + shift for v in x]  # shifts make disjoint groups common
    res = cliffs_delta(x, y)
    u = stats.mannwhitneyu(x, y).statistic
    assert res.delta == pytest.approx(2 * u / (len(x) * len(y)) - 1, abs=1e-12)
    d, low, high = PORTS.effsize_cliff_delta(x, y)
    assert res.delta == pytest.approx(d, abs=1e-12)
    if np.isfinite(low):  # effsize gives NaN when its unbiased variance is negative
        assert (res.low, res.high) == pytest.approx((low, high), abs=1e-9)
    assert -1 <= res.low <= res.delta <= res.high <= 1
    if abs(res.delta) == 1:
        assert res.high - res.low > 0  # never the zero-width [1, 1]


# --- suppression: the NHS Digital rules, recomputed, and the attack

def _expected_text(n: int, policy: SuppressionPolicy) -> str:
    if n == 0:
        return "0"
    if n < policy.min_count:
        return SUPPRESSED
    return str(int(math.floor(n / policy.round_to + 0.5)) * policy.round_to)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.integers(0, 9), st.integers(0, 40)), min_size=2, max_size=6))
def test_distribution_follows_the_rules_and_withstands_the_attack(counts):
    policy = SuppressionPolicy()
    out = suppress_distribution(counts, policy=policy)
    shown, pct = out["people"].tolist(), out["people %"].tolist()
    total = sum(counts)
    assert shown[-1] == _expected_text(total, policy)
    for n, text in zip(counts, shown):
        if text != SUPPRESSED:
            assert text == _expected_text(n, policy)  # rounded half up to 5; zero is 0
        else:
            assert n > 0  # zero is never hidden
        if 0 < n < policy.min_count:
            assert text == SUPPRESSED
    if total:
        for text, p in zip(shown, pct):
            if text != SUPPRESSED and shown[-1] != SUPPRESSED:
                assert p == f"{100 * int(text) / int(shown[-1]):.0f}%"  # from rounded counts
    # a lone "*" only beside zeros (then the total is hidden as well)
    stars = shown[:-1].count(SUPPRESSED)
    if stars == 1:
        assert all(t in ("0", SUPPRESSED) for t in shown[:-1]) and shown[-1] == SUPPRESSED
    pub = ATTACK.Published(cells=[shown[:-1]], row_totals=[shown[-1]], policy=policy)
    for (_, j), (lo, hi) in ATTACK.attack(pub).items():
        assert lo <= counts[j] <= hi and lo < hi


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 4).flatmap(lambda c: st.lists(
    st.lists(st.one_of(st.integers(0, 9), st.integers(0, 30)), min_size=c, max_size=c),
    min_size=2, max_size=4)))
def test_two_way_tables_never_hide_zeros_or_leave_a_lone_star(rows):
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(len(rows[0]))])
    cols = list(frame.columns)
    out = suppress_table(frame, cols, additive_columns=cols)
    raw, shown = frame.to_numpy(), out[cols].to_numpy()
    assert ((raw == 0) == (shown == "0")).all()
    assert ((raw > 0) & (raw < 8) <= (shown == SUPPRESSED)).all()
    for line_raw, line in [*zip(raw, shown), *zip(raw.T, shown.T)]:
        if list(line).count(SUPPRESSED) == 1:
            # only when every other cell of the line is zero
            assert all(v == 0 for v, t in zip(line_raw, line) if t != SUPPRESSED)

"""Tests for evalkit.compare.plots: shares worked out once from exact counts, hidden together, drawn honestly."""
import io
import itertools

import numpy as np
import pandas as pd
import pytest

from evalkit.compare.plots import (ScaleGroups, item_shares, likert_diverging_chart, likert_shares, median_words,
                                   rating_chart, rating_counts_table, rating_shares, shares_table, whole_percent)
from evalkit.figures import FigureWithAlt, LIKERT_COLOURS
from evalkit.privacy.suppression import SuppressionPolicy
from evalkit.programme.spec import ScaleSpec

POLICY = SuppressionPolicy()
AGREE = ScaleGroups.from_scale(ScaleSpec("agreement", {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                                                       4: "Agree", 5: "Strongly agree"}))
FFT = ScaleSpec("fft", {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor", 5: "Very poor"},
                kind="rating", higher_is_better=False, missing={6: "Don't know"})


def answers(counts: dict, column: str = "q") -> pd.DataFrame:
    """Survey with one item whose answer counts are exactly ``counts`` ({level: count})."""
    return pd.DataFrame({column: [lv for lv, n in counts.items() for _ in range(n)]})


def shares_of(counts: dict, groups=AGREE, policy=POLICY):
    return item_shares(answers(counts)["q"], groups, policy, item="q", label="Power was shared")


def test_shares_are_whole_percentages_of_the_exact_counts():
    # 9 of 11 agreed: 82%, not the 100% that rounded counts (10 of 10) would give
    s = shares_of({2: 0, 3: 0, 4: 9, 5: 0, 1: 0} | {3: 0})
    assert s.n == 9 and s.high_pct == 100
    s = shares_of({1: 0, 2: 8, 3: 16, 4: 40, 5: 16})
    assert (s.pct["low"], s.pct["middle"], s.pct["high"]) == (10, 20, 70)
    assert whole_percent(9, 11) == 82 and whole_percent(199, 200) == 99 and whole_percent(1, 300) == 1


def test_shown_shares_add_up_to_100():
    s = shares_of({1: 16, 2: 0, 3: 26, 4: 25, 5: 13})  # 20.0, 32.5, 47.5
    assert sum(s.pct.values()) == 100


def test_a_small_group_hides_a_second_so_the_total_gives_nothing_away():
    # 2 disagreed (hidden): the neutral group is hidden too; the agree share stays
    s = shares_of({1: 0, 2: 2, 3: 18, 4: 35, 5: 25})
    assert s.pct == {"low": None, "middle": None, "high": 75}
    # 3 neutral, nobody disagreed: the agree share would give the 3 away (100% - share), so it is hidden
    s = shares_of({3: 3, 4: 19, 5: 33})
    assert s.pct["high"] is None and s.why_hidden == "few others"
    # fewer than 8 answered: nothing shown, not even 0%
    s = shares_of({4: 3, 5: 2})
    assert s.pct == {"low": None, "middle": None, "high": None} and s.why_hidden == "few answered"
    assert s.median is None


def _published(s, groups=AGREE):
    return ({g: s.pct[g] for g in groups.groups()},
            {v: (s.counts[v] if s.level_shown[v] else None) for v in groups.order})


def _splits(total, options):
    """Every way to give each cell a value from its options so that they add up to ``total``."""
    if not options:
        if total == 0:
            yield ()
        return
    first, rest = options[0], options[1:]
    for value in first:
        if value <= total:
            for tail in _splits(total - value, rest):
                yield (value, *tail)


def _consistent(pub, n_shown, policy=POLICY):
    """Every answer-count vector a reader could not tell apart from what was published."""
    from evalkit.compare.plots import _percentages

    pct, levels = pub
    for n in range(max(n_shown - 2, 1), n_shown + 3):
        if policy.rounded(n) != n_shown:
            continue
        options = {}
        for v in AGREE.order:
            shown = levels[v]
            if shown is None:
                options[v] = range(1, n + 1)
            elif shown == 0:
                options[v] = [0]
            else:
                r = policy.rounded(shown)
                options[v] = [c for c in range(max(r - 2, 0), r + 3) if policy.rounded(c) == r]
        for combo in _splits(n, [options[v] for v in AGREE.order]):
            counts = dict(zip(AGREE.order, combo))
            groups = {g: sum(counts[v] for v in AGREE.values(g)) for g in AGREE.groups()}
            shown = {g: pct[g] is not None for g in groups}
            if all(p is None or q == p for (g, p), q in zip(pct.items(), _percentages(groups, shown, n).values())):
                yield counts, groups


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_count_of_1_to_7_can_be_pinned_down(seed):
    # Brute force: list every distribution a reader could not rule out from the published
    # counts (rounded), shares (exact, whole %) and total; no hidden small count is ever certain.
    rng = np.random.default_rng(seed)
    raw = {v: int(c) for v, c in zip(AGREE.order, rng.choice([0, 0, 1, 2, 3, 5, 8, 9, 13], size=5))}
    if sum(raw.values()) < 8:
        raw[4] += 8
    s = shares_of(raw)
    pub = _published(s)
    worlds = list(_consistent(pub, POLICY.rounded(s.n)))
    assert worlds, raw
    for v in AGREE.order:
        if not s.level_shown[v] and 0 < raw[v] < 8:
            assert len({w[0][v] for w in worlds}) > 1, (raw, v)
    for g in AGREE.groups():
        if s.pct[g] is None and 0 < s.groups[g] < 8:
            assert len({w[1][g] for w in worlds}) > 1, (raw, g)


def test_scales_where_1_is_best_are_turned_round_and_keep_their_words():
    groups = ScaleGroups.from_scale(FFT)
    assert groups.order == (5, 4, 3, 2, 1) and groups.high == (2, 1)
    assert groups.group_label("high") == "Good or Very good"
    assert groups.group_label("low") == "Very poor or Poor"
    assert groups.verb() == "rated it good or very good"
    s = item_shares(pd.Series([1] * 30 + [2] * 10 + [5] * 10), groups, POLICY)
    assert s.high_pct == 80 and s.pct["low"] == 20


def test_seven_point_scales_group_three_each_side():
    groups = ScaleGroups.from_scale(ScaleSpec("seven", {i: str(i) for i in range(1, 8)}, kind="other"))
    assert groups.low == (1, 2, 3) and groups.middle == (4,) and groups.high == (5, 6, 7)
    assert groups.verb() == 'answered "5" or "6" or "7"'


def test_median_is_said_in_the_scales_words():
    assert median_words(4.0, AGREE) == "Agree (4)"
    assert median_words(2.5, AGREE) == "between Disagree and Neither agree nor disagree (2.5)"
    assert median_words(None, AGREE) == "*"


def test_tables_show_the_same_figures_as_the_chart():
    df = pd.concat([answers({1: 0, 2: 8, 3: 16, 4: 40, 5: 16}, "a"), answers({2: 2, 3: 18, 4: 35, 5: 25}, "b")], axis=1)
    shares = rating_shares(df, ["a", "b"], AGREE, labels={"a": "First", "b": "Second"}, policy=POLICY)
    table = shares_table(shares, AGREE, POLICY)
    assert table["Agree or Strongly agree"].tolist() == ["70%", "75%"]
    assert table["Strongly disagree or Disagree"].tolist() == ["10%", "*"]
    counts = rating_counts_table(shares, AGREE, POLICY)
    assert counts.loc[1, "Disagree (2)"] == "*" and counts.loc[1, "Neither agree nor disagree (3)"] == "*"
    chart = rating_chart(shares, AGREE, POLICY, title="Between 70% and 75% agreed")
    texts = {t.get_text() for t in chart.figure.axes[0].texts}
    assert {"70%", "75%", "10%", "20%"} <= texts
    assert "hidden" in texts or "*" in texts
    assert chart.alt.count("%") == 2 and "\u201cSecond\u201d (75%)" in chart.alt and len(chart.alt) < 400


def test_hidden_groups_are_never_drawn_as_bars():
    shares = rating_shares(answers({2: 2, 3: 18, 4: 35, 5: 25}), ["q"], AGREE, policy=POLICY)
    chart = rating_chart(shares, AGREE, POLICY, title="t")
    bars = [p for p in chart.figure.axes[0].patches if p.get_fill()]
    assert len(bars) == 1  # only the agree group: 75% from the right edge
    assert bars[0].get_x() == pytest.approx(25) and bars[0].get_width() == pytest.approx(75)


def test_disabled_policy_shows_every_share():
    s = shares_of({1: 2, 2: 3, 3: 10, 4: 30, 5: 35}, policy=SuppressionPolicy(enabled=False))
    assert s.pct == {"low": 6, "middle": 13, "high": 81}  # 6.25, 12.5, 81.25: largest remainders


def test_earlier_api_still_draws_and_describes():
    df = answers({1: 0, 2: 8, 3: 8, 4: 32, 5: 32}, "sharing_power")
    out = likert_diverging_chart(df, ["sharing_power"], labels={"sharing_power": "power was shared fairly"})
    assert isinstance(out, FigureWithAlt) and "80%" in out.alt
    assert likert_shares(df, ["sharing_power"]).loc["sharing_power", "high"] == 80


def test_chart_is_byte_identical_across_runs():
    df = answers({1: 2, 2: 9, 3: 10, 4: 30, 5: 35})

    def svg():
        buf = io.StringIO()
        likert_diverging_chart(df, ["q"]).figure.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()

    assert svg() == svg()


def test_uses_the_colour_blind_safe_palette_ends_and_grey_middle():
    chart = likert_diverging_chart(answers({1: 10, 2: 10, 3: 10, 4: 10, 5: 10}), ["q"])
    faces = ["#%02X%02X%02X" % tuple(int(round(c * 255)) for c in p.get_facecolor()[:3])
             for p in chart.figure.axes[0].patches if p.get_fill()]
    assert faces == [LIKERT_COLOURS[0].upper(), LIKERT_COLOURS[-1].upper(), LIKERT_COLOURS[2].upper()]


def test_projects_and_everyone_are_hidden_together_so_subtracting_gives_nothing_away():
    # B's 3 who disagreed are hidden in B; everyone's disagree share minus A's would give them away,
    # so one of those two is hidden as well.
    from evalkit.compare.plots import ALL, item_shares_by_scope

    a = pd.Series([2] * 10 + [3] * 10 + [4] * 20)
    b = pd.Series([2] * 3 + [3] * 9 + [4] * 20)
    found = item_shares_by_scope({ALL: pd.concat([a, b]), "A": a, "B": b}, AGREE, POLICY)
    assert found["B"].pct["low"] is None
    assert found[ALL].pct["low"] is None or found["A"].pct["low"] is None
    assert found["A"].high_pct == 50 and found[ALL].high_pct is not None

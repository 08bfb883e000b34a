"""Tests for evalkit.compare.plots: diverging Likert charts and their alt text."""
import io

import numpy as np
import pandas as pd
import pytest

from evalkit.compare.plots import likert_diverging_chart, likert_shares
from evalkit.figures import LIKERT_COLOURS, FigureWithAlt
from evalkit.privacy.suppression import SuppressionPolicy


def answers(counts: dict) -> pd.DataFrame:
    """Survey with one item whose answer counts are exactly ``counts`` ({level: count})."""
    values = [lv for lv, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"sharing_power": values})


def test_shares_come_from_rounded_counts_and_hide_small_ones():
    # 80 answers: 2 + 5 hidden (1-7); 13 -> 15, 20 -> 20, 40 -> 40; n = 80
    df = answers({1: 2, 2: 5, 3: 13, 4: 20, 5: 40})
    shares = likert_shares(df, ["sharing_power"]).loc["sharing_power"]
    assert np.isnan(shares[1]) and np.isnan(shares[2])
    assert shares[3] == pytest.approx(100 * 15 / 80)
    assert shares[4] == pytest.approx(25.0) and shares[5] == pytest.approx(50.0)
    assert shares["hidden"] == pytest.approx(100 - 75 - 100 * 15 / 80)
    assert shares["n"] == 80


def test_a_lone_hidden_level_takes_another_with_it():
    # Only "strongly disagree" (3) is small: the smallest other non-zero level (neutral, 10)
    # is hidden too, so the hidden segment cannot be read as exactly the 3.
    df = answers({1: 3, 2: 0, 3: 10, 4: 30, 5: 37})
    shares = likert_shares(df, ["sharing_power"]).loc["sharing_power"]
    assert np.isnan(shares[1]) and np.isnan(shares[3])
    assert shares[2] == 0


def test_chart_returns_figure_with_alt_text_naming_the_numbers():
    df = answers({1: 0, 2: 8, 3: 8, 4: 32, 5: 32})
    out = likert_diverging_chart(df, ["sharing_power"],
                                 labels={"sharing_power": "power was shared fairly"})
    assert isinstance(out, FigureWithAlt)
    # rounded: 10 disagree, 10 neutral, 30 agree, 30 strongly agree of 80 -> 75% / 12%
    assert out.alt == ("For 'power was shared fairly', of 80 respondents 75% agreed or strongly "
                       "agreed and 12% disagreed or strongly disagreed.")
    texts = [t.get_text() for t in out.figure.axes[0].texts]
    assert "38%" in texts and "12%" in texts  # percentages printed on the bars
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in out.figure.axes[0].patches}
    assert len(colours) >= 3
    assert out.figure.axes[0].get_yticklabels()[0].get_text() == "power was shared fairly (n=80)"


def test_alt_text_is_honest_about_hidden_answers():
    df = answers({1: 2, 2: 3, 3: 10, 4: 30, 5: 35})
    alt = likert_diverging_chart(df, ["sharing_power"]).alt
    assert "the number who disagreed or strongly disagreed is not shown" in alt
    assert "of 80 respondents 81% agreed" in alt


def test_items_with_too_few_answers_are_not_drawn():
    df = answers({4: 3, 5: 2})
    out = likert_diverging_chart(df, ["sharing_power"])
    assert "fewer than 8 people answered" in out.alt
    assert all(t.get_text() != "60%" for t in out.figure.axes[0].texts)


def test_disabled_policy_draws_exact_shares():
    df = answers({1: 2, 2: 3, 3: 10, 4: 30, 5: 35})
    shares = likert_shares(df, ["sharing_power"], policy=SuppressionPolicy(enabled=False))
    assert shares.loc["sharing_power", 1] == pytest.approx(2.5)
    assert shares.loc["sharing_power", "hidden"] == 0


def test_chart_is_byte_identical_across_runs():
    df = answers({1: 2, 2: 9, 3: 10, 4: 30, 5: 35})

    def svg():
        buf = io.StringIO()
        chart = likert_diverging_chart(df, ["sharing_power"])
        chart.figure.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()

    assert svg() == svg()


def test_uses_the_colour_blind_safe_likert_palette():
    df = answers({1: 10, 2: 10, 3: 10, 4: 10, 5: 10})
    out = likert_diverging_chart(df, ["sharing_power"])
    faces = ["#%02X%02X%02X" % tuple(int(round(c * 255)) for c in p.get_facecolor()[:3])
             for p in out.figure.axes[0].patches]
    assert faces[:5] == [c.upper() for c in LIKERT_COLOURS]

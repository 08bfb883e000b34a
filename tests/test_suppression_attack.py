"""Integer-programming attacks on every kind of suppressed table evalkit publishes.

The attacker sees exactly what a report shows and knows the rules in the suppression
statement: ``*`` is a count of 1 or more (1-7, or a larger count hidden beside it), a shown
count ``r`` is a whole number that rounds to ``r`` (so 8-12 for "10"), ``0`` is zero, parts add
up to their totals, and percentages are rounded count over rounded total. For each hidden
cell the attack solves two integer programmes (HiGHS through :func:`scipy.optimize.milp`), the
smallest and largest value consistent with all of that; the cell is *disclosed* when they are
equal. This is the standard audit of a suppressed table (Hundepool et al. 2012, *Statistical
Disclosure Control*, Wiley, section 4.4 on the attacker's interval for a hidden cell), done
exactly rather than by linear relaxation.

When a total is not shown but percentages are, every rounded total consistent with every
shown percentage is tried in turn (that is how [8, 8, 1] shown as [10, 10, *] with 67%, 67%
gives the total 15 and so * = 1).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from evalkit.compare.profiles import likert_distribution, respondents_by_role, sentiment_summary
from evalkit.privacy.suppression import (SUPPRESSED, SuppressionPolicy, suppress_distribution,
                                         suppress_table)

BIG = 10_000
POLICY = SuppressionPolicy()


@dataclass
class Published:
    """What a reader sees of an additive block: cells[i][j] add up along rows and columns.

    ``row_totals[i]`` / ``col_totals[j]`` are the shown totals (None when not shown);
    ``row_percent[i][j]`` the shown percentage of cell (i, j) of its row total, used when the
    row total is not shown.
    """

    cells: list[list[str]]
    row_totals: list[str | None]
    col_totals: list[str | None] | None = None
    grand: str | None = None
    row_percent: list[list[str]] | None = None
    decimals: int = 0
    policy: SuppressionPolicy = field(default_factory=SuppressionPolicy)


def _bounds(text: str | None, policy: SuppressionPolicy) -> tuple[int, int]:
    """Whole numbers a shown text can stand for."""
    if text is None:
        return 0, BIG
    if text == SUPPRESSED:
        return 1, BIG
    r = int(text)
    if r == 0:
        return 0, 0
    lo = math.ceil(r - policy.round_to / 2)
    hi = math.ceil(r + policy.round_to / 2) - 1
    return max(lo, policy.min_count), hi


def _total_candidates(pub: Published, i: int) -> list[tuple[int, int]]:
    """Ranges of row i's total consistent with its shown percentages (row total not shown)."""
    texts = pub.row_percent[i]
    policy = pub.policy
    shown = [(int(c), p) for c, p in zip(pub.cells[i], texts) if c != SUPPRESSED]
    out = []
    if all(p == SUPPRESSED for p in texts):  # total itself suppressed
        out.append((1, policy.min_count - 1))
    for rounded in range(policy.round_to, BIG, policy.round_to):
        if rounded < policy.min_count - policy.round_to:
            continue
        ok = all(f"{100.0 * r / rounded:.{pub.decimals}f}%" == p for r, p in shown)
        if ok and shown:
            lo, hi = _bounds(str(rounded), policy)
            out.append((lo, hi))
        if shown and rounded > 4 * max(r for r, _ in shown) + 100:
            break
    return out


def attack(pub: Published) -> dict[tuple[int, int], tuple[int, int]]:
    """Smallest and largest value of every hidden cell consistent with the published table."""
    n_rows, n_cols = len(pub.cells), len(pub.cells[0])
    index = {}
    for i in range(n_rows):
        for j in range(n_cols):
            index[("x", i, j)] = len(index)
    for i in range(n_rows):
        index[("t", i)] = len(index)
    for j in range(n_cols):
        index[("c", j)] = len(index)
    index[("g",)] = len(index)
    n = len(index)
    rows = []
    for i in range(n_rows):
        a = np.zeros(n)
        for j in range(n_cols):
            a[index[("x", i, j)]] = 1
        a[index[("t", i)]] = -1
        rows.append(a)
    for j in range(n_cols):
        a = np.zeros(n)
        for i in range(n_rows):
            a[index[("x", i, j)]] = 1
        a[index[("c", j)]] = -1
        rows.append(a)
    a = np.zeros(n)
    for j in range(n_cols):
        a[index[("c", j)]] = 1
    a[index[("g",)]] = -1
    rows.append(a)
    constraint = LinearConstraint(np.array(rows), 0, 0)

    lo, hi = np.zeros(n), np.full(n, float(BIG) * n_rows * n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            lo[index[("x", i, j)]], hi[index[("x", i, j)]] = _bounds(pub.cells[i][j], pub.policy)
    for j in range(n_cols):
        if pub.col_totals is not None:
            lo[index[("c", j)]], hi[index[("c", j)]] = _bounds(pub.col_totals[j], pub.policy)
    if pub.grand is not None:
        lo[index[("g",)]], hi[index[("g",)]] = _bounds(pub.grand, pub.policy)
    choices = []
    for i in range(n_rows):
        if pub.row_totals[i] is not None:
            choices.append([_bounds(pub.row_totals[i], pub.policy)])
        elif pub.row_percent is not None:
            choices.append(_total_candidates(pub, i))
        else:
            choices.append([(0, BIG)])
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols)
              if pub.cells[i][j] == SUPPRESSED]
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for combo in itertools.product(*choices):
        lo_c, hi_c = lo.copy(), hi.copy()
        for i, (t_lo, t_hi) in enumerate(combo):
            lo_c[index[("t", i)]], hi_c[index[("t", i)]] = t_lo, t_hi
        for cell in hidden:
            k = index[("x", *cell)]
            values = []
            for sign in (1, -1):
                c = np.zeros(n)
                c[k] = sign
                res = milp(c, constraints=constraint, integrality=np.ones(n),
                           bounds=Bounds(lo_c, hi_c))
                if res.status != 0:
                    break
                values.append(round(res.x[k]))
            if len(values) == 2:
                old = found.get(cell, (values[0], values[1]))
                found[cell] = (min(old[0], values[0]), max(old[1], values[1]))
    return found


def disclosed(pub: Published) -> list[tuple[tuple[int, int], int]]:
    """Hidden cells the attack pins to one value."""
    return [(cell, lo) for cell, (lo, hi) in attack(pub).items() if lo == hi]


# Counts at the bottom of their rounding interval (8 shows as 10 but is the least a "10" can
# be) make the attacker's bounds tight, as in [8, 8, 1]; mixed with zeros and small counts.
ADVERSARIAL = np.array([0, 1, 1, 2, 3, 8, 8, 13, 18, 23])


def _random_counts(rng, size) -> np.ndarray:
    """Small counts, mostly the adversarial ones, sometimes any count up to 30."""
    adversarial = rng.choice(ADVERSARIAL, size=size)
    kind = rng.choice(3, size=size, p=[0.2, 0.3, 0.5])
    return np.where(kind == 2, adversarial,
                    np.where(kind == 0, rng.integers(1, 8, size), rng.integers(0, 31, size)))


# --- the defect: the session-rating table as sections.rating_table built it

def _old_rating_table(counts) -> Published:
    """rating_table before the fix: no secondary suppression, Total dropped, percentages kept."""
    frame = pd.DataFrame({"Rating": list(range(1, len(counts) + 1)), "People": counts,
                          "Total": sum(counts)})
    shown = suppress_table(frame, ["People", "Total"], percent_of={"People": "Total"},
                           policy=POLICY, additive_columns=None).drop(columns=["Total"])
    return Published(cells=[shown["People"].tolist()], row_totals=[None],
                     row_percent=[shown["People %"].tolist()])


def test_attack_recovers_the_hidden_count_in_the_old_rating_table():
    # [8, 8, 1] showed as [10, 10, *] with 67%, 67%: the rounded total is 15, so the total is
    # 13-17, the shown counts 8-12 each, and * = total - 16 or more, so * = 1.
    pub = _old_rating_table([8, 8, 1])
    assert pub.cells == [["10", "10", "*"]] and pub.row_percent == [["67%", "67%", "*"]]
    assert disclosed(pub) == [((0, 2), 1)]


def _distribution(counts) -> Published:
    shown = suppress_distribution(list(counts), policy=POLICY)
    return Published(cells=[shown["people"].tolist()[:-1]],
                     row_totals=[shown["people"].tolist()[-1]],
                     row_percent=[shown["people %"].tolist()[:-1]])


def test_suppress_distribution_withstands_the_attack_on_the_defect():
    pub = _distribution([8, 8, 1])
    assert pub.cells == [["*", "10", "*"]] and pub.row_totals == ["15"]
    assert disclosed(pub) == []
    assert attack(pub)[(0, 2)] == (1, 8)  # * + * = 2 to 9, each at least 1


# --- every table type, many random tables

def _likert(rng) -> tuple[pd.DataFrame, Published]:
    groups, levels = rng.integers(2, 5), 5
    counts = _random_counts(rng, (groups, levels))
    survey = pd.DataFrame([{"project_id": f"P{g}", "q": lv + 1}
                           for g in range(groups) for lv in range(levels)
                           for _ in range(counts[g, lv])])
    survey = pd.concat([survey, pd.DataFrame({"project_id": [f"P{g}" for g in range(groups)],
                                              "q": np.nan})], ignore_index=True)
    shown = likert_distribution(survey, ["q"], group_column="project_id", policy=POLICY)
    names = [str(lv) for lv in range(1, levels + 1)]
    present = [f"P{g}" for g in range(groups) if counts[g].sum() > 0]
    shown = shown.set_index("project_id").loc[present]
    return counts[counts.sum(axis=1) > 0], Published(cells=shown[names].values.tolist(), row_totals=shown["n"].tolist())


def _roles(rng) -> tuple[pd.DataFrame, Published]:
    projects, roles = rng.integers(2, 5), rng.integers(2, 5)
    counts = _random_counts(rng, (projects, roles))
    counts[:, 0] += 1  # every project has a respondent
    survey = pd.DataFrame([{"project_id": f"P{p}", "role": f"r{r}"}
                           for p in range(projects) for r in range(roles)
                           for _ in range(counts[p, r])])
    shown = respondents_by_role(survey, roles=[f"r{r}" for r in range(roles)], policy=POLICY)
    role_cols = [f"r{r}" for r in range(roles) if f"r{r}" in shown.columns]
    inner = shown.drop(index="Programme")
    assert role_cols == [f"r{r}" for r in range(roles)]
    return counts, Published(cells=inner[role_cols].values.tolist(),
                            row_totals=inner["Total"].tolist(),
                            col_totals=shown.loc["Programme", role_cols].tolist(),
                            grand=shown.loc["Programme", "Total"])


def _sentiment(rng) -> tuple[pd.DataFrame, Published]:
    groups = rng.integers(2, 5)
    counts = _random_counts(rng, (groups, 3))
    counts[:, 1] += 1
    score = {0: 0.5, 1: 0.0, 2: -0.5}
    scores = pd.DataFrame([{"g": f"P{g}", "compound": score[t]} for g in range(groups)
                           for t in range(3) for _ in range(counts[g, t])])
    shown = sentiment_summary(scores, group_column="g", policy=POLICY)
    tones = ["positive", "neutral", "negative"]
    return counts, Published(cells=shown[tones].values.tolist(), row_totals=shown["n"].tolist())


def _rating(rng) -> tuple[pd.DataFrame, Published]:
    counts = _random_counts(rng, 5)
    return counts[None, :], _distribution(counts)


TABLE_TYPES = {"likert_distribution": _likert, "respondents_by_role": _roles,
               "sentiment_summary": _sentiment, "suppress_distribution": _rating}


@pytest.mark.parametrize("name", list(TABLE_TYPES))
def test_no_hidden_count_can_be_worked_out(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    attacks = 0
    for _ in range(40):
        counts, pub = TABLE_TYPES[name](rng)
        found = attack(pub)
        attacks += len(found)
        assert [cell for cell, (lo, hi) in found.items() if lo == hi] == [], pub
        for (i, j), (lo, hi) in found.items():
            assert lo <= counts[i][j] <= hi  # the attack model is sound
        # zero is shown as 0, and only zero (the statement says so)
        assert ((np.asarray(counts) == 0) == (np.asarray(pub.cells) == "0")).all(), pub
    assert attacks >= 80  # the tables did hide counts for the attack to work on


@pytest.mark.parametrize("counts", [[8, 8, 1, 0, 0], [0, 1, 8, 8, 0], [13, 8, 1]])
def test_the_attack_has_teeth_without_secondary_suppression(counts):
    # Shown counts at the bottom of their rounding interval leave no room for the hidden one.
    off = SuppressionPolicy(secondary=False)
    shown = suppress_distribution(counts, policy=off)
    pub = Published(cells=[shown["people"].tolist()[:-1]], row_totals=[shown["people"].iloc[-1]],
                    policy=off)
    assert len(disclosed(pub)) == 1
    assert disclosed(_distribution(counts)) == []

"""Differences between projects on small ordinal samples, reported without overclaiming.

Kruskal-Wallis across all projects (:func:`scipy.stats.kruskal`), then every pair by
Mann-Whitney U (:func:`scipy.stats.mannwhitneyu`) or Dunn's (1964) z test on the pooled
ranks, with Holm's (1979) step-down correction across the pairs
(:func:`statsmodels.stats.multitest.multipletests`), and Cliff's delta with a Feng & Cliff
(2004) confidence interval as the effect size. Every statistic sits beside its n.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evalkit.compare.profiles import require_columns
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SUPPRESSED, SuppressionPolicy, policy_or_default

# Romano et al. (2006) thresholds for |delta|: negligible < 0.147 <= small < 0.33 <= medium
# < 0.474 <= large, as used by R's effsize::cliff.delta.
_MAGNITUDE = ((0.147, "negligible"), (0.33, "small"), (0.474, "medium"), (np.inf, "large"))
# Below this many people in the smaller group a difference is described as uncertain whatever
# the p value says.
SMALL_GROUP = 20


@dataclass(frozen=True)
class CliffsDelta:
    """Cliff's delta, P(X > Y) - P(X < Y), with its confidence interval.

    Attributes
    ----------
    delta, low, high : float
        Estimate and confidence interval.
    variance : float
        Estimated variance of delta.
    n_x, n_y : int
        Group sizes.
    magnitude : str
        negligible / small / medium / large (Romano et al. 2006).
    """

    delta: float
    low: float
    high: float
    variance: float
    n_x: int
    n_y: int
    magnitude: str


def cliffs_delta(x, y, *, confidence: float = 0.95, variance: str = "unbiased",
                 distribution: str = "t") -> CliffsDelta:
    """Cliff's (1993) delta of ``x`` over ``y`` with the Feng & Cliff (2004) asymmetric CI.

    Parameters
    ----------
    x, y : array-like
        Two samples of ordinal values (NaN dropped); each needs at least two values.
    confidence : float
        Confidence level.
    variance : {"unbiased", "consistent"}
        Variance estimator: Cliff's (1993) unbiased one or the consistent one of Cliff (1996).
    distribution : {"t", "normal"}
        Critical value from Student's t on n_x + n_y - 2 df (Feng & Cliff 2004) or the normal.

    Returns
    -------
    CliffsDelta

    Notes
    -----
    Follows R's ``effsize::cliff.delta`` (Torchiano), whose defaults are
    ``use.unbiased=TRUE, use.normal=FALSE``, including its rule for groups that do not
    overlap (delta = +/-1): the variance and interval are computed at
    ``delta (n_x n_y - 1) / (n_x n_y)`` and the limit beyond delta is set to +/-1, so
    ``[4, 5, 6]`` vs ``[1, 2, 3]`` gives 1 with interval 0.144 to 1 rather than 1 to 1.
    """
    a = pd.to_numeric(pd.Series(x), errors="coerce").dropna().to_numpy(dtype=float)
    b = pd.to_numeric(pd.Series(y), errors="coerce").dropna().to_numpy(dtype=float)
    if len(a) < 2 or len(b) < 2:
        raise ConfigError(f"cliffs_delta needs at least 2 values per group, got {len(a)} and "
                          f"{len(b)}.")
    if variance not in ("unbiased", "consistent") or distribution not in ("t", "normal"):
        raise ConfigError("cliffs_delta: variance must be 'unbiased' or 'consistent' and "
                          "distribution 't' or 'normal'.")
    n1, n2 = len(a), len(b)
    dom = np.sign(a[:, None] - b[None, :])
    d_hat = float(dom.mean())
    # Groups that do not overlap (|delta| = 1) give every dominance the same sign, so the
    # variance would be 0 and the interval [1, 1]. effsize::cliff.delta then centres the
    # variance and interval on delta shrunk by (n1 n2 - 1) / (n1 n2) and fixes the far limit
    # at +/-1; evalkit does the same.
    d = d_hat * (n1 * n2 - 1) / (n1 * n2) if abs(d_hat) == 1 else d_hat
    di, dj = dom.mean(axis=1), dom.mean(axis=0)
    if variance == "unbiased":
        s2 = (n2 ** 2 * ((di - d) ** 2).sum() + n1 ** 2 * ((dj - d) ** 2).sum()
              - ((dom - d) ** 2).sum()) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    else:
        s_i = ((di - d) ** 2).sum() / (n1 - 1)
        s_j = ((dj - d) ** 2).sum() / (n2 - 1)
        s_ij = ((dom - d) ** 2).sum() / ((n1 - 1) * (n2 - 1))
        s2 = ((n2 - 1) * s_i + (n1 - 1) * s_j + s_ij) / (n1 * n2)
    s2 = max(float(s2), 0.0)
    tail = (1 - confidence) / 2
    z = -stats.norm.ppf(tail) if distribution == "normal" else -stats.t.ppf(tail, n1 + n2 - 2)
    root = z * np.sqrt(s2) * np.sqrt((1 - d ** 2) ** 2 + z ** 2 * s2)
    denom = 1 - d ** 2 + z ** 2 * s2
    if denom == 0:
        low = high = d
    else:
        low, high = (d - d ** 3 - root) / denom, (d - d ** 3 + root) / denom
    if d_hat == 1:
        high = 1.0
    elif d_hat == -1:
        low = -1.0
    magnitude = next(name for cut, name in _MAGNITUDE if abs(d_hat) < cut)
    return CliffsDelta(d_hat, float(low), float(high), s2, n1, n2, magnitude)


def dunn_pvalues(groups: Mapping[str, np.ndarray]) -> dict[tuple[str, str], tuple[float, float]]:
    """Dunn's (1964) z and two-sided p for every pair, on ranks pooled across all groups.

    Parameters
    ----------
    groups : mapping of name to array
        The samples.

    Returns
    -------
    dict
        ``(a, b) -> (z, p)`` with the tie correction of Dunn (1964), unadjusted p.
    """
    names = list(groups)
    values = np.concatenate([np.asarray(groups[g], dtype=float) for g in names])
    ranks = stats.rankdata(values)
    n_total = len(values)
    _, ties = np.unique(values, return_counts=True)
    tie_term = (ties ** 3 - ties).sum() / (12 * (n_total - 1))
    base = n_total * (n_total + 1) / 12 - tie_term
    mean_rank, sizes, start = {}, {}, 0
    for g in names:
        size = len(groups[g])
        mean_rank[g], sizes[g] = ranks[start:start + size].mean(), size
        start += size
    out = {}
    for a, b in combinations(names, 2):
        se = np.sqrt(base * (1 / sizes[a] + 1 / sizes[b]))
        z = (mean_rank[a] - mean_rank[b]) / se if se > 0 else 0.0
        out[(a, b)] = (float(z), float(2 * stats.norm.sf(abs(z))))
    return out


@dataclass(frozen=True)
class GroupComparison:
    """Kruskal-Wallis and pairwise tests of one item across projects.

    Attributes
    ----------
    item : str
        The compared column.
    label : str
        How sentences name the item (the question text).
    omnibus : pandas.DataFrame
        One row: item, k (groups), n, H, df, p.
    pairwise : pandas.DataFrame
        One row per pair: item, group_a, n_a, group_b, n_b, statistic, p, p_holm,
        delta, delta_low, delta_high, magnitude (exact working numbers, groups all >= the
        policy's ``min_summary_n``).
    excluded : tuple of str
        Groups left out because they had fewer answers than ``min_summary_n``.
    method : str
        "mann-whitney" or "dunn".
    confidence : float
        Confidence level of the delta intervals.
    policy : SuppressionPolicy
        The policy used for :meth:`summary_frame` and :meth:`sentences`.
    note : str
        Why no test was run, in plain words, or ``""``. When every compared answer is the same
        value the Kruskal-Wallis H is undefined (0/0; R's ``kruskal.test`` gives NaN too), so
        ``H`` and ``p`` are NaN, ``pairwise`` is empty and the text says so instead.
    """

    item: str
    label: str
    omnibus: pd.DataFrame
    pairwise: pd.DataFrame
    excluded: tuple[str, ...]
    method: str
    confidence: float
    policy: SuppressionPolicy
    note: str = ""

    def summary_frame(self) -> pd.DataFrame:
        """Pairwise table for reports: n rounded per the policy, statistics to 2-3 places."""
        out = self.pairwise.copy()
        for col in ("n_a", "n_b"):
            out[col] = out[col].map(self.policy.format_count)
        for col in ("statistic", "delta"):
            out[col] = out[col].map(lambda v: f"{v:.2f}")
        out["delta_low"] = out["delta_low"].map(lambda v: _limit_text(v, "low"))
        out["delta_high"] = out["delta_high"].map(lambda v: _limit_text(v, "high"))
        for col in ("p", "p_holm"):
            out[col] = out[col].map(_format_p)
        out.attrs["suppression_statement"] = self.policy.statement()
        return out

    def sentences(self) -> list[str]:
        """Plain-language sentences, one per pair, that do not overclaim."""
        return [describe_difference(row, self.label, self.policy, confidence=self.confidence)
                for row in self.pairwise.to_dict("records")]

    def summary(self) -> str:
        """Text summary: the omnibus test, exclusions, and one sentence per pair."""
        om = self.omnibus.iloc[0]
        if self.note:
            lines = [f"{self.item}: not tested across {int(om['k'])} projects, "
                     f"{self.policy.format_count(om['n'])} answers. {self.note}"]
        else:
            lines = [f"{self.item}: Kruskal-Wallis H = {om['H']:.2f} (df {int(om['df'])}, "
                     f"p {_format_p(om['p'])}) across {int(om['k'])} projects, "
                     f"{self.policy.format_count(om['n'])} answers."]
        if self.excluded:
            lines.append(f"Left out (fewer than {self.policy.min_summary_n} answers): "
                         + ", ".join(self.excluded) + ".")
        return "\n".join(lines + self.sentences())

    def _repr_html_(self) -> str:
        """HTML for Jupyter: the summary line and the report table."""
        head = self.summary().splitlines()[0]
        return f"<p>{head}</p>" + self.summary_frame().to_html(index=False)


def compare_groups(df: pd.DataFrame, value_column: str, *, group_column: str = "project_id",
                   method: str = "mann-whitney", confidence: float = 0.95,
                   label: str | None = None,
                   policy: SuppressionPolicy | Mapping | None = None) -> GroupComparison:
    """Compare one ordinal item across projects.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response.
    value_column : str
        The ordinal item (e.g. a Likert column); blanks are dropped.
    group_column : str
        Project column.
    method : {"mann-whitney", "dunn"}
        Pairwise test; p values are Holm-corrected across all pairs of this item.
    confidence : float
        Confidence level of Cliff's delta intervals.
    label : str, optional
        The question text used in sentences (defaults to ``value_column``).
    policy : SuppressionPolicy or mapping, optional
        Projects with fewer than ``min_summary_n`` answers are left out (their summaries
        may not be published) and listed in ``excluded``.

    Returns
    -------
    GroupComparison

    Raises
    ------
    ConfigError
        When fewer than two projects have enough answers, or ``method`` is unknown.
    """
    policy = policy_or_default(policy)
    if method not in ("mann-whitney", "dunn"):
        raise ConfigError(f"compare_groups: method must be 'mann-whitney' or 'dunn', "
                          f"got {method!r}.")
    require_columns(df, [value_column, group_column], "compare_groups")
    values = pd.to_numeric(df[value_column], errors="coerce")
    data = pd.DataFrame({"g": df[group_column].astype(str), "v": values}).dropna()
    groups, excluded = {}, []
    floor = policy.min_summary_n if policy.enabled else 2
    for name, part in data.groupby("g", sort=True):
        if len(part) >= max(floor, 2):
            groups[name] = part["v"].to_numpy()
        else:
            excluded.append(name)
    if len(groups) < 2:
        raise ConfigError(f"compare_groups: {value_column!r} has fewer than two projects with at "
                          f"least {max(floor, 2)} answers, so there is nothing to compare.")
    distinct = np.unique(np.concatenate(list(groups.values())))
    note = ""
    if len(distinct) == 1:
        h = p = np.nan
        note = (f"Every answer was {distinct[0]:g}, so there is no difference between projects "
                "to test.")
    else:
        h, p = stats.kruskal(*groups.values())
    omnibus = pd.DataFrame([{"item": value_column, "k": len(groups),
                             "n": sum(len(v) for v in groups.values()), "H": float(h),
                             "df": len(groups) - 1, "p": float(p)}])
    dunn = dunn_pvalues(groups) if method == "dunn" and not note else {}
    rows = []
    for a, b in ([] if note else combinations(groups, 2)):
        if method == "dunn":
            stat, p_ab = dunn[(a, b)]
        else:
            res = stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided")
            stat, p_ab = float(res.statistic), float(res.pvalue)
        cd = cliffs_delta(groups[a], groups[b], confidence=confidence)
        rows.append({"item": value_column, "group_a": a, "n_a": len(groups[a]), "group_b": b,
                     "n_b": len(groups[b]), "statistic": stat, "p": p_ab, "delta": cd.delta,
                     "delta_low": cd.low, "delta_high": cd.high, "magnitude": cd.magnitude})
    pairwise = pd.DataFrame(rows, columns=_PAIR_COLUMNS)
    holm = multipletests(pairwise["p"].to_numpy(), method="holm")[1] if rows else []
    pairwise.insert(pairwise.columns.get_loc("p") + 1, "p_holm", holm)
    return GroupComparison(value_column, label or value_column, omnibus, pairwise,
                           tuple(excluded), method, confidence, policy, note)


_PAIR_COLUMNS = ["item", "group_a", "n_a", "group_b", "n_b", "statistic", "p", "delta",
                 "delta_low", "delta_high", "magnitude"]


def compare_projects(survey: pd.DataFrame, items: Sequence[str], *,
                     group_column: str = "project_id", method: str = "mann-whitney",
                     confidence: float = 0.95, labels: Mapping[str, str] | None = None,
                     policy: SuppressionPolicy | Mapping | None = None
                     ) -> dict[str, GroupComparison]:
    """Run :func:`compare_groups` for each item (Holm correction within each item's pairs).

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response.
    items : sequence of str
        Ordinal columns to compare.
    group_column, method, confidence, policy
        As for :func:`compare_groups`.
    labels : mapping, optional
        Item -> question text for the sentences.

    Returns
    -------
    dict of str to GroupComparison
        In the order of ``items``.
    """
    return {item: compare_groups(survey, item, group_column=group_column, method=method,
                                 confidence=confidence, label=(labels or {}).get(item),
                                 policy=policy) for item in items}


def comparison_tables(comparisons: Mapping[str, GroupComparison]) -> tuple[pd.DataFrame,
                                                                          pd.DataFrame]:
    """Stack the results of :func:`compare_projects` into two report tables.

    Parameters
    ----------
    comparisons : mapping of str to GroupComparison
        Output of :func:`compare_projects`.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The omnibus table (one row per item: label, projects compared, n rounded per the
        policy, H, df, p, projects left out; H and p read "not tested" when every answer was
        the same) and every item's :meth:`GroupComparison.summary_frame`
        stacked, each with the n beside each statistic.
    """
    omnibus, pairwise = [], []
    for result in comparisons.values():
        om = result.omnibus.iloc[0]
        untested = "not tested" if result.note else None
        omnibus.append({"item": result.item, "question": result.label, "projects": int(om["k"]),
                        "n": result.policy.format_count(om["n"]),
                        "H": untested or f"{om['H']:.2f}",
                        "df": int(om["df"]), "p": untested or _format_p(om["p"]),
                        "left out (too few answers)": ", ".join(result.excluded)})
        pairwise.append(result.summary_frame())
    columns = ["item", "question", "projects", "n", "H", "df", "p", "left out (too few answers)"]
    stacked = pd.concat(pairwise, ignore_index=True) if pairwise else pd.DataFrame()
    return pd.DataFrame(omnibus, columns=columns), stacked


def describe_difference(row: Mapping, item_label: str,
                        policy: SuppressionPolicy | None = None, alpha: float = 0.05,
                        confidence: float = 0.95) -> str:
    """One plain-language sentence about a pairwise difference that does not overclaim.

    Parameters
    ----------
    row : mapping
        A row of :attr:`GroupComparison.pairwise`.
    item_label : str
        How to name the item in the sentence.
    policy : SuppressionPolicy, optional
        Used to show group sizes as the report may show them (rounded: "about 10").
    alpha : float
        Threshold for the Holm-corrected p value.
    confidence : float
        Level of the delta interval in ``row``, for the wording.

    Returns
    -------
    str
        Small groups (the smaller under 20) or intervals spanning zero are described as
        uncertain, "a prompt for discussion, not a finding".
    """
    policy = policy_or_default(policy)
    na, nb = _people(row["n_a"], policy), _people(row["n_b"], policy)
    a, b = row["group_a"], row["group_b"]
    direction = "higher" if row["delta"] > 0 else "lower"
    effect = (f"Cliff's delta {row['delta']:.2f}, {confidence:.0%} interval "
              f"{_limit_text(row['delta_low'], 'low')} to {_limit_text(row['delta_high'], 'high')}")
    small = min(row["n_a"], row["n_b"]) < SMALL_GROUP
    spans_zero = row["delta_low"] <= 0 <= row["delta_high"]
    if small or spans_zero or row["p_holm"] >= alpha:
        lead = (f"With only {na} and {nb} respondents" if small
                else f"With {na} and {nb} respondents")
        if abs(row["delta"]) < 0.147:
            gist = f"{a} and {b} rated '{item_label}' about the same"
        else:
            gist = (f"{a} rated '{item_label}' {direction} than {b}, a {row['magnitude']} "
                    "difference")
        return (f"{gist} ({effect}). {lead} this difference is uncertain; treat it as a prompt "
                "for discussion, not a finding.")
    return (f"Respondents in {a} ({na}) tended to rate '{item_label}' {direction} than those in "
            f"{b} ({nb}); a {row['magnitude']} difference ({effect}, Holm-adjusted p "
            f"{_format_p(row['p_holm'])}). It describes these respondents, not everyone in the "
            "projects.")


def _people(n: int, policy: SuppressionPolicy) -> str:
    """Return a group size as the report may show it ("about 15" when rounded)."""
    shown = policy.format_count(n)
    if shown == SUPPRESSED:
        return f"fewer than {policy.min_count}"
    return shown if shown == str(int(n)) else f"about {shown}"


def _limit_text(value: float, side: str, decimals: int = 2) -> str:
    """An interval limit rounded outwards (lower down, upper up), so that rounding never
    makes an interval look narrower than it is (0.997 to 1 shows as 0.99 to 1.00)."""
    scale = 10.0 ** decimals
    # round first to absorb floating-point noise such as 0.29000000000000004
    scaled = round(value * scale, 6)
    shown = np.floor(scaled) if side == "low" else np.ceil(scaled)
    return f"{shown / scale + 0.0:.{decimals}f}"


def _format_p(p: float) -> str:
    """Return a p value as report text (``< 0.001`` for tiny values)."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"

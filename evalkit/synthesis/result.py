"""Result objects of a meta-analysis and their text and HTML display."""
from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from evalkit.results import TableResult

METHOD_NAMES = {
    "FE": "fixed effect (inverse variance)",
    "DL": "DerSimonian-Laird",
    "REML": "restricted maximum likelihood",
    "PM": "Paule-Mandel",
}


@dataclass(frozen=True)
class MetaResult:
    """Result of a fixed- or random-effects meta-analysis (metafor ``rma.uni`` style).

    Attributes
    ----------
    estimate, se : float
        Pooled effect and its standard error (Knapp-Hartung adjusted when requested).
    ci_low, ci_high : float
        Confidence interval at ``level``.
    z_or_t : float
        Test statistic for estimate = 0 (z, or t with ``df`` degrees of freedom).
    p_value : float
        Two-sided p-value of that test.
    tau2, tau : float
        Between-study variance (never negative) and its square root.
    i2 : float
        I^2 in percent (0-100): share of total variability due to heterogeneity.
    h2 : float
        H^2: total variability relative to sampling variability.
    q, q_df, q_p : float, int, float
        Cochran's Q (fixed-effect weights), its degrees of freedom (k - 1) and p-value.
    pi_low, pi_high : float
        Prediction interval for the true effect in a new study (see module notes).
    k : int
        Number of studies.
    method : str
        ``"FE"``, ``"DL"``, ``"REML"`` or ``"PM"``.
    knapp_hartung : bool
        Whether the Knapp-Hartung adjustment was used.
    level : float
        Confidence level, e.g. 0.95.
    df : int or None
        t degrees of freedom when ``knapp_hartung`` is True, else None.
    weights : tuple of float
        Percentage weight of each study in the pooled estimate (sums to 100).
    iterations : int
        Root-finding iterations REML used to refine its tau^2 (0 for other methods, and when
        the maximum is at tau^2 = 0).
    kh_scale : float or None
        The Knapp-Hartung factor applied to the variance of the estimate, truncated at 1
        (metafor ``test="adhoc"``); None without the adjustment.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z_or_t: float
    p_value: float
    tau2: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float
    pi_high: float
    k: int
    method: str
    knapp_hartung: bool
    level: float
    df: int | None = None
    weights: tuple[float, ...] = field(default=(), repr=False)
    iterations: int = 0
    kh_scale: float | None = None

    @property
    def statistic_name(self) -> str:
        """``"t"`` with the Knapp-Hartung adjustment, else ``"z"``."""
        return "t" if self.knapp_hartung else "z"

    def summary_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame (statsmodels ``summary_frame`` style).

        Returns
        -------
        pandas.DataFrame
            Index ``["pooled"]``; one column per field except ``weights``.
        """
        row = {k: v for k, v in asdict(self).items() if k != "weights"}
        return pd.DataFrame([row], index=["pooled"])

    def summary(self, digits: int = 4) -> str:
        """Plain-text summary laid out like metafor's ``print.rma.uni``.

        Parameters
        ----------
        digits : int, default 4
            Decimal places for estimates and statistics.

        Returns
        -------
        str
            Multi-line summary.
        """
        f = f"{{:.{digits}f}}".format
        pct = round(self.level * 100, 6)
        pct_text = f"{pct:g}"
        lines = []
        if self.method == "FE":
            lines += [f"Fixed-Effects Model (k = {self.k})", ""]
        else:
            lines += [f"Random-Effects Model (k = {self.k}; tau^2 estimator: {self.method})", "",
                      f"tau^2 (estimated amount of total heterogeneity): {f(self.tau2)}",
                      f"tau (square root of estimated tau^2 value):      {f(self.tau)}"]
        lines += [f"I^2 (total heterogeneity / total variability):   {self.i2:.2f}%",
                  f"H^2 (total variability / sampling variability):  {self.h2:.2f}", "",
                  "Test for Heterogeneity:",
                  f"Q(df = {self.q_df}) = {f(self.q)}, p-val {_p_text(self.q_p, digits, True)}", "",
                  "Model Results:", ""]
        stat = "tval" if self.knapp_hartung else "zval"
        header = ["estimate", "se", stat] + (["df"] if self.knapp_hartung else []) + ["pval", "ci.lb", "ci.ub"]
        values = [f(self.estimate), f(self.se), f(self.z_or_t)]
        values += [str(self.df)] if self.knapp_hartung else []
        values += [_p_text(self.p_value, digits), f(self.ci_low), f(self.ci_high)]
        widths = [max(len(h), len(v)) for h, v in zip(header, values)]
        lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        lines.append("  ".join(v.rjust(w) for v, w in zip(values, widths)))
        lines += ["", f"{pct_text}% prediction interval: {f(self.pi_low)} to {f(self.pi_high)}",
                  f"({_crit_text(self)})"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Accessible HTML table for Jupyter."""
        frame = self.summary_frame().T.rename(columns={"pooled": "value"})
        frame.index.name = "statistic"
        return _html_table(frame, _caption(self))


def _caption(result: MetaResult) -> str:
    """One-line description of the model used as a table caption."""
    model = "Fixed-effect" if result.method == "FE" else f"Random-effects ({METHOD_NAMES[result.method]})"
    kh = ", Knapp-Hartung adjusted" if result.knapp_hartung else ""
    return f"{model} meta-analysis of {result.k} studies{kh}"


def _crit_text(result: MetaResult) -> str:
    """Say which distribution the intervals used."""
    if result.knapp_hartung:
        return (f"intervals use t with {result.df} df and the Knapp-Hartung factor truncated "
                "at 1, as metafor test='adhoc'")
    return "intervals use the normal distribution, as metafor test='z'"


def _p_text(p: float, digits: int, equals: bool = False) -> str:
    """Format a p-value as metafor does (``<.0001`` below the display precision)."""
    if np.isnan(p):
        return "= NA" if equals else "NA"
    floor = 10.0**-digits
    if p < floor:
        return f"< {floor:.{digits}f}".replace("0.", ".") if equals else f"<{floor:.{digits}f}".replace("0.", ".")
    text = f"{p:.{digits}f}"
    return f"= {text}" if equals else text


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    """Render a DataFrame as a small accessible HTML table with a caption and header scopes."""
    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, (float, np.floating)):
            return "NA" if np.isnan(value) else f"{value:.4f}"
        return html.escape(str(value))

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(str(idx))}</th>'
        + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for idx, row in zip(frame.index, frame.itertuples(index=False))
    )
    return (f'<table class="evalkit-meta"><caption>{html.escape(caption)}</caption>'
            f'<thead><tr><th scope="col">{html.escape(str(frame.index.name or "item"))}</th>{head}</tr>'
            f'</thead><tbody>{rows}</tbody></table>')


@dataclass(frozen=True)
class SubgroupResult:
    """Per-subgroup meta-analyses and the test for subgroup differences.

    Attributes
    ----------
    results : Mapping[str, MetaResult]
        Fit within each subgroup, in order of first appearance.
    q_between : float
        Wald-type Q for differences between subgroup estimates.
    df : int
        Degrees of freedom (number of subgroups - 1).
    p_value : float
        Chi-squared p-value of ``q_between``.
    method : str
        tau^2 estimator used within subgroups (tau^2 estimated separately per subgroup).
    """

    results: Mapping[str, MetaResult]
    q_between: float
    df: int
    p_value: float
    method: str

    def summary_frame(self) -> pd.DataFrame:
        """Return one row per subgroup with its pooled estimate and heterogeneity.

        Returns
        -------
        pandas.DataFrame
            Index ``group``; columns ``k``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
            ``p_value``, ``tau2``, ``i2``, ``q``, ``q_p``, ``pi_low``, ``pi_high``.
        """
        columns = ["k", "estimate", "se", "ci_low", "ci_high", "p_value", "tau2", "i2", "q",
                   "q_p", "pi_low", "pi_high"]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.results.values()],
                            columns=columns, index=pd.Index(list(self.results), name="group"))

    def summary(self, digits: int = 4) -> str:
        """Plain-text table of subgroup estimates followed by the test for differences.

        Parameters
        ----------
        digits : int, default 4
            Decimal places.

        Returns
        -------
        str
            Multi-line summary.
        """
        frame = self.summary_frame()
        table = frame.to_string(float_format=lambda x: f"{x:.{digits}f}")
        text = (f"Subgroup analysis (tau^2 estimator within subgroups: {self.method})\n\n{table}\n\n"
                f"Test for subgroup differences: Q_between(df = {self.df}) = "
                f"{self.q_between:.{digits}f}, p-val {_p_text(self.p_value, digits, True)}")
        note = self.single_study_note()
        return f"{text}\n{note}" if note else text

    def single_study_note(self) -> str:
        """Warn in words when some subgroups hold a single study.

        Returns
        -------
        str
            Empty when every subgroup has at least two studies.
        """
        single = [name for name, r in self.results.items() if r.k == 1]
        if not single:
            return ""
        return (f"Note: {len(single)} of {len(self.results)} subgroups have one study ("
                f"{', '.join(single)}); each is its own estimate with no heterogeneity, so the "
                "test compares single studies rather than groups.")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Accessible HTML table for Jupyter."""
        caption = (f"Subgroup analysis; test for subgroup differences Q = {self.q_between:.2f}, "
                   f"df = {self.df}, p = {self.p_value:.4f}. {self.single_study_note()}").strip()
        return _html_table(self.summary_frame(), caption)


@dataclass(frozen=True, eq=False)
class LeaveOneOutResult(TableResult):
    """The meta-analysis refitted without each study in turn (see :func:`~evalkit.synthesis.leave_one_out`).

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``omitted`` (the study left out); columns ``estimate``, ``se``, ``z_or_t``,
        ``p_value``, ``ci_low``, ``ci_high``, ``pi_low``, ``pi_high``, ``q``, ``q_p``, ``tau2``,
        ``i2``, ``h2``.
    method : str
        tau^2 estimator.
    knapp_hartung : bool
        Whether the Knapp-Hartung adjustment was used.
    level : float
        Confidence level.
    """

    method: str = "REML"
    knapp_hartung: bool = False
    level: float = 0.95

    title = "Leave-one-out meta-analysis"


@dataclass(frozen=True, eq=False)
class PairedEffectsResult(TableResult):
    """Per-project standardised mean change (see :func:`~evalkit.synthesis.effect_sizes.paired_effects`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per project: ``project``, ``n``, ``n_excluded``, ``mean_before``,
        ``mean_after``, ``sd_before``, ``sd_after``, ``r``, ``yi``, ``vi``, ``ci_low``, ``ci_high``.
    measure : str
        ``"SMCR"`` or ``"SMCC"``.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    correct : bool
        Whether Hedges' small-sample correction was applied.
    quarantined : tuple of str
        Cells left out because they hold text instead of a number (``file:row:column: message``).
    """

    measure: str = "SMCR"
    level: float = 0.95
    correct: bool = True
    quarantined: tuple = ()

    title = "Standardised mean change per project"

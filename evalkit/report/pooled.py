"""The pooled change of each outcome: per-project effects, their random-effects meta-analysis and checks."""
from __future__ import annotations

import pandas as pd

from evalkit.report.facts import _cached, _cap, outcome_effects, project_names


def synthesis(report, pair) -> "Synthesis":
    """The :class:`Synthesis` of one outcome (cached per report)."""
    return _cached(report, ("synthesis", pair), lambda: Synthesis(report, pair))


class Synthesis:
    """Per-project effects of one outcome, their random-effects meta-analysis and sensitivity checks."""

    def __init__(self, report, pair, method: str = "REML", knapp_hartung: bool = True):
        from evalkit.synthesis.forest import forest_plot
        from evalkit.synthesis import leave_one_out, random_effects, subgroup_analysis

        names = project_names(report)
        themes = report.projects["theme"].to_dict()
        self.pair = pair
        self.method, self.knapp_hartung = method, knapp_hartung
        all_effects = outcome_effects(report, pair)
        allowed = [report.policy.summary_allowed(int(n)) for n in all_effects["n"]]
        self.withheld = all_effects[[not a for a in allowed]]
        self.effects = all_effects[allowed].reset_index(drop=True)
        labels = [names[p] for p in self.effects["project"]]
        self.labels = labels
        self.result = random_effects(self.effects["yi"], self.effects["vi"], method=method, knapp_hartung=knapp_hartung)
        self.forest = forest_plot(self.result, self.effects["yi"], self.effects["vi"], labels,
                                  effect_label=f"Standardised change in {pair.name} (SMCR)",
                                  title=f"Change in {pair.name}, project by project and combined")
        self.plain_forest = forest_plot(self.result, self.effects["yi"], self.effects["vi"], labels,
                                        effect_label=f"Size of the change in {pair.name}", plain=True,
                                        title=f"{_cap(pair.name)}: {self.headline}, project by project")
        self.leave_one_out = leave_one_out(self.effects["yi"], self.effects["vi"], labels, method=method,
                                           knapp_hartung=knapp_hartung)
        groups = [themes.get(p) for p in self.effects["project"]]
        usable = all(isinstance(g, str) and g for g in groups) and len(set(groups)) >= 2
        self.subgroups = subgroup_analysis(self.effects["yi"], self.effects["vi"], groups, method=method,
                                           knapp_hartung=knapp_hartung) if usable else None
        self.sentence = self._sentence()
        self.plain_sentence = self._plain_sentence()

    @property
    def headline(self) -> str:
        """What was found, in a few words ("scores went up a little on average, but this could be chance")."""
        r = self.result
        size = abs(r.estimate)
        if size < 0.2:
            words = "scores stayed about the same on average"
        else:
            words = f"scores went {'up' if r.estimate > 0 else 'down'} {'a little' if size < 0.5 else 'noticeably'} on average"
        if r.ci_low <= 0 <= r.ci_high and size >= 0.2:
            words += ", but this could be chance"
        return words

    def _sentence(self) -> str:
        r = self.result
        k = len(self.effects)
        return (f"Across the {k} projects with enough answers, the combined standardised change in {self.pair.name} "
                f"was {r.estimate:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f}; 95% prediction interval "
                f"{r.pi_low:.2f} to {r.pi_high:.2f}).")

    def _plain_sentence(self) -> str:
        r = self.result
        k = len(self.effects)
        sure = ("we cannot be sure it is more than chance, because the likely range includes no change"
                if r.ci_low <= 0 <= r.ci_high else "the change is bigger than chance alone would easily explain")
        spread = ("a new project could see no benefit" if r.pi_low <= 0 else "a new project would probably see some benefit")
        return (f"Across the {k} projects with enough answers, {self.pair.name} {self.headline.replace(', but this could be chance', '')} "
                f"(size of the change {r.estimate:.2f}; likely range {r.ci_low:.2f} to {r.ci_high:.2f}). "
                f"{_cap(sure)}. Results differed between projects, so {spread}.")

    def loo_table(self) -> pd.DataFrame:
        """Leave-one-out results for reading: the combined change without each project in turn."""
        loo = self.leave_one_out.summary_frame().reset_index()
        loo = loo.rename(columns={loo.columns[0]: "Project left out"})
        out = pd.DataFrame({"Project left out": loo["Project left out"],
                            "Combined change": loo["estimate"].map(lambda v: f"{v:.2f}"),
                            "95% CI": [f"{a:.2f} to {b:.2f}" for a, b in zip(loo["ci_low"], loo["ci_high"])]})
        if "tau2" in loo:
            out["tau\u00b2"] = loo["tau2"].map(lambda v: f"{v:.3f}")
        if "i2" in loo:
            out["I\u00b2"] = loo["i2"].map(lambda v: f"{v:.0f}%")
        return out

"""Two simulated human coders for the sample's double-coding file.

Each coder starts from the ground truth of an answer and makes independent, realistic errors:
missing a theme, adding an unrelated one, and, more often, swapping one theme of a confusable
pair for the other (venue versus online access, being heard versus having power, trust versus
safe spaces, time versus organisation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.sample_data.phrases import LEAF_THEMES

CONFUSABLE: dict[str, str] = {
    "accessibility_venue": "accessibility_online",
    "accessibility_online": "accessibility_venue",
    "feeling_heard": "power_decision_making",
    "power_decision_making": "feeling_heard",
    "relationships_trust": "safe_spaces",
    "safe_spaces": "relationships_trust",
    "time_resources": "organisation_communication",
    "organisation_communication": "time_resources",
}


@dataclass(frozen=True)
class SimulatedCoder:
    """A coder's name and error rates (per true theme: miss, swap; per answer: add an extra)."""

    name: str
    p_miss: float
    p_swap: float
    p_extra: float

    def code(self, rng: np.random.Generator, truth: tuple[str, ...]) -> tuple[str, ...]:
        """Code one answer.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of every random choice.
        truth : tuple of str
            The answer's ground-truth theme ids (at least one).

        Returns
        -------
        tuple of str
            The themes this coder ticks, in codebook order; never empty.
        """
        coded: set[str] = set()
        for theme in truth:
            u = rng.random()
            if u < self.p_miss:
                continue
            if theme in CONFUSABLE and u < self.p_miss + self.p_swap:
                coded.add(CONFUSABLE[theme])
            else:
                coded.add(theme)
        if rng.random() < self.p_extra:
            coded.add(LEAF_THEMES[int(rng.integers(len(LEAF_THEMES)))])
        if not coded:
            coded.add(truth[int(rng.integers(len(truth)))])
        return tuple(t for t in LEAF_THEMES if t in coded)


CODERS: tuple[SimulatedCoder, ...] = (
    SimulatedCoder("coder_a", p_miss=0.10, p_swap=0.15, p_extra=0.06),
    SimulatedCoder("coder_b", p_miss=0.15, p_swap=0.20, p_extra=0.09),
)


def double_code(rng: np.random.Generator, units: list[tuple[tuple[str, str, str], tuple[str, ...]]],
                n_units: int = 150) -> list[tuple[str, str, str, str, str]]:
    """Simulate two coders on a random subset of answers that have at least one true theme.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random choice.
    units : list of ((source, response_id, column), themes)
        Every free-text answer with its ground-truth themes, in a fixed order.
    n_units : int, optional
        How many answers both coders code.

    Returns
    -------
    list of (source, response_id, column, coder, theme_id)
        Sorted rows in long format. Every coded answer has at least one row per coder, so the
        set of coded answers is exactly the set of (source, response_id, column) present.
    """
    themed = [u for u in units if u[1]]
    chosen = sorted(int(i) for i in rng.choice(len(themed), size=min(n_units, len(themed)), replace=False))
    rows: list[tuple[str, str, str, str, str]] = []
    for i in chosen:
        key, truth = themed[i]
        for coder in CODERS:
            rows.extend((*key, coder.name, theme) for theme in coder.code(rng, truth))
    return sorted(rows)

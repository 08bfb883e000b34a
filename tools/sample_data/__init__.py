"""The seeded generator of the synthetic sample programme in ``data/sample/``.

``generate_sample(out_dir, seed)`` writes the programme config, survey, outcomes, Co-Pro Cuppa
feedback, project facts, ground-truth themes, double coding, pseudonym salt and the
member-checking workbooks returned by three co-producers; the same seed always gives
byte-identical files.
"""
from tools.sample_data.generator import DEFAULT_SEED, generate_sample

__all__ = ["DEFAULT_SEED", "generate_sample"]

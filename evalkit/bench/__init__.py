"""Benchmarks run by ``make bench``.

Each benchmark module exposes ``run(quick: bool = False) -> list[tuple[str, pandas.DataFrame]]``:
titled tables that ``python -m evalkit.bench`` prints and saves under ``outputs/bench/``.
"""
BENCHMARKS = (
    "evalkit.bench.classifier_quality",
    "evalkit.bench.learning_curve",
    "evalkit.bench.rules_quality",
    "evalkit.bench.rules_real",
    "evalkit.bench.embedding_runtime",
    "evalkit.bench.coding_speed",
    "evalkit.bench.report_speed",
    "evalkit.bench.privacy_names",
)

"""Benchmarks run by ``make bench``.

Each benchmark module exposes ``run(quick: bool = False) -> list[tuple[str, pandas.DataFrame]]``:
titled tables that ``python -m benchmarks`` prints and saves under ``outputs/bench/``.
"""
BENCHMARKS = (
    "benchmarks.classifier_quality",
    "benchmarks.learning_curve",
    "benchmarks.rules_quality",
    "benchmarks.rules_real",
    "benchmarks.embedding_runtime",
    "benchmarks.coding_speed",
    "benchmarks.report_speed",
    "benchmarks.privacy_names",
)

"""``python -m benchmarks [NAME ...] [--quick]``: run the benchmarks and print their tables."""
from __future__ import annotations

import argparse
import importlib
import sys

from benchmarks import BENCHMARKS
from evalkit.paths import OUTPUTS_DIR


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (default: all), print Markdown tables, save them to outputs/bench/."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="benchmark module names, e.g. classifier_quality")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    wanted = [m for m in BENCHMARKS if not args.names or m.rsplit(".", 1)[1] in args.names]
    out_dir = OUTPUTS_DIR / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    for module_name in wanted:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[1]
        lines = []
        for title, table in module.run(quick=args.quick):
            block = f"### {title}\n\n{table.to_markdown(index=False)}\n"
            print(block, flush=True)
            lines.append(block)
        (out_dir / f"{short}.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

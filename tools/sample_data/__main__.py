"""``python -m tools.sample_data --out data/sample [--seed N]``: re-create the synthetic sample programme."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.sample_data.generator import DEFAULT_SEED, generate_sample


def main(argv: list[str] | None = None) -> int:
    """Write the sample programme's files into ``--out``; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m tools.sample_data")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (e.g. data/sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: the committed sample's)")
    args = parser.parse_args(argv)
    written = generate_sample(args.out, seed=args.seed)
    print(f"Wrote {len(written)} files to {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

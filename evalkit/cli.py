"""The ``evalkit`` command: parses arguments and makes one call into the library.

Errors evalkit raises on purpose print as plain ``file:row:column: message`` lines and exit 1;
no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from evalkit.errors import DataValidationError, EvalkitError

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _say(text, file=None) -> None:
    """Print a line for a terminal: control characters (ANSI escapes, bidi overrides) shown as escapes, never run."""
    print(_UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text)),
          file=file or sys.stdout)


def _validate(args: argparse.Namespace) -> int:
    from evalkit.programme import validate_programme
    from evalkit.programme.problems import group_problems, summarise

    problems = validate_programme(args.config)
    for line in group_problems(problems):
        _say(line, sys.stderr)
    code, sentence = summarise(problems, strict=args.strict)
    _say(f"{args.config}: {sentence}", sys.stderr if code else sys.stdout)
    return code


def _report(args: argparse.Namespace) -> int:
    from evalkit.report import build_reports, check_reports

    if args.check:
        differences = check_reports(args.config, args.check, jobs=args.jobs)
        for line in differences:
            _say(line, sys.stderr)
        if differences:
            return 1
        print(f"{args.check}: re-run matches byte for byte.")
        return 0
    if args.out is None:
        raise EvalkitError("evalkit report needs --out DIR (or --check DIR to verify a previous run).")
    result = build_reports(args.config, args.out, jobs=args.jobs, use_cache=not args.no_cache)
    _say(result.summary())
    return 0 if result.ok else 1


def _sample_data(args: argparse.Namespace) -> int:
    # The generator is a development tool of the repository (tools/sample_data/), not part of the
    # installed package: this command works from a checkout only.
    import importlib

    from evalkit.paths import REPO_DIR

    if not (REPO_DIR / "tools" / "sample_data" / "generator.py").is_file():
        raise EvalkitError("the sample generator lives in the evalkit repository (tools/sample_data/); "
                           "run this command from a checkout of it.")
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    generate_sample = importlib.import_module("tools.sample_data").generate_sample
    written = generate_sample(args.out, seed=args.seed)
    print(f"Wrote {len(written)} files to {args.out}.")
    return 0


def _code(args: argparse.Namespace) -> int:
    from evalkit.coding.pipeline import code_file

    summary = code_file(
        args.input,
        text_column=args.text_column,
        out=args.out,
        codebook=args.codebook,
        model=args.model,
        id_column=args.id_column,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
    )
    _say(summary)
    return 0


def _train(args: argparse.Namespace) -> int:
    from evalkit.coding.pipeline import train_file

    summary = train_file(
        args.input,
        text_column=args.text_column,
        label_columns=args.label_column,
        out=args.out,
        seed=args.seed,
    )
    print(summary)
    return 0


def _init(args: argparse.Namespace) -> int:
    from evalkit.programme.init import init_programme

    result = init_programme(args.files, args.out, project_column=args.project_column, id_column=args.id_column,
                            respondent_column=args.respondent_column, sheet=args.sheet, force=args.force)
    print(result.summary())
    return 0


def _export_qdpx(args: argparse.Namespace) -> int:
    from evalkit.exchange import export_qdpx

    summary = export_qdpx(args.config, args.out, unredacted=args.unredacted, journals=args.journals,
                          machine=not args.no_machine)
    print(summary)
    return 0


def _import_qdpx(args: argparse.Namespace) -> int:
    from evalkit.exchange import import_qdpx

    result = import_qdpx(args.input, args.out, config=args.config, codebook=args.codebook)
    print(result)
    print(f"Wrote {args.out}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``evalkit`` command."""
    parser = argparse.ArgumentParser(prog="evalkit", description="Evidence synthesis and evaluation for co-production.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a programme's config and data; print every problem")
    p.add_argument("--config", required=True, type=Path, help="programme YAML file")
    p.add_argument("--strict", action="store_true",
                   help="fail (exit 1) when any row would be quarantined, not only on problems that stop the reports")
    p.set_defaults(func=_validate)

    p = sub.add_parser("init", help="guess a programme config from exported CSV/XLSX files; write it with a salt")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV or XLSX files, exactly as exported")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for programme.yml and the salt")
    p.add_argument("--project-column", metavar="COL", help="column naming each row's project (default: one project)")
    p.add_argument("--id-column", metavar="COL", help="row id column, in the files that have it (default: guessed)")
    p.add_argument("--respondent-column", metavar="COL", help="column identifying people (default: guessed)")
    p.add_argument("--sheet", metavar="NAME", help="worksheet of the XLSX files (default: the first)")
    p.add_argument("--force", action="store_true", help="overwrite an existing programme.yml (the salt is kept)")
    p.set_defaults(func=_init)

    p = sub.add_parser("report", help="build the programme's reports with papermill")
    p.add_argument("--config", required=True, type=Path, help="programme YAML file")
    p.add_argument("--out", type=Path, help="folder for the reports (e.g. outputs/sample)")
    p.add_argument("--check", type=Path, metavar="DIR", help="re-run and report any difference from DIR")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: CPU count)")
    p.add_argument("--no-cache", action="store_true", help="re-run every notebook even if nothing changed")
    p.set_defaults(func=_report)

    p = sub.add_parser("sample-data", help="re-create the synthetic sample programme")
    p.add_argument("--out", type=Path, required=True, help="folder to write (e.g. data/sample)")
    p.add_argument("--seed", type=int, default=20240129, help="random seed (default: the committed sample's)")
    p.set_defaults(func=_sample_data)

    p = sub.add_parser("code", help="code a CSV/XLSX of free-text answers into themes")
    p.add_argument("--input", required=True, type=Path)
    p.add_argument("--text-column", required=True)
    p.add_argument("--id-column", default=None, help="response id column (default: row number)")
    p.add_argument("--codebook", type=Path, default=None, help="codebook YAML/CSV/QDC (default: the co-production codebook)")
    p.add_argument("--model", type=Path, default=None, help="a ThemeClassifier saved by 'evalkit train'")
    p.add_argument("--out", required=True, type=Path, help="tidy output table (.csv or .parquet)")
    p.add_argument("--chunk-size", type=int, default=20000)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_code)

    p = sub.add_parser("train", help="train and save a ThemeClassifier from a coded file")
    p.add_argument("--input", required=True, type=Path)
    p.add_argument("--text-column", required=True)
    p.add_argument("--label-column", required=True, action="append",
                   help="label column; give once for single-label, several times (0/1 columns) for multi-label")
    p.add_argument("--out", required=True, type=Path, help="model file to write")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_train)

    p = sub.add_parser("export-qdpx", help="write answers and every coder's codes as a REFI-QDA project (.qdpx)")
    p.add_argument("--config", required=True, type=Path, help="programme YAML file")
    p.add_argument("--out", required=True, type=Path, help="the .qdpx file to write")
    p.add_argument("--unredacted", action="store_true",
                   help="keep answers as written (the team's own secure copy only; prints a warning)")
    p.add_argument("--journals", type=Path, default=None, metavar="DIR",
                   help="coding panel store folder: add every coder's journal")
    p.add_argument("--no-machine", action="store_true", help="leave out the keyword rule coder's codes")
    p.set_defaults(func=_export_qdpx)

    p = sub.add_parser("import-qdpx", help="read codings from a .qdpx (QualCoder, NVivo, ATLAS.ti, MAXQDA) into a CSV")
    p.add_argument("--input", required=True, type=Path, help="the .qdpx file")
    p.add_argument("--out", required=True, type=Path, help="coder table to write (.csv)")
    p.add_argument("--config", type=Path, default=None,
                   help="programme YAML: check sources against its answers and codes against its codebook")
    p.add_argument("--codebook", type=Path, default=None,
                   help="codebook whose theme ids to keep when no --config is given (default: the co-production one)")
    p.set_defaults(func=_import_qdpx)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``evalkit`` command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataValidationError as err:
        for problem in err.problems:
            _say(problem, sys.stderr)
        return 1
    except EvalkitError as err:
        _say(f"evalkit: {err}", sys.stderr)
        return 1
    except OSError as err:  # a folder that cannot be written, a disk that is full...
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        _say(f"evalkit: {err.strerror or err}{where}; check the path exists and you can write to it", sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("evalkit: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

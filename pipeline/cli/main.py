"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet tables.

Run the pipeline, train and calibrate the model, evaluate, report, export, describe the tables.

Exit status: 0 when every file succeeded, 1 when any file failed (the others are still written)
or ``check`` found a problem, 2 for usage and configuration errors (bad flags, a --paper that is
not a slug, a date that is not a date, an --out or --gazetteer that cannot be used, no input).
"""

from __future__ import annotations

import sys

from pipeline.cli.commands import (
    cmd_calibrate,
    cmd_check,
    cmd_eval,
    cmd_export,
    cmd_report,
    cmd_tables,
    cmd_train,
)
from pipeline.cli.parser import UsageError, build_parser
from pipeline.cli.run import cmd_run
from pipeline.errors import OutputsError
from pipeline.store import ManifestError

__all__ = ["build_parser", "main"]


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"pinghu-ner: warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    import warnings

    warnings.formatwarning = _one_line_warning  # type: ignore[assignment] - a CLI prints one line
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "train":
            return cmd_train(args)
        if args.command == "calibrate":
            return cmd_calibrate(args)
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "tables":
            return cmd_tables(args)
    except (UsageError, ManifestError) as exc:
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 2
    except OutputsError as exc:
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pinghu-ner: interrupted", file=sys.stderr)
        return 130
    return 2


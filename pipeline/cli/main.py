"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet tables.

Run the pipeline, train and calibrate the model, evaluate, report, export, describe the tables.

Exit status: 0 when every file succeeded, 1 when any file failed (the others are still written)
or ``check`` found a problem, 2 for usage and configuration errors (bad flags, a --paper that is
not a slug, a date that is not a date, an --out, --gazetteer or --model that cannot be used, no
input), 141 when the reader of standard output went away (``pinghu-ner check out | head``): the
status a shell reports for a command ended by SIGPIPE (128 + 13), printed nothing more, so that
a pipeline with ``set -o pipefail`` can tell a cut listing from a finished one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from pipeline.cli.parser import UsageError, build_parser
from pipeline.errors import CorrectionError, OutputsError
from pipeline.store import ManifestError

__all__ = ["build_parser", "main"]


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function behind subcommand ``name`` (one per parser name, ``cmd_<name>``), its module
    imported here, when that command is chosen: ``run`` starts in every worker process and needs
    none of the others' modules (``browse``, ``correct``, ``commands`` and what they import)."""
    if name == "run":
        from pipeline.cli.run import cmd_run

        return cmd_run
    if name == "browse":
        from pipeline.cli.browse import cmd_browse

        return cmd_browse
    if name == "correct":
        from pipeline.cli.correct import cmd_correct

        return cmd_correct
    from pipeline.cli import commands

    return getattr(commands, f"cmd_{name}")


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"pinghu-ner: warning: {message}\n"


EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (module docstring).  Standard output is flushed here, so
    that a reader that went away is noticed inside, not as a traceback at interpreter exit."""
    try:
        try:
            return _dispatch(argv)
        finally:
            sys.stdout.flush()  # also after --help / --version (SystemExit)
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush has nowhere to fail
    (Python's documented way out of a broken pipe, docs "signal" / "Note on SIGPIPE")."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stdout (tests): nothing to redirect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _rich_raises_broken_pipe() -> None:
    """Rich's consoles end the process themselves on a broken pipe (``SystemExit(1)``, their
    documented default, meant to be overridden): here the error goes up to ``main`` instead, so
    that every command ends the same way.  Only for the commands that print through Rich, which
    import it anyway (``check`` and ``tables`` stay light; so does ``run --quiet``, which prints
    nothing through Rich: it starts in every worker of a batch)."""
    from rich.console import Console

    def on_broken_pipe(self: Console) -> None:
        self.quiet = True
        raise BrokenPipeError(32, "Broken pipe")

    Console.on_broken_pipe = on_broken_pipe  # type: ignore[method-assign]


def _dispatch(argv: list[str] | None) -> int:
    import warnings

    from pipeline.recognize import BackendUnavailable

    warnings.formatwarning = _one_line_warning  # type: ignore[assignment] - a CLI prints one line
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("report", "export", "eval", "calibrate") or (args.command == "run" and not args.quiet):
        _rich_raises_broken_pipe()
    try:
        return command(args.command)(args)
    except (UsageError, ManifestError, BackendUnavailable, CorrectionError) as exc:  # a broken model file too
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 2
    except OutputsError as exc:
        if isinstance(exc.__context__, BrokenPipeError):  # ``report``'s "cannot write" of a closed stdout
            raise exc.__context__ from None
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pinghu-ner: interrupted", file=sys.stderr)
        return 130
    return 2


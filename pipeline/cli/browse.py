"""``pinghu-ner export sqlite OUT.db`` and ``pinghu-ner browse``: the tables in SQLite and Datasette.

A module of its own so that ``commands`` only hands over to it: ``export`` keeps its CSV and
Excel path, and everything SQLite or Datasette (the target checks, the temporary database that
``browse`` serves, the missing extra) is here.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from pipeline.cli.parser import UsageError, filters_of
from pipeline.errors import OutputsError
from pipeline.ingest import printable

EXPORT_FORMATS = ("csv", "xlsx", "sqlite")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def export_target(args: argparse.Namespace) -> tuple[Path, str]:
    """``(destination, format)`` of an ``export`` command line.

    ``export sqlite OUT.db`` names the format first (``dest`` is then the format and ``target``
    the file); ``export OUT --format F`` and ``export OUT.xlsx`` / ``OUT.db`` are the other forms.
    """
    fmt = args.format
    target = getattr(args, "target", None)
    if target is not None:
        if args.dest.name not in EXPORT_FORMATS or str(args.dest) != args.dest.name:
            raise UsageError(f"export {printable(args.dest)} {printable(target)}: give one OUT, or a format "
                             f"({', '.join(EXPORT_FORMATS)}) then OUT")
        if fmt is not None and fmt != args.dest.name:
            raise UsageError(f"export {args.dest.name} … --format {fmt}: two different formats")
        return Path(target), args.dest.name
    dest = Path(args.dest)
    suffix = dest.suffix.lower()
    if fmt is None:
        fmt = "xlsx" if suffix == ".xlsx" else "sqlite" if suffix in SQLITE_SUFFIXES else "csv"
    return dest, fmt


def _export_database(out: Path, dest: Path, args: argparse.Namespace) -> dict:
    """The SQLite export, its refusals as usage errors and a failed write as one line."""
    from pipeline.report.filters import UnknownLocality
    from pipeline.report.sqlite import SqliteExportError, export_sqlite

    try:
        return export_sqlite(out, dest, filters_of(args))
    except SqliteExportError as exc:  # inside the outputs, a directory, an old SQLite
        raise UsageError(printable(str(exc))) from None
    except UnknownLocality as exc:  # a place nobody knows: one line with the closest names
        raise UsageError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:  # read-only, a full disk: one line, not a traceback
        where = printable(exc.filename) if exc.filename else printable(dest)
        raise OutputsError(f"{where}: cannot write: {exc.strerror or exc}") from None


def cmd_export_sqlite(args: argparse.Namespace, dest: Path) -> int:
    """``export sqlite OUT.db``: the database and ``OUT.metadata.json`` for Datasette."""
    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: no outputs directory (run `pinghu-ner run` first)")
    res = _export_database(Path(args.out), dest, args)
    rows = ", ".join(f"{n} {name}" for name, n in res["rows"].items())
    print(f"{printable(dest)}: {rows}; Datasette metadata in {printable(res['paths'][1])}")
    if res["foreign_key_problems"]:
        print(f"pinghu-ner: warning: {res['foreign_key_problems']} rows name an article or entity that is not "
              "in the database (`pinghu-ner check` the outputs)", file=sys.stderr)
    return 0


def database_name(out: Path) -> str:
    """The database's name in Datasette's addresses: the outputs directory's name, in URL-safe letters."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(out).resolve().name).strip("-")
    return name or "outputs"


def cmd_browse(args: argparse.Namespace) -> int:
    """Export to a temporary database and serve it with Datasette on localhost until Ctrl-C."""
    from pipeline.report.browse import DatasetteMissing, port_free, require_datasette, serve

    try:
        require_datasette()
    except DatasetteMissing as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.out)
    if not out.is_dir():
        raise UsageError(f"{printable(out)}: no outputs directory (run `pinghu-ner run` first)")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port number (1-65535)")
    if not port_free(args.port):
        raise UsageError(f"--port {args.port}: in use; choose another (--port N)")
    with tempfile.TemporaryDirectory(prefix="pinghu-browse-") as tmp:
        name = database_name(out)
        res = _export_database(out, Path(tmp) / f"{name}.db", args)
        db, metadata = res["paths"]
        print(f"pinghu-ner: browsing {printable(out)} at http://127.0.0.1:{args.port}/{name} (Ctrl-C stops)",
              file=sys.stderr, flush=True)
        serve(db, metadata, args.port)
    return 0


__all__ = ["EXPORT_FORMATS", "cmd_browse", "cmd_export_sqlite", "database_name", "export_target"]

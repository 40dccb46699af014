"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet tables.

Run the pipeline, train and calibrate the model, evaluate, report, export, describe the tables.

Exit status: 0 when every file succeeded, 1 when any file failed (the others are still written)
or ``check`` found a problem, 2 for usage and configuration errors (bad flags, a --paper that is
not a slug, a date that is not a date, an --out or --gazetteer that cannot be used, no input).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL, backends
from pipeline.store import TABLE_NAMES


class UsageError(Exception):
    pass


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _safe_path(value: str) -> Path:
    if "\x00" in value:
        raise argparse.ArgumentTypeError("path contains a NUL byte")
    return Path(value)


def _disable_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--disable", action="append", default=[], metavar="PASS",
                    help="switch a recognise pass off, for an ablation (repeatable; names in "
                         "pipeline/recognize/recognize.cfg)")


class _VersionAction(argparse.Action):
    """``--version``: package, model and gazetteer versions, computed only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: object) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the package, model and gazetteer versions and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001
        from pipeline.cli.version import version_text

        print(version_text())
        parser.exit()


def _filter_args(sp: argparse.ArgumentParser) -> None:
    """The article filters shared by ``report`` and ``export``."""
    g = sp.add_argument_group("filters (which articles)")
    g.add_argument("--from", dest="date_from", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="first issue date to include")
    g.add_argument("--to", dest="date_to", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="last issue date to include")
    g.add_argument("--page", dest="pages", type=int, action="append", default=[], metavar="N",
                   help="only page N (repeatable: --page 1 --page 2)")
    g.add_argument("--locality", default=None, metavar="PLACE",
                   help="only articles about this place: an entity id (div:330482102), a division code, a name (新埭镇) "
                        "or an article locality (local, national, foreign, elsewhere); an unknown one is an error")
    g.add_argument("--no-titles", action="store_true",
                   help="leave out the bodies and places printed inside officials' titles (市委 of 市委书记): "
                        "organisations as actors only")


def filters_of(args: argparse.Namespace):  # noqa: ANN202 - pipeline.report.data.Filters, imported lazily
    from pipeline.report.data import Filters

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    return Filters(args.date_from, args.date_to, tuple(args.pages), args.locality, titles=not args.no_titles)


def _common(sp: argparse.ArgumentParser) -> None:
    """Model, gazetteer and backend: what every command that recognises text takes."""
    sp.add_argument("--model", type=_safe_path, default=DEFAULT_MODEL, help="trained model directory")
    sp.add_argument("--gazetteer", type=_safe_path, default=DEFAULT_GAZETTEER, help="gazetteer directory")
    sp.add_argument("--backend", choices=backends(), default=backends()[0], help="recogniser variant (default: %(default)s)")


def _add_run_command(sub: argparse._SubParsersAction) -> None:
    """``run``: issue files in, Parquet tables out."""
    r = sub.add_parser("run", help="process issue files into Parquet tables")
    r.add_argument("paths", nargs="+", type=_safe_path, help="files or directories (*.md, *.txt)")
    r.add_argument("--out", type=_safe_path, default=Path("outputs"),
                   help="output directory for the Parquet tables and manifest (default: %(default)s)")
    r.add_argument("--paper", default="pinghu-daily", help="paper slug used in partition paths")
    r.add_argument("--date", type=_date, default=None, help="issue date YYYY-MM-DD (else from file name/text)")
    r.add_argument("--workers", type=int, default=1,
                   help="worker processes, each loading the model once; N = number of cores (default: %(default)s)")
    r.add_argument("--resume", action="store_true",
                   help="skip sources whose bytes, paper, date, backend, model and gazetteer match the manifest "
                        "and whose parts verify")
    r.add_argument("--root", type=_safe_path, default=None,
                   help="archive root: sources are identified by their path below it (default: absolute path)")
    r.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: processes on this machine; dask: a Dask cluster (see --scheduler) (default: %(default)s)")
    r.add_argument("--scheduler", default=None, help="dask scheduler address (with --engine dask)")
    r.add_argument("--prune", action="store_true",
                   help="after the run, remove the rows of recorded sources whose files are gone (asks first; "
                        "--yes to skip the question)")
    r.add_argument("--yes", action="store_true", help="with --prune: do not ask")
    r.add_argument("--corrections", type=_safe_path, default=None, metavar="FILE",
                   help="corrections to apply (CSV as `pinghu-ner correct` writes it); copied to OUT/corrections.csv, "
                        "which every later run applies (default: OUT/corrections.csv if present)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--quiet", action="store_true", help="print errors only: no progress bar, no summary")
    g.add_argument("--verbose", action="store_true", help="print one line per file (counts and time)")
    _common(r)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pinghu-ner", description=__doc__.splitlines()[0])
    p.add_argument("--version", action=_VersionAction)
    sub = p.add_subparsers(dest="command", required=True)

    _add_run_command(sub)

    t = sub.add_parser("train", help="rebuild the NER model from ../shared/corpora")
    t.add_argument("--out", type=_safe_path, default=DEFAULT_MODEL, help="where to write the model (default: %(default)s)")
    t.add_argument("--work", type=_safe_path, default=Path(tempfile.gettempdir()) / "pinghu-ner-train",
                   help="scratch directory for corpora and checkpoints (~250 MB)")
    t.add_argument("--arch", choices=("lstm", "cnn"), default="lstm",
                   help="lstm: char+bigram BiLSTM exported to ONNX (needs the [train] extra, torch); "
                        "cnn: spaCy's CNN + transition NER, two phases")
    t.add_argument("--epochs", type=int, default=None, help="lstm epochs per member (default: the shipped recipe's)")
    t.add_argument("--recipe", type=_safe_path, default=None,
                   help="lstm: members' config file (default: pipeline/model/lstm.cfg, the shipped recipe)")
    t.add_argument("--assemble-only", action="store_true",
                   help="lstm: skip training; weigh and export the members already in --work")
    t.add_argument("--finetune-only", action="store_true",
                   help="lstm: run only the members' second phase (recipe finetune_epochs) from the phase-1 "
                        "checkpoints in --work, then weigh and export")
    t.add_argument("--steps", type=int, default=10000, help="cnn phase 1 steps (corpora)")
    t.add_argument("--finetune-steps", type=int, default=3000, help="cnn phase 2 steps (corpora + augmentation); 0 skips")
    t.add_argument("--corpora", type=_safe_path, default=None, help="corpora root (default ../shared/corpora)")

    c = sub.add_parser("calibrate", help="learn the combiner's per-source weights and error filters")
    c.add_argument("--corpora", type=_safe_path, default=None, help="corpora root (default ../shared/corpora)")
    c.add_argument("--sentences", type=int, default=3000, help="MSRA dev sentences to calibrate on (default: %(default)s)")
    _disable_arg(c)
    _common(c)

    e = sub.add_parser("eval", help="score predictions against gold")
    e.add_argument("--corpus", action="append", default=[], help="msra-test, msra-test-docs (as documents), cluener-dev (repeatable)")
    e.add_argument("--pages", nargs="*", type=_safe_path, default=[], help="pages with <page>.gold.tsv beside them")
    e.add_argument("--corpora", type=_safe_path, default=None, help="corpora root (default ../shared/corpora)")
    e.add_argument("--limit", type=int, default=0, help="score only the first N corpus sentences")
    e.add_argument("--json", action="store_true", help="print the scores as JSON instead of tables")
    _disable_arg(e)
    _common(e)

    ck = sub.add_parser("check", help="validate an outputs directory: one line per problem, exit 1 if any")
    ck.add_argument("out", type=_safe_path, nargs="?", default=Path("outputs"),
                    help="outputs directory written by `pinghu-ner run` (default: %(default)s)")

    _add_analysis_commands(sub)
    _add_store_commands(sub)
    return p


def _add_store_commands(sub: argparse._SubParsersAction) -> None:
    """``migrate``, ``rebuild`` and ``correct``: maintaining an outputs directory without its sources."""
    co = sub.add_parser(
        "correct", help="record a correction (merge, link, split, relabel, drop, alias) that every run applies",
        description="Record what the machine got wrong, in OUT/corrections.csv; it is applied to the committed rows "
                    "now (no recognition re-run) and to every later run.  merge ID INTO_ID | link NIL_ID GAZETTEER_ID "
                    "| split MENTION... [--as ID] | relabel MENTION TYPE | drop MENTION | alias ID NAME | list | "
                    "remove CORRECTION_ID.  MENTION is a mention_id (its :TYPE may be left off).")
    co.add_argument("action", choices=("merge", "link", "split", "relabel", "drop", "alias", "list", "remove"),
                    help="what to record (list: show them; remove: take one out)")
    co.add_argument("args", nargs="*", metavar="ARG", help="what the action takes (see above)")
    co.add_argument("--outputs", dest="out", type=_safe_path, default=Path("outputs"), metavar="DIR",
                    help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    co.add_argument("--as", dest="as_id", default="", metavar="ID",
                    help="split: the entity id the mentions take (default: person:split:<correction id>)")
    co.add_argument("--name", default="", help="split: the name of the new entity (default: as printed)")
    co.add_argument("--note", default="", help="why, in your words (kept in the file)")
    co.add_argument("--gazetteer", type=_safe_path, default=DEFAULT_GAZETTEER,
                    help="gazetteer that link's ids come from (default: %(default)s)")
    mg = sub.add_parser("migrate", help="rewrite outputs of an older pinghu-ner in the current layout")
    mg.add_argument("out", type=_safe_path, help="outputs directory to migrate in place")
    mg.add_argument("--gazetteer", type=_safe_path, default=DEFAULT_GAZETTEER,
                    help="gazetteer for the rebuilt entities table (default: %(default)s)")
    rb = sub.add_parser("rebuild", help="rebuild the entities and offices tables from the committed mentions")
    rb.add_argument("out", type=_safe_path, nargs="?", default=Path("outputs"),
                    help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    rb.add_argument("--gazetteer", type=_safe_path, default=DEFAULT_GAZETTEER,
                    help="gazetteer for the entities' kinds and codes (default: %(default)s)")


def _add_analysis_commands(sub: argparse._SubParsersAction) -> None:
    """``report``, ``export`` and ``tables``: reading what ``run`` wrote."""
    rp = sub.add_parser("report", help="summarise an outputs directory; --html for the interactive report")
    rp.add_argument("out", type=_safe_path, nargs="?", default=Path("outputs"),
                    help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    rp.add_argument("--html", type=_safe_path, default=None, metavar="FILE",
                    help="also write one self-contained interactive HTML report (works offline)")
    rp.add_argument("--png", type=_safe_path, default=None, metavar="DIR",
                    help="also write the charts as PNG files into DIR (needs matplotlib: the [notebook] extra)")
    rp.add_argument("--top", type=int, default=15, help="rows per table (default: %(default)s)")
    _filter_args(rp)

    x = sub.add_parser("export", help="write the tables as CSV files, an Excel workbook or a SQLite database")
    x.add_argument("dest", type=_safe_path, metavar="FORMAT|OUT",
                   help="where to write: a directory (csv, one file per table), a .xlsx file or a .db file "
                        "(sqlite); or a format (csv, xlsx, sqlite) followed by OUT")
    x.add_argument("target", type=_safe_path, nargs="?", default=None, metavar="OUT",
                   help="after a format: where to write (`export sqlite outputs.db`)")
    x.add_argument("--format", choices=("csv", "xlsx", "sqlite"), default=None,
                   help="csv: one UTF-8 file per table; xlsx: one workbook, a sheet per table; sqlite: one "
                        "database with full-text search and OUT.metadata.json for Datasette (default: xlsx "
                        "when OUT ends in .xlsx, sqlite for .db/.sqlite/.sqlite3, else csv)")
    x.add_argument("--outputs", dest="out", type=_safe_path, default=Path("outputs"), metavar="DIR",
                   help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    _filter_args(x)

    tb = sub.add_parser("tables", help="print the data dictionary: every table and column, type, meaning, example")
    tb.add_argument("table", nargs="*", metavar="TABLE",
                    help=f"only these tables ({', '.join(TABLE_NAMES)}; default: all)")

    br = sub.add_parser("browse", help="browse the tables in Datasette on localhost (needs the [browse] extra)")
    br.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default: %(default)s)")
    br.add_argument("--outputs", dest="out", type=_safe_path, default=Path("outputs"), metavar="DIR",
                    help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    _filter_args(br)


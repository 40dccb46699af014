"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet tables.

Run the pipeline, train and calibrate the model, evaluate, report, export, describe the tables.

Exit status: 0 when every file succeeded, 1 when any file failed (the others are still written)
or ``check`` found a problem, 2 for usage and configuration errors (bad flags, a --paper that is
not a slug, a date that is not a date, an --out or --gazetteer that cannot be used, no input).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pipeline.errors import OutputsError
from pipeline.ingest.identity import printable
from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL, Settings, backends
from pipeline.store.manifest import LOCK_FILE, ManifestError
from pipeline.store.schema import TABLE_NAMES


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
                   help="only articles about this place: an entity id (div:330482101), a name (新埭镇) or an article locality (local, national)")


def _filters(args: argparse.Namespace):  # noqa: ANN202 - pipeline.report.data.Filters, imported lazily
    from pipeline.report.data import Filters

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    return Filters(args.date_from, args.date_to, tuple(args.pages), args.locality)


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
    return p


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"pinghu-ner: warning: {message}\n"


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

    x = sub.add_parser("export", help="write the tables as CSV files or an Excel workbook")
    x.add_argument("dest", type=_safe_path, metavar="OUT",
                   help="where to write: a directory (csv, one file per table) or a .xlsx file")
    x.add_argument("--format", choices=("csv", "xlsx"), default=None,
                   help="csv: one UTF-8 file per table; xlsx: one workbook, a sheet per table "
                        "(default: xlsx when OUT ends in .xlsx, else csv)")
    x.add_argument("--outputs", dest="out", type=_safe_path, default=Path("outputs"), metavar="DIR",
                   help="outputs directory written by `pinghu-ner run` (default: %(default)s)")
    _filter_args(x)

    tb = sub.add_parser("tables", help="print the data dictionary: every table and column, type, meaning, example")
    tb.add_argument("table", nargs="*", metavar="TABLE",
                    help=f"only these tables ({', '.join(TABLE_NAMES)}; default: all)")


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


def _settings(args: argparse.Namespace, **kw: object) -> Settings:
    s = Settings(
        model_dir=args.model,
        gazetteer_dir=args.gazetteer,
        backend=args.backend,
        **kw,  # type: ignore[arg-type]
    )
    try:
        s.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not Path(s.gazetteer_dir).is_dir():
        raise UsageError(f"--gazetteer {printable(s.gazetteer_dir)}: not a directory")
    _check_gazetteer(Path(s.gazetteer_dir))
    return s


def _check_gazetteer(path: Path) -> None:
    """Load the gazetteer once up front (it is cached): a broken one is a configuration error."""
    from pipeline.gazetteers.gazetteer import load_gazetteer

    try:
        gaz = load_gazetteer(path)
    except Exception as exc:  # any loader failure: malformed CSV/JSON, missing file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"--gazetteer {printable(path)}: cannot load ({first})") from None
    if not getattr(gaz, "entries", ()):
        raise UsageError(f"--gazetteer {printable(path)}: empty")


def _check_out(out: Path) -> None:
    """--out must be a directory we can create and write: else one line and exit 2, nothing run."""
    shown = printable(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / LOCK_FILE, "a"):
            pass
    except OSError as exc:
        where = printable(exc.filename) if exc.filename else shown
        raise UsageError(f"--out {shown}: cannot write ({where}: {exc.strerror or exc})") from None


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.ingest.read import discover_sources
    from pipeline.recognize import BackendUnavailable
    from pipeline.runner import FileOutcome, env_threads_one, run

    settings = _settings(args, paper=args.paper, out_dir=args.out, workers=args.workers, resume=args.resume,
                         archive_root=args.root)
    if args.root is not None and not Path(args.root).is_dir():
        raise UsageError(f"--root {printable(args.root)}: not a directory")
    if not discover_sources(args.paths).files:
        raise UsageError("no input files found (*.md, *.txt) in " + ", ".join(printable(p) for p in args.paths))
    _check_out(settings.out_dir)
    from pipeline.store.manifest import Manifest

    Manifest.load(settings.out_dir)  # a foreign manifest: one line, exit 2, before any work
    env_threads_one()
    quiet, verbose = args.quiet, args.verbose
    show_bar = sys.stdout.isatty() and not quiet

    from rich.console import Console

    console = Console(highlight=False)
    progress = None
    task = None
    if show_bar:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from pipeline.runner import discover

        total = len(discover(args.paths))
        progress = Progress(TextColumn("[bold]pinghu-ner"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=console, transient=True)
        progress.start()
        task = progress.add_task("files", total=total)

    def on_file(o: FileOutcome) -> None:
        if not o.ok:
            print(f"pinghu-ner: {o.error}", file=sys.stderr, flush=True)
        elif verbose:
            what = "skipped (done)" if o.counts.get("skipped") else f"{o.counts.get('articles', 0)} articles, {o.counts.get('mentions', 0)} mentions"
            print(f"{o.path}: {what} in {o.seconds:.2f}s", file=sys.stderr)
        if progress is not None and task is not None:
            progress.advance(task)

    def on_note(line: str) -> None:
        if not quiet:
            print(f"pinghu-ner: {line}", file=sys.stderr, flush=True)

    try:
        if args.engine == "dask":
            from pipeline.cli.cluster import run_dask

            summary = run_dask(settings, args.paths, args.date, scheduler=args.scheduler, on_file=on_file,
                               on_note=on_note)
        else:
            summary = run(settings, args.paths, args.date, on_file=on_file, on_note=on_note)
    except BackendUnavailable as exc:
        if progress is not None:
            progress.stop()
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        _print_summary(console, summary, settings)
    return 1 if summary.failed else 0


def _print_summary(console, summary, settings: Settings) -> None:  # noqa: ANN001
    from rich.table import Table

    ok = [o for o in summary.outcomes if o.ok]
    counts: Counter[str] = Counter()
    officials: Counter[str] = Counter()  # by person id: two officials who share a name stay apart
    shown: dict[str, Counter[tuple[str, str]]] = {}
    for o in ok:
        counts.update({k: v for k, v in o.counts.items() if isinstance(v, int)})
        for person, name, role in o.officials:
            officials[person] += 1
            shown.setdefault(person, Counter())[(name, role)] += 1
    table = Table(title=f"pinghu-ner → {settings.out_dir}", show_header=False)
    table.add_row("files", f"{len(ok)} ok, {len(summary.failed)} failed, {summary.skipped} skipped (done before)")
    table.add_row("articles", str(counts.get("articles", 0)))
    for t in ("PERSON", "PLACE", "ORG"):
        table.add_row(f"mentions {t}", str(counts.get(f"mentions_{t}", 0)))
    table.add_row("entities", str(summary.entities))
    chars = sum(o.chars for o in ok)
    table.add_row("time", f"{summary.seconds:.1f}s ({chars / max(summary.seconds, 1e-9):,.0f} chars/s)")
    console.print(table)
    if officials:
        top = Table(title="most-mentioned officials")
        top.add_column("name")
        top.add_column("role")
        top.add_column("mentions", justify="right")
        for person, n in officials.most_common(8):
            name, role = shown[person].most_common(1)[0][0]
            top.add_row(name, role, str(n))
        console.print(top)


def cmd_train(args: argparse.Namespace) -> int:
    from pipeline.training.cnn import finetune, train

    work = Path(args.work)
    if args.arch == "lstm":
        from dataclasses import replace

        from pipeline.training.tagger import MEMBERS, assemble, load_members, train_tagger

        try:
            import torch  # noqa: F401
        except ImportError:
            raise SystemExit("pinghu-ner train --arch lstm needs PyTorch: pip install -e '.[train]'") from None
        members = MEMBERS if args.recipe is None else load_members(Path(args.recipe))
        if args.epochs is not None:
            members = tuple(replace(m, epochs=args.epochs) for m in members)
        if args.assemble_only:
            assemble(Path(args.out), work / "lstm", members, corpora_root=args.corpora)
        else:
            train_tagger(Path(args.out), work / "lstm", members, corpora_root=args.corpora,
                         finetune_only=args.finetune_only)
        print(f"model written to {args.out}; run `pinghu-ner calibrate` next")
        return 0
    phase1 = work / "phase1-model"
    train(phase1 if args.finetune_steps else Path(args.out), work / "phase1", max_steps=args.steps,
          corpora_root=args.corpora)
    if args.finetune_steps:
        finetune(phase1, Path(args.out), work / "phase2", max_steps=args.finetune_steps, corpora_root=args.corpora)
    print(f"model written to {args.out}; run `pinghu-ner calibrate` next")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from pipeline.training.calibrate import calibrate

    settings = _settings(args, disable_passes=tuple(args.disable))
    result = calibrate(settings, corpora_root=args.corpora, n_sentences=args.sentences)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluation.harness import evaluate_corpus, evaluate_pages

    settings = _settings(args, disable_passes=tuple(args.disable))
    if not args.corpus and not args.pages:
        raise UsageError("eval needs --corpus NAME and/or --pages PAGE...")
    results: dict[str, object] = {}
    for name in args.corpus:
        results[name] = evaluate_corpus(settings, name, corpora_root=args.corpora, limit=args.limit,
                                        print_table=not args.json)
    if args.pages:
        results["pages"] = evaluate_pages(settings, args.pages, print_table=not args.json)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.report import report

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: no outputs directory (run `pinghu-ner run` first)")
    if args.html is not None and Path(args.html).is_dir():
        raise UsageError(f"--html {printable(args.html)}: is a directory; give a file name such as report.html")
    try:
        report(Path(args.out), html=args.html, top=args.top, filters=_filters(args), png_dir=args.png)
    except OSError as exc:
        where = printable(exc.filename) if exc.filename else printable(args.html or args.out)
        raise OutputsError(f"{where}: cannot write: {exc.strerror or exc}") from None
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.report.export import export

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: no outputs directory (run `pinghu-ner run` first)")
    dest = Path(args.dest)
    fmt = args.format or ("xlsx" if dest.suffix.lower() == ".xlsx" else "csv")
    if fmt == "csv" and dest.exists() and not dest.is_dir():
        raise UsageError(f"{printable(dest)}: exists and is not a directory (csv writes one file per table into a directory)")
    res = export(args.out, dest, fmt, _filters(args))
    rows = ", ".join(f"{n} {name}" for name, n in res["rows"].items())
    print(f"{printable(dest)}: {rows}")
    if res["cut_cells"]:
        print(f"{res['cut_cells']} cells longer than Excel's 32,767 characters were cut; the CSV export keeps them whole")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from pipeline.store.datadict import markdown

    unknown = [t for t in args.table if t not in TABLE_NAMES]
    if unknown:
        raise UsageError(f"no table {', '.join(unknown)}; tables are {', '.join(TABLE_NAMES)}")
    sys.stdout.write(markdown(tuple(args.table) or TABLE_NAMES))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.store.check import check_outputs

    problems = check_outputs(Path(args.out))
    for line in problems:
        print(line)
    if not problems:
        print(f"{printable(args.out)}: ok")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

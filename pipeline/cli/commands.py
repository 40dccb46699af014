"""The subcommands other than ``run``: train, calibrate, eval, report, export, tables, check.

Each imports its stage when called, so ``pinghu-ner --help`` loads no model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli.browse import cmd_export_sqlite, export_target
from pipeline.cli.parser import UsageError, filters_of
from pipeline.cli.run import settings_from
from pipeline.errors import OutputsError
from pipeline.ingest import printable
from pipeline.store import TABLE_NAMES


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

    settings = settings_from(args, disable_passes=tuple(args.disable))
    result = calibrate(settings, corpora_root=args.corpora, n_sentences=args.sentences)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluation.harness import evaluate_corpus, evaluate_pages

    settings = settings_from(args, disable_passes=tuple(args.disable))
    if not args.corpus and not args.pages:
        raise UsageError("eval needs --corpus NAME and/or --pages PAGE...")
    results: dict[str, object] = {}
    try:
        for name in args.corpus:
            results[name] = evaluate_corpus(settings, name, corpora_root=args.corpora, limit=args.limit,
                                            print_table=not args.json)
        if args.pages:
            results["pages"] = evaluate_pages(settings, args.pages, print_table=not args.json)
    except FileNotFoundError as exc:  # a page without its gold, a corpus not there: its message says which
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.report import report
    from pipeline.report.export import inside_outputs
    from pipeline.report.filters import UnknownLocality

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: no outputs directory (run `pinghu-ner run` first)")
    if args.html is not None and Path(args.html).is_dir():
        raise UsageError(f"--html {printable(args.html)}: is a directory; give a file name such as report.html")
    for flag, dest in (("--html", args.html), ("--png", args.png)):
        root = inside_outputs(dest, args.out) if dest is not None else None
        if root is not None:  # like export: nothing is written into the Parquet tree
            raise UsageError(f"{flag} {printable(dest)}: inside the outputs directory {printable(root)}; "
                             "write it beside the outputs, not into them")
    try:
        report(Path(args.out), html=args.html, top=args.top, filters=filters_of(args), png_dir=args.png)
    except UnknownLocality as exc:  # a place nobody knows: one line with the closest names, exit 2
        raise UsageError(str(exc)) from None
    except BrokenPipeError:  # the reader of stdout went away: main ends quietly (141)
        raise
    except OSError as exc:
        where = printable(exc.filename) if exc.filename else printable(args.html or args.out)
        raise OutputsError(f"{where}: cannot write: {exc.strerror or exc}") from None
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.report.export import export, inside_outputs
    from pipeline.report.filters import UnknownLocality

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: no outputs directory (run `pinghu-ner run` first)")
    dest, fmt = export_target(args)  # `export sqlite OUT.db` names the format first
    if fmt == "sqlite":
        return cmd_export_sqlite(args, dest)
    if fmt == "csv" and dest.exists() and not dest.is_dir():
        raise UsageError(f"{printable(dest)}: exists and is not a directory (csv writes one file per table into a directory)")
    if fmt == "xlsx" and dest.is_dir():
        raise UsageError(f"{printable(dest)}: is a directory; give a file name such as tables.xlsx")
    root = inside_outputs(dest, args.out)
    if root is not None:  # a file no manifest lists, in the Parquet tree: refused, not written
        raise UsageError(f"{printable(dest)}: inside the outputs directory {printable(root)}; "
                         "write exports beside it, not into it")
    try:
        res = export(args.out, dest, fmt, filters_of(args))
    except UnknownLocality as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:  # not the target's fault: main ends quietly
        raise
    except OSError as exc:  # read-only, a directory in the way, a full disk: one line, not a traceback
        where = printable(exc.filename) if exc.filename else printable(dest)
        raise OutputsError(f"{where}: cannot write: {exc.strerror or exc}") from None
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
    if Path(args.out).is_dir() and not problems:  # a sound manifest only: reading one never changes it
        from pipeline.store import Store

        for identity in Store(args.out).gone_sources():  # a note, not a problem: the rows are sound
            print(f"note: {printable(identity)}: source file gone (moved or deleted); "
                  "`pinghu-ner run … --prune` removes its rows")
    if not problems:
        print(f"{printable(args.out)}: ok")
    return 1 if problems else 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from pipeline.gazetteers import load_gazetteer
    from pipeline.store import Store

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: not an outputs directory")

    try:
        lines = Store(args.out).migrate(load_gazetteer(args.gazetteer))
    except OSError as exc:
        raise OutputsError(_cannot_write(exc, args.out)) from None
    for line in lines:
        print(f"pinghu-ner: {line}", file=sys.stderr)
    return 0


def _cannot_write(exc: OSError, out: Path) -> str:
    """One line for a write that failed inside an outputs directory."""
    where = printable(exc.filename) if exc.filename else printable(out)
    return f"{where}: cannot write: {exc.strerror or exc}"


def cmd_rebuild(args: argparse.Namespace) -> int:
    from pipeline.gazetteers import load_gazetteer
    from pipeline.store import Store

    if not Path(args.out).is_dir():
        raise UsageError(f"{printable(args.out)}: not an outputs directory")
    store = Store(args.out)
    store.check_layout()
    try:
        again = store.reapply_corrections()  # corrections.csv edited by hand since the last run
        n = store.rebuild_derived(load_gazetteer(args.gazetteer))
    except OSError as exc:
        raise OutputsError(_cannot_write(exc, args.out)) from None
    if again:
        print(f"pinghu-ner: {printable(args.out)}: corrections applied to {len(again)} source(s)", file=sys.stderr)
    print(f"pinghu-ner: {printable(args.out)}: entities ({n}) and offices rebuilt", file=sys.stderr)
    return 0

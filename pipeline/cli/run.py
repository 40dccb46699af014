"""``pinghu-ner run``: settings from the flags, checks before any work, progress, the summary.

Every check that can refuse the run (paths, gazetteer, outputs directory, a foreign manifest)
happens before a file is processed, as one line and exit 2."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pipeline.cli.parser import UsageError
from pipeline.errors import CorrectionError
from pipeline.ingest import printable
from pipeline.settings import Settings


def settings_from(args: argparse.Namespace, **kw: object) -> Settings:
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
    """Load the gazetteer once up front (it is cached): a broken one is a configuration error,
    one line naming the file (and the line and field) at fault."""
    from pipeline.gazetteers import GazetteerError, load_gazetteer

    try:
        gaz = load_gazetteer(path)
    except GazetteerError as exc:  # a missing required file, a malformed row: named by the loader
        raise UsageError(f"--gazetteer {printable(path)}: {exc.where}: {exc.problem}") from None
    except Exception as exc:  # anything else the loader did not foresee (a county lexicon …)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"--gazetteer {printable(path)}: cannot load ({first})") from None
    if not getattr(gaz, "entries", ()):
        raise UsageError(f"--gazetteer {printable(path)}: empty")


def _check_out(out: Path) -> None:
    """--out must be a directory we can create and write, holding no foreign manifest: else one
    line and exit 2 (``UsageError``, ``ManifestError``), nothing run."""
    shown = printable(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown}: exists and is not a directory")
    try:
        from pipeline.store import Store

        Store(out).check_writable()
    except OSError as exc:
        where = printable(exc.filename) if exc.filename else shown
        raise UsageError(f"--out {shown}: cannot write ({where}: {exc.strerror or exc})") from None


def _run_settings(args: argparse.Namespace) -> Settings:
    """The run's settings from the flags, every refusal checked before any file is processed."""
    from pipeline.ingest import discover_sources

    settings = settings_from(args, paper=args.paper, out_dir=args.out, workers=args.workers, resume=args.resume,
                         archive_root=args.root)
    if args.root is not None and not Path(args.root).is_dir():
        raise UsageError(f"--root {printable(args.root)}: not a directory")
    if not discover_sources(args.paths).files:
        raise UsageError("no input files found (*.md, *.txt) in " + ", ".join(printable(p) for p in args.paths))
    _check_model(settings)
    _check_out(settings.out_dir)
    _check_corrections(args.corrections, Path(settings.out_dir))
    return settings


def _check_corrections(given: Path | None, out: Path) -> None:
    """The corrections the run applies, read before any file is processed: ``--corrections FILE``
    is checked and copied to OUT/corrections.csv (so the outputs keep what corrected them), else
    OUT's own file is checked.  A bad row is one line naming the file and line, exit 2."""
    from pipeline.store.corrections import Corrections, update

    try:
        if given is None:
            Corrections.of(out)
            return
        if not Path(given).is_file():
            raise UsageError(f"--corrections {printable(given)}: no such file")
        given_rows = Corrections.read(given)
        update(out, lambda _now: (given_rows, None))  # under the lock, like `pinghu-ner correct`
    except CorrectionError as exc:
        raise UsageError(str(exc)) from None


def _check_model(settings: Settings) -> None:
    """Every model file the backend reads, loaded once up front (the model is cached for this
    process's run): a missing or broken one is one line naming the file, exit 2, nothing run,
    also with ``--workers N``, whose worker processes would each fail to start."""
    from pipeline.recognize import BackendUnavailable, check_model

    try:
        check_model(settings)
    except BackendUnavailable as exc:
        raise UsageError(str(exc)) from None


class _Feedback:
    """What the terminal shows while a run goes: failures always, per-file lines with
    ``--verbose``, notes unless ``--quiet``, and a progress bar on a terminal."""

    def __init__(self, args: argparse.Namespace, console) -> None:  # noqa: ANN001 - rich Console
        self.quiet, self.verbose = args.quiet, args.verbose
        self.progress = self.task = None
        if sys.stdout.isatty() and not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from pipeline.runner import discover

            self.progress = Progress(TextColumn("[bold]pinghu-ner"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=console, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("files", total=len(discover(args.paths)))

    def on_file(self, o) -> None:  # noqa: ANN001 - pipeline.runner.FileOutcome
        if not o.ok:
            print(f"pinghu-ner: {o.error}", file=sys.stderr, flush=True)
        elif o.note and not self.quiet:
            print(f"pinghu-ner: {o.note}", file=sys.stderr, flush=True)
        elif self.verbose:
            what = ("skipped (done)" if o.counts.get("skipped")
                    else f"{o.counts.get('articles', 0)} articles, {o.counts.get('mentions', 0)} mentions")
            print(f"{o.path}: {what} in {o.seconds:.2f}s", file=sys.stderr)
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

    def on_note(self, line: str) -> None:
        if not self.quiet:
            print(f"pinghu-ner: {line}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.recognize import BackendUnavailable
    from pipeline.runner import env_threads_one, run

    settings = _run_settings(args)
    env_threads_one()
    console = None if args.quiet else _console()  # --quiet prints nothing through Rich: no import
    shown = _Feedback(args, console)
    try:
        if args.engine == "dask":
            from pipeline.cli.cluster import run_dask

            summary = run_dask(settings, args.paths, args.date, scheduler=args.scheduler, on_file=shown.on_file,
                               on_note=shown.on_note)
        else:
            summary = run(settings, args.paths, args.date, on_file=shown.on_file, on_note=shown.on_note)
    except BackendUnavailable as exc:
        shown.stop()
        print(f"pinghu-ner: error: {exc}", file=sys.stderr)
        return 2
    finally:
        shown.stop()
    if not args.quiet:
        _print_summary(console, summary, settings)
    if args.prune and not _prune(settings, args.yes):
        return 1
    return 1 if summary.failed else 0


def _console():  # noqa: ANN202 - rich Console, imported here (see cmd_run)
    from rich.console import Console

    return Console(highlight=False)


def _prune(settings: Settings, yes: bool) -> bool:
    """``--prune``: remove the rows of recorded sources whose files are gone, after asking (or
    ``--yes``); then rebuild the derived tables.  False when the question could not be asked."""
    from pipeline.gazetteers import load_gazetteer
    from pipeline.store import Store

    store = Store(settings.out_dir)
    gone = store.gone_sources(settings.archive_root)
    if not gone:
        print("pinghu-ner: --prune: every recorded source still exists", file=sys.stderr)
        return True
    for identity in gone:
        print(f"pinghu-ner: --prune: {printable(identity)}: gone", file=sys.stderr)
    if not yes:
        if not sys.stdin.isatty():
            print(f"pinghu-ner: --prune: {len(gone)} source(s) gone; nothing removed (add --yes to remove "
                  "them without a terminal to ask on)", file=sys.stderr)
            return False
        if input(f"remove the rows of these {len(gone)} source(s)? [y/N] ").strip().lower() not in ("y", "yes"):
            return True
    files = store.prune(gone)
    store.rebuild_derived(load_gazetteer(settings.gazetteer_dir))
    print(f"pinghu-ner: --prune: {len(gone)} source(s) removed ({files} part files)", file=sys.stderr)
    return True


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


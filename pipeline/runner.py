"""The ``Pipeline`` object that chains the stages, and the batch runner around it.

A batch is a list of files; each file is processed and written on its own, so that one bad file
costs that file only: its error is one line on stderr and in the manifest, the others are written,
and the exit status says that something failed.  With ``workers > 1`` each worker process builds
its own ``Pipeline`` once (the model loads once per process) and commits its own sources
(``pipeline.store.commit``: all parts of a source or none, manifest record last, under the outputs
lock, so concurrent runs and workers never lose a record).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest import key_hash, key_of_identity, printable, resolved, source_identity, tree_hash
from pipeline.records import Article, Mention
from pipeline.settings import Settings
from pipeline.store import Store, source_tables
from pipeline.versions import __version__


def fingerprint(settings: Settings) -> dict[str, str]:
    """What besides the source's bytes, paper and date decides its rows (compared by --resume)."""
    return {
        "backend": settings.backend,
        "model_hash": tree_hash(str(resolved(settings.model_dir))),
        "gazetteer_hash": tree_hash(str(resolved(settings.gazetteer_dir))),
        "pipeline_version": __version__,
    }


@dataclass
class FileResult:
    path: str
    articles: list[Article] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    issue_date: dt.date | None = None
    sha256: str = ""


@dataclass
class FileOutcome:
    """What the parent needs to know about one file: small, so it crosses process boundaries."""

    path: str
    ok: bool
    sha256: str = ""
    issue_date: str = ""
    source_key: str = ""
    error: str = ""
    identity: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    officials: list[tuple[str, str, str]] = field(default_factory=list)  # (person id, name, role)
    seconds: float = 0.0
    chars: int = 0
    note: str = ""  # said on stderr unless --quiet (a source that replaced its moved self)


class Pipeline:
    """ingest → segment → recognise → resolve, for one file at a time; each stage usable alone."""

    def __init__(self, settings: Settings | None = None) -> None:
        from pipeline.gazetteers import load_gazetteer
        from pipeline.recognize import RecognizeStage
        from pipeline.resolve import Resolver
        from pipeline.segment import Segmenter

        self.settings = settings or Settings()
        self.segmenter = Segmenter()
        self.gazetteer = load_gazetteer(self.settings.gazetteer_dir)
        self.recognizer = RecognizeStage(self.settings)
        self.resolver = Resolver(self.gazetteer)
        self.fingerprint = fingerprint(self.settings)

    def process_file(self, path: str | Path, issue_date: dt.date | None = None) -> FileResult:
        from pipeline.ingest import read_source

        doc = read_source(path, paper=self.settings.paper, issue_date=issue_date)
        result = FileResult(str(path), issue_date=doc.issue_date, sha256=doc.sha256)
        for articles, mentions in self.process_pages(doc):
            result.articles.extend(articles)
            result.mentions.extend(mentions)
        return result

    def process_pages(self, doc, key: str | None = None,  # noqa: ANN001 - SourceDoc
                      identity: str = "") -> Iterator[tuple[list[Article], list[Mention]]]:
        """Segment, recognise and link one page at a time: the unit the runner writes from.

        Article ids are re-issued from the source's key (``assign_ids``), so they are unique
        across an outputs directory whatever the pages' dates and numbers say.
        """
        if key is None:
            identity = source_identity(doc.path, self.settings.archive_root)
            key = key_of_identity(identity)
        from pipeline.resolve import link_page

        ordinal = 0
        memory = None  # people are clustered over the issue's pages in order (pipeline.resolve.linking)
        for articles in self.segment_pages(doc):
            ordinal = assign_ids(articles, key, ordinal, identity)
            mentions = self.recognize(articles)
            memory = link_page(self.resolver, articles, mentions, memory)  # locality, links, people
            yield articles, mentions

    def segment(self, doc) -> list[Article]:  # noqa: ANN001 - SourceDoc
        return [a for page in self.segment_pages(doc) for a in page]

    def segment_pages(self, doc) -> Iterator[list[Article]]:  # noqa: ANN001 - SourceDoc
        """Articles page by page; a blank page of a whole-issue file costs that page only."""
        from pipeline.ingest import split_pages

        pages = split_pages(doc)
        empty: InputError | None = None
        found = False
        for page in pages:
            try:
                articles = self.segmenter.segment(page, self.settings.paper)
            except InputError as exc:
                if len(pages) == 1:
                    raise
                empty = exc
                continue
            found = found or bool(articles)
            yield articles
        if not found and empty is not None:
            raise empty

    def recognize(self, articles: Sequence[Article]) -> list[Mention]:
        mentions: list[Mention] = []
        step = max(1, self.settings.batch_size)
        for i in range(0, len(articles), step):
            mentions.extend(self.recognizer.process(articles[i : i + step]))
        return mentions


def assign_ids(articles: Sequence[Article], key: str, start: int, identity: str = "") -> int:
    """Give each article the id ``<paper>:<date>:<source hash>:p<page>:<ordinal>``.

    The source hash makes ids unique across sources (two files of one date and page, ``--date``
    for a whole directory); the ordinal counts articles through the file, so a page heading
    printed twice in one file cannot repeat an id.  ``source_file`` becomes the identity (the
    resolved path, or the path below ``--root``), so a row never depends on the working
    directory of the run that wrote it.  Returns the last ordinal used.
    """
    n = start
    for a in articles:
        n += 1
        a.article_id = f"{a.paper}:{a.issue_date or 'nodate'}:{key_hash(key)}:p{a.page}:{n:03d}"
        if identity:
            a.source_path = identity
    return n


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and ``*.md``/``*.txt`` under directories named, in a stable order."""
    from pipeline.ingest import discover_sources

    return discover_sources(paths).files


# --- worker side ---------------------------------------------------------------------------

_WORKER: Pipeline | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = Pipeline(settings)
    _frozen_models()  # a worker's own process: never unfrozen


def _frozen_models() -> None:
    """Move every object alive now (the models, dictionaries and gazetteer tables just loaded) out
    of the cyclic collector's reach: they live as long as the run, and each full collection
    walked all ~110k of them again (the collector: 2.5% of recognition on the unseen set, 0.7%
    frozen)."""
    gc.freeze()


def process_and_write(path: Path, issue_date: dt.date | None, pipe: Pipeline | None = None) -> FileOutcome:
    """Process one source and commit its parts; every failure becomes a one-line outcome."""
    pipe = pipe or _WORKER
    assert pipe is not None, "worker not initialised"
    t0 = time.perf_counter()
    shown = printable(path)
    identity = ""

    def failed(error: str) -> FileOutcome:
        return FileOutcome(shown, False, error=error, identity=identity, seconds=time.perf_counter() - t0)

    try:
        identity = source_identity(path, pipe.settings.archive_root)
        return _process(path, identity, issue_date, pipe, t0)
    except (InputError, ValueError) as exc:  # ValueError: outside --root
        return failed(str(exc))
    except OSError as exc:  # disk full, permission denied on the output side
        where = printable(exc.filename) if exc.filename else printable(pipe.settings.out_dir)
        return failed(f"{shown}: cannot write outputs ({where}): {exc.strerror or exc}")
    except Exception as exc:  # a bug, not bad input: say so, keep the batch going
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        at = f"{Path(tb.filename).name}:{tb.lineno}"
        return failed(f"{shown}: internal error {type(exc).__name__}: {exc} (at {at})")


def _process(path: Path, identity: str, issue_date: dt.date | None, pipe: Pipeline, t0: float) -> FileOutcome:
    import pyarrow as pa

    from pipeline.ingest import read_source

    settings = pipe.settings
    doc = read_source(path, paper=settings.paper, issue_date=issue_date)
    key = key_of_identity(identity)
    parts: dict[str, list] = {"articles": [], "mentions": [], "people": []}
    by_type: Counter[str] = Counter()
    officials: list[tuple[str, str, str]] = []  # (person id, name, role): counted by id, not by name
    n_articles = chars = 0
    # Page by page: only compact Arrow tables outlive a page, so memory follows the largest
    # page, not the file (a whole year concatenated into one file still runs).
    for articles, mentions in pipe.process_pages(doc, key, identity):
        for name, table in source_tables(articles, mentions, settings.paper).items():
            parts[name].append(table)
        n_articles += len(articles)
        chars += sum(len(a.text) for a in articles)
        by_type.update(m.type for m in mentions)
        officials.extend((m.entity_id or m.surface, m.canonical or m.surface, m.role) for m in mentions if m.is_official)
    if not n_articles:
        raise InputError(doc.path, "no articles found", "is this a newspaper page?")
    tables = {name: pa.concat_tables(ts) for name, ts in parts.items()}
    type_counts = {f"mentions_{t}": n for t, n in by_type.items()}
    record = {"path": printable(path), "sha256": doc.sha256, "encoding": doc.encoding, **pipe.fingerprint,
              "counts": type_counts, "seconds": round(time.perf_counter() - t0, 3)}
    counts, moved = Store(settings.out_dir).commit(key, settings.paper, doc.issue_date, tables, identity, record,
                                                   same_source=same_source_as(path, settings.archive_root))
    note = "; ".join(f"{printable(path)}: the same source as {printable(m)} (moved or renamed): its rows replaced"
                     for m in moved)
    return FileOutcome(printable(path), True, doc.sha256, str(doc.issue_date), key, "", identity,
                       {**counts, **type_counts}, officials, time.perf_counter() - t0, chars, note)


def same_source_as(path: Path, root: Path | None) -> Callable[[str], bool]:
    """Whether a recorded identity (same content, paper and date) is the file at ``path``.

    Yes when that identity's file is gone (the source was moved or renamed), or when it names
    this very file another way: its absolute path, recorded before a switch to ``--root``; or a
    path relative to a root, recorded with ``--root`` and now read without it (this file's path
    ends with it).  Two files that both exist are two sources, even with the same text."""
    here = resolved(path)

    def same(other: str) -> bool:
        p = Path(other)
        if p.is_absolute():
            return p == here or not p.exists()
        if root is not None:
            there = Path(root) / p
            return not there.exists() or resolved(there) == here
        return here.as_posix().endswith("/" + p.as_posix())

    return same


def _worker_call(args: tuple[Path, dt.date | None]) -> FileOutcome:
    return process_and_write(*args)


@dataclass
class RunSummary:
    outcomes: list[FileOutcome]
    seconds: float
    entities: int = 0

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def skipped(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.counts.get("skipped"))


def _resume_skip(settings: Settings, store: Store, p: Path, issue_date: dt.date | None,
                 fp: dict[str, str]) -> FileOutcome | None:
    """A "skipped" outcome when ``p``'s committed version was made from these very inputs."""
    from pipeline.ingest import read_source

    try:
        identity = source_identity(p, settings.archive_root)
        doc = read_source(p, paper=settings.paper, issue_date=issue_date)
    except (InputError, ValueError):
        return None  # processing will report it
    expected = {"sha256": doc.sha256, "paper": settings.paper, "issue_date": str(doc.issue_date), **fp}
    if store.is_current(identity, expected):
        return FileOutcome(printable(p), True, doc.sha256, str(doc.issue_date), identity=identity,
                           counts={"skipped": 1})
    return None


def _record_failure(settings: Settings, o: FileOutcome) -> str:
    """Put a failed source in the manifest (its earlier committed version, if any, stays)."""
    identity = o.identity or _identity_or_path(o.path, settings)
    try:
        Store(settings.out_dir).record_failure(identity, o.error, path=o.path, paper=settings.paper)
    except OSError as exc:
        return f"{printable(settings.out_dir)}: cannot record the failure in the manifest: {exc.strerror or exc}"
    return ""


def _identity_or_path(path: str, settings: Settings) -> str:
    try:
        return source_identity(path, settings.archive_root)
    except ValueError:
        return printable(resolved(path))


def run(
    settings: Settings,
    paths: Sequence[str | Path],
    issue_date: dt.date | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    executor: Callable[[Settings, list[Path], dt.date | None], Iterator[FileOutcome]] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> RunSummary:
    """Process every file, commit each source's parts, rebuild entities, record the run.

    Writes nothing when there is no input file.  ``on_note`` receives one-line notes (ignored
    files, interrupted commits completed); unreadable directories are failed outcomes.
    """
    from pipeline.ingest import discover_sources

    t0 = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    found = discover_sources(paths)
    outcomes = [FileOutcome(printable(d), False, error=msg) for d, msg in found.unreadable]
    for o in outcomes:
        if on_file:
            on_file(o)
    notes = _ignored_notes(found.ignored)
    if not found.files:
        for n in notes:
            if on_note:
                on_note(n)
        return RunSummary(outcomes, time.perf_counter() - t0)
    notes += Store(settings.out_dir).prepare()
    for n in notes:
        if on_note:
            on_note(n)
    todo = _todo(settings, found.files, issue_date, outcomes, on_file)
    for o in (executor or execute_local)(settings, todo, issue_date):
        if not o.ok:
            problem = _record_failure(settings, o)
            if problem and on_note:
                on_note(problem)
        outcomes.append(o)
        if on_file:
            on_file(o)
    try:
        return _finish(settings, outcomes, len(found.files), started, t0)
    except OSError as exc:  # ENOSPC/EACCES on entities or the manifest: one line, not a traceback
        where = printable(exc.filename) if exc.filename else printable(settings.out_dir)
        outcomes.append(FileOutcome(where, False, error=f"{where}: cannot write: {exc.strerror or exc}"))
        if on_file:
            on_file(outcomes[-1])
        return RunSummary(outcomes, time.perf_counter() - t0)


def _ignored_notes(ignored: list[tuple[Path, str]]) -> list[str]:
    """One line per side file; files of other types (scans, PDFs) summed up in one line."""
    notes = [f"{printable(f)}: ignored ({why})" for f, why in ignored if why.startswith("a side file")]
    other = [f for f, why in ignored if not why.startswith("a side file")]
    if other:
        notes.append(f"{len(other)} file(s) ignored, not *.md or *.txt (e.g. {printable(other[0])})")
    return notes


def _todo(settings: Settings, files: list[Path], issue_date: dt.date | None, outcomes: list[FileOutcome],
          on_file: Callable[[FileOutcome], None] | None) -> list[Path]:
    """The files to process; with --resume, sources already current become "skipped" outcomes."""
    if not settings.resume:
        return list(files)
    store = Store(settings.out_dir)
    fp = fingerprint(settings)
    todo = []
    for p in files:
        skipped = _resume_skip(settings, store, p, issue_date, fp)
        if skipped is None:
            todo.append(p)
            continue
        outcomes.append(skipped)
        if on_file:
            on_file(skipped)
    return todo


def _finish(settings: Settings, outcomes: list[FileOutcome], n_files: int, started: str, t0: float) -> RunSummary:
    """Rebuild the derived tables from every committed mention and record the run (one lock)."""
    from pipeline.gazetteers import load_gazetteer

    def run_record() -> dict[str, object]:
        return {
            "started": started,
            "seconds": round(time.perf_counter() - t0, 3),
            "settings": settings.as_record(),
            "files": n_files,
            "failed": sum(1 for o in outcomes if not o.ok),
            "chars": sum(o.chars for o in outcomes),
        }

    entities = Store(settings.out_dir).finish_run(load_gazetteer(settings.gazetteer_dir), run_record)
    return RunSummary(outcomes, time.perf_counter() - t0, entities)


def execute_local(settings: Settings, files: list[Path], issue_date: dt.date | None) -> Iterator[FileOutcome]:
    if not files:
        return
    if settings.workers <= 1 or len(files) == 1:
        pipe = Pipeline(settings)
        _frozen_models()
        try:
            for p in files:
                yield process_and_write(p, issue_date, pipe)
        finally:
            gc.unfreeze()  # a caller's process (a notebook) gets its collector back whole
        return
    import multiprocessing as mp

    ctx = mp.get_context("spawn" if sys.platform == "darwin" else "forkserver")
    with ctx.Pool(min(settings.workers, len(files)), initializer=_init_worker, initargs=(settings,)) as pool:
        # imap keeps input order, so the manifest and the printed lines are the same whatever N.
        yield from pool.imap(_worker_call, [(p, issue_date) for p in files], chunksize=1)


def env_threads_one() -> None:
    """One BLAS/ONNX thread per process: workers, not threads, use the cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ.setdefault(var, "1")

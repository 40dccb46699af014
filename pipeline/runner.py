"""The ``Pipeline`` object that chains the stages, and the batch runner around it.

A batch is a list of files; each file is processed and written on its own, so that one bad file
costs that file only: its error is one line on stderr and in the manifest, the others are written,
and the exit status says that something failed.  With ``workers > 1`` each worker process builds
its own ``Pipeline`` once (the model loads once per process) and writes its own partition files;
only the parent touches the manifest, so there is nothing to lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import InputError
from .records import Article, Mention
from .settings import Settings

INPUT_SUFFIXES = (".md", ".txt", ".markdown")


def model_version(model_dir: Path) -> str:
    """A short content hash of the model's meta and weights, so --resume notices a retrained model."""
    h = hashlib.sha256()
    for name in ("meta.json", "combiner.json", "ner/model", "tok2vec/model"):
        p = Path(model_dir) / name
        if p.exists():
            h.update(name.encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:12]


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
    counts: dict[str, int] = field(default_factory=dict)
    officials: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    chars: int = 0


class Pipeline:
    """ingest → segment → recognise → resolve, for one file at a time; each stage usable alone."""

    def __init__(self, settings: Settings | None = None) -> None:
        from .gazetteer import load_gazetteer
        from .recognize import RecognizeStage
        from .resolve import Resolver
        from .segment import Segmenter

        self.settings = settings or Settings()
        self.segmenter = Segmenter()
        self.gazetteer = load_gazetteer(self.settings.gazetteer_dir)
        self.recognizer = RecognizeStage(self.settings)
        self.resolver = Resolver(self.gazetteer)

    def process_file(self, path: str | Path, issue_date: dt.date | None = None) -> FileResult:
        from .ingest import read_source

        doc = read_source(path, paper=self.settings.paper, issue_date=issue_date)
        result = FileResult(str(path), issue_date=doc.issue_date, sha256=doc.sha256)
        for articles, mentions in self.process_pages(doc):
            result.articles.extend(articles)
            result.mentions.extend(mentions)
        return result

    def process_pages(self, doc) -> Iterator[tuple[list[Article], list[Mention]]]:  # noqa: ANN001 - SourceDoc
        """Segment, recognise and link one page at a time: the unit the runner writes from.
        People are clustered over the issue's pages in order (``pipeline.linking``)."""
        from .linking import link_page

        memory = None
        for articles in self.segment_pages(doc):
            mentions = self.recognize(articles)
            memory = link_page(self.resolver, articles, mentions, memory)  # locality, links, people
            yield articles, mentions

    def segment(self, doc) -> list[Article]:  # noqa: ANN001 - SourceDoc
        return [a for page in self.segment_pages(doc) for a in page]

    def segment_pages(self, doc) -> Iterator[list[Article]]:  # noqa: ANN001 - SourceDoc
        """Articles page by page; a blank page of a whole-issue file costs that page only."""
        from .ingest import split_pages

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


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and ``*.md``/``*.txt`` under directories named, in a stable order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in INPUT_SUFFIXES))
        else:
            found.append(p)  # a missing or odd file is reported by ingest, per file
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --- worker side ---------------------------------------------------------------------------

_WORKER: Pipeline | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = Pipeline(settings)


def process_and_write(path: Path, issue_date: dt.date | None, pipe: Pipeline | None = None) -> FileOutcome:
    import pyarrow as pa

    from .ingest import read_source
    from .tables import source_key, source_tables, write_source_tables

    pipe = pipe or _WORKER
    assert pipe is not None, "worker not initialised"
    t0 = time.perf_counter()
    try:
        doc = read_source(path, paper=pipe.settings.paper, issue_date=issue_date)
        parts: dict[str, list] = {"articles": [], "mentions": [], "people": []}
        by_type: Counter[str] = Counter()
        officials: list[tuple[str, str]] = []
        n_articles = chars = 0
        # Page by page: only compact Arrow tables outlive a page, so memory follows the largest
        # page, not the file (a whole year concatenated into one file still runs).
        for articles, mentions in pipe.process_pages(doc):
            for name, table in source_tables(articles, mentions, pipe.settings.paper).items():
                parts[name].append(table)
            n_articles += len(articles)
            chars += sum(len(a.text) for a in articles)
            by_type.update(m.type for m in mentions)
            officials.extend((m.surface, m.role) for m in mentions if m.is_official)
        if not n_articles:
            raise InputError(str(path), "no articles found", "is this a newspaper page?")
        key = source_key(path)
        tables = {name: pa.concat_tables(ts) for name, ts in parts.items()}
        counts = write_source_tables(pipe.settings.out_dir, key, pipe.settings.paper, doc.issue_date, tables)
        counts.update({f"mentions_{t}": n for t, n in by_type.items()})
        return FileOutcome(
            str(path), True, doc.sha256, str(doc.issue_date), key, "", counts, officials,
            time.perf_counter() - t0, chars,
        )
    except InputError as exc:
        return FileOutcome(str(path), False, error=str(exc), seconds=time.perf_counter() - t0)
    except OSError as exc:  # disk full, permission denied on the output side
        return FileOutcome(str(path), False, error=f"{path}: cannot write outputs: {exc.strerror or exc}",
                           seconds=time.perf_counter() - t0)
    except Exception as exc:  # a bug, not bad input: say so, keep the batch going
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(tb.filename).name}:{tb.lineno}"
        return FileOutcome(str(path), False, error=f"{path}: internal error {type(exc).__name__}: {exc} (at {where})",
                           seconds=time.perf_counter() - t0)


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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(
    settings: Settings,
    paths: Sequence[str | Path],
    issue_date: dt.date | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    executor: Callable[[Settings, list[Path], dt.date | None], Iterator[FileOutcome]] | None = None,
) -> RunSummary:
    """Process every file, write its partitions, record it in the manifest, rebuild entities."""
    from .gazetteer import load_gazetteer
    from .tables import Manifest, rebuild_entities

    t0 = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    files = discover(paths)
    manifest = Manifest.load(settings.out_dir)
    mversion = model_version(settings.model_dir)
    todo: list[Path] = []
    outcomes: list[FileOutcome] = []
    for p in files:
        if settings.resume and p.is_file():
            try:
                digest = sha256_file(p)
            except OSError:
                digest = ""
            if digest and manifest.is_done(str(p.resolve()), digest, __version__, mversion):
                outcome = FileOutcome(str(p), True, digest, counts={"skipped": 1})
                outcomes.append(outcome)
                if on_file:
                    on_file(outcome)
                continue
        todo.append(p)

    def record(o: FileOutcome) -> None:
        outcomes.append(o)
        manifest.record_file(
            str(Path(o.path).resolve()),
            sha256=o.sha256,
            source_key=o.source_key,
            paper=settings.paper,
            issue_date=o.issue_date,
            status="ok" if o.ok else "error",
            error=o.error,
            pipeline_version=__version__,
            model_version=mversion,
            counts=o.counts,
            seconds=round(o.seconds, 3),
            finished=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        )
        manifest.save()  # after every file: a killed run keeps the record of what it finished
        if on_file:
            on_file(o)

    for o in (executor or execute_local)(settings, todo, issue_date):
        record(o)

    entities = rebuild_entities(settings.out_dir, load_gazetteer(settings.gazetteer_dir))
    from .offices import rebuild_offices

    rebuild_offices(settings.out_dir)  # who held what, when (offices/offices.parquet)
    seconds = time.perf_counter() - t0
    manifest.record_run(
        {
            "started": started,
            "seconds": round(seconds, 3),
            "settings": settings.as_record(),
            "files": len(files),
            "failed": sum(1 for o in outcomes if not o.ok),
            "chars": sum(o.chars for o in outcomes),
        }
    )
    manifest.save()
    return RunSummary(outcomes, seconds, entities)


def execute_local(settings: Settings, files: list[Path], issue_date: dt.date | None) -> Iterator[FileOutcome]:
    if not files:
        return
    if settings.workers <= 1 or len(files) == 1:
        pipe = Pipeline(settings)
        for p in files:
            yield process_and_write(p, issue_date, pipe)
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

"""Writing and reading the output tables: hive-partitioned Parquet, atomic, one file per source.

Layout under ``out_dir``::

    articles/paper=<paper>/<YYYY-MM-DD>/part-<source_key>.parquet
    mentions/paper=<paper>/<YYYY-MM-DD>/part-<source_key>.parquet
    people/paper=<paper>/<YYYY-MM-DD>/part-<source_key>.parquet
    entities/entities.parquet           (rebuilt from all mentions after each run)
    offices/offices.parquet             (who held what, when; rebuilt likewise)
    manifest.json                       (what was processed, with which versions, how it went)

Decisions, and why:

* **One file per (table, source).**  A source is identified by its resolved path (see
  ``pipeline.ingest.identity``); its part files are named by that identity, so re-running it from any
  working directory replaces its rows, and two sources never share a part file.
* **``issue_date`` is a column inside the files; its directory is a plain date.**  A hive
  key is typed by each reader from the path: pandas made ``issue_date=…`` an unordered string
  category (``>= "2024-01-01"`` raised TypeError) while ``load()`` gave datetimes.  Stored in the
  file as a timestamp at midnight (``schema.DATE_TYPE``; a date32 read as ``datetime.date``
  objects in plain pandas) it is datetime64 in ``load()`` and ``pd.read_parquet`` alike, a
  TIMESTAMP in DuckDB and a Datetime in polars.
  The date directory has no ``key=`` so hive readers skip it (a key that is also a file column
  fails to merge: "Field … has incompatible types: string vs dictionary").  ``paper`` stays a
  hive key only (``paper=…``), so ``pd.read_parquet(dir)`` and DuckDB
  ``read_parquet('outputs/mentions/**/*.parquet', hive_partitioning=1)`` give it as a column; a
  part file read alone lacks it, and its key-value metadata (``pinghu.paper``,
  ``pinghu.source_key``) says where it belongs.
* **One commit per source.**  The parts of a source are staged as hidden temp files
  (``.part-<key>.parquet.<pid>-<token>.tmp``: pyarrow skips dot files, DuckDB's ``*.parquet``
  glob skips ``.tmp``), then committed together through a journal, manifest record last
  (``pipeline.store.commit``).  A reader sees the old version or the new one of each file; after the
  next run (which completes an interrupted commit) all of a source's files are of one version.
* **No unknown dates.**  A null partition (``__HIVE_DEFAULT_PARTITION__``) makes pandas fail to
  read the whole table ("Cannot yet unify dictionaries with nulls"), so a source without an issue
  date is refused with an ``InputError`` rather than written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.errors import InputError, OutputsError
from pipeline.ingest import printable, source_key
from pipeline.records import Article, Mention
from pipeline.settings import PAPER_SLUG
from pipeline.store.atomic import atomic_write_bytes
from pipeline.store.manifest import MANIFEST_FILE, Manifest, locked
from pipeline.store.schema import (
    DATE_TYPE,
    PARTITION_COLUMNS,
    PARTITION_SCHEMA,
    PARTITIONED_TABLES,
    articles_table,
    file_schema,
    mentions_table,
    midnight,
    people_from_mentions,
    schema_for,
)
from pipeline.store.snapshot import Part, Snapshot

ENTITIES_FILE = Path("entities") / "entities.parquet"
OFFICES_FILE = Path("offices") / "offices.parquet"
SINGLE_FILES = {"entities": ENTITIES_FILE, "offices": OFFICES_FILE}  # rebuilt whole after each run
SOURCE_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")  # what identity.source_key builds



# --- keys and paths --------------------------------------------------------------------------


def part_name(key: str) -> str:
    return f"part-{key}.parquet"


def partition_dir(out_dir: Path, table: str, paper: str, issue_date: dt.date) -> Path:
    return Path(out_dir) / table / f"paper={paper}" / issue_date.isoformat()


def _check_key(key: str) -> None:
    if not SOURCE_KEY_RE.match(key) or key in {".", ".."}:
        raise ValueError(f"source key {key!r} is not filesystem-safe; build it with source_key(path)")


def _check_paper(paper: str) -> None:
    if not PAPER_SLUG.match(paper):
        raise ValueError(f"paper {paper!r} is not a slug (lowercase letters, digits, '-' or '_')")


# --- atomic file writing ---------------------------------------------------------------------


def write_parquet_atomic(table: pa.Table, final: Path) -> None:
    """Write ``table`` to ``final`` so that no reader ever sees a partial file."""
    atomic_write_bytes(final, lambda fh: pq.write_table(table, fh, compression="zstd"))


def _with_file_metadata(table: pa.Table, name: str, extra: dict[str, str], issue_date: dt.date) -> pa.Table:
    """The file's table: ``issue_date`` set to its partition's date (the directory is the truth,
    as when ``paper=…/issue_date=…`` was read from the path), ``paper`` dropped, metadata added."""
    schema = file_schema(name)
    meta = dict(schema.metadata or {})
    meta.update({f"pinghu.{k}".encode(): v.encode() for k, v in extra.items()})
    dates = pa.array([midnight(issue_date)] * table.num_rows, DATE_TYPE)
    cols = [dates if f.name == "issue_date" else table.column(f.name) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema.with_metadata(meta))


# --- per-source tables -----------------------------------------------------------------------


def write_source(
    out_dir: Path,
    source_key: str,
    paper: str,
    issue_date: dt.date | None,
    articles: Sequence[Article],
    mentions: Sequence[Mention],
) -> dict[str, int]:
    """Write (or replace) the articles, mentions and people part files of one source file.

    Returns the row counts per table.  The three files are one commit (``pipeline.store.commit``): a
    reader sees the old version or the new one.  If the source had been written under another
    issue date or paper before, the old partitions' part files go in the same commit.
    """
    return commit_source(out_dir, source_key, paper, issue_date, source_tables(articles, mentions, paper))[0]


def source_tables(articles: Sequence[Article], mentions: Sequence[Mention], paper: str) -> dict[str, pa.Table]:
    """The per-source tables of some articles and their mentions (one page, or a whole file).

    Built per page by the runner, so a large file is held as compact Arrow columns, not as
    Python records, until its part files are written.
    """
    arts, ments = articles_table(articles, paper), mentions_table(mentions, articles)
    return {"articles": arts, "mentions": ments, "people": people_from_mentions(ments, arts)}


def commit_source(
    out_dir: Path,
    source_key: str,
    paper: str,
    issue_date: dt.date | None,
    tables: dict[str, pa.Table],
    identity: str | None = None,
    record: dict[str, Any] | None = None,
    same_source: Callable[[str], bool] | None = None,
    expect_parts: dict[str, Any] | None = None,
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Stage and commit one source's tables; ``record`` goes into its manifest entry, ``identity``
    (default: the key itself) names it (``pipeline.ingest.identity``).  Returns the row count per
    table and the identities superseded (``commit``'s ``same_source``: the same source recorded
    under another identity; ``expect_parts``: see ``commit``)."""
    from pipeline.store.commit import commit, stage

    out_dir = Path(out_dir)
    _check_key(source_key)
    _check_paper(paper)
    if issue_date is None:
        raise InputError(source_key, "issue date unknown", "give --date YYYY-MM-DD or put the date in the file name")
    meta = {"paper": paper, "issue_date": issue_date.isoformat(), "source_key": source_key}
    name = part_name(source_key)
    finals = {t: partition_dir(out_dir, t, paper, issue_date) / name for t in tables}
    staged = stage(finals, {t: _with_file_metadata(tb, t, {**meta, "table": t}, issue_date) for t, tb in tables.items()})
    counts = {t: tb.num_rows for t, tb in tables.items()}
    rec = {**(record or {}), **meta, "counts": {**(record or {}).get("counts", {}), **counts}}
    return counts, commit(out_dir, identity or source_key, staged, rec, same_source, expect_parts)


def _source_files(out_dir: Path, key: str, paper: str | None = None) -> Iterator[Path]:
    """Part files and leftover temp files of ``key`` in every partition (of ``paper``, if given)."""
    paper_glob = f"paper={paper}" if paper else "paper=*"
    for table_name in PARTITIONED_TABLES:
        base = out_dir / table_name
        if not base.is_dir():
            continue
        yield from base.glob(f"{paper_glob}/*/{part_name(key)}")
        yield from base.glob(f"{paper_glob}/*/.{part_name(key)}.*.tmp")


def remove_source(out_dir: Path, source_key: str) -> int:
    """Remove every part file (and leftover temp file) of a source and its manifest record."""
    from pipeline.store.commit import remove_empty_dirs

    out_dir = Path(out_dir)
    _check_key(source_key)
    n = 0
    with locked(out_dir):
        for p in list(_source_files(out_dir, source_key)):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                n += 1
            remove_empty_dirs(p.parent, out_dir)
        m = Manifest.load(out_dir)
        gone = [k for k, r in m.files.items() if r.get("source_key") == source_key]
        for k in gone:
            del m.files[k]
        if gone:
            m.bump()
            m.save()
    return n


# --- reading ---------------------------------------------------------------------------------


# Part files read per dataset scan.  A scan's own buffers grow with its number of files: a year
# of pages (2,920 files) read in one scan took ~380 MB beyond the 56 MB table, in 128-file scans
# ~20 MB; the rows and their order are the same.
FILES_PER_SCAN = 128


def read_arrow(out_dir: Path, table: str, columns: Sequence[str] | None = None,
               snapshot: Snapshot | None = None) -> pa.Table:
    """One table of ``out_dir`` as Arrow, with the logical schema (partition columns included).

    A partitioned table is read from exactly the part files the manifest lists (``Snapshot``):
    a part deleted by hand or holding other rows than recorded is an ``OutputsError`` naming it,
    a stray file is never read.  The schema is imposed, not inferred, so that ``paper`` is a
    plain string (not the dictionary pyarrow infers from paths) and a file written before a
    column was added reads with nulls there instead of failing.
    """
    schema = schema_for(table)
    out_dir = Path(out_dir)
    if table in PARTITIONED_TABLES:
        snap = snapshot if snapshot is not None else Snapshot.read(out_dir)
        t = _read_parts(out_dir, table, snap, schema, columns)
    else:
        path = out_dir / SINGLE_FILES[table]
        if path.is_file():
            try:
                t = pq.read_table(path, schema=schema)
            except (OSError, pa.ArrowException) as exc:
                raise _unreadable([str(path)], exc) from None
        else:
            t = schema.empty_table()
    if columns:
        t = t.select(list(columns))
    return t


def _read_parts(out_dir: Path, table: str, snap: Snapshot, schema: pa.Schema,
                columns: Sequence[str] | None) -> pa.Table:
    """The listed parts of one partitioned table, verified: each present, the rows as recorded."""
    snap.verify(table)
    files = snap.files(table)
    if not files:
        return schema.empty_table()
    part = ds.partitioning(PARTITION_SCHEMA, flavor="hive")
    try:
        t = pa.concat_tables([
            ds.dataset(files[k : k + FILES_PER_SCAN], schema=schema, format="parquet", partitioning=part,
                       partition_base_dir=str(out_dir / table)).to_table(columns=list(columns) if columns else None)
            for k in range(0, len(files), FILES_PER_SCAN)
        ])
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(files, exc) from None
    expected = [p.rows for p in snap.parts[table]]
    if None not in expected and t.num_rows != sum(expected):  # type: ignore[arg-type]
        raise _wrong_rows(snap.parts[table])
    return t.replace_schema_metadata(schema.metadata)


def _wrong_rows(parts: Sequence[Part]) -> OutputsError:
    """One line naming the first part whose row count is not the manifest's."""
    for p in parts:
        rows = pq.ParquetFile(p.path).metadata.num_rows
        if rows != p.rows:
            return OutputsError(f"{printable(p.path)}: {rows} rows, the manifest recorded {p.rows} "
                                f"(changed since {printable(p.source)} was committed); run that source again")
    return OutputsError(f"{printable(parts[0].path.parent)}: rows differ from the manifest's")


def _unreadable(files: Sequence[str], exc: Exception) -> OutputsError:
    """One line naming the first file that does not read, instead of an Arrow traceback."""
    for f in files:
        try:
            pq.ParquetFile(f).read()
        except (OSError, pa.ArrowException) as bad:
            return OutputsError(f"{printable(f)}: unreadable Parquet ({str(bad).splitlines()[0]}); "
                                "`pinghu-ner check` lists every problem, a re-run of its source rewrites it")
    return OutputsError(f"{printable(Path(files[0]).parent)}: cannot read ({str(exc).splitlines()[0]})")


__all__ = [
    "ENTITIES_FILE",
    "MANIFEST_FILE",
    "Manifest",
    "PARTITION_COLUMNS",
    "part_name",
    "partition_dir",
    "read_arrow",
    "remove_source",
    "source_key",
    "write_parquet_atomic",
    "write_source",
]

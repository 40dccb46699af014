"""A built gazetteer's tables kept in the temporary directory, so each process need not rebuild them.

Why: building a gazetteer (reading ``divisions.csv``, deriving every short form and alias,
ranking the index) took about 0.08 s of every process's start (0.22 s under a profiler), the
same work from the same files each time: every worker, every one-file run.  Its plain-data
tables (:meth:`pipeline.gazetteers.gazetteer.Gazetteer.tables`) are written here once and read
back, with the files' hashes, in about 0.025 s.

The file is ``pipeline.tempcache``'s (a header, written whole or not at all, never another
user's), named by its sources: the gazetteer directory's files and the code and word lists that
derive the aliases, so an edit to either is never served old tables (their contents,
:func:`cache_file`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import tempcache

__all__ = ["VERSION", "cache_file", "read_tables", "write_tables"]

VERSION = b"pinghu-gazetteer-v2"
_PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/


def _sources(gazetteer_dir: Path) -> list[Path]:
    """What a built gazetteer depends on: the directory's files (and its ``lexicons/``), the
    gazetteer package's code, the package word lists and the entry record."""
    found = [p for p in gazetteer_dir.iterdir() if p.is_file()]
    found += (gazetteer_dir / "lexicons").glob("*.txt")
    found += (_PACKAGE / "gazetteers").glob("*.py")
    found += (_PACKAGE / "lexicons").glob("*.txt")
    found += (_PACKAGE / "lexicons").glob("*.py")
    found.append(_PACKAGE / "records.py")
    return sorted(found)


def cache_file(gazetteer_dir: Path, cache_dir: Path | None = None) -> Path | None:
    """The cache file of the gazetteer at ``gazetteer_dir`` as its files are now; None when there
    is no temporary directory, or the file there is another user's.

    Named by the sources' contents, not their sizes and modification times: they are 0.3 MB,
    hashed in about 2 ms, and a file rewritten within the clock's tick at the same size (a test
    editing a gazetteer in place, an editor's save) keeps its time but not its contents.  Two
    directories with the same files share the file (the path is not in the tables)."""
    try:
        digest = hashlib.sha256(VERSION)
        for p in _sources(gazetteer_dir):
            digest.update(f"\0{p.relative_to(gazetteer_dir) if p.is_relative_to(gazetteer_dir) else p}\0".encode())
            digest.update(hashlib.sha256(p.read_bytes()).digest())
    except OSError:
        return None
    return tempcache.cache_path("gazetteer", digest.hexdigest()[:16], cache_dir)


def read_tables(cached: Path | None) -> tuple | None:
    """The tables in ``cached``; None when it is missing, cut short, corrupt or not a tuple."""
    return tempcache.read_value(cached, VERSION, tuple)  # type: ignore[return-value]


def write_tables(cached: Path | None, tables: tuple) -> None:
    """Write ``tables`` to ``cached`` whole or not at all (``tempcache.write_value``)."""
    tempcache.write_value(cached, VERSION, tables)

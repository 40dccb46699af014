"""A built gazetteer's tables kept in the temporary directory, so each process need not rebuild them.

Why: building a gazetteer (reading ``divisions.csv``, deriving every short form and alias,
ranking the index) took about 0.08 s of every process's start (0.22 s under a profiler), the
same work from the same files each time: every worker, every one-file run.  Its plain-data
tables (:meth:`pipeline.gazetteers.gazetteer.Gazetteer.tables`) are written here once and read
back, with the files' hashes, in about 0.025 s.

The pattern is ``recognize.lac.cached_encoder``'s and the tagger's lexicon's: a file in
``tempfile.gettempdir()`` named by its sources (the gazetteer directory's files and the code and
word lists that derive the aliases, so an edit to either is never served old tables: their
contents, :func:`cache_file`) and a format version; written under a private name and renamed
into place, so concurrent workers never read half of one; a header with the payload's length and
CRC-32, so a file cut short or corrupt reads as missing and is rebuilt; not read when another
user owns it.  ``marshal`` holds only plain built-in values and builds nothing else.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
import tempfile
import zlib
from pathlib import Path

__all__ = ["VERSION", "cache_file", "read_tables", "write_tables"]

VERSION = b"pinghu-gazetteer-v1"
_HEAD = struct.Struct(f"<{len(VERSION)}sQI")  # version, payload length, CRC-32 of the payload
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
        key = digest.hexdigest()[:16]
        cached = Path(cache_dir or tempfile.gettempdir()) / f"pinghu-gazetteer-{key}.marshal"
        if cached.is_file() and cached.stat().st_uid != os.getuid():  # another user's, in a shared /tmp
            cached = cached.with_name(f"pinghu-gazetteer-{key}-{os.getuid()}.marshal")
        if cached.is_file() and cached.stat().st_uid != os.getuid():
            return None
    except OSError:
        return None
    return cached


def read_tables(cached: Path | None) -> tuple | None:
    """The tables in ``cached``; None when it is missing, cut short, corrupt or not a tuple."""
    if cached is None:
        return None
    try:
        data = cached.read_bytes()
        version, size, crc = _HEAD.unpack_from(data)
        body = data[_HEAD.size:]
        if version != VERSION or size != len(body) or crc != zlib.crc32(body):
            return None
        tables = marshal.loads(body)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        return None
    return tables if isinstance(tables, tuple) else None


def write_tables(cached: Path | None, tables: tuple) -> None:
    """Write ``tables`` to ``cached`` whole or not at all; a temporary directory that cannot be
    written only means the next process builds the gazetteer too."""
    if cached is None:
        return
    body = marshal.dumps(tables)
    part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
    try:
        part.write_bytes(_HEAD.pack(VERSION, len(body), zlib.crc32(body)) + body)
        os.replace(part, cached)
    except OSError:
        pass
    finally:
        part.unlink(missing_ok=True)

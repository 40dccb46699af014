"""Plain values a process derives from the same files every time, kept in the temporary directory.

Why: every process (each worker, each one-file run) rebuilt the same tables from the same
files before reading its first page: jieba's dictionary as a compact table, the
gazetteer's tables from its directory.  Each is written here once and read back by later
processes in a fraction of the time (``pipeline.model.dictionary``,
``pipeline.gazetteers.cache``).

One file per value, named by a ``kind`` and a key the caller derives from everything the value
depends on, so a changed source is never served an old value.  A header (format version, payload
length, CRC-32) makes a file cut short or corrupt read as missing, and it is rebuilt; a file is
written under a private name and renamed into place, so concurrent workers never read half of
one; a file another user owns (a shared /tmp) is not read, and ours takes the user id in its
name.  ``marshal`` holds only plain built-in values and builds nothing else.  No writable
temporary directory: the caller builds the value each time, as before.
LAC's rewritten encoder (``pipeline.recognize.lac.cached_encoder``) is an ONNX graph, not a
plain value: it takes its name from ``cache_path`` and is written through ``part_of`` too.
"""

from __future__ import annotations

import marshal
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_VERSION_SIZE = 32
_HEAD = struct.Struct(f"<{_VERSION_SIZE}sQI")  # version (NUL-padded), payload length, CRC-32 of the payload


def cache_path(kind: str, key: str, cache_dir: Path | None = None, suffix: str = ".marshal") -> Path | None:
    """Where the value of ``kind`` with ``key`` lives; None when the temporary directory cannot be
    read or the file there is another user's (under both names)."""
    try:
        cached = Path(cache_dir or tempfile.gettempdir()) / f"pinghu-{kind}-{key}{suffix}"
        if cached.is_file() and cached.stat().st_uid != os.getuid():
            cached = cached.with_name(f"pinghu-{kind}-{key}-{os.getuid()}{suffix}")
        if cached.is_file() and cached.stat().st_uid != os.getuid():
            return None
    except OSError:
        return None
    return cached


def read_value(cached: Path | None, version: bytes, kind: type) -> object | None:
    """The value in ``cached`` if it is whole, of ``version`` and an instance of ``kind``; else None."""
    if cached is None:
        return None
    try:
        data = cached.read_bytes()
        found, size, crc = _HEAD.unpack_from(data)
        body = data[_HEAD.size :]
        if found.rstrip(b"\0") != version or size != len(body) or crc != zlib.crc32(body):
            return None
        value = marshal.loads(body)
    except (OSError, ValueError, EOFError, TypeError, struct.error):  # missing, cut short or corrupt
        return None
    return value if isinstance(value, kind) else None


def write_value(cached: Path | None, version: bytes, value: object) -> None:
    """Write ``value`` to ``cached`` whole or not at all (a directory we cannot write: the next
    process builds it too)."""
    if cached is None or len(version) > _VERSION_SIZE:
        return
    body = marshal.dumps(value)
    try:
        with part_of(cached) as part:
            part.write_bytes(_HEAD.pack(version, len(body), zlib.crc32(body)) + body)
    except OSError:
        pass


@contextmanager
def part_of(cached: Path) -> Iterator[Path]:
    """A private name beside ``cached`` to write the file to; renamed onto ``cached`` when the
    block ends without error, so that no reader ever sees half of it, and removed in any case."""
    part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
    try:
        yield part
        os.replace(part, cached)
    finally:
        part.unlink(missing_ok=True)

"""Atomic file writes: a temp file beside the target, fsynced, renamed over it.

Shared by the Parquet writer, the manifest and the commit journal, so that no reader ever sees a
half-written file whatever kills the writer.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO


def fsync_dir(directory: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def tmp_path(final: Path, token: str | None = None) -> Path:
    """A hidden temp name beside ``final``.

    Leading "." -> ignored by pyarrow.dataset/pandas; trailing ".tmp" -> not matched by DuckDB's
    ``*.parquet`` glob.  The token starts with the writer's pid, so a dead writer's leftovers can
    be told from a live one's.
    """
    return final.with_name(f".{final.name}.{token or os.getpid()}.tmp")


def write_file(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(fh)`` on ``path`` (created), flush and fsync it; remove it if that fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def atomic_write_bytes(final: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(fh)`` on a temp file beside ``final``, fsync it, rename it over ``final``."""
    tmp = tmp_path(final)
    write_file(tmp, write)  # fsynced already: renamed without a second open and fsync
    _rename(tmp, final)


def replace_atomic(tmp: Path, final: Path) -> None:
    """fsync ``tmp`` (written whole by any writer: a file handle, sqlite3) and rename it over
    ``final``, then fsync the directory; ``tmp`` is removed if any step fails, so a reader sees
    the old file or the new one, never a part."""
    try:
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _rename(tmp, final)


def _rename(tmp: Path, final: Path) -> None:
    """Rename the durable ``tmp`` over ``final`` and fsync the directory (``tmp`` removed if the
    rename fails)."""
    try:
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(final.parent)


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (a leftover's writer may still run)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

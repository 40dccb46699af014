"""One commit per source: all of a source's part files become the new version together.

Protocol (``stage`` then ``commit``):

1. **Stage.**  Each table is written to a hidden temp file beside its final name
   (``.part-<key>.parquet.<pid>-<token>.tmp``), fsynced.  Readers never see these (pyarrow
   skips dot files, DuckDB's ``*.parquet`` glob does not match ``.tmp``).  A failure here
   deletes the staged files: the old version is untouched.
2. **Journal.**  Under the outputs lock, a journal ``<out>/.pending/<key>.json`` is written
   atomically: the renames to do, the old version's part files to delete (another date or paper
   partition), and the manifest record.  Writing it is the commit point.
3. **Apply.**  Renames, deletions, then the manifest record, then the journal is removed.

A crash before step 2 leaves the old version (plus hidden temp files, cleared by the next run);
a crash after it is rolled forward by ``recover``, which every run calls first under the lock,
so after recovery the tables hold the old version or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.ingest import printable, sha256_of
from pipeline.store.atomic import atomic_write_bytes, fsync_dir, pid_alive, write_file
from pipeline.store.manifest import PARTS_LISTED, Manifest, ManifestLines, locked, new_record
from pipeline.store.schema import PARTITIONED_TABLES

JOURNAL_DIR = ".pending"
# In staged names beside the pid: a temp file written on another machine (dask workers on shared
# storage) is never taken for a dead writer's leftover here.
HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


@dataclass
class Staged:
    table: str
    tmp: Path
    final: Path
    rows: int
    sha256: str
    size: int = 0  # bytes: what a reader compares, cheaply, to tell a replaced part


def rel(out_dir: Path, path: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def stage(finals: dict[str, Path], tables: dict[str, pa.Table]) -> list[Staged]:
    """Write each table to a hidden temp file beside its final path; all or none survive."""
    token = f"{os.getpid()}-{HOST}-{secrets.token_hex(4)}"
    staged: list[Staged] = []
    try:
        for name, table in tables.items():
            final = finals[name]
            tmp = final.with_name(f".{final.name}.{token}.tmp")
            write_file(tmp, lambda fh, t=table: pq.write_table(t, fh, compression="zstd"))
            staged.append(Staged(name, tmp, final, table.num_rows, sha256_of(tmp), tmp.stat().st_size))
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: list[Staged]) -> None:
    for s in staged:
        with contextlib.suppress(OSError):
            s.tmp.unlink()


class Changed(Exception):
    """The source's committed parts are no longer the ones a rewrite read (``commit``'s
    ``expect_parts``): another process committed it meanwhile; nothing was written."""


def commit(out_dir: Path, identity: str, staged: list[Staged], record: dict[str, Any],
           same_source: Callable[[str], bool] | None = None,
           expect_parts: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Make the staged parts the source's committed version (see the module docstring).

    ``same_source(other)`` says whether a record under another identity with the same content,
    paper and date is this very source (moved or renamed, or recorded before a switch to
    ``--root``); such records are superseded in the same commit (their parts go, their records are
    dropped), so a source is never there twice.  ``expect_parts``: for a rewrite of committed rows
    (corrections), the parts it read; ``Changed`` when the record lists others by the time the
    lock is held, so a run's newer rows are never replaced by older ones.  Returns the identities
    superseded."""
    out_dir = Path(out_dir)
    parts = {s.table: {"file": rel(out_dir, s.final), "rows": s.rows, "sha256": s.sha256, "bytes": s.size}
             for s in staged}
    committed = False
    try:
        with locked(out_dir):
            # One record read and one line rewritten per commit (``ManifestLines``): a year's
            # manifest is megabytes; any other file is loaded whole, as before.
            lines = ManifestLines.read(out_dir)
            manifest: Manifest | ManifestLines = lines if lines is not None else Manifest.load(out_dir)
            if expect_parts is not None and ((manifest.record(identity) or {}).get("parts") or {}) != expect_parts:
                raise Changed(identity)
            replaces = _superseded(manifest, identity, record, same_source)
            olds = [manifest.record(i) or {} for i in (identity, *replaces)]
            new_files = {p["file"] for p in parts.values()}
            listed = {p.get("file", "") for old in olds for p in (old.get("parts") or {}).values()}
            elsewhere = _same_name_elsewhere(out_dir, staged, everywhere=not manifest.parts_listed)
            stale = sorted((listed | elsewhere) - new_files - {""})
            journal = {
                "identity": identity,
                "renames": [[rel(out_dir, s.tmp), rel(out_dir, s.final)] for s in staged],
                "remove": stale,
                "drop": list(replaces),
                "record": {**record, "parts": parts, "status": "ok", "error": ""},
            }
            jpath = out_dir / JOURNAL_DIR / f"{record['source_key']}.json"
            text = json.dumps(journal, ensure_ascii=False, default=str)
            atomic_write_bytes(jpath, lambda fh: fh.write(text.encode("utf-8")))
            committed = True
            apply_journal(out_dir, jpath, journal, manifest)
    except BaseException:
        if not committed:  # after the journal, staged files belong to the roll-forward
            discard(staged)
        raise
    return replaces


def _superseded(manifest: Manifest | ManifestLines, identity: str, record: dict[str, Any],
                same_source: Callable[[str], bool] | None) -> tuple[str, ...]:
    """Other records of the same content, paper and date that ``same_source`` says are this source."""
    if same_source is None or not record.get("sha256"):
        return ()
    return tuple(
        other for other, rec in manifest.with_content(str(record["sha256"]))
        if other != identity and rec.get("parts") and rec.get("paper") == record.get("paper")
        and str(rec.get("issue_date")) == str(record.get("issue_date")) and same_source(other)
    )


def _same_name_elsewhere(out_dir: Path, staged: list[Staged], everywhere: bool = True) -> set[str]:
    """Part files of this source in other partitions (its date or paper changed) that the manifest
    may not list, and dead writers' temp files of it where it is written.

    ``everywhere``: look in every partition, for a manifest that does not promise to list every
    part (``Manifest.parts_listed``: after a manifest was lost, a source's old parts can be
    anywhere); with the promise, the old record's parts are all there is.  A part's name is the
    source's, so each partition (``paper=*/<date>/``) is asked for that one name (a ``stat``), not
    listed: this runs under the outputs lock at every commit, over every partition a run has
    written (365 dates a year, three tables).  Dead writers' temp files are looked for in the
    partition written (a killed run's, or one of a run killed beside this one); ``recover`` clears
    any others at the start of every run."""
    found: set[str] = set()
    ours = {s.tmp for s in staged}
    exists = os.path.lexists
    for s in staged:
        name, temp_prefix = s.final.name, f".{s.final.name}."
        for part_dir in _partition_dirs(out_dir / s.table) if everywhere else ():
            if exists(os.path.join(part_dir, name)):
                found.add(rel(out_dir, Path(part_dir, name)))
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in os.listdir(s.final.parent):
                if entry.startswith(temp_prefix) and entry.endswith(".tmp"):
                    p = s.final.parent / entry
                    if p not in ours and _writer_gone(p):
                        found.add(rel(out_dir, p))
    return found


def _partition_dirs(base: Path) -> list[str]:
    """``base/paper=*/<date>`` directories (hidden ones left out, as a glob would), as strings:
    a ``Path`` each was most of a commit's look for its name in them."""
    out: list[str] = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for paper in os.scandir(base):
            if paper.name.startswith("paper=") and paper.is_dir():
                out.extend(d.path for d in os.scandir(paper.path) if not d.name.startswith(".") and d.is_dir())
    return out


def vouch(out_dir: Path) -> bool:
    """Set the manifest's ``parts_listed`` promise to what the disk shows (every ``part-*.parquet``
    of every table listed by a record); returns it.  Called under no lock; takes it.

    Run at every run's start (``Store.prepare``): one listing of the partitions per run, where
    without the promise every commit would ask each of them.  The manifest is written only when
    the promise changes (a fresh directory, a manifest lost or restored by hand, orphans removed);
    where it cannot be written, commits search as they would without it."""
    out_dir = Path(out_dir)
    with locked(out_dir):
        manifest = Manifest.load(out_dir)
        listed = {p.get("file") for r in manifest.files.values() for p in (r.get("parts") or {}).values()}
        found = all(name in listed for name in _part_files(out_dir))
        if manifest.parts_listed != found:
            manifest.data[PARTS_LISTED] = found
            try:
                manifest.save()
            except OSError:  # disk full, say: only a promise unwritten; each commit will search
                return False
    return found


def _part_files(out_dir: Path) -> Iterator[str]:
    """Every ``part-*.parquet`` in the tables' partitions, relative to ``out_dir``."""
    for table in PARTITIONED_TABLES:
        for part_dir in _partition_dirs(out_dir / table):
            for entry in os.listdir(part_dir):
                if entry.startswith("part-") and entry.endswith(".parquet"):
                    yield f"{rel(out_dir, Path(part_dir))}/{entry}"


def _writer_gone(tmp: Path) -> bool:
    """Whether a temp file's writer (pid and host in its name) is this process or no longer runs."""
    token = tmp.name.rsplit(".", 2)[-2].split("-")
    pid = token[0]
    if len(token) == 3 and token[1] != HOST:
        return False  # another machine's writer: it cleans up after itself, or a later run there
    return not pid.isdigit() or int(pid) == os.getpid() or not pid_alive(int(pid))


def apply_journal(out_dir: Path, jpath: Path, journal: dict[str, Any],
                  manifest: Manifest | ManifestLines | None = None) -> None:
    """Do a journal's renames and removals and record it; idempotent, so a re-run is harmless.
    ``manifest``: the manifest as the caller read it under the same lock, if it did."""
    for tmp, final in journal["renames"]:
        src, dst = out_dir / tmp, out_dir / final
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            fsync_dir(dst.parent)
    for old in journal["remove"]:
        p = out_dir / old
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
        remove_empty_dirs(p.parent, out_dir)
    drop = journal.get("drop") or []
    if not drop and isinstance(manifest, ManifestLines) and manifest.put(journal["identity"],
                                                                        new_record(**journal["record"])):
        manifest.save()
    else:
        m = manifest if isinstance(manifest, Manifest) else Manifest.load(out_dir)
        for old in drop:
            m.files.pop(old, None)
        m.record_file(journal["identity"], **journal["record"])
        m.bump()
        m.save()
    jpath.unlink()
    fsync_dir(jpath.parent)
    with contextlib.suppress(OSError):
        jpath.parent.rmdir()  # only when empty: no hidden clutter left behind


def remove_empty_dirs(start: Path, stop: Path) -> None:
    """Remove ``start`` and its parents up to (not including) ``stop`` while they are empty."""
    d = start
    while d != stop and stop in d.parents:
        try:
            d.rmdir()
        except OSError:
            return
        d = d.parent


def recover(out_dir: Path) -> list[str]:
    """Roll forward committed journals and clear dead writers' temp files; returns what was done.

    Called under no lock; takes it.  A journal that cannot be parsed was never completed (it is
    written atomically), so it is only reported.
    """
    out_dir = Path(out_dir)
    done: list[str] = []
    jdir = out_dir / JOURNAL_DIR
    with locked(out_dir):
        for jpath in sorted(jdir.glob("*.json")) if jdir.is_dir() else []:
            try:
                journal = json.loads(jpath.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                done.append(f"{printable(jpath)}: unreadable commit journal ({exc}); left in place")
                continue
            apply_journal(out_dir, jpath, journal)
            done.append(f"{journal['identity']}: interrupted commit completed")
        for tmp in _dead_temp_files(out_dir):
            with contextlib.suppress(OSError):
                tmp.unlink()
    return done


def _dead_temp_files(out_dir: Path) -> list[Path]:
    found = []
    for table in PARTITIONED_TABLES:
        base = out_dir / table
        if not base.is_dir():
            continue
        for tmp in base.glob("paper=*/*/.part-*.tmp"):
            if _writer_gone(tmp) and not tmp.name.rsplit(".", 2)[-2].startswith(f"{os.getpid()}-"):
                found.append(tmp)
    return found

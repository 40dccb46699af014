"""``Store``: one outputs directory, and everything a run or a reader asks of it.

Why one object: the runner used to reach into the commit protocol, the manifest, the lock, the
table writers and the derived-table rebuilds itself (ten files, and a cycle between two of them).
It now asks a ``Store`` five questions — is this source current, commit it, record its failure,
finish the run, check — and the store's internals can change without the runner knowing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.store.check import check_outputs
from pipeline.store.commit import recover
from pipeline.store.derived import rebuild_entities, rebuild_offices
from pipeline.store.manifest import LOCK_FILE, Manifest, locked
from pipeline.store.tables import Tables, load, remove_source, write_source_tables

__all__ = ["Store"]


class Store:
    """The outputs directory ``out_dir``: hive-partitioned Parquet parts, derived tables, manifest.

    A source's rows are committed together (``pipeline.store.commit``); the derived tables
    (entities, offices) are rebuilt whole from the committed mentions.  The manifest is read
    once per ``Store`` for ``is_current`` (a run's resume check over thousands of files).
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.out_dir = Path(out_dir)
        self._manifest: Manifest | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.out_dir)!r})"

    # --- before a run ---------------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise ``OSError`` unless the directory can be created and its lock file written, and
        ``ManifestError`` if a manifest is there that is not ours: before any work is done."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.out_dir / LOCK_FILE, "a"):
            pass
        Manifest.load(self.out_dir)

    def prepare(self) -> list[str]:
        """Create the directory and complete interrupted commits; returns one note per thing done."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return recover(self.out_dir)

    def is_current(self, identity: str, expected: dict[str, Any]) -> bool:
        """Whether ``identity``'s committed version was made from ``expected`` inputs (content
        hash, paper, date, backend, model, gazetteer, version) and its parts still verify."""
        if self._manifest is None:
            self._manifest = Manifest.load(self.out_dir)
        return self._manifest.is_current(identity, expected)

    # --- per source -----------------------------------------------------------------------

    def commit(self, key: str, paper: str, issue_date: dt.date | None, tables: dict[str, pa.Table],
               identity: str, record: dict[str, Any]) -> dict[str, int]:
        """Make ``tables`` the committed version of source ``identity`` (all parts or none, the
        manifest record last); returns the row count per table."""
        return write_source_tables(self.out_dir, key, paper, issue_date, tables, identity=identity, record=record)

    def record_failure(self, identity: str, error: str, **info: Any) -> None:
        """Mark a source failed in the manifest; an earlier committed version of it stays."""
        Manifest.update(self.out_dir, lambda m: m.record_failure(identity, error, **info))

    def remove(self, source_key: str) -> int:
        """Remove every part of a source and its manifest record; returns the files removed."""
        return remove_source(self.out_dir, source_key)

    # --- after a run ----------------------------------------------------------------------

    def rebuild_derived(self, gazetteer: object | None = None) -> int:
        """Rebuild entities and offices from every committed mention; returns the entity count.
        The caller holds the lock (``finish_run``) or knows no other writer runs."""
        n = rebuild_entities(self.out_dir, gazetteer)
        rebuild_offices(self.out_dir)  # who held what, when
        return n

    def finish_run(self, gazetteer: object | None, run_record: Callable[[], dict[str, Any]]) -> int:
        """Under the outputs lock: rebuild the derived tables, then append ``run_record()`` (called
        after the rebuild, so its timing includes it) to the manifest.  Returns the entity count."""
        with locked(self.out_dir):
            n = self.rebuild_derived(gazetteer)
            m = Manifest.load(self.out_dir)
            m.record_run(run_record())
            m.save()
        return n

    # --- readers --------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems found in the directory (``pinghu-ner check``); [] when it is consistent."""
        return check_outputs(self.out_dir)

    def load(self) -> Tables:
        """Every table as pandas DataFrames (``pipeline.load``)."""
        return load(self.out_dir)

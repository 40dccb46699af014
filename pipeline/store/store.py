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
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from pipeline.ingest import printable
from pipeline.store.commit import recover, vouch
from pipeline.store.corrections import CORRECTIONS_FILE, Corrections, apply_to_source, reapply, type_counts
from pipeline.store.derived import rebuild_derived, rebuild_locked
from pipeline.store.manifest import LOCK_FILE, Manifest, ManifestError, locked
from pipeline.store.snapshot import old_layout
from pipeline.store.tables import commit_source, remove_source

if TYPE_CHECKING:
    from pipeline.store.reader import Tables

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
        self.check_layout()

    def check_layout(self) -> None:
        """``ManifestError`` (one line naming ``pinghu-ner migrate``) for outputs an older
        pinghu-ner wrote: nothing may be written beside them until they are migrated."""
        why = old_layout(self.out_dir, Manifest.load(self.out_dir).data)
        if why:
            shown = printable(self.out_dir)
            raise ManifestError(f"{shown}: outputs of an older pinghu-ner ({why}); run `pinghu-ner migrate {shown}` "
                                "first (nothing was written)")

    def prepare(self) -> list[str]:
        """Create the directory, complete interrupted commits, apply a changed corrections file to
        what is committed and set the manifest's promise to list every part (``vouch``); returns
        one note per thing done."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.check_layout()
        notes = recover(self.out_dir)
        again = reapply(self.out_dir)  # corrections.csv edited since the sources were committed
        if again:
            notes.append(f"{printable(self.out_dir / CORRECTIONS_FILE)}: applied to {len(again)} committed source(s)")
        vouch(self.out_dir)  # commits need not search every partition while no part is unlisted
        return notes

    def is_current(self, identity: str, expected: dict[str, Any]) -> bool:
        """Whether ``identity``'s committed version was made from ``expected`` inputs (content
        hash, paper, date, backend, model, gazetteer, version) and its parts still verify."""
        if self._manifest is None:
            self._manifest = Manifest.load(self.out_dir)
        return self._manifest.is_current(identity, expected)

    # --- per source -----------------------------------------------------------------------

    def commit(self, key: str, paper: str, issue_date: dt.date | None, tables: dict[str, pa.Table],
               identity: str, record: dict[str, Any],
               same_source: Callable[[str], bool] | None = None) -> tuple[dict[str, int], tuple[str, ...]]:
        """Make ``tables`` the committed version of source ``identity`` (all parts or none, the
        manifest record last).  Records of the same content, paper and date under another identity
        that ``same_source`` says are this source (moved, renamed, or before a switch to
        ``--root``) are replaced in the same commit.  Returns the row count per table and the
        identities replaced.  The analyst's corrections (``corrections.csv``) are applied first and
        their digest recorded, so a re-run keeps them."""
        fixes = Corrections.of(self.out_dir)
        if fixes:
            tables, applied = apply_to_source(fixes, tables, paper)
            record = {**record, "corrections": fixes.digest, "corrected": sorted(applied),
                      "counts": {**record.get("counts", {}), **type_counts(tables["mentions"])}}
        return commit_source(self.out_dir, key, paper, issue_date, tables, identity, record, same_source)

    def record_failure(self, identity: str, error: str, **info: Any) -> None:
        """Mark a source failed in the manifest; an earlier committed version of it stays."""
        Manifest.update(self.out_dir, lambda m: m.record_failure(identity, error, **info))

    def gone_sources(self, root: str | os.PathLike[str] | None = None) -> list[str]:
        """Identities of recorded sources whose files no longer exist: an absolute identity that
        is no file, or one relative to ``root`` (``--root``) that is none below it.  Relative
        identities are resolved against the last run's ``--root`` when none is given, and left out
        when no run named one."""
        manifest = Manifest.load(self.out_dir)
        if root is None and manifest.runs:  # the root the last run named, if any
            root = (manifest.runs[-1].get("settings") or {}).get("archive_root") or None
        gone = []
        for identity in manifest.files:
            p = Path(identity)
            if p.is_absolute():
                if not p.exists():
                    gone.append(identity)
            elif root is not None and not (Path(root) / p).exists():
                gone.append(identity)
        return gone

    def prune(self, identities: list[str]) -> int:
        """Remove the parts and records of ``identities`` in one step under the lock; returns the
        part files removed.  The derived tables are stale afterwards (``rebuild_derived``)."""
        from pipeline.store.commit import remove_empty_dirs

        removed = 0
        with locked(self.out_dir):
            m = Manifest.load(self.out_dir)
            for identity in identities:
                rec = m.files.pop(identity, None) or {}
                for part in (rec.get("parts") or {}).values():
                    f = self.out_dir / str(part.get("file", ""))
                    if f.is_file():
                        f.unlink()
                        removed += 1
                        remove_empty_dirs(f.parent, self.out_dir)
            m.bump()
            m.save()
        return removed

    def remove(self, source_key: str) -> int:
        """Remove every part of a source and its manifest record; returns the files removed."""
        return remove_source(self.out_dir, source_key)

    def reapply_corrections(self) -> list[str]:
        """Apply ``corrections.csv`` to the committed sources not yet corrected with it (a file
        edited by hand, or ``pinghu-ner correct``); returns the sources committed again.  The
        derived tables are stale afterwards."""
        return reapply(self.out_dir)

    # --- after a run ----------------------------------------------------------------------

    def rebuild_derived(self, gazetteer: object | None = None) -> int:
        """Entities and offices rebuilt from every committed mention, under the outputs lock
        (``pinghu-ner rebuild``); returns the entity count."""
        return rebuild_locked(self.out_dir, gazetteer)

    def finish_run(self, gazetteer: object | None, run_record: Callable[[], dict[str, Any]]) -> int:
        """Under the outputs lock: rebuild the derived tables, then append ``run_record()`` (called
        after the rebuild, so its timing includes it) to the manifest.  Returns the entity count."""
        with locked(self.out_dir):
            m = Manifest.load(self.out_dir)
            n = rebuild_derived(self.out_dir, gazetteer, m.generation)
            m.record_run(run_record())
            m.save()
        return n

    def migrate(self, gazetteer: object | None = None) -> list[str]:
        """Rewrite an older layout in the current one (``pipeline.store.migrate``)."""
        from pipeline.store.migrate import migrate

        return migrate(self.out_dir, gazetteer)

    # --- readers --------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems found in the directory (``pinghu-ner check``); [] when it is consistent."""
        from pipeline.store.check import check_outputs  # here: a run, in every worker, never checks

        return check_outputs(self.out_dir)

    def part_files(self, table: str) -> list[str]:
        """The part files of a partitioned table as of the last finished commit: what DuckDB,
        polars or ``pd.read_parquet`` should read instead of a ``**/*.parquet`` glob, which also
        sees stray and half-committed files.  ``OutputsError`` if a listed part is missing or changed."""
        from pipeline.store.snapshot import Snapshot

        snap = Snapshot.read(self.out_dir)
        snap.verify(table)
        return snap.files(table)

    def load(self) -> Tables:
        """Every table as pandas DataFrames (``pipeline.load``)."""
        from pipeline.store.reader import load  # here: a run, in every worker, never reads tables back

        return load(self.out_dir)

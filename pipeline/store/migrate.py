"""``pinghu-ner migrate OUT``: bring an outputs directory of an older pinghu-ner to the current layout.

Why: an archive is years of runs, and its sources may be gone; re-running is not always possible.
Earlier layouts, each kept as a test archive under ``tests/data/archives/``:

* schema 1: ``issue_date=<date>`` folders, no ``issue_date`` column in the files, ``""`` for
  missing values, no ``page_inferred``/``person_id``; with or without part lists in the manifest;
* schema 2 before one commit per source: date folders, but manifest records without parts;
* schema 2 before generations: derived tables not stamped with the commits they describe;
* schema 3: dates stored as date32 (now a timestamp at midnight, ``schema.DATE_TYPE``): the cast
  keeps each day.

Each source's parts are read, given the current columns (missing text as null, new columns from
what the old ones say), and committed again through the commit protocol under their old identity
and record, which removes the old files in the same commit; then the derived tables are rebuilt.
Re-running a source later still replaces its rows (same identity, same part names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.errors import OutputsError
from pipeline.ingest import printable
from pipeline.store.derived import rebuild_locked
from pipeline.store.manifest import Manifest, source_fields
from pipeline.store.schema import PARTITIONED_TABLES, file_schema
from pipeline.store.snapshot import old_layout
from pipeline.store.tables import commit_source


def migrate(out_dir: str | Path, gazetteer: object | None = None) -> list[str]:
    """Rewrite ``out_dir`` in the current layout; returns one line per thing done."""
    out = Path(out_dir)
    data = Manifest.load(out).data
    why = old_layout(out, data)
    if not why:  # the current layout: only the derived tables may predate their stamps
        rebuild_locked(out, gazetteer)
        return [f"{printable(out)}: already the current layout; entities and offices rebuilt"]
    sources = _parts_by_source(out)
    notes = [f"{printable(out)}: {why}; {len(sources)} source(s)"]
    by_key = {str(r.get("source_key", "")): (identity, r) for identity, r in data.get("files", {}).items()
              if isinstance(r, dict)}
    for key, files in sorted(sources.items()):
        identity, old = by_key.get(key, (key, {}))
        paper, date = _where(files)
        tables = {t: upgrade(t, pq.read_table(f)) for t, f in files.items()}
        record = source_fields(old)
        commit_source(out, key, paper, date, tables, identity, record)
    notes += _settle_empty_records(out)
    rebuild_locked(out, gazetteer)
    left = old_layout(out, Manifest.load(out).data)
    if left:
        raise OutputsError(f"{printable(out)}: still an older layout after migrating ({left})")
    notes.append(f"{printable(out)}: migrated; entities and offices rebuilt")
    return notes


def _settle_empty_records(out: Path) -> list[str]:
    """Records of an older manifest that list no parts and have no files on disk: their sources
    wrote nothing (or their files were lost), so they now say so (``parts`` empty)."""
    done: list[str] = []

    def settle(m: Manifest) -> None:
        for identity, rec in m.files.items():
            if "parts" not in rec:
                rec["parts"] = {}
                if rec.get("status", "ok") == "ok":
                    done.append(f"{printable(identity)}: no part files found; recorded with none")
        m.bump()

    Manifest.update(out, settle)
    return done


def _parts_by_source(out: Path) -> dict[str, dict[str, Path]]:
    """Every part file on disk, by source key and table (the key is in the file's metadata,
    else its name ``part-<key>.parquet``)."""
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    for table in PARTITIONED_TABLES:
        for f in sorted((out / table).glob("paper=*/*/part-*.parquet")):
            meta = pq.read_schema(f).metadata or {}
            key = (meta.get(b"pinghu.source_key") or f.name[len("part-"):-len(".parquet")].encode()).decode()
            found[key][table] = f
    return found


def _where(files: dict[str, Path]) -> tuple[str, dt.date]:
    """The paper and issue date of a source's parts, from their folders."""
    f = next(iter(files.values()))
    paper = f.parent.parent.name.removeprefix("paper=")
    return paper, dt.date.fromisoformat(f.parent.name.removeprefix("issue_date="))


def upgrade(table: str, old: pa.Table) -> pa.Table:
    """``old`` with the current file columns of ``table``: types cast, ``""`` as null in nullable
    text columns, new columns derived (``person_id``) or defaulted (``page_inferred`` False,
    ``issue_date`` filled in by the commit from its folder)."""
    schema = file_schema(table)
    n = old.num_rows
    cols: list[pa.Array] = []
    for field in schema:
        if field.name in old.column_names:
            col = old.column(field.name).cast(field.type)
            if field.nullable and pa.types.is_string(field.type):
                col = pc.if_else(pc.equal(col, ""), pa.scalar(None, field.type), col)
        else:
            col = _new_column(table, field, old, n)
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=schema)


def _new_column(table: str, field: pa.Field, old: pa.Table, n: int) -> Any:
    if field.name == "person_id" and table == "people":
        ids = [e if e else f"surface:{name}" for e, name in
               zip(old.column("entity_id").to_pylist(), old.column("name").to_pylist())]
        return pa.array(ids, field.type)
    if field.name == "issue_date":
        return pa.array([dt.datetime(1970, 1, 1)] * n, field.type)  # replaced by the partition's date
    if pa.types.is_boolean(field.type) and not field.nullable:
        return pa.array([False] * n, field.type)
    if not field.nullable:
        raise OutputsError(f"cannot migrate {table}: no value for its new column {field.name}")
    return pa.nulls(n, field.type)


__all__ = ["migrate", "upgrade"]

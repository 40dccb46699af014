"""Reading the tables as pandas: ``load()`` and the ``Tables`` it returns.

Why its own module: ``load`` reads a consistent snapshot (the manifest's parts) and must not show
derived tables (entities, offices) older than the mentions beside them; checking that needs the
derived-table builders, which themselves read through ``tables``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import OutputsError
from pipeline.ingest import printable
from pipeline.store.corrections import CorrectionError, Corrections
from pipeline.store.derived import (
    ENTITY_COLUMNS,
    GENERATION_KEY,
    OFFICE_COLUMNS,
    entities_of,
    offices_of_mentions,
)
from pipeline.store.schema import PARTITIONED_TABLES, TABLE_NAMES, schema_for
from pipeline.store.snapshot import Snapshot
from pipeline.store.tables import SINGLE_FILES, read_arrow

READ_ATTEMPTS = 3  # snapshots tried when a concurrent commit changes a part under a reader

# Columns turned into pandas categories by load(): few distinct values, many rows.
CATEGORY_COLUMNS = ("type", "paper", "kind", "link_method", "role", "field")
DATE_COLUMNS = ("issue_date", "first_seen", "last_seen")


def _to_pandas(t: pa.Table) -> pd.DataFrame:
    df = t.to_pandas(date_as_object=False)
    for c in CATEGORY_COLUMNS:
        if c in df.columns:
            df[c] = df[c].astype("category")
    for c in DATE_COLUMNS:
        if c in df.columns and not pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = pd.to_datetime(df[c])
    return df


@dataclass
class Tables:
    """The output tables as DataFrames; ``tables.mentions`` or ``tables["mentions"]``."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    entities: pd.DataFrame
    people: pd.DataFrame
    offices: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLE_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(f.name for f in fields(self))

    def __contains__(self, name: object) -> bool:
        return name in TABLE_NAMES

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [(k, getattr(self, k)) for k in self.keys()]


def load(path: str | os.PathLike[str] = "outputs") -> Tables:
    """Load every output table of ``path`` as pandas DataFrames, as of the last finished commit.

    The partitioned tables are read from the parts the manifest lists (``Snapshot``); a derived
    table (entities, offices) missing or built before the latest commit is counted afresh from the
    mentions, with one warning saying so (``pinghu-ner rebuild`` writes it).  Dates
    (``issue_date``, ``first_seen``, ``last_seen``) are datetime64[ms], the dtype a bare
    ``pd.read_parquet`` gives them too (``schema.DATE_TYPE``); low-cardinality labels (type,
    paper, kind, link_method, role, field) are categories; integers keep their widths; missing
    values are nulls (NaN/None), never ``""``.  A table not written yet is an empty DataFrame with
    the right columns, so analysis code need not special-case a fresh directory.
    """
    out = Path(path)
    for attempt in range(READ_ATTEMPTS):
        snap = Snapshot.read(out)
        try:
            arrow = {name: read_arrow(out, name, snapshot=snap) for name in PARTITIONED_TABLES}
            break
        except OutputsError:
            # A run committing while we read replaces a part after we listed it: the manifest
            # moved on, so read the new snapshot; an unchanged manifest means real damage.
            if attempt == READ_ATTEMPTS - 1 or Snapshot.read(out).generation == snap.generation:
                raise
    for name in SINGLE_FILES:
        arrow[name] = current_derived(out, name, snap, arrow["mentions"])
    return Tables(**{name: _to_pandas(arrow[name]) for name in TABLE_NAMES})


def derived_generation(path: Path) -> int | None:
    """The manifest generation a derived table file was built from (None: absent or unstamped)."""
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    raw = meta.get(GENERATION_KEY)
    return int(raw) if raw is not None and raw.isdigit() else None


def current_derived(out: Path, name: str, snap: Snapshot, mentions: pa.Table) -> pa.Table:
    """The derived table ``name``: the file when it describes the snapshot (read once), else
    counted from ``mentions`` with one warning saying why (missing, unreadable, stale)."""
    path = out / SINGLE_FILES[name]
    schema = schema_for(name)
    table, why = schema.empty_table(), ""
    if path.is_file():
        try:
            table = pq.read_table(path, schema=schema)
        except (OSError, pa.ArrowException) as exc:
            why = f"unreadable ({str(exc).splitlines()[0]})"
        else:
            why = _stale(derived_generation(path), snap.generation)
    elif any(snap.parts.values()):
        why = "missing"
    if not why:
        return table
    warnings.warn(f"{printable(path)}: {why}; counted afresh from the mentions "
                  f"(`pinghu-ner rebuild {printable(out)}` writes it)", stacklevel=3)
    if name == "offices":
        return offices_of_mentions(mentions.select(OFFICE_COLUMNS)).cast(schema)
    try:
        fixes = Corrections.of(out)
    except CorrectionError:  # `pinghu-ner check` names the bad line; the counts stand without it
        fixes = Corrections()
    return entities_of(mentions.select(ENTITY_COLUMNS), _gazetteer(snap), fixes).cast(schema)


def _stale(built: int | None, generation: int) -> str:
    """Why a derived table built from ``built`` does not describe ``generation`` ("" if it does)."""
    if built is None:
        return "not stamped with the commits it was built from"
    if built != generation:
        return f"built from generation {built}, the manifest is at {generation}"
    return ""


def _gazetteer(snap: Snapshot):  # noqa: ANN202 - pipeline.gazetteers.Gazetteer
    """The gazetteer of the last run (its settings name it), else the default one."""
    from pipeline.gazetteers import load_gazetteer
    from pipeline.settings import DEFAULT_GAZETTEER

    named = Path(str(snap.settings.get("gazetteer_dir") or DEFAULT_GAZETTEER))
    return load_gazetteer(named if named.is_dir() else DEFAULT_GAZETTEER)


__all__ = ["Tables", "current_derived", "derived_generation", "load"]

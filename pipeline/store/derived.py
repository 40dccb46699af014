"""The derived tables: ``entities`` and ``offices``, rebuilt whole from every committed mention.

Why rebuilt and not updated: a re-run or removed source must change the counts exactly, and a
table rebuilt from the mentions on disk can never drift from them.  Both are written atomically
after the sources' commits (``Store.finish_run``), under the outputs lock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.resolve.org_kind import org_kind
from pipeline.store.corrections import Corrections, applied_ids
from pipeline.store.manifest import Manifest, locked
from pipeline.store.schema import OFFICES, entities_table
from pipeline.store.snapshot import Snapshot
from pipeline.store.tables import ENTITIES_FILE, OFFICES_FILE, read_arrow, write_parquet_atomic

__all__ = ["GENERATION_KEY", "rebuild_derived", "rebuild_locked", "entities_of", "offices_of_mentions", "rebuild_entities", "rebuild_offices", "stamped"]


def _non_empty(t: pa.Table, col: str) -> pa.ChunkedArray:
    """Rows where ``col`` is neither null nor the empty string."""
    return pc.fill_null(pc.not_equal(t[col], ""), False)


def _most_frequent(t: pa.Table, key: str, col: str) -> dict[str, str]:
    """Per ``key``, the most frequent non-empty value of ``col``; ties go to the smallest value.
    Counted by pyarrow over (key, value) pairs: only the distinct pairs reach Python."""
    sub = t.select([key, col]).filter(_non_empty(t, col))
    if not sub.num_rows:
        return {}
    counts = sub.group_by([key, col]).aggregate([([], "count_all")])
    counts = counts.sort_by([(key, "ascending"), ("count_all", "descending"), (col, "ascending")])
    out: dict[str, str] = {}
    for k, v in zip(counts[key].to_pylist(), counts[col].to_pylist()):
        out.setdefault(k, v)
    return out


def _gazetteer_entry(gazetteer: object | None, entity_id: str) -> Any:
    if gazetteer is None:
        return None
    try:
        return gazetteer.by_id(entity_id)  # type: ignore[attr-defined]
    except KeyError:
        return None


ENTITY_COLUMNS = ["entity_id", "type", "canonical", "role", "article_id", "issue_date", "in_title", "offices", "correction"]
OFFICE_COLUMNS = ["entity_id", "canonical", "article_id", "issue_date", "offices", "correction"]
GENERATION_KEY = b"pinghu.generation"  # the manifest generation a derived table was built from


def rebuild_derived(out_dir: str | Path, gazetteer: object | None = None, generation: int | None = None) -> int:
    """Rebuild entities and offices from every committed mention, stamped with the manifest
    ``generation`` they describe; returns the entity count.  The caller holds the outputs lock
    (``rebuild_locked``, ``Store.finish_run``).  Each reads the mentions itself: one read for
    both was 2 s less at a year's end but held the entities' columns through the offices, +70 MB."""
    n = rebuild_entities(Path(out_dir), gazetteer, generation)
    rebuild_offices(out_dir, generation)  # who held what, when
    return n


def rebuild_locked(out_dir: str | Path, gazetteer: object | None = None) -> int:
    """``rebuild_derived`` under the outputs lock, at the manifest's generation then
    (``pinghu-ner rebuild``, ``migrate``)."""
    with locked(Path(out_dir)):
        return rebuild_derived(out_dir, gazetteer, Manifest.load(Path(out_dir)).generation)


def rebuild_entities(out_dir: Path, gazetteer: object | None = None, generation: int | None = None) -> int:
    """Aggregate all committed mentions into ``entities/entities.parquet`` (one row per entity_id),
    stamped with the manifest ``generation`` it was built from.

    Rebuilt whole from the mentions on disk, not updated incrementally, so it can never drift
    from them (a removed or re-run source changes the counts correctly).  Returns the number of
    entities written.
    """
    table = entities_of(read_arrow(Path(out_dir), "mentions", ENTITY_COLUMNS), gazetteer, Corrections.of(out_dir))
    write_parquet_atomic(stamped(table, _generation(out_dir, generation)), Path(out_dir) / ENTITIES_FILE)
    return table.num_rows


def _generation(out_dir: str | Path, given: int | None) -> int:
    """The generation to stamp: the caller's (read under the lock), else the manifest's now."""
    return given if given is not None else Snapshot.read(Path(out_dir)).generation


def stamped(table: pa.Table, generation: int) -> pa.Table:
    """``table`` with the manifest generation it was built from in its metadata."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), GENERATION_KEY: str(generation).encode()})


def entities_of(t: pa.Table, gazetteer: object | None = None, corrections: Corrections | None = None) -> pa.Table:
    """The entities table of some mentions (columns ``ENTITY_COLUMNS``).

    ``correction`` is every correction its mentions carry, and an ``alias`` correction adds its
    name to the entity's aliases (``pipeline.store.corrections``).

    Gazetteer facts (kind, division code, parent, aliases) come from ``gazetteer.by_id``;
    ``person:`` and ``nil:`` ids get kind "person" / "nil".  Aggregated in Arrow, not pandas: a
    year's mentions as Python strings took ~500 MB in the coordinating process; grouped in Arrow
    only one row per entity (and per distinct type, name and role of it) becomes Python objects.
    """
    implied = _implied_organisations(t)
    t = t.filter(_non_empty(t, "entity_id"))
    rows: list[dict[str, Any]] = []
    titled = _title_counts(t)
    fixed = _corrections_by(t)
    if t.num_rows:
        stats = t.group_by("entity_id").aggregate([
            ("issue_date", "min"), ("issue_date", "max"), ([], "count_all"), ("article_id", "count_distinct"),
        ]).sort_by("entity_id")
        types = _most_frequent(t, "entity_id", "type")
        canon = _most_frequent(t, "entity_id", "canonical")
        roles: dict[str, set[str]] = {}
        with_role = t.select(["entity_id", "role"]).filter(_non_empty(t, "role"))
        pairs = with_role.group_by(["entity_id", "role"]).aggregate([])
        for eid, role in zip(pairs["entity_id"].to_pylist(), pairs["role"].to_pylist()):
            roles.setdefault(eid, set()).add(role)
        for eid, first, last, n_mentions, n_articles in zip(
            stats["entity_id"].to_pylist(), stats["issue_date_min"].to_pylist(), stats["issue_date_max"].to_pylist(),
            stats["count_all"].to_pylist(), stats["article_id_count_distinct"].to_pylist(),
        ):
            etype = types.get(eid, "")
            entry, kind = _kind_of(eid, etype, canon.get(eid, ""), gazetteer)
            canonical = canon.get(eid, "") or (getattr(entry, "canonical", "") if entry is not None else "")
            rows.append(
                {
                    "entity_id": eid,
                    "type": etype or (getattr(entry, "type", "") if entry is not None else ""),
                    "canonical": canonical,
                    "kind": kind,
                    "division_code": getattr(entry, "division_code", "") if entry is not None else "",
                    "parent_id": getattr(entry, "parent_id", "") if entry is not None else "",
                    "aliases": list(getattr(entry, "aliases", ()) or ()) if entry is not None else [],
                    "first_seen": _as_date(first),
                    "last_seen": _as_date(last),
                    "mention_count": int(n_mentions),
                    "title_mention_count": titled.get(eid, 0),
                    "article_count": int(n_articles),
                    "roles": sorted(roles.get(eid, ())) if etype == "PERSON" else [],
                    "correction": fixed.get(eid),
                }
            )
    seen = {r["entity_id"] for r in rows}
    rows += [_implied_row(eid, name, first, last, gazetteer) for eid, (name, first, last) in sorted(implied.items())
             if eid not in seen]
    return entities_table(_with_aliases(rows, corrections))


def _with_aliases(rows: list[dict[str, Any]], corrections: Corrections | None) -> list[dict[str, Any]]:
    """The analyst's ``alias`` corrections added to their entities' aliases (and marked)."""
    by_id = {r["entity_id"]: r for r in rows}
    for c in corrections.rows if corrections else ():
        r = by_id.get(c.target)
        if c.action == "alias" and r is not None:
            r["aliases"] = [*r["aliases"], *([c.value] if c.value not in r["aliases"] else [])]
            r["correction"] = applied_ids([r["correction"], c.id])
    return rows


def _kind_of(eid: str, etype: str, name: str, gazetteer: object | None) -> tuple[Any, str]:
    """The gazetteer entry (None for a person or NIL) and the kind of one entity."""
    if eid.startswith("person:"):
        return None, "person"
    if eid.startswith("nil:"):
        # An organisation no gazetteer knows: company, agency or organisation, guessed from
        # its name by the learned classifier (models/org_kind.md); other NILs stay "nil".
        return None, org_kind(name) if etype == "ORG" else "nil"
    entry = _gazetteer_entry(gazetteer, eid)
    return entry, getattr(entry, "kind", "") if entry is not None else ""


def _corrections_by(t: pa.Table, key: str = "entity_id") -> dict[str, str]:
    """Per ``key``, the union of its mentions' ``correction`` ids (absent when none)."""
    if "correction" not in t.column_names or not t.num_rows:
        return {}
    sub = t.select([key, "correction"]).filter(pc.is_valid(t["correction"]))
    pairs = sub.group_by([key, "correction"]).aggregate([])
    out: dict[str, list[str | None]] = {}
    for k, v in zip(pairs[key].to_pylist(), pairs["correction"].to_pylist()):
        out.setdefault(k, []).append(v)
    return {k: applied_ids(vs) or "" for k, vs in out.items()}


def _title_counts(t: pa.Table) -> dict[str, int]:
    """Per entity, its mentions inside officials' titles."""
    if "in_title" not in t.column_names or not t.num_rows:
        return {}
    sub = t.select(["entity_id", "in_title"]).filter(pc.fill_null(t["in_title"], False))
    counts = sub.group_by("entity_id").aggregate([([], "count_all")])
    return dict(zip(counts["entity_id"].to_pylist(), counts["count_all"].to_pylist()))


def _implied_organisations(t: pa.Table) -> dict[str, tuple[str, Any, Any]]:
    """org id → (name, first seen, last seen) of every organisation an office names, so that
    ``offices.org_id`` always finds its row in ``entities`` (市政府 of 市长 is named by no mention)."""
    if "offices" not in t.column_names:
        return {}
    people = t.select(["offices", "issue_date"]).filter(pc.greater(pc.fill_null(pc.list_value_length(t["offices"]), 0), 0))
    out: dict[str, tuple[str, Any, Any]] = {}
    for offices, day in zip(people["offices"].to_pylist(), people["issue_date"].to_pylist()):
        for o in offices or ():
            if o.get("org_id"):
                name, first, last = out.get(o["org_id"], (o.get("org_name") or "", day, day))
                out[o["org_id"]] = (name, min(first, day), max(last, day))
    return out


def _implied_row(eid: str, name: str, first: Any, last: Any, gazetteer: object | None) -> dict[str, Any]:
    entry = _gazetteer_entry(gazetteer, eid)
    return {
        "entity_id": eid, "type": getattr(entry, "type", "ORG") if entry is not None else "ORG",
        "canonical": name or (getattr(entry, "canonical", "") if entry is not None else ""),
        "kind": getattr(entry, "kind", "") if entry is not None else "",
        "division_code": getattr(entry, "division_code", "") if entry is not None else "",
        "parent_id": getattr(entry, "parent_id", "") if entry is not None else "",
        "aliases": list(getattr(entry, "aliases", ()) or ()) if entry is not None else [],
        "first_seen": _as_date(first), "last_seen": _as_date(last),
        "mention_count": 0, "title_mention_count": 0, "article_count": 0, "roles": [], "correction": None,
    }


def _as_date(v: Any) -> dt.date | None:
    """A date, or None for a missing one (None, NaN, NaT); a timestamp's date."""
    if v is None or v != v:  # NaN and NaT are not equal to themselves
        return None
    if isinstance(v, dt.datetime):  # pandas' Timestamp is one too
        return v.date()
    return v


def rebuild_offices(out_dir: str | Path, generation: int | None = None) -> int:
    """Aggregate every person mention's offices into ``offices/offices.parquet`` (stamped like
    the entities table): who held what, when.  Returns the number of rows."""
    table = offices_of_mentions(read_arrow(Path(out_dir), "mentions", OFFICE_COLUMNS))
    write_parquet_atomic(stamped(table, _generation(out_dir, generation)), Path(out_dir) / OFFICES_FILE)
    return table.num_rows


def offices_of_mentions(mentions: pa.Table) -> pa.Table:
    """One row per (person id, office, organisation, jurisdiction) with first and last issue seen
    and counts, from some mentions (columns ``OFFICE_COLUMNS``), sorted by those keys (nulls
    last).  Only the person mentions that hold an office are filtered out in Arrow and reach
    Python (a few thousand rows in a year), grouped there: converting every person mention for
    pandas took 1.5 s at a year's end, this 0.4 s, the same rows."""
    ids = pc.fill_null(mentions.column("entity_id"), "")
    held = pc.greater(pc.fill_null(pc.list_value_length(mentions.column("offices")), 0), 0)
    rows = mentions.filter(pc.and_(pc.starts_with(ids, "person:"), held)).to_pylist()  # only these reach Python
    groups: dict[tuple[object, ...], list[dict[str, Any]]] = {}
    for r in rows:
        for o in r["offices"] or ():
            groups.setdefault((r["entity_id"], *(o[k] for k in OFFICE_KEYS)), []).append(r)
    out: dict[str, list[object]] = {f.name: [] for f in OFFICES}
    for key in sorted(groups, key=lambda k: [(v is None, v or "") for v in k]):
        members = groups[key]
        for name, value in zip(("person_id", *OFFICE_KEYS), key):
            out[name].append(value)
        out["name"].append(_mode(r["canonical"] for r in members))
        dates = [r["issue_date"] for r in members if r["issue_date"] is not None]
        out["first_seen"].append(min(dates, default=None))
        out["last_seen"].append(max(dates, default=None))
        out["article_count"].append(len({r["article_id"] for r in members if r["article_id"] is not None}))
        out["mention_count"].append(len(members))
        out["correction"].append(applied_ids(r.get("correction") for r in members))
    return pa.table(out, schema=OFFICES)


OFFICE_KEYS = ("office", "post", "rank", "org_id", "org_name", "jurisdiction")  # the office struct's fields


def _mode(values: Iterable[str | None]) -> str | None:
    """The most frequent value, the smallest of those tied (as pandas' ``mode().iat[0]``); nulls
    are not counted."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return min(v for v, n in counts.items() if n == top)

"""Corrections an analyst records, applied to every commit so that they survive the next run.

Why here, in the store, and not in the recogniser: a correction says what the tables should hold
(these two ids are one person, this mention is no person, this NIL is that village), whatever a
later model proposes.  So it is applied to a source's rows each time they are committed (a run, a
re-run, a ``--resume`` that re-processes a changed file) and, when the file changes, to the rows
already committed (``reapply``), without running recognition again; entities and offices are then
rebuilt from the corrected mentions like any other commit.  Every row a correction changed says so
in its ``correction`` column (the ids, ``;``-separated), and ``check`` lists a correction that no
row took any more (``stale``): the thing it fixed was re-recognised differently, or is gone.

The file is ``corrections.csv`` in the outputs directory (versioned with the outputs: its digest
is in each source's manifest record), one row per correction:

=========  ==========================  ===========================================================
action     target                      value (name: the entity's name, type: PERSON/PLACE/ORG)
=========  ==========================  ===========================================================
merge      an entity id                the entity id it is the same as (its mentions take that id)
link       a ``nil:`` id               a gazetteer id (the NIL's mentions link to it)
split      mention keys, ``;``-joined  the new entity id those mentions take (default person:split:<id>)
relabel    a mention key               the type it should have (PERSON, PLACE or ORG)
drop       a mention key               (none): the mention is removed
alias      an entity id                another name of it: unlinked mentions printed so take its id
=========  ==========================  ===========================================================

A mention key is ``article_id:start-end``: a ``mention_id`` without its type, so that a relabel
(which rewrites the type at the end of ``mention_id``) still finds its mention on the next run.
Corrections are idempotent: applying one to rows it already changed changes nothing.  Undoing one
(``pinghu-ner correct remove ID``) cannot restore what it overwrote, so the sources it touched are
listed to be run again (a plain ``pinghu-ner run`` of them).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.errors import CorrectionError
from pipeline.ingest import printable
from pipeline.store.atomic import atomic_write_bytes
from pipeline.store.schema import correction_ids, correction_value

__all__ = [
    "ACTIONS",
    "CORRECTIONS_FILE",
    "Correction",
    "CorrectionError",
    "Corrections",
    "mention_key",
    "update",
]

CORRECTIONS_FILE = "corrections.csv"
COLUMNS = ("id", "action", "target", "value", "name", "type", "note", "created")
ACTIONS = ("merge", "link", "split", "relabel", "drop", "alias")
TYPES = ("PERSON", "PLACE", "ORG")
_ENTITY_ACTIONS = ("merge", "link", "alias")
_MERGE_DEPTH = 16  # a chain a→b→c of merges is followed this far (a cycle stops there)


def mention_key(mention_id: str) -> str:
    """``article_id:start-end`` of a mention id (its type dropped), or the key itself."""
    head, _, last = mention_id.rpartition(":")
    return head if head and last in TYPES else mention_id


@dataclass(frozen=True)
class Correction:
    """One row of ``corrections.csv``."""

    id: str
    action: str
    target: str
    value: str = ""
    name: str = ""
    type: str = ""
    note: str = ""
    created: str = ""

    def mention_keys(self) -> tuple[str, ...]:
        """The mentions a split, relabel or drop names (keys, types dropped)."""
        return tuple(mention_key(t) for t in self.target.replace(",", ";").split(";") if t.strip())

    def describe(self) -> str:
        arrow = f" → {self.value}" if self.value else ""
        return f"{self.id} ({self.action} {self.target}{arrow})"

    def problem(self) -> str:
        """Why the row cannot be used, or ""."""
        if not self.id:
            return "no id"
        if self.action not in ACTIONS:
            return f"unknown action {self.action!r} (one of {', '.join(ACTIONS)})"
        if not self.target.strip():
            return "no target"
        if self.action in ("merge", "link", "alias") and not self.value.strip():
            return f"{self.action} needs a value"
        if self.action == "merge" and self.value == self.target:
            return "an entity cannot be merged into itself"
        if self.action == "link" and not self.target.startswith("nil:"):
            return f"link takes a nil: id, not {self.target!r} (merge moves a linked entity)"
        if self.action == "relabel" and self.value not in TYPES:
            return f"relabel needs a type ({', '.join(TYPES)}), not {self.value!r}"
        if self.action == "alias" and self.type and self.type not in TYPES:
            return f"unknown type {self.type!r}"
        return ""


class Corrections:
    """The corrections in force for one outputs directory, indexed for applying them to rows."""

    def __init__(self, rows: Sequence[Correction] = ()) -> None:
        self.rows = tuple(rows)
        self.by_entity = {c.target: c for c in self.rows if c.action in ("merge", "link")}
        self.by_mention: dict[str, list[Correction]] = {}
        for c in self.rows:
            if c.action in ("split", "relabel", "drop"):
                for k in c.mention_keys():
                    self.by_mention.setdefault(k, []).append(c)
        self.aliases = {(c.type, c.value): c for c in self.rows if c.action == "alias"}

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def digest(self) -> str:
        """What the rows say, as 12 hex digits ("" when none): recorded per committed source."""
        if not self.rows:
            return ""
        text = "\n".join("\t".join((c.id, c.action, c.target, c.value, c.name, c.type)) for c in self.rows)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    # --- the file --------------------------------------------------------------------------

    @classmethod
    def read(cls, path: str | Path) -> Corrections:
        """The corrections in ``path`` (none when it does not exist); ``CorrectionError`` naming
        the file and line of the first unusable row."""
        p = Path(path)
        if not p.is_file():
            return cls()
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorrectionError(f"{printable(p)}: cannot read the corrections ({exc})") from None
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("id", "action", "target") if c not in (reader.fieldnames or ())]
        if missing:
            raise CorrectionError(f"{printable(p)}: not a corrections file (no column {', '.join(missing)}; "
                                  f"expected {','.join(COLUMNS)})")
        rows: list[Correction] = []
        seen: set[str] = set()
        for line, r in enumerate(reader, start=2):
            c = Correction(**{k: (r.get(k) or "").strip() for k in COLUMNS})
            why = c.problem() or (f"id {c.id} used twice" if c.id in seen else "")
            if why:
                raise CorrectionError(f"{printable(p)}:{line}: {why}")
            seen.add(c.id)
            rows.append(c)
        return cls(rows)

    @classmethod
    def of(cls, out_dir: str | Path) -> Corrections:
        return cls.read(Path(out_dir) / CORRECTIONS_FILE)

    def write(self, path: str | Path) -> None:
        """Write the rows atomically (UTF-8 with a BOM, so a spreadsheet opens it as UTF-8)."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for c in self.rows:
            w.writerow(asdict(c))
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")
        atomic_write_bytes(Path(path), lambda fh: fh.write(data))

    def next_id(self) -> str:
        n = max((int(c.id[1:]) for c in self.rows if c.id[:1] == "c" and c.id[1:].isdigit()), default=0)
        return f"c{n + 1:04d}"

    def added(self, action: str, target: str, value: str = "", name: str = "", type_: str = "",
              note: str = "") -> tuple[Corrections, Correction]:
        """These corrections and one more (validated), stamped with today's date."""
        c = Correction(self.next_id(), action, target.strip(), value.strip(), name.strip(), type_.strip(),
                       note.strip(), dt.date.today().isoformat())
        why = c.problem()
        if why:
            raise CorrectionError(f"{action}: {why}")
        same = [o for o in self.rows if (o.action, o.target, o.value) == (c.action, c.target, c.value)]
        if same:
            raise CorrectionError(f"{action}: already recorded as {same[0].id}")
        if c.action in ("merge", "link") and c.target in self.by_entity:
            raise CorrectionError(f"{action}: {c.target} is already moved by {self.by_entity[c.target].id}")
        return Corrections([*self.rows, c]), c

    def without(self, ident: str) -> tuple[Corrections, Correction]:
        gone = [c for c in self.rows if c.id == ident]
        if not gone:
            raise CorrectionError(f"no correction {ident!r} (ids: {', '.join(c.id for c in self.rows) or 'none'})")
        return Corrections([c for c in self.rows if c.id != ident]), gone[0]

    # --- applying ----------------------------------------------------------------------------

    def apply(self, mentions: pa.Table) -> tuple[pa.Table, set[str]]:
        """``mentions`` (any schema with the mentions' columns) with the corrections applied, and
        the ids of the corrections that apply to them (a drop included, whose row is gone; ids
        the rows already carried included).  Rows keep their order.  The same table object comes
        back when nothing changed."""
        if not self.rows or not mentions.num_rows:
            return mentions, set()
        rows = mentions.to_pylist()
        out: list[dict[str, Any]] = []
        applied: set[str] = set()
        changed = False
        for row in rows:
            new = self._apply_row(dict(row), applied)
            if new is None or new != row:
                changed = True
            if new is not None:
                out.append(new)
                applied |= correction_ids(new.get("correction"))
        if not changed:
            return mentions, applied
        return pa.Table.from_pylist(out, schema=mentions.schema), applied

    def _apply_row(self, row: dict[str, Any], applied: set[str]) -> dict[str, Any] | None:
        ids = correction_ids(row.get("correction"))
        for c in self.by_mention.get(mention_key(row["mention_id"]), ()):
            if c.action == "drop":
                applied.add(c.id)
                return None
            ids.add(c.id)
            if c.action == "relabel":
                _relabel(row, c.value)
            else:  # split
                row["entity_id"] = c.value or (f"person:split:{c.id}" if row["type"] == "PERSON"
                                               else f"nil:{row['type']}:split-{c.id}")
                row["canonical"] = c.name or row["surface"]
        alias = self.aliases.get((row["type"], row["surface"])) or self.aliases.get(("", row["surface"]))
        if alias is not None and (not row.get("entity_id") or str(row["entity_id"]).startswith("nil:")):
            row["entity_id"], ids = alias.target, ids | {alias.id}
            row["canonical"] = alias.name or row.get("canonical")
        for _ in range(_MERGE_DEPTH):
            c = self.by_entity.get(row.get("entity_id") or "")
            if c is None:
                break
            row["entity_id"], ids = c.value, ids | {c.id}
            row["canonical"] = c.name or row.get("canonical")
        row["correction"] = correction_value(ids)
        return row

    def stale(self, applied: Iterable[str | None]) -> list[Correction]:
        """The corrections that applied nowhere (``applied``: the sources' recorded ``corrected``
        ids and the entities' ``correction`` values), in file order."""
        seen = {i for v in applied for i in correction_ids(v)}
        return [c for c in self.rows if c.id not in seen]


def _relabel(row: dict[str, Any], type_: str) -> None:
    """Give a mention another type: a new id suffix and the NIL (or person) id of its surface;
    a mention that is no person any more loses the role and offices a person had."""
    from pipeline.resolve.resolver import nil_id, person_id

    if row["type"] == type_:
        return
    row["mention_id"] = f"{mention_key(row['mention_id'])}:{type_}"
    row["type"] = type_
    row["entity_id"] = person_id(row["surface"]) if type_ == "PERSON" else nil_id(type_, row["surface"])
    row["canonical"] = row["surface"]
    row["link_method"] = "person" if type_ == "PERSON" else "nil"
    row["link_confidence"] = 0.0
    if type_ != "PERSON":
        row["role"], row["is_official"], row["offices"] = None, False, []
    row["in_title"] = False


def applied_ids(values: Iterable[str | None]) -> str | None:
    """The union of some rows' ``correction`` values, as one value."""
    return correction_value(i for v in values for i in correction_ids(v))


def update(out_dir: str | Path,
           change: Callable[[Corrections], tuple[Corrections, Correction | None]]) -> Correction | None:
    """Read the directory's corrections, ``change`` them and write them back, under the outputs
    lock: two ``pinghu-ner correct`` at once both land (a read-modify-write without it loses one).
    Returns the correction ``change`` added or removed."""
    from pipeline.store.manifest import locked

    out = Path(out_dir)
    with locked(out):
        fixes, which = change(Corrections.of(out))
        fixes.write(out / CORRECTIONS_FILE)
    return which


def apply_to_source(fixes: Corrections, tables: dict[str, pa.Table],
                    paper: str | None = None) -> tuple[dict[str, pa.Table], set[str]]:
    """One source's tables (articles, mentions, people) with ``fixes`` applied, and the ids that
    applied: the mentions corrected, the people rebuilt from them when anything changed."""
    from pipeline.store.schema import people_from_mentions

    if not fixes or "mentions" not in tables:
        return tables, set()
    mentions, applied = fixes.apply(tables["mentions"])
    if mentions is tables["mentions"]:
        return tables, applied
    people = people_from_mentions(mentions, tables["articles"], paper)
    return {**tables, "mentions": mentions, "people": people}, applied


def type_counts(mentions: pa.Table) -> dict[str, int]:
    """``mentions_<TYPE>`` counts of a source's mentions, as its manifest record keeps them."""
    types = mentions.group_by("type").aggregate([([], "count_all")]).to_pylist()
    return {f"mentions_{r['type']}": r["count_all"] for r in types}


def reapply(out_dir: str | Path) -> list[str]:
    """Apply the directory's corrections to every committed source not yet corrected with them
    (its record's ``corrections`` digest differs): a source whose rows change is committed again
    under its identity, the others only get the digest.  Returns the identities recommitted; the
    caller rebuilds the derived tables.

    Safe beside another ``correct`` or a run: a source committed by someone else after it was
    read is read again (``Changed``), and as soon as the file holds other corrections than the
    ones read here, this call stops and leaves the sources to the process that wrote them (it
    applies them after writing), so no record ends stamped with corrections the file no longer has."""
    from pipeline.store.commit import Changed
    from pipeline.store.manifest import Manifest

    out = Path(out_dir)
    fixes = Corrections.of(out)
    digest = fixes.digest
    changed: list[str] = []
    settled: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for identity, rec in sorted(Manifest.load(out).files.items()):
        for _ in range(5):
            try:
                outcome = _reapply_one(out, fixes, identity, rec)
            except Changed:
                if Corrections.of(out).digest != digest:
                    return changed  # a newer file: its writer applies it
                rec = Manifest.load(out).files.get(identity) or {}
                continue
            if outcome == "committed":
                changed.append(identity)
            elif outcome is not None:
                settled[identity] = outcome
            break

    def stamp(m: Manifest) -> None:
        if Corrections.of(out).digest != digest:
            return  # the newer file's writer stamps what it applied
        for identity, (parts, corrected) in settled.items():
            rec = m.files.get(identity)
            if rec is not None and (rec.get("parts") or {}) == parts:  # not committed again meanwhile
                rec["corrections"], rec["corrected"] = digest, corrected

    if settled:
        Manifest.update(out, stamp)
    return changed


def _reapply_one(out: Path, fixes: Corrections, identity: str,
                 rec: dict[str, Any]) -> str | tuple[dict[str, Any], list[str]] | None:
    """One source: None when there is nothing to do, "committed" when its rows changed and were
    committed again, else (the parts read, the ids that apply) for the digest stamp.  ``Changed``
    when another process committed the source after ``rec`` was read."""
    import pyarrow.parquet as pq

    from pipeline.store.manifest import source_fields
    from pipeline.store.tables import commit_source

    parts = rec.get("parts") or {}
    if rec.get("status") != "ok" or "mentions" not in parts or rec.get("corrections", "") == fixes.digest:
        return None
    read = {t: pq.read_table(out / str(p["file"])) for t, p in parts.items() if t in ("articles", "mentions", "people")}
    paper, day = str(rec.get("paper", "")), dt.date.fromisoformat(str(rec.get("issue_date", ""))[:10])
    new, applied = apply_to_source(fixes, read, paper)
    # a drop applied before left no row to find again: it still applies to this source
    drops = {c.id for c in fixes.rows if c.action == "drop"}
    corrected = sorted(applied | (set(rec.get("corrected") or ()) & drops))
    if new is read:
        return parts, corrected
    counts = {k: v for k, v in (rec.get("counts") or {}).items() if not k.startswith("mentions_")}
    counts.update(type_counts(new["mentions"]))
    record = source_fields(rec) | {
        "corrections": fixes.digest, "corrected": corrected, "counts": counts}
    commit_source(out, str(rec.get("source_key") or identity), paper, day, new, identity, record, expect_parts=parts)
    return "committed"


def touched_by(out_dir: str | Path, ident: str) -> list[str]:
    """The source files with a mention that carries correction ``ident``: what to re-run (with
    a plain ``pinghu-ner run``) once it is removed, since the rows it changed cannot be changed back."""
    import pyarrow.parquet as pq

    from pipeline.store.manifest import Manifest

    out = Path(out_dir)
    found = []
    for identity, rec in sorted(Manifest.load(out).files.items()):
        part = (rec.get("parts") or {}).get("mentions")
        if not part or not (out / str(part["file"])).is_file():
            continue
        col = pq.read_table(out / str(part["file"]), columns=["correction"]).column("correction").to_pylist()
        if any(ident in correction_ids(v) for v in col):
            found.append(str(rec.get("path") or identity))
    return found

"""``pinghu-ner check OUT``: is an outputs directory what the manifest says it is?

Checks, one line per problem:

* the manifest is readable and of the right shape, and no commit was left half-done;
* every part file the manifest lists exists, is readable Parquet, and has the recorded row count
  and sha256; no part file is in the tables that the manifest does not list (an orphan);
* every part file has its table's columns with their types;
* ``article_id`` and ``mention_id`` are unique across the directory, every mention's and every
  people row's article is present, ``entities`` has one row per ``entity_id``;
* no other file lies in the tree (a CSV export written into it, a copy): :func:`stray_files`;
* ``corrections.csv`` is readable, every committed source was corrected with it, every correction
  in it still changes some row, and no row carries a correction the file no longer has.

Read-only: unlike a run, it never repairs (a run completes interrupted commits).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import OutputsError
from pipeline.ingest import printable
from pipeline.store.commit import JOURNAL_DIR
from pipeline.store.corrections import CORRECTIONS_FILE, CorrectionError, Corrections
from pipeline.store.derived import GENERATION_KEY
from pipeline.store.manifest import LOCK_FILE, MANIFEST_FILE
from pipeline.store.parts import verify_parts
from pipeline.store.schema import PARTITIONED_TABLES, correction_ids, file_schema
from pipeline.store.snapshot import manifest_data, old_layout
from pipeline.store.tables import SINGLE_FILES

KEY_COLUMNS = {"articles": ["article_id"], "mentions": ["mention_id", "article_id", "entity_id", "correction"],
               "people": ["article_id"]}


def check_outputs(out_dir: Path) -> list[str]:
    """Every problem found in ``out_dir``, one line each; empty when the directory is sound."""
    out = Path(out_dir)
    if not out.is_dir():
        return [f"{printable(out)}: not a directory"]
    problems: list[str] = []
    data = _manifest_data(out, problems)
    why = old_layout(out, data)
    if why:
        return [*problems, f"{printable(out)}: outputs of an older pinghu-ner ({why}); "
                           f"run `pinghu-ner migrate {printable(out)}`"]
    records = {k: r for k, r in data.get("files", {}).items() if r.get("parts")}
    jdir = out / JOURNAL_DIR
    for j in sorted(jdir.glob("*.json")) if jdir.is_dir() else []:
        problems.append(f"{printable(j)}: interrupted commit (the next run completes it)")
    listed: set[str] = set()
    for rec in records.values():
        problems.extend(verify_parts(out, rec))
        listed.update(str(p.get("file", "")) for p in (rec.get("parts") or {}).values())
    keys = {t: _check_table(out, t, listed, problems) for t in PARTITIONED_TABLES}
    _check_keys(keys, problems)
    _check_derived(out, int(data.get("generation", 0) or 0), bool(listed), keys["mentions"]["entity_id"], problems)
    problems.extend(_check_corrections(out, records, keys["mentions"]["correction"]))
    problems.extend(f"{printable(f)}: stray file (not one pinghu-ner wrote; no reader reads it): move it out of "
                    f"{printable(out)}" for f in stray_files(out))
    return problems


def stray_files(out: Path) -> list[Path]:
    """Files in the outputs tree that are none of its own: not the manifest or its lock, not a
    part file of a table (a part the manifest does not list is an orphan, reported as such), not
    a derived table.  Hidden names are the commit's staging and journal, checked above.

    Why: a CSV export or a copied file inside the Parquet tree is read by any ``**/*`` glob and
    looks like data; ``export`` refuses to write there, and ``check`` says when something did."""
    own = {str(rel) for rel in SINGLE_FILES.values()} | {MANIFEST_FILE, LOCK_FILE, CORRECTIONS_FILE}
    out_files = []
    for root, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            rel = (Path(root) / name).relative_to(out)
            if name.startswith(".") or str(rel) in own or _is_part(rel):
                continue
            out_files.append(out / rel)
    return out_files


def _is_part(rel: Path) -> bool:
    """``<table>/paper=<paper>/<date>/part-….parquet`` of a partitioned table."""
    parts = rel.parts
    return (len(parts) == 4 and parts[0] in PARTITIONED_TABLES and parts[1].startswith("paper=")
            and parts[3].startswith("part-") and parts[3].endswith(".parquet"))


def _manifest_data(out: Path, problems: list[str]) -> dict[str, Any]:
    """The manifest as the readers read it (``snapshot.manifest_data``); what stops them is a problem."""
    try:
        return manifest_data(out)
    except OutputsError as exc:
        problems.append(str(exc))
        return {}


def _check_table(out: Path, table: str, listed: set[str], problems: list[str]) -> dict[str, pa.Array]:
    """Schema and orphan checks of one table's parts; returns its key columns, concatenated."""
    want = file_schema(table)
    cols: dict[str, list[pa.Array]] = {c: [] for c in KEY_COLUMNS[table]}
    base = out / table
    for f in sorted(base.glob("paper=*/*/part-*.parquet")) if base.is_dir() else []:
        rel = f.relative_to(out).as_posix()
        if rel not in listed:
            problems.append(f"{printable(f)}: orphan part (no manifest record lists it)")
        try:
            got = pq.read_schema(f)
            data = pq.read_table(f, columns=[c for c in cols if c in got.names])
        except (OSError, pa.ArrowException) as exc:
            if rel not in listed:  # listed files are reported by verify_parts already
                problems.append(f"{printable(f)}: unreadable Parquet ({str(exc).splitlines()[0]})")
            continue
        problems.extend(_schema_problems(f, got, want))
        for c in cols:
            if c in data.column_names:
                cols[c].append(data.column(c).combine_chunks())
    return {c: pa.concat_arrays(v) if v else pa.array([], pa.string()) for c, v in cols.items()}


def _schema_problems(f: Path, got: pa.Schema, want: pa.Schema) -> list[str]:
    out = []
    for field in want:
        if field.name not in got.names:
            out.append(f"{printable(f)}: column {field.name} missing")
        elif not got.field(field.name).type.equals(field.type):
            out.append(f"{printable(f)}: column {field.name} is {got.field(field.name).type}, expected {field.type}")
    extra = [n for n in got.names if n not in want.names]
    if extra:
        out.append(f"{printable(f)}: unexpected columns {', '.join(extra)}")
    return out


def _duplicates(values: pa.Array) -> list[str]:
    return [v for v, n in Counter(values.to_pylist()).items() if n > 1]


def _check_keys(keys: dict[str, dict[str, pa.Array]], problems: list[str]) -> None:
    for table, column in (("articles", "article_id"), ("mentions", "mention_id")):
        dup = _duplicates(keys[table][column])
        if dup:
            problems.append(f"{table}: {len(dup)} duplicate {column} value(s), e.g. {dup[0]}")
    articles = set(keys["articles"]["article_id"].to_pylist())
    for table in ("mentions", "people"):
        missing = set(keys[table]["article_id"].to_pylist()) - articles
        if missing:
            problems.append(f"{table}: {len(missing)} article_id value(s) with no article, e.g. {sorted(missing)[0]}")


def _check_derived(out: Path, generation: int, any_parts: bool, entity_ids: pa.Array, problems: list[str]) -> None:
    """The derived tables: present, readable, built from the manifest's current generation, and
    (entities) one row per id, counting exactly the linked mentions."""
    shown = printable(out)
    for name, rel in SINGLE_FILES.items():
        path = out / rel
        if not path.is_file():
            if any_parts:
                problems.append(f"{printable(path)}: missing (`pinghu-ner rebuild {shown}` writes it)")
            continue
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"{printable(path)}: unreadable ({str(exc).splitlines()[0]}); "
                            f"`pinghu-ner rebuild {shown}` rewrites it")
            continue
        if name == "entities":
            dup = _duplicates(table.column("entity_id").combine_chunks())
            if dup:
                problems.append(f"{printable(path)}: {len(dup)} duplicate entity_id value(s), e.g. {dup[0]}")
        raw = (table.schema.metadata or {}).get(GENERATION_KEY, b"")
        if raw != str(generation).encode():
            built = f"built from generation {raw.decode()}" if raw else "not stamped with the commits it describes"
            problems.append(f"{printable(path)}: stale ({built}, the manifest is at {generation}); "
                            f"`pinghu-ner rebuild {shown}` rewrites it")
        elif name == "entities":
            problems.extend(_entities_against_mentions(path, table, entity_ids))


def _entities_against_mentions(path: Path, entities: pa.Table, entity_ids: pa.Array) -> list[str]:
    linked = [e for e in entity_ids.to_pylist() if e]
    counted = {e: n for e, n in zip(entities.column("entity_id").to_pylist(), entities.column("mention_count").to_pylist())
               if n}  # an organisation only an office implies (市政府 of 市长) has no mention to count
    if set(counted) != set(linked) or sum(counted.values()) != len(linked):
        return [f"{printable(path)}: {len(counted)} entities counting {sum(counted.values())} mentions, the "
                f"mentions hold {len(set(linked))} linked entities in {len(linked)} mentions; `pinghu-ner rebuild`"]
    return []


def _check_corrections(out: Path, records: dict[str, dict[str, Any]], applied: pa.Array) -> list[str]:
    """The analyst's corrections against the rows: each still applies, each source has them."""
    shown = printable(out)
    try:
        fixes = Corrections.of(out)
    except CorrectionError as exc:
        return [str(exc)]
    problems = []
    behind = [i for i, r in records.items() if str(r.get("corrections", "")) != fixes.digest]
    if behind:
        problems.append(f"{shown}: {len(behind)} source(s) not yet corrected with {CORRECTIONS_FILE}, e.g. "
                        f"{printable(sorted(behind)[0])}; `pinghu-ner rebuild {shown}` applies it")
    carried = applied.to_pylist()
    took = [";".join(r.get("corrected") or ()) for r in records.values()]
    entities = out / SINGLE_FILES["entities"]
    if entities.is_file():
        try:
            took += pq.read_table(entities, columns=["correction"]).column("correction").to_pylist()
        except (OSError, pa.ArrowException, KeyError):
            pass  # reported by the derived-table checks
    for c in fixes.stale(took) if not behind else ():
        problems.append(f"{printable(out / CORRECTIONS_FILE)}: {c.describe()} no longer applies to any row "
                        f"(what it fixed is gone or recognised differently); `pinghu-ner correct remove {c.id}`")
    known = {c.id for c in fixes.rows}
    gone = sorted({i for v in carried for i in correction_ids(v)} - known)
    if gone:
        problems.append(f"{shown}: rows carry correction(s) {', '.join(gone)} that {CORRECTIONS_FILE} no longer has; "
                        "run their sources again (`pinghu-ner correct remove` named them)")
    return problems

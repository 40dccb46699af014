"""What every reader reads: exactly the part files the manifest lists, never the directory.

Why: a directory listing is not the truth.  A part deleted by hand made ``load()`` silently return
fewer rows; a stray part dropped into a date folder doubled 125 mention ids; a commit stopped
half-way (its journal written, some renames done) showed new mentions beside old people.  The
manifest is the record of what was committed, and a commit's journal says what it is becoming:
so a ``Snapshot`` is the manifest's parts, with each half-done commit read as its new version
(rolled forward on read, without writing: a reader may have no write access).

A listed part that is missing, or an archive of an older layout, is one line (``OutputsError``)
naming the file and the fix; unlisted files are ignored (``pinghu-ner check`` lists them).
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import OutputsError
from pipeline.ingest import printable
from pipeline.store.commit import JOURNAL_DIR
from pipeline.store.manifest import MANIFEST_FILE, ManifestError, check_shape
from pipeline.store.schema import PARTITIONED_TABLES, SCHEMA_VERSION


@dataclass(frozen=True)
class Part:
    """One listed part file: the table it belongs to, where it is, what the manifest recorded."""

    table: str
    path: Path
    rows: int | None
    source: str  # the identity of the source whose part it is
    size: int | None = None  # bytes as committed (None: recorded before sizes were)


@dataclass
class Snapshot:
    """The committed parts of one outputs directory, by table, and the manifest's generation."""

    out_dir: Path
    generation: int = 0
    parts: dict[str, list[Part]] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # sources read as their half-done commit
    settings: dict[str, Any] = field(default_factory=dict)  # the last run's settings, if any

    @classmethod
    def read(cls, out_dir: str | Path) -> Snapshot:
        """The snapshot of ``out_dir`` (empty when nothing was written yet); ``OutputsError`` for a
        manifest that cannot be read or an archive that needs ``pinghu-ner migrate``."""
        out = Path(out_dir)
        data = manifest_data(out)
        check_layout(out, data)
        records = {k: r for k, r in data.get("files", {}).items() if isinstance(r, dict) and r.get("parts")}
        snap = cls(out, int(data.get("generation", 0) or 0))
        runs = data.get("runs") or []
        snap.settings = dict(runs[-1].get("settings") or {}) if runs and isinstance(runs[-1], dict) else {}
        moved: dict[str, Path] = {}
        for identity, record, renames, dropped in _journals(out):
            for old in dropped:
                records.pop(old, None)
            records[identity] = record
            snap.pending.append(identity)
            moved.update(renames)
        for table in PARTITIONED_TABLES:
            snap.parts[table] = sorted(
                (Part(table, moved.get(str(p.get("file", "")), out / str(p.get("file", ""))),
                      p.get("rows"), identity, p.get("bytes"))
                 for identity, r in records.items() if isinstance(p := (r.get("parts") or {}).get(table), dict)),
                key=lambda part: part.path.as_posix(),
            )
        return snap

    def files(self, table: str) -> list[str]:
        """The part files of ``table`` a reader reads, as strings (pyarrow, DuckDB)."""
        return [str(p.path) for p in self.parts.get(table, [])]

    def verify(self, table: str) -> None:
        """``OutputsError`` naming the first listed part of ``table`` that is missing, or else the
        first whose size is not the committed one (replaced or edited since): one ``stat`` a part,
        the rows are checked as they are read (``tables.read_arrow``)."""
        gone: list[Part] = []
        changed: tuple[Part, int] | None = None
        for p in self.parts.get(table, []):
            try:
                st = p.path.stat()
            except FileNotFoundError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                gone.append(p)
            elif changed is None and p.size is not None and st.st_size != p.size:
                changed = (p, st.st_size)
        if gone:
            more = f" (and {len(gone) - 1} more)" if len(gone) > 1 else ""
            raise OutputsError(f"{printable(gone[0].path)}: missing{more}, though the manifest lists it for "
                               f"{printable(gone[0].source)}; run that source again, or `pinghu-ner check`")
        if changed:
            p, size = changed
            raise OutputsError(f"{printable(p.path)}: {size} bytes, the manifest recorded {p.size} (changed since "
                               f"{printable(p.source)} was committed); run that source again, or `pinghu-ner check`")


def manifest_data(out: Path) -> dict[str, Any]:
    """The manifest as read, never changed (a reader does not set a corrupt one aside): ``{}`` when
    nothing was written, ``OutputsError`` when it is missing beside part files or unreadable."""
    path = out / MANIFEST_FILE
    if not path.is_file():
        if any(next((out / t).glob("paper=*/*/part-*.parquet"), None) for t in PARTITIONED_TABLES):
            raise OutputsError(f"{printable(path)}: missing, so the part files beside it cannot be trusted; "
                               "re-run the sources into this directory (`pinghu-ner run … --out`)")
        return {}
    try:
        return check_shape(path, json.loads(path.read_text(encoding="utf-8")))
    except ManifestError as exc:
        raise OutputsError(str(exc)) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise OutputsError(f"{printable(path)}: unreadable manifest ({exc}); a run sets it aside "
                           "and starts afresh") from None


def check_layout(out: Path, data: dict[str, Any]) -> None:
    """``OutputsError`` for outputs an older pinghu-ner wrote, which must be migrated first:
    schema 1 (``issue_date=…`` folders, no dates inside the files), or a manifest whose records
    do not list their parts (before one commit per source)."""
    why = old_layout(out, data)
    if why:
        raise OutputsError(f"{printable(out)}: outputs of an older pinghu-ner ({why}); "
                           f"run `pinghu-ner migrate {printable(out)}` first")


def old_layout(out: Path, data: dict[str, Any]) -> str:
    """Why ``out`` is an older layout ("" when it is the current one)."""
    version = str(data.get("schema_version", SCHEMA_VERSION))
    if any(next((out / t).glob("paper=*/issue_date=*"), None) for t in PARTITIONED_TABLES):
        return f"schema {version}: issue_date= folders"
    if version != SCHEMA_VERSION:
        return f"schema {version}"
    if any(isinstance(r, dict) and r.get("status", "ok") == "ok" and "parts" not in r
           for r in data.get("files", {}).values()):
        return "a manifest that does not list each source's parts"
    return ""


def _journals(out: Path) -> list[tuple[str, dict[str, Any], dict[str, Path], list[str]]]:
    """Each complete journal of a half-done commit: its source, its new record, for every part
    not renamed yet where the staged file still is, and the records it supersedes.  A journal that does not parse was never
    written whole (it is written atomically), so its commit never happened: skipped."""
    jdir = out / JOURNAL_DIR
    found = []
    for jpath in sorted(jdir.glob("*.json")) if jdir.is_dir() else []:
        try:
            journal = json.loads(jpath.read_text(encoding="utf-8"))
            identity, record = journal["identity"], journal["record"]
            renames = {final: out / tmp for tmp, final in journal["renames"] if (out / tmp).is_file()}
            dropped = [str(i) for i in journal.get("drop") or []]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append((identity, record, renames, dropped))
    return found


__all__ = ["Part", "Snapshot", "check_layout", "manifest_data", "old_layout"]

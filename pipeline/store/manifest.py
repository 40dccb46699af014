"""``<out>/manifest.json``: what was committed for each source, with which inputs, and how runs went.

One record per source, keyed by the source's identity (``pipeline.ingest.identity``).  A record names
the part files of the source's committed version with their row counts and sha256, and the
attributes ``--resume`` compares: content hash, paper, issue date, backend, model and gazetteer
hashes, pipeline version.

Concurrency: every change is a read-modify-write under an exclusive ``flock`` on ``<out>/manifest.lock``
(``Manifest.update``), so two runs writing one ``--out`` at once merge their records instead of
the last writer dropping the other's.  The file itself is replaced atomically, so a crash leaves
the previous manifest, never a truncated one.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.ingest import printable, source_identity
from pipeline.store.atomic import atomic_write_bytes
from pipeline.store.parts import verify_parts
from pipeline.store.schema import SCHEMA_VERSION
from pipeline.versions import __version__

MANIFEST_FILE = "manifest.json"
LOCK_FILE = "manifest.lock"
MAX_RUNS = 50
# Header flag: every part file in the tables is listed by a record (``Manifest.parts_listed``).
PARTS_LISTED = "parts_listed"

# Attributes of a record that must all match for --resume to skip a source.
RESUME_KEYS = ("sha256", "paper", "issue_date", "backend", "model_hash", "gazetteer_hash", "pipeline_version")


class ManifestError(Exception):
    """A manifest that is not ours to overwrite: its message is one line naming the file."""


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the outputs directory's exclusive lock (blocking) for the duration of the block."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _key(path: str | os.PathLike[str]) -> str:
    """A record key: an identity string as given, a ``Path`` turned into its identity."""
    return path if isinstance(path, str) and not Path(path).is_absolute() else source_identity(path)


def check_shape(path: Path, data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if not isinstance(data.get("files", {}), dict) or not isinstance(data.get("runs", []), list):
        raise ManifestError(f"{printable(path)}: not a pinghu-ner manifest ('files' must be an object, "
                            "'runs' a list); move it away or pass another --out")
    bad = [k for k, v in data.get("files", {}).items() if not isinstance(v, dict)]
    if bad:
        raise ManifestError(f"{printable(path)}: record {bad[0]!r} is not an object; move the file away "
                            "or pass another --out")
    return data


# Record fields that describe a commit's result, not the source: a source committed again
# (``migrate``, corrections re-applied) keeps the others and the new commit writes these.
RESULT_KEYS = ("parts", "status", "error", "counts", "finished")


def source_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """``rec`` less its ``RESULT_KEYS``: what a new commit of the same source carries over."""
    return {k: v for k, v in rec.items() if k not in RESULT_KEYS}


def new_record(**info: Any) -> dict[str, Any]:
    """One source's record: the defaults, overridden by ``info``."""
    rec: dict[str, Any] = {
        "sha256": "",
        "source_key": "",
        "paper": "",
        "issue_date": "",
        "status": "ok",
        "error": "",
        "pipeline_version": __version__,
        "counts": {},
        "parts": {},
        "seconds": 0.0,
        "finished": _now(),
    }
    rec.update(info)
    return rec


def _enc(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _record_line(identity: str, rec: object) -> str:
    """One source's line in the manifest's ``files`` (``Manifest._text``, ``ManifestLines``)."""
    return f" {_enc(identity)}: {_enc(rec)}"


def _assemble(head: str, lines: list[str]) -> str:
    """The manifest's text: its header up to ``"files": {``, one record per line, the close."""
    return head + ("\n" + ",\n".join(lines) + "\n" if lines else "") + "}\n}\n"


@dataclass
class Manifest:
    """The manifest of one outputs directory (see the module docstring)."""

    out_dir: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: str | os.PathLike[str]) -> Manifest:
        """Read the manifest; unparsable JSON is set aside with a warning, a foreign shape raises."""
        out = Path(out_dir)
        path = out / MANIFEST_FILE
        data: dict[str, Any] = {}
        if path.is_file():
            try:
                data = check_shape(path, json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, UnicodeDecodeError) as exc:
                backup = path.with_name(f"{MANIFEST_FILE}.corrupt-{dt.datetime.now():%Y%m%d%H%M%S}")
                os.replace(path, backup)
                warnings.warn(f"{printable(path)}: unreadable manifest ({exc}); moved to {backup.name}, "
                              "starting afresh", stacklevel=2)
                data = {}
            except OSError as exc:
                raise ManifestError(f"{printable(path)}: cannot read: {exc.strerror or exc}") from None
        elif path.exists():
            raise ManifestError(f"{printable(path)}: not a regular file")
        data.setdefault("schema_version", SCHEMA_VERSION)
        data.setdefault("pipeline_version", __version__)
        data.setdefault("runs", [])
        data.setdefault("files", {})
        data.setdefault("generation", 0)
        return cls(out, data)

    @classmethod
    def update(cls, out_dir: Path, change: Callable[[Manifest], object]) -> Manifest:
        """Load, ``change(manifest)`` and save, all under the directory lock."""
        with locked(Path(out_dir)):
            m = cls.load(out_dir)
            change(m)
            m.save()
        return m

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.data["files"]

    @property
    def runs(self) -> list[dict[str, Any]]:
        return self.data["runs"]

    @property
    def generation(self) -> int:
        """How many times the set of committed parts changed: the derived tables record the
        generation they were built from, so a reader can tell a stale one (a run killed between
        its commits and its rebuild) from a current one."""
        return int(self.data.get("generation", 0))

    @property
    def parts_listed(self) -> bool:
        """Whether every part file in the tables is listed by one of this manifest's records, as
        ``Store.prepare`` last found (``pipeline.store.commit.vouch``) and every commit since kept.

        Why: a commit must remove its source's parts wherever they are, and without this promise
        it asks every partition (365 dates a year) for them, in case a lost manifest left some
        unlisted: a few percent of a year's run, under the outputs lock.  A manifest made afresh
        (none, or one set aside as corrupt) makes no promise until a run's start has looked."""
        return self.data.get(PARTS_LISTED) is True

    def bump(self) -> None:
        """Count one change of the committed parts (a commit, a removal, a migration)."""
        self.data["generation"] = self.generation + 1

    def record_file(self, source: str | os.PathLike[str], **info: Any) -> None:
        """Record the outcome for one source (keyed by its identity), replacing older ones."""
        rec = new_record(**info)
        self.files[_key(source)] = rec
        if rec.get("pipeline_version"):
            self.data["pipeline_version"] = rec["pipeline_version"]

    def record_failure(self, source: str | os.PathLike[str], error: str, **info: Any) -> None:
        """Mark a source failed.  A committed earlier version stays, with its parts listed."""
        key = _key(source)
        old = self.files.get(key)
        if old and old.get("parts"):
            self.files[key] = {**old, "status": "error", "error": error, "finished": _now()}
        else:
            self.record_file(key, status="error", error=error, **info)

    def record_run(self, info: dict[str, Any]) -> None:
        """Append a run record, keeping the last ``MAX_RUNS``."""
        self.runs.append({"finished": _now(), **info})
        del self.runs[:-MAX_RUNS]

    def save(self) -> Path:
        """Write the manifest atomically; returns its path."""
        self.data["schema_version"] = SCHEMA_VERSION
        # Sorted by identity: the same file whatever the number of workers or the commit order.
        self.data["files"] = dict(sorted(self.files.items()))
        path = self.out_dir / MANIFEST_FILE
        atomic_write_bytes(path, lambda fh: fh.write(self._text().encode("utf-8")))
        return path

    def _text(self) -> str:
        """The manifest as JSON, one source's record per line.

        Why not ``json.dumps(indent=...)``: indenting runs Python's pure-Python encoder, and the
        manifest is rewritten at every commit: a year of pages (2,920 records, ~4 MB) made that a
        large share of the run, and quadratic over it.  Each record is encoded by the C encoder;
        one per line keeps the file readable and diffable."""
        head = "{\n" + "".join(f"{_enc(k)}: {_enc(v)},\n" for k, v in self.data.items() if k != "files") + '"files": {'
        return _assemble(head, [_record_line(k, v) for k, v in self.files.items()])

    def record(self, identity: str) -> dict[str, Any] | None:
        """The record of one source (by identity), or None."""
        return self.files.get(identity)

    def with_content(self, sha256: str) -> list[tuple[str, dict[str, Any]]]:
        """(identity, record) of every source whose content hash is ``sha256``."""
        return [(k, r) for k, r in self.files.items() if r.get("sha256") == sha256]

    def is_current(self, path: str | os.PathLike[str], expected: dict[str, Any]) -> bool:
        """Whether the source's committed version was made from ``expected`` inputs and verifies."""
        rec = self.files.get(_key(path))
        if not rec or rec.get("status") != "ok" or not rec.get("parts"):
            return False
        if any(str(rec.get(k, "")) != str(expected.get(k, "")) for k in RESUME_KEYS):
            return False
        return not verify_parts(self.out_dir, rec)


_GENERATION = re.compile(r'^"generation": (\d+),\n', re.M)
_FILES_OPEN = '\n"files": {'
_TAIL = "\n}\n}\n"


class ManifestLines:
    """The manifest as ``Manifest.save`` lays it out (one record per line, sorted by identity),
    read and rewritten by the line: a commit reads one record and replaces one line.

    Why: a commit needs one source's old record and writes one new one, but parsing and
    encoding the whole manifest took ~40 ms each way at a year's 2,920 records, at every commit,
    under the outputs lock.  The file written is exactly what ``Manifest.save`` would write for the
    same records.  ``read`` gives None for a file in any other form (absent, unreadable, an older
    pinghu-ner's indented file, edited by hand), and ``put`` False when the header would change
    (another pipeline or schema version): the caller then loads and saves the whole ``Manifest``,
    which also reports what is wrong with a file."""

    def __init__(self, path: Path, head: str, keys: list[str], lines: list[str]) -> None:
        self.path, self.head, self.keys, self.lines = path, head, keys, lines

    @classmethod
    def read(cls, out_dir: str | os.PathLike[str]) -> ManifestLines | None:
        path = Path(out_dir) / MANIFEST_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        at = text.find(_FILES_OPEN)
        if not text.startswith("{\n") or at < 0:
            return None
        head, rest = text[: at + len(_FILES_OPEN)], text[at + len(_FILES_OPEN) :]
        if rest == "}\n}\n":
            raw: list[str] = []
        elif rest.startswith("\n") and rest.endswith(_TAIL):
            raw = rest[1 : -len(_TAIL)].split("\n")
            if any(not line.endswith(",") for line in raw[:-1]) or raw[-1].endswith(","):
                return None
            raw = [line[:-1] for line in raw[:-1]] + raw[-1:]
        else:
            return None
        decoder = json.JSONDecoder()
        keys = []
        for line in raw:
            try:
                key, end = decoder.raw_decode(line, 1)
            except ValueError:
                return None
            if line[:1] != " " or not isinstance(key, str) or line[end : end + 2] != ": ":
                return None
            keys.append(key)
        if keys != sorted(set(keys)):
            return None
        return cls(path, head, keys, raw)

    @property
    def parts_listed(self) -> bool:
        """``Manifest.parts_listed``, from the header's line."""
        return f'\n"{PARTS_LISTED}": true,\n' in self.head

    def record(self, identity: str) -> dict[str, Any] | None:
        """The source's record, or None."""
        k = bisect.bisect_left(self.keys, identity)
        if k == len(self.keys) or self.keys[k] != identity:
            return None
        line = self.lines[k]
        _, end = json.JSONDecoder().raw_decode(line, 1)  # past the identity and its ": "
        rec = json.loads(line[end + 2 :])
        return rec if isinstance(rec, dict) else None

    def with_content(self, sha256: str) -> list[tuple[str, dict[str, Any]]]:
        """(identity, record) of every source whose content hash is ``sha256``: only the lines
        holding that hash are parsed (a substring test over the raw lines)."""
        needle = f'"sha256": {_enc(sha256)}'
        found = []
        for key, line in zip(self.keys, self.lines):
            if needle in line:
                rec = self.record(key)
                if rec is not None and rec.get("sha256") == sha256:
                    found.append((key, rec))
        return found

    def put(self, identity: str, rec: dict[str, Any]) -> bool:
        """Set the source's record (``new_record``) and count a new generation; False if the header
        would change otherwise (another schema or pipeline version, no generation yet)."""
        version = rec.get("pipeline_version")
        if (f'"schema_version": {_enc(SCHEMA_VERSION)},\n' not in self.head
                or (version and f'"pipeline_version": {_enc(version)},\n' not in self.head)):
            return False
        bumped = _GENERATION.sub(lambda m: f'"generation": {int(m.group(1)) + 1},\n', self.head, count=1)
        if bumped == self.head:
            return False  # a manifest from before generations: the whole-file path adds one
        self.head = bumped
        line = _record_line(identity, rec)
        k = bisect.bisect_left(self.keys, identity)
        if k < len(self.keys) and self.keys[k] == identity:
            self.lines[k] = line
        else:
            self.keys.insert(k, identity)
            self.lines.insert(k, line)
        return True

    def save(self) -> Path:
        text = _assemble(self.head, self.lines)
        atomic_write_bytes(self.path, lambda fh: fh.write(text.encode("utf-8")))
        return self.path


__all__ = ["LOCK_FILE", "MANIFEST_FILE", "PARTS_LISTED", "RESULT_KEYS", "Manifest", "ManifestError", "ManifestLines", "RESUME_KEYS",
           "locked", "new_record", "source_fields"]

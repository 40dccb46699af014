"""``<out>/manifest.json``: what was committed for each source, with which inputs, and how runs went.

One record per source, keyed by the source's identity (``pipeline.identity``).  A record names
the part files of the source's committed version with their row counts and sha256, and the
attributes ``--resume`` compares: content hash, paper, issue date, backend, model and gazetteer
hashes, pipeline version.

Concurrency: every change is a read-modify-write under an exclusive ``flock`` on ``<out>/manifest.lock``
(``Manifest.update``), so two runs writing one ``--out`` at once merge their records instead of
the last writer dropping the other's.  The file itself is replaced atomically, so a crash leaves
the previous manifest, never a truncated one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import atomic_write_bytes
from .identity import printable, source_identity
from .schema import SCHEMA_VERSION

MANIFEST_FILE = "manifest.json"
LOCK_FILE = "manifest.lock"
MAX_RUNS = 50

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


def _check_shape(path: Path, data: object) -> dict[str, Any]:
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
                data = _check_shape(path, json.loads(path.read_text(encoding="utf-8")))
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

    def record_file(self, source: str | os.PathLike[str], **info: Any) -> None:
        """Record the outcome for one source (keyed by its identity), replacing older ones."""
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
        def enc(value: object) -> str:
            return json.dumps(value, ensure_ascii=False, default=str)

        head = [f"{enc(k)}: {enc(v)}" for k, v in self.data.items() if k != "files"]
        records = [f" {enc(k)}: {enc(v)}" for k, v in self.files.items()]
        return "{\n" + "".join(f"{h},\n" for h in head) + '"files": {' + ("\n" + ",\n".join(records) + "\n" if records else "") + "}\n}\n"

    def is_current(self, path: str | os.PathLike[str], expected: dict[str, Any]) -> bool:
        """Whether the source's committed version was made from ``expected`` inputs and verifies."""
        from .commit import verify_parts

        rec = self.files.get(_key(path))
        if not rec or rec.get("status") != "ok" or not rec.get("parts"):
            return False
        if any(str(rec.get(k, "")) != str(expected.get(k, "")) for k in RESUME_KEYS):
            return False
        return not verify_parts(self.out_dir, rec)


__all__ = ["LOCK_FILE", "MANIFEST_FILE", "Manifest", "ManifestError", "RESUME_KEYS", "locked"]

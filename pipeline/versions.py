"""What ``pinghu-ner --version`` prints: the versions that decide what a run writes.

A table row depends on the package (code), the model (weights and combiner calibration) and the
gazetteer (which places and agencies exist, and their ids), so a bug report or a re-run needs
all three.  The model version is the content hash the manifest records (``runner.model_version``,
what ``--resume`` compares); the gazetteer has no version number of its own, so it gets a content
hash of its files in the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import __version__
from .schema import SCHEMA_VERSION
from .settings import DEFAULT_GAZETTEER, DEFAULT_MODEL


def gazetteer_version(gazetteer_dir: Path) -> str:
    """A short content hash of every file in the gazetteer directory ("missing" when absent)."""
    root = Path(gazetteer_dir)
    if not root.is_dir():
        return "missing"
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:12]


def version_text(model_dir: Path = DEFAULT_MODEL, gazetteer_dir: Path = DEFAULT_GAZETTEER) -> str:
    """Lines of ``name version (where)`` for the package, table schema, model and gazetteer."""
    from .runner import model_version

    model = model_version(model_dir) if Path(model_dir).is_dir() else "missing"
    return "\n".join([
        f"pinghu-ner {__version__}",
        f"tables schema {SCHEMA_VERSION}",
        f"model {Path(model_dir).name} {model} ({model_dir})",
        f"gazetteer {Path(gazetteer_dir).name} {gazetteer_version(gazetteer_dir)} ({gazetteer_dir})",
    ])


__all__ = ["gazetteer_version", "version_text"]

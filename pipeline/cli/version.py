"""What ``pinghu-ner --version`` prints: the versions that decide what a run writes.

A table row depends on the package (code), the model (weights and combiner calibration) and the
gazetteer (which places and agencies exist, and their ids), so a bug report or a re-run needs
all three.  Model and gazetteer have no version numbers of their own: each gets the content hash
of every file under its directory, the same hash the manifest records and ``--resume`` compares
(``pipeline.ingest.identity.tree_hash``).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL
from pipeline.store import SCHEMA_VERSION
from pipeline.versions import __version__


def content_version(directory: Path) -> str:
    """The content hash of a model or gazetteer directory ("missing" when absent)."""
    from pipeline.ingest import resolved, tree_hash

    return tree_hash(str(resolved(directory))) or "missing"


def version_text(model_dir: Path = DEFAULT_MODEL, gazetteer_dir: Path = DEFAULT_GAZETTEER) -> str:
    """Lines of ``name version (where)`` for the package, table schema, model and gazetteer."""
    return "\n".join([
        f"pinghu-ner {__version__}",
        f"tables schema {SCHEMA_VERSION}",
        f"model {Path(model_dir).name} {content_version(model_dir)} ({model_dir})",
        f"gazetteer {Path(gazetteer_dir).name} {content_version(gazetteer_dir)} ({gazetteer_dir})",
    ])


__all__ = ["content_version", "version_text"]

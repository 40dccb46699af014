"""The ingest stage: find source files, decode them, split pages, and name each source.

``read_source`` decodes one file (UTF-8, GB18030, Big5 …) into a ``SourceDoc`` with its date and
content hash; ``split_pages`` cuts a whole-issue file into pages; ``discover_sources`` finds the
files under the paths a user gave.  ``identity`` names a source once for every table and every
re-run (its resolved path, or its path below ``--root``), and hashes contents.
"""

from pipeline.ingest.identity import (
    key_hash,
    key_of_identity,
    printable,
    resolved,
    sha256_of,
    source_identity,
    source_key,
    tree_hash,
)
from pipeline.ingest.read import discover_sources, read_source, split_pages

__all__ = [
    "discover_sources",
    "key_hash",
    "key_of_identity",
    "printable",
    "read_source",
    "resolved",
    "sha256_of",
    "source_identity",
    "source_key",
    "split_pages",
    "tree_hash",
]

"""The write stage and its readers: one outputs directory as a ``Store``.

Modules: ``schema`` (the tables' columns), ``atomic`` (file writes no reader sees half-done),
``manifest`` (what was committed, from which inputs), ``commit`` (a source's parts as one
commit), ``parts`` (verifying parts against the manifest), ``tables`` (writing and reading the
partitioned tables), ``derived`` (entities and offices rebuilt from the mentions), ``corrections`` (the analyst's
fixes, applied at every commit), ``check``,
``datadict`` (the data dictionary generated from the schemas) and ``store`` (the object the
runner talks to).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.store.manifest import ManifestError
from pipeline.store.schema import SCHEMA_VERSION, TABLE_NAMES

if TYPE_CHECKING:
    from pipeline.store.reader import Tables, load
    from pipeline.store.store import Store
    from pipeline.store.tables import read_arrow, source_tables

_LAZY = {"Store": "pipeline.store.store", "Tables": "pipeline.store.reader", "load": "pipeline.store.reader",
         "read_arrow": "pipeline.store.tables", "source_tables": "pipeline.store.tables"}


def __getattr__(name: str) -> Any:
    """``Store`` and the readers on first use: they import pandas, which ``pinghu-ner --help``,
    ``--version`` and a usage error never need (0.33 s -> 0.57 s per command when eager)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipeline.store' has no attribute {name!r}")

__all__ = ["SCHEMA_VERSION", "TABLE_NAMES", "ManifestError", "Store", "Tables", "load", "read_arrow", "source_tables"]

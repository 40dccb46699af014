"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load"]


def load(path: str = "outputs"):  # noqa: ANN201 - re-exported; see pipeline.tables.load
    """Load the output tables of a run as pandas DataFrames (see ``pipeline.tables.load``)."""
    from .tables import load as _load

    return _load(path)

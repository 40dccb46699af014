"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet."""

from __future__ import annotations

from pipeline.versions import __version__

__all__ = ["__version__", "load"]


def load(path: str = "outputs"):  # noqa: ANN201 - re-exported; see pipeline.store.load
    """Load the output tables of a run as pandas DataFrames (``pipeline.store.Store(path).load()``).

    ``issue_date`` comes back as datetime64 (``>= "2024-01-01"`` and ``.dt`` work), missing values
    as nulls, and ``people.person_id`` says who a row is about, so most questions need no join and
    no type fix.  Column meanings: ``pinghu-ner tables`` or docs/outputs.md.
    """
    from pipeline.store import load as _load

    return _load(path)

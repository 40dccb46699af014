"""pinghu-ner: people, places and organisations from Chinese county newspapers, as Parquet."""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__", "load"]


def load(path: str = "outputs"):  # noqa: ANN201 - re-exported; see pipeline.tables.load
    """Load the output tables of a run as pandas DataFrames (see ``pipeline.tables.load``).

    ``issue_date`` comes back as datetime64 (``>= "2024-01-01"`` and ``.dt`` work), missing values
    as nulls, and ``people.person_id`` says who a row is about, so most questions need no join and
    no type fix.  Column meanings: ``pinghu-ner tables`` or the README's "Tables" section.
    """
    from .tables import load as _load

    return _load(path)

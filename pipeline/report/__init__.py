"""Summaries of a run's outputs for a reader: who appears, where, with whom, and when.

``report()`` prints rich tables to the terminal and, with ``html=``, writes one self-contained,
interactive HTML file (:mod:`pipeline.report.html`).  The pieces are public so the notebook and
``pinghu-ner export`` show the same numbers:

* :mod:`~pipeline.report.filters`: the one ``Filters`` (dates, pages, locality) every reader applies;
* :mod:`~pipeline.report.data`: the summary tables;
* :mod:`~pipeline.report.plots`: matplotlib charts of those tables;
* :mod:`~pipeline.report.fonts`: the bundled CJK font, registered with matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.data import (
    Filters,
    agencies,
    apply_filters,
    build,
    cooccurrence,
    coverage,
    offices_held,
    officials,
    place_coverage,
    timeline,
    top_officials,
    town_coverage,
)
from pipeline.report.filters import UnknownLocality, outputs_gazetteer
from pipeline.report.fonts import cjk_font, plot_style, use_cjk_font
from pipeline.report.plots import plot_network, plot_timeline, plot_town_coverage, save_png, write_pngs
from pipeline.store import Tables, load
from pipeline.store.reader import DATE_COLUMNS

SECTIONS: tuple[tuple[str, str], ...] = (
    ("officials", "Top officials by appearances (articles; role: their latest office)"),
    ("officials_page1", "Top officials by page-1 appearances"),
    ("offices", "Offices held (who held what, first and last issue seen)"),
    ("places", "Places by coverage (articles)"),
    ("agencies", "Agencies by coverage (articles)"),
    ("cooccurrence", "Officials and agencies in the same article"),
)

SHOWN_COLUMNS = {
    "officials": ["name", "role", "articles", "person_id"],
    "officials_page1": ["name", "role", "articles", "person_id"],
    "offices": ["name", "office", "org_name", "first_seen", "last_seen", "article_count", "person_id"],
    "places": ["name", "division_code", "kind", "articles", "mentions"],
    "agencies": ["name", "kind", "articles", "mentions"],
    "cooccurrence": ["official", "agency", "articles"],
}


def _rich_table(title: str, df: pd.DataFrame) -> Any:
    """A rich table of ``df``.  Dates and numbers never wrap or shrink (``2023-11-16`` cut to
    ``2023-1…`` at 80 columns misled); names and offices wrap instead."""
    import datetime as dt

    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[c])
        dated = c in DATE_COLUMNS or df[c].map(lambda v: isinstance(v, dt.date)).any()
        keep = numeric or dated
        width = max([len(str(c))] + [len(str(v)) for v in df[c]]) if keep else None
        table.add_column(str(c), justify="right" if numeric else "left", no_wrap=keep, min_width=width,
                         overflow="ellipsis" if keep else "fold")  # a name folds onto a second line, never "中共 …"
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    return table


def _print(console: Any, out: Path, t: Tables, data: dict[str, pd.DataFrame], filters: Filters | None,
           total: int) -> None:
    if not total:
        console.print(f"[yellow]{out}: no articles yet; run the pipeline first[/yellow]")
    else:
        console.print(f"{out}: {len(t.articles)} articles, {len(t.mentions)} mentions, {len(t.entities)} entities")
    if filters is not None and filters.active:
        console.print(f"filtered: {filters.describe()} ({len(t.articles)} of {total} articles)")
    console.print(f"organisations and places: {(filters or Filters()).counts_titles()}")
    for key, title in SECTIONS:
        df = data[key]
        if df.empty:
            console.print(f"{title}: nothing yet" if not total else f"{title}: none in these articles")
            continue
        console.print(_rich_table(title, df[SHOWN_COLUMNS[key]].rename(columns={"article_count": "articles"})))


def report(
    out_dir: str | Path,
    html: Path | None = None,
    top: int = 15,
    console: Any = None,
    filters: Filters | None = None,
    png_dir: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Print the summary tables of ``out_dir`` (after ``filters``); with ``html``, also write the
    interactive report there (all articles, the same filters preset, changeable in the page);
    with ``png_dir``, the charts of the filtered data as PNG files there (needs matplotlib).
    A locality nobody knows raises :class:`~pipeline.report.filters.UnknownLocality` before
    anything is printed or written.

    Returns the data behind the tables (keys: officials, officials_page1, places, agencies,
    cooccurrence, towns, timeline) so callers and tests need not parse what was printed.
    """
    from rich.console import Console

    from pipeline.report.html import write_html

    console = console or Console()
    out = Path(out_dir)
    everything = load(out)
    gazetteer = outputs_gazetteer(out) if filters is not None and filters.locality else None
    t = apply_filters(everything, filters, gazetteer)  # an unknown locality stops here, before any output
    data = build(t, top)
    _print(console, out, t, data, filters, len(everything.articles))
    if html is not None:
        write_html(html, everything, f"pinghu-ner report: {out}", filters, gazetteer)
        console.print(f"HTML report written to {html}")
    if png_dir is not None:
        for path in write_pngs(data, png_dir):
            console.print(f"chart written to {path}")
    return data


__all__ = [
    "Filters",
    "agencies",
    "apply_filters",
    "build",
    "cjk_font",
    "cooccurrence",
    "coverage",
    "officials",
    "offices_held",
    "place_coverage",
    "plot_network",
    "plot_style",
    "plot_timeline",
    "plot_town_coverage",
    "report",
    "save_png",
    "timeline",
    "top_officials",
    "town_coverage",
    "UnknownLocality",
    "use_cjk_font",
    "write_pngs",
]

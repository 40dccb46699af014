"""Summaries of a run's outputs for a reader: who appears, where, with whom, and when.

``report()`` prints rich tables to the terminal and, with ``html=``, writes one self-contained,
interactive HTML file (:mod:`pipeline.report.html`).  The pieces are public so the notebook and
``pinghu-ner export`` show the same numbers:

* :mod:`~pipeline.report.data`: filters (dates, pages, locality) and the summary tables;
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
from pipeline.report.fonts import cjk_font, plot_style, use_cjk_font
from pipeline.report.plots import plot_network, plot_timeline, plot_town_coverage, save_png, write_pngs
from pipeline.store import Tables, load

SECTIONS: tuple[tuple[str, str], ...] = (
    ("officials", "Top officials by appearances (articles)"),
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
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in df.columns:
        table.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    return table


def _print(console: Any, out: Path, t: Tables, data: dict[str, pd.DataFrame], filters: Filters | None) -> None:
    if t.articles.empty:
        console.print(f"[yellow]{out}: no articles yet; run the pipeline first[/yellow]")
    else:
        console.print(f"{out}: {len(t.articles)} articles, {len(t.mentions)} mentions, {len(t.entities)} entities")
    if filters is not None and filters.active:
        console.print(f"filtered: {filters.describe()}")
    for key, title in SECTIONS:
        df = data[key]
        if df.empty:
            console.print(f"{title}: nothing yet")
            continue
        console.print(_rich_table(title, df[SHOWN_COLUMNS[key]]))


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

    Returns the data behind the tables (keys: officials, officials_page1, places, agencies,
    cooccurrence, towns, timeline) so callers and tests need not parse what was printed.
    """
    from rich.console import Console

    from pipeline.report.html import write_html

    console = console or Console()
    out = Path(out_dir)
    everything = load(out)
    t = apply_filters(everything, filters)
    data = build(t, top)
    _print(console, out, t, data, filters)
    if html is not None:
        write_html(html, everything, f"pinghu-ner report: {out}", filters)
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
    "use_cjk_font",
    "write_pngs",
]

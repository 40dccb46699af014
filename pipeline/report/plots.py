"""Matplotlib charts of the report's tables, for the notebook and for PNG files.

Plotting goes through the axes it is given (the notebook's pyplot axes, or a private Agg
``Figure``), never pyplot state, so it neither needs a display nor changes the caller's backend.
Wrap calls in :func:`~pipeline.report.fonts.plot_style` (or call ``use_cjk_font()`` once) so
Chinese labels use the bundled CJK font.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.fonts import plot_style


def plot_town_coverage(ax: Any, towns: pd.DataFrame) -> None:
    """Horizontal bars: articles naming each town, the most covered on top."""
    from matplotlib.ticker import MaxNLocator

    d = towns.iloc[::-1]
    ax.barh(d["name"].astype(str), d["articles"], color="#4c72b0")
    ax.set_xlabel("articles")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Coverage by town")


LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "D", "^", "x", "+")


def series_style(k: int) -> dict[str, Any]:
    """Line style of the ``k``-th series: its own dash and hollow marker, the first drawn widest
    and largest, so lines that coincide (two officials at the same meetings) still both show."""
    i = k % len(LINESTYLES)
    return {"linestyle": LINESTYLES[i], "marker": MARKERS[i], "linewidth": 3.0 - 0.4 * i,
            "markersize": 10 - 1.2 * i, "markerfacecolor": "none", "markeredgewidth": 1.5}


def plot_timeline(ax: Any, tl: pd.DataFrame) -> None:
    """One line per official (columns are unique person labels): articles per period, zero
    where they were absent (:func:`pipeline.report.data.timeline` fills the periods)."""
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import MaxNLocator

    for k, name in enumerate(tl.columns):
        ax.plot(tl.index, tl[name], label=str(name), **series_style(k))
    monthly = tl.attrs.get("freq") == "M"
    ax.set_ylabel("articles")
    ax.set_xlabel("month" if monthly else "issue date" if tl.attrs.get("freq") == "issue" else "")
    ax.set_title("Officials' appearances over time")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    if 0 < len(tl.index) <= 12:  # few periods: one tick each, not one per hour between them
        ax.set_xticks(list(tl.index))
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m" if monthly else "%Y-%m-%d"))
    if len(tl.columns):
        ax.legend(loc="upper left", fontsize="small")
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def network_layout(pairs: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    """Node positions on a circle: officials (``("o", person_id)``) on the left half, agencies
    (``("a", agency_id)``) on the right, in order of first appearance (no graph library needed)."""
    people = list(dict.fromkeys(pairs["person_id"].astype(str)))
    orgs = list(dict.fromkeys(pairs["agency_id"].astype(str)))

    def arc(keys: list[str], lo: float, hi: float) -> list[tuple[float, float]]:
        n = len(keys)
        angles = [lo + (hi - lo) * (i + 1) / (n + 1) for i in range(n)]
        return [(math.cos(a), math.sin(a)) for a in angles]

    pos = {("o", k): xy for k, xy in zip(people, arc(people, math.pi * 1.5, math.pi * 0.5))}
    pos.update({("a", k): xy for k, xy in zip(orgs, arc(orgs, -math.pi * 0.5, math.pi * 0.5))})
    return pos


def plot_network(ax: Any, pairs: pd.DataFrame) -> None:
    """Officials and agencies named together: a bipartite graph, edge width by shared articles."""
    pos = network_layout(pairs)
    names = {("o", str(r.person_id)): str(r.official) for r in pairs.itertuples()}
    names.update({("a", str(r.agency_id)): str(r.agency) for r in pairs.itertuples()})
    wmax = max(pairs["articles"].max(), 1) if len(pairs) else 1
    for r in pairs.itertuples():
        (x0, y0), (x1, y1) = pos[("o", str(r.person_id))], pos[("a", str(r.agency_id))]
        ax.plot([x0, x1], [y0, y1], color="#999999", linewidth=0.5 + 4 * r.articles / wmax, zorder=1)
    for (side, key), (x, y) in pos.items():
        ax.scatter([x], [y], s=120, color="#dd8452" if side == "o" else "#55a868", zorder=2)
        ax.annotate(names[(side, key)], (x, y), xytext=(-6 if side == "o" else 6, 0), textcoords="offset points",
                    ha="right" if side == "o" else "left", va="center", fontsize="small")
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Officials (left) and agencies (right) named together")


def save_png(draw: Any, path: str | Path, size: tuple[float, float] = (7.0, 4.0), dpi: int = 100) -> Path:
    """Render ``draw(ax)`` on a private Agg figure with the CJK font and save it as PNG."""
    from matplotlib.figure import Figure

    with plot_style():
        fig = Figure(figsize=size, dpi=dpi)
        draw(fig.subplots())
        fig.tight_layout()
        fig.savefig(path, format="png")
    return Path(path)


def write_pngs(data: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """The report's three charts as PNG files in ``out_dir`` (for documents and slides); charts
    with nothing to show are skipped.  ``data`` is what :func:`pipeline.report.data.build` returns."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    towns, tl, pairs = data["towns"], data["timeline"], data["cooccurrence"]
    charts = [
        ("towns.png", towns, lambda ax: plot_town_coverage(ax, towns), (7.0, 1.0 + 0.35 * len(towns))),
        ("timeline.png", tl, lambda ax: plot_timeline(ax, tl), (8.0, 4.0)),
        ("network.png", pairs, lambda ax: plot_network(ax, pairs), (9.0, 6.0)),
    ]
    return [save_png(draw, out / name, size) for name, df, draw, size in charts if not df.empty]


__all__ = ["network_layout", "plot_network", "plot_timeline", "series_style", "plot_town_coverage", "save_png", "write_pngs"]

"""Summaries of a run's outputs for a reader: who appears, where, with whom, and when.

``report()`` prints rich tables to the terminal and, with ``html=``, writes one self-contained HTML
file (tables plus matplotlib charts inlined as base64 PNG, so it can be mailed or archived alone).
The table builders (``top_officials``, ``place_coverage``...) and plot helpers (``plot_*``) are
public so the notebook shows the same numbers as the report.

Plotting goes through ``matplotlib.figure.Figure`` directly (the Agg canvas), never pyplot, so a
report neither needs a display nor changes the caller's backend.  Chinese labels need a CJK font;
``cjk_font()`` picks one if installed, and otherwise the "Glyph … missing" warnings are silenced
(the labels then show as boxes, and the HTML tables still carry the names).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html as html_lib
import io
import math
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .tables import Tables, load

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN",
    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "STHeiti", "Arial Unicode MS",
)


# --- fonts -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None.

    Looks among the fonts matplotlib knows first, then asks fontconfig (``fc-list :lang=zh``) and
    registers the first file it names.  Cached: fontconfig is slow and the answer does not change.
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in known:
            return fam
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if not path:
            continue
        try:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except Exception:  # an unreadable or unsupported font file: try the next one
            continue
    return None


@contextlib.contextmanager
def plot_style() -> Iterator[None]:
    """Matplotlib settings for our charts: a CJK font when there is one; glyph warnings silenced."""
    import matplotlib

    fam = cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False}
    if fam:
        rc["font.family"] = [fam, "DejaVu Sans"]
    with warnings.catch_warnings(), matplotlib.rc_context(rc):
        warnings.filterwarnings("ignore", message=r"Glyph .* missing")
        warnings.filterwarnings("ignore", message=r".*missing from (current )?font")
        yield


# --- the tables ------------------------------------------------------------------------------


def _mode(s: pd.Series) -> str:
    vals = s[s.astype(str) != ""].astype(str)
    if vals.empty:
        return ""
    counts = vals.value_counts()
    best = counts.max()
    return sorted(counts[counts == best].index)[0]


def _officials(t: Tables) -> pd.DataFrame:
    p = t.people
    if p.empty:
        return p
    p = p[p["is_official"].astype(bool)].copy()
    p["person"] = p["entity_id"].astype(str).where(p["entity_id"].astype(str) != "", "name:" + p["name"].astype(str))
    return p


def top_officials(t: Tables, top: int = 15, page: int | None = None) -> pd.DataFrame:
    """Officials by the number of articles they appear in (on ``page`` only, if given).

    Columns: name, role (the role they are most often given), articles.
    """
    p = _officials(t)
    cols = ["name", "role", "articles"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    if page is not None:
        p = p[p["page"] == page]
        if p.empty:
            return pd.DataFrame(columns=cols)
    g = p.groupby("person", observed=True)
    df = pd.DataFrame(
        {"name": g["name"].agg(_mode), "role": g["role"].agg(_mode), "articles": g["article_id"].nunique()}
    )
    df = df.sort_values(["articles", "name"], ascending=[False, True], kind="stable").head(top)
    return df.reset_index(drop=True)


def _entities_by_articles(t: Tables, etype: str, top: int) -> pd.DataFrame:
    e = t.entities
    cols = ["entity_id", "name", "kind", "division_code", "articles", "mentions"]
    if e.empty:
        return pd.DataFrame(columns=cols)
    e = e[e["type"].astype(str) == etype]
    df = pd.DataFrame(
        {
            "entity_id": e["entity_id"].astype(str),
            "name": e["canonical"].astype(str),
            "kind": e["kind"].astype(str),
            "division_code": e["division_code"].astype(str),
            "articles": e["article_count"].astype("int64"),
            "mentions": e["mention_count"].astype("int64"),
        }
    )
    df = df.sort_values(["articles", "mentions", "name"], ascending=[False, False, True], kind="stable")
    return df.head(top).reset_index(drop=True)


def place_coverage(t: Tables, top: int = 15) -> pd.DataFrame:
    """Places (PLACE entities) by the number of articles naming them, with division codes."""
    return _entities_by_articles(t, "PLACE", top)


def town_coverage(t: Tables, top: int = 30) -> pd.DataFrame:
    """Coverage of the county's towns/subdistricts; all places when the gazetteer gave no kinds."""
    places = place_coverage(t, top=10**9)
    towns = places[places["kind"].isin(["town", "township", "subdistrict", "street"])]
    return (towns if not towns.empty else places).head(top).reset_index(drop=True)


def agencies(t: Tables, top: int = 15) -> pd.DataFrame:
    """Organisations (ORG entities) by the number of articles naming them."""
    return _entities_by_articles(t, "ORG", top)


def cooccurrence(t: Tables, top: int = 15) -> pd.DataFrame:
    """(official, agency) pairs named in the same article, by the number of such articles."""
    cols = ["official", "agency", "articles"]
    p = _officials(t)
    m = t.mentions
    if p.empty or m.empty:
        return pd.DataFrame(columns=cols)
    orgs = m[m["type"].astype(str) == "ORG"].copy()
    if orgs.empty:
        return pd.DataFrame(columns=cols)
    orgs["agency"] = orgs["canonical"].astype(str).where(orgs["canonical"].astype(str) != "", orgs["surface"].astype(str))
    orgs["agency_key"] = orgs["entity_id"].astype(str).where(orgs["entity_id"].astype(str) != "", "name:" + orgs["agency"])
    people = p[["article_id", "person", "name"]].drop_duplicates(["article_id", "person"])
    orgs = orgs[["article_id", "agency_key", "agency"]].drop_duplicates(["article_id", "agency_key"])
    pairs = people.merge(orgs, on="article_id")
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    g = pairs.groupby(["person", "agency_key"], observed=True)
    df = pd.DataFrame({"official": g["name"].agg(_mode), "agency": g["agency"].agg(_mode),
                       "articles": g["article_id"].nunique()})
    df = df.sort_values(["articles", "official", "agency"], ascending=[False, True, True], kind="stable")
    return df.head(top).reset_index(drop=True)


def timeline(t: Tables, top: int = 5) -> pd.DataFrame:
    """Articles per issue date for the ``top`` most frequent officials (index: issue_date)."""
    p = _officials(t)
    if p.empty:
        return pd.DataFrame()
    names = top_officials(t, top)["name"].tolist()
    p = p[p["name"].astype(str).isin(names)]
    df = p.groupby([p["issue_date"], p["name"].astype(str)], observed=True)["article_id"].nunique().unstack(fill_value=0)
    return df.reindex(columns=names).sort_index()


# --- plots -----------------------------------------------------------------------------------


def plot_town_coverage(ax: Any, towns: pd.DataFrame) -> None:
    """Horizontal bars: articles naming each town, the most covered on top."""
    d = towns.iloc[::-1]
    ax.barh(d["name"].astype(str), d["articles"], color="#4c72b0")
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("articles")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Coverage by town")


def plot_timeline(ax: Any, tl: pd.DataFrame) -> None:
    """One line per official: articles they appear in, per issue date."""
    for name in tl.columns:
        ax.plot(tl.index, tl[name], marker="o", label=str(name))
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import MaxNLocator

    ax.set_ylabel("articles")
    ax.set_title("Officials' appearances by issue")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if 0 < len(tl.index) <= 12:  # few issues: one tick per issue, not per hour between them
        ax.set_xticks(list(tl.index))
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    if len(tl.columns):
        ax.legend(loc="upper left", fontsize="small")
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def plot_network(ax: Any, pairs: pd.DataFrame) -> None:
    """Officials and agencies as a bipartite graph on a circle: officials on the left half,
    agencies on the right, edge width by shared articles (no graph library needed)."""
    officials = list(dict.fromkeys(pairs["official"].astype(str)))
    orgs = list(dict.fromkeys(pairs["agency"].astype(str)))

    def arc(names: list[str], lo: float, hi: float) -> dict[str, tuple[float, float]]:
        n = len(names)
        return {
            nm: (math.cos(a), math.sin(a))
            for nm, a in zip(names, [lo + (hi - lo) * (i + 1) / (n + 1) for i in range(n)])
        }

    pos = {("o", k): v for k, v in arc(officials, math.pi * 1.5, math.pi * 0.5).items()}
    pos.update({("a", k): v for k, v in arc(orgs, -math.pi * 0.5, math.pi * 0.5).items()})
    wmax = max(pairs["articles"].max(), 1) if len(pairs) else 1
    for _, r in pairs.iterrows():
        (x0, y0), (x1, y1) = pos[("o", str(r["official"]))], pos[("a", str(r["agency"]))]
        ax.plot([x0, x1], [y0, y1], color="#999999", linewidth=0.5 + 4 * r["articles"] / wmax, zorder=1)
    for (side, name), (x, y) in pos.items():
        color = "#dd8452" if side == "o" else "#55a868"
        ax.scatter([x], [y], s=120, color=color, zorder=2)
        ax.annotate(name, (x, y), xytext=(-6 if side == "o" else 6, 0), textcoords="offset points",
                    ha="right" if side == "o" else "left", va="center", fontsize="small")
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Officials (left) and agencies (right) named together")


def _png(draw: Any, size: tuple[float, float] = (7.0, 4.0)) -> str:
    """Render ``draw(ax)`` to a base64 PNG on a private Agg figure."""
    from matplotlib.figure import Figure

    with plot_style():
        fig = Figure(figsize=size, dpi=100)
        ax = fig.subplots()
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


# --- output ----------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str], ...] = (
    ("officials", "Top officials by appearances (articles)"),
    ("officials_page1", "Top officials by page-1 appearances"),
    ("places", "Places by coverage (articles)"),
    ("agencies", "Agencies by coverage (articles)"),
    ("cooccurrence", "Officials and agencies in the same article"),
)

SHOWN_COLUMNS = {
    "places": ["name", "division_code", "kind", "articles", "mentions"],
    "agencies": ["name", "kind", "articles", "mentions"],
}


def _rich_table(title: str, df: pd.DataFrame) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in df.columns:
        table.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    return table


def _html_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "<p><em>nothing yet</em></p>"
    head = "".join(f"<th>{html_lib.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_lib.escape('' if pd.isna(v) else str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _write_html(path: Path, out_dir: Path, data: dict[str, pd.DataFrame], t: Tables) -> None:
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>pinghu-ner report: {html_lib.escape(str(out_dir))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:2px 8px}"
        "th{background:#eee}img{max-width:100%}</style></head><body>",
        f"<h1>Report on {html_lib.escape(str(out_dir))}</h1>",
        f"<p>{len(t.articles)} articles, {len(t.mentions)} mentions, {len(t.entities)} entities.</p>",
    ]
    for key, title in SECTIONS:
        df = data[key]
        parts.append(f"<h2>{html_lib.escape(title)}</h2>")
        parts.append(_html_table(df[SHOWN_COLUMNS[key]] if key in SHOWN_COLUMNS and not df.empty else df))
    charts = []
    if not data["towns"].empty:
        towns = data["towns"]
        charts.append(("Coverage by town", _png(lambda ax: plot_town_coverage(ax, towns),
                                                 (7.0, 1.0 + 0.35 * len(towns)))))
    if not data["timeline"].empty:
        tl = data["timeline"]
        charts.append(("Officials' appearances over issues", _png(lambda ax: plot_timeline(ax, tl))))
    if not data["cooccurrence"].empty:
        pairs = data["cooccurrence"]
        charts.append(("Official–agency network", _png(lambda ax: plot_network(ax, pairs), (8.0, 5.0))))
    for title, b64 in charts:
        parts.append(f"<h2>{html_lib.escape(title)}</h2>")
        parts.append(f"<img alt='{html_lib.escape(title)}' src='data:image/png;base64,{b64}'>")
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def build(t: Tables, top: int = 15) -> dict[str, pd.DataFrame]:
    """Every table and series of the report, from loaded tables."""
    return {
        "officials": top_officials(t, top),
        "officials_page1": top_officials(t, top, page=1),
        "places": place_coverage(t, top),
        "agencies": agencies(t, top),
        "cooccurrence": cooccurrence(t, top),
        "towns": town_coverage(t),
        "timeline": timeline(t, min(top, 5)),
    }


def report(out_dir: str | Path, html: Path | None = None, top: int = 15, console: Any = None) -> dict[str, pd.DataFrame]:
    """Print the summary tables of ``out_dir``; with ``html``, also write them with charts there.

    Returns the data behind the tables (keys: officials, officials_page1, places, agencies,
    cooccurrence, towns, timeline) so callers and tests need not parse what was printed.
    """
    from rich.console import Console

    console = console or Console()
    out = Path(out_dir)
    t = load(out)
    data = build(t, top)
    if t.articles.empty:
        console.print(f"[yellow]{out}: no articles yet; run the pipeline first[/yellow]")
    else:
        console.print(f"{out}: {len(t.articles)} articles, {len(t.mentions)} mentions, {len(t.entities)} entities")
    for key, title in SECTIONS:
        df = data[key]
        if df.empty:
            console.print(f"{title}: nothing yet")
            continue
        console.print(_rich_table(title, df[SHOWN_COLUMNS[key]] if key in SHOWN_COLUMNS else df))
    if html is not None:
        _write_html(Path(html), out, data, t)
        console.print(f"HTML report written to {html}")
    return data


__all__ = [
    "agencies",
    "build",
    "cjk_font",
    "cooccurrence",
    "place_coverage",
    "plot_network",
    "plot_style",
    "plot_timeline",
    "plot_town_coverage",
    "report",
    "timeline",
    "top_officials",
    "town_coverage",
]

"""``pinghu-ner report --html``: one self-contained, interactive HTML file that works offline.

The file carries everything it needs, with no request to any server: Plotly's JavaScript bundle
(from the ``plotly`` package), our own small script and stylesheet (``assets/``), the data as one
JSON object, and a subset of the bundled CJK font (so Chinese shows on a machine without a CJK
font).  The script filters by issue-date range, page and locality in the browser (which articles
are in a locality is decided here, by :mod:`pipeline.report.filters`, and shipped) and redraws:
officials' appearances over time, coverage by town, the official–agency network, and the
articles themselves with their entities highlighted and linked to their ids.

Why the data, not pre-drawn charts: filters must recompute the numbers, and a page of a few
dozen issues is small enough to ship whole (articles' text included, since reading an article
is part of the report).  The numbers follow the same rules as :mod:`pipeline.report.data`
(people by person id, an appearance is an article, NIL agencies out of the network).
"""

from __future__ import annotations

import html as html_lib
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.data import TOWN_KINDS, town_coverage
from pipeline.report.filters import LOCALITY_CLASSES, Filters, Locality, locality_mask, resolve_locality
from pipeline.report.fonts import font_subset_b64
from pipeline.store import Tables

FONT_FAMILY = "Pinghu CJK"
ASSETS = "assets"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(ASSETS, name).read_text(encoding="utf-8")


def _plotly_js() -> str:
    """Plotly's minified bundle, shipped inside the ``plotly`` Python package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _none(v: Any) -> Any:
    return None if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) else v


def _articles_payload(t: Tables) -> list[dict[str, Any]]:
    a = t.articles.sort_values(["issue_date", "page", "seq"], kind="stable")
    has_loc = "locality" in a.columns
    out = []
    for r in a.itertuples(index=False):
        out.append({
            "id": r.article_id,
            "date": pd.Timestamp(r.issue_date).date().isoformat(),
            "page": int(r.page),
            "page_inferred": bool(getattr(r, "page_inferred", False) or False),
            "headline": _none(r.headline) or "",
            "text": r.text or "",
            "locality": _none(getattr(r, "locality", None)) if has_loc else None,
        })
    return out


def _mentions_payload(t: Tables, index: dict[str, int]) -> list[list[Any]]:
    """Compact rows: [article index, start, end, type, entity id, person key, official, role]."""
    m = t.mentions
    rows = []
    for r in m.itertuples(index=False):
        if r.article_id not in index:
            continue
        eid = _none(r.entity_id)
        person = (eid or f"surface:{r.surface}") if r.type == "PERSON" else None
        rows.append([index[r.article_id], int(r.start), int(r.end), str(r.type), eid, person,
                     bool(r.is_official), _none(r.role)])
    return rows


def _entities_payload(t: Tables) -> dict[str, dict[str, Any]]:
    e = t.entities
    return {
        r.entity_id: {"name": _none(r.canonical) or r.entity_id, "type": _none(r.type), "kind": _none(r.kind),
                      "parent": _none(r.parent_id), "code": _none(r.division_code)}
        for r in e.itertuples(index=False)
    }


CLASS_LABELS = {"local": "local stories", "national": "national news", "foreign": "foreign news",
                "elsewhere": "elsewhere in China"}


def _locality_options(t: Tables, gazetteer: Any, chosen: Locality | None) -> tuple[list[Locality], dict[str, str]]:
    """Locality choices: the article classes present, the towns named (all places when no kinds
    are known), and the locality the page was built with when it is none of those; with each
    choice's kind (``class``, ``town`` for a town the town chart shows, ``place``, ``chosen``)."""
    a, e = t.articles, t.entities
    present = set(a["locality"].dropna().astype(str)) if "locality" in a.columns else set()
    opts = [Locality(c, c, CLASS_LABELS[c], classes=(c,) if c in ("local", "national") else (c + ":",))
            for c in LOCALITY_CLASSES if any(v == c or v.startswith(c + ":") for v in present)]
    kinds = {o.key: "class" for o in opts}
    named = set(t.mentions.loc[t.mentions["type"] == "PLACE", "entity_id"].dropna())
    places = e[e["entity_id"].isin(named)] if not e.empty else e
    towns = places[places["kind"].isin(TOWN_KINDS)] if not places.empty else places
    if towns.empty and not places.empty:
        towns = places[(places["kind"].astype("string") != "nil").fillna(False)]
    charted = set(town_coverage(t, top=10**9)["entity_id"])  # the towns the chart compares (the paper's county)
    for r in towns.sort_values("canonical").itertuples(index=False):
        loc = resolve_locality(t, r.entity_id, gazetteer)
        opts.append(Locality(r.entity_id, r.entity_id, str(r.canonical or r.entity_id), loc.places, loc.classes))
        kinds[r.entity_id] = "town" if r.entity_id in charted else "place"
    if chosen is not None and chosen.key not in kinds:
        opts.append(chosen)
        kinds[chosen.key] = "chosen"
    return opts, kinds


def _localities(t: Tables, index: dict[str, int], gazetteer: Any, chosen: Locality | None) -> list[list[Any]]:
    """[key, label, kind, article indices] per choice: the articles are the ones
    :func:`~pipeline.report.filters.locality_mask` admits, so the page filters by the same rule
    as the terminal report and the export (it does not recompute it in JavaScript)."""
    out = []
    options, kinds = _locality_options(t, gazetteer, chosen)
    for loc in options:
        ids = t.articles.loc[locality_mask(t, loc), "article_id"]
        out.append([loc.key, loc.label, kinds[loc.key], sorted(index[i] for i in ids)])
    return out


def payload(t: Tables, title: str, filters: Filters | None = None, gazetteer: Any = None) -> dict[str, Any]:
    """The JSON object the page's script works from (also used by tests).  An unknown locality
    in ``filters`` raises :class:`~pipeline.report.filters.UnknownLocality`."""
    f = filters or Filters()
    if not f.titles and "in_title" in t.mentions.columns:  # the page filters dates and places itself
        t = replace(t, mentions=t.mentions[~t.mentions["in_title"].fillna(False).astype(bool)])
    articles = _articles_payload(t)
    index = {a["id"]: i for i, a in enumerate(articles)}
    chosen = resolve_locality(t, f.locality, gazetteer) if f.locality else None
    built = replace(f, locality=chosen.label).describe() if chosen is not None else f.describe()
    return {
        "title": title,
        "built_with": f"{built}; {f.counts_titles()}",
        "articles": articles,
        "mentions": _mentions_payload(t, index),
        "entities": _entities_payload(t),
        "localities": _localities(t, index, gazetteer, chosen),
        "initial": {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "page": ",".join(map(str, sorted(f.pages))) or None,
            "locality": chosen.key if chosen is not None else None,
        },
    }


def _used_chars(data: dict[str, Any]) -> str:
    """Every character the page may show: data values plus the page's own labels."""
    return json.dumps(data, ensure_ascii=False) + _asset("report.js") + "全部"


def _script_json(data: dict[str, Any]) -> str:
    # No "</script>" or "<!--" may appear inside <script>: every "<" is written as the JSON escape.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render(t: Tables, title: str, filters: Filters | None = None, gazetteer: Any = None) -> str:
    """The whole HTML document as a string."""
    data = payload(t, title, filters, gazetteer)
    font = font_subset_b64(_used_chars(data))
    css = _asset("report.css").replace("FONT_FAMILY", FONT_FAMILY)
    return "\n".join([
        "<!DOCTYPE html>",
        "<html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html_lib.escape(title)}</title>",
        "<script>window.__reportErrors=[];window.addEventListener('error',function(e){"
        "window.__reportErrors.push(String(e.message||e));});</script>",
        f"<style>@font-face{{font-family:'{FONT_FAMILY}';src:url(data:font/otf;base64,{font}) format('opentype');}}",
        css + "</style>",
        f"<script>{_plotly_js()}</script>",
        "</head><body>",
        _asset("report.html"),
        f"<script id='report-data' type='application/json'>{_script_json(data)}</script>",
        f"<script>window.REPORT_FONT={json.dumps(FONT_FAMILY)};\n{_asset('report.js')}</script>",
        "</body></html>",
    ])


def write_html(path: str | Path, t: Tables, title: str, filters: Filters | None = None,
               gazetteer: Any = None) -> Path:
    """Write the interactive report to ``path`` (parent directories created); the page opens
    with ``filters`` applied and says so."""
    path = Path(path)
    html = render(t, title, filters, gazetteer)  # an unknown locality fails before anything is written
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


__all__ = ["payload", "render", "write_html"]

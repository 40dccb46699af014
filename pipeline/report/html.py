"""``pinghu-ner report --html``: one self-contained, interactive HTML file that works offline.

The file carries everything it needs, with no request to any server: Plotly's JavaScript bundle
(from the ``plotly`` package), our own small script and stylesheet (``assets/``), the data as one
JSON object, and a subset of the bundled CJK font (so Chinese shows on a machine without a CJK
font).  The script filters by issue-date range, page and locality in the browser and redraws:
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
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.data import TOWN_KINDS, Filters
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
    places = t.mentions[t.mentions["type"] == "PLACE"].dropna(subset=["entity_id"])
    by_article = places.groupby("article_id")["entity_id"].agg(lambda s: sorted(set(s))).to_dict()
    out = []
    for r in a.itertuples(index=False):
        out.append({
            "id": r.article_id,
            "date": pd.Timestamp(r.issue_date).date().isoformat(),
            "page": int(r.page),
            "page_inferred": bool(getattr(r, "page_inferred", False) or False),
            "headline": _none(r.headline) or "",
            "text": r.text or "",
            "places": by_article.get(r.article_id, []),
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


def _localities(entities: dict[str, dict[str, Any]], articles: list[dict[str, Any]]) -> list[list[str]]:
    """Locality choices: the towns named in the articles (all places when no kinds are known)."""
    named = {p for a in articles for p in a["places"]} | {a["locality"] for a in articles if a["locality"]}
    towns = [i for i in named if (entities.get(i) or {}).get("kind") in TOWN_KINDS]
    if not towns:
        towns = [i for i in named if (entities.get(i) or {}).get("kind") not in (None, "nil")]
    return sorted(([i, (entities.get(i) or {}).get("name") or i] for i in towns), key=lambda x: x[1])


def payload(t: Tables, title: str, filters: Filters | None = None) -> dict[str, Any]:
    """The JSON object the page's script works from (also used by tests)."""
    articles = _articles_payload(t)
    index = {a["id"]: i for i, a in enumerate(articles)}
    entities = _entities_payload(t)
    f = filters or Filters()
    return {
        "title": title,
        "articles": articles,
        "mentions": _mentions_payload(t, index),
        "entities": entities,
        "localities": _localities(entities, articles),
        "initial": {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "page": f.pages[0] if len(f.pages) == 1 else None,
            "locality": f.locality,
        },
    }


def _used_chars(data: dict[str, Any]) -> str:
    """Every character the page may show: data values plus the page's own labels."""
    return json.dumps(data, ensure_ascii=False) + _asset("report.js") + "全部"


def _script_json(data: dict[str, Any]) -> str:
    # No "</script>" or "<!--" may appear inside <script>: every "<" is written as the JSON escape.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render(t: Tables, title: str, filters: Filters | None = None) -> str:
    """The whole HTML document as a string."""
    data = payload(t, title, filters)
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


def write_html(path: str | Path, t: Tables, title: str, filters: Filters | None = None) -> Path:
    """Write the interactive report to ``path`` (parent directories created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(t, title, filters), encoding="utf-8")
    return path


__all__ = ["payload", "render", "write_html"]

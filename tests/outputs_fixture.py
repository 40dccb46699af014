"""Synthetic two-issue outputs (officials, places, a company) written through the store's own
writers: the tables every reader test (store, report, notebook, fonts) starts from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.records import Article, Byline, FieldSpan, GazetteerEntry, MappedText, Mention
from pipeline.store.derived import rebuild_entities, rebuild_offices
from pipeline.store.tables import (
    source_key,
    write_source,
)

PAPER = "pinghu-daily"
D1 = dt.date(2024, 3, 1)
D2 = dt.date(2024, 3, 2)

# (surface, type, entity_id, canonical, role, is_official)
OFFICIALS = {
    "张三": ("PERSON", "person:张三", "张三", "市委书记", True),
    "李四": ("PERSON", "person:李四", "李四", "市长", True),
    "王五": ("PERSON", "person:王五", "王五", "记者", False),
    "当湖街道": ("PLACE", "gz:town:danghu", "当湖街道", "", False),
    "新埭镇": ("PLACE", "gz:town:xindai", "新埭镇", "", False),
    "市发改局": ("ORG", "gz:org:fgj", "平湖市发展和改革局", "", False),
    "某合作社": ("ORG", "nil:ORG:某合作社", "某合作社", "", False),
}


class FakeGazetteer:
    """Duck-typed stand-in for the gazetteer: only ``by_id`` is used by rebuild_entities."""

    entries = {
        "gz:town:danghu": GazetteerEntry("gz:town:danghu", "PLACE", "当湖街道", "town", "gz:county:pinghu",
                                         "330482001", ("当湖",)),
        "gz:town:xindai": GazetteerEntry("gz:town:xindai", "PLACE", "新埭镇", "town", "gz:county:pinghu",
                                         "330482101", ("新埭",)),
        "gz:org:fgj": GazetteerEntry("gz:org:fgj", "ORG", "平湖市发展和改革局", "agency", "", "", ("市发改局",)),
    }

    def by_id(self, entity_id: str) -> GazetteerEntry | None:
        return self.entries.get(entity_id)


def make_article(article_id: str, date: dt.date, page: int, seq: int, headline: str, body: str,
                 source_start: int = 0, byline: str = "") -> Article:
    """An article whose text is headline, optional byline line, then body, copied verbatim."""
    parts = [("headline", headline)] + ([("byline", byline)] if byline else []) + [("body", body)]
    text = "\n".join(p for _, p in parts)
    spans, pos = [], 0
    for kind, piece in parts:
        spans.append(FieldSpan(kind, pos, pos + len(piece)))  # type: ignore[arg-type]
        pos += len(piece) + 1
    bylines = []
    if byline:
        b0 = text.index(byline)
        bylines = [Byline("记者", byline.split()[-1], b0, b0 + len(byline))]
    return Article(
        article_id=article_id, paper=PAPER, issue_date=date, page=page, seq=seq, kind="news",
        headline=headline, mapped=MappedText.verbatim(text, source_start), fields=spans,
        subtitles=["副题一", "副题二"] if seq == 1 else [], bylines=bylines, jumps=["转第2版"] if page == 1 else [],
        repairs=seq, source_path=f"data/{date:%Y%m%d}_{page:02d}.md", source_sha256="ab" * 32,
    )


def mentions_for(article: Article) -> list[Mention]:
    """Every occurrence of a known surface in the article, resolved as in OFFICIALS."""
    out = []
    for surface, (etype, eid, canon, role, official) in OFFICIALS.items():
        start = article.text.find(surface)
        while start >= 0:
            end = start + len(surface)
            s0, s1 = article.mapped.to_source(start, end)
            field = article.field_at(start)
            out.append(Mention(
                article_id=article.article_id, type=etype, surface=surface, start=start, end=end,
                source_start=s0, source_end=s1, sentence=article.text, role=role if field != "headline" else "",
                is_official=official, recognizer="test", confidence=0.9, entity_id=eid, canonical=canon,
                link_method="exact", link_confidence=0.8,
            ))
            start = article.text.find(surface, end)
    return out


def issue_pages(date: dt.date) -> dict[int, list[Article]]:
    """Two pages of one issue; page 1 has two articles, page 2 one."""
    d = f"{date:%Y%m%d}"
    return {
        1: [
            make_article(f"{d}-01-01", date, 1, 1, "张三调研当湖街道", "市委书记张三到当湖街道调研，市发改局参加。",
                         byline="记者 王五"),
            make_article(f"{d}-01-02", date, 1, 2, "李四主持会议", "市长李四主持会议，张三讲话。新埭镇汇报。", 500),
        ],
        2: [make_article(f"{d}-02-01", date, 2, 1, "新埭镇农业", "新埭镇某合作社丰收，市发改局支持。", 0)],
    }


def build_outputs(out: Path, gazetteer: object | None = None) -> dict[str, int]:
    """Write both issues, both pages, and the entity table, as the runner would."""
    totals: dict[str, int] = {"articles": 0, "mentions": 0, "people": 0}
    for date in (D1, D2):
        for page, arts in issue_pages(date).items():
            key = source_key(f"/in/{date:%Y%m%d}_{page:02d}.md")
            ments = [m for a in arts for m in mentions_for(a)]
            for k, v in write_source(out, key, PAPER, date, arts, ments).items():
                totals[k] += v
    totals["entities"] = rebuild_entities(out, gazetteer if gazetteer is not None else FakeGazetteer())
    rebuild_offices(out)
    return totals

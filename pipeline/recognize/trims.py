"""Spans that name an event, a task group, a facility or no one: cut to the entity, or dropped.

Why: the taggers read a meeting (普惠金融服务推进会) and a body's task group (全国人大常委会执法检查组)
as organisations, and a community's hall (天妃社区文化礼堂) as a place; an analyst counting bodies
and places then finds neither the body nor the place.  Rules of shape, each with its word list:

* an ORG ending in a meeting or ceremony word (``event_words``) is dropped;
* an ORG ending in a task-group word (``adhoc_unit_suffixes``) is cut to the body before it, when
  what remains ends like a body (``body_endings``, ``company_suffixes``); the bare group word
  (执法检查组) is dropped;
* a PLACE ending in a facility word (``place_facility_suffixes``) after 村 / 社区 / 街道 / 镇 is cut
  to the place;
* a PLACE that is a run of one-character forms with a count of towns (沪浙五镇) is dropped, so the
  list pass reads the forms (沪 + 浙);
* a PERSON ending in a particle (的 了 着 们) is no name (新任命的 → 任命的) and is dropped;
* a bureau followed by a standing sub-unit (市公安局 + 交警大队, + 城南派出所) is one ORG: the unit is
  the body the story names, as the gold annotates it;
* a span whose quotation marks do not pair inside it (办管建”党校: it closes a quote opened
  before it) runs across the edge of a quotation, so it names nothing and is dropped; a name
  printed with its own quote marks (“共富工坊”) pairs them.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

EVENTS = tuple(lexicon.entries("event_words"))
GROUPS = tuple(sorted(lexicon.entries("adhoc_unit_suffixes"), key=len, reverse=True))
FACILITIES = tuple(sorted(lexicon.entries("place_facility_suffixes"), key=len, reverse=True))
BODY_ENDS = (*lexicon.entries("body_endings"), *lexicon.entries("company_suffixes"))
SETTLEMENT_ENDS = ("村", "社区", "街道", "镇")
_COUNTED_FORMS = re.compile(r"^[\u4e00-\u9fff]{2,4}?[一二三四五六七八九十两]+[镇市县省地]$")
PARTICLES = tuple("的了着们")
# A standing sub-unit of a bureau, printed right after it: 交警大队, 刑侦大队, 城南派出所, 开发区分局.
_SUB_UNIT = re.compile(r"[\u4e00-\u9fff]{1,4}?(?:大队|支队|中队|派出所|分局)(?!长)")


_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_CLOSING = {v: k for k, v in _QUOTES.items()}


def _quotes_pair(surface: str) -> bool:
    """Whether every quotation mark in ``surface`` opens and closes inside it."""
    open_marks: list[str] = []
    for ch in surface:
        if ch in _QUOTES:
            open_marks.append(ch)
        elif ch in _CLOSING:
            if not open_marks or open_marks.pop() != _CLOSING[ch]:
                return False
    return not open_marks


def _trimmed(text: str, s: Span) -> Span | None:
    """The span as an entity: itself, cut to the entity inside it, or None (no entity)."""
    surface = text[s.start : s.end]
    if not _quotes_pair(surface):
        return None
    if s.label == "ORG":
        if surface.endswith(EVENTS):
            return None
        sub = _SUB_UNIT.match(text, s.end) if surface.endswith("局") else None
        if sub is not None:
            return Span(s.start, sub.end(), s.label, s.source, s.score)
        if surface in GROUPS:
            return None  # a bare 执法检查组: a task group of no body named
        group = next((g for g in GROUPS if surface.endswith(g)), "")
        body = surface[: len(surface) - len(group)]
        if group and len(body) >= 2 and body.endswith(BODY_ENDS):
            return Span(s.start, s.start + len(body), s.label, s.source, s.score)
    elif s.label == "PLACE":
        facility = next((f for f in FACILITIES if surface.endswith(f)), "")
        place = surface[: len(surface) - len(facility)]
        if facility and len(place) >= 3 and place.endswith(SETTLEMENT_ENDS):
            return Span(s.start, s.start + len(place), s.label, s.source, s.score)
        if _COUNTED_FORMS.match(surface) and len(set(surface)) == len(surface):
            return None
    elif s.label == "PERSON" and len(surface) > 1 and surface.endswith(PARTICLES):
        return None
    return s


@register_pass("trim_spans", requires=["spans"], provides=["spans"])
def trim_spans(doc: RecognitionDoc, _ctx: Any) -> None:
    """Meetings, particles and spans across a quotation's edge dropped; task groups and facilities
    cut to their body or place."""
    out = [_trimmed(doc.text, s) for s in doc.spans]
    doc.spans = [s for s in out if s is not None]


@register_pass("region_names", requires=["spans", "candidates"], provides=["spans"])
def region_names_pass(doc: RecognitionDoc, ctx: Any) -> None:
    """The gazetteer's named regions (长三角, 浙北) the ruler found where no span is, as places.

    Why: the learned vote, trained on corpora where such regions are rare, drops the ruler's
    candidate when no tagger agrees, and "which places does the paper cover" then misses the
    region the county belongs to."""
    regions = next((getattr(s, "regions", frozenset()) for s in getattr(ctx, "sources", ()) if s.name == "gazetteer"),
                   frozenset())
    if not regions:
        return
    found = [c for c in doc.candidates.get("gazetteer", ()) if c.label == "PLACE" and doc.surface(c) in regions]

    def finder(_text: str, taken: Any) -> list[tuple[int, int]]:
        return [(c.start, c.end) for c in found if not taken.overlaps(c.start, c.end)]

    if found:
        doc.add_found(finder, "PLACE", "region")

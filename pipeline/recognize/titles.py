"""Official titles (TITLE spans) from the structure of Chinese titles, not from a list of people.

A title in local news is compositional: optional organisational units (市委, 市人大常委会, 乍浦镇,
党组, 常务 ...) then an optional 副 then a post (书记, 市长, 主任, 局长 ...), and several titles
may be chained with 、 (市委副书记、市长).  A named organisation right before the post (found by
another recogniser: 市发改局局长) is absorbed into the title, so the role reads as printed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.base import Recognizer, register
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.overlap import Enclosing
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

# Package lexicons (pipeline/lexicons/), each with its source: posts, collective titles, units.
POSTS = lexicon.entries("title_posts")
# Collective titles that stand before an enumeration of names (市领导A、B、C).
COLLECTIVE = lexicon.entries("title_collectives")
UNITS = lexicon.entries("title_units")
GENERIC_POSTS = lexicon.load("generic_posts")  # alone (no unit before), too often a plain noun

_alt = lambda words: "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # noqa: E731
_ONE = rf"(?:(?:{_alt(UNITS)})*副?(?:{_alt(POSTS)})|{_alt(COLLECTIVE)})"
TITLE_RE = re.compile(rf"{_ONE}(?:[、，,]?{_ONE})*")
_UNIT_TAIL = re.compile(rf"(?:{_alt(UNITS)})+$")


@register("titles")
class TitleRules(Recognizer):
    labels = ("TITLE",)

    def __init__(self, **_: object) -> None:
        pass

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self.find(t) for t in texts]

    def find(self, text: str, org_spans: Sequence[Span] = ()) -> list[Span]:
        """TITLE spans; an ORG/PLACE span ending where a title starts is absorbed into it."""
        bodies = [s for s in org_spans if s.label in ("ORG", "PLACE")]
        units = _Units(bodies)
        known = sorted({text[s.start : s.end] for s in bodies if s.label == "ORG"}, key=len, reverse=True)
        out: list[Span] = []
        for start, end in title_matches(text):
            # 市发改局|局长, 乍浦[镇|党委书记]: the named unit is part of the title
            absorbed = units.absorb(start)
            if absorbed == start:
                absorbed = _named_before(text, start, known, units)
            out.append(Span(absorbed, end, "TITLE", self.name))
        return out


@lru_cache(maxsize=128)
def title_matches(text: str) -> tuple[tuple[int, int], ...]:
    """Where ``TITLE_RE`` finds a title in ``text`` (a bare generic post with no unit before it left
    out: too often a plain noun), before any named unit is absorbed.

    Why cached: the titles pass and the agency-shape pass each ask for a batch's texts' titles,
    and the scan of the alternation at every character was 2% of a run, half of it the second
    time; a recognise batch holds 32 articles by default, so the cache holds the batch."""
    out = []
    for m in TITLE_RE.finditer(text):
        start, end = m.start(), m.end()
        if end - start < 2 or m.group() in GENERIC_POSTS and not _has_unit(text, start):
            continue
        out.append((start, end))
    return tuple(out)


class _Units:
    """The ORG/PLACE spans a title may absorb, indexed by start.

    ``absorb`` gives what ``for org in orgs: if org.start < start <= org.end: start = org.start``
    gives, without visiting every span per title (a one-line file of a million characters, issue
    33, holds tens of thousands of each): that loop takes, after each span it took, the first
    span in the given order that holds the current start, and a span holding ``start`` starts
    at ``start - longest`` or after."""

    def __init__(self, orgs: Sequence[Span]) -> None:
        self._items = sorted(enumerate(orgs), key=lambda item: item[1].start)
        self._starts = [o.start for _, o in self._items]
        self._longest = max((o.end - o.start for o in orgs), default=0)

    def absorb(self, start: int) -> int:
        last = -1  # the given order's place of the span taken last
        while True:
            lo = bisect_left(self._starts, start - max(self._longest, 0))
            held = [(i, o) for i, o in self._items[lo : bisect_left(self._starts, start)] if i > last and o.end >= start]
            if not held:
                return start
            last, org = min(held, key=lambda item: item[0])
            start = org.start


# A sub-unit printed between a body and a post: 市公安局|刑侦大队|大队长, 某局|办公室|主任.
_SUB_UNIT = re.compile(r"[\u4e00-\u9fff]{1,4}(?:大队|支队|中队|科|处|所|站|室|办公室)$")


def _named_before(text: str, start: int, known: Sequence[str], units: _Units) -> int:
    """Where a title starts when no recognised span ends at its post: a name recognised
    elsewhere in the article printed right before it (平湖农商银行|行长, where the taggers read the
    first mention only), or a sub-unit after a recognised body (市公安局刑侦大队|大队长)."""
    before = text[max(0, start - 30) : start]
    for name in known:
        if before.endswith(name):
            return start - len(name)
    sub = _SUB_UNIT.search(text[max(0, start - 6) : start])
    if sub is not None:
        at = start - (len(sub.group()))
        for k in range(at, start - 1):  # the shortest sub-unit whose start a body reaches
            if units.absorb(k) < k:
                return units.absorb(k)
    return start


def _has_unit(text: str, start: int) -> bool:
    return bool(_UNIT_TAIL.search(text[max(0, start - 6) : start]))


@register_pass("titles", requires=["spans", "article"], provides=["titles", "spans"])
def titles_pass(doc: RecognitionDoc, ctx: Any) -> None:
    """Official titles; a unit inside a title (市委 in 市委书记) is part of it, not a mention."""
    doc.titles = ctx.titles.find(doc.text, doc.spans)
    inside_title = Enclosing((t.start, t.end) for t in doc.titles).holds  # t.start <= start, end < t.end
    doc.spans = [s for s in doc.spans if not (s.label != "PERSON" and inside_title(s.start, s.end))]

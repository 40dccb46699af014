"""The per-article recognition document every pass reads and writes.

Why one object: the passes used to hand each other parallel lists (texts, candidates, spans,
titles) zipped three and four ways.  A pass now sees one article's whole state, says in its
registration which fields it needs and which it fills, and cannot get another article's list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.records import Article, Span

if TYPE_CHECKING:
    from pipeline.recognize.roles import RoleAssignment

# The fields a pass may declare in ``requires`` / ``provides`` (see ``registry.register_pass``).
FIELDS = ("text", "article", "candidates", "spans", "titles", "roles")


@dataclass
class RecognitionDoc:
    """One text's recognition state: candidates by source, the kept spans, titles and roles.

    ``text`` is what the taggers see (traditional characters converted when that keeps offsets);
    ``article`` is set when recognising an article (bylines, fields), and None for corpus
    sentences, which are scored on ``spans`` alone.
    """

    text: str
    article: Article | None = None
    candidates: dict[str, list[Span]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    titles: list[Span] = field(default_factory=list)
    roles: dict[tuple[int, int], RoleAssignment] = field(default_factory=dict)
    in_title: set[tuple[int, int]] = field(default_factory=set)  # spans that are a title's unit

    def all_candidates(self) -> list[Span]:
        """Every source's candidates in source order (the order the vote breaks ties by)."""
        return [s for spans in self.candidates.values() for s in spans]

    def surface(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def add_found(self, finder: Callable[[str, Any], list[tuple[int, int]]], label: str, source: str) -> None:
        """Add the spans ``finder(text, taken)`` finds where no kept span is (the shape passes:
        agency names, country pairs), keeping ``spans`` in start order."""
        from pipeline.recognize.overlap import IntervalIndex

        found = finder(self.text, IntervalIndex((s.start, s.end) for s in self.spans))
        if found:
            self.spans = sorted([*self.spans, *(Span(s, e, label, source) for s, e in found)], key=lambda x: x.start)


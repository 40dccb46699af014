"""Typed records passed between stages.

Each stage takes and returns these, never loose dicts, so that a stage can be swapped or tested
alone and a type checker sees a broken contract before a user does.

``MappedText`` (text that remembers where each character came from) lives here too: every stage
after ingest rewrites text, and every record carries offsets back to the decoded source.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal


# --- text with source offsets ------------------------------------------------------------
# Text that remembers where each character came from.
#
# Every stage after ingest rewrites text (drops Markdown marks, joins column breaks, turns ASCII
# punctuation into full-width forms).  Analysts still need to find a mention in the original file,
# so each derived string carries, per character, the offset of the source character it came from.
# Offsets are character offsets into the *decoded* source text (``SourceDoc.text``), not bytes.
@dataclass
class MappedText:
    """A derived string plus, for each of its characters, the source offset it came from."""

    text: str = ""
    origin: array = field(default_factory=lambda: array("q"))

    def __post_init__(self) -> None:
        if len(self.origin) != len(self.text):
            raise ValueError(f"origin has {len(self.origin)} offsets for {len(self.text)} characters")

    @classmethod
    def verbatim(cls, text: str, source_start: int = 0) -> MappedText:
        """A slice of the source copied unchanged."""
        return cls(text, array("q", range(source_start, source_start + len(text))))

    def __len__(self) -> int:
        return len(self.text)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span ``[s, e)`` covering the derived span ``[start, end)``."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        return self.origin[start], self.origin[end - 1] + 1

    def slice(self, start: int, end: int) -> MappedText:
        return MappedText(self.text[start:end], self.origin[start:end])

    def strip(self) -> MappedText:
        """Drop leading and trailing white space, keeping the map aligned."""
        s, e = 0, len(self.text)
        while s < e and self.text[s].isspace():
            s += 1
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return self.slice(s, e)


class MappedTextBuilder:
    """Accumulates pieces of derived text with their source offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._origin = array("q")

    def add(self, piece: MappedText) -> None:
        self._parts.append(piece.text)
        self._origin.extend(piece.origin)

    def add_verbatim(self, text: str, source_start: int) -> None:
        self._parts.append(text)
        self._origin.extend(range(source_start, source_start + len(text)))

    def add_char(self, char: str, source_offset: int) -> None:
        """A character that replaces (or stands in for) the one at ``source_offset``."""
        self._parts.append(char)
        self._origin.append(source_offset)

    def add_chars(self, chars: Iterable[tuple[str, int]]) -> None:
        for ch, off in chars:
            self.add_char(ch, off)

    def __len__(self) -> int:
        return len(self._origin)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), array("q", self._origin))


ENTITY_TYPES: tuple[str, ...] = ("PERSON", "PLACE", "ORG")

# Field kinds inside an article, in reading order.  ``body`` paragraphs are separated by "\n".
FieldKind = Literal["kicker", "headline", "subtitle", "byline", "dateline", "body", "caption"]
ArticleKind = Literal["news", "photo", "brief", "notice"]


@dataclass(frozen=True)
class SourceDoc:
    """One input file, decoded.  All source offsets in later records index into ``text``."""

    path: str
    text: str
    encoding: str
    sha256: str
    paper: str
    issue_date: dt.date | None
    page: int | None = None


@dataclass(frozen=True)
class Page:
    """A newspaper page inside a source file (a file may hold one page or a whole issue)."""

    source: SourceDoc
    number: int
    start: int  # source span of this page
    end: int
    inferred: bool = False  # True when the source gave no page number and ``number`` is a default


@dataclass(frozen=True)
class Byline:
    role: str  # 记者, 见习记者, 实习生, 通讯员, 摄影, 文/图, 编辑 ...
    name: str
    start: int  # span in Article.text
    end: int


@dataclass(frozen=True)
class FieldSpan:
    kind: FieldKind
    start: int  # span in Article.text
    end: int


@dataclass
class Article:
    """One article of a page, with its text normalised and mapped back to the source.

    ``text`` holds every field of the article in reading order, one field per line, so that a
    recogniser sees headlines and captions too and every mention has one coordinate system.
    ``fields`` says which range is which; ``mapped.origin`` gives source offsets.
    """

    article_id: str
    paper: str
    issue_date: dt.date | None
    page: int
    seq: int
    kind: ArticleKind
    headline: str
    mapped: MappedText
    fields: list[FieldSpan]
    kicker: str = ""  # 引题, above the headline
    subtitles: list[str] = field(default_factory=list)  # 副题, below
    bylines: list[Byline] = field(default_factory=list)
    dateline: str = ""
    captions: list[str] = field(default_factory=list)
    jumps: list[str] = field(default_factory=list)  # 转第2版 / 接第1版, removed from the text
    repairs: int = 0  # column breaks joined
    page_inferred: bool = False  # the source did not say which page: ``page`` is a default (1)
    source_path: str = ""
    source_sha256: str = ""
    locality: str = ""  # pipeline.resolve.locality.Locality.key: local, elsewhere:<code>, national, foreign:<ISO>

    @property
    def text(self) -> str:
        return self.mapped.text

    @property
    def source_span(self) -> tuple[int, int]:
        if not len(self.mapped):
            return (0, 0)
        return self.mapped.to_source(0, len(self.mapped))

    def field_at(self, offset: int) -> FieldKind | None:
        for f in self.fields:
            if f.start <= offset < f.end:
                return f.kind
        return None

    def body_text(self) -> str:
        return "\n".join(self.text[f.start : f.end] for f in self.fields if f.kind == "body")


@dataclass(frozen=True)
class Span:
    """A candidate entity span in a text, from one recogniser (model, LAC, ruler, rules)."""

    start: int
    end: int
    label: str  # PERSON, PLACE, ORG, TITLE
    source: str  # which recogniser proposed it; for a voted span, its sources joined by "+" (display)
    score: float = 1.0
    # Every recogniser that agreed on a voted span.  Typed provenance: passes test membership
    # here instead of parsing ``source`` back.  Not part of equality (``source`` says the same).
    sources: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def provenance(self) -> frozenset[str]:
        """The recognisers behind this span: the vote's sources, else the one that proposed it."""
        return self.sources or frozenset((self.source,))

    @classmethod
    def voted(cls, start: int, end: int, label: str, sources: frozenset[str], score: float) -> Span:
        """A span several sources agreed on; ``source`` is their sorted names joined by "+"."""
        return cls(start, end, label, "+".join(sorted(sources)), score, frozenset(sources))


@dataclass
class Mention:
    """A recognised entity mention in an article, with role and (after resolution) its link."""

    article_id: str
    type: str
    surface: str
    start: int  # in Article.text
    end: int
    source_start: int  # in SourceDoc.text
    source_end: int
    sentence: str = ""
    role: str = ""  # official title (市委书记), byline role (记者), or ""
    is_official: bool = False
    recognizer: str = ""
    confidence: float = 1.0
    entity_id: str = ""
    canonical: str = ""
    link_method: str = ""  # exact, alias, context, renamed, fuzzy, nil, person
    link_confidence: float = 0.0
    offices: list = field(default_factory=list)  # pipeline.resolve.offices.Office of the role (people only)
    in_title: bool = False  # the body or place printed inside an official's title (市委 of 市委书记)

    @property
    def mention_id(self) -> str:
        return f"{self.article_id}:{self.start}-{self.end}:{self.type}"


@dataclass(frozen=True)
class Link:
    entity_id: str
    canonical: str
    method: str  # exact, alias, context, renamed, fuzzy, nil, person
    confidence: float
    kind: str = ""  # province/city/county/town/village/community/zone/agency/person/...
    division_code: str = ""
    parent_id: str = ""


@dataclass(frozen=True)
class GazetteerEntry:
    """One body or place of the gazetteer, with the aliases it may appear under."""

    entity_id: str
    type: str  # PLACE or ORG
    canonical: str
    kind: str
    parent_id: str = ""
    division_code: str = ""
    aliases: tuple[str, ...] = ()

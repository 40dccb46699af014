"""Articles: a finished draft's jumps stripped, column breaks repaired, brief columns split into
items, and its fields laid out as one text mapped to the source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import (
    Article,
    ArticleKind,
    Byline,
    FieldKind,
    FieldSpan,
    MappedText,
    MappedTextBuilder,
    Page,
)
from pipeline.segment.bylines import PHOTO_ROLES, inline_bylines
from pipeline.segment.drafts import Draft, Para
from pipeline.segment.text import (
    BRIEF_TITLE,
    CAPTION_START,
    DATELINE,
    JUMP_INLINE,
    MAX_WEAK_HEADLINE,
    NOTICE,
    NUMBERED,
    concat,
    drop_spans,
    ends_sentence,
)
from pipeline.segment.units import Unit


@dataclass
class Piece:
    """A finished article before it is laid out as text."""

    kind: ArticleKind
    headline: MappedText | None
    kickers: list[MappedText]
    subtitles: list[MappedText]
    bylines: list[Unit]
    paras: list[Para]
    captions: list[MappedText]
    jumps: list[str]
    repairs: int


def finish(d: Draft) -> list[Piece]:
    jumps = list(d.jumps)
    headline = _strip_jumps(d.headline, jumps) if d.headline is not None else None
    kickers = [_strip_jumps(k, jumps) for k in d.kickers]
    subtitles = [_strip_jumps(s, jumps) for s in d.subtitles]
    paras = []
    for p in d.paras:
        t = _strip_jumps(p.text, jumps)
        if len(t):
            p.text = t
            paras.append(p)
    if d.brief:
        return _split_brief(d, subtitles, paras, jumps)
    paras, repairs = _repair(paras)
    return [_piece(headline, kickers, subtitles, d.bylines, paras, jumps, repairs)]


def _strip_jumps(mt: MappedText, jumps: list[str]) -> MappedText:
    spans = []
    for m in JUMP_INLINE.finditer(mt.text):
        jumps.append(re.sub(r"[ \t]", "", m.group(1)))
        spans.append((m.start(), m.end()))
    return drop_spans(mt, spans)


def _title_like(p: Para) -> bool:
    t = p.text.text
    return (
        p.title
        or p.bold
        or (
            bool(p.bullet)
            and len(t) <= MAX_WEAK_HEADLINE
            and not ends_sentence(t)
            and "，" not in t
            and "," not in t
        )
    )


def _can_join(a: Para, b: Para) -> bool:
    """May paragraph ``b`` continue paragraph ``a`` (a column break or a wrapped line)?"""
    if b.brk or b.bullet or b.title or b.bold or _title_like(a):
        return False
    if ends_sentence(a.text.text):
        return False
    bt = b.text.text
    return not (DATELINE.match(bt) or NUMBERED.match(bt) or CAPTION_START.match(bt))


def _repair(paras: list[Para]) -> tuple[list[Para], int]:
    out: list[Para] = []
    repairs = 0
    for p in paras:
        if out and _can_join(out[-1], p):
            a = out[-1]
            parts = [a.text, p.text]
            at, bt = a.text.text, p.text.text
            if at[-1].isascii() and at[-1].isalnum() and bt[0].isascii() and bt[0].isalnum():
                sep = MappedTextBuilder()
                sep.add_char(" ", a.text.origin[-1])
                parts.insert(1, sep.build())
            a.text = concat(parts)
            if p.gap:
                repairs += 1
        else:
            out.append(Para(p.text, p.gap, p.brk, p.bullet, p.bold, p.title))
    return out, repairs


def _piece(
    headline: MappedText | None,
    kickers: list[MappedText],
    subtitles: list[MappedText],
    bylines: list[Unit],
    paras: list[Para],
    jumps: list[str],
    repairs: int,
    kind: ArticleKind | None = None,
) -> Piece:
    captions: list[MappedText] = []
    body: list[Para] = []
    for p in paras:
        t = p.text.text
        if (p.bullet == "▲" or CAPTION_START.match(t)) and len(t) <= 200 and not p.title:
            captions.append(p.text)
        else:
            body.append(p)
    roles = {r for u in bylines for r, *_ in u.bylines}
    if kind is None:
        head = headline.text if headline is not None else ""
        total = sum(len(p.text) for p in body)
        if (
            roles
            and roles <= PHOTO_ROLES
            and len(body) <= 3
            and total <= 400
            and not any(DATELINE.match(p.text.text) for p in body)
        ):
            kind = "photo"
            captions = [p.text for p in body] + captions
            body = []
        elif NOTICE.search(head):
            kind = "notice"
        else:
            kind = "news"
    return Piece(kind, headline, kickers, subtitles, bylines, body, captions, jumps, repairs)


def _split_brief(d: Draft, subtitles: list[MappedText], paras: list[Para], jumps: list[str]) -> list[Piece]:
    """One article per item of a brief column; the column label itself is dropped."""
    parts = [Para(s, brk=True, title=True) for s in subtitles] + paras
    paras, repairs = _repair(parts)
    structured = any(p.title or p.bold or p.bullet or NUMBERED.match(p.text.text) for p in paras)
    items: list[tuple[MappedText | None, list[Para]]] = []
    for p in paras:
        starts = p.title or p.bold or bool(p.bullet) or bool(NUMBERED.match(p.text.text))
        title_only = bool(items) and items[-1][0] is not None and not items[-1][1]
        if structured and title_only and not p.title:
            items[-1][1].append(Para(p.text))  # the text under an item title
        elif not items or not structured or starts:
            if p.title or (p.bold and not ends_sentence(p.text.text)):
                items.append((p.text, []))
                continue
            title, rest = _inline_title(p) if (p.bullet or p.bold) else (None, p.text)
            items.append((title, [Para(rest)] if len(rest) else []))
        else:
            items[-1][1].append(Para(p.text))
    if not items:
        return [_piece(d.headline, d.kickers, [], d.bylines, [], jumps, repairs, kind="brief")]
    pieces = []
    for n, (title, body) in enumerate(items):
        pieces.append(
            _piece(
                title,
                d.kickers if n == 0 else [],
                [],
                d.bylines if n == 0 else [],
                body,
                jumps if n == 0 else [],
                repairs if n == 0 else 0,
                kind="brief",
            )
        )
    return pieces


def _inline_title(p: Para) -> tuple[MappedText | None, MappedText]:
    """Split ``■新埭镇开展消防演练 近日，…`` or ``【标题】正文`` into title and text."""
    m = BRIEF_TITLE.match(p.text.text)
    if not m:
        return None, p.text
    g = "b" if m.group("b") is not None else "s"
    title = p.text.slice(m.start(g), m.end(g)).strip()
    rest = p.text.slice(m.end(), len(p.text)).strip()
    if not len(rest):
        return None, p.text
    return title, rest


def build_article(piece: Piece, page: Page, paper: str, seq: int) -> Article | None:
    """Lay the piece out as one text, one field per line; None when it holds no text."""
    lay = _Layout()
    lay.fields_of(piece)
    if not len(lay.b):
        return None
    doc = page.source
    date = doc.issue_date
    lay.bylines.sort(key=lambda x: x.start)
    return Article(
        article_id=f"{paper}:{date or 'nodate'}:p{page.number}:{seq:02d}",
        paper=paper,
        issue_date=date,
        page=page.number,
        page_inferred=page.inferred,
        seq=seq,
        kind=piece.kind,
        headline=piece.headline.text if piece.headline is not None else "",
        mapped=lay.b.build(),
        fields=lay.fields,
        kicker=" ".join(k.text for k in piece.kickers if len(k)),
        subtitles=[s.text for s in piece.subtitles if len(s)],
        bylines=lay.bylines,
        dateline=lay.dateline,
        captions=[c.text for c in piece.captions],
        jumps=piece.jumps,
        repairs=piece.repairs,
        source_path=doc.path,
        source_sha256=doc.sha256,
    )


class _Layout:
    """An article's text being laid out: fields joined by newlines, each mapped to the source."""

    def __init__(self) -> None:
        self.b = MappedTextBuilder()
        self.fields: list[FieldSpan] = []
        self.bylines: list[Byline] = []
        self.dateline = ""
        self._last = -1

    def put(self, kind: FieldKind, mt: MappedText) -> int:
        """Append one field; the newline before it maps to the source offset of the character before."""
        if len(self.b):
            self.b.add_char("\n", self._last)
        s = len(self.b)
        self.b.add(mt)
        self._last = mt.origin[-1]
        self.fields.append(FieldSpan(kind, s, len(self.b)))
        return s

    def fields_of(self, piece: Piece) -> None:
        for k in piece.kickers:
            if len(k):
                self.put("kicker", k)
        if piece.headline is not None and len(piece.headline):
            self.put("headline", piece.headline)
        for s in piece.subtitles:
            if len(s):
                self.put("subtitle", s)
        for u in piece.bylines:
            s = self.put("byline", u.text)
            self.bylines.extend(Byline(r, nm, s + a, s + z) for r, nm, a, z in u.bylines)
        for i, p in enumerate(piece.paras):
            s = self.put("body", p.text)
            if i < 3 and not self.dateline:  # a table or image note may stand before the lead
                m = DATELINE.match(p.text.text)
                if m and m.group().strip():
                    self.dateline = m.group().rstrip()
                    self.fields.insert(len(self.fields) - 1, FieldSpan("dateline", s, s + len(self.dateline)))
            self.bylines.extend(inline_bylines(p.text.text, s))
        for c in piece.captions:
            s = self.put("caption", c)
            self.bylines.extend(inline_bylines(c.text, s))

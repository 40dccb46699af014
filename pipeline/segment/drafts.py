"""Drafts: the state machine that groups units into articles (headline, bylines, paragraphs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.records import MappedText
from pipeline.segment.bylines import PHOTO_ROLES
from pipeline.segment.text import DATELINE, is_brief_label
from pipeline.segment.units import Unit, UnitKind


@dataclass
class Para:
    text: MappedText
    gap: bool = False
    brk: bool = False  # markup, a byline or a jump stands between it and the previous paragraph
    bullet: str = ""
    bold: bool = False
    title: bool = False  # an in-article heading (### inside a body, item title of a brief)


@dataclass
class Draft:
    headline: MappedText | None
    kickers: list[MappedText] = field(default_factory=list)
    subtitles: list[MappedText] = field(default_factory=list)
    bylines: list[Unit] = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)
    jumps: list[str] = field(default_factory=list)
    in_body: bool = False
    has_lead: bool = False  # a paragraph opening with 本报讯 has been seen
    level: int = 0  # Markdown level of the headline

    @property
    def bare(self) -> bool:
        """Only a headline so far."""
        return not (self.kickers or self.subtitles or self.bylines or self.paras or self.jumps)

    @property
    def brief(self) -> bool:
        return self.headline is not None and is_brief_label(self.headline.text)


def _starts_article(units: list[Unit], i: int) -> bool:
    """Does the stretch from ``i`` to the next heading carry a byline or a dateline?"""
    for j in range(i, len(units)):
        u = units[j]
        if u.kind is UnitKind.HEADING:
            return False
        if u.kind is UnitKind.BYLINE or (u.kind is UnitKind.TEXT and DATELINE.match(u.text.text)):
            return True
    return False


def _lead_follows(units: list[Unit], i: int) -> bool:
    """Unit ``i`` is a reporter's byline and the unit after it opens with a dateline."""
    u = units[i]
    if all(r in PHOTO_ROLES for r, *_ in u.bylines):
        return False
    j = i + 1
    while j < len(units) and units[j].kind is UnitKind.BYLINE:
        j += 1
    return j < len(units) and units[j].kind is UnitKind.TEXT and bool(DATELINE.match(units[j].text.text))


def build_drafts(units: list[Unit]) -> list[Draft]:
    """Group units into article drafts, in page order."""
    g = _Grouper(units)
    step = {UnitKind.MARK: g.mark, UnitKind.JUMP: g.jump, UnitKind.HEADING: g.heading,
            UnitKind.BYLINE: g.byline, UnitKind.TEXT: g.text}
    for i, u in enumerate(units):
        step[u.kind](i, u)
    return g.done()


class _Grouper:
    """The state machine: the draft being filled, kicker lines and jumps waiting for the next
    headline, and whether markup (``brk``) stands before the next paragraph."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.drafts: list[Draft] = []
        self.cur: Draft | None = None
        self.kick: list[MappedText] = []
        self.jumps: list[str] = []
        self.brk = True

    def new(self, headline: MappedText | None) -> Draft:
        d = Draft(headline, kickers=self.kick, jumps=self.jumps)
        self.kick, self.jumps, self.brk = [], [], True
        self.drafts.append(d)
        self.cur = d
        return d

    def mark(self, _i: int, _u: Unit) -> None:
        self.brk = True

    def jump(self, _i: int, u: Unit) -> None:
        (self.cur.jumps if self.cur is not None else self.jumps).append(u.jump)
        self.brk = True

    def heading(self, i: int, u: Unit) -> None:
        if u.level <= 2:
            self._headline(u)
        else:
            self._minor_heading(i, u)

    def _headline(self, u: Unit) -> None:
        cur = self.cur
        if cur is not None and cur.brief and not u.strong:
            for k in self.kick:
                cur.paras.append(Para(k, brk=True, title=True))
            self.kick = []
            cur.paras.append(Para(u.text, brk=True, title=True))
            self.brk = True
            return
        if cur is not None and cur.bare and cur.headline is not None and cur.level < u.level:
            # "# 要闻" or "# 主标题" right above "## 标题": the upper line is read as
            # a kicker rather than as an article holding nothing but a headline.
            self.drafts.pop()
            self.kick = [*cur.kickers, cur.headline, *self.kick]
        self.new(u.text).level = u.level

    def _minor_heading(self, i: int, u: Unit) -> None:
        cur, units = self.cur, self.units
        if cur is not None and not cur.in_body and cur.headline is not None:
            cur.subtitles.append(u.text)
        elif i + 1 < len(units) and units[i + 1].kind is UnitKind.HEADING and units[i + 1].level <= 2:
            self.kick.append(u.text)
        elif cur is not None and cur.in_body and (cur.brief or not _starts_article(units, i + 1)):
            cur.paras.append(Para(u.text, brk=True, title=True))
            self.brk = True
        else:
            self.new(u.text)

    def byline(self, i: int, u: Unit) -> None:
        cur = self.cur
        if cur is None or (cur.has_lead and not cur.brief and _lead_follows(self.units, i)):
            cur = self.new(None)  # a reporter's byline and a new lead: an article without headline
        cur.bylines.append(u)
        self.brk = True

    def text(self, _i: int, u: Unit) -> None:
        cur = self.cur
        lead = bool(DATELINE.match(u.text.text))
        if cur is None or (lead and cur.has_lead and not cur.brief):
            cur = self.new(None)  # a second 本报讯 inside an article starts one without headline
        cur.has_lead = cur.has_lead or lead
        cur.paras.append(Para(u.text, gap=u.gap, brk=self.brk, bullet=u.bullet, bold=u.bold))
        cur.in_body = True
        self.brk = False

    def done(self) -> list[Draft]:
        if self.kick or self.jumps:  # kicker-like lines with nothing after them: keep their text
            d = self.new(None)
            d.paras.extend(Para(k, brk=True, title=True) for k in d.kickers)
            d.kickers = []
        return self.drafts

"""Units: one per non-blank line of a page, typed (heading, byline, jump, text, markup), and the
layout rules that read plain-text lines as headlines.

Why typed: the draft state machine branches on a unit's kind; an enum makes a misspelt kind an
error at import instead of a branch that silently never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from pipeline.records import MappedText, MappedTextBuilder
from pipeline.segment.bylines import PHOTO_ROLES, parse_byline
from pipeline.segment.text import (
    BULLETS,
    CONT_CHARS,
    DATELINE,
    HEADING_RE,
    INLINE,
    JUMP_LINE,
    LIST,
    MAX_HEADLINE,
    MAX_WEAK_HEADLINE,
    NUMBERED,
    OPENERS,
    PAGE_HEADING,
    QUOTE,
    RULE,
    TABLE_SEP,
    ends_sentence,
    is_brief_label,
)


class UnitKind(Enum):
    HEADING = "H"  # a headline (level 1-2) or kicker/subtitle/photo title (level 3+)
    BYLINE = "BY"
    JUMP = "JUMP"  # 转第2版
    TEXT = "T"
    MARK = "MARK"  # rules, images, page headings: markup that only separates


@dataclass
class Unit:
    kind: UnitKind
    text: MappedText
    level: int = 0  # heading level: 1-2 headline, 3+ kicker/subtitle/photo title
    bullet: str = ""
    bold: bool = False
    gap: bool = False  # a blank line separates it from the unit before
    bylines: list[tuple[str, str, int, int]] = field(default_factory=list)
    jump: str = ""
    strong: bool = True  # a headline from markup or confirmed by what follows it
    table: bool = False  # a table row (never a headline)


def read_units(norm: MappedText, raw: str) -> list[Unit]:
    """One unit per non-blank line.  Markup is recognised on the raw text (normalisation
    would turn the parentheses of ``[text](url)`` into full-width ones); content comes from
    the normalised text, which has the same offsets."""
    text = norm.text
    units: list[Unit] = []
    gap = False
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        unit = _unit(norm, raw, pos, end)
        if unit is None:
            gap = True
        else:
            unit.gap = gap
            gap = False
            units.append(unit)
        if nl < 0:
            break
        pos = nl + 1
    return units


def _unit(norm: MappedText, text: str, s: int, e: int) -> Unit | None:
    line = text[s:e]
    if not norm.text[s:e].strip():
        return None
    if PAGE_HEADING.match(line) or RULE.match(line):
        return Unit(UnitKind.MARK, MappedText())
    level = 0
    p = s
    m = HEADING_RE.match(text, p, e)
    if m:
        level = len(m.group(1))
        p = m.end()
    else:
        m = QUOTE.match(text, p, e)
        if m and m.end() > p:
            p = m.end()
        m = LIST.match(text, p, e)
        if m:
            p = m.end()
    rest = text[p:e].strip()
    table = rest.startswith("|")
    if table and TABLE_SEP.match(rest):
        return Unit(UnitKind.MARK, MappedText())
    bold = len(rest) > 4 and rest.startswith("**") and rest.endswith("**")
    b = MappedTextBuilder()
    cur = p
    for im in INLINE.finditer(text, p, e):
        _add_plain(b, norm, text, cur, im.start(), table)
        if im.group("lt") is not None:
            _add_plain(b, norm, text, im.start("lt"), im.end("lt"), table)
        cur = im.end()
    _add_plain(b, norm, text, cur, e, table)
    content = b.build().strip()
    bullet = ""
    if len(content) and content.text[0] in BULLETS:
        bullet = content.text[0]
        content = content.slice(1, len(content)).strip()
    if not len(content):
        return Unit(UnitKind.MARK, MappedText())
    if level:
        return Unit(UnitKind.HEADING, content, level=level, bold=bold)
    t = content.text
    jm = JUMP_LINE.match(t)
    if jm:
        return Unit(UnitKind.JUMP, content, jump=re.sub(r"[ \t]", "", jm.group(1)))
    by = parse_byline(t)
    if by is not None:
        return Unit(UnitKind.BYLINE, content, bullet=bullet, bylines=by)
    return Unit(UnitKind.TEXT, content, bullet=bullet, bold=bold, table=table)


def _add_plain(b: MappedTextBuilder, norm: MappedText, text: str, s: int, e: int, table: bool) -> None:
    if s >= e:
        return
    if not table:
        b.add(norm.slice(s, e))
        return
    # Table row: cell bars become spaces (mapped to the bar) so that cells stay apart.
    cur = s
    while True:
        bar = text.find("|", cur, e)
        if bar < 0:
            b.add(norm.slice(cur, e))
            return
        b.add(norm.slice(cur, bar))
        b.add_char(" ", norm.origin[bar])
        cur = bar + 1


class HeadlineLayout:
    """Which plain-text lines are headlines by their layout (short, unpunctuated, confirmed)."""

    def __init__(self, max_headline: int = MAX_HEADLINE, max_weak_headline: int = MAX_WEAK_HEADLINE) -> None:
        self.max_headline = max_headline
        self.max_weak_headline = max_weak_headline

    def _candidate(self, units: list[Unit], i: int) -> bool:
        """Could unit ``i`` be a headline line: short, unpunctuated text, not a dateline."""
        u = units[i]
        if u.kind is not UnitKind.TEXT or u.bullet or u.table:
            return False
        t = u.text.text
        if not 2 <= len(t) <= self.max_headline:
            return False
        if ends_sentence(t) or t[-1] in OPENERS or "。" in t or "；" in t:
            return False
        return not DATELINE.match(t) and not NUMBERED.match(t)

    @staticmethod
    def _continues_previous(units: list[Unit], i: int) -> bool:
        """Unit ``i`` is the next line of a paragraph that has not ended (no blank between)."""
        if i == 0:
            return False
        prev, u = units[i - 1], units[i]
        return prev.kind is UnitKind.TEXT and not u.gap and not ends_sentence(prev.text.text)

    def infer(self, units: list[Unit], markdown: bool) -> None:
        """Turn text units that are headlines by their layout into H units.

        Markdown pages trust their marks and only fix a missing mark when a byline or dateline
        follows directly; plain pages also accept a run of up to three short lines (kicker,
        headline, subtitle) before a byline or dateline, a title above a photo caption and its
        photo credit, and, weakly, a lone short line between two finished paragraphs.
        """
        n = len(units)
        for u in units:
            if u.kind is UnitKind.TEXT and not u.bullet and is_brief_label(u.text.text):
                u.kind, u.level = UnitKind.HEADING, 2
        for k in range(n):
            c = units[k]
            photo = c.kind is UnitKind.BYLINE and all(r in PHOTO_ROLES for r, *_ in c.bylines)
            confirms = (c.kind is UnitKind.BYLINE and not photo) or (
                c.kind is UnitKind.TEXT and bool(DATELINE.match(c.text.text))
            )
            last = k - 1
            if not confirms and photo and not markdown and k >= 2:
                cap = units[k - 1]
                if cap.kind is UnitKind.TEXT and len(cap.text) <= 300 and not self._candidate(units, k - 1):
                    confirms, last = True, k - 2
            if not confirms or last < 0 or not self._candidate(units, last):
                continue
            first = last
            limit = 1 if markdown else 3
            while first - 1 >= 0 and last - first + 1 < limit and self._candidate(units, first - 1):
                first -= 1
            while first <= last and self._continues_previous(units, first):
                first += 1
            if first > last:
                continue
            if markdown:
                prev = units[first - 1] if first > 0 else None
                units[first].kind = UnitKind.HEADING
                units[first].level = 3 if prev is not None and prev.kind is UnitKind.HEADING else 2
                continue
            run = units[first : last + 1]
            if len(run) == 1:
                levels = [2]
            elif len(run) == 2:
                levels = [2, 3]
            else:
                levels = [3, 2, 3]
            for ru, lv in zip(run, levels, strict=True):
                ru.kind, ru.level = UnitKind.HEADING, lv
        if markdown:
            return
        for i in range(n):
            if self._weak_headline(units, i):
                units[i].kind, units[i].level, units[i].strong = UnitKind.HEADING, 2, False

    def _weak_headline(self, units: list[Unit], i: int) -> bool:
        if not self._candidate(units, i):
            return False
        t = units[i].text.text
        if len(t) < 4 or len(t) > self.max_weak_headline or "，" in t or "," in t:
            return False
        if t[-1] in CONT_CHARS:
            return False
        if i > 0:
            prev = units[i - 1]
            if prev.kind is UnitKind.TEXT and not ends_sentence(prev.text.text):
                return False
        if i + 1 >= len(units):
            return False
        nxt = units[i + 1]
        if nxt.kind is not UnitKind.TEXT or self._candidate(units, i + 1):
            return False
        return len(nxt.text) >= 40 or ends_sentence(nxt.text.text)

"""Cut a newspaper page into articles, with every character mapped back to the source.

Two input styles occur:

* Markdown written by an OCR tool: ``## `` headline, ``### `` kicker (above a headline) or
  subtitle (below it) or the title of a photo item, ``■记者 X`` bylines, ``本报讯 3月24日下午,``
  datelines, blank lines between paragraphs.
* plain text without marks, where headlines are found by layout: a short line without closing
  punctuation, followed by a byline, a dateline paragraph, or body text.

The page is normalised once (``normalize.normalize_str`` is 1:1, so page offsets stay source
offsets) and then cut into *units*, one per non-blank line: headings, bylines, jump lines
(转第2版), markup (rules, images, page headings) and text.  A small state machine groups units
into article drafts; each draft then gets its column breaks repaired, inline jumps removed,
brief columns split into items, and is finally assembled into an :class:`Article`.

Article text layout: one field per line, joined by "\\n", in the order kicker(s), headline,
subtitle(s), byline line(s), body paragraphs, captions.  Each "\\n" maps to the source offset of
the character before it.  ``Article.fields`` holds one FieldSpan per line; in addition, when a
body paragraph (normally the first; one of the first three) opens with a dateline
(``本报讯 3月24日下午``), a ``dateline`` FieldSpan covering that prefix is listed *just before*
the body span that contains it.  That is the only way fields nest, and it makes
``Article.field_at`` answer ``dateline`` for those characters.

Traditional characters: marker words (本報訊, 記者, 轉第2版, 簡訊 …) are recognised in either
form; byline roles are recorded in simplified form (記者 → 记者), names and text as printed.

What is dropped as markup (and so appears in no field): Markdown heading/quote/list marks,
bullet marks (■ ● ◆ ▲ …), emphasis marks, HTML tags, images, horizontal rules, page headings,
table separator rows and cell bars, jump notes (kept in ``Article.jumps``) and the label of a
brief column (简讯, 一句话新闻 …), which names the column, not an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InputError
from .normalize import normalize, to_traditional_markers, with_traditional
from .records import Article, ArticleKind, Byline, FieldKind, FieldSpan, Page
from .textmap import MappedText, MappedTextBuilder

# ---------------------------------------------------------------------------------------------
# Character classes and small predicates
# ---------------------------------------------------------------------------------------------

BULLETS = frozenset("■●◆▲★◎•▪►▶◇")  # not □: OCR prints it for unreadable characters
# Marks that end a sentence (after normalisation; ASCII forms stay for Latin text).
FINAL = frozenset("。！？…!?；;：:")
CLOSERS = frozenset("”’」』）)》】〕\"'")
# Characters a headline cannot end with: they always continue into the next words.
_OPENERS = frozenset("，,、（(“‘《【〔-—·")
# Function words a Chinese headline practically never ends with, but a broken line often does.
_CONT_CHARS = frozenset("的了和与及在于对将把被为是向从以并而或之其所且也都就还又再很更最由给让使跟同着过")

MAX_HEADLINE = 40  # longest line read as a headline in plain text
MAX_WEAK_HEADLINE = 30  # longest headline accepted without a byline or dateline to confirm it

_BRIEF_LABEL = re.compile(
    with_traditional(r"^.{0,6}?(?:简讯|速递|短讯|快讯|简报|一句话新闻|新闻集锦|新闻速览)$")
)
_NOTICE = re.compile(with_traditional(r"公告|通告|启事|公示"))

# Page headings inside a page (the page splitter already cut at them): markup here.
_PAGE_HEADING = re.compile(
    r"^[ \t#=*\-_>【\[]*(?:第\s*\d{1,3}\s*版|[A-Za-z]\s*\d{1,3}\s*版)"
    r"(?:[ \t]*[:：·|｜\-—_ ][^\n。，,！？!?；;]{0,16}?)?[ \t=*\-_】\]]*$"
)
_RULE = re.compile(r"^[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = re.compile(r"^[ \t|:\-+]*$")
_HEADING = re.compile(r"[ \t]*(#{1,6})(?:[ \t]+|(?=[^\x00-\x7f]))")
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
_LIST = re.compile(r"[ \t]*[-*+][ \t]+(?=\S)")
_INLINE = re.compile(
    r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"  # image: dropped
    r"|\[(?P<lt>[^\]\n]{1,500})\]\([^)\n]{0,2000}\)"  # link: its text is kept
    r"|<!--[^\n]{0,2000}?-->"
    r"|</?[A-Za-z][A-Za-z0-9]{0,15}(?:[ \t/][^<>\n]{0,500})?>"  # HTML tag
    r"|\*{2,}|_{2,}|~{2,}|`+"  # emphasis, strike-through, code marks
)

_DATELINE = re.compile(
    with_traditional(r"^(?:本报(?:综合)?(?:讯|消息))")
    + r"(?:[ \t]*[（(][^（）()\n]{0,60}[）)])?"
    + with_traditional(
        r"(?:[ \t]*(?:\d{1,2}月\d{1,2}日|\d{1,2}日)(?:上午|中午|下午|凌晨|清晨|早上|晚上|傍晚|晚间|夜间)?)?"
    )
)
_NUMBERED = re.compile(
    r"^(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）])"
)
_CAPTION_START = re.compile(
    with_traditional(r"^(?:图为|[（(]?图[：:]|上图[：:]?|下图[：:]?|左图[：:]?|右图[：:]?)")
)
_JUMP = with_traditional(r"((?:下转|上接|转|接|续)") + r"[ \t]*(?:第[ \t]*)?[A-Za-z]?[ \t]*\d{1,3}[ \t]*版)"
_JUMP_LINE = re.compile(r"^[（(【\[]?[ \t]*" + _JUMP + r"[ \t]*[）)】\]]?$")
_JUMP_INLINE = re.compile(r"[（(][ \t]*" + _JUMP + r"[ \t]*[）)]")
_PAREN = re.compile(r"[（(]([^（）()\n]{2,60})[）)]")
_BYLINE_TOKEN = re.compile(r"[^\s、，,：:;；]+")
_NAME = re.compile(r"(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}·[\u4e00-\u9fff]{1,8})")
_BRIEF_TITLE = re.compile(r"^(?:【(?P<b>[^】\n]{1,30})】|(?P<s>[^\s。，,；;！？!?]{2,30}?)[ \t]+(?=\S))")

# Byline roles as printed, mapped to the role recorded.
ROLES: dict[str, str] = {
    "记者": "记者",
    "本报记者": "记者",
    "首席记者": "记者",
    "特约记者": "特约记者",
    "见习记者": "见习记者",
    "实习记者": "实习记者",
    "实习生": "实习生",
    "通讯员": "通讯员",
    "本报通讯员": "通讯员",
    "特约通讯员": "通讯员",
    "摄影": "摄影",
    "摄影记者": "摄影",
    "摄像": "摄像",
    "文/图": "文/图",
    "图/文": "文/图",
    "文图": "文/图",
    "图文": "文/图",
    "文": "文",
    "图": "图",
    "撰稿": "文",
    "供图": "图",
    "编辑": "编辑",
    "本版编辑": "编辑",
    "美术编辑": "美编",
    "责任编辑": "编辑",
    "责编": "编辑",
    "美编": "美编",
    "校对": "校对",
}
ROLES.update({to_traditional_markers(k): v for k, v in list(ROLES.items())})
_PHOTO_CREDIT = frozenset({"摄", "攝"})
_CREDIT_TAIL = frozenset({"摄", "攝", "报道", "報道", "采写", "採寫"})
_PREFIX_ROLES = sorted((r for r in ROLES if len(r) >= 2), key=len, reverse=True)
_PHOTO_ROLES = frozenset({"摄影", "图", "摄像"})


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends a sentence: 。！？…；： possibly followed by closing quotes.

    A trailing parenthesis ends a sentence when it holds a byline or 完 (（通讯员 X）, （完）).
    Empty text counts as ended, so nothing is ever joined onto it.
    """
    t = text.rstrip()
    if not t:
        return True
    i = len(t) - 1
    while i >= 0 and t[i] in CLOSERS:
        i -= 1
    if i < 0:
        return True
    if t[i] in FINAL:
        return True
    if i < len(t) - 1 and t[-1] in "）)":
        m = re.search(r"[（(]([^（）()]{1,60})[）)]$", t)
        if m and (m.group(1).strip() in ("完", "全文完") or parse_byline(m.group(1)) is not None):
            return True
    return False


def is_brief_label(text: str) -> bool:
    """A brief-column heading such as 简讯, 一句话新闻, 新闻速递, 【镇街简讯】."""
    t = text.strip().strip("【】[]〔〕").strip()
    return 2 <= len(t) <= 12 and bool(_BRIEF_LABEL.match(t))


def _is_name(tok: str) -> bool:
    return tok not in ROLES and _NAME.fullmatch(tok) is not None


def parse_byline(text: str) -> list[tuple[str, str, int, int]] | None:
    """Parse a byline such as ``记者 A 通讯员 B C`` or ``A 摄`` (A, B, C: 2-4 character names).

    Returns ``[(role, name, start, end), ...]`` with offsets into ``text``, or None when the
    text is not a byline (any token that is neither a role nor a 2-4 character name).
    """
    if len(text) > 60:
        return None
    out: list[tuple[str, str, int, int]] = []
    pending: list[tuple[str, int]] = []
    role: str | None = None
    for m in _BYLINE_TOKEN.finditer(text):
        tok, s = m.group(), m.start()
        if tok in ROLES:
            role = ROLES[tok]
            continue
        if tok in _PHOTO_CREDIT and pending:
            out.extend(("摄影", n, ps, ps + len(n)) for n, ps in pending)
            pending = []
            continue
        if tok in _CREDIT_TAIL and out:
            continue
        if _is_name(tok):
            if role is None:
                pending.append((tok, s))
            else:
                out.append((role, tok, s, s + len(tok)))
            continue
        for r in _PREFIX_ROLES:  # 记者A: role and name without a space
            if tok.startswith(r) and _is_name(tok[len(r) :]):
                role = ROLES[r]
                out.append((role, tok[len(r) :], s + len(r), s + len(tok)))
                break
        else:
            return None
    if pending or not out:
        return None
    return out


# ---------------------------------------------------------------------------------------------
# Units: one per non-blank line
# ---------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    kind: str  # H (heading), BY (byline), JUMP, T (text), MARK
    text: MappedText
    level: int = 0  # heading level: 1-2 headline, 3+ kicker/subtitle/photo title
    bullet: str = ""
    bold: bool = False
    gap: bool = False  # a blank line separates it from the unit before
    bylines: list[tuple[str, str, int, int]] = field(default_factory=list)
    jump: str = ""
    strong: bool = True  # a headline from markup or confirmed by what follows it
    table: bool = False  # a table row (never a headline)


@dataclass
class _Para:
    text: MappedText
    gap: bool = False
    brk: bool = False  # markup, a byline or a jump stands between it and the previous paragraph
    bullet: str = ""
    bold: bool = False
    title: bool = False  # an in-article heading (### inside a body, item title of a brief)


@dataclass
class _Draft:
    headline: MappedText | None
    kickers: list[MappedText] = field(default_factory=list)
    subtitles: list[MappedText] = field(default_factory=list)
    bylines: list[_Unit] = field(default_factory=list)
    paras: list[_Para] = field(default_factory=list)
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


@dataclass
class _Piece:
    """A finished article before it is laid out as text."""

    kind: ArticleKind
    headline: MappedText | None
    kickers: list[MappedText]
    subtitles: list[MappedText]
    bylines: list[_Unit]
    paras: list[_Para]
    captions: list[MappedText]
    jumps: list[str]
    repairs: int


def _concat(parts: list[MappedText]) -> MappedText:
    b = MappedTextBuilder()
    for p in parts:
        b.add(p)
    return b.build()


def _drop_spans(mt: MappedText, spans: list[tuple[int, int]]) -> MappedText:
    if not spans:
        return mt
    parts, pos = [], 0
    for s, e in spans:
        parts.append(mt.slice(pos, s))
        pos = e
    parts.append(mt.slice(pos, len(mt)))
    return _concat(parts).strip()


class Segmenter:
    """Cuts pages into :class:`Article` records (see the module docstring for the layout)."""

    def __init__(self, max_headline: int = MAX_HEADLINE, max_weak_headline: int = MAX_WEAK_HEADLINE) -> None:
        self.max_headline = max_headline
        self.max_weak_headline = max_weak_headline

    # -- public ---------------------------------------------------------------------------------

    def segment(self, page: Page, paper: str | None = None) -> list[Article]:
        """The articles of ``page`` in page order; InputError when the page holds no text."""
        doc = page.source
        paper = paper or doc.paper
        raw = doc.text[page.start : page.end]
        norm = normalize(raw, page.start)
        units = self._units(norm, raw)
        markdown = any(u.kind == "H" for u in units)
        self._infer_headlines(units, markdown)
        pieces: list[_Piece] = []
        for draft in self._drafts(units):
            pieces.extend(self._finish(draft))
        articles: list[Article] = []
        for piece in pieces:
            art = self._build(piece, page, paper, len(articles) + 1)
            if art is not None:
                articles.append(art)
        if not articles:
            raise InputError(doc.path, f"no articles found on page {page.number}")
        return articles

    # -- units ----------------------------------------------------------------------------------

    def _units(self, norm: MappedText, raw: str) -> list[_Unit]:
        """One unit per non-blank line.  Markup is recognised on the raw text (normalisation
        would turn the parentheses of ``[text](url)`` into full-width ones); content comes from
        the normalised text, which has the same offsets."""
        text = norm.text
        units: list[_Unit] = []
        gap = False
        pos = 0
        n = len(text)
        while pos <= n:
            nl = text.find("\n", pos)
            end = n if nl < 0 else nl
            unit = self._unit(norm, raw, pos, end)
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

    def _unit(self, norm: MappedText, text: str, s: int, e: int) -> _Unit | None:
        line = text[s:e]
        if not norm.text[s:e].strip():
            return None
        if _PAGE_HEADING.match(line) or _RULE.match(line):
            return _Unit("MARK", MappedText())
        level = 0
        p = s
        m = _HEADING.match(text, p, e)
        if m:
            level = len(m.group(1))
            p = m.end()
        else:
            m = _QUOTE.match(text, p, e)
            if m and m.end() > p:
                p = m.end()
            m = _LIST.match(text, p, e)
            if m:
                p = m.end()
        rest = text[p:e].strip()
        table = rest.startswith("|")
        if table and _TABLE_SEP.match(rest):
            return _Unit("MARK", MappedText())
        bold = len(rest) > 4 and rest.startswith("**") and rest.endswith("**")
        b = MappedTextBuilder()
        cur = p
        for im in _INLINE.finditer(text, p, e):
            self._add_plain(b, norm, text, cur, im.start(), table)
            if im.group("lt") is not None:
                self._add_plain(b, norm, text, im.start("lt"), im.end("lt"), table)
            cur = im.end()
        self._add_plain(b, norm, text, cur, e, table)
        content = b.build().strip()
        bullet = ""
        if len(content) and content.text[0] in BULLETS:
            bullet = content.text[0]
            content = content.slice(1, len(content)).strip()
        if not len(content):
            return _Unit("MARK", MappedText())
        if level:
            return _Unit("H", content, level=level, bold=bold)
        t = content.text
        jm = _JUMP_LINE.match(t)
        if jm:
            return _Unit("JUMP", content, jump=re.sub(r"[ \t]", "", jm.group(1)))
        by = parse_byline(t)
        if by is not None:
            return _Unit("BY", content, bullet=bullet, bylines=by)
        return _Unit("T", content, bullet=bullet, bold=bold, table=table)

    @staticmethod
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

    # -- headlines found by layout --------------------------------------------------------------

    def _candidate(self, units: list[_Unit], i: int) -> bool:
        """Could unit ``i`` be a headline line: short, unpunctuated text, not a dateline."""
        u = units[i]
        if u.kind != "T" or u.bullet or u.table:
            return False
        t = u.text.text
        if not 2 <= len(t) <= self.max_headline:
            return False
        if ends_sentence(t) or t[-1] in _OPENERS or "。" in t or "；" in t:
            return False
        return not _DATELINE.match(t) and not _NUMBERED.match(t)

    @staticmethod
    def _continues_previous(units: list[_Unit], i: int) -> bool:
        """Unit ``i`` is the next line of a paragraph that has not ended (no blank between)."""
        if i == 0:
            return False
        prev, u = units[i - 1], units[i]
        return prev.kind == "T" and not u.gap and not ends_sentence(prev.text.text)

    def _infer_headlines(self, units: list[_Unit], markdown: bool) -> None:
        """Turn text units that are headlines by their layout into H units.

        Markdown pages trust their marks and only fix a missing mark when a byline or dateline
        follows directly; plain pages also accept a run of up to three short lines (kicker,
        headline, subtitle) before a byline or dateline, a title above a photo caption and its
        photo credit, and, weakly, a lone short line between two finished paragraphs.
        """
        n = len(units)
        for u in units:
            if u.kind == "T" and not u.bullet and is_brief_label(u.text.text):
                u.kind, u.level = "H", 2
        for k in range(n):
            c = units[k]
            photo = c.kind == "BY" and all(r in _PHOTO_ROLES for r, *_ in c.bylines)
            confirms = (c.kind == "BY" and not photo) or (
                c.kind == "T" and bool(_DATELINE.match(c.text.text))
            )
            last = k - 1
            if not confirms and photo and not markdown and k >= 2:
                cap = units[k - 1]
                if cap.kind == "T" and len(cap.text) <= 300 and not self._candidate(units, k - 1):
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
                units[first].kind = "H"
                units[first].level = 3 if prev is not None and prev.kind == "H" else 2
                continue
            run = units[first : last + 1]
            if len(run) == 1:
                levels = [2]
            elif len(run) == 2:
                levels = [2, 3]
            else:
                levels = [3, 2, 3]
            for ru, lv in zip(run, levels, strict=True):
                ru.kind, ru.level = "H", lv
        if markdown:
            return
        for i in range(n):
            if self._weak_headline(units, i):
                units[i].kind, units[i].level, units[i].strong = "H", 2, False

    def _weak_headline(self, units: list[_Unit], i: int) -> bool:
        if not self._candidate(units, i):
            return False
        t = units[i].text.text
        if len(t) < 4 or len(t) > self.max_weak_headline or "，" in t or "," in t:
            return False
        if t[-1] in _CONT_CHARS:
            return False
        if i > 0:
            prev = units[i - 1]
            if prev.kind == "T" and not ends_sentence(prev.text.text):
                return False
        if i + 1 >= len(units):
            return False
        nxt = units[i + 1]
        if nxt.kind != "T" or self._candidate(units, i + 1):
            return False
        return len(nxt.text) >= 40 or ends_sentence(nxt.text.text)

    # -- drafts ---------------------------------------------------------------------------------

    @staticmethod
    def _starts_article(units: list[_Unit], i: int) -> bool:
        """Does the stretch from ``i`` to the next heading carry a byline or a dateline?"""
        for j in range(i, len(units)):
            u = units[j]
            if u.kind == "H":
                return False
            if u.kind == "BY" or (u.kind == "T" and _DATELINE.match(u.text.text)):
                return True
        return False

    @staticmethod
    def _lead_follows(units: list[_Unit], i: int) -> bool:
        """Unit ``i`` is a reporter's byline and the unit after it opens with a dateline."""
        u = units[i]
        if all(r in _PHOTO_ROLES for r, *_ in u.bylines):
            return False
        j = i + 1
        while j < len(units) and units[j].kind == "BY":
            j += 1
        return j < len(units) and units[j].kind == "T" and bool(_DATELINE.match(units[j].text.text))

    def _drafts(self, units: list[_Unit]) -> list[_Draft]:
        drafts: list[_Draft] = []
        cur: _Draft | None = None
        kick: list[MappedText] = []
        jumps: list[str] = []
        brk = True

        def new(headline: MappedText | None) -> _Draft:
            nonlocal kick, jumps, brk
            d = _Draft(headline, kickers=kick, jumps=jumps)
            kick, jumps, brk = [], [], True
            drafts.append(d)
            return d

        n = len(units)
        for i, u in enumerate(units):
            if u.kind == "MARK":
                brk = True
            elif u.kind == "JUMP":
                (cur.jumps if cur is not None else jumps).append(u.jump)
                brk = True
            elif u.kind == "H" and u.level <= 2:
                if cur is not None and cur.brief and not u.strong:
                    for k in kick:
                        cur.paras.append(_Para(k, brk=True, title=True))
                    kick = []
                    cur.paras.append(_Para(u.text, brk=True, title=True))
                    brk = True
                else:
                    if cur is not None and cur.bare and cur.headline is not None and cur.level < u.level:
                        # "# 要闻" or "# 主标题" right above "## 标题": the upper line is read as
                        # a kicker rather than as an article holding nothing but a headline.
                        drafts.pop()
                        kick = [*cur.kickers, cur.headline, *kick]
                    cur = new(u.text)
                    cur.level = u.level
            elif u.kind == "H":
                if cur is not None and not cur.in_body and cur.headline is not None:
                    cur.subtitles.append(u.text)
                elif i + 1 < n and units[i + 1].kind == "H" and units[i + 1].level <= 2:
                    kick.append(u.text)
                elif (
                    cur is not None and cur.in_body and (cur.brief or not self._starts_article(units, i + 1))
                ):
                    cur.paras.append(_Para(u.text, brk=True, title=True))
                    brk = True
                else:
                    cur = new(u.text)
            elif u.kind == "BY":
                if cur is None or (cur.has_lead and not cur.brief and self._lead_follows(units, i)):
                    cur = new(None)  # a reporter's byline and a new lead: an article without headline
                cur.bylines.append(u)
                brk = True
            else:  # T
                lead = bool(_DATELINE.match(u.text.text))
                if cur is None or (lead and cur.has_lead and not cur.brief):
                    cur = new(None)  # a second 本报讯 inside an article starts one without headline
                cur.has_lead = cur.has_lead or lead
                cur.paras.append(_Para(u.text, gap=u.gap, brk=brk, bullet=u.bullet, bold=u.bold))
                cur.in_body = True
                brk = False
        if kick or jumps:  # kicker-like lines with nothing after them: keep their text
            d = new(None)
            d.paras.extend(_Para(k, brk=True, title=True) for k in d.kickers)
            d.kickers = []
        return drafts

    # -- finishing a draft ----------------------------------------------------------------------

    @staticmethod
    def _strip_jumps(mt: MappedText, jumps: list[str]) -> MappedText:
        spans = []
        for m in _JUMP_INLINE.finditer(mt.text):
            jumps.append(re.sub(r"[ \t]", "", m.group(1)))
            spans.append((m.start(), m.end()))
        return _drop_spans(mt, spans)

    @staticmethod
    def _title_like(p: _Para) -> bool:
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

    def _can_join(self, a: _Para, b: _Para) -> bool:
        """May paragraph ``b`` continue paragraph ``a`` (a column break or a wrapped line)?"""
        if b.brk or b.bullet or b.title or b.bold or self._title_like(a):
            return False
        if ends_sentence(a.text.text):
            return False
        bt = b.text.text
        return not (_DATELINE.match(bt) or _NUMBERED.match(bt) or _CAPTION_START.match(bt))

    def _repair(self, paras: list[_Para]) -> tuple[list[_Para], int]:
        out: list[_Para] = []
        repairs = 0
        for p in paras:
            if out and self._can_join(out[-1], p):
                a = out[-1]
                parts = [a.text, p.text]
                at, bt = a.text.text, p.text.text
                if at[-1].isascii() and at[-1].isalnum() and bt[0].isascii() and bt[0].isalnum():
                    sep = MappedTextBuilder()
                    sep.add_char(" ", a.text.origin[-1])
                    parts.insert(1, sep.build())
                a.text = _concat(parts)
                if p.gap:
                    repairs += 1
            else:
                out.append(_Para(p.text, p.gap, p.brk, p.bullet, p.bold, p.title))
        return out, repairs

    def _finish(self, d: _Draft) -> list[_Piece]:
        jumps = list(d.jumps)
        headline = self._strip_jumps(d.headline, jumps) if d.headline is not None else None
        kickers = [self._strip_jumps(k, jumps) for k in d.kickers]
        subtitles = [self._strip_jumps(s, jumps) for s in d.subtitles]
        paras = []
        for p in d.paras:
            t = self._strip_jumps(p.text, jumps)
            if len(t):
                p.text = t
                paras.append(p)
        if d.brief:
            return self._split_brief(d, subtitles, paras, jumps)
        paras, repairs = self._repair(paras)
        return [self._piece(headline, kickers, subtitles, d.bylines, paras, jumps, repairs)]

    def _piece(
        self,
        headline: MappedText | None,
        kickers: list[MappedText],
        subtitles: list[MappedText],
        bylines: list[_Unit],
        paras: list[_Para],
        jumps: list[str],
        repairs: int,
        kind: ArticleKind | None = None,
    ) -> _Piece:
        captions: list[MappedText] = []
        body: list[_Para] = []
        for p in paras:
            t = p.text.text
            if (p.bullet == "▲" or _CAPTION_START.match(t)) and len(t) <= 200 and not p.title:
                captions.append(p.text)
            else:
                body.append(p)
        roles = {r for u in bylines for r, *_ in u.bylines}
        if kind is None:
            head = headline.text if headline is not None else ""
            total = sum(len(p.text) for p in body)
            if (
                roles
                and roles <= _PHOTO_ROLES
                and len(body) <= 3
                and total <= 400
                and not any(_DATELINE.match(p.text.text) for p in body)
            ):
                kind = "photo"
                captions = [p.text for p in body] + captions
                body = []
            elif _NOTICE.search(head):
                kind = "notice"
            else:
                kind = "news"
        return _Piece(kind, headline, kickers, subtitles, bylines, body, captions, jumps, repairs)

    def _split_brief(
        self, d: _Draft, subtitles: list[MappedText], paras: list[_Para], jumps: list[str]
    ) -> list[_Piece]:
        """One article per item of a brief column; the column label itself is dropped."""
        parts = [_Para(s, brk=True, title=True) for s in subtitles] + paras
        paras, repairs = self._repair(parts)
        structured = any(p.title or p.bold or p.bullet or _NUMBERED.match(p.text.text) for p in paras)
        items: list[tuple[MappedText | None, list[_Para]]] = []
        for p in paras:
            starts = p.title or p.bold or bool(p.bullet) or bool(_NUMBERED.match(p.text.text))
            title_only = bool(items) and items[-1][0] is not None and not items[-1][1]
            if structured and title_only and not p.title:
                items[-1][1].append(_Para(p.text))  # the text under an item title
            elif not items or not structured or starts:
                if p.title or (p.bold and not ends_sentence(p.text.text)):
                    items.append((p.text, []))
                    continue
                title, rest = self._inline_title(p) if (p.bullet or p.bold) else (None, p.text)
                items.append((title, [_Para(rest)] if len(rest) else []))
            else:
                items[-1][1].append(_Para(p.text))
        if not items:
            return [self._piece(d.headline, d.kickers, [], d.bylines, [], jumps, repairs, kind="brief")]
        pieces = []
        for n, (title, body) in enumerate(items):
            pieces.append(
                self._piece(
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

    @staticmethod
    def _inline_title(p: _Para) -> tuple[MappedText | None, MappedText]:
        """Split ``■新埭镇开展消防演练 近日，…`` or ``【标题】正文`` into title and text."""
        m = _BRIEF_TITLE.match(p.text.text)
        if not m:
            return None, p.text
        g = "b" if m.group("b") is not None else "s"
        title = p.text.slice(m.start(g), m.end(g)).strip()
        rest = p.text.slice(m.end(), len(p.text)).strip()
        if not len(rest):
            return None, p.text
        return title, rest

    # -- layout ---------------------------------------------------------------------------------

    def _build(self, piece: _Piece, page: Page, paper: str, seq: int) -> Article | None:
        b = MappedTextBuilder()
        fields: list[FieldSpan] = []
        bylines: list[Byline] = []
        last = [-1]

        def put(kind: FieldKind, mt: MappedText) -> int:
            if len(b):
                b.add_char("\n", last[0])
            s = len(b)
            b.add(mt)
            last[0] = mt.origin[-1]
            fields.append(FieldSpan(kind, s, len(b)))
            return s

        for k in piece.kickers:
            if len(k):
                put("kicker", k)
        if piece.headline is not None and len(piece.headline):
            put("headline", piece.headline)
        for s in piece.subtitles:
            if len(s):
                put("subtitle", s)
        for u in piece.bylines:
            s = put("byline", u.text)
            bylines.extend(Byline(r, nm, s + a, s + z) for r, nm, a, z in u.bylines)
        dateline = ""
        for i, p in enumerate(piece.paras):
            s = put("body", p.text)
            if i < 3 and not dateline:  # a table or image note may stand before the lead
                m = _DATELINE.match(p.text.text)
                if m and m.group().strip():
                    dateline = m.group().rstrip()
                    fields.insert(len(fields) - 1, FieldSpan("dateline", s, s + len(dateline)))
            bylines.extend(self._inline_bylines(p.text.text, s))
        for c in piece.captions:
            s = put("caption", c)
            bylines.extend(self._inline_bylines(c.text, s))
        if not len(b):
            return None
        mapped = b.build()
        doc = page.source
        date = doc.issue_date
        bylines.sort(key=lambda x: x.start)
        return Article(
            article_id=f"{paper}:{date or 'nodate'}:p{page.number}:{seq:02d}",
            paper=paper,
            issue_date=date,
            page=page.number,
            page_inferred=page.inferred,
            seq=seq,
            kind=piece.kind,
            headline=piece.headline.text if piece.headline is not None else "",
            mapped=mapped,
            fields=fields,
            kicker=" ".join(k.text for k in piece.kickers if len(k)),
            subtitles=[s.text for s in piece.subtitles if len(s)],
            bylines=bylines,
            dateline=dateline,
            captions=[c.text for c in piece.captions],
            jumps=piece.jumps,
            repairs=piece.repairs,
            source_path=doc.path,
            source_sha256=doc.sha256,
        )

    @staticmethod
    def _inline_bylines(text: str, base: int) -> list[Byline]:
        """Bylines in parentheses inside a paragraph: 本报讯（记者 X 通讯员 Y）, （通讯员 Z）."""
        out = []
        if "（" not in text and "(" not in text:
            return out
        for m in _PAREN.finditer(text):
            parsed = parse_byline(m.group(1))
            if parsed:
                off = base + m.start(1)
                out.extend(Byline(r, nm, off + a, off + z) for r, nm, a, z in parsed)
        return out


def segment_page(page: Page, paper: str | None = None) -> list[Article]:
    """Shorthand for ``Segmenter().segment(page, paper)``."""
    return Segmenter().segment(page, paper)


__all__ = ["ROLES", "Segmenter", "ends_sentence", "is_brief_label", "parse_byline", "segment_page"]

"""Character classes, marker patterns and small predicates on the text of a page."""

from __future__ import annotations

import re

from pipeline import lexicons as lexicon
from pipeline.ingest.normalize import with_traditional
from pipeline.records import MappedText, MappedTextBuilder
from pipeline.segment.bylines import parse_byline

BULLETS = frozenset("■●◆▲★◎•▪►▶◇")  # not □: OCR prints it for unreadable characters
# Marks that end a sentence (after normalisation; ASCII forms stay for Latin text).
FINAL = frozenset("。！？…!?；;：:")
CLOSERS = frozenset("”’」』）)》】〕\"'")
# Characters a headline cannot end with: they always continue into the next words.
OPENERS = frozenset("，,、（(“‘《【〔-—·")
# Function words a Chinese headline practically never ends with, but a broken line often does.
CONT_CHARS = frozenset("的了和与及在于对将把被为是向从以并而或之其所且也都就还又再很更最由给让使跟同着过")

MAX_HEADLINE = 40  # longest line read as a headline in plain text
MAX_WEAK_HEADLINE = 30  # longest headline accepted without a byline or dateline to confirm it

# Column labels and notice words are package lexicons (pipeline/lexicons/), each with its source.
_BRIEF_LABEL = re.compile(with_traditional(r"^.{0,6}?(?:" + "|".join(lexicon.entries("brief_column_labels")) + ")$"))
NOTICE = re.compile(with_traditional("|".join(lexicon.entries("notice_words"))))

# Page headings inside a page (the page splitter already cut at them): markup here.
PAGE_HEADING = re.compile(
    r"^[ \t#=*\-_>【\[]*(?:第\s*\d{1,3}\s*版|[A-Za-z]\s*\d{1,3}\s*版)"
    r"(?:[ \t]*[:：·|｜\-—_ ][^\n。，,！？!?；;]{0,16}?)?[ \t=*\-_】\]]*$"
)
RULE = re.compile(r"^[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*$")
TABLE_SEP = re.compile(r"^[ \t|:\-+]*$")
HEADING_RE = re.compile(r"[ \t]*(#{1,6})(?:[ \t]+|(?=[^\x00-\x7f]))")
QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
LIST = re.compile(r"[ \t]*[-*+][ \t]+(?=\S)")
INLINE = re.compile(
    r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"  # image: dropped
    r"|\[(?P<lt>[^\]\n]{1,500})\]\([^)\n]{0,2000}\)"  # link: its text is kept
    r"|<!--[^\n]{0,2000}?-->"
    r"|</?[A-Za-z][A-Za-z0-9]{0,15}(?:[ \t/][^<>\n]{0,500})?>"  # HTML tag
    r"|\*{2,}|_{2,}|~{2,}|`+"  # emphasis, strike-through, code marks
)

DATELINE = re.compile(
    with_traditional(r"^(?:本报(?:综合)?(?:讯|消息))")
    + r"(?:[ \t]*[（(][^（）()\n]{0,60}[）)])?"
    + with_traditional(
        r"(?:[ \t]*(?:\d{1,2}月\d{1,2}日|\d{1,2}日)(?:上午|中午|下午|凌晨|清晨|早上|晚上|傍晚|晚间|夜间)?)?"
    )
)
NUMBERED = re.compile(
    r"^(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）])"
)
CAPTION_START = re.compile(
    with_traditional(r"^(?:图为|[（(]?图[：:]|上图[：:]?|下图[：:]?|左图[：:]?|右图[：:]?)")
)
_JUMP = with_traditional(r"((?:下转|上接|转|接|续)") + r"[ \t]*(?:第[ \t]*)?[A-Za-z]?[ \t]*\d{1,3}[ \t]*版)"
JUMP_LINE = re.compile(r"^[（(【\[]?[ \t]*" + _JUMP + r"[ \t]*[）)】\]]?$")
JUMP_INLINE = re.compile(r"[（(][ \t]*" + _JUMP + r"[ \t]*[）)]")
BRIEF_TITLE = re.compile(r"^(?:【(?P<b>[^】\n]{1,30})】|(?P<s>[^\s。，,；;！？!?]{2,30}?)[ \t]+(?=\S))")


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


def concat(parts: list[MappedText]) -> MappedText:
    b = MappedTextBuilder()
    for p in parts:
        b.add(p)
    return b.build()


def drop_spans(mt: MappedText, spans: list[tuple[int, int]]) -> MappedText:
    if not spans:
        return mt
    parts, pos = [], 0
    for s, e in spans:
        parts.append(mt.slice(pos, s))
        pos = e
    parts.append(mt.slice(pos, len(mt)))
    return concat(parts).strip()

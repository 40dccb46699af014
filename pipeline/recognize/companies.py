"""Companies as the paper prints them: short forms of a full name, and names listed as companies.

Why: a local story introduces a company once by its registered name (浙江晟博新材料有限公司) and
then uses its short form (晟博新材, 睿驰智能, 海沃新能源) — the taggers, trained on news that names
companies rarely, miss the short forms or read them as places; and it lists well-known companies
by brand in constructions that say what they are (华为、比亚迪等企业; 京东、顺丰等企业), where the
taggers read 京东 as a place (east of Beijing).  Both passes read the shape of the text, not a list
of companies:

* ``company_short_forms``: for every ORG span ending in a company suffix (``company_suffixes``),
  the core is the name less a leading place (a PLACE candidate of any source at its start, or a
  bracketed place) and the legal suffix; a short form is the core's first two characters followed
  by characters taken in order from the rest of the core (晟博 + 新材 of 新材料), at least four
  characters, printed elsewhere in the same text;
* ``listed_companies``: each name of an enumeration (、) followed by 等 + (number) + 企业 / 公司 /
  品牌 / 平台 … is an ORG; the first name is the span or word that ends at its 、;
* ``trade_names``: a trade name of two characters and an industry word (``company_industries``)
  printed before a company's post (润泽地产总经理, 拓远科技董事长) is an ORG.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

__all__ = ["company_core", "short_forms_of"]

SUFFIXES = tuple(sorted(lexicon.entries("company_suffixes"), key=len, reverse=True))
_LEGAL = re.compile(r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|集团公司|公司)$")
_BRACKETED_PLACE = re.compile(r"[（(][\u4e00-\u9fff]{2,4}[）)]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# 华为、比亚迪等企业; 京东、顺丰等10余家企业; 京东等电商平台 (one name is a list too): what the
# listed names are.
_LISTED = re.compile(
    r"((?:[\u4e00-\u9fffA-Za-z]{2,8}、)*[\u4e00-\u9fffA-Za-z]{2,8})等(?:[\d一二三四五六七八九十百几多余]+[家个])?"
    r"(?:知名|头部|龙头|大型|国内外)*(?:企业|公司|品牌|平台|集团|厂商|车企|电商)")
SHORT_MIN = 4


def company_core(name: str, place_end: int = 0) -> str:
    """浙江晟博新材料有限公司 (place ends at 2) → 晟博新材料: the name less place and legal suffix."""
    core = _BRACKETED_PLACE.sub("", name[place_end:])
    return _LEGAL.sub("", core)


def short_forms_of(text: str, core: str, full_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the short forms of ``core`` printed in ``text`` outside the full names."""
    if len(core) < 3 or not _HAN.match(core[:2]):
        return []
    out = []
    for m in re.finditer(re.escape(core[:2]), text):
        if any(a <= m.start() < b for a, b in full_spans):
            continue
        j, k = m.end(), 2
        while j < len(text) and k < len(core) and text[j] in core[k:]:
            k = core.index(text[j], k) + 1
            j += 1
        if j - m.start() >= min(SHORT_MIN, len(core)):
            out.append((m.start(), j))
    return out


def _place_end(doc: RecognitionDoc, span: Span) -> int:
    """How many characters of a company span a PLACE candidate (浙江, 平湖市) covers at its start."""
    ends = [c.end for c in doc.all_candidates() if c.label == "PLACE" and c.start == span.start and c.end < span.end]
    return max(ends, default=span.start) - span.start


def _replace(doc: RecognitionDoc, new: list[Span]) -> None:
    """Add ``new`` ORG spans; shorter non-person spans inside one give way, a person keeps it."""
    kept = [s for s in doc.spans
            if s.label == "PERSON" or not any(n.start <= s.start and s.end <= n.end for n in new)]
    people = [s for s in kept if s.label == "PERSON"]
    new = [n for n in new if not any(p.start < n.end and n.start < p.end for p in people)]
    doc.spans = sorted([*kept, *new], key=lambda x: x.start)


@register_pass("company_short_forms", requires=["spans", "candidates"], provides=["spans"])
def company_short_forms(doc: RecognitionDoc, _ctx: Any) -> None:
    """Short forms of a company named in full in the same text (晟博新材 after 浙江晟博新材料有限公司)."""
    companies = [s for s in doc.spans if s.label == "ORG" and doc.surface(s).endswith(SUFFIXES)]
    if not companies:
        return
    full = [(s.start, s.end) for s in companies]
    taken = {(s.start, s.end) for s in doc.spans if s.label == "ORG"}
    new: list[Span] = []
    for s in companies:
        core = company_core(doc.surface(s), _place_end(doc, s))
        for a, b in short_forms_of(doc.text, core, full):
            if (a, b) not in taken:
                new.append(Span(a, b, "ORG", "short-form", s.score))
                taken.add((a, b))
    if new:
        _replace(doc, new)


@register_pass("listed_companies", requires=["spans", "candidates"], provides=["spans"])
def listed_companies(doc: RecognitionDoc, _ctx: Any) -> None:
    """Names listed as companies (华为、比亚迪等企业): each an ORG."""
    if "等" not in doc.text:
        return
    spans = [*doc.spans, *doc.all_candidates()]
    new: list[Span] = []
    for m in _LISTED.finditer(doc.text):
        items, pos = m.group(1).split("、"), m.start(1)
        found = []
        for i, item in enumerate(items):
            start, end = pos, pos + len(item)
            pos = end + 1
            if i == 0:
                start = _first_name_start(doc.text, start, end, spans)
            found.append((start, end))
        if not _names_not_sectors(doc.text, found, spans):
            continue  # 汽车、电子等企业, 新能源、光伏等企业: kinds of business, not names
        new += [Span(a, b, "ORG", "listed", 0.8) for a, b in found if b - a >= 2 and not any(
            s.label in ("ORG", "PERSON") and (s.start, s.end) == (a, b) for s in doc.spans)]
    if new:
        # The same name elsewhere in the text is the same company (发往京东位于华南的物流园区).
        names = {doc.surface(n) for n in new}
        doc.spans = [Span(s.start, s.end, "ORG", s.source, s.score) if s.label == "PLACE" and doc.surface(s) in names
                     else s for s in doc.spans]
        _replace(doc, new)


# jieba's dictionary frequency from which a listed item is an everyday word (汽车 10193, 物流 610,
# 家电 667), not a brand (华为 373, 小米 396, 京东 70): brands are in the dictionary too, but rarer.
COMMON_ITEM_FREQ = 500


def _names_not_sectors(text: str, items: list[tuple[int, int]], spans: list[Span]) -> bool:
    """A list of names: no item is an everyday word, and a source proposed at least one of them
    as a name (a company list has; a list of industries, 新能源、光伏, has not)."""
    from pipeline.model.dictionary import dictionary

    freq = dictionary().freq
    if any(freq(text[a:b]) >= COMMON_ITEM_FREQ for a, b in items):
        return False
    named = {(s.start, s.end) for s in spans if s.label in ("ORG", "PLACE", "PERSON")}
    return any(item in named for item in items)


def _first_name_start(text: str, start: int, end: int, spans: list[Span]) -> int:
    """The first listed name ends at its 、; it starts where a span of any source ending there
    starts (the longest inside the match), else at the start of the last word before the 、."""
    inside = [s.start for s in spans if s.end == end and start <= s.start < end - 1]
    if inside:
        return min(inside)
    from pipeline.model.wordseg import word_bounds

    bounds = [b for b in word_bounds(text[start:end]) if b < end - start - 1]
    return start + (bounds[-1] if bounds else 0)


@cache
def _trade_name_pattern() -> re.Pattern[str]:
    industries = "|".join(sorted(lexicon.entries("company_industries"), key=len, reverse=True))
    posts = "|".join(sorted(lexicon.entries("company_posts"), key=len, reverse=True))
    return re.compile(rf"(?=([\u4e00-\u9fff]{{2}})({industries})(?:常务)?副?(?:{posts}))")


# A trade name is a name: not a pointer (该, 某), not an everyday word (高新, 信息: a kind of
# business), judged by jieba's dictionary frequency as for listed companies.
_POINTERS = set("该本某这那其各此每")


def trade_name_spans(text: str, taken: Any) -> list[tuple[int, int]]:
    """(start, end) of trade name + industry printed before a company post, where no span is and
    jieba's cut starts a word at the name and at the industry word (某房 + 地产 of 某房地产 is no
    name: 房地产 is one word)."""
    from pipeline.model.dictionary import dictionary
    from pipeline.model.wordseg import word_bounds

    found: list[tuple[int, int]] = []
    edges: set[int] | None = None  # jieba's cut, made only for a text with a match
    freq = dictionary().freq
    for m in _trade_name_pattern().finditer(text):
        start, mid, end = m.start(1), m.end(1), m.end(2)
        name = m.group(1)
        if taken.overlaps(start, end) or _POINTERS & set(name) or any(a < end and start < b for a, b in found):
            continue
        edges = edges if edges is not None else set(word_bounds(text))
        if start in edges and mid in edges and freq(name) < COMMON_ITEM_FREQ:
            found.append((start, end))
    return found


@register_pass("trade_names", requires=["text", "spans"], provides=["spans"])
def trade_names(doc: RecognitionDoc, _ctx: Any) -> None:
    """Trade name + industry before a company post (拓远科技董事长): an ORG."""
    doc.add_found(trade_name_spans, "ORG", "trade-name")

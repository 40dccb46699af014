"""Structural repairs of combined spans, from how Chinese names are built, not from any name list.

* A span of one character is dropped unless our model proposed it: LAC and the ruler emit them
  when they split a word (当 + 湖街道), while the model learned the abbreviations national news
  prints as entities (中美's 中 and 美, 港澳台).
* A bare administrative word (街道, 社区, 村 ...) is not a place.
* A name followed at once by a settlement suffix is that settlement: X + 社区 → PLACE X社区.
* A locative stuck to a settlement is cut off: X村里 → X村.
* A person's name found once in an article is the same person where it is printed again and no
  tagger saw it (document-level consistency, as in every newspaper NER system since MUC).
* A name printed before 同志 is a person: 张某某同志.
* Descriptive words are not part of a place: 钟埭集镇 → 钟埭, 浙北地区 → 浙北; 平湖市民 and
  平湖市域 read 平湖 + 市民/市域; the epithet 美丽 is not part of a name (美丽乡村 is no place).
* A body's standing organ is one ORG with it: 市委 + 理论学习中心组 / 常委会 / 党组 / 领导小组.
* A company's registered name keeps its bracketed place: X（平湖）有限公司 is one ORG, not an
  ORG X plus a PLACE, as the business register prints it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import lexicon
from ..records import Span
from .spacy_model import MODEL_SOURCE

SETTLEMENT = ("社区", "村", "街道", "镇", "乡")
GENERIC_PLACE_WORDS = {"街道", "社区", "村", "镇", "乡", "县", "区", "市", "省", "村委会", "居委会", "地区", "全市", "全省",
                       "乡村", "农村", "城乡", "城市", "城区", "集镇"}
DESCRIPTIVE_SUFFIXES = ("集镇", "城区", "镇区", "境内", "一带", "地区", "市域")
CITY_WORDS = "民域区"  # X市 + 民/域/区 is X + 市民/市域/市区
EPITHETS = ("美丽",)
NOT_NAME_ENDINGS = ("乡村", "农村")  # 和美乡村, 美丽乡村: policy words, not villages
NOT_PLACE_BEFORE = ("联运",)  # 海河联运, 江海联运: modes of transport, not rivers
ORGANS = ("理论学习中心组", "常委会", "党组", "领导小组")
_COMPANY = re.compile(
    r"[（(][\u4e00-\u9fff]{2,6}[)）][\u4e00-\u9fff]{0,8}?(?:股份有限公司|有限责任公司|有限公司|集团公司|公司)"
)
_NAME_BREAK = re.compile(r"[\s，。、；：！？“”‘’《》,.;:!?\"]")
LOCATIVE = "里内中外边旁上"
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# The most common surnames (package lexicon); a cue is only trusted after one of them.
SURNAMES = lexicon.load("surnames")
_COMRADE = re.compile(r"([\u4e00-\u9fff]{2,3}?)同志")


def extend_settlements(text: str, spans: Sequence[Span]) -> list[Span]:
    """X + 社区/村/街道/镇/乡 printed right after a PERSON/PLACE span X is the settlement X社区.

    Applied to each source's candidates before the vote too, so that 梅兴 (one tagger) and
    梅兴社区 (another) are the same proposal and agree."""
    out: list[Span] = []
    for s in spans:
        surface = text[s.start : s.end]
        if s.label in ("PERSON", "PLACE") and len(surface) >= 2 and not surface.endswith(SETTLEMENT) \
                and _HAN.match(surface):
            for suffix in SETTLEMENT:
                if text.startswith(suffix, s.end) and not text.startswith(suffix + "村", s.end):  # 乡村
                    s = Span(s.start, s.end + len(suffix), "PLACE", s.source, s.score)
                    break
        out.append(s)
    return out


def repair(text: str, spans: Sequence[Span], candidates: Sequence[Span] = ()) -> list[Span]:
    """``candidates`` (every source's proposals before the vote) only anchor company names."""
    out: list[Span] = []
    for s in spans:
        if s.label == "PLACE":
            s = _trim_place(text, s)
        surface = text[s.start : s.end]
        if (s.end - s.start < 2 and MODEL_SOURCE not in s.source.split("+")) or (s.label == "PLACE" and (
            surface in GENERIC_PLACE_WORDS or text.startswith(NOT_PLACE_BEFORE, s.end)
        )):
            continue
        [s] = extend_settlements(text, [s])  # X村 + 村民 stays X村
        if s.label == "PLACE" and text[s.start : s.end].endswith(NOT_NAME_ENDINGS):  # 美丽乡村, 和美 + 乡村
            continue
        if s.label == "ORG":
            for organ in ORGANS:
                if text.startswith(organ, s.end) and not surface.endswith(organ):
                    s = Span(s.start, s.end + len(organ), "ORG", s.source, s.score)
                    break
        if s.label == "PLACE" and s.end - s.start >= 3 and text[s.end - 1] in LOCATIVE:
            if text[s.start : s.end - 1].endswith(SETTLEMENT):
                s = Span(s.start, s.end - 1, s.label, s.source, s.score)
        out.append(s)
    out = _no_overlaps([*_company_names(text, out, candidates), *out])
    return _propagate_names(text, _propagate_people(text, out))


def _trim_place(text: str, s: Span) -> Span:
    start, end = s.start, s.end
    for epithet in EPITHETS:
        if text.startswith(epithet, start) and end - start > len(epithet):
            start += len(epithet)
    for suffix in DESCRIPTIVE_SUFFIXES:
        if text[start:end].endswith(suffix) and end - start - len(suffix) >= 2:
            end -= len(suffix)
            break
    if end - start >= 3 and text[end - 1] == "市" and end < len(text) and text[end] in CITY_WORDS:
        end -= 1
    if (start, end) == (s.start, s.end):
        return s
    return Span(start, end, s.label, s.source, s.score)


def _company_names(text: str, spans: list[Span], candidates: Sequence[Span] = ()) -> list[Span]:
    """Registered company names with a bracketed place, X（平湖）有限公司, as one ORG.

    The name before the bracket starts at the first span (kept, or proposed by any source) that
    starts after the last punctuation mark before the bracket and ends at the bracket at the
    latest (辖区内华丰纺织 → 华丰纺织); it has 2-12 characters.  Nothing anchored, nothing emitted:
    guessing the start from punctuation alone reads 他在区内华丰纺织 as a name.
    """
    if "公司" not in text:
        return []
    out: list[Span] = []
    for m in _COMPANY.finditer(text):
        lo = max(0, m.start() - 12)
        breaks = [b.end() for b in _NAME_BREAK.finditer(text, lo, m.start())]
        lo = breaks[-1] if breaks else lo
        inside = [sp.start for sp in (*spans, *candidates) if lo <= sp.start < m.start() and sp.end <= m.start()]
        if not inside:
            continue
        start = min(inside)
        if m.start() - start < 2 or not _HAN.match(text[start : m.start()]):
            continue
        score = max((sp.score for sp in spans if start <= sp.start < m.end()), default=0.8)
        out.append(Span(start, m.end(), "ORG", "company", score))
    return out


def _no_overlaps(spans: list[Span]) -> list[Span]:
    """Longest first, keep what does not overlap what is kept (linear in the covered length)."""
    kept: list[Span] = []
    occupied = bytearray(max((s.end for s in spans), default=0) + 1)
    for s in sorted(spans, key=lambda x: (-(x.end - x.start), x.start)):
        if not any(occupied[s.start : s.end]):
            kept.append(s)
            occupied[s.start : s.end] = b"\x01" * (s.end - s.start)
    return sorted(kept, key=lambda x: x.start)


def _propagate_people(text: str, spans: list[Span]) -> list[Span]:
    # Only surfaces that look like personal names and that no source reads as something else
    # in this article (a surface tagged PERSON once and PLACE elsewhere is not propagated).
    other = {text[s.start : s.end] for s in spans if s.label != "PERSON"}
    # A name qualifies by a common surname, or because two sources agreed on it (习 is no common
    # surname, but a name two taggers both read is a name wherever it is printed again).
    names = {
        text[s.start : s.end]
        for s in spans
        if s.label == "PERSON" and 2 <= s.end - s.start <= 4 and (text[s.start] in SURNAMES or "+" in s.source)
    } - other
    for m in _COMRADE.finditer(text):
        name = m.group(1)
        if name[0] in SURNAMES and not _covered(spans, m.start(1), m.end(1)):
            names.add(name)
    return _tag_other_occurrences(text, spans, dict.fromkeys(names, "PERSON"))


def _propagate_names(text: str, spans: list[Span]) -> list[Span]:
    """A place or organisation name the taggers read at least twice in an article, and never as
    anything else there, is that entity wherever else it is printed in the article (one sense per
    discourse).  Why: a local name no dictionary knows (an old name of a town, a new industrial
    park) is read in the contexts that give it away and missed in slogans and event names.
    Twice, not once: a single reading may be the error that propagation would multiply.  Only
    names the general dictionary does not know: a known name (上海) the taggers already find where
    it stands alone, and where they did not it is usually part of a longer name (上海塘 river)."""
    readings: dict[str, list[str]] = {}  # surface -> the label of each span of it
    for s in spans:
        readings.setdefault(text[s.start : s.end], []).append(s.label)
    names = {
        surface: labels[0]
        for surface, labels in readings.items()
        if len(labels) >= 2 and len(set(labels)) == 1 and labels[0] in ("PLACE", "ORG")
        and len(surface) >= 2 and _HAN.match(surface) and not _known_word(surface)
    }
    return _tag_other_occurrences(text, spans, names)


def _tag_other_occurrences(text: str, spans: list[Span], names: dict[str, str]) -> list[Span]:
    """Each name (to its label) wherever it is printed and no kept span covers it; longest first."""
    if not names:
        return spans
    occupied = bytearray(len(text) + 1)
    for s in spans:
        occupied[s.start : s.end] = b"\x01" * (s.end - s.start)
    added: list[Span] = []
    for name in sorted(names, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(occupied[start:end]):
                added.append(Span(start, end, names[name], "consistency", 0.8))
                occupied[start:end] = b"\x01" * len(name)
            start = text.find(name, end)
    return sorted([*spans, *added], key=lambda s: s.start)


def _known_word(surface: str) -> bool:
    from ..model.architectures import jieba_tokenizer

    return bool(jieba_tokenizer().FREQ.get(surface))


def _covered(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)

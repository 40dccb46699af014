"""Where an article is about: the paper's county, another named place, China as a whole, abroad.

Why: a county paper's "市政府", "市委", "公安局" mean the paper's own bodies only in its own stories.
The same paper reprints Xinhua national news and reports on other cities, and there an
unqualified agency name belongs to *that* place (or to no place we know).  The resolver asks this
module for an article's locality before it lets a contextual alias link to the paper's county.

Signals, strongest first:

1. the source line: 新华社 / 中新社 / 人民日报 … (``据新华社报道``, ``新华社北京5月1日电``) mark a
   wire story; its dateline place, if any, else "national" (a foreign dateline: "foreign");
2. the paper's own markers: 本报讯 / 本报记者, a staff byline (记者, 通讯员), 我市 / 本市;
3. the places the article names by context-free names (exact or alias links, never contextual
   ones, which would assume the answer): own-county places against other places.

A story of the paper's own staff is local unless it names no place of the county, says no
我市/本市, and names another place at least twice (a place and the division above or below it,
山西省 and 运城, count together): then it is about that place.  A place named
only as where the county's people went (赴上海, 前往嘉善考察, 在沪期间: :func:`is_destination`)
does not count: a 本报讯 story about a trip to Shanghai is still about the county's 市商务局.  A
wire dateline (新华社北京9月10日电) outweighs the byline's 记者: those are the agency's reporters.
A text with no source line and no staff marker (a national corpus sentence) is local only when it names the
county; otherwise it is about the place it names most, else "unknown", which the resolver treats
like national: no contextual link to the county.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline import lexicons as lexicon
from pipeline.lexicons.countries import country_link

__all__ = ["Locality", "LOCAL", "UNKNOWN", "infer_locality", "is_destination", "source_line"]

WIRE_RE = re.compile("(" + "|".join(sorted(lexicon.entries("news_agencies"), key=len, reverse=True)) + ")")
WIRE_DATELINE_RE = re.compile(r"(?:新华社|中新社)([\u4e00-\u9fff]{2,6}?)\d{1,2}月\d{1,2}日(?:电|讯)")
OWN_MARKERS = ("本报讯", "本报记者", "本报通讯员")
CITY_WORDS = ("我市", "本市", "我县", "本县", "我区", "本区")
STAFF_ROLES = ("记者", "通讯员", "摄影", "见习记者", "实习生")
# A place right after a verb of going or visiting (or after such a verb and a list: 赴上海、杭州)
# is a destination.  到 counts unless it ends another word (受到, 得到, 达到 …).
_DESTINATION_BEFORE = re.compile(
    r"(?:赴|前往|去往|来到|到达|抵达|奔赴|走访|拜访|参观|考察|访问|出访|(?<![受得达遇做感收提想看听找见])到)"
    r"(?:[^，。；！？：、\s]{1,10}、)*$"
)


@dataclass(frozen=True)
class Locality:
    """``kind``: local, elsewhere (``code`` = division code), national, foreign (``code`` = ISO),
    unknown.  ``key`` is what NIL ids of unqualified names are qualified by."""

    kind: str
    code: str = ""
    name: str = ""

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}" if self.code else self.kind


LOCAL = Locality("local")
UNKNOWN = Locality("unknown")


def source_line(head: str) -> str:
    """The wire agency named in an article's dateline or first lines, or ""."""
    m = WIRE_RE.search(head)
    return m.group(1) if m else ""


@dataclass(frozen=True)
class PlaceHit:
    """A place the article names by a context-free name: its division code, or a country code."""

    code: str
    name: str
    own: bool  # inside the paper's county
    ancestor: bool = False  # the county's city or province (a story about 嘉兴市 is about it)
    foreign: bool = False
    division: bool = True  # named as a division (嘉兴市), not an area coded to it (嘉兴港区)
    destination: bool = False  # named as where someone went (赴上海): see is_destination


def is_destination(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` named as a destination: after 赴 / 到 / 前往 / 走访 … (possibly
    behind a list, 赴上海、杭州), or as 在X期间 (during the stay)?  Such a place says where the
    story's people went, not whose story it is."""
    before = text[max(0, start - 30) : start]
    if _DESTINATION_BEFORE.search(before):
        return True
    return before.endswith("在") and text[end : end + 2] == "期间"


def _wire_place(head: str, resolve_place) -> Locality | None:  # noqa: ANN001 - callable(str) -> PlaceHit | None
    m = WIRE_DATELINE_RE.search(head)
    if not m:
        return None
    name = m.group(1)
    link = country_link(name)
    if link is not None and link[0] != "country:CN":
        return Locality("foreign", link[0].split(":", 1)[1], name)
    if name in ("北京", "北京市"):  # the capital's dateline is national news
        return Locality("national")
    hit = resolve_place(name)
    if hit is None:
        return None  # 华盛顿: not a place we know; the places named decide
    if hit.own:
        return LOCAL
    return Locality("elsewhere", hit.code, hit.name)


def _dominant(hits: list[PlaceHit]) -> Locality | None:
    """The other place named most (ties: the earliest named).  The county's parent city counts
    when named as a division (a story about 嘉兴市 in the 平湖 paper); China itself and the
    province never do."""
    others = [h for h in hits if not h.own and (not h.ancestor or (h.division and len(h.code) > 2))]
    if not others:
        return None
    counts = Counter(h.code for h in others)
    best = max(counts.values())
    hit = next(h for h in others if counts[h.code] == best)
    if hit.foreign:
        return Locality("foreign", hit.code, hit.name)
    return Locality("elsewhere", hit.code, hit.name)


def _within(hit: PlaceHit, code: str) -> bool:
    """Is ``hit`` another name of the same place as division ``code``, one level up or down
    (山西省 and 运城 in one story about 运城)?  Never the county's own city or province, which
    every county story may name."""
    return not hit.own and not hit.ancestor and not hit.foreign and (
        hit.code.startswith(code) or code.startswith(hit.code))


def infer_locality(
    head: str,
    text: str,
    bylines: Iterable[str],
    hits: list[PlaceHit],
    resolve_place,  # noqa: ANN001 - callable(str) -> PlaceHit | None
) -> Locality:
    """An article's locality from its head (dateline and first body line), full text, byline
    roles and the places it names (see the module docstring for the order of the signals)."""
    wire = source_line(head)
    staff = any(r in STAFF_ROLES for r in bylines) and not WIRE_DATELINE_RE.search(head)
    own_marker = any(m in head for m in OWN_MARKERS) or staff
    says_our_city = any(w in text for w in CITY_WORDS)
    n_own = sum(h.own for h in hits)
    other = _dominant(hits)
    if wire and not own_marker:
        placed = _wire_place(head, resolve_place)
        if placed is not None:
            return placed
        return other if other is not None and other.kind == "foreign" else Locality("national")
    if own_marker:
        staying = [h for h in hits if not h.destination]
        other = _dominant(staying)
        if n_own or says_our_city or other is None:
            return LOCAL
        n_other = sum(1 for h in staying if h.code == other.code or _within(h, other.code))
        return other if n_other >= 2 else LOCAL
    if n_own and (other is None or n_own >= sum(1 for h in hits if h.code == other.code)):
        return LOCAL
    return other or UNKNOWN

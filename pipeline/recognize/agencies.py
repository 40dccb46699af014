"""Unqualified agency names the recognisers missed (县政府, 市数据资源局): found by their shape.

Why: taggers trained on national text rarely tag a bare 县政府 or an unfamiliar department
(市数据资源局), yet these are exactly the names whose link depends on the story's locality, and
an analyst asking "which agencies appear" needs them.  The shape is regular: a level character
(省 市 县 区), then a body word, a department ending (局, 委员会, 办公室 …) or a public
institution's (馆, 医院, 法院, 检察院: 市文化馆, 县人民医院), starting right after
punctuation or a conjunction, and not inside an official's title (县委书记 is a title).
"""

from __future__ import annotations

import re
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.overlap import Enclosing, IntervalIndex
from pipeline.recognize.registry import register_pass
from pipeline.recognize.titles import TitleRules

__all__ = ["AGENCY_RE", "SENTENCE_REACH", "agency_shapes", "agency_spans", "sentence_around"]

# 各 before a level is "every" (各省政府, 各县政府: a generic body, left unlinked by the resolver).
_START = r"(?:(?<=^)|(?<=[，。、；：“”（(\n ])|(?<=[和与及同由向对在各])|(?<=各地)|(?<=各级))"
# After a short body word the next character must end the name (市委|召开, 县政府|主要负责人),
# so that 市委 is not cut out of 市委理论学习中心组 or 市委组织部.
_SHORT_END = r"(?=[，。、；：”）)\n 的和与及等在将已要对把召举出研部印发主开会同联相负领有为是从向]|$)"
AGENCY_RE = re.compile(
    rf"{_START}(?:"
    rf"[省市县区](?:人民政府|政府|人大常委会|政协|纪委|监委|委常委会|委){_SHORT_END}"
    r"|[省市县区][\u4e00-\u9fff]{2,7}?(?:局|委员会|办公室)"
    # the public institutions of a level: 市文化馆, 市图书馆, 县人民医院, 市中医院, 区人民法院
    # (not 省级乡村博物馆: a grade, not a body of the province)
    r"|[省市县区](?!级)[\u4e00-\u9fff]{2,6}?(?:馆|法院|检察院)(?![\u4e00-\u9fff]{0,2}[长员])"
    r"|[省市县区](?!级)[\u4e00-\u9fff]{1,6}?(?:医院|卫生院)(?![\u4e00-\u9fff]{0,2}[长员])"
    rf"|(?:{'|'.join(map(re.escape, lexicon.entries('bare_bodies')))}){_SHORT_END})"
)
_TITLES = TitleRules()
# A sentence longer than this either side of a hit is cut there (no page prints one; a run-on
# line without stops would otherwise be copied whole into every hit's row).
SENTENCE_REACH = 1000


def agency_spans(text: str, taken: IntervalIndex) -> list[tuple[int, int]]:
    """Where ``text`` prints an unqualified agency name that overlaps nothing in ``taken`` and is
    not inside an official's title; ``taken`` grows by each one found."""
    titles = [(t.start, t.end) for t in _TITLES.find(text)]
    in_title, title_starts = Enclosing(titles).holds, {ts for ts, _ in titles}
    found = []
    for hit in AGENCY_RE.finditer(text):
        s, e = hit.span()
        if taken.overlaps(s, e) or in_title(s, e) or e in title_starts:  # 县委书记, 市卫健局|副局长
            continue
        found.append((s, e))
        taken.add(s, e)
    return found


@register_pass("agency_shapes", requires=["text", "spans"], provides=["spans"])
def agency_shapes(doc: RecognitionDoc, _ctx: Any) -> None:
    """Unqualified agency names no recogniser found (县政府, 市数据资源局), by their shape."""
    doc.add_found(agency_spans, "ORG", "agency-shape")


def sentence_around(text: str, start: int) -> str:
    """The sentence around ``start`` (between 。！？ or line ends), for a mention the link step
    adds (an agency here, a surname + title reference in ``resolve.people``); within
    ``SENTENCE_REACH`` characters either side: unbounded, the search for a line end read a
    one-line file (issue 33) to both of its ends per hit."""
    lo, hi = max(0, start - SENTENCE_REACH), min(len(text), start + SENTENCE_REACH)
    left = max(max(text.rfind(c, lo, start) for c in "。！？\n") + 1, lo)
    rights = [k for k in (text.find(c, start, hi) for c in "。！？\n") if k >= 0]
    return text[left : (min(rights) + 1 if rights else hi)].strip()

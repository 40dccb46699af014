"""Unqualified agency names the recognisers missed (县政府, 市数据资源局): found by their shape.

Why: taggers trained on national text rarely tag a bare 县政府 or an unfamiliar department
(市数据资源局), yet these are exactly the names whose link depends on the story's locality, and
an analyst asking "which agencies appear" needs them.  The shape is regular: a level character
(省 市 县 区), then a body word or a department ending (局, 委员会, 办公室 …), starting right after
punctuation or a conjunction, and not inside an official's title (县委书记 is a title).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline import lexicons as lexicon
from pipeline.recognize.titles import TitleRules
from pipeline.records import Article, Mention

__all__ = ["AGENCY_RE", "find_agency_mentions"]

_START = r"(?:(?<=^)|(?<=[，。、；：“”（(\n ])|(?<=[和与及同由向对在])|(?<=各地)|(?<=各级))"
# After a short body word the next character must end the name (市委|召开, 县政府|主要负责人),
# so that 市委 is not cut out of 市委理论学习中心组 or 市委组织部.
_SHORT_END = r"(?=[，。、；：”）)\n 的和与及等在将已要对把召举出研部印发主开会同联相负领有为是从向]|$)"
AGENCY_RE = re.compile(
    rf"{_START}(?:"
    rf"[省市县区](?:人民政府|政府|人大常委会|政协|纪委|监委|委常委会|委){_SHORT_END}"
    r"|[省市县区][\u4e00-\u9fff]{2,7}?(?:局|委员会|办公室)"
    rf"|(?:{'|'.join(map(re.escape, lexicon.entries('bare_bodies')))}){_SHORT_END})"
)
_TITLES = TitleRules()


def find_agency_mentions(articles: Sequence[Article], mentions: list[Mention]) -> int:
    """Add ORG mentions for unqualified agency names no recogniser found; returns how many."""
    added: list[Mention] = []
    for a in articles:
        text = a.text
        taken = [(m.start, m.end) for m in mentions if m.article_id == a.article_id]
        titles = [(t.start, t.end) for t in _TITLES.find(text)]
        for hit in AGENCY_RE.finditer(text):
            s, e = hit.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if any(ts <= s and e < te or ts == e for ts, te in titles):  # 县委书记, 市卫健局|副局长
                continue
            src = a.mapped.to_source(s, e)
            added.append(Mention(a.article_id, "ORG", hit.group(), s, e, src[0], src[1],
                                 sentence=_sentence(text, s), recognizer="agency-shape"))
            taken.append((s, e))
    if added:
        order = {a.article_id: i for i, a in enumerate(articles)}
        mentions.extend(added)
        mentions.sort(key=lambda m: (order.get(m.article_id, len(order)), m.start))
    return len(added)


def _sentence(text: str, start: int) -> str:
    left = max(text.rfind(c, 0, start) for c in "。！？\n") + 1
    rights = [k for k in (text.find(c, start) for c in "。！？\n") if k >= 0]
    return text[left : (min(rights) + 1 if rights else len(text))].strip()

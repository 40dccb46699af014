"""Official titles (TITLE spans) from the structure of Chinese titles, not from a list of people.

A title in local news is compositional: optional organisational units (市委, 市人大常委会, 乍浦镇,
党组, 常务 ...) then an optional 副 then a post (书记, 市长, 主任, 局长 ...), and several titles
may be chained with 、 (市委副书记、市长).  A named organisation right before the post (found by
another recogniser: 市发改局局长) is absorbed into the title, so the role reads as printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Span
from .base import Recognizer, register

POSTS = (
    "总书记 书记 常委 委员长 委员 主委 总理 省长 市长 县长 区长 镇长 乡长 主任 主席 局长 部长 院长 "
    "检察长 秘书长 总经理 经理 董事长 理事长 会长 社长 校长 所长 站长 队长 馆长 行长 组长 处长 科长 "
    "厂长 总工程师 总监 调研员 政委 司令员 主编 书记员 庭长 审判长 总编辑 党委书记"
).split()
# Collective titles that stand before an enumeration of names (市领导A、B、C).
COLLECTIVE = "中央领导 省领导 市领导 县领导 区领导 镇领导 街道领导 村领导 市四套班子领导".split()
UNITS = (
    "中共中央 中央 国务院 全国人大常委会 全国人大 全国政协 省委 省政府 省人大常委会 省人大 省政协 省纪委 "
    "市委 市政府 市人民政府 市人大常委会 市人大 市政协 市纪委 市监委 县委 县政府 县人大常委会 县政协 区委 区政府 "
    "人大常委会 常委会 政协 纪委 监委 政府 党委 党工委 党组 党总支 党支部 总支 支部 村委会 居委会 公司 集团 "
    "村 社区 镇 街道 乡 市 县 区 省 常务 执行 党组成员 委员会"
).split()

_alt = lambda words: "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # noqa: E731
_ONE = rf"(?:(?:{_alt(UNITS)})*副?(?:{_alt(POSTS)})|{_alt(COLLECTIVE)})"
TITLE_RE = re.compile(rf"{_ONE}(?:[、，,]?{_ONE})*")
_UNIT_TAIL = re.compile(rf"(?:{_alt(UNITS)})+$")


@register("titles")
class TitleRules(Recognizer):
    labels = ("TITLE",)

    def __init__(self, **_: object) -> None:
        pass

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self.find(t) for t in texts]

    def find(self, text: str, org_spans: Sequence[Span] = ()) -> list[Span]:
        """TITLE spans; an ORG/PLACE span ending where a title starts is absorbed into it."""
        orgs = [s for s in org_spans if s.label in ("ORG", "PLACE")]
        out: list[Span] = []
        for m in TITLE_RE.finditer(text):
            start, end = m.start(), m.end()
            if end - start < 2 or m.group() in ("委员", "常委", "主任", "会长") and not _has_unit(text, start):
                # A bare generic post with nothing before it is too often a plain noun.
                continue
            for org in orgs:  # 市发改局|局长, 乍浦[镇|党委书记]: the named unit is part of the title
                if org.start < start <= org.end:
                    start = org.start
            out.append(Span(start, end, "TITLE", self.name))
        return out


def _has_unit(text: str, start: int) -> bool:
    return bool(_UNIT_TAIL.search(text[max(0, start - 6) : start]))

"""The organisation or place printed inside an official's title, as a mention of its own.

Why: 市委书记X, 市发改局局长X, 浙江某某有限公司董事长X — the person gets the title as a role, but an
analyst asking "which agencies and companies appear, with whom" also needs 市委, 市发改局 and the
company as organisations, or every body that speaks through its leader is undercounted.  Counting
them everywhere would swamp the actor counts (市委 in every 市委书记), so each such mention is
marked ``in_title``: one filter gives bodies as actors, bodies including through their officials,
or both.  MSRA and People's Daily annotate these bodies too; the county pages by another
annotator mark them with an ``in_title`` flag.

A title is cut into its posts (``、``, ``，``, 兼) and each post into unit + rank + post
(``parse_segment``); the unit, less qualifiers that are not part of a name (挂职, 代理, 常务), is
the mention: an ORG, or a PLACE when the unit is a bare place (新埭镇 of 新埭镇挂职副镇长).  Only
titles printed with a person (a role the roles pass gave) count: a title word in running text
(市长强调) names no one.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.recognize.titles import POSTS
from pipeline.records import Span

__all__ = ["parse_segment", "split_title", "strip_qualifiers", "title_units"]

_POSTS_LONGEST = tuple(sorted(set(POSTS), key=len, reverse=True))
_SPLIT = re.compile(r"[、，,]|兼")
# Words between a unit and its post that say how the post is held, not whose it is.
_QUALIFIERS = ("挂职", "代理", "代", "常务", "执行", "兼任", "兼")
# A unit that ends like one of these and carries no body word is a place (镇, 村, 街道 ...).
_PLACE_ENDINGS = (*lexicon.entries("settlement_suffixes"), "市", "县", "区", "省")
# A unit that is only a kind of body (公司 of 公司总经理, 党委 of 党委书记) names no one in particular.
_GENERIC_UNITS = frozenset(lexicon.entries("generic_bodies")) | {
    "公司", "集团", "党委", "党组", "党工委", "政府", "人民政府", "工委", "管委会", "总支", "支部", "党支部", "党总支",
    "委会", "村委会", "居委会", "村", "社区", "镇", "街道", "乡"}
# Words before a unit that point at it (该局, 我市, 本公司) and heads that name no body (国家 of
# 国家主席 is the state's office, not an organisation mention).
_DETERMINERS = ("该", "我", "本", "一名", "一位", "这位", "这名")
_NOT_UNITS = frozenset({"国家", "学校", "单位", "企业", "部门"})
_BODY_WORDS = ("委", "会", "局", "办", "院", "部", "所", "队", "司", "行", "校", "中心", "政府", "党", "支", "站", "馆")


def split_title(role: str) -> list[str]:
    """中共平湖市委副书记、市长 → [中共平湖市委副书记, 市长]; empty parts dropped."""
    return [p.strip() for p in _SPLIT.split(role or "") if p.strip()]


def parse_segment(seg: str) -> tuple[str, str, str] | None:
    """(unit, rank, post) of one segment, or None when it names no post (市领导, 记者)."""
    post = next((p for p in _POSTS_LONGEST if seg.endswith(p)), "")
    if not post:
        return None
    head = seg[: -len(post)]
    rank = "head"
    if head.endswith("常务副"):
        head, rank = head[:-3], "executive_deputy"
    elif head.endswith("副"):
        head, rank = head[:-1], "deputy"
    if post in ("常委", "委员") and rank == "head":
        rank = "member"
    if post == "党委书记":
        head, post = head + "党委", "书记"
    return head, rank, post


def strip_qualifiers(unit: str) -> tuple[str, str]:
    """(unit, qualifier): 新埭镇挂职 → (新埭镇, 挂职), 代理 → ("", 代理), 市委 → (市委, "")."""
    end = len(unit)
    changed = True
    while changed:
        changed = False
        for q in _QUALIFIERS:
            if unit[:end].endswith(q) and end >= len(q):
                end -= len(q)
                changed = True
    return unit[:end], unit[end:]


def _unit_extent(seg: str) -> tuple[int, int] | None:
    """Where the unit of one title segment lies in it, qualifiers cut; None when it has none."""
    parsed = parse_segment(seg)
    if parsed is None:
        return None
    head = parsed[0]  # always a prefix of seg (新仓镇党委 of 新仓镇党委书记 included)
    end = len(strip_qualifiers(head)[0])
    start = len(seg) - len(seg.lstrip())
    while seg.startswith(_DETERMINERS, start):  # 该局局长, 我市…: the unit after the pointer
        start += next(len(d) for d in _DETERMINERS if seg.startswith(d, start))
    unit = seg[start:end]
    if len(unit) < 2 or unit in _QUALIFIERS or unit.strip("市县区镇乡省") == "":
        return None
    if unit in _GENERIC_UNITS or unit.lstrip("省市县区镇乡村") in _GENERIC_UNITS or unit in _NOT_UNITS:
        return None  # 公司总经理, 镇党委委员, 村党支部书记, 国家主席: no body in particular
    return start, end


def _label(unit: str) -> str:
    """PLACE for a bare place (新埭镇, 金沙村), ORG for anything with a body word in it."""
    if unit.endswith(tuple(_PLACE_ENDINGS)) and not any(w in unit[-3:] for w in _BODY_WORDS):
        return "PLACE"
    return "ORG"


def title_units(title: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every unit printed in ``title``, offsets into ``title``."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for part in _SPLIT.split(title):
        seg_start = title.find(part, pos)
        pos = seg_start + len(part)
        extent = _unit_extent(part) if part.strip() else None
        if extent is None:
            continue
        s, e = seg_start + extent[0], seg_start + extent[1]
        out.append((s, e, _label(title[s:e])))
    return out


@register_pass("title_units", requires=["spans", "titles", "roles", "article"], provides=["spans"])
def title_units_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """The body or place inside every title printed with a person, as an in-title mention."""
    used = {r.title for r in doc.roles.values() if r.title is not None}
    taken = {(s.start, s.end) for s in doc.spans}
    found: list[Span] = []
    for t in sorted(used, key=lambda t: t.start):
        for s, e, label in title_units(doc.text[t.start : t.end]):
            span = Span(t.start + s, t.start + e, label, "title")
            if (span.start, span.end) not in taken:
                found.append(span)
                doc.in_title.add((span.start, span.end))
    if found:
        doc.spans = sorted([*doc.spans, *found], key=lambda x: x.start)

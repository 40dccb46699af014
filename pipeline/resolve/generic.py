"""Body names that name no one body: bare kinds (委员会, 办公室, 领导小组) and plural or generic
constructions (省、市政府, 各地纪委, 地方统计局, 各级人大, 上级纪委).

Why: the gazetteer's contextual aliases read an unqualified 市政府 or 纪委 as the paper's county's
body, which is right in a county story (市政府召开常务会议) and wrong when the sentence speaks of
a class of bodies: "省、市政府要把……纳入考核" or "一些地方统计局审核不严" name every province's
and city's government, every local statistics bureau, and linking them to 平湖市人民政府 made
the county appear in national news it is not in.  The words come from two data files
(``generic_bodies``, ``plural_body_markers``); the resolver gives these mentions an empty id, as it
does 全市 and 各镇街道: no entity at all, rather than a NIL cluster of every 委员会 printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pipeline import lexicons as lexicon
from pipeline.gazetteers.gazetteer import normalise
from pipeline.records import Mention
from pipeline.resolve.place_bodies import split_generic

__all__ = ["GENERIC_BODIES", "PLURAL_MARKERS", "generic_mentions", "is_generic_construction"]

GENERIC_BODIES: frozenset[str] = lexicon.load("generic_bodies")
PLURAL_MARKERS: tuple[str, ...] = tuple(sorted(lexicon.entries("plural_body_markers"), key=len, reverse=True))
_LEVELS = "省市县区镇乡"
# 省、市政府 / 市和县政府: another level and a conjunction right before the body's level character.
_LEVEL_LIST_BEFORE = re.compile(rf"[{_LEVELS}](?:、|和|及|与)$")
# A surface that itself lists levels: 省、市政府, 省市县人大, 市县两级政府.
_LEVEL_LIST_SURFACE = re.compile(rf"^(?:[{_LEVELS}]、)+|^(?:省市县|市县区|省市|市县|县市|县区|区县)")


def _is_body(rest: str) -> bool:
    return bool(rest) and (split_generic(rest) is not None or rest in GENERIC_BODIES)


def is_generic_construction(key: str, before: str, unqualified: Callable[[str], bool]) -> bool:
    """Is the (normalised) surface ``key``, printed after ``before``, a class of bodies?

    ``unqualified(key)`` says whether the surface is an unqualified body name (市政府, 纪委) as
    the resolver reads it; a name that carries its place (平湖市纪委) is one body whatever precedes
    it."""
    for w in PLURAL_MARKERS:
        if key.startswith(w) and _is_body(key[len(w) :]):
            return True  # 地方纪委, 各级政府
    m = _LEVEL_LIST_SURFACE.match(key)
    if m and _is_body(key[m.end() :].lstrip(_LEVELS)):
        return True  # 省、市政府 as one span
    if not unqualified(key):
        return False
    if before.endswith(PLURAL_MARKERS):
        return True  # 一些地方 | 统计局, 各地 | 纪委
    return bool(key[0] in _LEVELS and _LEVEL_LIST_BEFORE.search(before))  # 省、| 市政府


def generic_mentions(text: str, mentions: Iterable[Mention], unqualified: Callable[[str], bool]) -> list[Mention]:
    """The PLACE/ORG mentions of one article (``text``: the article's text, which the mention
    offsets index) that are generic constructions (:func:`is_generic_construction`)."""
    out: list[Mention] = []
    for m in mentions:
        if m.type == "PERSON":
            continue
        before = text[max(0, m.start - 8) : m.start] if text[m.start : m.end] == m.surface else ""
        if is_generic_construction(normalise(m.surface), before, unqualified):
            out.append(m)
    return out

"""Another place's body named without its place: 市政府 in a story about 嘉兴 is 嘉兴市人民政府.

Why: the unqualified names a paper prints (市政府, 市委, 县公安局, 人民检察院) mean the body of
whatever place the story is about.  In the paper's own stories the gazetteer's contextual aliases
answer; in a story about another place this module builds that place's body from the division
table alone (no list of other counties' agencies is needed), keyed by its division code so that
every story about the same place gets the same id.
"""

from __future__ import annotations

import hashlib
import re

from pipeline.gazetteers.gazetteer import PHRASES, Gazetteer
from pipeline.records import GazetteerEntry, Link

__all__ = ["GENERIC_BODY_RE", "body_of_place", "split_generic"]

# An unqualified body name: an optional level character, then a body word or a department name
# ending like a department.  市委 / 县政府 / 市人民政府 / 公安局 / 人民检察院 / 市发改局 / 区法院.
GENERIC_BODY_RE = re.compile(
    r"(?P<level>[省市县区镇乡])?(?P<rest>委|委员会|政府|人民政府|人大|人大常委会|政协|纪委|监委|"
    r"人民法院|法院|人民检察院|检察院|[\u4e00-\u9fff]{1,10}?(?:局|委员会|委|办|厅|部|署|院|所|队|中心|办公室))"
)
_LONG = {"政府": "人民政府", "法院": "人民法院", "检察院": "人民检察院", "委": "委员会"}


def split_generic(surface: str) -> tuple[str, str] | None:
    """(level character or "", body part) when the whole surface is an unqualified body name."""
    m = GENERIC_BODY_RE.fullmatch(surface)
    if not m:
        return None
    return m.group("level") or "", m.group("rest")


def full_body_name(rest: str) -> str:
    """发改委 → 发展和改革委员会, 人社局 → 人力资源和社会保障局, 政府 → 人民政府: the standard
    short forms (:data:`pipeline.gazetteers.gazetteer.PHRASES`) expanded, so that a body printed short and
    printed in full is one entity (its id hashes this form)."""
    if rest in _LONG:
        return _LONG[rest]
    for long, short in sorted(PHRASES, key=lambda p: -len(p[1])):
        if short in rest and long not in rest:
            rest = rest.replace(short, long, 1)
            break
    if rest.endswith("委") and len(rest) > 2:
        rest += "员会"  # 发展和改革委 → 发展和改革委员会, 卫健委 → …委员会
    return rest


def _sha10(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _place_for_level(gaz: Gazetteer, code: str, level: str) -> GazetteerEntry | None:
    """The division ``code`` or its nearest ancestor whose name ends in ``level`` (市, 县 …)."""
    entry = gaz.by_id(f"div:{code}")
    while entry is not None:
        if not level or entry.canonical.endswith(level):
            return entry
        entry = gaz.by_id(entry.parent_id) if entry.parent_id else None
    return None


def body_of_place(gaz: Gazetteer, surface: str, code: str, type_: str) -> Link | None:
    """The body that ``surface`` names in a story about division ``code``, or None when the
    surface is not an unqualified body name or no division of its level contains the place."""
    parts = split_generic(surface)
    if parts is None:
        return None
    level, rest = parts
    place = _place_for_level(gaz, code, level)
    if place is None:
        return None
    full = full_body_name(rest)
    if rest == "委":
        canonical, suffix = f"中共{place.canonical}委员会", "party"
    elif full == "人民政府":
        canonical, suffix = f"{place.canonical}人民政府", "gov"
    else:
        canonical, suffix = f"{place.canonical}{full}", f"x{_sha10(full)}"
    for m in gaz.matches(canonical):  # the gazetteer may know the body (嘉兴市生态环境局)
        if m.method != "context":
            e = m.entry
            return Link(e.entity_id, e.canonical, "context", 0.9, e.kind, e.division_code, e.parent_id)
    return Link(
        entity_id=f"org:{place.division_code}-{suffix}",
        canonical=canonical,
        method="context",
        confidence=0.8,
        kind="agency",
        division_code=place.division_code,
        parent_id=place.entity_id,
    )

"""Offices: a role as printed (中共平湖市委副书记、市长) normalised into the offices it names.

Why: analysts count "who held what, when".  A raw role string cannot be counted (平湖市委书记 /
市委书记 / 书记 are one office; 市委副书记、市长 is two), and a flag that also marks 经理 and 董事长
as officials mixes company posts into "top officials".  Each office is (post, rank,
organisation entity id, jurisdiction division code); the organisation is resolved with the same
resolver and locality as the article's agencies, so 市委 in a story about 杭州 is 杭州's committee.

``is_public_role`` decides ``is_official``: party, government, congress, CPPCC, courts,
procuratorates and public institutions (schools, hospitals, museums) are public; company posts
(经理, 董事长, 公司总经理, 行长) are not, and keep their role string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline import lexicons as lexicon
from pipeline.recognize.titles import POSTS
from pipeline.resolve.locality import LOCAL, Locality
from pipeline.resolve.place_bodies import body_of_place, split_generic

__all__ = ["Office", "is_public_role", "parse_offices", "split_title"]

_POSTS_LONGEST = tuple(sorted(set(POSTS), key=len, reverse=True))
HEAD_OF_GOVERNMENT = ("省长", "市长", "县长", "区长", "镇长", "乡长")
NATIONAL_POSTS = frozenset({"总书记", "总理", "委员长"})  # printed bare, they are China's
COMPANY_POSTS = lexicon.load("company_posts")
# Posts that are public only when their unit is (会长 of a 商会, 主编 of a company magazine).
UNIT_DEPENDENT_POSTS = lexicon.load("unit_dependent_posts")
COMPANY_WORDS = lexicon.entries("company_words")
_SPLIT = re.compile(r"[、，,]|兼")


@dataclass(frozen=True)
class Office:
    """One office of a role: ``post`` without 副 (书记, 市长, 主任), ``rank`` (head, deputy,
    executive_deputy, member), the organisation's entity id and name, the jurisdiction's division
    code (what the organisation governs), whether it is a public office, and the segment printed."""

    post: str
    rank: str
    org_id: str = ""
    org_name: str = ""
    jurisdiction: str = ""
    public: bool = True
    title: str = ""

    @property
    def office(self) -> str:
        """副书记 / 常务副市长 / 书记: the post with its rank, as an analyst would label it."""
        prefix = {"deputy": "副", "executive_deputy": "常务副"}.get(self.rank, "")
        return prefix + self.post


def split_title(role: str) -> list[str]:
    """中共平湖市委副书记、市长 → [中共平湖市委副书记, 市长]; empty parts dropped."""
    return [p.strip() for p in _SPLIT.split(role or "") if p.strip()]


def _parse_segment(seg: str) -> tuple[str, str, str] | None:
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


def is_public_role(role: str) -> bool:
    """Is any office of ``role`` a public one (see the module docstring)?  An empty role or a
    collective title (市领导, 省领导) of the paper's leaders counts as public when it says 领导."""
    if "领导" in (role or ""):
        return True
    for seg in split_title(role):
        parsed = _parse_segment(seg)
        if parsed and _is_public(parsed[0], parsed[2]):
            return True
    return False


def _is_public(unit: str, post: str) -> bool:
    if post in COMPANY_POSTS or any(w in unit for w in COMPANY_WORDS):
        return False
    if post in UNIT_DEPENDENT_POSTS:
        return bool(unit) and not any(w in unit for w in COMPANY_WORDS)
    return True


def parse_offices(role: str, resolver, locality: Locality = LOCAL) -> list[Office]:  # noqa: ANN001 - Resolver
    """The offices a role names, organisations resolved in the article's ``locality``."""
    out: list[Office] = []
    place = ""  # 金山区委副书记、区长: the second post is 金山区's too
    for seg in split_title(role):
        parsed = _parse_segment(seg)
        if parsed is None:
            continue
        unit, rank, post = parsed
        lead = resolver._leading_place(unit.removeprefix("中共"))
        if lead and lead[-1] in "省市县区镇乡":
            place = lead
        elif place and unit in ("", "常务") and post in HEAD_OF_GOVERNMENT and post[0] == place[-1]:
            unit = place
        public = _is_public(unit, post)
        if post in NATIONAL_POSTS and not unit:
            out.append(Office(post, rank, "", "", "CN", public, seg))
            continue
        org_id, org_name, jur = _organisation(unit, post, resolver, locality) if public else ("", "", "")
        out.append(Office(post, rank, org_id, org_name, jur, public, seg))
    return out


def _organisation(unit: str, post: str, resolver, locality: Locality) -> tuple[str, str, str]:  # noqa: ANN001
    """(entity id, name, jurisdiction code) of the body a post belongs to."""
    body = unit.removeprefix("常务").removeprefix("执行")
    if post in HEAD_OF_GOVERNMENT and not split_generic(body or "x政府"):
        body = (body or post[0]) + "政府"  # 市长 → 市政府, 乍浦镇镇长 → 乍浦镇政府
    elif post in HEAD_OF_GOVERNMENT and body in ("", "市", "县", "区", "镇", "乡"):
        body = (body or post[0]) + "政府"
    if not body:
        return "", "", ""  # 副主任 alone: the post is known, its body is not
    link = resolver.resolve("ORG", body, locality=locality)
    if link.method == "nil":
        built = _other_place_body(body, resolver)
        if built is not None:
            link = built
    if link.method == "nil" or not link.entity_id:
        return "", "", _jurisdiction(body, resolver, locality)
    entry = resolver.gazetteer.by_id(link.entity_id)
    code = link.division_code or (entry.division_code if entry else "")
    return link.entity_id, link.canonical, code or _jurisdiction(body, resolver, locality)


def _other_place_body(body: str, resolver):  # noqa: ANN001, ANN202 - Resolver -> Link | None
    """金山区委 → 中共金山区委员会 (org:310116-party): a named place's body built from its code."""
    lead = resolver._leading_place(body)
    hit = resolver.place_hit(lead) if lead else None
    if hit is None or not hit.code.isdigit():
        return None
    rest = body[len(lead) :]
    level = lead[-1] if lead[-1] in "省市县区镇乡" else ""
    return body_of_place(resolver.gazetteer, level + rest, hit.code, "ORG")


def _jurisdiction(body: str, resolver, locality: Locality) -> str:  # noqa: ANN001
    lead = resolver._leading_place(body) if body else ""
    hit = resolver.place_hit(lead) if lead else None
    if hit is not None and hit.code.isdigit():
        return hit.code
    if locality.is_local:
        return resolver.gazetteer.county_code if body[:1] in ("市", "") else ""
    return locality.code if locality.kind == "elsewhere" else ""


def offices_of(roles: Iterable[str], resolver, locality: Locality = LOCAL) -> dict[str, list[Office]]:  # noqa: ANN001
    """role → offices for several roles at once (one parse per distinct role)."""
    return {r: parse_offices(r, resolver, locality) for r in set(roles) if r}

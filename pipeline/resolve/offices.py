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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline import lexicons as lexicon
from pipeline.recognize.title_parts import parse_segment as _parse_segment
from pipeline.recognize.title_parts import split_title, strip_qualifiers, title_units
from pipeline.records import Mention
from pipeline.resolve.locality import LOCAL, Locality
from pipeline.resolve.place_bodies import body_of_place, split_generic

__all__ = ["Office", "is_public_role", "join_title_bodies", "parse_offices", "split_title"]

HEAD_OF_GOVERNMENT = ("省长", "市长", "县长", "区长", "镇长", "乡长")
NATIONAL_POSTS = frozenset({"总书记", "总理", "委员长"})  # printed bare, they are China's
COMPANY_POSTS = lexicon.load("company_posts")
# Posts that are public only when their unit is (会长 of a 商会, 主编 of a company magazine).
UNIT_DEPENDENT_POSTS = lexicon.load("unit_dependent_posts")
COMPANY_WORDS = lexicon.entries("company_words")


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
    qualifier: str = ""  # how the post is held, as printed: 代 / 代理 (acting), 挂职 (seconded)

    @property
    def office(self) -> str:
        """副书记 / 常务副市长 / 代市长 / 挂职副镇长: the post with its rank and how it is held, as
        an analyst would label it (an acting mayor is not the mayor)."""
        prefix = {"deputy": "副", "executive_deputy": "常务副"}.get(self.rank, "")
        qualifier = "代" if self.qualifier in ("代", "代理") else self.qualifier
        return qualifier + prefix + self.post


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
    party = ""  # 市委常委、宣传部部长: the bare department is that committee's
    for seg in split_title(role):
        parsed = _parse_segment(seg)
        if parsed is None:
            continue
        unit, rank, post = parsed
        unit, held = strip_qualifiers(unit)  # 代理市长, 新埭镇挂职副镇长: the post is the body's all the same
        held = held if held in ("代", "代理", "挂职") else ""
        if unit.endswith("委") and len(unit) >= 2:
            party = unit
        elif party and unit.endswith("部") and 2 <= len(unit) <= 4 and unit[0] not in "省市县区镇乡":
            unit = party + unit
        lead = resolver._leading_place(unit.removeprefix("中共"))
        if lead and lead[-1] in "省市县区镇乡":
            place = lead
        elif place and unit in ("", "常务") and post in HEAD_OF_GOVERNMENT and post[0] == place[-1]:
            unit = place
        public = _is_public(unit, post)
        if post in NATIONAL_POSTS and not unit:
            out.append(Office(post, rank, "", "", "CN", public, seg, held))
            continue
        org_id, org_name, jur = _organisation(unit, post, resolver, locality) if public else ("", "", "")
        out.append(Office(post, rank, org_id, org_name, jur, public, seg, held))
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


def join_title_bodies(mentions: Sequence[Mention]) -> int:
    """Make each office and the body printed in its title (an ``in_title`` ORG mention of the
    same article) name one entity; returns how many were joined.

    Why: the office's organisation is resolved from the title for "who held what", the in-title
    mention by the resolver for "which bodies appear"; an analyst joining ``offices.org_id`` to
    ``entities`` must find the same id.  A company post resolves no organisation (its unit is not
    a public body), so it takes the company mention's id (a NIL cluster); a body only the office
    could resolve (金山区委 → 中共上海市金山区委员会) gives its id to the mention.
    """
    bodies = {(m.article_id, m.surface): m for m in mentions if m.in_title and m.type == "ORG"}
    joined = 0
    for person in mentions:
        if person.type != "PERSON" or not person.offices or not bodies:
            continue
        offices = []
        for o in person.offices:
            units = title_units(o.title)
            body = bodies.get((person.article_id, o.title[units[0][0] : units[0][1]])) if units else None
            if body is not None and o.org_id and (not body.entity_id or body.link_method == "nil"):
                body.entity_id, body.canonical, body.link_method, body.link_confidence = o.org_id, o.org_name, "context", 0.8
                joined += 1
            elif body is not None and body.entity_id and not o.org_id:
                o = replace(o, org_id=body.entity_id, org_name=body.canonical)
                joined += 1
            offices.append(o)
        person.offices = offices
    return joined

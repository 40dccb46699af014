"""Generic bodies stay off the paper's county outside its own stories (issue 32, part A): national
bodies get ``org:cn-`` ids, plural or generic constructions (省、市政府, 各地纪委) and bare kinds
(委员会) link to no one, a 本报讯 story about a trip keeps its county, and town coverage counts the
county's own towns.  The texts are made up for these tests."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from outputs_fixture import make_article

from pipeline.gazetteers.gazetteer import Gazetteer
from pipeline.gazetteers.national import national_bodies, national_entry
from pipeline.records import Mention
from pipeline.report import data as D
from pipeline.resolve.generic import is_generic_construction
from pipeline.resolve.locality import LOCAL, Locality, is_destination
from pipeline.resolve.resolver import Resolver
from pipeline.store import Tables

DATE = dt.date(2024, 9, 12)
NPCSC = "org:cn-npcsc"


def _story(resolver: Resolver, body: str, orgs: list[str], places: list[str] = (), byline: str = "记者 张三"):
    """Resolve an article with ``body`` and an ORG / PLACE mention at every occurrence of each
    surface (longest first, no overlaps), as the recogniser gives them; returns (locality, mentions)."""
    article = make_article("a1", DATE, 2, 1, "要闻", body, byline=byline)
    text, taken, ms = article.text, set(), []
    for type_, surfaces in (("ORG", orgs), ("PLACE", places)):
        for s in sorted(surfaces, key=len, reverse=True):
            for hit in re.finditer(re.escape(s), text):
                span = set(range(hit.start(), hit.end()))
                if not span & taken:
                    taken |= span
                    ms.append(Mention("a1", type_, s, hit.start(), hit.end(), hit.start(), hit.end()))
    ms.sort(key=lambda m: m.start)
    loc = resolver.resolve_articles([article], ms)["a1"]
    return loc, ms


def _ids(ms: list[Mention], surface: str) -> list[str]:
    return [m.entity_id for m in ms if m.surface == surface]


# --- national bodies ---------------------------------------------------------------------------


def test_xinhua_story_with_reporters_is_national_and_its_npc_is_national(resolver: Resolver) -> None:
    """A wire dateline with the agency's reporters in brackets: the byline's 记者 are Xinhua's, not
    the paper's staff, so the story is national and its bare 人大常委会 is the NPC Standing Committee."""
    body = ("新华社北京9月10日电（记者 张三）全国人大常委会专题调研组10日向全国人大常委会会议报告食品安全法实施情况。"
            "报告说，人大常委会将继续跟踪监督，统计局要按季度公开抽检数据。")
    loc, ms = _story(resolver, body, ["全国人大常委会专题调研组", "全国人大常委会", "人大常委会", "统计局"])
    assert loc.kind == "national"
    assert _ids(ms, "全国人大常委会") == [NPCSC] and _ids(ms, "人大常委会") == [NPCSC]
    assert not any("330482" in m.entity_id for m in ms), [(m.surface, m.entity_id) for m in ms]
    assert _ids(ms, "统计局")[0].startswith("nil:ORG:")


def test_bare_npc_follows_the_story(resolver: Resolver) -> None:
    """人大常委会 alone: the county's in its own story, the NPC's in national news, and neither
    where the story's place is unknown."""
    loc, ms = _story(resolver, "本报讯 昨天，市人大常委会召开会议，人大常委会组成人员审议了报告。",
                     ["市人大常委会", "人大常委会"])
    assert loc == LOCAL and set(_ids(ms, "人大常委会")) == {"org:330482-npc-standing"}
    assert resolver.resolve("ORG", "人大常委会", locality=Locality("national")).entity_id == NPCSC
    unknown = resolver.resolve("ORG", "人大常委会", locality=Locality("unknown")).entity_id
    assert unknown.startswith("nil:ORG:")


def test_national_names_link_wherever_printed(resolver: Resolver, gaz: Gazetteer) -> None:
    for surface, eid in (("全国人大常委会", NPCSC), ("全国人民代表大会常务委员会", NPCSC),
                         ("国务院", "org:cn-state-council"), ("国家统计局", "org:cn-nbs")):
        for loc in (LOCAL, Locality("national"), Locality("unknown")):
            assert resolver.resolve("ORG", surface, locality=loc).entity_id == eid, (surface, loc)
    entry = gaz.by_id(NPCSC)
    assert entry is not None and entry.kind == "national" and entry.canonical == "全国人民代表大会常务委员会"
    assert national_entry("org:cn-nosuch") is None


def test_national_body_data_has_unique_ids_and_forms() -> None:
    bodies = national_bodies()
    ids = [b.entity_id for b in bodies]
    forms = [f for b in bodies for f in (b.canonical, *b.aliases)]
    assert len(ids) == len(set(ids)) and len(forms) == len(set(forms))
    assert all(re.fullmatch(r"org:cn-[a-z0-9-]+", i) for i in ids)
    assert [b.entity_id for b in bodies if b.bare] == [NPCSC]  # bare forms: national news only


# --- plural and generic constructions ----------------------------------------------------------


def test_plural_constructions_do_not_link_in_a_local_story(resolver: Resolver) -> None:
    """In the county's own story, where 市政府 and 纪委 alone would be the county's bodies."""
    body = ("本报讯 会议要求，省、市政府加大投入，各地纪委和地方纪委加强监督，"
            "各级人大常委会开展检查。市政府、市纪委随后作出部署。")
    loc, ms = _story(resolver, body, ["市政府", "市纪委", "各地纪委", "地方纪委", "各级人大常委会"])
    assert loc == LOCAL
    first_gov, second_gov = _ids(ms, "市政府")
    assert first_gov == "" and second_gov == "org:330482-gov"  # 省、| 市政府 vs 市政府 acting
    assert _ids(ms, "各地纪委") == [""] and _ids(ms, "地方纪委") == [""] and _ids(ms, "各级人大常委会") == [""]
    assert _ids(ms, "市纪委") == ["org:330482-cpc-discipline"]


def test_generic_when_split_from_its_plural_word(resolver: Resolver) -> None:
    """The recogniser may tag only 纪委 / 统计局: the word before it still makes it plural."""
    loc, ms = _story(resolver, "本报讯 会议指出，一些地方统计局审核不严，各地纪委要严肃问责，纪委书记要带头。",
                     ["统计局", "纪委"])
    assert loc == LOCAL
    assert _ids(ms, "统计局") == [""] and _ids(ms, "纪委") == ["", "org:330482-cpc-discipline"]


@pytest.mark.parametrize(("key", "before", "generic"), [
    ("市政府", "省、", True), ("市政府", "县和", True), ("县政府", "海盐县", False),  # 海盐县县政府 is one body
    ("纪委", "各地", True), ("统计局", "一些地方", True), ("各级政府", "", True), ("省市政府", "", True),
    ("市纪委", "召开", False), ("平湖市纪委", "各地", False), ("地方纪委", "", True),
])
def test_is_generic_construction(resolver: Resolver, key: str, before: str, generic: bool) -> None:
    assert is_generic_construction(key, before, resolver._unqualified) is generic


@pytest.mark.parametrize("surface", ["委员会", "办公室", "领导小组"])
def test_bare_body_kinds_never_link(resolver: Resolver, surface: str) -> None:
    for loc in (LOCAL, Locality("national")):
        link = resolver.resolve("ORG", surface, locality=loc)
        assert link.entity_id == "" and link.method == "nil"


# --- a 本报讯 story about a trip ---------------------------------------------------------------


TRIP = ("本报讯 3月5日至6日，市商务局带领外贸企业赴上海参加采购对接会，并走访上海市国际贸易促进委员会。"
        "在上海期间，企业与采购商洽谈订单。市商务局表示，还将组织企业前往杭州考察。")


def test_trip_story_keeps_its_county(resolver: Resolver) -> None:
    loc, ms = _story(resolver, TRIP, ["市商务局", "上海市国际贸易促进委员会"], ["上海", "杭州"])
    assert loc == LOCAL
    assert set(_ids(ms, "市商务局")) == {"org:330482-commerce"}


def test_story_about_shanghai_is_still_shanghais(resolver: Resolver) -> None:
    """The same places named as where things happen, not as destinations: Shanghai's story."""
    body = "本报讯 上海召开外贸工作会议，市商务局通报一季度进出口数据。上海将继续扩大开放。"
    loc, ms = _story(resolver, body, ["市商务局"], ["上海"])
    assert loc.kind == "elsewhere" and loc.code == "31"
    assert _ids(ms, "市商务局") != ["org:330482-commerce"]


def test_a_province_and_its_city_are_one_other_place(resolver: Resolver) -> None:
    """Another paper's 本报讯 about 运城 naming 山西省 once and 运城 once: a story about 运城, so
    its bare 组织部 is not the county's."""
    body = "本报讯 山西省近年来探索扶贫新路，运城地委组织部选派干部驻村，组织部还建立了考核办法。"
    loc, ms = _story(resolver, body, ["组织部"], ["山西省", "运城"])
    assert loc.kind == "elsewhere" and loc.code.startswith("14")
    assert not any("330482" in m.entity_id for m in ms)


@pytest.mark.parametrize(("text", "place", "dest"), [
    ("企业赴上海参会", "上海", True), ("组团到上海、杭州考察", "杭州", True), ("前往嘉善考察", "嘉善", True),
    ("在沪期间", "沪", True), ("走访上海市商务委员会", "上海市商务委员会", True),
    ("上海召开会议", "上海", False), ("受到上海市表彰", "上海市", False), ("在上海举行", "上海", False),
])
def test_is_destination(text: str, place: str, dest: bool) -> None:
    i = text.index(place)
    assert is_destination(text, i, i + len(place)) is dest


# --- town coverage -----------------------------------------------------------------------------


def test_town_coverage_counts_the_papers_own_towns() -> None:
    articles = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "locality": ["local", "local", "local"],
                             "issue_date": pd.to_datetime(["2024-03-01"] * 3), "page": [1, 1, 2]})
    mentions = pd.DataFrame({
        "article_id": ["a1", "a2", "a3", "a3"], "type": ["PLACE"] * 4,
        "entity_id": ["div:330482102", "div:330482102", "div:330482103", "div:310116106"],
        "canonical": ["新埭镇", "新埭镇", "新仓镇", "山阳镇"],
    })
    entities = pd.DataFrame({
        "entity_id": ["div:330482102", "div:330482103", "div:310116106"],
        "canonical": ["新埭镇", "新仓镇", "山阳镇"], "kind": ["town"] * 3,
        "division_code": ["330482102", "330482103", "310116106"],
        "parent_id": ["div:330482", "div:330482", "div:310116"],
    })
    t = Tables(articles, mentions, entities, pd.DataFrame({"article_id": pd.Series([], dtype=str)}), pd.DataFrame())
    assert D.paper_county(t) == "div:330482"
    assert list(D.town_coverage(t)["name"]) == ["新埭镇", "新仓镇"]
    assert set(D.town_coverage(t, every_county=True)["name"]) == {"新埭镇", "新仓镇", "山阳镇"}
    assert list(D.town_coverage(t, county="div:310116")["name"]) == ["山阳镇"]

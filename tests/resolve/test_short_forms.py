"""Short forms are one entity with their full names (issue 32, part B): county-prefixed NILs
(市X / 平湖市X / 平湖X) share an id in the county's own story, an article's short form after its
full name takes the full name's id, fuzzy matching never crosses to a body of another kind, and
the standard department abbreviation 人力社保 links.  The company and bank names are made up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from outputs_fixture import make_article

from pipeline.gazetteers.aliases import derive_aliases
from pipeline.records import Mention
from pipeline.resolve.body_names import body_kind, is_short_form, other_kind
from pipeline.resolve.locality import LOCAL, Locality
from pipeline.resolve.resolver import Resolver, nil_id

DATE = dt.date(2024, 9, 12)


def _local_story(resolver: Resolver, body: str, orgs: list[str]) -> list[Mention]:
    """A 本报讯 article with an ORG mention at every occurrence of each surface (longest first)."""
    article = make_article("a1", DATE, 1, 1, "要闻", "本报讯 " + body, byline="记者 张三")
    text, taken, ms = article.text, set(), []
    for s in sorted(orgs, key=len, reverse=True):
        for hit in re.finditer(re.escape(s), text):
            span = set(range(hit.start(), hit.end()))
            if not span & taken:
                taken |= span
                ms.append(Mention("a1", "ORG", s, hit.start(), hit.end(), hit.start(), hit.end()))
    ms.sort(key=lambda m: m.start)
    assert resolver.resolve_articles([article], ms)["a1"] == LOCAL
    return ms


def _id(ms: list[Mention], surface: str) -> set[str]:
    return {m.entity_id for m in ms if m.surface == surface}


# --- county-prefixed NILs ----------------------------------------------------------------------


def test_county_prefixed_nils_share_an_id_in_a_local_story(resolver: Resolver) -> None:
    forms = ["市第二人民医院", "平湖市第二人民医院", "平湖第二人民医院"]
    links = [resolver.resolve("ORG", s) for s in forms]
    assert {lk.method for lk in links} == {"nil"}
    assert {lk.entity_id for lk in links} == {nil_id("ORG", "平湖市第二人民医院")}
    assert links[0].canonical == "平湖市第二人民医院"  # 市X is named by the county's full name


def test_city_prefix_alone_is_not_the_county_elsewhere(resolver: Resolver) -> None:
    national = resolver.resolve("ORG", "市第二人民医院", locality=Locality("national"))
    assert national.entity_id != nil_id("ORG", "平湖市第二人民医院")
    assert resolver.resolve("ORG", "平湖市第二人民医院", locality=Locality("national")).entity_id == \
        nil_id("ORG", "平湖市第二人民医院")  # the printed county is the county anywhere


@pytest.mark.parametrize("surface", ["市场服务中心", "市民服务中心", "市区管理所"])
def test_words_starting_with_shi_are_not_the_county(resolver: Resolver, surface: str) -> None:
    assert resolver.resolve("ORG", surface).entity_id == nil_id("ORG", surface)


# --- short forms in an article -----------------------------------------------------------------


def test_branch_short_form_after_its_full_name(resolver: Resolver) -> None:
    ms = _local_story(resolver, "平湖农商银行曹桥支行推出新产品。曹桥支行负责人介绍，农商银行将扩大覆盖。",
                      ["平湖农商银行曹桥支行", "曹桥支行", "农商银行"])
    full = _id(ms, "平湖农商银行曹桥支行")
    assert len(full) == 1 and full == _id(ms, "曹桥支行")
    assert _id(ms, "农商银行") != full  # the bank is not its branch


def test_company_short_form_in_order(resolver: Resolver) -> None:
    ms = _local_story(resolver, "浙江恒川精密机械有限公司新厂投产。恒川机械总经理说，恒川精密将扩产。",
                      ["浙江恒川精密机械有限公司", "恒川机械", "恒川精密"])
    full = _id(ms, "浙江恒川精密机械有限公司")
    assert full == _id(ms, "恒川机械") == _id(ms, "恒川精密")


def test_short_form_before_its_full_name_stays_apart(resolver: Resolver) -> None:
    ms = _local_story(resolver, "曹桥支行推出新产品。平湖农商银行曹桥支行负责人介绍。",
                      ["平湖农商银行曹桥支行", "曹桥支行"])
    assert _id(ms, "曹桥支行") != _id(ms, "平湖农商银行曹桥支行")


def test_alliance_short_form_after_its_county_name(resolver: Resolver) -> None:
    ms = _local_story(resolver, "平湖市智能装备产业联盟成立。智能装备产业联盟首批成员40家。",
                      ["平湖市智能装备产业联盟", "智能装备产业联盟"])
    assert len(_id(ms, "平湖市智能装备产业联盟")) == 1
    assert _id(ms, "智能装备产业联盟") == _id(ms, "平湖市智能装备产业联盟")


@pytest.mark.parametrize(("short", "full", "ok"), [
    ("曹桥支行", "平湖农商银行曹桥支行", True),
    ("农商银行", "平湖农商银行曹桥支行", False),
    ("恒川机械", "浙江恒川精密机械有限公司", True),
    ("浙江机械", "浙江恒川精密机械有限公司", False),  # the place is not the trade name
    ("有限公司", "浙江恒川精密机械有限公司", False),
    ("机械有限公司", "浙江恒川精密机械有限公司", False),
    ("支行", "平湖农商银行曹桥支行", False),
])
def test_is_short_form(resolver: Resolver, short: str, full: str, ok: bool) -> None:
    assert is_short_form(short, full, resolver._leading_place) is ok


# --- fuzzy matching keeps the kind of body -----------------------------------------------------


def test_town_discipline_committee_is_not_the_town_party_committee(resolver: Resolver) -> None:
    for loc in (LOCAL, Locality("national")):
        link = resolver.resolve("ORG", "新仓镇纪委", locality=loc)
        assert link.entity_id != "org:330482103-party" and link.method == "nil"
    assert resolver._fuzzy("新仓镇纪委", "ORG") is None


@pytest.mark.parametrize(("a", "b", "other"), [
    ("新仓镇纪委", "新仓镇党委", True), ("曹桥支行", "曹桥分行", True), ("平湖市发改委", "平湖市发改局", True),
    ("平湖市人民检査院", "平湖市人民检察院", False),  # a damaged body word is an OCR error, not a kind
    ("平湖市财攻局", "平湖市财政局", False), ("钟埭街道办", "钟埭街道办事处", False),
])
def test_other_kind(a: str, b: str, other: bool) -> None:
    assert other_kind(a, b) is other


def test_body_kind_takes_the_longest_ending() -> None:
    assert body_kind("中共平湖市纪律检查委员会") == ("纪律检查委员会", "纪委")
    assert body_kind("中共平湖市委员会")[1] == "委员会" and body_kind("平湖日报") == ("", "")


# --- the 人力社保 abbreviation -----------------------------------------------------------------


def test_hrss_short_form_links(resolver: Resolver) -> None:
    for surface in ("市人力社保局", "平湖市人力社保局", "人力社保局"):
        assert resolver.resolve("ORG", surface).entity_id == "org:330482-hrss", surface


def test_hrss_short_form_is_a_rule_for_every_body() -> None:
    forms = derive_aliases("嘉兴市人力资源和社会保障局", "平湖市", "平湖")
    assert "嘉兴市人力社保局" in forms and "嘉兴市人社局" in forms

"""People across an issue and offices: one id per official whatever the title's form, surname +
title references attached (never a one-character person), offices split and resolved, company
posts not official, and the offices table aggregated from the mentions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.gazetteers.gazetteer import load_gazetteer
from pipeline.records import Mention
from pipeline.resolve.locality import Locality
from pipeline.resolve.offices import is_public_role, parse_offices, split_title
from pipeline.resolve.people import cluster_people, reference_parts
from pipeline.resolve.resolver import Resolver
from pipeline.settings import DEFAULT_GAZETTEER


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_gazetteer(DEFAULT_GAZETTEER))


def _offices(role: str, r: Resolver, loc: Locality | None = None) -> list[tuple[str, str, str]]:
    return [(o.office, o.org_id, o.jurisdiction) for o in parse_offices(role, r, loc or Locality("local"))]


def test_compound_title_is_two_offices(resolver: Resolver) -> None:
    assert split_title("中共平湖市委副书记、市长") == ["中共平湖市委副书记", "市长"]
    assert _offices("中共平湖市委副书记、市长", resolver) == [
        ("副书记", "org:330482-cpc", "330482"),
        ("市长", "org:330482-gov", "330482"),
    ]
    assert _offices("市委常委、常务副市长", resolver) == [
        ("常委", "org:330482-cpc", "330482"),
        ("常务副市长", "org:330482-gov", "330482"),
    ]


def test_offices_of_other_places(resolver: Resolver) -> None:
    assert _offices("金山区委副书记、区长", resolver) == [
        ("副书记", "org:310116-party", "310116"),
        ("区长", "org:310116-gov", "310116"),
    ]
    # 市委书记 in a story about 杭州 is 杭州's
    assert _offices("市委书记", resolver, Locality("elsewhere", "3301")) == [("书记", "org:3301-party", "3301")]
    assert _offices("乍浦镇党委书记", resolver) == [("书记", "org:330482101-party", "330482101")]


@pytest.mark.parametrize(
    "role, public",
    [("市委书记", True), ("市人大常委会主任", True), ("平湖市人民法院院长", True), ("市领导", True),
     ("经理", False), ("董事长", False), ("公司总经理", False), ("平湖农商银行行长", False), ("商会会长", False)],
)
def test_public_office(role: str, public: bool) -> None:
    assert is_public_role(role) is public


def test_reference_parts() -> None:
    assert reference_parts("顾书记") == ("顾", "书记")
    assert reference_parts("沈市长") == ("沈", "市长")
    assert reference_parts("顾", "书记指出") == ("顾", "书记")
    assert reference_parts("顾立新") is None and reference_parts("顾", "立新") is None


def _person(art: str, name: str, role: str = "", start: int = 0) -> Mention:
    return Mention(art, "PERSON", name, start, start + len(name), start, start + len(name), role=role)


def test_issue_clustering(resolver: Resolver) -> None:
    ms = [
        _person("a1", "顾立新", "市委书记"),
        _person("a1", "沈建明", "市委副书记、市长"),
        _person("a2", "沈建明", "市领导"),
        _person("a2", "顾书记"),
        _person("a3", "沈建明"),  # untitled, another article of the issue
        _person("a3", "沈市长"),
        _person("a3", "王明", "公司总经理"),
        _person("a3", "江主席"),  # nobody of surname 江 with 主席 in the issue
        _person("a4", "沈建明", "记者"),  # a namesake reporter: someone else
    ]
    resolver.resolve_many(ms)
    reporter_first = [ms[8], _person("a5", "沈建明")]
    resolver.resolve_many(reporter_first)
    cluster_people([], reporter_first, resolver)
    assert reporter_first[1].entity_id == reporter_first[0].entity_id  # the only 沈建明 so far
    ms = ms[:8] + [_person("a4", "沈建明", "记者")]
    ms_official = ms[:8]
    resolver.resolve_many(ms)
    cluster_people([], ms_official, resolver)
    shen = ms[1].entity_id
    assert ms[2].entity_id == shen and ms[4].entity_id == shen and ms[5].entity_id == shen
    assert ms[3].entity_id == ms[0].entity_id and ms[3].canonical == "顾立新"
    assert ms[8].entity_id != shen
    # with two 沈建明 in the issue, an untitled one elsewhere is ambiguous: left alone, not guessed
    both = [_person("b1", "沈建明", "市长"), _person("b2", "沈建明", "记者"), _person("b3", "沈建明")]
    resolver.resolve_many(both)
    cluster_people([], both, resolver)
    assert both[2].entity_id not in (both[0].entity_id, both[1].entity_id)
    assert ms[6].is_official is False and ms[6].role == "公司总经理"
    assert ms[7].entity_id == "" and ms[7].canonical == "江主席"  # not a person named 江
    assert [o.office for o in ms[1].offices] == ["副书记", "市长"]


def test_offices_table(tmp_path: Path) -> None:
    from pipeline.cli.main import main

    page = tmp_path / "2024-06-03.md"
    page.write_text(
        "## 市领导调研\n\n■记者 林晓\n\n本报讯 6月2日，市委书记顾立新到乍浦镇调研。顾书记指出，要抓好落实。"
        "市委副书记、市长沈建明参加。\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["run", str(page), "--out", str(out), "--quiet", "--backend", "lac-gazetteer"]) == 0
    off = pd.read_parquet(out / "offices" / "offices.parquet")
    gu = off[off["name"] == "顾立新"]
    assert list(gu["office"]) == ["书记"] and list(gu["org_id"]) == ["org:330482-cpc"]
    assert int(gu["mention_count"].iat[0]) == 2  # 顾书记 counted for him
    assert sorted(off[off["name"] == "沈建明"]["office"]) == ["副书记", "市长"]
    mentions = pd.read_parquet(out / "mentions")
    assert not (mentions["canonical"] == "顾").any()


def test_namesake_officials_of_different_places_are_apart(resolver: Resolver) -> None:
    ms = [
        _person("a1", "刘建华", "金山区委书记"),
        _person("a1", "刘建华"),  # untitled repeat: inherits in the article (recognise stage), here by hand
        _person("a2", "刘建华", "市委副书记"),
        _person("a3", "刘建华", "市领导"),
    ]
    ms[1].role = ms[0].role
    resolver.resolve_many(ms)
    cluster_people([], ms, resolver)
    assert ms[0].entity_id == ms[1].entity_id
    assert ms[0].entity_id != ms[2].entity_id  # 金山区's 刘建华 is not Pinghu's
    assert ms[2].entity_id == ms[3].entity_id
    # a Pinghu official who also holds a 嘉兴 post stays one person
    both = [_person("b1", "蒋思远", "嘉兴市委常委、平湖市委书记"), _person("b2", "蒋思远", "市委书记")]
    resolver.resolve_many(both)
    cluster_people([], both, resolver)
    assert both[0].entity_id == both[1].entity_id


def test_a_title_of_no_family_is_official_only_for_a_public_office(resolver: Resolver) -> None:
    """A bank branch's head (新埭支行行长) came out of the title rules marked official and kept it,
    because the family of 行长 was unknown; the README says company posts are not public office."""
    ms = [_person("a1", "王立", "新埭支行行长"), _person("a1", "李明", "平湖市农业农村局局长"),
          _person("a1", "张立新", "拓远科技董事长")]
    for m in ms:
        m.is_official = True  # as the title pass leaves every titled person
    resolver.resolve_many(ms)
    cluster_people([], ms, resolver)
    assert [m.is_official for m in ms] == [False, True, False]

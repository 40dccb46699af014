"""Locality: unqualified agency names link to the paper's county only in its own stories;
countries link to ISO codes; fuzzy matching never turns a generic or national name local."""

from __future__ import annotations

import pytest

from pipeline.evaluation.entities import is_false_local
from pipeline.gazetteers.gazetteer import Gazetteer
from pipeline.lexicons.countries import countries, country_link, is_compound
from pipeline.records import Mention
from pipeline.resolve.locality import LOCAL, Locality
from pipeline.resolve.place_bodies import split_generic
from pipeline.resolve.resolver import Resolver


def _ms(*pairs: tuple[str, str]) -> list[Mention]:
    return [Mention("a", t, s, 0, len(s), 0, len(s)) for t, s in pairs]


def test_own_story_is_local(resolver: Resolver) -> None:
    ms = _ms(("ORG", "市政府"), ("PLACE", "乍浦镇"))
    loc = resolver.locality_of("本报讯 5月3日", "本报讯 5月3日，市政府在乍浦镇召开会议。", ["记者"], ms)
    assert loc == LOCAL
    resolver.resolve_many(ms, loc)
    assert ms[0].entity_id == "org:330482-gov"


def test_wire_story_is_national_and_generic_names_stay_off_the_county(resolver: Resolver) -> None:
    head = "新华社北京5月3日电"
    ms = _ms(("ORG", "市政府"), ("ORG", "人民检察院"), ("ORG", "公安局"), ("ORG", "市委"))
    loc = resolver.locality_of(head, head + " 各地市政府和人民检察院……", [], ms)
    assert loc.kind == "national"
    resolver.resolve_many(ms, loc)
    for m in ms:
        assert "330482" not in m.entity_id and m.link_method == "nil", m
        assert m.entity_id.startswith("nil:ORG:")
    # qualified by the locality: 市政府 of national news is not the NIL of an unknown 市政府
    assert ms[0].entity_id != resolver.resolve("ORG", "市政府", locality=Locality("unknown")).entity_id


def test_story_about_another_city_gets_that_citys_bodies(resolver: Resolver, gaz: Gazetteer) -> None:
    head = "新华社杭州5月3日电"
    ms = _ms(("PLACE", "杭州市"), ("ORG", "市政府"), ("ORG", "市委"), ("ORG", "市公安局"), ("ORG", "公安局"))
    loc = resolver.locality_of(head, head + " 杭州市……", [], ms)
    assert loc.kind == "elsewhere" and loc.code == "3301"
    resolver.resolve_many(ms, loc)
    assert ms[1].entity_id == "org:3301-gov" and ms[1].canonical == "杭州市人民政府"
    assert ms[2].entity_id == "org:3301-party" and ms[2].canonical == "中共杭州市委员会"
    assert ms[3].entity_id == ms[4].entity_id and ms[3].canonical == "杭州市公安局"
    assert not any(is_false_local(resolver, m.surface, m.entity_id) for m in ms)


def test_paper_story_about_elsewhere(resolver: Resolver) -> None:
    """本报 staff writing about another county, naming it twice and never 我市: that county's."""
    text = "本报讯 嘉善县召开大会，嘉善县县委书记讲话，县政府部署工作。"
    ms = _ms(("PLACE", "嘉善县"), ("PLACE", "嘉善县"), ("ORG", "县政府"))
    loc = resolver.locality_of("本报讯", text, ["记者"], ms)
    assert loc.kind == "elsewhere" and loc.code == "330421"
    resolver.resolve_many(ms, loc)
    assert ms[2].entity_id == "org:330421-gov"
    # one other place named once beside 我市: still our story
    ms2 = _ms(("PLACE", "嘉善县"), ("ORG", "市公安局"))
    loc2 = resolver.locality_of("本报讯", "本报讯 我市与嘉善县……市公安局", ["记者"], ms2)
    assert loc2 == LOCAL


def test_full_names_link_wherever_printed(resolver: Resolver) -> None:
    loc = Locality("national")
    assert resolver.resolve("ORG", "平湖市人民检察院", locality=loc).entity_id == "org:330482-procuratorate"
    assert resolver.resolve("ORG", "人民检察院").entity_id == "org:330482-procuratorate"  # own story


@pytest.mark.parametrize("surface", ["全国人民代表大会", "全国人民代表大会常务委员会", "中国科学技术协会",
                                     "人民检察院", "市人民检查院"])
def test_no_fuzzy_link_for_generic_or_national_names(resolver: Resolver, surface: str) -> None:
    assert resolver.resolve("ORG", surface, locality=Locality("national")).method != "fuzzy"
    assert resolver._fuzzy(surface, "ORG") is None


def test_split_generic() -> None:
    assert split_generic("市政府") == ("市", "政府")
    assert split_generic("人民检察院") == ("", "人民检察院")
    assert split_generic("县公安局") == ("县", "公安局")
    assert split_generic("芦笋专业合作社") is None


def test_countries(resolver: Resolver) -> None:
    assert len(countries()) >= 60 and all(len(c.code) == 2 for c in countries())
    assert country_link("美国") == ("country:US", "美国")
    assert country_link("中华人民共和国") == ("country:CN", "中国")
    assert country_link("中美") == ("country:CN+US", "中国、美国")
    assert country_link("中日韩")[0] == "country:CN+JP+KR"
    assert not is_compound("中中") and country_link("美") is None  # a lone character is no country
    assert resolver.resolve("PLACE", "俄罗斯").entity_id == "country:RU"
    # Every UN member and observer state but 黑山, whose short name begins Chinese divisions
    # (黑山县): those stay places of China, as do 巴林左旗 and 也门勒乡 (listed by long form).
    assert len(countries()) >= 190 and len({c.code for c in countries()}) == len(countries())
    assert country_link("马拉维") == ("country:MW", "马拉维")
    assert all(resolver.place_hit(n) is None or not resolver.place_hit(n).foreign for n in ("黑山县", "巴林左旗"))
    loc = resolver.locality_of("新华社华盛顿5月3日电", "新华社华盛顿5月3日电 美国……", [], _ms(("PLACE", "美国")))
    assert loc.kind in ("foreign", "national")


def test_every_province_and_prefecture_resolves_to_its_code(resolver: Resolver, gaz: Gazetteer) -> None:
    """And every county whose name is unique in China; a shared name (朝阳区) picks one."""
    from collections import Counter

    divs = [e for e in gaz.entries if e.entity_id.startswith("div:") and e.kind in ("province", "city", "county")]
    names = Counter(e.canonical for e in divs)
    checked = 0
    for e in divs:
        if names[e.canonical] == 1:
            assert resolver.resolve("PLACE", e.canonical, locality=Locality("national")).entity_id == e.entity_id, e
            checked += 1
    assert checked > 2800
    assert resolver.resolve("PLACE", "四川").entity_id == "div:51"
    assert resolver.resolve("PLACE", "凉山").entity_id == "div:5134"


def test_articles_carry_their_locality(tmp_path) -> None:  # noqa: ANN001
    import pandas as pd

    from pipeline.cli.main import main

    page = tmp_path / "2024-05-06.md"
    page.write_text(
        "## 最高检发布典型案例\n\n新华社北京5月5日电 最高人民检察院发布典型案例，市政府、公安局要加强协作。\n\n"
        "## 我市召开会议\n\n■记者 陶然\n\n本报讯 5月5日，市政府召开会议。\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["run", str(page), "--out", str(out), "--quiet", "--backend", "lac-gazetteer"]) == 0
    arts = pd.read_parquet(out / "articles").sort_values("seq")
    assert list(arts["locality"]) == ["national", "local"]
    ms = pd.read_parquet(out / "mentions")
    gov = ms[ms["surface"] == "市政府"].merge(arts[["article_id", "locality"]], on="article_id")
    assert set(gov[gov["locality"] == "local"]["entity_id"]) == {"org:330482-gov"}
    assert not gov[gov["locality"] == "national"]["entity_id"].str.contains("330482").any()


def test_short_and_full_forms_of_another_places_body_are_one_entity(resolver: Resolver) -> None:
    loc = Locality("elsewhere", "3304", "嘉兴市")
    short = resolver.resolve("ORG", "市发改委", locality=loc)
    full = resolver.resolve("ORG", "市发展和改革委员会", locality=loc)
    assert short.entity_id == full.entity_id and short.canonical == "嘉兴市发展和改革委员会"

"""Villages and communities (村 / 社区): loaded from the shared list with their 12-digit codes and
towns, linked by their printed names, renamed 村 ↔ 社区 forms at a lower confidence, homonyms
told apart by the town printed with them (else the paper's county, else NIL), and no bare stem."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from county_fixture import make_fictional_county
from outputs_fixture import make_article

from pipeline.gazetteers.build import build_divisions_csv
from pipeline.gazetteers.gazetteer import Gazetteer, load_gazetteer
from pipeline.gazetteers.villages import renamed_forms, ruler_safe, village_kind, village_name
from pipeline.records import Mention
from pipeline.resolve.locality import Locality
from pipeline.resolve.resolver import CONFIDENCE, Resolver, nil_id

SHARED_VILLAGES = Path("/work/shared/gazetteer/admin-divisions/villages.csv")
DATE = dt.date(2024, 9, 12)


def _pinghu_rows() -> list[dict[str, str]]:
    if not SHARED_VILLAGES.is_file():
        pytest.skip("the shared villages.csv is not on this machine")
    with open(SHARED_VILLAGES, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["areaCode"] == "330482"]


def _article_mentions(body: str, surfaces: list[str], article_id: str = "a1") -> tuple[list, list[Mention]]:
    """An own-staff article with ``body`` and a PLACE mention at every occurrence of each surface,
    each with its sentence (what the recogniser gives the resolver)."""
    article = make_article(article_id, DATE, 1, 1, "村里新事", "本报讯 " + body, byline="记者 张三")
    text = article.text
    ms = []
    for s in surfaces:
        for hit in re.finditer(re.escape(s), text):
            a, b = hit.start(), hit.end()
            s0 = max(text.rfind(c, 0, a) for c in "。\n") + 1
            s1 = min((i for i in (text.find(c, b) for c in "。\n") if i >= 0), default=len(text))
            ms.append(Mention(article_id, "PLACE", s, a, b, a, b, sentence=text[s0:s1]))
    ms.sort(key=lambda m: m.start)
    return [article], ms


def _linked(resolver: Resolver, body: str, surfaces: list[str]) -> list[Mention]:
    articles, ms = _article_mentions(body, surfaces)
    resolver.resolve_articles(articles, ms)
    return ms


def _of(ms: list[Mention], surface: str) -> list[str]:
    return [m.entity_id for m in ms if m.surface == surface]


# --- the data and the loader -------------------------------------------------------------------


def test_every_pinghu_village_loads_with_its_code_and_town(gaz: Gazetteer) -> None:
    rows = _pinghu_rows()
    assert len(rows) == 136
    for r in rows:
        e = gaz.by_id(f"div:{r['code']}")
        assert e is not None, r
        town = gaz.by_id(f"div:{r['streetCode']}")
        assert len(e.division_code) == 12 and e.division_code == r["code"]
        assert e.parent_id == town.entity_id and town.kind == "town"
        assert e.canonical == town.canonical + village_name(r["name"])
        assert e.kind == ("community" if "社区" in r["name"] else "village")
        assert e.type == "PLACE"


def test_divisions_csv_holds_printed_names() -> None:
    from pipeline.settings import DEFAULT_GAZETTEER

    with open(DEFAULT_GAZETTEER / "divisions.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == "village"]
    assert len(rows) == 1202  # the villages of 嘉兴市's towns; the list has no Shanghai villages
    assert all(r["code"].startswith("3304") and len(r["code"]) == 12 for r in rows)
    assert not any(r["name"].endswith(("委员会", "委会")) for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["330482106208"] == {"code": "330482106208", "name": "泗泾村", "level": "village",
                                       "parent_code": "330482106"}


@pytest.mark.parametrize(
    ("raw", "printed"),
    [
        ("泗泾村村民委员会", "泗泾村"),
        ("芦川社区居民委员会", "芦川社区"),
        ("水洞埭社区居委会", "水洞埭社区"),
        ("沿山村委会", "沿山村"),
        ("金星村村委会", "金星村"),
        ("三村村委会", "三村"),
        ("平棋村民委员会", "平棋村"),
        ("周垟村村委员会", "周垟村"),
        ("下涯居民委员会", "下涯居委会"),
        ("清波门社区", "清波门社区"),
        ("围垦生活区", "围垦生活区"),
    ],
)
def test_village_name_strips_the_committee(raw: str, printed: str) -> None:
    assert village_name(raw) == printed


def test_village_rules() -> None:
    assert village_kind("芦川社区") == "community" and village_kind("下涯居委会") == "community"
    assert village_kind("泗泾村") == "village"
    assert renamed_forms("山塘村") == ["山塘社区"] and renamed_forms("芦川社区") == ["芦川村"]
    assert renamed_forms("三村") == []  # a one-character stem: 三社区 is nobody's name
    assert ruler_safe("泗泾村") and not ruler_safe("管村") and not ruler_safe("新农村")


def test_build_divisions_csv_adds_the_villages_of_kept_towns(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "provinces.csv").write_text('code,name\n33,"浙江省"\n', encoding="utf-8")
    (src / "cities.csv").write_text('code,name,provinceCode\n3304,"嘉兴市",33\n', encoding="utf-8")
    (src / "areas.csv").write_text(
        'code,name,cityCode,provinceCode\n330482,"平湖市",3304,33\n330481,"海宁市",3304,33\n', encoding="utf-8")
    (src / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n330482106,"广陈镇",330482,33,3304\n'
        '330481107,"斜桥镇",330481,33,3304\n', encoding="utf-8")
    villages = src / "villages.csv"
    villages.write_text(
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '330482106208,"泗泾村村民委员会",330482106,33,3304,330482\n'
        '330481107210,"华丰村村民委员会",330481107,33,3304,330481\n', encoding="utf-8")
    dest = tmp_path / "divisions.csv"
    assert build_divisions_csv(src, dest, ["330482"]) == 5  # no villages file: no villages
    assert build_divisions_csv(src, dest, ["330482"], villages) == 6  # 斜桥镇 not kept: nor its 华丰村
    rows = {r["code"]: r for r in csv.DictReader(dest.open(encoding="utf-8"))}
    assert rows["330482106208"] == {"code": "330482106208", "name": "泗泾村", "level": "village",
                                    "parent_code": "330482106"}
    assert "330481107210" not in rows


def test_the_bare_stem_is_no_alias(gaz: Gazetteer) -> None:
    for stem, village in (("泗泾", "div:330482106208"), ("芦川", "div:330482103007"), ("百寿", "div:330482003209")):
        assert village not in [e.entity_id for e in gaz.lookup(stem)]
        assert stem not in gaz.by_id(village).aliases
    assert gaz.lookup("百寿") == []  # no town of that name either: the stem links nothing


def test_ruler_gets_printed_village_names(gaz: Gazetteer) -> None:
    d = dict(gaz.names_for_ruler())
    assert d["泗泾村"] == d["芦川社区"] == d["百寿村"] == "PLACE"
    assert d["星火村"] == "PLACE"  # three homonyms outside the county, one type: still proposed
    assert "广陈镇泗泾村" not in d  # the gold splits town + village into two mentions
    # renamed forms (撤村建居: a register's X村 printed as X社区, or the reverse) are proposed too;
    # the resolver links them with the lower-confidence ``renamed`` method
    assert d["泗泾社区"] == d["芦川村"] == "PLACE"
    assert "新农村" not in d and "百寿" not in d and "芦川" not in d  # (泗泾 is 上海's 泗泾镇)


# --- linking -----------------------------------------------------------------------------------


def test_sentence_links_villages_to_their_codes(resolver: Resolver) -> None:
    ms = _linked(resolver, "9月10日，记者来到广陈镇泗泾村和新仓镇芦川社区，看到泗泾村的稻田一片金黄。",
                 ["广陈镇", "泗泾村", "新仓镇", "芦川社区"])
    assert _of(ms, "泗泾村") == ["div:330482106208"] * 2
    assert _of(ms, "芦川社区") == ["div:330482103007"]
    v = next(m for m in ms if m.surface == "泗泾村")
    assert (v.canonical, v.link_method, v.link_confidence) == ("广陈镇泗泾村", "exact", 1.0)
    link = resolver.resolve("PLACE", "芦川社区")
    assert (link.kind, link.parent_id, link.division_code) == ("community", "div:330482103", "330482103007")
    assert resolver.resolve("PLACE", "广陈镇泗泾村").entity_id == "div:330482106208"


def test_renamed_form_links_with_its_own_method_and_lower_confidence(resolver: Resolver) -> None:
    old = resolver.resolve("PLACE", "芦川村")  # only 芦川社区 exists
    assert (old.entity_id, old.method) == ("div:330482103007", "renamed")
    assert old.confidence == CONFIDENCE["renamed"] < CONFIDENCE["alias"] < CONFIDENCE["exact"]
    new = resolver.resolve("PLACE", "山塘社区")  # only 山塘村 exists
    assert (new.entity_id, new.method) == ("div:330482106209", "renamed")
    # where both forms exist (曹桥街道 has 曹桥村 and 曹桥社区), each is its own place
    assert resolver.resolve("PLACE", "曹桥村").entity_id == "div:330482003200"
    assert resolver.resolve("PLACE", "曹桥社区").entity_id == "div:330482003001"
    ms = _linked(resolver, "曹桥街道马厩社区的居民搬进了新家。", ["曹桥街道", "马厩社区"])
    assert [(m.entity_id, m.link_method) for m in ms if m.surface == "马厩社区"] == [("div:330482003208", "renamed")]


def test_homonym_is_decided_by_the_town_printed_with_it(resolver: Resolver) -> None:
    # 华丰村: 林埭镇 (平湖) and 斜桥镇 (海宁)
    ms = _linked(resolver, "平湖市林埭镇华丰村与海宁市斜桥镇华丰村结对共建。", ["林埭镇", "斜桥镇", "华丰村"])
    assert _of(ms, "华丰村") == ["div:330482107211", "div:330481107210"]
    # 星火村: three villages, none in 平湖; the town named nearby in the sentence picks one
    ms = _linked(resolver, "考察团走进周王庙镇，参观了星火村的共富工坊。", ["周王庙镇", "星火村"])
    assert _of(ms, "星火村") == ["div:330481105207"]


def test_homonym_without_a_town_prefers_the_county_else_nil(resolver: Resolver) -> None:
    ms = _linked(resolver, "华丰村的党员志愿者走进田间。星火村也组织了志愿服务。", ["华丰村", "星火村"])
    assert _of(ms, "华丰村") == ["div:330482107211"]  # the paper's county has exactly one
    assert _of(ms, "星火村") == [nil_id("PLACE", "星火村")]  # three elsewhere, none here: no coin flip
    assert resolver.resolve("PLACE", "星火村").method == "nil"
    # a story about 海宁 (its locality) picks 海宁's
    assert resolver.resolve("PLACE", "华丰村", locality=Locality("elsewhere", "330481")).entity_id == "div:330481107210"


def test_village_not_in_the_town_printed_before_it_is_nil(resolver: Resolver) -> None:
    # 联星村 exists only in 桐乡 and 华丰村 not in 曹桥街道: the paper's village is missing from the list
    ms = _linked(resolver, "曹桥街道联星村和曹桥街道华丰村举办村晚。在联星村，村民欢聚一堂。",
                 ["曹桥街道", "联星村", "华丰村"])
    assert set(_of(ms, "联星村")) == {nil_id("PLACE", "联星村")}  # the repeat follows the qualified one
    assert _of(ms, "华丰村") == [nil_id("PLACE", "华丰村")]
    # and with no town at all, a village outside the county is not linked in the county's story
    assert resolver.resolve("PLACE", "联星村").method == "nil"


def test_villages_are_no_fuzzy_targets(resolver: Resolver) -> None:
    # one character off a town + village name is another village (华丰村 / 群丰村), not an OCR error
    assert resolver.resolve("PLACE", "广陈镇泗泾材").method == "nil"


def test_own_villages_are_local_places(resolver: Resolver) -> None:
    hit = resolver.place_hit("泗泾村")
    assert hit is not None and hit.own and hit.code == "330482106208"
    assert resolver.place_hit("星火村") is None  # outside the county a bare village name says little


# --- another county ----------------------------------------------------------------------------


def test_another_countys_villages_link_under_its_towns(tmp_path: Path) -> None:
    gaz = load_gazetteer(make_fictional_county(tmp_path / "g"))
    yun = gaz.by_id("div:339901101201")
    assert (yun.canonical, yun.kind, yun.parent_id) == ("石门镇云岭村", "village", "div:339901101")
    assert gaz.by_id("div:339901101202").kind == "community"
    r = Resolver(gaz)
    assert r.resolve("PLACE", "竹溪村").entity_id == "div:339901102201"
    assert r.resolve("PLACE", "云岭村").method == "nil"  # 石门镇 and 溪口街道 both have one
    assert r.resolve("PLACE", "桃花村").method == "renamed"  # 桃花社区 printed by its old name
    ms = _article_mentions("林远山来到溪口街道云岭村。", ["溪口街道", "云岭村"])
    r.resolve_articles(*ms)
    assert _of(ms[1], "云岭村") == ["div:339901001201"]

"""Gazetteer data, loader, abbreviation rules and the entity-ruler list."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from county_fixture import make_county

from pipeline.gazetteers.gazetteer import (
    Gazetteer,
    _build,
    build_divisions_csv,
    city_prefix_forms,
    cppcc_forms,
    derive_aliases,
    division_short_form,
    government_forms,
    group_company_forms,
    load_gazetteer,
    normalise,
    party_committee_forms,
    phrase_abbreviations,
    street_office_aliases,
    street_office_forms,
    town_party_forms,
    youth_league_forms,
    zone_forms,
)
from pipeline.settings import DEFAULT_GAZETTEER

PINGHU_TOWNS = {
    "330482001": "当湖街道",
    "330482002": "钟埭街道",
    "330482003": "曹桥街道",
    "330482101": "乍浦镇",
    "330482102": "新埭镇",
    "330482103": "新仓镇",
    "330482106": "广陈镇",
    "330482107": "林埭镇",
    "330482108": "独山港镇",
}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer(DEFAULT_GAZETTEER)




# --- data and loader --------------------------------------------------------------------------


def test_config_values(gaz: Gazetteer) -> None:
    assert gaz.paper_name == "平湖日报"
    assert gaz.city_name == "平湖市"
    assert gaz.short_name == "平湖"
    assert gaz.county_code == "330482"
    assert gaz.config.city_code == "3304" and gaz.config.city_parent_name == "嘉兴市"
    assert gaz.config.province_code == "33" and gaz.config.province_name == "浙江省"


def test_load_is_fast_and_cached() -> None:
    t0 = time.perf_counter()
    _build(DEFAULT_GAZETTEER.resolve())
    assert time.perf_counter() - t0 < 0.5
    assert load_gazetteer(DEFAULT_GAZETTEER) is load_gazetteer(str(DEFAULT_GAZETTEER))


def test_ruler_names_are_computed_once_and_each_caller_gets_its_own(gaz: Gazetteer) -> None:
    first = gaz.names_for_ruler()
    assert first and first == gaz._names_for_ruler(2)
    first.clear()  # a caller's own list: the next caller still gets every name
    assert gaz.names_for_ruler() == gaz._names_for_ruler(2)
    assert gaz.names_for_ruler(3) == [p for p in gaz.names_for_ruler() if len(p[0]) >= 3]


def test_divisions_file(gaz: Gazetteer) -> None:
    path = DEFAULT_GAZETTEER / "divisions.csv"
    assert path.stat().st_size < 1_000_000
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    levels = {r["level"] for r in rows}
    assert levels == {"province", "city", "county", "town", "village"}
    assert sum(r["level"] == "province" for r in rows) == 31
    assert not any(r["name"] == "市辖区" for r in rows)
    towns = {r["code"]: r["name"] for r in rows if r["code"].startswith("330482") and r["level"] == "town"}
    assert towns == PINGHU_TOWNS
    codes = {r["code"] for r in rows}
    for neighbour_town_of in ("330481", "330421", "310112", "310116", "310117"):
        assert any(c.startswith(neighbour_town_of) and len(c) == 9 for c in codes)
    assert "3304" in codes and "31" in codes and "51" in codes
    # municipalities' districts hang under the province once 市辖区 is dropped
    assert gaz.by_id("div:310112").parent_id == "div:31"


def test_division_entries(gaz: Gazetteer) -> None:
    e = gaz.by_id("div:330482002")
    assert e is not None
    assert (e.type, e.canonical, e.kind, e.parent_id, e.division_code) == (
        "PLACE",
        "钟埭街道",
        "town",
        "div:330482",
        "330482002",
    )
    assert "钟埭" in e.aliases
    assert gaz.by_id("div:330482").canonical == "平湖市"
    assert gaz.by_id("nope") is None


def test_generated_town_bodies(gaz: Gazetteer) -> None:
    for code, name in PINGHU_TOWNS.items():
        party, gov = gaz.by_id(f"org:{code}-party"), gaz.by_id(f"org:{code}-gov")
        assert party is not None and gov is not None
        assert party.kind == "town_party" and gov.kind == "town_gov"
        assert party.division_code == code == gov.division_code
        if name.endswith("街道"):
            assert gov.canonical == f"{name}办事处"
            assert f"{name}党工委" in party.aliases
        else:
            assert gov.canonical == f"{name}人民政府"
            assert f"{name}政府" in gov.aliases and f"{name}党委" in party.aliases


def test_agencies_cover_county_structure(gaz: Gazetteer) -> None:
    canon = {e.canonical for e in gaz.entries if e.type == "ORG"}
    for name in (
        "中共平湖市委",
        "中共平湖市委组织部",
        "中共平湖市委宣传部",
        "中共平湖市委统一战线工作部",
        "中共平湖市委政法委员会",
        "中共平湖市纪律检查委员会",
        "平湖市人大常委会",
        "平湖市人民政府",
        "平湖市发展和改革局",
        "平湖市交通运输局",
        "嘉兴市生态环境局平湖分局",
        "政协平湖市委员会",
        "平湖市人民法院",
        "平湖市人民检察院",
        "共青团平湖市委员会",
        "平湖市妇女联合会",
        "平湖市融媒体中心",
        "平湖经济技术开发区管理委员会",
        "独山港经济开发区管理委员会",
        "平湖市交通投资集团有限公司",
    ):
        assert name in canon, name
    ids = [e.entity_id for e in gaz.entries]
    assert len(ids) == len(set(ids))


def test_areas(gaz: Gazetteer) -> None:
    etdz = gaz.lookup("平湖经济技术开发区")[0]
    assert etdz.entity_id == "area:pinghu-etdz" and etdz.kind == "zone"
    assert ("administers", "div:330482002") in gaz.relations["area:pinghu-etdz"]
    assert gaz.lookup("长三角")[0].kind == "region"


def test_lookup_ranks_exact_then_nearest_then_higher_level(gaz: Gazetteer) -> None:
    assert gaz.lookup("平湖市")[0].entity_id == "div:330482"
    assert gaz.lookup(" 平湖 ")[0].entity_id == "div:330482"  # normalised
    assert [e.entity_id for e in gaz.lookup("吉林")][:2] == ["div:22", "div:2202"]  # province first
    assert gaz.lookup("普陀区")[0].entity_id == "div:330903"  # the paper's province first
    assert gaz.lookup("钟埭街道")[0].entity_id == "div:330482002"  # canonical beats the office alias
    assert gaz.lookup("不存在的名字") == []


def test_contextual_bare_alias_dropped_when_ambiguous(tmp_path: Path) -> None:
    root = make_county(tmp_path / "haining")
    (root / "agencies.csv").write_text(
        "id,name,kind,parent,division_code,extra_aliases\n"
        "cadres,中共海宁市委老干部局,party_dept,,,\ncadres2,海宁市老干部局,gov_dept,,,\n",
        encoding="utf-8",
    )
    g = load_gazetteer(root)
    assert g.lookup("老干部局") == []
    assert g.lookup("市委老干部局")[0].entity_id == "org:330481-cadres"


def test_names_for_ruler(gaz: Gazetteer) -> None:
    names = gaz.names_for_ruler()
    d = dict(names)
    assert d["平湖经济技术开发区"] == "PLACE"
    assert d["平湖经开"] == "PLACE"
    assert d["市发改局"] == "ORG"
    assert d["钟埭街道"] == "PLACE" and d["钟埭"] == "PLACE"
    assert d["闵行区"] == "PLACE" and d["闵行"] == "PLACE" and d["四川"] == "PLACE"
    assert d["海城市"] == "PLACE" and "海城" not in d  # far-away county short forms stay out
    assert all(len(s) >= 2 for s, _ in names)
    assert "和平" not in d and "大桥" not in d
    lengths = [len(s) for s, _ in names]
    assert lengths == sorted(lengths, reverse=True)


def test_agency_rows_are_body_names() -> None:
    # every row names a body in full (at least 中共/平湖市 + a noun), no short or bare entries
    with open(DEFAULT_GAZETTEER / "agencies.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert len(row["name"]) >= 4, row


def test_swapped_gazetteer_dir(tmp_path: Path) -> None:
    g = load_gazetteer(make_county(tmp_path / "haining"))
    assert g.city_name == "海宁市" and g.county_code == "330481"
    police = g.lookup("市公安局")
    assert [e.entity_id for e in police] == ["org:330481-police"]
    assert g.lookup("海宁")[0].entity_id == "div:330481"
    assert g.lookup("许村")[0].entity_id == "div:330481101"
    assert g.by_id("org:330481101-gov").canonical == "许村镇人民政府"
    assert g.by_id("org:330482-drc") is None


def test_build_divisions_csv(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "provinces.csv").write_text('code,name\n31,"上海市"\n33,"浙江省"\n', encoding="utf-8")
    (src / "cities.csv").write_text(
        'code,name,provinceCode\n3101,"市辖区",31\n3304,"嘉兴市",33\n', encoding="utf-8"
    )
    (src / "areas.csv").write_text(
        'code,name,cityCode,provinceCode\n310112,"闵行区",3101,31\n330482,"平湖市",3304,33\n',
        encoding="utf-8",
    )
    (src / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n310112001,"江川路街道",310112,31,3101\n'
        '330482002,"钟埭街道",330482,33,3304\n',
        encoding="utf-8",
    )
    dest = tmp_path / "divisions.csv"
    assert build_divisions_csv(src, dest, ["330482"]) == 6
    rows = list(csv.DictReader(dest.open(encoding="utf-8")))
    by_code = {r["code"]: r for r in rows}
    assert "3101" not in by_code
    assert by_code["310112"]["parent_code"] == "31"
    assert by_code["330482002"] == {
        "code": "330482002",
        "name": "钟埭街道",
        "level": "town",
        "parent_code": "330482",
    }
    assert "310112001" not in by_code


# --- abbreviation rules, one test per rule ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("平湖市发展和改革局", "平湖市发改局"),
        ("平湖市经济和信息化局", "平湖市经信局"),
        ("平湖市卫生健康局", "平湖市卫健局"),
        ("平湖市人力资源和社会保障局", "平湖市人社局"),
        ("平湖市自然资源和规划局", "平湖市资规局"),
        ("平湖市自然资源和规划局", "平湖市自然资源规划局"),
        ("平湖市住房和城乡建设局", "平湖市住建局"),
        ("平湖市文化和广电旅游体育局", "平湖市文广旅体局"),
        ("平湖市市场监督管理局", "平湖市市场监管局"),
        ("平湖市农业农村局", "平湖市农业局"),
        ("平湖市退役军人事务局", "平湖市退役军人局"),
        ("平湖市综合行政执法局", "平湖市综合执法局"),
        ("平湖市人民代表大会常务委员会", "平湖市人大常委会"),
        ("中共平湖市纪律检查委员会", "中共平湖市纪委"),
        ("平湖市监察委员会", "平湖市监委"),
        ("平湖经济技术开发区管理委员会", "平湖经济技术开发区管委会"),
        ("平湖市科学技术局", "平湖市科技局"),
        ("平湖市医疗保障局", "平湖市医保局"),
        ("中共平湖市委统一战线工作部", "中共平湖市委统战部"),
    ],
)
def test_phrase_abbreviations(name: str, short: str) -> None:
    assert short in phrase_abbreviations(name)


def test_phrase_abbreviations_leave_other_names() -> None:
    assert phrase_abbreviations("平湖市公安局") == []


def test_government_forms() -> None:
    assert government_forms("平湖市人民政府") == ["平湖市政府"]
    assert government_forms("乍浦镇人民政府") == ["乍浦镇政府"]
    assert government_forms("平湖市公安局") == []


def test_party_committee_forms() -> None:
    assert set(party_committee_forms("中共平湖市委员会")) >= {"中共平湖市委", "平湖市委"}
    assert party_committee_forms("中共平湖市委组织部") == ["平湖市委组织部"]
    # 纪律检查 is not a division: left to the phrase rule, not turned into 平湖市纪律检查委
    assert "平湖市纪律检查委" not in party_committee_forms("中共平湖市纪律检查委员会")


def test_cppcc_forms() -> None:
    assert set(cppcc_forms("中国人民政治协商会议平湖市委员会")) == {"平湖市政协", "政协平湖市委员会"}
    assert "平湖市政协" in cppcc_forms("政协平湖市委员会")
    assert cppcc_forms("平湖市人民政府") == []


def test_youth_league_forms() -> None:
    forms = dict(youth_league_forms("共青团平湖市委员会", "平湖市"))
    assert forms["团平湖市委"] is False
    assert forms["团市委"] is True  # only meaningful in the paper's own city
    assert "团市委" not in dict(youth_league_forms("共青团嘉兴市委员会", "平湖市"))


def test_street_office_forms() -> None:
    assert street_office_forms("钟埭街道办事处") == ["钟埭街道办", "钟埭街道"]
    # the bare street name belongs to the division entry
    assert street_office_aliases("钟埭街道办事处") == ["钟埭街道办"]
    assert street_office_forms("乍浦镇人民政府") == []


def test_town_party_forms() -> None:
    town = set(town_party_forms("中共平湖市乍浦镇委员会", "平湖市"))
    assert {"乍浦镇党委", "乍浦镇委", "中共乍浦镇委员会", "平湖市乍浦镇党委"} <= town
    street = set(town_party_forms("中共平湖市钟埭街道工作委员会", "平湖市"))
    assert {"钟埭街道党工委", "钟埭街道工委"} <= street


def test_group_company_forms() -> None:
    assert group_company_forms("平湖市交通投资集团有限公司") == ["平湖市交通投资集团"]
    assert group_company_forms("平湖市城市发展投资(集团)有限公司") == ["平湖市城市发展投资集团"]
    assert group_company_forms("国网平湖市供电公司") == []


def test_zone_forms() -> None:
    assert zone_forms("平湖经济技术开发区") == ["平湖经开区", "平湖经开"]
    assert zone_forms("独山港经济开发区") == ["独山港开发区"]
    assert zone_forms("平湖经济技术开发区管委会") == ["平湖经开区管委会"]


def test_city_prefix_forms() -> None:
    assert dict(city_prefix_forms("平湖市发改局", "平湖市", "平湖")) == {
        "市发改局": True,
        "平湖发改局": False,
        "发改局": True,
    }
    assert dict(city_prefix_forms("平湖市委组织部", "平湖市", "平湖")) == {"市委组织部": True, "组织部": True}
    assert dict(city_prefix_forms("平湖市委", "平湖市", "平湖")) == {"市委": True}
    assert "办公室" not in dict(city_prefix_forms("平湖市委办公室", "平湖市", "平湖"))
    assert "总工会" not in dict(
        city_prefix_forms("平湖市总工会", "平湖市", "平湖")
    )  # only 局/部/集团/区 go bare
    assert dict(city_prefix_forms("平湖经开区", "平湖市", "平湖")) == {"经开区": True}
    assert city_prefix_forms("嘉兴市发改局", "平湖市", "平湖") == []
    assert dict(city_prefix_forms("海宁市公安局", "海宁市", "海宁"))["市公安局"] is True


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("四川省", "province", "四川"),
        ("上海市", "province", "上海"),
        ("广西壮族自治区", "province", "广西"),
        ("内蒙古自治区", "province", "内蒙古"),
        ("嘉兴市", "city", "嘉兴"),
        ("凉山彝族自治州", "city", "凉山"),
        ("恩施土家族苗族自治州", "city", "恩施"),
        ("锡林郭勒盟", "city", "锡林郭勒"),
        ("闵行区", "county", "闵行"),
        ("浦东新区", "county", "浦东"),
        ("平湖市", "county", "平湖"),
        ("嘉善县", "county", "嘉善"),
        ("钟埭街道", "town", "钟埭"),
        ("乍浦镇", "town", "乍浦"),
        ("独山港镇", "town", "独山港"),
        ("城区", "county", None),  # one character
        ("和平区", "county", None),  # everyday word
        ("大桥镇", "town", None),
        ("莘庄工业区", "town", None),  # not a 镇/乡/街道 name
    ],
)
def test_division_short_form(name: str, level: str, short: str | None) -> None:
    assert division_short_form(name, level) == short


def test_derive_aliases_closure() -> None:
    forms = derive_aliases("中共平湖市委统一战线工作部", "平湖市", "平湖")
    assert forms["平湖市委统战部"] is False
    assert forms["市委统战部"] is True
    assert forms["统战部"] is True
    market = derive_aliases("平湖市市场监督管理局", "平湖市", "平湖")
    assert market["市市场监管局"] is True and market["平湖市市场监管局"] is False
    assert "场监管局" not in market and "场监督管理局" not in market
    cpc = derive_aliases("中共平湖市委员会", "平湖市", "平湖")
    assert {"中共平湖市委", "平湖市委", "市委"} <= set(cpc)
    cppcc = derive_aliases("中国人民政治协商会议平湖市委员会", "平湖市", "平湖")
    assert cppcc["平湖市政协"] is False and cppcc["市政协"] is True
    gov = derive_aliases("平湖市人民政府", "平湖市", "平湖")
    assert gov["市政府"] is True and gov["平湖市政府"] is False
    soe = derive_aliases("平湖市交通投资集团有限公司", "平湖市", "平湖")
    assert soe["交投集团"] is True and soe["平湖市交投集团"] is False
    etdz = derive_aliases("平湖经济技术开发区", "平湖市", "平湖")
    assert etdz["平湖经开"] is False and etdz["平湖经开区"] is False and etdz["经开区"] is True


def test_normalise() -> None:
    assert normalise(" “平湖市 城市发展投资（集团）有限公司” ") == "平湖市城市发展投资(集团)有限公司"

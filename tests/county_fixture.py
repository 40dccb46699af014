"""Test data shared by the gazetteer and resolver tests: a tiny gazetteer of another county."""

from __future__ import annotations

import json
from pathlib import Path


def make_county(root: Path) -> Path:
    """A tiny gazetteer for another county (海宁市, 330481) with one agency."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gazetteer.json").write_text(
        json.dumps(
            {
                "paper_name": "海宁日报",
                "city_name": "海宁市",
                "short_name": "海宁",
                "county_code": "330481",
                "city_code": "3304",
                "city_parent_name": "嘉兴市",
                "province_code": "33",
                "province_name": "浙江省",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    (root / "divisions.csv").write_text(
        "code,name,level,parent_code\n33,浙江省,province,\n3304,嘉兴市,city,33\n330481,海宁市,county,3304\n"
        "330482,平湖市,county,3304\n330481001,硖石街道,town,330481\n330481101,许村镇,town,330481\n",
        encoding="utf-8",
    )
    (root / "agencies.csv").write_text(
        "id,name,kind,parent,division_code,extra_aliases\npolice,海宁市公安局,gov_dept,,,\n", encoding="utf-8"
    )
    return root


def make_fictional_county(root: Path) -> Path:
    """A made-up county, 青溪县 (339901) of a made-up 云州市 (3399), Zhejiang: no code, town,
    village or body of it exists, so anything it resolves came from this directory alone.  Pinghu (330482)
    is listed as a far-off county so that a false link to it would be visible."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gazetteer.json").write_text(
        json.dumps(
            {
                "paper_name": "青溪报",
                "city_name": "青溪县",
                "short_name": "青溪",
                "county_code": "339901",
                "city_code": "3399",
                "city_parent_name": "云州市",
                "province_code": "33",
                "province_name": "浙江省",
                "ruler_regions": ["3399"],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    (root / "divisions.csv").write_text(
        "code,name,level,parent_code\n33,浙江省,province,\n3304,嘉兴市,city,33\n3399,云州市,city,33\n"
        "330482,平湖市,county,3304\n339901,青溪县,county,3399\n339902,白鹭县,county,3399\n"
        "339901001,溪口街道,town,339901\n339901101,石门镇,town,339901\n339901102,桃源乡,town,339901\n"
        "330482101,乍浦镇,town,330482\n"
        # villages: 云岭村 in two towns (a homonym), a community, one village of 桃源乡
        "339901101201,云岭村,village,339901101\n339901101202,桃花社区,village,339901101\n"
        "339901001201,云岭村,village,339901001\n339901102201,竹溪村,village,339901102\n",
        encoding="utf-8",
    )
    (root / "agencies.csv").write_text(
        "id,name,kind,parent,division_code,extra_aliases\n"
        "cpc,中共青溪县委,party,div:339901,,中共青溪县委员会\n"
        "gov,青溪县人民政府,government,div:339901,,\n"
        "police,青溪县公安局,gov_dept,gov,,\n"
        "drc,青溪县发展和改革局,gov_dept,gov,,\n"
        "procuratorate,青溪县人民检察院,procuratorate,div:339901,,\n",
        encoding="utf-8",
    )
    (root / "lexicons").mkdir(exist_ok=True)
    (root / "lexicons" / "common_words.txt").write_text(
        "# source: made up for the test county (桃源 is an everyday word there)\n桃源\n", encoding="utf-8"
    )
    return root


FICTIONAL_PAGE = """## 县领导调研石门镇

■记者 方晓岚

本报讯 6月5日，县委书记林远山到石门镇调研，县委副书记、县长苏青禾参加。林书记指出，要做好山区民生实事。县发改局、县公安局负责人陪同。调研组还走访了石门镇云岭村和竹溪村的茶园。

## 溪口街道开展反诈宣传

■通讯员 叶知秋

本报讯 近日，县公安局在溪口街道开展反诈宣传。县人民检察院检察长周明澈出席活动。苏青禾表示，要守护群众钱袋子。

## 云州市召开全市工作会议

本报讯 云州市昨日召开全市工作会议，市委书记唐景行讲话，市政府、市公安局负责人出席。唐景行强调，要统筹发展和安全。云州市各县区负责人参加会议。
"""

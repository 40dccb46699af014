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

"""Another county runs from a gazetteer directory alone: a made-up county and page, end to end
through ``pinghu-ner run --gazetteer``, with no code change; its towns and agencies resolve to its
own ids, a story about its parent city gets that city's bodies, and nothing links to Pinghu."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from county_fixture import FICTIONAL_PAGE, make_fictional_county

from pipeline.gazetteers.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def county_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.cli.main import main

    root = tmp_path_factory.mktemp("qingxi")
    gaz = make_fictional_county(root / "gazetteer")
    page = root / "2024-06-06.md"
    page.write_text(FICTIONAL_PAGE, encoding="utf-8")
    out = root / "out"
    argv = ["run", str(page), "--out", str(out), "--gazetteer", str(gaz), "--quiet", "--backend", "lac-gazetteer"]
    assert main(argv) == 0
    return out


def _mentions(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "mentions")


def test_county_words_come_from_the_directory(tmp_path: Path) -> None:
    gaz = load_gazetteer(make_fictional_county(tmp_path / "g"))
    assert "桃源" in gaz.common_words and gaz.lookup("桃源") == []
    assert [e.entity_id for e in gaz.lookup("桃源乡")] == ["div:339901102"]
    assert [e.entity_id for e in gaz.lookup("石门")] == ["div:339901101"]  # not a common word there


def test_towns_and_agencies_resolve_to_the_county(county_run: Path) -> None:
    ms = _mentions(county_run)
    by_surface = dict(zip(ms["surface"], ms["entity_id"], strict=False))
    assert by_surface["石门镇"] == "div:339901101"
    assert by_surface["溪口街道"] == "div:339901001"
    first_two = ms[ms["article_id"].isin(sorted(ms["article_id"].unique())[:2])]
    police = first_two[first_two["surface"] == "县公安局"]["entity_id"].unique()
    assert list(police) == ["org:339901-police"]
    assert "org:339901-drc" in set(ms["entity_id"])


def test_offices_and_people_of_the_county(county_run: Path) -> None:
    ms = _mentions(county_run)
    people = ms[ms["type"] == "PERSON"]
    su = people[people["canonical"] == "苏青禾"]["entity_id"].unique()
    assert len(su) == 1  # titled in one article, untitled in another: one person
    lin = people[people["surface"].isin(["林远山", "林书记"])]["entity_id"].unique()
    assert len(lin) == 1
    off = pd.read_parquet(county_run / "offices" / "offices.parquet")
    assert set(off[off["name"] == "苏青禾"]["org_id"]) == {"org:339901-cpc", "org:339901-gov"}
    tang = off[off["name"] == "唐景行"]
    assert list(tang["org_id"]) == ["org:3399-party"]  # 云州市's committee, not 青溪县's


def test_nothing_links_to_pinghu(county_run: Path) -> None:
    ms = _mentions(county_run)
    assert not ms["entity_id"].fillna("").str.contains("330482").any()
    yun = ms[ms["surface"] == "市政府"]["entity_id"].unique()
    assert list(yun) == ["org:3399-gov"]


def test_villages_link_under_the_countys_towns(county_run: Path) -> None:
    """云岭村 is in two of the county's towns: the town printed before it decides; 竹溪村 is its
    county's only one; the entity table gives each its town as parent and its 12-digit code."""
    ms = _mentions(county_run)
    linked = set(ms["entity_id"].dropna())
    assert {"div:339901101201", "div:339901102201"} <= linked
    assert "div:339901001201" not in linked  # 溪口街道's 云岭村 is not the one in 石门镇
    ents = pd.read_parquet(county_run / "entities" / "entities.parquet").set_index("entity_id")
    assert ents.loc["div:339901101201", "parent_id"] == "div:339901101"
    assert ents.loc["div:339901102201", "parent_id"] == "div:339901102"
    assert ents.loc["div:339901101201", "division_code"] == "339901101201"
    assert ents.loc["div:339901101201", "kind"] == "village"

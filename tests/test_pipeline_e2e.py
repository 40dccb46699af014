"""End to end on the sample page: real articles, real mentions, real roles and links."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pandas as pd

import pipeline


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


REQUIRED = ["article_id", "issue_date", "type", "surface", "start", "end", "role", "entity_id", "canonical"]


def test_tables_written_and_loadable(seed_outputs: Path) -> None:
    for table in ("articles", "mentions", "people"):
        assert any((seed_outputs / table).rglob("part-*.parquet")), table
    assert (seed_outputs / "entities" / "entities.parquet").is_file()
    assert (seed_outputs / "manifest.json").is_file()
    mentions = pd.read_parquet(seed_outputs / "mentions")
    assert set(REQUIRED) <= set(mentions.columns)
    assert set(mentions["type"].astype(str)) == {"PERSON", "PLACE", "ORG"}
    con = duckdb.connect()
    n = con.sql(
        f"select count(*) from read_parquet('{seed_outputs}/mentions/**/*.parquet', hive_partitioning=1)"
    ).fetchall()[0][0]
    assert n == len(mentions)


def test_articles_and_mentions_have_real_content(seed_outputs: Path) -> None:
    t = pipeline.load(seed_outputs)
    assert len(t.articles) == 7
    assert "市委常委会召开会议" in set(t.articles["headline"])
    m = t.mentions
    people = m[m["type"] == "PERSON"]
    # The party secretary, introduced with his title, keeps it in every article that names him.
    sec = people[people["surface"] == "仲旭东"]
    assert len(sec) >= 10 and set(sec["role"]) == {"市委书记"}
    assert sec["is_official"].all()
    # A byline reporter is a PERSON with her byline role, not an official.
    rep = people[people["surface"] == "李雨婷"]
    assert len(rep) == 2 and set(rep["role"]) == {"记者"} and not rep["is_official"].any()
    # The deputy mayor named as 副市长 in one article.
    assert "副市长" in set(people.loc[people["surface"] == "杨金平", "role"])
    # Every mention points back to the same characters of the source (up to punctuation width).
    src = (Path(__file__).resolve().parent.parent / "seeds" / "000_2b345dada261a864.txt").read_text("utf-8")
    for row in m.itertuples():
        assert nfkc(src[row.source_start : row.source_end]) == nfkc(row.surface)


def test_links_on_sample_page(seed_outputs: Path) -> None:
    m = pipeline.load(seed_outputs).mentions
    ids = m.groupby("surface")["entity_id"].first()
    assert ids["平湖经开"] == ids["平湖经济技术开发区"]
    assert m.loc[m["surface"] == "钟埭街道", "entity_id"].iloc[0] == "div:330482002"
    assert m.loc[m["surface"] == "市发改局", "canonical"].iloc[0] == "平湖市发展和改革局"
    assert set(m["link_method"].astype(str)) <= {"exact", "alias", "context", "renamed", "fuzzy", "nil", "person"}
    assert m.loc[m["surface"] == "四川", "canonical"].iloc[0] == "四川省"

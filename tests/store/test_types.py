"""Tidy types an analyst can rely on: nulls for missing values, ``issue_date`` a date in every
reader, a flag where the page number was not in the source, a person key on ``people``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

import pipeline
from pipeline.errors import OutputsError
from pipeline.ingest.read import read_source, split_pages
from pipeline.segment import segment_page
from pipeline.store import schema as S
from pipeline.store.tables import read_arrow


@pytest.fixture
def out(outputs: Path) -> Path:
    return outputs


def test_no_empty_strings_only_nulls(out: Path) -> None:
    for table in S.TABLE_NAMES:
        t = read_arrow(out, table)
        for f in t.schema:
            if pa.types.is_string(f.type):
                assert "" not in t.column(f.name).to_pylist(), f"{table}.{f.name} stores '' for a missing value"
    m = pipeline.load(out).mentions
    assert m["role"].isna().any() and m["role"].notna().any()  # mentions without a role are null
    places = pipeline.load(out).entities.query("type == 'PLACE'")
    assert places["division_code"].notna().all()
    orgs = pipeline.load(out).entities.query("type == 'ORG'")
    assert orgs["division_code"].isna().all()  # not a place: no code, null rather than ''


def test_issue_date_is_one_datetime_type_in_every_reader(out: Path) -> None:
    """load() and a bare pd.read_parquet give the same datetime64 (tests/store/test_date_idiom.py
    tries every idiom on every reader)."""
    t = pipeline.load(out)
    assert pd.api.types.is_datetime64_any_dtype(t.mentions.issue_date)
    assert (t.mentions.issue_date >= "2024-03-02").sum() > 0  # compares with an ISO string
    for table in S.PARTITIONED_TABLES:
        df = pd.read_parquet(out / table)
        assert df.issue_date.dtype == t[table].issue_date.dtype, table  # not a string category, not objects
        assert df.issue_date.min() == pd.Timestamp(dt.date(2024, 3, 1))
        glob = str(out / table / "**" / "*.parquet")
        rel = duckdb.sql(f"select issue_date from read_parquet('{glob}', hive_partitioning=1)")
        assert [str(x) for x in rel.types] == ["TIMESTAMP"]
        n = duckdb.sql(
            f"select count(*) from read_parquet('{glob}', hive_partitioning=1) where issue_date >= '2024-03-02'"
        ).fetchall()[0][0]
        assert 0 < n < len(df)
    assert pd.api.types.is_datetime64_any_dtype(t.entities.first_seen)


def test_people_carry_a_person_id(out: Path) -> None:
    p = pipeline.load(out).people
    assert p["person_id"].notna().all()
    resolved = p[p.entity_id.notna()]
    assert (resolved.person_id == resolved.entity_id).all()


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("2024-05-13.md", "# 标题\n\n本报讯 正文内容在这里。\n", [(1, True)]),
        ("2024-05-13_p3.md", "# 标题\n\n本报讯 正文内容在这里。\n", [(3, False)]),
        ("2024-05-13.md", "第1版\n# 标题一\n\n正文一。\n第2版\n# 标题二\n\n正文二。\n", [(1, False), (2, False)]),
    ],
)
def test_page_inferred_flags_a_default_page(tmp_path: Path, name: str, text: str, expected: list) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    pages = split_pages(read_source(p))
    assert [(pg.number, pg.inferred) for pg in pages] == expected
    arts = [a for pg in pages for a in segment_page(pg)]
    assert arts and {(a.page, a.page_inferred) for a in arts} == set(expected)
    col = S.articles_table(arts).column("page_inferred").to_pylist()
    assert set(col) == {inf for _, inf in expected}


def test_columns_the_dictionary_calls_required_are_never_null(out: Path) -> None:
    for table in S.TABLE_NAMES:
        t = read_arrow(out, table)
        for f in S.schema_for(table):
            if not f.nullable:
                assert t.column(f.name).null_count == 0, f"{table}.{f.name}"


def test_outputs_of_schema_version_1_are_refused_with_a_clear_error(out: Path) -> None:
    part = next((out / "mentions").glob("paper=*/*/part-*.parquet"))
    old = part.parent.parent / f"issue_date={part.parent.name}"
    old.mkdir()
    part.rename(old / part.name)
    with pytest.raises(OutputsError, match=r"issue_date= folders\); run `pinghu-ner migrate"):
        pipeline.load(out)

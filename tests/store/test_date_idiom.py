"""One date idiom in every reader (issue 35): the pandas an analyst types works the same on
``pipeline.load()`` and on a bare ``pd.read_parquet``, and DuckDB and polars take a date literal.

Why a test per reader: the store once wrote dates as date32, which ``load()`` turned into
datetime64 while ``pd.read_parquet`` gave ``datetime.date`` objects that refuse a string, a
``pd.Timestamp`` and ``.dt``; a notebook that worked on one broke on the other.  Dates are now a
timestamp at midnight (``schema.DATE_TYPE``).  The expected counts come from the date folders and
the files' row counts, not from any reader under test.  What a reader refuses (pandas a
``datetime.date``, polars a bare string) is pinned too: the README says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
from rerun_fixture import page, write

import pipeline
from pipeline.cli.main import main
from pipeline.errors import OutputsError
from pipeline.store import Store

ARCHIVES = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()) / "tests/data/archives"
DAYS = (dt.date(2023, 3, 24), dt.date(2023, 6, 1), dt.date(2023, 11, 16))
CUT = "2023-06-01"
TABLES = ("articles", "mentions", "people")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three issues in March, June and November 2023, one town secretary in each (so offices
    and entities have first and last seen dates months apart)."""
    root = tmp_path_factory.mktemp("idiom")
    for day in DAYS:
        write(root / "in" / f"{day}.md", page(day, 0))
    assert main(["run", str(root / "in"), "--out", str(root / "out"), "--quiet"]) == 0  # the model: offices
    return root / "out"


def _rows_from(out: Path, table: str, day: dt.date) -> int:
    """Rows of ``table`` in issues on or after ``day``: the date folders and the files' row
    counts, read without any reader's date type."""
    files = Store(out).part_files(table)
    return sum(pq.read_metadata(f).num_rows for f in files if Path(f).parent.name >= day.isoformat())


def _frame(out: Path, table: str, reader: str) -> pd.DataFrame:
    if reader == "load":
        return pipeline.load(out)[table]
    if reader == "part_files":
        return pd.read_parquet(Store(out).part_files(table))
    return pd.read_parquet(out / table)  # the table directory, hive key paper=… as a column


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("reader", ["load", "part_files", "directory"])
def test_pandas_string_timestamp_and_dt_work_for_every_reader(out: Path, reader: str, table: str) -> None:
    df = _frame(out, table, reader)
    expected = _rows_from(out, table, DAYS[1])
    assert 0 < expected < len(df)
    assert str(df.issue_date.dtype) == "datetime64[ms]"
    assert (df.issue_date >= CUT).sum() == expected
    assert (df.issue_date >= pd.Timestamp(CUT)).sum() == expected
    assert (df.issue_date < pd.Timestamp(CUT)).sum() == len(df) - expected
    assert (df.issue_date == CUT).sum() == _rows_from(out, table, DAYS[1]) - _rows_from(out, table, DAYS[2])
    assert set(df.issue_date.dt.month) == {d.month for d in DAYS}
    assert sorted(df.issue_date.dt.to_period("M").astype(str).unique()) == ["2023-03", "2023-06", "2023-11"]
    assert (df.issue_date >= pd.Timestamp(DAYS[1])).sum() == expected  # a date, the way that works


@pytest.mark.parametrize("reader", ["load", "part_files"])
def test_pandas_refuses_a_datetime_date_as_the_readme_says(out: Path, reader: str) -> None:
    """pandas' own rule, not the store's: datetime64 against ``datetime.date`` is a TypeError."""
    df = _frame(out, "mentions", reader)
    with pytest.raises(TypeError):
        _ = df.issue_date >= DAYS[1]


def test_read_parquet_filters_take_a_timestamp_or_a_date(out: Path) -> None:
    files = Store(out).part_files("mentions")
    expected = _rows_from(out, "mentions", DAYS[1])
    for value in (pd.Timestamp(CUT), DAYS[1], dt.datetime(2023, 6, 1)):
        assert len(pd.read_parquet(files, filters=[("issue_date", ">=", value)])) == expected


@pytest.mark.parametrize("reader", ["load", "read_parquet"])
def test_first_and_last_seen_follow_the_same_idiom(out: Path, reader: str) -> None:
    if reader == "load":
        t = pipeline.load(out)
        entities, offices = t.entities, t.offices
    else:
        entities = pd.read_parquet(out / "entities" / "entities.parquet")
        offices = pd.read_parquet(out / "offices" / "offices.parquet")
    for df in (entities, offices):
        for c in ("first_seen", "last_seen"):
            assert str(df[c].dtype) == "datetime64[ms]"
        assert ((df.first_seen >= "2023-03-24") & (df.last_seen <= pd.Timestamp("2023-11-16"))).all()
    held = offices[offices.name.astype(str) == "严志刚"]  # 镇党委书记 in all three issues
    assert len(held) == 1 and (held.first_seen == "2023-03-24").all() and (held.last_seen == "2023-11-16").all()
    assert held.first_seen.iat[0] == pd.Timestamp("2023-03-24")  # one value: a Timestamp, not a string
    assert held.last_seen.dt.month.iat[0] == 11
    assert (entities.last_seen - entities.first_seen).max() == pd.Timedelta(days=237)


@pytest.mark.parametrize("literal", ["DATE '2023-06-01'", "'2023-06-01'", "TIMESTAMP '2023-06-01'", "$day"])
@pytest.mark.parametrize("table", TABLES)
def test_duckdb_takes_a_date_or_a_string_literal(out: Path, table: str, literal: str) -> None:
    params = {"files": Store(out).part_files(table), **({"day": DAYS[1]} if literal == "$day" else {})}
    q = f"select count(*) from read_parquet($files, hive_partitioning = 1) where issue_date >= {literal}"
    assert duckdb.execute(q, params).fetchall() == [(_rows_from(out, table, DAYS[1]),)]


def test_duckdb_month_and_the_day_without_its_time(out: Path) -> None:
    files = Store(out).part_files("articles")
    q = ("select distinct month(issue_date), issue_date::DATE, strftime(issue_date, '%Y-%m-%d') "
         "from read_parquet($files) order by all")
    assert duckdb.execute(q, {"files": files}).fetchall() == [(d.month, d, d.isoformat()) for d in DAYS]
    seen = duckdb.execute("select count(*) from read_parquet($f) where first_seen >= '2023-06-01'",
                          {"f": str(out / "entities" / "entities.parquet")}).fetchall()[0][0]
    assert seen == (pd.read_parquet(out / "entities").first_seen >= CUT).sum()


@pytest.mark.parametrize("table", TABLES)
def test_polars_takes_a_date_and_a_parsed_string(out: Path, table: str) -> None:
    df = pl.read_parquet(Store(out).part_files(table))
    expected = _rows_from(out, table, DAYS[1])
    assert df.height > expected > 0
    assert df.filter(pl.col("issue_date") >= DAYS[1]).height == expected
    assert df.filter(pl.col("issue_date") >= pl.lit(CUT).str.to_date()).height == expected
    assert df.filter(pl.col("issue_date").is_between(DAYS[1], DAYS[2])).height == expected
    assert set(df["issue_date"].dt.month().to_list()) == {d.month for d in DAYS}
    sql = pl.SQLContext(t=df).execute(f"select count(*) as n from t where issue_date >= '{CUT}'", eager=True)
    assert sql["n"].item() == expected
    lazy = pl.scan_parquet(out / table, hive_partitioning=True).filter(pl.col("issue_date") >= DAYS[1])
    assert lazy.collect().height == expected
    with pytest.raises(pl.exceptions.PolarsError):  # a bare string is refused: the README says so
        df.filter(pl.col("issue_date") >= CUT)


def test_exports_write_the_day_without_a_time(out: Path, tmp_path: Path) -> None:
    """CSV and SQLite keep ISO dates ``YYYY-MM-DD``: a timestamp in the store is no time of day."""
    assert main(["export", "csv", str(tmp_path / "csv"), "--outputs", str(out)]) == 0
    with (tmp_path / "csv" / "offices.csv").open(encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    assert (row["first_seen"], row["last_seen"]) == ("2023-03-24", "2023-11-16")
    with (tmp_path / "csv" / "articles.csv").open(encoding="utf-8-sig") as f:
        assert sorted({r["issue_date"] for r in csv.DictReader(f)}) == [d.isoformat() for d in DAYS]
    db = tmp_path / "outputs.db"
    assert main(["export", "sqlite", str(db), "--outputs", str(out)]) == 0
    with sqlite3.connect(db) as con:
        got = con.execute("select distinct issue_date from articles order by 1").fetchall()
    assert got == [(d.isoformat(),) for d in DAYS]


def test_a_schema_3_archive_is_refused_then_migrated_to_timestamps(tmp_path: Path) -> None:
    """Dates written as date32 by schema 3 become midnight timestamps of the same days."""
    out = tmp_path / "schema3"
    shutil.copytree(ARCHIVES / "schema3", out)
    days = {t: sorted({Path(f).parent.name for f in out.glob(f"{t}/paper=*/*/part-*.parquet")}) for t in TABLES}
    before = {t: pq.read_table(out / t).column("issue_date").type for t in TABLES}
    assert all(str(v) == "date32[day]" for v in before.values())
    with pytest.raises(OutputsError, match="schema 3.*pinghu-ner migrate"):
        pipeline.load(out)
    assert main(["migrate", str(out)]) == 0
    for t in TABLES:
        df = pd.read_parquet(Store(out).part_files(t))
        assert str(df.issue_date.dtype) == "datetime64[ms]"
        assert sorted(df.issue_date.dt.strftime("%Y-%m-%d").unique()) == days[t]
    loaded = pipeline.load(out)
    assert (loaded.entities.first_seen >= days["articles"][0]).all()
    assert str(pd.read_parquet(out / "offices").first_seen.dtype) == "datetime64[ms]"

"""The data dictionary against the tables a real run writes: every column's position and type,
the files each table lives in, and every value of the columns with a closed set of values.

``test_datadict.py`` checks that docs/outputs.md is the generated dictionary; this checks that
the dictionary is true of what readers get: ``pipeline.load()``, ``pd.read_parquet`` of the
directory and of the part files, DuckDB, and the Parquet schemas themselves.  The run is the
15-issue archive of ``archive_fixture`` (every locality class, villages, offices).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from archive_fixture import build_archive

from pipeline.store import Store, datadict, load
from pipeline.store.schema import PARTITION_COLUMNS, PARTITIONED_TABLES, TABLE_NAMES, file_schema, schema_for


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("archive"))


def documented_order(table: str) -> list[str]:
    """The columns in the dictionary's order (its ``#`` column), checked to be 1, 2, 3, …"""
    rows = datadict.rows(table)
    assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
    return [r["column"] for r in rows]


def hive_order(table: str) -> list[str]:
    """What a reader of the directory gives: the file's columns, then the directory keys."""
    order = documented_order(table)
    return [c for c in order if c not in PARTITION_COLUMNS] + list(PARTITION_COLUMNS)


def undocumented(values: set[str], enum: tuple[str, ...]) -> set[str]:
    """Values not in ``enum`` (an entry ending in ":" admits every value it begins)."""
    return {v for v in values if v not in enum and not any(e.endswith(":") and v.startswith(e) for e in enum)}


def test_positions_are_what_load_gives(archive: Path) -> None:
    t = load(archive)
    for table in TABLE_NAMES:
        assert list(t[table].columns) == documented_order(table), table


def test_positions_in_the_files_and_in_directory_readers(archive: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    store = Store(archive)
    for table in PARTITIONED_TABLES:
        files = store.part_files(table)
        assert files
        order = documented_order(table)
        in_files = [c for c in order if c not in PARTITION_COLUMNS]
        for f in files:
            assert pq.read_schema(f).names == in_files == file_schema(table).names
        assert list(pd.read_parquet(files[0]).columns) == in_files
        assert list(pd.read_parquet(archive / table).columns) == hive_order(table)
        got = duckdb.sql("select * from read_parquet($f, hive_partitioning = 1) limit 0", params={"f": files}).columns
        assert got == hive_order(table), table
        paper = next(r for r in datadict.rows(table) if r["column"] == "paper")
        assert paper["meaning"].endswith(datadict.PARTITION_NOTE)  # says where each reader puts it
    for table in set(TABLE_NAMES) - set(PARTITIONED_TABLES):
        assert pq.read_schema(archive / table / f"{table}.parquet").names == documented_order(table)


def test_types_are_the_files_types(archive: Path) -> None:
    store = Store(archive)
    for table in TABLE_NAMES:
        files = store.part_files(table) if table in PARTITIONED_TABLES else [archive / table / f"{table}.parquet"]
        written = pq.read_schema(files[0])
        for r in datadict.rows(table):
            if r["column"] in written.names:
                assert datadict.type_name(written.field(r["column"]).type) == r["type"], (table, r["column"])


def test_files_lines_name_the_files_a_run_writes(archive: Path) -> None:
    for table in TABLE_NAMES:
        md = datadict.table_markdown(table)
        pattern = re.search(r"Files: `outputs/([^`]+)`", md).group(1)
        glob = pattern.replace("…", "*").replace("YYYY-MM-DD", "*")
        found = sorted(archive.glob(glob))
        assert found, (table, pattern)
        assert all(table in f.relative_to(archive).parts[0] for f in found)


def test_enum_values_are_documented_and_complete(archive: Path) -> None:
    t = load(archive)
    for (table, column), enum in datadict.ENUMS.items():
        meaning = next(r["meaning"] for r in datadict.rows(table) if r["column"] == column)
        missing = [v for v in enum if v.rstrip(":") not in meaning]
        assert not missing, f"{table}.{column}: the dictionary does not name {missing}"
        values = set(t[table][column].dropna().astype(str))
        assert values, (table, column)
        assert not undocumented(values, enum), f"{table}.{column}: undocumented values {undocumented(values, enum)}"
    ranks = {o["rank"] for offices in t.mentions["offices"] for o in offices}
    assert not undocumented(ranks, datadict.ENUMS[("offices", "rank")])


def test_link_method_names_person_wherever_it_lists_the_methods() -> None:
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
    enum = datadict.ENUMS[("mentions", "link_method")]
    assert "person" in enum
    doc = (root / "docs" / "outputs.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| ") and "`link_method`" in line)
    assert all(v in row for v in enum), row
    assert all(v in schema_for("mentions").field("link_method").metadata[b"pinghu.doc"].decode() for v in enum)


def test_the_sync_checks_can_fail() -> None:
    assert undocumented({"local", "elsewhere:3301", "foreign:US", "regional"}, datadict.ENUMS[("articles", "locality")]) \
        == {"regional"}
    order = documented_order("mentions")
    assert hive_order("mentions") != order  # paper moves to the end in directory readers
    assert hive_order("mentions")[-1] == "paper" and order.index("paper") < len(order) - 1


@pytest.mark.parametrize("doc", ["README.md", "docs/outputs.md"])
def test_per_month_snippet_prints_months_in_order(archive: Path, doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On an archive whose busiest month is not its first, the snippet lists months in order
    (the earlier one, sorted by count first, listed 2024-05 before 2024-03)."""
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
    text = (root / doc).read_text(encoding="utf-8")
    block = re.search(r"Top officials on page 1, per month.*?```python\n(.*?)```", text, re.S).group(1)
    lines = block.strip().splitlines()
    monkeypatch.chdir(archive.parent)  # the snippet reads "outputs"
    env: dict = {}
    exec("import pipeline\n" + "\n".join(lines[:-1]) + f"\n__result = {lines[-1]}", env)
    months = list(env["__result"].index.get_level_values("month"))
    assert len(set(months)) >= 3 and months == sorted(months), months
    assert (env["__result"].groupby(level="month").size() <= 3).all()
    by_count = list(env["n"].sort_values(ascending=False).groupby(level="month").head(3).index.get_level_values("month"))
    assert by_count != sorted(by_count)  # the old snippet's order: this archive tells them apart

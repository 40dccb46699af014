"""Tests of the Parquet writer, reader, entity table and manifest (pipeline.store.schema / pipeline.store.tables).

The records are synthetic (two issues, two pages each) so that the tests need no model and run in
well under a second; ``build_outputs`` is reused by test_report.py and test_notebook.py.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from outputs_fixture import (
    D1,
    D2,
    OFFICIALS,
    PAPER,
    FakeGazetteer,
    build_outputs,
    issue_pages,
    mentions_for,
)

from pipeline.errors import InputError
from pipeline.resolve.org_kind import org_kind
from pipeline.store import Tables, load
from pipeline.store import schema as S
from pipeline.store.derived import rebuild_entities
from pipeline.store.tables import (
    ENTITIES_FILE,
    Manifest,
    commit_source,
    part_name,
    partition_dir,
    read_arrow,
    remove_source,
    source_key,
    source_tables,
    write_source,
)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "outputs"


# --- schema ----------------------------------------------------------------------------------


def test_schema_columns_types_and_version(out: Path) -> None:
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    t = S.articles_table(arts, PAPER)
    assert t.schema.equals(S.ARTICLES)
    assert t.schema.field("bylines").type == pa.list_(pa.struct([("role", pa.string()), ("name", pa.string())]))
    assert t.column("subtitle").to_pylist()[0] == "副题一 / 副题二"
    assert t.column("n_chars").to_pylist() == [len(a.text) for a in arts]
    assert t.column("source_start").to_pylist()[1] == 500
    m = S.mentions_table(ments, arts)
    assert m.schema.field("confidence").type == pa.float32()
    assert m.schema.field("start").type == pa.int32()
    assert m.schema.field("issue_date").type == S.DATE_TYPE
    assert m.column("issue_date").cast(pa.date32()).to_pylist()[0] == D1  # midnight of the issue's day
    fields_seen = dict(zip(m.column("surface").to_pylist(), m.column("field").to_pylist()))
    assert fields_seen["王五"] == "byline"
    assert set(m.column("field").to_pylist()) == {"headline", "body", "byline"}
    assert m.column("page").to_pylist()[0] == 1

    write_source(out, "k1", PAPER, D1, arts, ments)
    for table in S.PARTITIONED_TABLES:
        f = partition_dir(out, table, PAPER, D1) / part_name("k1")
        sch = pq.read_schema(f)
        assert sch.metadata[S.VERSION_KEY] == S.SCHEMA_VERSION.encode()
        assert sch.metadata[b"pinghu.issue_date"] == b"2024-03-01"
        assert "paper" not in sch.names  # it lives in the path
        assert sch.field("issue_date").type == S.DATE_TYPE  # datetime64 in every reader, not a path string
        assert sch.names == S.file_schema(table).names
    assert S.schema_for("entities").metadata[S.VERSION_KEY] == S.SCHEMA_VERSION.encode()


def test_mention_of_unknown_article_is_an_error() -> None:
    arts = issue_pages(D1)[1]
    m = mentions_for(arts[0])[0]
    m.article_id = "nope"
    with pytest.raises(ValueError, match="not in this batch"):
        S.mentions_table([m], arts)


def test_people_one_row_per_person_per_article() -> None:
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    p = S.people_table(ments, arts).to_pandas()
    # 张三 appears twice in article 1 (headline + body): one row, role from the body mention.
    z = p[(p.name == "张三") & (p.article_id == arts[0].article_id)]
    assert len(z) == 1 and z.iloc[0]["role"] == "市委书记" and z.iloc[0]["n_mentions"] == 2
    assert bool(z.iloc[0]["is_official"])
    w = p[p.name == "王五"].iloc[0]
    assert w["role"] == "记者" and not w["is_official"]
    assert set(p.name) == {"张三", "李四", "王五"}


def test_source_key_is_safe_and_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    k = source_key("/a/b/平湖日报 2024-03-01 第1版.md")
    assert k == source_key("/a/b/../b/平湖日报 2024-03-01 第1版.md")  # the resolved path is the identity
    monkeypatch.chdir(tmp_path)
    assert source_key("x/01.md") == source_key(tmp_path / "x" / "01.md")  # whatever the working directory
    assert k != source_key(Path("/elsewhere/b/平湖日报 2024-03-01 第1版.md"))  # another file, another key
    assert source_key("2024-03-01/01.md") != source_key("2024-03-02/01.md")  # <date>/<page> archives
    assert re.fullmatch(r"[A-Za-z0-9_.-]+-[0-9a-f]{16}", k)
    assert k != source_key("/a/b/平湖日报 2024-03-01 第2版.md")  # same sanitised stem, other hash
    assert len(source_key("x" * 300 + ".md")) <= 48 + 1 + 16
    assert source_key(tmp_path / "a" / "p.md", root=tmp_path) == source_key("/elsewhere/a/p.md", root="/elsewhere")


# --- writing and re-writing ------------------------------------------------------------------


def _all_part_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix == ".parquet")


def test_rerun_replaces_never_duplicates(out: Path) -> None:
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    c1 = write_source(out, "p1", PAPER, D1, arts, ments)
    ids1 = sorted(load(out).mentions.mention_id)
    c2 = write_source(out, "p1", PAPER, D1, arts, ments)
    t = load(out)
    assert c1 == c2 == {"articles": 2, "mentions": len(ments), "people": c1["people"]}
    assert sorted(t.mentions.mention_id) == ids1
    assert t.mentions.mention_id.is_unique and len(t.articles) == 2
    assert len(_all_part_files(out)) == 3


def test_pages_of_one_issue_coexist(out: Path) -> None:
    totals = build_outputs(out)
    t = load(out)
    assert len(t.articles) == totals["articles"] == 6
    assert len(t.mentions) == totals["mentions"]
    assert sorted(t.articles.page.unique().tolist()) == [1, 2]
    d1 = partition_dir(out, "mentions", PAPER, D1)
    assert len(list(d1.glob("part-*.parquet"))) == 2


def test_date_change_removes_stale_parts(out: Path) -> None:
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    other = issue_pages(D1)[2]
    write_source(out, "other", PAPER, D1, other, [m for a in other for m in mentions_for(a)])
    write_source(out, "moved", PAPER, D1, arts, ments)
    write_source(out, "moved", PAPER, D2, arts, ments)  # its date was corrected
    for table in S.PARTITIONED_TABLES:
        assert not (partition_dir(out, table, PAPER, D1) / part_name("moved")).exists()
        assert (partition_dir(out, table, PAPER, D2) / part_name("moved")).exists()
        assert (partition_dir(out, table, PAPER, D1) / part_name("other")).exists()  # untouched
    t = load(out)
    assert set(t.articles[t.articles.seq > 0].issue_date.dt.date) == {D1, D2}
    assert len(t.articles) == len(arts) + len(other)


def test_date_change_removes_stale_parts_the_manifest_lost(out: Path) -> None:
    """A source's parts in another partition are found on disk, not only in the manifest: after a
    manifest was lost (set aside as corrupt), moving the source's date still leaves one copy."""
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    write_source(out, "moved", PAPER, D1, arts, ments)
    (out / "manifest.json").unlink()
    write_source(out, "moved", PAPER, D2, arts, ments)
    for table in S.PARTITIONED_TABLES:
        assert not (partition_dir(out, table, PAPER, D1) / part_name("moved")).exists()
        assert (partition_dir(out, table, PAPER, D2) / part_name("moved")).exists()
    assert len(load(out).articles) == len(arts)


def test_remove_source(out: Path) -> None:
    build_outputs(out)
    key = source_key(f"/in/{D2:%Y%m%d}_02.md")
    assert remove_source(out, key) == 3
    assert remove_source(out, key) == 0
    assert len(load(out).articles) == 5
    assert not (partition_dir(out, "articles", PAPER, D2) / part_name(key)).exists()


def test_unknown_date_and_unsafe_names_are_refused(out: Path) -> None:
    arts = issue_pages(D1)[1]
    with pytest.raises(InputError, match="issue date unknown"):
        write_source(out, "k", PAPER, None, arts, [])
    with pytest.raises(ValueError, match="source key"):
        write_source(out, "../evil", PAPER, D1, arts, [])
    with pytest.raises(ValueError, match="slug"):
        write_source(out, "k", "../evil", D1, arts, [])
    assert not out.exists() or not _all_part_files(out)


# --- atomicity -------------------------------------------------------------------------------


def test_no_temp_files_left_and_temp_files_are_invisible(out: Path) -> None:
    build_outputs(out)
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
    n = len(load(out).mentions)
    # A writer caught mid-write: half a Parquet file under the temp name beside the real parts.
    d = partition_dir(out, "mentions", PAPER, D1)
    tmp = d / f".{part_name('half')}.{os.getpid()}.tmp"
    tmp.write_bytes(b"PAR1 half a file")
    (d / "_underscore.parquet").write_bytes(b"PAR1 junk")  # the other prefix pyarrow skips
    assert len(pd.read_parquet(out / "mentions")) == n
    assert ds.dataset(out / "mentions", partitioning="hive").count_rows() == n
    assert len(load(out).mentions) == n
    (d / "_underscore.parquet").unlink()
    glob = str(out / "mentions" / "**" / "*.parquet")
    assert duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=1)").fetchall()[0][0] == n
    # The next write of that source clears the leftover temp file of a killed writer.
    arts = issue_pages(D1)[1]
    write_source(out, "half", PAPER, D1, arts, [])
    assert not tmp.exists()


def test_failed_write_leaves_previous_file(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    write_source(out, "k", PAPER, D1, arts, ments)
    before = (partition_dir(out, "articles", PAPER, D1) / part_name("k")).read_bytes()

    def boom(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(OSError):
        write_source(out, "k", PAPER, D1, arts[:1], mentions_for(arts[0]))
    assert (partition_dir(out, "articles", PAPER, D1) / part_name("k")).read_bytes() == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


# --- readers ---------------------------------------------------------------------------------


def test_pandas_and_duckdb_read_the_hive_layout(out: Path) -> None:
    totals = build_outputs(out)
    df = pd.read_parquet(out / "mentions")
    assert len(df) == totals["mentions"] and df.mention_id.is_unique
    assert {"paper", "issue_date"} <= set(df.columns)
    assert set(df.paper.astype(str)) == {PAPER}
    assert set(df.issue_date.dt.date) == {D1, D2}  # datetimes, not path strings
    assert len(df[df.issue_date >= "2024-03-02"]) == len(df[df.issue_date.dt.strftime("%Y-%m-%d") == "2024-03-02"]) > 0
    glob = str(out / "mentions" / "**" / "*.parquet")
    rel = duckdb.sql(f"select * from read_parquet('{glob}', hive_partitioning=1)")
    cols = dict(zip(rel.columns, [str(t) for t in rel.types]))
    assert cols["issue_date"] == "TIMESTAMP" and cols["paper"] == "VARCHAR"
    rows = duckdb.sql(f"select count(*), count(distinct mention_id) from read_parquet('{glob}', hive_partitioning=1)")
    assert rows.fetchall()[0] == (totals["mentions"], totals["mentions"])
    by_day = duckdb.sql(
        f"select issue_date, count(*) from read_parquet('{glob}', hive_partitioning=1) group by 1 order by 1"
    ).fetchall()
    assert [d.date() for d, _ in by_day] == [D1, D2]


def test_load_dtypes(out: Path) -> None:
    build_outputs(out)
    t = load(out)
    assert isinstance(t, Tables) and t["mentions"] is t.mentions and list(t) == list(S.TABLE_NAMES)
    assert pd.api.types.is_datetime64_any_dtype(t.mentions.issue_date)
    assert pd.api.types.is_datetime64_any_dtype(t.entities.first_seen)
    assert pd.api.types.is_datetime64_any_dtype(t.people.issue_date)
    for col in ("type", "paper", "link_method", "role"):
        assert isinstance(t.mentions[col].dtype, pd.CategoricalDtype), col
    assert isinstance(t.entities.kind.dtype, pd.CategoricalDtype)
    assert t.mentions.page.dtype == "int16" and t.mentions.start.dtype == "int32"
    assert t.mentions.confidence.dtype == "float32"
    assert t.entities.mention_count.dtype == "int64"
    assert t.articles.bylines.iloc[0][0] == {"role": "记者", "name": "王五"}
    assert list(t.articles.columns) == S.ARTICLES.names


def test_load_missing_tables_gives_empty_frames(tmp_path: Path) -> None:
    t = load(tmp_path / "nothing-here")
    for name in S.TABLE_NAMES:
        assert t[name].empty and list(t[name].columns) == S.schema_for(name).names
    assert pd.api.types.is_datetime64_any_dtype(t.mentions.issue_date)


# --- entities --------------------------------------------------------------------------------


def test_rebuild_entities_counts(out: Path) -> None:
    totals = build_outputs(out)
    e = load(out).entities.set_index("entity_id")
    assert totals["entities"] == len(e) == len(OFFICIALS)
    m = load(out).mentions
    for eid, row in e.iterrows():
        sub = m[m.entity_id == eid]
        assert row.mention_count == len(sub)
        assert row.article_count == sub.article_id.nunique()
    z = e.loc["person:张三"]
    assert z.kind == "person" and z.type == "PERSON" and list(z.roles) == ["市委书记"]
    assert z.first_seen.date() == D1 and z.last_seen.date() == D2
    assert z.article_count == 4  # two articles per issue
    dh = e.loc["gz:town:danghu"]
    assert dh.kind == "town" and dh.division_code == "330482001" and list(dh.aliases) == ["当湖"]
    assert dh.parent_id == "gz:county:pinghu"
    fgj = e.loc["gz:org:fgj"]
    assert fgj.canonical == "平湖市发展和改革局" and fgj.kind == "agency"
    # an organisation no gazetteer knows: its kind learned from its name (models/org_kind.md)
    assert e.loc["nil:ORG:某合作社"].kind == org_kind("某合作社") == "company"  # a cooperative trades
    assert list(e.loc["gz:org:fgj"].roles) == []


def test_rebuild_entities_without_gazetteer_and_after_removal(out: Path) -> None:
    build_outputs(out)
    n = rebuild_entities(out, None)
    e = load(out).entities.set_index("entity_id")
    assert n == len(OFFICIALS) and pd.isna(e.loc["gz:town:danghu"].kind) and e.loc["person:李四"].kind == "person"
    for date in (D1, D2):
        remove_source(out, source_key(f"/in/{date:%Y%m%d}_02.md"))  # the only pages naming 某合作社
    assert rebuild_entities(out) == len(OFFICIALS) - 1
    assert (out / ENTITIES_FILE).is_file()
    assert not [p for p in (out / "entities").iterdir() if p.name.startswith(".")]


# --- manifest --------------------------------------------------------------------------------


def test_manifest_line_updates_write_what_a_full_save_writes(tmp_path: Path) -> None:
    """A commit's one-line update (``ManifestLines``) leaves the file a whole load-record-save
    leaves, byte for byte, for new and replaced records and awkward identities; a file in any
    other form is not touched by the line path."""
    from pipeline.store.manifest import Manifest, ManifestLines, new_record

    full, fast = tmp_path / "full", tmp_path / "fast"
    for d in (full, fast):
        m = Manifest.load(d)
        m.record_run({"n": 1})
        m.save()
    ids = [f"in/{i:02d}_平湖.md" for i in range(12)] + ['a "quoted": {x}.md', "line\nbreak.md", "z", "A"]
    for step, ident in enumerate(ids + ids[::3]):
        info = {"sha256": str(step), "parts": {"articles": {"file": f"f{step}", "rows": step}}, "finished": "T"}
        m = Manifest.load(full)
        m.record_file(ident, **info)
        m.bump()  # as a commit's whole-file path does (apply_journal)
        m.save()
        lines = ManifestLines.read(fast)
        assert lines is not None
        assert lines.record(ident) == (Manifest.load(fast).files.get(ident))
        assert lines.put(ident, new_record(**info))
        lines.save()
        assert (fast / "manifest.json").read_bytes() == (full / "manifest.json").read_bytes()
    # Another pipeline version in the header: the caller must take the whole-manifest path.
    assert not ManifestLines.read(fast).put("x", new_record(pipeline_version="9.9"))  # type: ignore[union-attr]
    # An indented manifest (an older pinghu-ner's), a hand-edited line: not read by the line.
    data = json.loads((fast / "manifest.json").read_text(encoding="utf-8"))
    (fast / "manifest.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    assert ManifestLines.read(fast) is None
    text = (full / "manifest.json").read_text(encoding="utf-8")
    (full / "manifest.json").write_text(text.replace(' "z": {', ' "z" : {'), encoding="utf-8")
    assert ManifestLines.read(full) is None
    assert ManifestLines.read(tmp_path / "none") is None


def test_manifest_round_trip_and_is_current(out: Path, tmp_path: Path) -> None:
    src = tmp_path / "in" / f"{D1:%Y%m%d}_01.md"
    src.parent.mkdir()
    src.write_text("x", encoding="utf-8")
    attrs = {"sha256": "s1", "paper": PAPER, "issue_date": D1.isoformat(), "backend": "lac",
             "model_hash": "m1", "gazetteer_hash": "g1", "pipeline_version": "0.1.0"}
    arts = issue_pages(D1)[1]
    ments = [m for a in arts for m in mentions_for(a)]
    key = source_key(src)
    commit_source(out, key, PAPER, D1, source_tables(arts, ments, PAPER),
                        identity=str(src.resolve()), record=dict(attrs))
    m = Manifest.load(out)
    m.record_failure(tmp_path / "bad.md", "bad.md: not UTF-8")
    for i in range(55):
        m.record_run({"started": f"run{i}", "settings": {"workers": 1}, "counts": {}, "seconds": 1.0})
    path = m.save()
    assert path == out / "manifest.json" and not list(out.glob(".manifest*"))

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == S.SCHEMA_VERSION
    assert len(data["runs"]) == 50 and data["runs"][0]["started"] == "run5"
    rec = data["files"][str(src.resolve())]
    assert rec["counts"]["articles"] == 2 and rec["status"] == "ok" and set(rec["parts"]) == set(S.PARTITIONED_TABLES)

    m2 = Manifest.load(out)
    assert m2.data == m.data
    assert m2.is_current(src, attrs) and m2.is_current(str(src.resolve()), attrs)
    for k in attrs:
        assert not m2.is_current(src, {**attrs, k: "changed"}), k
    assert not m2.is_current(tmp_path / "bad.md", attrs)
    assert not m2.is_current(tmp_path / "never.md", attrs)
    part = out / rec["parts"]["mentions"]["file"]
    part.write_bytes(part.read_bytes()[:-20])  # truncated: must be redone
    assert not m2.is_current(src, attrs)
    remove_source(out, key)
    assert str(src.resolve()) not in Manifest.load(out).files


def test_corrupt_manifest_is_set_aside(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "manifest.json").write_text("{truncated", encoding="utf-8")
    with pytest.warns(UserWarning, match="unreadable manifest"):
        m = Manifest.load(out)
    assert m.files == {}
    assert list(out.glob("manifest.json.corrupt-*"))


def test_files_missing_a_column_still_load(out: Path) -> None:
    """A part file written before a column existed reads with nulls there, not an error."""
    build_outputs(out)
    f = partition_dir(out, "mentions", PAPER, D1) / part_name(source_key(f"/in/{D1:%Y%m%d}_02.md"))
    old = pq.read_table(f)
    pq.write_table(old.drop_columns(["recognizer"]), f)
    manifest = out / "manifest.json"  # as an older pinghu-ner recorded it: no sizes
    manifest.write_text(re.sub(r', "bytes": \d+', "", manifest.read_text(encoding="utf-8")), encoding="utf-8")
    t = load(out)
    assert t.mentions.recognizer.isna().sum() == old.num_rows
    assert len(t.mentions) == build_outputs(out)["mentions"]  # and a re-run restores it


def test_reading_in_small_scans_gives_the_same_tables(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``read_arrow`` scans part files in groups (bounded memory on a year of pages): with one
    file per scan every table, its rows and their order, and the entities are what one scan gives."""
    import pipeline.store.tables as T

    build_outputs(out)
    whole = {name: read_arrow(out, name) for name in ("articles", "mentions", "people")}
    entities = pq.read_table(out / ENTITIES_FILE)
    monkeypatch.setattr(T, "FILES_PER_SCAN", 1)
    for name, table in whole.items():
        assert read_arrow(out, name).equals(table), name
    rebuild_entities(out, FakeGazetteer())
    assert pq.read_table(out / ENTITIES_FILE).equals(entities)

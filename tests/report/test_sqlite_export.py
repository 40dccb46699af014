"""``pinghu-ner export sqlite``: the SQLite database and Datasette metadata, checked against pandas.

Row counts, keys, dates and full-text search are compared with what ``pipeline.load`` gives for
the same two-issue outputs, never with numbers written here.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from outputs_fixture import build_outputs

from pipeline.cli.main import main
from pipeline.report.export import selected
from pipeline.report.filters import Filters
from pipeline.report.sqlite import (
    FTS_TABLE,
    SPECS,
    SqliteExportError,
    check_sqlite,
    expand_short_phrases,
    export_sqlite,
    metadata_path,
)
from pipeline.store import TABLE_NAMES, load
from pipeline.store.schema import DOC_KEY, schema_for


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """(outputs, database, export summary), written once for the module."""
    root = tmp_path_factory.mktemp("sqlite")
    out = root / "outputs"
    build_outputs(out)
    return out, root / "outputs.db", export_sqlite(out, root / "outputs.db")


@pytest.fixture
def db(exported: tuple[Path, Path, dict]) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(exported[1])
    yield con
    con.close()


def _count(con: sqlite3.Connection, sql: str, *params: object) -> int:
    return con.execute(sql, params).fetchone()[0]


def test_every_table_has_the_rows_and_columns_pandas_has(exported: tuple[Path, Path, dict],
                                                         db: sqlite3.Connection) -> None:
    out, _, res = exported
    t = load(out)
    for name in TABLE_NAMES:
        assert _count(db, f'SELECT count(*) FROM "{name}"') == len(t[name]) == res["rows"][name], name
        cols = {row[1] for row in db.execute(f'PRAGMA table_info("{name}")')}
        assert set(t[name].columns) <= cols, name
    assert all(len(t[name]) for name in TABLE_NAMES if name != "offices")  # the fixture's mentions hold no office


@pytest.mark.slow
def test_a_real_run_exports_every_table_with_sound_keys(seed_outputs: Path, tmp_path: Path) -> None:
    """The sample page through the whole pipeline: offices too, and every foreign key finds its row."""
    t = load(seed_outputs)
    res = export_sqlite(seed_outputs, tmp_path / "seed.db")
    con = sqlite3.connect(tmp_path / "seed.db")
    for name in TABLE_NAMES:
        assert _count(con, f'SELECT count(*) FROM "{name}"') == len(t[name]) > 0, name
    assert res["foreign_key_problems"] == 0 and con.execute("PRAGMA foreign_key_check").fetchall() == []
    joined = _count(con, "SELECT count(*) FROM offices o JOIN entities e ON e.entity_id = o.person_id")
    assert joined == len(t.offices)
    con.close()


def test_keys_foreign_keys_and_indexes(exported: tuple[Path, Path, dict], db: sqlite3.Connection) -> None:
    assert exported[2]["foreign_key_problems"] == 0
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    pks = {name: [r[1] for r in sorted(db.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if r[5]]
           for name in TABLE_NAMES}
    assert pks == {"articles": ["article_id"], "mentions": ["mention_id"], "entities": ["entity_id"],
                   "people": ["article_id", "person_id"], "offices": ["row_id"]}
    fks = {(name, r[3], r[2], r[4]) for name in TABLE_NAMES for r in db.execute(f'PRAGMA foreign_key_list("{name}")')}
    assert {("mentions", "article_id", "articles", "article_id"), ("mentions", "entity_id", "entities", "entity_id"),
            ("people", "article_id", "articles", "article_id"), ("people", "entity_id", "entities", "entity_id"),
            ("offices", "person_id", "entities", "entity_id")} <= fks
    for spec in SPECS:  # every facet Datasette opens with is served by an index
        indexed = {db.execute(f'PRAGMA index_info("{ix[1]}")').fetchone()[2]
                   for ix in db.execute(f'PRAGMA index_list("{spec.name}")')}
        assert set(spec.facets) <= indexed, spec.name


def test_the_foreign_key_check_sees_a_dangling_row(exported: tuple[Path, Path, dict], tmp_path: Path) -> None:
    """The check above can fail: a mention of an article not in the database is reported."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(exported[1].read_bytes())
    con = sqlite3.connect(copy)
    con.execute("UPDATE mentions SET article_id = 'nowhere' WHERE rowid = (SELECT min(rowid) FROM mentions)")
    assert [r[0] for r in con.execute("PRAGMA foreign_key_check")] == ["mentions"]
    con.close()


def test_dates_are_iso_text_with_a_month_column(exported: tuple[Path, Path, dict], db: sqlite3.Connection) -> None:
    t = load(exported[0])
    got = dict(db.execute("SELECT article_id, issue_date FROM articles"))
    assert got == dict(zip(t.articles.article_id, t.articles.issue_date.dt.strftime("%Y-%m-%d")))
    months = dict(db.execute("SELECT issue_month, count(*) FROM mentions GROUP BY 1"))
    assert months == t.mentions.issue_date.dt.strftime("%Y-%m").value_counts().to_dict()
    first = dict(db.execute("SELECT entity_id, first_seen FROM entities"))
    assert first == dict(zip(t.entities.entity_id, t.entities.first_seen.dt.strftime("%Y-%m-%d")))
    assert json.loads(db.execute("SELECT bylines FROM articles WHERE bylines != '[]' LIMIT 1").fetchone()[0])


def _pandas_hits(t: pd.DataFrame, word: str) -> set[str]:
    return set(t.loc[t.headline.fillna("").str.contains(word) | t.text.str.contains(word), "article_id"])


def _fts_hits(con: sqlite3.Connection, query: str) -> set[str]:
    sql = f"SELECT article_id FROM articles WHERE rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
    return {r[0] for r in con.execute(sql, (query,))}


@pytest.mark.parametrize("word", ["新埭镇", "市长李四", "张三", "会议", "镇"])
def test_full_text_search_finds_chinese_words(exported: tuple[Path, Path, dict], db: sqlite3.Connection,
                                              word: str) -> None:
    a = load(exported[0]).articles
    expected = _pandas_hits(a, word)
    assert 0 < len(expected) < len(a)
    assert _fts_hits(db, expand_short_phrases(db, f'"{word}"')) == expected
    if len(word) < 3:  # what the expansion is for: the trigram index alone holds no shorter string
        assert _fts_hits(db, f'"{word}"') == set()
    else:
        assert _fts_hits(db, f'"{word}"') == expected


def test_search_terms_are_all_required_and_unknown_words_find_nothing(exported: tuple[Path, Path, dict],
                                                                      db: sqlite3.Connection) -> None:
    a = load(exported[0]).articles
    both = _pandas_hits(a, "张三") & _pandas_hits(a, "新埭镇")
    assert both and _fts_hits(db, expand_short_phrases(db, '"张三" "新埭镇"')) == both
    assert _fts_hits(db, expand_short_phrases(db, '"不存在的词"')) == set()
    assert _fts_hits(db, expand_short_phrases(db, '"龘"')) == set()
    plain = sqlite3.connect(":memory:")  # no vocabulary table: the query is left as it is
    assert expand_short_phrases(plain, '"张三"') == '"张三"'


def test_datasette_metadata(exported: tuple[Path, Path, dict], db: sqlite3.Connection) -> None:
    meta = json.loads(metadata_path(exported[1]).read_text(encoding="utf-8"))
    assert metadata_path(exported[1]).name == "outputs.metadata.json"
    tables = meta["databases"]["outputs"]["tables"]  # Datasette names a database by its file's stem
    assert tables["mentions"]["facets"] == ["type", "link_method", "page", "issue_month", "role"]
    assert tables["entities"]["facets"] == ["kind", "type"]
    assert tables["people"]["facets"][:2] == ["is_official", "role"]
    assert tables["offices"]["facets"] == ["office", "org_name"]
    assert tables["articles"]["fts_table"] == FTS_TABLE and tables["articles"]["label_column"] == "headline"
    assert tables["entities"]["label_column"] == "canonical"
    for name in TABLE_NAMES:
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{name}")')]
        assert set(tables[name]["columns"]) == set(columns), name
        for f in schema_for(name):
            assert tables[name]["columns"][f.name].startswith(f.metadata[DOC_KEY].decode()), (name, f.name)


def test_filters_cut_every_table_as_the_other_exports_do(exported: tuple[Path, Path, dict], tmp_path: Path) -> None:
    out = exported[0]
    f = Filters(pages=(2,))
    res = export_sqlite(out, tmp_path / "p2.db", f)
    t = selected(out, f)
    assert res["rows"] == {name: len(t[name]) for name in TABLE_NAMES}
    assert res["rows"]["articles"] < len(load(out).articles)
    con = sqlite3.connect(tmp_path / "p2.db")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {r[0] for r in con.execute("SELECT DISTINCT page FROM mentions")} == {2}
    con.close()


@pytest.mark.parametrize(("form", "name"), [(["sqlite", "{}"], "a.db"), (["{}"], "b.sqlite"),
                                            (["{}", "--format", "sqlite"], "c")])
def test_cli_forms_replace_an_existing_target(exported: tuple[Path, Path, dict], tmp_path: Path, form: list[str],
                                              name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``export sqlite OUT``, ``export OUT.sqlite`` and ``export OUT --format sqlite``; a file already
    there is replaced (not appended to), and no temp file is left beside it."""
    out, dest = exported[0], tmp_path / name
    dest.write_bytes(b"not a database")
    assert main(["export", *[a.format(dest) for a in form], "--outputs", str(out)]) == 0
    n = len(load(out).articles)
    con = sqlite3.connect(dest)
    assert _count(con, "SELECT count(*) FROM articles") == n
    con.close()
    assert metadata_path(dest).is_file()
    assert f"{n} articles" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, metadata_path(dest).name])


@pytest.mark.parametrize("where", ["inside", "directory", "two formats"])
def test_cli_refusals_are_one_line_and_exit_2(exported: tuple[Path, Path, dict], tmp_path: Path, where: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = exported[0]
    argv = {"inside": ["export", "sqlite", str(out / "mentions" / "x.db")],
            "directory": ["export", "sqlite", str(tmp_path)],
            "two formats": ["export", "sqlite", str(tmp_path / "x.db"), "--format", "xlsx"]}[where]
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    assert main([*argv, "--outputs", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pinghu-ner: error: ") and err.count("\n") == 1, err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not (tmp_path / "x.db").exists()


def test_browse_without_datasette_says_how_to_install_it(outputs: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette -> ImportError
    assert main(["browse", "--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'pinghu-ner[browse]'" in err, err


def test_browse_refuses_a_port_in_use(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("datasette")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert main(["browse", "--outputs", str(outputs), "--port", str(s.getsockname()[1])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in use" in err, err


def test_an_sqlite_without_trigrams_is_refused_in_one_line() -> None:
    check_sqlite()  # this Python's SQLite has the tokenizer the index needs
    with pytest.raises(SqliteExportError, match=r"^this Python's SQLite is 3\.31\.1; .*3\.34") as exc:
        check_sqlite((3, 31, 1))
    assert "\n" not in str(exc.value)

"""``pinghu-ner export sqlite``: the five tables as one SQLite database, for Datasette or any SQL client.

Why SQLite beside the Parquet tables: data journalists browse tables in Datasette, faceting by
kind, role, page and month and clicking through from a mention to its article, and Datasette
reads SQLite.  The database is a copy for browsing, never the record: it is written from
:func:`pipeline.store.load` (exactly the parts the manifest lists) after the same filters as the
report and the other exports (:func:`pipeline.report.export.selected`), and can be thrown away
and written again at any time.

What the database holds, and why:

* every column of every table, with primary keys (``people``: article and person; ``offices``,
  which has no key that is never null, a ``row_id``), foreign keys from mentions and people to
  their article and entity and from offices to the person, so Datasette links a mention to its
  article and shows the headline instead of an id, and indexes on the columns analysts facet by;
* dates as ISO text (``2024-03-01``, what SQLite's date functions read) and an ``issue_month``
  column (``2024-03``) beside each ``issue_date``, so a month is one facet;
* list and struct columns (bylines, aliases, roles, offices) as JSON text, as in the CSV export;
* a full-text index ``articles_fts`` on headline and text with SQLite's ``trigram`` tokenizer:
  the default tokenizer splits on spaces and punctuation, so a run of Chinese between two commas
  would be one word and ``新埭镇`` would find nothing.  A trigram index finds any string of three
  characters or more; :func:`expand_short_phrases` (the plugin ``pinghu-ner browse`` loads) finds
  one- and two-character ones (张三, 会议) through the index's vocabulary.

The file is written beside the target and renamed over it, so a Datasette serving the old file
never sees half a database; the Datasette metadata (titles, column meanings, facets, labels,
search) is written beside it as ``<name>.metadata.json``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from pipeline.report.export import flat, inside_outputs, selected
from pipeline.store import TABLE_NAMES, Tables
from pipeline.store.atomic import atomic_write_bytes, replace_atomic, tmp_path
from pipeline.store.schema import DOC_KEY, TABLE_DOCS, schema_for

if TYPE_CHECKING:
    from pipeline.report.filters import Filters

FTS_TABLE = "articles_fts"
FTS_VOCAB = "articles_fts_vocab"
FTS_COLUMNS = ("headline", "text")
# Two characters after every indexed value, so that each character of it starts a trigram: a
# one- or two-character phrase is then found as the prefix of the vocabulary's terms.
FTS_PAD = "\n\n"
TRIGRAM = 3
MONTH_COLUMN = "issue_month"
ROW_ID = "row_id"
SUFFIXES = (".db", ".sqlite", ".sqlite3")


@dataclass(frozen=True)
class TableSpec:
    """How one table becomes a SQLite table and a Datasette table page.

    ``key`` is the primary key (empty: an integer ``row_id``); ``references`` maps a column to the
    table whose key it names; ``indexed`` are the columns joined or faceted on; ``facets`` the
    ones Datasette opens with; ``label`` the column Datasette shows for a row another table links
    to (a mention shows its article's headline, not the article id)."""

    name: str
    key: tuple[str, ...]
    references: dict[str, str] = field(default_factory=dict)
    indexed: tuple[str, ...] = ()
    facets: tuple[str, ...] = ()
    label: str | None = None
    sort_desc: str | None = None


# In creation order: a table's references exist before it.
SPECS: tuple[TableSpec, ...] = (
    TableSpec("articles", ("article_id",), {},
              ("issue_date", MONTH_COLUMN, "page", "kind", "locality"),
              ("page", "kind", MONTH_COLUMN, "locality"), "headline"),
    TableSpec("entities", ("entity_id",), {},
              ("type", "kind", "parent_id"),
              ("kind", "type"), "canonical", "mention_count"),
    TableSpec("mentions", ("mention_id",), {"article_id": "articles", "entity_id": "entities"},
              ("article_id", "entity_id", "issue_date", MONTH_COLUMN, "page", "type", "link_method", "role",
               "is_official"),
              ("type", "link_method", "page", MONTH_COLUMN, "role"), "surface"),
    TableSpec("people", ("article_id", "person_id"), {"article_id": "articles", "entity_id": "entities"},
              ("person_id", "entity_id", "issue_date", MONTH_COLUMN, "page", "is_official", "role"),
              ("is_official", "role", MONTH_COLUMN), "name"),
    TableSpec("offices", (), {"person_id": "entities"},
              ("person_id", "office", "org_name", "org_id"),
              ("office", "org_name"), "name", "article_count"),
)
SPEC = {s.name: s for s in SPECS}

ADDED_COLUMN_DOCS = {
    MONTH_COLUMN: "month of issue_date, YYYY-MM (added in the SQLite export, for faceting by month)",
    ROW_ID: "row number in this export: offices has no key that is never null (person, office, organisation)",
}


class SqliteExportError(ValueError):
    """The export cannot be written as asked; one line says why."""


class ExportTargetError(SqliteExportError):
    """The target cannot be written: inside the Parquet outputs, or a directory."""


TRIGRAM_SQLITE = (3, 34, 0)  # the first SQLite with the trigram tokenizer


def check_sqlite(version: tuple[int, ...] = sqlite3.sqlite_version_info) -> None:
    """Refuse, before reading anything, a SQLite too old for the trigram index."""
    if tuple(version) < TRIGRAM_SQLITE:
        have = ".".join(map(str, version))
        raise SqliteExportError(f"this Python's SQLite is {have}; the full-text index needs 3.34 or later "
                                "(a newer Python, or pysqlite3)")


def metadata_path(dest: str | Path) -> Path:
    """The Datasette metadata file written beside ``dest``: ``outputs.db`` -> ``outputs.metadata.json``."""
    dest = Path(dest)
    stem = dest.stem if dest.suffix.lower() in SUFFIXES else dest.name
    return dest.with_name(f"{stem}.metadata.json")


def check_target(out_dir: str | Path, dest: str | Path) -> None:
    """Refuse a target inside the outputs directory: a database there would sit among the Parquet
    tables that ``check``, globbing readers and the next run treat as the record."""
    root = inside_outputs(dest, out_dir)
    if root is not None:
        raise ExportTargetError(f"{dest}: inside the outputs directory {root}; write the database beside it, not into it")
    if Path(dest).is_dir():
        raise ExportTargetError(f"{dest}: is a directory; give a file name such as outputs.db")


def _date_columns(name: str, df: pd.DataFrame) -> list[str]:
    """Columns holding dates: a date or timestamp in the store's schema, or a datetime in pandas."""
    schema = schema_for(name)
    out = []
    for c in df.columns:
        typ = schema.field(c).type if c in schema.names else None
        if (typ is not None and (pa.types.is_date(typ) or pa.types.is_timestamp(typ))) or \
                pd.api.types.is_datetime64_any_dtype(df[c]):
            out.append(c)
    return out


def sql_frame(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as the SQLite table holds it: dates ISO text, ``issue_month`` added, lists as JSON
    text, float32 written as their shortest decimal (0.9, not 0.8999999761581421), nulls None."""
    dates = _date_columns(name, df)
    out = flat(df)
    for c in dates:
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    if "issue_date" in out.columns:
        out.insert(out.columns.get_loc("issue_date") + 1, MONTH_COLUMN, out["issue_date"].str[:7])
    for c in out.columns:
        if out[c].dtype == "float32":
            out[c] = out[c].astype(str).astype("float64")
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    if not SPEC[name].key:
        out.insert(0, ROW_ID, range(1, len(out) + 1))
    return out


def _sql_type(name: str, column: str, s: pd.Series) -> str:
    if column == ROW_ID:
        return "INTEGER"
    schema = schema_for(name)
    typ = schema.field(column).type if column in schema.names else None
    if typ is not None:
        if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
            return "INTEGER"
        return "REAL" if pa.types.is_floating(typ) else "TEXT"
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s):
        return "INTEGER"
    return "REAL" if pd.api.types.is_float_dtype(s) else "TEXT"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def create_table_sql(spec: TableSpec, frame: pd.DataFrame, source: pd.DataFrame) -> str:
    """``CREATE TABLE`` with column types, the primary key and the foreign keys."""
    cols = [f"{_q(c)} {_sql_type(spec.name, c, source[c] if c in source else frame[c])}"
            + (" PRIMARY KEY" if c == ROW_ID else "") for c in frame.columns]
    if spec.key:
        cols.append(f"PRIMARY KEY ({', '.join(map(_q, spec.key))})")
    for col, table in spec.references.items():
        if col in frame.columns:
            key = SPEC[table].key[0]
            cols.append(f"FOREIGN KEY ({_q(col)}) REFERENCES {_q(table)} ({_q(key)})")
    return f"CREATE TABLE {_q(spec.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def _insert(con: sqlite3.Connection, spec: TableSpec, frame: pd.DataFrame, source: pd.DataFrame) -> None:
    con.execute(create_table_sql(spec, frame, source))
    marks = ", ".join("?" * len(frame.columns))
    con.executemany(f"INSERT INTO {_q(spec.name)} VALUES ({marks})",
                    zip(*(frame[c].tolist() for c in frame.columns)))
    for c in spec.indexed:
        if c in frame.columns and (c,) != spec.key[:1]:
            con.execute(f"CREATE INDEX {_q(f'{spec.name}_{c}')} ON {_q(spec.name)} ({_q(c)})")


def _full_text(con: sqlite3.Connection) -> None:
    """The trigram index on headline and text (external content: the text is stored once)."""
    cols = ", ".join(FTS_COLUMNS)
    con.execute(f'CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content="articles", '
                f'content_rowid="rowid", tokenize="trigram")')
    padded = ", ".join(f"coalesce({c}, '') || ?" for c in FTS_COLUMNS)
    con.execute(f"INSERT INTO {FTS_TABLE} (rowid, {cols}) SELECT rowid, {padded} FROM articles",
                (FTS_PAD,) * len(FTS_COLUMNS))
    con.execute(f"CREATE VIRTUAL TABLE {FTS_VOCAB} USING fts5vocab({FTS_TABLE}, 'row')")


def write_database(t: Tables, path: Path) -> dict[str, Any]:
    """Write ``t`` into a new SQLite file ``path``.  Returns the rows per table, the columns of
    each SQLite table, and the foreign-key problems ``PRAGMA foreign_key_check`` found (none for
    outputs that ``check`` passes)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = OFF")  # a new file renamed into place once complete
        con.execute("PRAGMA synchronous = OFF")
        columns = {}
        for spec in SPECS:
            frame = sql_frame(spec.name, t[spec.name])
            columns[spec.name] = list(frame.columns)
            _insert(con, spec, frame, t[spec.name])
        _full_text(con)
        con.execute("ANALYZE")
        con.commit()
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    return {"rows": {name: len(t[name]) for name in TABLE_NAMES}, "columns": columns,
            "foreign_key_problems": len(problems)}


def _column_docs(name: str, columns: list[str]) -> dict[str, str]:
    """Each column's meaning from the schema's field metadata, with how SQLite holds it."""
    schema = schema_for(name)
    docs = {}
    for c in columns:
        if c in ADDED_COLUMN_DOCS:
            docs[c] = ADDED_COLUMN_DOCS[c]
            continue
        if c not in schema.names:
            continue
        f = schema.field(c)
        doc = (f.metadata or {}).get(DOC_KEY, b"").decode()
        if pa.types.is_list(f.type) or pa.types.is_struct(f.type):
            doc += "; SQLite: JSON text"
        elif pa.types.is_date(f.type) or pa.types.is_timestamp(f.type):
            doc += "; SQLite: ISO text YYYY-MM-DD"
        elif pa.types.is_boolean(f.type):
            doc += "; SQLite: 1 true, 0 false"
        docs[c] = doc
    return docs


def _table_metadata(spec: TableSpec, columns: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": spec.name.capitalize(),
        "description": TABLE_DOCS.get(spec.name, ""),
        "columns": _column_docs(spec.name, columns),
        "facets": [c for c in spec.facets if c in columns],
    }
    if spec.label in columns:
        meta["label_column"] = spec.label
    if spec.sort_desc in columns:
        meta["sort_desc"] = spec.sort_desc
    if spec.name == "articles":
        meta.update(fts_table=FTS_TABLE, fts_pk="rowid", searchmode="escaped")
        meta["description"] += (" The Search box finds a string in the headline or text: three characters "
                                "or more anywhere, and one or two (张三, 会议) when served by pinghu-ner browse.")
    return meta


def datasette_metadata(db_name: str, columns: dict[str, list[str]], about: str) -> dict[str, Any]:
    """Datasette's metadata for the database ``db_name`` (the file's stem): titles, column
    meanings from the store's schema, facets, label columns and the full-text search."""
    tables = {spec.name: _table_metadata(spec, columns[spec.name]) for spec in SPECS}
    tables[FTS_VOCAB] = {"hidden": True}
    return {
        "title": "pinghu-ner outputs",
        "description": about,
        "databases": {db_name: {"tables": tables}},
    }


def db_name(dest: str | Path) -> str:
    """The name Datasette gives the database file ``dest``: its stem."""
    return Path(dest).stem


def export_sqlite(out_dir: str | Path, dest: str | Path, filters: Filters | None = None) -> dict[str, Any]:
    """Write the (filtered) tables of ``out_dir`` as the SQLite database ``dest`` and its Datasette
    metadata beside it; an existing ``dest`` is replaced, atomically.

    Returns ``{"paths": [db, metadata], "rows": {table: n}, "foreign_key_problems": n}``; raises
    :class:`ExportTargetError` for a target inside ``out_dir`` or a directory, and
    :class:`SqliteExportError` for a SQLite without the trigram tokenizer.
    """
    check_sqlite()
    check_target(out_dir, dest)
    dest = Path(dest)
    t = selected(out_dir, filters)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(dest)
    tmp.unlink(missing_ok=True)  # a leftover of a writer with our pid: sqlite would append to it
    try:
        res = write_database(t, tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    replace_atomic(tmp, dest)
    what = filters.describe() if filters is not None and filters.active else "all articles"
    about = f"The tables of {Path(out_dir).name} ({what}), exported by `pinghu-ner export sqlite`."
    meta = datasette_metadata(db_name(dest), res["columns"], about)
    meta_file = metadata_path(dest)
    atomic_write_bytes(meta_file, lambda fh: fh.write(json.dumps(meta, ensure_ascii=False, indent=2).encode()))
    return {"paths": [dest, meta_file], "rows": res["rows"], "foreign_key_problems": res["foreign_key_problems"]}


_PHRASE = re.compile(r'"((?:[^"]|"")*)"')


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def expand_short_phrases(con: sqlite3.Connection, query: str) -> str:
    """A full-text query for the trigram index in which every quoted phrase shorter than three
    characters (``"张三"``) is replaced by the OR of the index's trigrams that start with it.

    ``query`` is a list of quoted phrases, as Datasette's ``escape_fts`` writes the search box.
    Why: a trigram index holds no string shorter than three characters, and a two-character
    name is most Chinese names.  Every character of an indexed value starts a trigram (values
    are padded with ``FTS_PAD``), so the expansion finds each occurrence.  A query on a database
    without the vocabulary table comes back unchanged."""
    phrases = _PHRASE.findall(query)
    if not phrases or all(len(p.replace('""', '"')) >= TRIGRAM for p in phrases):
        return query
    try:
        con.execute(f"SELECT 1 FROM {FTS_VOCAB} LIMIT 0")
    except sqlite3.Error:
        return query
    parts = []
    for raw in phrases:
        phrase = raw.replace('""', '"')
        if len(phrase) >= TRIGRAM or not phrase:
            parts.append(_fts_string(phrase))
            continue
        low = phrase.lower()  # the trigram tokenizer folds case
        terms = [row[0] for row in con.execute(
            f"SELECT term FROM {FTS_VOCAB} WHERE term >= ? AND term < ?", (low, low + "\U0010ffff"))]
        parts.append("(" + " OR ".join(map(_fts_string, terms)) + ")" if terms else _fts_string(phrase))
    return " AND ".join(parts)


__all__ = [
    "FTS_TABLE",
    "FTS_VOCAB",
    "SPECS",
    "ExportTargetError",
    "SqliteExportError",
    "check_sqlite",
    "check_target",
    "datasette_metadata",
    "db_name",
    "expand_short_phrases",
    "export_sqlite",
    "metadata_path",
    "sql_frame",
]

"""Arrow schemas of the output tables, and the conversion of records into Arrow tables.

The schemas live here, in one place and versioned, because they are the contract with everyone who
reads ``outputs/`` (pandas, DuckDB, a notebook written a year from now): a column that changes
type or meaning bumps ``SCHEMA_VERSION``, and every file says which version wrote it in its
Parquet schema metadata (key ``b"pinghu.schema_version"``).

Each schema here is the *logical* table, with ``paper`` and ``issue_date`` as columns.  The
partitioned tables (articles, mentions, people) do not store those two columns inside their files:
they are in the directory names (``paper=…/issue_date=…``) and readers add them back; see
``pipeline.tables`` for why.  ``file_schema`` gives the schema actually written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa

from .records import Article, Mention

SCHEMA_VERSION = "1"
VERSION_KEY = b"pinghu.schema_version"
TABLE_KEY = b"pinghu.table"

# Columns that are hive partition keys of the partitioned tables, in directory order.
PARTITION_COLUMNS: tuple[str, ...] = ("paper", "issue_date")
PARTITION_SCHEMA = pa.schema([("paper", pa.string()), ("issue_date", pa.date32())])
PARTITIONED_TABLES: tuple[str, ...] = ("articles", "mentions", "people")
TABLE_NAMES: tuple[str, ...] = ("articles", "mentions", "entities", "people")

BYLINE_TYPE = pa.struct([("role", pa.string()), ("name", pa.string())])
# One office of a person mention's role (pipeline.offices.Office): 市委副书记、市长 gives two.
OFFICE_TYPE = pa.struct(
    [
        ("office", pa.string()),  # post with rank: 副书记, 常务副市长, 书记
        ("post", pa.string()),  # post without rank: 书记, 市长
        ("rank", pa.string()),  # head, deputy, executive_deputy, member
        ("org_id", pa.string()),  # organisation entity id, "" when unknown
        ("org_name", pa.string()),
        ("jurisdiction", pa.string()),  # division code (or CN), "" when unknown
    ]
)


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={VERSION_KEY: SCHEMA_VERSION.encode(), TABLE_KEY: name.encode()})


ARTICLES = _schema(
    "articles",
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("paper", pa.string()),
        pa.field("issue_date", pa.date32()),
        pa.field("page", pa.int16()),
        pa.field("seq", pa.int16()),
        pa.field("kind", pa.string()),
        pa.field("headline", pa.string()),
        pa.field("subtitle", pa.string()),  # subtitles joined by " / "
        pa.field("kicker", pa.string()),
        pa.field("bylines", pa.list_(BYLINE_TYPE)),
        pa.field("dateline", pa.string()),
        pa.field("text", pa.string()),  # Article.text: every field, one per line
        pa.field("n_chars", pa.int32()),
        pa.field("repairs", pa.int16()),
        pa.field("jumps", pa.list_(pa.string())),
        pa.field("source_file", pa.string()),  # the path as given on the command line
        pa.field("source_sha256", pa.string()),
        pa.field("source_start", pa.int64()),  # character offsets into the decoded source
        pa.field("source_end", pa.int64()),
        pa.field("locality", pa.string()),  # local, elsewhere:<division code>, national, foreign:<ISO>
    ],
)

MENTIONS = _schema(
    "mentions",
    [
        pa.field("mention_id", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("paper", pa.string()),
        pa.field("issue_date", pa.date32()),
        pa.field("page", pa.int16()),
        pa.field("type", pa.string()),
        pa.field("surface", pa.string()),
        pa.field("start", pa.int32()),  # in articles.text
        pa.field("end", pa.int32()),
        pa.field("source_start", pa.int64()),  # in the decoded source file
        pa.field("source_end", pa.int64()),
        pa.field("sentence", pa.string()),
        pa.field("field", pa.string()),  # headline/body/byline/... (Article.field_at(start))
        pa.field("role", pa.string()),
        pa.field("is_official", pa.bool_()),
        pa.field("entity_id", pa.string()),
        pa.field("canonical", pa.string()),
        pa.field("link_method", pa.string()),
        pa.field("confidence", pa.float32()),  # recogniser confidence
        pa.field("link_confidence", pa.float32()),
        pa.field("recognizer", pa.string()),
        pa.field("offices", pa.list_(OFFICE_TYPE)),  # people: the role normalised (pipeline.offices)
    ],
)

ENTITIES = _schema(
    "entities",
    [
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("type", pa.string()),
        pa.field("canonical", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("division_code", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("aliases", pa.list_(pa.string())),
        pa.field("first_seen", pa.date32()),
        pa.field("last_seen", pa.date32()),
        pa.field("mention_count", pa.int64()),
        pa.field("article_count", pa.int64()),
        pa.field("roles", pa.list_(pa.string())),  # distinct roles seen (people)
    ],
)

PEOPLE = _schema(
    "people",
    [
        pa.field("name", pa.string()),
        pa.field("role", pa.string()),
        pa.field("entity_id", pa.string()),
        pa.field("paper", pa.string()),
        pa.field("issue_date", pa.date32()),
        pa.field("page", pa.int16()),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("headline", pa.string()),
        pa.field("is_official", pa.bool_()),
        pa.field("n_mentions", pa.int32()),  # mentions of this person in this article
    ],
)

SCHEMAS: dict[str, pa.Schema] = {"articles": ARTICLES, "mentions": MENTIONS, "entities": ENTITIES, "people": PEOPLE}


def schema_for(table: str) -> pa.Schema:
    """The logical schema of ``table`` (with ``paper`` and ``issue_date`` where it has them)."""
    try:
        return SCHEMAS[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; tables are {', '.join(TABLE_NAMES)}") from None


def file_schema(table: str) -> pa.Schema:
    """The schema written into each Parquet file: partition columns are left to the path."""
    schema = schema_for(table)
    if table not in PARTITIONED_TABLES:
        return schema
    for name in PARTITION_COLUMNS:
        schema = schema.remove(schema.get_field_index(name))
    return schema


def _source_span(article: Article) -> tuple[int, int]:
    """Smallest source range covering the article.

    ``min``/``max`` rather than first/last offset: a repaired column break may map characters
    out of order, and the span must still cover every one of them.
    """
    origin = article.mapped.origin
    if not len(origin):
        return (0, 0)
    return (min(origin), max(origin) + 1)


def articles_table(articles: Sequence[Article], paper: str | None = None) -> pa.Table:
    """Articles as an Arrow table with the ``ARTICLES`` schema; ``paper`` overrides each article's."""
    cols: dict[str, list] = {f.name: [] for f in ARTICLES}
    for a in articles:
        start, end = _source_span(a)
        row = {
            "article_id": a.article_id,
            "paper": paper or a.paper,
            "issue_date": a.issue_date,
            "page": a.page,
            "seq": a.seq,
            "kind": a.kind,
            "headline": a.headline,
            "subtitle": " / ".join(a.subtitles),
            "kicker": a.kicker,
            "bylines": [{"role": b.role, "name": b.name} for b in a.bylines],
            "dateline": a.dateline,
            "text": a.text,
            "n_chars": len(a.text),
            "repairs": a.repairs,
            "jumps": list(a.jumps),
            "source_file": a.source_path,
            "source_sha256": a.source_sha256,
            "source_start": start,
            "source_end": end,
            "locality": a.locality,
        }
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=ARTICLES)


def _article_index(articles: Iterable[Article]) -> dict[str, Article]:
    return {a.article_id: a for a in articles}


def _article_of(index: dict[str, Article], m: Mention) -> Article:
    try:
        return index[m.article_id]
    except KeyError:
        raise ValueError(f"mention {m.mention_id} names article {m.article_id!r}, which is not in this batch") from None


def mentions_table(mentions: Sequence[Mention], articles: Sequence[Article]) -> pa.Table:
    """Mentions with the ``MENTIONS`` schema; paper, issue date, page and field come from the article."""
    index = _article_index(articles)
    cols: dict[str, list] = {f.name: [] for f in MENTIONS}
    for m in mentions:
        a = _article_of(index, m)
        row = {
            "mention_id": m.mention_id,
            "article_id": m.article_id,
            "paper": a.paper,
            "issue_date": a.issue_date,
            "page": a.page,
            "type": m.type,
            "surface": m.surface,
            "start": m.start,
            "end": m.end,
            "source_start": m.source_start,
            "source_end": m.source_end,
            "sentence": m.sentence,
            "field": a.field_at(m.start) or "",
            "role": m.role,
            "is_official": bool(m.is_official),
            "entity_id": m.entity_id,
            "canonical": m.canonical,
            "link_method": m.link_method,
            "confidence": float(m.confidence),
            "link_confidence": float(m.link_confidence),
            "recognizer": m.recognizer,
            "offices": [_office_row(o) for o in m.offices],
        }
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=MENTIONS)


def _office_row(o: object) -> dict[str, str]:
    return {
        "office": o.office,  # type: ignore[attr-defined]
        "post": o.post,  # type: ignore[attr-defined]
        "rank": o.rank,  # type: ignore[attr-defined]
        "org_id": o.org_id,  # type: ignore[attr-defined]
        "org_name": o.org_name,  # type: ignore[attr-defined]
        "jurisdiction": o.jurisdiction,  # type: ignore[attr-defined]
    }


OFFICES = _schema(
    "offices",
    [
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("office", pa.string()),
        pa.field("post", pa.string()),
        pa.field("rank", pa.string()),
        pa.field("org_id", pa.string()),
        pa.field("org_name", pa.string()),
        pa.field("jurisdiction", pa.string()),
        pa.field("first_seen", pa.date32()),
        pa.field("last_seen", pa.date32()),
        pa.field("article_count", pa.int64()),
        pa.field("mention_count", pa.int64()),
    ],
)


def people_table(mentions: Sequence[Mention], articles: Sequence[Article]) -> pa.Table:
    """One row per person per article: who appears where, and in what role.

    An "appearance" is an article, not a mention: a leader named five times in one report counts
    once, which is what "how often is X in the paper" means.  The person is the resolved entity
    when there is one, else the surface form.  ``role`` is the first non-empty role seen for the
    person in that article, ``is_official`` whether any mention marked them an official; bylined
    staff (记者, 通讯员) appear with their byline role and ``is_official`` False.
    """
    index = _article_index(articles)
    rows: dict[tuple[str, str], dict] = {}
    for m in mentions:
        if m.type != "PERSON":
            continue
        a = _article_of(index, m)
        key = (m.article_id, m.entity_id or f"surface:{m.surface}")
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "name": m.canonical or m.surface,
                "role": m.role,
                "entity_id": m.entity_id,
                "paper": a.paper,
                "issue_date": a.issue_date,
                "page": a.page,
                "article_id": m.article_id,
                "headline": a.headline,
                "is_official": bool(m.is_official),
                "n_mentions": 1,
            }
            continue
        row["n_mentions"] += 1
        row["is_official"] = row["is_official"] or bool(m.is_official)
        if not row["role"] and m.role:
            row["role"] = m.role
    cols: dict[str, list] = {f.name: [r[f.name] for r in rows.values()] for f in PEOPLE}
    return pa.table(cols, schema=PEOPLE)


def entities_table(rows: Sequence[dict]) -> pa.Table:
    """Entity rows (dicts keyed by ``ENTITIES`` column names) as an Arrow table."""
    cols: dict[str, list] = {f.name: [r.get(f.name) for r in rows] for f in ENTITIES}
    return pa.table(cols, schema=ENTITIES)


def schema_version_of(schema: pa.Schema) -> str | None:
    """The schema version a file was written with, or None for a file this package did not write."""
    meta = schema.metadata or {}
    raw = meta.get(VERSION_KEY)
    return raw.decode() if raw is not None else None


def empty_table(table: str) -> pa.Table:
    return schema_for(table).empty_table()


__all__ = [
    "ARTICLES",
    "ENTITIES",
    "MENTIONS",
    "OFFICES",
    "OFFICE_TYPE",
    "PARTITIONED_TABLES",
    "PARTITION_COLUMNS",
    "PARTITION_SCHEMA",
    "PEOPLE",
    "SCHEMA_VERSION",
    "TABLE_NAMES",
    "VERSION_KEY",
    "articles_table",
    "empty_table",
    "entities_table",
    "file_schema",
    "mentions_table",
    "people_table",
    "schema_for",
    "schema_version_of",
]

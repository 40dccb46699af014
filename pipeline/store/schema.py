"""Arrow schemas of the output tables, and the conversion of records into Arrow tables.

The schemas live here, in one place and versioned, because they are the contract with everyone who
reads ``outputs/`` (pandas, DuckDB, a notebook written a year from now): a column that changes
type or meaning bumps ``SCHEMA_VERSION``, and every file says which version wrote it in its
Parquet schema metadata (key ``b"pinghu.schema_version"``).

Each schema here is the *logical* table, with ``paper`` and ``issue_date`` as columns.  The
partitioned tables (articles, mentions, people) store ``issue_date`` inside their files; ``paper``
is left to the directory name (``paper=…``) and readers add it back; see ``pipeline.store.tables``
for why.  ``file_schema`` gives the schema actually written.

Dates (``issue_date``, ``first_seen``, ``last_seen``) are stored as ``DATE_TYPE``, a timestamp at
midnight, not a date32: a bare ``pd.read_parquet`` turns date32 into ``datetime.date`` objects,
which refuse ``>= "2023-06-01"``, a ``pd.Timestamp`` and ``.dt``, while a timestamp reads as
datetime64[ms], the dtype ``load()`` gives, so one pandas idiom works whichever way the tables are
read.  DuckDB compares a TIMESTAMP with a DATE or string literal and polars a Datetime with a
``datetime.date``, so nothing is lost there (measured; tests/store/test_date_idiom.py).

Missing values are nulls, never ``""``: an analyst's ``isna()``/``IS NULL`` must find them.  Every
column carries its meaning and an example in its field metadata (``DOC_KEY``, ``EXAMPLE_KEY``);
``pipeline.store.datadict`` turns them into the data dictionary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.records import Article, Mention

# 2: nulls for missing values, issue_date inside the files, page_inferred, person_id;
# 3: mentions.in_title (the body or place printed inside an official's title);
# 4: dates as timestamp[ms] at midnight, not date32 (one pandas idiom for load() and pd.read_parquet);
#    a correction column in mentions, people, entities and offices (pipeline.store.corrections).
SCHEMA_VERSION = "4"
VERSION_KEY = b"pinghu.schema_version"
TABLE_KEY = b"pinghu.table"

# Columns that are hive partition keys of the partitioned tables, in directory order.  The date
# directory below ``paper=…`` is a plain ``YYYY-MM-DD`` (no ``key=``): hive readers skip it, and
# ``issue_date`` comes from inside the files with its date type.
PARTITION_COLUMNS: tuple[str, ...] = ("paper",)
PARTITION_SCHEMA = pa.schema([("paper", pa.string())])
PARTITIONED_TABLES: tuple[str, ...] = ("articles", "mentions", "people")
TABLE_NAMES: tuple[str, ...] = ("articles", "mentions", "entities", "people", "offices")

BYLINE_TYPE = pa.struct([("role", pa.string()), ("name", pa.string())])
# One office of a person mention's role (pipeline.resolve.offices.Office): 市委副书记、市长 gives two.
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

# Field metadata keys of the data dictionary: every column says what it means and shows an example,
# in the schema itself, so the README's "Tables" section and ``pinghu-ner tables`` are generated
# from the contract and cannot drift from it (tests/store/test_datadict.py).
DOC_KEY = b"pinghu.doc"
EXAMPLE_KEY = b"pinghu.example"

# The type of every date column: a day, stored as its midnight (no time zone) so that every reader
# gives a datetime type, the pandas one included; see the module docstring.
DATE_TYPE = pa.timestamp("ms")


def midnight(day: dt.date | None) -> dt.datetime | None:
    """``day`` as the value of a ``DATE_TYPE`` column: pyarrow refuses a ``datetime.date`` for a
    timestamp (a datetime or ``pd.Timestamp`` passes through, keeping only its day)."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    return dt.datetime(day.year, day.month, day.day)


def correction_ids(value: object) -> set[str]:
    """The correction ids one ``correction`` value lists (none for null, NaN or "")."""
    return set(value.split(";")) - {""} if isinstance(value, str) else set()


def correction_value(ids: Iterable[str]) -> str | None:
    """Ids as one ``correction`` value: sorted, ``;``-joined, null when none."""
    return ";".join(sorted(set(ids))) or None


def _f(name: str, type_: pa.DataType, doc: str, example: str, nullable: bool = True) -> pa.Field:
    """A column with its meaning and an example value; ``nullable=False`` for keys never missing."""
    return pa.field(name, type_, nullable=nullable, metadata={DOC_KEY: doc.encode(), EXAMPLE_KEY: example.encode()})


def _schema(name: str, fields: list[pa.Field], required: tuple[str, ...] = ()) -> pa.Schema:
    """A table's schema; ``required`` columns are always filled (not nullable), the others may be null."""
    fields = [f.with_nullable(False) if f.name in required else f for f in fields]
    return pa.schema(fields, metadata={VERSION_KEY: SCHEMA_VERSION.encode(), TABLE_KEY: name.encode()})


TABLE_DOCS: dict[str, str] = {
    "articles": "One row per article of a page: its fields, full text and where it sits in the source file.",
    "mentions": "One row per recognised mention of a person, place or organisation, with role and resolved entity.",
    "entities": "One row per resolved entity (gazetteer place/agency, person or NIL cluster), counted over all mentions.",
    "people": "One row per person per article (an appearance), with the role they were given there.",
    "offices": "One row per person, office and organisation: who held what, first and last issue seen (rebuilt from all mentions).",
}

_PAPER = ("paper slug (from --paper)", "pinghu-daily")
_DATE = ("issue date of the paper, stored as its midnight (datetime64 in pandas, load() or pd.read_parquet; "
         "TIMESTAMP in DuckDB; Datetime in polars): pandas and DuckDB compare it with '2024-05-13', "
         "polars with a datetime.date", "2024-05-13")
_PAGE = ("page number (版); 1 when the source did not say, see page_inferred", "1")
_CORRECTION = ("ids of the analyst's corrections (corrections.csv, `pinghu-ner correct`) that changed this row, ;-separated; "
               "null when none", "c0001;c0004")

ARTICLES = _schema(
    "articles",
    [
        _f("article_id", pa.string(), "article key: paper:date:<source hash>:p<page>:<n>, unique across an outputs directory", "pinghu-daily:2024-05-13:3f1c9a0b2d4e6f81:p1:001", False),
        _f("paper", pa.string(), *_PAPER),
        _f("issue_date", DATE_TYPE, *_DATE),
        _f("page", pa.int16(), *_PAGE),
        _f("page_inferred", pa.bool_(), "true when the source gave no page number and page is the default 1", "false"),
        _f("seq", pa.int16(), "position of the article on its page, from 1", "3"),
        _f("kind", pa.string(), "news, photo, brief or notice", "news"),
        _f("headline", pa.string(), "headline (主标题); null when the article has none", "我市召开全市经济工作会议"),
        _f("subtitle", pa.string(), "subtitles (副题) joined by ' / '; null when none", "部署明年重点工作"),
        _f("kicker", pa.string(), "kicker above the headline (引题); null when none", "凝心聚力谋发展"),
        _f("bylines", pa.list_(BYLINE_TYPE), "bylines as (role, name) pairs: 记者, 通讯员, 摄影…", "[{role: 记者, name: 王五}]"),
        _f("dateline", pa.string(), "dateline (本报讯 …); null when none", "本报讯（记者 王五）"),
        _f("text", pa.string(), "every field of the article, one per line; mention offsets index into it", "我市召开…"),
        _f("n_chars", pa.int32(), "length of text in characters", "1532"),
        _f("repairs", pa.int16(), "column breaks joined while segmenting", "0"),
        _f("jumps", pa.list_(pa.string()), "jump lines removed from the text (转第2版)", "[转第2版]"),
        _f("source_file", pa.string(), "the source identity: resolved path, or the path below --root", "2024/05/13/01.md"),
        _f("source_sha256", pa.string(), "sha256 of the input file's bytes", "9f86d08…"),
        _f("source_start", pa.int64(), "first character of the article in the decoded source file", "120"),
        _f("source_end", pa.int64(), "end (exclusive) of the article in the decoded source file", "1690"),
        _f("locality", pa.string(), "what the article is about: local, elsewhere:<division code>, national, foreign:<ISO>, or unknown (a text with no source line that names no place of the county: treated like national); a continuation (上接第N版) with none of its own takes its story's", "local"),
    ],
    required=("paper", "issue_date", "page", "page_inferred", "seq", "kind", "bylines", "text", "n_chars", "repairs", "jumps",
     "source_file", "source_sha256", "source_start", "source_end"),
)

MENTIONS = _schema(
    "mentions",
    [
        _f("mention_id", pa.string(), "mention key: article_id:start-end:type", "…:p1:001:12-14:PERSON", False),
        _f("article_id", pa.string(), "the article (articles.article_id)", "pinghu-daily:2024-05-13:3f1c9a0b2d4e6f81:p1:001", False),
        _f("paper", pa.string(), *_PAPER),
        _f("issue_date", DATE_TYPE, *_DATE),
        _f("page", pa.int16(), *_PAGE),
        _f("type", pa.string(), "PERSON, PLACE or ORG", "PERSON"),
        _f("surface", pa.string(), "the mention as printed", "张三"),
        _f("start", pa.int32(), "first character in articles.text", "12"),
        _f("end", pa.int32(), "end (exclusive) in articles.text", "14"),
        _f("source_start", pa.int64(), "first character in the decoded source file", "132"),
        _f("source_end", pa.int64(), "end (exclusive) in the decoded source file", "134"),
        _f("sentence", pa.string(), "the sentence around the mention", "市委书记张三出席会议。"),
        _f("field", pa.string(), "article field holding it: kicker, headline, subtitle, byline, dateline, body or caption", "body"),
        _f("role", pa.string(), "official title or byline role given with the mention; null when none", "市委书记"),
        _f("is_official", pa.bool_(), "named with an official title (not a byline)", "true"),
        _f("in_title", pa.bool_(), "the organisation or place printed inside an official's title (市委 of 市委书记张三); "
           "filter it out to count bodies as actors only", "false"),
        _f("entity_id", pa.string(), "resolved entity (entities.entity_id); null when unresolved", "person:3f2a…"),
        _f("canonical", pa.string(), "canonical name of the entity; null when unresolved", "张三"),
        _f("link_method", pa.string(), "how it was resolved: exact, alias, context, fuzzy, renamed (a village printed as X村 where the register has X社区, or the reverse), person (a person id), nil", "exact"),
        _f("confidence", pa.float32(), "recogniser confidence, 0–1", "0.97"),
        _f("link_confidence", pa.float32(), "resolver confidence, 0–1", "1.0"),
        _f("recognizer", pa.string(), "which recogniser(s) proposed the span", "combined"),
        _f("offices", pa.list_(OFFICE_TYPE), "people: the role normalised into offices (office, post, rank, organisation, jurisdiction)", "[{office: 副书记, post: 书记, rank: deputy, …}]"),
        _f("correction", pa.string(), *_CORRECTION),
    ],
    required=("paper", "issue_date", "page", "type", "surface", "start", "end", "source_start", "source_end", "is_official",
     "in_title", "confidence", "link_confidence"),
)

ENTITIES = _schema(
    "entities",
    [
        _f("entity_id", pa.string(), "entity key: division code, agency id, person:… or nil:…", "330482101", False),
        _f("type", pa.string(), "PERSON, PLACE or ORG", "PLACE"),
        _f("canonical", pa.string(), "canonical name", "新埭镇"),
        _f("kind", pa.string(), "gazetteer kind (province, city, county, town, village, community, region, agency, party…), national (a central body, org:cn-…), country, person; for an organisation no gazetteer knows (nil:ORG:…) company, agency or organisation, learned from its name (models/org_kind.md); nil for other unresolved names", "town"),
        _f("division_code", pa.string(), "statistical division code of a place; null for others", "330482101"),
        _f("parent_id", pa.string(), "enclosing place or body in the gazetteer; null when none", "330482"),
        _f("aliases", pa.list_(pa.string()), "other names the gazetteer knows", "[新埭]"),
        _f("first_seen", DATE_TYPE, "earliest issue date it is mentioned in", "2024-01-02"),
        _f("last_seen", DATE_TYPE, "latest issue date it is mentioned in", "2024-12-30"),
        _f("mention_count", pa.int64(), "mentions of it over all articles, those inside officials' titles included; "
           "0 for an organisation only an office implies (市政府 of 市长)", "42"),
        _f("title_mention_count", pa.int64(), "how many of those mentions are inside officials' titles (mentions.in_title): "
           "mention_count minus this counts it as an actor only", "12"),
        _f("article_count", pa.int64(), "articles mentioning it", "30"),
        _f("roles", pa.list_(pa.string()), "distinct roles seen with it (people only)", "[市委书记]"),
        _f("correction", pa.string(), *_CORRECTION),
    ],
    required=("aliases", "first_seen", "last_seen", "mention_count", "title_mention_count", "article_count", "roles"),
)

PEOPLE = _schema(
    "people",
    [
        _f("name", pa.string(), "canonical name, else the name as printed; do not group by it, use person_id", "张三"),
        _f("role", pa.string(), "first role given in the article; null when none", "市委书记"),
        _f("person_id", pa.string(), "who: the resolved entity id, else surface:<name>; group people by it", "person:3f2a…",
           False),
        _f("entity_id", pa.string(), "resolved entity (entities.entity_id); null when unresolved", "person:3f2a…"),
        _f("paper", pa.string(), *_PAPER),
        _f("issue_date", DATE_TYPE, *_DATE),
        _f("page", pa.int16(), *_PAGE),
        _f("article_id", pa.string(), "the article (articles.article_id)", "pinghu-daily:2024-05-13:3f1c9a0b2d4e6f81:p1:001", False),
        _f("headline", pa.string(), "headline of the article; null when none", "我市召开全市经济工作会议"),
        _f("is_official", pa.bool_(), "named with an official title in this article", "true"),
        _f("n_mentions", pa.int32(), "mentions of this person in this article", "2"),
        _f("correction", pa.string(), *_CORRECTION),
    ],
    required=("name", "paper", "issue_date", "page", "is_official", "n_mentions"),
)

SCHEMAS: dict[str, pa.Schema] = {"articles": ARTICLES, "mentions": MENTIONS, "entities": ENTITIES, "people": PEOPLE}
# offices is added below, where its schema is defined (beside the office struct it aggregates).


def schema_for(table: str) -> pa.Schema:
    """The logical schema of ``table`` (with ``paper`` and ``issue_date`` where it has them)."""
    try:
        return SCHEMAS[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; tables are {', '.join(TABLE_NAMES)}") from None


def file_schema(table: str) -> pa.Schema:
    """The schema written into each Parquet file: ``paper`` is left to the path."""
    schema = schema_for(table)
    if table not in PARTITIONED_TABLES:
        return schema
    for name in PARTITION_COLUMNS:
        schema = schema.remove(schema.get_field_index(name))
    return schema


def _opt(value: str | None) -> str | None:
    """``None`` for a missing text value: the tables store nulls, not empty strings."""
    return value if value else None


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
            "issue_date": midnight(a.issue_date),
            "page": a.page,
            "page_inferred": a.page_inferred,
            "seq": a.seq,
            "kind": a.kind,
            "headline": _opt(a.headline),
            "subtitle": _opt(" / ".join(a.subtitles)),
            "kicker": _opt(a.kicker),
            "bylines": [{"role": b.role, "name": b.name} for b in a.bylines],
            "dateline": _opt(a.dateline),
            "text": a.text,
            "n_chars": len(a.text),
            "repairs": a.repairs,
            "jumps": list(a.jumps),
            "source_file": a.source_path,
            "source_sha256": a.source_sha256,
            "source_start": start,
            "source_end": end,
            "locality": _opt(a.locality),
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
            "issue_date": midnight(a.issue_date),
            "page": a.page,
            "type": m.type,
            "surface": m.surface,
            "start": m.start,
            "end": m.end,
            "source_start": m.source_start,
            "source_end": m.source_end,
            "sentence": _opt(m.sentence),
            "field": a.field_at(m.start),
            "role": _opt(m.role),
            "is_official": bool(m.is_official),
            "in_title": bool(m.in_title),
            "entity_id": _opt(m.entity_id),
            "canonical": _opt(m.canonical),
            "link_method": _opt(m.link_method),
            "confidence": float(m.confidence),
            "link_confidence": float(m.link_confidence),
            "recognizer": _opt(m.recognizer),
            "offices": [_office_row(o) for o in m.offices],
            "correction": None,  # set when the store applies the analyst's corrections
        }
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=MENTIONS)


def _office_row(o: object) -> dict[str, str | None]:
    """One office as the struct stored in ``mentions.offices``: unknown parts are nulls."""
    return {k: _opt(getattr(o, k)) for k in ("office", "post", "rank", "org_id", "org_name", "jurisdiction")}


OFFICES = _schema(
    "offices",
    [
        _f("person_id", pa.string(), "the person (entities.entity_id)", "person:3f2a…", False),
        _f("name", pa.string(), "the person's most frequent printed name", "张三"),
        _f("office", pa.string(), "post with rank", "副书记"),
        _f("post", pa.string(), "post without rank", "书记"),
        _f("rank", pa.string(), "head, deputy, executive_deputy or member", "deputy"),
        _f("org_id", pa.string(), "organisation entity id; null when unknown", "org:330482-cpc"),
        _f("org_name", pa.string(), "organisation name; null when unknown", "中共平湖市委员会"),
        _f("jurisdiction", pa.string(), "division code (or CN) of the office's area; null when unknown", "330482"),
        _f("first_seen", DATE_TYPE, "first issue date the person is printed with this office", "2024-03-04"),
        _f("last_seen", DATE_TYPE, "last issue date the person is printed with this office", "2024-05-20"),
        _f("article_count", pa.int64(), "articles naming the person with this office", "7"),
        _f("mention_count", pa.int64(), "mentions naming the person with this office", "9"),
        _f("correction", pa.string(), *_CORRECTION),
    ],
    required=("office", "post", "rank", "first_seen", "last_seen", "article_count", "mention_count"),
)
SCHEMAS["offices"] = OFFICES


def people_table(mentions: Sequence[Mention], articles: Sequence[Article]) -> pa.Table:
    """One row per person per article (``people_from_mentions`` of these records' tables)."""
    return people_from_mentions(mentions_table(mentions, articles), articles_table(articles))


_PEOPLE_INPUT = ("article_id", "type", "surface", "entity_id", "canonical", "role", "is_official", "correction")


def people_from_mentions(mentions: pa.Table, articles: pa.Table, paper: str | None = None) -> pa.Table:
    """One row per person per article: who appears where, and in what role.

    An "appearance" is an article, not a mention: a leader named five times in one report counts
    once, which is what "how often is X in the paper" means.  The person is the resolved entity
    when there is one, else the surface form.  ``role`` is the first non-empty role seen for the
    person in that article, ``is_official`` whether any mention marked them an official; bylined
    staff (记者, 通讯员) appear with their byline role and ``is_official`` False; ``correction``
    the analyst's corrections its mentions carry.  ``paper``: for a part file's tables, which leave
    it to the directory name.  Built from the mentions *table*, so a source's
    rows re-corrected without its records (``pipeline.store.corrections``) get the same people.
    """
    arts = {r["article_id"]: r for r in articles.select(["article_id", "issue_date", "page", "headline"]).to_pylist()}
    if paper is None and "paper" in articles.column_names and articles.num_rows:  # a part file has none
        paper = articles.column("paper")[0].as_py()
    rows: dict[tuple[str, str], dict] = {}
    people = mentions.select([c for c in _PEOPLE_INPUT if c in mentions.column_names])
    for m in people.filter(pc.equal(people["type"], "PERSON")).to_pylist():
        person = m["entity_id"] or f"surface:{m['surface']}"
        key = (m["article_id"], person)
        row = rows.get(key)
        fixes = correction_ids(m.get("correction"))
        if row is None:
            a = arts[m["article_id"]]
            rows[key] = {
                "name": m["canonical"] or m["surface"],
                "role": m["role"] or None,
                "person_id": person,
                "entity_id": m["entity_id"] or None,
                "paper": paper,
                "issue_date": midnight(a["issue_date"]),
                "page": a["page"],
                "article_id": m["article_id"],
                "headline": a["headline"] or None,
                "is_official": bool(m["is_official"]),
                "n_mentions": 1,
                "correction": fixes,
            }
            continue
        row["n_mentions"] += 1
        row["is_official"] = row["is_official"] or bool(m["is_official"])
        row["correction"] |= fixes
        if not row["role"] and m["role"]:
            row["role"] = m["role"]
    for r in rows.values():
        r["correction"] = correction_value(r["correction"])
    cols: dict[str, list] = {f.name: [r[f.name] for r in rows.values()] for f in PEOPLE}
    return pa.table(cols, schema=PEOPLE)


def entities_table(rows: Sequence[dict]) -> pa.Table:
    """Entity rows (dicts keyed by ``ENTITIES`` column names) as an Arrow table."""
    cols: dict[str, list] = {
        f.name: [_opt(r.get(f.name)) if pa.types.is_string(f.type) else
                 midnight(r.get(f.name)) if f.type == DATE_TYPE else r.get(f.name) for r in rows] for f in ENTITIES
    }
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
    "DATE_TYPE",
    "DOC_KEY",
    "EXAMPLE_KEY",
    "TABLE_DOCS",
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
    "correction_ids",
    "correction_value",
    "file_schema",
    "mentions_table",
    "midnight",
    "people_from_mentions",
    "people_table",
    "schema_for",
    "schema_version_of",
]

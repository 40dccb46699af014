"""Which articles a reader looks at: one ``Filters``, resolved once, for every table and reader.

Why a module of its own: the terminal report, the HTML page, the PNG charts, ``pinghu-ner
export`` and the notebook once each read ``--locality`` their own way (the HTML page dropped a
place name or ``local`` and showed every article, an unknown place was "no articles yet").  Here a
locality is resolved once (:func:`resolve_locality`): an entity id, a division code, a place name
or alias (from the outputs' entities, else the gazetteer), or an article class (``local``,
``national``, ``foreign``, ``elsewhere`` or a value such as ``foreign:US``); anything else is
:class:`UnknownLocality`, with the gazetteer's closest names.  :func:`locality_mask` says which
articles are in it, and the HTML page ships that same answer instead of recomputing it in
JavaScript, so the page and the terminal cannot disagree.

:func:`apply_filters` cuts *every* table to the selected articles: articles, mentions and people
by article, and entities and offices recounted from the selected mentions, so no first/last seen
date or count from outside the window shows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.store import Tables

LOCALITY_CLASSES = ("local", "national", "foreign", "elsewhere")  # values (or prefixes) of articles.locality
# What the entities table knows of an entity whatever the selection (the gazetteer's facts);
# every other column is a count over mentions, recounted for a selection.
ENTITY_FACTS = ("entity_id", "type", "canonical", "kind", "division_code", "parent_id", "aliases")


class UnknownLocality(ValueError):
    """A ``--locality`` that is no place, entity id or article class; says what was close."""

    def __init__(self, locality: str, suggestions: list[str]) -> None:
        self.locality, self.suggestions = locality, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else \
            f"; give a place name, an entity id (div:330482102) or one of {', '.join(LOCALITY_CLASSES)}"
        super().__init__(f"--locality {locality}: no such place, entity id or article locality{hint}")


@dataclass(frozen=True)
class Filters:
    """Which articles to look at: issue dates (inclusive), pages, and a locality.

    ``locality`` is a place (entity id, division code, name or alias), or an article class
    (``local``, ``national``, ``foreign``, ``elsewhere``, or a full value such as ``foreign:US``).
    An article is in a place when its own ``locality`` names it (``elsewhere:<code>``) or when it
    names the place or a place under it in the gazetteer (a village of the town)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    pages: tuple[int, ...] = ()
    locality: str | None = None
    # Count the bodies and places printed inside officials' titles (市委 of 市委书记, mentions.in_title)?
    # True: agencies including through their officials; False: agencies as actors only.
    titles: bool = True

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.pages or self.locality or not self.titles)

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        if self.pages:
            parts.append("page " + ", ".join(map(str, self.pages)))
        if self.locality:
            parts.append(f"locality {self.locality}")
        if not self.titles:
            parts.append("bodies inside officials' titles left out")
        return "; ".join(parts) or "all articles"

    def counts_titles(self) -> str:
        """What the organisation and place counts include, for every report to say."""
        return ("bodies and places inside officials' titles counted (市委 of 市委书记; --no-titles leaves them out)"
                if self.titles else "bodies and places as actors only: those inside officials' titles left out")


@dataclass(frozen=True)
class Locality:
    """A resolved locality: ``key`` is what the HTML page selects by (an entity id, or the class),
    ``places`` the entity ids it covers (with every place under them), ``classes`` the
    ``articles.locality`` values it matches (a value ending in ``:`` is a prefix)."""

    given: str
    key: str
    label: str
    places: frozenset[str] = frozenset()
    classes: tuple[str, ...] = ()


@functools.lru_cache(maxsize=4)
def _gazetteer(path: str | None) -> Any:
    from pipeline.gazetteers import load_gazetteer
    from pipeline.settings import DEFAULT_GAZETTEER

    named = Path(path) if path else DEFAULT_GAZETTEER
    return load_gazetteer(named if named.is_dir() else DEFAULT_GAZETTEER)


def outputs_gazetteer(out_dir: str | Path) -> Any:
    """The gazetteer the last run of ``out_dir`` used (its settings name it), else the default:
    the names a locality may be given by when the outputs never mention the place.  Call it
    after ``load(out_dir)``, which reports a manifest it cannot read."""
    from pipeline.store.snapshot import Snapshot

    named = Snapshot.read(Path(out_dir)).settings.get("gazetteer_dir")
    return _gazetteer(str(named) if named else None)


def _class_of(locality: str) -> tuple[str, ...]:
    """The article-locality values a class matches (``foreign`` → every ``foreign:…``)."""
    if locality in ("local", "national"):
        return (locality,)
    if locality in ("foreign", "elsewhere"):
        return (locality + ":",)
    if locality.startswith(("foreign:", "elsewhere:")) and locality.split(":", 1)[1]:
        return (locality,)
    return ()


def _entity_hits(e: pd.DataFrame, locality: str) -> pd.DataFrame:
    """Place rows of the entities table that ``locality`` names (id, code, canonical or alias)."""
    if e.empty:
        return e
    code = locality.removeprefix("div:")
    hit = e["entity_id"] == locality
    if "canonical" in e.columns:
        hit |= (e["canonical"].astype("string") == locality).fillna(False)
    if code.isdigit() and "division_code" in e.columns:
        hit |= (e["division_code"].astype("string") == code).fillna(False)
    if "aliases" in e.columns:
        hit |= e["aliases"].map(lambda a: a is not None and locality in list(a))
    if "type" in e.columns:
        hit &= (e["type"].astype("string") == "PLACE").fillna(True) | (e["entity_id"] == locality)
    return e[hit.astype(bool)]


def _gazetteer_hits(gaz: Any, locality: str) -> list[Any]:
    code = locality.removeprefix("div:")
    return [g for g in gaz.entries if g.type == "PLACE" and (
        g.entity_id == locality or g.canonical == locality or locality in g.aliases
        or (code.isdigit() and g.division_code == code))]


def _descendants(t: Tables, gaz: Any, ids: set[str]) -> frozenset[str]:
    """``ids`` and every place under them, by the entities' and the gazetteer's parents."""
    children: dict[str, set[str]] = {}
    e = t.entities
    if not e.empty and "parent_id" in e.columns:
        for eid, parent in zip(e["entity_id"], e["parent_id"]):
            if isinstance(parent, str) and parent:
                children.setdefault(parent, set()).add(eid)
    for g in gaz.entries if gaz is not None else ():
        if g.parent_id:
            children.setdefault(g.parent_id, set()).add(g.entity_id)
    out, todo = set(ids), list(ids)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return frozenset(out)


def resolve_locality(t: Tables, locality: str, gazetteer: Any = None) -> Locality:
    """``locality`` resolved against the outputs' entities, then the gazetteer (the default one
    when none is given, loaded only for a name the entities do not hold); UnknownLocality if
    neither knows it."""
    classes = _class_of(locality)
    if classes:
        return Locality(locality, locality, locality, classes=classes)
    hits = _entity_hits(t.entities, locality)
    ids = set(hits["entity_id"])
    names = list(hits["canonical"].dropna().astype(str))
    gaz = gazetteer if gazetteer is not None else _gazetteer(None)
    found = _gazetteer_hits(gaz, locality)
    ids |= {g.entity_id for g in found}
    names += [g.canonical for g in found]
    if not ids:
        raise UnknownLocality(locality, suggest(t, gaz, locality))
    key = next(iter(ids)) if len(ids) == 1 else locality
    label = names[0] if names else locality
    label = label if label == locality or len(ids) > 1 else f"{label} ({key})"
    return Locality(locality, key, label, places=_descendants(t, gaz, ids))


def suggest(t: Tables, gazetteer: Any, locality: str, n: int = 3) -> list[str]:
    """The place names (gazetteer and outputs) closest to ``locality``, for an error message."""
    names = {g.canonical for g in gazetteer.entries if g.type == "PLACE"} if gazetteer is not None else set()
    e = t.entities
    if not e.empty and "type" in e.columns:
        names |= set(e.loc[(e["type"].astype("string") == "PLACE").fillna(False), "canonical"].dropna().astype(str))
    return difflib.get_close_matches(locality, sorted(names), n=n, cutoff=0.5)


def locality_mask(t: Tables, loc: Locality) -> pd.Series:
    """Boolean mask over ``t.articles``: the articles in ``loc``.

    Either reading admits an article: its own ``locality`` column (a class value, or
    ``elsewhere:<code>`` / the id of one of the places), or a PLACE mention linked to one of the places."""
    a = t.articles
    own_col = a["locality"].astype("string") if "locality" in a.columns else pd.Series(pd.NA, index=a.index, dtype="string")
    own = pd.Series(False, index=a.index)
    for c in loc.classes:
        own |= (own_col.str.startswith(c) if c.endswith(":") else own_col == c).fillna(False).astype(bool)
    if not loc.places:
        return own
    codes = {f"elsewhere:{p.removeprefix('div:')}" for p in loc.places}
    e = t.entities
    if not e.empty and "division_code" in e.columns:
        codes |= {f"elsewhere:{c}" for c in e.loc[e["entity_id"].isin(loc.places), "division_code"].dropna()}
    own |= own_col.isin(loc.places | codes).fillna(False).astype(bool)
    m = t.mentions
    hit = m.loc[(m["type"] == "PLACE") & m["entity_id"].isin(loc.places), "article_id"]
    return own | a["article_id"].isin(set(hit))


def _dates(s: pd.Series) -> pd.Series:
    """Issue dates as datetimes, whether the reader gave datetimes, dates or strings."""
    return pd.to_datetime(s)


def article_mask(t: Tables, f: Filters, gazetteer: Any = None) -> pd.Series:
    """Boolean mask over ``t.articles``: the articles that pass ``f`` (UnknownLocality raised)."""
    a = t.articles
    keep = pd.Series(True, index=a.index)
    if f.date_from:
        keep &= _dates(a["issue_date"]) >= pd.Timestamp(f.date_from)
    if f.date_to:
        keep &= _dates(a["issue_date"]) <= pd.Timestamp(f.date_to)
    if f.pages:
        keep &= a["page"].isin(f.pages)
    if f.locality:
        keep &= locality_mask(t, resolve_locality(t, f.locality, gazetteer))
    return keep


def _mentions_arrow(m: pd.DataFrame, columns: list[str]) -> pa.Table:
    """Some loaded mention columns back as Arrow with their schema types, for the store's
    own builders (:mod:`pipeline.store.derived`): one definition of a count, not two."""
    from pipeline.store.schema import MENTIONS

    df = m[columns].copy()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(object)
    df["issue_date"] = _dates(df["issue_date"]).astype("datetime64[ms]")  # the store's DATE_TYPE
    return pa.Table.from_pandas(df, schema=pa.schema([MENTIONS.field(c) for c in columns]), preserve_index=False)


def _like(df: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the columns and dtypes of the loaded ``template`` (dates as the reader gave them)."""
    out = df.reindex(columns=list(template.columns) or list(df.columns))
    for c in out.columns:
        if c not in template.columns:
            continue
        want = template[c].dtype
        if pd.api.types.is_datetime64_any_dtype(want):
            out[c] = pd.to_datetime(out[c]).astype(want)
        elif isinstance(want, pd.CategoricalDtype):
            out[c] = out[c].astype("category")
    return out


def recount_offices(t: Tables, mentions: pd.DataFrame) -> pd.DataFrame:
    """The offices table of ``mentions`` alone: who held what, first and last issue seen and
    counts within the selection (the store's builder, on fewer mentions)."""
    from pipeline.store.derived import OFFICE_COLUMNS, offices_of_mentions

    if not set(OFFICE_COLUMNS) <= set(mentions.columns):
        return t.offices.iloc[0:0]
    table = offices_of_mentions(_mentions_arrow(mentions, OFFICE_COLUMNS)).to_pandas(date_as_object=False)
    return _like(table, t.offices).reset_index(drop=True)


def recount_entities(t: Tables, mentions: pd.DataFrame) -> pd.DataFrame:
    """The entities ``mentions`` name (and the organisations their offices name), with first and
    last seen, counts and roles taken from those mentions only (the store's builder on fewer
    mentions); names, kinds, codes and parents as the entities table has them."""
    from pipeline.store.derived import ENTITY_COLUMNS, entities_of

    e = t.entities
    if e.empty or not set(ENTITY_COLUMNS) <= set(mentions.columns):
        return e
    counts = entities_of(_mentions_arrow(mentions, ENTITY_COLUMNS)).to_pandas(date_as_object=False)
    counts = counts.set_index("entity_id")[[c for c in counts.columns if c not in ENTITY_FACTS and c in e.columns]]
    kept = e[e["entity_id"].isin(counts.index)].drop(columns=list(counts.columns))
    out = kept.join(counts, on="entity_id")
    return _like(out, e).reset_index(drop=True)


def apply_filters(t: Tables, f: Filters | None, gazetteer: Any = None) -> Tables:
    """Every table of ``t`` cut to the articles that pass ``f``: articles, mentions and people
    by article; entities and offices recounted from the kept mentions."""
    if f is None or not f.active:
        return t
    keep = article_mask(t, f, gazetteer)
    a = t.articles
    ids = set(a.loc[keep, "article_id"])
    mentions = t.mentions[t.mentions["article_id"].isin(ids)]
    if not f.titles and "in_title" in mentions.columns:
        mentions = mentions[~mentions["in_title"].fillna(False).astype(bool)]
    mentions = mentions.reset_index(drop=True)
    return replace(
        t,
        articles=a[keep].reset_index(drop=True),
        mentions=mentions,
        entities=recount_entities(t, mentions),
        people=t.people[t.people["article_id"].isin(ids)].reset_index(drop=True),
        offices=recount_offices(t, mentions),
    )


__all__ = [
    "LOCALITY_CLASSES",
    "Filters",
    "Locality",
    "UnknownLocality",
    "apply_filters",
    "article_mask",
    "locality_mask",
    "outputs_gazetteer",
    "recount_entities",
    "recount_offices",
    "resolve_locality",
    "suggest",
]

"""The numbers behind the report, the notebook and the export: filters and summary tables.

Everything here takes the loaded :class:`~pipeline.store.tables.Tables` and returns DataFrames, so the
terminal report, the HTML report, the notebook and ``pinghu-ner export`` show the same numbers.

People are counted by ``person_id`` (the resolved entity, else ``surface:<name>``), never by name:
two officials who share a name stay two rows, and one official printed under two names stays
one.  An *appearance* is an article, not a mention.  NIL entities (no gazetteer entry: 中国, 美国,
新华社 …) are left out of the coverage lists by default: the lists are about the county's own
places and agencies, and national names would top every one of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from pipeline.store import Tables

TOWN_KINDS = ("town", "township", "subdistrict", "street")


@dataclass(frozen=True)
class Filters:
    """Which articles to look at: issue dates (inclusive), pages, and a locality.

    ``locality`` is a place's entity id or canonical name, or a value of ``articles.locality``
    (``local``, ``national``, ``foreign:US``): an article is "in" it when its own locality says so
    or when it names that place or a place whose gazetteer parent it is (a village of the town).
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    pages: tuple[int, ...] = ()
    locality: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.pages or self.locality)

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        if self.pages:
            parts.append("page " + ", ".join(map(str, self.pages)))
        if self.locality:
            parts.append(f"locality {self.locality}")
        return "; ".join(parts) or "all articles"


def _locality_places(t: Tables, locality: str) -> set[str]:
    """Entity ids of the locality (by id or name) and of the places directly under it."""
    e = t.entities
    if e.empty:
        return {locality}
    ids = set(e.loc[(e["entity_id"] == locality) | (e["canonical"] == locality), "entity_id"]) | {locality}
    children = e.loc[e["parent_id"].isin(ids), "entity_id"]
    return ids | set(children)


def _articles_in_locality(t: Tables, locality: str) -> pd.Series:
    """Boolean mask over ``t.articles``: articles in ``locality``.

    Two readings, either one admits an article: the article's own ``locality`` column (values
    ``local``, ``national``, ``foreign:<ISO>``, ``elsewhere:<division code>``; a place id or name
    (``div:<code>``) matches ``elsewhere:<code>``), and the places it names (the place or a place under it)."""
    a = t.articles
    places = _locality_places(t, locality)
    m = t.mentions
    hit = m.loc[(m["type"] == "PLACE") & (m["entity_id"].isin(places) | (m["canonical"] == locality)), "article_id"]
    named = a["article_id"].isin(set(hit))
    if "locality" not in a.columns:
        return named
    values = places | {locality} | {f"elsewhere:{p.removeprefix('div:')}" for p in places}
    own = a["locality"].astype("string").isin(values).fillna(False).astype(bool)
    return own | named


def apply_filters(t: Tables, f: Filters | None) -> Tables:
    """The articles, mentions and people of ``t`` that pass ``f``; entities stay whole."""
    if f is None or not f.active:
        return t
    a = t.articles
    keep = pd.Series(True, index=a.index)
    if f.date_from:
        keep &= a["issue_date"] >= pd.Timestamp(f.date_from)
    if f.date_to:
        keep &= a["issue_date"] <= pd.Timestamp(f.date_to)
    if f.pages:
        keep &= a["page"].isin(f.pages)
    if f.locality:
        keep &= _articles_in_locality(t, f.locality)
    ids = set(a.loc[keep, "article_id"])
    return replace(
        t,
        articles=a[keep].reset_index(drop=True),
        mentions=t.mentions[t.mentions["article_id"].isin(ids)].reset_index(drop=True),
        people=t.people[t.people["article_id"].isin(ids)].reset_index(drop=True),
    )


def _mode(s: pd.Series) -> str | None:
    """Most frequent non-null value; ties go to the smallest, so results are deterministic."""
    vals = s.dropna().astype(str)
    vals = vals[vals != ""]
    if vals.empty:
        return None
    counts = vals.value_counts()
    return sorted(counts[counts == counts.max()].index)[0]


def officials(t: Tables) -> pd.DataFrame:
    """Appearances (people rows) of officials, with a ``person_id`` on every row."""
    p = t.people
    if p.empty:
        return p.assign(person_id=pd.Series(dtype="str")) if "person_id" not in p.columns else p
    p = p[p["is_official"].astype(bool)].copy()
    if "person_id" not in p.columns:  # outputs written before schema version 2
        p["person_id"] = p["entity_id"].fillna("surface:" + p["name"].astype(str))
    return p


def top_officials(t: Tables, top: int = 15, page: int | None = None) -> pd.DataFrame:
    """Officials by the number of articles they appear in (on ``page`` only, if given).

    Columns: person_id, name, role (the role they are most often given), articles.
    """
    p = officials(t)
    cols = ["person_id", "name", "role", "articles"]
    if page is not None and not p.empty:
        p = p[p["page"] == page]
    if p.empty:
        return pd.DataFrame(columns=cols)
    g = p.groupby("person_id", observed=True)
    df = pd.DataFrame({"name": g["name"].agg(_mode), "role": g["role"].agg(_mode), "articles": g["article_id"].nunique()})
    df = df.rename_axis("person_id").reset_index()
    df = df.sort_values(["articles", "name", "person_id"], ascending=[False, True, True], kind="stable")
    return df[cols].head(top).reset_index(drop=True)


def coverage(t: Tables, etype: str, top: int = 15, include_nil: bool = False) -> pd.DataFrame:
    """Entities of ``etype`` by the number of (filtered) articles naming them.

    Counted from the mentions, so a filter changes the counts; names, kinds and division codes
    come from the entities table.
    """
    cols = ["entity_id", "name", "kind", "division_code", "articles", "mentions"]
    m = t.mentions
    m = m[(m["type"] == etype) & m["entity_id"].notna()] if not m.empty else m
    if m.empty:
        return pd.DataFrame(columns=cols)
    g = m.groupby("entity_id", observed=True)
    df = pd.DataFrame({"articles": g["article_id"].nunique(), "mentions": g.size(), "surface": g["canonical"].agg(_mode)})
    e = t.entities.set_index("entity_id")[["canonical", "kind", "division_code"]] if not t.entities.empty else None
    df = df.join(e, how="left") if e is not None else df.assign(canonical=None, kind=None, division_code=None)
    df["name"] = df["canonical"].fillna(df["surface"])
    df = df.rename_axis("entity_id").reset_index()
    if not include_nil:
        df = df[(df["kind"].astype("string") != "nil").fillna(True) & ~df["entity_id"].str.startswith("nil:")]
    df = df.sort_values(["articles", "mentions", "name"], ascending=[False, False, True], kind="stable")
    return df[cols].head(top).reset_index(drop=True)


def place_coverage(t: Tables, top: int = 15, include_nil: bool = False) -> pd.DataFrame:
    """Places by the number of articles naming them, with division codes (NIL places left out)."""
    return coverage(t, "PLACE", top, include_nil)


def paper_county(t: Tables) -> str | None:
    """The entity id of the paper's own county: the parent most towns named in its own
    (``local``) stories belong to (in every story where no article says its locality).

    Why from the data: the outputs carry no gazetteer, and another county's paper names that
    county's towns; its own stories name its towns far more often than a neighbour's."""
    e, m, a = t.entities, t.mentions, t.articles
    if e.empty or m.empty or "parent_id" not in e.columns:
        return None
    towns = e.loc[e["kind"].isin(TOWN_KINDS)].set_index("entity_id")["parent_id"]
    if "locality" in a.columns:
        local = set(a.loc[a["locality"].astype("string") == "local", "article_id"])
        m = m[m["article_id"].isin(local)] if local else m
    named = m.loc[m["entity_id"].isin(set(towns.index)), "entity_id"]
    return _mode(named.map(towns)) if not named.empty else None


def town_coverage(t: Tables, top: int = 30, county: str | None = None, every_county: bool = False) -> pd.DataFrame:
    """Coverage of the county's towns/subdistricts; all places when the gazetteer gave no kinds.

    Only the towns of ``county`` (an entity id or canonical name; by default the paper's own,
    :func:`paper_county`): a 沪浙 story naming Shanghai's 山阳镇 is news in the paper, but 山阳镇
    is not one of the towns whose coverage the chart compares.  ``every_county`` lists them all."""
    places = place_coverage(t, top=10**9)
    towns = places[places["kind"].isin(TOWN_KINDS)]
    if towns.empty:
        return places.head(top).reset_index(drop=True)
    e = t.entities
    if not every_county and "parent_id" in e.columns:
        if county is not None:
            county = next(iter(e.loc[e["canonical"] == county, "entity_id"]), county)
        county = county or paper_county(t)
        if county:
            parents = towns["entity_id"].map(e.set_index("entity_id")["parent_id"])
            towns = towns[(parents == county).fillna(False).astype(bool)]
    return towns.head(top).reset_index(drop=True)


def agencies(t: Tables, top: int = 15, include_nil: bool = False) -> pd.DataFrame:
    """Organisations by the number of articles naming them (NIL ones such as 新华社 left out)."""
    return coverage(t, "ORG", top, include_nil)


def cooccurrence(t: Tables, top: int = 15) -> pd.DataFrame:
    """(official, agency) pairs named in the same article, by the number of such articles.

    Columns: person_id, official, agency_id, agency, articles.  Only resolved, non-NIL agencies.
    """
    cols = ["person_id", "official", "agency_id", "agency", "articles"]
    p = officials(t)
    orgs = agencies(t, top=10**9)
    if p.empty or orgs.empty:
        return pd.DataFrame(columns=cols)
    m = t.mentions
    m = m[m["entity_id"].isin(set(orgs["entity_id"]))][["article_id", "entity_id"]].drop_duplicates()
    pairs = p[["article_id", "person_id", "name"]].drop_duplicates(["article_id", "person_id"]).merge(m, on="article_id")
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    g = pairs.groupby(["person_id", "entity_id"], observed=True)
    df = pd.DataFrame({"official": g["name"].agg(_mode), "articles": g["article_id"].nunique()}).reset_index()
    df = df.rename(columns={"entity_id": "agency_id"})
    df["agency"] = df["agency_id"].map(orgs.set_index("entity_id")["name"])
    df = df.sort_values(["articles", "official", "agency"], ascending=[False, True, True], kind="stable")
    return df[cols].head(top).reset_index(drop=True)


def person_labels(top: pd.DataFrame) -> dict[str, str]:
    """A display label per person_id: the name, with the id added where two people share it."""
    dup = top["name"].duplicated(keep=False)
    return {
        pid: (f"{name} ({pid})" if d else str(name))
        for pid, name, d in zip(top["person_id"], top["name"], dup)
    }


def timeline(t: Tables, top: int = 5, freq: str = "D") -> pd.DataFrame:
    """Articles per period (``freq``: D issue date, W week, M month) of the ``top`` officials.

    Index: period start; one column per person (labelled by name, or name and id where names
    clash, so one name is never drawn twice for two people or once for two).
    """
    p = officials(t)
    if p.empty:
        return pd.DataFrame()
    best = top_officials(t, top)
    labels = person_labels(best)
    p = p[p["person_id"].isin(labels)]
    when = p["issue_date"] if freq == "D" else p["issue_date"].dt.to_period(freq).dt.start_time
    df = p.groupby([when.rename("issue_date"), p["person_id"]], observed=True)["article_id"].nunique()
    df = df.unstack(fill_value=0).reindex(columns=list(labels), fill_value=0).rename(columns=labels)
    df.columns.name = None
    return df.sort_index()


def offices_held(t: Tables, top: int = 15) -> pd.DataFrame:
    """Who held which office in which organisation, first and last issue seen (the offices table),
    for the people in the (filtered) articles, by the number of articles naming them in it."""
    cols = ["person_id", "name", "office", "org_name", "first_seen", "last_seen", "article_count"]
    o = t.offices
    if o.empty or t.people.empty:
        return pd.DataFrame(columns=cols)
    o = o[o["person_id"].isin(set(t.people["person_id"].dropna()))]
    o = o.sort_values(["article_count", "name", "person_id"], ascending=[False, True, True], kind="stable")
    o = o[cols].head(top).reset_index(drop=True)
    for c in ("first_seen", "last_seen"):  # issue dates, shown as dates
        o[c] = pd.to_datetime(o[c]).dt.date
    return o


def build(t: Tables, top: int = 15) -> dict[str, pd.DataFrame]:
    """Every table and series of the report, from loaded (and possibly filtered) tables."""
    return {
        "officials": top_officials(t, top),
        "officials_page1": top_officials(t, top, page=1),
        "offices": offices_held(t, top),
        "places": place_coverage(t, top),
        "agencies": agencies(t, top),
        "cooccurrence": cooccurrence(t, top),
        "towns": town_coverage(t),
        "timeline": timeline(t, min(top, 5)),
    }


__all__ = [
    "Filters",
    "agencies",
    "apply_filters",
    "build",
    "cooccurrence",
    "coverage",
    "officials",
    "offices_held",
    "paper_county",
    "person_labels",
    "place_coverage",
    "timeline",
    "top_officials",
    "town_coverage",
]

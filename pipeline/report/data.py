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

import pandas as pd

from pipeline.report.filters import Filters, apply_filters, locality_mask, resolve_locality
from pipeline.store import Tables

TOWN_KINDS = ("town", "township", "subdistrict", "street")


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


def current_roles(t: Tables) -> pd.Series:
    """Per person_id, the title printed with them most recently, preferring one that names an
    office (``mentions.offices`` not empty) to a group word such as 市领导: their current office
    in the selection.  Later issue, then later page, article and position wins."""
    m = t.mentions
    if m.empty or "role" not in m.columns:
        return pd.Series(dtype=object)
    m = m[(m["type"] == "PERSON") & m["role"].notna() & (m["role"].astype(str) != "")]
    if m.empty:
        return pd.Series(dtype=object)
    offices = m["offices"] if "offices" in m.columns else pd.Series(None, index=m.index)
    ranked = pd.DataFrame({
        "person_id": m["entity_id"].astype(object).where(m["entity_id"].notna(), "surface:" + m["surface"].astype(str)),
        "office": offices.map(lambda o: o is not None and len(o) > 0), "when": pd.to_datetime(m["issue_date"]),
        "page": m["page"], "article_id": m["article_id"], "start": m["start"], "role": m["role"].astype(str),
    }).sort_values(["office", "when", "page", "article_id", "start"], kind="stable")
    return ranked.groupby("person_id", sort=False)["role"].last()


def top_officials(t: Tables, top: int = 15, page: int | None = None) -> pd.DataFrame:
    """Officials by the number of articles they appear in (on ``page`` only, if given).

    Columns: person_id, name, role, articles.  ``role`` is their current office in the
    selection (:func:`current_roles`), not the one printed most often: a deputy promoted in the
    autumn is the head now.
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
    df["role"] = df["person_id"].map(current_roles(t)).fillna(df["role"])
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
    is not one of the towns whose coverage the chart compares.  ``every_county`` lists them all.

    ``articles`` counts the articles *in* each town as ``--locality <town>`` selects them (naming
    it or one of its villages, or about it), so a bar and that filter agree; ``mentions`` counts
    the town's own name."""
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
    inside = [int(locality_mask(t, resolve_locality(t, town)).sum()) for town in towns["entity_id"]]
    towns = towns.assign(articles=inside).sort_values(["articles", "mentions", "name"], ascending=[False, False, True],
                                                      kind="stable")
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


MONTHLY_AFTER_DAYS = 62  # "auto": months when the selection spans more (report.js draws the same)
FREQS = ("auto", "issue", "D", "W", "M")


def timeline_freq(t: Tables, freq: str = "auto") -> str:
    """``freq`` itself, or for ``auto`` months when the articles span over two months, else issues."""
    if freq not in FREQS:
        raise ValueError(f"freq {freq!r}: choose one of {', '.join(FREQS)}")
    if freq != "auto":
        return freq
    d = pd.to_datetime(t.articles["issue_date"]).dropna()
    return "M" if len(d) and (d.max() - d.min()).days > MONTHLY_AFTER_DAYS else "issue"


def time_axis(t: Tables, freq: str) -> pd.DatetimeIndex:
    """Every period of the selection's time span: each issue (``issue``), else each day, week or
    month from the first article's to the last's, those without an issue included."""
    d = pd.to_datetime(t.articles["issue_date"]).dropna()
    if d.empty:
        return pd.DatetimeIndex([], name="issue_date")
    if freq == "issue":
        return pd.DatetimeIndex(sorted(d.unique()), name="issue_date")
    return pd.DatetimeIndex(pd.period_range(d.min(), d.max(), freq=freq).start_time, name="period")


def timeline(t: Tables, top: int = 5, freq: str = "auto") -> pd.DataFrame:
    """Articles per period of the ``top`` officials, zero where they were not printed.

    ``freq``: ``issue`` (each issue date of the selection), ``D``, ``W`` or ``M`` (every day,
    week or month of its span, from the start of each), or ``auto`` (:func:`timeline_freq`).
    Zero-filled so a line drops to 0 through the issues or months a person was absent, instead
    of running straight across them.  Index: period start (``attrs["freq"]`` says which);
    one column per person (labelled by name, or name and id where names clash).
    """
    freq = timeline_freq(t, freq)
    p = officials(t)
    if p.empty:
        return pd.DataFrame()
    labels = person_labels(top_officials(t, top))
    p = p[p["person_id"].isin(labels)]
    when = pd.to_datetime(p["issue_date"])
    if freq != "issue":
        when = when.dt.to_period(freq).dt.start_time
    df = p.groupby([when.rename("issue_date"), p["person_id"]], observed=True)["article_id"].nunique()
    df = df.unstack(fill_value=0).reindex(columns=list(labels), fill_value=0).rename(columns=labels)
    df = df.reindex(time_axis(t, freq), fill_value=0)
    df.columns.name = None
    df.attrs["freq"] = freq
    return df


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
    "current_roles",
    "officials",
    "offices_held",
    "paper_county",
    "person_labels",
    "place_coverage",
    "time_axis",
    "timeline",
    "timeline_freq",
    "top_officials",
    "town_coverage",
]

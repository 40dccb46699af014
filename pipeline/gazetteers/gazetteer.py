"""The gazetteer: places, zones and public bodies that a county paper names, with their aliases.

A gazetteer is a directory (``pipeline/gazetteers/<name>/``) so that another county's paper runs
with another directory and no code change:

``gazetteer.json``
    the paper and its city (name, short name, division code, parent city, province); the resolver
    reads "市" / "我市" as this city.
``divisions.csv`` (code, name, level, parent_code)
    administrative divisions: all provinces, 地级 cities and 县级 areas of China plus the 乡级
    rows (towns / streets) of the paper's county and its neighbours and the 村级 rows (villages
    and communities, level ``village``) of those towns.  Built from the shared admin-divisions
    copy by :func:`pipeline.gazetteers.build.build_divisions_csv`; the village rules are in :mod:`pipeline.gazetteers.villages`.
``areas.csv`` (id, name, kind, parent_id, division_code, relation, extra_aliases)
    named areas that are not divisions: development zones, regions such as 长三角.
``agencies.csv`` (id, name, kind, parent, division_code, extra_aliases)
    the curated public bodies of the county (party, congress, government and departments, CPPCC,
    court, procuratorate, mass organisations, zone committees, state-owned groups).  The party
    committee and government of every town / street are generated from ``divisions.csv``.

``lexicons/*.txt`` (optional, read with :func:`pipeline.lexicons.load_county`)
    the county's own word lists: ``common_words.txt`` holds its neighbours' town short forms
    that are everyday words in its stories (惠民, 东湖); those towns keep only their full names.
    Language-wide lists (everyday words, ethnic groups) are package data in ``pipeline/lexicons/``.

Aliases are not typed per body: :func:`derive_aliases` applies the generic abbreviation rules
below (one function per rule, each unit-tested) to every canonical name, and ``extra_aliases``
holds only the irregular ones.  An alias is *contextual* when it is only meaningful inside the
paper's own city (市发改局, 交通运输局, 钟埭): the resolver reports those as ``context`` links.

Entity ids: ``div:<code>`` for divisions (``div:<12-digit code>`` for a village), ``area:<slug>`` for areas, ``org:<county_code>-<id>``
for agencies of the county (so two counties' gazetteers never collide), and
``org:<town_code>-party`` / ``org:<town_code>-gov`` for the generated town bodies.
"""

from __future__ import annotations

import re
import threading
from dataclasses import astuple, dataclass, field
from pathlib import Path

from pipeline import lexicons as lexicon
from pipeline.gazetteers import cache
from pipeline.gazetteers.aliases import (  # noqa: F401 - re-exported: the gazetteer's public names
    BARE_SUFFIXES,
    COMMON_WORDS,
    COUNTY_COMMON_WORDS,
    ETHNIC_GROUPS,
    GENERIC_BARE,
    PHRASES,
    city_prefix_forms,
    cppcc_forms,
    derive_aliases,
    division_short_form,
    government_forms,
    group_company_forms,
    normalise,
    party_committee_forms,
    phrase_abbreviations,
    street_office_aliases,
    street_office_forms,
    town_party_forms,
    youth_league_forms,
    zone_forms,
)
from pipeline.gazetteers.build import build_divisions_csv
from pipeline.gazetteers.files import GazetteerError, read_config, read_csv
from pipeline.gazetteers.national import NATIONAL_PREFIX, national_entry
from pipeline.gazetteers.villages import RENAMED, VILLAGE_KINDS, ruler_safe, village_entry
from pipeline.records import GazetteerEntry

__all__ = [
    "Gazetteer",
    "GazetteerConfig",
    "GazetteerError",
    "Match",
    "build_divisions_csv",
    "clear_cache",
    "city_prefix_forms",
    "cppcc_forms",
    "derive_aliases",
    "division_short_form",
    "group_company_forms",
    "load_gazetteer",
    "normalise",
    "party_committee_forms",
    "phrase_abbreviations",
    "government_forms",
    "street_office_aliases",
    "street_office_forms",
    "town_party_forms",
    "youth_league_forms",
    "zone_forms",
]

LEVELS: tuple[str, ...] = ("province", "city", "county", "town", "village")
# By entry kind: a village row's entry is a ``village`` (村) or a ``community`` (社区).
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "town": 3, "village": 4, "community": 4}

# ---------------------------------------------------------------------------------------------
# The gazetteer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GazetteerConfig:
    """``gazetteer.json``: who the paper is.  ``neighbour_codes`` are division-code prefixes
    (Shanghai for Pinghu) preferred over the rest of China when a name is ambiguous, and
    ``ruler_regions`` the prefixes whose county/town short forms go to the entity ruler."""

    paper_name: str
    city_name: str
    short_name: str
    county_code: str
    city_code: str
    city_parent_name: str
    province_code: str
    province_name: str
    neighbour_codes: tuple[str, ...] = ()
    ruler_regions: tuple[str, ...] = ()
    one_char_form: str = ""  # the county's one-character form (平 of 来平), linked to the county

    @classmethod
    def from_json(cls, path: Path) -> GazetteerConfig:
        d: dict = read_config(path, ("paper_name", "city_name", "short_name", "county_code", "city_code",
                                     "province_code"), ("neighbour_codes", "ruler_regions"))
        return cls(
            paper_name=d["paper_name"],
            city_name=d["city_name"],
            short_name=d["short_name"],
            county_code=str(d["county_code"]),
            city_code=str(d["city_code"]),
            city_parent_name=d.get("city_parent_name", ""),
            province_code=str(d["province_code"]),
            province_name=d.get("province_name", ""),
            neighbour_codes=tuple(str(c) for c in d.get("neighbour_codes", ())),
            ruler_regions=tuple(str(c) for c in d.get("ruler_regions", ())),
            one_char_form=str(d.get("one_char_form", "")),
        )


@dataclass(frozen=True)
class Match:
    """One gazetteer entry a surface matched, and how: exact (canonical), alias or context."""

    entry: GazetteerEntry
    method: str


# Rank of the match method in the index: a canonical name beats an alias beats a contextual alias
# beats a village's old 村/社区 form (:mod:`pipeline.gazetteers.villages`).
_METHOD_RANK = {"exact": 0, "alias": 1, "context": 2, RENAMED: 3}


@dataclass
class Gazetteer:
    """An immutable-by-convention set of entries with an alias index; built by :func:`load_gazetteer`."""

    path: Path
    config: GazetteerConfig
    entries: tuple[GazetteerEntry, ...]
    relations: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    _by_id: dict[str, GazetteerEntry] = field(default_factory=dict, repr=False)
    _index: dict[str, tuple[Match, ...]] = field(default_factory=dict, repr=False)
    _ruler_regions: tuple[str, ...] = field(default=(), repr=False)
    _ruler_names: dict[int, list[tuple[str, str]]] = field(default_factory=dict, repr=False, compare=False)
    common_words: frozenset[str] = COMMON_WORDS  # language-wide + <dir>/lexicons/common_words.txt

    # -- config values ----------------------------------------------------------------------
    @property
    def city_name(self) -> str:
        return self.config.city_name

    @property
    def short_name(self) -> str:
        return self.config.short_name

    @property
    def county_code(self) -> str:
        return self.config.county_code

    @property
    def paper_name(self) -> str:
        return self.config.paper_name

    @property
    def city_id(self) -> str:
        """Entity id of the paper's own city (what 我市 / 本市 mean)."""
        return f"div:{self.config.county_code}"

    # -- access -----------------------------------------------------------------------------
    def by_id(self, entity_id: str) -> GazetteerEntry | None:
        """The entry of ``entity_id``; for ids the resolver builds outside the files (another
        place's body ``org:<code>-gov|party|x<hash>``, a country ``country:<ISO>``, a national
        body ``org:cn-<slug>``, :mod:`pipeline.gazetteers.national`) a minimal
        entry with its kind, division code and parent, so tables can describe them too."""
        hit = self._by_id.get(entity_id)
        if hit is None and entity_id.startswith(("org:", "country:")):
            return _built_entry(self, entity_id)
        return hit

    def matches(self, surface: str) -> tuple[Match, ...]:
        """Entries whose canonical name or alias is ``surface``, best first.

        Order: exact before alias before contextual alias; then nearer the paper (its county,
        its city, its province, the configured neighbours, the rest of China); then higher level
        (province before city before county before town); then id, so the order is stable.
        """
        return self._index.get(normalise(surface), ())

    def lookup(self, surface: str) -> list[GazetteerEntry]:
        """Entries for ``surface`` by canonical name or alias, best first (see :meth:`matches`)."""
        return [m.entry for m in self.matches(surface)]

    def surfaces(self) -> dict[str, tuple[Match, ...]]:
        """The whole index (normalised surface → matches); used for fuzzy matching and benches."""
        return self._index

    def locality(self, entry: GazetteerEntry) -> int:
        """0 the paper's county, 1 its city, 2 its province, 3 a neighbour, 4 elsewhere."""
        code = entry.division_code
        c = self.config
        if not code:
            return 3
        if code.startswith(c.county_code):
            return 0
        if code.startswith(c.city_code):
            return 1
        if code.startswith(c.province_code):
            return 2
        if any(code.startswith(n) for n in c.neighbour_codes):
            return 3
        return 4

    def names_for_ruler(self, min_len: int = 2) -> list[tuple[str, str]]:
        """(surface, type) pairs for an entity ruler, longest first.

        Canonical names and aliases of at least ``min_len`` characters whose best match is one
        entry (an alias shared by two equally ranked entries is left to the model).  Short forms
        of counties and towns outside ``ruler_regions`` are left out: far-away 县 short names are
        mostly ordinary words in a county paper (东城, 海城), while their full names stay in.
        Villages go by their printed names only (:meth:`_ruler_village`).  Computed once per
        gazetteer object (the ruler and the learned vote both ask, at every process's start);
        each caller gets its own list.
        """
        if min_len not in self._ruler_names:
            self._ruler_names[min_len] = self._names_for_ruler(min_len)
        return list(self._ruler_names[min_len])

    def _names_for_ruler(self, min_len: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for surface, ms in self._index.items():
            if len(surface) < min_len or not ms:
                continue
            best = ms[0]
            if best.entry.kind in VILLAGE_KINDS:
                if self._ruler_village(surface, best):
                    out.append((surface, best.entry.type))
                continue
            if len(ms) > 1 and self._rank(ms[0]) == self._rank(ms[1]) and ms[0].entry != ms[1].entry:
                continue
            e = best.entry
            if best.method != "exact" and e.kind in ("county", "town"):
                if not e.division_code.startswith(self._ruler_regions or ("\x00",)):
                    continue
            out.append((surface, e.type))
        out.sort(key=lambda p: (-len(p[0]), p[0]))
        return out

    def _ruler_village(self, surface: str, best: Match) -> bool:
        """A village's printed name, whichever town it is in (homonyms share the type PLACE; the
        resolver tells them apart), if :func:`~pipeline.gazetteers.villages.ruler_safe`.  Not its
        town-qualified canonical: gold splits 广陈镇泗泾村 into 广陈镇 + 泗泾村, which the ruler's
        longest match would join.  A renamed form (X社区 for a register's X村, or the reverse) is
        proposed too: a village turned community (撤村建居) is printed under its new name before
        the register has it, and the resolver links it with the lower-confidence ``renamed``."""
        if best.method not in ("exact", "renamed") or not ruler_safe(surface):
            return False
        town = self._by_id.get(best.entry.parent_id)
        return town is None or not surface.startswith(normalise(town.canonical))

    def tables(self) -> tuple:
        """The gazetteer as plain values (config, entries, relations, common words, the ranked
        index as entity ids): what :mod:`pipeline.gazetteers.cache` keeps between processes."""
        return (astuple(self.config), tuple(astuple(e) for e in self.entries), self.relations, self.common_words,
                {s: tuple((m.entry.entity_id, m.method) for m in ms) for s, ms in self._index.items()})

    @classmethod
    def from_tables(cls, path: Path, tables: tuple) -> Gazetteer:
        """The gazetteer of :meth:`tables`, equal to the one they were taken from."""
        config, entries, relations, common, index = tables
        gaz = cls(path=path, config=GazetteerConfig(*config), entries=tuple(GazetteerEntry(*e) for e in entries),
                  relations=relations, common_words=common)
        gaz._by_id = by_id = {e.entity_id: e for e in gaz.entries}
        gaz._index = {s: tuple(Match(by_id[i], m) for i, m in ms) for s, ms in index.items()}
        gaz._ruler_regions = gaz.config.ruler_regions
        return gaz

    def _rank(self, m: Match) -> tuple[int, int, int]:
        return (_METHOD_RANK[m.method], self.locality(m.entry), LEVEL_RANK.get(m.entry.kind, 4))

    def _build_index(self, raw: dict[str, dict[str, str]]) -> None:
        """raw: surface → {entity_id: method}; sorted into ranked Match tuples."""
        self._by_id = {e.entity_id: e for e in self.entries}
        index: dict[str, tuple[Match, ...]] = {}
        for surface, ids in raw.items():
            ms = [Match(self._by_id[i], m) for i, m in ids.items()]
            ms.sort(key=lambda m: (*self._rank(m), m.entry.entity_id))
            index[surface] = tuple(ms)
        self._index = index
        self._ruler_regions = self.config.ruler_regions


_BUILT_ORG = re.compile(r"org:(\d+)-(gov|party|x[0-9a-f]{10})")


def _built_entry(gaz: Gazetteer, entity_id: str) -> GazetteerEntry | None:
    if entity_id.startswith("country:"):
        return GazetteerEntry(entity_id, "PLACE", "", "country")
    if entity_id.startswith(NATIONAL_PREFIX):
        return national_entry(entity_id)
    m = _BUILT_ORG.fullmatch(entity_id)
    if m is None or gaz._by_id.get(f"div:{m.group(1)}") is None:
        return None
    kind = {"gov": "government", "party": "party"}.get(m.group(2), "agency")
    return GazetteerEntry(entity_id, "ORG", "", kind, f"div:{m.group(1)}", m.group(1))


def _split_aliases(s: str) -> list[str]:
    return [a.strip() for a in s.split("|") if a.strip()]


class _Builder:
    """Reads one gazetteer directory into entries and a raw alias index, one file per method."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cfg = GazetteerConfig.from_json(path / "gazetteer.json")
        self.common = COMMON_WORDS | lexicon.load_county(path, COUNTY_COMMON_WORDS)
        self.entries: list[GazetteerEntry] = []
        self.raw: dict[str, dict[str, str]] = {}  # surface → {entity_id: best method}
        self.relations: dict[str, list[tuple[str, str]]] = {}
        self.towns: list[tuple[str, str]] = []  # (code, name) of the county's own towns

    def add(self, surface: str, eid: str, method: str) -> None:
        key = normalise(surface)
        if not key:
            return
        slot = self.raw.setdefault(key, {})
        old = slot.get(eid)
        if old is None or _METHOD_RANK[method] < _METHOD_RANK[old]:
            slot[eid] = method

    def add_body(self, eid: str, etype: str, name: str, kind: str, parent: str, code: str, extra: list[str]) -> None:
        cfg = self.cfg
        forms = derive_aliases(name, cfg.city_name, cfg.short_name, extra)
        self.entries.append(GazetteerEntry(eid, etype, name, kind, parent, code, tuple(sorted(forms))))
        self.add(name, eid, "exact")
        for form, ctx in forms.items():
            self.add(form, eid, "context" if ctx else "alias")

    def org_id(self, ref: str) -> str:
        if not ref:
            return ""
        return ref if ":" in ref else f"org:{self.cfg.county_code}-{ref}"

    def divisions(self) -> None:
        cfg = self.cfg
        rows = read_csv(self.path / "divisions.csv", ("code", "name", "level"), values={"level": LEVELS})
        names = {r["code"]: r["name"] for r in rows}
        for r in rows:
            code, name, level, parent = r["code"], r["name"], r["level"], r.get("parent_code", "")
            if level == "village":  # canonical = its town's name + its own (pipeline.gazetteers.villages)
                entry, surfaces = village_entry(code, name, parent, names.get(parent, ""))
                self.entries.append(entry)
                for surface, method in surfaces:
                    self.add(surface, entry.entity_id, method)
                continue
            eid = f"div:{code}"
            short = division_short_form(name, level, self.common)
            # A town's bare name is only meaningful near the paper (钟埭): contextual.
            aliases: dict[str, str] = {}
            if short:
                aliases[short] = "context" if level == "town" else "alias"
            own_town = level == "town" and code.startswith(cfg.county_code) and len(code) > len(cfg.county_code)
            if own_town:
                self.towns.append((code, name))
                # 平湖市钟埭街道 / 平湖钟埭街道 are the town too (its office is reached by 钟埭街道办).
                aliases[cfg.city_name + name] = "alias"
                aliases[cfg.short_name + name] = "alias"
            parent_id = f"div:{parent}" if parent else ""
            self.entries.append(GazetteerEntry(eid, "PLACE", name, level, parent_id, code, tuple(aliases)))
            self.add(name, eid, "exact")
            for alias, method in aliases.items():
                self.add(alias, eid, method)

    def areas(self) -> None:
        for r in read_csv(self.path / "areas.csv", ("id", "name", "kind"), optional=True):
            eid = f"area:{r['id']}"
            extra = _split_aliases(r.get("extra_aliases", ""))
            self.add_body(eid, "PLACE", r["name"], r["kind"], r.get("parent_id", ""), r.get("division_code", ""), extra)
            for rel in _split_aliases(r.get("relation", "")):
                verb, _, target = rel.partition(" ")
                self.relations.setdefault(eid, []).append((verb, target.strip()))

    def agencies(self) -> None:
        for r in read_csv(self.path / "agencies.csv", ("id", "name", "kind"), optional=True):
            code = r.get("division_code", "") or self.cfg.county_code
            extra = _split_aliases(r.get("extra_aliases", ""))
            self.add_body(self.org_id(r["id"]), "ORG", r["name"], r["kind"], self.org_id(r.get("parent", "")), code, extra)

    def town_bodies(self) -> None:
        """Party committee and government of every town / street, generated."""
        city = self.cfg.city_name
        party_id, gov_id = self.org_id("cpc"), self.org_id("gov")
        for code, name in self.towns:
            if name.endswith("街道"):
                party, gov = f"中共{city}{name}工作委员会", f"{name}办事处"
            else:
                party, gov = f"中共{city}{name}委员会", f"{name}人民政府"
            self.add_body(f"org:{code}-party", "ORG", party, "town_party", party_id, code, [])
            self.add_body(f"org:{code}-gov", "ORG", gov, "town_gov", gov_id, code, [f"{city}{gov}"])

    def drop_ambiguous_context(self) -> None:
        """A contextual bare alias shared by two bodies (a 组织部 of two committees) is ambiguous
        "within the city": drop it rather than guess."""
        for surface, ids in list(self.raw.items()):
            ctx_orgs = [i for i, m in ids.items() if m == "context" and i.startswith("org:")]
            if len(ctx_orgs) > 1 and not any(m != "context" for m in ids.values()):
                for i in ctx_orgs:
                    del ids[i]
                if not ids:
                    del self.raw[surface]


def _build(path: Path) -> Gazetteer:
    b = _Builder(path)
    b.divisions()
    b.areas()
    b.agencies()
    b.town_bodies()
    b.drop_ambiguous_context()
    gaz = Gazetteer(
        path=path,
        config=b.cfg,
        entries=tuple(b.entries),
        relations={k: tuple(v) for k, v in b.relations.items()},
        common_words=b.common,
    )
    gaz._build_index(b.raw)
    return gaz


def _load(path: Path) -> Gazetteer:
    """The gazetteer at ``path``, from the tables an earlier process kept (:mod:`.cache`) when
    they are there and whole, else built (and its tables kept for the next process)."""
    cached = cache.cache_file(path)
    tables = cache.read_tables(cached)
    if tables is not None:
        try:
            return Gazetteer.from_tables(path, tables)
        except (TypeError, ValueError, KeyError):  # tables of another shape: rebuilt below
            pass
    gaz = _build(path)
    cache.write_tables(cached, gaz.tables())
    return gaz


_CACHE: dict[str, Gazetteer] = {}
_LOCK = threading.Lock()


def load_gazetteer(path: Path | str) -> Gazetteer:
    """Load (once per resolved path and process) the gazetteer directory at ``path``."""
    key = str(Path(path).resolve())
    with _LOCK:
        gaz = _CACHE.get(key)
        if gaz is None:
            gaz = _CACHE[key] = _load(Path(key))
        return gaz


def clear_cache() -> None:
    """Forget loaded gazetteers (tests that edit a directory in place)."""
    with _LOCK:
        _CACHE.clear()


if __name__ == "__main__":  # pragma: no cover - the builder's former entry point, kept working
    from pipeline.gazetteers.build import main

    main()

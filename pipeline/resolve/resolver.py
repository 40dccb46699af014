"""Entity resolution: link a mention's surface to a gazetteer entry, a person id, or a stable NIL.

Order for places and organisations (first hit wins, the method goes into ``Link.method``):

1. ``exact``   the surface is an entry's canonical name                      confidence 1.0
2. ``alias``   a context-free alias (平湖经开, 嘉兴, 四川, 平湖市发改局)       confidence 0.95
3. ``context`` an alias only meaningful in the paper's city (市发改局, 交通运输局, 钟埭, 市委), or
               the surface after 我市/本市 → the paper's city                  confidence 0.9
4. ``renamed`` a village's other 村/社区 form (芦川村 for 芦川社区, renamed 撤村建居)   confidence 0.8
5. ``fuzzy``   rapidfuzz ratio ≥ :data:`FUZZY_THRESHOLD` (80, measured) against local names
                                                                  confidence score/100 × 0.9
6. ``nil``     ``nil:<TYPE>:<sha1(normalised surface)[:12]>``                   confidence 0.0

Villages and communities (村/社区) are chosen among their homonyms by the places named around them
(:mod:`pipeline.resolve.villages`): a name that cannot be decided is a NIL, never a coin flip, and
they are never fuzzy targets (华丰村 and 群丰村 are two villages, not an OCR error).

Generic area words (全市, 全省, 各镇街道) are not entities: they get method ``nil`` with an *empty*
entity id and canonical, so the entity table (which skips empty ids) never lists them while the
method stays inside the contract's set (exact, alias, context, renamed, fuzzy, nil, person).

Type mismatch: the recogniser's type only *orders* candidates, it never blocks a link.  A street or
town named bare (钟埭街道 tagged ORG because it "作表态发言") links to the division entry, one entity
whatever type the model chose; its government and party committee are separate ORG entries reached
by their own names (钟埭街道办, 钟埭街道党工委).  Zones (平湖经开) are PLACE entries that ORG
mentions link to the same way.  Among equally good matches an entry of the mention's type wins.

People: ``person:<sha1(name | identity family)[:12]>``.  The role family (:func:`role_family`) groups
titles, and every public-office family (party, government, congress, CPPCC, judicial, and the
paper's collective 市领导) is one identity family, ``official``: the same official printed with a
full title (市委副书记、市长) and inside "…等市领导" is one person, while two people of one name in
different walks of life (a 记者 and a 镇长) stay apart.  Confidence 0.8 with a known family, 0.6
without: a bare name is weaker evidence of identity.  :mod:`pipeline.resolve.people` then gives untitled
repeats in one issue the id of their titled namesake and attaches 顾书记-style references.

Locality (:mod:`pipeline.resolve.locality`): :meth:`Resolver.resolve_articles` decides each article's
locality first; a contextual alias (市政府, 市委, 公安局), 我市X, and fuzzy matching only link to the
paper's county in the county's own stories.  Elsewhere the name becomes that place's body
(``org:<division code>-gov`` / ``-party`` / ``-<hash of the body name>``), or, in national,
foreign or unknown stories, a NIL qualified by the locality.  Countries link to ``country:<ISO>``,
national bodies (全国人大常委会, and a bare 人大常委会 in national news) to ``org:cn-<slug>``
(:mod:`pipeline.gazetteers.national`).  A class of bodies (省、市政府, 各地纪委) or a bare kind
(委员会) is no entity (:mod:`pipeline.resolve.generic`); an unlisted county body printed 市X,
平湖X or 平湖市X is one NIL, and a short form after its full name in an article takes the full
name's link (:mod:`pipeline.resolve.body_names`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace

from rapidfuzz import fuzz, process

from pipeline import lexicons as lexicon
from pipeline.gazetteers.gazetteer import Gazetteer, Match, division_short_form, normalise
from pipeline.gazetteers.national import NationalBody, national_bare, national_link
from pipeline.gazetteers.villages import RENAMED, VILLAGE_KINDS
from pipeline.lexicons.countries import country_link, leading_country, link_adjacent_forms
from pipeline.records import Article, GazetteerEntry, Link, Mention
from pipeline.resolve.body_names import link_short_forms, other_kind
from pipeline.resolve.families import PUBLIC_FAMILIES, identity_family, role_family
from pipeline.resolve.generic import GENERIC_BODIES, generic_mentions
from pipeline.resolve.locality import LOCAL, Locality, PlaceHit, infer_locality, is_destination
from pipeline.resolve.place_bodies import body_of_place, split_generic
from pipeline.resolve.short_forms import one_char_link
from pipeline.resolve.villages import choose, is_village, locality_context, villages_in_article

__all__ = [
    "CONFIDENCE",
    "FUZZY_THRESHOLD",
    "NOT_ENTITIES",
    "PUBLIC_FAMILIES",
    "identity_family",
    "Resolver",
    "nil_id",
    "person_id",
    "role_family",
]

# renamed: the old form names the place, but a 村 and a 社区 of one stem may also be two places
# (one missing from the list), so it ranks below every real name.
CONFIDENCE = {"exact": 1.0, "alias": 0.95, "context": 0.9, RENAMED: 0.8, "nil": 0.0}

# Measured on the labelled variants in tests/resolve/test_resolve.py (FUZZY_POSITIVES: 51 OCR-style variants
# of gazetteer names, one or two wrong/missing characters, that should link; FUZZY_NEGATIVES: 59
# near-misses that must stay NIL: other counties' bodies, unlisted local bodies such as
# 平湖市人民医院 / 平湖市司法所, companies), with the guards of Resolver._fuzzy on:
#   threshold 75: precision 0.980, recall 0.980    threshold 80: precision 1.000, recall 0.961
#   threshold 85: precision 1.000, recall 0.745    threshold 90: precision 1.000, recall 0.333
# (recall = right entity / positives; precision = right links / all non-NIL links).  80 is the
# lowest threshold with no false link: a one-character error in a 5-character name scores 80.
# Without the guards, threshold 85 gave precision 0.97 / recall 0.78 on the first 45 + 45 cases.
FUZZY_THRESHOLD = 80.0
FUZZY_MIN_LEN = 5

# A surface that ends in one of these names an institution of that kind; it may not fuzzily match
# a name of another kind (平湖市人民医院 is not 平湖市人民法院, 平湖市司法所 is not 平湖市司法局).
INSTITUTION_WORDS: tuple[str, ...] = tuple(sorted(lexicon.entries("institution_words"), key=len, reverse=True))

# Generic area words (全市, 各镇街道): not entities.
NOT_ENTITIES: frozenset[str] = lexicon.load("not_entities")
_CITY_PREFIXES = ("我市", "本市")


def _sha12(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def nil_id(type_: str, surface: str) -> str:
    """``nil:<TYPE>:<12 hex>``, from the normalised surface: the same in every run and process
    (sha1, not Python's salted ``hash``), so NIL entities join across issues."""
    return f"nil:{type_.upper()}:{_sha12(normalise(surface))}"


def person_id(name: str, role: str = "") -> str:
    """``person:<12 hex>`` of the normalised name and the identity family of the role."""
    return f"person:{_sha12(normalise(name) + '|' + identity_family(role_family(role)))}"


_NONE_LINK = Link(entity_id="", canonical="", method="nil", confidence=0.0)
# Second characters that make 市 a word of its own (市场, 市民, 市区 …), not "the city's" (市X).
_NOT_AFTER_LEVEL = frozenset("场民区级面值郊井容貌长内外县")


def _national(body: NationalBody, method: str) -> Link:
    """The link to a national body (:mod:`pipeline.gazetteers.national`)."""
    return Link(body.entity_id, body.canonical, method, CONFIDENCE[method], kind="national", parent_id="country:CN")


def _fill(m: Mention, link: Link) -> None:
    """Write a link into a mention."""
    m.entity_id, m.canonical, m.link_method, m.link_confidence = link.entity_id, link.canonical, link.method, link.confidence


def _link(entry: GazetteerEntry, method: str, confidence: float) -> Link:
    return Link(
        entity_id=entry.entity_id,
        canonical=entry.canonical,
        method=method,
        confidence=confidence,
        kind=entry.kind,
        division_code=entry.division_code,
        parent_id=entry.parent_id,
    )


CACHE_LINKS = 20_000  # distinct (type, surface, office family, locality) keys kept per process


class Resolver:
    """Resolve mentions against one gazetteer.  Cheap to call repeatedly: results are cached by
    (type, normalised surface, role family), and the fuzzy pool is built once."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        fuzzy_threshold: float = FUZZY_THRESHOLD,
        fuzzy_min_len: int = FUZZY_MIN_LEN,
    ) -> None:
        self.gazetteer = gazetteer
        self.fuzzy_threshold = fuzzy_threshold
        self.fuzzy_min_len = fuzzy_min_len
        self._cache: dict[tuple[str, str, str, str], Link] = {}
        city = gazetteer.by_id(gazetteer.city_id)
        self._city_entry = city
        # Fuzzy pool: names of at least fuzzy_min_len characters of local entries (the paper's
        # province, its neighbours, every province and 地级 city, all areas and bodies).  Far-away
        # counties and towns are left out: an OCR error is far likelier in a local name, and the
        # pool stays small enough for a fast scan.
        pool: dict[str, Match] = {}
        for surface, ms in gazetteer.surfaces().items():
            if len(surface) < fuzzy_min_len:
                continue
            m = ms[0]
            e = m.entry
            if (e.kind in ("county", "town") and gazetteer.locality(e) > 3) or e.kind in VILLAGE_KINDS:
                continue
            if m.method == "context":  # 市人民检察院, 公安局: generic forms are never fuzzy targets
                continue
            pool[surface] = m
        self._pool_keys = list(pool)
        self._pool = pool
        # Place names and short forms, for the guard that keeps 嘉兴市人力资源和社会保障局 from
        # fuzzily matching 平湖市人力资源和社会保障局.
        prefixes: set[str] = set()
        for e in gazetteer.entries:
            if e.entity_id.startswith("div:"):
                prefixes.add(e.canonical)
                short = division_short_form(e.canonical, e.kind, gazetteer.common_words)
                if short:
                    prefixes.add(short)
                if e.kind in VILLAGE_KINDS:  # 泗泾村党总支 starts with its place
                    prefixes.update(e.aliases)
        prefixes.add(gazetteer.short_name)
        self._place_prefixes = frozenset(p for p in prefixes if len(p) >= 2)
        self._max_prefix = max((len(p) for p in self._place_prefixes), default=0)

    # -- public -----------------------------------------------------------------------------
    def resolve(self, type: str, surface: str, role: str = "", locality: Locality = LOCAL) -> Link:  # noqa: A002
        """Link one mention; ``role`` only matters for PERSON (its family is part of the id),
        ``locality`` for unqualified names (see the module docstring)."""
        family = role_family(role) if type == "PERSON" else ""
        key = (type, surface, family, "" if locality.is_local else locality.key)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._remember(key, self._resolve(type, surface, family, locality))
        return hit

    def _remember(self, key: tuple[str, str, str, str], link: Link) -> Link:
        """Cache a link; the cache starts afresh past ``CACHE_LINKS`` keys.  A link depends on its
        key alone, so forgetting costs time, never a different id; unbounded, the cache grew by
        every distinct name of a year of pages, tens of MB per worker."""
        if len(self._cache) >= CACHE_LINKS:
            self._cache.clear()
        self._cache[key] = link
        return link

    def resolve_many(self, mentions: Iterable[Mention], locality: Locality = LOCAL) -> None:
        """Fill entity_id, canonical, link_method and link_confidence of every mention in place,
        all read in one ``locality`` (the paper's county unless told otherwise)."""
        cache = self._cache
        fam_cache: dict[str, str] = {}
        loc_key = "" if locality.is_local else locality.key
        for m in mentions:
            if m.type == "PERSON":
                fam = fam_cache.get(m.role)
                if fam is None:
                    fam = fam_cache[m.role] = role_family(m.role)
            else:
                fam = ""
            key = (m.type, m.surface, fam, loc_key)
            link = cache.get(key)
            if link is None:
                link = self._remember(key, self._resolve(m.type, m.surface, fam, locality))
            _fill(m, link)

    def resolve_articles(self, articles: Iterable[Article], mentions: list[Mention],
                         settle: Callable[[str, Locality], Locality] | None = None) -> dict[str, Locality]:
        """Decide each article's locality (``settle(article_id, found)`` may replace it: a
        continuation takes its story's), then resolve its mentions in it; returns the localities."""
        by_article: dict[str, list[Mention]] = {}
        for m in mentions:
            by_article.setdefault(m.article_id, []).append(m)
        out: dict[str, Locality] = {}
        for a in articles:
            ms = by_article.pop(a.article_id, [])
            head = a.dateline + "\n" + a.body_text()[:80]
            loc = self.locality_of(head, a.text, [b.role for b in a.bylines], ms)
            if settle is not None:
                loc = settle(a.article_id, loc)
            out[a.article_id] = loc
            self.resolve_many(ms, loc)
            for m, village in villages_in_article(self.gazetteer, ms, loc):  # homonyms, by the places around
                _fill(m, self._village_link(village, m.type, normalise(m.surface)))
            link_adjacent_forms(ms)  # 中 | 美 side by side: China and the United States
            for m in generic_mentions(a.text, ms, self._unqualified):  # 省、市政府, 各地纪委: no one body
                _fill(m, _NONE_LINK)
            link_short_forms(ms, self._leading_place)  # 新埭支行 after 平湖农商银行新埭支行
        for ms in by_article.values():  # mentions of no listed article: the paper's county
            self.resolve_many(ms)
        return out

    def locality_of(self, head: str, text: str, byline_roles: Iterable[str], mentions: Iterable[Mention]) -> Locality:
        """An article's locality from its head, text, byline roles and its PLACE/ORG mentions."""
        hits: list[PlaceHit] = []
        for m in mentions:
            hit = self.place_hit(m.surface) if m.type != "PERSON" else None
            if hit is not None:
                placed = text[m.start : m.end] == m.surface  # offsets into this text
                hits.append(replace(hit, destination=placed and is_destination(text, m.start, m.end)))
        return infer_locality(head, text, list(byline_roles), hits, self.place_hit)

    def place_hit(self, surface: str) -> PlaceHit | None:
        """The place a PLACE/ORG surface names without assuming the paper's city: a division or
        country by canonical name or alias, else the place its name starts with (嘉善县公安局)."""
        key = normalise(surface)
        country = country_link(key) or leading_country(key)
        if country is not None:
            code = country[0].split(":", 1)[1]
            return PlaceHit(code, country[1], own=False, ancestor=code == "CN", foreign=code != "CN")
        entry = self._place_entry(key)
        if entry is None:
            prefix = self._leading_place(key)
            entry = self._place_entry(prefix) if prefix else None
        if entry is None or not entry.division_code:
            return None
        code, own_code = entry.division_code, self.gazetteer.county_code
        return PlaceHit(code, entry.canonical, own=code.startswith(own_code), ancestor=own_code.startswith(code)
                        and code != own_code, division=entry.entity_id.startswith("div:"))

    # -- steps ------------------------------------------------------------------------------
    def _place_entry(self, key: str) -> GazetteerEntry | None:
        """A village counts only in the paper's county: elsewhere its name is as likely a local
        village the list lacks as a story about that place (pipeline.resolve.villages)."""
        for m in self.gazetteer.matches(key):
            if m.entry.kind in VILLAGE_KINDS and self.gazetteer.locality(m.entry) != 0:
                continue
            if m.method != "context" or (m.entry.kind == "town" and self.gazetteer.locality(m.entry) == 0):
                return m.entry
        return None

    def _qualified(self, key: str) -> bool:
        """Does ``key`` start with the place it belongs to (嘉善县公安局, 平湖公安局, 嘉兴市委)?
        A short form swallowing a body word (公安 of 公安县 in 公安局) does not count."""
        lead = self._leading_place(key)
        return bool(lead) and (lead[-1] in "省市县区镇乡旗" or len(key) - len(lead) >= 2)

    def _unqualified(self, key: str) -> bool:
        """An unqualified body name (市政府, 纪委, 人民检察院), whose owner the story decides."""
        return split_generic(key) is not None and not self._qualified(key)

    def _leading_place(self, key: str) -> str:
        for j in range(min(len(key), self._max_prefix), 1, -1):
            if key[:j] in self._place_prefixes:
                return key[:j]
        return ""

    def _resolve(self, type_: str, surface: str, family: str, locality: Locality = LOCAL) -> Link:
        key = normalise(surface)
        if not key:
            return _NONE_LINK
        if type_ == "PERSON":
            conf = 0.6 if family == "none" else 0.8
            return Link(
                entity_id=f"person:{_sha12(key + '|' + identity_family(family))}",
                canonical=key,
                method="person",
                confidence=conf,
                kind="person",
            )
        if key in NOT_ENTITIES or key in GENERIC_BODIES:  # 全市, a bare 委员会: no entity
            return _NONE_LINK
        if len(key) == 1 and type_ == "PLACE":
            one = one_char_link(self.gazetteer, key)
            if one is not None:
                return one
        ms = self.gazetteer.matches(key)
        if is_village(ms):  # the story's places decide later (resolve_articles); here its locality
            return self._village_link(choose(self.gazetteer, ms, context=locality_context(locality)), type_, key)
        if ms:
            m = self._pick(ms, type_)
            if locality.is_local or m.method != "context":
                return _link(m.entry, m.method, CONFIDENCE[m.method])
            return self._elsewhere(key, type_, locality)
        country = country_link(key)
        if country is not None:
            return Link(country[0], country[1], "alias", CONFIDENCE["alias"], kind="country")
        body = national_link(key)
        if body is not None:  # 全国人大常委会, 国务院: a national body wherever printed
            return _national(body, "exact" if key == body.canonical else "alias")
        if not locality.is_local:
            return self._elsewhere(key, type_, locality)
        link = self._context(key, type_)
        if link is not None:
            return link
        link = self._fuzzy(key, type_)
        if link is not None:
            return link
        return self._nil(key, type_, local=True)

    def _nil(self, key: str, type_: str, local: bool) -> Link:
        """A NIL, keyed so that one unlisted county body printed three ways is one entity: an ORG
        named 平湖市X, 平湖X or (in the county's own story, ``local``) 市X gets the id of 平湖市X
        (市第一人民医院 / 平湖市第一人民医院).  市场, 市民, 市区 … are words, not 市 + a name."""
        city, short = self.gazetteer.city_name, self.gazetteer.short_name
        rest, canonical = "", key
        if type_ == "ORG" and len(city) >= 2:
            if key.startswith(city):
                rest = key[len(city) :]
            elif short and key.startswith(short):
                rest = key[len(short) :]
            elif local and key.startswith(city[-1]) and len(key) > 2 and key[1] not in _NOT_AFTER_LEVEL:
                rest, canonical = key[1:], city + key[1:]
        if len(rest) >= 2:
            return Link(entity_id=nil_id(type_, city + rest), canonical=canonical, method="nil", confidence=0.0)
        return Link(entity_id=nil_id(type_, key), canonical=key, method="nil", confidence=0.0)

    def _elsewhere(self, key: str, type_: str, locality: Locality) -> Link:
        """A name outside the paper's county: that place's body where it can be built, a fuzzy
        match only when the surface names its place, else a NIL qualified by the locality."""
        if locality.kind == "national":
            body = national_bare(key)
            if body is not None:  # 人大常委会 in a Xinhua story: the NPC Standing Committee
                return _national(body, "context")
        qualified = self._qualified(key)
        if locality.kind == "elsewhere" and not qualified:
            link = body_of_place(self.gazetteer, key, locality.code, type_)
            if link is not None:
                return link
        if qualified:
            link = self._fuzzy(key, type_)
            if link is not None:
                return link
            return self._nil(key, type_, local=False)
        if split_generic(key) is None:  # 新华社, 华盛顿: a name, the same entity in every story
            return self._nil(key, type_, local=False)
        nil = f"nil:{type_.upper()}:{_sha12(key + '@' + locality.key)}"  # 市政府 of national news
        return Link(entity_id=nil, canonical=key, method="nil", confidence=0.0)

    @staticmethod
    def _village_link(m: Match | None, type_: str, key: str) -> Link:
        """The link to the village :func:`pipeline.resolve.villages.choose` chose, else a NIL."""
        if m is None:
            return Link(entity_id=nil_id(type_, key), canonical=key, method="nil", confidence=0.0)
        return _link(m.entry, m.method, CONFIDENCE[m.method])

    @staticmethod
    def _pick(ms: tuple[Match, ...], type_: str) -> Match:
        """Best match: the index order (method, locality, level) with the mention's type first
        among equal methods.  ``min`` is stable, so ties keep the index order."""
        rank = {"exact": 0, "alias": 1, "context": 2, RENAMED: 3}
        return min(ms, key=lambda m: (rank[m.method], m.entry.type != type_))

    def _context(self, key: str, type_: str) -> Link | None:
        """我市 / 本市 → the paper's city; 我市X / 本市X → <city>X; an unqualified body name
        (人民检察院) → the city's body of that name (only ever called in the county's own stories)."""
        for p in _CITY_PREFIXES:
            if key.startswith(p):
                rest = key[len(p) :]
                if not rest:
                    if self._city_entry is None:
                        return None
                    return _link(self._city_entry, "context", CONFIDENCE["context"])
                for cand in (self.gazetteer.city_name + rest, rest):
                    ms = self.gazetteer.matches(cand)
                    if ms:
                        return _link(self._pick(ms, type_).entry, "context", CONFIDENCE["context"])
        parts = split_generic(key)
        if parts is not None and parts[0] and parts[0] != self.gazetteer.city_name[-1] and not self._qualified(key):
            # 市政府 in a 县's paper: the city the county belongs to
            return body_of_place(self.gazetteer, key, self.gazetteer.county_code, type_)
        if parts is not None and not parts[0] and not self._qualified(key):
            ms = self.gazetteer.matches(self.gazetteer.city_name + key)  # 人民检察院 in our own story
            if ms:
                return _link(self._pick(ms, type_).entry, "context", CONFIDENCE["context"])
        return None

    def _places_in(self, s: str) -> set[str]:
        """Known place names (divisions and their short forms) occurring anywhere in ``s``."""
        found: set[str] = set()
        n = len(s)
        for i in range(n - 1):
            for j in range(min(n, i + self._max_prefix), i + 1, -1):
                if s[i:j] in self._place_prefixes:
                    found.add(s[i:j])
                    break
        return found

    def _fuzzy(self, key: str, type_: str) -> Link | None:
        """Closest local name by rapidfuzz ratio (Indel), accepted at ≥ ``fuzzy_threshold``.

        Guards, each measured to matter on the labelled near-misses in tests/resolve/test_resolve.py:
        every place name in the surface (嘉兴市, 新仓镇 …) must occur in the candidate, else a
        neighbour's body of the same kind, or another town's government, is "one character off"
        the paper's own; a surface ending in an institution word (医院, 所, 学会, 楼 …) needs a
        candidate with the same ending; and two different entities tied for the best score are
        ambiguous (平湖市材政局: 财政局 or 民政局?) and give NIL.  Both names' final body words
        must be of one kind (:func:`~pipeline.resolve.body_names.other_kind`: 纪委 ≠ 党委, 支行 ≠
        分行).  A candidate that starts with a place name needs the surface to start with (an OCR
        variant of) it: 全国人民代表大会 and
        中国科学技术协会 are national bodies, not 平湖市人民代表大会 / 平湖市科学技术协会; and a
        generic name (人民检察院, 市公安局, :func:`split_generic`) with no place in it never fuzzes.
        """
        if len(key) < self.fuzzy_min_len or not self._pool_keys:
            return None
        if self._unqualified(key):
            return None  # 人民检察院, 市公安局: a generic name is nobody's OCR variant
        hits = process.extract(
            key, self._pool_keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold, limit=8
        )
        if not hits:
            return None
        places = self._places_in(key)
        tail = next((w for w in INSTITUTION_WORDS if key.endswith(w)), "")
        accepted: list[tuple[float, int, Match]] = []
        for choice, score, _ in hits:
            if any(p not in choice for p in places):
                continue
            if (tail and not choice.endswith(tail)) or other_kind(key, choice):
                continue  # 新仓镇纪委 is not 新仓镇党委, 发改局 not 发改委
            lead = self._leading_place(choice)
            if lead and fuzz.ratio(key[: len(lead)], lead) < 75:
                continue  # 全国人民代表大会 is not 平湖市人民代表大会 with an OCR error
            m = self._pool[choice]
            accepted.append((score, int(m.entry.type == type_), m))
        if not accepted:
            return None
        accepted.sort(key=lambda c: (-c[0], -c[1], c[2].entry.entity_id))
        score, _, m = accepted[0]
        if any(c[0] == score and c[2].entry.entity_id != m.entry.entity_id for c in accepted[1:]):
            return None
        return _link(m.entry, "fuzzy", round(score / 100.0 * 0.9, 4))

"""The gazetteer: places, zones and public bodies that a county paper names, with their aliases.

A gazetteer is a directory (``pipeline/gazetteers/<name>/``) so that another county's paper runs
with another directory and no code change:

``gazetteer.json``
    the paper and its city (name, short name, division code, parent city, province); the resolver
    reads "市" / "我市" as this city.
``divisions.csv`` (code, name, level, parent_code)
    administrative divisions: all provinces, 地级 cities and 县级 areas of China plus the 乡级
    rows (towns / streets) of the paper's county and its neighbours.  Built from the shared
    admin-divisions copy by :func:`build_divisions_csv`.
``areas.csv`` (id, name, kind, parent_id, division_code, relation, extra_aliases)
    named areas that are not divisions: development zones, regions such as 长三角.
``agencies.csv`` (id, name, kind, parent, division_code, extra_aliases)
    the curated public bodies of the county (party, congress, government and departments, CPPCC,
    court, procuratorate, mass organisations, zone committees, state-owned groups).  The party
    committee and government of every town / street are generated from ``divisions.csv``.

``lexicons/*.txt`` (optional, read with :func:`pipeline.lexicon.load_county`)
    the county's own word lists: ``common_words.txt`` holds its neighbours' town short forms
    that are everyday words in its stories (惠民, 东湖); those towns keep only their full names.
    Language-wide lists (everyday words, ethnic groups) are package data in ``pipeline/lexicons/``.

Aliases are not typed per body: :func:`derive_aliases` applies the generic abbreviation rules
below (one function per rule, each unit-tested) to every canonical name, and ``extra_aliases``
holds only the irregular ones.  An alias is *contextual* when it is only meaningful inside the
paper's own city (市发改局, 交通运输局, 钟埭): the resolver reports those as ``context`` links.

Entity ids: ``div:<code>`` for divisions, ``area:<slug>`` for areas, ``org:<county_code>-<id>``
for agencies of the county (so two counties' gazetteers never collide), and
``org:<town_code>-party`` / ``org:<town_code>-gov`` for the generated town bodies.
"""

from __future__ import annotations

import csv
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import lexicon
from .records import GazetteerEntry

__all__ = [
    "Gazetteer",
    "GazetteerConfig",
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

LEVELS: tuple[str, ...] = ("province", "city", "county", "town")
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "town": 3}

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_STRIP_CHARS = re.compile(r"[\s\"'“”‘’「」『』〝〞＂＇`]+")


def normalise(surface: str) -> str:
    """NFKC, then drop whitespace and quote marks.

    OCR text mixes full- and half-width forms (（集团） vs (集团)) and wraps names in quotes; the
    index and the NIL ids must not depend on either, so every key goes through this one function.
    """
    return _STRIP_CHARS.sub("", unicodedata.normalize("NFKC", surface))


# ---------------------------------------------------------------------------------------------
# Abbreviation rules.  Each takes a name and returns variants; derive_aliases closes over them.
# ---------------------------------------------------------------------------------------------

# (long, short) phrase replacements, the standard short forms of Chinese body names.  A phrase may
# have several short forms (自然资源和规划 → 资规 and 自然资源规划).
PHRASES: tuple[tuple[str, str], ...] = (
    ("发展和改革", "发改"),
    ("经济和信息化", "经信"),
    ("卫生健康", "卫健"),
    ("人力资源和社会保障", "人社"),
    ("自然资源和规划", "资规"),
    ("自然资源和规划", "自然资源规划"),
    ("住房和城乡建设", "住建"),
    ("文化和广电旅游体育", "文广旅体"),
    ("市场监督管理", "市场监管"),
    ("农业农村局", "农业局"),
    ("退役军人事务", "退役军人"),
    ("综合行政执法", "综合执法"),
    ("科学技术局", "科技局"),
    ("医疗保障", "医保"),
    ("交通运输局", "交通局"),
    ("统一战线工作部", "统战部"),
    ("政策研究室", "政研室"),
    ("机构编制委员会办公室", "编办"),
    ("网络安全和信息化委员会办公室", "网信办"),
    ("人民代表大会常务委员会", "人大常委会"),
    ("人民代表大会", "人大"),
    ("常务委员会", "常委会"),
    ("纪律检查委员会", "纪委"),
    ("监察委员会", "监委"),
    ("政法委员会", "政法委"),
    ("直属机关工作委员会", "直属机关工委"),
    ("管理委员会", "管委会"),
    ("妇女联合会", "妇联"),
    ("科学技术协会", "科协"),
    ("工商业联合会", "工商联"),
    ("残疾人联合会", "残联"),
    ("文学艺术界联合会", "文联"),
    ("人民武装部", "人武部"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("交通投资", "交投"),
    ("城市发展投资", "城投"),
)


def phrase_abbreviations(name: str) -> list[str]:
    """发展和改革局 → 发改局 and the like: one variant per phrase of :data:`PHRASES` in ``name``."""
    return [name.replace(long, short) for long, short in PHRASES if long in name]


def government_forms(name: str) -> list[str]:
    """人民政府 → 政府 (平湖市人民政府 → 平湖市政府, 乍浦镇人民政府 → 乍浦镇政府)."""
    return [name.replace("人民政府", "政府")] if "人民政府" in name else []


_LEVEL_END = ("省", "市", "县", "区", "旗", "镇", "乡")


def party_committee_forms(name: str) -> list[str]:
    """中共平湖市委员会 ↔ 中共平湖市委 ↔ 平湖市委; 中共平湖市委组织部 → 平湖市委组织部.

    The committee itself is "中共<division>委员会"; its departments drop the 中共 prefix in
    running text.  Only a division name (ending 省/市/县/区/…) may precede 委员会, so that
    中共平湖市纪律检查委员会 is left to the phrase rule (→ 纪委) rather than mangled.
    """
    out: list[str] = []
    m = re.fullmatch(r"中共(.+)委员会", name)
    if m and m.group(1).endswith(_LEVEL_END):
        out += [f"中共{m.group(1)}委", f"{m.group(1)}委"]
    if name.startswith("中共") and len(name) > 4:
        out.append(name[2:])
    return out


def cppcc_forms(name: str) -> list[str]:
    """中国人民政治协商会议平湖市委员会 ↔ 政协平湖市委员会 ↔ 平湖市政协."""
    m = re.fullmatch(r"(?:中国人民政治协商会议|政协)(.+)委员会", name)
    return [f"{m.group(1)}政协", f"政协{m.group(1)}委员会"] if m else []


def youth_league_forms(name: str, city_name: str) -> list[tuple[str, bool]]:
    """共青团平湖市委员会 → 团平湖市委, and the contextual 团市委 for the paper's own city."""
    m = re.fullmatch(r"共青团(.+)委员会", name)
    if not m:
        return []
    out = [(f"团{m.group(1)}委", False), (f"共青团{m.group(1)}委", False)]
    if m.group(1) == city_name:
        out.append((f"团{city_name[-1]}委", True))
    return out


def street_office_forms(name: str) -> list[str]:
    """钟埭街道办事处 → 钟埭街道办, 钟埭街道 (the rule as news writes it)."""
    m = re.fullmatch(r"(.+街道)办事处", name)
    return [f"{m.group(1)}办", m.group(1)] if m else []


def street_office_aliases(name: str) -> list[str]:
    """:func:`street_office_forms` less the bare street name, which the gazetteer gives to the
    division: one entity for 钟埭街道 whatever type the recogniser gave it (see ``_build``)."""
    return [f for f in street_office_forms(name) if not f.endswith("街道")]


def town_party_forms(name: str, city_name: str = "") -> list[str]:
    """中共平湖市乍浦镇委员会 → 乍浦镇党委, 乍浦镇委; …街道工作委员会 → 当湖街道党工委, 当湖街道工委."""
    out: list[str] = []
    m = re.fullmatch(r"中共(.+?)(镇|乡)委员会", name)
    n = re.fullmatch(r"中共(.+?街道)工作委员会", name)
    if m:
        units = [m.group(1) + m.group(2)]
        suffixes = ("党委", "委")
    elif n:
        units = [n.group(1)]
        suffixes = ("党工委", "工委")
    else:
        return out
    if city_name and units[0].startswith(city_name) and len(units[0]) > len(city_name) + 1:
        units.append(units[0][len(city_name) :])
    for unit in units:
        out += [unit + s for s in suffixes]
        if unit != units[0]:
            out.append(name.replace(units[0], unit))
    return out


def group_company_forms(name: str) -> list[str]:
    """平湖市交通投资集团有限公司 / …(集团)有限公司 → 平湖市交通投资集团."""
    m = re.fullmatch(r"(.+?)(?:\(集团\)|集团)有限(?:责任)?公司", name)
    return [f"{m.group(1)}集团"] if m else []


def zone_forms(name: str) -> list[str]:
    """平湖经济技术开发区 → 平湖经开区, 平湖经开; 独山港经济开发区 → 独山港开发区."""
    out: list[str] = []
    if "经济技术开发区" in name:
        out.append(name.replace("经济技术开发区", "经开区"))
        if name.endswith("经济技术开发区"):
            out.append(name[: -len("经济技术开发区")] + "经开")
    elif "经济开发区" in name:
        out.append(name.replace("经济开发区", "开发区"))
    return out


# A bare department name (市发改局 → 发改局) is only an alias where it names one kind of body:
# these endings.  Bare 办公室, 法院, 政协 … are generic words in running text.
BARE_SUFFIXES = ("局", "部", "集团", "经开区", "开发区")
GENERIC_BARE = frozenset({"办公室", "宣传部", "分局", "开发区", "人武部", "经济技术开发区", "经济开发区"})


def city_prefix_forms(name: str, city_name: str, short_name: str) -> list[tuple[str, bool]]:
    """平湖市X ↔ 市X (contextual), ↔ 平湖X, ↔ X (contextual, bare department names only).

    ``市X`` keeps the city's level character, so a county paper (XX县) gets 县X.  平湖市委组织部
    gives 市委组织部 and the bare 组织部 (the 委 belongs to the committee, not the department).
    """
    out: list[tuple[str, bool]] = []
    if name.startswith(city_name) and len(name) > len(city_name):
        rest = name[len(city_name) :]
        out.append((city_name[-1] + rest, True))
        if not rest.startswith("委"):
            out.append((short_name + rest, False))
        bare = rest[1:] if rest.startswith("委") else rest
    elif short_name and name.startswith(short_name) and not name.startswith(city_name):
        bare = name[len(short_name) :]
    else:
        return out
    if len(bare) >= 3 and bare.endswith(BARE_SUFFIXES) and bare not in GENERIC_BARE:
        out.append((bare, True))
    return out


# The 55 minority nationalities, stripped from autonomous-division names (凉山彝族自治州 → 凉山).
ETHNIC_GROUPS: tuple[str, ...] = lexicon.entries("ethnic_groups")
_ETHNIC_SUFFIXES = sorted((g + "族" for g in ETHNIC_GROUPS), key=len, reverse=True)

_DIVISION_SUFFIXES: dict[str, tuple[str, ...]] = {
    "province": ("特别行政区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "新区", "林区", "特区", "矿区", "市", "县", "区", "旗"),
    "town": ("民族乡", "街道", "镇", "乡"),
}

# Short forms that are everyday words (和平, 建设, 大桥 …): a name whose stripped form is one of
# these keeps only its full name.  Language-wide here; a county adds its own in
# <gazetteer>/lexicons/common_words.txt (Gazetteer.common_words).
COMMON_WORDS: frozenset[str] = lexicon.load("place_common_words")
COUNTY_COMMON_WORDS = "common_words"


def division_short_form(name: str, level: str, common: frozenset[str] = COMMON_WORDS) -> str | None:
    """Strip the level suffix of a division name: 四川省 → 四川, 闵行区 → 闵行, 钟埭街道 → 钟埭.

    Returns None where the short form would have fewer than two characters or is an everyday
    word (``common``: the language-wide list, plus the county's own for a gazetteer), because a
    one-character or common-word alias would link ordinary text to a place.
    """
    for suffix in _DIVISION_SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) > len(suffix):
            short = name[: -len(suffix)]
            break
    else:
        return None
    changed = True
    while changed:  # 恩施土家族苗族 → 恩施
        changed = False
        for eth in _ETHNIC_SUFFIXES:
            if short.endswith(eth) and len(short) - len(eth) >= 2:
                short = short[: -len(eth)]
                changed = True
                break
    if len(short) < 2 or short in common:
        return None
    return short


def derive_aliases(
    name: str, city_name: str, short_name: str, extra: Iterable[str] = (), max_rounds: int = 4
) -> dict[str, bool]:
    """All aliases of a body's canonical ``name``: {alias: contextual}.

    First the closure of the name-shortening rules over the name and its ``extra`` aliases (a
    few rounds: 中共平湖市委统一战线工作部 → 平湖市委统一战线工作部 → 平湖市委统战部), then the
    city-prefix rule once over every form found (→ 市委统战部, 统战部).  Applying the prefix rule
    only once keeps it from eating into the name (平湖市市场监管局 → 平湖市场监管局 must not go on
    to 场监管局).  A form reached both with and without context keeps the context-free reading.
    """
    rules: list[Callable[[str], Iterable[tuple[str, bool]]]] = [
        lambda s: ((v, False) for v in phrase_abbreviations(s)),
        lambda s: ((v, False) for v in government_forms(s)),
        lambda s: ((v, False) for v in party_committee_forms(s)),
        lambda s: ((v, False) for v in cppcc_forms(s)),
        lambda s: youth_league_forms(s, city_name),
        lambda s: ((v, False) for v in street_office_aliases(s)),
        lambda s: ((v, False) for v in town_party_forms(s, city_name)),
        lambda s: ((v, False) for v in group_company_forms(s)),
        lambda s: ((v, False) for v in zone_forms(s)),
    ]
    forms: dict[str, bool] = {name: False}

    def put(variant: str, ctx: bool, new: dict[str, bool]) -> None:
        variant = normalise(variant)
        if variant and (variant not in forms or (forms[variant] and not ctx)):
            forms[variant] = ctx
            new[variant] = ctx

    frontier: dict[str, bool] = {name: False}
    for e in extra:
        put(e, False, frontier)
    for _ in range(max_rounds):
        new: dict[str, bool] = {}
        for form, ctx in frontier.items():
            for rule in rules:
                for variant, vctx in rule(form):
                    put(variant, ctx or vctx, new)
        if not new:
            break
        frontier = new
    for form, ctx in list(forms.items()):
        for variant, vctx in city_prefix_forms(form, city_name, short_name):
            put(variant, ctx or vctx, {})
    forms.pop(name, None)
    return forms


# ---------------------------------------------------------------------------------------------
# Building divisions.csv from the shared admin-divisions copy
# ---------------------------------------------------------------------------------------------

_PLACEHOLDER_CITIES = ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划")


def build_divisions_csv(src_dir: Path | str, dest: Path | str, town_area_prefixes: Iterable[str]) -> int:
    """Write ``dest`` (code, name, level, parent_code) from the modood admin-divisions CSVs.

    Keeps all provinces, cities and counties and the towns of the areas whose code starts with
    one of ``town_area_prefixes``.  Placeholder cities (市辖区 of the municipalities, 省直辖县级
    行政区划) are not places: they are dropped and their counties hang under the province.
    Returns the number of rows written.
    """
    src = Path(src_dir)
    prefixes = tuple(town_area_prefixes)
    rows: list[tuple[str, str, str, str]] = []

    def read(fname: str) -> list[dict[str, str]]:
        with open(src / fname, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    for r in read("provinces.csv"):
        rows.append((r["code"], r["name"], "province", ""))
    placeholders: set[str] = set()
    for r in read("cities.csv"):
        if r["name"] in _PLACEHOLDER_CITIES:
            placeholders.add(r["code"])
            continue
        rows.append((r["code"], r["name"], "city", r["provinceCode"]))
    for r in read("areas.csv"):
        parent = r["provinceCode"] if r["cityCode"] in placeholders else r["cityCode"]
        rows.append((r["code"], r["name"], "county", parent))
    if prefixes:
        for r in read("streets.csv"):
            if r["areaCode"].startswith(prefixes):
                rows.append((r["code"], r["name"], "town", r["areaCode"]))
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent_code"])
        w.writerows(rows)
    return len(rows)


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

    @classmethod
    def from_json(cls, path: Path) -> GazetteerConfig:
        d = json.loads(path.read_text(encoding="utf-8"))
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
        )


@dataclass(frozen=True)
class Match:
    """One gazetteer entry a surface matched, and how: exact (canonical), alias or context."""

    entry: GazetteerEntry
    method: str


# Rank of the match method in the index: a canonical name beats an alias beats a contextual alias.
_METHOD_RANK = {"exact": 0, "alias": 1, "context": 2}


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
        place's body ``org:<code>-gov|party|x<hash>``, a country ``country:<ISO>``) a minimal
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
        """
        out: list[tuple[str, str]] = []
        for surface, ms in self._index.items():
            if len(surface) < min_len or not ms:
                continue
            best = ms[0]
            if len(ms) > 1 and self._rank(ms[0]) == self._rank(ms[1]) and ms[0].entry != ms[1].entry:
                continue
            e = best.entry
            if best.method != "exact" and e.kind in ("county", "town"):
                if not e.division_code.startswith(self._ruler_regions or ("\x00",)):
                    continue
            out.append((surface, e.type))
        out.sort(key=lambda p: (-len(p[0]), p[0]))
        return out

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
    m = _BUILT_ORG.fullmatch(entity_id)
    if m is None or gaz._by_id.get(f"div:{m.group(1)}") is None:
        return None
    kind = {"gov": "government", "party": "party"}.get(m.group(2), "agency")
    return GazetteerEntry(entity_id, "ORG", "", kind, f"div:{m.group(1)}", m.group(1))


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _split_aliases(s: str) -> list[str]:
    return [a.strip() for a in s.split("|") if a.strip()]


def _build(path: Path) -> Gazetteer:
    cfg = GazetteerConfig.from_json(path / "gazetteer.json")
    common = COMMON_WORDS | lexicon.load_county(path, COUNTY_COMMON_WORDS)
    entries: list[GazetteerEntry] = []
    # surface → {entity_id: method}; the best method per (surface, id) is kept.
    raw: dict[str, dict[str, str]] = {}

    def add(surface: str, eid: str, method: str) -> None:
        key = normalise(surface)
        if not key:
            return
        slot = raw.setdefault(key, {})
        old = slot.get(eid)
        if old is None or _METHOD_RANK[method] < _METHOD_RANK[old]:
            slot[eid] = method

    # Divisions ------------------------------------------------------------------------------
    towns: list[tuple[str, str]] = []
    for r in _read_csv(path / "divisions.csv"):
        code, name, level, parent = r["code"], r["name"], r["level"], r.get("parent_code", "")
        eid = f"div:{code}"
        short = division_short_form(name, level, common)
        # A town's bare name is only meaningful near the paper (钟埭): contextual.
        aliases: dict[str, str] = {}
        if short:
            aliases[short] = "context" if level == "town" else "alias"
        own_town = level == "town" and code.startswith(cfg.county_code) and len(code) > len(cfg.county_code)
        if own_town:
            towns.append((code, name))
            # 平湖市钟埭街道 / 平湖钟埭街道 are the town too (its office is reached by 钟埭街道办).
            aliases[cfg.city_name + name] = "alias"
            aliases[cfg.short_name + name] = "alias"
        entries.append(
            GazetteerEntry(
                entity_id=eid,
                type="PLACE",
                canonical=name,
                kind=level,
                parent_id=f"div:{parent}" if parent else "",
                division_code=code,
                aliases=tuple(aliases),
            )
        )
        add(name, eid, "exact")
        for alias, method in aliases.items():
            add(alias, eid, method)

    relations: dict[str, list[tuple[str, str]]] = {}

    def add_body(
        eid: str, etype: str, name: str, kind: str, parent: str, code: str, extra: list[str]
    ) -> None:
        forms = derive_aliases(name, cfg.city_name, cfg.short_name, extra)
        entries.append(
            GazetteerEntry(
                entity_id=eid,
                type=etype,
                canonical=name,
                kind=kind,
                parent_id=parent,
                division_code=code,
                aliases=tuple(sorted(forms)),
            )
        )
        add(name, eid, "exact")
        for form, ctx in forms.items():
            add(form, eid, "context" if ctx else "alias")

    # Areas ----------------------------------------------------------------------------------
    for r in _read_csv(path / "areas.csv"):
        eid = f"area:{r['id']}"
        add_body(
            eid,
            "PLACE",
            r["name"],
            r["kind"],
            r.get("parent_id", ""),
            r.get("division_code", ""),
            _split_aliases(r.get("extra_aliases", "")),
        )
        for rel in _split_aliases(r.get("relation", "")):
            verb, _, target = rel.partition(" ")
            relations.setdefault(eid, []).append((verb, target.strip()))

    # Agencies -------------------------------------------------------------------------------
    def org_id(ref: str) -> str:
        if not ref:
            return ""
        return ref if ":" in ref else f"org:{cfg.county_code}-{ref}"

    for r in _read_csv(path / "agencies.csv"):
        add_body(
            org_id(r["id"]),
            "ORG",
            r["name"],
            r["kind"],
            org_id(r.get("parent", "")),
            r.get("division_code", "") or cfg.county_code,
            _split_aliases(r.get("extra_aliases", "")),
        )

    # Town bodies, generated: party committee and government of every town / street ---------
    party_id, gov_id = org_id("cpc"), org_id("gov")
    for code, name in towns:
        if name.endswith("街道"):
            party = f"中共{cfg.city_name}{name}工作委员会"
            gov = f"{name}办事处"
        else:
            party = f"中共{cfg.city_name}{name}委员会"
            gov = f"{name}人民政府"
        add_body(f"org:{code}-party", "ORG", party, "town_party", party_id, code, [])
        add_body(f"org:{code}-gov", "ORG", gov, "town_gov", gov_id, code, [f"{cfg.city_name}{gov}"])

    # A contextual bare alias shared by two bodies (a 组织部 of two committees) is ambiguous
    # "within the city": drop it rather than guess.
    for surface, ids in list(raw.items()):
        ctx_orgs = [i for i, m in ids.items() if m == "context" and i.startswith("org:")]
        if len(ctx_orgs) > 1 and not any(m != "context" for m in ids.values()):
            for i in ctx_orgs:
                del ids[i]
            if not ids:
                del raw[surface]

    gaz = Gazetteer(
        path=path,
        config=cfg,
        entries=tuple(entries),
        relations={k: tuple(v) for k, v in relations.items()},
        common_words=common,
    )
    gaz._build_index(raw)
    return gaz


_CACHE: dict[str, Gazetteer] = {}
_LOCK = threading.Lock()


def load_gazetteer(path: Path | str) -> Gazetteer:
    """Load (once per resolved path and process) the gazetteer directory at ``path``."""
    key = str(Path(path).resolve())
    with _LOCK:
        gaz = _CACHE.get(key)
        if gaz is None:
            gaz = _build(Path(key))
            _CACHE[key] = gaz
        return gaz


def clear_cache() -> None:
    """Forget loaded gazetteers (tests that edit a directory in place)."""
    with _LOCK:
        _CACHE.clear()


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import argparse

    ap = argparse.ArgumentParser(description="Rebuild a gazetteer's divisions.csv from admin-divisions CSVs.")
    ap.add_argument("src", help="directory with provinces.csv, cities.csv, areas.csv, streets.csv")
    ap.add_argument("dest", help="divisions.csv to write")
    ap.add_argument(
        "prefixes", nargs="*", help="area-code prefixes whose towns to keep (330482 3304 310112 …)"
    )
    a = ap.parse_args()
    print(build_divisions_csv(a.src, a.dest, a.prefixes))

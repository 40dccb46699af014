"""Names and their short forms: the normalisation every index key goes through, the generic
abbreviation rules of Chinese body names, and the short forms of division names.

Why a module of its own: these rules are the part of the gazetteer that is pure string work, unit
tested rule by rule, and shared by the gazetteer (building its index) and the resolver (place
prefixes); :mod:`pipeline.gazetteers.gazetteer` re-exports every name, so callers keep importing from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from pipeline import lexicons as lexicon

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
    ("人力资源和社会保障", "人力社保"),
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
_BARE_ETHNIC = sorted((g for g in ETHNIC_GROUPS if len(g) >= 2), key=len, reverse=True)

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
    # 新疆维吾尔自治区 → 新疆: the one autonomous division whose nationality is printed without 族;
    # only after an 自治 suffix and for names of two characters or more (内蒙古 keeps its 蒙古).
    ethnic = _ETHNIC_SUFFIXES + (_BARE_ETHNIC if suffix.startswith("自治") else [])
    changed = True
    while changed:  # 恩施土家族苗族 → 恩施
        changed = False
        for eth in ethnic:
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

"""Linking accuracy by the kind of entity a gold mention names (issue 32).

Why: one linking accuracy over every PLACE/ORG row hides where links go wrong.  Towns and
counties link by exact gazetteer names and are nearly always right; villages (村 / 社区, new in
the gazetteer), other places' bodies printed without their place, companies' short forms and
national bodies each fail for reasons of their own, and an analyst counting "which villages
appear" needs the village figure, not an average dominated by 平湖市 and 乍浦镇.

The kind comes from the gold alone (never from the prediction, which would let a wrong link
change the denominator): the gazetteer entry of the gold canonical name (or of the surface when
the canonical is ``NIL``), else the name's shape, else an explicit ``kind`` column of the gold row
(``tests/data/gold/ENTITY_GUIDELINES.md``).  Kinds:

* ``division``: province, city, county/district, town/street (乍浦镇, 杭州市, 北京市);
* ``village``: a village (村) or residents' community (社区);
* ``area``: a zone or named region (平湖经济技术开发区, 长三角);
* ``agency``: a party, government or public body of a place, the paper's county or another
  county, city, province or state, bare or in full (市政府, 嘉善县公安局, 上海市商务委员会);
* ``national``: a central body of the PRC (全国人大常委会, 国家统计局, 最高人民检察院);
* ``company``: a company or state enterprise (平湖城投, X有限公司);
* ``country``; ``other``: whatever else (a foreign city, a news agency, a paper).

People are not here: which mentions are one person is person B-cubed, not a link to a list.
"""

from __future__ import annotations

from pipeline import lexicons as lexicon
from pipeline.lexicons.countries import country_link

__all__ = ["KINDS", "gold_kind", "link_right"]

KINDS: tuple[str, ...] = ("division", "village", "area", "agency", "national", "company", "country", "other")

_ENTRY_KINDS = {
    "province": "division", "city": "division", "county": "division", "town": "division",
    "village": "village", "community": "village",
    "zone": "area", "region": "area",
    "soe": "company", "media": "other",
}
# How the names of the PRC's central bodies begin (全国人大常委会, 国家统计局, 国务院安委会,
# 中共中央办公厅, 最高人民法院); a body of a place begins with the place instead.
_NATIONAL_STARTS = ("全国", "国家", "国务院", "中共中央", "中央", "最高人民", "中华人民共和国")
_COMPANY_ENDS = tuple(lexicon.entries("company_suffixes"))
_OTHER_ORGS = lexicon.load("news_agencies")


def gold_kind(gazetteer, type_: str, surface: str, canonical: str, given: str = "") -> str:  # noqa: ANN001
    """The kind (one of :data:`KINDS`) of the entity a gold PLACE/ORG row names; ``given`` (the
    gold row's own ``kind`` column) wins when set."""
    if given:
        return given
    name = surface if canonical in ("", "NIL") else canonical
    entry = _entry(gazetteer, name) or (_entry(gazetteer, surface) if name != surface else None)
    if entry is not None and entry.entity_id.startswith("org:cn-"):  # the resolver's national bodies
        return "national"
    if entry is not None:
        return _ENTRY_KINDS.get(entry.kind, "agency" if entry.type == "ORG" else "other")
    if country_link(name) is not None:
        return "country"
    if type_ != "ORG" or name in _OTHER_ORGS:
        return "other"
    if name.endswith(_COMPANY_ENDS):
        return "company"
    return "national" if name.startswith(_NATIONAL_STARTS) else "agency"


def _entry(gazetteer, name: str):  # noqa: ANN001, ANN202 - GazetteerEntry | None
    """The entry whose canonical name is ``name``, else the best entry printed so."""
    found = gazetteer.lookup(name)
    return next((e for e in found if e.canonical == name), found[0] if found else None)


def link_right(canonical: str, entity_id: str, pred_canonical: str) -> bool:
    """Is a predicted link right for a gold canonical?  ``NIL``: the prediction names no entity
    of a list (a ``nil:`` id or none); otherwise its canonical name is the gold one."""
    if canonical == "NIL":
        return not entity_id or entity_id.startswith("nil:")
    return pred_canonical == canonical

"""Company short forms, companies named by a list, and spans cut to their entity (issue 31).

Invented names throughout: the rules read shapes, never a list of companies."""

from __future__ import annotations

from pipeline.recognize.companies import company_core, company_short_forms, listed_companies, short_forms_of
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.trims import trim_spans
from pipeline.records import Span


def _doc(text: str, *spans: tuple[str, str], candidates: tuple[tuple[str, str], ...] = ()) -> RecognitionDoc:
    """Spans at every occurrence of each surface that no longer given surface holds; candidates
    at every occurrence."""
    def every(surface: str) -> list[int]:
        out, i = [], text.find(surface)
        while i >= 0:
            out.append(i)
            i = text.find(surface, i + 1)
        return out

    holders = [(i, i + len(o)) for o, _ in spans for i in every(o)]
    kept = [Span(i, i + len(s), label, "spacy") for s, label in spans for i in every(s)
            if not any(a <= i and i + len(s) <= b and b - a > len(s) for a, b in holders)]
    doc = RecognitionDoc(text=text, spans=sorted(kept, key=lambda x: x.start))
    doc.candidates = {"gazetteer": [Span(i, i + len(s), label, "gazetteer") for s, label in candidates for i in every(s)]}
    return doc


def _got(doc: RecognitionDoc) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


def test_company_core_drops_place_and_legal_suffix() -> None:
    assert company_core("浙江筑岭新材料有限公司", 2) == "筑岭新材料"
    assert company_core("平湖市澄禾服饰有限公司", 3) == "澄禾服饰"
    assert company_core("嘉兴弥川生物科技股份有限公司", 2) == "弥川生物科技"


def test_short_forms_take_the_core_in_order() -> None:
    text = "浙江筑岭新材料有限公司签约。筑岭新材是重点企业，筑岭的产值。"
    full = [(0, 11)]
    assert [text[a:b] for a, b in short_forms_of(text, "筑岭新材料", full)] == ["筑岭新材"]  # not the bare 筑岭


def test_short_form_pass_adds_an_org_and_replaces_a_place_reading() -> None:
    text = "浙江筑岭新材料有限公司落户。筑岭新材总经理说，筑岭新材的产值翻番。"
    doc = _doc(text, ("浙江筑岭新材料有限公司", "ORG"), ("筑岭", "PLACE"), candidates=(("浙江", "PLACE"),))
    company_short_forms(doc, None)
    got = _got(doc)
    assert got.count(("筑岭新材", "ORG")) == 2 and ("筑岭", "PLACE") not in got


def test_listed_companies_are_orgs_and_their_repeats_too() -> None:
    text = "产品已进入澜栖、岑峰等企业的供应链。设备发往澜栖位于华南的园区。"
    doc = _doc(text, ("澜栖", "PLACE"))
    listed_companies(doc, None)
    got = _got(doc)
    assert ("澜栖", "ORG") in got and ("岑峰", "ORG") in got and ("澜栖", "PLACE") not in got
    assert got.count(("澜栖", "ORG")) == 2


def test_no_list_no_company() -> None:
    doc = _doc("澜栖、岑峰等地的游客。", ("澜栖", "PLACE"))
    listed_companies(doc, None)
    assert _got(doc) == [("澜栖", "PLACE")]


def test_trims() -> None:
    doc = _doc("召开普惠金融服务推进会，全国人大常委会执法检查组来到天妃社区文化礼堂，新任命的同志表态。",
               ("普惠金融服务推进会", "ORG"), ("全国人大常委会执法检查组", "ORG"), ("天妃社区文化礼堂", "PLACE"),
               ("任命的", "PERSON"))
    trim_spans(doc, None)
    assert _got(doc) == [("全国人大常委会", "ORG"), ("天妃社区", "PLACE")]


def test_trims_keep_standing_bodies() -> None:
    doc = _doc("市商会和市工商联合会召开会议", ("市商会", "ORG"), ("市工商联合会", "ORG"))
    trim_spans(doc, None)
    assert _got(doc) == [("市商会", "ORG"), ("市工商联合会", "ORG")]  # 会 of a body is no meeting


def test_a_list_of_industries_is_no_list_of_companies() -> None:
    for text in ("支持汽车、电子等企业扩产。", "引进新能源、光伏等企业。"):
        doc = _doc(text)
        listed_companies(doc, None)
        assert _got(doc) == [], text


def test_a_bureau_takes_its_standing_sub_unit_and_a_bare_group_goes() -> None:
    doc = _doc("市公安局交警大队与执法检查组座谈，市公安局刑侦大队大队长说。", ("市公安局", "ORG"), ("执法检查组", "ORG"))
    trim_spans(doc, None)
    # the second bureau's sub-unit is followed by its post (大队长): the title rules take it
    assert _got(doc) == [("市公安局交警大队", "ORG"), ("市公安局刑侦大队", "ORG")]


def test_comrade_rule_takes_no_particle_as_a_name() -> None:
    from pipeline.recognize.repair import _propagate_people

    text = "希望新任命的同志牢记重托。"
    assert _propagate_people(text, []) == []


def test_a_span_across_a_quotations_edge_goes_and_a_quoted_name_stays() -> None:
    doc = _doc("切实把“办管建”党校的责任扛在肩上，“共富工坊”开张，‘平安’村建成。",
               ("办管建”党校", "ORG"), ("“共富工坊”", "ORG"), ("安’村", "PLACE"))
    trim_spans(doc, None)
    assert _got(doc) == [("“共富工坊”", "ORG")]


def test_one_name_before_a_kind_of_company_is_listed_too() -> None:
    """京东等电商平台: a list of one; the same guards (a source proposed it, no everyday word)."""
    doc = _doc("还通过澜栖等电商平台卖到了全国。", ("澜栖", "PLACE"))
    listed_companies(doc, None)
    assert _got(doc) == [("澜栖", "ORG")]
    for text in ("还通过澜栖等电商平台卖到了全国。", "支持新能源等企业扩产。"):  # no source proposed a name
        doc = _doc(text)
        listed_companies(doc, None)
        assert _got(doc) == [], text

"""Names the text itself settles: national bodies and parties by their own names, a trade name
before a company post, a short name declared in brackets, a country read as a person (issue 31).

Why each pass: the taggers miss 民进 / 民建 (rare in their corpora), 拓远科技 before 董事长, PATA after
（简称PATA）, and read 圭亚那 or the 扎伊尔 of 扎伊尔总统蒙博托 as people; the evidence is a public
list (national bodies, countries) or what is printed next to the name.
"""

from __future__ import annotations

from pipeline.recognize.companies import trade_names
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.national_names import national_names
from pipeline.recognize.places import country_names
from pipeline.recognize.short_names import declared_short_names_pass
from pipeline.records import Span


def _found(doc: RecognitionDoc) -> list[tuple[str, str]]:
    return [(doc.text[s.start:s.end], s.label) for s in doc.spans]


def _span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label, "test")


def test_parties_standing_as_words_are_orgs() -> None:
    doc = RecognitionDoc(text="市政协召开座谈会，民革、民盟、民建、民进、农工党、致公党、九三学社负责人参加。", spans=[])
    national_names(doc, None)
    assert _found(doc) == [(p, "ORG") for p in ("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社")]


def test_a_party_form_inside_a_word_or_a_longer_name_is_not_one() -> None:
    doc = RecognitionDoc(text="农民建房要规范，居民建议多。", spans=[])
    national_names(doc, None)
    assert doc.spans == []
    text = "民进平湖市基层委员会召开会议。"
    doc = RecognitionDoc(text=text, spans=[_span(text, "民进平湖市基层委员会", "ORG")])
    national_names(doc, None)
    assert _found(doc) == [("民进平湖市基层委员会", "ORG")]


def test_a_trade_name_before_a_company_post_is_an_org() -> None:
    doc = RecognitionDoc(text="拓远科技董事长张立新说，润泽地产常务副总经理也来了。", spans=[])
    trade_names(doc, None)
    assert _found(doc) == [("拓远科技", "ORG"), ("润泽地产", "ORG")]


def test_no_trade_name_from_a_pointer_a_kind_of_business_or_across_a_word() -> None:
    for text in ("某房地产总经理说。", "高新科技董事长说。", "该科技公司总经理说。", "市科技局局长说。"):
        doc = RecognitionDoc(text=text, spans=[])
        trade_names(doc, None)
        assert doc.spans == [], text


def test_a_declared_short_name_takes_the_label_wherever_printed() -> None:
    text = "太平洋亚洲旅行协会（简称PATA）年会今天开幕，PATA主席致辞。"
    doc = RecognitionDoc(text=text, spans=[_span(text, "太平洋亚洲旅行协会", "ORG")])
    declared_short_names_pass(doc, None)
    assert _found(doc) == [("太平洋亚洲旅行协会", "ORG"), ("PATA", "ORG"), ("PATA", "ORG")]


def test_a_generic_back_reference_or_no_entity_before_declares_nothing() -> None:
    text = "中国和南斯拉夫联盟共和国（以下简称“双方”）。香港特别行政区基本法（以下简称“实践办法”）"
    doc = RecognitionDoc(text=text, spans=[_span(text, "中国", "PLACE"), _span(text, "南斯拉夫联盟共和国", "PLACE")])
    declared_short_names_pass(doc, None)
    assert _found(doc) == [("中国", "PLACE"), ("南斯拉夫联盟共和国", "PLACE")]


def test_a_country_read_as_a_person_becomes_a_place() -> None:
    text = "圭亚那总理说，扎伊尔总统蒙博托抵达，埃西当选，勒布朗总督和克林顿总统出席。"
    people = ("圭亚那", "扎伊尔", "蒙博托", "埃西", "勒布朗", "克林顿")
    doc = RecognitionDoc(text=text, spans=[_span(text, p, "PERSON") for p in people])
    country_names(doc, None)
    assert _found(doc) == [("圭亚那", "PLACE"), ("扎伊尔", "PLACE"), ("蒙博托", "PERSON"), ("埃西", "PERSON"),
                           ("勒布朗", "PERSON"), ("克林顿", "PERSON")]


def test_ones_country_named_generically_is_no_place() -> None:
    """共和国的北京, 热爱祖国: no place is named (MSRA train annotates neither word alone)."""
    from pipeline.recognize.repair import drop_generic_places

    text = "共和国的北京，热爱祖国。"
    doc = RecognitionDoc(text=text, spans=[_span(text, "共和国", "PLACE"), _span(text, "北京", "PLACE"),
                                           _span(text, "祖国", "PLACE")])
    drop_generic_places(doc, None)
    assert _found(doc) == [("北京", "PLACE")]

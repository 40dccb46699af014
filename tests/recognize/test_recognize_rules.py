"""Title rules, role assignment, the combiner and the gazetteer ruler, on invented text."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.recognize.base import Piece, chunks, owned_spans
from pipeline.recognize.combine import Combiner, CombinerConfig
from pipeline.recognize.roles import assign_roles
from pipeline.recognize.ruler import GazetteerRuler
from pipeline.recognize.titles import TitleRules
from pipeline.records import Byline, Span


def spans_of(text: str, names: list[str], label: str = "PERSON", source: str = "spacy") -> list[Span]:
    out = []
    for name in names:
        start = 0
        while (k := text.find(name, start)) >= 0:
            out.append(Span(k, k + len(name), label, source))
            start = k + len(name)
    return sorted(out, key=lambda s: s.start)


def surfaces(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_titles_compose_units_and_posts() -> None:
    t = TitleRules()
    text = "市委副书记、市长周明远，市人大常委会主任郑海平，市政协副主席何春燕出席。"
    assert surfaces(text, t.find(text)) == ["市委副书记、市长", "市人大常委会主任", "市政协副主席"]


def test_titles_absorb_a_named_unit_before_the_post() -> None:
    t = TitleRules()
    text = "市发改局局长孙立新和乍浦镇党委书记钱卫国"
    orgs = [Span(0, 4, "ORG", "gazetteer"), Span(10, 13, "PLACE", "gazetteer")]
    assert surfaces(text, t.find(text, orgs)) == ["市发改局局长", "乍浦镇党委书记"]


def test_bare_generic_post_is_not_a_title() -> None:
    assert TitleRules().find("他是协会的委员，也是主任。") == []


def roles_of(text: str, names: list[str], bylines: list[Byline] = ()) -> dict[str, tuple[str, bool]]:
    people = spans_of(text, names)
    titles = TitleRules().find(text)
    return {text[a.span.start : a.span.end] + f"@{a.span.start}": (a.role, a.is_official)
            for a in assign_roles(text, people, titles, bylines)}


def test_title_before_name_and_enumeration_after_collective_title() -> None:
    text = "副市长沈一鸣出席。市领导陆文、韩雪和范思远参加。"
    r = roles_of(text, ["沈一鸣", "陆文", "韩雪", "范思远"])
    assert r["沈一鸣@3"] == ("副市长", True)
    assert r["陆文@12"] == ("市领导", True)
    assert r["韩雪@15"] == ("市领导", True)
    assert r["范思远@18"] == ("市领导", True)


def test_enumeration_followed_by_deng_title() -> None:
    text = "陈国华、许兰等市领导出席会议。"
    r = roles_of(text, ["陈国华", "许兰"])
    assert r["陈国华@0"] == ("市领导", True)
    assert r["许兰@4"] == ("市领导", True)


def test_title_in_brackets_after_name_and_inheritance() -> None:
    text = "会议由吴德明（市农业农村局局长）主持。吴德明指出，要抓好春耕。村民蒋小梅说很好。"
    r = roles_of(text, ["吴德明", "蒋小梅"])
    assert r["吴德明@3"][0] == "市农业农村局局长"
    assert r["吴德明@19"] == ("市农业农村局局长", True)  # repeated without title: inherits
    assert r["蒋小梅@33"] == ("", False)


def test_title_right_after_a_name() -> None:
    text = "学习李正国总书记的讲话，李正国同志指出。张晓明书记调研。"
    r = roles_of(text, ["李正国", "张晓明"])
    assert r["李正国@2"] == ("总书记", True)
    assert r["李正国@12"] == ("总书记", True)  # inherits
    assert r["张晓明@20"] == ("书记", True)


def test_byline_names_take_byline_roles_and_are_not_officials() -> None:
    text = "记者 孔令杰\n本报讯 孔令杰报道。"
    bylines = [Byline("记者", "孔令杰", 3, 6)]
    r = roles_of(text, ["孔令杰"], bylines)
    assert r["孔令杰@3"] == ("记者", False)
    assert r["孔令杰@11"] == ("记者", False)


def test_combiner_keeps_longer_model_span_over_inner_gazetteer_name() -> None:
    text = "平湖农商银行与平湖经济技术开发区签约"
    cands = [
        Span(0, 6, "ORG", "spacy"),
        Span(0, 2, "PLACE", "gazetteer"),
        Span(7, 9, "PLACE", "spacy"),
        Span(7, 16, "ORG", "gazetteer"),
    ]
    out = Combiner().combine(text, cands)
    assert [(text[s.start : s.end], s.label) for s in out] == [("平湖农商银行", "ORG"), ("平湖经济技术开发区", "ORG")]


def test_combiner_votes_and_threshold() -> None:
    text = "张三在李庄村"
    cfg = CombinerConfig(weights={"a": {"PERSON": 0.4, "PLACE": 0.4}, "b": {"PERSON": 0.4, "PLACE": 0.3}}, threshold=0.5)
    out = Combiner(cfg).combine(text, [Span(0, 2, "PERSON", "a"), Span(0, 2, "PERSON", "b"), Span(3, 6, "PLACE", "a")])
    # Two weak agreeing votes pass (1 - 0.6 * 0.6 = 0.64); one weak vote alone does not.
    assert [(s.start, s.end, s.label) for s in out] == [(0, 2, "PERSON")]
    assert out[0].source == "a+b"


def test_combiner_blocklist_is_per_source() -> None:
    cfg = CombinerConfig(blocklist={"lac": {"PLACE|全省"}})
    out = Combiner(cfg).combine("全省", [Span(0, 2, "PLACE", "lac")])
    assert out == []


def test_ruler_longest_match() -> None:
    r = GazetteerRuler(names=[("平湖", "PLACE"), ("平湖市", "PLACE"), ("钟埭街道", "PLACE"), ("钟埭", "PLACE")])
    text = "平湖市钟埭街道和平湖"
    assert [(text[s.start : s.end], s.label) for s in r.find(text)] == [("平湖市", "PLACE"), ("钟埭街道", "PLACE"), ("平湖", "PLACE")]


def test_chunks_cover_text_and_respect_limit() -> None:
    text = ("这是一个很长的句子，" * 50 + "。") * 3 + "x" * 700
    pieces = chunks(text, limit=120)
    assert all(len(p.text) <= 120 for p in pieces)
    assert all(text[p.offset : p.offset + len(p.text)] == p.text for p in pieces)
    # the owned parts tile the text exactly: every position belongs to one piece
    owned = [p.own for p in pieces]
    assert owned[0][0] == 0 and owned[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(owned, owned[1:]))
    assert all(p.offset <= p.own[0] and p.own[1] <= p.offset + len(p.text) for p in pieces)
    # cuts at a stop do not overlap; only the 700 x's with no stop are cut blind, with overlap
    for a, b in zip(pieces, pieces[1:]):
        end = a.offset + len(a.text)
        assert b.offset == (end if a.text[-1] in "，。" else end - 24)
    assert sum(p.text[-1] == "x" for p in pieces[:-1]) >= 5  # the x's were cut blind
    assert chunks("x" * 50, limit=10, overlap=99)[-1].own[1] == 50  # an overlap too wide still ends
    lines = "标题一行\n记者 某某\n\n本报讯 正文。"
    assert [p.text for p in chunks(lines)] == ["标题一行", "记者 某某", "本报讯 正文。"]


def test_a_blind_cut_loses_no_name_the_tagger_sees_whole() -> None:
    """A list of names with no separators (an OCR'd 名单) cut blind: the name across the cut is
    found by the piece that sees it whole, once, and the half-names each piece sees at its edge
    are dropped."""
    names = ["王小明", "李华", "张三丰", "赵四"] * 40
    text = "".join(names)
    pieces = chunks(text, limit=50)
    assert len(pieces) > 4 and any(a.offset + len(a.text) > b.offset for a, b in zip(pieces, pieces[1:]))

    def tag(piece: Piece) -> list[Span]:  # a perfect tagger, except at a piece's edges
        out, pos = [], 0
        for name in names:
            s, e = pos - piece.offset, pos + len(name) - piece.offset
            if 0 <= s and e <= len(piece.text):
                out.append(Span(pos, pos + len(name), "PERSON", "t"))
            elif s < len(piece.text) and e > 0:  # cut by the piece's edge: a wrong half-name
                out.append(Span(max(pos, piece.offset), min(pos + len(name), piece.offset + len(piece.text)),
                                "PERSON", "t"))
            pos += len(name)
        return out

    got = owned_spans(pieces, [tag(p) for p in pieces])
    want, pos = [], 0
    for name in names:
        want.append((pos, pos + len(name)))
        pos += len(name)
    assert [(s.start, s.end) for s in got] == want


def test_combiner_takes_the_gazetteer_type_for_a_gazetteer_name() -> None:
    text = "平湖经开作表态发言"
    out = Combiner().combine(text, [Span(0, 4, "ORG", "lac"), Span(0, 4, "ORG", "spacy"), Span(0, 4, "PLACE", "gazetteer")])
    assert [(s.start, s.end, s.label) for s in out] == [(0, 4, "PLACE")]
    assert out[0].score > 0.95


def test_address_chains_split_into_places() -> None:
    from pipeline.recognize.places import split_address_chains, split_chain

    assert [("安徽省阜阳市"[a:b]) for a, b in split_chain("安徽省阜阳市")] == ["安徽省", "阜阳市"]
    for whole in ("浦东新区", "镇江市", "新市镇", "上海市区", "凉山彝族自治州", "杭州湾"):
        assert split_chain(whole) == [(0, len(whole))], whole
    text = "家住新埭镇泖口村的村民"
    out = split_address_chains([Span(2, 8, "PLACE", "lac")], text)
    assert [text[s.start : s.end] for s in out] == ["新埭镇", "泖口村"]


def test_absorbed_prefix_rule_cuts_verbs_before_bodies_but_never_people() -> None:
    text = "联合市教育局开展检查，吴金华出席"
    cands = [
        Span(0, 6, "ORG", "lac"), Span(2, 6, "ORG", "gazetteer"),
        Span(11, 14, "PERSON", "lac"), Span(12, 14, "PLACE", "gazetteer"),
    ]
    out = Combiner().combine(text, cands)
    assert [(text[s.start : s.end], s.label) for s in out] == [("市教育局", "ORG"), ("吴金华", "PERSON")]


def test_repair_suffixes_locatives_and_consistent_names() -> None:
    from pipeline.recognize.repair import repair

    text = "梅兴社区和百寿村里，计根林同志说。今年的计根林很忙。钟溪人说钟溪好。"
    spans = [
        Span(0, 2, "PERSON", "lac"), Span(5, 9, "PLACE", "lac"),
        Span(26, 28, "PERSON", "lac"), Span(30, 32, "PLACE", "lac"), Span(9, 10, "PLACE", "lac"),
    ]
    out = [(text[s.start : s.end], s.label) for s in repair(text, spans)]
    assert ("梅兴社区", "PLACE") in out and ("百寿村", "PLACE") in out
    assert out.count(("计根林", "PERSON")) == 2  # from 同志, then its repeat
    assert ("钟溪", "PERSON") in out and out.count(("钟溪", "PERSON")) == 1  # also a PLACE here: not spread
    assert all(len(s) > 1 for s, _ in out)


def test_repair_spreads_a_twice_read_place_through_the_article() -> None:
    """云岙 (no dictionary knows it) read as a place twice is a place in 云岙文化节 too, and so is
    香港 (a known name) where a list hid it; a name read once and a name also read as something
    else are left alone; a known name is not spread into a longer name read twice (上海塘)."""
    text = "云岙古镇在云岙。云岙文化节开幕。石梁读一次，石梁节。香港在香港，港澳香港台。上海塘在上海塘，上海塘边。"
    spans = [_span(text, "云岙", "PLACE"), _span(text, "云岙", "PLACE", 1), _span(text, "石梁", "PLACE"),
             _span(text, "香港", "PLACE"), _span(text, "香港", "PLACE", 1),
             _span(text, "上海塘", "PLACE"), _span(text, "上海塘", "PLACE", 1), _span(text, "上海", "PLACE", 2)]
    out = _repaired(text, spans)
    assert out.count(("云岙", "PLACE")) == 3
    assert out.count(("石梁", "PLACE")) == 1
    assert out.count(("香港", "PLACE")) == 3
    assert out.count(("上海塘", "PLACE")) == 3 and ("上海", "PLACE") not in out
    mixed = [_span(text, "云岙", "PLACE"), _span(text, "云岙", "PLACE", 1), _span(text, "云岙", "ORG", 2)]
    assert _repaired(text, mixed).count(("云岙", "PLACE")) == 2


def test_repair_lets_a_twice_read_name_replace_a_shorter_span_inside_it() -> None:
    """上海塘 (a river) read twice in an article is 上海塘 where a tagger kept only 上海 of it; a
    kept span reaching outside the name is another reading and stays, and so does a span the name
    does not hold."""
    text = "上海塘整治。上海塘边，上海塘段。上海塘林，上海来客。"
    spans = [_span(text, "上海", "PLACE"), _span(text, "上海塘", "PLACE", 1), _span(text, "上海塘", "PLACE", 2),
             _span(text, "上海塘林", "PLACE"), _span(text, "上海", "PLACE", 4)]
    out = _repaired(text, spans)
    assert out.count(("上海塘", "PLACE")) == 3
    assert ("上海塘林", "PLACE") in out and out.count(("上海", "PLACE")) == 1


def test_ruler_never_reports_past_the_end() -> None:
    r = GazetteerRuler(names=[("市发改局", "ORG"), ("市发改局局长办公室", "ORG")])
    assert [(s.start, s.end) for s in r.find("市发改局")] == [(0, 4)]


def test_no_gazetteer_name_that_ends_inside_a_dictionary_word() -> None:
    """组织部分企业 is 组织 + 部分 (organise some firms), not the party's 组织部; 平湖市民 is 平湖 +
    市民.  A name's start may join the word before it (和平 + 湖) and an unknown word may be cut
    anywhere (钟 + 埭 + 街道): neither stops a name; other sources' candidates are left alone."""
    from pipeline.recognize.document import RecognitionDoc
    from pipeline.recognize.repair import drop_split_names

    names = [("组织部", "ORG"), ("平湖市", "PLACE"), ("钟埭街道", "PLACE"), ("平湖", "PLACE")]
    text = "市人社局还组织部分企业赴江苏，平湖市民来到钟埭街道和平湖"
    found = GazetteerRuler(names=names).find(text)
    assert [text[s.start : s.end] for s in found] == ["组织部", "平湖市", "钟埭街道", "平湖"]
    doc = RecognitionDoc(text, candidates={"gazetteer": found, "lac": [_span(text, "组织部", "ORG")]})
    drop_split_names(doc, None)
    assert [text[s.start : s.end] for s in doc.candidates["gazetteer"]] == ["钟埭街道", "平湖"]
    assert [text[s.start : s.end] for s in doc.candidates["lac"]] == ["组织部"]


def _repaired(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    from pipeline.recognize.repair import repair

    return [(text[s.start : s.end], s.label) for s in repair(text, spans)]


def _span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label, "lac", 0.9)


def test_repair_drops_descriptive_words_around_places() -> None:
    text = "安吉集镇很热闹，浙北地区的桐乡市民和桐乡市域企业，建设美丽乡村与和美乡村。"
    spans = [_span(text, "安吉集镇", "PLACE"), _span(text, "浙北地区", "PLACE"), _span(text, "桐乡市", "PLACE"),
             _span(text, "桐乡市", "PLACE", 1), _span(text, "美丽乡村", "PLACE"), _span(text, "美乡村", "PLACE")]
    assert _repaired(text, spans) == [("安吉", "PLACE"), ("浙北", "PLACE"), ("桐乡", "PLACE"), ("桐乡", "PLACE")]


def test_repair_keeps_city_names_that_are_not_followed_by_a_city_word() -> None:
    text = "桐乡市人民政府在桐乡市，嘉兴市区。"
    spans = [_span(text, "桐乡市", "PLACE", 1), _span(text, "嘉兴市", "PLACE")]
    assert _repaired(text, spans) == [("桐乡市", "PLACE"), ("嘉兴", "PLACE")]


def test_repair_keeps_the_city_where_its_next_character_begins_a_word() -> None:
    """盘锦市 + 区域性 (regional), 嘉兴市 + 民族宗教局: the 市 stays (MSRA test's gold has 盘锦市);
    桐乡市民 still reads 桐乡 + 市民."""
    text = "盘锦市区域性整体教育，嘉兴市民族宗教局和桐乡市民。"
    spans = [_span(text, "盘锦市", "PLACE"), _span(text, "嘉兴市", "PLACE"), _span(text, "桐乡市", "PLACE")]
    assert _repaired(text, spans) == [("盘锦市", "PLACE"), ("嘉兴市", "PLACE"), ("桐乡", "PLACE")]


def test_repair_adds_no_settlement_suffix_to_a_whole_division() -> None:
    """天津市和平区 + 社区精神文明建设: the district's communities, not a community 和平区社区 (MSRA
    test's gold has 和平区); 梅兴 + 社区 is still the community 梅兴社区."""
    text = "天津市和平区社区精神文明建设，梅兴社区。"
    spans = [_span(text, "和平区", "PLACE"), _span(text, "梅兴", "PLACE")]
    assert _repaired(text, spans) == [("和平区", "PLACE"), ("梅兴社区", "PLACE")]


def test_repair_settlement_suffix_is_not_added_twice() -> None:
    text = "徐家埭村村民说，龙萌村民说"
    spans = [_span(text, "徐家埭村", "PLACE"), _span(text, "龙萌", "PLACE")]
    assert _repaired(text, spans) == [("徐家埭村", "PLACE"), ("龙萌村", "PLACE")]


def test_repair_transport_modes_are_not_rivers() -> None:
    text = "推进海河联运，江海联运，海河流域。"
    spans = [_span(text, "海河", "PLACE"), _span(text, "江海", "PLACE"), _span(text, "海河", "PLACE", 1)]
    assert _repaired(text, spans) == [("海河", "PLACE")]


def test_repair_joins_registered_company_names_with_a_bracketed_place() -> None:
    text = "辖区内南六企业（平湖）有限公司、日清食品(中国)投资有限公司和(嘉兴)公司参加。"
    spans = [_span(text, "南六", "ORG"), _span(text, "平湖", "PLACE"), _span(text, "日清", "ORG"),
             _span(text, "中国", "PLACE")]
    out = _repaired(text, spans)
    assert out == [("南六企业（平湖）有限公司", "ORG"), ("日清食品(中国)投资有限公司", "ORG")]


def test_company_name_anchored_by_a_proposal_the_vote_dropped() -> None:
    from pipeline.recognize.repair import repair

    text = "辖区内南六企业（平湖）有限公司参加。他在区内华丰纺织（嘉兴）有限公司工作"
    candidates = [_span(text, "南六", "ORG")]  # proposed by one source, below the threshold
    out = [(text[s.start : s.end], s.label) for s in repair(text, [], candidates)]
    assert out == [("南六企业（平湖）有限公司", "ORG")]  # the unanchored second one is not guessed


def test_settlement_suffix_makes_two_sources_agree_before_the_vote() -> None:
    from pipeline.recognize.repair import extend_settlements

    text = "当湖街道梅兴社区开幕，和美乡村"
    spans = [_span(text, "梅兴", "PLACE"), _span(text, "梅兴社区", "PLACE"), _span(text, "和美", "PLACE"),
             Span(text.index("美乡"), text.index("美乡") + 1, "PLACE", "spacy")]
    out = [(text[s.start : s.end], s.label) for s in extend_settlements(text, spans)]
    assert out == [("梅兴社区", "PLACE"), ("梅兴社区", "PLACE"), ("和美", "PLACE"), ("美", "PLACE")]


def test_repair_joins_a_body_and_its_standing_organ() -> None:
    text = "县委理论学习中心组开会，县委常委会研究，县政府党组书记"
    spans = [_span(text, "县委", "ORG"), _span(text, "县委", "ORG", 1), _span(text, "县政府", "ORG")]
    assert _repaired(text, spans) == [("县委理论学习中心组", "ORG"), ("县委常委会", "ORG"), ("县政府党组", "ORG")]


def test_party_branch_and_company_posts_keep_their_unit() -> None:
    text = "东湾村党总支书记周立新说，公司总经理钱涛介绍。"
    people = spans_of(text, ["周立新", "钱涛"])
    place = [Span(0, 3, "PLACE", "lac")]
    titles = TitleRules().find(text, place)
    roles = {text[a.span.start : a.span.end]: a.role for a in assign_roles(text, people, titles)}
    assert roles == {"周立新": "东湾村党总支书记", "钱涛": "公司总经理"}


def test_combiner_config_threshold_per_backend(tmp_path: Path) -> None:
    path = tmp_path / "combiner.json"
    path.write_text(json.dumps({"weights": {"lac": {"ORG": 0.6}}, "thresholds": {"combined": 0.8, "lac-gazetteer": 0.5},
                                "blocklist": {"lac": ["PLACE|全省"]}}), encoding="utf-8")
    assert CombinerConfig.load(path, "combined").threshold == 0.8
    assert CombinerConfig.load(path, "lac-gazetteer").threshold == 0.5
    assert CombinerConfig.load(path, "spacy").threshold == 0.5  # no entry: the default
    assert CombinerConfig.load(path).weights["lac"]["ORG"] == 0.6
    path.write_text(json.dumps({"threshold": 0.7}), encoding="utf-8")  # an older file: one threshold
    assert CombinerConfig.load(path, "combined").threshold == 0.7


def test_model_spans_carry_confidence_into_the_vote() -> None:
    """An unsure lone model span is outvoted at a high threshold; a sure one, or one LAC agrees with, stays."""
    text = "张三在平湖会见李四"
    cfg = CombinerConfig(weights={"spacy": {"PERSON": 0.95, "PLACE": 0.95}, "lac": {"PERSON": 0.8, "PLACE": 0.75}},
                         threshold=0.8)
    cands = [Span(0, 2, "PERSON", "spacy", 0.99), Span(3, 5, "PLACE", "spacy", 0.6), Span(3, 5, "PLACE", "lac"),
             Span(7, 9, "PERSON", "spacy", 0.5)]
    out = [(text[s.start : s.end], s.label) for s in Combiner(cfg).combine(text, cands)]
    assert out == [("张三", "PERSON"), ("平湖", "PLACE")]

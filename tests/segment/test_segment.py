"""Segmentation: articles, fields, bylines, column-break repair, offsets back to the source."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.ingest.normalize import PUNCT_FULLWIDTH, fold_width, normalize, normalize_str
from pipeline.ingest.read import read_source, split_pages
from pipeline.records import Article, Page, SourceDoc
from pipeline.segment import Segmenter, ends_sentence, is_brief_label, parse_byline

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "seeds" / "000_2b345dada261a864.txt"
PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
DATE = dt.date(2023, 3, 24)


def doc_of(text: str, path: str = "page.txt", date: dt.date | None = DATE) -> SourceDoc:
    return SourceDoc(path, text, "utf-8", "0" * 64, "pinghu-daily", date)


def seg(text: str, number: int = 1, **kw: object) -> list[Article]:
    doc = doc_of(text, **kw)  # type: ignore[arg-type]
    return Segmenter().segment(Page(doc, number, 0, len(text)))


def byl(a: Article) -> list[tuple[str, str]]:
    return [(b.role, b.name) for b in a.bylines]


def check_layout(a: Article, source: str) -> None:
    """Field spans partition the text line by line; every character maps back to the source."""
    lines = [f for f in a.fields if f.kind != "dateline"]
    assert a.text == "\n".join(a.text[f.start : f.end] for f in lines)
    assert all(f.end > f.start and "\n" not in a.text[f.start : f.end] for f in a.fields)
    datelines = [f for f in a.fields if f.kind == "dateline"]
    assert len(datelines) <= 1
    for f in datelines:  # nested only at the start of a body line, listed just before it
        body = a.fields[a.fields.index(f) + 1]
        assert body.kind == "body" and f.start == body.start and f.end <= body.end
        assert a.text[f.start : f.end] == a.dateline
    norm = normalize_str(source)
    assert len(a.mapped.origin) == len(a.text)
    for ch, o in zip(a.text, a.mapped.origin, strict=True):
        assert 0 <= o < len(source)
        if not ch.isspace():
            assert norm[o] == ch
    for b in a.bylines:
        assert a.text[b.start : b.end] == b.name


# --- the sample page --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple[SourceDoc, list[Article]]:
    doc = read_source(SAMPLE)
    (page,) = split_pages(doc)
    return doc, Segmenter().segment(page)


def test_sample_headlines_and_kinds(sample: tuple[SourceDoc, list[Article]]) -> None:
    _, arts = sample
    assert [a.headline for a in arts] == [
        "市委常委会召开会议",
        "市委理论学习中心组举行“四敢争先”专题学习会",
        "光电产业联盟 银（院）企签约仪式举行",  # ASCII parentheses in CJK context become full-width
        "全市电网建设工作会议召开",
        "仲旭东在交通强市誓师大会暨“海河联运”推进大会上强调",
        "赏樱",
        "平湖经开擦亮“钟溪文化”金名片",
    ]
    assert [a.kind for a in arts] == ["news"] * 5 + ["photo", "news"]
    assert [a.article_id for a in arts] == [f"pinghu-daily:2023-03-24:p1:{i:02d}" for i in range(1, 8)]
    assert [a.seq for a in arts] == list(range(1, 8))
    assert all(a.page == 1 and a.issue_date == DATE and a.paper == "pinghu-daily" for a in arts)
    assert all(a.source_path.endswith("000_2b345dada261a864.txt") for a in arts)


def test_sample_subtitles_bylines_datelines(sample: tuple[SourceDoc, list[Article]]) -> None:
    _, arts = sample
    assert [a.subtitles for a in arts] == [
        ["传达学习习近平总书记关于长三角一体化发展系列重要指示精神等"],
        ["打造更多平湖辨识度 标志性实践成果"],
        [],
        [],
        ["掀起“大干交通、干大交通”热潮 全面推进交通建设大跨越大提升"],
        [],
        [],
    ]
    assert all(a.kicker == "" for a in arts)
    assert [byl(a) for a in arts] == [
        [("记者", "李雨婷")],
        [("记者", "李雨婷")],
        [("记者", "杨昊玥"), ("见习记者", "倪雨伦")],
        [("记者", "黄雨欣")],
        [("记者", "林旭东")],
        [("摄影", "王强"), ("摄影", "陈明远")],
        [("记者", "胡佳英"), ("通讯员", "曹金凤"), ("通讯员", "陈明远")],
    ]
    assert [a.dateline for a in arts] == [
        "本报讯 3月24日下午",
        "本报讯 3月24日",
        "本报讯 3月24日",
        "本报讯 3月24日",
        "本报讯 3月24日上午",
        "",
        "本报讯",
    ]
    a3 = arts[2]
    assert [a3.text[f.start : f.end] for f in a3.fields if f.kind == "byline"] == [
        "记者 杨昊玥",
        "见习记者 倪雨伦",
    ]
    assert arts[0].body_text().startswith("本报讯 3月24日下午，市委常委会召开会议，")
    assert arts[0].field_at(0) == "headline" and arts[0].field_at(arts[0].text.index("本报讯")) == "dateline"


def test_sample_photo_item(sample: tuple[SourceDoc, list[Article]]) -> None:
    photo = sample[1][5]
    assert photo.captions == [
        "上周末，钟埭街道2023钟溪文化节暨樱花节正式开幕了。在这个樱花盛开的时节，游客们赏樱游玩，共度周末。"
    ]
    assert photo.text == "赏樱\n摄影 王强 陈明远\n" + photo.captions[0]
    assert [f.kind for f in photo.fields] == ["headline", "byline", "caption"]


def test_sample_column_breaks_repaired(sample: tuple[SourceDoc, list[Article]]) -> None:
    _, arts = sample
    bodies = "\n".join(a.body_text() for a in arts)
    for word in [
        "决胜经济战场",
        "敏锐掌握",
        "人潮涌动",
        "感受到了时尚气息",
        "发展状况",
        "重要支撑",
        "全流程管理",
    ]:
        assert word in bodies
    assert "在传达学习习近平总书记关于全面深化改革" in arts[0].body_text()
    assert [a.repairs for a in arts] == [2, 1, 0, 1, 4, 0, 3]
    for a in arts:
        for f in a.fields:
            if f.kind == "body":
                assert ends_sentence(a.text[f.start : f.end]), a.text[f.start : f.end][-20:]


def test_sample_maps_back_to_source(sample: tuple[SourceDoc, list[Article]]) -> None:
    doc, arts = sample
    for a in arts:
        check_layout(a, doc.text)
        assert a.source_sha256 == doc.sha256
    a1 = arts[0]
    s, e = a1.mapped.to_source(0, len(a1.headline))
    assert doc.text[s:e] == "市委常委会召开会议"
    # Each "決胜" half comes from its own source line: the join is a map, not a copy.
    a5 = arts[4]
    i = a5.text.index("决胜经济战场")
    assert doc.text[a5.mapped.origin[i]] == "决" and doc.text[a5.mapped.origin[i + 1]] == "胜"
    assert a5.mapped.origin[i + 1] - a5.mapped.origin[i] == 3  # "\n\n" dropped between them


def test_sample_without_markup_segments_the_same(sample: tuple[SourceDoc, list[Article]]) -> None:
    raw = sample[0].text
    plain = re.sub(r"(?m)^#+ ", "", raw).replace("■", "")
    arts = seg(plain)
    assert [a.headline for a in arts] == [a.headline for a in sample[1]]
    assert [a.subtitles for a in arts] == [a.subtitles for a in sample[1]]
    assert [byl(a) for a in arts] == [byl(a) for a in sample[1]]
    assert [a.kind for a in arts] == [a.kind for a in sample[1]]


def test_paper_override(sample: tuple[SourceDoc, list[Article]]) -> None:
    doc = sample[0]
    arts = Segmenter().segment(Page(doc, 5, 0, len(doc.text)), paper="jiaxing-daily")
    assert arts[0].article_id == "jiaxing-daily:2023-03-24:p5:01" and arts[0].paper == "jiaxing-daily"
    undated = seg("## 标题\n\n正文。", date=None)
    assert undated[0].article_id == "pinghu-daily:nodate:p1:01"


# --- hand-written pages -----------------------------------------------------------------------


def test_plain_text_page() -> None:
    doc = read_source(PAGES / "pinghu_2023-04-12_p2_plain.txt")
    assert doc.page == 2 and doc.issue_date == dt.date(2023, 4, 12)
    (page,) = split_pages(doc)
    arts = Segmenter().segment(page)
    assert [a.headline for a in arts] == [
        "乍浦镇启动“美丽河湖”提升行动",
        "新仓镇蘑菇产业迎来丰收季",
        "独山港镇开展防汛应急演练",
    ]
    assert arts[0].article_id == "pinghu-daily:2023-04-12:p2:01"
    assert byl(arts[0]) == [("记者", "沈嘉怡"), ("通讯员", "顾文杰")]
    assert arts[0].dateline == "本报讯 4月11日上午"
    assert arts[0].repairs == 1 and "就能看到变化，心里高兴。”" in arts[0].body_text()
    assert arts[1].subtitles == ["——今年鲜菇产量有望突破8000吨"]
    assert byl(arts[1]) == [("记者", "钱佳敏"), ("通讯员", "徐海峰")]  # inside 本报讯（…）
    assert arts[1].dateline == "本报讯（记者 钱佳敏 通讯员 徐海峰）4月10日"
    assert not any(f.kind == "byline" for f in arts[1].fields)
    assert byl(arts[2]) == [("通讯员", "陆晓燕")] and arts[2].dateline == ""
    assert all(a.kind == "news" for a in arts)
    for a in arts:
        check_layout(a, doc.text)


def test_gb18030_page() -> None:
    doc = read_source(PAGES / "gb18030_2023-05-06.txt")
    (a,) = Segmenter().segment(split_pages(doc)[0])
    assert a.headline == "当湖街道老旧小区改造全面启动"
    assert a.subtitles == ["涉及6个小区 惠及居民2300余户"]
    assert byl(a) == [("记者", "沈嘉怡")] and a.dateline == "本报讯 5月5日"
    check_layout(a, doc.text)


def test_issue_with_jumps_between_pages() -> None:
    doc = read_source(PAGES / "issue_2023-04-14.txt")
    p1, p2 = split_pages(doc)
    (a,) = Segmenter().segment(p1)
    b, c = Segmenter().segment(p2)
    assert (
        a.article_id.endswith(":p1:01")
        and b.article_id.endswith(":p2:01")
        and c.article_id.endswith(":p2:02")
    )
    assert a.headline == b.headline == "钟埭街道打造“15分钟便民生活圈”"
    assert a.jumps == ["下转第2版"] and b.jumps == ["上接第1版"] and c.jumps == ["转第3版"]
    for art in (a, b, c):
        assert "转第" not in art.text and "接第" not in art.text and "第1版" not in art.text
        check_layout(art, doc.text)
    assert a.body_text().endswith("推动生活服务设施")
    assert b.body_text().startswith("集中布局、共建共享。")
    assert c.repairs == 1 and c.body_text().endswith("帮助新员工尽快适应岗位要求。")
    assert byl(a) == [("记者", "钱佳敏"), ("通讯员", "褚一帆")]


def test_jump_inside_a_headline() -> None:
    (a,) = seg("## 新仓镇芦笋产业（上接第1版）\n\n种植面积进一步扩大。\n")
    assert a.headline == "新仓镇芦笋产业" and a.jumps == ["上接第1版"]


def test_brief_columns() -> None:
    doc = read_source(PAGES / "pinghu_2023-04-15_p3_brief.txt")
    arts = Segmenter().segment(split_pages(doc)[0])
    assert doc.page == 3
    assert [a.kind for a in arts] == ["brief"] * 3 + ["news"] + ["brief"] * 3
    assert [a.headline for a in arts[:4]] == [
        "新埭镇开展消防安全培训",
        "广陈镇农产品直播带货助农增收",
        "曹桥街道举办垃圾分类宣传活动",
        "市农业农村局部署春耕备耕工作",
    ]
    assert arts[0].body_text().startswith("4月13日，新埭镇组织")
    assert byl(arts[0]) == [("通讯员", "陆晓燕")]
    assert byl(arts[3]) == [("记者", "沈嘉怡")]
    assert [a.body_text()[:2] for a in arts[4:]] == ["1.", "2.", "3."]
    assert all("简讯" not in a.text and "一句话新闻" not in a.text for a in arts)
    assert [a.seq for a in arts] == list(range(1, 8))
    for a in arts:
        check_layout(a, doc.text)


def test_brief_items_with_bold_titles() -> None:
    text = "## 镇街简讯\n\n**林埭镇开展义诊活动**\n\n近日，林埭镇卫生院在徐埭村开展义诊。\n\n**乍浦镇清理河道**\n\n乍浦镇近日清理河道垃圾5吨。\n"
    arts = seg(text)
    assert [(a.kind, a.headline) for a in arts] == [
        ("brief", "林埭镇开展义诊活动"),
        ("brief", "乍浦镇清理河道"),
    ]
    assert arts[1].body_text() == "乍浦镇近日清理河道垃圾5吨。"


def test_kicker_subtitle_notice_and_section_heading() -> None:
    text = (
        "### 聚焦共同富裕\n\n## 广陈镇农旅融合结硕果\n\n### 村集体经济收入同比增长两成\n\n■记者 朱思琪\n\n"
        "本报讯 3月20日，广陈镇召开农旅融合推进会。\n\n### 一、做强特色产业\n\n龙萌村的草莓采摘已成品牌。\n\n"
        "## 平湖市自然资源和规划局公告\n\n根据有关规定，现将有关事项公告如下。\n"
    )
    a, b = seg(text)
    assert a.kicker == "聚焦共同富裕" and a.headline == "广陈镇农旅融合结硕果"
    assert a.subtitles == ["村集体经济收入同比增长两成"]
    assert [f.kind for f in a.fields] == [
        "kicker",
        "headline",
        "subtitle",
        "byline",
        "dateline",
        "body",
        "body",
        "body",
    ]
    assert "一、做强特色产业" in a.body_text()
    assert b.kind == "notice"
    for art in (a, b):
        check_layout(art, text)


def test_traditional_characters() -> None:
    text = (
        "## 林埭鎮舉行消防演練\n\n■記者 屠雲飛  \n通訊員 諸葛明\n\n本報訊 5月10日上午，林埭鎮舉行消防演練。\n\n"
        "（下轉第3版）\n\n## 簡訊\n\n■乍浦鎮開展義診 近日，乍浦鎮開展義診活動。\n\n■新倉鎮修路 新倉鎮完成道路修繕。\n"
    )
    a, b, c = seg(text)
    assert a.headline == "林埭鎮舉行消防演練" and a.dateline == "本報訊 5月10日上午"
    assert byl(a) == [("记者", "屠雲飛"), ("通讯员", "諸葛明")]  # roles simplified, names as printed
    assert a.jumps == ["下轉第3版"]
    assert [(b.kind, b.headline), (c.kind, c.headline)] == [
        ("brief", "乍浦鎮開展義診"),
        ("brief", "新倉鎮修路"),
    ]
    for art in (a, b, c):
        check_layout(art, text)


def test_level_one_heading_above_a_headline_is_its_kicker() -> None:
    arts = seg(
        "# 要闻\n\n## 曹桥街道推进河道保洁\n\n本报讯 5月2日，曹桥街道开展河道保洁。\n\n## 甲\n\n## 乙\n\n正文。\n"
    )
    assert [(a.kicker, a.headline) for a in arts] == [
        ("要闻", "曹桥街道推进河道保洁"),
        ("", "甲"),
        ("", "乙"),
    ]
    assert [f.kind for f in arts[1].fields] == ["headline"]  # same level: two articles, nothing lost


def test_table_before_the_lead() -> None:
    text = "## 林埭镇举行消防演练\n\n| 项目 | 数量 |\n|---|---|\n| 车辆 | 3 |\n\n本报讯 5月10日，林埭镇举行消防演练。\n"
    (a,) = seg(text)
    assert a.dateline == "本报讯 5月10日" and "车辆" in a.body_text()
    check_layout(a, text)


def test_markdown_junk_does_not_crash() -> None:
    long_body = "举办" * 50000
    text = "\n".join(
        [
            "# 第3版",
            '<div class="page">',
            "## **新埭镇** 举办<br>春季运动会",
            "![](images/p3_01.jpg)",
            "■记者 沈嘉怡",
            "",
            "| 项目 | 人数 |",
            "|---|:---:|",
            "| 拔河 | 120 |",
            "",
            "---",
            "",
            "本报讯 4月8日，新埭镇" + long_body + "。",
            "",
            "[详见链接](http://example.com/a) 以及 <!-- 注释 --> 更多*内容*。",
            "</div>",
            "***",
            "",
        ]
    )
    (a,) = seg(text, number=3)
    assert a.headline == "新埭镇 举办春季运动会"
    assert byl(a) == [("记者", "沈嘉怡")]
    body = a.body_text()
    assert "拔河" in body and "120" in body and "详见链接" in body and long_body in body
    for junk in ("<", ">", "**", "|", "http", "![", "---", "注释"):
        assert junk not in a.text
    check_layout(a, text)


def test_page_without_articles_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no articles found on page 4") as info:
        seg("# 第4版\n\n---\n\n![](x.jpg)\n<br>\n\n", number=4, path="issue.txt")
    assert info.value.path == "issue.txt"
    with pytest.raises(InputError, match="no articles"):
        seg("\n\n  \n")


def test_crlf_page_through_ingest(tmp_path: Path) -> None:
    raw = SAMPLE.read_bytes().replace(b"\n", b"\r\n")
    p = tmp_path / "crlf_2023-03-24.txt"
    p.write_bytes(raw)
    doc = read_source(p)
    arts = Segmenter().segment(split_pages(doc)[0])
    assert len(arts) == 7 and arts[2].headline == "光电产业联盟 银（院）企签约仪式举行"


def test_one_megabyte_page_is_fast() -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    big = raw * (1_000_000 // len(raw) + 1)
    t0 = time.perf_counter()
    arts = seg(big)
    elapsed = time.perf_counter() - t0
    assert len(arts) == 7 * (1_000_000 // len(raw) + 1)
    assert elapsed < 5.0, elapsed  # about 0.5 s on a busy 2-core machine; quadratic work takes minutes


# --- helpers: normalisation, bylines, sentence ends ------------------------------------------


@pytest.mark.parametrize(
    ("src", "out"),
    [
        ("本报讯 3月24日下午,市委", "本报讯 3月24日下午，市委"),
        ("银(院)企", "银（院）企"),
        ("会议于10:30开始", "会议于10:30开始"),
        ("时间:10:30", "时间：10:30"),
        ("增长8.4%,列全省第一", "增长8.4%，列全省第一"),
        ("共1,000人", "共1,000人"),
        ("Hello, world (ok)!", "Hello, world (ok)!"),
        ("好吗?好!", "好吗？好！"),
        ("真的吗?!", "真的吗？！"),
        ("要求;二是", "要求；二是"),
        ("ＧＤＰ增长５％", "GDP增长5％"),
        ("平湖\u3000市\x0c委", "平湖 市 委"),
        ("“双落实”,既要", "“双落实”，既要"),
        ("文件(2023)第3号", "文件（2023）第3号"),
    ],
)
def test_normalize_examples(src: str, out: str) -> None:
    assert normalize_str(src) == out
    m = normalize(src, 100)
    assert m.text == out and list(m.origin) == list(range(100, 100 + len(src)))


@given(st.text(max_size=200))
@settings(max_examples=60, deadline=None)
def test_normalize_is_one_to_one(s: str) -> None:
    out = normalize_str(s)
    assert len(out) == len(s)
    for a, b in zip(s, out, strict=True):
        assert b == a or b == PUNCT_FULLWIDTH.get(a) or b == fold_width(a)


def test_parse_byline() -> None:
    assert parse_byline("记者 张晓明 通讯员 王一 李二三") == [
        ("记者", "张晓明", 3, 6),
        ("通讯员", "王一", 11, 13),
        ("通讯员", "李二三", 14, 17),
    ]
    assert parse_byline("本报记者：徐小燕") == [("记者", "徐小燕", 5, 8)]
    assert parse_byline("文/图 朱明") == [("文/图", "朱明", 4, 6)]
    assert parse_byline("金立平 摄") == [("摄影", "金立平", 0, 3)]
    assert parse_byline("实习生 褚一帆") == [("实习生", "褚一帆", 4, 7)]
    assert parse_byline("平湖 市委") is None
    assert parse_byline("记者在现场看到，工人们正在施工。") is None
    assert (
        is_brief_label("简讯")
        and is_brief_label("【镇街简讯】")
        and not is_brief_label("全市简讯工作会议召开了吗")
    )


def test_ends_sentence() -> None:
    assert (
        ends_sentence("会议召开。") and ends_sentence("他说：“好。”") and ends_sentence("（通讯员 陆晓燕）")
    )
    assert not ends_sentence("推动生活服务设施") and not ends_sentence("称为“一号工程”")


# --- property: every character lands in exactly one field, and maps back --------------------

HAN = "平湖市委会议经济发展建设工作人民群众旅游产业项目推进全面深化改革乡村振兴城乡交通电网樱花节街道"
ALPHABET = HAN + "abcXY0189 ,.;:()?!，。、“”"
NAMES = ["沈嘉怡", "顾文杰", "钱佳敏", "徐海峰", "陆晓燕", "朱思琪"]
ROLES = ["记者", "通讯员", "见习记者", "摄影", "实习生"]

chunk = st.text(alphabet=ALPHABET, min_size=1, max_size=50).filter(lambda s: s.strip() != "")


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, set[int]]:
    """A random Markdown-ish page and the offsets of its markup characters."""
    parts: list[str] = []
    markup: set[int] = set()
    pos = 0

    def emit(s: str, marks: int = 0) -> None:
        nonlocal pos
        markup.update(range(pos, pos + marks))
        parts.append(s)
        pos += len(s)

    if draw(st.booleans()):
        emit("\n" * draw(st.integers(0, 3)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["h2", "h3", "byline", "byline2", "para", "para", "para", "split"]))
        if kind == "h2":
            emit("## ", 3)
            emit(draw(chunk))
        elif kind == "h3":
            emit("### ", 4)
            emit(draw(chunk))
        elif kind in ("byline", "byline2"):
            emit("■", 1)
            emit(
                draw(st.sampled_from(ROLES))
                + " "
                + " ".join(draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)))
            )
            if kind == "byline2":
                emit("  \n" + draw(st.sampled_from(ROLES)) + " " + draw(st.sampled_from(NAMES)))
        elif kind == "para":
            emit(draw(chunk))
        else:  # a paragraph broken by a column gap
            emit(draw(chunk))
            emit(draw(st.sampled_from(["\n\n", "\n", "\n\n\n"])))
            emit(draw(chunk))
        emit(draw(st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n"])))
    return "".join(parts), markup


@given(pages())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_character_lands_in_exactly_one_field(page: tuple[str, set[int]]) -> None:
    text, markup = page
    norm = normalize_str(text)
    expected = sorted(i for i, ch in enumerate(norm) if not ch.isspace() and i not in markup)
    try:
        arts = seg(text)
    except InputError:
        assert expected == []
        return
    seen: list[int] = []
    for a in arts:
        check_layout(a, text)
        for ch, o in zip(a.text, a.mapped.origin, strict=True):
            if not ch.isspace():
                seen.append(o)
    assert sorted(seen) == expected
    assert len(set(seen)) == len(seen)


JUNK = ALPHABET + "#■●▲*_|<>![]-=/\n\n\n\t本报讯记者通讯员摄影转第2版简讯公告图为（）【】"


@given(st.text(alphabet=JUNK, max_size=300))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_segments_or_raises_input_error(text: str) -> None:
    """Whatever the page holds: articles with a sound layout, or one InputError; never a crash."""
    try:
        arts = seg(text)
    except InputError as err:
        assert "no articles" in str(err)
        return
    assert arts and [a.seq for a in arts] == list(range(1, len(arts) + 1))
    seen: list[int] = []
    for a in arts:
        check_layout(a, text)
        seen.extend(o for ch, o in zip(a.text, a.mapped.origin, strict=True) if not ch.isspace())
    assert len(set(seen)) == len(seen)  # no source character is used twice

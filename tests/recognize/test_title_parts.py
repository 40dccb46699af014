"""Bodies and places printed inside officials' titles become in-title mentions (issue 31)."""

from __future__ import annotations

import pytest

from pipeline.recognize.title_parts import title_units

# (title as printed, the units an analyst counts in it, each as (surface, type)); 33 shapes:
# party / government / congress / CPPCC heads and deputies, chained posts, town and village
# committees, bureaus, courts, schools, hospitals, police units, banks, companies (full and
# short names), places in titles, qualifiers (代, 代理, 挂职, 常务), other counties' bodies.
TITLES: list[tuple[str, list[tuple[str, str]]]] = [
    ("市委书记", [("市委", "ORG")]),
    ("市委副书记、市长", [("市委", "ORG")]),
    ("市委副书记、代市长", [("市委", "ORG")]),
    ("市委常委、常务副市长", [("市委", "ORG")]),
    ("市委常委、市纪委书记、市监委主任", [("市委", "ORG"), ("市纪委", "ORG"), ("市监委", "ORG")]),
    ("市委常委、宣传部部长", [("市委", "ORG"), ("宣传部", "ORG")]),
    ("市人大常委会主任", [("市人大常委会", "ORG")]),
    ("市政协主席", [("市政协", "ORG")]),
    ("平湖市人民政府副市长、代理市长", [("平湖市人民政府", "ORG")]),
    ("平湖市人民政府市长", [("平湖市人民政府", "ORG")]),
    ("中共平湖市委副书记", [("中共平湖市委", "ORG")]),
    ("新仓镇党委书记", [("新仓镇党委", "ORG")]),
    ("林埭镇党委副书记、镇长", [("林埭镇党委", "ORG")]),
    ("当湖街道党工委书记", [("当湖街道党工委", "ORG")]),
    ("泗泾村党总支书记", [("泗泾村党总支", "ORG")]),
    ("新埭镇挂职副镇长", [("新埭镇", "PLACE")]),
    ("广陈镇副镇长", [("广陈镇", "PLACE")]),
    ("嘉善县县长", [("嘉善县", "PLACE")]),
    ("金山区委副书记、区长", [("金山区委", "ORG")]),
    ("市发改局局长", [("市发改局", "ORG")]),
    ("市文广旅体局局长", [("市文广旅体局", "ORG")]),
    ("平湖市教育局党委书记、局长", [("平湖市教育局党委", "ORG")]),
    ("市公安局刑侦大队副大队长", [("市公安局刑侦大队", "ORG")]),
    ("林埭镇司法所所长", [("林埭镇司法所", "ORG")]),
    ("平湖市人民法院副院长", [("平湖市人民法院", "ORG")]),
    ("平湖市第一人民医院院长", [("平湖市第一人民医院", "ORG")]),
    ("平湖市当湖高级中学校长", [("平湖市当湖高级中学", "ORG")]),
    ("平湖经开管委会主任", [("平湖经开管委会", "ORG")]),
    ("平湖农商银行行长", [("平湖农商银行", "ORG")]),
    ("中国银行平湖支行行长", [("中国银行平湖支行", "ORG")]),
    ("浙江晟博新材料有限公司董事长", [("浙江晟博新材料有限公司", "ORG")]),
    ("海沃新能源总经理", [("海沃新能源", "ORG")]),
    ("国网平湖市供电公司总经理", [("国网平湖市供电公司", "ORG")]),
    ("中共中央总书记、国家主席、中央军委主席", [("中共中央", "ORG"), ("中央军委", "ORG")]),
]

# Titles whose unit is only a kind of body, or none at all: nothing to count.
NO_UNIT = ["市长", "副市长", "代理市长", "副主任", "公司总经理", "党委书记", "常务副市长", "总书记",
           "村党支部书记", "镇党委委员、副镇长", "该局局长", "该公司总经理", "学校校长"]


@pytest.mark.parametrize(("title", "expected"), TITLES, ids=[t for t, _ in TITLES])
def test_units_of_title(title: str, expected: list[tuple[str, str]]) -> None:
    got = [(title[s:e], label) for s, e, label in title_units(title)]
    assert got == expected


@pytest.mark.parametrize("title", NO_UNIT)
def test_titles_without_a_named_unit(title: str) -> None:
    assert title_units(title) == []


def test_at_least_thirty_shapes() -> None:
    assert len(TITLES) >= 30


def test_pipeline_marks_title_bodies_and_appointments() -> None:
    """End to end: the title's body is an ORG mention marked in_title beside the same body acting,
    and an appointment's title (任命X为T) gives the person the role and the body."""
    import datetime as dt

    from pipeline.recognize import RecognizeStage
    from pipeline.records import Article, FieldSpan, MappedText
    from pipeline.settings import Settings

    text = "市委书记顾立新主持会议。市委要求各地抓好落实。会议决定任命邬佳琪为平湖市教育局局长。"
    article = Article("a1", "pinghu-daily", dt.date(2024, 1, 2), 1, 1, "news", "", MappedText.verbatim(text),
                      [FieldSpan("body", 0, len(text))])
    mentions = RecognizeStage(Settings()).process([article])
    got = {(m.surface, m.type, m.in_title) for m in mentions}
    assert ("市委", "ORG", True) in got and ("市委", "ORG", False) in got
    assert ("平湖市教育局", "ORG", True) in got
    roles = {m.surface: m.role for m in mentions if m.type == "PERSON"}
    assert roles.get("邬佳琪") == "平湖市教育局局长"

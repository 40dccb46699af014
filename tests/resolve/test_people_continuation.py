"""A story continued on another page (转第2版 … 上接第1版) is one story for person clustering
(issue 32): the continuation's untitled name and surname + title reference belong to the titled
person of the page-1 part, even when the issue prints a namesake of another walk of life."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.resolve.people import IssueMemory, parse_jump

# Invented text: one whole-issue file, page 1 introduces 市委书记 X and jumps on, page 2 goes on
# with X untitled and 戚书记, and another page-2 story prints a company manager of the same name.
ISSUE = """第1版

## 市委常委会研究部署下半年工作

■记者 陶然

本报讯 6月30日，市委常委会召开会议。市委书记戚永康主持会议并讲话。会议听取了上半年经济运行情况汇报。（转第2版）

第2版

## 奋力冲刺下半年目标任务

（上接第1版）会议指出，要坚定信心、攻坚克难。戚书记最后强调，要抓好安全生产和防汛工作。戚永康要求，各地要压实责任。

## 一家老厂的数字化转型

本报讯 6月28日，记者走进新埭镇一家纺织企业。企业总经理戚永康介绍，今年企业新上了两条智能生产线。
"""


@pytest.fixture(scope="module")
def issue_mentions(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    from pipeline.runner import Pipeline

    path = Path(tmp_path_factory.mktemp("jump")) / "pinghu-2024-07-01.md"
    path.write_text(ISSUE, encoding="utf-8")
    res = Pipeline().process_file(path)
    return res.articles, res.mentions


def test_continued_story_is_one_person(issue_mentions: tuple[list, list]) -> None:
    articles, mentions = issue_mentions
    first, cont, other = (a.article_id for a in articles)
    assert [a.jumps for a in articles] == [["转第2版"], ["上接第1版"], []]
    ids = {(m.article_id, m.role): m.entity_id for m in mentions if m.surface == "戚永康"}
    official = ids[(first, "市委书记")]
    assert ids[(cont, "")] == official  # was a second person: the 总经理 made the name ambiguous
    assert ids[(other, "总经理")] != official


def test_reference_in_continuation(issue_mentions: tuple[list, list]) -> None:
    articles, mentions = issue_mentions
    first, cont = articles[0].article_id, articles[1].article_id
    official = next(m.entity_id for m in mentions if m.article_id == first and m.surface == "戚永康")
    refs = [m for m in mentions if m.article_id == cont and m.surface == "戚"]
    assert [(m.entity_id, m.canonical) for m in refs] == [(official, "戚永康")]


@pytest.mark.parametrize(
    "jump, parsed",
    [("转第2版", ("out", 2)), ("下转第2版", ("out", 2)), ("轉第3版", ("out", 3)), ("转A2版", ("out", 2)),
     ("上接第1版", ("in", 1)), ("接第1版", ("in", 1)), ("续第12版", ("in", 12)), ("见报道", None)],
)
def test_parse_jump(jump: str, parsed: tuple[str, int] | None) -> None:
    assert parse_jump(jump) == parsed


def _art(aid: str, page: int, jumps: list[str], headline: str = "") -> SimpleNamespace:
    return SimpleNamespace(article_id=aid, page=page, jumps=jumps, headline=headline)


def test_stories_follow_jumps() -> None:
    mem = IssueMemory()
    mem.follow([_art("a", 1, ["转第2版"], "甲"), _art("b", 1, ["转第3版"], "乙"), _art("c", 1, [])])
    mem.follow([_art("d", 2, ["上接第1版"], "丙"), _art("e", 2, ["上接第1版"], "丁")])
    mem.follow([_art("f", 3, ["上接第1版"], "乙续")])
    # d continues a (the only page-1 story going to page 2); e finds none left; f continues b
    assert [mem.story(x) for x in "abcdef"] == ["a", "b", "c", "a", "e", "b"]


def test_ambiguous_jumps_match_headline_or_nothing() -> None:
    mem = IssueMemory()
    mem.follow([_art("a", 1, ["转第2版"], "甲"), _art("b", 1, ["转第2版"], "乙")])
    mem.follow([_art("c", 2, ["上接第1版"], "乙"), _art("d", 2, ["上接第1版"], "戊")])
    assert mem.story("c") == "b"  # same headline
    assert mem.story("d") == "a"  # then the only one left
    mem2 = IssueMemory()
    mem2.follow([_art("a", 1, ["转第2版"], "甲"), _art("b", 1, ["转第2版"], "乙")])
    mem2.follow([_art("c", 2, ["上接第1版"], "丙")])
    assert mem2.story("c") == "c"  # two candidates, no headline: not joined


def test_continuation_takes_its_storys_locality(issue_mentions: tuple[list, list]) -> None:
    """The page-2 part prints no dateline and no place of the county (its own reading: unknown),
    but it is the page-1 本报讯 story: local, so its 市委 and 市政府 are the county's."""
    articles, _ = issue_mentions
    assert [a.locality for a in articles] == ["local", "local", "local"]


def test_locality_inherited_only_by_a_continuation_that_has_none() -> None:
    from pipeline.resolve.locality import LOCAL, UNKNOWN, Locality

    mem = IssueMemory()
    mem.follow([_art("a", 1, ["转第2版"]), _art("n", 1, ["转第3版"], "新华")])
    assert mem.locality("a", LOCAL) == LOCAL and mem.locality("n", Locality("national")) == Locality("national")
    mem.follow([_art("b", 2, ["上接第1版"]), _art("x", 2, [])])
    mem.follow([_art("b", 2, ["上接第1版"])])  # filed twice: its jump is not taken twice
    mem.follow([_art("c", 3, ["上接第1版"], "新华")])
    assert mem.story("b") == "a" and mem.story("c") == "n"
    assert mem.locality("b", UNKNOWN) == LOCAL  # a continuation with nothing of its own
    assert mem.locality("c", Locality("foreign", "US")) == Locality("foreign", "US")  # its own reading stands
    assert mem.locality("x", UNKNOWN) == UNKNOWN  # no story to take one from

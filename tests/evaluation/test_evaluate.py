"""Tests of the scorer (hand-computed cases) and of the hand-annotated gold pages themselves.

The gold checks matter as much as the scorer checks: a gold count that is off by one moves every
score computed against it, and nobody re-reads a TSV by eye once it is committed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.evaluation.gold_check import (
    check_page_gold,
    in_title_count,
    split_by_first_lines,
    split_markdown_articles,
    split_page,
    uncovered_count,
)
from pipeline.evaluation.harness import dev_pages
from pipeline.evaluation.metrics import (
    PRF,
    GoldRow,
    PageScores,
    Scores,
    format_table,
    normalize_punctuation,
    read_page_gold,
    rows_from_mentions,
    score_page,
    score_spans,
    to_json,
    without_titles,
    write_page_gold,
)
from pipeline.records import Mention

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "tests" / "data" / "gold"
SEED_PAGE = ROOT / "seeds" / "000_2b345dada261a864.txt"
SEED_GOLD = GOLD_DIR / "seed_page.tsv"
DEV_PAGES = dev_pages()
ALL_GOLD = [(SEED_PAGE, SEED_GOLD)] + [(p, p.with_name(p.name + ".gold.tsv")) for p in DEV_PAGES]


# --------------------------------------------------------------------------------------------
# Span scoring


def test_strict_vs_fuzzy_on_overlapping_span() -> None:
    gold = [[(0, 3, "PERSON"), (5, 9, "ORG")]]
    pred = [[(0, 3, "PERSON"), (5, 8, "ORG")]]  # ORG boundary wrong by one character
    s = score_spans(gold, pred)
    assert (s.strict.micro.tp, s.strict.micro.fp, s.strict.micro.fn) == (1, 1, 1)
    assert s.strict.by_type["ORG"] == PRF(0, 1, 1)
    assert (s.fuzzy.micro.tp, s.fuzzy.micro.fp, s.fuzzy.micro.fn) == (2, 0, 0)
    assert s.strict.micro.precision == pytest.approx(0.5)
    assert s.strict.micro.f1 == pytest.approx(0.5)
    assert s.fuzzy.micro.f1 == pytest.approx(1.0)


def test_type_mismatch_is_a_false_positive_and_a_false_negative() -> None:
    s = score_spans([[(0, 3, "PERSON")]], [[(0, 3, "ORG")]])
    for table in (s.strict, s.fuzzy):
        assert table.by_type["PERSON"] == PRF(0, 0, 1)
        assert table.by_type["ORG"] == PRF(0, 1, 0)
        assert table.micro.f1 == 0.0


def test_empty_predictions() -> None:
    s = score_spans([[(0, 2, "PLACE"), (4, 6, "PLACE")], []], [[], []])
    m = s.strict.micro
    assert (m.tp, m.fp, m.fn) == (0, 0, 2)
    assert m.precision == 0.0 and m.recall == 0.0 and m.f1 == 0.0


def test_empty_gold() -> None:
    s = score_spans([[]], [[(0, 2, "ORG")]])
    m = s.fuzzy.micro
    assert (m.tp, m.fp, m.fn) == (0, 1, 0)
    assert m.precision == 0.0 and m.recall == 0.0 and m.f1 == 0.0


def test_both_empty_gives_zeros_not_errors() -> None:
    s = score_spans([], [])
    assert s.documents == 0 and s.strict.micro.f1 == 0.0
    assert "ALL" in format_table(s, "empty")


def test_fuzzy_is_greedy_by_largest_overlap_and_one_to_one() -> None:
    # One prediction overlapping two gold spans goes to the larger overlap (3 > 2).
    s = score_spans([[(0, 4, "PERSON"), (4, 8, "PERSON")]], [[(2, 7, "PERSON")]])
    assert s.fuzzy.micro == PRF(1, 0, 1)
    # Two predictions inside one gold span: only one is matched.
    s = score_spans([[(0, 10, "ORG")]], [[(0, 3, "ORG"), (2, 10, "ORG")]])
    assert s.fuzzy.micro == PRF(1, 1, 0)
    assert s.strict.micro == PRF(0, 2, 1)


def test_duplicate_spans_count_as_a_multiset() -> None:
    s = score_spans([[(0, 2, "PLACE")]], [[(0, 2, "PLACE"), (0, 2, "PLACE")]])
    assert s.strict.micro == PRF(1, 1, 0)


def test_document_count_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        score_spans([[]], [])


spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 6), st.sampled_from(["PERSON", "PLACE", "ORG"])).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=8,
)


@given(st.lists(spans, max_size=4), st.lists(spans, max_size=4))
def test_fuzzy_never_below_strict_and_counts_add_up(gold: list, pred: list) -> None:
    n = min(len(gold), len(pred))
    gold, pred = gold[:n], pred[:n]
    s = score_spans(gold, pred)
    assert s.fuzzy.micro.tp >= s.strict.micro.tp
    for table in (s.strict, s.fuzzy):
        assert table.micro.tp + table.micro.fn == sum(map(len, gold))
        assert table.micro.tp + table.micro.fp == sum(map(len, pred))


@given(st.lists(spans, min_size=1, max_size=4))
def test_perfect_prediction_scores_one(gold: list) -> None:
    s = score_spans(gold, gold)
    if any(gold):
        assert s.strict.micro.f1 == pytest.approx(1.0)
        assert s.fuzzy.micro.f1 == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Page scoring


def row(art: int, typ: str, surface: str, count: int = 1, role: str = "", canonical: str = "") -> GoldRow:
    return GoldRow(art, typ, surface, canonical=canonical, role=role, count=count)


def test_page_counts_tp_is_min_of_counts() -> None:
    gold = [row(1, "PLACE", "平湖", 3), row(1, "ORG", "市发改局", 1)]
    pred = [row(1, "PLACE", "平湖", 5), row(1, "ORG", "市发改局", 1)]
    s = score_page(gold, pred)
    assert s.by_article.by_type["PLACE"] == PRF(3, 2, 0)
    assert s.by_article.by_type["ORG"] == PRF(1, 0, 0)
    assert s.by_article.micro == PRF(4, 2, 0)
    s = score_page(gold, [row(1, "PLACE", "平湖", 1)])
    assert s.by_article.by_type["PLACE"] == PRF(1, 0, 2)
    assert s.by_article.by_type["ORG"] == PRF(0, 0, 1)


def test_page_duplicate_rows_are_summed() -> None:
    s = score_page([row(1, "PLACE", "平湖", 2)], [row(1, "PLACE", "平湖", 1), row(1, "PLACE", "平湖", 1)])
    assert s.by_article.micro == PRF(2, 0, 0)


def test_page_bag_ignores_article_number() -> None:
    s = score_page([row(1, "PERSON", "沈建明", 2)], [row(2, "PERSON", "沈建明", 2)])
    assert s.by_article.micro == PRF(0, 2, 2)
    assert s.bag.micro == PRF(2, 0, 0)


def test_page_type_must_match() -> None:
    s = score_page([row(1, "PLACE", "曹桥街道")], [row(1, "ORG", "曹桥街道")])
    assert s.by_article.micro == PRF(0, 1, 1)


def test_page_surface_punctuation_width_does_not_matter() -> None:
    s = score_page([row(1, "ORG", "南六企业（平湖）有限公司")], [row(1, "ORG", "南六企业(平湖)有限公司")])
    assert s.by_article.micro == PRF(1, 0, 0)


def test_role_accuracy() -> None:
    gold = [
        row(1, "PERSON", "顾立新", 2, role="市委书记"),
        row(1, "PERSON", "周海涛", 1, role="市领导"),
        row(1, "PERSON", "金晓燕", 1, role="副市长"),
        row(1, "PERSON", "王秀珍", 1),  # a citizen: no role, not counted
        row(2, "PERSON", "顾立新", 1, role="市委书记"),
    ]
    pred = [
        row(1, "PERSON", "顾立新", 2, role="市委书记"),  # right
        row(1, "PERSON", "周海涛", 1),  # empty role: wrong
        # 金晓燕 not found: wrong
        row(1, "PERSON", "王秀珍", 1, role="市民"),  # not scored
        row(2, "PERSON", "顾立新", 1, role="市长"),  # wrong role
    ]
    s = score_page(gold, pred)
    assert (s.role.correct, s.role.total) == (1, 4)
    assert s.role.value == pytest.approx(0.25)


def test_linking_accuracy() -> None:
    gold = [
        row(1, "ORG", "市发改局", canonical="平湖市发展和改革局"),
        row(1, "PLACE", "钟埭", canonical="钟埭街道"),
        row(1, "PLACE", "龙溪乡"),  # no canonical: not scored
    ]
    pred = [
        row(1, "ORG", "市发改局", canonical="平湖市发展和改革局"),
        row(1, "PLACE", "钟埭", canonical=""),
        row(1, "PLACE", "龙溪乡", canonical="龙溪乡"),
    ]
    s = score_page(gold, pred)
    assert (s.linking.correct, s.linking.total) == (1, 2)
    assert (s.linking_by_type["ORG"].correct, s.linking_by_type["PLACE"].correct) == (1, 0)


def test_accuracy_with_nothing_to_score_is_none() -> None:
    s = score_page([row(1, "PLACE", "平湖")], [])
    assert s.role.value is None and s.linking.value is None
    assert to_json(s)["role_accuracy"]["accuracy"] is None  # type: ignore[index]
    assert "n/a" in format_table(s)


def test_page_scores_pool_by_addition() -> None:
    a = score_page([row(1, "PLACE", "平湖", 2)], [row(1, "PLACE", "平湖", 1)])
    b = score_page([row(1, "ORG", "市政府")], [row(1, "ORG", "市政府"), row(1, "ORG", "市委")])
    total = a + b
    assert total.pages == 2
    assert total.by_article.micro == PRF(2, 1, 1)


def test_rows_from_mentions_counts_and_majority_role() -> None:
    def m(art: str, typ: str, surface: str, role: str = "", canonical: str = "") -> Mention:
        return Mention(art, typ, surface, 0, len(surface), 0, len(surface), role=role, canonical=canonical)

    mentions = [
        m("a1", "PERSON", "顾立新", role="市委书记"),
        m("a1", "PERSON", "顾立新"),
        m("a1", "PERSON", "顾立新", role="市委书记"),
        m("a2", "ORG", "平湖经开", canonical="平湖经济技术开发区"),
        m("a2", "ORG", "银(院)"),
        m("a1", "ORG", "市委"),
        Mention("a1", "ORG", "市委", 0, 2, 0, 2, in_title=True),
    ]
    rows = {r.key: r for r in rows_from_mentions(mentions, {"a1": 1, "a2": 2})}
    assert rows[(1, "PERSON", "顾立新", False)].count == 3
    assert rows[(1, "PERSON", "顾立新", False)].role == "市委书记"
    assert rows[(2, "ORG", "平湖经开", False)].canonical == "平湖经济技术开发区"
    assert (2, "ORG", "银（院）", False) in rows
    # the same body acting and printed inside a title are two rows
    assert rows[(1, "ORG", "市委", False)].count == rows[(1, "ORG", "市委", True)].count == 1


def test_title_rows_scored_with_and_without(tmp_path: Path) -> None:
    p = tmp_path / "g.tsv"
    p.write_text("article_no\ttype\tsurface\tcanonical\trole\tcount\tin_title\n"
                 "1\tPERSON\t张三\t\t市委书记\t1\t0\n1\tORG\t市委\t\t\t1\t1\n", encoding="utf-8")
    gold = read_page_gold(p)
    assert [r.in_title for r in gold] == [False, True]
    pred = [row(1, "PERSON", "张三", role="市委书记")]  # the title's body not found
    assert score_page(gold, pred).by_article.get("ORG").fn == 1
    assert score_page(without_titles(gold), without_titles(pred)).by_article.get("ORG").fn == 0
    bad = tmp_path / "b.tsv"
    bad.write_text(p.read_text(encoding="utf-8").replace("\t1\t1\n", "\t1\t2\n"), encoding="utf-8")
    with pytest.raises(ValueError, match="in_title"):
        read_page_gold(bad)


def test_in_title_count_counts_only_inside_roles() -> None:
    text = "市委书记张三说，市委要求。新仓镇党委书记李四"
    assert in_title_count(text, "市委", ["市委书记", "新仓镇党委书记"], ["市委", "新仓镇党委"]) == 1
    assert in_title_count(text, "新仓镇", ["新仓镇党委书记"], ["新仓镇党委"]) == 0


def test_format_table_and_json() -> None:
    s = score_spans([[(0, 3, "PERSON")]], [[(0, 3, "PERSON"), (5, 7, "PLACE")]])
    text = format_table(s, "demo")
    assert text.splitlines()[0] == "demo"
    assert "PERSON" in text and "ALL" in text and "fuzzy" in text
    j = to_json(s)
    assert j["strict"]["ALL"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "tp": 1, "fp": 1, "fn": 0}  # type: ignore[index]
    assert isinstance(s, Scores)
    page = score_page([row(1, "PLACE", "平湖")], [row(1, "PLACE", "平湖")])
    assert isinstance(page, PageScores)
    assert "page bag" in format_table(page, "page")


# --------------------------------------------------------------------------------------------
# Gold file reading and the helpers of the consistency check


def test_read_write_roundtrip(tmp_path: Path) -> None:
    rows = [row(1, "PERSON", "顾立新", 2, role="市委书记", canonical="顾立新"), row(2, "PLACE", "平湖", 1),
            GoldRow(1, "ORG", "市委", "中共平湖市委", "", 1, True)]
    p = tmp_path / "g.tsv"
    write_page_gold(p, rows)
    assert sorted(read_page_gold(p), key=lambda r: r.key) == sorted(rows, key=lambda r: r.key)


@pytest.mark.parametrize(
    "body",
    [
        "1\tPERSON\t张三\t\t\n",  # five columns
        "x\tPERSON\t张三\t\t\t1\n",  # article_no not an integer
        "1\tPERSON\t张三\t\t\t0\n",  # zero count
        "1\tTITLE\t市长\t\t\t1\n",  # not one of our types
        "1\tPLACE\t\t\t\t1\n",  # empty surface
    ],
)
def test_read_rejects_malformed_rows(tmp_path: Path, body: str) -> None:
    p = tmp_path / "g.tsv"
    p.write_text("article_no\ttype\tsurface\tcanonical\trole\tcount\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        read_page_gold(p)


def test_read_rejects_wrong_header(tmp_path: Path) -> None:
    p = tmp_path / "g.tsv"
    p.write_text("article\ttype\tsurface\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_page_gold(p)


def test_normalize_punctuation() -> None:
    assert normalize_punctuation("银(院)企签约,举行") == "银（院）企签约，举行"
    assert normalize_punctuation("1,000 and (a)") == "1,000 and (a)"
    assert len(normalize_punctuation("平湖(经开)")) == len("平湖(经开)")


def test_uncovered_count_excludes_longer_surfaces_and_roles() -> None:
    text = "平湖经开在平湖。乍浦镇党委书记邵东升到乍浦镇。"
    assert uncovered_count(text, "平湖", ["平湖经开"]) == 1
    assert uncovered_count(text, "平湖", []) == 2
    assert uncovered_count(text, "乍浦镇", ["乍浦镇党委书记"]) == 1
    assert uncovered_count("AAAA", "AA", []) == 2  # non-overlapping, like str.count


def test_split_markdown_articles() -> None:
    text = "\n## 甲\n### 副题\n正文一\n\n### 引题\n## 乙\n正文二\n### 图片\n说明\n■摄影 某\n"
    arts = split_markdown_articles(text)
    assert [a.splitlines()[0] for a in arts] == ["## 甲", "### 引题", "### 图片"]
    assert "正文二" in arts[1]


def test_split_by_first_lines() -> None:
    text = "标题一\n正文\n标题二\n正文二\n"
    assert split_by_first_lines(text, ["标题一", "标题二"]) == ["标题一\n正文\n", "标题二\n正文二\n"]
    with pytest.raises(ValueError):
        split_by_first_lines(text, ["标题二", "标题一"])


def test_check_page_gold_finds_wrong_counts_and_forgotten_mentions() -> None:
    arts = ["## 一\n平湖经开在平湖,平湖很美", "## 二\n平湖的春天"]
    good = [row(1, "ORG", "平湖经开"), row(1, "PLACE", "平湖", 2), row(2, "PLACE", "平湖")]
    assert check_page_gold(arts, good) == []
    wrong = [row(1, "ORG", "平湖经开"), row(1, "PLACE", "平湖", 3), row(2, "PLACE", "平湖")]
    assert any("occurs 2 times, gold says 3" in p for p in check_page_gold(arts, wrong))
    forgotten = [row(1, "ORG", "平湖经开"), row(1, "PLACE", "平湖", 2)]
    assert any("article 2" in p and "unannotated" in p for p in check_page_gold(arts, forgotten))


# --------------------------------------------------------------------------------------------
# The gold files themselves


@pytest.mark.parametrize(("page", "gold"), ALL_GOLD, ids=[p.name for p, _ in ALL_GOLD])
def test_gold_surfaces_occur_as_often_as_stated(page: Path, gold: Path) -> None:
    problems = check_page_gold(split_page(page), read_page_gold(gold))
    assert problems == []


@pytest.mark.parametrize(("page", "gold"), ALL_GOLD, ids=[p.name for p, _ in ALL_GOLD])
def test_gold_rows_cover_every_article(page: Path, gold: Path) -> None:
    n_articles = len(split_page(page))
    assert {r.article_no for r in read_page_gold(gold)} == set(range(1, n_articles + 1))


@pytest.mark.parametrize(("page", "gold"), ALL_GOLD, ids=[p.name for p, _ in ALL_GOLD])
def test_gold_follows_the_field_conventions(page: Path, gold: Path) -> None:
    for r in read_page_gold(gold):
        if r.type == "PERSON":
            assert r.canonical == r.surface, r
        else:
            assert not r.role, r
        assert r.surface == normalize_punctuation(r.surface), r


GAZETTEER = ROOT / "pipeline" / "gazetteers" / "pinghu"


def _gazetteer_names() -> set[str]:
    """Canonical names of the project gazetteer, read from its CSVs (not its loader's API).

    A village row's canonical is its town's name + its own (广陈镇泗泾村, as the county gold
    writes it); its bare name (泗泾村) is left out of the set: it does not decide an entity (华丰村
    is in two counties, and a paper prints villages the list lacks under names it has, such as
    新埭镇星火村 on a dev page), so gold may leave its canonical empty."""
    import csv

    names: set[str] = set()
    for fname in ("divisions.csv", "areas.csv", "agencies.csv"):
        with (GAZETTEER / fname).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        town = {r["code"]: r["name"] for r in rows if r.get("level") == "town"}
        names |= {town.get(r["parent_code"], "") + r["name"] if r.get("level") == "village" else r["name"]
                  for r in rows}
    return names


@pytest.mark.skipif(not (GAZETTEER / "agencies.csv").exists(), reason="gazetteer not present")
@pytest.mark.parametrize(("page", "gold"), ALL_GOLD, ids=[p.name for p, _ in ALL_GOLD])
def test_gold_canonicals_agree_with_the_gazetteer(page: Path, gold: Path) -> None:
    """Linking accuracy compares strings: a canonical the gazetteer lacks could never be matched,
    and a gazetteer name left without canonical would hide a linking error."""
    names = _gazetteer_names()
    for r in read_page_gold(gold):
        if r.type == "PERSON":
            continue
        if r.canonical:
            assert r.canonical in names, r
        else:
            assert r.surface not in names, r


def test_seed_page_has_seven_articles_in_brief_order() -> None:
    heads = [a.splitlines()[0] for a in split_page(SEED_PAGE)]
    assert len(heads) == 7
    assert heads[0] == "## 市委常委会召开会议" and heads[5] == "### 赏樱"


def test_dev_pages_shape() -> None:
    assert len(DEV_PAGES) >= 5
    assert any(p.suffix == ".txt" for p in DEV_PAGES)  # one plain-text page
    for page in DEV_PAGES:
        text = page.read_text(encoding="utf-8")
        assert 2000 <= len(text) <= 4000, page.name
        assert 4 <= len(split_page(page)) <= 10, page.name  # a 简讯 column is one article per item
        if page.suffix == ".txt":
            assert "#" not in text


def test_dev_pages_invent_their_people() -> None:
    """No person of the real sample page may reappear in the invented pages (习近平 aside)."""
    seed_people = {r.surface for r in read_page_gold(SEED_GOLD) if r.type == "PERSON"} - {"习近平"}
    for page in DEV_PAGES:
        dev_people = {
            r.surface for r in read_page_gold(page.with_name(page.name + ".gold.tsv")) if r.type == "PERSON"
        }
        assert not dev_people & seed_people, page.name

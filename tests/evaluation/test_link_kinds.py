"""Issue 32's entity metrics on hand-built inputs: the kind a gold row names, whether a link is
right, linking accuracy by kind, the false-local-link rate on predicted spans (a stub pipeline),
and the held-out gold's new issues well formed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.errors import InputError
from pipeline.evaluation.entities import false_local_rate_predicted, linking_by_kind, read_entity_gold
from pipeline.evaluation.link_kinds import KINDS, gold_kind, link_right
from pipeline.records import Mention

HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "multi_issue_heldout"


@pytest.mark.parametrize(
    "type_, surface, canonical, given, kind",
    [
        ("PLACE", "乍浦镇", "乍浦镇", "", "division"),
        ("PLACE", "北京", "北京市", "", "division"),
        ("PLACE", "三叉河村", "新仓镇三叉河村", "", "village"),
        ("PLACE", "东湖社区", "当湖街道东湖社区", "", "village"),
        ("PLACE", "平湖经开区", "平湖经济技术开发区", "", "area"),
        ("ORG", "市政府", "平湖市人民政府", "", "agency"),
        ("ORG", "市政府", "NIL", "", "agency"),  # NIL: the kind of what the surface names
        ("ORG", "县公安局", "嘉善县公安局", "", "agency"),
        ("ORG", "平湖城投", "平湖市城市发展投资(集团)有限公司", "", "company"),
        ("ORG", "晨光服饰有限公司", "NIL", "", "company"),
        ("ORG", "人大常委会", "全国人民代表大会常务委员会", "", "national"),
        ("ORG", "国家统计局", "国家统计局", "", "national"),
        ("PLACE", "美", "美国", "", "country"),
        ("PLACE", "华盛顿", "NIL", "", "other"),
        ("ORG", "新华社", "NIL", "", "other"),
        ("ORG", "恒远智能", "NIL", "company", "company"),  # the gold's kind column wins
    ],
)
def test_gold_kind(gaz, type_: str, surface: str, canonical: str, given: str, kind: str) -> None:  # noqa: ANN001
    assert gold_kind(gaz, type_, surface, canonical, given) == kind


def test_link_right() -> None:
    assert link_right("NIL", "", "")
    assert link_right("NIL", "nil:ORG:0123456789ab", "统计局")
    assert not link_right("NIL", "org:330482-statistics", "平湖市统计局")  # a national story's 统计局
    assert link_right("乍浦镇", "div:330482101", "乍浦镇")
    assert not link_right("乍浦镇", "div:330482102", "新埭镇")


def _row(type_: str, surface: str, canonical: str, kind: str = "") -> SimpleNamespace:
    return SimpleNamespace(type=type_, surface=surface, canonical=canonical, kind=kind)


def test_linking_by_kind_counts_mentions_per_kind(gaz) -> None:  # noqa: ANN001
    scored = [
        (_row("PLACE", "乍浦镇", "乍浦镇"), 2, True),
        (_row("PLACE", "新埭镇", "新埭镇"), 1, False),
        (_row("PLACE", "三叉河村", "新仓镇三叉河村"), 3, True),
        (_row("ORG", "恒远智能", "NIL", "company"), 1, False),
        (_row("ORG", "市商务局", "平湖市商务局"), 1, True),
    ]
    rates = linking_by_kind(gaz, scored)
    assert list(rates) == ["division", "village", "agency", "company"]  # KINDS order, absent kinds left out
    assert [(r.hits, r.total) for r in rates.values()] == [(2, 3), (3, 3), (1, 1), (0, 1)]
    assert set(rates) <= set(KINDS)


class _StubPipe:
    """What ``false_local_rate_predicted`` asks of a pipeline: settings.paper, the resolver, and
    process_pages giving the mentions set here for each text (a blank text: InputError)."""

    def __init__(self, resolver, by_text: dict[str, list[tuple[str, str, str]]]) -> None:  # noqa: ANN001
        self.settings = SimpleNamespace(paper="pinghu-daily")
        self.resolver = resolver
        self.by_text = by_text
        self.keys: list[str] = []

    def process_pages(self, doc, key: str = "", identity: str = ""):  # noqa: ANN001, ANN201
        self.keys.append(key)
        if not doc.text.strip():
            raise InputError(doc.path, "no articles")
        ms = [Mention(key, typ, surface, 0, len(surface), 0, len(surface), entity_id=eid)
              for typ, surface, eid in self.by_text[doc.text]]
        yield [], ms


def test_false_local_rate_on_predicted_spans(resolver, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import pipeline.evaluation.national as national

    texts = {
        "甲": [("ORG", "市政府", "org:330482-gov"),  # names no place of Pinghu: a false local link
               ("PLACE", "北京", "div:11"), ("PERSON", "柏文涛", "person:0123456789ab")],
        "乙": [("ORG", "平湖市人民政府", "org:330482-gov"), ("ORG", "统计局", "")],  # named in full: right
        " ": [],
    }
    monkeypatch.setattr(national, "national_documents", lambda name, limit: list(texts))
    pipe = _StubPipe(resolver, texts)
    rate = false_local_rate_predicted(pipe, "msra-test", 10)
    assert (rate.hits, rate.total) == (1, 4)  # PERSON not counted, the blank text skipped
    assert pipe.keys == ["msra-test#0", "msra-test#1", "msra-test#2"]  # one source per text


def test_national_documents_cover_the_first_sentences() -> None:
    from pipeline.evaluation.national import national_documents
    from pipeline.training.corpora import corpus_path, read_corpus

    if not corpus_path("msra-test").exists():
        pytest.skip("../shared/corpora not present")
    from itertools import islice

    docs = list(national_documents("msra-test", 40))
    assert "".join(docs) == "".join(ex.text for ex in islice(read_corpus("msra-test"), 40))
    assert 1 < len(docs) < 40 and all(len(d) <= 600 for d in docs)


def test_held_out_gold_of_issue_32_is_well_formed() -> None:
    rows, loc = read_entity_gold(HELD_OUT)
    new = [r for r in rows if r.issue in ("pinghu-2024-07-08", "pinghu-2024-07-22")]
    texts = {i: (HELD_OUT / f"{i}.md").read_text(encoding="utf-8") for i in {r.issue for r in rows}}
    for r in rows:
        assert r.surface in texts[r.issue], r
        assert (r.type == "PERSON") == bool(r.person), r
        assert not r.kind or r.kind in KINDS, r
    assert {k[0] for k in loc} == set(texts)
    assert {r.canonical for r in new} >= {"新仓镇三叉河村", "当湖街道东湖社区", "全国人民代表大会常务委员会", "NIL"}
    continued = {(r.article_no, r.person) for r in new if r.surface == "沈建华"}
    assert continued == {(1, "P-shen-official"), (3, "P-shen-official"), (4, "P-shen-business")}

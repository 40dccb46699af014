"""The ablation harness: memoised taggers give the same spans, and each pass off is one row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.evaluation.ablation import MemoSource, ablatable_passes, ablate
from pipeline.evaluation.harness import _scored_predictions
from pipeline.recognize import Recognizer, RecognizeStage
from pipeline.records import Span
from pipeline.settings import Settings
from pipeline.training.corpora import read_cluener

TEXT = "张三在街道办事处说，新埭镇和李四都好。"


class Counting(Recognizer):
    name = "lac"

    def __init__(self) -> None:
        self.calls = 0

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        self.calls += 1
        out = []
        for t in texts:
            out.append([Span(t.index(s), t.index(s) + len(s), lab, self.name)
                        for s, lab in (("张三", "PERSON"), ("街道", "PLACE"), ("新埭镇", "PLACE")) if s in t])
        return out


def test_memo_source_runs_the_tagger_once_and_returns_the_same_spans() -> None:
    inner = Counting()
    memo = MemoSource(inner)
    first = memo.spans([TEXT, "无"])
    again = memo.spans([TEXT])
    assert inner.calls == 1
    assert again == [first[0]] and first == inner.spans([TEXT, "无"])


class BatchDependent(Recognizer):
    """A source whose reading of a text depends on its batch-mates, as the int8 tagger's may."""

    name = "spacy"

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [[Span(0, 1, "PLACE", self.name, 1.0 / len(texts))] for _ in texts]


def test_memo_source_keeps_a_texts_first_reading_when_a_later_batch_holds_it() -> None:
    memo = MemoSource(BatchDependent())
    first = memo.spans(["甲"])[0]
    memo.spans(["甲", "乙"])  # runs the batch as given (乙 is new), but 甲 was read already
    assert memo.spans(["甲"])[0] == first


def test_each_set_of_an_ablation_has_its_own_memo(monkeypatch) -> None:  # noqa: ANN001
    """A set that repeats another set's text (MSRA test as documents holds MSRA test's longest
    sentences whole) scores what it would alone, whatever set ran before it."""
    monkeypatch.setattr("pipeline.evaluation.ablation.memo_sources", lambda s: [MemoSource(BatchDependent())])

    def score(texts: list[str]):  # noqa: ANN202
        return lambda stage: stage.sources[0].spans(texts)[0][0].score

    rows = ablate(Settings(backend="spacy"), {"alone": score(["甲"]), "with_mates": score(["甲", "乙"])}, ["bylines"])
    assert rows == {"none": {"alone": 1.0, "with_mates": 0.5}, "bylines": {"alone": 1.0, "with_mates": 0.5}}


def test_ablate_gives_one_row_per_pass_off(monkeypatch) -> None:  # noqa: ANN001
    inner = Counting()
    monkeypatch.setattr("pipeline.evaluation.ablation.memo_sources", lambda s: [MemoSource(inner)])

    def places(stage: RecognizeStage) -> float:
        return float(sum(s.label == "PLACE" for s in stage.spans([TEXT])[0]))

    rows = ablate(Settings(backend="lac-gazetteer"), {"places": places}, ["drop_generic_places", "trim_places"])
    assert rows == {"none": {"places": 1.0}, "drop_generic_places": {"places": 2.0}, "trim_places": {"places": 1.0}}
    assert inner.calls == 1  # the tagger ran once for three configurations


def test_only_span_changing_passes_that_can_go_alone_are_ablated() -> None:
    names = ablatable_passes("combined")
    assert "drop_generic_places" in names and "propagate_people" in names
    assert not {"propose", "vote", "roles"} & set(names)


def test_predictions_inside_ignored_gold_regions_are_not_scored() -> None:
    spans = [Span(0, 2, "PLACE", "x"), Span(3, 5, "PLACE", "x"), Span(4, 8, "ORG", "x")]
    assert _scored_predictions(spans, [(2, 6)]) == [(0, 2, "PLACE"), (4, 8, "ORG")]


def test_cluener_scenes_and_street_addresses_become_ignored_regions(tmp_path: Path) -> None:
    rec = {"text": "张三在西湖边的文三路100号", "label": {
        "name": {"张三": [[0, 1]]}, "scene": {"西湖": [[3, 4]]}, "address": {"文三路100号": [[7, 13]]}}}
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    [ex] = read_cluener(path)
    assert ex.spans == ((0, 2, "PERSON"),)
    assert ex.ignore == ((3, 5), (7, 14))

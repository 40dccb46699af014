"""Entity metrics: B-cubed by hand, the multi-issue gold well-formed, and the floors of issue 19
(person B-cubed, office and linking accuracy ≥ 0.95, false-local-link rate ≤ 1 %)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.entities import bcubed, false_local_rate_corpus, read_entity_gold, score_entities
from pipeline.settings import Settings

GOLD = Path(__file__).resolve().parents[1] / "data" / "multi_issue"


def test_bcubed_by_hand() -> None:
    gold = {1: "a", 2: "a", 3: "b"}
    assert bcubed(gold, {1: "x", 2: "x", 3: "y"}).f1 == 1.0
    merged = bcubed(gold, {1: "x", 2: "x", 3: "x"})  # precision: (2/3 + 2/3 + 1/3) / 3
    assert merged.recall == 1.0 and merged.precision == pytest.approx(5 / 9)
    split = bcubed(gold, {1: "x", 2: "y", 3: "z"})  # recall: (1/2 + 1/2 + 1) / 3
    assert split.precision == 1.0 and split.recall == pytest.approx(2 / 3)
    assert bcubed(gold, {}).recall == pytest.approx(2 / 3)  # unpredicted items are singletons


def test_multi_issue_gold_is_well_formed() -> None:
    rows, loc = read_entity_gold(GOLD)
    issues = {r.issue for r in rows}
    assert len(issues) >= 6 and len({i[7:14] for i in issues}) >= 3  # six issues, three months
    texts = {i: (GOLD / f"{i}.md").read_text(encoding="utf-8") for i in issues}
    for r in rows:
        assert r.surface in texts[r.issue], r
        assert (r.type == "PERSON") == bool(r.person), r
    assert {k[0] for k in loc} == issues
    assert {"local", "national"} <= set(loc.values()) and any(v.startswith("elsewhere:") for v in loc.values())
    people = {r.person for r in rows if r.type == "PERSON"}
    assert {"P-wang-official", "P-wang-business"} <= people  # namesakes


@pytest.fixture(scope="module")
def scores():  # noqa: ANN201
    from pipeline.runner import Pipeline

    return score_entities(Pipeline(Settings(backend="lac-gazetteer")), GOLD)


def test_issue_19_floors_on_the_multi_issue_gold(scores) -> None:  # noqa: ANN001
    assert scores.persons.f1 >= 0.95, scores.wrong
    assert scores.offices.value >= 0.95, scores.wrong
    assert scores.linking.value >= 0.95, scores.wrong
    assert scores.false_local.total >= 20 and scores.false_local.value <= 0.01
    assert scores.locality.value >= 0.9, scores.wrong


def _has_msra() -> bool:
    from pipeline.training.corpora import corpus_path

    return corpus_path("msra-test").exists()


@pytest.mark.skipif(not _has_msra(), reason="../shared/corpora not present")
def test_false_local_rate_on_national_text() -> None:
    from pipeline.gazetteers.gazetteer import load_gazetteer
    from pipeline.resolve.resolver import Resolver

    rate = false_local_rate_corpus(Resolver(load_gazetteer(Settings().gazetteer_dir)), "msra-test", 400)
    assert rate.total > 300 and rate.value <= 0.01

"""The recognise stage is a checked list of registered passes: add one, switch one off, see why."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from pipeline.recognize import (
    PASSES,
    PassConfigError,
    RecognitionDoc,
    Recognizer,
    RecognizeStage,
    load_config,
    register_pass,
)
from pipeline.recognize.config import CONFIG_PATH
from pipeline.recognize.registry import Plan
from pipeline.records import Span
from pipeline.settings import Settings, backends

TEXT = "张三在街道办事处说，新埭镇和李四都好。"


class Fixed(Recognizer):
    """A source that proposes given surfaces wherever they are printed (no model needed)."""

    def __init__(self, name: str, found: Sequence[tuple[str, str]]) -> None:
        self.name = name
        self.found = found

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        out = []
        for t in texts:
            out.append([Span(t.index(s), t.index(s) + len(s), lab, self.name) for s, lab in self.found if s in t])
        return out


SOURCES = [
    Fixed("lac", [("张三", "PERSON"), ("街道", "PLACE"), ("新埭镇", "PLACE")]),
    Fixed("gazetteer", [("新埭镇", "PLACE")]),
]


def _surfaces(stage: RecognizeStage, text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in stage.spans([text])[0]]


@pytest.fixture
def shout_pass() -> Iterator[str]:
    """A new repair pass, one function: every PERSON span is relabelled ORG (easy to see)."""

    @register_pass("test_people_to_org", requires=["spans"], provides=["spans"])
    def people_to_org(doc: RecognitionDoc, _ctx: object) -> None:
        """Relabel people (test only)."""
        doc.spans = [Span(s.start, s.end, "ORG", s.source, s.score) if s.label == "PERSON" else s for s in doc.spans]

    yield "test_people_to_org"
    PASSES.pop("test_people_to_org")


def test_a_new_repair_pass_is_one_function_and_one_config_line(shout_pass: str, tmp_path: Path) -> None:
    # The config line: the pass's name added to [recognize] passes of a copy of recognize.cfg.
    text = CONFIG_PATH.read_text(encoding="utf-8")
    anchor = '    "propagate_names",\n'
    assert text.count(anchor) == 1
    cfg = tmp_path / "recognize.cfg"
    cfg.write_text(text.replace(anchor, anchor + f'    "{shout_pass}",\n'), encoding="utf-8")
    base = load_config("lac-gazetteer")
    config = load_config("lac-gazetteer", path=cfg)
    assert list(config.passes) == [*base.passes[: base.passes.index("propagate_names") + 1], shout_pass,
                             *base.passes[base.passes.index("propagate_names") + 1 :]]
    before = _surfaces(RecognizeStage(Settings(backend="lac-gazetteer"), sources=SOURCES, config=base))
    after = _surfaces(RecognizeStage(Settings(backend="lac-gazetteer"), sources=SOURCES, config=config))
    assert ("张三", "PERSON") in before
    assert ("张三", "ORG") in after and ("张三", "PERSON") not in after


def test_ablating_a_repair_changes_only_what_it_repairs() -> None:
    on = _surfaces(RecognizeStage(Settings(backend="lac-gazetteer"), sources=SOURCES))
    off = _surfaces(RecognizeStage(Settings(backend="lac-gazetteer", disable_passes=("drop_generic_places",)),
                                   sources=SOURCES))
    assert ("街道", "PLACE") not in on  # a bare administrative word is no place
    assert ("街道", "PLACE") in off
    assert set(on) == set(off) - {("街道", "PLACE")}


def test_voted_spans_carry_their_sources_as_a_set() -> None:
    stage = RecognizeStage(Settings(backend="lac-gazetteer"), sources=SOURCES)
    by_surface = {TEXT[s.start : s.end]: s for s in stage.spans([TEXT])[0]}
    assert by_surface["新埭镇"].provenance == {"lac", "gazetteer"}
    assert by_surface["新埭镇"].source == "gazetteer+lac"  # the display form in the mentions table
    assert by_surface["张三"].provenance == {"lac"}


def test_a_plan_that_breaks_a_requirement_is_refused_before_any_text() -> None:
    with pytest.raises(PassConfigError, match="requires"):
        RecognizeStage(Settings(backend="lac-gazetteer", disable_passes=("vote",)), sources=SOURCES)
    with pytest.raises(PassConfigError, match="unknown"):
        Plan.build(["propose", "no_such_pass"])
    with pytest.raises(PassConfigError, match="not in this configuration"):
        Plan.build(["propose", "vote"], disable=["trim_places"])


def test_backends_are_presets_of_one_config() -> None:
    assert backends()[0] == "combined"
    assert set(backends()) >= {"combined", "lac-gazetteer", "spacy", "lac"}
    for name in backends():
        cfg = load_config(name)
        Plan.build(cfg.passes)  # every shipped preset passes its own requirement check
        if len(cfg.sources) == 1:  # one tagger alone is reported as it is: no repairs
            assert "trim_places" not in cfg.passes and cfg.threshold == 0.0


def test_article_passes_do_not_run_on_corpus_sentences() -> None:
    plan = Plan.build(load_config("combined").passes)
    assert {"bylines", "titles", "roles"} <= set(plan.names)
    assert not {"bylines", "titles", "roles"} & {p.name for p in plan.for_texts}


def test_a_misspelt_config_key_is_refused(tmp_path) -> None:  # noqa: ANN001
    cfg = tmp_path / "recognize.cfg"
    cfg.write_text('[recognize]\nsources = ["lac"]\npasses = ["propose", "vote"]\n\n'
                   '[presets]\n\n[presets.fast]\ntreshold = 0.5\n', encoding="utf-8")
    with pytest.raises(KeyError, match="treshold"):
        load_config("fast", path=cfg)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("treshold", "threshold"), encoding="utf-8")
    assert load_config("fast", path=cfg).threshold == 0.5

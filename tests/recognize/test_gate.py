"""The default's LAC gate (``pipeline/recognize/gate.py``): LAC reads only the clauses where our
model is unsure, and elsewhere our model's spans stand in for LAC's.

What must hold: the clauses a gate sends to the consulted source are exactly those with a
character below the threshold, in text offsets; every other clause gets the deciding source's
spans under the consulted source's name; a threshold above 1 sends every clause and one of 0
none; a config naming sources the preset lacks, or in the wrong order, is refused; the model's
per-character confidence is the probability of its best tag.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from pipeline.recognize import config as recognize_config
from pipeline.recognize.base import Recognizer, chunks
from pipeline.recognize.gate import Consulted, Gate, consult
from pipeline.records import Span

TEXT = "平湖市委书记在当湖街道调研，市发改局局长陪同。乍浦镇与上海两家企业签约，独山港镇也来了。"


class Echo(Recognizer):
    """A source that tags the first two characters of every text it is asked to read."""

    name = "lac"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        self.asked.extend(texts)
        return [[Span(0, 2, "PLACE", self.name)] if len(t) >= 2 else [] for t in texts]


def _model_spans() -> list[Span]:
    return [Span(0, 3, "PLACE", "spacy", 0.9), Span(7, 11, "PLACE", "spacy", 0.8),
            Span(23, 26, "PLACE", "spacy", 0.95), Span(35, 39, "PLACE", "spacy", 0.7)]


def test_unsure_clauses_are_read_and_sure_ones_take_the_model_spans() -> None:
    gate = Gate("lac", "spacy", below=0.8, unit=12)
    clauses = chunks(TEXT, limit=gate.unit)
    sure = np.ones(len(TEXT), dtype=np.float32)
    sure[9] = 0.5  # one unsure character: its clause, and only it, goes to LAC
    unsure = next(c for c in clauses if c.offset <= 9 < c.offset + len(c.text))
    src, tally = Echo(), Consulted()
    (found,) = consult(gate, src, [TEXT], [_model_spans()], [sure], tally)
    assert src.asked == [unsure.text]
    assert Span(unsure.offset, unsure.offset + 2, "PLACE", "lac") in found  # LAC's own reading, in text offsets
    outside = [s for s in _model_spans() if not unsure.offset <= s.start < unsure.offset + len(unsure.text)]
    for s in outside:  # the model's spans elsewhere, under LAC's name
        assert Span(s.start, s.end, s.label, "lac") in found
    assert all(s.source == "lac" for s in found)
    assert tally.chars == sum(len(c.text) for c in clauses)
    assert tally.read == len(unsure.text)


def test_threshold_above_one_reads_everything_and_zero_nothing() -> None:
    sure = np.full(len(TEXT), 0.99, dtype=np.float32)
    every = Echo()
    consult(Gate("lac", "spacy", 1.01, 12), every, [TEXT], [[]], [sure])
    assert every.asked == [c.text for c in chunks(TEXT, limit=12)]
    none = Echo()
    found = consult(Gate("lac", "spacy", 0.0, 12), none, [TEXT, ""], [_model_spans(), []],
                    [sure, np.ones(0, dtype=np.float32)])
    assert none.asked == []
    assert found[0] == [Span(s.start, s.end, s.label, "lac") for s in _model_spans()]
    assert found[1] == []


@pytest.mark.parametrize("raw, error", [
    ({"source": "lac", "by": "spacy", "below": 0.7, "unit": 20, "extra": 1}, KeyError),
    ({"source": "lac", "by": "hanlp", "below": 0.7, "unit": 20}, KeyError),  # not a source of the preset
    ({"source": "spacy", "by": "lac", "below": 0.7, "unit": 20}, KeyError),  # the decider must run first
    ({"source": "lac", "by": "spacy", "below": 0.7, "unit": 2}, ValueError),
])
def test_bad_gate_configs_are_refused(raw: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Gate.from_config(raw, ["spacy", "lac", "gazetteer"])


def test_presets_default_gated_and_ungated_share_one_vote() -> None:
    default = recognize_config.load("combined")
    ungated = recognize_config.load("combined-ungated")
    assert default.gate is not None and (default.gate.source, default.gate.by) == ("lac", "spacy")
    assert ungated.gate is None and ungated.sources == default.sources
    assert ungated.learned_vote == default.learned_vote == "combined"


def test_model_confidence_is_its_best_tags_probability() -> None:
    from pipeline.model import lstm_tagger
    from pipeline.settings import Settings

    path = Settings().model_dir / lstm_tagger.FACTORY
    # The first member alone (its second never reads: ``below`` 0), so that one session's output
    # is the whole reading; the averaged readings are ``test_second_member``'s.
    tagger = lstm_tagger.OnnxTagger.from_dir(path, below=0.0)
    texts = ["乍浦镇与上海两家企业签约了。", "平湖市委书记在当湖街道调研，市发改局局长陪同。", ""]
    for text, reading in zip(texts, [tagger.read([t])[0] for t in texts]):  # alone, as the session runs below
        assert reading.confidence.shape == (len(text),)
        if not text:
            continue
        feats = tagger.vocab.features(text, tagger.softword, tagger.lexicon)[None]
        (logp,) = tagger.session.run(None, lstm_tagger.feed(tagger.inputs, feats, [len(text)]))
        np.testing.assert_allclose(reading.confidence, np.exp(logp[0].max(-1)), rtol=1e-6)
        assert reading.spans == tagger.spans([text])[0]


def test_gated_default_reads_less_and_keeps_the_sure_spans() -> None:
    """On real models: the default's LAC reads fewer characters than the text holds, and where
    the gate kept LAC silent its candidates are the model's."""
    from pipeline.recognize import RecognizeStage
    from pipeline.settings import Settings

    stage = RecognizeStage(Settings())
    texts = ["新华社北京三月五日电 国务院总理在人民大会堂作政府工作报告，代表们认真审议。" * 3,
             "平湖市委书记在当湖街道调研，市发改局局长陪同。"]
    stage.ctx.consulted = Consulted()
    proposals = stage.propose(texts)
    assert 0 < stage.ctx.consulted.chars == sum(len(c.text) for t in texts for c in chunks(t, limit=stage.config.gate.unit))
    assert stage.ctx.consulted.read < stage.ctx.consulted.chars
    assert all(s.source == "lac" for p in proposals for s in p["lac"])


def test_memoised_sources_gate_as_the_stage_does() -> None:
    """The ablation's memoised sources (``MemoSource``) pass the model's confidence through, so an
    ablation of the default gates LAC as the default does (it once read LAC everywhere)."""
    from pipeline.evaluation.ablation import memo_sources
    from pipeline.recognize import RecognizeStage
    from pipeline.settings import Settings

    texts = ["新华社北京三月五日电 国务院总理在人民大会堂作政府工作报告，代表们认真审议。",
             "乍浦镇与上海两家企业签约了。", "新华社北京三月五日电 国务院总理在人民大会堂作政府工作报告，代表们认真审议。"]
    plain = RecognizeStage(Settings())
    memo = RecognizeStage(Settings(), sources=memo_sources(Settings()))
    for stage in (plain, memo):
        stage.ctx.consulted = Consulted()
    assert memo.propose(texts) == plain.propose(texts)
    assert memo.propose(texts) == plain.propose(texts)  # from the memo the second time
    # the memo's stage went through the gate too (without the model's confidence it would not)
    assert memo.ctx.consulted.chars == plain.ctx.consulted.chars > 0
    assert memo.ctx.consulted.read == plain.ctx.consulted.read < plain.ctx.consulted.chars


def test_a_model_run_through_spacy_leaves_the_gate_open() -> None:
    """A model that only spaCy can run (a legacy model directory) says nothing of its confidence,
    so the default then reads LAC everywhere, as before the gate."""
    import spacy

    from pipeline.model import lstm_component  # noqa: F401  registers the factory
    from pipeline.recognize.spacy_model import SpacyRecognizer
    from pipeline.settings import Settings

    rec = SpacyRecognizer(Settings().model_dir)
    rec.direct, rec.nlp = None, spacy.load(Settings().model_dir)
    spans, sure = rec.spans_with_confidence(["乍浦镇与上海两家企业签约了。"])
    assert sure is None and spans == rec.spans(["乍浦镇与上海两家企业签约了。"])

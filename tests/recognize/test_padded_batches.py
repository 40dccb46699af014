"""Issue 34: the tagger's members read texts of neighbouring lengths in padded batches, each
told its length (``lengths`` wired into the LSTM's ``sequence_lens``), and a text padded alone
reads exactly as unpadded; a text's batch-mates come from its window of texts only."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.model import lstm_tagger
from pipeline.model.batching import LENGTHS, wire_lengths
from pipeline.model.lstm_tagger import FACTORY, PADDED_BATCH, OnnxTagger, feed
from pipeline.settings import Settings

COMPONENT = Settings().model_dir / FACTORY
SENTENCES = [
    "平湖市委书记王小明昨天在当湖街道调研，与嘉兴市发展和改革委员会负责人座谈。",
    "会上，浙江拓远科技有限公司董事长李华介绍了新埭镇和美乡村建设情况。",
    "据新华社北京电",
    "圭亚那总统访华，双方签署合作协议；联合国秘书长发表讲话。",
    "上海、杭州、宁波三地联动！",
]


def _pieces(n: int = 40) -> list[str]:
    """Texts of many lengths (some equal), cut from the sentences above."""
    rng = np.random.default_rng(5)
    text = "".join(SENTENCES) * 4
    out = []
    for _ in range(n):
        s = int(rng.integers(0, len(text) - 60))
        out.append(text[s : s + int(rng.integers(3, 60))])
    return out


def test_shipped_members_are_told_lengths() -> None:
    tagger = OnnxTagger.from_dir(COMPONENT)
    assert tagger.padded and tagger.inputs[-1] == LENGTHS and tagger.second_inputs[-1] == LENGTHS
    assert PADDED_BATCH > 1


@pytest.mark.parametrize("member", ["first", "second"])
def test_a_text_padded_alone_reads_as_unpadded(member: str) -> None:
    """Bit for bit, pads of id 0 after it: the LSTM runs neither direction over them."""
    tagger = OnnxTagger.from_dir(COMPONENT)
    session, inputs = ((tagger.session, tagger.inputs) if member == "first"
                       else (tagger.second_session, tagger.second_inputs))
    soft, lex = "softword" in inputs, "lex_word" in inputs
    for text in SENTENCES:
        f = tagger.vocab.features(text, soft, lex)[None]
        (plain,) = session.run(None, feed(inputs, f, [len(text)]))  # type: ignore[attr-defined]
        padded = np.zeros((1, f.shape[1], len(text) + 9), dtype=np.int64)
        padded[:, :, : len(text)] = f
        (got,) = session.run(None, feed(inputs, padded, [len(text)]))  # type: ignore[attr-defined]
        assert np.array_equal(got[0, : len(text)], plain[0]), text


def test_batch_mates_come_from_the_window_only() -> None:
    """The same texts read twice, or a window's texts read apart from the rest, give the same
    readings: what a text's batch-mates are follows from its window of texts, nothing else."""
    tagger = OnnxTagger.from_dir(COMPONENT)
    texts = _pieces()
    whole = tagger.read(texts, window=16)
    again = tagger.read(texts, window=16)
    apart = [r for w in range(0, len(texts), 16) for r in tagger.read(texts[w : w + 16], window=16)]
    for a, b, c in zip(whole, again, apart):
        assert a.spans == b.spans == c.spans
        assert np.array_equal(a.confidence, b.confidence) and np.array_equal(a.confidence, c.confidence)


def _strip_lengths(src: Path, dst: Path) -> None:
    """A member graph as exported before lengths were wired: the input, its cast and the LSTM's
    ``sequence_lens`` taken out."""
    import onnx

    model = onnx.load(str(src))
    graph = model.graph
    cast = next(n for n in graph.node if n.op_type == "Cast" and list(n.input) == [LENGTHS])
    for node in graph.node:
        node.input[:] = ["" if i == cast.output[0] else i for i in node.input]
    graph.node.remove(cast)
    graph.input.remove(next(i for i in graph.input if i.name == LENGTHS))
    onnx.save(model, str(dst))


def test_a_member_without_lengths_reads_equal_lengths_together(tmp_path: Path) -> None:
    """A model directory from before (no ``lengths`` input) still loads and reads: texts of one
    length per batch, each text alone reading as the wired member reads it alone; and wiring it
    again (``python -m pipeline.training.split_members``) restores the shipped graph's inputs."""
    pytest.importorskip("onnx")
    from pipeline.recognize.spacy_model import load_tagger
    from pipeline.training.split_members import with_lengths

    part = tmp_path / FACTORY
    shutil.copytree(COMPONENT, part)
    for name in ("model.onnx", "second.onnx"):
        _strip_lengths(COMPONENT / name, part / name)
    old = load_tagger(part)
    assert not old.padded and LENGTHS not in old.second_inputs
    new = OnnxTagger.from_dir(COMPONENT)
    for text in SENTENCES:
        a, b = old.read([text])[0], new.read([text])[0]
        assert a.spans == b.spans and np.array_equal(a.confidence, b.confidence)
    texts = _pieces()
    assert [len(r.confidence) for r in old.read(texts)] == [len(t) for t in texts]
    assert with_lengths(part / "model.onnx") and not with_lengths(part / "model.onnx")
    assert OnnxTagger.from_dir(part).inputs == new.inputs


def test_wire_lengths_leaves_a_graph_without_recurrence_alone() -> None:
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph)
    before = model.SerializeToString()
    assert wire_lengths(model, LENGTHS, {"LSTM", "GRU"}) == 0
    assert model.SerializeToString() == before
    assert lstm_tagger.input_names(True, False, True)[-1] == LENGTHS

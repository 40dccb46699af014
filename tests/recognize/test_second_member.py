"""Issue 34: the model's second member reads only where the first is unsure
(``pipeline/model/members.py``), and the ensemble read whole is the trained ensemble, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.model.lstm_tagger import (
    FACTORY,
    OnnxTagger,
    Vocab,
    decode,
    feed,
    span_confidence,
    tags_to_spans,
)
from pipeline.model.members import clauses, read_weights, second_reads
from pipeline.settings import Settings

COMPONENT = Settings().model_dir / FACTORY
TEXTS = [
    "平湖市委书记王小明昨天在当湖街道调研，与嘉兴市发展和改革委员会负责人座谈。",
    "会上，浙江拓远科技有限公司董事长李华介绍了新埭镇和美乡村建设情况，并表示将继续加大投入",
    "据新华社北京电",
    "圭亚那总统访华，双方签署合作协议；联合国秘书长发表讲话。上海、杭州、宁波三地联动！",
    "",
]


def test_clauses_tile_the_text_and_end_after_a_stop() -> None:
    text = "".join(TEXTS) + "无标点的长句子" * 12
    for unit in (8, 20, 40):
        parts = clauses(text, unit)
        assert parts[0][0] == 0 and parts[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))  # no gap, no overlap
        assert all(0 < e - s <= unit for s, e in parts)
        for s, e in parts[:-1]:  # a cut falls after a stop whenever one lies past a quarter of the unit
            window = text[s + unit // 4 : s + unit]
            if any(c in "。！？；，、 \n" for c in window):
                assert text[e - 1] in "。！？；，、 \n", (unit, text[s:e])
    assert clauses("短句", 0) == [(0, 2)] and clauses("", 40) == []


def _alone(session: object, tagger: OnnxTagger, text: str, inputs: list[str]) -> np.ndarray:
    soft, lex = "softword" in inputs, "lex_word" in inputs
    feats = tagger.vocab.features(text, soft, lex)[None]
    return session.run(None, feed(inputs, feats, [len(text)]))[0][0]  # type: ignore[attr-defined]


def test_both_members_read_whole_is_the_weighted_average() -> None:
    """``below`` 2, ``unit`` 0: every text read whole by both, averaged with the trained weights in
    float32, as the exported ensemble graph did (each text read alone, so that no batch-mate
    moves its int8 activations' range: ``test_padded_batches``)."""
    tagger = OnnxTagger.from_dir(COMPONENT, below=2.0, unit=0)
    assert tagger.second is not None and tagger.second.everywhere
    w0, w1 = (np.float32(w) for w in read_weights(COMPONENT / "members.json"))
    got = [tagger.read([t])[0] for t in TEXTS]  # each alone: the int8 LSTM quantises a batch together
    texts = [t for t in TEXTS if t]
    logps = [w0 * _alone(tagger.session, tagger, t, tagger.inputs)
             + w1 * _alone(tagger.second_session, tagger, t, tagger.second_inputs) for t in texts]
    for text, reading, tags, top, lp in zip(texts, got, *decode(logps), logps):
        assert reading.spans == [(s, e, lab, span_confidence(lp, tags, s, e)) for s, e, lab in tags_to_spans(tags)]
        assert np.array_equal(reading.confidence, np.exp(top)), text
    assert tagger.characters_read == [sum(map(len, TEXTS)), sum(map(len, texts))]


def test_second_member_reads_only_the_unsure_clauses() -> None:
    first = OnnxTagger((COMPONENT / "model.onnx").read_bytes(),
                       Vocab.from_json(__import__("json").loads((COMPONENT / "vocab.json").read_text("utf-8"))))
    alone = first.read(TEXTS)
    never = OnnxTagger.from_dir(COMPONENT, below=0.0, unit=40)
    assert [r.spans for r in never.read(TEXTS)] == [r.spans for r in alone] and never.characters_read[1] == 0
    tagger = OnnxTagger.from_dir(COMPONENT, below=0.9, unit=20, context=10)
    got = tagger.read(TEXTS)
    read = 0
    for text, mine, base, lp in zip(TEXTS, got, alone, (np.log(r.confidence)[:, None] for r in alone)):
        reads = second_reads(text, lp, tagger.second)  # type: ignore[arg-type]
        unsure = [(s, e) for s, e in clauses(text, 20) if base.confidence[s:e].min() < 0.9]
        for s, e in unsure:  # every unsure clause is averaged, and read with its context
            assert any(os_ <= s and e <= oe and rs <= max(0, s - 10) and min(len(text), e + 10) <= re_
                       for rs, re_, os_, oe in reads)
        own = np.zeros(len(text), dtype=bool)
        for rs, re_, os_, oe in reads:
            own[os_:oe] = True
            read += re_ - rs
        assert np.array_equal(mine.confidence[~own], base.confidence[~own])  # the first member alone there
    assert 0 < tagger.characters_read[1] == read < sum(map(len, TEXTS))


def test_preset_setting_reaches_the_tagger() -> None:
    from pipeline.recognize import config as recognize_config
    from pipeline.recognize import create

    assert dict(recognize_config.load("combined-ensemble").second) == {"below": 2.0, "unit": 0}
    rec = create("spacy", model_dir=Settings().model_dir, second={"below": 2.0, "unit": 0})
    assert rec.direct.second.everywhere  # type: ignore[attr-defined]
    shipped = create("spacy", model_dir=Settings().model_dir)
    assert (shipped.direct.second.below, shipped.direct.second.unit) == (0.95, 40)  # type: ignore[attr-defined]


def test_unknown_second_key_is_refused(tmp_path: Path) -> None:
    from pipeline.recognize import config as recognize_config

    text = recognize_config.CONFIG_PATH.read_text(encoding="utf-8").replace(
        'second = {"below": 2.0, "unit": 0}', 'second = {"below": 2.0, "units": 0}')
    path = tmp_path / "recognize.cfg"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeyError, match="units"):
        recognize_config.load("combined-ensemble", path=path)


def test_split_members_recovers_each_member_and_the_weights(tmp_path: Path) -> None:
    """A small two-member graph of the exported shape (each member's log-softmax times its weight,
    summed): cut apart, each member gives its own log-softmax and ``members.json`` the weights."""
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from pipeline.training.split_members import split

    rng = np.random.default_rng(3)
    tables = {f"t{k}": rng.normal(size=(10, 13)).astype(np.float32) for k in range(4)}
    names = ["chars", "left", "right", "softword", "lex_word", "lex_nr", "lex_ns", "lex_nt"]
    nodes = [helper.make_node("Gather", [f"t{k}", "chars"], [f"g{k}"]) for k in range(4)]
    nodes += [helper.make_node("Add", ["g0", "g1"], ["a0"]), helper.make_node("Add", ["g2", "g3"], ["a1"])]
    for k in range(2):  # member 0 reads chars..softword, member 1 every row (as the shipped members)
        rows = names[1:4] if k == 0 else names[1:]
        extra = [helper.make_node("Gather", ["t0", r], [f"x{k}{r}"]) for r in rows]
        chain = f"a{k}"
        for n, r in enumerate(rows):
            extra.append(helper.make_node("Add", [chain, f"x{k}{r}"], [f"c{k}{n}"]))
            chain = f"c{k}{n}"
        nodes += [*extra, helper.make_node("LogSoftmax", [chain], [f"ls{k}"], axis=-1),
                  helper.make_node("Constant", [], [f"w{k}"], value=numpy_helper.from_array(np.float32(0.7 - 0.4 * k))),
                  helper.make_node("Mul", [f"ls{k}", f"w{k}"], [f"m{k}"])]
    nodes.append(helper.make_node("Add", ["m0", "m1"], ["logp"]))
    graph = helper.make_graph(nodes, "ens", [helper.make_tensor_value_info(n, TensorProto.INT64, ["b", "n"]) for n in names],
                              [helper.make_tensor_value_info("logp", TensorProto.FLOAT, ["b", "n", 13])],
                              [numpy_helper.from_array(v, k) for k, v in tables.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(tmp_path / "ens.onnx"))
    assert split(tmp_path / "ens.onnx", tmp_path) == (0.7, 0.3)
    feeds = {n: rng.integers(0, 10, size=(2, 5)) for n in names}
    whole = ort.InferenceSession(str(tmp_path / "ens.onnx")).run(None, feeds)[0]
    parts = []
    for name, k in (("model.onnx", 4), ("second.onnx", 8)):
        sess = ort.InferenceSession(str(tmp_path / name))
        assert [i.name for i in sess.get_inputs()] == names[:k]
        parts.append(sess.run(None, {n: feeds[n] for n in names[:k]})[0])
    assert np.array_equal(whole, np.float32(0.7) * parts[0] + np.float32(0.3) * parts[1])
    assert read_weights(tmp_path / "members.json") == (0.7, 0.3)


def test_half_an_ensemble_is_refused_naming_the_missing_file(tmp_path: Path) -> None:
    """``members.json`` without ``second.onnx`` (a model copied in part) is not read as member A
    alone: one error naming the missing file, before any text."""
    import shutil

    from pipeline.recognize.base import ModelFileError
    from pipeline.recognize.spacy_model import load_tagger

    part = tmp_path / FACTORY
    shutil.copytree(COMPONENT, part, ignore=shutil.ignore_patterns("second.onnx"))
    with pytest.raises(ModelFileError, match="second.onnx.*missing"):
        load_tagger(part)
    (part / "members.json").unlink()
    assert load_tagger(part).second is None  # no ensemble at all: member A is a tagger by itself

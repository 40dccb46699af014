"""Decoding a text by its unsure stretches (``pipeline.model.anchors``) gives the full decoder's
path, text for text, including where a cut does not hold and the text is decoded whole.

Why: the cut is an optimisation of an exact decoder (6% of the recognition's time went to whole
paragraphs stepped through Viterbi for one unsure name); an output that moves is a defect.
"""

from __future__ import annotations

import numpy as np

from pipeline.model.anchors import ANCHOR_MARGIN, anchored_paths
from pipeline.model.batching import crf_viterbi
from pipeline.model.lstm_tagger import _END_SCORE, _START_SCORE, _TRANS_SCORE, TAGS, _strict, decode


def _full(x: np.ndarray) -> list[int]:
    return crf_viterbi(x[None], _TRANS_SCORE, _START_SCORE, _END_SCORE)[0].tolist()


def _cut(texts: list[np.ndarray], bad: list[np.ndarray]) -> list[np.ndarray | None]:
    """``anchored_paths`` given each text's best tags and their lead, as ``decode`` gives them."""
    best = [x.argmax(1) for x in texts]
    margin = [x.max(1) - np.partition(x, -2, axis=1)[:, -2] for x in texts]
    return anchored_paths(texts, best, margin, bad, _strict)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    return (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(np.float32)


def _page_like(rng: np.random.Generator, n: int, ties: bool) -> np.ndarray:
    """A confident tagger's text: mostly sure O, with unsure stretches and sure names between."""
    x = rng.normal(size=(n, len(TAGS)))
    x[:, 0] += rng.choice([12.0, 6.0, 2.0, 0.0], size=n, p=[0.7, 0.1, 0.1, 0.1])
    for _ in range(int(rng.integers(0, 4))):  # a sure name: B I... E of one label
        s, k, label = int(rng.integers(0, n)), int(rng.integers(1, 5)), int(rng.integers(0, 3))
        tags = [1 + 4 * label + 3] if k == 1 else [1 + 4 * label, *[2 + 4 * label] * (k - 2), 3 + 4 * label]
        for i, t in enumerate(tags[: n - s]):
            x[s + i, t] += 14.0
    if ties:
        x = np.round(x)
    return _log_softmax(x)


def test_cut_decode_equals_the_full_decoder_per_text() -> None:
    rng = np.random.default_rng(3)
    cut = 0
    for trial in range(150):
        texts = [_page_like(rng, int(rng.integers(1, 160)), ties=trial % 4 == 0) for _ in range(int(rng.integers(1, 9)))]
        tags, _ = decode(texts)
        for x, got in zip(texts, tags):
            assert got.tolist() == _full(x)
        bad = [np.ones(len(x), dtype=bool) for x in texts]  # every character unsure: the most cutting
        for x, path in zip(texts, _cut(texts, bad)):
            if path is not None:
                cut += 1
                assert path.tolist() == _full(x)
    assert cut > 300  # the cuts held for most texts: the test exercised them


def test_a_name_running_through_a_sure_o_is_not_cut_there() -> None:
    """O leads by the anchor margin at one character, but a sure name either side makes the best
    path leave O there (B I [I] I E): the cut must not hold, and the text is decoded whole."""
    n, b, i, e = 7, TAGS.index("B-ORG"), TAGS.index("I-ORG"), TAGS.index("E-ORG")
    x = np.full((n, len(TAGS)), -30.0, dtype=np.float32)
    x[[0, 6], 0] = 0.0
    x[1, b] = x[2, i] = x[4, i] = x[5, e] = 0.0
    x[3, 0], x[3, i] = 0.0, -(ANCHOR_MARGIN + 1.0)  # the anchor: O sure by more than the margin
    x[2, 0] = x[4, 0] = -0.5  # unsure stretches either side of it
    x[2, i] = x[4, i] = -0.4
    want = _full(x)
    assert want[1:6] == [b, i, i, i, e]
    bad = np.zeros(n, dtype=bool)
    bad[[2, 4]] = True
    assert _cut([x], [bad]) == [None]
    assert decode([x])[0][0].tolist() == want

"""Batching and decoding shared by the sequence taggers (our BiLSTM, LAC's encoder).

Why here: both taggers run an exported recurrent network with onnxruntime and decode its
per-character scores with Viterbi.  A recurrent network's backward direction must not start on
padding, so texts are batched only with texts of the same length; a batch then also decodes in
one numpy pass per character instead of one per character per text.  Nothing here imports
spaCy or onnxruntime.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def equal_length_batches(texts: Sequence[str], size: int = 64) -> Iterator[list[int]]:
    """Indices of the non-empty texts, grouped by exact length: a recurrent batch needs no
    padding, so its backward direction never starts on pads."""
    by_len: dict[int, list[int]] = {}
    for i, t in enumerate(texts):
        if t:
            by_len.setdefault(len(t), []).append(i)
    for _, ids in sorted(by_len.items()):
        for k in range(0, len(ids), size):
            yield ids[k : k + size]


def crf_viterbi(emissions: np.ndarray, transitions: np.ndarray, start: np.ndarray | None = None,
                end: np.ndarray | None = None) -> np.ndarray:
    """Best tag paths, (batch, n), of a (batch, n, tags) array of emission scores under (tags,
    tags) transition scores and optional start and end scores per tag.

    The arithmetic of decoding each text alone, element for element (LAC's ``_viterbi_decode``,
    our BiLSTM's constrained decoder), so the paths are identical, ties to the lowest tag
    included; only the loop over the texts of a batch moves into numpy, and the value at each
    step's argmax is gathered rather than reduced a second time."""
    batch, n, k = emissions.shape
    score = emissions[:, 0] + start if start is not None else emissions[:, 0].copy()
    back = np.zeros((n, batch, k), dtype=np.int64)
    rows, cols = np.arange(batch)[:, None], np.arange(k)[None, :]
    for t in range(1, n):
        cand = score[:, :, None] + transitions  # (batch, from, to)
        best = cand.argmax(1)
        back[t] = best
        score = cand[rows, best, cols] + emissions[:, t]
    if end is not None:
        score = score + end
    tag = score.argmax(1)
    path = np.empty((batch, n), dtype=np.int64)
    path[:, n - 1] = tag
    every = np.arange(batch)
    for t in range(n - 1, 0, -1):
        tag = back[t, every, tag]
        path[:, t - 1] = tag
    return path

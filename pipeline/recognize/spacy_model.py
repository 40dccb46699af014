"""Our trained spaCy model as a recognise variant."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..records import Span
from .base import BackendUnavailable, Recognizer, chunks, register

LEGACY_CNN_LAYER = "pinghu.CharFeatureEmbed.v1"  # in a config.cfg: a model of the retired CNN path
MODEL_SOURCE = "spacy"  # the registered name, which the combiner and the repairs see on spans


@register(MODEL_SOURCE)
class SpacyRecognizer(Recognizer):
    def __init__(self, model_dir: Path | str, batch_size: int = 64, **_: object) -> None:
        import spacy

        from ..model import lstm_tagger  # noqa: F401  registers the shipped BiLSTM's factory

        path = Path(model_dir)
        if not (path / "config.cfg").exists():
            raise BackendUnavailable(f"{path}: no trained model here (run `pinghu-ner train`)")
        if LEGACY_CNN_LAYER in (path / "config.cfg").read_text(encoding="utf-8"):
            from ..model import architectures  # noqa: F401  the legacy CNN model's layers, only for it
        self.nlp = spacy.load(path)
        self.batch_size = batch_size

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        pieces = [(i, off, piece) for i, t in enumerate(texts) for off, piece in chunks(t)]
        out: list[list[Span]] = [[] for _ in texts]
        docs = self.nlp.pipe((p for _, _, p in pieces), batch_size=self.batch_size)
        for (i, off, _), doc in zip(pieces, docs):
            # The tagger's per-span confidence where the model gives one (the BiLSTM does), else 1.
            confidence = doc.user_data.get("ent_confidence") or [1.0] * len(doc.ents)
            for ent, conf in zip(doc.ents, confidence):
                out[i].append(Span(off + ent.start_char, off + ent.end_char, ent.label_, self.name, conf))
        return out

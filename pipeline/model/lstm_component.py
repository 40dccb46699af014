"""The BiLSTM tagger (``lstm_tagger``) as a spaCy component, ``pinghu_lstm_ner``.

Why a module of its own: importing it registers the factory with spaCy, which ``spacy.load`` of
a model directory needs; the tagger itself needs no spaCy, and the pipeline runs the shipped
model without importing it (``recognize.spacy_model``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from pipeline.model.lstm_tagger import FACTORY, OnnxTagger, Vocab
from pipeline.model.members import (
    DEFAULT_BELOW,
    DEFAULT_CONTEXT,
    DEFAULT_UNIT,
    MEMBERS_FILE,
    SECOND_FILE,
    SecondMember,
    write_weights,
)


@Language.factory(FACTORY, default_config={"threads": 1, "second_below": DEFAULT_BELOW, "second_unit": DEFAULT_UNIT,
                                           "second_context": DEFAULT_CONTEXT})
def make_lstm_ner(nlp: Language, name: str, threads: int, second_below: float, second_unit: int,
                  second_context: int) -> LstmNer:
    """``second_*``: where an ensemble's second member reads (``pipeline.model.members``)."""
    return LstmNer(name, threads, (second_below, second_unit, second_context))


class LstmNer:
    """spaCy component: sets ``doc.ents`` from the ONNX tagger (one token per character), and
    their confidences, in the same order, in ``doc.user_data["ent_confidence"]``."""

    def __init__(self, name: str = "pinghu_lstm_ner", threads: int = 1,
                 second: tuple[float, int, int] = (DEFAULT_BELOW, DEFAULT_UNIT, DEFAULT_CONTEXT)) -> None:
        self.name = name
        self.threads = threads
        self.second_reads = second  # below, unit, context (``pipeline.model.members``)
        self.tagger: OnnxTagger | None = None

    def set_model(self, onnx_bytes: bytes, vocab: Vocab, second: tuple[bytes, tuple[float, float]] | None = None) -> None:
        """``second``: an ensemble's second member, its network and the two weights."""
        member = SecondMember(second[0], second[1], *self.second_reads) if second else None
        self.tagger = OnnxTagger(onnx_bytes, vocab, self.threads, member)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        if self.tagger is None:
            raise ValueError(f"{self.name}: no model loaded (from_disk or set_model first)")
        for batch in minibatch(docs, size=batch_size):
            for doc, spans in zip(batch, self.tagger.spans([d.text for d in batch])):
                ents, confidence = [], []
                for s, e, label, conf in spans:
                    span = doc.char_span(s, e, label=label, alignment_mode="contract")
                    if span is not None and len(span):
                        ents.append(span)
                        confidence.append(conf)
                doc.ents = ents
                doc.user_data["ent_confidence"] = confidence
                yield doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        if self.tagger is None:
            raise ValueError(f"{self.name}: nothing to save")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.onnx").write_bytes(self.tagger.onnx_bytes)
        if self.tagger.second is not None:
            (path / SECOND_FILE).write_bytes(self.tagger.second.onnx_bytes)
            write_weights(path / MEMBERS_FILE, self.tagger.second.weights)
        (path / "vocab.json").write_text(json.dumps(self.tagger.vocab.to_json(), ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> LstmNer:
        self.tagger = OnnxTagger.from_dir(Path(path), self.threads, *self.second_reads)
        return self

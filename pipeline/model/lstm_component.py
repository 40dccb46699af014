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


@Language.factory(FACTORY, default_config={"threads": 1})
def make_lstm_ner(nlp: Language, name: str, threads: int) -> LstmNer:
    return LstmNer(name, threads)


class LstmNer:
    """spaCy component: sets ``doc.ents`` from the ONNX tagger (one token per character), and
    their confidences, in the same order, in ``doc.user_data["ent_confidence"]``."""

    def __init__(self, name: str = "pinghu_lstm_ner", threads: int = 1) -> None:
        self.name = name
        self.threads = threads
        self.tagger: OnnxTagger | None = None

    def set_model(self, onnx_bytes: bytes, vocab: Vocab) -> None:
        self.tagger = OnnxTagger(onnx_bytes, vocab, self.threads)

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
        (path / "vocab.json").write_text(json.dumps(self.tagger.vocab.to_json(), ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> LstmNer:
        self.tagger = OnnxTagger.from_dir(Path(path), self.threads)
        return self

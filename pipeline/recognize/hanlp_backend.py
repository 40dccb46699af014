"""HanLP as an optional recognise variant, for machines that can load its models."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.recognize.base import BackendUnavailable, Recognizer, chunks, owned_spans, register
from pipeline.records import Span

HANLP_LABELS = {"PERSON": "PERSON", "NR": "PERSON", "LOCATION": "PLACE", "NS": "PLACE",
                "ORGANIZATION": "ORG", "NT": "ORG", "GPE": "PLACE"}
DEFAULT_MODEL = "MSRA_NER_ELECTRA_SMALL_ZH"


@register("hanlp")
class HanlpRecognizer(Recognizer):
    def __init__(self, hanlp_model: str = DEFAULT_MODEL, **_: object) -> None:
        try:
            import hanlp
        except ImportError as exc:
            raise BackendUnavailable("HanLP backend: install the extra with `pip install 'pinghu-ner[hanlp]'`") from exc
        try:
            self.ner = hanlp.load(getattr(hanlp.pretrained.ner, hanlp_model, hanlp_model))
        except Exception as exc:  # HanLP raises many kinds when its weights cannot be fetched
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendUnavailable(f"HanLP model {hanlp_model!r} cannot be loaded here: {first}") from exc

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for text in texts:
            pieces = chunks(text, limit=250)
            found = [[Span(p.offset + s, p.offset + e, HANLP_LABELS[label], self.name)
                      for _word, label, s, e in self.ner(list(p.text)) if label in HANLP_LABELS]
                     for p in pieces]
            out.append(owned_spans(pieces, found))
        return out

"""The recognise stage's variant interface and registry.

Like Stanza's ``ProcessorVariant``: every backend (our spaCy model, LAC, HanLP, the gazetteer
ruler, the title rules) takes the same input (a batch of texts) and returns the same output
(candidate ``Span`` lists), so that a config can name any of them and the combiner can merge
any subset.  Backends load lazily: importing this package never imports onnxruntime or torch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from ..records import Span

RECOGNIZERS: dict[str, Callable[..., Recognizer]] = {}


def register(name: str) -> Callable[[type[Recognizer]], type[Recognizer]]:
    def deco(cls: type[Recognizer]) -> type[Recognizer]:
        cls.name = name
        RECOGNIZERS[name] = cls
        return cls

    return deco


class BackendUnavailable(RuntimeError):
    """A backend whose package or model cannot be had on this machine (one-line message)."""


class Recognizer(ABC):
    """Proposes entity spans for a batch of texts."""

    name = "base"
    labels: tuple[str, ...] = ("PERSON", "PLACE", "ORG")

    @abstractmethod
    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        """One list of candidate spans per text, offsets into that text."""


_CACHE: dict[tuple[str, str], Recognizer] = {}


def create(name: str, **kwargs: Any) -> Recognizer:
    """The named variant; one instance per process and configuration (models load once)."""
    if name not in RECOGNIZERS:
        raise KeyError(f"unknown recognizer {name!r}; known: {', '.join(sorted(RECOGNIZERS))}")
    key = (name, repr(sorted((k, str(v)) for k, v in kwargs.items())))
    if key not in _CACHE:
        _CACHE[key] = RECOGNIZERS[name](**kwargs)
    return _CACHE[key]


def chunks(text: str, limit: int = 300) -> list[tuple[int, str]]:
    """Split into lines, and long lines at sentence ends, into pieces of at most ``limit`` chars.

    A line of an article is one field (headline, byline, paragraph): no entity crosses it, and a
    tagger that sees across it glues a headline to the next line's name.  Sequence taggers are
    trained on sentences; a 100k-character line must not reach them whole.
    """
    out: list[tuple[int, str]] = []
    line_start = 0
    for line in text.split("\n"):
        start, n = line_start, line_start + len(line)
        line_start = n + 1
        while start < n:
            end = min(n, start + limit)
            if end < n:
                for stop in ("。", "！", "？", "；", "，", "、", " "):
                    k = text.rfind(stop, start, end)
                    if k >= start + limit // 4:
                        end = k + 1
                        break
            if text[start:end].strip():
                out.append((start, text[start:end]))
            start = end
    return out


def _register_propose() -> None:
    from .document import RecognitionDoc
    from .registry import register_pass

    @register_pass("propose", requires=["text"], provides=["candidates"], batch=True)
    def propose(docs: list[RecognitionDoc], ctx: Any) -> None:
        """Every configured source's candidate spans, each source run once over the whole batch."""
        texts = [d.text for d in docs]
        for src in ctx.sources:
            for d, spans in zip(docs, src.spans(texts)):
                d.candidates[src.name] = spans


_register_propose()

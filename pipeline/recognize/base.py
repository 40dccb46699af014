"""The recognise stage's variant interface and registry.

Like Stanza's ``ProcessorVariant``: every backend (our spaCy model, LAC, HanLP, the gazetteer
ruler, the title rules) takes the same input (a batch of texts) and returns the same output
(candidate ``Span`` lists), so that a config can name any of them and the combiner can merge
any subset.  Backends load lazily: importing this package never imports onnxruntime or torch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from pipeline.errors import read_json
from pipeline.records import Span

RECOGNIZERS: dict[str, Callable[..., Recognizer]] = {}


def register(name: str) -> Callable[[type[Recognizer]], type[Recognizer]]:
    def deco(cls: type[Recognizer]) -> type[Recognizer]:
        cls.name = name
        RECOGNIZERS[name] = cls
        return cls

    return deco


class BackendUnavailable(RuntimeError):
    """A backend whose package or model cannot be had on this machine (one-line message)."""


class ModelFileError(BackendUnavailable):
    """A file of the model directory that is missing, unreadable or malformed: the message is one
    line, the file and what is wrong with it (the CLI refuses the run with it, exit 2)."""

    def __init__(self, path: Path | str, problem: str) -> None:
        from pipeline.ingest import printable

        self.path, self.problem = Path(path), problem
        super().__init__(f"{printable(path)}: {problem}")


def read_model_json(path: Path | str) -> Any:
    """A JSON file of the model directory, or a ``ModelFileError`` saying why it cannot be read."""
    return read_json(path, ModelFileError)


class Recognizer(ABC):
    """Proposes entity spans for a batch of texts."""

    name = "base"
    labels: tuple[str, ...] = ("PERSON", "PLACE", "ORG")

    @abstractmethod
    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        """One list of candidate spans per text, offsets into that text."""

    def spans_with_confidence(self, texts: Sequence[str]) -> tuple[list[list[Span]], list[np.ndarray] | None]:
        """The spans and, per text, how sure the source is of each character (0-1); None where
        the source cannot say (then a gate it decides consults the other source everywhere)."""
        return self.spans(texts), None


_CACHE: dict[tuple[str, str], Recognizer] = {}


def create(name: str, **kwargs: Any) -> Recognizer:
    """The named variant; one instance per process and configuration (models load once)."""
    if name not in RECOGNIZERS:
        raise KeyError(f"unknown recognizer {name!r}; known: {', '.join(sorted(RECOGNIZERS))}")
    key = (name, repr(sorted((k, str(v)) for k, v in kwargs.items())))
    if key not in _CACHE:
        _CACHE[key] = RECOGNIZERS[name](**kwargs)
    return _CACHE[key]


CHUNK_STOPS = ("。", "！", "？", "；", "，", "、", " ")


class Piece(NamedTuple):
    """A piece of a text a tagger sees whole: ``text`` starts at ``offset`` in the text, and the
    spans it finds are kept where they start in ``own`` (absolute [start, end)); pieces overlap
    only around a blind cut (``chunks``)."""

    offset: int
    text: str
    own: tuple[int, int]


def chunks(text: str, limit: int = 300, overlap: int | None = None) -> list[Piece]:
    """Split into lines, and long lines at sentence ends, into pieces of at most ``limit`` chars.

    A line of an article is one field (headline, byline, paragraph): no entity crosses it, and a
    tagger that sees across it glues a headline to the next line's name.  Sequence taggers are
    trained on sentences; a 100k-character line must not reach them whole.  A piece ends after
    the last stop (。！？；，、 or a space) in its window.  A window with no stop is cut blind, and
    a blind cut lands inside a word as often as not (a list of names printed without separators
    lost a name at every cut), so there the next piece starts ``overlap`` characters (default
    ``limit // 5``) earlier and each piece owns the spans that start in its half of the overlap
    (``owned_spans``): every character is tagged with context on both sides.
    """
    return list(iter_chunks(text, limit, overlap))


def iter_chunks(text: str, limit: int = 300, overlap: int | None = None) -> Iterator[Piece]:
    """``chunks``, one piece at a time: a caller that reads a one-line file's pieces a block at
    a time (the gate, issue 33) holds no list of them all."""
    overlap = limit // 5 if overlap is None else min(overlap, limit // 2)  # each piece moves on
    line_start = 0
    for line in text.split("\n"):
        start, n = line_start, line_start + len(line)
        line_start = n + 1
        own_start = start
        while start < n:
            end = min(n, start + limit)
            following = end
            if end < n:
                for stop in CHUNK_STOPS:
                    k = text.rfind(stop, start, end)
                    if k >= start + limit // 4:
                        end = following = k + 1
                        break
                else:
                    following = end - overlap
            own_end = end if following == end else end - overlap // 2
            if text[start:end].strip():
                yield Piece(start, text[start:end], (own_start, own_end))
            start, own_start = following, own_end


def owned_spans(pieces: Sequence[Piece], found: Sequence[Sequence[Span]]) -> list[Span]:
    """The spans of one text from its pieces (``found[i]`` in text offsets): each piece's spans
    that start in its own part, less those that overlap a span an earlier piece kept."""
    out: list[Span] = []
    for piece, spans in zip(pieces, found):
        own_into(out, piece, spans)
    return out


def own_into(out: list[Span], piece: Piece, spans: Sequence[Span]) -> None:
    """Append to ``out`` (the spans kept so far from a text's earlier pieces) the spans of
    ``piece`` that ``owned_spans`` keeps."""
    a, b = piece.own
    last_end = out[-1].end if out else -1
    out.extend(s for s in spans if a <= s.start < b and s.start >= last_end)


def spans_by_pieces(texts: Sequence[str], limit: int,
                    tag: Callable[[list[Piece]], list[list[Span]]]) -> list[list[Span]]:
    """Each text's spans from a tagger that reads pieces: every text is cut (``chunks``), the
    pieces of all texts go to ``tag`` in one call, so a tagger can batch across texts (it returns
    each piece's spans in text offsets), and each text keeps its pieces' ``owned_spans``."""
    per_text = [chunks(t, limit=limit) for t in texts]
    return join_pieces(per_text, tag([p for ps in per_text for p in ps]))


def join_pieces(per_text: Sequence[Sequence[Piece]], found: Sequence[Sequence[Span]]) -> list[list[Span]]:
    """Each text's ``owned_spans`` from the spans found in all texts' pieces, in order."""
    out: list[list[Span]] = []
    k = 0
    for ps in per_text:
        out.append(owned_spans(ps, found[k : k + len(ps)]))
        k += len(ps)
    return out

"""A second tagger consulted only where the first is unsure (a cascade), as part of ``propose``.

Why: the default reads every character with two neural taggers, our BiLSTM and LAC, and LAC's
vote matters only where the two could disagree.  Where the BiLSTM's best tag has a probability
near 1 at every character of a clause, LAC's reading of that clause almost always agrees with it
(with LAC reading only the unsure clauses, the default's micro F1 moves by +0.0001 on MSRA test,
-0.0004 on CLUENER dev and 0.0000 on the dev pages: ``python -m bench.gate_sweep``, README
"Speed"), so running LAC there cost a third of the default's time and bought nothing.

``Gate(source="lac", by="spacy", below=τ, unit=n)``: each text is cut into clauses of at most
``n`` characters (``chunks``); a clause where some character's confidence from ``by`` is below
``τ`` is read by ``source``, and every other clause takes ``by``'s spans there as ``source``'s
(what the learned vote was trained to see when the two agree).  ``below`` above 1 sends every
clause (every confidence is at most 1); that is still not the ungated default, whose LAC reads its
own longer pieces with more context: no ``gate`` at all is (``combined-ungated``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.recognize.base import Piece, Recognizer, iter_chunks, own_into
from pipeline.records import Span

# Clauses read per call of the gated source (``consult``): more than a page holds.
CONSULT_BLOCK = 8192


@dataclass(frozen=True)
class Gate:
    """Which source is consulted only where which other source is unsure, and how unsure."""

    source: str  # the tagger consulted (LAC)
    by: str  # the tagger whose confidence decides (our model); it must run first
    below: float  # consult where some character's confidence is below this
    unit: int  # the clause length the decision is made on (``chunks``' limit)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None, sources: Sequence[str]) -> Gate | None:
        """From a preset's ``gate`` table; refuses one that names a source the preset lacks."""
        if not raw:
            return None
        unknown = set(raw) - {"source", "by", "below", "unit"}
        if unknown:
            raise KeyError(f"gate: unknown key(s) {sorted(unknown)}; known: source, by, below, unit")
        gate = cls(str(raw["source"]), str(raw["by"]), float(raw["below"]), int(raw["unit"]))
        order = list(sources)
        if gate.source not in order or gate.by not in order or order.index(gate.by) > order.index(gate.source):
            raise KeyError(f"gate: {gate.by!r} must be a source listed before {gate.source!r}; sources: {order}")
        if gate.unit < 4:
            raise ValueError(f"gate: unit {gate.unit} is too short to read a clause")
        return gate


@dataclass
class Consulted:
    """How much of the text the gated source read (for the bench and tests)."""

    chars: int = 0
    read: int = 0

    @property
    def share(self) -> float:
        return self.read / self.chars if self.chars else 0.0


def consult(gate: Gate, source: Recognizer, texts: Sequence[str], by_spans: Sequence[Sequence[Span]],
            confidence: Sequence[np.ndarray], tally: Consulted | None = None) -> list[list[Span]]:
    """``source``'s spans per text: its own reading of the unsure clauses (all in one call, so it
    batches across texts) and ``by``'s spans, relabelled as ``source``'s, everywhere else.

    The clauses go ``CONSULT_BLOCK`` at a time, one call per block: a page's clauses are one
    block, and a one-line file's (issue 33: a million characters, some 100,000 clauses) are
    never all held, with their answers, at once."""
    out: list[list[Span]] = [[] for _ in texts]
    block: list[tuple[int, Piece, bool]] = []  # (text, clause, unsure)
    for t, (text, conf) in enumerate(zip(texts, confidence)):
        for p in iter_chunks(text, limit=gate.unit):
            block.append((t, p, float(conf[p.offset : p.offset + len(p.text)].min()) < gate.below))
            if len(block) == CONSULT_BLOCK:
                _answer(block, source, by_spans, out, tally)
                block = []
    _answer(block, source, by_spans, out, tally)
    return out


def _answer(block: Sequence[tuple[int, Piece, bool]], source: Recognizer, by_spans: Sequence[Sequence[Span]],
            out: list[list[Span]], tally: Consulted | None) -> None:
    """Each clause's spans (``source``'s reading where unsure, else ``by``'s) into its text's
    ``out``, as ``owned_spans`` keeps them."""
    asked = [p for _, p, u in block if u]
    answers = iter(source.spans([p.text for p in asked]) if asked else [])
    starts: dict[int, list[int]] = {}
    for t, p, u in block:
        end = p.offset + len(p.text)
        if tally is not None:
            tally.chars += len(p.text)
            tally.read += len(p.text) if u else 0
        if u:
            found = [Span(p.offset + s.start, p.offset + s.end, s.label, source.name, s.score) for s in next(answers)]
        else:
            theirs = by_spans[t]
            if t not in starts:
                starts[t] = [s.start for s in theirs]
            found = [Span(s.start, s.end, s.label, source.name)
                     for s in theirs[bisect_left(starts[t], p.offset) : bisect_left(starts[t], end)]]
        own_into(out[t], p, found)

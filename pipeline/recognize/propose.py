"""The ``propose`` pass: every configured source's candidate spans, with the LAC gate.

Its own module (it was registered from ``base``): the pass needs the gate, and the gate needs the
recogniser base class, so registering it beside that class made ``base`` and ``gate`` import each
other.
"""

from __future__ import annotations

from typing import Any

from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.gate import consult
from pipeline.recognize.registry import register_pass


@register_pass("propose", requires=["text"], provides=["candidates"], batch=True)
def propose(docs: list[RecognitionDoc], ctx: Any) -> None:
    """Every configured source's candidate spans, each source run once over the whole batch."""
    texts = [d.text for d in docs]
    gate = getattr(ctx, "gate", None)
    sure: list | None = None  # the deciding source's per-character confidence, once it has run
    for src in ctx.sources:
        if gate is not None and src.name == gate.by:
            found, sure = src.spans_with_confidence(texts)
        elif gate is not None and src.name == gate.source and sure is not None:
            found = consult(gate, src, texts, [d.candidates[gate.by] for d in docs], sure, ctx.consulted)
        else:  # ungated, or the deciding source cannot say how sure it is: read everything
            found = src.spans(texts)
        for d, spans in zip(docs, found):
            d.candidates[src.name] = spans


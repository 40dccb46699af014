"""The ``country_pairs`` pass: 中美双方, 中俄关系 — one-character country forms printed together
before a bilateral noun, which the taggers often miss; each character becomes a PLACE span.

A recognise pass (it was added in the link step, where the recognise ablation could not see it
and a ``--disable`` could not switch it off); the pattern and the country data live in
``pipeline.lexicons.countries``.
"""

from __future__ import annotations

from typing import Any

from pipeline.lexicons.countries import country_pair_spans
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.overlap import IntervalIndex
from pipeline.recognize.registry import register_pass
from pipeline.records import Span


@register_pass("country_pairs", requires=["text", "spans"], provides=["spans"])
def country_pairs(doc: RecognitionDoc, _ctx: Any) -> None:
    """Country pairs before a bilateral noun (中美关系): one PLACE per country character."""
    found = country_pair_spans(doc.text, IntervalIndex((s.start, s.end) for s in doc.spans))
    if found:
        added = [Span(s, e, "PLACE", "country-pair") for s, e in found]
        doc.spans = sorted([*doc.spans, *added], key=lambda x: x.start)

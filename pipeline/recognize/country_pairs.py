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
from pipeline.recognize.registry import register_pass


@register_pass("country_pairs", requires=["text", "spans"], provides=["spans"])
def country_pairs(doc: RecognitionDoc, _ctx: Any) -> None:
    """Country pairs before a bilateral noun (中美关系): one PLACE per country character."""
    doc.add_found(country_pair_spans, "PLACE", "country-pair")

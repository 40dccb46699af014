"""The ``declared_short_names`` pass: a short name the text declares for an entity — 太平洋亚洲旅行
协会（简称PATA）, 平湖市新时代文明实践中心（以下简称“实践中心”） — is that entity's label wherever the
text prints it.

Why: news introduces a body once in full and then writes the short name it declared, which the
taggers read as an abbreviation or an ordinary word; the declaration is printed evidence, not a
list.  Guards: the bracket follows a PLACE or ORG span directly, and the short name is no everyday
word (双方, 协会: jieba's dictionary frequency ≥ ``COMMON_FREQ``), so a generic back-reference is
not made a name.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

_DECLARED = re.compile(r"[（(](?:以下|下文)?简称[：:]?([“\"「]?)([^“”\"「」（）()，,、。；;：:\s]{2,12})[”\"」]?[）)]")
COMMON_FREQ = 100  # as for the list passes: 双方, 协会 are words; PATA, 实践中心 are not


def declared_short_names(text: str, spans: list[Span]) -> list[Span]:
    """New spans for each declared short name: at its declaration and at every other occurrence
    in ``text`` where no span is."""
    from pipeline.model.dictionary import dictionary
    from pipeline.recognize.overlap import IntervalIndex

    freq = dictionary().freq
    ends = {s.end: s for s in spans if s.label in ("ORG", "PLACE")}
    taken = IntervalIndex((s.start, s.end) for s in spans)
    new: list[Span] = []
    for m in _DECLARED.finditer(text):
        body, name = ends.get(m.start()), m.group(2)
        if body is None or freq(name) >= COMMON_FREQ:
            continue
        i = text.find(name)
        while i >= 0:
            end = i + len(name)
            if not taken.overlaps(i, end) and not any(n.start < end and i < n.end for n in new):
                new.append(Span(i, end, body.label, "declared", body.score))
            i = text.find(name, end)
    return new


@register_pass("declared_short_names", requires=["text", "spans"], provides=["spans"])
def declared_short_names_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """Short names declared in brackets after a PLACE or ORG: that label wherever printed."""
    if "简称" not in doc.text:
        return
    new = declared_short_names(doc.text, doc.spans)
    if new:
        doc.spans = sorted([*doc.spans, *new], key=lambda s: s.start)

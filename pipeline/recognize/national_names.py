"""The ``national_names`` pass: a national body or party printed under its own name (民进, 九三学社,
国务院) where no source kept a span, as an ORG.

Why: the taggers learned the state's organs from the corpora, but a party's short form (民进, 民建)
is rare there and reads to them as an ordinary word, so a county paper's united-front news (民进
members at the CPPCC, 九三学社 branches) loses the bodies an analyst counts.  The names are the
resolver's own data (``national_bodies.txt``: public administrative facts, full names and the
short forms the bodies use for themselves; never the bare forms that need national context).  A
name is taken only where jieba's cut has it as a whole word, so 民建 inside 农民建房 or 居民建议
is no party, and only where no span is, so a longer name (民进平湖市委员会) stays whole.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pipeline.gazetteers.national import national_bodies
from pipeline.model.wordseg import word_bounds
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass


@cache
def _names() -> tuple[str, ...]:
    """Every full name and short form of the national bodies, longest first."""
    forms = {f for b in national_bodies() for f in (b.canonical, *b.aliases)}
    return tuple(sorted(forms, key=len, reverse=True))


def national_name_spans(text: str, taken: Any) -> list[tuple[int, int]]:
    """Where a national body's name stands as a word of its own and no span is."""
    if not any(n in text for n in _names()):
        return []
    edges = set(word_bounds(text))
    found: list[tuple[int, int]] = []
    for name in _names():
        i = text.find(name)
        while i >= 0:
            end = i + len(name)
            if (i in edges and end in edges and not taken.overlaps(i, end)
                    and not any(a < end and i < b for a, b in found)):
                found.append((i, end))
            i = text.find(name, i + 1)
    return sorted(found)


@register_pass("national_names", requires=["text", "spans"], provides=["spans"])
def national_names(doc: RecognitionDoc, _ctx: Any) -> None:
    """National bodies and parties standing as words where no span is: ORG."""
    doc.add_found(national_name_spans, "ORG", "national-name")

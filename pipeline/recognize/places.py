"""Split address chains into their places: 安徽省阜阳市 → 安徽省 + 阜阳市, 新埭镇泖口村 → 新埭镇 + 泖口村.

Taggers differ on chains (LAC joins them, MSRA-style models often split); analysts count places,
so a chain is split wherever an administrative suffix ends a part of at least two characters and
the rest is itself a suffixed place name.  Only suffixes are used, never particular names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

# Alternation in file order (the order decides which level a regex part ends on).
LEVEL = "(?:" + "|".join(map(re.escape, lexicon.entries("admin_levels"))) + ")"
PART = re.compile(rf"[^\W\d_]{{1,8}}?{LEVEL}")
_CHAIN = re.compile(rf"(?:{PART.pattern}){{2,5}}")


def split_chain(surface: str) -> list[tuple[int, int]]:
    """Offsets of the parts of an address chain, or one part when it is not a chain."""
    if not _CHAIN.fullmatch(surface):
        return [(0, len(surface))]
    parts = [(m.start(), m.end()) for m in PART.finditer(surface)]
    if len(parts) < 2 or parts[-1][1] != len(surface) or any(e - s < 2 for s, e in parts):
        return [(0, len(surface))]
    return parts


def split_address_chains(spans: Iterable[Span], text: str) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if s.label != "PLACE" or s.end - s.start < 5:
            out.append(s)
            continue
        for a, b in split_chain(text[s.start : s.end]):
            out.append(replace(s, start=s.start + a, end=s.start + b))
    return out


@register_pass("split_address_chains", requires=["spans"], provides=["spans"])
def split_address_chains_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """安徽省阜阳市 → 安徽省 + 阜阳市: analysts count places, not chains."""
    doc.spans = split_address_chains(doc.spans, doc.text)

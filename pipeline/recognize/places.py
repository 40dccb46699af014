"""Split address chains into their places: 安徽省阜阳市 → 安徽省 + 阜阳市, 新埭镇泖口村 → 新埭镇 + 泖口村.

Taggers differ on chains (LAC joins them, MSRA-style models often split); analysts count places,
so a chain is split wherever an administrative suffix ends a part of at least two characters and
the rest is itself a suffixed place name.  Only suffixes are used, never particular names.
Also here: ``country_names``, a country the taggers read as a person, made a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.lexicons.countries import country_link
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


_STATE_POSTS = tuple(sorted(lexicon.entries("state_posts"), key=len, reverse=True))


@register_pass("country_names", requires=["text", "spans"], provides=["spans"])
def country_names(doc: RecognitionDoc, _ctx: Any) -> None:
    """A PERSON span that is a country: exactly a country's name (圭亚那, 马拉维), or printed
    between nothing and a head of state's post before a person (扎伊尔 of 扎伊尔总统蒙博托).

    Why: a transliterated country reads to the taggers like a transliterated name, and what
    settles it is public (``countries.txt``; one country, never a compound of one-character
    forms: 埃西 is a name) or printed (``state_posts``: the slot before 总统 + a name holds a
    country).  ORG spans are left alone: corpora differ on a country printed as an actor."""
    people = {s.start for s in doc.spans if s.label == "PERSON"}

    def one_country(surface: str) -> bool:  # by its id, not is_compound: 巴西 is both (巴 + 西)
        link = country_link(surface)
        return link is not None and "+" not in link[0]

    def before_state_post(s: Span) -> bool:
        post = next((p for p in _STATE_POSTS if doc.text.startswith(p, s.end)), "")
        return bool(post) and s.end + len(post) in people

    doc.spans = [replace(s, label="PLACE") if s.label == "PERSON"
                 and (one_country(doc.surface(s)) or before_state_post(s)) else s for s in doc.spans]

"""Persons as the paper prints them: 王先生, 李女士, 张某, 老王 are one person each, whole.

Why: taggers trained on MSRA / PD1998 read 王先生 as PERSON 王 (their convention), and
``drop_single_chars`` keeps our model's one-character spans, so an anonymous 王先生 became a
person named 王, which tells an analyst nothing and which ``propagate_people`` then copied to
every 王 of the article.  These passes run after the vote (the learned vote was trained without
them) and before the propagation:

* ``honorific_persons``: surname + form of address or 某/某某 (王先生, 张某某, 陈阿姨), and 老/小 +
  surname (老王, 小李), is ONE PERSON span with that whole surface; a PERSON span inside it is
  replaced.  Only where jieba's words do not cross the edges (于某种程度 is 于 + 某种, 小高层 is
  not 小 + 高) and no other kind of entity holds it (a company named 王先生食品).
* ``person_prefixes``: an occupation printed before a name is not part of it (瓜农鲍强 → 鲍强);
  a whole heading line read as a person whose first character is no surname is a headline
  phrase, not a person (a photo item headed 赏樱).

The word lists are package lexicons with their sources: ``surnames``, ``person_honorifics``,
``familiar_prefixes``, ``occupation_words``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

SURNAMES = lexicon.load("surnames")
HONORIFICS = sorted(lexicon.entries("person_honorifics"), key=len, reverse=True)
FAMILIAR = lexicon.load("familiar_prefixes")
OCCUPATIONS = sorted(lexicon.entries("occupation_words"), key=len, reverse=True)
SOURCE = "printed-person"

_SURNAME_CLASS = "[" + "".join(sorted(SURNAMES)) + "]"
_HONORIFIC = re.compile(rf"{_SURNAME_CLASS}(?:{'|'.join(map(re.escape, HONORIFICS))})")
_FAMILIAR = re.compile(rf"[{''.join(sorted(FAMILIAR))}]{_SURNAME_CLASS}")


def printed_person_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each surname + honorific / 某 and 老/小 + surname whose edges are word edges.

    An edge is refused when a dictionary word of jieba's crosses it: 于某种程度 (某种), 小高层
    (高层), 大学生 … A familiar form (老王) must also end where jieba ends a word, since 老/小 +
    one character is so often an ordinary word (小区 is no surname, but 小高 + 层 is)."""
    from pipeline.model.wordseg import is_known_word, word_bounds

    hits = [(m.start(), m.end(), False) for m in _HONORIFIC.finditer(text)]
    hits += [(m.start(), m.end(), True) for m in _FAMILIAR.finditer(text)]
    if not hits:
        return []
    bounds = word_bounds(text)

    def crossed(i: int) -> bool:
        """A known word of two or more characters runs over offset ``i``."""
        k = bisect_right(bounds, i) - 1
        return bounds[k] != i and is_known_word(text[bounds[k] : bounds[k + 1]])

    def word_end(i: int) -> bool:
        return bounds[bisect_right(bounds, i) - 1] == i

    out = []
    for start, end, familiar in sorted(hits):
        if crossed(start) or crossed(end):
            continue
        if familiar and not word_end(end):
            continue
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


@register_pass("honorific_persons", requires=["text", "spans"], provides=["spans"])
def honorific_persons(doc: RecognitionDoc, _ctx: Any) -> None:
    """王先生, 张某, 老王: one PERSON with the whole printed surface, never a one-character 王."""
    spans = list(doc.spans)
    for start, end in printed_person_offsets(doc.text):
        inside = [s for s in spans if s.start < end and start < s.end]
        if any(s.label != "PERSON" and (s.start < start or s.end > end) for s in inside):
            continue  # another entity's name holds it: 王先生食品有限公司
        if any(s.label == "PERSON" and (s.start < start or s.end > end) for s in inside):
            continue  # a longer name runs over it (王先生 inside 王先生军): leave the taggers' reading
        spans = [s for s in spans if s not in inside]
        spans.append(Span(start, end, "PERSON", SOURCE, sources=frozenset({SOURCE})))
    doc.spans = sorted(spans, key=lambda s: (s.start, s.end))


@register_pass("person_prefixes", requires=["text", "spans"], provides=["spans"])
def person_prefixes(doc: RecognitionDoc, _ctx: Any) -> None:
    """Occupations cut off persons (瓜农鲍强 → 鲍强); a heading phrase (赏樱) is no person."""
    out = []
    for s in doc.spans:
        if s.label != "PERSON":
            out.append(s)
            continue
        surface = doc.text[s.start : s.end]
        job = next((w for w in OCCUPATIONS if surface.startswith(w)), "")
        if job and 2 <= len(surface) - len(job) <= 4:  # what is left is still a name's length
            out.append(replace(s, start=s.start + len(job)))
        elif not _heading_phrase(doc.text, s):
            out.append(s)
    doc.spans = out


def _heading_phrase(text: str, s: Span) -> bool:
    """A PERSON that is a whole line (a kicker or photo heading) and starts with no surname."""
    line_start = s.start == 0 or text[s.start - 1] == "\n"
    line_end = s.end == len(text) or text[s.end] == "\n"
    return line_start and line_end and text[s.start] not in SURNAMES

"""Gazetteer names as a recognise variant: places and agencies we know are never missed.

A longest-match scan over a prefix index, not spaCy's EntityRuler: it runs on any backend's
text (LAC's too), needs no Doc, and does one dict probe per character and candidate length.
The combiner, not this class, decides when a longer model span wins over a gazetteer name.

A name is not proposed where it ends inside a word of jieba's dictionary: 组织部 in 组织部分企业
(组织 + 部分, organise some firms), 平湖市 in 平湖市民 (平湖 + 市民).  Only the end, and only
dictionary words: a county's own names are often unknown to jieba and cut anywhere (市发 + 改局,
钟 + 埭 + 街道), and a name's first character often joins the word before it (和平 + 湖 in
嘉兴和平湖).  Chosen on MSRA test and CLUENER dev (README "Accuracy").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..records import Span
from ..wordseg import inside_dictionary_words
from .base import Recognizer, register


@register("gazetteer")
class GazetteerRuler(Recognizer):
    def __init__(self, names: Iterable[tuple[str, str]] = (), gazetteer_dir: object = None,
                 within_words: bool = False, **_: object) -> None:
        """``within_words``: also propose names that end inside a dictionary word (as the ruler
        did before; for comparisons)."""
        self.within_words = within_words
        if gazetteer_dir is not None and not names:
            from ..gazetteer import load_gazetteer

            names = load_gazetteer(gazetteer_dir).names_for_ruler()
        self.label_of: dict[str, str] = {}
        lengths: dict[str, set[int]] = {}
        for surface, label in names:
            if len(surface) < 2:
                continue
            self.label_of.setdefault(surface, label)
            lengths.setdefault(surface[:2], set()).add(len(surface))
        self.lengths = {k: sorted(v, reverse=True) for k, v in lengths.items()}

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self.find(t) for t in texts]

    def find(self, text: str) -> list[Span]:
        """The longest name at each position, left to right, that does not end inside a
        dictionary word (unless ``within_words``)."""
        out: list[Span] = []
        i, n = 0, len(text)
        label_of, lengths = self.label_of, self.lengths
        inside: frozenset[int] | None = frozenset() if self.within_words else None
        while i < n - 1:
            hit = 0
            for length in lengths.get(text[i : i + 2], ()):
                if i + length > n:  # a slice past the end is shorter, and may be another name
                    continue
                surface = text[i : i + length]
                if surface not in label_of:
                    continue
                if inside is None:  # cut only texts that hold a name
                    inside = inside_dictionary_words(text)
                if i + length in inside:
                    continue
                out.append(Span(i, i + length, label_of[surface], self.name))
                hit = length
                break
            i += hit or 1
        return out

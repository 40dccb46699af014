"""Gazetteer names as a recognise variant: places and agencies we know are never missed.

A longest-match scan over a prefix index, not spaCy's EntityRuler: it runs on any backend's
text (LAC's too), needs no Doc, and does one dict probe per character and candidate length.
The combiner, not this class, decides when a longer model span wins over a gazetteer name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.recognize.base import Recognizer, register
from pipeline.records import Span


@register("gazetteer")
class GazetteerRuler(Recognizer):
    def __init__(self, names: Iterable[tuple[str, str]] = (), gazetteer_dir: object = None, **_: object) -> None:
        # Names of the gazetteer's regions (长三角, 浙北: kind "region"), which the region_names
        # pass keeps where the vote dropped the ruler's candidate and nothing else was found.
        self.regions: frozenset[str] = frozenset()
        if gazetteer_dir is not None and not names:
            from pipeline.gazetteers import load_gazetteer

            gaz = load_gazetteer(gazetteer_dir)
            names = gaz.names_for_ruler()
            self.regions = frozenset(f for e in gaz.entries if e.kind == "region" for f in (e.canonical, *e.aliases))
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
        out: list[Span] = []
        i, n = 0, len(text)
        label_of, lengths = self.label_of, self.lengths
        while i < n - 1:
            hit = 0
            for length in lengths.get(text[i : i + 2], ()):
                if i + length > n:  # a slice past the end is shorter, and may be another name
                    continue
                surface = text[i : i + length]
                if surface in label_of:
                    out.append(Span(i, i + length, label_of[surface], self.name))
                    hit = length
                    break
            i += hit or 1
        return out

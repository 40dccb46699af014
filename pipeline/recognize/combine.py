"""Merge candidate spans from several recognisers into one consistent set.

Each source's vote is weighted by its measured precision per label (``weights``, learned by
``pinghu-ner calibrate`` on held-out corpus text and saved beside the model), votes for the same
span and label combine as a noisy-or, and overlaps are resolved greedily by confidence then length.
Two structural rules come before the vote:

* a gazetteer name strictly inside a longer statistical span is dropped, so 平湖农商银行 stays one
  ORG and is not cut into 平湖 + 农商银行;
* a gazetteer name that strictly contains a statistical span wins over it, so 平湖经济技术开发区
  is not reduced to the 平湖 a tagger saw in it.

``blocklist`` holds (label, surface) pairs that a source proposes but corpus gold almost never
confirms, also learned by calibration; it is data, not a list of this paper's names.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Span

ENTITY_LABELS = ("PERSON", "PLACE", "ORG")
RULER = "gazetteer"

DEFAULT_WEIGHTS = {
    "spacy": {"PERSON": 0.9, "PLACE": 0.85, "ORG": 0.8},
    "lac": {"PERSON": 0.9, "PLACE": 0.75, "ORG": 0.75},
    "hanlp": {"PERSON": 0.9, "PLACE": 0.85, "ORG": 0.8},
    RULER: {"PERSON": 0.95, "PLACE": 0.95, "ORG": 0.95},
}


@dataclass
class CombinerConfig:
    weights: dict[str, dict[str, float]] = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_WEIGHTS)))
    threshold: float = 0.5
    blocklist: dict[str, set[str]] = field(default_factory=dict)  # source -> {"LABEL|surface"}

    @classmethod
    def load(cls, path: Path | None) -> CombinerConfig:
        if path is None or not Path(path).exists():
            return cls()
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        cfg = cls()
        for src, per_label in raw.get("weights", {}).items():
            cfg.weights.setdefault(src, {}).update(per_label)
        cfg.threshold = float(raw.get("threshold", cfg.threshold))
        cfg.blocklist = {src: set(items) for src, items in raw.get("blocklist", {}).items()}
        return cfg

    def to_json(self) -> dict[str, object]:
        return {
            "weights": self.weights,
            "threshold": self.threshold,
            "blocklist": {k: sorted(v) for k, v in self.blocklist.items()},
        }


class Combiner:
    def __init__(self, config: CombinerConfig | None = None) -> None:
        self.config = config or CombinerConfig()

    def weight(self, source: str, label: str) -> float:
        return self.config.weights.get(source, {}).get(label, 0.5)

    def combine(self, text: str, candidates: Iterable[Span]) -> list[Span]:
        cands = [c for c in candidates if c.label in ENTITY_LABELS and c.end > c.start]
        cands = [c for c in cands if not self._blocked(text, c)]
        statistical = [c for c in cands if c.source != RULER]
        ruler = [c for c in cands if c.source == RULER]
        ruler = [
            r for r in ruler
            if not any(s.start <= r.start and r.end <= s.end and s.end - s.start > r.end - r.start for s in statistical)
        ]
        swallowed = {
            id(s) for s in statistical
            for r in ruler
            if r.start <= s.start and s.end <= r.end and r.end - r.start > s.end - s.start
        }
        statistical = [s for s in statistical if id(s) not in swallowed]

        votes: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
        for c in [*statistical, *ruler]:
            miss = votes[(c.start, c.end)].get(c.label, 1.0)
            votes[(c.start, c.end)][c.label] = miss * (1.0 - self.weight(c.source, c.label) * c.score)
        ruler_label = {(r.start, r.end): r.label for r in ruler}
        scored: list[Span] = []
        for (start, end), by_label in votes.items():
            label, miss = min(by_label.items(), key=lambda kv: kv[1])
            conf = 1.0 - miss
            if (start, end) in ruler_label and ruler_label[(start, end)] != label:
                # A gazetteer name has the gazetteer's type (a zone is a PLACE whatever a tagger
                # says); the taggers' votes still count for the span itself.
                label = ruler_label[(start, end)]
                conf = 1.0 - math.prod(by_label.values())
                by_label = {label: 1.0 - conf}
            # A competing label for the same span lowers confidence: the sources disagree on type.
            others = [1.0 - m for lab, m in by_label.items() if lab != label]
            if others:
                conf = conf * (1.0 - 0.5 * max(others))
            sources = "+".join(sorted({c.source for c in cands if (c.start, c.end, c.label) == (start, end, label)}))
            scored.append(Span(start, end, label, sources, round(conf, 4)))
        scored.sort(key=lambda s: (-s.score, -(s.end - s.start), s.start))
        taken: list[Span] = []
        occupied: set[int] = set()
        for s in scored:
            if s.score < self.config.threshold:
                continue
            if any(i in occupied for i in range(s.start, s.end)):
                continue
            taken.append(s)
            occupied.update(range(s.start, s.end))
        return sorted(taken, key=lambda s: s.start)

    def _blocked(self, text: str, c: Span) -> bool:
        blocked = self.config.blocklist.get(c.source)
        return bool(blocked) and f"{c.label}|{text[c.start:c.end]}" in blocked


def merge_sources(per_source: Sequence[list[list[Span]]]) -> list[list[Span]]:
    """Zip per-source span lists (one list per text) into per-text candidate lists."""
    if not per_source:
        return []
    return [[s for src in texts for s in src] for texts in zip(*per_source)]

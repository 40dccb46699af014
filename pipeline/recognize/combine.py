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
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.recognize.base import ModelFileError, read_model_json
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.overlap import keep_non_overlapping
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

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
    def load(cls, path: Path | None, backend: str = "") -> CombinerConfig:
        """The calibrated config; ``thresholds`` holds one vote threshold per backend, because
        the best threshold depends on which sources vote (two taggers agreeing is worth more
        than LAC with the ruler)."""
        if path is None or not Path(path).exists():
            return cls()
        raw = read_model_json(path)
        problem = _config_problem(raw)
        if problem:
            raise ModelFileError(path, problem)
        return cls.from_dict(raw, backend)

    @classmethod
    def from_dict(cls, raw: dict, backend: str = "") -> CombinerConfig:
        """The same from the dict that ``pinghu-ner calibrate`` writes."""
        cfg = cls()
        for src, per_label in raw.get("weights", {}).items():
            cfg.weights.setdefault(src, {}).update(per_label)
        cfg.threshold = float(raw.get("thresholds", {}).get(backend, raw.get("threshold", cfg.threshold)))
        cfg.blocklist = {src: set(items) for src, items in raw.get("blocklist", {}).items()}
        return cfg

    def to_json(self) -> dict[str, object]:
        return {
            "weights": self.weights,
            "threshold": self.threshold,
            "blocklist": {k: sorted(v) for k, v in self.blocklist.items()},
        }


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _config_problem(raw: object) -> str:
    """What makes ``raw`` not a combiner config (the field at fault), or "" when it is one."""
    if not isinstance(raw, dict):
        return f"not a JSON object (a {type(raw).__name__})"
    weights = raw.get("weights", {})
    if not isinstance(weights, dict) or not all(isinstance(w, dict) and all(map(_is_number, w.values()))
                                                 for w in weights.values()):
        return "field 'weights' is not {source: {label: number}}"
    thresholds = raw.get("thresholds", {})
    if not isinstance(thresholds, dict) or not all(map(_is_number, thresholds.values())):
        return "field 'thresholds' is not {backend: number}"
    if "threshold" in raw and not _is_number(raw["threshold"]):
        return "field 'threshold' is not a number"
    blocklist = raw.get("blocklist", {})
    if not isinstance(blocklist, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                                   for v in blocklist.values()):
        return "field 'blocklist' is not {source: [\"LABEL|surface\", ...]}"
    return ""


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
        statistical = _drop_absorbed_prefixes(text, statistical, ruler)
        inside_longer = _strictly_inside_any(ruler, statistical, len(text))
        ruler = [r for r, inside in zip(ruler, inside_longer) if not inside]
        swallowed = _strictly_inside_any(statistical, ruler, len(text))
        statistical = [s for s, gone in zip(statistical, swallowed) if not gone]

        voters = [*statistical, *ruler]
        scored = self._score(_votes(voters, self.weight), voters, ruler)
        kept = [s for s in scored if s.score >= self.config.threshold]
        return keep_non_overlapping(kept, key=lambda s: (-s.score, -(s.end - s.start), s.start))

    def _score(self, votes: dict, cands: Sequence[Span], ruler: Sequence[Span]) -> list[Span]:
        """One span per voted (start, end): its best label, noisy-or confidence and sources."""
        sources_of: dict[tuple[int, int, str], set[str]] = defaultdict(set)
        for c in cands:
            sources_of[(c.start, c.end, c.label)].add(c.source)
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
            scored.append(Span.voted(start, end, label, frozenset(sources_of[(start, end, label)]), round(conf, 4)))
        return scored

    def _blocked(self, text: str, c: Span) -> bool:
        blocked = self.config.blocklist.get(c.source)
        return bool(blocked) and f"{c.label}|{text[c.start:c.end]}" in blocked


ADMIN_END = lexicon.load("admin_endings")


def _drop_absorbed_prefixes(text: str, statistical: list[Span], ruler: Sequence[Span]) -> list[Span]:
    """Drop a tagger span that is a known name plus a word glued before it (联合|市教育局).

    Kept when the extra part is itself a known name or ends like a division (嘉兴|市发改局 is
    another city's bureau, not ours), so only verbs and modifiers are cut away.
    """
    if not ruler:
        return statistical
    ruler_by_end: dict[int, list[Span]] = defaultdict(list)
    covered = bytearray(len(text) + 1)
    for r in ruler:
        ruler_by_end[r.end].append(r)
        covered[r.start : r.end] = b"\x01" * (r.end - r.start)
    kept = []
    for s in statistical:
        absorbed = s.label == "ORG" and any(
            r.label == "ORG"
            and s.start < r.start
            and not any(covered[s.start : r.start])
            and text[r.start - 1] not in ADMIN_END
            for r in ruler_by_end.get(s.end, ())
        )
        if not absorbed:
            kept.append(s)
    return kept


def _strictly_inside_any(spans: Sequence[Span], containers: Sequence[Span], n: int) -> list[bool]:
    """For each span, whether some container strictly contains it (same or wider, and longer).

    A prefix maximum of container ends by start position answers each query in O(1), so a page
    with tens of thousands of candidates costs linear time, not a quadratic scan.
    """
    if not spans or not containers:
        return [False] * len(spans)
    best_end = [-1] * (n + 2)
    for c in containers:
        if c.end > best_end[c.start]:
            best_end[c.start] = c.end
    prefix = [-1] * (n + 2)
    run = -1
    for i in range(n + 1):
        run = max(run, best_end[i])
        prefix[i] = run
    out = []
    for s in spans:
        before = prefix[s.start - 1] if s.start > 0 else -1
        out.append(before >= s.end or prefix[s.start] > s.end)
    return out


def _votes(cands: Sequence[Span], weight: Any) -> dict[tuple[int, int], dict[str, float]]:
    """Per (start, end) and label, the noisy-or miss probability of the sources' votes."""
    votes: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for c in cands:
        miss = votes[(c.start, c.end)].get(c.label, 1.0)
        votes[(c.start, c.end)][c.label] = miss * (1.0 - weight(c.source, c.label) * c.score)
    return votes


@register_pass("vote", requires=["candidates"], provides=["spans"])
def vote(doc: RecognitionDoc, ctx: Any) -> None:
    """The sources' candidates, weighted and voted, overlaps resolved by confidence then length."""
    doc.spans = ctx.combiner.combine(doc.text, doc.all_candidates())

"""Entity-level metrics an analyst's counts depend on: person clustering, offices, linking, and
false local links.

Why separate from :mod:`pipeline.evaluate` (span and page scores): these measure the *ids*, which
is what "one official's timeline" or "which agencies appear with which officials" group by.

* person clustering: B-cubed precision / recall / F1 (Bagga & Baldwin 1998) of predicted person
  ids against gold person keys, over the gold person mentions;
* office accuracy: gold (person, office, rank, jurisdiction) tuples found among the predicted ones;
* linking accuracy: gold mentions whose predicted entity id is the gold id;
* false-local-link rate: PLACE/ORG mentions in stories about elsewhere (or in national text)
  that got an id of the paper's county although the surface itself names no place of the
  county (平湖市人民检察院 printed in full is a right link wherever it appears).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["BCubed", "Rate", "bcubed", "false_local_rate_corpus", "is_false_local"]


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    n: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.hits}/{self.total})"


def bcubed(gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable]) -> BCubed:
    """B-cubed over the items of ``gold`` (item → gold cluster); ``pred`` maps items to predicted
    clusters (an item missing from ``pred`` is a singleton of its own)."""
    items = list(gold)
    if not items:
        return BCubed(0.0, 0.0, 0)
    pred_of = {i: pred.get(i, ("missing", i)) for i in items}
    g_members: dict[Hashable, set] = defaultdict(set)
    p_members: dict[Hashable, set] = defaultdict(set)
    for i in items:
        g_members[gold[i]].add(i)
        p_members[pred_of[i]].add(i)
    p_sum = r_sum = 0.0
    for i in items:
        g, p = g_members[gold[i]], p_members[pred_of[i]]
        both = len(g & p)
        p_sum += both / len(p)
        r_sum += both / len(g)
    return BCubed(p_sum / len(items), r_sum / len(items), len(items))


def is_false_local(resolver, surface: str, entity_id: str) -> bool:  # noqa: ANN001 - Resolver
    """Did ``surface`` get an id of the paper's county without naming a place of the county?"""
    gaz = resolver.gazetteer
    entry = gaz.by_id(entity_id) if entity_id else None
    if entry is None or not entry.division_code.startswith(gaz.county_code):
        return False
    hit = resolver.place_hit(surface)
    return not (hit is not None and hit.own)


def false_local_rate_corpus(resolver, name: str, limit: int = 2000) -> Rate:  # noqa: ANN001 - Resolver
    """False-local-link rate on the gold PLACE/ORG spans of a national corpus (MSRA, PD1998),
    first ``limit`` sentences: each sentence is one story whose locality is inferred from its text
    alone (no source line, no byline), as a reprinted national item would be."""
    from .corpora import read_corpus
    from .records import Mention

    rate = Rate()
    for k, ex in enumerate(read_corpus(name)):
        if k >= limit:
            break
        ms = [
            Mention(f"s{k}", lab, ex.text[s:e], s, e, s, e)
            for s, e, lab in ex.spans
            if lab in ("PLACE", "ORG")
        ]
        if not ms:
            continue
        loc = resolver.locality_of("", ex.text, [], ms)
        resolver.resolve_many(ms, loc)
        rate.total += len(ms)
        rate.hits += sum(is_false_local(resolver, m.surface, m.entity_id) for m in ms)
    return rate

"""Which village a 村 / 社区 mention names: homonyms told apart by the places named around it.

Why: village names repeat (华丰村 is in 平湖's 林埭镇 and in 海宁's 斜桥镇; 星火村 in three other
counties of 嘉兴), and a county paper also prints villages the statistical list lacks (merged,
renamed or simply missing) under a name that one elsewhere has.  The gazetteer ranks a name's
candidates by how near the paper they are; for villages that is not enough, so the resolver asks
this module, and a name with no way to decide gets a NIL, never a coin flip.  Rules, in order:

1. a town or county printed right before the name (林埭镇华丰村; address chains are split into
   two mentions) decides: the village must lie in it, else NIL (曹桥街道联星村 is no village of
   桐乡 whatever the list says);
2. else the place named nearest in the same sentence (a town, a county, a body of one) that
   leaves one candidate; in a story about another place (its locality), that place last;
3. else the paper's own county's village of that name if it has exactly one, else NIL.

So a village outside the paper's county is linked only where its town or county is named in the
story.  Among the candidates a real name beats a renamed form (X村 printed for what is now X社区,
``pipeline.gazetteers.villages``), and the renamed link keeps its lower confidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.gazetteers.gazetteer import Gazetteer, Match, normalise
from pipeline.gazetteers.villages import VILLAGE_KINDS
from pipeline.records import Mention
from pipeline.resolve.locality import Locality

__all__ = ["choose", "is_village", "locality_context", "villages_in_article"]

_QUALIFIERS = ("town", "county")  # what may stand right before a village name and decide it
_MIN_CONTEXT = 6  # a county code or longer: 嘉兴市 (3304) holds every village of the list


def is_village(ms: Sequence[Match]) -> bool:
    """Does a surface's best match name a village or community (then :func:`choose` decides)?"""
    return bool(ms) and ms[0].entry.kind in VILLAGE_KINDS


def locality_context(locality: Locality) -> tuple[str, ...]:
    """The division code of a story about another place, as the last context (rule 2)."""
    if locality.kind == "elsewhere" and len(locality.code) >= _MIN_CONTEXT:
        return (locality.code,)
    return ()


def choose(gaz: Gazetteer, ms: Sequence[Match], qualifier: str | None = None,
           context: Sequence[str] = ()) -> Match | None:
    """The village ``ms`` (a surface's matches, index order) names, or None (see the rules above).
    ``qualifier``: the code of the town or county printed right before; ``context``: division
    codes of the places named around it, nearest first."""
    cands = [m for m in ms if m.entry.kind in VILLAGE_KINDS]
    if qualifier is not None:
        return _single([m for m in cands if m.entry.division_code.startswith(qualifier)])
    for code in context:
        hit = _single([m for m in cands if m.entry.division_code.startswith(code)])
        if hit is not None:
            return hit
    return _single([m for m in cands if gaz.locality(m.entry) == 0])


def _single(cands: list[Match]) -> Match | None:
    """The one entity among the best-method candidates (a real name before a renamed form)."""
    if not cands:
        return None
    best = [m for m in cands if m.method == cands[0].method]
    return best[0] if len({m.entry.entity_id for m in best}) == 1 else None


def villages_in_article(gaz: Gazetteer, mentions: Sequence[Mention],
                        locality: Locality) -> list[tuple[Mention, Match | None]]:
    """Each village mention of one article (already linked) with the village the places named
    around it choose, or None for a NIL; the resolver writes the links.  A name printed after
    its town (新埭镇南桥村) is that village, or none, in the whole article: its repeats (在南桥村)
    are the same place, whatever else the story names (the nearest such mention, should the
    story print the name after two towns)."""
    places = _places(gaz, mentions)
    villages = [(m, ms) for m in mentions if m.type != "PERSON" and is_village(ms := gaz.matches(m.surface))]
    qualified: list[tuple[Mention, Match | None]] = []  # the mentions printed after their town
    for m, ms in villages:
        before = [code for p, code, kind in places if p.end == m.start and kind in _QUALIFIERS]
        if before:
            qualified.append((m, choose(gaz, ms, before[0])))
    out: list[tuple[Mention, Match | None]] = []
    for m, ms in villages:
        key = normalise(m.surface)
        same = sorted((abs(q.start - m.start), i) for i, (q, _) in enumerate(qualified) if normalise(q.surface) == key)
        if same:  # itself, or the nearest qualified mention of the same name
            out.append((m, qualified[same[0][1]][1]))
            continue
        near = sorted((abs(p.start - m.start), code) for p, code, _ in places if p.sentence == m.sentence)
        out.append((m, choose(gaz, ms, None, [code for _, code in near] + list(locality_context(locality)))))
    return out


def _places(gaz: Gazetteer, mentions: Sequence[Mention]) -> list[tuple[Mention, str, str]]:
    """(mention, division code, kind) of the linked mentions that name a place below the city
    (a town, a county, a body of one); villages are left out, so no guess feeds another."""
    out: list[tuple[Mention, str, str]] = []
    for p in mentions:
        entry = gaz.by_id(p.entity_id) if p.entity_id and p.type != "PERSON" else None
        if entry is not None and len(entry.division_code) >= _MIN_CONTEXT and entry.kind not in VILLAGE_KINDS:
            out.append((p, entry.division_code, entry.kind))
    return out

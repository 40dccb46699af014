"""Greedy non-overlapping selection, the one loop the combiner and the repairs share.

Why linear: a page may carry tens of thousands of candidates; marking covered characters in a
bytearray costs the covered length per span instead of a scan over every span kept so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.records import Span


class Occupancy:
    """Which characters of a text are already covered by a kept span."""

    def __init__(self, n: int) -> None:
        self._covered = bytearray(n + 1)

    def is_free(self, start: int, end: int) -> bool:
        return not any(self._covered[start:end])

    def take(self, start: int, end: int) -> None:
        self._covered[start:end] = b"\x01" * (end - start)


def keep_non_overlapping(spans: Iterable[Span], key: Callable[[Span], object]) -> list[Span]:
    """Visit spans in ``key`` order and keep each one that overlaps nothing kept; by start."""
    ordered = sorted(spans, key=key)
    occupied = Occupancy(max((s.end for s in ordered), default=0))
    kept: list[Span] = []
    for s in ordered:
        if occupied.is_free(s.start, s.end):
            kept.append(s)
            occupied.take(s.start, s.end)
    return sorted(kept, key=lambda s: s.start)


def by_length(s: Span) -> tuple[int, int]:
    """Longest first, then leftmost."""
    return (-(s.end - s.start), s.start)

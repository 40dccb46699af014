"""Greedy non-overlapping selection, the one loop the combiner and the repairs share.

Why linear: a page may carry tens of thousands of candidates; marking covered characters in a
bytearray costs the covered length per span instead of a scan over every span kept so far.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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


class IntervalIndex:
    """Intervals [start, end) sorted by start, asked whether any overlaps a range.

    Why: the link step and the repairs asked that of every hit with ``any(...)`` over every
    mention of the article, so a one-line file of a million characters (issue 33) cost hits ×
    mentions.  An interval ending after ``start`` starts after ``start - longest``, so only the
    intervals starting in that window are looked at.  Same answer as the scan, for any intervals.
    """

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        ordered = sorted(intervals)
        self._starts = [a for a, _ in ordered]
        self._ends = [b for _, b in ordered]
        self._longest = max((b - a for a, b in ordered), default=0)

    def add(self, start: int, end: int) -> None:
        k = bisect_right(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)
        self._longest = max(self._longest, end - start)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some interval [a, b) has ``a < end and start < b``."""
        lo = bisect_right(self._starts, start - max(self._longest, 0))
        hi = bisect_left(self._starts, end)
        return any(self._ends[k] > start for k in range(lo, hi))


class Enclosing:
    """Whether some interval of a fixed set starts at or before ``start`` and ends after ``end``
    (a title holding a name), by the running maximum of the ends in start order: one bisection
    instead of a scan of every interval per question."""

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(intervals)
        self._starts = [a for a, _ in ordered]
        self._max_end = [-1]
        for _, b in ordered:
            self._max_end.append(max(self._max_end[-1], b))

    def holds(self, start: int, end: int) -> bool:
        k = bisect_right(self._starts, start)  # the intervals starting at or before ``start``
        return k > 0 and self._max_end[k] > end

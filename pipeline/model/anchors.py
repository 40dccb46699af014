"""Decoding a text by its unsure stretches only: the BiLSTM's texts whose best tags are not a legal,
unique path, cut at the characters the tagger is sure are O.

Why: such a text (a paragraph of up to 800 characters with one unsure name in it) went whole
through the step-per-character Viterbi loop, and a page's batch of them ran as many numpy steps
as its longest: 6% of the recognition's time on the unseen set, for the few characters where
the best tags are unsure or illegal.

Exact, by this argument.  Legal moves score 0, so a path's score is the sum of its tags'
log-probabilities, and a tag O joins any closed tag before it (O, E, S) to any opening tag after
it (O, B, S): fixing O at a character cuts the text into two texts, each with the usual start and
end rules.  Call a character an *anchor* where O is its best tag by ``ANCHOR_MARGIN`` or more;
the anchors cut the text into stretches, and the candidate path is O at every anchor and each
stretch's own best path (its best tags where those are unique and legal, else the stretch
decoded as a text of its own).  Any other path differs from it by the sum, over the stretches, of
what the path gains in the stretch plus half of what it loses at each anchor beside it (leaving
O there).  So each unsure stretch is decoded once more with a row for each anchor beside it
whose scores are that half loss of each tag (O: 0), eased by ``SLACK``, and a zero row beyond
(any tag may then continue there): where that decode keeps O at both anchor rows, no path gains
in that stretch; a stretch of sure, legal best tags gains nothing either (no tag beats its best,
and leaving an anchor costs at least half its margin).  So where every unsure stretch keeps its
anchors, the candidate is the only best path; where one does not, the text is decoded whole, as
before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# Where O leads every other tag by this much in log-probability, the character may cut the text.
# A speed setting only: the test above decides whether a cut holds.
ANCHOR_MARGIN = 5.0
# Float32 sums of log-probabilities are rounded; a cut must win by more than the rounding.
SLACK = 1e-3

Decoder = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (rows, lengths) -> paths, padded


def anchored_paths(logps: Sequence[np.ndarray], best: Sequence[np.ndarray], margin: Sequence[np.ndarray],
                   bad: Sequence[np.ndarray], viterbi: Decoder) -> list[np.ndarray | None]:
    """Each text's best legal path, or None where a cut does not hold (decode it whole).

    For text i, as ``decode`` found them: ``best[i]`` each character's best tag, ``margin[i]`` how
    far it leads the next, ``bad[i]`` where it is not unique or makes an illegal move (a move's
    two characters, a first tag that cannot open, a last that cannot close).  ``viterbi(rows,
    lengths)``: the strict decoder over a padded batch.  Every unsure stretch of every text (twice:
    alone and between its anchors' rows) runs in one call, so the loop takes as many steps as the
    longest stretch, not the longest text."""
    plans = [_stretches(*text) for text in zip(logps, best, margin, bad)]
    rows = [row for plan in plans for row in plan.rows()]
    if not rows:
        return [plan.best.copy() for plan in plans]
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    padded = np.zeros((len(rows), int(lengths.max()), rows[0].shape[1]), dtype=rows[0].dtype)
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
    paths = viterbi(padded, lengths)
    out: list[np.ndarray | None] = []
    at = 0
    for plan in plans:
        k = 2 * len(plan.spans)
        out.append(plan.path([(rows[j], paths[j, : lengths[j]]) for j in range(at, at + k)]))
        at += k
    return out


class _Plan:
    """One text's anchors and unsure stretches (``[s, e)``, between anchors or the text's ends)."""

    def __init__(self, x: np.ndarray, best: np.ndarray, spans: list[tuple[int, int]]) -> None:
        self.x, self.best, self.spans = x, best, spans

    def rows(self) -> list[np.ndarray]:
        """Each unsure stretch alone, then between its anchors' half-loss rows (``_beside``)."""
        out = []
        for s, e in self.spans:
            stretch = self.x[s:e]
            out += [stretch, np.concatenate([*_beside(self.x, s - 1, True), stretch, *_beside(self.x, e, False)])]
        return out

    def path(self, decoded: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
        """The candidate path, or None where some stretch gains by leaving an anchor's O."""
        path = self.best.copy()
        n = len(self.x)
        for (s, e), (_, alone), (_, beside) in zip(self.spans, decoded[::2], decoded[1::2]):
            if (s and beside[1] != 0) or (e < n and beside[-2] != 0):
                return None
            path[s:e] = alone
        return path


def _beside(x: np.ndarray, a: int, before: bool) -> list[np.ndarray]:
    """For the anchor at ``a`` (none where ``a`` is outside the text): its row of half losses,
    each tag's score less O's, halved and eased by ``SLACK`` (O itself 0), and a zero row on
    the far side, which lets any tag continue past the anchor (a start or an end rule holds
    there, not at the anchor)."""
    if a < 0 or a >= len(x):
        return []
    loss = (x[a] - x[a, 0]) / 2 + SLACK
    loss[0] = 0
    zero = np.zeros_like(loss)
    return [zero[None], loss[None]] if before else [loss[None], zero[None]]


def _stretches(x: np.ndarray, best: np.ndarray, margin: np.ndarray, bad: np.ndarray) -> _Plan:
    is_anchor = (best == 0) & (margin >= ANCHOR_MARGIN)
    anchors = np.flatnonzero(is_anchor)
    stretch_of = np.cumsum(is_anchor)  # a non-anchor's stretch number: the anchors before it
    spans = []
    for g in np.unique(stretch_of[bad & ~is_anchor]):
        spans.append((int(anchors[g - 1]) + 1 if g else 0, int(anchors[g]) if g < len(anchors) else len(x)))
    return _Plan(x, best, spans)

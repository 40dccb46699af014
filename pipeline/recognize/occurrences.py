"""Where each of a set of strings is printed in one text, found in one reading of the text.

Why: the passes that ask "where else is this name printed?" (the propagation repairs, the
learned vote's ``surface_repeated``, the surname + title references) called ``str.find`` from the
text's start once per name, so their cost was names × characters: a one-line file of a million
characters (issue 33) holds tens of thousands of names.  Here the text is read once, in blocks
(numpy, so memory stays bounded whatever the line's length): the places where some name's first
two characters (its one character, for a one-character name) are printed are found together, and
only there are the names that start so compared.  The same places as ``str.find`` repeated from
each place + 1: every occurrence, overlapping ones included, in text order.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from pipeline.model.codes import code_points, sorted_hits

BLOCK = 1 << 18  # characters read at a time: a few MB of code points and their pairs
_SHIFT = 1 << 21  # above every code point


def _key(name: str) -> int:
    """A one-character name's code point; a longer name's first two, above every code point."""
    return ord(name) if len(name) == 1 else (ord(name[0]) + 1) * _SHIFT + ord(name[1])


def occurrences(text: str, names: Iterable[str]) -> dict[str, list[int]]:
    """Each non-empty name to the start of every place it is printed in ``text``, ascending."""
    out: dict[str, list[int]] = {n: [] for n in names if n}
    by_key: dict[int, list[str]] = {}
    for n in out:
        by_key.setdefault(_key(n), []).append(n)
    singles = np.array(sorted(k for k in by_key if k < _SHIFT), dtype=np.int64)
    pairs = np.array(sorted(k for k in by_key if k >= _SHIFT), dtype=np.int64)
    for lo in range(0, len(text), BLOCK):
        codes = code_points(text[lo : lo + BLOCK + 1])  # one character more: the last pair
        here = min(BLOCK, len(codes))  # the places this block answers for
        if len(singles):
            for i in sorted_hits(singles, codes[:here]).tolist():
                out[text[lo + i]].append(lo + i)
        if len(pairs) and len(codes) > 1:
            values = (codes[:-1] + 1) * _SHIFT + codes[1:]
            starts = sorted_hits(pairs, values)
            starts = starts[starts < here]
            for i, key in zip(starts.tolist(), values[starts].tolist()):
                for n in by_key[key]:
                    if text.startswith(n, lo + i):
                        out[n].append(lo + i)
    return out

"""Text as integers, for lookups done at once in numpy instead of a dict lookup per character.

Why one module: the tagger's vocabulary (a character's and a bigram's id), the dictionary's
word starts (``dictionary.long_words``) and the passes' name finder (``recognize.occurrences``)
each turned a text into code points and tested them against a sorted array of keys; the three
copies are one here.
"""

from __future__ import annotations

import numpy as np

PAIR_SHIFT = 1 << 21  # above every code point


def code_points(text: str) -> np.ndarray:
    """Each character's code point (lone surrogates too, as ``ord`` gives them), as int64."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def pair_key(first: int | np.ndarray, second: int | np.ndarray) -> int | np.ndarray:
    """One integer per pair of code points (each below 2**21)."""
    return first * PAIR_SHIFT + second


def sorted_hits(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of ``values`` found in the sorted, non-empty ``keys``."""
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.flatnonzero(keys[at] == values)

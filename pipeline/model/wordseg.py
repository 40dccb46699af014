"""Chinese word segmentation (jieba), one initialised tokenizer per process.

Why its own module: the runtime (the BiLSTM's soft-word feature, the repairs' "is this a known
word" test) needs jieba's dictionary, and it used to get it from the legacy CNN model's layer
module, so the runtime imported a path it does not run.  Loading is lazy and quiet: importing
this module imports no jieba, and jieba's dictionary-build log stays off stderr.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any


def _jieba() -> Any:  # jieba is untyped
    """The jieba module, imported without setuptools' ``pkg_resources``.

    jieba 0.42 tries ``import pkg_resources`` only to open files of its own package (dict.txt,
    the HMM tables), and opens them beside its ``__file__`` when that import fails; the import
    itself scans every installed distribution, 65 ms of each process's start (every worker's)
    for files found the same way without it.  So ``pkg_resources`` reads as missing while jieba
    is first imported, and only then: a later ``import pkg_resources`` elsewhere works as before,
    and one already imported is left alone."""
    import sys

    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment] - `import` raises ImportError
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    return jieba


@cache
def jieba_tokenizer() -> Any:  # jieba is untyped
    """One initialised jieba tokenizer per process: its dictionary (with every word's prefixes)
    serves the soft-word segmentation, the lexicon features and the known-word test alike."""
    jieba = _jieba()

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    if not _load_jieba_cache(tok):
        tok.initialize()  # builds the dictionary and writes jieba's cache for the next process
    return tok


def _load_jieba_cache(tok: Any) -> bool:
    """Fill ``tok`` from the cache jieba writes for its default dictionary, as ``initialize``
    would, but from the file's bytes at once: ``marshal.load`` on an open file reads it a piece
    per object and took 0.5 s of every process's start, ``marshal.loads`` of the bytes 0.25 s.
    False (jieba then initialises itself, building the cache if needed) for another dictionary
    or cache file, or a cache that is missing or unreadable."""
    import marshal
    import os
    import tempfile
    from pathlib import Path

    jieba = _jieba()
    if tok.dictionary != jieba.DEFAULT_DICT or tok.cache_file:
        return False
    try:
        freq, total = marshal.loads(Path(os.path.join(tok.tmp_dir or tempfile.gettempdir(), "jieba.cache")).read_bytes())
    except Exception:  # missing, partly written or foreign: jieba's own path decides
        return False
    if not isinstance(freq, dict) or not isinstance(total, int):
        return False
    tok.FREQ, tok.total, tok.initialized = freq, total, True
    return True


MEMO_BLOCKS = 5_000  # blocks remembered before the memo starts afresh: a page's worth, a few MB

Walk = list[list[tuple[int, int]]]  # per start k: (end, frequency) of each dictionary word text[k:end]


def dictionary_words(text: str) -> Walk:
    """Every word of jieba's dictionary in ``text``: for each start ``k``, the ``(end,
    frequency)`` of each word ``text[k:end]`` with a frequency, shortest first.

    jieba's own ``get_DAG`` walk (its prefix table holds every prefix of every word, so the walk
    from ``k`` stops at the first slice that is no prefix), over the whole text rather than one
    block.  Why shared: the tagger's soft word (jieba's best path) and its lexicon rows (every
    word over a character) walked the same prefixes twice; one walk now serves both."""
    get = jieba_tokenizer().FREQ.get  # bound once: the walk is a million lookups a page batch
    n = len(text)
    out: Walk = []
    append = out.append
    for k, ch in enumerate(text):
        f = get(ch)
        if f is None:  # no word starts with this character (marks, most Latin): the common case
            append([])
            continue
        words = [(k + 1, f)] if f else []
        for i in range(k + 2, n + 1):
            f = get(text[k:i])
            if f is None:
                break
            if f:
                words.append((i, f))
        append(words)
    return out


def _han_block_cutter(tok: Any) -> Callable[[str, int, Walk], list[str]]:
    """``word_cutter``'s cut of one CJK block from the text's ``dictionary_words``: jieba's
    ``calc`` (best route by log frequency) and ``__cut_DAG`` (runs of single characters that are
    no word go to its HMM), the same arithmetic.

    Why a factory of its own: ``word_cutter`` holds the block memo and the text walk, this the
    route arithmetic; built once per cutter, the closure reads ``freq``, ``log`` and
    ``logtotal`` from its cells as it did inside ``word_cutter``, so a block costs what it did."""
    import math

    from jieba import finalseg

    freq = tok.FREQ
    log, logtotal = math.log, math.log(tok.total)

    def han_block(block: str, start: int, walk: Walk) -> list[str]:
        n = len(block)
        stop = start + n
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            best = None
            for e, f in walk[start + idx]:  # ends ascending: the block's words come first
                if e > stop:
                    break
                here = (log(f) - logtotal + route[e - start][0], e - start - 1)
                if best is None or here > best:  # jieba's max over (score, end): ties to the longer
                    best = here
            # No word: jieba's DAG keeps the lone character, whose frequency counts as 1.
            route[idx] = best if best is not None else (log(1) - logtotal + route[idx + 1][0], idx)
        words: list[str] = []
        buf = ""

        def flush() -> None:
            if len(buf) == 1:
                words.append(buf)
            elif not freq.get(buf):
                words.extend(finalseg.cut(buf))
            else:
                words.extend(buf)

        x = 0
        while x < n:
            y = route[x][1] + 1
            if y - x == 1:
                buf += block[x:y]
            else:
                if buf:
                    flush()
                    buf = ""
                words.append(block[x:y])
            x = y
        if buf:
            flush()
        return words

    return han_block


@cache
def block_words() -> Callable[[str, Walk | None], Iterator[list[str]]]:
    """jieba's cut with its HMM for unknown words, the segmentation the model was trained with,
    one block's words at a time.

    jieba cuts a text block by block (maximal runs of CJK, letters and digits, split on its
    ``re_han_default``), each block on its own, so the words of a text are the words of its
    blocks in order.  The blocks' words are remembered: the tagger's soft-word feature cuts each
    line and the learned vote cuts the whole article again, and the second walk over jieba's
    dictionary was a tenth of the recogniser's time.  The two walks are a page apart at most, so
    the memo holds a few pages' blocks and is then emptied: memory stays flat over a year's run.
    The blocks are found as the cut goes (``_blocks``), not listed first: a one-line file's
    (issue 33) list of blocks was a copy of its text in a million small strings.

    Given the text's ``dictionary_words``, a block's best path is found from them (jieba's
    ``calc`` and ``__cut_DAG``, the same arithmetic) instead of jieba walking its dictionary
    again; without them, from the block's own ``dictionary_words`` (the same arithmetic in
    Python costs 0.6 of jieba's ``get_DAG`` and ``calc``, which look every word up twice: it
    matters where the memo is emptied between the two cuts, as on a corpus run as one batch).
    Same words as ``tok.cut(text)``, exactly, every way."""
    jieba = _jieba()

    tok = jieba_tokenizer()
    is_han = jieba.re_han_default.match
    han_block = _han_block_cutter(tok)
    memo: dict[str, list[str]] = {}

    def blocks(text: str, walk: Walk | None = None) -> Iterator[list[str]]:
        start = 0
        for block in _blocks(text, jieba.re_han_default):
            if not block:
                continue
            words = memo.get(block)
            if words is None:
                if not is_han(block):
                    words = list(tok.cut(block, HMM=True))
                elif walk is not None:
                    words = han_block(block, start, walk)
                else:  # the block's own walk: jieba's get_DAG and calc cost 1.6 times as much
                    words = han_block(block, 0, dictionary_words(block))
                if len(memo) >= MEMO_BLOCKS:
                    memo.clear()
                memo[block] = words
            yield words
            start += len(block)

    return blocks


def _blocks(text: str, pattern: re.Pattern[str]) -> Iterator[str]:
    """``pattern.split(text)`` (a pattern that is one group and matches no empty string), lazily."""
    pos = 0
    for m in pattern.finditer(text):
        yield text[pos : m.start()]
        yield m.group()
        pos = m.end()
    yield text[pos:]


@cache
def word_cutter() -> Callable[[str, Walk | None], list[str]]:
    """jieba's cut of a whole text (``block_words``, block after block)."""
    blocks = block_words()

    def cut(text: str, walk: Walk | None = None) -> list[str]:
        out: list[str] = []
        for words in blocks(text, walk):
            out.extend(words)
        return out

    return cut


def cut_words(text: str, walk: Walk | None = None) -> list[str]:
    """The words of ``text``, in order; their lengths sum to ``len(text)``.  ``walk``: the text's
    ``dictionary_words``, if the caller has them (saves jieba its own walk)."""
    return word_cutter()(text, walk)


# The bounds of the texts asked about lately, least recent first, and how many words they hold.
_BOUNDS: OrderedDict[str, array] = OrderedDict()
_BOUNDS_WORDS = [0]
# At most this many words kept: every article of a page batch (the passes run one after another
# over the whole batch, each asking for every article's bounds), never a second copy of a
# one-line file of a million characters.
BOUNDS_CACHE_WORDS = 400_000


def word_bounds(text: str) -> array:
    """jieba's word boundaries in ``text``, ascending (0 and ``len(text)`` included), as an
    ``array`` of int64: read only, and the same object again for the same text.

    Why cached: several passes ask for an article's bounds in turn (the split-name check, the
    learned vote, the place trims, the printed-form passes), each over the whole batch of a
    page's articles, so a cache of the last text alone missed every time; a bounded cache of
    recent texts cuts each article once.  An int per word in a list, cut three times over, was
    time and memory that an array saves on a one-line file of a million characters (issue 33)."""
    hit = _BOUNDS.get(text)
    if hit is not None:
        _BOUNDS.move_to_end(text)
        return hit
    bounds, pos = array("q", [0]), 0
    for words in block_words()(text):
        for w in words:
            pos += len(w)
            bounds.append(pos)
    _BOUNDS[text] = bounds
    _BOUNDS_WORDS[0] += len(bounds)
    while _BOUNDS_WORDS[0] > BOUNDS_CACHE_WORDS and len(_BOUNDS) > 1:
        _BOUNDS_WORDS[0] -= len(_BOUNDS.popitem(last=False)[1])
    return bounds


def is_known_word(surface: str) -> bool:
    """Whether jieba's general dictionary lists ``surface`` as a word (with a frequency)."""
    return bool(jieba_tokenizer().FREQ.get(surface))

"""Chinese word segmentation: jieba's cut, word for word, at a fraction of its cost.

Why its own module: the runtime (the BiLSTM's soft-word feature, the repairs' "is this a known
word" test) needs jieba's segmentation and dictionary, and it used to get them from the legacy
CNN model's layer module, so the runtime imported a path it does not run.  Loading is lazy:
importing this module imports no jieba and no rjieba.  The dictionary itself is
``pipeline.model.dictionary``'s compact table, not jieba's per-process dict of every prefix.
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import cache

from pipeline.model.dictionary import Dictionary, dictionary, dictionary_words, jieba_module

MEMO_BLOCKS = 5_000  # blocks remembered before the memo starts afresh: a page's worth, a few MB

# Blocks of CJK characters and ASCII letters and digits only: jieba-rs (``rjieba``) cuts them as
# jieba does, word for word (468,734 distinct pure-CJK blocks and 16,277 mixed ones of every
# corpus in ../shared and the bench's pages: no difference; ``tests/recognize/test_fast_paths``).
# It keeps jieba's marks +#&._%- inside a block together where jieba splits them
# (www.people.com.cn, 93-110), so those blocks take our own route below.
RJIEBA_BLOCK = re.compile("[\u4e00-\u9fd5a-zA-Z0-9]+\\Z")


def _han_block_cutter(table: Dictionary) -> Callable[[str], list[str]]:
    """``block_words``'s cut of one block from its ``dictionary_words``: jieba's ``calc`` (best
    route by log frequency) and ``__cut_DAG`` (runs of single characters that are no word go to
    its HMM), the same arithmetic.  For the blocks jieba-rs would cut otherwise (jieba's marks
    +#&._%- inside).

    Why a factory of its own: ``block_words`` holds the block memo, this the route arithmetic;
    built once per cutter, the closure reads ``freqs``, ``log`` and ``logtotal`` from its cells."""
    import math

    from jieba import finalseg

    freqs, word_freq = table.freqs, table.freq
    log, logtotal = math.log, math.log(table.total)

    def han_block(block: str) -> list[str]:
        n = len(block)
        walk = dictionary_words(block)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            best = None
            for e, i in walk[idx]:  # ends ascending
                here = (log(freqs[i]) - logtotal + route[e][0], e - 1)
                if best is None or here > best:  # jieba's max over (score, end): ties to the longer
                    best = here
            # No word: jieba's DAG keeps the lone character, whose frequency counts as 1.
            route[idx] = best if best is not None else (log(1) - logtotal + route[idx + 1][0], idx)
        words: list[str] = []
        buf = ""

        def flush() -> None:
            if len(buf) == 1:
                words.append(buf)
            elif not word_freq(buf):
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
def block_words() -> Callable[[str], Iterator[list[str]]]:
    """jieba's cut with its HMM for unknown words, the segmentation the model was trained with,
    one block's words at a time.  Same words as jieba's ``Tokenizer().cut(text)``, exactly.

    jieba cuts a text block by block (maximal runs of CJK, letters, digits and the marks
    +#&._%-, split on its ``re_han_default``), each block on its own, so the words of a text are
    the words of its blocks in order.  A block of CJK, letters and digits only is cut by jieba-rs
    (``rjieba``, the same dictionary, route and HMM in compiled code: seven times faster than the
    same arithmetic in Python); a block with the marks, from its ``dictionary_words`` (jieba's
    ``calc`` and ``__cut_DAG``, ``_han_block_cutter``); the runs between blocks, as jieba's
    ``cut`` splits them (whitespace runs whole, other characters one by one).

    The blocks' words are remembered: the tagger's soft-word feature cuts each line and the
    learned vote cuts the whole article again.  The two cuts are a page apart at most, so the
    memo holds a few pages' blocks and is then emptied: memory stays flat over a year's run.
    The blocks are found as the cut goes (``_blocks``), not listed first: a one-line file's
    (issue 33) list of blocks was a copy of its text in a million small strings."""
    import rjieba

    jieba = jieba_module()
    is_han, by_rjieba = jieba.re_han_default.match, RJIEBA_BLOCK.match
    skip = jieba.re_skip_default
    han_block = _han_block_cutter(dictionary())
    memo: dict[str, list[str]] = {}

    def blocks(text: str) -> Iterator[list[str]]:
        for block in _blocks(text, jieba.re_han_default):
            if not block:
                continue
            words = memo.get(block)
            if words is None:
                if by_rjieba(block):
                    words = rjieba.cut(block, True)
                elif not is_han(block):  # jieba's cut outside blocks: whitespace runs whole, the rest by character
                    words = [w for run in skip.split(block) for w in ((run,) if skip.match(run) else run)]
                else:
                    words = han_block(block)
                if len(memo) >= MEMO_BLOCKS:
                    memo.clear()
                memo[block] = words
            yield words

    return blocks


def _blocks(text: str, pattern: re.Pattern[str]) -> Iterator[str]:
    """``pattern.split(text)`` (a pattern that is one group and matches no empty string), lazily."""
    pos = 0
    for m in pattern.finditer(text):
        yield text[pos : m.start()]
        yield m.group()
        pos = m.end()
    yield text[pos:]


# Characters on which jieba-rs, given a whole text, may part from jieba: jieba's marks inside a
# block (above), the CJK characters jieba-rs reads as word characters and jieba does not
# (extension A, U+9FD6-U+9FFF, compatibility ideographs, every astral plane) and lone surrogates,
# which it cannot take.  A text without any is cut by jieba-rs whole: 229,293 such texts of the
# corpora, pages and county pages (4.7M characters, whole files with their line breaks among
# them) came out word for word as jieba's (``tests/recognize/test_fast_paths.py``).
_NOT_WHOLE = re.compile("[+#&._%\\-\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\ud800-\udfff\U00010000-\U0010ffff]")
# Longer texts go block by block: a one-line file (issue 33) as one list of words was a copy of
# its text in a million small strings.
WHOLE_MAX = 20_000


@cache
def word_lists() -> Callable[[str], Iterator[list[str]]]:
    """jieba's words of a text in lists that follow each other: the whole text's at once from
    jieba-rs where it cuts as jieba does (``_NOT_WHOLE``), else block after block
    (``block_words``)."""
    import rjieba

    blocks = block_words()
    not_whole = _NOT_WHOLE.search

    def lists(text: str) -> Iterator[list[str]]:
        if len(text) <= WHOLE_MAX and not not_whole(text):
            yield rjieba.cut(text, True)
        else:
            yield from blocks(text)

    return lists


@cache
def word_cutter() -> Callable[[str], list[str]]:
    """jieba's cut of a whole text (``word_lists``)."""
    lists = word_lists()

    def cut(text: str) -> list[str]:
        out: list[str] = []
        for words in lists(text):
            out.extend(words)
        return out

    return cut


def cut_words(text: str) -> list[str]:
    """The words of ``text``, in order; their lengths sum to ``len(text)``."""
    return word_cutter()(text)


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
    for words in word_lists()(text):
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
    return dictionary().freq(surface) > 0

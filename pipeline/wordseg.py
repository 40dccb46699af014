"""Chinese word segmentation (jieba), one initialised tokenizer per process.

Why its own module: the runtime (the BiLSTM's soft-word feature, the repairs' "is this a known
word" test) needs jieba's dictionary, and it used to get it from the legacy CNN model's layer
module, so the runtime imported a path it does not run.  Loading is lazy and quiet: importing
this module imports no jieba, and jieba's dictionary-build log stays off stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def jieba_tokenizer() -> Any:  # jieba is untyped
    """One initialised jieba tokenizer per process: its dictionary (with every word's prefixes)
    serves the soft-word segmentation, the lexicon features and the known-word test alike."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


MEMO_BLOCKS = 5_000  # blocks remembered before the memo starts afresh: a page's worth, a few MB


@cache
def word_cutter() -> Callable[[str], list[str]]:
    """jieba's cut with its HMM for unknown words, the segmentation the model was trained with.

    jieba cuts a text block by block (maximal runs of CJK, letters and digits, split on its
    ``re_han_default``), each block on its own, so the words of a text are the words of its
    blocks in order.  The blocks' words are remembered: the tagger's soft-word feature cuts each
    line and the learned vote cuts the whole article again, and the second walk over jieba's
    dictionary was a tenth of the recogniser's time.  The two walks are a page apart at most, so
    the memo holds a few pages' blocks and is then emptied: memory stays flat over a year's run.
    Same words as ``tok.cut(text)``, exactly."""
    import jieba

    tok = jieba_tokenizer()
    split = jieba.re_han_default.split
    memo: dict[str, list[str]] = {}

    def cut(text: str) -> list[str]:
        out: list[str] = []
        for block in split(text):
            if not block:
                continue
            words = memo.get(block)
            if words is None:
                words = list(tok.cut(block, HMM=True))
                if len(memo) >= MEMO_BLOCKS:
                    memo.clear()
                memo[block] = words
            out.extend(words)
        return out

    return cut


def cut_words(text: str) -> list[str]:
    """The words of ``text``, in order; their lengths sum to ``len(text)``."""
    return word_cutter()(text)


def is_known_word(surface: str) -> bool:
    """Whether jieba's general dictionary lists ``surface`` as a word (with a frequency)."""
    return bool(jieba_tokenizer().FREQ.get(surface))

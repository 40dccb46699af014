"""jieba's general dictionary as one compact read-only table: words, frequencies, name types.

Why not jieba's own table: ``jieba.Tokenizer`` holds its dictionary as a Python dict of every
word and every prefix of every word (498k entries, 70 MB in each process, 0.16 s of each
process's start to unmarshal), and the tagger's typed lexicon was a second dict of 101k words
(21 MB).  Here the 349k words with a frequency are a ``marisa_trie.Trie`` (about 1.3 MB) with
their frequencies and type bits in two arrays by the trie's key id: one file in the temporary
directory (``pipeline.tempcache``), read in milliseconds.  The trie walks the prefixes of a text
in C (``dictionary_words``), the walk jieba's ``get_DAG`` makes through its prefix table.

Built from jieba's own parse of its ``dict.txt`` (``Tokenizer.gen_pfdict``: the same words,
frequencies and total), and the name types from its lines tagged nr/ns/nt, so every lookup
answers as jieba's table did (``tests/recognize/test_fast_paths.py``).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

# A dictionary line ``word freq tag`` whose word has two or more characters and whose tag names a
# person, place or organisation: what ``line.split()`` into three parts would accept.
TYPED_LINE = re.compile(r"^[ \t]*(\S{2,})[ \t]+\S+[ \t]+(nrfg|nrt|nr|ns|nt)[ \t\r]*$", re.M)
TYPE_BITS = {"nr": 1, "nrt": 1, "nrfg": 1, "ns": 2, "nt": 4}
_CACHE_VERSION = b"pinghu-dictionary-v2"

Walk = list[list[tuple[int, int]]]  # per start k: (end, key id) of each dictionary word text[k:end]


def jieba_module() -> Any:  # jieba is untyped
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


class Dictionary:
    """The words of a jieba dictionary with a frequency above 0, their frequencies, their name
    types (bits 1/2/4: person, place, organisation) and jieba's total of all frequencies."""

    def __init__(self, trie_bytes: bytes, freqs: bytes, types: bytes, total: int, longest: int, pairs: bytes) -> None:
        import marisa_trie
        import numpy as np

        self.trie = marisa_trie.Trie().frombytes(trie_bytes)
        self.freqs = array("q", freqs)  # by key id
        self.types = types  # by key id: bytes index to ints
        if not (len(self.freqs) == len(self.types) == len(self.trie)):
            raise ValueError("dictionary table: arrays and trie differ in length")
        self.total = total
        self.longest = longest  # the longest word's length: how far a walk from one start looks
        # The first two characters of every word of two or more, as sorted ``pair_keys``: where
        # a text's pair is none of them, no such word starts (``long_words`` skips the start).
        self.pairs = np.frombuffer(pairs, dtype=np.int64)
        self._get = self.trie.get

    def key(self, word: str) -> int | None:
        """The word's key id; None for a string that is no word (a lone surrogate, which the
        trie cannot encode, is in none)."""
        try:
            return self._get(word)
        except UnicodeEncodeError:
            return None

    def freq(self, word: str) -> int:
        """The word's frequency; 0 for a string that is no word (jieba's ``FREQ.get(w) or 0``)."""
        i = self.key(word)
        return 0 if i is None else self.freqs[i]

    def word_types(self, word: str) -> int:
        """The word's name-type bits (0 for no typed word)."""
        i = self.key(word)
        return 0 if i is None else self.types[i]

    def to_value(self) -> tuple[bytes, bytes, bytes, int, int, bytes]:
        """What the cache file holds: plain values ``Dictionary(*value)`` takes back."""
        return self.trie.tobytes(), self.freqs.tobytes(), self.types, self.total, self.longest, self.pairs.tobytes()


def typed_words(text: str) -> dict[str, int]:
    """The name-type bits of each typed word in a dictionary file's ``text``."""
    typed: dict[str, int] = {}
    for word, tag in TYPED_LINE.findall(text):
        typed[word] = typed.get(word, 0) | TYPE_BITS[tag]
    return typed


def build(source: Path) -> Dictionary:
    """The table of the dictionary file ``source``, by jieba's own parse of it."""
    import marisa_trie
    import numpy as np

    with source.open("rb") as f:
        freq, total = jieba_module().Tokenizer().gen_pfdict(f)
    words = [w for w, f in freq.items() if f]
    trie = marisa_trie.Trie(words)
    freqs = array("q", bytes(8 * len(trie)))
    for w in words:
        freqs[trie[w]] = freq[w]
    typed = typed_words(source.read_text(encoding="utf-8"))
    types = bytearray(len(trie))
    for w, bits in typed.items():
        i = trie.get(w)
        if i is not None:  # a typed word without a frequency is never walked to
            types[i] = bits
    pairs = np.unique(np.array([pair_keys(w[:2])[0] for w in words if len(w) > 1], dtype=np.int64))
    return Dictionary(trie.tobytes(), freqs.tobytes(), bytes(types), total, max(map(len, words), default=0),
                      pairs.tobytes())


def cached(source: Path, make: Callable[[Path], Dictionary] = build, cache_dir: Path | None = None) -> Dictionary:
    """``build(source)``, written once into ``cache_dir`` (the temporary directory) and read from
    there by every later process (``pipeline.tempcache``: whole or rebuilt, never another user's).
    The file is named by the dictionary's path, size and modification time and the type rule, so
    a changed dictionary or rule is never served an old table."""
    import hashlib

    from pipeline import tempcache

    try:
        st = source.stat()
        key = hashlib.sha256(f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|{TYPED_LINE.pattern}|"
                             f"{sorted(TYPE_BITS.items())}".encode() + _CACHE_VERSION).hexdigest()[:16]
        path = tempcache.cache_path("dictionary", key, cache_dir)
    except OSError:
        path = None
    value = tempcache.read_value(path, _CACHE_VERSION, tuple)
    if value is not None:
        try:
            return Dictionary(*value)  # type: ignore[arg-type]
        except (TypeError, ValueError, RuntimeError):  # a well-formed file of some other shape
            pass
    table = make(source)
    tempcache.write_value(path, _CACHE_VERSION, table.to_value())
    return table


@cache
def dictionary() -> Dictionary:
    """jieba's default dictionary, one table per process."""
    with jieba_module().Tokenizer().get_dict_file() as f:
        return cached(Path(f.name))


def dictionary_words(text: str) -> Walk:
    """Every dictionary word in ``text``: for each start ``k``, the ``(end, key id)`` of each word
    ``text[k:end]``, shortest first: jieba's ``get_DAG`` walk (which stops at the first slice
    that is no prefix of a word, so it finds the same words), for the blocks whose route we find
    ourselves (``wordseg``)."""
    table = dictionary()
    prefixes, longest = table.trie.iter_prefixes_with_ids, table.longest
    text = _walkable(text)
    return [[(k + len(p), i) for p, i in prefixes(text[k : k + longest])] for k in range(len(text))]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _walkable(text: str) -> str:
    """``text`` with each lone surrogate (a file's undecodable byte, kept by ingest) as NUL: the
    trie cannot encode one, and neither is in any word, so the walk finds the same words."""
    return _SURROGATE.sub("\0", text) if _SURROGATE.search(text) else text


def pair_keys(text: str) -> Any:  # numpy is imported lazily: an int64 array
    """One ``codes.pair_key`` per pair of neighbouring characters of ``text``."""
    from pipeline.model.codes import code_points, pair_key

    codes = code_points(text)
    return pair_key(codes[:-1], codes[1:])


def long_words(text: str) -> list[tuple[int, int, int]]:
    """Every dictionary word of two or more characters in ``text``, as ``(start, end, key id)``
    by start, then end: ``dictionary_words`` without its one-character words, walked only from
    the starts whose first two characters begin some such word (a third of a news text's
    characters; the pairs are tested at once in numpy).  What the tagger's lexicon rows read."""
    from pipeline.model.codes import sorted_hits

    table = dictionary()
    pairs = table.pairs
    if len(text) < 2 or not len(pairs):
        return []
    text = _walkable(text)
    prefixes, longest = table.trie.iter_prefixes_with_ids, table.longest
    return [(k, k + len(p), i) for k in sorted_hits(pairs, pair_keys(text)).tolist()
            for p, i in prefixes(text[k : k + longest]) if len(p) > 1]


"""jieba's dictionary as a compact table (``pipeline.model.dictionary``), built once and cached.

Why: jieba's own prefix dict cost every process 70 MB and 0.16 s to load, and the tagger's typed
lexicon another 21 MB; the table that replaces both must answer every lookup as they did, be
built once per machine, survive a cut-short or corrupt cache file and never serve the table of a
dictionary that has since changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from pipeline.model import dictionary as dic

DICT_LINES = "平湖市 10 ns\n新埭镇 5 ns\n陶建中 3 nr\n市政府 8 nt\n平湖市 9 nt\n调研 4 v\n零频 0 ns\n"


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of the test's own, so the real cache is never touched."""
    cache = tmp_path / "tmp"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(cache))
    monkeypatch.setenv("TMPDIR", str(cache))
    return cache


def _counting_build() -> tuple[list[int], object]:
    calls: list[int] = []

    def make(source: Path) -> dic.Dictionary:
        calls.append(1)
        return dic.build(source)

    return calls, make


def _answers(table: dic.Dictionary) -> dict[str, tuple[int, int]]:
    return {w: (table.freq(w), table.word_types(w)) for w in table.trie.iterkeys()}


def test_the_table_answers_as_jiebas_own_dictionary() -> None:
    """Every word's frequency as jieba's prefix dict has it (0 for its prefixes and for strings
    it lacks), jieba's total, and the type bits of a split of each tagged line."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    table = dic.dictionary()
    assert table.total == tok.total
    words = {w: f for w, f in tok.FREQ.items() if f}
    assert len(table.trie) == len(words) and table.longest == max(map(len, words))
    for w, f in tok.FREQ.items():
        assert table.freq(w) == f, w
    assert table.freq("平湖市当湖街道不是一个词") == 0
    assert table.freq("平\ud800") == table.word_types("\ud800湖") == 0  # a lone surrogate: in no word, no error
    typed: dict[str, int] = {}
    with tok.get_dict_file() as f:
        for line in f.read().decode("utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] in dic.TYPE_BITS and len(parts[0]) > 1:
                typed[parts[0]] = typed.get(parts[0], 0) | dic.TYPE_BITS[parts[2]]
    for w in words:
        assert table.word_types(w) == typed.get(w, 0), w


def test_the_type_rule_equals_splitting_awkward_lines() -> None:
    awkward = "平湖 3 ns\n当湖街道  12\tns\r\n张 5 nr\n嘉兴港区 7 nt extra\n乍浦 x nrfg\n \t独山港 2 ns \n王五 1 n\n"
    by_lines: dict[str, int] = {}
    for line in awkward.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in dic.TYPE_BITS and len(parts[0]) > 1:
            by_lines[parts[0]] = by_lines.get(parts[0], 0) | dic.TYPE_BITS[parts[2]]
    assert dic.typed_words(awkward) == by_lines


def test_the_cached_table_is_the_built_one_and_is_built_once(temp: Path, tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    calls, make = _counting_build()
    first = dic.cached(source, make)
    second = dic.cached(source, make)
    assert len(calls) == 1
    assert _answers(first) == _answers(second) == {
        "平湖市": (9, 6), "新埭镇": (5, 2), "陶建中": (3, 1), "市政府": (8, 4), "调研": (4, 0)}
    assert first.total == second.total == 39 and first.longest == 3  # jieba: the last line of a word wins, every line counts in the total
    assert first.freq("零频") == 0 and first.freq("平湖") == 0  # no frequency; a prefix only
    assert len(list(temp.glob("pinghu-dictionary-*.marshal"))) == 1 and not list(temp.glob("*.part"))


@pytest.mark.parametrize("damage", ["cut", "flipped", "empty"])
def test_a_cut_short_or_corrupt_cache_is_rebuilt(temp: Path, tmp_path: Path, damage: str) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    calls, make = _counting_build()
    good = _answers(dic.cached(source, make))
    (cached,) = temp.glob("pinghu-dictionary-*.marshal")
    data = cached.read_bytes()
    cached.write_bytes({"cut": data[:-7], "flipped": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:], "empty": b""}[damage])
    assert _answers(dic.cached(source, make)) == good and len(calls) == 2
    assert cached.read_bytes() == data  # rewritten whole
    assert _answers(dic.cached(source, make)) == good and len(calls) == 2


def test_a_changed_dictionary_is_not_served_the_old_table(temp: Path, tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    calls, make = _counting_build()
    dic.cached(source, make)
    stamp = source.stat().st_mtime_ns
    source.write_text(DICT_LINES.replace("陶建中 3 nr", "陶建中 3 ns"), encoding="utf-8")  # same size
    os.utime(source, ns=(stamp + 10**9, stamp + 10**9))
    assert dic.cached(source, make).word_types("陶建中") == 2 and len(calls) == 2
    source.write_text(DICT_LINES + "嘉兴 7 ns\n", encoding="utf-8")
    os.utime(source, ns=(stamp + 10**9, stamp + 10**9))  # same time, another size
    assert dic.cached(source, make).freq("嘉兴") == 7 and len(calls) == 3

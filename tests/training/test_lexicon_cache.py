"""The tagger's typed-word lexicon is built once and read by later processes (issue 34: start-up).

Why: the regular expression over jieba's 5 MB dict.txt took 0.1-0.15 s of every process's
start; the cache must give the same table, survive a cut-short or corrupt file and never serve
the table of a dictionary that has since changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from pipeline.model import lstm_tagger
from pipeline.model.wordseg import jieba_tokenizer

DICT_LINES = "平湖市 10 ns\n新埭镇 5 ns\n陶建中 3 nr\n市政府 8 nt\n平湖市 9 nt\n调研 4 v\n"


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of the test's own, so the real cache is never touched."""
    cache = tmp_path / "tmp"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(cache))
    monkeypatch.setenv("TMPDIR", str(cache))
    return cache


def _read_count(source: Path) -> tuple[list[int], object]:
    calls: list[int] = []

    def read() -> str:
        calls.append(1)
        return source.read_text(encoding="utf-8")

    return calls, read


def test_the_cached_lexicon_is_the_built_one_and_is_built_once(temp: Path) -> None:
    with jieba_tokenizer().get_dict_file() as f:
        source = Path(f.name)
    fresh = lstm_tagger._typed_words(source.read_text(encoding="utf-8"))
    calls, read = _read_count(source)
    first = lstm_tagger._cached_lexicon(source, read)
    second = lstm_tagger._cached_lexicon(source, read)
    assert len(calls) == 1 and list(first.items()) == list(fresh.items()) == list(second.items())
    assert len(fresh) > 50_000
    assert len(list(temp.glob("pinghu-lexicon-*.marshal"))) == 1 and not list(temp.glob("*.part"))


@pytest.mark.parametrize("damage", ["cut", "flipped", "empty"])
def test_a_cut_short_or_corrupt_cache_is_rebuilt(temp: Path, tmp_path: Path, damage: str) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    calls, read = _read_count(source)
    good = lstm_tagger._cached_lexicon(source, read)
    assert good == {"平湖市": 6, "新埭镇": 2, "陶建中": 1, "市政府": 4}
    (cached,) = temp.glob("pinghu-lexicon-*.marshal")
    data = cached.read_bytes()
    cached.write_bytes({"cut": data[:-7], "flipped": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:], "empty": b""}[damage])
    assert lstm_tagger._cached_lexicon(source, read) == good and len(calls) == 2
    assert cached.read_bytes() == data  # rewritten whole
    assert lstm_tagger._cached_lexicon(source, read) == good and len(calls) == 2


def test_a_changed_dictionary_is_not_served_the_old_table(temp: Path, tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    calls, read = _read_count(source)
    lstm_tagger._cached_lexicon(source, read)
    stamp = source.stat().st_mtime_ns
    source.write_text(DICT_LINES.replace("陶建中 3 nr", "陶建中 3 ns"), encoding="utf-8")  # same size
    os.utime(source, ns=(stamp + 10**9, stamp + 10**9))
    assert lstm_tagger._cached_lexicon(source, read)["陶建中"] == 2 and len(calls) == 2
    source.write_text(DICT_LINES + "嘉兴 7 ns\n", encoding="utf-8")
    os.utime(source, ns=(stamp + 10**9, stamp + 10**9))  # same time, another size
    assert lstm_tagger._cached_lexicon(source, read)["嘉兴"] == 2 and len(calls) == 3


def test_no_writable_temporary_directory_builds_it_each_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "dict.txt"
    source.write_text(DICT_LINES, encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "absent"))
    calls, read = _read_count(source)
    assert lstm_tagger._cached_lexicon(source, read)["平湖市"] == 6
    assert lstm_tagger._cached_lexicon(source, read)["平湖市"] == 6 and len(calls) == 2

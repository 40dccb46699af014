"""Every word list is a data file with a stated source, and the loader refuses one without."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import lexicons as lexicon
from pipeline.settings import DEFAULT_GAZETTEER


@pytest.mark.parametrize("name", lexicon.available())
def test_package_lexicon_has_source_and_entries(name: str) -> None:
    words = lexicon.entries(name)
    assert words, f"{name} is empty"
    assert all(" " not in w and not w.startswith("#") for w in words)


def test_county_lexicons_have_source_header() -> None:
    for path in sorted((DEFAULT_GAZETTEER / lexicon.COUNTY_SUBDIR).glob("*.txt")):
        assert lexicon.read_file(path), path


def test_surnames_are_single_characters() -> None:
    assert all(len(s) == 1 for s in lexicon.load("surnames"))
    assert {"王", "李", "沈"} <= lexicon.load("surnames")


def test_missing_source_header_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lexicons"
    bad.mkdir()
    (bad / "words.txt").write_text("# a list\n甲乙 丙丁\n", encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match="source"):
        lexicon.load_county(tmp_path, "words")


def test_absent_county_lexicon_is_empty(tmp_path: Path) -> None:
    assert lexicon.load_county(tmp_path, "common_words") == frozenset()
    ok = tmp_path / "lexicons"
    ok.mkdir()
    (ok / "common_words.txt").write_text("# source: made up for this test\n甲乙\n丙丁 甲乙\n", encoding="utf-8")
    assert lexicon.load_county(tmp_path, "common_words") == {"甲乙", "丙丁"}

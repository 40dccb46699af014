"""The linear-time indexes of issue 33 answer exactly what the scans they replaced answered.

A one-line file of a million characters is one article with tens of thousands of spans, and
every "is this hit covered / where else is this name printed / which unit does this title
absorb" question used to scan all of them (or the whole text).  Each test below runs the old
scan, kept here as the definition, and the index on random inputs (small blocks, so the block
seams are crossed), and wants the same answer.  How long a run takes is measured by
``python -m bench.long_lines``, not asserted here.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from pipeline.records import Span

ALPHABET = "平湖市委书记局长乍浦镇，。\n"


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def _finds(text: str, name: str) -> list[int]:
    out, k = [], text.find(name)
    while k >= 0:
        out.append(k)
        k = text.find(name, k + 1)
    return out


def test_occurrences_are_every_find(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.recognize import occurrences as occ

    rng = random.Random(0)
    for block in (1, 2, 5, 1 << 18):
        monkeypatch.setattr(occ, "BLOCK", block)
        for _ in range(200):
            text = _text(rng, rng.randint(0, 60)) + rng.choice(["", "\ud800", "平\ud800"])
            names = [_text(rng, rng.randint(0, 4)) for _ in range(rng.randint(0, 8))]
            assert occ.occurrences(text, names) == {n: _finds(text, n) for n in names if n}


def _intervals(rng: random.Random, n: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        a = rng.randint(0, 40)
        out.append((a, a + rng.randint(-2, 8)))  # empty and reversed ones too
    return out


def test_interval_index_and_enclosing_answer_as_the_scans() -> None:
    from pipeline.recognize.overlap import Enclosing, IntervalIndex

    rng = random.Random(1)
    for _ in range(300):
        fixed = _intervals(rng, rng.randint(0, 12))
        taken = list(fixed)  # grows with the index's adds
        index = IntervalIndex(taken)
        enclosing = Enclosing(fixed)
        for _ in range(20):
            s = rng.randint(-2, 45)
            e = s + rng.randint(0, 6)
            assert index.overlaps(s, e) == any(a < e and s < b for a, b in taken)
            assert enclosing.holds(s, e) == any(a <= s and e < b for a, b in fixed)
            if rng.random() < 0.3:
                index.add(s, e)
                taken.append((s, e))


def test_titles_absorb_units_as_the_loop_over_every_unit() -> None:
    from pipeline.recognize.titles import (
        GENERIC_POSTS,
        TITLE_RE,
        TitleRules,
        _has_unit,
        _named_before,
        _Units,
    )

    def reference(text: str, spans: list[Span]) -> list[Span]:  # ``find`` as it was, plus its fallback
        orgs = [s for s in spans if s.label in ("ORG", "PLACE")]
        known = sorted({text[s.start : s.end] for s in orgs if s.label == "ORG"}, key=len, reverse=True)
        out = []
        for m in TITLE_RE.finditer(text):
            start, end = m.start(), m.end()
            if end - start < 2 or m.group() in GENERIC_POSTS and not _has_unit(text, start):
                continue
            for org in orgs:
                if org.start < start <= org.end:
                    start = org.start
            if start == m.start():  # no span ends at the post: a name or sub-unit before it
                start = _named_before(text, start, known, _Units(orgs))
            out.append(Span(start, end, "TITLE", "titles"))
        return out

    rng = random.Random(2)
    rules = TitleRules()
    text = "市发改局局长张三、乍浦镇党委书记李四和平湖市委副书记、市长王五，县政府办公室主任赵六，主任说" * 3
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 15)):
            a = rng.randint(0, len(text) - 1)
            spans.append(Span(a, min(len(text), a + rng.randint(0, 8)), rng.choice(["ORG", "PLACE", "PERSON"]), "t"))
        assert rules.find(text, spans) == reference(text, spans)


def _propagate_by_find(text: str, spans: list[Span], names: dict[str, str], absorb: bool) -> list[Span]:
    """``_tag_other_occurrences`` as it was: ``text.find`` from each occurrence's end."""
    from pipeline.recognize import repair

    standing = repair._SpansByStart(spans)
    for name in sorted(names, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            inner: list[Span] = []
            hit = standing.overlapping(start, end)
            if hit:
                inner = repair._inside_only(hit, start, end) if absorb else []
                if not inner:
                    start = text.find(name, end)
                    continue
            for s in inner:
                standing.remove(s)
            standing.add(Span(start, end, names[name], "consistency", 0.8))
            start = text.find(name, end)
    return standing.spans()


def test_propagation_tags_the_places_find_tagged() -> None:
    from pipeline.recognize import repair

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("张三李四平湖，") for _ in range(rng.randint(1, 50)))
        spans = []
        for _ in range(rng.randint(0, 6)):
            a = rng.randint(0, len(text) - 1)
            spans.append(Span(a, min(len(text), a + rng.randint(1, 4)), "PERSON", "t"))
        spans.sort(key=lambda s: s.start)
        names = {n: "PERSON" for n in {"张三", "三李", "李四平", "平湖", "湖湖", "四"} if rng.random() < 0.5}
        for absorb in (False, True):
            assert repair._tag_other_occurrences(text, list(spans), names, absorb) == \
                _propagate_by_find(text, list(spans), names, absorb)


def test_sentence_around_is_the_whole_sentence_within_reach() -> None:
    from pipeline.recognize.agencies import SENTENCE_REACH, sentence_around

    def unbounded(text: str, start: int) -> str:
        left = max(text.rfind(c, 0, start) for c in "。！？\n") + 1
        rights = [k for k in (text.find(c, start) for c in "。！？\n") if k >= 0]
        return text[left : (min(rights) + 1 if rights else len(text))].strip()

    rng = random.Random(4)
    for _ in range(300):
        text = _text(rng, rng.randint(1, 80))
        start = rng.randint(0, len(text) - 1)
        assert sentence_around(text, start) == unbounded(text, start)
    run_on = "市政府" * SENTENCE_REACH  # no stop at all: cut at the reach, not copied whole
    assert len(sentence_around(run_on, len(run_on) // 2)) == 2 * SENTENCE_REACH


class _Echo:
    """A gated source that reads each clause's two-character words as ORG spans."""

    name = "lac"
    calls = 0

    def spans(self, texts: list[str]) -> list[list[Span]]:
        _Echo.calls += 1
        return [[Span(m.start(), m.end(), "ORG", "lac") for m in re.finditer("平湖", t)] for t in texts]


def test_the_gate_reads_a_long_text_in_blocks_with_the_same_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.recognize import gate as gate_module
    from pipeline.recognize.gate import Consulted, Gate, consult

    rng = random.Random(5)
    texts = ["".join(rng.choice(["平湖", "市", "，", "。", "县"]) for _ in range(rng.randint(0, 300))) for _ in range(4)]
    conf = [np.array([rng.choice([0.5, 0.9]) for _ in t], dtype=np.float32) for t in texts]
    theirs = [[Span(m.start(), m.end(), "PLACE", "spacy") for m in re.finditer("市", t)] for t in texts]
    g = Gate("lac", "spacy", 0.7, 6)
    whole, whole_tally = consult(g, _Echo(), texts, theirs, conf, Consulted()), None
    for block in (1, 2, 7):
        monkeypatch.setattr(gate_module, "CONSULT_BLOCK", block)
        tally = Consulted()
        assert consult(g, _Echo(), texts, theirs, conf, tally) == whole
        whole_tally = whole_tally or tally
        assert (tally.chars, tally.read) == (whole_tally.chars, whole_tally.read)


def test_word_bounds_are_the_cut_and_the_blocks_are_the_split() -> None:
    import jieba

    from pipeline.model.wordseg import _blocks, cut_words, word_bounds

    text = "平湖市委书记张三在当湖街道调研，abc 12.5% 市发改局局长李四陪同。" * 3
    assert list(_blocks(text, jieba.re_han_default)) == jieba.re_han_default.split(text)
    bounds = [0]
    for w in cut_words(text):
        bounds.append(bounds[-1] + len(w))
    assert list(word_bounds(text)) == bounds
    assert word_bounds(text) is word_bounds(text)  # the last text's bounds, not cut again

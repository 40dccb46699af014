"""One-character places only where they stand as words: 赴沪, 中美, 沪杭, 美方 — not 和美乡村.

Why: our model learned from MSRA that 美, 中, 日 are places (中美关系), and ``drop_single_chars``
keeps its one-character spans, so 美 in 和美乡村 / 一处美, 华 in 华为, 日 in 日最高气温 became
places (the United States, China, Japan).  A one-character form is an ordinary character unless
its context makes it a place, so ``short_form_places`` (after the vote, which was trained
without it) keeps a one-character PLACE only

* in a list of one-character forms that is no dictionary word and whose edges are word edges
  (中美, 中日韩, 沪杭, 沪浙, 京津冀; not 中华, 平湖, not 中美洲 = 中 + 美洲);
* after a verb of travel or relation (赴沪, 在沪, 来平, 访华, 抗日) unless jieba cuts a word that
  starts there and goes on with no place form (在华为), or before 方/军/企 (美方);
* for a province or city form (沪, 浙 — not a country form), where jieba cuts it as a word of
  its own and no bound suffix follows (沪籍, ``short_form_bound_suffixes``); a lone country
  form (美, 日) is a word far more often than a country;

and never inside a dictionary word (沪籍) or inside another kept span.  ``short_form_lists``
adds the lists the taggers missed (畅销沪杭, 沪浙五镇): one PLACE per character, as the county
pages and MSRA annotate them.  Lists: ``place_short_forms``, ``short_form_verbs``,
``short_form_suffixes`` and the country forms of ``countries.txt``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import Any

from pipeline import lexicons as lexicon
from pipeline.lexicons.countries import one_char_forms
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import register_pass

VERBS = lexicon.load("short_form_verbs")
SUFFIXES = lexicon.load("short_form_suffixes")
DOMESTIC = lexicon.load("place_short_forms")
BOUND = lexicon.load("short_form_bound_suffixes")
REGIONS = lexicon.load("region_short_forms")  # 亚 欧 非 拉: places only in a list (亚欧, 亚非拉)
# Around a country form that jieba cuts as a word of its own, words that make it an actor:
# 同美各界, 使美17万人 (before); 俄与北约, 德在华 (after).
_ACTOR_BEFORE = frozenset("同与使向跟")
_ACTOR_AFTER = frozenset("与同在对将已各和")


@cache
def _list_pattern() -> re.Pattern[str]:
    forms = "".join(sorted(DOMESTIC | REGIONS | set(one_char_forms())))
    return re.compile(rf"[{forms}]{{2,4}}")


class _Words:
    """jieba's word edges of one text, asked by offset (bisection of ``word_bounds``)."""

    def __init__(self, text: str) -> None:
        from pipeline.model.wordseg import word_bounds

        self.text, self.bounds = text, word_bounds(text)

    def word_at(self, i: int) -> tuple[int, int]:
        """The word holding character ``i``."""
        k = bisect_right(self.bounds, i) - 1
        return self.bounds[k], self.bounds[k + 1]

    def crossed_by_common(self, i: int) -> bool:
        """An everyday word of jieba's cut runs over offset ``i`` (its edges are not at ``i``)."""
        if i in (0, len(self.text)):
            return False
        a, b = self.word_at(i)
        return a != i and _common_word(self.text[a:b])


# Dictionary frequency from which a word of jieba's is an everyday word (中华 2446, 平台 3601, 美德
# 250, 今日): below it the dictionary's entries for lists of forms (中美 3, 中日韩 3, 京津冀 36).
COMMON_WORD_FREQ = 100
# The adding pass trusts a list less: a run that jieba knows as a word this often is a word (青云
# 47, 黑云 86 in MSRA test's 青云路 and 黑云), not two places; lists of forms are rarer (京津冀 36,
# 苏浙 15, 沪杭 0).
ADD_MAX_FREQ = 40


def _word_freq(word: str) -> int:
    from pipeline.model.dictionary import dictionary

    return dictionary().freq(word)


def _common_word(word: str) -> bool:
    return len(word) > 1 and _word_freq(word) >= COMMON_WORD_FREQ


def short_form_lists(text: str, words: _Words | None = None, domestic: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each list of distinct one-character forms standing as words: 沪杭, 中日韩;
    with ``domestic``, lists of province and city forms only (沪杭, 京津冀), which is what the
    adding pass trusts: country pairs are ``country_pairs``'s, before a bilateral noun.

    An end character that makes an everyday word with its neighbour is no part of the list
    (今日 + 美国, 中 + 美洲); the adding pass (``domestic``) also refuses a list that is itself an
    everyday word (新港); jieba's rarer entries for lists (中俄关系) do not count."""
    words = words or _Words(text)
    out = []
    for m in _list_pattern().finditer(text):
        a, b = _joined_trimmed(text, m.start(), m.end())
        run = text[a:b]
        if len(run) < 2 or len(set(run)) != len(run) or (domestic and _word_freq(run) >= ADD_MAX_FREQ):
            continue
        if domestic and any(ch not in DOMESTIC or ch in one_char_forms() for ch in run):
            continue
        if not any(words.crossed_by_common(i) for i in (a, b)):
            out.append((a, b))
    return out


def _joined_trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """A run of forms less an end character that makes an everyday word with its neighbour:
    俄中新型 → 俄中 (新型), 今日美国 → 美 alone (今日, 美国)."""
    while b - a >= 2:
        if any(_common_word(text[b - 1 : b + k]) for k in (1, 2)):
            b -= 1
        elif any(_common_word(text[max(a - k, 0) : a + 1]) for k in (1, 2)):
            a += 1
        else:
            break
    return a, b


def stands_as_place(text: str, i: int, words: _Words, lists: list[tuple[int, int]]) -> bool:
    """Whether the one-character place at ``i`` is a place in its context (see the module)."""
    if any(a <= i < b for a, b in lists) or _enumerated(text, i):
        return True
    if i > 0 and text[i - 1] in VERBS and not _starts_other_word(text, i, words):
        return True
    if i + 1 < len(text) and text[i + 1] in SUFFIXES and text[i] in one_char_forms():
        return True  # 美方, 中企, 中外; not 平方
    if text[i] in one_char_forms() and _actor(text, i) and not _in_known_word(text, i):
        return True
    from pipeline.model.wordseg import is_known_word

    if text[i] not in DOMESTIC or text[i] in one_char_forms() or words.word_at(i) != (i, i + 1):
        return False
    # jieba's best path may still cut a dictionary word apart: 的沪籍 reads 的 + 沪 + 籍.
    if i + 1 < len(text) and text[i + 1] in BOUND:
        return False
    return not (is_known_word(text[max(i - 1, 0) : i + 1]) or is_known_word(text[i : i + 2]))


# What may follow a one-character form inside a word that still names places: another form, a
# region, a suffix of 美方 / 中企, or a direction (陕北, 湘中, 晋西北).
_DIRECTIONS = frozenset("东南西北中")


def _starts_other_word(text: str, i: int, words: _Words) -> bool:
    """jieba cuts a word that starts at ``i`` and goes on with a character no place form takes
    (在华为: 华为; not 对中俄关系, 回陕北, 在中方)."""
    start, end = words.word_at(i)
    if start != i or end <= i + 1:
        return False
    nxt = text[i + 1]
    return not (nxt in DOMESTIC or nxt in REGIONS or nxt in SUFFIXES or nxt in _DIRECTIONS
                or nxt in one_char_forms())


def _enumerated(text: str, i: int) -> bool:
    """德、意法西斯, 孟、印、斯、泰: a form next to 、 with another one-character form, or another
    one-character item of the same enumeration, across it."""
    forms = DOMESTIC | REGIONS | set(one_char_forms())

    def single_item(k: int) -> bool:  # text[k] is an item of one character: 、 or no Han beside it
        return all(j < 0 or j >= len(text) or text[j] == "、" or not _HAN.match(text[j]) for j in (k - 1, k + 1))

    before = i >= 2 and text[i - 1] == "、" and (text[i - 2] in forms or single_item(i - 2))
    after = i + 2 < len(text) and text[i + 1] == "、" and (text[i + 2] in forms or single_item(i + 2))
    return before or after


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _in_known_word(text: str, i: int) -> bool:
    """The character at ``i`` and a neighbour make a dictionary word (美好, 德育)."""
    from pipeline.model.wordseg import is_known_word

    return is_known_word(text[max(i - 1, 0) : i + 1]) or is_known_word(text[i : i + 2])


def _actor(text: str, i: int) -> bool:
    """A lone country form with a preposition before it or a conjunction / adverb after it."""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return prev in _ACTOR_BEFORE or (nxt in _ACTOR_AFTER and not prev.isdigit())


@register_pass("short_form_places", requires=["text", "spans"], provides=["spans"])
def short_form_places(doc: RecognitionDoc, _ctx: Any) -> None:
    """A one-character PLACE stays only where it stands as a word or in a list (中美, 赴沪)."""
    singles = [s for s in doc.spans if s.label == "PLACE" and s.end - s.start == 1]
    if not singles:
        return
    words = _Words(doc.text)
    lists = short_form_lists(doc.text, words)
    longer = [s for s in doc.spans if s.end - s.start > 1]
    doc.spans = [
        s for s in doc.spans
        if s not in singles or (
            stands_as_place(doc.text, s.start, words, lists)
            and not any(o.start <= s.start and s.end <= o.end for o in longer)
        )
    ]


@register_pass("short_form_lists", requires=["text", "spans"], provides=["spans"])
def short_form_lists_pass(doc: RecognitionDoc, _ctx: Any) -> None:
    """Lists of one-character places the taggers missed (畅销沪杭): one PLACE per character."""

    def finder(text: str, taken: Any) -> list[tuple[int, int]]:
        found = []
        for a, b in short_form_lists(text, domestic=True):
            found.extend((k, k + 1) for k in range(a, b) if not taken.overlaps(k, k + 1))
        return found

    doc.add_found(finder, "PLACE", "short-form-list")

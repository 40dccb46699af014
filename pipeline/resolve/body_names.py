"""What an organisation's name says about the body: its kind (the final body word) and the short
forms an article uses for a name it printed in full.

Why: two guards of linking read names this way.  Fuzzy matching must not link a name to a body of
another kind that happens to be one character off (新仓镇纪委 → 新仓镇党委, 新埭支行 → a 分行,
发改局 → 发改委): :func:`body_kind` compares their final body words (``body_endings`` data
file).  And an article that names 平湖农商银行新埭支行 or 浙江拓远汽车科技有限公司 once in full
goes on with 新埭支行 and 拓远科技: without the full name these short forms are NIL clusters of
their own, so one company became two entities (:func:`link_short_forms`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from pipeline import lexicons as lexicon
from pipeline.gazetteers.gazetteer import normalise
from pipeline.lexicons import PACKAGE_LEXICONS, read_file
from pipeline.records import Mention

__all__ = ["body_kind", "is_short_form", "link_short_forms", "name_core", "other_kind"]

ENDINGS_FILE = PACKAGE_LEXICONS / "body_endings.txt"
COMPANY_SUFFIXES: tuple[str, ...] = tuple(sorted(lexicon.entries("company_suffixes"), key=len, reverse=True))
MIN_SHORT = 4  # 新埭支行, 拓远科技: a shorter "short form" (支行, 科技) is a common word
_PARENS = re.compile(r"\([^()]{1,8}\)")  # 拓远汽车科技(平湖)有限公司: the place inside the name


@cache
def _endings() -> tuple[tuple[str, str], ...]:
    """(ending, kind) pairs, longest ending first; a line's first word names its kind."""
    read_file(ENDINGS_FILE)  # raises LexiconError without a '# source:' header
    pairs: list[tuple[str, str]] = []
    for line in ENDINGS_FILE.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and not line.startswith("#"):
            pairs += [(w, words[0]) for w in words]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def body_kind(name: str) -> tuple[str, str]:
    """(ending, kind): the final body word ``name`` ends in and its kind (纪委, 党委, 局, 支行 …),
    or ("", "") when it ends in none."""
    return next(((end, kind) for end, kind in _endings() if name.endswith(end)), ("", ""))


def other_kind(surface: str, name: str) -> bool:
    """Does ``surface`` end in a body word of another kind than ``name``'s (新仓镇纪委 / 新仓镇党委,
    新埭支行 / 新埭分行, 发改局 / 发改委)?  Only when the surface's ending is at least as long as
    the name's: a shorter one may be the rest of a damaged word (平湖市人民检査院 ends in 院, the
    OCR error hides 人民检察院), and a damaged word is what fuzzy matching is for."""
    s_end, s_kind = body_kind(surface)
    n_end, n_kind = body_kind(name)
    return bool(s_kind and n_kind and s_kind != n_kind and len(s_end) >= len(n_end))


def name_core(full: str, leading_place: Callable[[str], str]) -> tuple[int, str]:
    """(offset, core) of a full name: the name without its leading place names (浙江, 平湖市)
    and, for a company, without its legal form (有限公司) and a place in brackets."""
    start = 0
    for _ in range(3):  # 浙江省平湖市…
        lead = leading_place(full[start:])
        if not lead:
            break
        start += len(lead)
    core = full[start:]
    for suffix in COMPANY_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = _PARENS.sub("", core[: -len(suffix)])
            break
    return start, core


def _in_chunks(short: str, core: str) -> bool:
    """``short`` = two or more pieces of ``core`` of at least two characters each, in order, the
    first at the start of ``core`` (拓远 … 科技 of 拓远汽车科技)."""
    def fits(i: int, j: int) -> bool:
        if i == len(short):
            return True
        for n in range(len(short) - i, 1, -1):
            k = core.find(short[i : i + n], j)
            if k != -1 and (i > 0 or k == 0) and fits(i + n, k + n):
                return True
        return False

    return fits(0, 0)


def is_short_form(short: str, full: str, leading_place: Callable[[str], str]) -> bool:
    """Is ``short`` what an article calls ``full`` after printing it: a tail of it that keeps
    its distinctive part (新埭支行 of 平湖农商银行新埭支行), or, for a company, its core's
    distinctive characters in order (拓远科技 of 浙江拓远汽车科技有限公司, 晟博新材 of
    浙江晟博新材料有限公司)?"""
    if len(short) < MIN_SHORT or len(short) >= len(full) or short == full:
        return False
    return _shortens(short, full, *name_core(full, leading_place))


def _shortens(short: str, full: str, start: int, core: str) -> bool:
    """:func:`is_short_form` with the full name's core already known."""
    if not core or len(short) < MIN_SHORT or len(short) >= len(full):
        return False
    if core != full[start:]:  # a company: its trade name, in order
        return _in_chunks(short, core)
    kind = next((end for end, _ in _endings() if short.endswith(end)), "")
    return full.endswith(short) and len(full) - len(short) >= start and len(short) - len(kind) >= 2


def _key(name: str, start: int, core: str) -> str:
    """Where a short form of ``name`` is looked up: a company's by the first two characters of
    its trade name (拓远), any other name by its last two (支行)."""
    return core[:2] if core != name[start:] else name[-2:]


def link_short_forms(mentions: Iterable[Mention], leading_place: Callable[[str], str]) -> int:
    """Give each NIL ORG mention that is a short form (:func:`is_short_form`) of an ORG printed
    in full earlier in the same article that name's link.  Two different full names it could
    shorten leave it as it was.  ``mentions``: one article's.  Returns how many were linked.

    Full names are indexed by :func:`_key` and each short surface is compared once, so a long
    article (a one-line file of millions of characters, issue 33) costs its distinct names, not
    mentions × mentions."""
    orgs = sorted((m for m in mentions if m.type == "ORG" and m.entity_id), key=lambda m: m.start)
    first: dict[str, Mention] = {}  # a name's first mention
    for m in orgs:
        first.setdefault(normalise(m.surface), m)
    cores = {name: name_core(name, leading_place) for name in first if len(name) > MIN_SHORT}
    index: dict[str, list[str]] = {}
    for name, (start, core) in cores.items():
        if core:
            index.setdefault(_key(name, start, core), []).append(name)
    fulls_of: dict[str, list[str]] = {}
    done = 0
    for m in orgs:
        short = normalise(m.surface)
        if not m.entity_id.startswith("nil:") or len(short) < MIN_SHORT:
            continue
        names = fulls_of.get(short)
        if names is None:
            cands = dict.fromkeys(index.get(short[:2], []) + index.get(short[-2:], []))
            names = fulls_of[short] = [n for n in cands if _shortens(short, n, *cores[n])]
        fulls = {first[n].entity_id: first[n] for n in names
                 if first[n].end <= m.start and first[n].entity_id != m.entity_id}
        if len(fulls) != 1:
            continue
        f = next(iter(fulls.values()))
        nil = f.entity_id.startswith("nil:")
        m.entity_id, m.canonical = f.entity_id, f.canonical
        m.link_method = "nil" if nil else "context"
        m.link_confidence = 0.0 if nil else min(f.link_confidence, 0.8)
        done += 1
    return done

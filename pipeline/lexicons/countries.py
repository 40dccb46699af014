"""Countries as entities: ISO 3166-1 alpha-2 ids for country names and their one-character forms.

Why a module and a data file: national and foreign news names countries constantly (中国, 美国,
中美关系, 中俄); left to the NIL clusters they became unlinked noise, and a list of names in code
cannot be corrected without a code change.  The names live in ``pipeline/lexicons/countries.txt``
(with its ``# source:`` header); this module only parses it and answers lookups.

Entity ids: ``country:<ISO>`` for one country; a compound of one-character forms (中美, 中日韩)
names several countries at once and gets ``country:CN+US`` (codes in printed order), so it is
linked, countable, and never mistaken for one of its parts.  A one-character form alone (美) is
only a country next to another one (see :func:`is_compound`): alone it is an ordinary character.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline import lexicons as lexicon
from pipeline.lexicons import PACKAGE_LEXICONS, keyed_rows

__all__ = ["Country", "countries", "country_link", "country_pair_spans", "is_compound", "one_char_forms"]

COUNTRY_FILE = PACKAGE_LEXICONS / "countries.txt"


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # Chinese short name (中国)
    aliases: tuple[str, ...] = ()
    one_char: str = ""  # 中, 美 …


@cache
def countries() -> tuple[Country, ...]:
    """All countries of the data file, in file order (``code name [alias …] [=one-character form]``)."""
    return tuple(Country(code=code, name=name, aliases=forms, one_char=marked[0] if marked else "")
                 for code, name, forms, marked in keyed_rows(COUNTRY_FILE))


@cache
def _index() -> dict[str, Country]:
    idx: dict[str, Country] = {}
    for c in countries():
        for form in (c.name, *c.aliases):
            idx.setdefault(form, c)
    return idx


@cache
def one_char_forms() -> dict[str, Country]:
    """One-character form → country (中 → CN)."""
    return {c.one_char: c for c in countries() if c.one_char}


def is_compound(surface: str) -> bool:
    """中美, 中日韩, 美俄: two or more distinct one-character forms and nothing else."""
    forms = one_char_forms()
    return len(surface) >= 2 and len(set(surface)) == len(surface) and all(ch in forms for ch in surface)


def country_link(surface: str) -> tuple[str, str] | None:
    """(entity id, canonical) for a country name, alias or compound of one-character forms."""
    c = _index().get(surface)
    if c is not None:
        return f"country:{c.code}", c.name
    if is_compound(surface):
        parts = [one_char_forms()[ch] for ch in surface]
        return "country:" + "+".join(p.code for p in parts), "、".join(p.name for p in parts)
    return None


def single_form(surface: str) -> Country | None:
    """The country of a one-character form (美 → US); the caller decides whether context allows it."""
    return one_char_forms().get(surface) if len(surface) == 1 else None


def link_adjacent_forms(mentions: list) -> int:  # list[Mention]
    """中 | 美 recognised as two one-character mentions side by side (中美双方): each is its
    country.  A lone one-character mention is left as it was.  Returns the number linked."""
    singles = sorted((m for m in mentions if m.type != "PERSON" and single_form(m.surface)), key=lambda m: m.start)
    paired: set[int] = set()
    for a, b in zip(singles, singles[1:], strict=False):
        if a.end == b.start and a.surface != b.surface:
            paired.update((id(a), id(b)))
    for m in singles:
        if id(m) in paired:
            c = one_char_forms()[m.surface]
            m.entity_id, m.canonical, m.link_method, m.link_confidence = f"country:{c.code}", c.name, "alias", 0.9
    return len(paired)


def leading_country(surface: str) -> tuple[str, str] | None:
    """(entity id, canonical) of the country a name starts with (美国财政部 → US), or None."""
    for n in range(min(len(surface), 12), 1, -1):
        c = _index().get(surface[:n])
        if c is not None:
            return f"country:{c.code}", c.name
    return None


_PAIR_NOUNS = "|".join(sorted(lexicon.entries("bilateral_nouns"), key=len, reverse=True))


def country_pair_spans(text: str, taken) -> list[tuple[int, int]]:  # noqa: ANN001 - recognize.overlap.IntervalIndex
    """中美双方, 中俄关系: one-character country forms printed together before a bilateral noun,
    which taggers often miss: one (start, end) per character (as MSRA annotates them), where the
    pair overlaps nothing in ``taken``."""
    found = []
    for hit in _pair_pattern().finditer(text):
        if not is_compound(hit.group()) or taken.overlaps(hit.start(), hit.end()):
            continue
        found.extend((hit.start() + k, hit.start() + k + 1) for k in range(len(hit.group())))
    return found


@cache
def _pair_pattern():  # noqa: ANN202 - re.Pattern
    import re

    forms = "".join(one_char_forms())
    return re.compile(rf"中[{forms}]{{1,2}}(?={_PAIR_NOUNS})")

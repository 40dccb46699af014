"""National bodies as entities: ``org:cn-<slug>`` ids for the central organs of the state and
the party (全国人大常委会, 国务院, 国家统计局 …), read from ``pipeline/lexicons/national_bodies.txt``.

Why: a county paper reprints national news, and there 人大常委会 is the NPC Standing Committee,
not the county's congress.  Left to NIL clusters, 全国人大常委会 and the bare 人大常委会 of the
same Xinhua story were two unnamed things; left to the county's contextual aliases, the bare form
became the county's.  A national body is one entity of its own: its full name and short forms
link to it in every story, and a bare form (``=人大常委会`` in the data file) links to it only in
national news (the resolver decides when).  Ids follow ``country:<ISO>``: a fixed prefix and a
stable slug, so they join across runs and never collide with a county's ``org:<code>-<id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.lexicons import PACKAGE_LEXICONS, keyed_rows
from pipeline.records import GazetteerEntry

__all__ = ["NATIONAL_PREFIX", "NationalBody", "national_bare", "national_bodies", "national_entry", "national_link"]

NATIONAL_FILE = PACKAGE_LEXICONS / "national_bodies.txt"
NATIONAL_PREFIX = "org:cn-"


@dataclass(frozen=True)
class NationalBody:
    entity_id: str  # org:cn-<slug>
    canonical: str
    aliases: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()  # forms that name the body only in national news


@cache
def national_bodies() -> tuple[NationalBody, ...]:
    """Every body of the data file, in file order (``slug canonical [alias …] [=bare form …]``)."""
    return tuple(NationalBody(entity_id=NATIONAL_PREFIX + slug, canonical=name, aliases=forms,
                              bare=tuple(m for m in marked if m))
                 for slug, name, forms, marked in keyed_rows(NATIONAL_FILE))


@cache
def _index() -> tuple[dict[str, NationalBody], dict[str, NationalBody], dict[str, NationalBody]]:
    names: dict[str, NationalBody] = {}
    bare: dict[str, NationalBody] = {}
    ids: dict[str, NationalBody] = {}
    for b in national_bodies():
        ids[b.entity_id] = b
        for form in (b.canonical, *b.aliases):
            names.setdefault(form, b)
        for form in b.bare:
            bare.setdefault(form, b)
    return names, bare, ids


def national_link(surface: str) -> NationalBody | None:
    """The national body a (normalised) surface names by its full name or a short form."""
    return _index()[0].get(surface)


def national_bare(surface: str) -> NationalBody | None:
    """The national body a bare form means in national news (人大常委会), else None."""
    return _index()[1].get(surface)


def national_entry(entity_id: str) -> GazetteerEntry | None:
    """A gazetteer-style entry for an ``org:cn-`` id (kind ``national``, parent China), so the
    entity table can describe national bodies like the county's own."""
    b = _index()[2].get(entity_id)
    if b is None:
        return None
    return GazetteerEntry(b.entity_id, "ORG", b.canonical, "national", "country:CN", "", b.aliases)

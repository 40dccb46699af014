"""Villages (村) and communities (社区): the level below the town, from the shared ``villages.csv``.

Why a module of its own: the village level has rules of its own that the other levels do not
share, and they are kept together so that the builder, the loader and the ruler apply the same ones.

* **Names as printed.**  The statistical list names the committee (泗泾村村民委员会, 芦川社区居委会,
  沿山村委会); a paper prints the place (泗泾村, 芦川社区).  :func:`village_name` strips the
  committee suffix once, when ``divisions.csv`` is built, so the gazetteer file holds the printed
  name.
* **Canonical = town + name** (广陈镇泗泾村): village names repeat from town to town (华丰村 is in
  林埭镇 and in 海宁's 许村镇), so the bare name cannot tell two entities apart in a table; the
  town-qualified form is also what the project's independent county gold uses
  (``shared/county_pages/README.md``, rule 2).  The printed name stays an exact name in the index.
* **Two kinds**: ``village`` (村, rural) and ``community`` (社区 / 居委会, urban), so that an analyst
  can count rural and urban coverage from ``entities.kind`` without parsing names.
* **No bare short form.**  泗泾 without 村 is a person's given name or an ordinary word as often as
  a place; unlike towns (钟埭), a village gets no suffix-less alias.
* **Renamed forms.**  Villages are turned into communities (撤村建居) and the paper keeps printing
  the old name for years: X村 and X社区 reach each other with the index method ``renamed``, which
  ranks below every real name, so a real X社区 always wins over a renamed X村.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from pathlib import Path

from pipeline.records import GazetteerEntry

__all__ = [
    "VILLAGE_KINDS",
    "RENAMED",
    "village_entry",
    "renamed_forms",
    "ruler_safe",
    "village_kind",
    "village_name",
    "village_rows",
]

VILLAGE_KINDS = ("village", "community")
RENAMED = "renamed"  # the index method (and link method) of a 村 ↔ 社区 form

# Committee suffix → what the paper prints instead, longest first (沿山村委会 → 沿山村,
# 三村村委会 → 三村: the village may itself end in 村, and the committee adds another).
_COMMITTEES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村村民委员会", "村"),
    ("村村委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
    ("居民委员会", "居委会"),
)
_MIN_STEM = 2  # 三村 → 三社区 is no name anyone prints: a one-character stem gets no renamed form


def village_name(raw: str) -> str:
    """The name as a paper prints it: 泗泾村村民委员会 → 泗泾村, 芦川社区居委会 → 芦川社区,
    沿山村委会 → 沿山村.  A residents' committee with no 社区 in its name keeps 居委会
    (下涯居民委员会 → 下涯居委会): its bare stem would be no place name at all."""
    name = raw.strip()
    for suffix, printed in _COMMITTEES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + printed
    return name


def village_kind(name: str) -> str:
    """``community`` for an urban 社区 / 居委会, ``village`` for everything else (村, 生活区)."""
    return "community" if name.endswith(("社区", "居委会")) else "village"


def renamed_forms(name: str) -> list[str]:
    """The other suffix of a printed name: 山塘村 → 山塘社区, 芦川社区 → 芦川村."""
    for old, new in (("村", "社区"), ("社区", "村")):
        if name.endswith(old) and len(name) - len(old) >= _MIN_STEM:
            return [name[: -len(old)] + new]
    return []


def ruler_safe(name: str) -> bool:
    """May a village's printed name go to the entity ruler?  Not a two-character one (上村,
    管村: parts of ordinary words), and not one ending in 农村 (新农村, 建农村: the ruler would find
    them in 建设新农村 and 创建农村, everyday phrases of every Chinese paper)."""
    return len(name) >= 3 and not name.endswith("农村")


def village_rows(path: Path | str, town_codes: Collection[str]) -> Iterator[tuple[str, str, str, str]]:
    """(code, printed name, "village", town code) for the rows of the shared ``villages.csv``
    (columns code, name, streetCode, …) whose town is one of ``town_codes``: the villages of
    the towns a gazetteer keeps, and no others."""
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["streetCode"] in town_codes:
                yield (r["code"], village_name(r["name"]), "village", r["streetCode"])


def village_entry(code: str, name: str, town_code: str, town_name: str) -> tuple[GazetteerEntry, list[tuple[str, str]]]:
    """The entry of one ``divisions.csv`` village row and its index surfaces with their methods:
    the canonical (town + name) and the printed name ``exact``, each with the other suffix
    ``renamed``; never the bare stem (see the module docstring)."""
    canonical = town_name + name
    entry = GazetteerEntry(
        f"div:{code}", "PLACE", canonical, village_kind(name), f"div:{town_code}" if town_code else "", code,
        (name,) if canonical != name else (),
    )
    surfaces = [(canonical, "exact"), (name, "exact")]
    for form in renamed_forms(name):
        surfaces += [(form, RENAMED), (town_name + form, RENAMED)]
    return entry, surfaces

"""Entity-replacement augmentation: teach the model what county-level news names look like.

MSRA and People's Daily 1998 are national news: they name provinces and ministries, rarely a
街道, a 镇 or a county bureau.  A model trained on them alone reads 曹桥街道 as a person (曹 is a
surname).  Here corpus sentences keep their words and context, but some PLACE spans are replaced
by town- and county-level names drawn from the whole country's division list (``../shared/
gazetteer/admin-divisions``, 41k towns) and some ORG spans by agency names built from the
structure of local government (<place> + 人民政府 / 党委 / 发展和改革局 / 卫生健康局 ...).
Nothing is drawn from our paper's gazetteer or pages: the point is to generalise to any county.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline import lexicons as lexicon
from pipeline.settings import REPO_DIR
from pipeline.training.corpora import Example

DEFAULT_DIVISIONS = REPO_DIR.parent / "shared" / "gazetteer" / "admin-divisions"

# Post-2018 county-level bureau names, and the bodies every town has.
# Body names the copies are built from: package lexicons, each with its source.
COUNTY_BODIES = lexicon.entries("county_bodies")
COUNTY_SHORT = lexicon.entries("county_body_short_forms")
TOWN_BODIES = lexicon.entries("town_bodies")


def _strip_suffix(name: str) -> str:
    for suffix in ("街道", "镇", "乡", "县", "区", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2 and not name[: -len(suffix)].endswith("族"):
            return name[: -len(suffix)]
    return name


def load_names(divisions_dir: Path | None = None) -> tuple[list[str], list[str]]:
    """(town-level names, county-level names) from the shared division tables."""
    root = Path(divisions_dir) if divisions_dir else DEFAULT_DIVISIONS
    towns: list[str] = []
    counties: list[str] = []
    with open(root / "streets.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if 3 <= len(name) <= 8 and not name.endswith(("办事处", "区域", "农场", "林场", "监狱")):
                towns.append(name)
    with open(root / "areas.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if 2 <= len(name) <= 8 and name not in ("市辖区",):
                counties.append(name)
    return towns, counties


class Augmenter:
    def __init__(self, towns: list[str], counties: list[str], seed: int = 29) -> None:
        self.towns = towns
        self.counties = counties
        self.rng = random.Random(seed)

    def place(self) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(self.towns)
        if r < 0.75:
            return _strip_suffix(self.rng.choice(self.towns))
        if r < 0.9:
            return self.rng.choice(self.counties)
        return _strip_suffix(self.rng.choice(self.counties))

    def org(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(self.counties) + self.rng.choice(COUNTY_BODIES)
        if r < 0.55:
            return "市" + self.rng.choice(COUNTY_SHORT)
        if r < 0.8:
            return self.rng.choice(self.towns) + self.rng.choice(TOWN_BODIES)
        return _strip_suffix(self.rng.choice(self.counties)) + self.rng.choice(COUNTY_BODIES)

    def augment(self, ex: Example, p_place: float = 0.6, p_org: float = 0.5) -> Example | None:
        """A copy of ``ex`` with some PLACE/ORG spans replaced; None when nothing was replaced."""
        out: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        changed = False
        for s, e, label in sorted(ex.spans):
            out.append(ex.text[pos:s])
            start = sum(map(len, out))
            surface = ex.text[s:e]
            if label == "PLACE" and self.rng.random() < p_place:
                surface, changed = self.place(), True
            elif label == "ORG" and self.rng.random() < p_org:
                surface, changed = self.org(), True
            out.append(surface)
            spans.append((start, start + len(surface), label))
            pos = e
        out.append(ex.text[pos:])
        if not changed:
            return None
        return Example("".join(out), tuple(spans), ex.source + "+aug")


NAME_NOTES = ("（女）", "（回族）", "（藏族）", "（蒙古族）", "（壮族）", "（满族）", "（维吾尔族）", "（朝鲜族）")


def name_lists(examples: Iterable[Example], n: int = 400, seed: int = 41) -> Iterator[Example]:
    """Synthetic name lists: delegates, award winners, committee members.

    Papers print such lists with spaces or 、 between names, or with the spaces lost by OCR,
    sometimes with a note (女, an ethnicity) after a name.  The corpora hold few of them, so a
    model joins neighbouring names into one.  Names are the corpora's own PERSON surfaces.
    """
    rng = random.Random(seed)
    names = sorted({ex.text[s:e] for ex in examples for s, e, label in ex.spans
                    if label == "PERSON" and 2 <= e - s <= 4 and all("\u4e00" <= c <= "\u9fff" for c in ex.text[s:e])})
    if not names:
        return
    for _ in range(n):
        sep = rng.choice(("", "", "", " ", "、"))
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        for k in range(rng.randint(4, 40)):
            if k:
                parts.append(sep)
                pos += len(sep)
            name = rng.choice(names)
            parts.append(name)
            spans.append((pos, pos + len(name), "PERSON"))
            pos += len(name)
            if rng.random() < 0.1:
                note = rng.choice(NAME_NOTES)
                parts.append(note)
                pos += len(note)
        yield Example("".join(parts), tuple(spans), "namelist")


def augmented(examples: Iterable[Example], divisions_dir: Path | None = None, seed: int = 29) -> Iterator[Example]:
    towns, counties = load_names(divisions_dir)
    aug = Augmenter(towns, counties, seed)
    for ex in examples:
        if any(label in ("PLACE", "ORG") for _, _, label in ex.spans):
            new = aug.augment(ex)
            if new is not None:
                yield new

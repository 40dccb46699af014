"""Building a gazetteer's ``divisions.csv`` from the shared admin-divisions copy.

Why a module of its own: it runs once per data update (see ``pinghu/SOURCES.md`` for the command),
never when the pipeline runs, and it reads the shared source files' columns, which the loader in
:mod:`pipeline.gazetteers.gazetteer` never sees.  ``build_divisions_csv`` is re-exported there.

    python -m pipeline.gazetteers.build SRC_DIR DEST PREFIX… [--villages SRC_DIR/villages.csv]
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from pipeline.gazetteers.villages import village_rows

__all__ = ["build_divisions_csv", "main"]

_PLACEHOLDER_CITIES = ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划")


def build_divisions_csv(src_dir: Path | str, dest: Path | str, town_area_prefixes: Iterable[str],
                        villages: Path | str | None = None) -> int:
    """Write ``dest`` (code, name, level, parent_code) from the modood admin-divisions CSVs.

    Keeps all provinces, cities and counties and the towns of the areas whose code starts with
    one of ``town_area_prefixes``.  Placeholder cities (市辖区 of the municipalities, 省直辖县级
    行政区划) are not places: they are dropped and their counties hang under the province.
    ``villages`` (the shared ``villages.csv``) adds the villages of the kept towns, named as
    printed (:func:`pipeline.gazetteers.villages.village_name`).  Returns the number of rows written.
    """
    src = Path(src_dir)
    prefixes = tuple(town_area_prefixes)
    rows: list[tuple[str, str, str, str]] = []

    def read(fname: str) -> list[dict[str, str]]:
        with open(src / fname, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    for r in read("provinces.csv"):
        rows.append((r["code"], r["name"], "province", ""))
    placeholders: set[str] = set()
    for r in read("cities.csv"):
        if r["name"] in _PLACEHOLDER_CITIES:
            placeholders.add(r["code"])
            continue
        rows.append((r["code"], r["name"], "city", r["provinceCode"]))
    for r in read("areas.csv"):
        parent = r["provinceCode"] if r["cityCode"] in placeholders else r["cityCode"]
        rows.append((r["code"], r["name"], "county", parent))
    if prefixes:
        for r in read("streets.csv"):
            if r["areaCode"].startswith(prefixes):
                rows.append((r["code"], r["name"], "town", r["areaCode"]))
    if villages is not None:
        rows += village_rows(villages, {r[0] for r in rows if r[2] == "town"})
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent_code"])
        w.writerows(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    """The command line above: prints the number of rows written."""
    import argparse

    ap = argparse.ArgumentParser(description="Rebuild a gazetteer's divisions.csv from admin-divisions CSVs.")
    ap.add_argument("src", help="directory with provinces.csv, cities.csv, areas.csv, streets.csv")
    ap.add_argument("dest", help="divisions.csv to write")
    ap.add_argument(
        "prefixes", nargs="*", help="area-code prefixes whose towns to keep (330482 3304 310112 …)"
    )
    ap.add_argument("--villages", help="villages.csv: add the villages of the kept towns")
    a = ap.parse_args(argv)
    print(build_divisions_csv(a.src, a.dest, a.prefixes, a.villages))


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    main()

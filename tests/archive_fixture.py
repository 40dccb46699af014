"""A real run over a small archive: 16 sources, 15 issues from March 2023 to May 2024.

The pages under ``tests/data`` (multi_issue, dev, pages) and the seed page, copied under their
dated names into one directory and run through ``pinghu-ner run`` with the shipped model and
gazetteer.  What the analyst tests need and the two-issue synthetic outputs lack: months with no
issue between issues, pages 1 to 3, articles of every locality class (local, national,
foreign:US, elsewhere:<code>, unknown), towns and their villages, and officials whose offices
change between issues.
"""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SOURCES = (
    *sorted((DATA / "multi_issue").glob("*.md")),
    *sorted((DATA / "dev").glob("*.md")),
    DATA / "dev" / "pinghu-2024-05-15_p2.txt",
    *sorted((DATA / "pages").glob("*.txt")),
)


def build_archive(work: Path) -> Path:
    """Copy the archive's sources under ``work/issues`` and run the pipeline into ``work/outputs``."""
    from pipeline.cli.main import main

    issues, out = work / "issues", work / "outputs"
    issues.mkdir(parents=True)
    for src in SOURCES:
        shutil.copy(src, issues / src.name)
    shutil.copy(next(SEEDS.glob("*.txt")), issues / "2023-03-24.txt")  # the seed page's date is in its text only
    assert main(["run", str(issues), "--out", str(out), "--quiet"]) == 0
    return out

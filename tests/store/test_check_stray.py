"""``pinghu-ner check`` names files in the outputs tree that pinghu-ner did not write (a CSV
export dropped into it, a copied file), and ``export`` refuses to write there in the first place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.store.check import check_outputs, stray_files


def test_a_fresh_outputs_directory_has_no_stray_file(outputs: Path) -> None:
    assert stray_files(outputs) == [] and check_outputs(outputs) == []


def test_stray_files_are_problems(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    part = next((outputs / "mentions").glob("paper=*/*/part-*.parquet"))
    strays = [outputs / "articles.csv", outputs / "csv" / "mentions.csv", part.with_name("mentions.csv"),
              outputs / "entities" / "entities.parquet.bak", outputs / "offices" / "notes.txt"]
    for f in strays:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x", encoding="utf-8")
    (outputs / ".pending").mkdir(exist_ok=True)  # a commit's journal directory: checked on its own terms
    assert sorted(stray_files(outputs)) == sorted(strays)
    assert main(["check", str(outputs)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if "stray file" in line]) == len(strays)
    assert all(f"{outputs}" in line for line in out)
    for f in strays:
        f.unlink()
    shutil.rmtree(outputs / "csv")
    assert main(["check", str(outputs)]) == 0


def test_an_orphan_part_is_an_orphan_not_a_stray(outputs: Path) -> None:
    part = next((outputs / "articles").glob("paper=*/*/part-*.parquet"))
    shutil.copy(part, part.with_name("part-copy-0000.parquet"))
    problems = check_outputs(outputs)
    assert any("orphan part" in p for p in problems) and not any("stray" in p for p in problems)

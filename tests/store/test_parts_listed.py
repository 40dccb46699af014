"""The manifest's promise that it lists every part file (``Manifest.parts_listed``): a run's start
sets it from what the disk shows, and a commit under it does not search every partition.

Why these tests: the promise lets a commit skip a stat per partition (a few percent of a year's
run), so each way a part can be left unlisted (a lost manifest, one restored by hand) must
withdraw it, and a source moved to another date must still leave one copy either way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from outputs_fixture import D1, D2, PAPER, issue_pages, mentions_for

from pipeline.store import Store
from pipeline.store import commit as commit_mod
from pipeline.store import schema as S
from pipeline.store.commit import vouch
from pipeline.store.manifest import MANIFEST_FILE, Manifest, ManifestLines
from pipeline.store.tables import part_name, write_source


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "outputs"


def _write(out: Path, key: str, day) -> None:  # noqa: ANN001 - a date
    arts = issue_pages(D1)[1]
    write_source(out, key, PAPER, day, arts, [m for a in arts for m in mentions_for(a)])


def _copies(out: Path, key: str) -> list[Path]:
    return [p for t in S.PARTITIONED_TABLES for p in (out / t).glob(f"paper=*/*/{part_name(key)}")]


def test_a_fresh_directory_is_promised_and_commits_keep_the_promise(out: Path) -> None:
    Store(out).prepare()
    assert Manifest.load(out).parts_listed
    _write(out, "a", D1)
    lines = ManifestLines.read(out)
    assert lines is not None and lines.parts_listed and Manifest.load(out).parts_listed
    assert vouch(out)


def test_a_promised_commit_asks_no_other_partition(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the promise the old record names every part; moving the date still leaves one copy."""
    Store(out).prepare()
    _write(out, "moved", D1)

    def refuse(base: Path) -> list[str]:
        raise AssertionError(f"searched {base}")

    monkeypatch.setattr(commit_mod, "_partition_dirs", refuse)
    _write(out, "moved", D2)
    assert sorted(p.parent.name for p in _copies(out, "moved")) == [D2.isoformat()] * 3


def test_a_lost_manifest_withdraws_the_promise_until_no_part_is_unlisted(out: Path) -> None:
    Store(out).prepare()
    _write(out, "moved", D1)
    (out / MANIFEST_FILE).unlink()
    Store(out).prepare()
    assert not Manifest.load(out).parts_listed  # D1's parts are on disk, listed nowhere
    _write(out, "moved", D2)  # so this commit looks in every partition and removes them
    assert [p.parent.name for p in _copies(out, "moved")] == [D2.isoformat()] * 3
    Store(out).prepare()
    assert Manifest.load(out).parts_listed


def test_a_manifest_restored_by_hand_is_checked_at_the_next_run(out: Path) -> None:
    """A copy taken before a source was committed promises a list that no longer holds."""
    Store(out).prepare()
    _write(out, "other", D1)
    shutil.copy(out / MANIFEST_FILE, out / "saved.json")
    _write(out, "moved", D1)
    shutil.copy(out / "saved.json", out / MANIFEST_FILE)
    assert Manifest.load(out).parts_listed  # what the copy says
    assert not vouch(out)  # what the disk says
    _write(out, "moved", D2)
    assert [p.parent.name for p in _copies(out, "moved")] == [D2.isoformat()] * 3
    assert len(_copies(out, "other")) == 3


def test_an_unwritable_promise_is_only_not_made(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out.mkdir()

    def full(self: Manifest) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Manifest, "save", full)
    assert vouch(out) is False
    assert not (out / MANIFEST_FILE).exists()

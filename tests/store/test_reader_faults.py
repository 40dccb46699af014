"""Readers that cannot be fooled (issue 33): the manifest is the truth for every reader.

Each fault below was found by a hostile but realistic user.  For each, every reader (``load()``,
``report``, ``export``) gives the clean run's counts or one line naming the problem, nothing is
counted twice, and ``pinghu-ner check`` names it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import warnings
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rerun_fixture import FAST_BACKEND, page, write

import pipeline
from pipeline.cli.main import main
from pipeline.errors import OutputsError
from pipeline.store import Store
from pipeline.store.check import check_outputs

ARCHIVES = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()) / "tests/data/archives"
D = dt.date(2024, 5, 6)


def _run(inp: Path, out: Path, *extra: str) -> int:
    return main(["run", str(inp), "--out", str(out), "--backend", FAST_BACKEND, "--quiet", *extra])


def _counts(out: Path) -> dict[str, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = pipeline.load(out)
    assert t.mentions.mention_id.is_unique and t.articles.article_id.is_unique
    return {name: len(t[name]) for name in ("articles", "mentions", "people", "entities", "offices")}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    """Three pages run once: the input folder, the outputs and their counts."""
    root = tmp_path_factory.mktemp("clean")
    inp = root / "in"
    for n in range(3):
        write(inp / f"{D + dt.timedelta(days=n)}.md", page(D + dt.timedelta(days=n), n))
    out = root / "out"
    assert _run(inp, out) == 0
    assert check_outputs(out) == []
    return inp, out, _counts(out)


@pytest.fixture
def copy(clean: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    """A private copy of the clean inputs and outputs (manifest identities rewritten to the copy)."""
    inp, out, counts = clean
    new_in, new_out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(inp, new_in)
    shutil.copytree(out, new_out)
    m = new_out / "manifest.json"
    m.write_text(m.read_text(encoding="utf-8").replace(str(inp), str(new_in)), encoding="utf-8")
    return new_in, new_out, counts


def _parts(out: Path, table: str) -> list[Path]:
    return sorted((out / table).glob("paper=*/*/part-*.parquet"))


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_a_deleted_part_is_one_line_for_every_reader(copy, capsys) -> None:  # noqa: ANN001
    _, out, _ = copy
    gone = _parts(out, "mentions")[0]
    gone.unlink()
    with pytest.raises(OutputsError, match="missing"):
        pipeline.load(out)
    assert main(["report", str(out)]) == 1
    assert gone.name in _one_line(capsys)
    assert main(["export", str(out.parent / "csv"), "--outputs", str(out)]) == 1
    assert gone.name in _one_line(capsys)
    assert any(gone.name in p and "missing" in p for p in check_outputs(out))


def test_a_stray_part_is_never_read(copy) -> None:  # noqa: ANN001
    _, out, counts = copy
    first = _parts(out, "mentions")[0]
    shutil.copy(first, first.with_name("part-stray.parquet"))
    assert _counts(out) == counts  # no duplicate mention ids, the clean counts
    assert any("part-stray" in p and "orphan" in p for p in check_outputs(out))


def test_a_part_holding_other_rows_than_recorded_is_one_line(copy) -> None:  # noqa: ANN001
    _, out, _ = copy
    a, b = _parts(out, "mentions")[:2]
    other = pq.read_table(b)
    pq.write_table(other.slice(0, other.num_rows - 1), a)  # another source's rows (one fewer) under a's name
    with pytest.raises(OutputsError, match=r"the manifest recorded") as exc:
        pipeline.load(out)
    assert "\n" not in str(exc.value)
    assert any(a.name in p for p in check_outputs(out))


@pytest.mark.parametrize("damage", ["delete", "truncate", "stale"])
@pytest.mark.parametrize("table", ["entities", "offices"])
def test_a_derived_table_deleted_truncated_or_stale_is_counted_afresh(copy, damage: str, table: str) -> None:  # noqa: ANN001
    inp, out, counts = copy
    path = out / table / f"{table}.parquet"
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:  # a later commit the derived tables do not describe: a run killed before its rebuild
        Store(out).remove(next(iter(json.loads((out / "manifest.json").read_text())["files"].values()))["source_key"])
        counts = None
    with pytest.warns(UserWarning, match=table):
        t = pipeline.load(out)
    if counts is not None:
        assert {name: len(t[name]) for name in counts} == counts
    assert any(table in p for p in check_outputs(out))
    assert main(["rebuild", str(out)]) == 0
    assert check_outputs(out) == []


def test_a_kill_between_commits_and_rebuild_leaves_consistent_readers(copy) -> None:  # noqa: ANN001
    """A replacement run killed after committing its sources but before the rebuild: the entities
    on disk describe the old version; readers count the new one, check names the stale table."""
    inp, out, _ = copy
    for n, f in enumerate(sorted(inp.glob("*.md"))):
        write(f, page(D + dt.timedelta(days=n), n + 5))  # other people now
    store = Store(out)
    from pipeline.runner import Pipeline, process_and_write
    from pipeline.settings import Settings

    pipe = Pipeline(Settings(backend=FAST_BACKEND, out_dir=out))
    for f in sorted(inp.glob("*.md")):
        assert process_and_write(f, None, pipe).ok  # commits, no finish_run: as if killed here
    with pytest.warns(UserWarning, match="entities"):
        t = pipeline.load(out)
    assert set(t.mentions.entity_id.dropna()) == set(t.entities.entity_id)
    assert t.entities.mention_count.sum() == t.mentions.entity_id.notna().sum()
    assert any("entities" in p and "stale" in p for p in store.check())


def test_a_rename_that_fails_mid_commit_shows_one_version(copy, monkeypatch) -> None:  # noqa: ANN001
    """The people part's rename fails after the commit point: readers see the new version of the
    source whole (the journal says what it is becoming), check names the interrupted commit, and
    the next run completes it."""
    inp, out, counts = copy
    first = sorted(inp.glob("*.md"))[0]
    write(first, page(D, 9))
    real = os.replace

    def locked_people(src, dst):  # noqa: ANN001, ANN202
        if "/people/" in str(dst):
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", locked_people)
    from pipeline.runner import Pipeline, process_and_write
    from pipeline.settings import Settings

    outcome = process_and_write(first, None, Pipeline(Settings(backend=FAST_BACKEND, out_dir=out)))
    assert not outcome.ok and "cannot write" in outcome.error
    monkeypatch.setattr(os, "replace", real)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = pipeline.load(out)
    persons = t.mentions[t.mentions.type == "PERSON"]
    named = set(zip(persons.article_id, persons.canonical.astype(object).fillna(persons.surface.astype(object))))
    assert set(zip(t.people.article_id, t.people.name)) <= named  # people of the version the mentions are
    assert set(t.people.article_id) <= set(t.articles.article_id)
    assert any("interrupted commit" in p for p in check_outputs(out))
    assert _run(inp, out) == 0
    assert check_outputs(out) == []
    assert _counts(out)["articles"] == counts["articles"]


def test_a_renamed_file_is_the_same_source(copy, capsys) -> None:  # noqa: ANN001
    inp, out, counts = copy
    f = sorted(inp.glob("*.md"))[0]
    f.rename(f.with_name(f.stem + "_p1.md"))
    assert main(["run", str(inp), "--out", str(out), "--backend", FAST_BACKEND]) == 0
    assert "same source" in capsys.readouterr().err
    assert _counts(out) == counts
    assert check_outputs(out) == []


def test_switching_to_root_maps_the_old_identities(copy) -> None:  # noqa: ANN001
    inp, out, counts = copy
    assert _run(inp, out, "--root", str(inp.parent)) == 0
    assert _counts(out) == counts
    assert all(not Path(k).is_absolute() for k in json.loads((out / "manifest.json").read_text())["files"])


def test_a_gone_source_is_listed_and_pruned_on_request(copy, capsys) -> None:  # noqa: ANN001
    inp, out, counts = copy
    gone = sorted(inp.glob("*.md"))[0]
    gone.unlink()
    assert main(["check", str(out)]) == 0  # a note, not a problem: the rows are sound
    assert f"note: {gone}: source file gone" in capsys.readouterr().out
    assert _run(inp, out, "--prune") == 1  # no terminal to ask on, no --yes: nothing removed
    assert "gone" in capsys.readouterr().err
    assert _counts(out) == counts
    assert _run(inp, out, "--prune", "--yes") == 0
    assert _counts(out)["articles"] < counts["articles"]
    assert check_outputs(out) == []


@pytest.mark.parametrize("archive", sorted(p.name for p in ARCHIVES.iterdir()))
def test_every_earlier_layout_is_refused_then_migrated(archive: str, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / archive
    shutil.copytree(ARCHIVES / archive, out)
    before = {t: sum(pq.read_metadata(f).num_rows for f in _parts(out, t)) for t in ("articles", "mentions", "people")}
    inp = tmp_path / "in"
    write(inp / f"{D}.md", page(D, 1))
    if archive != "schema2-no-generation":  # the current layout, derived tables unstamped
        assert _run(inp, out) == 2
        assert "pinghu-ner migrate" in _one_line(capsys)
        with pytest.raises(OutputsError, match="pinghu-ner migrate"):
            pipeline.load(out)
        assert any("migrate" in p for p in check_outputs(out))
    assert main(["migrate", str(out)]) == 0
    capsys.readouterr()
    assert check_outputs(out) == []
    got = _counts(out)
    assert {t: got[t] for t in before} == before  # every row kept
    assert _run(inp, out) == 0  # and the archive takes new sources again
    assert _counts(out)["articles"] > before["articles"]


@pytest.mark.slow
def test_sigkill_during_a_replacement_run_leaves_readers_consistent(tmp_path: Path) -> None:
    """A real kill -9 after some sources of a replacement run were committed and before the
    derived tables were rebuilt: readers count the committed version (entities afresh, with a
    warning), nothing is doubled, check names the stale tables, and the next run repairs all."""
    import subprocess
    import sys
    import time

    inp = tmp_path / "in"
    for n in range(8):
        body = "".join(f"本报讯 5月{n + 1}日，第{k}次会议在当湖街道召开，副市长金海涛出席并讲话。" for k in range(40))
        write(inp / f"2024-05-{n + 1:02d}.md", f"## 第{n + 1}期会议召开\n\n{body}\n")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "run", str(inp), "--out", str(out), "--quiet", "--backend", FAST_BACKEND]
    subprocess.run(cmd, check=True, capture_output=True)
    for f in inp.glob("*.md"):  # the replacement: other people in every source
        f.write_text(f.read_text(encoding="utf-8").replace("金海涛", "顾建华"), encoding="utf-8")
    generation = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["generation"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            now = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["generation"]
        except (ValueError, KeyError, OSError):
            now = generation
        if now >= generation + 2:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.kill()
    proc.wait()
    with pytest.warns(UserWarning, match="entities"):
        t = pipeline.load(out)
    assert t.mentions.mention_id.is_unique and len(t.articles) == 8
    assert {"顾建华", "金海涛"} >= set(t.mentions[t.mentions.type == "PERSON"].surface)
    assert t.entities.mention_count.sum() == t.mentions.entity_id.notna().sum()
    assert any("stale" in p for p in check_outputs(out))
    assert _run(inp, out) == 0 and check_outputs(out) == []
    assert "金海涛" not in set(_counts_frame(out).mentions.surface)


def _counts_frame(out: Path):  # noqa: ANN202 - pipeline.store.Tables
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.load(out)

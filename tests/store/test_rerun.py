"""Issue 17: outputs that never silently lose or duplicate a row.

One test per reproduced fault: ordinary archive layouts, working directories, duplicate ids,
``--resume`` trusting stale or damaged parts, concurrent runs, write errors mid-batch.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rerun_fixture import FAST_BACKEND, page, write

import pipeline
from pipeline.cli.main import main
from pipeline.runner import Pipeline, process_and_write
from pipeline.settings import DEFAULT_GAZETTEER, DEFAULT_MODEL, Settings

D1, D2, D3 = dt.date(2024, 5, 13), dt.date(2024, 6, 13), dt.date(2024, 5, 14)


def cli(args: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(["run", *args, "--quiet", "--backend", FAST_BACKEND, *extra])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def run_verbose(args: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["run", *args, "--verbose", "--backend", FAST_BACKEND, *extra])
    return code, capsys.readouterr().err


def unique_keys(out: Path) -> None:
    t = pipeline.load(str(out))
    assert t.articles.article_id.is_unique, t.articles.article_id[t.articles.article_id.duplicated()].tolist()
    assert t.mentions.mention_id.is_unique
    assert set(t.mentions.article_id) <= set(t.articles.article_id)


# --- identity ----------------------------------------------------------------------------------


def test_folder_per_day_pages_keep_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2024/05/13/01.md and 2024/06/13/01.md are two sources, run one after the other or resumed."""
    arc = tmp_path / "archive"
    write(arc / "2024" / "05" / "13" / "01.md", page(D1, 0))
    write(arc / "2024" / "06" / "13" / "01.md", page(D2, 1))
    out = tmp_path / "out"
    assert cli([str(arc / "2024" / "05"), "--out", str(out)], capsys)[0] == 0
    assert cli([str(arc / "2024" / "06"), "--out", str(out)], capsys)[0] == 0
    arts = pipeline.load(str(out)).articles
    assert sorted(arts.issue_date.dt.date) == [D1, D2]
    for _ in range(2):
        assert cli([str(arc), "--out", str(out), "--resume"], capsys)[0] == 0
        assert sorted(pipeline.load(str(out)).articles.issue_date.dt.date) == [D1, D2]
    unique_keys(out)


def test_running_from_inside_the_folder_replaces(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    issues = tmp_path / "issues"
    for i, d in enumerate((D1, D3)):
        write(issues / f"{d.isoformat()}.md", page(d, i))
    monkeypatch.chdir(tmp_path)
    assert cli(["issues", "--out", "outputs"], capsys)[0] == 0
    first = pipeline.load("outputs")
    monkeypatch.chdir(issues)
    assert cli([".", "--out", "../outputs"], capsys)[0] == 0
    again = pipeline.load(str(tmp_path / "outputs"))
    assert len(again.articles) == len(first.articles) == 2
    assert len(again.mentions) == len(first.mentions)
    pd.testing.assert_series_equal(
        again.entities.set_index("entity_id").mention_count.sort_index(),
        first.entities.set_index("entity_id").mention_count.sort_index(),
    )


def test_corrected_page_replaces_old_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    out = tmp_path / "out"
    assert cli([str(src), "--out", str(out)], capsys)[0] == 0
    src.write_text(page(D1, 0).replace("第1次", "第一次"), encoding="utf-8")  # an OCR correction
    assert cli([str(src), "--out", str(out), "--resume"], capsys)[0] == 0
    arts = pipeline.load(str(out)).articles
    assert list(arts.headline) == ["新仓镇召开第一次农业生产推进会"]


def test_article_and_mention_ids_unique(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two files of one date and page; a page heading printed twice in one file.
    write(tmp_path / "a" / "2024-05-13_p1.md", page(D1, 0))
    write(tmp_path / "b" / "2024-05-13_p1.md", page(D1, 1))
    twice = page(D1, 2, heading="第1版：要闻") + "\n" + page(D1, 3, heading="第1版：要闻")
    write(tmp_path / "c" / "2024-05-13.md", twice)
    out = tmp_path / "out"
    assert cli([str(tmp_path / d) for d in "abc"] + ["--out", str(out)], capsys)[0] == 0
    assert len(pipeline.load(str(out)).articles) == 4
    unique_keys(out)
    # --date given for a directory whose files carry no date of their own.
    for i in range(3):
        write(tmp_path / "undated" / f"page{i}.md", page(D3, i).replace("2024年", ""))
    out2 = tmp_path / "out2"
    assert cli([str(tmp_path / "undated"), "--out", str(out2), "--date", D3.isoformat()], capsys)[0] == 0
    assert len(pipeline.load(str(out2)).articles) == 3
    unique_keys(out2)


# --- resume --------------------------------------------------------------------------------------


def _part(out: Path, table: str) -> Path:
    (f,) = sorted((out / table).rglob("part-*.parquet"))
    return f


def test_resume_repairs_a_truncated_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    out = tmp_path / "out"
    assert cli([str(src), "--out", str(out)], capsys)[0] == 0
    good = len(pipeline.load(str(out)).mentions)
    part = _part(out, "mentions")
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    code, err = run_verbose([str(src), "--out", str(out), "--resume"], capsys)
    assert code == 0 and "skipped" not in err
    assert pq.read_table(_part(out, "mentions")).num_rows == good


def _copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("change", ["backend", "date", "paper", "gazetteer", "model"])
def test_resume_redoes_when_an_input_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             change: str) -> None:
    src = write(tmp_path / "in" / "page.md", page(D1, 0))
    out = tmp_path / "out"
    gaz = _copy_tree(DEFAULT_GAZETTEER, tmp_path / "gaz")
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(DEFAULT_MODEL / "combiner.json", model / "combiner.json")
    weights = write(model / "weights" / "model.onnx", "weights v1")
    base = [str(src), "--out", str(out), "--gazetteer", str(gaz), "--model", str(model)]
    args = [*base, "--date", D1.isoformat()]
    assert cli(args, capsys)[0] == 0
    code, err = run_verbose([*args, "--resume"], capsys)
    assert code == 0 and "skipped (done)" in err  # nothing changed: skipped
    backend = FAST_BACKEND
    if change == "backend":
        backend = "lac" if FAST_BACKEND != "lac" else "lac-gazetteer"
    elif change == "date":
        args = [*base, "--date", D3.isoformat()]
    elif change == "paper":
        args = [*args, "--paper", "other-daily"]
    elif change == "gazetteer":
        with open(gaz / "agencies.csv", "a", encoding="utf-8") as fh:
            fh.write("\n")
    else:
        weights.write_text("weights v2 (retrained)", encoding="utf-8")
    code = main(["run", *args, "--resume", "--verbose", "--backend", backend])
    err = capsys.readouterr().err
    assert code == 0 and "skipped (done)" not in err, change
    arts = pipeline.load(str(out)).articles
    assert len(arts) == 1  # the new version replaced the old one, wherever it lives now
    if change == "date":
        assert list(arts.issue_date.dt.date) == [D3]
    if change == "paper":
        assert list(arts.paper.astype(str)) == ["other-daily"]


# --- concurrency ---------------------------------------------------------------------------------


def test_two_runs_at_once_lose_no_manifest_record(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sets = []
    for k in range(2):
        d = tmp_path / f"in{k}"
        for i in range(6):
            day = D1 + dt.timedelta(days=k * 10 + i)
            write(d / f"{day.isoformat()}.md", page(day, i))
        sets.append(d)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(d), "--out", str(out), "--quiet",
                          "--backend", FAST_BACKEND], env=env, stderr=subprocess.PIPE, text=True)
        for d in sets
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert len(files) == 12 and all(r["status"] == "ok" for r in files.values())
    assert len(pipeline.load(str(out)).articles) == 12


# --- write errors --------------------------------------------------------------------------------


def test_write_error_leaves_old_version_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while writing a source's mentions: its old articles and mentions both stay."""
    inp = tmp_path / "in"
    srcs = [write(inp / f"{d.isoformat()}.md", page(d, i)) for i, d in enumerate((D1, D3))]
    out = tmp_path / "out"
    assert cli([str(inp), "--out", str(out)], capsys)[0] == 0
    before = pipeline.load(str(out))
    srcs[1].write_text(page(D3, 5), encoding="utf-8")  # a new version that will fail to write
    real = pq.write_table

    def full_on_mentions(table, where, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        meta = table.schema.metadata or {}
        if meta.get(b"pinghu.table") == b"mentions" and meta.get(b"pinghu.issue_date") == D3.isoformat().encode():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(table, where, *a, **k)

    monkeypatch.setattr(pq, "write_table", full_on_mentions)
    code, err = cli([str(inp), "--out", str(out)], capsys)
    assert code == 1 and len(err) == 1 and "No space left" in err[0] and srcs[1].name in err[0]
    after = pipeline.load(str(out))
    for name in ("articles", "mentions"):
        pd.testing.assert_frame_equal(after[name].sort_values(after[name].columns[0]).reset_index(drop=True),
                                      before[name].sort_values(before[name].columns[0]).reset_index(drop=True))
    assert not [p for p in out.rglob(".*") if p.suffix == ".tmp"]


def test_disk_full_mid_batch_tries_the_rest_and_recovers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """From the second source on every fsync fails (a full disk): one line per source, no traceback."""
    inp = tmp_path / "in"
    days = [D1 + dt.timedelta(days=i) for i in range(4)]
    for i, d in enumerate(days):
        write(inp / f"{d.isoformat()}.md", page(d, i))
    out = tmp_path / "out"
    real = os.fsync

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else ""
        if str(out) in target and days[0].isoformat() not in target and not os.path.isdir(target):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = cli([str(inp), "--out", str(out)], capsys)
    assert code == 1
    assert all(not line.startswith("Traceback") for line in err)
    for d in days[1:]:  # each was tried and reported on its own line
        assert any(d.isoformat() in line and "No space left" in line for line in err), (d, err)
    monkeypatch.setattr(os, "fsync", real)  # space freed
    assert cli([str(inp), "--out", str(out), "--resume"], capsys)[0] == 0
    assert sorted(pipeline.load(str(out)).articles.issue_date.dt.date) == days
    assert main(["check", str(out)]) == 0


# --- one commit per source -------------------------------------------------------------------------


def test_crash_between_renames_rolls_forward(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after the articles part was renamed but before the mentions part: the next run
    completes the commit, so articles and mentions are of one version."""
    import pipeline.store.commit as commit

    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    out = tmp_path / "out"
    assert cli([str(src), "--out", str(out)], capsys)[0] == 0
    src.write_text(page(D1, 7), encoding="utf-8")  # the new version names another secretary
    real, calls = os.replace, {"n": 0}

    def crash_after_first(a: object, b: object) -> None:
        if str(b).endswith(".parquet"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # stands for SIGKILL: nothing after this line runs
        real(a, b)

    monkeypatch.setattr(commit.os, "replace", crash_after_first)
    with pytest.raises(KeyboardInterrupt):  # the runner catches Exception, not a kill
        process_and_write(src, None, Pipeline(Settings(out_dir=out, backend=FAST_BACKEND)))
    monkeypatch.setattr(commit.os, "replace", real)
    assert main(["check", str(out)]) == 1
    assert "interrupted commit" in capsys.readouterr().out
    assert cli([str(tmp_path / "elsewhere.md"), "--out", str(out)], capsys)[0] == 1  # any run recovers
    assert main(["check", str(out)]) == 0
    t = pipeline.load(str(out))
    assert list(t.articles.headline) == ["新仓镇召开第8次农业生产推进会"]
    assert set(t.mentions.article_id) == set(t.articles.article_id)


def test_failure_before_the_commit_point_keeps_old_version(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.store.commit as commit

    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    out = tmp_path / "out"
    assert cli([str(src), "--out", str(out)], capsys)[0] == 0
    src.write_text(page(D1, 7), encoding="utf-8")

    def no_journal(*_a: object, **_k: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(commit, "atomic_write_bytes", no_journal)
    code, err = cli([str(src), "--out", str(out)], capsys)
    assert code == 1 and len(err) == 1
    monkeypatch.undo()
    assert main(["check", str(out)]) == 0
    assert list(pipeline.load(str(out)).articles.headline) == ["新仓镇召开第1次农业生产推进会"]
    assert not [p for p in out.rglob(".*.tmp")]


def test_check_passes_on_the_sample_run(seed_outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seed_outputs)]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_corrupt_manifest_warning_is_one_line(tmp_path: Path) -> None:
    src = write(tmp_path / "in" / f"{D1.isoformat()}.md", page(D1, 0))
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{truncated", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out), "--quiet",
                           "--backend", FAST_BACKEND], capture_output=True, text=True, timeout=300)
    err = [x for x in proc.stderr.splitlines() if x.strip()]
    assert proc.returncode == 0 and len(err) == 1 and "unreadable manifest" in err[0], err

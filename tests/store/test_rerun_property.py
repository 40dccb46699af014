"""Issue 17, property: whatever sequence of runs wrote an outputs directory — random subsets of an
archive of 22 sources, from random working directories, with or without ``--resume``, one or two
workers, killed (SIGKILL) at a random moment, or two runs at once — a final run over everything
leaves the tables equal to one clean run, and ``pinghu-ner check`` passes.

Each run is a real ``python -m pipeline`` process (a kill must hit a real process); the backend is
the model-free gazetteer ruler so that a run costs about a second.  Bounded: a few examples, a
fixed seed, no deadline.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rerun_fixture import FAST_BACKEND, assert_same_tables, page, write

import pipeline
from pipeline.cli.main import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def build_archive(root: Path) -> list[Path]:
    """22 sources in the layouts that broke identity: dated names, a folder per day with every
    page called 01.md, two editions of one date and page, whole issues repeating a heading."""
    srcs = []
    for i in range(8):
        d = dt.date(2024, 5, 1 + i)
        srcs.append(write(root / "issues" / f"{d.isoformat()}.md", page(d, i)))
    for i in range(6):  # 2024/05/13/01.md and 2024/06/13/01.md: same folder and file names
        d = dt.date(2024, 5 + i % 2, 11 + i // 2)
        srcs.append(write(root / "byday" / f"{d.year}" / f"{d.month:02d}" / f"{d.day:02d}" / "01.md", page(d, i + 3)))
    for i in range(3):
        d = dt.date(2024, 7, 1 + i)
        for ed in ("a", "b"):
            srcs.append(write(root / f"edition-{ed}" / f"{d.isoformat()}_p1.md", page(d, i + (ed == "b"))))
    for i in range(2):
        d = dt.date(2024, 8, 1 + i)
        text = page(d, i, heading="第1版：要闻") + "\n" + page(d, i + 1, heading="第1版：要闻")
        srcs.append(write(root / "whole" / f"{d.isoformat()}.md", text))
    return srcs


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], Path]:
    base = tmp_path_factory.mktemp("arc")
    srcs = build_archive(base / "archive")
    clean = base / "clean"
    assert main(["run", str(base / "archive"), "--out", str(clean), "--quiet", "--backend", FAST_BACKEND]) == 0
    arts = pipeline.load(str(clean)).articles
    assert arts.source_file.nunique() == len(srcs) and len(arts) == len(srcs) + 2  # whole issues: 2 each
    return base, srcs, clean


def _command(paths: list[str], out: str, resume: bool, workers: int) -> list[str]:
    cmd = [sys.executable, "-m", "pipeline", "run", *paths, "--out", out, "--quiet", "--backend", FAST_BACKEND,
           "--workers", str(workers)]
    return [*cmd, "--resume"] if resume else cmd


def _start(base: Path, srcs: list[Path], op: dict, out: Path) -> subprocess.Popen:
    cwd = {"parent": base, "root": base / "archive", "deep": base / "archive" / "byday" / "2024" / "06"}[op["cwd"]]
    chosen = [srcs[i] for i in sorted(op["subset"])]
    if len(chosen) == len(srcs):
        paths = [os.path.relpath(base / "archive", cwd)]  # the whole archive as a directory
    else:
        paths = [os.path.relpath(p, cwd) for p in chosen]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(_command(paths, os.path.relpath(out, cwd), op["resume"], op["workers"]),
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err


def _kill_later(proc: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=300)


N_SOURCES = 22
OPS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["run", "kill", "pair"]),
        "subset": st.sets(st.integers(0, N_SOURCES - 1), min_size=1, max_size=N_SOURCES),
        "other": st.sets(st.integers(0, N_SOURCES - 1), min_size=1, max_size=N_SOURCES),
        "cwd": st.sampled_from(["parent", "root", "deep"]),
        "resume": st.booleans(),
        "workers": st.sampled_from([1, 2]),
        "delay": st.floats(0.2, 2.5),
    }
)


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=1, max_size=3), final=OPS)
def test_any_sequence_of_runs_ends_like_one_clean_run(archive: tuple[Path, list[Path], Path],
                                                      ops: list[dict], final: dict) -> None:
    base, srcs, clean = archive
    assert len(srcs) == N_SOURCES
    out = Path(tempfile.mkdtemp(dir=base, prefix="out-"))
    for op in ops:
        proc = _start(base, srcs, op, out)
        if op["kind"] == "kill":
            _kill_later(proc, op["delay"])
        elif op["kind"] == "pair":
            other_cwd = "root" if op["cwd"] == "parent" else "parent"
            other = _start(base, srcs, {**op, "subset": op["other"], "cwd": other_cwd}, out)
            _finish(proc)
            _finish(other)
        else:
            _finish(proc)
    _finish(_start(base, srcs, {**final, "subset": set(range(N_SOURCES)), "resume": True}, out))
    assert main(["check", str(out)]) == 0
    assert_same_tables(out, clean)

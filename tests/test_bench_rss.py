"""The bench's peak RSS of a run is that run's own (issue 34 measures it per worker).

Why: ``bench_run`` read ``RUSAGE_CHILDREN`` of the bench process, whose ``ru_maxrss`` is the
largest child it has ever waited for, so after one big child every later run reported that
child's peak (a full ``make bench`` printed 629 MB for every run).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.__main__ import bench_run, build_issues


def test_a_run_reports_its_own_peak_not_an_earlier_childs(tmp_path: Path) -> None:
    big = 1200  # MB, far above what the pipeline needs for one page
    subprocess.run([sys.executable, "-c", f"x = b'x' * ({big} * 1024 * 1024)"], check=True)
    (tmp_path / "set").mkdir()
    files, chars = build_issues(1, tmp_path / "set")
    one = files[:1]
    for f in files[1:]:
        f.unlink()
    run = bench_run(one, len(one[0].read_text(encoding="utf-8")), 1, tmp_path)
    assert 100 < run["peak_rss_mb_per_process"] < big * 0.8
    assert run["cpu_seconds"] > 0 and chars > 0


def test_cpu_of_a_descendant_that_outlives_its_parent_is_counted() -> None:
    """A worker of a forkserver outlives the runner that started it: the wrapper, the tree's
    subreaper, still waits for it and counts its CPU (it read 1.3 s for a 2-worker run of about
    15 s before)."""
    from bench.__main__ import RUSAGE_WRAPPER

    burn = "import time; t = time.process_time(); exec('while time.process_time() - t < 0.6: pass')"
    orphan = f"import os, sys\nif os.fork() == 0:\n    {burn}\n    os._exit(0)\n"  # the parent returns at once
    proc = subprocess.run([sys.executable, "-c", RUSAGE_WRAPPER, sys.executable, "-c", orphan],
                          capture_output=True, text=True, check=True)
    rc, _seconds, _rss, cpu = proc.stderr.strip().splitlines()[-1].split()
    assert int(rc) == 0 and float(cpu) >= 0.55
